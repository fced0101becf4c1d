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
