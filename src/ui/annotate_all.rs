//! "Annotate all": every hit in the open document that the layer has not tagged with the
//! label yet (from the search, or from the selected span's text) is proposed in turn,
//! drawn in the pane and listed. Enter accepts the current one, Space skips it, A accepts
//! all the rest, Escape stops. What was accepted is added as ONE undo step.

use egui::text::LayoutJob;
use egui::{Color32, Context, FontId, Key, Modifiers, TextFormat, Ui};

use super::app::SpanbenchApp;
use super::marks::{Mark, MarkStyle, Marks};
use crate::search::{Hit, Matcher, Query, unannotated};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Accepted,
    Skipped,
}

#[derive(Clone, Copy, Debug)]
pub struct Proposal {
    pub hit: Hit,
    pub decision: Decision,
}

/// A run of "annotate all" over one document.
pub struct AnnotateAll {
    pub doc: String,
    pub label: String,
    /// What was looked for, as the panel names it.
    pub what: String,
    pub items: Vec<Proposal>,
    /// The proposal waiting for a decision.
    pub cursor: usize,
    pub marks: Marks,
    color: Color32,
}

impl AnnotateAll {
    fn rebuild_marks(&mut self) {
        let c = self.color;
        self.marks = Marks::new(
            self.items
                .iter()
                .enumerate()
                .filter(|(_, p)| p.decision != Decision::Skipped)
                .map(|(i, p)| Mark {
                    start: p.hit.start,
                    end: p.hit.end,
                    style: match p.decision {
                        Decision::Accepted => MarkStyle::Accepted(c),
                        _ if i == self.cursor => MarkStyle::CurrentProposal(c),
                        _ => MarkStyle::Proposal(c),
                    },
                })
                .collect(),
        );
    }

    fn count(&self, d: Decision) -> usize {
        self.items.iter().filter(|p| p.decision == d).count()
    }

    /// Moves to the next proposal still pending; false when there is none.
    fn advance(&mut self) -> bool {
        match (self.cursor..self.items.len())
            .chain(0..self.cursor)
            .find(|&i| self.items[i].decision == Decision::Pending)
        {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }
}

impl SpanbenchApp {
    /// Ctrl+Shift+A: from the selected span's text and label, else from the search.
    pub fn start_annotate_all(&mut self) {
        if self.annotate.is_some() {
            return;
        }
        let span = match (&self.session, &self.current_doc, self.pane.selected_span) {
            (Some(s), Some(doc), Some(id)) => s.span(doc, id).cloned(),
            _ => None,
        };
        if let Some(span) = span {
            let what = format!("“{}”", span.text);
            self.begin_annotate_all(Query::exact_word(&span.text), &span.label, what);
        } else if self.search.open && !self.search.query.text.is_empty() {
            self.start_annotate_all_from_search();
        } else {
            self.notify(
                "Select a span (its text is looked for) or search first (Ctrl+F), then annotate all.",
                false,
            );
        }
    }

    /// Proposes the search's hits in the open document for the label chosen in the panel.
    pub fn start_annotate_all_from_search(&mut self) {
        let Some(label) = self.search.label.clone().or_else(|| {
            self.session
                .as_ref()
                .and_then(|s| s.corpus.project.labels.first())
                .map(|l| l.key.clone())
        }) else {
            return;
        };
        let q = self.search.query.clone();
        let what = if q.regex {
            format!("/{}/", q.text)
        } else {
            format!("“{}”", q.text)
        };
        self.begin_annotate_all(q, &label, what);
    }

    fn begin_annotate_all(&mut self, query: Query, label: &str, what: String) {
        let (Some(s), Some(doc)) = (&self.session, self.current_doc.clone()) else {
            return;
        };
        let Some(d) = s.corpus.document(&doc) else {
            return;
        };
        let matcher = match Matcher::new(&query) {
            Ok(m) => m,
            Err(e) => {
                self.notify(format!("Annotate all: {e}"), true);
                return;
            }
        };
        let name = s
            .corpus
            .project
            .label(label)
            .map_or(label.to_string(), |l| l.name.clone());
        let color = s.corpus.project.label(label).map_or(Color32::GRAY, |l| {
            let [r, g, b] = l.rgb();
            Color32::from_rgb(r, g, b)
        });
        let hits = unannotated(
            matcher.hits(&d.text, super::search::MAX_HITS),
            s.spans(&doc),
            label,
        );
        if hits.is_empty() {
            self.notify(
                format!("Every {what} in this document is already tagged {name}."),
                false,
            );
            return;
        }
        let mut run = AnnotateAll {
            doc,
            label: label.to_string(),
            what,
            items: hits
                .into_iter()
                .map(|hit| Proposal {
                    hit,
                    decision: Decision::Pending,
                })
                .collect(),
            cursor: 0,
            marks: Marks::default(),
            color,
        };
        run.rebuild_marks();
        self.pane.scroll_to = Some(run.items[0].hit.start);
        self.pane.selection = None;
        self.annotate = Some(run);
    }

