//! The statistics window: spans per label and per annotator, documents per status,
//! agreement per label and per pair as bars (egui_plot), and a document-by-annotator
//! progress grid. The numbers are `crate::stats` and `crate::agreement::agreement`, the
//! same functions `spanbench stats` and `spanbench agreement` print; nothing is counted
//! here. Agreement runs on a worker thread (it takes seconds on a large corpus).
//! A click on a bar or a cell goes to the spans behind it.

use std::collections::BTreeMap;
use std::sync::mpsc;

use egui::{Color32, Context, Pos2, RichText, Ui};
use egui_plot::{Bar, BarChart, GridMark, Plot, PlotPoint};

use super::app::SpanbenchApp;
use super::doc_list::StatusFilter;
use crate::agreement::gamma::GammaOptions;
use crate::agreement::{AgreementOptions, AgreementReport, Figure, agreement};
use crate::model::DocStatus;
use crate::stats::{ProgressGrid, Stats, first_span};

/// What a bar or a cell stands for: where a click on it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Label(String),
    Annotator(String),
    Status(String, DocStatus),
    LabelAgreement(String),
    PairAgreement(String, String),
    Cell(String, String),
}

enum Agreement {
    /// The project is open from its index: agreement needs every span loaded.
    NeedsAll,
    Running(mpsc::Receiver<Result<AgreementReport, String>>),
    // Boxed: a report is large, and the window holds one or the other.
    Done(Box<Result<AgreementReport, String>>),
}

pub struct StatisticsWindow {
    pub stats: Stats,
    pub grid: ProgressGrid,
    agreement: Agreement,
    /// The session revision the figures were taken at.
    revision: u64,
    /// Screen centres of the bars and cells drawn in the last frame (tests click them).
    pub targets: Vec<(Target, Pos2)>,
}

impl StatisticsWindow {
    pub fn agreement(&self) -> Option<&Result<AgreementReport, String>> {
        match &self.agreement {
            Agreement::Done(r) => Some(r.as_ref()),
            Agreement::Running(_) | Agreement::NeedsAll => None,
        }
    }

    pub fn target(&self, t: &Target) -> Option<Pos2> {
        self.targets.iter().find(|(x, _)| x == t).map(|(_, p)| *p)
    }
}

const PAIR_COLOR: Color32 = Color32::from_rgb(120, 144, 190);

fn status_color(s: DocStatus) -> Color32 {
    match s {
        DocStatus::New => Color32::from_gray(150),
        DocStatus::InProgress => Color32::from_rgb(230, 160, 40),
        DocStatus::Done => Color32::from_rgb(80, 180, 90),
        DocStatus::Reviewed => Color32::from_rgb(60, 130, 220),
    }
}

impl SpanbenchApp {
    pub fn toggle_statistics(&mut self) {
        if self.statistics.take().is_some() {
            return;
        }
        let Some(s) = &self.session else {
            self.notify("Open a project first.", true);
            return;
        };
        // A project open from its index counts from the index; agreement waits for a
        // full load the user asks for.
        self.statistics = Some(StatisticsWindow {
            stats: s.stats(),
            grid: s.progress_grid(),
            agreement: if s.is_partial() {
                Agreement::NeedsAll
            } else {
                spawn_agreement(s.corpus.clone())
            },
            revision: s.revision,
            targets: Vec::new(),
        });
    }

