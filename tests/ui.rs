//! GUI tests: the real app, driven headless through egui_kittest with real pointer and
//! key events, checked against the model and the files on disk.

use std::path::Path;

use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spanbench::model::Document;
use spanbench::storage;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

const TEXT: &str =
    "Putin met Pashinyan in Երևան on Sept. 20.\nThe deal 👍🏽 was signed by Ильхам Алиев.";
const DOC: &str = "doc1";

fn project(dir: &Path) {
    let mut corpus = storage::create(dir, "test").unwrap();
    corpus
        .documents
        .push(Document::new(DOC, "A test article", TEXT.to_string()));
    storage::save_all(dir, &corpus).unwrap();
}

fn char_index(needle: &str) -> usize {
    let b = TEXT.find(needle).unwrap();
    TEXT[..b].chars().count()
}

fn harness(dir: &Path, annotator: &str) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: annotator.into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    if !annotator.is_empty() {
        app.open_project(dir);
        assert!(
            app.session.is_some(),
            "project did not open: {:?}",
            app.notice
        );
    }
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(4);
    h
}

fn pos(h: &Harness<SpanbenchApp>, c: usize) -> Pos2 {
    h.state()
        .pane
        .char_pos(c)
        .unwrap_or_else(|| panic!("char {c} is not laid out"))
}

/// A real drag from the glyph of char `a` to the glyph of char `b`: press, move in
/// steps, release.
fn drag(h: &mut Harness<SpanbenchApp>, a: usize, b: usize) {
    let (from, to) = (pos(h, a), pos(h, b));
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=4 {
        h.hover_at(from + (to - from) * (i as f32 / 4.0));
        h.run_steps(1);
    }
    h.drop_at(to);
    h.run_steps(2);
}

fn spans(h: &Harness<SpanbenchApp>) -> Vec<(usize, usize, String, String)> {
    let s = h.state().session.as_ref().unwrap();
    s.spans(DOC)
        .iter()
        .map(|s| (s.start, s.end, s.label.clone(), s.text.clone()))
        .collect()
}

fn press(h: &mut Harness<SpanbenchApp>, key: Key) {
    h.key_press(key);
    h.run_steps(2);
}

fn press_mod(h: &mut Harness<SpanbenchApp>, m: Modifiers, key: Key) {
    h.key_press_modifiers(m, key);
    h.run_steps(2);
}

#[test]
fn drag_select_tag_undo_redo_relabel_delete() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");

    // Drag from inside "Pashinyan" to inside it again: snapping grows it to the word.
    let p = char_index("Pashinyan");
    drag(&mut h, p + 1, p + 6);
    assert_eq!(h.state().pane.selection, Some((p, p + 9)));
    press(&mut h, Key::Num1);
    assert_eq!(
        spans(&h),
        vec![(p, p + 9, "ACTOR".into(), "Pashinyan".into())]
    );

    // Undo and redo with the keyboard.
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(spans(&h).is_empty());
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(spans(&h).len(), 1);
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    press_mod(&mut h, Modifiers::COMMAND, Key::Y);
    assert_eq!(spans(&h).len(), 1);

    // Click the span to select it, relabel with a key, delete it, undo the delete.
    press(&mut h, Key::Escape);
    let c = pos(&h, p + 3);
    h.hover_at(c);
    h.run_steps(1);
    h.drag_at(c);
    h.run_steps(1);
    h.drop_at(c);
    h.run_steps(2);
    assert!(
        h.state().pane.selected_span.is_some(),
        "click did not select the span"
    );
    press(&mut h, Key::Num3);
    assert_eq!(
        spans(&h),
        vec![(p, p + 9, "PLACE".into(), "Pashinyan".into())]
    );
    press(&mut h, Key::Delete);
    assert!(spans(&h).is_empty());
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        spans(&h),
        vec![(p, p + 9, "PLACE".into(), "Pashinyan".into())]
    );
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        spans(&h),
        vec![(p, p + 9, "ACTOR".into(), "Pashinyan".into())]
    );
}

