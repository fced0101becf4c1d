//! Feedback to an annotator: on their layer, a toggle shows where the gold layer differs
//! from it (missed, extra, wrong label, boundary), drawn in the pane and counted for the
//! document and for all documents. `crate::curation::feedback` computes it; this module
//! draws it.

use std::sync::Arc;

use egui::{Color32, Galley, Painter, Rect, RichText, Shape, Stroke, StrokeKind, Ui, Vec2, pos2};

use super::app::SpanbenchApp;
use super::commands::Command;
use super::document_pane::{PaneOverlay, row_extents};
use crate::agreement::disagreements::Kind;
use crate::curation::KindCounts;
use crate::curation::feedback::{self, Feedback, NoFeedback, kind_name};
use crate::model::Corpus;

pub fn kind_color(k: Kind) -> Color32 {
    match k {
        Kind::Missing => Color32::from_rgb(235, 120, 40),
        Kind::Extra => Color32::from_rgb(220, 50, 50),
        Kind::Label => Color32::from_rgb(170, 90, 220),
        Kind::Boundary => Color32::from_rgb(60, 140, 230),
    }
}

/// The toggle's state: whose layer against which gold, the counts of every document
/// (taken when turned on; the open document's are kept up to date), and the open
/// document's feedback.
pub struct GoldFeedback {
    pub annotator: String,
    pub gold: String,
    per_doc: Vec<KindCounts>,
    /// (document, revision) the feedback below is for.
    key: Option<(String, u64)>,
    pub doc: Result<Feedback, NoFeedback>,
    overlay: Option<Arc<FeedbackOverlay>>,
}

impl GoldFeedback {
    /// Counts over all documents.
    pub fn corpus_counts(&self) -> KindCounts {
        let mut c = KindCounts::default();
        for d in &self.per_doc {
            c.merge(d);
        }
        c
    }

    pub fn doc_counts(&self) -> Option<&KindCounts> {
        self.doc.as_ref().ok().map(|f| &f.counts)
    }
}

struct Item {
    start: usize,
    end: usize,
    kinds: Vec<Kind>,
    /// The gold layer's spans of the unit.
    gold: Vec<(usize, usize)>,
    /// The annotator's spans of the unit.
    mine: Vec<(usize, usize)>,
    about: Vec<String>,
}

struct FeedbackOverlay {
    items: Vec<Item>,
    longest: usize,
}

