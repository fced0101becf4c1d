//! Many hands and strangers' files: two real processes on one project, projects and
//! import folders built to escape, damaged and hostile input. Each test reproduces a
//! way data was lost or a folder escaped, and checks it no longer happens.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use spanbench::storage;

const BIN: &str = env!("CARGO_BIN_EXE_spanbench");

fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run spanbench")
}

fn spawn_in(cwd: &Path, args: &[&str]) -> std::process::Child {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run spanbench")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    );
}

/// A refusal: non-zero exit that is not a panic or a signal; returns stderr.
fn refused(o: &Output) -> String {
    let err = text(&o.stderr);
    assert!(!o.status.success(), "expected failure; stderr: {err}");
    assert_eq!(o.status.code(), Some(1), "exit; stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for l in err.lines() {
        assert!(l.starts_with("error: ") || l.starts_with("note: "), "{err}");
    }
    err
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if rel == Path::new(storage::LOCK_FILE) {
                continue;
            }
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                out.insert(rel, Vec::new());
                walk(root, &path, out);
            } else if meta.is_file() {
                out.insert(rel, fs::read(&path).unwrap());
            } else {
                out.insert(rel, b"<special>".to_vec());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    ok(&run_in(dir.path(), &["new", "p"]));
    let root = dir.path().join("p");
    (dir, root)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&p, bytes).unwrap();
    p
}

fn spans_line(text: &str, annotator: &str) -> String {
    format!(
        "{{\"text\": {:?}, \"spans\": [{{\"start\": 0, \"end\": 5, \"label\": \"ACTOR\"}}], \"meta\": {{\"annotator\": {annotator:?}}}}}\n",
        text
    )
}

// ---------------------------------------------------------------------------------
// Two processes, one project

/// Two imports started together, with different annotators, different files both named
/// report.txt, and one document id with two different texts: both imports land whole,
/// and the project validates.
#[test]
fn two_real_imports_at_once_lose_nothing() {
    for round in 0..6 {
        let (dir, root) = project();
        let d = dir.path();
        let a = write(
            d,
            "a/report.jsonl",
            spans_line("Alpha beta gamma.", "ann1").as_bytes(),
        );
        let b = write(
            d,
            "b/report.jsonl",
            spans_line("Delta epsilon zeta.", "ann2").as_bytes(),
        );
        let ta = write(d, "a/report.txt", b"First report.\n");
        let tb = write(d, "b/report.txt", b"Second report.\n");
        let (x, y) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let p1 = spawn_in(d, &["import", "p", x.to_str().unwrap()]);
        let p2 = spawn_in(d, &["import", "p", y.to_str().unwrap()]);
        let p3 = spawn_in(d, &["import", "p", ta.to_str().unwrap()]);
        let p4 = spawn_in(d, &["import", "p", tb.to_str().unwrap()]);
        for p in [p1, p2, p3, p4] {
            ok(&p.wait_with_output().unwrap());
        }
        ok(&run_in(d, &["validate", "p"]));
        let corpus = storage::load(&root).unwrap();
        let mut annotators = corpus.project.annotators.clone();
        annotators.sort();
        assert_eq!(annotators, ["ann1", "ann2"], "round {round}");
        let mut texts: Vec<&str> = corpus.documents.iter().map(|d| d.text.as_str()).collect();
        texts.sort();
        assert_eq!(
            texts,
            [
                "Alpha beta gamma.",
                "Delta epsilon zeta.",
                "First report.\n",
                "Second report.\n"
            ],
            "round {round}"
        );
        assert!(
            corpus
                .set(
                    "ann1",
                    &corpus
                        .documents
                        .iter()
                        .find(|d| d.text.starts_with("Alpha"))
                        .unwrap()
                        .id
                )
                .is_some()
        );
        assert!(
            corpus
                .set(
                    "ann2",
                    &corpus
                        .documents
                        .iter()
                        .find(|d| d.text.starts_with("Delta"))
                        .unwrap()
                        .id
                )
                .is_some()
        );
    }
}

