//! `spanbench import --model` and `spanbench suggest` through the real binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spanbench"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            fs::copy(e.path(), t).unwrap();
        }
    }
}

fn sample(dir: &Path) -> PathBuf {
    let p = dir.join("karabakh");
    copy_dir(Path::new("projects/karabakh"), &p);
    p
}

/// Every file of the project and its bytes, to show nothing was written.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".spanbench") || name == ".gitignore" {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// tomas's layer as spans-jsonl predictions, each span scored.
fn predictions(root: &Path, dir: &Path) -> Vec<Value> {
    let out = dir.join("tomas.jsonl");
    let o = run(&[
        "export",
        root.to_str().unwrap(),
        "-f",
        "spans-jsonl",
        "--annotator",
        "tomas",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| {
            let mut r: Value = serde_json::from_str(l).unwrap();
            r["relations"] = json!([]);
            r["meta"].as_object_mut().unwrap().remove("annotator");
            for (i, s) in r["spans"].as_array_mut().unwrap().iter_mut().enumerate() {
                let o = s.as_object_mut().unwrap();
                o.remove("origin");
                o.remove("review");
                o.insert("score".into(), json!((i % 10) as f64 / 10.0));
            }
            r
        })
        .collect()
}

fn write_lines(path: &Path, records: &[Value]) {
    let mut s = String::new();
    for r in records {
        s.push_str(&r.to_string());
        s.push('\n');
    }
    fs::write(path, s).unwrap();
}

#[test]
fn import_model_keeps_scores_and_marks_the_layer() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let recs = predictions(&root, dir.path());
    let file = dir.path().join("pred.jsonl");
    write_lines(&file, &recs);
    let o = run(&[
        "import",
        root.to_str().unwrap(),
        file.to_str().unwrap(),
        "--model",
        "ner-v1",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains("model layer ner-v1: 2 document(s)"),
        "{stdout}"
    );
    let corpus = spanbench::storage::load(&root).unwrap();
    assert_eq!(
        corpus.project.layer_kind("ner-v1"),
        spanbench::model::LayerKind::Model
    );
    let spans: Vec<_> = corpus.annotations["ner-v1"]
        .values()
        .flat_map(|s| &s.spans)
        .collect();
    assert_eq!(spans.len(), 99);
    assert!(
        spans
            .iter()
            .all(|s| s.origin == spanbench::model::Origin::Suggested)
    );
    assert!(
        spans
            .iter()
            .any(|s| s.score.is_some_and(|c| c.value() == 0.9))
    );
    // A model layer is never taken for a person's: agreement leaves it out.
    let o = run(&["agreement", root.to_str().unwrap(), "--json", "--no-gamma"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["annotators"], json!(["mariam", "tomas"]));
    // Old files keep their bytes: people's sets have no score field.
    let gold = fs::read_to_string(root.join("annotations/gold/000_bcae97faca071bd7.ron")).unwrap();
    assert!(!gold.contains("score"));
}

#[test]
fn import_model_from_conll_doccano_and_label_studio() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let r = root.to_str().unwrap();
    for (format, name) in [
        ("conll", "m-conll"),
        ("doccano", "m-doccano"),
        ("label-studio", "m-ls"),
    ] {
        let out = dir.path().join(format!("gold.{format}"));
        let o = run(&[
            "export",
            r,
            "-f",
            format,
            "--gold",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = run(&[
            "import",
            r,
            out.to_str().unwrap(),
            "--model",
            name,
            "-f",
            format,
        ]);
        assert!(
            o.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // Scored against gold, a model layer made of gold's spans matches it exactly
        // wherever the format could hold them.
        let o = run(&["eval", r, "--gold", "gold", "--pred", name, "--json"]);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let strict = &v["overall"]["strict"];
        assert_eq!(strict["incorrect"], json!(0), "{format}: {strict}");
        assert_eq!(strict["spurious"], json!(0), "{format}: {strict}");
        assert!(
            strict["correct"].as_u64().unwrap() > 50,
            "{format}: {strict}"
        );
    }
}

/// A change made to the predictions, to make them bad.
type Spoil = Box<dyn Fn(&mut Vec<Value>)>;

/// Each bad input is refused with a line that names it, and nothing is written.
#[test]
fn import_model_refuses_bad_input_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let recs = predictions(&root, dir.path());
    let before = snapshot(&root);
    let r = root.to_str().unwrap();
    let cases: Vec<(&str, Spoil, &str, &str)> = vec![
        (
            "text differs",
            Box::new(|v: &mut Vec<Value>| {
                let t = v[0]["text"].as_str().unwrap().replacen("Putin", "Putín", 1);
                v[0]["text"] = json!(t);
            }),
            "ner",
            "the text differs from the project's document",
        ),
        (
            "label not in the schema",
            Box::new(|v: &mut Vec<Value>| v[1]["spans"][2]["label"] = json!("PERSON")),
            "ner",
            "label \"PERSON\" is not in the project's schema",
        ),
        (
            "score above 1",
            Box::new(|v: &mut Vec<Value>| v[0]["spans"][3]["score"] = json!(1.5)),
            "ner",
            "score 1.5 is outside 0..1",
        ),
        (
            "score below 0",
            Box::new(|v: &mut Vec<Value>| v[0]["spans"][3]["score"] = json!(-0.25)),
            "ner",
            "score -0.25 is outside 0..1",
        ),
        (
            "score not a number",
            Box::new(|v: &mut Vec<Value>| v[0]["spans"][4]["score"] = json!("high")),
            "ner",
            "score \"high\" is not a number",
        ),
        (
            "a person's layer",
            Box::new(|_: &mut Vec<Value>| {}),
            "mariam",
            "\"mariam\" is a person's layer; choose another name",
        ),
        (
            "the gold layer",
            Box::new(|_: &mut Vec<Value>| {}),
            "gold",
            "is the gold layer",
        ),
        (
            "unknown document",
            Box::new(|v: &mut Vec<Value>| {
                v[0]["id"] = json!("elsewhere");
                v[0]["text"] = json!("Some other article entirely.");
                v[0]["spans"] = json!([]);
            }),
            "ner",
            "no document of the project has this text",
        ),
    ];
    for (what, change, model, expect) in cases {
        let mut v = recs.clone();
        change(&mut v);
        let file = dir.path().join("bad.jsonl");
        write_lines(&file, &v);
        let o = run(&["import", r, file.to_str().unwrap(), "--model", model]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{what}: accepted");
        assert!(err.contains(expect), "{what}: {err}");
        assert!(err.contains("nothing was imported"), "{what}: {err}");
        // One line per problem, each starting with "error:".
        assert!(
            err.lines().all(|l| l.starts_with("error: ")),
            "{what}: {err}"
        );
        assert_eq!(snapshot(&root), before, "{what}: something was written");
    }
    // Several problems at once: each gets its line.
    let mut v = recs.clone();
    v[0]["spans"][0]["score"] = json!(2);
    v[1]["spans"][0]["label"] = json!("NOPE");
    let file = dir.path().join("bad2.jsonl");
    write_lines(&file, &v);
    let o = run(&["import", r, file.to_str().unwrap(), "--model", "ner"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("score 2 is outside") && err.contains("\"NOPE\""),
        "{err}"
    );
    assert!(
        err.contains("2 problem(s) found; nothing was imported"),
        "{err}"
    );
}

#[test]
fn suggest_proposes_on_an_untouched_document_and_says_when_it_needs_more() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let r = root.to_str().unwrap();
    let article = dir.path().join("talks.txt");
    fs::write(
        &article,
        "Armenian Prime Minister Nikol Pashinyan met Ilham Aliyev in Brussels. The Kremlin said Russia and Azerbaijan would talk about Nagorno-Karabakh. Putin called Pashinyan.\n",
    )
    .unwrap();
    assert!(
        run(&["import", r, article.to_str().unwrap()])
            .status
            .success()
    );
    for (rec, layer) in [("string", "string-matcher"), ("crf", "crf")] {
        let o = run(&["suggest", r, "--recommender", rec, "--from", "gold"]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{rec}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            out.contains("learnt from 2 done document(s) of gold"),
            "{out}"
        );
        assert!(
            out.contains("not evaluated: a held-out fifth needs 5 done documents"),
            "{out}"
        );
        let corpus = spanbench::storage::load(&root).unwrap();
        assert_eq!(
            corpus.project.layer_kind(layer),
            spanbench::model::LayerKind::Model
        );
        let new = corpus
            .set(layer, "talks")
            .expect("nothing proposed on the new article");
        let texts: Vec<&str> = new.spans.iter().map(|s| s.text.as_str()).collect();
        assert!(texts.contains(&"Pashinyan"), "{rec}: {texts:?}");
        assert!(
            new.spans
                .iter()
                .all(|s| s.score.is_some_and(|c| c.is_valid()))
        );
    }
    // tomas has one done document: the CRF needs one more and proposes nothing.
    let before = snapshot(&root);
    let o = run(&["suggest", r, "--recommender", "crf", "--from", "tomas"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("needs 1 more done document(s) of \"tomas\""),
        "{err}"
    );
    assert_eq!(snapshot(&root), before);
    // A model layer is not something to learn from.
    let o = run(&["suggest", r, "--recommender", "string", "--from", "crf"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("is a model's layer"));
}
