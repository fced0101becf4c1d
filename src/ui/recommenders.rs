//! The built-in recommenders in the window: each can retrain on its own after edits
//! (debounced, on a worker thread, only when the done documents it learns from
//! changed), or be run at once; its suggestions replace its model layer and its
//! learning curve is plotted (egui_plot). `crate::recommend` does the work.

use std::hash::{Hash, Hasher};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use egui::Context;
use egui_plot::{Line, Plot, PlotPoints, Points};

use super::app::SpanbenchApp;
use crate::model::Corpus;
use crate::recommend::{self, Outcome, RecommendError, Recommender};

/// How long after the last edit a recommender retrains.
pub const DEBOUNCE: Duration = Duration::from_secs(2);

struct Running {
    kind: Recommender,
    fingerprint: u64,
    rx: mpsc::Receiver<Result<Outcome, RecommendError>>,
}

#[derive(Default)]
pub struct RecommendersUi {
    pub open: bool,
    /// Retrain after edits, per recommender (string, crf).
    pub auto: [bool; 2],
    /// The layer to learn from; `None`: the user's own.
    pub from: Option<String>,
    /// What each said last.
    pub status: [String; 2],
    running: Option<Running>,
    trained_on: [Option<u64>; 2],
    seen_revision: Option<u64>,
    due: Option<Instant>,
}

fn index(kind: Recommender) -> usize {
    match kind {
        Recommender::String => 0,
        Recommender::Crf => 1,
    }
}

/// What a recommender learns from: the done documents of `layer` and their spans.
fn fingerprint(corpus: &Corpus, layer: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for d in recommend::done_documents(corpus, layer) {
        d.id.hash(&mut h);
        if let Some(set) = corpus.set(layer, &d.id) {
            for s in &set.spans {
                (s.start, s.end, &s.label).hash(&mut h);
            }
        }
    }
    h.finish()
}

impl SpanbenchApp {
    fn learn_from(&self) -> Option<String> {
        let s = self.session.as_ref()?;
        Some(
            self.recommenders
                .from
                .clone()
                .unwrap_or_else(|| s.user.clone()),
        )
    }

    /// Starts `kind` on a worker thread, unless one is running.
    pub fn run_recommender(&mut self, kind: Recommender) {
        if self.recommenders.running.is_some() {
            return;
        }
        let (Some(s), Some(from)) = (self.session.as_ref(), self.learn_from()) else {
            return;
        };
        // Your own layer before your first span: nothing done yet, not "no layer".
        if from == s.user && !s.corpus.annotations.contains_key(&from) {
            let e = RecommendError::TooFewDocuments {
                what: kind.name(),
                layer: from,
                have: 0,
                more: kind.min_documents(),
            };
            self.recommenders.status[index(kind)] = e.to_string();
            return;
        }
        let corpus = s.corpus.clone();
        let fp = fingerprint(&corpus, &from);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(recommend::run(&corpus, kind, &from));
        });
        self.recommenders.status[index(kind)] = "training…".into();
        self.recommenders.running = Some(Running {
            kind,
            fingerprint: fp,
            rx,
        });
    }

    /// Per frame: takes a finished run's suggestions, and starts a retraining once the
    /// edits have settled.
    pub fn recommenders_before_frame(&mut self, ctx: &Context) {
        if let Some(run) = &self.recommenders.running {
            match run.rx.try_recv() {
                Ok(result) => {
                    let (kind, fp) = (run.kind, run.fingerprint);
                    self.recommenders.running = None;
                    self.recommenders.trained_on[index(kind)] = Some(fp);
                    self.apply_recommendation(kind, result);
                }
                Err(mpsc::TryRecvError::Empty) => {
                    ctx.request_repaint_after(Duration::from_millis(100));
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    let kind = run.kind;
                    self.recommenders.running = None;
                    self.recommenders.status[index(kind)] =
                        "the training stopped unexpectedly".into();
                }
            }
        }
        let Some(s) = self.session.as_ref() else {
            return;
        };
        if !self.recommenders.auto.iter().any(|a| *a) {
            return;
        }
        let now = Instant::now();
        if self.recommenders.seen_revision != Some(s.revision) {
            self.recommenders.seen_revision = Some(s.revision);
            self.recommenders.due = Some(now + DEBOUNCE);
        }
        let Some(due) = self.recommenders.due else {
            return;
        };
        if now < due {
            ctx.request_repaint_after(due - now);
            return;
        }
        if self.recommenders.running.is_some() || s.read_only().is_some() {
            return;
        }
        let Some(from) = self.learn_from() else {
            return;
        };
        let fp = fingerprint(&s.corpus, &from);
        let next = Recommender::ALL.into_iter().find(|k| {
            self.recommenders.auto[index(*k)] && self.recommenders.trained_on[index(*k)] != Some(fp)
        });
        match next {
            Some(k) => self.run_recommender(k),
            None => self.recommenders.due = None,
        }
    }

    fn apply_recommendation(&mut self, kind: Recommender, result: Result<Outcome, RecommendError>) {
        let i = index(kind);
        let out = match result {
            Ok(o) => o,
            Err(e) => {
                self.recommenders.status[i] = e.to_string();
                return;
            }
        };
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if let Err(e) = s.check_writable() {
            self.recommenders.status[i] = format!("not written: {e}");
            return;
        }
        let eval = out.point.as_ref().map_or(
            format!(
                "not evaluated yet: a held-out fifth needs {} done documents",
                recommend::MIN_EVAL_DOCUMENTS
            ),
            |p| {
                format!(
                    "held-out F1 {}",
                    p.f1.map_or("n/a".into(), |f| format!("{f:.3}"))
                )
            },
        );
        self.recommenders.status[i] = format!(
            "learnt from {} done document(s): {} suggestion(s) in the layer {}; {eval}",
            out.documents, out.suggestions, out.layer
        );
        let layer = out.layer.clone();
        s.set_layer_info(&out.layer, out.info);
        s.add_imported(Vec::new(), out.sets);
        // A review of this layer walks the new suggestions.
        if let Some(r) = self.review.as_mut()
            && r.model == layer
        {
            r.queue = crate::review::Queue::new(&s.corpus, &layer, &s.user, r.queue.order);
        }
    }
}

