//! `spanbench merge`, the pre-merge into the gold layer, through the real binary.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use spanbench::curation::{Curation, Team};
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

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn assert_success(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

/// A refusal: non-zero, not a panic, one `error:` line. Returns it.
fn one_error_line(o: &Output) -> String {
    let err = stderr(o);
    assert!(
        !o.status.success(),
        "expected failure; stdout: {}",
        stdout(o)
    );
    assert_ne!(o.status.code(), Some(101), "panic: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().starts_with(".spanbench") {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn sample_copy(dir: &Path) -> PathBuf {
    let root = dir.join("karabakh");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/karabakh"),
        &root,
    );
    root
}

/// The annotation files, relative path to bytes.
fn annotations(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for layer in fs::read_dir(root.join("annotations")).unwrap() {
        let layer = layer.unwrap().path();
        for f in fs::read_dir(&layer).unwrap() {
            let f = f.unwrap().path();
            out.insert(
                f.strip_prefix(root).unwrap().to_path_buf(),
                fs::read(&f).unwrap(),
            );
        }
    }
    out.insert(
        PathBuf::from("project.ron"),
        fs::read(root.join("project.ron")).unwrap(),
    );
    out
}

fn p(root: &Path) -> &str {
    root.to_str().unwrap()
}

#[test]
fn merge_over_the_samples_hand_made_gold_adds_nothing_and_says_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample_copy(dir.path());
    let before = annotations(&root);
    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "unanimous",
    ]);
    assert_success(&o);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "merged mariam, tomas into gold (unanimous): added 0 span(s) in 0 document(s)"
    );
    assert!(
        out.contains("left for a person: 10 disagreement(s) (boundary 1, extra 9)"),
        "{out}"
    );
    assert!(
        out.contains("  000_bcae97faca071bd7     3 (extra 3)"),
        "{out}"
    );
    assert!(
        out.contains("  003_69bebb4d7b4def2e     7 (boundary 1, extra 6)"),
        "{out}"
    );
    assert_eq!(
        annotations(&root),
        before,
        "nothing to add, nothing written"
    );
}

#[test]
fn merge_into_an_empty_gold_layer_adds_what_the_annotators_agree_on_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample_copy(dir.path());
    fs::remove_dir_all(root.join("annotations/gold")).unwrap();
    let corpus = storage::load(&root).unwrap();
    let agreed: usize = corpus
        .documents
        .iter()
        .map(|d| {
            let m = &corpus.set("mariam", &d.id).unwrap().spans;
            let t = &corpus.set("tomas", &d.id).unwrap().spans;
            m.iter()
                .filter(|x| {
                    t.iter()
                        .any(|y| (y.start, y.end, &y.label) == (x.start, x.end, &x.label))
                })
                .count()
        })
        .sum();

    // A dry run writes nothing.
    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "unanimous",
        "--dry-run",
    ]);
    assert_success(&o);
    assert!(
        stdout(&o).starts_with("dry run, nothing written"),
        "{}",
        stdout(&o)
    );
    assert!(!root.join("annotations/gold").exists());

    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "unanimous",
    ]);
    assert_success(&o);
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!(
            "merged mariam, tomas into gold (unanimous): added {agreed} span(s) in 2 document(s)"
        )),
        "{out}"
    );
    assert!(
        out.contains("left for a person: 43 disagreement(s) (boundary 15, extra 18, label 10)"),
        "{out}"
    );
    let corpus = storage::load(&root).unwrap();
    assert_eq!(storage::validate(&corpus), []);
    let gold: usize = corpus.annotations["gold"]
        .values()
        .map(|s| s.spans.len())
        .sum();
    assert_eq!(gold, agreed);
    for set in corpus.annotations["gold"].values() {
        assert_eq!(set.status, spanbench::model::DocStatus::InProgress);
    }
    let cur = Curation::build(&corpus, Team::resolve(&corpus, None, None).unwrap());
    assert_eq!(cur.progress(), (0, 43));

    // Again: nothing more to add, the files stay as they are.
    let before = annotations(&root);
    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "majority",
    ]);
    assert_success(&o);
    assert!(stdout(&o).contains("added 0 span(s)"), "{}", stdout(&o));
    assert_eq!(annotations(&root), before);

    // threshold:1 takes what either annotator has, where gold has nothing yet.
    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "threshold:1",
    ]);
    assert_success(&o);
    let corpus = storage::load(&root).unwrap();
    let more: usize = corpus.annotations["gold"]
        .values()
        .map(|s| s.spans.len())
        .sum();
    assert!(more > agreed, "{more} {agreed}");
    assert_eq!(storage::validate(&corpus), []);
}

