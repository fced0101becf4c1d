use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::*;
use crate::storage;

/// A copy of the sample project, with every file's mtime an hour old (so the index
/// trusts stats, as it would on any project not written this second).
fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy(Path::new("projects/karabakh"), dir.path());
    age(dir.path());
    dir
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        // A cache someone's `stats` left in the source tree is not part of the sample.
        if e.file_name() == storage::CACHE_DIR {
            continue;
        }
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &t);
        } else {
            fs::copy(e.path(), &t).unwrap();
        }
    }
}

fn age(root: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for rel in files(root) {
        let f = fs::File::options()
            .write(true)
            .open(root.join(rel))
            .unwrap();
        f.set_modified(old).unwrap();
    }
}

fn files(root: &Path) -> Vec<String> {
    let corpus = storage::read(root).unwrap();
    let mut out = vec![storage::PROJECT_FILE.to_string()];
    out.extend(
        corpus
            .documents
            .iter()
            .map(|d| format!("documents/{}.ron", d.id)),
    );
    for (a, sets) in &corpus.annotations {
        out.extend(sets.keys().map(|d| format!("annotations/{a}/{d}.ron")));
    }
    out
}

fn full(root: &Path) -> StatsAnswer {
    let corpus = storage::load(root).unwrap();
    StatsAnswer {
        project: corpus.project.name.clone(),
        stats: crate::stats::stats(&corpus),
    }
}

#[test]
fn a_warm_index_reads_nothing_and_an_edit_reparses_only_its_file() {
    let dir = sample();
    let root = dir.path();
    let n = files(root).len();
    let cold = open(root).unwrap();
    assert_eq!((cold.read, cold.parsed), (n, n));
    assert!(cold.written);
    assert_eq!(stats_of(&cold.index).unwrap(), full(root));
    // Stats were an hour old: nothing is read or written again.
    let warm = open(root).unwrap();
    assert_eq!((warm.read, warm.parsed, warm.written), (0, 0, false));
    assert_eq!(warm.index, cold.index);
    // One set changes: it is read and parsed, and its document parsed to validate it.
    let (corpus, _) = storage::read_stamped(root).unwrap();
    let (a, sets) = corpus.annotations.iter().next().unwrap();
    let (d, set) = sets.iter().next().unwrap();
    let mut set = set.clone();
    set.spans.pop();
    set.status = crate::model::DocStatus::InProgress;
    storage::save_set(root, &set).unwrap();
    let after = open(root).unwrap();
    assert_eq!((after.read, after.parsed), (1, 2), "{a}/{d}");
    assert!(after.written);
    assert_eq!(stats_of(&after.index).unwrap(), full(root));
    assert_eq!(after.index.set(a, d).unwrap().status, set.status);
}

#[cfg(unix)]
#[test]
fn a_file_given_back_its_size_and_mtime_is_still_seen_to_change() {
    let dir = sample();
    let root = dir.path();
    open(root).unwrap();
    let set = files(root)
        .into_iter()
        .find(|f| f.starts_with("annotations/"))
        .unwrap();
    let path = root.join(&set);
    let text = fs::read_to_string(&path).unwrap();
    let changed = text.replacen("\"ACTOR\"", "\"PLACE\"", 1);
    assert_ne!(changed, text);
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    fs::write(&path, &changed).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let after = open(root).unwrap();
    assert_eq!(after.parsed, 2, "the set and its document");
    assert_eq!(stats_of(&after.index).unwrap(), full(root));
}

#[test]
fn a_changed_schema_validates_every_set_again_and_problems_fall_back() {
    let dir = sample();
    let root = dir.path();
    open(root).unwrap();
    let (mut project, _) = storage::read_project_file(root).unwrap();
    // A label no span uses is added: every set is checked against the new schema.
    let mut extra = project.labels[0].clone();
    extra.key = "EXTRA".into();
    project.labels.push(extra);
    storage::save_project(root, &project).unwrap();
    let after = open(root).unwrap();
    let n = files(root).len();
    assert_eq!(after.read, 1);
    assert!(after.parsed >= n - 1, "{} of {n}", after.parsed);
    assert_eq!(stats_of(&after.index).unwrap(), full(root));
    // A label in use is removed: the index does not answer; the error is load's.
    let used = project.labels.remove(0);
    storage::save_project(root, &project).unwrap();
    let err = open(root).unwrap_err();
    assert!(
        matches!(err, storage::StorageError::Invalid { .. }),
        "{err}"
    );
    assert!(err.to_string().contains(&used.key), "{err}");
    assert!(project_stats(root).is_err());
}

#[test]
fn an_index_of_another_version_or_garbage_is_rebuilt_with_one_note() {
    let dir = sample();
    let root = dir.path();
    let first = open(root).unwrap();
    let path = cache::index_path(root);
    for spoil in [
        b"{\"version\":99,\"annotators\":[],\"files\":{}}".to_vec(),
        b"\0\0garbage".to_vec(),
        fs::read(&path).unwrap()[..100].to_vec(),
    ] {
        fs::write(&path, &spoil).unwrap();
        let o = open(root).unwrap();
        assert_eq!(o.notes.len(), 1, "{:?}", o.notes);
        assert!(o.notes[0].contains("rebuilding"), "{:?}", o.notes);
        assert_eq!(o.index, first.index);
        assert!(o.written);
        assert!(open(root).unwrap().notes.is_empty());
    }
}