#[test]
fn double_click_tags_an_armenian_word_and_label_button_works() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");
    let y = char_index("Երևան");
    let at = pos(&h, y + 2);
    h.hover_at(at);
    h.run_steps(1);
    // Two clicks within the double-click delay: all four events in one frame.
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run_steps(1);
    h.run_steps(1);
    assert_eq!(h.state().pane.selection, Some((y, y + 5)));
    // Tag with the toolbar button rather than the key.
    h.get_by_label("3  Place").click();
    h.run_steps(2);
    assert_eq!(spans(&h), vec![(y, y + 5, "PLACE".into(), "Երևան".into())]);
}

#[test]
fn overlapping_spans_and_graphemes_in_character_mode() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");
    // Character precision: Ctrl+W turns word snapping off.
    press_mod(&mut h, Modifiers::COMMAND, Key::W);
    assert!(
        !h.state()
            .session
            .as_ref()
            .unwrap()
            .corpus
            .project
            .settings
            .snap_to_words
    );
    // A drag that ends between the thumb and its skin-tone modifier never splits them.
    let t = char_index("👍🏽");
    let d = char_index("deal");
    drag(&mut h, d, t + 1);
    let (s, e) = h.state().pane.selection.unwrap();
    assert_eq!(s, d);
    assert_eq!(e, t + 2, "selection must include the whole emoji grapheme");
    press(&mut h, Key::Num5);
    // A nested span inside it.
    press_mod(&mut h, Modifiers::COMMAND, Key::W);
    drag(&mut h, d + 1, d + 2);
    press(&mut h, Key::Num4);
    let got = spans(&h);
    assert_eq!(got.len(), 2);
    assert!(got.contains(&(d, t + 2, "AGREEMENT_TERM".into(), "deal 👍🏽".into())));
    assert!(got.contains(&(d, d + 4, "CLAIM".into(), "deal".into())));
}

#[test]
fn edits_are_autosaved_to_disk() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");
    let p = char_index("Putin");
    drag(&mut h, p, p + 4);
    press(&mut h, Key::Num1);
    let file = storage::set_file(dir.path(), "tester", DOC);
    std::thread::sleep(spanbench::session::AUTOSAVE_DELAY + std::time::Duration::from_millis(100));
    h.run_steps(2);
    let saved = storage::load(dir.path()).unwrap();
    let set = saved
        .set("tester", DOC)
        .unwrap_or_else(|| panic!("{} not written", file.display()));
    assert_eq!(set.spans.len(), 1);
    assert_eq!(set.spans[0].text, "Putin");
    assert!(!h.state().session.as_ref().unwrap().is_dirty());
}

