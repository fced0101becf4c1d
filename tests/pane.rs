//! GUI tests of the document pane and editing around it: the real app driven headless
//! through egui_kittest with real pointer and key events, at 1280x800 and 900x600.

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spanbench::model::{Document, RelationId, SpanId};
use spanbench::offsets::Edge;
use spanbench::storage;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

const TEXT: &str = "Putin met Pashinyan in Nagorno-Karabakh on Sept. 20.\nThe deal was signed by Ильхам Алиев in Baku.";
const DOC: &str = "doc1";
const SIZES: [(f32, f32); 2] = [(1280.0, 800.0), (900.0, 600.0)];

fn project(dir: &Path) {
    let mut corpus = storage::create(dir, "test").unwrap();
    corpus
        .documents
        .push(Document::new(DOC, "A test article", TEXT.to_string()));
    storage::save_all(dir, &corpus).unwrap();
}

fn at(needle: &str) -> usize {
    let b = TEXT.find(needle).unwrap();
    TEXT[..b].chars().count()
}

fn harness(dir: &Path, annotator: &str, size: (f32, f32)) -> Harness<'static, SpanbenchApp> {
    let settings = UserSettings {
        annotator: annotator.into(),
        ..Default::default()
    };
    let mut app = SpanbenchApp::new(settings, None);
    app.open_project(dir);
    assert!(app.session.is_some(), "{:?}", app.notice);
    let mut h = Harness::builder()
        .with_size(egui::vec2(size.0, size.1))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut SpanbenchApp| app.frame_ui(ui), app);
    h.run_steps(4);
    h
}

/// The sample project, installed into a temp folder.
fn sample(dir: &Path) -> PathBuf {
    spanbench::ui::install_sample(dir).unwrap()
}

fn pos(h: &Harness<SpanbenchApp>, c: usize) -> Pos2 {
    h.state()
        .pane
        .char_pos(c)
        .unwrap_or_else(|| panic!("char {c} is not laid out"))
}

fn step(h: &mut Harness<SpanbenchApp>) {
    h.run_steps(2);
}

/// A real drag: press at `from`, move in steps, release at `to`.
fn drag_points(h: &mut Harness<SpanbenchApp>, from: Pos2, to: Pos2) {
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=4 {
        h.hover_at(from + (to - from) * (i as f32 / 4.0));
        h.run_steps(1);
    }
    h.drop_at(to);
    step(h);
}

fn drag(h: &mut Harness<SpanbenchApp>, a: usize, b: usize) {
    let (from, to) = (pos(h, a), pos(h, b));
    drag_points(h, from, to);
}

fn click_at(h: &mut Harness<SpanbenchApp>, p: Pos2) {
    h.hover_at(p);
    h.run_steps(1);
    h.drag_at(p);
    h.run_steps(1);
    h.drop_at(p);
    step(h);
}

fn double_click_at(h: &mut Harness<SpanbenchApp>, p: Pos2) {
    h.hover_at(p);
    h.run_steps(1);
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    step(h);
}

fn press(h: &mut Harness<SpanbenchApp>, m: Modifiers, key: Key) {
    h.key_press_modifiers(m, key);
    step(h);
}

fn doc_spans(h: &Harness<SpanbenchApp>) -> Vec<(SpanId, String, String)> {
    let s = h.state().session.as_ref().unwrap();
    s.spans(DOC)
        .iter()
        .map(|x| (x.id, x.label.clone(), x.text.clone()))
        .collect()
}

fn texts(h: &Harness<SpanbenchApp>) -> Vec<String> {
    doc_spans(h).into_iter().map(|(_, _, t)| t).collect()
}

/// Tags `needle` with the label key `key` by a drag over it; returns the span's id
/// (selected afterwards).
fn tag(h: &mut Harness<SpanbenchApp>, needle: &str, key: Key) -> SpanId {
    // Nothing selected, so the drag cannot start on a boundary handle.
    press(h, Modifiers::NONE, Key::Escape);
    let s = at(needle);
    drag(h, s, s + needle.chars().count());
    press(h, Modifiers::NONE, key);
    h.state()
        .pane
        .selected_span
        .expect("the new span is selected")
}

