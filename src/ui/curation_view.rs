//! The curation view: one document with the annotators' versions drawn over the gold
//! layer, the current disagreement's versions listed, and the keys that decide it.
//! Everything it decides goes through `crate::curation` and the session; this module
//! draws and queues.
//!
//! Opening the view is the curator's explicit action that unlocks the gold layer (with
//! the usual confirmation). While it is open the pane shows the gold layer: agreed
//! units get a thin line above the text, each disagreement a box (dashed while
//! unresolved) with one coloured line per annotator above the text where that
//! annotator's spans lie, and the current one a bold box.

use std::sync::Arc;

use egui::{Color32, Galley, Painter, Rect, RichText, Shape, Stroke, StrokeKind, Ui, Vec2, pos2};

use super::app::SpanbenchApp;
use super::commands::Command;
use super::document_pane::{PaneOverlay, row_extents};
use crate::agreement::disagreements::units_in_doc;
use crate::agreement::{doc_spans, label_index};
use crate::curation::decide::{decision_edit, seed_edit};
use crate::curation::{Action, Curation, Resolution, Strategy, Team, UnitRef, premerge};
use crate::model::Corpus;

/// Colours of annotators 1, 2, 3... (distinct from the default label colours).
pub const ANNOTATOR_COLORS: [Color32; 9] = [
    Color32::from_rgb(23, 190, 207),
    Color32::from_rgb(240, 50, 230),
    Color32::from_rgb(140, 86, 75),
    Color32::from_rgb(188, 189, 34),
    Color32::from_rgb(70, 153, 144),
    Color32::from_rgb(245, 130, 49),
    Color32::from_rgb(128, 128, 200),
    Color32::from_rgb(170, 110, 40),
    Color32::from_rgb(150, 150, 150),
];

const AGREED: Color32 = Color32::from_rgb(90, 170, 120);
const UNRESOLVED: Color32 = Color32::from_rgb(235, 120, 40);
const CURRENT: Color32 = Color32::from_rgb(250, 200, 30);

pub fn annotator_color(i: usize) -> Color32 {
    ANNOTATOR_COLORS[i % ANNOTATOR_COLORS.len()]
}

/// What the app keeps for curation: the view, a request waiting for the gold layer to
/// be unlocked, and the pre-merge dialog.
#[derive(Default)]
pub struct CurationState {
    pub view: Option<CurationView>,
    /// The view was asked for; it opens once the gold layer is unlocked (and the
    /// pre-merge dialog after it, if that was asked for).
    pending: Option<bool>,
    pub premerge: Option<PremergeDialog>,
}

impl CurationState {
    pub fn is_open(&self) -> bool {
        self.view.is_some()
    }

    /// Whether the current unit is being edited (E until Enter or Escape).
    pub fn editing(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.editing.is_some())
    }
}

/// The current unit is being edited: the history mark its edits are linked from.
#[derive(Clone, Debug)]
pub struct Editing {
    mark: usize,
    unit: (usize, usize, usize),
}

/// A unit's place: (document index, start, end).
type UnitPos = (usize, usize, usize);
/// The overlay as built for (document index, session revision, current unit).
type OverlayCache = (usize, u64, Option<UnitPos>, Arc<CurationOverlay>);
/// The current unit's versions as listed for (session revision, current unit).
type ListingCache = (u64, Option<UnitPos>, Arc<Listing>);

pub struct CurationView {
    pub cur: Curation,
    /// The current disagreement as (document index, start, end), so it survives a
    /// refresh that renumbers units.
    pub current: Option<(usize, usize, usize)>,
    pub editing: Option<Editing>,
    seen_revision: u64,
    /// Units decided in this view, newest last: where U goes back to.
    decided: Vec<(usize, usize, usize)>,
    overlay: Option<OverlayCache>,
    /// The current unit's versions as listed, for (revision, current).
    listing: Option<ListingCache>,
}

/// One line of the current unit's list: an annotator's version or the gold layer's.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionLine {
    /// 1-based key; 0 for the gold line.
    pub key: usize,
    pub who: String,
    pub color: Color32,
    /// (label name, label colour, text) per span; empty: no span; `None`: not annotated.
    pub spans: Option<Vec<(String, Color32, String)>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    pub title: String,
    pub status: String,
    pub lines: Vec<VersionLine>,
}

impl CurationView {
    pub fn current_ref(&self) -> Option<UnitRef> {
        let (d, s, e) = self.current?;
        self.cur.find(d, s, e)
    }

    /// The document and unit position navigation starts from.
    fn position(&self, doc: usize) -> (usize, Option<(usize, usize)>) {
        match self.current {
            Some((d, s, e)) => (d, Some((s, e))),
            None => (doc, None),
        }
    }
}

fn label_name_color(corpus: &Corpus, key: &str) -> (String, Color32) {
    corpus.project.label(key).map_or_else(
        || (key.to_string(), Color32::GRAY),
        |l| {
            let [r, g, b] = l.rgb();
            (l.name.clone(), Color32::from_rgb(r, g, b))
        },
    )
}

