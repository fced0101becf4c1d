//! The review queue in the window: a bottom panel with the suggestion on offer, the
//! keys and the progress, the suggestions drawn over the reviewer's layer, and the
//! scores window. `crate::review` decides; this module only draws and forwards keys:
//! A accept, X reject, Space skip, E accept to edit (then the boundary and label keys;
//! Enter or A confirms), Backspace undo, Shift+A accept the document's suggestions at
//! or above the threshold, Escape stop.

use egui::{Color32, Context, Key, Modifiers, RichText, Ui};

use super::app::SpanbenchApp;
use super::overlays::{Suggestion, Suggestions};
use crate::agreement::breakdown::{Breakdown, CellSpan, breakdown};
use crate::agreement::nervaluate::{Outcome, Scheme};
use crate::model::SpanId;
use crate::review::{self, Order, Progress, Queue};

/// Which cell's spans the scores window lists.
#[derive(Clone, Debug, PartialEq)]
pub enum CellKey {
    Score(String, Scheme, Outcome),
    Confusion(String, String),
}

/// The scores window: the model layer against a reference layer.
pub struct ScoresUi {
    pub open: bool,
    pub reference: String,
    pub skip_rejected: bool,
    pub scheme: Scheme,
    pub breakdown: Option<Breakdown>,
    pub error: Option<String>,
    pub cell: Option<CellKey>,
    computed_for: Option<(u64, String, String, bool)>,
    /// How long the last computation took: when it was longer than a frame, a run of
    /// decisions waits for a pause before the scores follow (see `review_before_frame`).
    cost: std::time::Duration,
    /// The revision last seen and when it was first seen.
    seen: Option<(u64, std::time::Instant)>,
    /// Whether the window's first state (open on wide windows) was chosen.
    placed: bool,
}

/// Narrower than this, the scores window would hide the suggestion on offer: it starts
/// closed, and the panel's Scores button opens it.
const SCORES_OPEN_WIDTH: f32 = 1200.0;

/// A pause in the reviewer's decisions after which slow scores are recomputed.
const SCORES_PAUSE: std::time::Duration = std::time::Duration::from_millis(400);
/// Scores computed faster than this follow every decision at once.
const SCORES_LIVE: std::time::Duration = std::time::Duration::from_millis(16);

impl ScoresUi {
    /// True while the figures shown are older than the last decision.
    pub fn stale(&self, revision: u64) -> bool {
        self.computed_for.as_ref().is_some_and(|k| k.0 != revision)
    }
}

/// A review run: one model layer walked by the session's user.
pub struct ReviewUi {
    pub model: String,
    pub queue: Queue,
    /// Shift+A accepts the suggestions of the open document scored at least this.
    pub threshold: f64,
    pub progress: Progress,
    progress_rev: Option<u64>,
    /// A suggestion accepted with E whose new span is being edited: (doc, span id).
    pub editing: Option<(String, SpanId)>,
    pub scores: ScoresUi,
    overlay_key: Option<(String, u64, Option<usize>)>,
}

impl SpanbenchApp {
    /// Starts reviewing `model` (else the first model layer) in document order.
    pub fn start_review(&mut self, model: Option<String>) {
        let Some(s) = self.session.as_mut() else {
            self.notify("Open a project first.", true);
            return;
        };
        let models = review::model_layers(&s.corpus);
        let Some(model) = model
            .filter(|m| models.contains(m))
            .or_else(|| models.first().cloned())
        else {
            self.notify(
                "No model layer to review: import predictions with --model (File > Import…, \"into a model layer\") or run a recommender (Review > Recommenders…).",
                true,
            );
            return;
        };
        // Decisions go into your own layer: show it.
        s.annotator = s.user.clone();
        s.revision += 1;
        let queue = Queue::new(&s.corpus, &model, &s.user, Order::Document);
        let reference = s.corpus.project.gold_layer().to_string();
        self.review = Some(ReviewUi {
            model,
            queue,
            threshold: 0.9,
            progress: Progress::default(),
            progress_rev: None,
            editing: None,
            scores: ScoresUi {
                open: true,
                reference,
                skip_rejected: true,
                scheme: Scheme::Strict,
                breakdown: None,
                error: None,
                cell: None,
                computed_for: None,
                cost: std::time::Duration::ZERO,
                seen: None,
                placed: false,
            },
            overlay_key: None,
        });
        self.annotate = None;
        self.go_to_current_suggestion();
    }