#[test]
fn first_run_asks_for_the_annotator_name() {
    let dir = tempfile::tempdir().unwrap();
    let settings_file = dir.path().join("settings.ron");
    let app = SpanbenchApp::new(UserSettings::default(), Some(settings_file.clone()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(3);
    h.get_by_label("Continue").click();
    h.run_steps(2);
    assert!(
        h.state().dialog.is_some(),
        "an empty name must not be accepted"
    );
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("anna");
    h.run_steps(2);
    h.get_by_label("Continue").click();
    h.run_steps(2);
    assert!(h.state().dialog.is_none());
    assert_eq!(h.state().settings.annotator, "anna");
    let saved = std::fs::read_to_string(&settings_file).unwrap();
    assert!(saved.contains("anna"));
}

#[test]
fn embedded_sample_project_installs_and_opens_with_its_gold_layer() {
    let dir = tempfile::tempdir().unwrap();
    let root = spanbench::ui::install_sample(dir.path()).unwrap();
    let installed = storage::load(&root).unwrap();
    let source =
        storage::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/karabakh")).unwrap();
    assert_eq!(
        installed, source,
        "the embedded sample differs from projects/karabakh"
    );
    // A second run reuses the copy (and the user's work in it) rather than overwriting it.
    std::fs::write(root.join("marker"), "mine").unwrap();
    assert_eq!(spanbench::ui::install_sample(dir.path()).unwrap(), root);
    assert!(root.join("marker").exists());

    let mut h = harness(&root, "gold");
    let s = h.state().session.as_ref().unwrap();
    let doc = h.state().current_doc.clone().unwrap();
    assert!(s.spans(&doc).len() > 20);
    h.run_steps(2);
    assert!(h.state().pane.blocks_laid_out() > 0);
}

#[test]
fn a_failed_autosave_keeps_the_edit_and_retries() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");
    // A folder where the annotation file should go makes every write of it fail.
    let file = storage::set_file(dir.path(), "tester", DOC);
    std::fs::create_dir_all(&file).unwrap();
    let p = char_index("Putin");
    drag(&mut h, p, p + 4);
    press(&mut h, Key::Num1);
    std::thread::sleep(spanbench::session::AUTOSAVE_DELAY + std::time::Duration::from_millis(100));
    h.run_steps(2);
    let notice = h.state().notice.clone().expect("the failure is shown");
    assert!(
        notice.error && notice.text.contains("Autosave failed"),
        "{notice:?}"
    );
    assert!(
        h.state().session.as_ref().unwrap().is_dirty(),
        "the edit must stay unsaved, not dropped"
    );
    assert_eq!(spans(&h).len(), 1);
    // Once the obstacle is gone the next attempt writes the span.
    std::fs::remove_dir(&file).unwrap();
    std::thread::sleep(spanbench::session::AUTOSAVE_DELAY + std::time::Duration::from_millis(100));
    h.run_steps(2);
    let saved = storage::load(dir.path()).unwrap();
    assert_eq!(saved.set("tester", DOC).unwrap().spans[0].text, "Putin");
}

/// Runs frames until the background job (import or export) has finished.
fn wait_for_job(h: &mut Harness<SpanbenchApp>) {
    for _ in 0..500 {
        h.run_steps(1);
        if h.state().job.is_none() {
            h.run_steps(1);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the background job did not finish");
}

fn open_file_menu_item(h: &mut Harness<SpanbenchApp>, item: &str) {
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label_contains(item).click();
    h.run_steps(2);
    assert!(h.state().dialog.is_some(), "{item} did not open its dialog");
    h.run_steps(3);
}

fn import_through_dialog(h: &mut Harness<SpanbenchApp>, file: &Path) {
    open_file_menu_item(h, "Import…");
    h.get_all_by_role(egui::accesskit::Role::MultilineTextInput)
        .next()
        .expect("the paths field")
        .focus();
    h.run_steps(1);
    h.get_all_by_role(egui::accesskit::Role::MultilineTextInput)
        .next()
        .unwrap()
        .type_text(&file.display().to_string());
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Import")
        .click();
    h.run_steps(1);
    // The dialog closes only once the background import has started; it may already
    // have finished, so the job itself is not checked here. A refused import opens the
    // dialog again, with its report over it, which a quick one may already have done.
    assert!(
        h.state().dialog.is_none() || h.state().report_open,
        "the import did not start: {:?}",
        h.state().dialog
    );
    wait_for_job(h);
}

#[test]
fn import_dialog_imports_doccano_annotations_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");

    // doccano's own sample uses labels this project does not have: refused, nothing changes.
    let foreign = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/doccano/ner.jsonl");
    import_through_dialog(&mut h, &foreign);
    let notice = h.state().notice.clone().unwrap();
    assert!(notice.error && notice.text.contains("PER"), "{notice:?}");
    assert_eq!(
        h.state().session.as_ref().unwrap().corpus.documents.len(),
        1
    );
    // Every problem is listed in a report over the dialog, which keeps the paths for a
    // retry: Escape closes the report, then the dialog.
    press(&mut h, Key::Escape);
    press(&mut h, Key::Escape);
    assert!(h.state().dialog.is_none());

    let ours = dir.path().join("ours.jsonl");
    std::fs::write(
        &ours,
        "{\"text\": \"Putin met Aliyev in Баку 👍🏽.\", \"label\": [[0, 5, \"ACTOR\"], [20, 24, \"PLACE\"]]}\n",
    )
    .unwrap();
    import_through_dialog(&mut h, &ours);
    let s = h.state().session.as_ref().unwrap();
    assert_eq!(s.corpus.documents.len(), 2, "{:?}", h.state().notice);
    // The import is saved at once, annotations included, with the offsets kept.
    let saved = storage::load(dir.path()).unwrap();
    assert_eq!(saved.documents.len(), 2);
    let texts: Vec<&str> = saved
        .annotations
        .values()
        .flat_map(|m| m.values())
        .flat_map(|set| set.spans.iter().map(|s| s.text.as_str()))
        .collect();
    assert_eq!(texts, vec!["Putin", "Баку"]);
}

#[test]
fn export_dialog_writes_spans_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");
    let p = char_index("Pashinyan");
    drag(&mut h, p, p + 3);
    press(&mut h, Key::Num1);
    open_file_menu_item(&mut h, "Export…");
    // Outside the project: an export into a project folder is refused.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("out.jsonl");
    let field = h
        .get_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.value().is_some_and(|v| v.ends_with(".jsonl")))
        .expect("the output field");
    // Replace the suggested path with ours.
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.is_focused())
        .unwrap()
        .type_text(&out.display().to_string());
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Export")
        .click();
    h.run_steps(1);
    wait_for_job(&mut h);
    let text =
        std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}: {:?}", h.state().notice));
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["spans"][0]["text"], "Pashinyan");
    assert_eq!(line["spans"][0]["start"], p);
    assert_eq!(line["meta"]["annotator"], "tester");
}