fn excerpt(text: &str) -> String {
    let mut t: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        t.push('…');
    }
    t.replace('\n', " ")
}

fn describe_resolution(cur: &Curation, r: &Resolution) -> String {
    match r {
        Resolution::Unresolved => "unresolved".into(),
        Resolution::Matches(a) => format!(
            "resolved: gold holds {}'s version",
            cur.team.annotators.get(*a).map_or("?", String::as_str)
        ),
        Resolution::Decided(c) => format!("resolved: {}", c.describe()),
    }
}

fn build_listing(cur: &Curation, corpus: &Corpus, r: UnitRef) -> Listing {
    let Some(unit) = cur.unit(r) else {
        return Listing::default();
    };
    let (_, total) = cur.doc_progress(r.doc);
    let index = cur.units(r.doc)[..r.unit].len() + 1;
    let kinds: Vec<&str> = unit.kinds.iter().map(|k| k.name()).collect();
    let status = cur
        .resolution(r)
        .map_or(String::new(), |x| describe_resolution(cur, x));
    let title = format!(
        "Disagreement {index} of {total} · [{}..{}) {}",
        unit.start,
        unit.end,
        kinds.join(" + ")
    );
    let spans_of = |spans: &[&crate::model::Span]| {
        spans
            .iter()
            .map(|s| {
                let (name, color) = label_name_color(corpus, &s.label);
                (name, color, excerpt(&s.text))
            })
            .collect::<Vec<_>>()
    };
    let mut lines: Vec<VersionLine> = cur
        .team
        .annotators
        .iter()
        .enumerate()
        .map(|(a, name)| VersionLine {
            key: a + 1,
            who: name.clone(),
            color: annotator_color(a),
            spans: cur.version_spans(corpus, r, a).map(|v| spans_of(&v)),
        })
        .collect();
    lines.push(VersionLine {
        key: 0,
        who: cur.team.gold.clone(),
        color: Color32::GRAY,
        spans: Some(spans_of(&cur.gold_spans(corpus, r))),
    });
    Listing {
        title,
        status,
        lines,
    }
}

// ---- The overlay drawn in the pane ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnitStyle {
    Agreed,
    Unresolved,
    Resolved,
}

struct DrawUnit {
    start: usize,
    end: usize,
    style: UnitStyle,
    current: bool,
    /// (annotator index, start, end) of each annotator's spans in the unit.
    lanes: Vec<(usize, usize, usize)>,
    /// Tooltip lines.
    about: Vec<String>,
}

/// The current document's units, as the pane draws them.
pub struct CurationOverlay {
    units: Vec<DrawUnit>,
    longest: usize,
    annotators: usize,
}

impl CurationOverlay {
    fn build(view: &CurationView, corpus: &Corpus, doc: usize) -> Self {
        let cur = &view.cur;
        let Some(d) = corpus.documents.get(doc) else {
            return Self {
                units: Vec::new(),
                longest: 0,
                annotators: 0,
            };
        };
        let labels = &cur.labels;
        let index = label_index(labels);
        let ds = doc_spans(corpus, d, &cur.team.annotators, labels, &index);
        let name = |l: u32| {
            labels
                .get(l as usize)
                .map_or("?".to_string(), |k| label_name_color(corpus, k).0)
        };
        let text =
            |s: usize, e: usize| excerpt(crate::offsets::slice_chars(&d.text, s, e).unwrap_or(""));
        let units: Vec<DrawUnit> = units_in_doc(doc, &ds, None)
            .into_iter()
            .map(|u| {
                let r = cur.find(doc, u.start, u.end);
                let style = match r.and_then(|r| cur.resolution(r)) {
                    None => UnitStyle::Agreed,
                    Some(Resolution::Unresolved) => UnitStyle::Unresolved,
                    Some(_) => UnitStyle::Resolved,
                };
                let mut about = Vec::new();
                if style == UnitStyle::Agreed {
                    about.push(format!("All {} annotators agree here.", u.versions.len()));
                } else {
                    let kinds: Vec<&str> = u.kinds.iter().map(|k| k.name()).collect();
                    let status = r
                        .and_then(|r| cur.resolution(r))
                        .map_or(String::new(), |x| describe_resolution(cur, x));
                    about.push(format!("Disagreement ({}): {status}", kinds.join(" + ")));
                    for v in &u.versions {
                        let who = cur
                            .team
                            .annotators
                            .get(v.annotator)
                            .map_or("?", String::as_str);
                        let spans: Vec<String> = v
                            .spans
                            .iter()
                            .map(|s| format!("{} “{}”", name(s.label), text(s.start, s.end)))
                            .collect();
                        about.push(format!(
                            "{} {who}: {}",
                            v.annotator + 1,
                            if spans.is_empty() {
                                "no span".to_string()
                            } else {
                                spans.join(", ")
                            }
                        ));
                    }
                }
                let lanes = u
                    .versions
                    .iter()
                    .flat_map(|v| v.spans.iter().map(move |s| (v.annotator, s.start, s.end)))
                    .collect();
                DrawUnit {
                    current: view.current == Some((doc, u.start, u.end)),
                    start: u.start,
                    end: u.end,
                    style,
                    lanes,
                    about,
                }
            })
            .collect();
        let longest = units.iter().map(|u| u.end - u.start).max().unwrap_or(0);
        Self {
            units,
            longest,
            annotators: cur.team.annotators.len(),
        }
    }

