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

/// Runs frames until the background job (import or export) has finished.
fn wait_for_job(h: &mut Harness<SpanbenchApp>) {
    for _ in 0..1000 {
        h.run_steps(1);
        if h.state().job.is_none() {
            h.run_steps(2);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the background job did not finish");
}

/// The sample project, installed into `dir`, open for `annotator`.
fn sample(dir: &Path, annotator: &str) -> Harness<'static, SpanbenchApp> {
    let root = spanbench::ui::install_sample(dir).unwrap();
    harness_sized(&root, annotator, egui::vec2(1280.0, 800.0))
}

/// Replaces the text of the `n`-th single-line field with `text`, by typing.
fn retype_field(h: &mut Harness<SpanbenchApp>, n: usize, text: &str) {
    h.get_all_by_role(Role::TextInput).nth(n).unwrap().focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_all_by_role(Role::TextInput)
        .nth(n)
        .unwrap()
        .type_text(text);
    h.run_steps(2);
}

fn body_row_height(h: &Harness<SpanbenchApp>) -> f32 {
    h.ctx.global_style().text_styles[&egui::TextStyle::Body].size * 1.6
}

#[test]
fn a_long_export_report_opens_in_a_window_and_the_status_bar_stays_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), "gold");
    press_mod(&mut h, Modifiers::COMMAND, Key::E);
    h.run_steps(2);
    let combo = format_combo(&h, "spans-jsonl");
    click_at(&mut h, combo);
    click(&mut h, "conll");
    let out = dir.path().join("out.conll");
    retype_field(&mut h, 0, &out.display().to_string());
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run_steps(1);
    wait_for_job(&mut h);
    assert!(out.exists(), "{:?}", h.state().notice);

    // CoNLL cannot hold nested spans: each dropped one is a line of the report.
    let report = h.state().report.clone().expect("a report");
    assert!(report.lines.len() > 20, "{report:?}");
    assert!(h.state().report_open);
    assert!(h.query_by_label("Export report").is_some());
    assert!(
        h.query_by_label(&report.lines[0]).is_some(),
        "the first line is shown"
    );
    let notice = h.state().notice.clone().unwrap();
    assert!(!notice.text.contains('\n'), "{notice:?}");
    // The status bar's notice is one row high, at the bottom of the window.
    let summary = h
        .get_all_by_label_contains("Exported")
        .max_by(|a, b| a.rect().bottom().total_cmp(&b.rect().bottom()))
        .unwrap()
        .rect();
    assert!(summary.height() < body_row_height(&h), "{summary:?}");
    assert!(summary.bottom() > 780.0, "{summary:?}");

    // Escape closes the window; the status bar's Details… opens it again; Close closes.
    press_mod(&mut h, Modifiers::NONE, Key::Escape);
    assert!(!h.state().report_open);
    assert!(h.query_by_label("Export report").is_none());
    click(&mut h, "Details…");
    assert!(h.state().report_open);
    click(&mut h, "Close");
    assert!(!h.state().report_open);
    // The app takes keys again: Alt+Down opens the next document.
    let before = h.state().current_doc.clone();
    press_mod(&mut h, Modifiers::ALT, Key::ArrowDown);
    assert_ne!(h.state().current_doc, before);
}

#[test]
fn a_refused_batch_import_lists_every_problem_and_keeps_the_paths() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path());
    let files: Vec<std::path::PathBuf> = ["good.txt", "empty.txt", "blank.txt", "binary.txt"]
        .iter()
        .map(|n| dir.path().join(n))
        .collect();
    std::fs::write(&files[0], "Aliyev spoke in Baku.").unwrap();
    std::fs::write(&files[1], "").unwrap();
    std::fs::write(&files[2], "  \n\n ").unwrap();
    std::fs::write(&files[3], [0u8, 159, 146, 150, 0, 1]).unwrap();
    let typed = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");

    press_mod(&mut h, Modifiers::COMMAND, Key::I);
    h.run_steps(2);
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run_steps(1);
    h.get_by_role(Role::MultilineTextInput).type_text(&typed);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Import").click();
    h.run_steps(1);
    wait_for_job(&mut h);

    // Every problem is listed, one per refused file, in the report window on top.
    let report = h.state().report.clone().expect("a report");
    assert_eq!(report.lines.len(), 3, "{report:?}");
    for name in ["empty.txt", "blank.txt", "binary.txt"] {
        assert!(
            report.lines.iter().any(|l| l.contains(name)),
            "{name}: {report:?}"
        );
        let line = report.lines.iter().find(|l| l.contains(name)).unwrap();
        assert!(h.query_by_label(line).is_some(), "{name} not shown");
    }
    assert_eq!(
        h.state().session.as_ref().unwrap().corpus.documents.len(),
        1
    );
    // Escape closes the report; the import dialog is still there with the paths.
    press_mod(&mut h, Modifiers::NONE, Key::Escape);
    assert!(!h.state().report_open);
    match &h.state().dialog {
        Some(spanbench::ui::dialogs::Dialog::Import { paths, error, .. }) => {
            assert_eq!(paths, &typed);
            assert!(
                error.as_deref().unwrap_or("").contains("more problem"),
                "{error:?}"
            );
        }
        other => panic!("the import dialog is gone: {other:?}"),
    }
    // Fix the files and retry from the same dialog.
    for f in &files[1..] {
        std::fs::write(f, "Pashinyan spoke in Yerevan.").unwrap();
    }
    h.get_by_role_and_label(Role::Button, "Import").click();
    h.run_steps(1);
    wait_for_job(&mut h);
    assert_eq!(
        h.state().session.as_ref().unwrap().corpus.documents.len(),
        5,
        "{:?}",
        h.state().notice
    );
}