fn notice(h: &Harness<SpanbenchApp>) -> String {
    h.state()
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

/// Waits (with real time passing) until a tooltip holding `text` shows.
fn wait_for_label(h: &mut Harness<SpanbenchApp>, text: &str) -> bool {
    for _ in 0..50 {
        h.run_steps(1);
        if h.query_all_by_label_contains(text).next().is_some() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

#[test]
fn every_character_of_the_sample_articles_fits_in_the_pane() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    for size in SIZES {
        let mut h = harness(&root, "tester", size);
        let docs: Vec<Document> = h.state().session.as_ref().unwrap().corpus.documents.clone();
        assert_eq!(docs.len(), 2);
        for doc in &docs {
            h.state_mut().current_doc = Some(doc.id.clone());
            h.run_steps(3);
            let view = h.state().pane.visible_rect();
            assert!(
                view.width() >= 0.45 * size.0,
                "at {size:?} the text gets only {} px",
                view.width()
            );
            let chars: Vec<char> = doc.text.chars().collect();
            let mut seen = vec![false; chars.len()];
            // Scroll through the article one block at a time, as the inspector's list
            // and the search do, and look at every glyph laid out at each position.
            let mut starts = vec![0];
            let mut c = 0;
            for line in doc.text.split('\n') {
                c += line.chars().count() + 1;
                starts.push(c.min(chars.len().saturating_sub(1)));
            }
            for s in starts {
                h.state_mut().pane.scroll_to = Some(s);
                h.run_steps(3);
                let pane = &h.state().pane;
                let view = pane.visible_rect();
                for (i, ch) in chars.iter().enumerate() {
                    let Some(r) = pane.glyph_rect(i) else {
                        continue;
                    };
                    if *ch == '\n' || r.max.y < view.min.y || r.min.y > view.max.y {
                        continue;
                    }
                    // On screen vertically: then it must lie inside horizontally too.
                    assert!(
                        r.min.x >= view.min.x - 0.5 && r.max.x <= view.max.x + 0.5,
                        "at {size:?}, {:?}: char {i} {ch:?} at x {:.1}..{:.1} is outside the pane's visible x {:.1}..{:.1}",
                        doc.title,
                        r.min.x,
                        r.max.x,
                        view.min.x,
                        view.max.x
                    );
                    if r.min.y >= view.min.y - 0.5 && r.max.y <= view.max.y + 0.5 {
                        seen[i] = true;
                    }
                }
            }
            let missing: Vec<usize> = (0..chars.len())
                .filter(|&i| !seen[i] && chars[i] != '\n')
                .collect();
            assert!(
                missing.is_empty(),
                "at {size:?}, {:?}: {} chars never fully visible, first {:?}",
                doc.title,
                missing.len(),
                missing.first()
            );
        }
    }
}

#[test]
fn selecting_a_span_never_changes_the_pane_width() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    for size in SIZES {
        let mut h = harness(&root, "gold", size);
        for doc in ["000_bcae97faca071bd7", "003_69bebb4d7b4def2e"] {
            h.state_mut().current_doc = Some(doc.into());
            h.run_steps(3);
            let before = h.state().pane.visible_rect();
            // Select the longest span (a long CLAIM) by clicking it in the text.
            let all = h.state().session.as_ref().unwrap().spans(doc).to_vec();
            let longest = all.iter().max_by_key(|x| x.end - x.start).unwrap().clone();
            h.state_mut().pane.scroll_to = Some(longest.start);
            h.run_steps(3);
            let before_click = h.state().pane.visible_rect();
            assert_eq!(before.width(), before_click.width());
            // A char of the span that no nested span covers.
            let inner: Vec<(usize, usize)> = all
                .iter()
                .filter(|x| x.id != longest.id)
                .map(|x| (x.start, x.end))
                .collect();
            let c = (longest.start..longest.end)
                .find(|c| !inner.iter().any(|&(a, b)| a <= *c && *c < b))
                .unwrap();
            let p = h.state().pane.glyph_rect(c).unwrap().center();
            click_at(&mut h, p);
            assert_eq!(h.state().pane.selected_span, Some(longest.id));
            h.run_steps(3);
            let after = h.state().pane.visible_rect();
            assert!(
                (after.width() - before.width()).abs() < 0.5
                    && (after.min.x - before.min.x).abs() < 0.5,
                "at {size:?} selecting a span moved the pane from {before:?} to {after:?}"
            );
            press(&mut h, Modifiers::NONE, Key::Escape);
        }
    }
}

#[test]
fn side_panels_give_way_to_the_text_on_the_smallest_window() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    // 640x400 is the window's minimum size.
    let h = harness(&root, "gold", (640.0, 400.0));
    let w = h.state().pane.visible_rect().width();
    assert!(w >= 0.45 * 640.0, "at 640 px the text gets {w} px");
}