    fn within(&self, c0: usize, c1: usize) -> &[DrawUnit] {
        let lo = self.units.partition_point(|u| u.start + self.longest <= c0);
        let hi = self.units.partition_point(|u| u.start < c1);
        &self.units[lo..hi.max(lo)]
    }

    /// How many of the document's units are drawn as disagreements and as agreed.
    pub fn counts(&self) -> (usize, usize) {
        let dis = self
            .units
            .iter()
            .filter(|u| u.style != UnitStyle::Agreed)
            .count();
        (dis, self.units.len() - dis)
    }
}

fn dashed_rect(painter: &Painter, r: Rect, stroke: Stroke) {
    for (a, b) in [
        (r.left_top(), r.right_top()),
        (r.right_top(), r.right_bottom()),
        (r.right_bottom(), r.left_bottom()),
        (r.left_bottom(), r.left_top()),
    ] {
        painter.extend(Shape::dashed_line(&[a, b], stroke, 4.0, 3.0));
    }
}

impl PaneOverlay for CurationOverlay {
    fn paint(
        &self,
        painter: &Painter,
        galley: &Galley,
        chars: (usize, usize),
        offset: Vec2,
        font_height: f32,
    ) {
        // Lanes above the text: one per annotator, nearest the text first.
        let gap = (8.0 / self.annotators.max(1) as f32).clamp(2.0, 3.0);
        let local = |s: usize, e: usize| {
            (
                s.max(chars.0) - chars.0,
                e.min(chars.1).saturating_sub(chars.0),
            )
        };
        for u in self.within(chars.0, chars.1) {
            if u.end <= chars.0 {
                continue;
            }
            let (s, e) = local(u.start, u.end);
            let rows = row_extents(galley, s, e, font_height);
            match u.style {
                UnitStyle::Agreed => {
                    for (x0, x1, top, _) in &rows {
                        let y = top - 1.5;
                        painter.line_segment(
                            [pos2(*x0, y) + offset, pos2(*x1, y) + offset],
                            Stroke::new(1.5, AGREED.gamma_multiply(0.8)),
                        );
                    }
                }
                UnitStyle::Unresolved | UnitStyle::Resolved => {
                    for &(a, ls, le) in &u.lanes {
                        if le <= chars.0 || ls >= chars.1 {
                            continue;
                        }
                        let (s, e) = local(ls, le);
                        for (x0, x1, top, _) in row_extents(galley, s, e, font_height) {
                            let y = top - 1.5 - (a % 3) as f32 * gap;
                            painter.line_segment(
                                [pos2(x0, y) + offset, pos2(x1, y) + offset],
                                Stroke::new(2.0, annotator_color(a)),
                            );
                        }
                    }
                    for (x0, x1, top, bottom) in &rows {
                        let r = Rect::from_min_max(pos2(*x0, *top - 9.0), pos2(*x1, *bottom + 2.0))
                            .translate(offset);
                        if u.current {
                            painter.rect_filled(r, 2.0, CURRENT.gamma_multiply(0.18));
                            painter.rect_stroke(
                                r.expand(1.0),
                                2.0,
                                Stroke::new(2.5, CURRENT),
                                StrokeKind::Outside,
                            );
                        } else if u.style == UnitStyle::Unresolved {
                            dashed_rect(painter, r.expand(1.0), Stroke::new(1.5, UNRESOLVED));
                        } else {
                            painter.rect_stroke(
                                r.expand(1.0),
                                2.0,
                                Stroke::new(1.0, Color32::GRAY.gamma_multiply(0.7)),
                                StrokeKind::Outside,
                            );
                        }
                    }
                }
            }
        }
    }

    fn hover(&self, c: usize) -> Vec<String> {
        self.within(c, c + 1)
            .iter()
            .filter(|u| u.start <= c && c < u.end && u.style != UnitStyle::Agreed)
            .flat_map(|u| u.about.iter().cloned())
            .collect()
    }
}

// ---- Commands ----

impl SpanbenchApp {
    fn doc_index(&self) -> Option<usize> {
        let s = self.session.as_ref()?;
        let id = self.current_doc.as_deref()?;
        s.corpus
            .documents
            .binary_search_by(|d| d.id.as_str().cmp(id))
            .ok()
    }

