//! `spanbench stats` from the project index, run as the real binary: the same bytes as
//! reading the whole project, whatever happened to the files or the cache.

#[path = "../benches/synthetic/project.rs"]
mod generated;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use spanbench::model::DocStatus;
use spanbench::storage;

const BIN: &str = env!("CARGO_BIN_EXE_spanbench");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run spanbench")
}

fn ok(o: &Output) -> (String, String) {
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert!(o.status.success(), "exit {:?}\n{out}\n{err}", o.status);
    (out, err)
}

/// What `spanbench stats` printed before the index: the whole project read and
/// validated, the table printed as it always was. Kept verbatim as the reference.
fn reference(root: &Path, json: bool) -> String {
    use std::fmt::Write;
    let corpus = storage::load(root).unwrap();
    let st = spanbench::stats::stats(&corpus);
    let mut o = String::new();
    if json {
        writeln!(o, "{}", serde_json::to_string_pretty(&st).unwrap()).unwrap();
        return o;
    }
    writeln!(o, "project    {}", corpus.project.name).unwrap();
    writeln!(o, "documents  {}", st.documents).unwrap();
    writeln!(o, "spans      {}", st.spans).unwrap();
    writeln!(o, "relations  {}", st.relations).unwrap();
    writeln!(o, "\nspans per label").unwrap();
    for (k, v) in &st.spans_per_label {
        writeln!(o, "  {k:<16} {v:>6}").unwrap();
    }
    writeln!(o, "\nspans per annotator").unwrap();
    for (k, v) in &st.spans_per_annotator {
        writeln!(o, "  {k:<16} {v:>6}").unwrap();
    }
    writeln!(o, "\ndocuments per status").unwrap();
    for (a, m) in &st.documents_per_status {
        let cells: Vec<String> = DocStatus::ALL
            .iter()
            .map(|s| format!("{} {}", s.as_str(), m[s.as_str()]))
            .collect();
        writeln!(o, "  {a:<16} {}", cells.join(", ")).unwrap();
    }
    o
}

/// Runs `stats` and `stats --json`, checks both against the reference and that no note
/// was printed; returns stderr of the table run.
fn assert_stats(root: &Path) {
    let p = root.to_str().unwrap();
    for json in [false, true] {
        let args: Vec<&str> = if json {
            vec!["stats", p, "--json"]
        } else {
            vec!["stats", p]
        };
        let (out, err) = ok(&run(&args));
        assert_eq!(out, reference(root, json), "json: {json}");
        assert_eq!(err, "", "json: {json}");
    }
}

fn index_file(root: &Path) -> PathBuf {
    root.join(storage::CACHE_DIR).join("index.json")
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

fn sample() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("karabakh");
    copy(Path::new("projects/karabakh"), &root);
    (dir, root)
}

/// Every project file's mtime set `secs` seconds back, as files not written this second.
fn age(root: &Path, secs: u64) {
    let t = SystemTime::now() - Duration::from_secs(secs);
    let corpus = storage::read(root).unwrap();
    let mut rels = vec![storage::PROJECT_FILE.to_string()];
    rels.extend(
        corpus
            .documents
            .iter()
            .map(|d| format!("documents/{}.ron", d.id)),
    );
    for (a, sets) in &corpus.annotations {
        rels.extend(sets.keys().map(|d| format!("annotations/{a}/{d}.ron")));
    }
    for rel in rels {
        set_mtime(&root.join(rel), t);
    }
}

