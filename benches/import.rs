//! Import time of one long document, grown from 125,000 to 1,000,000 characters with a
//! span about every 50 characters (20,000 spans at 1 MB), as a Label Studio task with the
//! covered text copied into every region (so every span's text is checked). Each size
//! is imported into a new project through the same path as `spanbench import` (lock,
//! stream, check, stage, commit with fsync); the best of five runs is printed with the
//! time per character, which stays flat when import is linear.
//!
//! Run with `cargo bench --bench import`. The 10,000-document corpus is timed by
//! benches/label_studio_corpus.py, which runs the release binary.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use spanbench::session::Session;
use spanbench::storage;

// The allocator of the spanbench binary, so the figures are the command's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WORDS: [&str; 12] = [
    "Aliyev",
    "Pashinyan",
    "ceasefire",
    "corridor",
    "Lachin",
    "Երևան",
    "Карабах",
    "café\u{301}",
    "👍🏽",
    "troops",
    "border",
    "talks",
];
const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];
const CHARS_PER_SPAN: usize = 45;
const RUNS: usize = 5;

/// A Label Studio task of about `chars` characters, a span at the first word at least
/// `CHARS_PER_SPAN` characters after the previous span's start.
fn task(chars: usize) -> (String, usize) {
    let mut text = String::with_capacity(chars * 2);
    let mut words = Vec::new();
    let mut n = 0;
    let mut i = 0usize;
    while n < chars {
        let w = WORDS[(i * 7 + i / 5) % WORDS.len()];
        let len = w.chars().count();
        words.push((n, n + len, w));
        text.push_str(w);
        n += len;
        let sep = if i % 17 == 16 { ".\n" } else { " " };
        text.push_str(sep);
        n += sep.chars().count();
        i += 1;
    }
    let mut results = String::new();
    let mut spans = 0;
    let mut next = 0;
    for (k, &(start, end, w)) in words.iter().enumerate() {
        if start < next {
            continue;
        }
        next = start + CHARS_PER_SPAN;
        if spans > 0 {
            results.push(',');
        }
        let _ = write!(
            results,
            r#"{{"value":{{"start":{start},"end":{end},"text":{},"labels":["{}"]}},"id":"r{k}","from_name":"label","to_name":"text","type":"labels"}}"#,
            serde_json::to_string(w).unwrap_or_default(),
            LABELS[k % LABELS.len()]
        );
        spans += 1;
    }
    let json = format!(
        r#"[{{"id":1,"data":{{"text":{}}},"annotations":[{{"id":1,"completed_by":1,"result":[{results}]}}]}}]"#,
        serde_json::to_string(&text).unwrap_or_default()
    );
    (json, spans)
}

fn import_once(dir: &Path, file: &Path, run: usize) -> Duration {
    let root = dir.join(format!("p{run}"));
    storage::create(&root, "bench").expect("a new project");
    let t = Instant::now();
    let (mut session, _) =
        Session::open_for_writing(&root, "bench", Duration::from_secs(5), |_| {})
            .expect("the project opens");
    let done = session
        .import_streamed(&[file.to_path_buf()], None, "anna", &mut |_| {})
        .expect("the task imports");
    let took = t.elapsed();
    assert_eq!(done.added.len(), 1);
    drop(session);
    let _ = std::fs::remove_dir_all(&root);
    took
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().expect("a scratch folder");
    println!("one document, a span about every 50 characters, best of {RUNS}");
    println!(
        "{:>10} {:>8} {:>10} {:>12}",
        "chars", "spans", "ms", "ns per char"
    );
    for chars in [125_000, 250_000, 500_000, 1_000_000] {
        let (json, spans) = task(chars);
        let file = dir.path().join(format!("task_{chars}.json"));
        std::fs::write(&file, json).expect("the task file");
        let best = (0..RUNS)
            .map(|r| import_once(dir.path(), &file, r))
            .min()
            .unwrap_or_default();
        println!(
            "{chars:>10} {spans:>8} {:>10.1} {:>12.1}",
            best.as_secs_f64() * 1e3,
            best.as_nanos() as f64 / chars as f64
        );
    }
}