    /// Runs a curation command; false if `cmd` is not one.
    pub fn execute_curation(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::Curate => self.toggle_curation(false),
            Command::PreMerge => {
                if self.curation.is_open() {
                    self.open_premerge();
                } else {
                    self.toggle_curation(true);
                }
            }
            Command::NextDisagreement => self.step_unit(true),
            Command::PreviousDisagreement => self.step_unit(false),
            Command::TakeVersion(n) => self.decide_current(Action::Take(n as usize - 1)),
            Command::RejectUnit => self.decide_current(Action::Reject),
            Command::EditUnit => self.edit_current(),
            Command::AcceptEdit => self.accept_edit(),
            Command::CurationUndo => self.curation_undo(),
            _ => return false,
        }
        true
    }

    fn toggle_curation(&mut self, then_premerge: bool) {
        if self.curation.view.take().is_some() {
            self.notify("Curation view closed.", false);
            return;
        }
        let Some(s) = &self.session else {
            self.notify("Open a project first.", true);
            return;
        };
        let team = match Team::resolve(&s.corpus, None, None) {
            Ok(t) => t,
            Err(e) => {
                self.notify(format!("Curation: {e}"), true);
                return;
            }
        };
        if !s.is_editable(&team.gold) {
            // The usual confirmation; the view opens once it is given.
            self.confirm_unlock = Some(team.gold.clone());
            self.curation.pending = Some(then_premerge);
            return;
        }
        self.open_curation(team, then_premerge);
    }

    fn open_curation(&mut self, team: Team, then_premerge: bool) {
        let doc = self.doc_index().unwrap_or(0);
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.annotator = team.gold.clone();
        s.revision += 1;
        let cur = Curation::build(&s.corpus, team);
        let (done, total) = cur.progress();
        let mut view = CurationView {
            cur,
            current: None,
            editing: None,
            seen_revision: s.revision,
            decided: Vec::new(),
            overlay: None,
            listing: None,
        };
        let first = view.cur.next_unresolved(doc, None);
        self.pane.selected_span = None;
        self.pane.selection = None;
        let names = view.cur.team.annotators.join(", ");
        let gold = view.cur.team.gold.clone();
        if let Some((r, _)) = first {
            self.go_to_unit(&mut view, r);
        }
        self.curation.view = Some(view);
        self.notify(
            if total == 0 {
                format!("Curation of {names} into {gold}: the annotators agree everywhere; nothing to resolve.")
            } else {
                format!("Curation of {names} into {gold}: resolved {done} of {total}. N / P next and previous, 1–9 take a version, X reject, E edit, U undo.")
            },
            false,
        );
        if then_premerge {
            self.open_premerge();
        }
    }

    /// Makes `r` the current unit: opens its document and brings it into view.
    fn go_to_unit(&mut self, view: &mut CurationView, r: UnitRef) {
        let Some(u) = view.cur.unit(r) else { return };
        view.current = Some((r.doc, u.start, u.end));
        let start = u.start;
        if let Some(id) = view.cur.documents.get(r.doc).cloned() {
            self.open_document(id);
        }
        self.pane.scroll_to = Some(start);
        self.pane.selected_span = None;
        self.pane.selection = None;
    }

    fn with_view(&mut self, f: impl FnOnce(&mut Self, &mut CurationView)) {
        let Some(mut view) = self.curation.view.take() else {
            self.notify(
                "Open the curation view first (Curation > Curation view).",
                false,
            );
            return;
        };
        f(self, &mut view);
        // A command may have closed the view (or opened another): keep the newest.
        if self.curation.view.is_none() {
            self.curation.view = Some(view);
        }
    }

    fn step_unit(&mut self, forward: bool) {
        self.with_view(|app, view| {
            if view.editing.is_some() {
                app.notify("Finish the edit first: Enter accepts it, Escape cancels it.", false);
                return;
            }
            let (doc, pos) = view.position(app.doc_index().unwrap_or(0));
            let found = if forward {
                view.cur.next_unresolved(doc, pos)
            } else {
                view.cur.previous_unresolved(doc, pos)
            };
            match found {
                Some((r, wrapped)) => {
                    app.go_to_unit(view, r);
                    if wrapped {
                        app.notify(
                            if forward {
                                "Past the last disagreement: back to the first unresolved one."
                            } else {
                                "Before the first disagreement: on to the last unresolved one."
                            },
                            false,
                        );
                    }
                }
                None => {
                    let (_, total) = view.cur.progress();
                    app.notify(
                        format!("All {total} disagreements are resolved. Export the gold layer with File > Export…"),
                        false,
                    );
                }
            }
        });
    }

    fn decide_current(&mut self, action: Action) {
        self.with_view(|app, view| {
            if view.editing.is_some() {
                app.notify(
                    "Finish the edit first: Enter accepts it, Escape cancels it.",
                    false,
                );
                return;
            }
            let Some(r) = view.current_ref() else {
                app.notify(
                    "No disagreement is selected: press N to go to the next one.",
                    false,
                );
                return;
            };
            let Some(s) = app.session.as_mut() else {
                return;
            };
            match view.cur.decide(s, r, action) {
                Ok(()) => {
                    view.seen_revision = s.revision;
                    let Some((d, st, en)) = view.current else {
                        return;
                    };
                    view.decided.push((d, st, en));
                    let what = match action {
                        Action::Take(a) => {
                            format!("Took {}'s version", view.cur.team.annotators[a])
                        }
                        Action::Reject => "Rejected".to_string(),
                        Action::AcceptEdited => "Accepted".to_string(),
                    };
                    app.after_decision(view, what, (d, st, en));
                }
                Err(e) => app.notify(e.to_string(), true),
            }
        });
    }

    /// Moves on to the next unresolved disagreement after a decision and says so.
    fn after_decision(&mut self, view: &mut CurationView, what: String, at: (usize, usize, usize)) {
        let (done, total) = view.cur.progress();
        match view.cur.next_unresolved(at.0, Some((at.1, at.2))) {
            Some((r, _)) => {
                self.go_to_unit(view, r);
                self.notify(format!("{what}. Resolved {done} of {total}."), false);
            }
            None => {
                view.current = Some(at);
                self.notify(
                    format!("{what}. All {total} disagreements are resolved: export the gold layer with File > Export…"),
                    false,
                );
            }
        }
    }

    fn edit_current(&mut self) {
        self.with_view(|app, view| {
            if view.editing.is_some() {
                return;
            }
            let Some(r) = view.current_ref() else {
                app.notify("No disagreement is selected: press N to go to the next one.", false);
                return;
            };
            let Some(s) = app.session.as_mut() else { return };
            let mark = s.history.undo_len();
            let gold = view.cur.team.gold.clone();
            let doc = view.cur.documents[r.doc].clone();
            let selected = match seed_edit(&s.corpus, &view.cur, r) {
                Ok(Some((edit, ids))) => match s.apply_many(&gold, vec![(doc.clone(), edit)]) {
                    Ok(()) => ids.first().copied(),
                    Err(e) => {
                        app.notify(e.to_string(), true);
                        return;
                    }
                },
                Ok(None) => view.cur.gold_spans(&s.corpus, r).first().map(|x| x.id),
                Err(e) => {
                    app.notify(e.to_string(), true);
                    return;
                }
            };
            view.cur.refresh_doc(&s.corpus, &doc);
            view.seen_revision = s.revision;
            let Some((d, st, en)) = view.current else { return };
            view.editing = Some(Editing {
                mark,
                unit: (d, st, en),
            });
            app.pane.selected_span = selected;
            app.pane.selection = None;
            app.notify(
                "Editing the gold version: Shift+arrows move its end, Alt+Shift+arrows its start (or drag the handles), 1–5 relabel; Enter accepts, Escape cancels.",
                false,
            );
        });
    }

    fn accept_edit(&mut self) {
        self.with_view(|app, view| {
            let Some(ed) = view.editing.take() else {
                return;
            };
            let (d, st, en) = ed.unit;
            let Some(r) = view.cur.find(d, st, en) else {
                app.notify(
                    "The unit changed while it was edited; nothing was recorded.",
                    true,
                );
                return;
            };
            let Some(s) = app.session.as_mut() else {
                return;
            };
            let gold = view.cur.team.gold.clone();
            let doc = view.cur.documents[d].clone();
            let result = decision_edit(&s.corpus, &view.cur, r, Action::AcceptEdited)
                .map_err(|e| e.to_string())
                .and_then(|e| {
                    s.apply_many(&gold, vec![(doc.clone(), e)])
                        .map_err(|e| e.to_string())
                });
            match result {
                Ok(()) => {
                    // The seed, every boundary step and the decision: one undo step.
                    s.history.link_since(ed.mark);
                    view.cur.refresh_doc(&s.corpus, &doc);
                    view.seen_revision = s.revision;
                    view.decided.push(ed.unit);
                    app.pane.selected_span = None;
                    app.after_decision(view, "Accepted the edited version".into(), ed.unit);
                }
                Err(e) => {
                    view.editing = Some(ed);
                    app.notify(e, true);
                }
            }
        });
    }

    /// Escape while editing: takes back everything done since E.
    pub fn cancel_curation_edit(&mut self) -> bool {
        let Some(view) = self.curation.view.as_mut() else {
            return false;
        };
        let Some(ed) = view.editing.take() else {
            return false;
        };
        if let Some(s) = self.session.as_mut()
            && s.history.undo_len() > ed.mark
        {
            s.history.link_since(ed.mark);
            s.undo();
        }
        self.pane.selected_span = None;
        self.notify("Edit cancelled; the unit is as it was.", false);
        true
    }

    fn curation_undo(&mut self) {
        if self.curation.editing() {
            self.cancel_curation_edit();
            return;
        }
        let back = self.curation.view.as_mut().and_then(|v| v.decided.pop());
        self.run(Command::Undo);
        if let (Some(view), Some(at)) = (self.curation.view.as_mut(), back) {
            view.current = Some(at);
            self.pane.scroll_to = Some(at.1);
        }
    }

    fn open_premerge(&mut self) {
        let Some(view) = &self.curation.view else {
            return;
        };
        let team = view.cur.team.clone();
        self.curation.premerge = Some(PremergeDialog {
            chosen: team.annotators.iter().map(|_| true).collect(),
            team,
            strategy: 0,
            k: 1,
            preview: None,
        });
    }

    /// Per frame, before the pane: opens a view waiting for the unlock, keeps the view
    /// up to date with the session, and closes it when the layer on screen changes.
    pub fn curation_tick(&mut self) {
        if let Some(then) = self.curation.pending
            && self.confirm_unlock.is_none()
        {
            self.curation.pending = None;
            let team = self
                .session
                .as_ref()
                .and_then(|s| Team::resolve(&s.corpus, None, None).ok());
            match team {
                Some(t)
                    if self
                        .session
                        .as_ref()
                        .is_some_and(|s| s.is_editable(&t.gold)) =>
                {
                    self.open_curation(t, then)
                }
                _ => self.notify(
                    "Curation needs the gold layer unlocked; it stays closed.",
                    false,
                ),
            }
        }
        let doc = self.doc_index();
        let Some(view) = self.curation.view.as_mut() else {
            return;
        };
        let Some(s) = &self.session else {
            self.curation.view = None;
            return;
        };
        if s.annotator != view.cur.team.gold {
            self.curation.view = None;
            self.notify("Curation view closed: another layer was chosen.", false);
            return;
        }
        if s.revision != view.seen_revision {
            if let Some(id) = &self.current_doc {
                view.cur.refresh_doc(&s.corpus, id);
            }
            view.seen_revision = s.revision;
            if let Some(ed) = &view.editing
                && s.history.undo_len() < ed.mark
            {
                view.editing = None;
            }
        }
        // Another document was opened: its first unresolved disagreement is current.
        if let Some(d) = doc
            && view.current.is_none_or(|c| c.0 != d)
            && view.editing.is_none()
        {
            view.current = view
                .cur
                .next_unresolved(d, None)
                .filter(|(r, _)| r.doc == d)
                .and_then(|(r, _)| view.cur.unit(r).map(|u| (d, u.start, u.end)));
        }
    }

    /// Rebuilds the whole index (after another process changed the project).
    pub fn curation_rebuild(&mut self) {
        if let (Some(view), Some(s)) = (self.curation.view.as_mut(), &self.session) {
            view.cur = Curation::build(&s.corpus, view.cur.team.clone());
            view.seen_revision = s.revision;
            view.overlay = None;
            view.listing = None;
        }
    }
}

