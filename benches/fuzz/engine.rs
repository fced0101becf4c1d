//! The fuzzing engine shared by the fuzz binary (`cargo bench --bench fuzz`) and the
//! short run CI makes (`tests/fuzz.rs`). Stable Rust only: a seeded generator mutates
//! every fixture (byte flips, truncation, splices, deep nesting, huge and negative
//! numbers, invalid UTF-8, repeated and dropped lines) and each case runs the real
//! importer (or the project loader, for project files) in this process, on a worker
//! thread with a time limit.
//!
//! A case fails when the importer panics, takes longer than the limit, or accepts input
//! whose spans do not check against their documents. Being refused is the expected
//! outcome for most mutations and counts as a pass.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use spanbench::formats::{self, ImportFormat};
use spanbench::model::{Corpus, Label, Project, RelationType, validate_set};
use spanbench::offsets::OffsetMap;

/// One input: its files (name, bytes) written side by side, and the file to import.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub name: String,
    pub files: Vec<(String, Vec<u8>)>,
    /// Index in `files` of what is imported (or loaded, for a project).
    pub main: usize,
    pub format: Option<ImportFormat>,
    /// A spanbench project folder rather than an import.
    pub project: bool,
    /// Line-based: every record ends with a line break.
    pub lines: bool,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(rel: &str) -> Vec<u8> {
    fs::read(fixtures_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn single(rel: &str, format: ImportFormat, lines: bool) -> Fixture {
    let name = Path::new(rel)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Fixture {
        name: rel.to_string(),
        files: vec![(name, read(rel))],
        main: 0,
        format: Some(format),
        project: false,
        lines,
    }
}

/// Every annotated fixture, the plain ones, and each file of the sample project.
pub fn fixtures() -> Vec<Fixture> {
    let mut out = vec![
        single("spans/prodigy.jsonl", ImportFormat::SpansJsonl, true),
        single(
            "unicode-source/annotations.jsonl",
            ImportFormat::SpansJsonl,
            true,
        ),
        single("doccano/ner.jsonl", ImportFormat::Doccano, true),
        single("doccano/relations.jsonl", ImportFormat::Doccano, true),
        single("label-studio/export.json", ImportFormat::LabelStudio, false),
        single("conll/conll2003_sample.iob", ImportFormat::Conll, true),
        single("articles/texts.jsonl", ImportFormat::Jsonl, true),
        single("articles/article.html", ImportFormat::Html, false),
    ];
    out.push(Fixture {
        name: "brat/news/karabakh.ann".into(),
        files: vec![
            ("karabakh.ann".into(), read("brat/news/karabakh.ann")),
            ("karabakh.txt".into(), read("brat/news/karabakh.txt")),
        ],
        main: 0,
        format: Some(ImportFormat::Brat),
        project: false,
        lines: true,
    });
    let proj = fixtures_dir().join("unicode-project");
    let mut files = Vec::new();
    for rel in [
        "project.ron",
        "documents/statement.ron",
        "documents/hazards.ron",
        "annotations/anna/statement.ron",
        "annotations/anna/hazards.ron",
        "annotations/gold/hazards.ron",
    ] {
        files.push((rel.to_string(), fs::read(proj.join(rel)).unwrap()));
    }
    for main in 0..files.len() {
        out.push(Fixture {
            name: format!("unicode-project/{}", files[main].0),
            files: files.clone(),
            main,
            format: None,
            project: true,
            lines: false,
        });
    }
    out
}

/// The labels and relation types every fixture uses, so that an intact fixture imports
/// and a mutation is what gets it refused.
pub fn permissive_corpus() -> Corpus {
    let mut p = Project::new("fuzz");
    for key in [
        "PER",
        "ORG",
        "LOC",
        "MISC",
        "NP",
        "VP",
        "PP",
        "ADJP",
        "ADVP",
        "SBAR",
        "Person",
        "Organization",
        "Location",
        "GPE",
    ] {
        p.labels.push(Label {
            key: key.into(),
            name: key.into(),
            color: "#808080".into(),
            shortcut: String::new(),
            description: String::new(),
        });
    }
    for key in [
        "works_for",
        "member_of",
        "Member",
        "located_in",
        "Located_in",
        "said_by",
    ] {
        p.relation_types.push(RelationType {
            key: key.into(),
            description: String::new(),
            from_labels: Vec::new(),
            to_labels: Vec::new(),
        });
    }
    Corpus::new(p)
}

/// xorshift64*: small, seeded, good enough to pick mutations.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

pub const MUTATIONS: [&str; 10] = [
    "byte flips",
    "truncation",
    "splice",
    "deep nesting",
    "huge number",
    "negative number",
    "invalid UTF-8",
    "repeated line",
    "dropped line",
    "several at once",
];

/// Applies mutation `kind` (an index into [`MUTATIONS`]) to `b`; `other` is another
/// fixture's bytes, for splices.
pub fn mutate(rng: &mut Rng, kind: usize, b: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    let at = |rng: &mut Rng, v: &Vec<u8>| rng.below(v.len() + 1);
    match kind {
        0 => {
            for _ in 0..1 + rng.below(8) {
                if !v.is_empty() {
                    let i = rng.below(v.len());
                    v[i] ^= 1 << rng.below(8);
                }
            }
        }
        1 => v.truncate(at(rng, &v)),
        2 => {
            let i = at(rng, &v);
            let (s, e) = {
                let a = rng.below(other.len() + 1);
                let b = rng.below(other.len() + 1);
                (a.min(b), a.max(b))
            };
            let j = (i + rng.below(64)).min(v.len());
            v.splice(i..j, other[s..e].iter().copied());
        }
        3 => {
            let unit: &[u8] = match rng.below(5) {
                0 => b"[",
                1 => b"{\"a\":",
                2 => b"<div>",
                3 => b"<b><i>",
                _ => b"[[",
            };
            let n = [10, 200, 5_000, 60_000][rng.below(4)];
            let i = at(rng, &v);
            let deep: Vec<u8> = unit.repeat(n);
            v.splice(i..i, deep);
        }
        4 | 5 => {
            // Replace a run of digits (or insert one) with a huge or negative number.
            let digits: Vec<usize> = (0..v.len()).filter(|&i| v[i].is_ascii_digit()).collect();
            let i = if digits.is_empty() {
                at(rng, &v)
            } else {
                digits[rng.below(digits.len())]
            };
            let mut j = i;
            while j < v.len() && v[j].is_ascii_digit() {
                j += 1;
            }
            let num: &[u8] = if kind == 4 {
                [
                    &b"4294967296"[..],
                    b"4294967301",
                    b"18446744073709551615",
                    b"18446744073709551616",
                    b"99999999999999999999999999999",
                    b"1e308",
                    b"9007199254740993",
                ][rng.below(7)]
            } else {
                [&b"-1"[..], b"-0", b"-9223372036854775808", b"-4294967296"][rng.below(4)]
            };
            v.splice(i..j, num.iter().copied());
        }
        6 => {
            let bad: &[u8] = [
                &b"\xff"[..],
                b"\xc3",
                b"\xe2\x82",
                b"\xed\xa0\x80",
                b"\x00",
                b"\xf4\x90\x80\x80",
            ][rng.below(6)];
            let i = at(rng, &v);
            v.splice(i..i, bad.iter().copied());
        }
        7 | 8 => {
            let starts: Vec<usize> = std::iter::once(0)
                .chain((0..v.len()).filter(|&i| v[i] == b'\n').map(|i| i + 1))
                .filter(|&i| i < v.len())
                .collect();
            if !starts.is_empty() {
                let s = starts[rng.below(starts.len())];
                let e = v[s..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(v.len(), |p| s + p + 1);
                if kind == 7 {
                    let line = v[s..e].to_vec();
                    v.splice(e..e, line);
                } else {
                    v.drain(s..e);
                }
            }
        }
        _ => {
            for _ in 0..2 + rng.below(3) {
                let k = rng.below(9);
                v = mutate(rng, k, &v, other);
            }
        }
    }
    v
}

/// What one case did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Imported,
    Refused,
    /// A failure: what went wrong.
    Bad(String),
}

/// Imports (or loads) the files in `dir` as `fx` says and checks what was accepted.
pub fn run_case(fx: &Fixture, dir: &Path, corpus: &Corpus) -> Outcome {
    if fx.project {
        return match spanbench::storage::load(dir) {
            Ok(_) => Outcome::Imported,
            Err(e) => {
                let msg = e.to_string();
                if msg.contains('\n') && !msg.contains("problem(s)") {
                    Outcome::Bad(format!("a message of several lines: {msg}"))
                } else {
                    Outcome::Refused
                }
            }
        };
    }
    let path = dir.join(&fx.files[fx.main].0);
    match formats::import_paths_as(corpus, &[path], fx.format, "fuzz", &mut |_, _| {}) {
        Err(_) => Outcome::Refused,
        Ok(imp) => {
            for set in &imp.sets {
                let Some(doc) = imp.documents.iter().find(|d| d.id == set.document) else {
                    return Outcome::Bad(format!("a set for a missing document {}", set.document));
                };
                let map = OffsetMap::new(&doc.text);
                let problems = validate_set(&corpus.project, doc, &map, set, &doc.id);
                if let Some(p) = problems.first() {
                    return Outcome::Bad(format!("accepted a set that does not check: {p}"));
                }
            }
            if imp.documents.iter().any(|d| d.text.trim().is_empty()) {
                return Outcome::Bad("accepted an empty document".into());
            }
            Outcome::Imported
        }
    }
}

/// Writes a fixture's files (the main one replaced by `main_bytes`) into `dir`.
pub fn write_case(fx: &Fixture, dir: &Path, main_bytes: &[u8]) {
    for (i, (name, bytes)) in fx.files.iter().enumerate() {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, if i == fx.main { main_bytes } else { bytes }).unwrap();
    }
}

/// Totals of a run.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub cases: u64,
    pub imported: u64,
    pub refused: u64,
    pub slowest: Duration,
    /// (fixture, mutation, seed, what went wrong), at most a few kept.
    pub failures: Vec<(String, &'static str, u64, String)>,
    pub failed: u64,
}

/// The fixture and mutated bytes of the case with seed `case_seed`.
pub fn case_input(case_seed: u64) -> (String, Vec<u8>) {
    let fixtures = fixtures();
    let mut rng = Rng::new(case_seed);
    let fx = &fixtures[rng.below(fixtures.len())];
    let other = &fixtures[rng.below(fixtures.len())];
    let kind = rng.below(MUTATIONS.len());
    let bytes = mutate(
        &mut rng,
        kind,
        &fx.files[fx.main].1,
        &other.files[other.main].1,
    );
    (fx.name.clone(), bytes)
}

struct Job {
    fx: Fixture,
    bytes: Vec<u8>,
}

/// Runs cases until `cases` are done or `budget` is spent, each with `limit` time.
/// Cases are reproducible from `seed`: case `n` uses seed `seed + n`.
pub fn run(
    seed: u64,
    cases: u64,
    budget: Duration,
    limit: Duration,
    mut log: impl FnMut(&Totals),
) -> Totals {
    let fixtures = fixtures();
    let corpus = permissive_corpus();
    let mut totals = Totals::default();
    let start = Instant::now();
    let (mut tx, mut rx, mut dir) = spawn_worker(corpus.clone());
    let mut n = 0u64;
    while n < cases && start.elapsed() < budget {
        let case_seed = seed.wrapping_add(n);
        let mut rng = Rng::new(case_seed);
        let fx = fixtures[rng.below(fixtures.len())].clone();
        let other = &fixtures[rng.below(fixtures.len())];
        let kind = rng.below(MUTATIONS.len());
        let bytes = mutate(
            &mut rng,
            kind,
            &fx.files[fx.main].1,
            &other.files[other.main].1,
        );
        let t = Instant::now();
        let _ = tx.send(Job {
            fx: fx.clone(),
            bytes,
        });
        let outcome = match rx.recv_timeout(limit) {
            Ok(o) => o,
            Err(_) => {
                // The worker is stuck: leave it and start another.
                let w = spawn_worker(corpus.clone());
                (tx, rx, dir) = w;
                Outcome::Bad(format!("no answer within {limit:?}"))
            }
        };
        totals.slowest = totals.slowest.max(t.elapsed());
        totals.cases += 1;
        match outcome {
            Outcome::Imported => totals.imported += 1,
            Outcome::Refused => totals.refused += 1,
            Outcome::Bad(why) => {
                totals.failed += 1;
                if totals.failures.len() < 20 {
                    totals
                        .failures
                        .push((fx.name.clone(), MUTATIONS[kind], case_seed, why));
                }
            }
        }
        n += 1;
        if n.is_multiple_of(10_000) {
            log(&totals);
        }
    }
    drop(dir);
    totals
}

fn spawn_worker(
    corpus: Corpus,
) -> (
    mpsc::Sender<Job>,
    mpsc::Receiver<Outcome>,
    tempfile::TempDir,
) {
    let (tx, jobs) = mpsc::channel::<Job>();
    let (done, rx) = mpsc::channel();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    std::thread::Builder::new()
        .name("fuzz-worker".into())
        // The size of a main thread's stack, so that what passes here passes in the CLI.
        .stack_size(8 << 20)
        .spawn(move || {
            for job in jobs {
                let case_dir = path.join("case");
                let _ = fs::remove_dir_all(&case_dir);
                fs::create_dir_all(&case_dir).unwrap();
                write_case(&job.fx, &case_dir, &job.bytes);
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run_case(&job.fx, &case_dir, &corpus)
                }))
                .unwrap_or_else(|p| {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Outcome::Bad(format!("panicked: {msg}"))
                });
                if done.send(outcome).is_err() {
                    return;
                }
            }
        })
        .unwrap();
    (tx, rx, dir)
}