fn set_mtime(path: &Path, t: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// The set's text with one ACTOR span that no relation uses turned into a PLACE (same
/// length, still valid).
fn relabel_free_actor(file: &Path, text: &str) -> String {
    let (set, _) = storage::read_set(file, "tomas").unwrap();
    let used: Vec<u32> = set
        .relations
        .iter()
        .flat_map(|r| [r.from.0, r.to.0])
        .collect();
    let span = set
        .spans
        .iter()
        .find(|s| s.label == "ACTOR" && !used.contains(&s.id.0))
        .expect("a free ACTOR span");
    let head = format!("(id: {}, ", span.id.0);
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with(&head) {
                l.replacen("label: \"ACTOR\"", "label: \"PLACE\"", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn stats_from_the_index_equal_the_full_read_on_the_sample() {
    let (_dir, root) = sample();
    assert_stats(&root); // cold: builds the index
    assert!(index_file(&root).is_file());
    age(&root, 3600);
    assert_stats(&root); // files hashed again (stats changed), index rewritten
    let written = fs::read(index_file(&root)).unwrap();
    assert_stats(&root); // warm: nothing read
    assert_eq!(fs::read(index_file(&root)).unwrap(), written);
}

#[test]
fn stats_from_the_index_equal_the_full_read_on_a_generated_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("g");
    generated::write_project(&root, 300, 50, &["anna", "boris", "gold"]);
    // One layer with no set yet, one document nobody annotated.
    fs::create_dir_all(root.join("annotations/empty")).unwrap();
    fs::remove_file(root.join("annotations/boris/doc-000007.ron")).unwrap();
    assert_stats(&root);
    age(&root, 3600);
    assert_stats(&root);
    assert_stats(&root);
}

#[test]
fn edits_by_other_processes_are_seen() {
    let (dir, root) = sample();
    age(&root, 3600);
    assert_stats(&root);
    assert_stats(&root);
    // Another spanbench imports a document.
    let txt = dir.path().join("new.txt");
    fs::write(&txt, "Baku and Yerevan met in Moscow.\n").unwrap();
    ok(&run(&[
        "import",
        root.to_str().unwrap(),
        txt.to_str().unwrap(),
    ]));
    assert_stats(&root);
    // Another program rewrites a set with a label changed to one of the same length,
    // so the file keeps its size; its mtime is set to another old time.
    age(&root, 3600);
    assert_stats(&root);
    let file = root.join("annotations/tomas/000_bcae97faca071bd7.ron");
    let text = fs::read_to_string(&file).unwrap();
    let changed = relabel_free_actor(&file, &text);
    assert_ne!(changed, text);
    assert_eq!(changed.len(), text.len());
    fs::write(&file, &changed).unwrap();
    set_mtime(&file, SystemTime::now() - Duration::from_secs(7200));
    assert_stats(&root);
    // A set removed, a layer folder removed.
    fs::remove_file(&file).unwrap();
    assert_stats(&root);
    fs::remove_dir_all(root.join("annotations/tomas")).unwrap();
    assert_stats(&root);
}

#[test]
fn a_corrupt_or_truncated_index_is_rebuilt_with_one_note() {
    let (_dir, root) = sample();
    age(&root, 3600);
    assert_stats(&root);
    let good = fs::read(index_file(&root)).unwrap();
    for spoiled in [
        good[..good.len() / 2].to_vec(),
        Vec::new(),
        b"\xff\xfe not json".to_vec(),
        String::from_utf8(good.clone())
            .unwrap()
            .replacen("\"version\":1", "\"version\":7", 1)
            .into_bytes(),
    ] {
        fs::write(index_file(&root), &spoiled).unwrap();
        let p = root.to_str().unwrap();
        let (out, err) = ok(&run(&["stats", p]));
        assert_eq!(out, reference(&root, false));
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].starts_with("note: ") && lines[0].contains("rebuilding"),
            "{err}"
        );
        assert_eq!(fs::read(index_file(&root)).unwrap(), good);
        assert_stats(&root);
    }
}

#[test]
fn an_index_that_came_with_a_copy_of_the_project_is_not_believed() {
    // A project unpacked from an archive brings an index whose hashes match its files
    // but whose counts lie; it was not built in this folder, so it is not used.
    let (dir, root) = sample();
    age(&root, 3600);
    assert_stats(&root);
    let text = fs::read_to_string(index_file(&root)).unwrap();
    let lying = text.replace("\"relations\":", "\"relations\":1000");
    assert_ne!(lying, text);
    fs::write(index_file(&root), lying).unwrap();
    let copied = dir.path().join("unpacked");
    copy(&root, &copied);
    assert_stats(&copied);
}

#[cfg(unix)]
#[test]
fn a_cache_that_is_a_symbolic_link_is_never_followed() {
    let (dir, root) = sample();
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, root.join(storage::CACHE_DIR)).unwrap();
    let p = root.to_str().unwrap();
    for _ in 0..2 {
        let (out, err) = ok(&run(&["stats", p]));
        assert_eq!(out, reference(&root, false));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("symbolic link"), "{err}");
    }
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0, "wrote outside");
    assert!(
        fs::symlink_metadata(root.join(storage::CACHE_DIR))
            .unwrap()
            .is_symlink()
    );

    // The index file itself a link to a file outside: not read, not written.
    fs::remove_file(root.join(storage::CACHE_DIR)).unwrap();
    fs::create_dir(root.join(storage::CACHE_DIR)).unwrap();
    let planted = outside.join("index.json");
    fs::write(&planted, "{\"version\":1,\"annotators\":[],\"files\":{}}").unwrap();
    std::os::unix::fs::symlink(&planted, index_file(&root)).unwrap();
    let (out, err) = ok(&run(&["stats", p]));
    assert_eq!(out, reference(&root, false));
    assert!(
        err.contains("index.json") && err.lines().count() == 1,
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(&planted).unwrap(),
        "{\"version\":1,\"annotators\":[],\"files\":{}}"
    );
    assert!(
        fs::symlink_metadata(index_file(&root))
            .unwrap()
            .is_symlink()
    );
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 1);
}