fn describe(
    corpus: &Corpus,
    text: &str,
    f: &Feedback,
    spans: &[crate::agreement::SpanRef],
) -> String {
    if spans.is_empty() {
        return "no span".into();
    }
    spans
        .iter()
        .map(|s| {
            let key = f.labels.get(s.label as usize).map_or("?", String::as_str);
            let name = corpus.project.label(key).map_or(key, |l| l.name.as_str());
            let t = crate::offsets::slice_chars(text, s.start, s.end).unwrap_or("");
            let mut t: String = t.chars().take(50).collect();
            if t.chars().count() == 50 {
                t.push('…');
            }
            format!("{name} “{t}”")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl FeedbackOverlay {
    fn build(corpus: &Corpus, doc: &str, annotator: &str, gold: &str, f: &Feedback) -> Self {
        let text = corpus.document(doc).map_or("", |d| d.text.as_str());
        let items: Vec<Item> = f
            .items
            .iter()
            .map(|it| {
                let mine = &it.versions[0].spans;
                let golds = &it.versions[1].spans;
                let kinds: Vec<&str> = it.kinds.iter().map(|k| kind_name(*k)).collect();
                Item {
                    start: it.start,
                    end: it.end,
                    kinds: it.kinds.clone(),
                    gold: golds.iter().map(|s| (s.start, s.end)).collect(),
                    mine: mine.iter().map(|s| (s.start, s.end)).collect(),
                    about: vec![
                        format!("Gold differs: {}", kinds.join(" + ")),
                        format!("{annotator}: {}", describe(corpus, text, f, mine)),
                        format!("{gold}: {}", describe(corpus, text, f, golds)),
                    ],
                }
            })
            .collect();
        let longest = items.iter().map(|i| i.end - i.start).max().unwrap_or(0);
        Self { items, longest }
    }

    fn within(&self, c0: usize, c1: usize) -> &[Item] {
        let lo = self.items.partition_point(|u| u.start + self.longest <= c0);
        let hi = self.items.partition_point(|u| u.start < c1);
        &self.items[lo..hi.max(lo)]
    }
}

impl PaneOverlay for FeedbackOverlay {
    fn paint(
        &self,
        painter: &Painter,
        galley: &Galley,
        chars: (usize, usize),
        offset: Vec2,
        font_height: f32,
    ) {
        let local = |s: usize, e: usize| {
            (
                s.max(chars.0) - chars.0,
                e.min(chars.1).saturating_sub(chars.0),
            )
        };
        for it in self.within(chars.0, chars.1) {
            let main = it.kinds.first().copied().unwrap_or(Kind::Boundary);
            let color = kind_color(main);
            // Where gold has its spans: a box in the kind's colour (dashed: missed).
            for &(s, e) in &it.gold {
                if e <= chars.0 || s >= chars.1 {
                    continue;
                }
                let (a, b) = local(s, e);
                for (x0, x1, top, bottom) in row_extents(galley, a, b, font_height) {
                    let r = Rect::from_min_max(pos2(x0, top - 2.0), pos2(x1, bottom + 2.0))
                        .translate(offset);
                    if main == Kind::Missing {
                        for (p, q) in [
                            (r.left_top(), r.right_top()),
                            (r.right_top(), r.right_bottom()),
                            (r.right_bottom(), r.left_bottom()),
                            (r.left_bottom(), r.left_top()),
                        ] {
                            painter.extend(Shape::dashed_line(
                                &[p, q],
                                Stroke::new(2.0, color),
                                4.0,
                                3.0,
                            ));
                        }
                    } else {
                        painter.rect_stroke(r, 2.0, Stroke::new(2.0, color), StrokeKind::Outside);
                    }
                }
            }
            // What gold does not have: the annotator's span struck through.
            if it.kinds.contains(&Kind::Extra) {
                for &(s, e) in &it.mine {
                    if e <= chars.0 || s >= chars.1 {
                        continue;
                    }
                    let (a, b) = local(s, e);
                    for (x0, x1, top, bottom) in row_extents(galley, a, b, font_height) {
                        let y = (top + bottom) / 2.0;
                        painter.line_segment(
                            [pos2(x0, y) + offset, pos2(x1, y) + offset],
                            Stroke::new(2.0, kind_color(Kind::Extra)),
                        );
                    }
                }
            }
        }
    }

    fn hover(&self, c: usize) -> Vec<String> {
        self.within(c, c + 1)
            .iter()
            .filter(|u| u.start <= c && c < u.end)
            .flat_map(|u| u.about.iter().cloned())
            .collect()
    }
}

impl SpanbenchApp {
    /// The toggle: on for the layer on screen, against the project's gold layer.
    pub fn toggle_gold_feedback(&mut self) {
        if self.feedback.take().is_some() {
            return;
        }
        let Some(s) = &self.session else {
            self.notify("Open a project first.", true);
            return;
        };
        let gold = s.corpus.project.gold_layer().to_string();
        let annotator = s.annotator.clone();
        if annotator == gold {
            self.notify(
                "This is the gold layer: choose an annotator's layer (toolbar) to see where gold differs from it.",
                false,
            );
            return;
        }
        if !s.corpus.annotations.contains_key(&gold) {
            self.notify(
                format!("There is no {gold} layer yet, so nothing to compare with."),
                false,
            );
            return;
        }
        if !s.corpus.annotations.contains_key(&annotator) {
            self.notify(
                format!("{annotator} has no annotations yet, so nothing to compare."),
                false,
            );
            return;
        }
        let per_doc = feedback::corpus_counts(&s.corpus, &annotator, &gold);
        self.feedback = Some(GoldFeedback {
            annotator,
            gold,
            per_doc,
            key: None,
            doc: Err(NoFeedback::NoGold),
            overlay: None,
        });
    }

    /// Per frame, before the pane: brings the open document's feedback up to date and
    /// hands the pane its overlay. Turns off when another layer is chosen.
    fn feedback_tick(&mut self) {
        let (Some(fb), Some(s), Some(doc)) =
            (self.feedback.as_mut(), &self.session, &self.current_doc)
        else {
            return;
        };
        if s.annotator != fb.annotator || self.curation.is_open() {
            self.feedback = None;
            return;
        }
        let key = (doc.clone(), s.revision);
        if fb.key.as_ref() != Some(&key) {
            fb.doc = match feedback::feedback(&s.corpus, &fb.annotator, &fb.gold, doc) {
                Ok(r) => r,
                Err(_) => Err(NoFeedback::NotAnnotated),
            };
            if let Ok(i) = s
                .corpus
                .documents
                .binary_search_by(|d| d.id.as_str().cmp(doc))
                && let Some(slot) = fb.per_doc.get_mut(i)
            {
                *slot = fb
                    .doc
                    .as_ref()
                    .map(|f| f.counts.clone())
                    .unwrap_or_default();
            }
            fb.overlay = fb.doc.as_ref().ok().map(|f| {
                Arc::new(FeedbackOverlay::build(
                    &s.corpus,
                    doc,
                    &fb.annotator,
                    &fb.gold,
                    f,
                ))
            });
            fb.key = Some(key);
        }
        if let Some(o) = &fb.overlay {
            self.pane.overlay = Some(o.clone() as Arc<dyn PaneOverlay>);
        }
    }
}

fn counts_ui(ui: &mut Ui, c: &KindCounts) {
    for k in [Kind::Missing, Kind::Extra, Kind::Label, Kind::Boundary] {
        super::theme::color_chip(ui, kind_color(k));
        ui.label(format!("{} {}", kind_name(k), c.get(k)));
    }
}

/// The line above the pane while the feedback is on.
pub fn feedback_strip_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    app.feedback_tick();
    let Some(fb) = &app.feedback else { return };
    let mut hide = false;
    egui::Frame::group(ui.style())
        .fill(ui.visuals().faint_bg_color)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.strong(format!("Where {} differs from {}", fb.gold, fb.annotator));
                ui.separator();
                match &fb.doc {
                    Ok(f) => {
                        ui.label(RichText::new("This document:").strong());
                        counts_ui(ui, &f.counts);
                    }
                    Err(NoFeedback::NoGold) => {
                        ui.weak(format!("{} has not annotated this document.", fb.gold));
                    }
                    Err(NoFeedback::NotAnnotated) => {
                        ui.weak(format!("{} has not annotated this document.", fb.annotator));
                    }
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("All documents:").strong());
                counts_ui(ui, &fb.corpus_counts());
                if ui.small_button("Hide").clicked() {
                    hide = true;
                }
            });
        });
    if hide {
        app.run(Command::GoldFeedback);
    }
}

/// The toolbar toggle, on any layer but gold.
pub fn toolbar_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(s) = &app.session else { return };
    if s.annotator == s.corpus.project.gold_layer() {
        return;
    }
    let mut on = app.feedback.is_some();
    if ui
        .checkbox(&mut on, "Gold differences")
        .on_hover_text(format!(
            "{}: where the {} layer differs from this one (missed, extra, wrong label, boundary)",
            Command::GoldFeedback.text(),
            s.corpus.project.gold_layer()
        ))
        .changed()
    {
        app.run(Command::GoldFeedback);
    }
}