    /// Opens `layer`'s span `id` of `doc`: the layer on screen, the document, the span
    /// selected and in view.
    fn show_span(&mut self, layer: &str, doc: &str, id: Option<crate::model::SpanId>) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.annotator != layer {
            s.annotator = layer.to_string();
            s.revision += 1;
        }
        let start = id.and_then(|id| s.corpus.set(layer, doc)?.span(id).map(|x| x.start));
        self.open_document(doc.to_string());
        self.pane.selected_span = id;
        self.pane.scroll_to = start;
    }

    fn go_to_target(&mut self, t: &Target) {
        let Some(s) = &self.session else { return };
        let corpus = &s.corpus;
        match t {
            Target::Label(l) if s.is_partial() => match s.first_doc_with(Some(l), None) {
                Some((a, d)) => {
                    self.show_span(&a, &d, None);
                    self.notify(
                        format!("The first document with a {l} span: {a}'s layer."),
                        false,
                    );
                }
                None => self.notify(format!("No layer has a {l} span."), false),
            },
            Target::Annotator(a) if s.is_partial() => match s.first_doc_with(None, Some(a)) {
                Some((a, d)) => self.show_span(&a, &d, None),
                None => self.notify(format!("{a} has no spans."), false),
            },
            Target::Label(l) => match first_span(corpus, Some(l), None) {
                Some((a, d, id)) => {
                    self.show_span(&a, &d, Some(id));
                    self.notify(format!("The first {l} span: {a}'s layer."), false);
                }
                None => self.notify(format!("No layer has a {l} span."), false),
            },
            Target::Annotator(a) => match first_span(corpus, None, Some(a)) {
                Some((a, d, id)) => self.show_span(&a, &d, Some(id)),
                None => self.notify(format!("{a} has no spans."), false),
            },
            Target::Status(a, st) => {
                let first = (0..s.doc_count())
                    .filter_map(|i| s.doc_id_at(i))
                    .find(|d| s.status_in(a, d) == *st)
                    .map(str::to_string);
                let a = a.clone();
                self.doc_filter.status = StatusFilter::Only(*st);
                if let Some(d) = first {
                    self.show_span(&a, &d, None);
                }
                self.notify(
                    format!(
                        "Documents {} for {a}: the list shows only those.",
                        st.as_str()
                    ),
                    false,
                );
            }
            Target::LabelAgreement(l) if l == crate::agreement::ALL_LABELS => {
                self.go_to_disagreement(|_, labels| labels.iter().any(|x| x.is_some()));
            }
            Target::LabelAgreement(l) => {
                let l = l.clone();
                self.go_to_disagreement(move |_, labels| {
                    labels.iter().any(|x| x.as_deref() == Some(l.as_str()))
                });
            }
            Target::PairAgreement(a, b) => {
                let (a, b) = (a.clone(), b.clone());
                self.go_to_disagreement(move |names, labels| {
                    let pos = |n: &str| names.iter().position(|x| x == n);
                    match (pos(&a), pos(&b)) {
                        (Some(i), Some(j)) => labels[i] != labels[j],
                        _ => false,
                    }
                });
            }
            Target::Cell(doc, a) => {
                let (doc, a) = (doc.clone(), a.clone());
                self.show_span(&a, &doc, None);
            }
        }
    }

    /// Opens the first disagreement (of the last agreement computed) that `pick` takes,
    /// given the annotators' names and each one's first label in the unit (`None`: no
    /// span), showing the layer of the first annotator with a span there.
    fn go_to_disagreement(&mut self, pick: impl Fn(&[String], &[Option<String>]) -> bool) {
        let Some(Ok(report)) = self.statistics.as_ref().and_then(|w| w.agreement()) else {
            return;
        };
        let d = &report.disagreements;
        let found = d.items.iter().find_map(|x| {
            let labels: Vec<Option<String>> = d
                .annotators
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    x.versions
                        .iter()
                        .find(|v| v.annotator == i)
                        .and_then(|v| v.spans.first())
                        .map(|s| d.labels[s.label as usize].clone())
                })
                .collect();
            pick(&d.annotators, &labels).then(|| {
                let v = x.versions.iter().find(|v| !v.spans.is_empty())?;
                Some((
                    d.annotators[v.annotator].clone(),
                    d.documents[x.doc_index].clone(),
                    v.spans[0].id,
                ))
            })?
        });
        match found {
            Some((a, doc, id)) => {
                self.show_span(&a, &doc, Some(id));
                self.notify(
                    format!(
                        "A disagreement: {a}'s layer. Curation > Curation view walks them all."
                    ),
                    false,
                );
            }
            None => self.notify("The annotators agree everywhere there.", false),
        }
    }
}

fn spawn_agreement(corpus: crate::model::Corpus) -> Agreement {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let opts = AgreementOptions {
            annotators: None,
            labels: None,
            gamma: Some(GammaOptions::default()),
        };
        let _ = tx.send(agreement(&corpus, &opts).map_err(|e| e.to_string()));
    });
    Agreement::Running(rx)
}