    pub fn stop_review(&mut self) {
        if let Some(s) = self.session.as_mut() {
            s.history.seal();
        }
        self.review = None;
        self.pane.suggestions = Suggestions::default();
    }

    /// Opens the document of the suggestion on offer and brings it into view.
    fn go_to_current_suggestion(&mut self) {
        let Some(it) = self
            .review
            .as_ref()
            .and_then(|r| r.queue.current())
            .cloned()
        else {
            return;
        };
        self.open_document(it.doc.clone());
        self.pane.scroll_to = Some(it.start);
        self.pane.selection = None;
    }

    fn advance_review(&mut self) {
        let (Some(r), Some(s)) = (self.review.as_mut(), self.session.as_ref()) else {
            return;
        };
        if r.queue.advance(&s.corpus).is_none() {
            self.notify(
                "Every suggestion is decided. Esc closes the review; the scores stay in the Scores window.",
                false,
            );
        }
        self.go_to_current_suggestion();
    }

    /// Ends an edit started with E: the decision and its edits are one undo step.
    fn finish_review_edit(&mut self) {
        if let Some(r) = self.review.as_mut()
            && r.editing.take().is_some()
            && let Some(s) = self.session.as_mut()
        {
            s.history.seal();
            self.pane.selected_span = None;
        }
    }

    /// A, X, E on the suggestion on offer; Space skips it.
    pub fn review_decide(&mut self, key: Key, shift: bool) {
        if key == Key::Backspace {
            self.review_undo();
            return;
        }
        if self.review.as_ref().is_some_and(|r| r.editing.is_some()) {
            if matches!(key, Key::A | Key::Enter | Key::Space) {
                self.finish_review_edit();
                // The queue moved on from the edited suggestion when it was decided
                // (`revalidate`): offer the next pending one, skipping none.
                if let (Some(r), Some(s)) = (self.review.as_mut(), self.session.as_ref()) {
                    r.queue.revalidate(&s.corpus);
                    if r.queue.current().is_none() {
                        self.notify(
                            "Every suggestion is decided. Esc closes the review; the scores stay in the Scores window.",
                            false,
                        );
                    }
                }
                self.go_to_current_suggestion();
            }
            return;
        }
        let (Some(r), Some(s)) = (self.review.as_mut(), self.session.as_mut()) else {
            return;
        };
        if key == Key::A && shift {
            let Some(doc) = self.current_doc.clone() else {
                return;
            };
            let t = r.threshold;
            let result = review::accept_at_least(s, &r.model, &doc, t);
            if result.as_ref().is_ok_and(|n| *n > 0) {
                r.queue.revalidate(&s.corpus);
            }
            match result {
                Ok(0) => self.notify(
                    format!("No suggestion in this document is scored {t:.2} or more."),
                    false,
                ),
                Ok(n) => {
                    self.notify(
                        format!("Accepted {n} suggestion(s) scored {t:.2} or more, in one step (Backspace undoes it)."),
                        false,
                    );
                    self.go_to_current_suggestion();
                }
                Err(e) => self.notify(e.to_string(), true),
            }
            return;
        }
        if key == Key::Space {
            self.advance_review();
            return;
        }
        let Some(it) = r.queue.current().cloned() else {
            self.notify("No suggestion is waiting.", false);
            return;
        };
        let model = r.model.clone();
        let result = match key {
            Key::A => review::accept(s, &model, &it.doc, it.id).map(|_| ()),
            Key::X => review::reject(s, &model, &it.doc, it.id),
            Key::E => review::accept_to_edit(s, &model, &it.doc, it.id).map(|id| {
                r.editing = Some((it.doc.clone(), id));
                self.pane.selected_span = Some(id);
                self.pane.selection = None;
            }),
            _ => return,
        };
        match result {
            Ok(()) if key == Key::E => self.notify(
                "Accepted to edit: Shift+arrows and Alt+Shift+arrows move its ends, a label key relabels it; Enter confirms (one undo step).",
                false,
            ),
            Ok(()) => self.advance_review(),
            Err(e) => self.notify(e.to_string(), true),
        }
    }

