//! The recommenders and the review queue over 1,000 news-length documents with 50 spans
//! each. A bench binary (not criterion): training takes seconds, and what matters is
//! the time one training takes and what a reviewer feels per key.
//!
//! The corpus: 1,000 documents of about 600 words, each with 50 entity spans (ACTOR,
//! PLACE, DATE) in sentences built from templates around invented names (syllables, so
//! most names of a held-out document were never seen), all marked done in layer "ann".
//!
//! Run with `cargo bench --bench recommend` (about a minute; `SKIP_CRF=1` leaves out the
//! CRF and the learning curves). It prints:
//! - string matcher: training on all documents; suggestions for one document;
//! - CRF: training on all documents; suggestions for one document (median, max);
//! - the learning curves: F1 on a held-out fifth by number of done documents;
//! - the review queue: key to next suggestion for A, X and Space (median, p99, max),
//!   and the progress and scores recomputed after a decision;
//! - the real app (`SpanbenchApp::frame_ui` in an `egui::Context` at 1280x800,
//!   tessellated) reviewing those suggestions: the frame of each key press, with the
//!   scores window closed and open, and the idle frames between keys.

use std::time::{Duration, Instant};

use egui::{Event, Key, Modifiers, Pos2, RawInput, Rect, vec2};

use spanbench::model::{
    AnnotationSet, Confidence, Corpus, DocStatus, Document, LayerInfo, LayerKind, Origin, Project,
    Review, Span, SpanId,
};
use spanbench::recommend::{self, Recommender, crf::Crf, strings::Gazetteer};
use spanbench::review::{self, Order, Queue};
use spanbench::session::Session;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

const DOCS: usize = 1000;
const SPANS: usize = 50;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.next() % v.len()]
    }
}

const SYL: [&str; 16] = [
    "ka", "ra", "ba", "kh", "an", "el", "vo", "mir", "zar", "ian", "ov", "sha", "ny", "li", "te",
    "gor",
];
const FILLER: [&str; 24] = [
    "the",
    "talks",
    "ceasefire",
    "was",
    "agreed",
    "after",
    "a",
    "long",
    "night",
    "of",
    "negotiations",
    "while",
    "observers",
    "noted",
    "that",
    "troops",
    "had",
    "withdrawn",
    "from",
    "positions",
    "near",
    "border",
    "and",
    "officials",
];
const MONTHS: [&str; 6] = ["January", "March", "May", "July", "September", "November"];

fn name(r: &mut Lcg) -> String {
    let n = 2 + r.next() % 2;
    let mut s: String = (0..n).map(|_| r.pick(&SYL)).collect();
    let first = s.remove(0).to_ascii_uppercase();
    s.insert(0, first);
    s
}

