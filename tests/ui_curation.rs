//! Curation in the GUI, driven through egui_kittest with real clicks and keys at
//! 1280x800 and 900x600: the adjudicator's day on the sample (agreement per label in the
//! statistics, pre-merge, every disagreement resolved with the keyboard, the gold layer
//! exported), gold feedback, and the statistics window's clicks.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spanbench::curation::feedback::feedback;
use spanbench::curation::{Curation, Resolution, Team};
use spanbench::model::{Choice, DocStatus};
use spanbench::storage;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::curation_view;
use spanbench::ui::settings::UserSettings;
use spanbench::ui::statistics::Target;

fn harness(root: &Path, size: egui::Vec2) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: "curator".into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.open_project(root);
    assert!(app.session.is_some(), "{:?}", app.notice);
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(4);
    h
}

/// The sample project as a new user gets it.
fn sample(dir: &Path) -> PathBuf {
    spanbench::ui::install_sample(dir).unwrap()
}

/// A click, then 2 more frame(s) for what it opens.
fn click_at(h: &mut Harness<SpanbenchApp>, at: egui::Pos2) {
    common::click_at(h, at);
    h.run_steps(2);
}

fn click(h: &mut Harness<SpanbenchApp>, label: &str) {
    let at = h.get_by_label(label).rect().center();
    click_at(h, at);
}

fn menu(h: &mut Harness<SpanbenchApp>, top: &str, item: &str) {
    click(h, top);
    click(h, item);
}

fn press(h: &mut Harness<SpanbenchApp>, key: Key) {
    h.key_press(key);
    h.run_steps(2);
}

fn progress(h: &Harness<SpanbenchApp>) -> (usize, usize) {
    h.state()
        .curation
        .view
        .as_ref()
        .expect("the curation view is open")
        .cur
        .progress()
}

fn gold_places(h: &Harness<SpanbenchApp>) -> BTreeSet<(String, usize, usize, String)> {
    let s = h.state().session.as_ref().unwrap();
    s.corpus
        .annotations
        .get("gold")
        .into_iter()
        .flat_map(|m| m.iter())
        .flat_map(|(d, set)| {
            set.spans
                .iter()
                .map(move |x| (d.clone(), x.start, x.end, x.label.clone()))
        })
        .collect()
}