    /// Backspace: undoes the last step; a decision gives its suggestion back.
    fn review_undo(&mut self) {
        self.finish_review_edit();
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let back = review::last_decision(s);
        if s.undo().is_none() {
            self.notify("Nothing to undo.", false);
            return;
        }
        if let (Some((model, doc, id)), Some(r)) = (back, self.review.as_mut())
            && model == r.model
        {
            r.queue.focus(&doc, id);
            self.go_to_current_suggestion();
        }
    }

    /// Per frame, before the shortcuts: the review keys.
    pub fn review_keys(&mut self, ctx: &Context) {
        if self.review.is_none() || ctx.egui_wants_keyboard_input() || self.modal_open() {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            if self.review.as_ref().is_some_and(|r| r.editing.is_some()) {
                self.finish_review_edit();
            } else {
                self.stop_review();
            }
            return;
        }
        // Shift+A before A: egui matches keys ignoring an extra Shift.
        if ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, Key::A)) {
            self.review_decide(Key::A, true);
            return;
        }
        let editing = self.review.as_ref().is_some_and(|r| r.editing.is_some());
        for key in [
            Key::A,
            Key::X,
            Key::Space,
            Key::E,
            Key::Backspace,
            Key::Enter,
        ] {
            if (key == Key::Enter && !editing) || (editing && matches!(key, Key::X | Key::E)) {
                continue;
            }
            if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                self.review_decide(key, false);
                return;
            }
        }
    }

    /// Per frame: the progress, the scores and the suggestions drawn in the pane, each
    /// rebuilt only when the annotations changed.
    pub fn review_before_frame(&mut self, ctx: &Context) {
        let (Some(r), Some(s)) = (self.review.as_mut(), self.session.as_ref()) else {
            return;
        };
        if r.progress_rev != Some(s.revision) {
            r.queue.revalidate(&s.corpus);
            r.progress = review::progress(&s.corpus, &r.model, &s.user);
            r.progress_rev = Some(s.revision);
        }
        let sc = &mut r.scores;
        if !sc.placed {
            sc.open = ctx.content_rect().width() >= SCORES_OPEN_WIDTH;
            sc.placed = true;
        }
        let key = (
            s.revision,
            sc.reference.clone(),
            r.model.clone(),
            sc.skip_rejected,
        );
        let now = std::time::Instant::now();
        if sc.seen.is_none_or(|(rev, _)| rev != s.revision) {
            sc.seen = Some((s.revision, now));
        }
        // Over a large corpus the scores take longer than a frame: while decisions come
        // in a run, each key stays one frame and the scores follow once the reviewer
        // pauses. A change of reference or filter is applied at once.
        let only_revision = sc
            .computed_for
            .as_ref()
            .is_some_and(|k| (&k.1, &k.2, k.3) == (&key.1, &key.2, key.3));
        let since = sc.seen.map_or(SCORES_PAUSE, |(_, t)| now - t);
        let wait = only_revision && sc.cost > SCORES_LIVE && since < SCORES_PAUSE;
        if sc.open && sc.computed_for.as_ref() != Some(&key) && wait {
            ctx.request_repaint_after(SCORES_PAUSE - since);
        }
        if sc.open && sc.computed_for.as_ref() != Some(&key) && !wait {
            let t = std::time::Instant::now();
            match breakdown(&s.corpus, &sc.reference, &r.model, sc.skip_rejected) {
                Ok(b) => {
                    sc.breakdown = Some(b);
                    sc.error = None;
                }
                Err(e) => {
                    sc.breakdown = None;
                    sc.error = Some(e.to_string());
                }
            }
            sc.computed_for = Some(key);
            sc.cost = t.elapsed();
        }
        let Some(doc) = self.current_doc.clone() else {
            return;
        };
        let okey = (doc.clone(), s.revision, r.queue.cursor());
        if r.overlay_key.as_ref() == Some(&okey) {
            return;
        }
        let current = r.queue.current().filter(|it| it.doc == doc).map(|it| it.id);
        let labels = &s.corpus.project.labels;
        let items: Vec<Suggestion> = review::pending_in(&s.corpus, &r.model, &s.user, &doc)
            .into_iter()
            .map(|sp| {
                let l = labels.iter().find(|l| l.key == sp.label);
                let [cr, cg, cb] = l.map_or([128, 128, 128], |l| l.rgb());
                Suggestion {
                    start: sp.start,
                    end: sp.end,
                    color: Color32::from_rgb(cr, cg, cb),
                    label: l.map_or(sp.label.clone(), |l| l.name.clone()),
                    score: sp.score.map(|c| c.value()),
                    current: Some(sp.id) == current,
                }
            })
            .collect();
        self.pane.suggestions = Suggestions::new(&r.model, items);
        r.overlay_key = Some(okey);
    }
}

