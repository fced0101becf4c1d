//! GUI tests of the annotator's tools: dialogs that stay usable, long reports, the
//! status bar, search and annotate-all, the command palette and the document workflow.
//! The real app, driven headless through egui_kittest with real pointer and key events.

mod common;

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

/// A click, then 1 more frame(s) for what it opens.
fn click_at(h: &mut Harness<SpanbenchApp>, at: egui::Pos2) {
    common::click_at(h, at);
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

/// Replaces, by typing, the text of the single-line field whose text `is` recognises.
fn retype_field(h: &mut Harness<SpanbenchApp>, is: impl Fn(&str) -> bool, text: &str) {
    h.get_by(|n| n.role() == Role::TextInput && n.value().is_some_and(|v| is(&v)))
        .focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    type_text(h, text);
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
    // The output field holds the suggested path.
    retype_field(
        &mut h,
        |v| v.contains("karabakh-"),
        &out.display().to_string(),
    );
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
    // The size is written once it has settled, without waiting for a clean exit (a
    // killed process never gets one).
    std::thread::sleep(spanbench::ui::workflow::SIZE_SETTLE);
    h.run_steps(2);
    let (written, _) = UserSettings::load(Some(&settings_file));
    assert_eq!(written.window_size, Some([900.0, 600.0]));
    assert_eq!(written.last_document(&proj), Some("doc03"));
    // Quitting writes the settings too.
    h.state_mut().on_exit(None);
    drop(h);

    let (settings, warning) = UserSettings::load(Some(&settings_file));
    assert_eq!(warning, None);
    assert_eq!(settings.window_size(), [900.0, 600.0]);
    let mut app = SpanbenchApp::new(settings, Some(settings_file));
    app.open_project(&proj);
    assert_eq!(app.current_doc.as_deref(), Some("doc03"));
}

/// Types text into the focused field, as a keyboard does.
fn type_text(h: &mut Harness<SpanbenchApp>, text: &str) {
    h.event(egui::Event::Text(text.to_string()));
    h.run_steps(2);
}

fn hits(h: &Harness<SpanbenchApp>) -> Vec<(usize, usize)> {
    h.state()
        .search
        .hits
        .iter()
        .map(|(_, hit)| (hit.start, hit.end))
        .collect()
}

fn doc_spans(h: &Harness<SpanbenchApp>, doc: &str) -> Vec<(usize, usize, String, String)> {
    h.state()
        .session
        .as_ref()
        .unwrap()
        .spans(doc)
        .iter()
        .map(|s| (s.start, s.end, s.label.clone(), s.text.clone()))
        .collect()
}

fn click_checkbox(h: &mut Harness<SpanbenchApp>, label: &str) {
    let at = h
        .get_by_role_and_label(Role::CheckBox, label)
        .rect()
        .center();
    click_at(h, at);
}

#[test]
fn find_in_document_selects_each_hit_and_a_label_key_tags_it() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path());
    press_mod(&mut h, Modifiers::COMMAND, Key::F);
    assert!(h.state().search.open);
    type_text(&mut h, "Putin");
    // Plain text, any case, any part of a word: Putin, Putin, putin's, Putinist.
    let p2 = char_index("Putin and");
    let lower = char_index("putin's");
    let ist = char_index("Putinist");
    assert_eq!(
        hits(&h),
        vec![(0, 5), (p2, p2 + 5), (lower, lower + 5), (ist, ist + 5)]
    );
    assert!(status_shows(&h, "4 hit(s) in this document"));
    // Enter selects the first hit and leaves the field: the label key tags it.
    press_mod(&mut h, Modifiers::NONE, Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().pane.selection, Some((0, 5)));
    press_mod(&mut h, Modifiers::NONE, Key::Num1);
    // F3 goes to the next one.
    press_mod(&mut h, Modifiers::NONE, Key::F3);
    h.run_steps(2);
    assert_eq!(h.state().pane.selection, Some((p2, p2 + 5)));
    press_mod(&mut h, Modifiers::NONE, Key::Num1);
    assert_eq!(
        doc_spans(&h, DOC),
        vec![
            (0, 5, "ACTOR".into(), "Putin".into()),
            (p2, p2 + 5, "ACTOR".into(), "Putin".into())
        ]
    );
    // Shift+F3 goes back, wrapping around.
    press_mod(&mut h, Modifiers::SHIFT, Key::F3);
    h.run_steps(2);
    assert_eq!(h.state().pane.selection, Some((0, 5)));
    press_mod(&mut h, Modifiers::SHIFT, Key::F3);
    h.run_steps(2);
    assert_eq!(h.state().pane.selection, Some((ist, ist + 5)));
    // Whole words: "Putinist" goes. Match case: "putin's" goes too.
    click_checkbox(&mut h, "Whole word");
    assert_eq!(hits(&h), vec![(0, 5), (p2, p2 + 5), (lower, lower + 5)]);
    click_checkbox(&mut h, "Match case");
    assert_eq!(hits(&h), vec![(0, 5), (p2, p2 + 5)]);
    // The hits are drawn in the pane.
    assert_eq!(h.state().pane.marks.0.len(), 2);
    // Clicking a result selects its hit.
    let row = h
        .get_all_by_label_contains("Putin and")
        .next()
        .unwrap()
        .rect()
        .center();
    click_at(&mut h, row);
    h.run_steps(2);
    assert_eq!(h.state().pane.selection, Some((p2, p2 + 5)));
    // Close: no more marks.
    click(&mut h, "Close");
    assert!(!h.state().search.open);
    assert!(h.state().pane.marks.is_empty());
}