/// The strip above the pane while curating: progress, the current unit's versions,
/// the keys. Also hands the pane its overlay.
pub fn curation_strip_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    app.curation_tick();
    let doc = app.doc_index();
    let (Some(view), Some(s)) = (app.curation.view.as_mut(), &app.session) else {
        return;
    };
    let Some(doc) = doc else { return };
    let rev = s.revision;
    let stale = view
        .overlay
        .as_ref()
        .is_none_or(|(d, r, c, _)| *d != doc || *r != rev || *c != view.current);
    if stale {
        let o = Arc::new(CurationOverlay::build(view, &s.corpus, doc));
        view.overlay = Some((doc, rev, view.current, o));
    }
    if let Some((_, _, _, o)) = &view.overlay {
        app.pane.overlay = Some(o.clone() as Arc<dyn PaneOverlay>);
    }
    let current = view.current_ref();
    let stale = view
        .listing
        .as_ref()
        .is_none_or(|(r, c, _)| *r != rev || *c != view.current);
    if stale {
        let l = current
            .map(|r| build_listing(&view.cur, &s.corpus, r))
            .unwrap_or_default();
        view.listing = Some((rev, view.current, Arc::new(l)));
    }
    let listing = view
        .listing
        .as_ref()
        .map(|(_, _, l)| l.clone())
        .unwrap_or_default();
    let (done, total) = view.cur.progress();
    let (ddone, dtotal) = view.cur.doc_progress(doc);
    let editing = view.editing.is_some();
    let annotators = view.cur.team.annotators.clone();
    let gold = view.cur.team.gold.clone();
    let mut clicked: Option<Command> = None;
    let frame = egui::Frame::group(ui.style())
        .fill(ui.visuals().faint_bg_color)
        .inner_margin(egui::Margin::symmetric(6, 4));
    frame.show(ui, |ui| {
        ui.spacing_mut().item_spacing.y = 2.0;
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!("Curation into {gold}"));
            ui.separator();
            // Each count moves to the next line whole rather than breaking inside.
            let whole = |t: RichText| egui::Label::new(t).wrap_mode(egui::TextWrapMode::Extend);
            ui.add(whole(
                RichText::new(format!("This document: resolved {ddone} of {dtotal}")).strong(),
            ));
            ui.separator();
            ui.add(whole(RichText::new(format!("All: resolved {done} of {total}"))));
            ui.separator();
            for (i, a) in annotators.iter().enumerate() {
                super::theme::color_chip(ui, annotator_color(i));
                ui.label(format!("{} {a}", i + 1));
            }
        });
        ui.horizontal_wrapped(|ui| {
            let mut button = |ui: &mut Ui, text: &str, cmd: Command, enabled: bool| {
                if ui
                    .add_enabled(enabled, egui::Button::new(text).small())
                    .on_hover_text(cmd.text())
                    .clicked()
                {
                    clicked = Some(cmd);
                }
            };
            let deciding = current.is_some() && !editing;
            button(ui, "◀ P", Command::PreviousDisagreement, !editing);
            button(ui, "N ▶", Command::NextDisagreement, !editing);
            button(ui, "X reject", Command::RejectUnit, deciding);
            if editing {
                button(ui, "Enter: accept", Command::AcceptEdit, true);
            } else {
                button(ui, "E edit", Command::EditUnit, deciding);
            }
            button(ui, "U undo", Command::CurationUndo, true);
            button(ui, "Pre-merge…", Command::PreMerge, !editing);
            button(ui, "Close", Command::Curate, true);
        });
        if current.is_none() {
            ui.weak(if dtotal > ddone {
                "Press N for the next unresolved disagreement."
            } else if total > done {
                "Every disagreement of this document is resolved; N goes to the next document with one."
            } else {
                "Every disagreement is resolved. Export the gold layer with File > Export…"
            });
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&listing.title).strong());
            let color = if listing.status == "unresolved" {
                UNRESOLVED
            } else {
                AGREED
            };
            ui.colored_label(color, &listing.status);
        });
        // One line per version, cut to the width (the whole text on hover), so the strip
        // stays short on a small window.
        let font = egui::TextStyle::Body.resolve(ui.style());
        let text_color = ui.visuals().text_color();
        let weak = ui.visuals().weak_text_color();
        for line in &listing.lines {
            ui.horizontal(|ui| {
                if line.key > 0 {
                    let b = egui::Button::new(RichText::new(format!("{}", line.key)).strong()).small();
                    if ui
                        .add_enabled(!editing && line.spans.is_some(), b)
                        .on_hover_text(format!("Take {}'s version (key {})", line.who, line.key))
                        .clicked()
                    {
                        clicked = Some(Command::TakeVersion(line.key as u8));
                    }
                    super::theme::color_chip(ui, line.color);
                } else {
                    ui.weak("now in");
                }
                let mut job = egui::text::LayoutJob::default();
                let mut add = |t: &str, color: Color32| {
                    job.append(
                        t,
                        0.0,
                        egui::TextFormat {
                            font_id: font.clone(),
                            color,
                            ..Default::default()
                        },
                    )
                };
                add(&line.who, text_color);
                add("  ", text_color);
                match &line.spans {
                    None => add("has not annotated this document", weak),
                    Some(v) if v.is_empty() => add("no span", weak),
                    Some(v) => {
                        for (i, (name, color, text)) in v.iter().enumerate() {
                            if i > 0 {
                                add(" · ", weak);
                            }
                            add(name, *color);
                            add(&format!(" “{text}”"), text_color);
                        }
                    }
                }
                let full = job.text.clone();
                ui.add(egui::Label::new(job).truncate()).on_hover_text(full);
            });
        }
        if editing {
            ui.add(
                egui::Label::new(
                    RichText::new("Editing gold: Shift+arrows, Alt+Shift+arrows or the handles move the ends, 1–5 relabel, Delete removes; Enter accepts, Escape cancels.")
                        .color(CURRENT),
                )
                .wrap(),
            );
        }
    });
    if let Some(c) = clicked {
        app.run(c);
    }
}