/// The review panel at the bottom of the window, while a review runs.
pub fn review_panel_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    if app.review.is_none() {
        return;
    }
    // Four rows, five when the buttons wrap on a narrow window.
    let height = if ui.ctx().content_rect().width() < 1100.0 {
        150.0
    } else {
        128.0
    };
    egui::Panel::bottom("review_panel")
        .resizable(true)
        .default_size(height)
        .min_size(110.0)
        .show(ui, |ui| {
            super::panels::contained(ui, |ui| panel_ui(ui, app))
        });
}

fn panel_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(session) = app.session.as_ref() else {
        return;
    };
    let models = review::model_layers(&session.corpus);
    let Some(r) = app.review.as_mut() else { return };
    let mut pressed: Option<(Key, bool)> = None;
    let mut stop = false;
    let mut restart: Option<(String, Order)> = None;
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.strong("Review");
        let mut model = r.model.clone();
        egui::ComboBox::new("review_model", "")
            .selected_text(&model)
            .show_ui(ui, |ui| {
                for m in &models {
                    ui.selectable_value(&mut model, m.clone(), m);
                }
            });
        let mut order = r.queue.order;
        egui::ComboBox::new("review_order", "")
            .selected_text(match order {
                Order::Document => "document order",
                Order::Score => "lowest score first",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut order, Order::Document, "document order");
                ui.selectable_value(&mut order, Order::Score, "lowest score first");
            });
        if model != r.model || order != r.queue.order {
            restart = Some((model, order));
        }
        let p = &r.progress;
        ui.label(format!(
            "reviewed {} of {} · {} accepted · {} rejected · {} in your layer already",
            p.reviewed(),
            p.total,
            p.accepted,
            p.rejected,
            p.held
        ));
    });
    ui.horizontal_wrapped(|ui| {
        for (label, (done, total)) in &r.progress.per_label {
            ui.weak(format!("{label} {done}/{total}"));
        }
    });
    let text = r.queue.current().and_then(|it| {
        let d = session.corpus.document(&it.doc)?;
        let t = crate::offsets::slice_chars(&d.text, it.start, it.end)?;
        let label = session
            .corpus
            .project
            .label(&it.label)
            .map_or(it.label.clone(), |l| l.name.clone());
        let score = it
            .score
            .map_or("no score".into(), |x| format!("score {x:.2}"));
        Some(format!(
            "{label} “{}” · {score} · {}",
            crate::storage::excerpt(t),
            it.doc
        ))
    });
    ui.horizontal_wrapped(|ui| match (&r.editing, text) {
        (Some(_), _) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Editing the accepted span: Shift+arrows, Alt+Shift+arrows, label keys; Enter confirms.",
            );
        }
        (None, Some(t)) => {
            ui.label(RichText::new(t).strong());
        }
        (None, None) => {
            ui.label("Every suggestion is decided.");
        }
    });
    ui.horizontal_wrapped(|ui| {
        let editing = r.editing.is_some();
        if editing {
            if ui.button("Confirm (Enter)").clicked() {
                pressed = Some((Key::Enter, false));
            }
        } else {
            for (text, key) in [
                ("Accept (A)", Key::A),
                ("Reject (X)", Key::X),
                ("Skip (Space)", Key::Space),
                ("Edit (E)", Key::E),
            ] {
                if ui.button(text).clicked() {
                    pressed = Some((key, false));
                }
            }
        }
        if ui.button("Undo (Backspace)").clicked() {
            pressed = Some((Key::Backspace, false));
        }
        ui.separator();
        ui.add(
            egui::Slider::new(&mut r.threshold, 0.0..=1.0)
                .fixed_decimals(2)
                .text("threshold"),
        );
        if ui
            .button("Accept ≥ threshold (Shift+A)")
            .on_hover_text("Accepts every suggestion of this document scored at least the threshold, in one step")
            .clicked()
        {
            pressed = Some((Key::A, true));
        }
        ui.separator();
        if ui.button("Scores").clicked() {
            r.scores.open = !r.scores.open;
        }
        if ui.button("Stop (Esc)").clicked() {
            stop = true;
        }
    });
    if let Some((model, order)) = restart {
        let user = session.user.clone();
        r.queue = Queue::new(&session.corpus, &model, &user, order);
        if model != r.model {
            r.model = model;
            r.progress_rev = None;
            r.scores.computed_for = None;
            r.scores.cell = None;
        }
        r.overlay_key = None;
        app.go_to_current_suggestion();
    }
    if let Some((key, shift)) = pressed {
        app.review_decide(key, shift);
    }
    if stop {
        app.stop_review();
    }
}