#[test]
fn bad_input_gets_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample_copy(dir.path());
    // A model's layer, marked in project.ron, with a set of its own.
    let text = fs::read_to_string(root.join("project.ron")).unwrap();
    fs::write(
        root.join("project.ron"),
        text.replace(
            "    settings: (",
            "    layers: {\n        \"crf\": (kind: Model, source: \"a CRF\"),\n    },\n    settings: (",
        ),
    )
    .unwrap();
    fs::create_dir_all(root.join("annotations/crf")).unwrap();
    let set = fs::read_to_string(root.join("annotations/tomas/000_bcae97faca071bd7.ron")).unwrap();
    fs::write(
        root.join("annotations/crf/000_bcae97faca071bd7.ron"),
        set.replace("annotator: \"tomas\"", "annotator: \"crf\""),
    )
    .unwrap();
    assert_eq!(storage::validate(&storage::load(&root).unwrap()), []);
    let before = annotations(&root);
    let cases: [(&[&str], &str); 9] = [
        (
            &[
                "--into",
                "gold",
                "--strategy",
                "majority",
                "--annotators",
                "mariam,nobody",
            ],
            "no annotator \"nobody\"",
        ),
        (
            &["--into", "gold", "--strategy", "threshold:3"],
            "threshold:3 is out of range: with 2 annotators K must be between 1 and 2",
        ),
        (
            &["--into", "gold", "--strategy", "threshold:0"],
            "out of range",
        ),
        (
            &["--into", "gold", "--strategy", "most"],
            "unknown strategy \"most\"",
        ),
        (
            &["--into", "tomas", "--strategy", "unanimous"],
            "\"tomas\" is a person's layer; merge writes only into the gold layer (\"gold\")",
        ),
        (
            &["--into", "crf", "--strategy", "unanimous"],
            "\"crf\" is a model's layer",
        ),
        (
            &["--into", "gld", "--strategy", "unanimous"],
            "\"gld\" is not a layer of this project",
        ),
        (
            &[
                "--into",
                "gold",
                "--strategy",
                "unanimous",
                "--annotators",
                "mariam,crf",
            ],
            "\"crf\" is a model's layer, not an annotator's layer",
        ),
        (
            &[
                "--into",
                "gold",
                "--strategy",
                "unanimous",
                "--annotators",
                "mariam",
            ],
            "curation compares at least 2 annotators' layers",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["merge", p(&root)];
        all.extend_from_slice(args);
        let line = one_error_line(&run(&all));
        assert!(line.contains(want), "{args:?}: {line}");
        assert!(!line.contains("NaN"));
    }
    assert_eq!(annotations(&root), before);
    // The model's layer is never merged by default.
    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "unanimous",
        "--dry-run",
    ]);
    assert_success(&o);
    assert!(
        stdout(&o).contains("merging mariam, tomas into gold"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn merge_waits_for_another_writer_and_says_who() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample_copy(dir.path());
    fs::remove_dir_all(root.join("annotations/gold")).unwrap();
    // This test process is the other writer.
    let lock = match storage::ProjectLock::try_acquire(&root, "another curator").unwrap() {
        Ok(l) => l,
        Err(h) => panic!("lock busy: {h:?}"),
    };
    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "unanimous",
        "--wait",
        "0",
    ]);
    let line = one_error_line(&o);
    assert!(line.contains("another curator"), "{line}");
    assert!(!root.join("annotations/gold").exists());
    drop(lock);
    let o = run(&[
        "merge",
        p(&root),
        "--into",
        "gold",
        "--strategy",
        "unanimous",
        "--wait",
        "0",
    ]);
    assert_success(&o);
    assert!(root.join("annotations/gold").exists());
}