fn sets(root: &Path) -> usize {
    files(root)
        .iter()
        .filter(|f| f.starts_with("annotations/"))
        .count()
}

/// Rewrites one set file through `change`.
fn edit_set(
    root: &Path,
    annotator: &str,
    doc: &str,
    change: impl FnOnce(&mut crate::model::AnnotationSet),
) {
    let path = storage::set_file(root, annotator, doc);
    let (mut set, _) = storage::read_set(&path, annotator).unwrap();
    change(&mut set);
    fs::write(&path, storage::set_bytes(root, &set).unwrap()).unwrap();
}

/// A set of the sample (annotator, document) and how many sets its document has.
fn some_set(root: &Path) -> (String, String, usize) {
    let corpus = storage::read(root).unwrap();
    let (a, d) = corpus
        .annotations
        .iter()
        .find_map(|(a, sets)| sets.keys().next().map(|d| (a.clone(), d.clone())))
        .unwrap();
    let on_doc = corpus
        .annotations
        .values()
        .filter(|s| s.contains_key(&d))
        .count();
    (a, d, on_doc)
}

#[test]
fn load_gives_what_storage_load_gives_validating_only_what_changed() {
    let dir = sample();
    let root = dir.path();
    let n = sets(root);
    let (annotator, doc, on_doc) = some_set(root);
    let check = |validated: usize, what: &str| {
        let loaded = load(root).unwrap();
        assert_eq!(loaded.corpus, storage::load(root).unwrap(), "{what}");
        assert_eq!(loaded.validated, validated, "{what}");
        assert!(loaded.notes.is_empty(), "{what}: {:?}", loaded.notes);
    };
    check(n, "no index: every set");
    assert!(cache::index_path(root).is_file());
    check(0, "nothing changed");
    edit_set(root, &annotator, &doc, |s| {
        s.status = crate::model::DocStatus::Done;
    });
    check(1, "one set rewritten");
    check(0, "nothing changed since");
    // Text added at the end keeps every span valid; the document's sets are checked.
    let dpath = storage::document_file(root, &doc);
    let (mut d, _) = storage::read_document(&dpath).unwrap();
    d.text.push_str("\nA line added.");
    fs::write(&dpath, storage::document_bytes(root, &d).unwrap()).unwrap();
    check(on_doc, "a document changed");
    // A new label changes the schema: every set is checked against it.
    let (mut p, _) = storage::read_project_file(root).unwrap();
    let mut label = p.labels[0].clone();
    label.key = "NEW_LABEL".into();
    label.shortcut = String::new();
    p.labels.push(label);
    fs::write(
        storage::project_file(root),
        storage::project_bytes(root, &p).unwrap(),
    )
    .unwrap();
    check(n, "the schema changed");
}

#[test]
fn load_refuses_what_changed_since_the_index_with_storage_loads_error() {
    let dir = sample();
    let root = dir.path();
    let (annotator, doc, _) = some_set(root);
    let same_error = |what: &str| {
        let ours = load(root).unwrap_err().to_string();
        assert_eq!(ours, storage::load(root).unwrap_err().to_string(), "{what}");
        assert!(ours.contains(&doc), "{what}: {ours}");
    };
    load(root).unwrap();
    // A span's copied text no longer matches: the set's hash differs from the index's.
    let set_path = storage::set_file(root, &annotator, &doc);
    let before = fs::read(&set_path).unwrap();
    edit_set(root, &annotator, &doc, |s| {
        s.spans[0].text.push('x');
    });
    same_error("a span's text");
    fs::write(&set_path, &before).unwrap();
    load(root).unwrap();
    // The document's text changes under the spans: only the document's hash differs.
    let dpath = storage::document_file(root, &doc);
    let (mut d, _) = storage::read_document(&dpath).unwrap();
    d.text.insert_str(0, "Preface. ");
    fs::write(&dpath, storage::document_bytes(root, &d).unwrap()).unwrap();
    same_error("the document's text");
}

#[test]
fn an_index_copied_with_the_project_vouches_for_nothing() {
    let dir = sample();
    let root = dir.path();
    load(root).unwrap();
    assert_eq!(load(root).unwrap().validated, 0);
    // The whole folder, cache included, somewhere else.
    let other = tempfile::tempdir().unwrap();
    let mut cp = std::process::Command::new("cp");
    cp.arg("-a")
        .arg(format!("{}/.", root.display()))
        .arg(other.path());
    assert!(cp.status().unwrap().success());
    assert!(cache::index_path(other.path()).is_file());
    let loaded = load(other.path()).unwrap();
    assert_eq!(loaded.validated, sets(root));
    assert_eq!(loaded.corpus, storage::load(root).unwrap());
}