fn figure(f: crate::agreement::Figure) -> String {
    f.value().map_or("n/a".into(), |v| format!("{v:.3}"))
}

/// The scores window: the model against the reference layer, nervaluate's schemes per
/// label and overall, the confusion matrix, and the spans behind a chosen cell.
pub fn scores_window(ctx: &Context, app: &mut SpanbenchApp) {
    let Some(r) = app.review.as_mut() else { return };
    if !r.scores.open {
        return;
    }
    let Some(session) = app.session.as_ref() else {
        return;
    };
    let layers: Vec<String> = session
        .corpus
        .annotators()
        .into_iter()
        .filter(|a| session.corpus.project.layer_kind(a) != crate::model::LayerKind::Model)
        .collect();
    let model = r.model.clone();
    let sc = &mut r.scores;
    let stale = sc.stale(session.revision);
    let mut open = sc.open;
    let mut jump: Option<CellSpan> = None;
    let screen = ctx.content_rect();
    egui::Window::new("Scores")
        .id(egui::Id::unique("scores_window"))
        .open(&mut open)
        .default_pos([screen.max.x - 470.0, screen.min.y + 70.0])
        .default_size([440.0, (screen.height() * 0.55).min(420.0)])
        .max_height(screen.height() - 80.0)
        .show(ctx, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{model} against"));
                egui::ComboBox::new("scores_reference", "")
                    .selected_text(&sc.reference)
                    .show_ui(ui, |ui| {
                        for l in &layers {
                            ui.selectable_value(&mut sc.reference, l.clone(), l);
                        }
                    });
                ui.checkbox(&mut sc.skip_rejected, "without rejected")
                    .on_hover_text("Leave out the suggestions you rejected: the scores of what your review keeps");
            });
            ui.horizontal_wrapped(|ui| {
                for s in Scheme::ALL {
                    if ui.add(egui::Button::selectable(sc.scheme == s, s.name())).clicked() {
                        sc.scheme = s;
                    }
                }
            });
            if let Some(e) = &sc.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            let Some(b) = &sc.breakdown else { return };
            ui.weak(format!(
                "{} document(s) both layers annotated. Click a count to list its spans.",
                b.report.documents
            ));
            if stale {
                ui.weak("Updating after your last decisions…");
            }
            egui::ScrollArea::vertical()
                .id_salt("scores_scroll")
                .show(ui, |ui| {
                    egui::Grid::new("scores_grid").striped(true).show(ui, |ui| {
                        for h in ["label", "correct", "incorrect", "partial", "missed", "spurious", "P", "R", "F1"] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        let rows = std::iter::once(("*", &b.report.overall))
                            .chain(b.report.per_label.0.iter().map(|(l, s)| (l.as_str(), s)));
                        for (label, scores) in rows {
                            let s = scores.get(sc.scheme);
                            ui.label(if label == "*" { "all" } else { label });
                            for (o, n) in [
                                (Outcome::Correct, s.correct),
                                (Outcome::Incorrect, s.incorrect),
                                (Outcome::Partial, s.partial),
                                (Outcome::Missed, s.missed),
                                (Outcome::Spurious, s.spurious),
                            ] {
                                let key = CellKey::Score(label.to_string(), sc.scheme, o);
                                let on = sc.cell.as_ref() == Some(&key);
                                if ui.add(egui::Button::selectable(on, n.to_string())).clicked() {
                                    sc.cell = (!on).then_some(key);
                                }
                            }
                            ui.label(figure(s.precision));
                            ui.label(figure(s.recall));
                            ui.label(figure(s.f1));
                            ui.end_row();
                        }
                    });
                    ui.collapsing("Label confusion (rows: reference)", |ui| {
                        egui::Grid::new("confusion_grid").striped(true).show(ui, |ui| {
                            ui.label("");
                            for (col, _) in &b.report.confusion.0 {
                                ui.strong(col);
                            }
                            ui.end_row();
                            for (row, cells) in &b.report.confusion.0 {
                                ui.strong(row);
                                for (col, n) in &cells.0 {
                                    let key = CellKey::Confusion(row.clone(), col.clone());
                                    let on = sc.cell.as_ref() == Some(&key);
                                    if ui.add(egui::Button::selectable(on, n.to_string())).clicked() {
                                        sc.cell = (!on).then_some(key);
                                    }
                                }
                                ui.end_row();
                            }
                        });
                    });
                    let list: &[CellSpan] = match &sc.cell {
                        Some(CellKey::Score(l, s, o)) => b.cell(l, *s, *o),
                        Some(CellKey::Confusion(g, p)) => b.confusion_cell(g, p),
                        None => &[],
                    };
                    if sc.cell.is_some() {
                        ui.separator();
                        ui.strong(format!("{} span(s); click one to go to it", list.len()));
                        for c in list.iter().take(500) {
                            let text = |s: usize, e: usize| {
                                session
                                    .corpus
                                    .document(&c.doc)
                                    .and_then(|d| crate::offsets::slice_chars(&d.text, s, e))
                                    .map(crate::storage::excerpt)
                                    .unwrap_or_default()
                            };
                            let g = c.gold.as_ref().map_or("—".into(), |(s, e, l)| format!("{l} “{}”", text(*s, *e)));
                            let p = c.pred.as_ref().map_or("—".into(), |(s, e, l, _)| format!("{l} “{}”", text(*s, *e)));
                            if ui
                                .add(egui::Button::new(format!("{}: reference {g} · model {p}", c.doc)).truncate())
                                .clicked()
                            {
                                jump = Some(c.clone());
                            }
                        }
                    }
                });
        });
    sc.open = open;
    if let Some(c) = jump {
        let (s, e) = c.at();
        app.open_document(c.doc.clone());
        app.pane.scroll_to = Some(s);
        app.pane.selection = Some((s, e));
        app.pane.selected_span = None;
    }
}
