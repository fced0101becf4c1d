//! GUI tests of the annotator's tools: dialogs that stay usable, long reports, the
//! status bar, search and annotate-all, the command palette and the document workflow.
//! The real app, driven headless through egui_kittest with real pointer and key events.

use std::path::Path;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spanbench::model::Document;
use spanbench::storage;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

const TEXT: &str = "Putin met Pashinyan in Երևան on Sept. 20.\nPutin and Aliyev spoke; putin's aide, Putinist, agreed.";
const DOC: &str = "doc1";

fn project(dir: &Path) {
    let mut corpus = storage::create(dir, "test").unwrap();
    corpus
        .documents
        .push(Document::new(DOC, "A test article", TEXT.to_string()));
    storage::save_all(dir, &corpus).unwrap();
}

fn harness_sized(dir: &Path, annotator: &str, size: egui::Vec2) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: annotator.into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.open_project(dir);
    assert!(
        app.session.is_some(),
        "project did not open: {:?}",
        app.notice
    );
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(4);
    h
}

fn harness(dir: &Path) -> Harness<'static, SpanbenchApp> {
    harness_sized(dir, "tester", egui::vec2(1280.0, 800.0))
}

fn press_mod(h: &mut Harness<SpanbenchApp>, m: Modifiers, key: Key) {
    h.key_press_modifiers(m, key);
    h.run_steps(2);
}

/// A click as a hand makes it: move there, press, release, each in its own frame.
fn click_at(h: &mut Harness<SpanbenchApp>, at: egui::Pos2) {
    h.hover_at(at);
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.run_steps(1);
    }
    h.run_steps(1);
}

/// A quick click, as a mouse or touchpad often delivers it: the move, the press and the
/// release arrive within one frame.
fn quick_click_at(h: &mut Harness<SpanbenchApp>, at: egui::Pos2) {
    let events = &mut h.input_mut().events;
    events.push(egui::Event::PointerMoved(at));
    for pressed in [true, false] {
        events.push(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run_steps(3);
}

fn click(h: &mut Harness<SpanbenchApp>, label: &str) {
    let at = h.get_by_label(label).rect().center();
    click_at(h, at);
}

fn format_combo(h: &Harness<SpanbenchApp>, value: &str) -> egui::Pos2 {
    h.get_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some(value))
        .rect()
        .center()
}

#[test]
fn export_dialog_format_list_works_on_the_second_opening() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path());
    // First opening: look at the format list, close it with Escape, cancel.
    press_mod(&mut h, Modifiers::COMMAND, Key::E);
    let combo = format_combo(&h, "spans-jsonl");
    click_at(&mut h, combo);
    assert!(
        h.query_by_label("conll").is_some(),
        "the format list did not open"
    );
    press_mod(&mut h, Modifiers::NONE, Key::Escape);
    click(&mut h, "Cancel");
    assert!(h.state().dialog.is_none());
    for round in 0..2 {
        if round == 0 {
            press_mod(&mut h, Modifiers::COMMAND, Key::E);
        } else {
            click(&mut h, "File");
            let at = h.get_by_label_contains("Export…").rect().center();
            click_at(&mut h, at);
        }
        h.run_steps(2);
        assert!(h.state().dialog.is_some(), "round {round}: no dialog");
        let combo = format_combo(&h, "spans-jsonl");
        quick_click_at(&mut h, combo);
        let conll = h.get_by_label("conll").rect().center();
        quick_click_at(&mut h, conll);
        match &h.state().dialog {
            Some(spanbench::ui::dialogs::Dialog::Export { format, .. }) => {
                assert_eq!(
                    *format,
                    spanbench::formats::ExportFormat::Conll,
                    "round {round}"
                )
            }
            other => panic!("round {round}: the dialog closed: {other:?}"),
        }
        click(&mut h, "Cancel");
    }
}
