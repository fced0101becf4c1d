//! The review queue in the real window, driven by real keys (A, X, Space, E, Backspace,
//! Shift+A) at 1280x800 and 900x600, with the scores window changing as you decide.

use std::path::{Path, PathBuf};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spanbench::agreement::ALL_LABELS;
use spanbench::agreement::nervaluate::Scheme;
use spanbench::model::{Confidence, Review, SpanId};
use spanbench::storage;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

/// The sample project with a model layer "ner": tomas's spans as predictions, with
/// made-up scores.
fn sample_with_model(dir: &Path) -> PathBuf {
    let root = dir.join("karabakh");
    let mut corpus = storage::load(Path::new("projects/karabakh")).unwrap();
    let mut sets = Vec::new();
    for (doc, set) in corpus.annotations["tomas"].clone() {
        let mut set = set.clone();
        set.annotator = "ner".into();
        set.relations.clear();
        for (i, s) in set.spans.iter_mut().enumerate() {
            s.origin = spanbench::model::Origin::Suggested;
            s.review = Review::Unreviewed;
            s.note.clear();
            s.score = Some(Confidence(((i * 37) % 100) as f64 / 100.0));
        }
        sets.push((doc, set));
    }
    corpus
        .annotations
        .insert("ner".into(), sets.into_iter().collect());
    corpus.project.layers.insert(
        "ner".into(),
        spanbench::model::LayerInfo {
            kind: spanbench::model::LayerKind::Model,
            source: "test".into(),
            curve: Vec::new(),
        },
    );
    storage::create(&root, "karabakh").unwrap();
    storage::save_all(&root, &corpus).unwrap();
    root
}

fn harness(root: &Path, size: egui::Vec2) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: "ana".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.watch_disk = false;
    app.open_project(root);
    assert!(app.session.is_some(), "{:?}", app.notice);
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(4);
    h
}

fn press(h: &mut Harness<SpanbenchApp>, m: Modifiers, key: Key) {
    h.key_press_modifiers(m, key);
    h.run_steps(3);
}

fn current(h: &Harness<SpanbenchApp>) -> Option<(String, SpanId)> {
    h.state()
        .review
        .as_ref()?
        .queue
        .current()
        .map(|it| (it.doc.clone(), it.id))
}

fn model_review(h: &Harness<SpanbenchApp>, doc: &str, id: SpanId) -> Review {
    h.state()
        .session
        .as_ref()
        .unwrap()
        .corpus
        .set("ner", doc)
        .unwrap()
        .span(id)
        .unwrap()
        .review
}

fn mine(h: &Harness<SpanbenchApp>, doc: &str) -> usize {
    h.state()
        .session
        .as_ref()
        .unwrap()
        .corpus
        .set("ana", doc)
        .map_or(0, |s| s.spans.len())
}

/// The strict counts of all labels in the scores window: (correct, spurious, actual).
fn strict(h: &Harness<SpanbenchApp>) -> (u64, u64, u64) {
    let b = h
        .state()
        .review
        .as_ref()
        .unwrap()
        .scores
        .breakdown
        .as_ref()
        .expect("the scores window computed nothing");
    let s = b.report.overall.get(Scheme::Strict);
    (s.correct, s.spurious, s.actual)
}