/// The recommenders window.
pub fn recommenders_window(ctx: &Context, app: &mut SpanbenchApp) {
    if !app.recommenders.open {
        return;
    }
    let Some(s) = app.session.as_ref() else {
        return;
    };
    let layers: Vec<String> = s
        .corpus
        .annotators()
        .into_iter()
        .filter(|a| s.corpus.project.layer_kind(a) != crate::model::LayerKind::Model)
        .collect();
    let user = s.user.clone();
    let curves: Vec<Vec<[f64; 2]>> = Recommender::ALL
        .iter()
        .map(|k| {
            s.corpus
                .project
                .layers
                .get(k.layer())
                .map(|i| {
                    i.curve
                        .iter()
                        .filter_map(|p| Some([p.documents as f64, p.f1?]))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let mut open = true;
    let mut run = None;
    let busy = app.recommenders.running.is_some();
    let r = &mut app.recommenders;
    egui::Window::new("Recommenders")
        .id(egui::Id::unique("recommenders_window"))
        .open(&mut open)
        .default_size([460.0, 560.0])
        .max_height(ctx.content_rect().height() - 80.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label("Learn from the done documents of");
                    let before = r.from.clone();
                    let shown = r.from.clone().unwrap_or(format!("{user} (you)"));
                    egui::ComboBox::new("recommend_from", "")
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut r.from, None, format!("{user} (you)"));
                            for l in &layers {
                                if *l != user {
                                    ui.selectable_value(&mut r.from, Some(l.clone()), l);
                                }
                            }
                        });
                    // What each said was about the other layer.
                    if r.from != before {
                        r.status = Default::default();
                    }
                });
                for kind in Recommender::ALL {
                    let i = index(kind);
                    ui.separator();
                    ui.horizontal_wrapped(|ui| {
                        ui.strong(kind.name());
                        ui.weak(format!("suggests into layer {}", kind.layer()));
                    });
                    ui.horizontal_wrapped(|ui| {
                        ui.checkbox(&mut r.auto[i], "Retrain after edits");
                        if ui.add_enabled(!busy, egui::Button::new("Run now")).clicked() {
                            run = Some(kind);
                        }
                    });
                    if !r.status[i].is_empty() {
                        ui.add(egui::Label::new(&r.status[i]).wrap());
                    }
                    let pts = &curves[i];
                    if pts.is_empty() {
                        ui.weak(format!(
                            "Learning curve: each run scores itself on a held-out fifth once {} documents are done.",
                            recommend::MIN_EVAL_DOCUMENTS
                        ));
                    } else {
                        // Room after the last point, so it does not sit on the frame.
                        let xmax = pts.iter().map(|p| p[0]).fold(0.0, f64::max);
                        Plot::new(("curve", i))
                            .height(120.0)
                            .include_y(0.0)
                            .include_y(1.0)
                            .include_x(0.0)
                            .include_x(xmax + (xmax * 0.05).max(0.5))
                            .x_axis_label("done documents")
                            .y_axis_label("F1 (held out)")
                            .allow_zoom(false)
                            .allow_drag(false)
                            .allow_scroll(false)
                            .show(ui, |p| {
                                p.line(Line::new("F1", PlotPoints::from(pts.clone())));
                                p.points(Points::new("", PlotPoints::from(pts.clone())).radius(3.0));
                            });
                    }
                }
            });
        });
    app.recommenders.open = open;
    if let Some(k) = run {
        app.run_recommender(k);
    }
}