// ---- The pre-merge dialog ----

pub struct PremergeDialog {
    team: Team,
    chosen: Vec<bool>,
    /// 0 unanimous, 1 majority, 2 threshold.
    strategy: usize,
    k: usize,
    preview: Option<Preview>,
}

/// The preview's figures for (annotators chosen, strategy, k).
type Preview = (Vec<bool>, usize, usize, Result<PreviewFigures, String>);

#[derive(Clone, Debug)]
struct PreviewFigures {
    added: usize,
    docs: usize,
    left: usize,
    left_kinds: String,
    kept: usize,
}

impl PremergeDialog {
    fn strategy(&self) -> Strategy {
        match self.strategy {
            0 => Strategy::Unanimous,
            1 => Strategy::Majority,
            _ => Strategy::Threshold(self.k),
        }
    }

    fn team(&self) -> Team {
        Team {
            gold: self.team.gold.clone(),
            annotators: self
                .team
                .annotators
                .iter()
                .zip(&self.chosen)
                .filter(|(_, c)| **c)
                .map(|(a, _)| a.clone())
                .collect(),
        }
    }

    fn plan(&self, corpus: &Corpus) -> Result<premerge::PremergePlan, String> {
        let team = Team::resolve(corpus, Some(&self.team.gold), Some(&self.team().annotators))
            .map_err(|e| e.to_string())?;
        premerge::plan(corpus, &team, self.strategy()).map_err(|e| e.to_string())
    }
}

