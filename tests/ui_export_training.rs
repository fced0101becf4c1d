//! The export dialog's training options (label subset, nesting), driven with real
//! clicks through egui_kittest at 1280x800 and 900x600, checked on the written file.

use std::collections::BTreeMap;
use std::path::Path;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spanbench::model::{Document, Span, SpanId};
use spanbench::offsets::slice_chars;
use spanbench::storage;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

const TEXT: &str = "Putin said Aliyev met him in Baku on 9 November.";

/// A project whose only document has a CLAIM with an ACTOR, a PLACE and a DATE in it.
fn project(dir: &Path) {
    let mut corpus = storage::create(dir, "test").unwrap();
    corpus
        .documents
        .push(Document::new("d", "A test article", TEXT.to_string()));
    let set = corpus.set_mut("tester", "d");
    let spans = [
        (11, 48, "CLAIM"),
        (0, 5, "ACTOR"),
        (11, 17, "ACTOR"),
        (29, 33, "PLACE"),
        (37, 47, "DATE"),
    ];
    for (i, (s, e, l)) in spans.into_iter().enumerate() {
        set.spans.push(Span {
            id: SpanId(i as u32 + 1),
            start: s,
            end: e,
            label: l.into(),
            text: slice_chars(TEXT, s, e).unwrap().into(),
            attrs: BTreeMap::new(),
            note: String::new(),
            origin: Default::default(),
            review: Default::default(),
            score: None,
        });
    }
    storage::save_all(dir, &corpus).unwrap();
}

fn harness(dir: &Path, size: egui::Vec2) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: "tester".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.open_project(dir);
    assert!(app.session.is_some(), "{:?}", app.notice);
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(4);
    h
}

fn click(h: &mut Harness<SpanbenchApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// Opens the format list (the combo box showing `spans-jsonl`) and picks `format`.
fn pick_format(h: &mut Harness<SpanbenchApp>, format: &str) {
    h.get_by_value("spans-jsonl").click();
    h.run_steps(2);
    click(h, format);
}

fn export_conll_with_options(size: egui::Vec2) {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), size);
    click(&mut h, "File");
    h.get_by_label_contains("Export…").click();
    h.run_steps(3);
    assert!(h.state().dialog.is_some(), "the export dialog did not open");

    pick_format(&mut h, "conll");
    // The options appear for a token format; take CLAIM out, keep every level.
    h.get_by_role_and_label(Role::CheckBox, "CLAIM").click();
    h.run_steps(2);
    click(&mut h, "a tag column per level");

    // Outside the project: an export into a project folder is refused.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("ner.conll");
    // The output field is the one holding the suggested path.
    fn output_field<'h>(h: &'h Harness<'_, SpanbenchApp>) -> egui_kittest::Node<'h> {
        h.get_all_by_role(Role::TextInput)
            .find(|n| n.value().is_some_and(|v| v.ends_with(".conll")))
            .expect("the output field")
    }
    output_field(&h).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    output_field(&h).type_text(&out.display().to_string());
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Export").click();
    for _ in 0..500 {
        h.run_steps(1);
        if h.state().job.is_none() && out.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let text =
        std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}: {:?}", h.state().notice));
    let lines: Vec<&str> = text.lines().collect();
    // No CLAIM column: the entities are all on the first level, and the second is empty.
    assert_eq!(
        lines[2..13],
        [
            "Putin B-ACTOR O",
            "said O O",
            "Aliyev B-ACTOR O",
            "met O O",
            "him O O",
            "in O O",
            "Baku B-PLACE O",
            "on O O",
            "9 B-DATE O",
            "November I-DATE O",
            ". O O",
        ]
    );
    assert!(!text.contains("CLAIM"));
}

#[test]
fn export_dialog_takes_a_label_subset_and_tag_columns_at_1280x800() {
    export_conll_with_options(egui::vec2(1280.0, 800.0));
}

#[test]
fn export_dialog_takes_a_label_subset_and_tag_columns_at_900x600() {
    export_conll_with_options(egui::vec2(900.0, 600.0));
}

#[test]
fn export_dialog_refuses_an_export_with_no_label_ticked() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), egui::vec2(1280.0, 800.0));
    click(&mut h, "File");
    h.get_by_label_contains("Export…").click();
    h.run_steps(3);
    pick_format(&mut h, "spacy");
    // spacy takes outer or inner only.
    assert!(h.query_by_label("a tag column per level").is_none());
    for l in ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"] {
        h.get_by_role_and_label(Role::CheckBox, l).click();
        h.run_steps(1);
    }
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run_steps(2);
    assert!(h.state().job.is_none());
    assert!(h.state().dialog.is_some(), "the dialog closed");
    h.get_by_label_contains("Tick at least one label");
}