fn status_shows(h: &Harness<SpanbenchApp>, text: &str) -> bool {
    h.query_by_label_contains(text).is_some()
}

/// Selects the word at char `c` with a real double-click.
fn double_click_char(h: &mut Harness<SpanbenchApp>, c: usize) {
    let at = h.state().pane.char_pos(c).expect("char laid out");
    h.hover_at(at);
    h.run_steps(1);
    let events = &mut h.input_mut().events;
    for pressed in [true, false, true, false] {
        events.push(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run_steps(2);
}

fn char_index(needle: &str) -> usize {
    TEXT[..TEXT.find(needle).unwrap()].chars().count()
}

#[test]
fn the_status_bar_shows_saved_after_autosave_without_any_input() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path());
    double_click_char(&mut h, char_index("Pashinyan") + 2);
    press_mod(&mut h, Modifiers::NONE, Key::Num1);
    assert!(status_shows(&h, "Unsaved changes"));
    std::thread::sleep(spanbench::session::AUTOSAVE_DELAY + std::time::Duration::from_millis(50));
    // Frames run only while the app asks for them: no pointer move, no key.
    h.run();
    assert!(!h.state().session.as_ref().unwrap().is_dirty());
    assert!(
        status_shows(&h, "All changes saved"),
        "the status bar lags the save"
    );
    assert!(!status_shows(&h, "Unsaved changes"));
}

#[test]
fn notices_give_way_to_newer_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), "newcomer");
    let doc = h.state().current_doc.clone().unwrap();
    let text = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .corpus
        .document(&doc)
        .unwrap()
        .text
        .clone();
    let putin = text[..text.find("Putin").unwrap()].chars().count();
    let spans = |h: &Harness<SpanbenchApp>| h.state().session.as_ref().unwrap().spans(&doc).len();
    // The first-run hint goes with the first edit.
    assert!(status_shows(&h, "You have no annotations here yet"));
    double_click_char(&mut h, putin + 1);
    press_mod(&mut h, Modifiers::NONE, Key::Num1);
    assert_eq!(spans(&h), 1);
    assert!(
        !status_shows(&h, "You have no annotations here yet"),
        "{:?}",
        h.state().notice
    );
    // Undo twice: the second has nothing to undo, and says so.
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(spans(&h), 0);
    assert!(status_shows(&h, "Nothing to undo."));
    // An undo that worked leaves no "Nothing to undo." behind.
    double_click_char(&mut h, putin + 1);
    press_mod(&mut h, Modifiers::NONE, Key::Num1);
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(spans(&h), 0);
    assert!(
        !status_shows(&h, "Nothing to undo."),
        "{:?}",
        h.state().notice
    );
}

/// A project of `n` documents `doc01`…, each mentioning Putin.
fn project_of(dir: &Path, n: usize) {
    let mut corpus = storage::create(dir, "test").unwrap();
    for i in 1..=n {
        corpus.documents.push(Document::new(
            &format!("doc{i:02}"),
            &format!("Article {i}"),
            format!("Article {i}: Putin met Aliyev.\nPutin spoke."),
        ));
    }
    storage::save_all(dir, &corpus).unwrap();
}

#[test]
fn window_size_and_last_document_survive_a_restart() {
    use eframe::App as _;
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    project_of(&proj, 3);
    let settings_file = dir.path().join("settings.ron");
    let settings = UserSettings {
        annotator: "tester".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, Some(settings_file.clone()));
    app.open_project(&proj);
    let mut h = Harness::builder()
        .with_size(egui::vec2(900.0, 600.0))
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(3);
    press_mod(&mut h, Modifiers::ALT, Key::ArrowDown);
    press_mod(&mut h, Modifiers::ALT, Key::ArrowDown);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc03"));
    // Quitting writes the settings.
    h.state_mut().on_exit(None);
    drop(h);

    let (settings, warning) = UserSettings::load(Some(&settings_file));
    assert_eq!(warning, None);
    assert_eq!(settings.window_size(), [900.0, 600.0]);
    let mut app = SpanbenchApp::new(settings, Some(settings_file));
    app.open_project(&proj);
    assert_eq!(app.current_doc.as_deref(), Some("doc03"));
}
