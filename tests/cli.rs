//! The real `spanbench` binary, run as a user would run it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_spanbench");

fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .output()
        .expect("run spanbench")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
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

/// A refusal: a non-zero exit that is not a panic, and exactly one line on stderr, an
/// `error:` line. Returns that line.
fn assert_one_error_line(o: &Output) -> String {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure; stderr: {err}");
    assert_ne!(o.status.code(), Some(101), "panic exit code; stderr: {err}");
    assert!(
        o.status.code().is_some(),
        "killed by a signal; stderr: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

/// Every file under `root`, relative path to bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), Vec::new());
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                // The writer lock and the ignore list are the project's housekeeping:
                // taking the lock to try an import is not a change to the work.
                if rel == Path::new(spanbench::storage::LOCK_FILE) || rel == Path::new(".gitignore")
                {
                    continue;
                }
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A temp folder holding a fresh project `p`.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    assert_success(&run_in(dir.path(), &["new", "p"]));
    let root = dir.path().join("p");
    (dir, root)
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

/// Imports text files into `root` through the CLI.
fn import(dir: &Path, root: &Path, files: &[(&str, &str)]) {
    let mut args = vec!["import".to_string(), root.display().to_string()];
    for (name, text) in files {
        let p = write_file(dir, name, text.as_bytes());
        args.push(p.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_success(&run_in(dir, &args));
}

/// A RON string literal: Rust's escaping is what RON reads.
fn ron_str(s: &str) -> String {
    format!("{s:?}")
}

/// Scalar range of the first `needle` in `text`.
fn find(text: &str, needle: &str) -> (usize, usize) {
    let b = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"));
    let start = text[..b].chars().count();
    (start, start + needle.chars().count())
}

/// Writes `annotations/<annotator>/<doc>.ron` by hand, in the documented format.
/// `spans` are (id, needle in the text, label); `relations` are (id, type, from, to).
fn write_set(
    root: &Path,
    annotator: &str,
    doc: &str,
    status: Option<&str>,
    spans: &[(u32, &str, &str)],
    relations: &[(u32, &str, u32, u32)],
) {
    let text = stored_text(root, doc);
    let mut s = format!(
        "(\n    format_version: 1,\n    document: {},\n    annotator: {},\n",
        ron_str(doc),
        ron_str(annotator)
    );
    if let Some(st) = status {
        s += &format!("    status: {st},\n");
    }
    s += "    spans: [\n";
    for (id, needle, label) in spans {
        let (start, end) = find(&text, needle);
        s += &format!(
            "        (id: {id}, start: {start}, end: {end}, label: {}, text: {}),\n",
            ron_str(label),
            ron_str(needle)
        );
    }
    s += "    ],\n    relations: [\n";
    for (id, kind, from, to) in relations {
        s += &format!(
            "        (id: {id}, type: {}, from: {from}, to: {to}),\n",
            ron_str(kind)
        );
    }
    s += "    ],\n)\n";
    let dir = root.join("annotations").join(annotator);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(format!("{doc}.ron")), s).unwrap();
}

/// The stored text of a document, read through the library.
fn stored_text(root: &Path, doc: &str) -> String {
    let corpus = spanbench::storage::read(root).unwrap();
    corpus.document(doc).unwrap().text.clone()
}

#[test]
fn new_creates_a_loadable_project() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["new", "karabakh 2", "--name", "Карабах"]);
    assert_success(&o);
    assert!(stdout(&o).contains("created project"), "{}", stdout(&o));
    let corpus = spanbench::storage::load(&dir.path().join("karabakh 2")).unwrap();
    assert_eq!(corpus.project.name, "Карабах");
    assert!(corpus.documents.is_empty());
    let keys: Vec<&str> = corpus
        .project
        .labels
        .iter()
        .map(|l| l.key.as_str())
        .collect();
    assert_eq!(keys, ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"]);

    // Without --name the folder name is the project name.
    assert_success(&run_in(dir.path(), &["new", "plain"]));
    let corpus = spanbench::storage::load(&dir.path().join("plain")).unwrap();
    assert_eq!(corpus.project.name, "plain");

    // An existing empty folder is fine.
    fs::create_dir(dir.path().join("empty")).unwrap();
    assert_success(&run_in(dir.path(), &["new", "empty"]));
    assert!(dir.path().join("empty/project.ron").is_file());
}

#[test]
fn new_refuses_a_non_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mine");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("thesis.txt"), "do not touch").unwrap();
    let before = snapshot(&target);
    let line = assert_one_error_line(&run_in(dir.path(), &["new", "mine"]));
    assert!(
        line.contains("mine") && line.contains("not empty"),
        "{line}"
    );
    assert_eq!(snapshot(&target), before);

    // Nor over an existing project.
    let (dir, root) = project();
    let before = snapshot(&root);
    assert_one_error_line(&run_in(dir.path(), &["new", "p"]));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn import_good_files() {
    let (dir, root) = project();
    let a = write_file(
        dir.path(),
        "baku.txt",
        "\u{feff}Baku, 10 Nov.\r\nԵրևան 👍🏽 «Карабах»\r\n".as_bytes(),
    );
    let b = write_file(dir.path(), "second.txt", "ქართული\ttext\n".as_bytes());
    let o = run_in(
        dir.path(),
        &["import", "p", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert_success(&o);
    let out = stdout(&o);
    assert!(
        out.contains("imported baku") && out.contains("imported second"),
        "{out}"
    );

    let corpus = spanbench::storage::load(&root).unwrap();
    let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["baku", "second"]);
    let baku = corpus.document("baku").unwrap();
    assert_eq!(baku.text, "Baku, 10 Nov.\nԵրևան 👍🏽 «Карабах»\n");
    assert_eq!(baku.title, "Baku, 10 Nov.");
    assert!(baku.import.bom_stripped);
    assert_eq!(baku.import.crlf_converted, 2);
    assert_eq!(baku.import.source_file.as_deref(), Some("baku.txt"));
    assert_eq!(corpus.document("second").unwrap().text, "ქართული\ttext\n");

    // Importing the same file again makes a second document, not a clash.
    assert_success(&run_in(dir.path(), &["import", "p", a.to_str().unwrap()]));
    let corpus = spanbench::storage::load(&root).unwrap();
    assert!(corpus.document("baku_2").is_some());
    assert_success(&run_in(dir.path(), &["validate", "p"]));
}

#[test]
fn import_refuses_each_bad_input_and_changes_nothing() {
    let (dir, root) = project();
    import(dir.path(), &root, &[("kept.txt", "Already here.\n")]);
    let huge = dir.path().join("huge.txt");
    fs::File::create(&huge)
        .unwrap()
        .set_len(spanbench::import::MAX_DOCUMENT_BYTES + 1)
        .unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            write_file(dir.path(), "latin1.txt", b"Caf\xe9 cr\xe8me\n"),
            "UTF-8",
        ),
        (
            write_file(
                dir.path(),
                "image.txt",
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            ),
            "binary",
        ),
        (write_file(dir.path(), "empty.txt", b""), "empty"),
        (
            write_file(dir.path(), "blank.txt", b"  \r\n\t\n"),
            "whitespace",
        ),
        (huge, "MiB"),
        (dir.path().join("missing.txt"), "missing.txt"),
    ];
    let before = snapshot(&root);
    for (file, needle) in &cases {
        let o = run_in(dir.path(), &["import", "p", file.to_str().unwrap()]);
        let line = assert_one_error_line(&o);
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(line.contains(name), "{line}");
        assert!(line.contains(needle), "{line}");
        assert_eq!(snapshot(&root), before, "after importing {name}");
    }
    assert_success(&run_in(dir.path(), &["validate", "p"]));
}

#[test]
fn validate_ok() {
    let (dir, root) = project();
    import(dir.path(), &root, &[("a.txt", "Baku and Yerevan.\n")]);
    write_set(
        &root,
        "gold",
        "a",
        None,
        &[(1, "Baku", "PLACE"), (2, "Baku and Yerevan", "ACTOR")],
        &[],
    );
    let before = snapshot(&root);
    let o = run_in(dir.path(), &["validate", "p"]);
    assert_success(&o);
    assert_eq!(
        stdout(&o).trim(),
        "ok: 1 document(s), 2 span(s), no problems"
    );
    assert_eq!(snapshot(&root), before, "validate must not write");
}

#[test]
fn validate_lists_one_line_per_problem() {
    let (dir, root) = project();
    import(
        dir.path(),
        &root,
        &[("a.txt", "Baku and Yerevan, «Լաչին».\n")],
    );
    write_set(
        &root,
        "gold",
        "a",
        None,
        &[
            (1, "Baku", "PLACE"),
            (2, "Yerevan", "PLACE"),
            (3, "«Լաչին»", "PLACE"),
        ],
        &[],
    );
    let set = root.join("annotations/gold/a.ron");
    let s = fs::read_to_string(&set).unwrap();
    let s = s
        .replace("text: \"Yerevan\"", "text: \"Erevan\"")
        .replace("text: \"«Լաչին»\"", "text: \"Lachin\"");
    fs::write(&set, &s).unwrap();

    let o = run_in(dir.path(), &["validate", "p"]);
    assert!(!o.status.success());
    assert!(!stderr(&o).contains("panicked"));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("annotations/gold/a.ron: span 2 "),
        "{out}"
    );
    assert!(
        lines[0].contains("Erevan") && lines[0].contains("Yerevan"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("annotations/gold/a.ron: span 3 "),
        "{out}"
    );
    assert!(lines[1].contains("«Լաչին»"), "{out}");
    assert!(stderr(&o).contains("2 problem(s)"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&set).unwrap(), s);

    // Commands that need a valid project refuse it with one line.
    let before = snapshot(&root);
    let line = assert_one_error_line(&run_in(dir.path(), &["stats", "p"]));
    assert!(
        line.contains("2 problem(s)") && line.contains("span 2"),
        "{line}"
    );
    let out_file = dir.path().join("out.jsonl");
    assert_one_error_line(&run_in(
        dir.path(),
        &[
            "export",
            "p",
            "-f",
            "spans-jsonl",
            "-o",
            out_file.to_str().unwrap(),
        ],
    ));
    assert!(!out_file.exists());
    assert_eq!(snapshot(&root), before);
}

#[test]
fn malformed_ron_gives_file_line_and_column() {
    let (dir, root) = project();
    import(dir.path(), &root, &[("a.txt", "Baku.\n")]);
    write_set(&root, "gold", "a", None, &[(1, "Baku", "PLACE")], &[]);
    let set = root.join("annotations/gold/a.ron");
    let s = fs::read_to_string(&set).unwrap();
    // Line 4 is `    annotator: "gold",`.
    let broken = s.replacen("annotator: \"gold\"", "annotator: gold\"", 1);
    assert_ne!(broken, s);
    fs::write(&set, &broken).unwrap();
    let before = snapshot(&root);
    for cmd in ["validate", "stats"] {
        let line = assert_one_error_line(&run_in(dir.path(), &[cmd, "p"]));
        let at = format!("{}:4:", Path::new("p/annotations/gold/a.ron").display());
        assert!(line.contains(&at), "{cmd}: {line}");
        // line:col, then the message.
        let rest = &line[line.find(&at).unwrap() + at.len()..];
        let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
        assert!(
            !col.is_empty() && rest[col.len()..].starts_with(": "),
            "{line}"
        );
        assert_eq!(fs::read_to_string(&set).unwrap(), broken);
    }
    assert_eq!(snapshot(&root), before);
}

#[test]
fn stats_json_counts_exactly() {
    let (dir, root) = project();
    import(
        dir.path(),
        &root,
        &[
            ("a.txt", "Baku said Yerevan agreed on 10 November.\n"),
            ("b.txt", "Հայաստան and Ադրբեջան 👍🏽 signed.\n"),
            ("c.txt", "Nothing here.\n"),
        ],
    );
    write_set(
        &root,
        "gold",
        "a",
        Some("Done"),
        &[
            (1, "Baku", "ACTOR"),
            (2, "Yerevan", "ACTOR"),
            (3, "10 November", "DATE"),
            (4, "Yerevan agreed on 10 November", "CLAIM"),
        ],
        &[(1, "SAID_BY", 4, 2), (2, "ON_DATE", 4, 3)],
    );
    write_set(
        &root,
        "gold",
        "b",
        Some("InProgress"),
        &[(1, "Հայաստան", "PLACE"), (2, "Ադրբեջան", "PLACE")],
        &[],
    );
    write_set(
        &root,
        "ani",
        "a",
        Some("Reviewed"),
        &[(7, "Baku", "ACTOR")],
        &[],
    );
    write_set(&root, "ani", "b", None, &[], &[]);

    let o = run_in(dir.path(), &["stats", "p", "--json"]);
    assert_success(&o);
    let got: Value = serde_json::from_str(&stdout(&o)).expect("stats --json prints JSON");
    let expected = json!({
        "documents": 3,
        "spans": 7,
        "relations": 2,
        "spans_per_label": {
            "ACTOR": 3, "DATE": 1, "PLACE": 2, "CLAIM": 1, "AGREEMENT_TERM": 0
        },
        "spans_per_annotator": { "gold": 6, "ani": 1 },
        "documents_per_status": {
            "gold": { "new": 1, "in progress": 1, "done": 1, "reviewed": 0 },
            "ani": { "new": 2, "in progress": 0, "done": 0, "reviewed": 1 }
        }
    });
    assert_eq!(got, expected);

    // The table form agrees.
    let o = run_in(dir.path(), &["stats", "p"]);
    assert_success(&o);
    let table = stdout(&o);
    let row = |name: &str| -> Vec<String> {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} row in {table}"))
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    assert_eq!(row("documents"), ["documents", "3"]);
    assert_eq!(row("spans"), ["spans", "7"]);
    assert_eq!(row("ACTOR"), ["ACTOR", "3"]);
}

#[test]
fn export_spans_jsonl_uses_scalar_offsets() {
    let (dir, root) = project();
    let raw = "\u{feff}Ереван 👨‍👩‍👧 Հայաստան\r\n«Карабах» e\u{301}\r\n\r\nქართული 👍🏽 \"#\\ end.\r\n";
    let src = write_file(dir.path(), "mixed.txt", raw.as_bytes());
    assert_success(&run_in(dir.path(), &["import", "p", src.to_str().unwrap()]));
    let text = stored_text(&root, "mixed");
    assert_eq!(
        text,
        raw.trim_start_matches('\u{feff}').replace("\r\n", "\n")
    );
    let spans: &[(u32, &str, &str)] = &[
        (1, "Հայաստան", "PLACE"),
        (2, "«Карабах»", "PLACE"),
        (3, "e\u{301}", "CLAIM"),
        (4, "👍🏽", "CLAIM"),
        (5, "ქართული 👍🏽", "PLACE"),
        (6, "Ереван 👨‍👩‍👧 Հայաստան\n«Карабах»", "AGREEMENT_TERM"),
        (7, "👨‍👩‍👧", "ACTOR"),
        (8, "\"#\\ end", "CLAIM"),
    ];
    write_set(
        &root,
        "gold",
        "mixed",
        Some("Done"),
        spans,
        &[(1, "LOCATED_IN", 7, 1)],
    );
    assert_success(&run_in(dir.path(), &["validate", "p"]));

    let out = dir.path().join("out.jsonl");
    let o = run_in(
        dir.path(),
        &[
            "export",
            "p",
            "--format",
            "spans-jsonl",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_success(&o);
    let body = fs::read_to_string(&out).unwrap();
    let records: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(records.len(), 1, "{body}");
    let r = &records[0];
    assert_eq!(r["id"], "mixed");
    assert_eq!(r["text"], text.as_str());
    let rtext = r["text"].as_str().unwrap();
    let chars: Vec<char> = rtext.chars().collect();
    let got = r["spans"].as_array().unwrap();
    assert_eq!(got.len(), spans.len());
    for (id, needle, label) in spans {
        let s = got
            .iter()
            .find(|s| s["id"] == *id)
            .unwrap_or_else(|| panic!("span {id} missing"));
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!((start, end), find(&text, needle), "span {id}");
        let slice: String = chars[start..end].iter().collect();
        assert_eq!(slice, *needle, "span {id}");
        assert_eq!(s["text"], *needle);
        assert_eq!(s["label"], *label);
    }
    let rel = &r["relations"][0];
    assert_eq!(rel["label"], "LOCATED_IN");
    assert_eq!(
        (rel["from"].clone(), rel["to"].clone()),
        (json!(7), json!(1))
    );

    // The same bytes go to standard output with `-o -`.
    let o = run_in(dir.path(), &["export", "p", "-f", "spans-jsonl", "-o", "-"]);
    assert_success(&o);
    assert_eq!(stdout(&o), body);
}

/// The subcommand names the top-level help lists.
fn subcommands() -> Vec<String> {
    let o = run_in(Path::new("."), &["--help"]);
    assert_success(&o);
    let help = stdout(&o);
    let mut lines = help.lines().skip_while(|l| !l.starts_with("Commands:"));
    lines.next();
    lines
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

#[test]
fn help_works_for_every_subcommand() {
    let cmds = subcommands();
    for expected in ["open", "new", "import", "validate", "stats", "export"] {
        assert!(
            cmds.iter().any(|c| c == expected),
            "{expected} not in {cmds:?}"
        );
    }
    for cmd in &cmds {
        for args in [vec![cmd.as_str(), "--help"], vec!["help", cmd.as_str()]] {
            let o = run_in(Path::new("."), &args);
            assert_success(&o);
            let out = stdout(&o);
            assert!(
                out.contains("Usage:") && out.contains(&format!("spanbench {cmd}")),
                "{args:?}: {out}"
            );
            assert!(stderr(&o).is_empty(), "{args:?}: {}", stderr(&o));
        }
    }
    let o = run_in(Path::new("."), &["--version"]);
    assert_success(&o);
    assert!(stdout(&o).starts_with("spanbench "), "{}", stdout(&o));
}

#[test]
fn nonexistent_project_gives_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let txt = write_file(dir.path(), "a.txt", b"text");
    let out = dir.path().join("out.jsonl");
    let cases: Vec<Vec<&str>> = vec![
        vec!["validate", "nowhere"],
        vec!["stats", "nowhere"],
        vec!["stats", "nowhere", "--json"],
        vec!["import", "nowhere", txt.to_str().unwrap()],
        vec![
            "export",
            "nowhere",
            "-f",
            "spans-jsonl",
            "-o",
            out.to_str().unwrap(),
        ],
    ];
    for args in &cases {
        let line = assert_one_error_line(&run_in(dir.path(), args));
        assert!(
            line.contains("nowhere") && line.contains("not a spanbench project"),
            "{line}"
        );
    }
    // A folder that exists but is no project.
    let line = assert_one_error_line(&run_in(
        Path::new("/"),
        &["validate", dir.path().to_str().unwrap()],
    ));
    assert!(line.contains("not a spanbench project"), "{line}");
    assert!(!dir.path().join("nowhere").exists());
    assert!(!out.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn validate_reports_identical_spans_and_relations_the_schema_does_not_allow() {
    let (dir, root) = project();
    import(
        dir.path(),
        &root,
        &[("a.txt", "Putin said the deal holds.\n")],
    );
    write_set(
        &root,
        "gold",
        "a",
        None,
        &[
            (1, "Putin", "ACTOR"),
            (2, "Putin", "ACTOR"),
            (3, "Putin said the deal holds", "CLAIM"),
        ],
        // SAID_BY goes CLAIM -> ACTOR; 2 is the other way round.
        &[(1, "SAID_BY", 3, 1), (2, "SAID_BY", 1, 3)],
    );
    let o = run_in(dir.path(), &["validate", "p"]);
    assert!(!o.status.success());
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("annotations/gold/a.ron: span 2: same start, end and label as span 1"),
        "{out}"
    );
    assert!(
        lines[1].starts_with(
            "annotations/gold/a.ron: relation 2: SAID_BY goes CLAIM -> ACTOR, not ACTOR -> CLAIM"
        ),
        "{out}"
    );
}

#[test]
fn import_refuses_identical_spans_with_a_clear_message() {
    let (dir, root) = project();
    let before = snapshot(&root);
    let f = write_file(
        dir.path(),
        "dup.jsonl",
        "{\"text\": \"Putin met Aliyev.\", \"label\": [[0, 5, \"ACTOR\"], [10, 16, \"ACTOR\"], [0, 5, \"ACTOR\"]]}\n"
            .as_bytes(),
    );
    let o = run_in(
        dir.path(),
        &[
            "import",
            "p",
            &f.display().to_string(),
            "--format",
            "doccano",
        ],
    );
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("same start, end and label as span"),
        "the refusal must say what is wrong: {err}"
    );
    assert_eq!(snapshot(&root), before, "a refused import changes nothing");
}

/// A Label Studio task with a text of `chars` ASCII characters and one ACTOR span at
/// its start.
fn big_task(id: usize, chars: usize) -> String {
    let mut text = "Putin ".repeat(chars / 6);
    text.push('.');
    json!({
        "id": id,
        "data": {"text": text},
        "annotations": [{"id": id, "completed_by": 1, "result": [{
            "value": {"start": 0, "end": 5, "text": "Putin", "labels": ["ACTOR"]},
            "id": format!("r{id}"), "from_name": "label", "to_name": "text", "type": "labels"
        }]}]
    })
    .to_string()
}

/// The document limit is for one document's text, not for the file: an export larger
/// than it imports as one file, while a task whose own text is over the limit is
/// refused with its place and nothing is imported.
#[test]
fn an_export_larger_than_the_document_limit_imports_as_one_file() {
    let (dir, root) = project();
    let limit = spanbench::import::MAX_DOCUMENT_BYTES as usize;
    let tasks: Vec<String> = (1..=3).map(|i| big_task(i, limit / 3 + 1000)).collect();
    let file = write_file(
        dir.path(),
        "export.json",
        format!("[{}]", tasks.join(",\n")).as_bytes(),
    );
    assert!(fs::metadata(&file).unwrap().len() > limit as u64);

    let too_big = write_file(
        dir.path(),
        "too_big.json",
        format!("[{},\n{}]", big_task(1, 100), big_task(2, limit + 10)).as_bytes(),
    );
    let before = snapshot(&root);
    let o = run_in(dir.path(), &["import", "p", too_big.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("too_big.json:2:") && err.contains("task 2") && err.contains("MiB"),
        "{err}"
    );
    assert_eq!(snapshot(&root), before);

    let o = run_in(dir.path(), &["import", "p", file.to_str().unwrap()]);
    assert_success(&o);
    assert!(
        stdout(&o).contains("3 document(s), 3 annotation set(s), 3 span(s)"),
        "{}",
        stdout(&o)
    );
    assert_success(&run_in(dir.path(), &["validate", "p"]));
    let docs = fs::read_dir(root.join("documents")).unwrap().count();
    assert_eq!(docs, 3);
}