#[test]
fn a_regular_expression_that_does_not_compile_gets_an_inline_message() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path());
    press_mod(&mut h, Modifiers::COMMAND, Key::F);
    click_checkbox(&mut h, "Regex");
    h.get_by(|n| {
        n.role() == Role::TextInput && n.is_focused()
            || n.placeholder() == Some("Regular expression…")
    })
    .focus();
    h.run_steps(1);
    type_text(&mut h, "(Putin|Aliyev");
    assert!(hits(&h).is_empty());
    let msg = h.state().search.error.clone().expect("an inline message");
    assert!(msg.starts_with("not a valid regular expression"), "{msg}");
    assert!(!msg.contains('\n'));
    assert!(status_shows(&h, "not a valid regular expression"));
    type_text(&mut h, ")");
    assert_eq!(h.state().search.error, None);
    assert_eq!(hits(&h).len(), 5, "Putin ×4 and Aliyev");
    // Patterns too big to compile are refused the same way.
    type_text(&mut h, r"\w{1000}{1000}");
    assert!(h.state().search.error.is_some());
}

/// Runs frames until the corpus search has finished.
fn wait_for_search(h: &mut Harness<SpanbenchApp>) {
    for _ in 0..1000 {
        h.run_steps(1);
        if !h.state().search.running() {
            h.run_steps(1);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the search did not finish");
}

#[test]
fn find_in_all_documents_lists_hits_with_titles_and_jumps_to_them() {
    let dir = tempfile::tempdir().unwrap();
    project_of(dir.path(), 3);
    let mut h = harness(dir.path());
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    assert_eq!(h.state().search.scope, spanbench::ui::search::Scope::Corpus);
    type_text(&mut h, "Aliyev");
    wait_for_search(&mut h);
    assert_eq!(h.state().search.hits.len(), 3);
    assert!(status_shows(&h, "3 hit(s) in 3 document(s)"));
    // Each result names its document and shows the text around the hit.
    let row = h
        .get_by_label_contains("Article 3 — Article 3: Putin met Aliyev.")
        .rect()
        .center();
    click_at(&mut h, row);
    h.run_steps(3);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc03"));
    let at = "Article 3: Putin met ".chars().count();
    assert_eq!(h.state().pane.selection, Some((at, at + 6)));
    press_mod(&mut h, Modifiers::NONE, Key::Num1);
    assert_eq!(
        doc_spans(&h, "doc03"),
        vec![(at, at + 6, "ACTOR".into(), "Aliyev".into())]
    );
    // Next hit wraps to the first document.
    press_mod(&mut h, Modifiers::NONE, Key::F3);
    h.run_steps(3);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc01"));
    // Adding documents runs the search again.
    let n = h.state().search.hits.len();
    assert_eq!(n, 3);
}

/// The whole-word, matching-case hits of `word` in `text`, as char ranges.
fn occurrences(text: &str, word: &str) -> Vec<(usize, usize)> {
    spanbench::search::Matcher::new(&spanbench::search::Query::exact_word(word))
        .unwrap()
        .hits(text, usize::MAX)
        .iter()
        .map(|h| (h.start, h.end))
        .collect()
}

#[test]
fn tag_every_putin_on_the_sample_article_as_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(dir.path(), "tester");
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
    let putins = occurrences(&text, "Putin");
    assert!(putins.len() >= 4, "{putins:?}");

    // From a search: Ctrl+F, "Putin", whole word and case, then annotate all as Actor.
    press_mod(&mut h, Modifiers::COMMAND, Key::F);
    type_text(&mut h, "Putin");
    click_checkbox(&mut h, "Whole word");
    click_checkbox(&mut h, "Match case");
    assert_eq!(hits(&h), putins);
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::A);
    let run = h.state().annotate.as_ref().expect("annotate all started");
    assert_eq!(run.items.len(), putins.len());
    // Every proposal is drawn in the pane and listed.
    assert_eq!(h.state().pane.marks.0.len(), putins.len());
    assert!(status_shows(&h, &format!("proposal 1 of {}", putins.len())));
    // Enter accepts the first, Space skips the second, A accepts all the rest.
    press_mod(&mut h, Modifiers::NONE, Key::Enter);
    press_mod(&mut h, Modifiers::NONE, Key::Space);
    assert!(status_shows(&h, "proposal 3 of"));
    press_mod(&mut h, Modifiers::NONE, Key::A);
    assert!(h.state().annotate.is_none());
    let tagged: Vec<(usize, usize)> = doc_spans(&h, &doc).iter().map(|s| (s.0, s.1)).collect();
    let mut want = putins.clone();
    want.remove(1);
    assert_eq!(tagged, want);
    assert!(
        doc_spans(&h, &doc)
            .iter()
            .all(|s| s.2 == "ACTOR" && s.3 == "Putin")
    );
    // One undo step for the whole batch, and one redo.
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(doc_spans(&h, &doc).is_empty());
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(doc_spans(&h, &doc).len(), putins.len() - 1);

    // From the selected span: only the Putin left untagged is proposed, never a
    // duplicate of a span with the same range and label.
    click(&mut h, "Close");
    let first = h.state().session.as_ref().unwrap().spans(&doc)[0].id;
    h.state_mut().pane.scroll_to = Some(putins[0].0);
    h.run_steps(3);
    let at = h.state().pane.char_pos(putins[0].0 + 2).unwrap();
    click_at(&mut h, at);
    assert_eq!(h.state().pane.selected_span, Some(first));
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::A);
    let run = h.state().annotate.as_ref().expect("annotate all started");
    assert_eq!(run.items.len(), 1);
    assert_eq!((run.items[0].hit.start, run.items[0].hit.end), putins[1]);
    press_mod(&mut h, Modifiers::NONE, Key::Enter);
    let tagged: Vec<(usize, usize)> = doc_spans(&h, &doc).iter().map(|s| (s.0, s.1)).collect();
    assert_eq!(tagged, putins);
    // Nothing is left to propose now.
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::A);
    assert!(h.state().annotate.is_none());
    assert!(status_shows(&h, "already tagged Actor"));
    // The batch was saved like any edit.
    h.state_mut().save_now();
    let root = h.state().session.as_ref().unwrap().root.clone();
    let saved = storage::load(&root).unwrap();
    assert_eq!(saved.set("tester", &doc).unwrap().spans.len(), putins.len());
}