#[test]
fn hover_shows_label_and_text_and_alt_arrows_change_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = storage::create(dir.path(), "test").unwrap();
    corpus
        .documents
        .push(Document::new(DOC, "First", TEXT.to_string()));
    corpus.documents.push(Document::new(
        "doc2",
        "Second",
        "Another article.".to_string(),
    ));
    storage::save_all(dir.path(), &corpus).unwrap();
    let mut h = harness(dir.path(), "tester");
    let p = char_index("Pashinyan");
    drag(&mut h, p, p + 3);
    press(&mut h, Key::Num1);
    press(&mut h, Key::Escape);
    h.hover_at(pos(&h, p + 2));
    // Tooltips appear after the pointer rests a moment.
    for _ in 0..40 {
        h.run_steps(1);
        if h.query_by_label_contains("“Pashinyan”").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        h.query_by_label_contains("“Pashinyan”").is_some(),
        "no hover card for the span"
    );
    assert!(h.query_by_label("Actor").is_some());

    press_mod(&mut h, Modifiers::ALT, Key::ArrowDown);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc2"));
    press_mod(&mut h, Modifiers::ALT, Key::ArrowUp);
    assert_eq!(h.state().current_doc.as_deref(), Some(DOC));
}

#[test]
fn labels_dialog_renames_and_adds_labels() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester");
    h.get_by_label("Edit").click();
    h.run_steps(2);
    h.get_by_label("Labels…").click();
    h.run_steps(4);
    // Rename "Actor" to "Participant".
    let actor_field = || {
        |n: &egui_kittest::kittest::AccessKitNode<'_>| {
            n.role() == egui::accesskit::Role::TextInput && n.value().as_deref() == Some("Actor")
        }
    };
    h.get_by(actor_field()).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_by(actor_field()).type_text("Participant");
    h.run_steps(1);
    // Applied as typed: no button needed for save or quit to see it.
    assert_eq!(
        h.state().session.as_ref().unwrap().corpus.project.labels[0].name,
        "Participant"
    );
    assert!(h.state().session.as_ref().unwrap().is_dirty());
    // Add a label: the key field is the last text field of the dialog.
    let last = h
        .get_all_by_role(egui::accesskit::Role::TextInput)
        .last()
        .unwrap();
    last.focus();
    h.run_steps(1);
    h.get_all_by_role(egui::accesskit::Role::TextInput)
        .last()
        .unwrap()
        .type_text("event");
    h.run_steps(1);
    h.get_by_label("Add label").click();
    // The dialog grows by a row; let its layout settle before clicking below it.
    h.run_steps(4);
    h.get_by_label("Close").click();
    h.run_steps(2);
    assert!(h.state().dialog.is_none(), "{:?}", h.state().dialog);
    let labels = &h.state().session.as_ref().unwrap().corpus.project.labels;
    assert_eq!(labels[0].key, "ACTOR");
    assert_eq!(labels[0].name, "Participant");
    assert_eq!(labels.last().unwrap().key, "EVENT");
    // The toolbar shows the new name at once, and project.ron gets it.
    assert!(h.query_by_label("1  Participant").is_some());
    assert!(h.state_mut().save_now());
    let saved = storage::load(dir.path()).unwrap();
    assert_eq!(saved.project.labels[0].name, "Participant");
}