fn walk_the_queue(size: egui::Vec2) {
    let dir = tempfile::tempdir().unwrap();
    let root = sample_with_model(dir.path());
    let mut h = harness(&root, size);
    press(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    assert!(h.state().review.is_some(), "{:?}", h.state().notice);
    h.run_steps(2);
    // On a wide window the scores window opens with the review; on a narrow one it
    // would hide the text, so it waits for the panel's Scores button.
    if size.x < 1200.0 {
        assert!(h.query_by_label_contains("ner against").is_none());
        h.get_by_label("Scores").click();
        h.run_steps(2);
    }
    // The scores window is open and shows the model against gold.
    assert!(h.query_by_label_contains("ner against").is_some());
    let (_, _, actual0) = strict(&h);
    assert!(
        !h.state().pane.suggestions.is_empty(),
        "no suggestions drawn"
    );

    // A accepts: into ana's layer, marked in the model's, and the next is on offer.
    let (d1, s1) = current(&h).unwrap();
    press(&mut h, Modifiers::NONE, Key::A);
    assert_eq!(model_review(&h, &d1, s1), Review::Accepted);
    assert_eq!(mine(&h, &d1), 1);
    let (d2, s2) = current(&h).unwrap();
    assert_ne!((d2.clone(), s2), (d1.clone(), s1));

    // X rejects; without rejected suggestions the model has one prediction fewer.
    press(&mut h, Modifiers::NONE, Key::X);
    assert_eq!(model_review(&h, &d2, s2), Review::Rejected);
    h.run_steps(2);
    assert_eq!(
        strict(&h).2,
        actual0 - 1,
        "the scores did not follow the decision"
    );

    // Space skips: nothing changes, the next one is on offer.
    let (d3, s3) = current(&h).unwrap();
    press(&mut h, Modifiers::NONE, Key::Space);
    assert_eq!(model_review(&h, &d3, s3), Review::Unreviewed);
    assert_ne!(current(&h), Some((d3.clone(), s3)));

    // E accepts to edit; Shift+Right grows the new span; Enter confirms; Backspace
    // undoes the whole decision, edit included, in one step.
    let (d4, s4) = current(&h).unwrap();
    let before_mine = mine(&h, &d4);
    let next = {
        let q = &h.state().review.as_ref().unwrap().queue;
        let it = &q.items()[q.cursor().unwrap() + 1];
        (it.doc.clone(), it.id)
    };
    press(&mut h, Modifiers::NONE, Key::E);
    let id = h
        .state()
        .pane
        .selected_span
        .expect("E selects the accepted span");
    let sp = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .span(&d4, id)
        .unwrap()
        .clone();
    press(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    let grown = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .span(&d4, id)
        .unwrap()
        .clone();
    assert!(grown.end > sp.end, "Shift+Right did not grow the span");
    press(&mut h, Modifiers::NONE, Key::Enter);
    assert!(h.state().review.as_ref().unwrap().editing.is_none());
    assert_eq!(model_review(&h, &d4, s4), Review::Accepted);
    // Enter offers the suggestion after the edited one; it skips none.
    assert_eq!(
        current(&h),
        Some(next.clone()),
        "Enter skipped a suggestion"
    );
    assert_eq!(model_review(&h, &next.0, next.1), Review::Unreviewed);
    press(&mut h, Modifiers::NONE, Key::Backspace);
    assert_eq!(model_review(&h, &d4, s4), Review::Unreviewed);
    assert_eq!(mine(&h, &d4), before_mine);
    assert_eq!(
        current(&h),
        Some((d4.clone(), s4)),
        "the undone suggestion is offered again"
    );

    // Backspace again undoes the reject, and the scores follow.
    press(&mut h, Modifiers::NONE, Key::Backspace);
    assert_eq!(model_review(&h, &d2, s2), Review::Unreviewed);
    h.run_steps(2);
    assert_eq!(strict(&h).2, actual0);

    // Shift+A accepts the open document's suggestions at or above the threshold.
    h.state_mut().review.as_mut().unwrap().threshold = 0.5;
    let doc = h.state().current_doc.clone().unwrap();
    let pending_high = spanbench::review::pending_in(
        &h.state().session.as_ref().unwrap().corpus,
        "ner",
        "ana",
        &doc,
    )
    .iter()
    .filter(|s| s.score.is_some_and(|c| c.value() >= 0.5))
    .count();
    assert!(pending_high > 0);
    let before = mine(&h, &doc);
    press(&mut h, Modifiers::SHIFT, Key::A);
    assert_eq!(mine(&h, &doc), before + pending_high);
    // One step: one Backspace takes them all back.
    press(&mut h, Modifiers::NONE, Key::Backspace);
    assert_eq!(mine(&h, &doc), before);

    // The progress counts what was decided; the scores window lists a cell's spans.
    let p = h.state().review.as_ref().unwrap().progress.clone();
    assert_eq!((p.accepted, p.rejected), (1, 0));
    let spurious = h
        .state()
        .review
        .as_ref()
        .unwrap()
        .scores
        .breakdown
        .as_ref()
        .unwrap()
        .cell(
            ALL_LABELS,
            Scheme::Strict,
            spanbench::agreement::nervaluate::Outcome::Correct,
        )
        .len();
    assert!(spurious > 0);
    // Autosaved like any edit.
    h.state_mut().session.as_mut().unwrap().save().unwrap();
    let disk = storage::load(&root).unwrap();
    assert_eq!(
        disk.set("ner", &d1).unwrap().span(s1).unwrap().review,
        Review::Accepted
    );
    // Escape ends the review.
    press(&mut h, Modifiers::NONE, Key::Escape);
    assert!(h.state().review.is_none());
}

#[test]
fn review_keys_at_1280x800() {
    walk_the_queue(egui::vec2(1280.0, 800.0));
}

#[test]
fn review_keys_at_900x600() {
    walk_the_queue(egui::vec2(900.0, 600.0));
}

#[test]
fn clicking_a_score_cell_lists_its_spans_and_jumps_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample_with_model(dir.path());
    let mut h = harness(&root, egui::vec2(1280.0, 800.0));
    press(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::R);
    h.run_steps(2);
    let b = h
        .state()
        .review
        .as_ref()
        .unwrap()
        .scores
        .breakdown
        .clone()
        .unwrap();
    let missed = b.report.overall.get(Scheme::Strict).missed;
    assert!(missed > 0);
    // The "missed" count of the first row (all labels).
    let cell = h
        .get_all_by_label(&missed.to_string())
        .next()
        .unwrap()
        .rect()
        .center();
    h.hover_at(cell);
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: cell,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.run_steps(1);
    }
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("span(s); click one to go to it")
            .is_some(),
        "no span list"
    );
    let row = h
        .get_all_by_label_contains(" · model ")
        .next()
        .unwrap()
        .rect()
        .center();
    h.hover_at(row);
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: row,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.run_steps(1);
    }
    h.run_steps(3);
    assert!(
        h.state().pane.selection.is_some(),
        "the click did not go to the span"
    );
}