#[test]
fn side_panels_collapse_with_their_toggle_and_command() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (900.0, 600.0));
    let w0 = h.state().pane.visible_rect().width();
    press(&mut h, Modifiers::COMMAND, Key::B);
    h.run_steps(10);
    let w1 = h.state().pane.visible_rect().width();
    assert!(
        w1 > w0 + 80.0,
        "hiding the document list gave the text {w0} -> {w1}"
    );
    // The strip left behind opens it again.
    h.get_by_label("»").click();
    h.run_steps(10);
    assert!((h.state().pane.visible_rect().width() - w0).abs() < 1.0);
    // The inspector's own toggle, and its strip.
    h.get_by_label("›").click();
    h.run_steps(10);
    assert!(!h.state().panels.inspector);
    assert!(h.state().pane.visible_rect().width() > w0 + 100.0);
    h.get_by_label("«").click();
    h.run_steps(10);
    assert!(h.state().panels.inspector);
    // And the command.
    press(&mut h, Modifiers::COMMAND | Modifiers::ALT, Key::B);
    h.run_steps(10);
    assert!(!h.state().panels.inspector);
}

#[test]
fn a_note_is_saved_by_ctrl_s_while_still_typing_and_undone_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (1280.0, 800.0));
    let id = tag(&mut h, "Pashinyan", Key::Num1);
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run_steps(1);
    h.get_by_role(Role::MultilineTextInput)
        .type_text("check the spelling");
    h.run_steps(1);
    // Ctrl+S with the cursor still in the note.
    press(&mut h, Modifiers::COMMAND, Key::S);
    assert_eq!(notice(&h), "Saved.");
    let saved = storage::load(dir.path()).unwrap();
    let span = saved.set("tester", DOC).unwrap().span(id).unwrap().clone();
    assert_eq!(span.note, "check the spelling");
    // Leaving the field and undoing takes back the whole note in one step, not a key.
    press(&mut h, Modifiers::NONE, Key::Escape);
    h.state_mut().pane.selected_span = Some(id);
    h.run_steps(2);
    // Focus leaves the field when the text is clicked.
    let p = pos(&h, at("Putin") + 1);
    click_at(&mut h, p);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    let s = h.state().session.as_ref().unwrap();
    assert_eq!(s.span(DOC, id).map(|x| x.note.as_str()), Some(""));
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(texts(&h).is_empty(), "the second undo takes back the span");
}

#[test]
fn note_typed_then_alt_down_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = storage::create(dir.path(), "test").unwrap();
    corpus
        .documents
        .push(Document::new(DOC, "First", TEXT.to_string()));
    corpus
        .documents
        .push(Document::new("doc2", "Second", "Another article.".into()));
    storage::save_all(dir.path(), &corpus).unwrap();
    let mut h = harness(dir.path(), "tester", (900.0, 600.0));
    let id = tag(&mut h, "Baku", Key::Num3);
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run_steps(1);
    h.get_by_role(Role::MultilineTextInput).type_text("capital");
    h.run_steps(1);
    // Alt+Down is free while typing: the document changes, the note stays.
    press(&mut h, Modifiers::ALT, Key::ArrowDown);
    assert_eq!(h.state().current_doc.as_deref(), Some("doc2"));
    let s = h.state().session.as_ref().unwrap();
    assert_eq!(s.span(DOC, id).unwrap().note, "capital");
}

