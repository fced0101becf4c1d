//! Document pane performance on a synthetic 1 MB article with 20,000 spans, many of them
//! overlapping or nested. A bench binary (not criterion) because the targets are about
//! tail latency: it prints p50/p99/max per frame.
//!
//! Run with `cargo bench --bench pane`.

use std::time::{Duration, Instant};

use egui::{Event, MouseWheelUnit, Pos2, RawInput, Rect, Vec2, pos2, vec2};
use spanbench::model::{
    AnnotationSet, Corpus, Document, Label, Project, Relation, RelationId, Span, SpanId,
};
use spanbench::offsets::{Snap, slice_chars};
use spanbench::session::Session;
use spanbench::storage;
use spanbench::ui::document_pane::{DocumentPane, PaneInput, document_pane_ui};

const WORDS: &[&str] = &[
    "Putin",
    "Pashinyan",
    "Aliyev",
    "Stepanakert",
    "ceasefire",
    "agreement",
    "the",
    "of",
    "and",
    "in",
    "Nagorno-Karabakh",
    "peacekeepers",
    "Lachin",
    "corridor",
    "Երևան",
    "Հայաստան",
    "Карабах",
    "Москва",
    "said",
    "on",
    "Sept.",
    "20,",
    "2023",
    "troops",
    "must",
    "leave",
    "territory.",
    "👍🏽",
    "café",
];

/// A deterministic pseudo-random generator (no dependency needed for a benchmark).
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

fn synthetic_text(bytes: usize, rng: &mut Lcg) -> String {
    let mut t = String::with_capacity(bytes + 100);
    let mut in_para = 0;
    while t.len() < bytes {
        t.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
        in_para += 1;
        if in_para > 60 + rng.below(80) as usize {
            t.push_str("\n\n");
            in_para = 0;
        } else {
            t.push(' ');
        }
    }
    t
}

fn synthetic_spans(text: &str, n: usize, rng: &mut Lcg) -> Vec<Span> {
    let len = text.chars().count();
    let labels = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];
    let mut spans = Vec::with_capacity(n);
    let step = len / n;
    for i in 0..n {
        let start = i * step + rng.below(step as u64 / 2) as usize;
        // One in five spans is long and so overlaps or encloses its neighbours.
        let width = if i % 5 == 0 {
            40 + rng.below(200) as usize
        } else {
            3 + rng.below(25) as usize
        };
        let end = (start + width).min(len);
        if start >= end {
            continue;
        }
        spans.push(Span {
            id: SpanId(i as u32 + 1),
            start,
            end,
            label: labels[i % labels.len()].to_string(),
            text: String::new(),
            attrs: Default::default(),
            note: String::new(),
            origin: Default::default(),
            review: Default::default(),
            score: None,
        });
    }
    spans.sort_by_key(|s| (s.start, s.end));
    // Fill the copies of the covered text in one pass over the text.
    let map = spanbench::offsets::OffsetMap::new(text);
    for s in &mut spans {
        let (a, b) = (
            map.char_to_byte(s.start).unwrap(),
            map.char_to_byte(s.end).unwrap(),
        );
        s.text = text[a..b].to_string();
    }
    spans
}

fn raw_input(events: Vec<Event>) -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        events,
        ..Default::default()
    }
}

/// Runs one frame of the pane and tessellates it: the work of one UI pass.
fn frame(
    ctx: &egui::Context,
    pane: &mut DocumentPane,
    input: &PaneInput,
    events: Vec<Event>,
) -> Duration {
    let t = Instant::now();
    let out = ctx.run_ui(raw_input(events), |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            document_pane_ui(ui, pane, input);
        });
    });
    let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
    std::hint::black_box(prims);
    t.elapsed()
}

fn pane_input<'a>(doc: &'a Document, session: &'a Session, labels: &'a [Label]) -> PaneInput<'a> {
    PaneInput {
        doc,
        spans: session.spans(&doc.id),
        labels,
        revision: session.revision,
        snap: Snap::Words,
        font_size: 17.0,
        relations: session.relations(&doc.id),
        relation_types: &session.corpus.project.relation_types,
        editable: true,
        hint: None,
    }
}

