//! Training exports through the real binary: the sample project's gold entities in
//! CoNLL with a label subset and each nesting mode, hf-tokens columns, the spaCy
//! DocBin, and options refused with one line.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_spanbench");

/// A copy of the sample: `export` keeps its index cache inside the project, and the
/// source tree's sample is embedded in the binary.
fn sample() -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/karabakh");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("karabakh");
    std::fs::create_dir(&root).unwrap();
    spanbench::storage::save_all(&root, &spanbench::storage::read(&src).unwrap()).unwrap();
    (dir, root)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run spanbench")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn export(out: &Path, format: &str, extra: &[&str]) -> String {
    let (_copy, sample) = sample();
    let mut args = vec![
        "export",
        sample.to_str().unwrap(),
        "--gold",
        "--format",
        format,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    stderr(&o)
}

type Entity = (String, usize, usize, String);

/// The gold spans of the sample as (document, start, end, label), with their texts.
fn gold_spans(dir: &Path) -> (Vec<(String, String)>, BTreeSet<Entity>) {
    let path = dir.join("gold.jsonl");
    export(&path, "spans-jsonl", &[]);
    let mut texts = Vec::new();
    let mut spans = BTreeSet::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        let id = rec["id"].as_str().unwrap().to_string();
        texts.push((id.clone(), rec["text"].as_str().unwrap().to_string()));
        for s in rec["spans"].as_array().unwrap() {
            spans.insert((
                id.clone(),
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
                s["label"].as_str().unwrap().to_string(),
            ));
        }
    }
    (texts, spans)
}

/// Reads a CoNLL file with any number of IOB2 tag columns back into char spans:
/// each token is found in its document's text after the previous one.
fn conll_entities(path: &Path, texts: &[(String, String)]) -> (BTreeSet<Entity>, usize) {
    let data = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeSet::new();
    let mut columns = 0;
    for (doc, block) in data.split("-DOCSTART- -X- O O\n").skip(1).enumerate() {
        let (id, text) = &texts[doc];
        let chars: Vec<char> = text.chars().collect();
        let mut at = 0;
        let mut open: Vec<Option<(usize, usize, String)>> = Vec::new();
        let mut close = |open: &mut Vec<Option<(usize, usize, String)>>, level: usize| {
            if let Some((s, e, l)) = open[level].take() {
                out.insert((id.clone(), s, e, l));
            }
        };
        for line in block.lines() {
            if line.is_empty() {
                for level in 0..open.len() {
                    close(&mut open, level);
                }
                continue;
            }
            let cols: Vec<&str> = line.split(' ').collect();
            columns = cols.len() - 1;
            open.resize(columns, None);
            let tok: Vec<char> = cols[0].chars().collect();
            while chars[at].is_whitespace() {
                at += 1;
            }
            assert_eq!(
                chars[at..at + tok.len()],
                tok[..],
                "token {:?} of {id}",
                cols[0]
            );
            let (s, e) = (at, at + tok.len());
            at = e;
            for (level, tag) in cols[1..].iter().enumerate() {
                match tag.split_once('-') {
                    Some(("B", l)) => {
                        close(&mut open, level);
                        open[level] = Some((s, e, l.to_string()));
                    }
                    Some(("I", l)) => {
                        let o = open[level].as_mut().expect("I- continues a span");
                        assert_eq!(o.2, l);
                        o.1 = e;
                    }
                    _ => close(&mut open, level),
                }
            }
        }
        for level in 0..open.len() {
            close(&mut open, level);
        }
    }
    (out, columns)
}

/// How many spans an export kept, from its report line.
fn kept(report: &str) -> usize {
    let first = report.lines().next().unwrap();
    let n = first.split(" record(s), ").nth(1).unwrap();
    n.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn conll_columns_keep_every_gold_entity_of_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (texts, gold) = gold_spans(dir.path());
    assert_eq!(gold.len(), 108);
    let out = dir.path().join("ner.conll");
    let report = export(
        &out,
        "conll",
        &["--labels", "ACTOR,PLACE,DATE", "--nested", "columns"],
    );
    let want: BTreeSet<Entity> = gold
        .iter()
        .filter(|s| ["ACTOR", "PLACE", "DATE"].contains(&s.3.as_str()))
        .cloned()
        .collect();
    assert_eq!(want.len(), 90);
    let (got, columns) = conll_entities(&out, &texts);
    assert_eq!(columns, 2);
    assert_eq!(got, want);
    assert_eq!(kept(&report), 90);
    assert!(!report.contains(": dropped: "), "{report}");
}