#[test]
fn double_click_selects_a_hyphenated_name_whole() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (1280.0, 800.0));
    let nk = at("Nagorno-Karabakh");
    let p = pos(&h, at("Karabakh") + 3);
    double_click_at(&mut h, p);
    assert_eq!(h.state().pane.selection, Some((nk, nk + 16)));
    press(&mut h, Modifiers::NONE, Key::Num3);
    assert_eq!(texts(&h), ["Nagorno-Karabakh"]);
}

#[test]
fn a_drag_from_the_right_half_of_a_letter_keeps_that_letter() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (1280.0, 800.0));
    // Character precision, so nothing grows to a word.
    press(&mut h, Modifiers::COMMAND, Key::W);
    let p = at("Pashinyan");
    let glyph = h.state().pane.glyph_rect(p).unwrap();
    let from = egui::pos2(glyph.max.x - 1.5, glyph.center().y);
    let to = pos(&h, p + 4);
    drag_points(&mut h, from, to);
    assert_eq!(
        h.state().pane.selection,
        Some((p, p + 4)),
        "the P must stay"
    );
    // Leftward from the right half of a letter keeps it too.
    let n = p + 5; // the "n" of Pashinyan
    let glyph = h.state().pane.glyph_rect(n).unwrap();
    let from = egui::pos2(glyph.max.x - 1.5, glyph.center().y);
    let to = pos(&h, p + 2);
    drag_points(&mut h, from, to);
    assert_eq!(h.state().pane.selection, Some((p + 2, n + 1)));
}

#[test]
fn shift_arrows_move_the_end_and_alt_shift_arrows_the_start() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (900.0, 600.0));
    let id = tag(&mut h, "Pashinyan", Key::Num1);
    press(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    assert_eq!(texts(&h), ["Pashinyan in"]);
    press(&mut h, Modifiers::ALT | Modifiers::SHIFT, Key::ArrowLeft);
    assert_eq!(texts(&h), ["met Pashinyan in"]);
    press(&mut h, Modifiers::ALT | Modifiers::SHIFT, Key::ArrowRight);
    press(&mut h, Modifiers::SHIFT, Key::ArrowLeft);
    assert_eq!(texts(&h), ["Pashinyan"]);
    assert_eq!(doc_spans(&h)[0].0, id, "the span keeps its id");
    // By grapheme with snapping off.
    press(&mut h, Modifiers::COMMAND, Key::W);
    press(&mut h, Modifiers::SHIFT, Key::ArrowLeft);
    assert_eq!(texts(&h), ["Pashinya"]);
    press(&mut h, Modifiers::ALT | Modifiers::SHIFT, Key::ArrowRight);
    assert_eq!(texts(&h), ["ashinya"]);
    // Each step is one undo step.
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(texts(&h), ["Pashinya"]);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(texts(&h), ["Pashinyan"]);
    // A step that would empty the span is refused and says so.
    press(&mut h, Modifiers::COMMAND, Key::W);
    h.state_mut().pane.selected_span = Some(id);
    press(&mut h, Modifiers::SHIFT, Key::ArrowLeft);
    assert_eq!(texts(&h), ["Pashinyan"]);
    assert!(notice(&h).contains("empty"), "{}", notice(&h));
    // Shrinking onto an identical span (same range, same label) is refused too.
    tag(&mut h, "Putin", Key::Num1);
    let longer = tag(&mut h, "Putin met", Key::Num1);
    assert_eq!(h.state().pane.selected_span, Some(longer));
    press(&mut h, Modifiers::SHIFT, Key::ArrowLeft);
    assert!(notice(&h).contains("identical span"), "{}", notice(&h));
    let s = h.state().session.as_ref().unwrap();
    assert_eq!(s.span(DOC, longer).unwrap().text, "Putin met");
}

#[test]
fn dragging_a_handle_moves_the_span_edge_in_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (1280.0, 800.0));
    let id = tag(&mut h, "Putin", Key::Num1);
    let end = h
        .state()
        .pane
        .handle_rect(Edge::End)
        .expect("an end handle");
    // Drop the end handle inside "met": word snapping takes the whole word.
    let to = pos(&h, at("met") + 2);
    drag_points(&mut h, end.center(), to);
    assert_eq!(texts(&h), ["Putin met"]);
    assert_eq!(doc_spans(&h)[0].0, id);
    let start = h
        .state()
        .pane
        .handle_rect(Edge::Start)
        .expect("a start handle");
    let to = pos(&h, at("met"));
    drag_points(&mut h, start.center(), to);
    assert_eq!(texts(&h), ["met"]);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(texts(&h), ["Putin met"]);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(texts(&h), ["Putin"]);
}

