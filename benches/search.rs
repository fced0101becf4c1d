//! Corpus search over 100,000 synthetic news articles of about 3 KB each (300 MB of text).
//! A bench binary (not criterion): it prints what an annotator feels, the time to the
//! first hits, to the end of a full scan, to stop after Cancel, and the GUI's frame time
//! while a search runs and with 100,000 hits listed.
//!
//! Run with `cargo bench --bench search`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use egui::{Pos2, RawInput, Rect, vec2};
use spanbench::model::{Corpus, Document, Project};
use spanbench::search::{Matcher, Query, SearchDoc, search_corpus};
use spanbench::session::Session;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::search::Scope;
use spanbench::ui::settings::UserSettings;

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
    let docs = cancel_latency(docs);
    gui_frames(docs);
}

fn cancel_latency(docs: Arc<Vec<SearchDoc>>) -> Vec<SearchDoc> {
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
    Arc::try_unwrap(docs).unwrap_or_else(|d| (*d).clone())
}

/// One frame of the whole app at 1280x800, tessellated: the work of one UI pass.
fn frame(ctx: &egui::Context, app: &mut SpanbenchApp) -> Duration {
    let t = Instant::now();
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        ..Default::default()
    };
    let out = ctx.run_ui(input, |ui| app.frame_ui(ui));
    std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
    t.elapsed()
}

/// CPU time this thread has used, from /proc (Linux; in clock ticks of 10 ms, so only
/// sums over many frames mean anything). Wall-clock frame times on a shared machine
/// include time the thread waited for a core; this does not.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Runs `n` frames; returns their wall-clock times and the mean CPU time per frame.
fn frames(
    ctx: &egui::Context,
    app: &mut SpanbenchApp,
    n: usize,
) -> (Vec<Duration>, Option<Duration>) {
    let cpu0 = thread_cpu();
    let v = (0..n).map(|_| frame(ctx, app)).collect();
    let cpu = thread_cpu().zip(cpu0).map(|(b, a)| (b - a) / n as u32);
    (v, cpu)
}

fn stats(name: &str, v: &mut [Duration]) {
    v.sort();
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<52} {:>5} frames: p50 {:>8}, p99 {:>8}, max {:>8}",
        v.len(),
        ms(p(0.5)),
        ms(p(0.99)),
        ms(p(1.0))
    );
}

/// The real app over the 100,000 documents: frames while idle (the document list), the
/// frame that starts a corpus search (it copies the texts for the worker the first time),
/// frames while the worker runs, and frames with 100,000 hits listed.
fn gui_frames(docs: Vec<SearchDoc>) {
    let mut corpus = Corpus::new(Project::new("bench"));
    corpus.documents = docs
        .into_iter()
        .map(|d| Document::new(&d.id, &format!("Article {}", d.id), d.text))
        .collect();
    let first = corpus.documents[0].id.clone();
    let session = Session::new(
        std::env::temp_dir().join("spanbench-bench"),
        corpus,
        "bench",
    );
    let settings = UserSettings {
        annotator: "bench".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.session = Some(session);
    app.current_doc = Some(first);
    let ctx = egui::Context::default();
    for _ in 0..5 {
        frame(&ctx, &mut app);
    }
    println!("load average: {}", load_average());
    let (mut idle, cpu) = frames(&ctx, &mut app, 2000);
    stats("GUI idle, 100,000 documents listed", &mut idle);
    println!("  mean CPU time per frame: {}", cpu.map_or("-".into(), ms));

    for round in ["first", "second"] {
        app.open_search(Scope::Corpus);
        app.search.query = query(
            if round == "first" {
                "Putin"
            } else {
                "Xankəndi"
            },
            false,
            true,
            true,
        );
        let t = Instant::now();
        let start = frame(&ctx, &mut app);
        let mut running = Vec::new();
        let cpu0 = thread_cpu();
        while app.search.running() {
            running.push(frame(&ctx, &mut app));
            std::thread::sleep(Duration::from_millis(4));
        }
        let cpu = thread_cpu()
            .zip(cpu0)
            .map(|(b, a)| (b - a) / running.len().max(1) as u32);
        let total = t.elapsed();
        println!(
            "GUI {round} corpus search: starting frame {}, {} hits after {}",
            ms(start),
            app.search.hits.len(),
            ms(total)
        );
        stats(
            &format!("GUI frames while the {round} search runs"),
            &mut running,
        );
        println!("  mean CPU time per frame: {}", cpu.map_or("-".into(), ms));
    }
    app.search.query = query("Putin", false, true, true);
    frame(&ctx, &mut app);
    while app.search.running() {
        frame(&ctx, &mut app);
        std::thread::sleep(Duration::from_millis(4));
    }
    let (mut listed, cpu) = frames(&ctx, &mut app, 2000);
    stats(
        &format!("GUI with {} hits listed and marked", app.search.hits.len()),
        &mut listed,
    );
    println!("  mean CPU time per frame: {}", cpu.map_or("-".into(), ms));
    println!("load average: {}", load_average());
}