fn wait_for_agreement(h: &mut Harness<SpanbenchApp>) {
    for _ in 0..1000 {
        h.run_steps(1);
        if h.state()
            .statistics
            .as_ref()
            .is_some_and(|w| w.agreement().is_some())
        {
            h.run_steps(2);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("agreement was not computed");
}

/// The adjudicator's day, every step through the window.
fn adjudicate_the_sample(size: egui::Vec2) {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let mut h = harness(&root, size);

    // Agreement per label, in the statistics window: the figures `spanbench agreement`
    // prints for the sample.
    menu(&mut h, "Curation", "Statistics…");
    wait_for_agreement(&mut h);
    assert!(
        h.query_by_label("Per label: Krippendorff's alpha over characters")
            .is_some()
    );
    let report = match h.state().statistics.as_ref().unwrap().agreement() {
        Some(Ok(r)) => r.clone(),
        other => panic!("no agreement: {other:?}"),
    };
    let alpha = report.labels.get("ACTOR").unwrap().krippendorff_alpha;
    assert_eq!(format!("{}", alpha.display(4)), "0.7290");
    for shown in ["0.7290", "0.8036", "0.7512", "0.6730"] {
        assert!(
            h.query_all_by_label(shown).next().is_some(),
            "{shown} not shown"
        );
    }
    menu(&mut h, "Curation", "Statistics…");
    assert!(h.state().statistics.is_none());

    // The curation view: opening it unlocks gold, with the usual confirmation.
    menu(&mut h, "Curation", "Curation view (adjudicate into gold)…");
    assert!(h.state().curation.view.is_none(), "opened without asking");
    click(&mut h, "Edit this layer");
    assert!(h.state().curation.is_open());
    assert_eq!(h.state().session.as_ref().unwrap().annotator, "gold");
    // The hand-made gold already settles 33 of the 43 disagreements.
    assert_eq!(progress(&h), (33, 43));
    assert!(h.query_by_label("All: resolved 33 of 43").is_some());
    let drawn = curation_view::drawn_units(h.state()).unwrap();
    assert!(drawn.0 > 0 && drawn.1 > 0, "{drawn:?}");

    // Pre-merge: the sample's gold has every agreed span already.
    menu(&mut h, "Curation", "Pre-merge into gold…");
    assert!(h.state().curation.premerge.is_some());
    assert!(h.query_by_label_contains("Adds 0 span(s)").is_some());
    h.get_by_role_and_label(Role::Button, "Pre-merge").click();
    h.run_steps(3);
    assert!(h.state().curation.premerge.is_none());
    assert_eq!(progress(&h), (33, 43));

    // N and P walk the unresolved ones.
    let first = h.state().curation.view.as_ref().unwrap().current;
    assert!(first.is_some());
    press(&mut h, Key::N);
    let second = h.state().curation.view.as_ref().unwrap().current;
    assert_ne!(first, second);
    press(&mut h, Key::P);
    assert_eq!(h.state().curation.view.as_ref().unwrap().current, first);

    // E, a boundary key, Enter: one decision; U takes it all back.
    let before = gold_places(&h);
    press(&mut h, Key::E);
    assert!(h.state().curation.editing());
    assert!(
        h.state().pane.selected_span.is_some(),
        "E selects the gold span"
    );
    // The digits relabel while editing, as label keys do.
    press(&mut h, Key::Num3);
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowLeft);
    h.run_steps(2);
    press(&mut h, Key::Enter);
    assert!(!h.state().curation.editing());
    assert_eq!(progress(&h), (34, 43));
    let (d, s, e) = first.unwrap();
    {
        let v = h.state().curation.view.as_ref().unwrap();
        let r = v.cur.find(d, s, e).unwrap();
        assert_eq!(
            v.cur.resolution(r).unwrap(),
            &Resolution::Decided(Choice::Edited)
        );
    }
    assert_ne!(gold_places(&h), before);
    press(&mut h, Key::U);
    assert_eq!(progress(&h), (33, 43));
    assert_eq!(gold_places(&h), before, "U must restore gold exactly");
    assert_eq!(h.state().curation.view.as_ref().unwrap().current, first);

    // Every remaining disagreement with the keyboard: 1 where mariam has a span, else X.
    let mut rejected = 0;
    let mut taken = 0;
    for _ in 0..43 {
        let (done, total) = progress(&h);
        if done == total {
            break;
        }
        let listing = curation_view::listing(h.state()).expect("a current unit");
        let mariam = &listing.lines[0];
        assert_eq!(mariam.who, "mariam");
        if mariam.spans.as_ref().is_some_and(|v| !v.is_empty()) {
            press(&mut h, Key::Num1);
            taken += 1;
        } else {
            press(&mut h, Key::X);
            rejected += 1;
        }
        assert_eq!(progress(&h).0, done + 1, "{listing:?}");
    }
    assert_eq!(progress(&h), (43, 43));
    assert!(taken > 0 && rejected > 0, "{taken} {rejected}");
    assert!(h.query_by_label("All: resolved 43 of 43").is_some());
    // The digits never tagged anything while curating: only the gold layer changed.
    let s = h.state().session.as_ref().unwrap();
    assert!(!s.corpus.annotations.contains_key("curator"));

    // Saved like any edit, decisions included.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    assert!(!h.state().session.as_ref().unwrap().is_dirty());
    let corpus = storage::load(&root).unwrap();
    let cur = Curation::build(&corpus, Team::resolve(&corpus, None, None).unwrap());
    assert_eq!(cur.progress(), (43, 43));
    let decisions: usize = corpus
        .annotations
        .get("gold")
        .unwrap()
        .values()
        .map(|s| s.decisions.len())
        .sum();
    assert_eq!(decisions, taken + rejected);

    // Export the gold layer.
    click(&mut h, "File");
    let at = h.get_by_label_contains("Export…").rect().center();
    click_at(&mut h, at);
    assert!(h.state().dialog.is_some());
    // The dialog's "Annotators" box (the document list's status filter also says "all").
    h.get_all_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some("all"))
        .max_by(|a, b| a.rect().min.x.total_cmp(&b.rect().min.x))
        .unwrap()
        .click();
    h.run_steps(2);
    click(&mut h, "gold");
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("gold.jsonl");
    h.get_all_by_role(Role::TextInput)
        .find(|n| n.value().is_some_and(|v| v.ends_with(".jsonl")))
        .expect("the output field")
        .focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_all_by_role(Role::TextInput)
        .find(|n| n.value().is_some_and(|v| v.ends_with(".jsonl")))
        .unwrap()
        .type_text(&out.display().to_string());
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
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "one line per document of the gold layer");
    let mut exported = BTreeSet::new();
    for l in &lines {
        assert_eq!(l["meta"]["annotator"], "gold");
        for sp in l["spans"].as_array().unwrap() {
            exported.insert((
                l["id"].as_str().unwrap().to_string(),
                sp["start"].as_u64().unwrap() as usize,
                sp["end"].as_u64().unwrap() as usize,
                sp["label"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(exported, gold_places(&h));
    // Each rejected unit has no gold span left in it.
    for doc in 0..cur.documents.len() {
        for (i, u) in cur.units(doc).iter().enumerate() {
            let r = spanbench::curation::UnitRef { doc, unit: i };
            if cur.resolution(r) == Some(&Resolution::Decided(Choice::Rejected)) {
                assert!(cur.gold_spans(&corpus, r).is_empty(), "{u:?}");
            }
        }
    }
}

#[test]
fn an_adjudicator_resolves_the_sample_into_gold_with_the_keyboard_at_1280x800() {
    adjudicate_the_sample(egui::vec2(1280.0, 800.0));
}

#[test]
fn an_adjudicator_resolves_the_sample_into_gold_with_the_keyboard_at_900x600() {
    adjudicate_the_sample(egui::vec2(900.0, 600.0));
}

#[test]
fn curation_keys_do_nothing_outside_the_view_and_cancelled_unlock_keeps_it_closed() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let mut h = harness(&root, egui::vec2(1280.0, 800.0));
    let before = gold_places(&h);
    for k in [Key::N, Key::X, Key::E, Key::U] {
        press(&mut h, k);
    }
    assert_eq!(gold_places(&h), before);
    menu(&mut h, "Curation", "Curation view (adjudicate into gold)…");
    click(&mut h, "Cancel");
    h.run_steps(2);
    assert!(!h.state().curation.is_open());
    assert!(
        h.state()
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("needs the gold layer unlocked"))
    );
}

#[test]
fn a_project_with_one_annotator_explains_that_curation_needs_two() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    std::fs::remove_dir_all(root.join("annotations/tomas")).unwrap();
    let text = std::fs::read_to_string(root.join("project.ron")).unwrap();
    std::fs::write(
        root.join("project.ron"),
        text.replace("        \"tomas\",\n", ""),
    )
    .unwrap();
    let mut h = harness(&root, egui::vec2(900.0, 600.0));
    menu(&mut h, "Curation", "Curation view (adjudicate into gold)…");
    assert!(!h.state().curation.is_open());
    let n = h.state().notice.clone().unwrap();
    assert!(n.text.contains("at least 2 annotators"), "{}", n.text);
    assert!(!n.text.contains('\n'));
    // The statistics say so too, instead of a number.
    menu(&mut h, "Curation", "Statistics…");
    wait_for_agreement(&mut h);
    assert!(
        h.query_by_label_contains("agreement needs at least 2 annotators")
            .is_some()
    );
    assert!(h.query_by_label_contains("NaN").is_none());
}

fn choose_layer(h: &mut Harness<SpanbenchApp>, layer: &str) {
    h.get_by(|n| n.role() == Role::ComboBox && n.value().is_some_and(|v| v.starts_with("curator")))
        .click();
    h.run_steps(2);
    click(h, layer);
}

fn feedback_on_an_annotators_layer(size: egui::Vec2) {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let mut h = harness(&root, size);
    choose_layer(&mut h, "tomas");
    assert_eq!(h.state().session.as_ref().unwrap().annotator, "tomas");
    h.get_by_role_and_label(Role::CheckBox, "Gold differences")
        .click();
    h.run_steps(3);
    let fb = h
        .state()
        .feedback
        .as_ref()
        .expect("the toggle turned it on");
    let doc = h.state().current_doc.clone().unwrap();
    let corpus = &h.state().session.as_ref().unwrap().corpus;
    let expected = feedback(corpus, "tomas", "gold", &doc).unwrap().unwrap();
    assert_eq!(fb.doc_counts(), Some(&expected.counts));
    assert!(h.state().pane.overlay.is_some(), "drawn in the pane");
    // The counts are on screen, per document and for all documents.
    let label = spanbench::agreement::disagreements::Kind::Label;
    let shown = format!("wrong label {}", expected.counts.get(label));
    assert!(h.query_all_by_label(&shown).next().is_some(), "{shown}");
    assert!(h.query_by_label("All documents:").is_some());
    // Off again, from the menu.
    menu(
        &mut h,
        "Curation",
        "Show where gold differs from this layer",
    );
    assert!(h.state().feedback.is_none());
}

#[test]
fn gold_feedback_on_an_annotators_layer_at_1280x800() {
    feedback_on_an_annotators_layer(egui::vec2(1280.0, 800.0));
}

#[test]
fn gold_feedback_on_an_annotators_layer_at_900x600() {
    feedback_on_an_annotators_layer(egui::vec2(900.0, 600.0));
}

fn target(h: &Harness<SpanbenchApp>, t: &Target) -> Pos2 {
    h.state()
        .statistics
        .as_ref()
        .unwrap()
        .target(t)
        .unwrap_or_else(|| panic!("{t:?} not drawn"))
}

#[test]
fn statistics_bars_and_cells_go_to_the_spans_behind_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let mut h = harness(&root, egui::vec2(1280.0, 800.0));
    menu(&mut h, "Curation", "Statistics…");
    wait_for_agreement(&mut h);
    // The same numbers as `spanbench stats`.
    let corpus = storage::load(&root).unwrap();
    let st = spanbench::stats::stats(&corpus);
    assert_eq!(h.state().statistics.as_ref().unwrap().stats, st);

    // A bar of "spans per label": the first PLACE span, selected in its layer.
    let at = target(&h, &Target::Label("PLACE".into()));
    click_at(&mut h, at);
    let s = h.state().session.as_ref().unwrap();
    let id = h.state().pane.selected_span.expect("a span is selected");
    let doc = h.state().current_doc.clone().unwrap();
    assert_eq!(s.span(&doc, id).unwrap().label, "PLACE");

    // A cell of the progress grid (the charts above folded away, as a user would, so
    // the grid is on screen): that document in that layer.
    for header in ["Spans per label", "Spans per annotator", "Agreement"] {
        click(&mut h, header);
    }
    let second = corpus.documents[1].id.clone();
    let at = target(&h, &Target::Cell(second.clone(), "tomas".into()));
    click_at(&mut h, at);
    assert_eq!(h.state().current_doc.as_deref(), Some(second.as_str()));
    assert_eq!(h.state().session.as_ref().unwrap().annotator, "tomas");

    // A status cell: the list shows only those documents.
    let at = target(&h, &Target::Status("tomas".into(), DocStatus::InProgress));
    click_at(&mut h, at);
    assert_eq!(
        h.state().doc_filter.status,
        spanbench::ui::doc_list::StatusFilter::Only(DocStatus::InProgress)
    );
}

#[test]
fn a_bar_of_agreement_per_label_goes_to_a_disagreement_of_that_label() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    // Tall enough that the agreement charts are on screen without scrolling.
    let mut h = harness(&root, egui::vec2(1280.0, 2000.0));
    menu(&mut h, "Curation", "Statistics…");
    wait_for_agreement(&mut h);
    h.run_steps(3);
    let at = target(&h, &Target::LabelAgreement("DATE".into()));
    click_at(&mut h, at);
    let s = h.state().session.as_ref().unwrap();
    let id = h.state().pane.selected_span.expect("a span is selected");
    let doc = h.state().current_doc.clone().unwrap();
    assert_eq!(s.span(&doc, id).unwrap().label, "DATE");
    assert!(["mariam", "tomas"].contains(&s.annotator.as_str()));
}
