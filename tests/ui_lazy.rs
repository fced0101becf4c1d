//! A project too big to load whole, in the real window at 1280x800 and 900x600: the
//! list shows every document from the index, the pane gets its document from the
//! loader without a frame waiting for it, the next document is read ahead, done-and-next
//! works across documents never loaded, and a command that needs every document loads
//! them first, then runs.

mod common;

#[path = "../benches/synthetic/project.rs"]
mod generated;

use std::path::Path;
use std::time::Duration;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spanbench::session::LAZY_ABOVE;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

const DOCS: usize = LAZY_ABOVE + 100;

fn harness(root: &Path, size: egui::Vec2) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: "ana".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.watch_disk = false;
    app.open_project(root);
    // A big project opens on a worker: the window draws meanwhile and says so.
    assert!(app.session.is_none());
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(1);
    assert!(
        h.query_by_label_contains("building the index of its")
            .is_some(),
        "{:?}",
        h.state().notice
    );
    until(&mut h, "the project", |a| a.session.is_some());
    h
}

/// Runs frames until `done` holds (the loader works on its own thread).
fn until(h: &mut Harness<SpanbenchApp>, what: &str, done: impl Fn(&SpanbenchApp) -> bool) {
    for _ in 0..3000 {
        h.run_steps(1);
        if done(h.state()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!(
        "timed out waiting for {what}; notice: {:?}",
        h.state().notice
    );
}

fn shown(app: &SpanbenchApp) -> &str {
    app.pane.doc_id()
}

fn id(i: usize) -> String {
    format!("doc-{i:06}")
}

fn a_big_project_in_the_window(size: egui::Vec2) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    generated::write_project(&root, DOCS, 3, &["ana"]);
    let mut h = harness(&root, size);
    let s = h.state().session.as_ref().unwrap();
    assert!(s.is_partial());
    assert_eq!(s.doc_count(), DOCS);
    assert!(
        h.state()
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains(&format!("({DOCS} documents)"))),
        "{:?}",
        h.state().notice
    );
    until(&mut h, "the first document", |a| shown(a) == id(0));
    // Statuses cycle new, in progress, done, reviewed: half are done.
    let done = format!("{} of {DOCS} done", DOCS / 2);
    if h.state().panels.documents {
        assert!(h.query_by_label(&done).is_some(), "{done}");
    }
    // The open document and the one read ahead, nothing else.
    until(&mut h, "the next document read ahead", |a| {
        a.session.as_ref().unwrap().loaded_count() == 2
    });
    // The next document was read ahead: it is on screen at the next frame.
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    h.run_steps(2);
    assert_eq!(shown(h.state()), id(1));
    // Done and next: doc 1 was in progress; 2 and 3 are done, 4 is new.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    until(&mut h, "the next document not done", |a| shown(a) == id(4));
    let s = h.state().session.as_ref().unwrap();
    assert_eq!(s.status(&id(1)), spanbench::model::DocStatus::Done);
    assert!(s.loaded_count() < 6, "{}", s.loaded_count());
    if h.state().panels.documents {
        let done = format!("{} of {DOCS} done", DOCS / 2 + 1);
        h.run_steps(2);
        assert!(h.query_by_label(&done).is_some(), "{done}");
        // A row of the list opens its document.
        let at = h.get_by_label("Generated report 7").rect().center();
        common::click_at(&mut h, at);
        until(&mut h, "the clicked document", |a| shown(a) == id(7));
        // Far down by keys: the list follows the open document.
        for k in 8..=40 {
            h.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
            until(&mut h, "the next document", |a| shown(a) == id(k));
        }
        h.run_steps(3);
        // Its row and the pane's title.
        assert_eq!(h.query_all_by_label("Generated report 40").count(), 2);
        assert!(h.query_by_label("Generated report 0").is_none());
    }
    // Search in all documents reads the texts from the files, loading nothing.
    h.state_mut().session.as_mut().unwrap().set_memory_budget(1);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    h.run_steps(2);
    h.event(egui::Event::Text("Lachin".into()));
    until(&mut h, "the search", |a| a.search.outcome.is_some());
    let expected: usize = (0..DOCS)
        .map(|i| {
            let (d, _) = spanbench::storage::read_document(&spanbench::storage::document_file(
                &root,
                &id(i),
            ))
            .unwrap();
            d.text.matches("Lachin").count()
        })
        .sum();
    let outcome = h.state().search.outcome.unwrap();
    assert_eq!((outcome.docs_searched, outcome.hits), (DOCS, expected));
    let s = h.state().session.as_ref().unwrap();
    assert!(s.is_partial());
    assert!(s.loaded_count() < 6, "{}", s.loaded_count());
    // A hit in a document not in memory: it loads, and the hit is selected.
    assert!(s.corpus.document(&id(0)).is_none());
    let row = h
        .query_all_by_label_contains("Generated report 0 — ")
        .next()
        .expect("a hit in the first document")
        .rect()
        .center();
    common::click_at(&mut h, row);
    until(&mut h, "the hit's document", |a| {
        shown(a) == id(0) && a.pane.selection.is_some()
    });
    let (a, b) = h.state().pane.selection.unwrap();
    let text = &h
        .state()
        .session
        .as_ref()
        .unwrap()
        .corpus
        .document(&id(0))
        .unwrap()
        .text;
    assert_eq!(spanbench::offsets::slice_chars(text, a, b), Some("Lachin"));
    h.key_press(Key::Escape);
    h.run_steps(2);

    // Statistics come from the index: the window opens at once, nothing else loads.
    h.key_press_modifiers(Modifiers::COMMAND, Key::P);
    h.run_steps(2);
    h.event(egui::Event::Text("Statistics".into()));
    h.run_steps(2);
    h.key_press(Key::Enter);
    h.run_steps(2);
    let st = &h
        .state()
        .statistics
        .as_ref()
        .expect("statistics open")
        .stats;
    assert_eq!((st.documents, st.spans), (DOCS, DOCS * 3));
    assert!(h.state().session.as_ref().unwrap().is_partial());
    // Agreement needs every span: a button loads them, and the window comes back.
    // Below the charts: scrolled to, as the window's scroll bar would.
    h.get_by_label("Load every document and compute agreement")
        .scroll_to_me();
    h.run_steps(3);
    h.get_by_label("Load every document and compute agreement")
        .click();
    h.run_steps(2);
    assert!(
        h.state()
            .notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with(&format!("Loading all {DOCS} documents"))),
        "{:?}",
        h.state().notice
    );
    until(&mut h, "the statistics window", |a| a.statistics.is_some());
    let s = h.state().session.as_ref().unwrap();
    assert!(!s.is_partial());
    assert_eq!(s.loaded_count(), DOCS);
    // The edit made while partial is kept and saved.
    assert_eq!(s.status(&id(1)), spanbench::model::DocStatus::Done);
    h.state_mut().save_now();
    let set =
        spanbench::storage::read_set(&spanbench::storage::set_file(&root, "ana", &id(1)), "ana")
            .unwrap()
            .0;
    assert_eq!(set.status, spanbench::model::DocStatus::Done);
}

#[test]
fn a_big_project_opens_from_its_index_at_1280x800() {
    a_big_project_in_the_window(egui::vec2(1280.0, 800.0));
}

#[test]
fn a_big_project_opens_from_its_index_at_900x600() {
    a_big_project_in_the_window(egui::vec2(900.0, 600.0));
}