#[test]
fn escape_stops_annotate_all_and_keeps_what_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path());
    press_mod(&mut h, Modifiers::COMMAND, Key::F);
    type_text(&mut h, "Putin");
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::A);
    assert_eq!(h.state().annotate.as_ref().unwrap().items.len(), 4);
    press_mod(&mut h, Modifiers::NONE, Key::Space);
    press_mod(&mut h, Modifiers::NONE, Key::Enter);
    press_mod(&mut h, Modifiers::NONE, Key::Escape);
    assert!(h.state().annotate.is_none());
    let p2 = char_index("Putin and");
    assert_eq!(
        doc_spans(&h, DOC),
        vec![(p2, p2 + 5, "ACTOR".into(), "Putin".into())]
    );
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(doc_spans(&h, DOC).is_empty());
}

#[test]
fn command_palette_filters_as_you_type_and_runs_with_enter() {
    let dir = tempfile::tempdir().unwrap();
    project_of(dir.path(), 3);
    let mut h = harness(dir.path());
    let dark = h.state().settings.dark_mode;
    press_mod(&mut h, Modifiers::COMMAND, Key::P);
    assert!(h.state().palette.is_some());
    // Every command is listed with its shortcut.
    assert!(
        h.query_by_label_contains("Find in all documents…")
            .is_some()
    );
    assert!(h.query_by_label_contains("Ctrl+Shift+F").is_some());
    type_text(&mut h, "thme");
    assert!(
        h.query_by_label_contains("Switch dark/light theme")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("Find in all documents…")
            .is_none()
    );
    press_mod(&mut h, Modifiers::NONE, Key::Enter);
    assert!(h.state().palette.is_none());
    assert_ne!(
        h.state().settings.dark_mode,
        dark,
        "Enter did not run the command"
    );

    // Arrow keys choose among the matches, even when the document list had them.
    let row = h
        .get_by_role_and_label(Role::Button, "Article 1")
        .rect()
        .center();
    click_at(&mut h, row);
    assert!(h.state().doc_filter.focused);
    press_mod(&mut h, Modifiers::COMMAND, Key::P);
    type_text(&mut h, "document");
    let shown = spanbench::ui::palette::filter("document");
    let second = shown
        .iter()
        .position(|c| *c == spanbench::ui::commands::Command::NextDocument);
    for _ in 0..second.unwrap() {
        press_mod(&mut h, Modifiers::NONE, Key::ArrowDown);
    }
    press_mod(&mut h, Modifiers::NONE, Key::Enter);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc02"));

    // Escape closes it without running anything; the keys work again.
    press_mod(&mut h, Modifiers::COMMAND, Key::P);
    type_text(&mut h, "quit");
    press_mod(&mut h, Modifiers::NONE, Key::Escape);
    assert!(h.state().palette.is_none());
    press_mod(&mut h, Modifiers::ALT, Key::ArrowDown);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc03"));
    // F1 is still the shortcuts screen.
    press_mod(&mut h, Modifiers::NONE, Key::F1);
    assert!(matches!(
        h.state().dialog,
        Some(spanbench::ui::dialogs::Dialog::Shortcuts)
    ));
}