// ---------------------------------------------------------------------------------
// Other processes on the same project

fn harness_watching(dir: &Path, annotator: &str, watch: bool) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: annotator.into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.watch_disk = watch;
    app.open_project(dir);
    assert!(app.session.is_some(), "{:?}", app.notice);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(4);
    h
}

/// Runs the real binary: another process, as a user would run it.
fn cli(cwd: &Path, args: &[&str]) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_spanbench"))
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Another process imports spans into this window's own layer of the open document.
fn cli_imports_into_layer(dir: &Path, annotator: &str, needle: &str, label: &str) {
    let (s, e) = (
        char_index(needle),
        char_index(needle) + needle.chars().count(),
    );
    let line = serde_json::json!({
        "id": DOC,
        "text": TEXT,
        "spans": [{"start": s, "end": e, "label": label, "text": needle}],
        "meta": {"annotator": annotator},
    });
    let f = dir
        .parent()
        .unwrap()
        .join(format!("{annotator}-{needle}.jsonl"));
    std::fs::write(&f, format!("{line}\n")).unwrap();
    cli(
        dir.parent().unwrap(),
        &["import", dir.to_str().unwrap(), f.to_str().unwrap()],
    );
}

fn disk_spans(dir: &Path, annotator: &str) -> Vec<(String, String)> {
    let corpus = storage::load(dir).unwrap();
    let mut v: Vec<(String, String)> = corpus
        .set(annotator, DOC)
        .map(|s| {
            s.spans
                .iter()
                .map(|x| (x.text.clone(), x.label.clone()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn save(h: &mut Harness<SpanbenchApp>) {
    press_mod(h, Modifiers::COMMAND, Key::S);
    assert!(
        !h.state().session.as_ref().unwrap().is_dirty(),
        "not saved: {:?}",
        h.state().notice
    );
}

#[test]
fn a_save_after_another_process_changed_the_same_layer_keeps_both() {
    for size in [egui::vec2(1280.0, 800.0), egui::vec2(900.0, 600.0)] {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("p");
        project(&dir);
        // Not watching: the window does not know of the other process's work until it
        // saves, as when the two write within the same instant.
        let mut h = harness_watching(&dir, "tester", false);
        h.set_size(size);
        h.run_steps(2);
        cli_imports_into_layer(&dir, "tester", "Pashinyan", "ACTOR");
        let p = char_index("Putin");
        drag(&mut h, p, p + 4);
        press(&mut h, Key::Num1);
        save(&mut h);
        assert_eq!(
            disk_spans(&dir, "tester"),
            [
                ("Pashinyan".into(), "ACTOR".into()),
                ("Putin".into(), "ACTOR".into())
            ]
        );
        // The window now shows both, and nothing was a conflict.
        assert_eq!(spans(&h).len(), 2);
        assert!(h.state().session.as_ref().unwrap().conflicts.is_empty());
    }
}

#[test]
fn the_window_reads_in_what_another_process_wrote() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    project(&dir);
    let mut h = harness_watching(&dir, "tester", true);
    cli_imports_into_layer(&dir, "tester", "Pashinyan", "ACTOR");
    let start = std::time::Instant::now();
    while spans(&h).is_empty() && start.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.run_steps(1);
    }
    assert_eq!(spans(&h).len(), 1, "the imported span did not appear");
    let p = char_index("Putin");
    drag(&mut h, p, p + 4);
    press(&mut h, Key::Num2);
    save(&mut h);
    assert_eq!(
        disk_spans(&dir, "tester"),
        [
            ("Pashinyan".into(), "ACTOR".into()),
            ("Putin".into(), "DATE".into())
        ]
    );
}

#[test]
fn two_windows_on_one_project_keep_both_windows_edits_and_show_conflicts() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    project(&dir);
    let mut a = harness_watching(&dir, "tester", false);
    let mut b = harness_watching(&dir, "tester", false);
    let p = char_index("Pashinyan");
    drag(&mut a, p, p + 9);
    press(&mut a, Key::Num1);
    save(&mut a);
    let q = char_index("Putin");
    drag(&mut b, q, q + 5);
    press(&mut b, Key::Num3);
    save(&mut b);
    assert_eq!(
        disk_spans(&dir, "tester"),
        [
            ("Pashinyan".into(), "ACTOR".into()),
            ("Putin".into(), "PLACE".into())
        ]
    );

    // Both windows now know span Putin; each relabels it differently.
    let mut a = harness_watching(&dir, "tester", false);
    let mut b = harness_watching(&dir, "tester", false);
    for (h, key) in [(&mut a, Key::Num2), (&mut b, Key::Num4)] {
        let c = pos(h, q + 2);
        h.hover_at(c);
        h.run_steps(1);
        h.drag_at(c);
        h.run_steps(1);
        h.drop_at(c);
        h.run_steps(2);
        assert!(h.state().pane.selected_span.is_some());
        press(h, key);
        // One writer at a time: the first saves before the second edits.
        save(h);
    }
    let got = disk_spans(&dir, "tester");
    assert!(got.contains(&("Putin".into(), "DATE".into())), "{got:?}");
    assert!(got.contains(&("Putin".into(), "CLAIM".into())), "{got:?}");
    assert_eq!(got.len(), 3, "{got:?}");
    b.run_steps(2);
    let conflicts = b.state().session.as_ref().unwrap().conflicts.clone();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    b.get_by_label_contains("Another process changed the same annotations");
    b.get_by_label("Dismiss").click();
    b.run_steps(2);
    assert!(b.state().session.as_ref().unwrap().conflicts.is_empty());
}

#[test]
fn annotators_added_by_another_process_survive_this_windows_save() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    project(&dir);
    let mut h = harness_watching(&dir, "tester", false);
    cli_imports_into_layer(&dir, "bob", "Pashinyan", "ACTOR");
    press_mod(&mut h, Modifiers::COMMAND, Key::W);
    save(&mut h);
    let project = storage::load(&dir).unwrap().project;
    assert!(
        project.annotators.contains(&"bob".to_string()),
        "{:?}",
        project.annotators
    );
    assert!(!project.settings.snap_to_words);
}

#[test]
fn opens_read_only_while_another_process_writes_and_says_who() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    project(&dir);
    let lock = storage::ProjectLock::try_acquire(&dir, "spanbench import")
        .unwrap()
        .unwrap();
    let mut h = harness_watching(&dir, "tester", true);
    let who = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .read_only()
        .map(String::from);
    assert!(
        who.as_deref()
            .is_some_and(|w| w.contains("spanbench import")),
        "{who:?}"
    );
    h.get_by_label("Read-only");
    let p = char_index("Putin");
    drag(&mut h, p, p + 4);
    press(&mut h, Key::Num1);
    assert!(spans(&h).is_empty());
    let notice = h.state().notice.clone().unwrap();
    assert!(
        notice.error && notice.text.contains("spanbench import"),
        "{notice:?}"
    );
    drop(lock);
    let start = std::time::Instant::now();
    while h.state().session.as_ref().unwrap().read_only().is_some()
        && start.elapsed() < std::time::Duration::from_secs(10)
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
        h.run_steps(1);
    }
    assert!(h.state().session.as_ref().unwrap().read_only().is_none());
    drag(&mut h, p, p + 4);
    press(&mut h, Key::Num1);
    assert_eq!(spans(&h).len(), 1);
    save(&mut h);
}