#[test]
fn r_then_click_then_picker_relates_spans_and_the_inspector_deletes_it() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (1280.0, 800.0));
    let actor = tag(&mut h, "Pashinyan", Key::Num1);
    let claim = tag(&mut h, "Putin met Pashinyan in Nagorno-Karabakh", Key::Num4);
    // Escape cancels relation mode.
    press(&mut h, Modifiers::NONE, Key::R);
    assert_eq!(h.state().pane.linking, Some(claim));
    assert!(notice(&h).contains("click the span"), "{}", notice(&h));
    // A label key in relation mode relabels nothing.
    press(&mut h, Modifiers::NONE, Key::Num2);
    assert_eq!(doc_spans(&h)[0].1, "CLAIM");
    assert!(notice(&h).contains("Relation mode"), "{}", notice(&h));
    press(&mut h, Modifiers::NONE, Key::Escape);
    assert_eq!(h.state().pane.linking, None);
    assert_eq!(h.state().pane.selected_span, Some(claim));

    press(&mut h, Modifiers::NONE, Key::R);
    let p = pos(&h, at("Pashinyan") + 2);
    click_at(&mut h, p);
    // The picker offers only what the schema allows from a CLAIM to an ACTOR.
    assert!(h.query_by_label("1  SAID_BY").is_some());
    assert!(h.query_by_label_contains("PARTY_TO").is_none());
    assert!(h.query_by_label_contains("LOCATED_IN").is_none());
    h.get_by_label("1  SAID_BY").click();
    h.run_steps(3);
    let rels = h.state().session.as_ref().unwrap().relations(DOC).to_vec();
    assert_eq!(rels.len(), 1);
    assert_eq!(
        (rels[0].kind.as_str(), rels[0].from, rels[0].to),
        ("SAID_BY", claim, actor)
    );

    // Drawn, and hovering the arc names its type.
    press(&mut h, Modifiers::NONE, Key::Escape);
    assert_eq!(h.state().pane.selected_span, None);
    h.run_steps(2);
    let mid = h
        .state()
        .pane
        .arc_midpoint(rels[0].id)
        .expect("the arc is drawn");
    h.hover_at(mid);
    assert!(
        wait_for_label(&mut h, "-> ACTOR “Pashinyan”"),
        "no hover card for the arc"
    );
    // The card names the type on a line of its own.
    assert!(h.query_by_label("SAID_BY").is_some());

    // The inspector lists it; its delete button removes it; undo brings it back.
    h.state_mut().pane.selected_span = Some(claim);
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("SAID_BY -> ACTOR “Pashinyan”")
            .is_some()
    );
    h.get_by_label("×").click();
    h.run_steps(2);
    assert!(
        h.state()
            .session
            .as_ref()
            .unwrap()
            .relations(DOC)
            .is_empty()
    );
    press(&mut h, Modifiers::NONE, Key::Escape);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(h.state().session.as_ref().unwrap().relations(DOC).len(), 1);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(
        h.state()
            .session
            .as_ref()
            .unwrap()
            .relations(DOC)
            .is_empty()
    );
    let _: RelationId = rels[0].id;
}

#[test]
fn a_relation_the_schema_does_not_allow_is_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut h = harness(dir.path(), "tester", (900.0, 600.0));
    tag(&mut h, "Pashinyan", Key::Num1);
    let baku = tag(&mut h, "Baku", Key::Num2); // a DATE
    let _ = baku;
    press(&mut h, Modifiers::NONE, Key::R);
    let p = pos(&h, at("Pashinyan") + 2);
    click_at(&mut h, p);
    // DATE -> ACTOR: nothing allows it; relation mode stays on for another click.
    assert!(h.state().relation_pick.is_none());
    assert!(
        notice(&h).contains("No relation type goes from DATE to ACTOR"),
        "{}",
        notice(&h)
    );
    assert!(h.state().pane.linking.is_some());
    press(&mut h, Modifiers::NONE, Key::Escape);
    assert!(h.state().pane.linking.is_none());
}