const PREMERGE_MODAL: &str = "spanbench_premerge";

pub fn premerge_dialog_ui(ctx: &egui::Context, app: &mut SpanbenchApp) {
    let (Some(d), Some(s)) = (app.curation.premerge.as_mut(), &app.session) else {
        super::dialogs::modal_closed(ctx, PREMERGE_MODAL);
        return;
    };
    let key = (d.chosen.clone(), d.strategy, d.k);
    if d.preview
        .as_ref()
        .is_none_or(|p| (p.0.clone(), p.1, p.2) != key)
    {
        let figures = d.plan(&s.corpus).map(|p| PreviewFigures {
            added: p.added(),
            docs: p.docs.iter().filter(|x| x.added > 0).count(),
            left: p.left_units(),
            left_kinds: p.left().to_string(),
            kept: p.kept(),
        });
        d.preview = Some((key.0, key.1, key.2, figures));
    }
    let mut go = false;
    let mut cancel = false;
    let modal = egui::Modal::new(super::dialogs::modal_id(ctx, PREMERGE_MODAL)).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.heading(format!("Pre-merge into {}", d.team.gold));
        ui.label("Adds every span enough annotators agree on, where the gold layer has nothing yet. Units the gold layer already has spans in, or a decision on, are never changed.");
        ui.separator();
        ui.label("Annotators:");
        ui.horizontal_wrapped(|ui| {
            for (i, a) in d.team.annotators.iter().enumerate() {
                ui.checkbox(&mut d.chosen[i], a);
            }
        });
        let n = d.chosen.iter().filter(|c| **c).count();
        ui.label("A span goes in when it is held by:");
        ui.radio_value(&mut d.strategy, 0, "every annotator (unanimous)");
        ui.radio_value(&mut d.strategy, 1, "more than half of them (majority)");
        ui.horizontal(|ui| {
            ui.radio_value(&mut d.strategy, 2, "at least");
            ui.add(egui::DragValue::new(&mut d.k).range(1..=n.max(1)));
            ui.label("of them (threshold)");
        });
        ui.separator();
        let mut ok = false;
        match d.preview.as_ref().map(|p| &p.3) {
            Some(Ok(f)) => {
                ok = true;
                ui.label(RichText::new(format!(
                    "Adds {} span(s) in {} document(s); {} disagreement(s) left for you{}.",
                    f.added,
                    f.docs,
                    f.left,
                    if f.left_kinds.is_empty() { String::new() } else { format!(" ({})", f.left_kinds) }
                )).strong());
                if f.kept > 0 {
                    ui.weak(format!("{} unit(s) where gold already has spans or a decision stay as they are.", f.kept));
                }
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
        ui.horizontal(|ui| {
            if ui.add_enabled(ok, egui::Button::new("Pre-merge")).clicked() {
                go = true;
            }
            if ui.button("Cancel").clicked() {
                cancel = true;
            }
        });
    });
    if modal.should_close() {
        cancel = true;
    }
    if go {
        let plan = app
            .curation
            .premerge
            .as_ref()
            .zip(app.session.as_ref())
            .map(|(d, s)| d.plan(&s.corpus));
        app.curation.premerge = None;
        let Some(Ok(plan)) = plan else { return };
        let Some(s) = app.session.as_mut() else {
            return;
        };
        match plan.apply(s) {
            Ok(()) => {
                app.curation_rebuild();
                let (done, total) = app
                    .curation
                    .view
                    .as_ref()
                    .map_or((0, 0), |v| v.cur.progress());
                app.notify(
                    format!(
                        "Pre-merge ({}) added {} span(s); resolved {done} of {total}. Ctrl+Z undoes it.",
                        plan.strategy,
                        plan.added()
                    ),
                    false,
                );
                app.run(Command::NextDisagreement);
            }
            Err(e) => app.notify(format!("Pre-merge failed: {e}"), true),
        }
    } else if cancel {
        app.curation.premerge = None;
    }
}

/// For tests: the current unit's listing, as the strip shows it.
pub fn listing(app: &SpanbenchApp) -> Option<Arc<Listing>> {
    app.curation
        .view
        .as_ref()?
        .listing
        .as_ref()
        .map(|(_, _, l)| l.clone())
}

/// Which units the pane draws for the open document: (disagreements, agreed).
pub fn drawn_units(app: &SpanbenchApp) -> Option<(usize, usize)> {
    Some(app.curation.view.as_ref()?.overlay.as_ref()?.3.counts())
}