    /// Per frame, before the shortcuts: the run's keys, and the end of the run when its
    /// document is no longer the open one.
    pub fn annotate_all_keys(&mut self, ctx: &Context) {
        let Some(run) = &self.annotate else { return };
        if self.current_doc.as_deref() != Some(run.doc.as_str()) {
            self.finish_annotate_all();
            return;
        }
        if ctx.egui_wants_keyboard_input() || self.modal_open() {
            return;
        }
        let key = |k| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, k));
        if key(Key::Escape) {
            self.finish_annotate_all();
        } else if key(Key::Enter) {
            self.decide(Decision::Accepted);
        } else if key(Key::Space) {
            self.decide(Decision::Skipped);
        } else if key(Key::A) {
            self.accept_rest();
        }
    }

    /// Decides the current proposal and moves on; the run ends after the last one.
    pub fn decide(&mut self, d: Decision) {
        let Some(run) = &mut self.annotate else {
            return;
        };
        if let Some(p) = run.items.get_mut(run.cursor) {
            p.decision = d;
        }
        if run.advance() {
            run.rebuild_marks();
            self.pane.scroll_to = Some(run.items[run.cursor].hit.start);
        } else {
            self.finish_annotate_all();
        }
    }

    pub fn accept_rest(&mut self) {
        if let Some(run) = &mut self.annotate {
            for p in &mut run.items {
                if p.decision == Decision::Pending {
                    p.decision = Decision::Accepted;
                }
            }
        }
        self.finish_annotate_all();
    }

    /// Ends the run, adding what was accepted as one undo step.
    pub fn finish_annotate_all(&mut self) {
        let Some(run) = self.annotate.take() else {
            return;
        };
        let ranges: Vec<(usize, usize)> = run
            .items
            .iter()
            .filter(|p| p.decision == Decision::Accepted)
            .map(|p| (p.hit.start, p.hit.end))
            .collect();
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if ranges.is_empty() {
            self.notify(format!("Annotate all {}: nothing tagged.", run.what), false);
            return;
        }
        let name = s
            .corpus
            .project
            .label(&run.label)
            .map_or(run.label.clone(), |l| l.name.clone());
        match s.add_spans(&run.doc, &ranges, &run.label) {
            Ok(ids) => {
                self.pane.selection = None;
                self.notify(
                    format!(
                        "Tagged {} × {} as {name} in one step (Ctrl+Z undoes them all).",
                        ids.len(),
                        run.what
                    ),
                    false,
                );
            }
            Err(e) => self.notify(format!("Annotate all: {e}"), true),
        }
    }
}

/// The run's panel: where it is, the keys, and every proposal with its decision.
pub fn run_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(run) = &app.annotate else { return };
    let mut action: Option<Decision> = None;
    let (mut rest, mut stop, mut goto) = (false, false, None);
    let name = app
        .session
        .as_ref()
        .and_then(|s| s.corpus.project.label(&run.label))
        .map_or(run.label.clone(), |l| l.name.clone());
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("Annotate all {} as {name}", run.what));
        ui.label(format!(
            "· proposal {} of {} · {} accepted · {} skipped",
            run.cursor + 1,
            run.items.len(),
            run.count(Decision::Accepted),
            run.count(Decision::Skipped)
        ));
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button("Accept (Enter)").clicked() {
            action = Some(Decision::Accepted);
        }
        if ui.button("Skip (Space)").clicked() {
            action = Some(Decision::Skipped);
        }
        if ui.button("Accept the rest (A)").clicked() {
            rest = true;
        }
        if ui.button("Stop (Esc)").clicked() {
            stop = true;
        }
        ui.weak("Everything accepted becomes one undo step.");
    });
    ui.separator();
    let text = app
        .session
        .as_ref()
        .and_then(|s| s.corpus.document(&run.doc))
        .map_or("", |d| d.text.as_str());
    let row = ui.spacing().interact_size.y;
    let font = FontId::proportional(ui.text_style_height(&egui::TextStyle::Body).min(14.0));
    let (normal, weak) = (ui.visuals().text_color(), ui.visuals().weak_text_color());
    egui::ScrollArea::vertical()
        .id_salt("annotate_all_list")
        .auto_shrink(false)
        .show_rows(ui, row, run.items.len(), |ui, rows| {
            for i in rows {
                let p = run.items[i];
                let Some(c) = p.hit.context(text, 40) else {
                    continue;
                };
                let (mark, color) = match p.decision {
                    Decision::Pending => ("", normal),
                    Decision::Accepted => ("accepted · ", normal),
                    Decision::Skipped => ("skipped · ", weak),
                };
                let fmt = |color| TextFormat {
                    font_id: font.clone(),
                    color,
                    ..Default::default()
                };
                let mut job = LayoutJob::default();
                job.append(mark, 0.0, fmt(color));
                job.append(&format!("…{}", c.before), 0.0, fmt(weak));
                job.append(
                    c.hit,
                    0.0,
                    TextFormat {
                        background: run.color.gamma_multiply(0.35),
                        ..fmt(color)
                    },
                );
                job.append(&format!("{}…", c.after), 0.0, fmt(weak));
                if ui
                    .add(egui::Button::selectable(i == run.cursor, job).truncate())
                    .clicked()
                {
                    goto = Some(i);
                }
            }
        });
    if let Some(i) = goto
        && let Some(run) = &mut app.annotate
    {
        run.cursor = i;
        run.rebuild_marks();
        app.pane.scroll_to = Some(run.items[i].hit.start);
    }
    if let Some(d) = action {
        app.decide(d);
    } else if rest {
        app.accept_rest();
    } else if stop {
        app.finish_annotate_all();
    }
}