/// Relations between neighbouring spans, one for every other span: on screen that is
/// dozens of arcs at once.
fn synthetic_relations(spans: &[Span]) -> Vec<Relation> {
    (0..spans.len().saturating_sub(3))
        .step_by(2)
        .enumerate()
        .map(|(n, i)| Relation {
            id: RelationId(n as u32 + 1),
            kind: ["SAID_BY", "PARTY_TO", "LOCATED_IN", "ON_DATE"][n % 4].into(),
            from: spans[i].id,
            to: spans[i + 1 + n % 3].id,
        })
        .collect()
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let mut rng = Lcg(42);
    let text = synthetic_text(1_000_000, &mut rng);
    let spans = synthetic_spans(&text, 20_000, &mut rng);
    let overlapping = spans.windows(2).filter(|w| w[1].start < w[0].end).count();
    println!(
        "document: {} bytes, {} chars, {} spans ({} overlap their predecessor), {} relations",
        text.len(),
        text.chars().count(),
        spans.len(),
        overlapping,
        synthetic_relations(&spans).len()
    );

    // Opening from disk: read + parse + validate every invariant.
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = Corpus::new(Project::new("bench"));
    corpus
        .documents
        .push(Document::new("big", "A very long article", text.clone()));
    let mut set = AnnotationSet::new("big", "bench");
    set.spans = spans.clone();
    set.sort();
    set.relations = synthetic_relations(&set.spans);
    // Relations join arbitrary neighbours here, so the schema allows any labels.
    for t in &mut corpus.project.relation_types {
        t.from_labels.clear();
        t.to_labels.clear();
    }
    corpus
        .annotations
        .entry("bench".into())
        .or_default()
        .insert("big".into(), set);
    storage::save_all(dir.path(), &corpus).unwrap();
    let mut loads = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let s = Session::open(dir.path(), "bench").unwrap();
        loads.push(t.elapsed());
        std::hint::black_box(s);
    }
    let mut session = Session::open(dir.path(), "bench").unwrap();

    let ctx = egui::Context::default();
    let labels = Project::new("x").labels;
    let mut pane = DocumentPane::default();
    // Warm up fonts once: a real window has done this before any document opens.
    {
        let doc = Document::new("warm", "warm", text[..2000].to_string());
        let input = PaneInput {
            doc: &doc,
            spans: &[],
            labels: &labels,
            revision: 0,
            snap: Snap::Words,
            font_size: 17.0,
            relations: &[],
            relation_types: &[],
            editable: true,
            hint: None,
        };
        let mut p = DocumentPane::default();
        for _ in 0..3 {
            frame(&ctx, &mut p, &input, vec![]);
        }
    }

    let doc = session.corpus.document("big").unwrap().clone();
    let mut first_frames = Vec::new();
    {
        let input = pane_input(&doc, &session, &labels);
        for _ in 0..5 {
            pane = DocumentPane::default();
            first_frames.push(frame(&ctx, &mut pane, &input, vec![]));
        }
        println!(
            "blocks: {}, laid out after opening: {}",
            pane.block_count(),
            pane.blocks_laid_out()
        );
    }

    // Scrolling: a mouse-wheel notch every frame, through a long stretch of the document.
    let mut scroll = Vec::new();
    {
        let input = pane_input(&doc, &session, &labels);
        frame(
            &ctx,
            &mut pane,
            &input,
            vec![Event::PointerMoved(pos2(600.0, 400.0))],
        );
        for _ in 0..2000 {
            let wheel = Event::MouseWheel {
                unit: MouseWheelUnit::Point,
                delta: Vec2::new(0.0, -120.0),
                phase: egui::TouchPhase::Move,
                modifiers: Default::default(),
                source: egui::MouseWheelSource::Wheel,
            };
            scroll.push(frame(&ctx, &mut pane, &input, vec![wheel]));
        }
        println!(
            "blocks laid out after scrolling: {}",
            pane.blocks_laid_out()
        );
    }

    // Adding a span and redrawing: the edit through the session, then the next frame.
    let mut adds = Vec::new();
    let visible_char = doc.text.len() / 2;
    let base =
        spanbench::offsets::byte_to_char(&doc.text, doc.text.floor_char_boundary(visible_char))
            .unwrap();
    for i in 0..50 {
        let s = base + i * 7;
        let t = Instant::now();
        let _ = slice_chars(&doc.text, s, s + 5);
        session.add_span("big", s, s + 5, "PLACE").unwrap();
        let input = pane_input(&doc, &session, &labels);
        let _ = frame(&ctx, &mut pane, &input, vec![]);
        adds.push(t.elapsed());
    }

    println!();
    println!(
        "open from disk (read, parse, validate): p50 {}  max {}",
        ms(percentile(&mut loads, 0.5)),
        ms(percentile(&mut loads, 1.0))
    );
    println!(
        "first frame of the opened document:    p50 {}  max {}",
        ms(percentile(&mut first_frames, 0.5)),
        ms(percentile(&mut first_frames, 1.0))
    );
    println!(
        "scrolling frame (layout + tessellation): p50 {}  p99 {}  max {}  ({} frames)",
        ms(percentile(&mut scroll, 0.5)),
        ms(percentile(&mut scroll, 0.99)),
        ms(percentile(&mut scroll, 1.0)),
        scroll.len()
    );
    println!(
        "add span + redraw:                      p50 {}  p99 {}  max {}",
        ms(percentile(&mut adds, 0.5)),
        ms(percentile(&mut adds, 0.99)),
        ms(percentile(&mut adds, 1.0))
    );
}