fn status_of(h: &Harness<SpanbenchApp>, doc: &str) -> spanbench::model::DocStatus {
    h.state().session.as_ref().unwrap().status(doc)
}

#[test]
fn ctrl_enter_marks_done_and_opens_the_next_document_not_done() {
    use spanbench::model::DocStatus;
    let dir = tempfile::tempdir().unwrap();
    project_of(dir.path(), 4);
    let mut h = harness(dir.path());
    assert!(status_shows(&h, "0 of 4 done"));
    // Mark doc02 done first: the walk from doc01 will skip it.
    press_mod(&mut h, Modifiers::ALT, Key::ArrowDown);
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc03"));
    press_mod(&mut h, Modifiers::ALT, Key::ArrowUp);
    press_mod(&mut h, Modifiers::ALT, Key::ArrowUp);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc01"));
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert_eq!(status_of(&h, "doc01"), DocStatus::Done);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc03"));
    assert!(status_shows(&h, "2 of 4 done"));
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc04"));
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    // All done: it stays and says so.
    assert_eq!(h.state().current_doc.as_deref(), Some("doc04"));
    assert!(status_shows(&h, "4 of 4 done"));
    assert!(status_shows(&h, "All 4 document(s) are done"));
    // Each mark is one undo step, and undo goes back to that document.
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(status_of(&h, "doc04"), DocStatus::New);
    assert!(status_shows(&h, "3 of 4 done"));
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(status_of(&h, "doc03"), DocStatus::New);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc03"));
}