/// An import waits for a writer holding the lock, says who, and gives up after
/// `--wait` with one line naming the holder; once the lock is free it goes through.
#[test]
fn an_import_waits_for_the_writer_and_names_it() {
    let (dir, root) = project();
    let f = write(dir.path(), "x.txt", b"Some text.\n");
    let lock = storage::ProjectLock::try_acquire(&root, "anna")
        .unwrap()
        .unwrap();
    let before = snapshot(&root);
    let o = run_in(
        dir.path(),
        &["import", "p", "--wait", "1", f.to_str().unwrap()],
    );
    let err = refused(&o);
    assert!(err.contains("waiting") && err.contains("anna"), "{err}");
    let last = err.lines().last().unwrap();
    assert!(last.contains("anna") && last.contains("process"), "{last}");
    assert_eq!(snapshot(&root), before);
    // Released while the import waits: it goes through.
    let child = spawn_in(dir.path(), &["import", "p", f.to_str().unwrap()]);
    std::thread::sleep(Duration::from_millis(300));
    drop(lock);
    ok(&child.wait_with_output().unwrap());
    assert!(root.join("documents/x.ron").is_file());
}

/// A document id that exists with another text gets a new id, and the import says so.
#[test]
fn an_existing_id_with_another_text_gets_a_new_id_and_a_note() {
    let (dir, root) = project();
    let a = write(dir.path(), "a/report.txt", b"One.\n");
    let b = write(dir.path(), "b/report.txt", b"Two.\n");
    ok(&run_in(dir.path(), &["import", "p", a.to_str().unwrap()]));
    let o = run_in(dir.path(), &["import", "p", b.to_str().unwrap()]);
    ok(&o);
    assert!(
        text(&o.stderr).contains("imported as \"report_2\""),
        "{}",
        text(&o.stderr)
    );
    let l1 = write(
        dir.path(),
        "c/report.jsonl",
        spans_line("Three four.", "ann").as_bytes(),
    );
    let o = run_in(dir.path(), &["import", "p", l1.to_str().unwrap()]);
    ok(&o);
    assert!(
        text(&o.stderr).contains("exists already with a different text"),
        "{}",
        text(&o.stderr)
    );
    let corpus = storage::load(&root).unwrap();
    assert_eq!(corpus.documents.len(), 3);
    assert_eq!(corpus.document("report").unwrap().text, "One.\n");
}

/// An import whose commit cannot finish (something is in the way of its last document)
/// leaves the project exactly as it was: no document, set or annotator of it.
#[test]
fn a_failing_save_changes_nothing() {
    let (dir, root) = project();
    let mut lines = String::new();
    for id in ["a", "b", "zzz"] {
        lines.push_str(&format!(
            "{{\"id\": {id:?}, \"text\": \"Alpha {id}.\", \"spans\": [{{\"start\": 0, \"end\": 5, \"label\": \"ACTOR\"}}], \"meta\": {{\"annotator\": \"newbie\"}}}}\n"
        ));
    }
    let f = write(dir.path(), "in.jsonl", lines.as_bytes());
    fs::create_dir_all(root.join("documents/zzz.ron")).unwrap();
    let before = snapshot(&root);
    let o = run_in(dir.path(), &["import", "p", f.to_str().unwrap()]);
    let err = refused(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("zzz.ron") && err.contains("nothing was imported"),
        "{err}"
    );
    let mut after = snapshot(&root);
    after.remove(Path::new(".gitignore"));
    let mut before = before;
    before.remove(Path::new(".gitignore"));
    assert_eq!(after, before);
}

// ---------------------------------------------------------------------------------
// Confinement