#[test]
fn another_annotators_layer_is_read_only_until_edit_this_layer() {
    let dir = tempfile::tempdir().unwrap();
    let root = sample(dir.path());
    let mut h = harness(&root, "tester", (1280.0, 800.0));
    // Choose the gold layer in the toolbar.
    h.get_by_label("layer").click();
    h.run_steps(2);
    h.get_by_label("gold").click();
    h.run_steps(3);
    assert_eq!(h.state().session.as_ref().unwrap().annotator, "gold");
    assert!(
        h.query_by_label("🔒 read-only").is_some(),
        "no lock in the toolbar"
    );
    let doc = h.state().current_doc.clone().unwrap();
    let before = h.state().session.as_ref().unwrap().spans(&doc).to_vec();
    let first = before[0].clone();
    h.state_mut().pane.selected_span = Some(first.id);
    h.run_steps(2);
    for key in [Key::Delete, Key::Num2] {
        press(&mut h, Modifiers::NONE, key);
        assert!(notice(&h).contains("read-only"), "{key:?}: {}", notice(&h));
    }
    press(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    assert!(notice(&h).contains("read-only"), "{}", notice(&h));
    assert_eq!(
        h.state().session.as_ref().unwrap().spans(&doc),
        before.as_slice()
    );
    assert!(
        h.state().pane.handle_rect(Edge::End).is_none(),
        "no handles on a read-only layer"
    );

    // One explicit action, confirmed, makes it editable.
    h.get_by_label("Edit this layer…").click();
    // A modal is laid out invisibly in its first frame.
    h.run_steps(4);
    assert!(h.state().confirm_unlock.is_some());
    h.get_by_role_and_label(Role::Button, "Edit this layer")
        .click();
    h.run_steps(2);
    assert!(h.query_by_label("🔒 read-only").is_none());
    h.state_mut().pane.selected_span = Some(first.id);
    press(&mut h, Modifiers::NONE, Key::Delete);
    assert_eq!(
        h.state().session.as_ref().unwrap().spans(&doc).len(),
        before.len() - 1
    );
}

#[test]
fn label_buttons_tell_key_and_description_and_an_empty_layer_shows_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let hint = "Drag over text or double-click a word, then press 1-5";
    // The hint never covers text: it sits under the pane's visible rect.
    for size in SIZES {
        let h = harness(dir.path(), "tester", size);
        let node = h.get_by_label(hint);
        let at = node.rect();
        let view = h.state().pane.visible_rect();
        assert!(
            at.min.y >= view.max.y - 0.5,
            "at {size:?} the hint {at:?} covers the text {view:?}"
        );
    }
    let mut h = harness(dir.path(), "tester", (1280.0, 800.0));
    let b = h.get_by_label("1  Actor");
    b.hover();
    assert!(
        wait_for_label(&mut h, "key 1"),
        "the button does not tell its key"
    );
    assert!(h.query_by_label_contains("acts or is acted upon").is_some());
    tag(&mut h, "Putin", Key::Num1);
    h.run_steps(2);
    assert!(
        h.query_by_label(hint).is_none(),
        "the hint stays after the first span"
    );
}

#[test]
fn arabic_and_hebrew_keep_exact_offsets_in_the_pane() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Talks in القاهرة and ירושלים ended; Putin left.";
    let mut corpus = storage::create(dir.path(), "test").unwrap();
    corpus
        .documents
        .push(Document::new(DOC, "RTL", text.to_string()));
    storage::save_all(dir.path(), &corpus).unwrap();
    let mut h = harness(dir.path(), "tester", (900.0, 600.0));
    // Text after right-to-left words is hit where it is drawn.
    let b = text.find("Putin").unwrap();
    let p = text[..b].chars().count();
    let from = pos(&h, p);
    let to = pos(&h, p + 5);
    drag_points(&mut h, from, to + Vec2::new(0.0, 0.0));
    assert_eq!(h.state().pane.selection, Some((p, p + 5)));
    press(&mut h, Modifiers::NONE, Key::Num1);
    let s = h.state().session.as_ref().unwrap();
    assert_eq!(s.spans(DOC)[0].text, "Putin");
}