#[test]
fn the_document_list_filters_moves_with_arrow_keys_and_shows_progress() {
    let dir = tempfile::tempdir().unwrap();
    project_of(dir.path(), 12);
    let mut h = harness(dir.path());
    // Filter by text: "Article 1" matches 1, 10, 11, 12.
    let field = h.get_by(|n| {
        n.role() == Role::TextInput && n.placeholder() == Some("Filter by title or id")
    });
    field.focus();
    h.run_steps(1);
    type_text(&mut h, "article 1");
    assert!(status_shows(&h, "4 shown"));
    assert!(h.query_by_label("Article 2").is_none());
    // Enter opens the first match; the arrow keys then move in the list.
    press_mod(&mut h, Modifiers::NONE, Key::Enter);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc01"));
    press_mod(&mut h, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc10"));
    press_mod(&mut h, Modifiers::NONE, Key::ArrowDown);
    press_mod(&mut h, Modifiers::NONE, Key::ArrowDown);
    press_mod(&mut h, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(
        h.state().current_doc.as_deref(),
        Some("doc12"),
        "stays on the last"
    );
    press_mod(&mut h, Modifiers::NONE, Key::ArrowUp);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc11"));
    // Other keys still reach the app while the list has the arrows.
    press_mod(&mut h, Modifiers::COMMAND, Key::Enter);
    assert!(status_shows(&h, "1 of 12 done"));

    // Filter by status: "done" shows only doc11.
    let field =
        h.get_by(|n| n.role() == Role::TextInput && n.value().as_deref() == Some("article 1"));
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.key_press(Key::Backspace);
    h.run_steps(2);
    let combo = h
        .get_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some("all"))
        .rect()
        .center();
    click_at(&mut h, combo);
    let item = h
        .get_by_role_and_label(Role::Button, "done")
        .rect()
        .center();
    click_at(&mut h, item);
    assert!(status_shows(&h, "1 shown"));
    assert!(h.query_by_label("Article 11").is_some());
    assert!(h.query_by_label("Article 3").is_none());
    // A click on a row gives the list the arrow keys; outside, they go back to the app.
    let combo = h
        .get_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some("done"))
        .rect()
        .center();
    click_at(&mut h, combo);
    let item = h
        .get_by_role_and_label(Role::Button, "not done")
        .rect()
        .center();
    click_at(&mut h, item);
    assert!(status_shows(&h, "11 shown"));
    let row = h
        .get_by_role_and_label(Role::Button, "Article 3")
        .rect()
        .center();
    click_at(&mut h, row);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc03"));
    press_mod(&mut h, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc04"));
    let pane = h.state().pane.char_pos(3).unwrap();
    click_at(&mut h, pane);
    press_mod(&mut h, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc04"));
}

#[test]
fn the_document_list_builds_only_its_visible_rows() {
    let dir = tempfile::tempdir().unwrap();
    project_of(dir.path(), 1000);
    let h = harness(dir.path());
    let rows = h.get_all_by_label_contains("Article ").count();
    assert!(rows > 5 && rows < 80, "{rows} rows built");
    assert!(status_shows(&h, "0 of 1000 done"));
}

#[test]
fn a_corpus_search_shows_progress_and_can_be_cancelled() {
    use spanbench::model::{Corpus, Project};
    use spanbench::session::Session;
    // A big corpus in memory: the search takes long enough to be seen running.
    let mut corpus = Corpus::new(Project::new("big"));
    let para = "Putin met Aliyev and Pashinyan in Moscow; the ceasefire held. ".repeat(40);
    corpus.documents = (0..40_000)
        .map(|i| Document::new(&format!("d{i:05}"), &format!("Article {i}"), para.clone()))
        .collect();
    let mut app = SpanbenchApp::new(
        UserSettings {
            annotator: "tester".into(),
            ..Default::default()
        },
        None,
    );
    app.session = Some(Session::new(
        std::env::temp_dir().join("spanbench-never-saved"),
        corpus,
        "tester",
    ));
    app.current_doc = Some("d00000".into());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(2);
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    click_checkbox(&mut h, "Regex");
    h.get_by(|n| n.role() == Role::TextInput && n.placeholder() == Some("Regular expression…"))
        .focus();
    h.run_steps(1);
    type_text(&mut h, r"(?i)\b\w+\s+and\s+\w+yan\b");
    assert!(
        h.state().search.running(),
        "the search ended too soon to cancel"
    );
    assert!(status_shows(&h, "of 40000 documents"), "no progress shown");
    click(&mut h, "Cancel");
    assert!(!h.state().search.running());
    let outcome = h.state().search.outcome.expect("an outcome");
    assert!(
        outcome.cancelled && outcome.docs_searched < 40_000,
        "{outcome:?}"
    );
    assert!(status_shows(&h, "cancelled after"));
    // The hits found so far stay listed and usable.
    assert_eq!(h.state().search.hits.len(), outcome.hits);
}

#[test]
fn the_shortcuts_screen_lists_the_new_keys_and_fits_a_small_window() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness_sized(dir.path(), "tester", egui::vec2(900.0, 600.0));
    press_mod(&mut h, Modifiers::NONE, Key::F1);
    h.run_steps(2);
    for key in [
        "Ctrl+F",
        "Ctrl+Shift+F",
        "Ctrl+P",
        "Ctrl+Enter",
        "Ctrl+Shift+A",
    ] {
        assert!(h.query_by_label(key).is_some(), "{key} not listed");
    }
    let close = h.get_by_role_and_label(Role::Button, "Close").rect();
    assert!(close.bottom() < 600.0, "{close:?}");
    click_at(&mut h, close.center());
    assert!(h.state().dialog.is_none());
}