/// A horizontal bar chart of `rows` (name, value, colour), one bar a row, top to bottom;
/// returns the row clicked. Records each bar's centre in `targets`.
fn bars(
    ui: &mut Ui,
    id: &str,
    rows: &[(String, f64, Color32, Target)],
    range: Option<(f64, f64)>,
    targets: &mut Vec<(Target, Pos2)>,
) -> Option<Target> {
    if rows.is_empty() {
        ui.weak("Nothing to show.");
        return None;
    }
    let n = rows.len();
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    // Top to bottom: row i at y = n - 1 - i.
    let chart = BarChart::new(
        id.to_string(),
        rows.iter()
            .enumerate()
            .map(|(i, (name, v, c, _))| {
                Bar::new((n - 1 - i) as f64, *v)
                    .name(name)
                    .fill(*c)
                    .width(0.7)
            })
            .collect(),
    )
    .horizontal();
    let mut plot = Plot::new(id)
        .height((n as f32 * 24.0 + 36.0).min(320.0))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([true, false])
        .y_axis_min_width(120.0)
        .y_grid_spacer(move |_| {
            (0..n)
                .map(|i| GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .y_axis_formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
                return String::new();
            }
            names[n - 1 - i as usize].clone()
        });
    if let Some((lo, hi)) = range {
        plot = plot.include_x(lo).include_x(hi);
    } else {
        plot = plot.include_x(0.0);
    }
    let resp = plot.show(ui, |p| p.bar_chart(chart));
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let x = if r.1.abs() < 1e-9 { 0.0 } else { r.1 / 2.0 };
        targets.push((
            r.3.clone(),
            resp.transform.position_from_point(&PlotPoint::new(x, y)),
        ));
    }
    if resp.response.clicked()
        && let Some(p) = resp.response.interact_pointer_pos()
    {
        let v = resp.transform.value_from_position(p);
        let i = v.y.round();
        if i >= 0.0 && (i as usize) < n {
            return Some(rows[n - 1 - i as usize].3.clone());
        }
    }
    None
}

fn figure_value(f: Figure) -> Option<f64> {
    f.value()
}

pub fn statistics_ui(ctx: &Context, app: &mut SpanbenchApp) {
    let Some(w) = app.statistics.as_mut() else {
        return;
    };
    if let Agreement::Running(rx) = &w.agreement {
        match rx.try_recv() {
            Ok(r) => w.agreement = Agreement::Done(Box::new(r)),
            Err(mpsc::TryRecvError::Disconnected) => {
                w.agreement =
                    Agreement::Done(Box::new(Err("the agreement computation stopped".into())))
            }
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100))
            }
        }
    }
    let Some(session) = &app.session else {
        app.statistics = None;
        return;
    };
    let stale = session.revision != w.revision;
    let labels = session.corpus.project.labels.clone();
    let label_color = |k: &str| {
        labels
            .iter()
            .find(|l| l.key == k)
            .map_or(Color32::GRAY, |l| {
                let [r, g, b] = l.rgb();
                Color32::from_rgb(r, g, b)
            })
    };
    // An annotator has the colour and number the curation view gives them; gold and
    // model layers are grey.
    let people = crate::curation::people_of(&session.corpus, session.corpus.project.gold_layer());
    let annotator_color = |a: &str| {
        people
            .iter()
            .position(|p| p == a)
            .map_or(Color32::GRAY, super::curation_view::annotator_color)
    };
    let mut open = true;
    let mut clicked: Option<Target> = None;
    let mut refresh = false;
    let mut load_all = false;
    let content = ctx.content_rect();
    let mut targets = Vec::new();
    egui::Window::new("Statistics")
        .open(&mut open)
        // Below the menu and the toolbar, so both stay reachable.
        .default_pos(content.min + egui::vec2(content.width() * 0.18, 70.0))
        .default_width((content.width() * 0.6).min(720.0))
        .default_height(content.height() * 0.8)
        .max_height(content.height() - 110.0)
        .max_width(content.width() - 20.0)
        .vscroll(true)
        .show(ctx, |ui| {
            let st = &w.stats;
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "{} document(s), {} span(s), {} relation(s)",
                    st.documents, st.spans, st.relations
                ));
                if stale {
                    ui.colored_label(ui.visuals().warn_fg_color, "· annotations changed since");
                }
                if ui.small_button("Refresh").clicked() {
                    refresh = true;
                }
            });
            ui.weak("Click a bar or a cell to go to the spans behind it.");
            egui::CollapsingHeader::new(RichText::new("Spans per label").strong())
                .default_open(true)
                .show(ui, |ui| {
                    let rows: Vec<_> = st
                        .spans_per_label
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                *v as f64,
                                label_color(k),
                                Target::Label(k.clone()),
                            )
                        })
                        .collect();
                    clicked =
                        clicked
                            .clone()
                            .or(bars(ui, "stats_labels", &rows, None, &mut targets));
                });
            egui::CollapsingHeader::new(RichText::new("Spans per annotator").strong())
                .default_open(true)
                .show(ui, |ui| {
                    let rows: Vec<_> = st
                        .spans_per_annotator
                        .iter()
                        .map(|(a, v)| {
                            (
                                a.clone(),
                                *v as f64,
                                annotator_color(a),
                                Target::Annotator(a.clone()),
                            )
                        })
                        .collect();
                    clicked =
                        clicked
                            .clone()
                            .or(bars(ui, "stats_annotators", &rows, None, &mut targets));
                });
            egui::CollapsingHeader::new(RichText::new("Documents per status").strong())
                .default_open(true)
                .show(ui, |ui| {
                    status_grid(ui, &st.documents_per_status, &mut clicked, &mut targets);
                });
            egui::CollapsingHeader::new(RichText::new("Agreement").strong())
                .default_open(true)
                .show(ui, |ui| match &w.agreement {
                    Agreement::NeedsAll => {
                        ui.add(
                            egui::Label::new(format!(
                                "Agreement compares every span of every layer; this project is open from its index with {} of {} documents in memory.",
                                session.loaded_count(),
                                session.doc_count()
                            ))
                            .wrap(),
                        );
                        if ui.button("Load every document and compute agreement").clicked() {
                            load_all = true;
                        }
                    }
                    Agreement::Running(_) => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("Computing agreement…");
                        });
                    }
                    Agreement::Done(done) => match done.as_ref() {
                        Err(e) => {
                            ui.add(
                                egui::Label::new(
                                    RichText::new(e).color(ui.visuals().warn_fg_color),
                                )
                                .wrap(),
                            );
                        }
                        Ok(r) => agreement_ui(ui, r, &label_color, &mut clicked, &mut targets),
                    },
                });
            egui::CollapsingHeader::new(RichText::new("Progress: documents × annotators").strong())
                .default_open(true)
                .show(ui, |ui| {
                    progress_ui(ui, &w.grid, &mut clicked, &mut targets)
                });
        });
    w.targets = targets;
    if load_all {
        // The window opens again, with agreement, once everything is loaded.
        app.statistics = None;
        app.have_everything(super::commands::Command::Statistics);
        return;
    }
    if refresh {
        app.statistics = None;
        app.toggle_statistics();
        return;
    }
    if !open {
        app.statistics = None;
        return;
    }
    if let Some(t) = clicked {
        app.go_to_target(&t);
    }
}

