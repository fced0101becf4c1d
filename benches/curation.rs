//! Curation over 10,000 documents x 4 annotators x 50 spans (the corpus of the agreement
//! benchmark, `synthetic/`): the pre-merge (planned, and applied to the gold layer
//! through a session as one undo step), the curation index, and the step to the next
//! unresolved disagreement, in the library and as the whole app's frame after N.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use egui::{Event, Key, Modifiers, Pos2, RawInput, Rect, vec2};
use spanbench::curation::{Curation, Strategy, Team, premerge};
use spanbench::model::{AnnotationSet, Choice, Corpus, Decision};
use spanbench::session::Session;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::commands::Command;
use spanbench::ui::settings::UserSettings;

mod synthetic;

use synthetic::synthetic_corpus;

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
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
    black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
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

fn percentiles(name: &str, v: &mut [Duration]) {
    v.sort();
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    eprintln!(
        "{name:<58} {:>4} frames: p50 {}, p99 {}, max {}",
        v.len(),
        ms(p(0.5)),
        ms(p(0.99)),
        ms(p(1.0))
    );
}

fn session(dir: &std::path::Path, corpus: Corpus) -> Session {
    let mut s = Session::new(dir.to_path_buf(), corpus, "curator");
    s.unlock_layer("gold");
    s
}

/// The app, curating the corpus after a unanimous pre-merge (saved), as frames measure
/// it.
fn gui(s: Session) {
    let first = s.corpus.documents[0].id.clone();
    let settings = UserSettings {
        annotator: "curator".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.watch_disk = false;
    app.session = Some(s);
    app.current_doc = Some(first);
    let ctx = egui::Context::default();
    frame(&ctx, &mut app, Vec::new());
    let t = Instant::now();
    app.run(Command::Curate);
    let first = frame(&ctx, &mut app, Vec::new());
    eprintln!(
        "opening the curation view (its index of 10,000 documents, then the first frame): {} (first frame {})",
        ms(t.elapsed()),
        ms(first)
    );
    for _ in 0..5 {
        frame(&ctx, &mut app, Vec::new());
    }
    let mut idle: Vec<Duration> = (0..300)
        .map(|_| frame(&ctx, &mut app, Vec::new()))
        .collect();
    percentiles("GUI idle, curation view open", &mut idle);
    // N, then the frame after it (the pane lays out a new document when N crosses one).
    let mut next = Vec::new();
    for _ in 0..500 {
        next.push(frame(&ctx, &mut app, key(Key::N)));
        frame(&ctx, &mut app, Vec::new());
    }
    percentiles(
        "N: the frame that steps to the next disagreement",
        &mut next,
    );
    // Each decision is an edit of the gold layer: autosave writes it a few seconds later,
    // on whichever frame comes then.
    let mut take = Vec::new();
    for _ in 0..300 {
        take.push(frame(&ctx, &mut app, key(Key::Num1)));
        frame(&ctx, &mut app, Vec::new());
    }
    percentiles("1: the frame that takes a version and moves on", &mut take);
    let (done, total) = app.curation.view.as_ref().unwrap().cur.progress();
    eprintln!("  resolved {done} of {total} after the run");
}

/// An empty project folder: the sessions write nothing to it, but may take its writer
/// lock only in a project. One per session alive at a time.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    spanbench::storage::create(dir.path(), "bench").unwrap();
    dir
}

/// The worst case for N: every disagreement resolved (a recorded rejection) except those
/// of the first document, so a step from the end of the first document passes the 9,999
/// others before it wraps around to the first's start.
fn all_but_first_resolved(corpus: &Corpus, cur: &Curation) -> Corpus {
    let mut corpus = corpus.clone();
    let gold = cur.team.gold.clone();
    for (d, id) in cur.documents.iter().enumerate().skip(1) {
        let set = corpus
            .annotations
            .entry(gold.clone())
            .or_default()
            .entry(id.clone())
            .or_insert_with(|| AnnotationSet::new(id, &gold));
        set.decisions = cur
            .units(d)
            .iter()
            .map(|u| Decision {
                start: u.start,
                end: u.end,
                choice: Choice::Rejected,
            })
            .collect();
        set.decisions.sort_by_key(|x| (x.start, x.end));
        set.decisions.dedup_by_key(|x| (x.start, x.end));
    }
    corpus
}

fn bench(c: &mut Criterion) {
    let corpus = synthetic_corpus();
    let team = Team::resolve(&corpus, None, None).unwrap();
    eprintln!(
        "corpus: {} documents, {} annotators, {} threads",
        corpus.documents.len(),
        team.annotators.len(),
        rayon::current_num_threads()
    );

    // One timed run of each part, printed for docs/PERFORMANCE.md.
    let t = Instant::now();
    let plan = premerge::plan(&corpus, &team, Strategy::Unanimous).unwrap();
    eprintln!(
        "pre-merge plan (unanimous): {} ({} spans to add, {} disagreements left)",
        ms(t.elapsed()),
        plan.added(),
        plan.left_units()
    );
    let dir = project();
    let mut s = session(dir.path(), corpus.clone());
    let t = Instant::now();
    plan.apply(&mut s).unwrap();
    eprintln!(
        "  applied to the gold layer (one undo step): {}",
        ms(t.elapsed())
    );
    let t = Instant::now();
    let files = s.save().unwrap();
    eprintln!(
        "  saved: {} ({files} files written, each synced)",
        ms(t.elapsed())
    );
    let t = Instant::now();
    let cur = Curation::build(&s.corpus, team.clone());
    eprintln!(
        "curation index after it: {} ({} of {} resolved)",
        ms(t.elapsed()),
        cur.progress().0,
        cur.progress().1
    );
    let worst = Curation::build(&all_but_first_resolved(&s.corpus, &cur), team.clone());
    eprintln!(
        "  the worst case for N: {} of {} resolved, all in documents 2 to 10,000",
        worst.progress().0,
        worst.progress().1
    );
    let end = Some((usize::MAX, usize::MAX));
    assert_eq!(
        worst
            .next_unresolved(0, end)
            .map(|(r, w)| (r.doc, r.unit, w)),
        Some((0, 0, true))
    );

    let mut group = c.benchmark_group("curation 10k docs x 4 annotators x 50 spans");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    let batch = project();
    for strategy in [
        Strategy::Unanimous,
        Strategy::Majority,
        Strategy::Threshold(1),
    ] {
        group.bench_function(format!("pre-merge {strategy}: plan + apply"), |b| {
            b.iter_batched(
                || session(batch.path(), corpus.clone()),
                |mut s| {
                    let plan = premerge::plan(&s.corpus, &team, strategy).unwrap();
                    plan.apply(&mut s).unwrap();
                    black_box(s)
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.bench_function("curation index (Curation::build)", |b| {
        b.iter(|| black_box(Curation::build(&s.corpus, team.clone())))
    });
    group.finish();
    let mut group = c.benchmark_group("curation step (N)");
    group.bench_function("next_unresolved within a document", |b| {
        b.iter(|| black_box(cur.next_unresolved(0, None)))
    });
    group.bench_function("next_unresolved past 9,999 resolved documents", |b| {
        b.iter(|| black_box(worst.next_unresolved(0, end)))
    });
    group.finish();

    gui(s);
}

criterion_group!(benches, bench);
criterion_main!(benches);