#[test]
fn annotator_names_that_leave_the_project_are_refused_on_load() {
    for bad in [
        "../../outside/layer",
        "/tmp/abs",
        "a/b",
        "..",
        ".hidden",
        "tab\tname",
    ] {
        let (dir, root) = project();
        let pf = root.join("project.ron");
        let s = fs::read_to_string(&pf).unwrap();
        let s = s.replace("annotators: []", &format!("annotators: [{bad:?}]"));
        fs::write(&pf, s).unwrap();
        let before = snapshot(&root);
        for cmd in ["validate", "stats"] {
            let err = refused(&run_in(dir.path(), &[cmd, "p"]));
            assert!(
                err.contains("project.ron") && err.contains("annotator name"),
                "{bad:?} {cmd}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
        let err = spanbench::session::Session::open(&root, "anna")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("project.ron"), "{err}");
        assert_eq!(snapshot(&root), before);
    }
}

#[test]
fn a_name_from_elsewhere_is_never_written_outside() {
    let (dir, root) = project();
    write(&root, "documents/d.ron", b"");
    fs::remove_file(root.join("documents/d.ron")).unwrap();
    let f = write(dir.path(), "d.txt", b"Text here.\n");
    ok(&run_in(dir.path(), &["import", "p", f.to_str().unwrap()]));
    let mut s = spanbench::session::Session::open(&root, "../escaped").unwrap();
    s.add_span("d", 0, 4, "ACTOR").unwrap();
    let err = s.save().unwrap_err().to_string();
    assert!(err.contains("annotator name"), "{err}");
    assert!(!dir.path().join("escaped").exists());
    assert!(!root.join("escaped").exists());
}

#[cfg(unix)]
#[test]
fn links_inside_a_project_are_refused_not_followed() {
    use std::os::unix::fs::symlink;
    for which in [
        "annotations/gold",
        "documents",
        "annotations",
        "documents/d.ron",
    ] {
        let (dir, root) = project();
        let f = write(dir.path(), "d.txt", b"Text here.\n");
        ok(&run_in(dir.path(), &["import", "p", f.to_str().unwrap()]));
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        let target = root.join(which);
        if target.exists() {
            fs::rename(&target, outside.join("moved")).unwrap();
            symlink(outside.join("moved"), &target).unwrap();
        } else {
            symlink(&outside, &target).unwrap();
        }
        let outside_before = snapshot(&outside);
        let err = refused(&run_in(dir.path(), &["validate", "p"]));
        assert!(err.contains("symbolic link"), "{which}: {err}");
        assert!(Session_open_fails(&root), "{which}");
        let g = write(dir.path(), "e.txt", b"More.\n");
        refused(&run_in(dir.path(), &["import", "p", g.to_str().unwrap()]));
        assert_eq!(snapshot(&outside), outside_before, "{which}");
    }
}

#[allow(non_snake_case)]
fn Session_open_fails(root: &Path) -> bool {
    spanbench::session::Session::open(root, "gold").is_err()
}

#[cfg(unix)]
#[test]
fn folder_import_skips_links_fifos_and_loops_and_reports_each() {
    use std::os::unix::fs::symlink;
    let (dir, root) = project();
    let d = dir.path();
    let private = write(d, "private/secret.txt", b"my password\n");
    write(d, "in/good.txt", b"Public text.\n");
    symlink(&private, d.join("in/linked.txt")).unwrap();
    symlink(d.join("in"), d.join("in/loop")).unwrap();
    let fifo = d.join("in/pipe.txt");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let child = spawn_in(d, &["import", "p", "in"]);
    let start = std::time::Instant::now();
    let o = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(20));
    ok(&o);
    let err = text(&o.stderr);
    for n in ["linked.txt", "loop", "pipe.txt"] {
        assert!(
            err.lines().any(|l| l.contains(n) && l.contains("skipped")),
            "{n}: {err}"
        );
    }
    let corpus = storage::load(&root).unwrap();
    assert_eq!(corpus.documents.len(), 1);
    assert!(
        corpus
            .documents
            .iter()
            .all(|d| !d.text.contains("password"))
    );
    // A FIFO named on the command line is refused, not waited on.
    let o = run_in(d, &["import", "p", fifo.to_str().unwrap()]);
    let err = refused(&o);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn exports_into_a_project_are_refused_and_modes_kept() {
    let (dir, root) = project();
    let f = write(dir.path(), "d.txt", b"Text here.\n");
    ok(&run_in(dir.path(), &["import", "p", f.to_str().unwrap()]));
    let before = snapshot(&root);
    for (fmt, out) in [
        ("spans-jsonl", "p/documents/x.ron"),
        ("csv", "p/documents/d.ron"),
        ("brat", "p"),
        ("brat", "p/annotations/x"),
        ("label-studio", "p/new/deeper/x.json"),
    ] {
        let err = refused(&run_in(dir.path(), &["export", "p", "-f", fmt, "-o", out]));
        assert!(err.contains("inside the spanbench project"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(snapshot(&root), before, "{fmt} {out}");
    }
    ok(&run_in(dir.path(), &["validate", "p"]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let reference = dir.path().join("reference");
        fs::File::create(&reference).unwrap();
        let out = dir.path().join("out.csv");
        ok(&run_in(
            dir.path(),
            &["export", "p", "-f", "csv", "-o", "out.csv"],
        ));
        let rel = dir.path().join("out.relations.csv");
        assert_eq!(mode(&out), mode(&reference));
        assert_eq!(mode(&rel), mode(&reference));
        fs::set_permissions(&out, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&rel, fs::Permissions::from_mode(0o640)).unwrap();
        ok(&run_in(
            dir.path(),
            &["export", "p", "-f", "csv", "-o", "out.csv"],
        ));
        assert_eq!((mode(&out), mode(&rel)), (0o644, 0o640));
    }
}

// ---------------------------------------------------------------------------------
// Strict detection and bounded parsing

#[test]
fn damaged_annotation_files_are_never_taken_as_plain_text() {
    let (dir, root) = project();
    let d = dir.path();
    let full = spans_line("Alpha beta gamma.", "ann");
    let ls = r#"[{"data": {"text": "Alpha beta"}, "annotations": []}]"#;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.jsonl", full.as_bytes()[..30].to_vec(), "cut.jsonl:1:"),
        (
            "cut2.jsonl",
            format!("{full}{}", &full[..20]).into_bytes(),
            "cut2.jsonl:2:",
        ),
        ("cut.json", ls.as_bytes()[..25].to_vec(), "cut.json:1:"),
        ("noext", full.as_bytes()[..30].to_vec(), "noext:1:"),
        ("words.json", b"just some words\n".to_vec(), "--format text"),
        (
            "conf.xml",
            b"<?xml version=\"1.0\"?><View/>".to_vec(),
            "XML",
        ),
        (
            "odd.json",
            b"{\"foo\": 1}".to_vec(),
            "not a format spanbench reads",
        ),
    ];
    let before = snapshot(&root);
    for (name, bytes, needle) in &cases {
        let f = write(d, name, bytes);
        let err = refused(&run_in(d, &["import", "p", f.to_str().unwrap()]));
        // One line, or the reader's line and its count of problems.
        assert!(err.lines().count() <= 2, "{name}: {err}");
        assert!(
            err.lines().next().unwrap().contains(needle),
            "{name}: {err}"
        );
        assert_eq!(snapshot(&root), before, "{name}");
    }
    // Said explicitly, a .json file of plain words is plain text.
    let f = d.join("words.json");
    ok(&run_in(
        d,
        &["import", "p", "--format", "text", f.to_str().unwrap()],
    ));
    assert_eq!(
        storage::load(&root).unwrap().documents[0].text,
        "just some words\n"
    );
}

#[test]
fn hostile_numbers_long_lines_and_duplicate_ids_are_refused_once_each() {
    let (dir, root) = project();
    let d = dir.path();
    let before = snapshot(&root);
    let long_line = format!("{} B-ACTOR extra\nonly\n", "x".repeat(3000));
    let long_token = format!("{}\n", "y".repeat(5000));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "wrap.jsonl",
            r#"{"text": "Alpha beta.", "offset_unit": "utf16", "label": [[4294967296, 4294967301, "ACTOR"]]}"#.into(),
            "4294967296",
        ),
        (
            "huge.jsonl",
            r#"{"text": "Alpha beta.", "spans": [{"start": 18446744073709551615, "end": 3, "label": "ACTOR"}]}"#.into(),
            "start",
        ),
        (
            "neg.jsonl",
            r#"{"text": "Alpha beta.", "spans": [{"start": -1, "end": 3, "label": "ACTOR"}]}"#.into(),
            "start",
        ),
        (
            "ls.json",
            r#"[{"data": {"text": "Alpha beta.", "offset_unit": "utf16"}, "annotations": [{"result": [{"type": "labels", "value": {"start": 4294967296, "end": 4294967301, "labels": ["ACTOR"]}}]}]}]"#.into(),
            "4294967296",
        ),
        ("long.conll", format!("Putin B-ACTOR\n{long_line}"), "only"),
        ("tok.conll", format!("Putin B-ACTOR\n{long_token}"), "yyy"),
    ];
    for (name, content, needle) in &cases {
        let f = write(d, name, content.as_bytes());
        let o = run_in(d, &["import", "p", f.to_str().unwrap()]);
        let err = refused(&o);
        assert!(err.contains(needle), "{name}: {err}");
        for line in err.lines() {
            assert!(
                line.chars().count() < 600,
                "{name}: a line of {} chars",
                line.len()
            );
        }
        let mut seen = std::collections::HashSet::new();
        for line in err.lines() {
            assert!(seen.insert(line), "{name}: printed twice: {line}");
        }
        assert_eq!(snapshot(&root), before, "{name}");
    }
    // brat: a relation would bind to the second of two spans with one id.
    write(d, "dup/d.txt", b"Putin met Aliyev.");
    write(
        d,
        "dup/d.ann",
        b"T1\tACTOR 0 5\tPutin\nT1\tACTOR 10 16\tAliyev\nR1\tSAID_BY Arg1:T1 Arg2:T1\n",
    );
    let err = refused(&run_in(d, &["import", "p", "dup"]));
    assert!(err.contains("used twice"), "{err}");
    assert_eq!(snapshot(&root), before);
    // An OS error is printed once.
    let err = refused(&run_in(
        d,
        &["export", "p", "-f", "csv", "-o", "/proc/nope/x.csv"],
    ));
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

#[test]
fn deeply_nested_html_is_refused_quickly_without_crashing() {
    let (dir, root) = project();
    for n in [20_000usize, 50_000] {
        let html = format!(
            "<html><body>{}x{}</body></html>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let f = write(dir.path(), &format!("deep{n}.html"), html.as_bytes());
        let start = std::time::Instant::now();
        let err = refused(&run_in(dir.path(), &["import", "p", f.to_str().unwrap()]));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        assert!(err.contains("nested"), "{err}");
    }
    assert!(storage::load(&root).unwrap().documents.is_empty());
}

/// Temporary files of a killed writer are hidden from git and removed by the next one.
#[test]
fn leftovers_are_ignored_by_git_and_cleaned_on_open() {
    let (dir, root) = project();
    let gi = fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(
        gi.contains(".spanbench-tmp-*") && gi.contains(".spanbench-lock"),
        "{gi}"
    );
    // An older project without .gitignore gets the lines, its own lines kept.
    fs::write(root.join(".gitignore"), "notes/\n").unwrap();
    write(&root, ".spanbench-tmp-stage-old/0", b"half");
    write(&root, "documents/.spanbench-tmp-abc.tmp", b"half");
    let f = write(dir.path(), "d.txt", b"Text.\n");
    ok(&run_in(dir.path(), &["import", "p", f.to_str().unwrap()]));
    let gi = fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(
        gi.starts_with("notes/\n") && gi.contains(".spanbench-tmp-*"),
        "{gi}"
    );
    assert!(!root.join(".spanbench-tmp-stage-old").exists());
    assert!(!root.join("documents/.spanbench-tmp-abc.tmp").exists());
}