#[test]
fn each_nesting_mode_on_every_gold_label_of_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (texts, gold) = gold_spans(dir.path());
    let mut seen = Vec::new();
    for mode in ["outer", "inner", "columns"] {
        let out = dir.path().join(format!("{mode}.conll"));
        let report = export(&out, "conll", &["--nested", mode]);
        let (got, columns) = conll_entities(&out, &texts);
        assert!(
            got.is_subset(&gold),
            "{mode}: a tag sequence that is not a gold span"
        );
        let dropped = report.lines().filter(|l| l.contains(": dropped: ")).count();
        assert_eq!(got.len() + dropped, gold.len(), "{mode}: {report}");
        assert_eq!(kept(&report), got.len());
        seen.push((mode, got.len(), columns));
        if mode == "columns" {
            assert_eq!(got, gold);
        } else {
            assert!(report.contains("--nested columns keeps both"), "{report}");
        }
    }
    // The outermost spans are CLAIMs and AGREEMENT_TERMs with entities inside them.
    assert_eq!(
        seen,
        [("outer", 70, 1), ("inner", 92, 1), ("columns", 108, 2)]
    );
}

#[test]
fn hf_tokens_columns_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ner.jsonl");
    export(
        &out,
        "hf-tokens",
        &[
            "--labels",
            "DATE,ACTOR",
            "--nested",
            "columns",
            "--scheme",
            "bioes",
        ],
    );
    let names: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("ner.labels.json")).unwrap())
            .unwrap();
    // Schema order, not the order given.
    assert_eq!(
        names,
        [
            "O", "B-ACTOR", "I-ACTOR", "E-ACTOR", "S-ACTOR", "B-DATE", "I-DATE", "E-DATE", "S-DATE"
        ]
    );
    let mut entities = 0;
    for line in std::fs::read_to_string(&out).unwrap().lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        let n = row["tokens"].as_array().unwrap().len();
        for field in ["ner_tags", "ner_tags_2"] {
            let tags = row[field].as_array().unwrap();
            assert_eq!(tags.len(), n);
            entities += tags
                .iter()
                .filter(|t| names[t.as_u64().unwrap() as usize].starts_with(['B', 'S']))
                .count();
        }
        assert!(row.get("ner_tags_3").is_none());
    }
    // 56 ACTOR and 14 DATE spans in the gold layer, none nested in another of them.
    assert_eq!(entities, 70);
}

#[test]
fn spacy_docbin_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("train.spacy");
    let report = export(&out, "spacy", &[]);
    assert_eq!(kept(&report), 108);
    assert!(!report.contains(": dropped: "), "{report}");
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(std::fs::File::open(&out).unwrap())
        .read_to_end(&mut raw)
        .unwrap();
    let mut r = raw.as_slice();
    let msg = rmpv::decode::read_value(&mut r).unwrap();
    let get = |k: &str| {
        msg.as_map()
            .unwrap()
            .iter()
            .find(|(key, _)| key.as_str() == Some(k))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("version").as_str(), Some("0.1"));
    assert_eq!(get("lengths").as_slice().unwrap().len(), 2 * 4);
    let mut spans = 0;
    for g in get("span_groups").as_array().unwrap() {
        let mut b = g.as_slice().unwrap();
        let groups = rmpv::decode::read_value(&mut b).unwrap();
        let (group, keys) = &groups.as_map().unwrap()[0];
        assert_eq!(keys.as_array().unwrap()[0].as_str(), Some("sc"));
        let mut gb = group.as_slice().unwrap();
        let group = rmpv::decode::read_value(&mut gb).unwrap();
        let (_, list) = group
            .as_map()
            .unwrap()
            .iter()
            .find(|(k, _)| k.as_str() == Some("spans"))
            .unwrap();
        spans += list.as_array().unwrap().len();
    }
    assert_eq!(spans, 108);
}

#[test]
fn export_options_that_do_not_fit_give_one_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_copy, sample) = sample();
    let p = sample.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["-f", "conll", "--labels", "ACTOR,PERSON"],
            "no label \"PERSON\" in the project's schema (its labels: ",
        ),
        (
            &["-f", "csv", "--labels", "ACTOR"],
            "--labels does not apply to csv",
        ),
        (
            &["-f", "brat", "--nested", "inner"],
            "--nested does not apply to brat",
        ),
        (
            &["-f", "spacy", "--nested", "columns"],
            "does not apply to spacy",
        ),
        (&["-f", "conll", "--labels", ","], "--labels names no label"),
    ];
    for (i, (args, want)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let mut all = vec!["export", p, "-o", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = run(&all);
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert_ne!(o.status.code(), Some(101), "{err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(want),
            "{err}"
        );
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