/// Runs frames until the recommender `i` says something other than "training…".
fn wait_for_recommender(h: &mut Harness<SpanbenchApp>, i: usize) -> String {
    for _ in 0..600 {
        h.run_steps(1);
        let s = h.state().recommenders.status[i].clone();
        if !s.is_empty() && s != "training…" {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the recommender did not finish");
}

#[test]
fn recommenders_window_learns_from_gold_and_fills_model_layers() {
    for size in [egui::vec2(1280.0, 800.0), egui::vec2(900.0, 600.0)] {
        let dir = tempfile::tempdir().unwrap();
        let root = sample_with_model(dir.path());
        let mut h = harness(&root, size);
        h.get_by_label("Review").click();
        h.run_steps(2);
        h.get_by_label("Recommenders…").click();
        h.run_steps(3);
        assert!(h.state().recommenders.open);
        // Learning from ana's own layer, which has nothing done: it says what it needs.
        h.get_all_by_label("Run now").next().unwrap().click();
        h.run_steps(1);
        let said = wait_for_recommender(&mut h, 0);
        assert!(said.contains("needs 1 more done document"), "{said}");
        // Learn from gold instead.
        // The window's list of layers (the toolbar shows "ana (you)" too, before it).
        h.get_all_by_value("ana (you)").last().unwrap().click();
        h.run_steps(2);
        h.get_all_by_label("gold").last().unwrap().click();
        h.run_steps(2);
        assert_eq!(h.state().recommenders.from.as_deref(), Some("gold"));
        assert!(
            h.state().recommenders.status[0].is_empty(),
            "what it said about ana's layer stays"
        );
        for (i, layer) in [(0, "string-matcher"), (1, "crf")] {
            h.get_all_by_label("Run now").nth(i).unwrap().click();
            h.run_steps(1);
            let said = wait_for_recommender(&mut h, i);
            assert!(said.contains("learnt from 2 done document(s)"), "{said}");
            let corpus = &h.state().session.as_ref().unwrap().corpus;
            assert_eq!(
                corpus.project.layer_kind(layer),
                spanbench::model::LayerKind::Model
            );
            let n: usize = corpus.annotations[layer]
                .values()
                .map(|s| s.spans.len())
                .sum();
            assert!(n > 50, "{layer}: {n} suggestions");
        }
        // With two done documents there is no held-out fifth yet: the window says so.
        assert_eq!(
            h.query_all_by_label_contains("once 5 documents are done")
                .count(),
            2
        );
    }
}