#[test]
fn the_cache_is_ignored_by_git_and_kept_by_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    ok(&run(&["new", root.to_str().unwrap()]));
    let gi = fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(gi.lines().any(|l| l == "/.spanbench-cache/"), "{gi}");
    let txt = dir.path().join("a.txt");
    fs::write(&txt, "Baku.\n").unwrap();
    ok(&run(&[
        "import",
        root.to_str().unwrap(),
        txt.to_str().unwrap(),
    ]));
    assert_stats(&root);
    // The cache ignores itself too, for projects whose .gitignore predates it.
    let inner = fs::read_to_string(root.join(storage::CACHE_DIR).join(".gitignore")).unwrap();
    assert!(inner.lines().any(|l| l == "*"), "{inner}");
    // A writer opening the project (recovery of leftovers) leaves the cache alone.
    let before = fs::read(index_file(&root)).unwrap();
    ok(&run(&[
        "import",
        root.to_str().unwrap(),
        txt.to_str().unwrap(),
    ]));
    assert_eq!(fs::read(index_file(&root)).unwrap(), before);
    assert_stats(&root);
    // git, where it is installed, sees no cache file.
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(&root).output();
    if git(&["init", "-q"]).is_ok_and(|o| o.status.success()) {
        fs::remove_file(root.join(".gitignore")).unwrap();
        let o = git(&["status", "--porcelain", "-uall"]).unwrap();
        let listed = String::from_utf8(o.stdout).unwrap();
        assert!(listed.contains("project.ron"), "{listed}");
        assert!(!listed.contains(".spanbench-cache"), "{listed}");
    }
}

#[test]
fn an_invalid_project_is_refused_as_before_and_leaves_no_cache() {
    let (_dir, root) = sample();
    let set = fs::read_dir(root.join("annotations/gold"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let text = fs::read_to_string(&set).unwrap();
    fs::write(&set, text.replacen("\"ACTOR\"", "\"NOPE\"", 1)).unwrap();
    let o = run(&["stats", root.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.starts_with("error: ") && err.contains("NOPE"), "{err}");
    assert!(!root.join(storage::CACHE_DIR).exists());
    // validate still reads and checks everything, index or not.
    fs::write(&set, &text).unwrap();
    assert_stats(&root);
    fs::write(&set, text.replacen("\"ACTOR\"", "\"NOPE\"", 1)).unwrap();
    let o = run(&["validate", root.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8(o.stdout).unwrap().contains("NOPE"));
}