fn status_grid(
    ui: &mut Ui,
    per: &BTreeMap<String, BTreeMap<String, usize>>,
    clicked: &mut Option<Target>,
    targets: &mut Vec<(Target, Pos2)>,
) {
    egui::Grid::new("stats_status")
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            for s in DocStatus::ALL {
                ui.colored_label(status_color(s), s.as_str());
            }
            ui.end_row();
            for (a, m) in per {
                ui.label(a);
                for s in DocStatus::ALL {
                    let n = m.get(s.as_str()).copied().unwrap_or(0);
                    let r = ui
                        .add(
                            egui::Button::new(n.to_string()).fill(
                                status_color(s).gamma_multiply(if n > 0 { 0.5 } else { 0.12 }),
                            ),
                        )
                        .on_hover_text(format!(
                            "{a}: {n} document(s) {}; click to list them",
                            s.as_str()
                        ));
                    targets.push((Target::Status(a.clone(), s), r.rect.center()));
                    if r.clicked() {
                        *clicked = Some(Target::Status(a.clone(), s));
                    }
                }
                ui.end_row();
            }
        });
}

fn agreement_ui(
    ui: &mut Ui,
    r: &AgreementReport,
    label_color: &dyn Fn(&str) -> Color32,
    clicked: &mut Option<Target>,
    targets: &mut Vec<(Target, Pos2)>,
) {
    ui.label(format!(
        "{} annotators ({}) on {} document(s) annotated by two or more; gamma {}",
        r.annotators.len(),
        r.annotators.join(", "),
        r.documents,
        r.gamma.display(4)
    ));
    let mut na: Vec<String> = Vec::new();
    ui.strong("Per label: Krippendorff's alpha over characters");
    let rows: Vec<_> = r
        .labels
        .0
        .iter()
        .filter_map(|(l, x)| match x.krippendorff_alpha {
            Figure::Value(v) => Some((
                l.clone(),
                v,
                if l == "*" {
                    Color32::GRAY
                } else {
                    label_color(l)
                },
                Target::LabelAgreement(l.clone()),
            )),
            Figure::Undefined(u) => {
                na.push(format!("{l}: alpha n/a ({u})"));
                None
            }
        })
        .collect();
    *clicked = clicked
        .clone()
        .or(bars(ui, "stats_alpha", &rows, Some((-0.2, 1.0)), targets));
    egui::Grid::new("stats_label_table")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("label");
            ui.strong("Fleiss k");
            ui.strong("Krippendorff a");
            ui.end_row();
            for (l, x) in &r.labels.0 {
                ui.label(l);
                ui.label(cell(x.fleiss_kappa));
                ui.label(cell(x.krippendorff_alpha));
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    ui.strong("Per pair, all labels: pairwise F1");
    let pairs: Vec<_> = r.pairs.iter().filter(|p| p.label == "*").collect();
    let rows: Vec<_> = pairs
        .iter()
        .filter_map(|p| match figure_value(p.f1) {
            Some(v) => Some((
                format!("{} – {}", p.a, p.b),
                v,
                // A pair is neither annotator: a neutral colour.
                PAIR_COLOR,
                Target::PairAgreement(p.a.clone(), p.b.clone()),
            )),
            None => {
                if let Figure::Undefined(u) = p.f1 {
                    na.push(format!("{} – {}: F1 n/a ({u})", p.a, p.b));
                }
                None
            }
        })
        .collect();
    *clicked = clicked
        .clone()
        .or(bars(ui, "stats_pairs", &rows, Some((0.0, 1.0)), targets));
    egui::Grid::new("stats_pair_table")
        .striped(true)
        .show(ui, |ui| {
            for h in ["A", "B", "label", "strict F1", "pair F1", "Cohen k"] {
                ui.strong(h);
            }
            ui.end_row();
            for p in &r.pairs {
                ui.label(&p.a);
                ui.label(&p.b);
                ui.label(&p.label);
                ui.label(cell(p.scores.strict.f1));
                ui.label(cell(p.f1));
                ui.label(cell(p.cohen_kappa));
                ui.end_row();
            }
        });
    for line in na {
        ui.weak(line);
    }
}

/// A figure as the tables of `spanbench agreement` print it.
fn cell(f: Figure) -> String {
    match f {
        Figure::Value(v) => format!("{v:.4}"),
        Figure::Undefined(u) => format!("n/a ({u})"),
    }
}

fn progress_ui(
    ui: &mut Ui,
    g: &ProgressGrid,
    clicked: &mut Option<Target>,
    targets: &mut Vec<(Target, Pos2)>,
) {
    egui::ScrollArea::horizontal()
        .id_salt("stats_grid")
        .show(ui, |ui| {
            egui::Grid::new("stats_progress")
                .striped(true)
                .show(ui, |ui| {
                    ui.label("");
                    for a in &g.annotators {
                        ui.strong(a);
                    }
                    ui.end_row();
                    // Only the first rows: a corpus of thousands would make a grid nobody reads.
                    for ((id, title), row) in g.documents.iter().zip(&g.cells).take(200) {
                        let mut t: String = title.chars().take(32).collect();
                        if title.chars().count() > 32 {
                            t.push('…');
                        }
                        ui.label(t).on_hover_text(format!("{title}\n{id}"));
                        for (a, c) in g.annotators.iter().zip(row) {
                            let (text, color) = match c.status {
                                None => ("–".to_string(), Color32::TRANSPARENT),
                                Some(s) => (
                                    format!("{} · {}", s.as_str(), c.spans),
                                    status_color(s).gamma_multiply(0.45),
                                ),
                            };
                            let r = ui
                                .add(egui::Button::new(text).fill(color))
                                .on_hover_text(format!("{a} on {id}: open it"));
                            targets.push((Target::Cell(id.clone(), a.clone()), r.rect.center()));
                            if r.clicked() {
                                *clicked = Some(Target::Cell(id.clone(), a.clone()));
                            }
                        }
                        ui.end_row();
                    }
                });
            if g.documents.len() > 200 {
                ui.weak(format!(
                    "The first 200 of {} documents; `spanbench stats --json` has them all.",
                    g.documents.len()
                ));
            }
        });
}