/// One document: text and spans (start, end, label) in chars.
fn document(
    r: &mut Lcg,
    actors: &[String],
    places: &[String],
) -> (String, Vec<(usize, usize, &'static str)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let push_ent = |text: &mut String, s: &str, label: &'static str, spans: &mut Vec<_>| {
        let start = text.chars().count();
        text.push_str(s);
        spans.push((start, start + s.chars().count(), label));
    };
    while spans.len() < SPANS {
        // Filler, then a template sentence with two or three entities.
        for _ in 0..(14 + r.next() % 20) {
            text.push_str(r.pick(&FILLER));
            text.push(' ');
        }
        let actor = if r.next().is_multiple_of(3) {
            name(r)
        } else {
            actors[r.next() % actors.len()].clone()
        };
        let place = if r.next().is_multiple_of(3) {
            name(r)
        } else {
            places[r.next() % places.len()].clone()
        };
        match r.next() % 3 {
            0 => {
                text.push_str("President ");
                push_ent(&mut text, &actor, "ACTOR", &mut spans);
                text.push_str(" arrived in ");
                push_ent(&mut text, &place, "PLACE", &mut spans);
                text.push_str(" on ");
                let d = format!("{} {}", r.pick(&MONTHS), 1 + r.next() % 28);
                push_ent(&mut text, &d, "DATE", &mut spans);
                text.push_str(". ");
            }
            1 => {
                text.push_str("Officials in ");
                push_ent(&mut text, &place, "PLACE", &mut spans);
                text.push_str(" said ");
                push_ent(&mut text, &actor, "ACTOR", &mut spans);
                text.push_str(" would attend. ");
            }
            _ => {
                push_ent(&mut text, &actor, "ACTOR", &mut spans);
                text.push_str(" met ");
                let other = name(r);
                push_ent(&mut text, &other, "ACTOR", &mut spans);
                text.push_str(" in ");
                let y = format!("{}", 1990 + r.next() % 35);
                push_ent(&mut text, &y, "DATE", &mut spans);
                text.push_str(". ");
            }
        }
        if r.next().is_multiple_of(4) {
            text.push_str("\n\n");
        }
    }
    spans.truncate(SPANS);
    (text, spans)
}

fn corpus() -> Corpus {
    let mut r = Lcg(7);
    let actors: Vec<String> = (0..300).map(|_| name(&mut r)).collect();
    let places: Vec<String> = (0..150).map(|_| name(&mut r)).collect();
    let mut c = Corpus::new(Project::new("bench"));
    for i in 0..DOCS {
        let (text, spans) = document(&mut r, &actors, &places);
        let id = format!("d{i:04}");
        let mut set = AnnotationSet::new(&id, "ann");
        set.status = DocStatus::Done;
        let chars: Vec<char> = text.chars().collect();
        set.spans = spans
            .iter()
            .enumerate()
            .map(|(k, &(s, e, l))| Span {
                id: SpanId(k as u32 + 1),
                start: s,
                end: e,
                label: l.into(),
                text: chars[s..e].iter().collect(),
                attrs: Default::default(),
                note: String::new(),
                origin: Origin::Manual,
                review: Review::Unreviewed,
                score: None,
            })
            .collect();
        set.sort();
        c.insert_document(Document::new(&id, "t", text));
        c.annotations
            .entry("ann".into())
            .or_default()
            .insert(id, set);
    }
    c
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let q = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
    format!(
        "median {:.3} ms, p99 {:.3} ms, max {:.3} ms (n = {})",
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3,
        v.len()
    )
}

fn main() {
    let t = Instant::now();
    let c = corpus();
    let words: usize = c
        .documents
        .iter()
        .map(|d| d.text.split_whitespace().count())
        .sum();
    println!(
        "corpus: {DOCS} documents, {} words each on average, {SPANS} spans each ({:.1} s to build)",
        words / DOCS,
        t.elapsed().as_secs_f64()
    );
    let docs: Vec<&Document> = c.documents.iter().collect();

    let t = Instant::now();
    let g = Gazetteer::train(&c, "ann", &docs);
    println!(
        "string matcher: trained on {DOCS} documents in {:.3} s ({} strings)",
        t.elapsed().as_secs_f64(),
        g.entries.len()
    );
    let times: Vec<Duration> = c.documents[..200]
        .iter()
        .map(|d| {
            let t = Instant::now();
            std::hint::black_box(g.find(&d.text));
            t.elapsed()
        })
        .collect();
    println!(
        "string matcher: suggestions for one document: {}",
        stats(times)
    );

    if std::env::var_os("SKIP_CRF").is_none() {
        let t = Instant::now();
        let crf = Crf::train(&c, "ann", &docs).unwrap();
        println!(
            "CRF: trained on {DOCS} documents in {:.2} s",
            t.elapsed().as_secs_f64()
        );
        let times: Vec<Duration> = c.documents[..100]
            .iter()
            .map(|d| {
                let t = Instant::now();
                std::hint::black_box(crf.predict(&d.text).unwrap());
                t.elapsed()
            })
            .collect();
        println!("CRF: suggestions for one document: {}", stats(times));

        println!("learning curves (F1, nervaluate strict, on a held-out fifth):");
        println!(
            "  {:>9} {:>15} {:>10}",
            "documents", "string matcher", "CRF"
        );
        for n in [5, 10, 20, 50, 100, 200, 500, 1000] {
            let done = &docs[..n];
            let f = |k| {
                recommend::evaluate_done(&c, k, "ann", done)
                    .unwrap()
                    .and_then(|p| p.f1)
                    .map_or("n/a".to_string(), |x| format!("{x:.3}"))
            };
            println!(
                "  {n:>9} {:>15} {:>10}",
                f(Recommender::String),
                f(Recommender::Crf)
            );
        }
    }
    // The review queue: the string matcher's suggestions on every document as a model
    // layer, walked by a reviewer with an empty layer.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    spanbench::storage::create(&root, "bench").unwrap();
    let mut rc = c.clone();
    rc.project.layers.insert(
        "m".into(),
        LayerInfo {
            kind: LayerKind::Model,
            source: "bench".into(),
            curve: Vec::new(),
        },
    );
    let mut total = 0;
    for d in &c.documents {
        let mut set = AnnotationSet::new(&d.id, "m");
        set.status = DocStatus::InProgress;
        let chars: Vec<char> = d.text.chars().collect();
        for (k, p) in g.find(&d.text).into_iter().enumerate() {
            set.spans.push(Span {
                id: SpanId(k as u32 + 1),
                start: p.start,
                end: p.end,
                label: p.label,
                text: chars[p.start..p.end].iter().collect(),
                attrs: Default::default(),
                note: String::new(),
                origin: Origin::Suggested,
                review: Review::Unreviewed,
                score: Some(Confidence(p.score)),
            });
        }
        set.sort();
        total += set.spans.len();
        rc.annotations
            .entry("m".into())
            .or_default()
            .insert(d.id.clone(), set);
    }
    let gui_corpus = rc.clone();
    let mut s = Session::new(root, rc, "rev");
    let t = Instant::now();
    let mut q = Queue::new(&s.corpus, "m", "rev", Order::Score);
    println!(
        "review queue: {total} suggestions; built in {:.1} ms (lowest score first)",
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut keys = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..3000 {
        let it = q.current().cloned().unwrap();
        let t = Instant::now();
        match i % 3 {
            0 => {
                review::accept(&mut s, "m", &it.doc, it.id).unwrap();
            }
            1 => review::reject(&mut s, "m", &it.doc, it.id).unwrap(),
            _ => {}
        }
        q.advance(&s.corpus);
        keys[i % 3].push(t.elapsed());
    }
    for (name, v) in ["A (accept)", "X (reject)", "Space (skip)"]
        .iter()
        .zip(keys)
    {
        println!("review queue: key to next suggestion, {name}: {}", stats(v));
    }
    let t = Instant::now();
    let p = review::progress(&s.corpus, "m", "rev");
    println!(
        "review queue: progress over every suggestion in {:.2} ms (reviewed {} of {})",
        t.elapsed().as_secs_f64() * 1e3,
        p.reviewed(),
        p.total
    );
    let t = Instant::now();
    let b = spanbench::agreement::breakdown::breakdown(&s.corpus, "ann", "m", true).unwrap();
    println!(
        "scores window: model against reference with every cell's spans in {:.1} ms ({} documents)",
        t.elapsed().as_secs_f64() * 1e3,
        b.report.documents
    );
    // The GUI's own project folder: the session above holds the lock on its own.
    let groot = dir.path().join("g");
    spanbench::storage::create(&groot, "bench").unwrap();
    gui(groot, gui_corpus);
}

/// One frame of the whole app at 1280x800 with `events`, tessellated.
fn frame(ctx: &egui::Context, app: &mut SpanbenchApp, events: Vec<Event>) -> Duration {
    let t = Instant::now();
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        events,
        ..Default::default()
    };
    let out = ctx.run_ui(input, |ui| app.frame_ui(ui));
    std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
    t.elapsed()
}

fn key(k: Key) -> Vec<Event> {
    vec![Event::Key {
        key: k,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::NONE,
    }]
}

/// The real app reviewing the string matcher's suggestions over the 1,000 documents:
/// A, X and Space in turn, each key's frame timed, then two idle frames; first with the
/// scores window closed, then open (it follows every decision).
fn gui(root: std::path::PathBuf, corpus: Corpus) {
    let settings = UserSettings {
        annotator: "rev".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.session = Some(Session::new(root, corpus, "rev"));
    app.start_review(Some("m".into()));
    let ctx = egui::Context::default();
    for _ in 0..5 {
        frame(&ctx, &mut app, Vec::new());
    }
    for scores in [false, true] {
        if let Some(r) = app.review.as_mut() {
            r.scores.open = scores;
            // Against the annotator's layer (the bench has no gold layer).
            r.scores.reference = "ann".into();
        }
        frame(&ctx, &mut app, Vec::new());
        let mut keys = Vec::new();
        let mut idle = Vec::new();
        for i in 0..300 {
            let k = [Key::A, Key::X, Key::Space][i % 3];
            keys.push(frame(&ctx, &mut app, key(k)));
            for _ in 0..2 {
                idle.push(frame(&ctx, &mut app, Vec::new()));
            }
        }
        // The reviewer pauses: the scores follow the decisions.
        std::thread::sleep(Duration::from_millis(450));
        let pause = frame(&ctx, &mut app, Vec::new());
        let w = if scores { "open" } else { "closed" };
        println!(
            "GUI, scores window {w}: first frame after a pause of 450 ms: {:.1} ms",
            pause.as_secs_f64() * 1e3
        );
        println!(
            "GUI, scores window {w}: frame of a review key (A, X, Space): {}",
            stats(keys)
        );
        println!(
            "GUI, scores window {w}: idle frame between keys: {}",
            stats(idle)
        );
    }
    if let Some(n) = &app.notice {
        println!("GUI notice: {} (error: {})", n.text, n.error);
    }
    if let Some(r) = app.review.as_ref() {
        println!(
            "GUI: reviewed {} of {} after the keys",
            r.progress.reviewed(),
            r.progress.total
        );
    }
}
