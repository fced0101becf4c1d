//! Modal dialogs: the annotator's name, new/open project, import, export, shortcuts.
//!
//! Each file dialog has a path field beside its Browse button: where no native dialog
//! is available (no desktop portal, a bare X server), the user types the path instead,
//! and is told so.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use egui::{Context, Id, Modal, Ui};

use super::app::SpanbenchApp;
use super::commands::Command;
use super::reports::Report;
use super::settings::valid_annotator;
use crate::formats::import::ImportFormat;
use crate::formats::{
    self, ExportError, ExportFormat, ExportOptions, Layer, Nesting, OffsetUnit, TagScheme,
};
use crate::model::Label;
use crate::session::{Session, StreamedImportError};
use crate::storage;

const NO_DIALOG: &str = "No file was chosen. If no dialog appeared, this system has no file-dialog service: type the path above instead.";

#[derive(Debug)]
pub enum Dialog {
    AskName {
        name: String,
        error: Option<String>,
    },
    NewProject {
        path: String,
        name: String,
        error: Option<String>,
    },
    OpenProject {
        path: String,
        error: Option<String>,
    },
    Import {
        paths: String,
        format: Option<ImportFormat>,
        annotator: String,
        /// Import a model's predictions into this model layer instead.
        model: Option<String>,
        error: Option<String>,
    },
    Export {
        path: String,
        format: ExportFormat,
        layer: Option<String>,
        strict: bool,
        scheme: TagScheme,
        unit: OffsetUnit,
        /// Every label of the schema and whether it is exported (token formats, spacy).
        labels: Vec<(String, bool)>,
        nested: Nesting,
        error: Option<String>,
    },
    /// The project's labels: names, colours, keys and descriptions; new labels.
    Labels {
        draft: Vec<Label>,
        /// The labels when the dialog opened, for "Revert".
        original: Vec<Label>,
        new_key: String,
        error: Option<String>,
    },
    Shortcuts,
}

impl Dialog {
    pub fn ask_name() -> Self {
        Dialog::AskName {
            name: String::new(),
            error: None,
        }
    }

    pub fn ask_name_with(current: &str) -> Self {
        Dialog::AskName {
            name: current.to_string(),
            error: None,
        }
    }

    pub fn new_project() -> Self {
        Dialog::NewProject {
            path: String::new(),
            name: String::new(),
            error: None,
        }
    }

    pub fn open_project() -> Self {
        Dialog::OpenProject {
            path: String::new(),
            error: None,
        }
    }

    pub fn import() -> Self {
        Dialog::Import {
            paths: String::new(),
            format: None,
            annotator: String::new(),
            model: None,
            error: None,
        }
    }

    pub fn export(session: Option<&Session>) -> Self {
        let format = ExportFormat::SpansJsonl;
        let path = session
            .map(|s| default_export_path(s, format))
            .unwrap_or_default();
        let labels = session
            .map(|s| {
                s.corpus
                    .project
                    .labels
                    .iter()
                    .map(|l| (l.key.clone(), true))
                    .collect()
            })
            .unwrap_or_default();
        Dialog::Export {
            path,
            format,
            layer: None,
            strict: false,
            scheme: TagScheme::default(),
            unit: OffsetUnit::default(),
            labels,
            nested: Nesting::default(),
            error: None,
        }
    }

    pub fn labels(session: &Session) -> Self {
        Dialog::Labels {
            draft: session.corpus.project.labels.clone(),
            original: session.corpus.project.labels.clone(),
            new_key: String::new(),
            error: None,
        }
    }

    /// Modal dialogs take the keyboard: label keys and shortcuts wait until they close.
    pub fn is_modal(&self) -> bool {
        true
    }
}

/// What a background job hands back when it ends.
pub enum JobOutcome {
    /// A one-line summary, and what the format had to drop or change.
    Exported { summary: String, notes: Vec<String> },
    /// The import was committed to disk: the documents added, sets written, notes.
    Imported {
        added: Vec<String>,
        sets: usize,
        notes: Vec<String>,
    },
    /// Every problem found, and the dialog to show again so the user can fix and retry.
    ImportFailed {
        problems: Vec<String>,
        retry: Dialog,
    },
    /// A one-line summary and, where there are several, every problem.
    Failed {
        summary: String,
        problems: Vec<String>,
    },
}

/// An import or export running on a worker thread, so the window stays responsive and
/// shows its progress.
pub struct Job {
    what: &'static str,
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    rx: mpsc::Receiver<JobOutcome>,
}

impl Job {
    /// Runs `work` on a thread; it reports progress through the callback it is given.
    fn spawn(
        what: &'static str,
        work: impl FnOnce(&mut dyn FnMut(usize, usize)) -> JobOutcome + Send + 'static,
    ) -> Self {
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        let (d, t) = (done.clone(), total.clone());
        std::thread::spawn(move || {
            let outcome = work(&mut |n, of| {
                d.store(n, Ordering::Relaxed);
                t.store(of, Ordering::Relaxed);
            });
            let _ = tx.send(outcome);
        });
        Job {
            what,
            done,
            total,
            rx,
        }
    }

    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed).max(1);
        self.done.load(Ordering::Relaxed) as f32 / total as f32
    }

    pub fn label(&self) -> String {
        format!(
            "{} {}/{}",
            self.what,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed)
        )
    }
}

impl SpanbenchApp {
    /// Picks up the result of a finished background job.
    pub fn poll_job(&mut self, ctx: &Context) {
        let Some(job) = &self.job else { return };
        let outcome = match job.rx.try_recv() {
            Ok(o) => o,
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
                return;
            }
            Err(mpsc::TryRecvError::Disconnected) => JobOutcome::Failed {
                summary: "The job stopped unexpectedly.".into(),
                problems: Vec::new(),
            },
        };
        self.job = None;
        match outcome {
            JobOutcome::Exported { summary, notes } if notes.is_empty() => {
                self.notify(summary, false)
            }
            JobOutcome::Exported { summary, notes } => self.show_report(Report {
                title: "Export report".into(),
                summary: format!(
                    "{summary}; {} thing(s) the format cannot hold were dropped or changed.",
                    notes.len()
                ),
                lines: notes,
                error: false,
            }),
            JobOutcome::Failed { summary, problems } if problems.len() <= 1 => {
                self.notify(summary, true)
            }
            JobOutcome::Failed { summary, problems } => self.show_report(Report {
                title: "Problems".into(),
                summary,
                lines: problems,
                error: true,
            }),
            JobOutcome::ImportFailed { problems, retry } => {
                let first = problems.first().map_or("", String::as_str);
                let summary = match problems.len() {
                    1 => format!("Import failed, nothing was imported: {first}"),
                    n => format!("Import failed, nothing was imported ({n} problems): {first}"),
                };
                self.dialog = Some(retry);
                self.show_report(Report {
                    title: "Import problems".into(),
                    summary,
                    lines: problems,
                    error: true,
                });
            }
            JobOutcome::Imported { added, sets, notes } => {
                let Some(s) = self.session.as_mut() else {
                    return;
                };
                // The import wrote the files itself; read them in.
                let (_, errors) = s.refresh(None);
                if let Some(first) = added.first() {
                    self.current_doc = Some(first.clone());
                }
                let msg = format!(
                    "Imported {} document(s) and {sets} annotation set(s).",
                    added.len()
                );
                if let Some(e) = errors.first() {
                    self.notify(format!("{msg} But: {e}"), true);
                } else if notes.is_empty() {
                    self.notify(msg, false);
                } else {
                    self.show_report(Report {
                        title: "Import notes".into(),
                        summary: format!("{msg} {} note(s).", notes.len()),
                        lines: notes,
                        error: false,
                    });
                }
            }
        }
    }

    /// A snapshot of the corpus for a background job, if none is running: one job at a
    /// time, so two imports never pick the same new document ids.
    fn corpus_for_job(&self) -> Result<crate::model::Corpus, String> {
        if self.job.is_some() {
            return Err("another import or export is still running".into());
        }
        Ok(self
            .session
            .as_ref()
            .ok_or("no project open")?
            .corpus
            .clone())
    }

    /// Starts exporting the whole project to `out` in the background.
    pub fn start_export(
        &mut self,
        format: ExportFormat,
        opts: ExportOptions,
        out: PathBuf,
    ) -> Result<(), String> {
        let corpus = self.corpus_for_job()?;
        self.job = Some(Job::spawn(
            "Exporting",
            move |progress| match formats::export_to_path(&corpus, format, &opts, &out, progress) {
                Ok(report) => JobOutcome::Exported {
                    summary: format!(
                        "Exported {} record(s), {} span(s) to {}",
                        report.records,
                        report.spans,
                        out.display()
                    ),
                    notes: report.notes,
                },
                Err(e) => JobOutcome::Failed {
                    summary: format!("Export failed: {e}"),
                    problems: match e {
                        ExportError::Strict(notes) => notes,
                        ExportError::Invalid(problems) => {
                            problems.iter().map(ToString::to_string).collect()
                        }
                        _ => Vec::new(),
                    },
                },
            },
        ));
        Ok(())
    }

    /// Starts importing files and folders in the background. The import takes the
    /// project lock, reads the project as it is on disk, and commits everything or
    /// nothing; this window saves its own work first and reads the result in after.
    pub fn start_import(
        &mut self,
        paths: Vec<PathBuf>,
        format: Option<ImportFormat>,
        annotator: String,
    ) -> Result<(), String> {
        self.start_import_into(paths, format, annotator, None)
    }

    /// [`SpanbenchApp::start_import`], or with `model`, a model's predictions into that
    /// model layer (for documents the project has).
    pub fn start_import_into(
        &mut self,
        paths: Vec<PathBuf>,
        format: Option<ImportFormat>,
        annotator: String,
        model: Option<String>,
    ) -> Result<(), String> {
        if let (Some(m), Some(s)) = (&model, &self.session) {
            if *m == s.user {
                return Err(format!(
                    "{m:?} is your own layer; choose another name for the model"
                ));
            }
            if let Some(p) = formats::predictions::model_name_problem(&s.corpus, m) {
                return Err(p);
            }
        }
        if self.job.is_some() {
            return Err("another import or export is still running".into());
        }
        if !self.save_now() {
            return Err("your unsaved work could not be saved; import after saving".into());
        }
        let root = self.session.as_ref().ok_or("no project open")?.root.clone();
        let who = format!("{} (import)", self.settings.annotator);
        // The dialog's paths, shown again if the import fails so the user can retry.
        let paths_text = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        self.job = Some(Job::spawn("Importing", move |progress| {
            let failed = |summary: String| JobOutcome::Failed {
                summary,
                problems: Vec::new(),
            };
            let wait = std::time::Duration::from_secs(60);
            let mut s = match Session::open_for_writing(&root, &who, wait, |_| {}) {
                Ok((s, _)) => s,
                Err(e) => return failed(format!("Import failed: {e}")),
            };
            let refused = |e: formats::ImportErrors| {
                let problems = e.0;
                let mut error = problems.first().cloned().unwrap_or_default();
                if problems.len() > 1 {
                    error.push_str(&format!(
                        " (and {} more problem(s), all listed in the report)",
                        problems.len() - 1
                    ));
                }
                let retry = Dialog::Import {
                    paths: paths_text.clone(),
                    format,
                    annotator: annotator.clone(),
                    model: model.clone(),
                    error: Some(error),
                };
                JobOutcome::ImportFailed { problems, retry }
            };
            // A model's predictions: matched to the project's documents by text, into
            // a model layer, saved in one commit.
            if let Some(m) = &model {
                return match formats::predictions::import_predictions(
                    &s.corpus, &paths, format, m, progress,
                ) {
                    Ok(mi) => {
                        s.set_layer_info(&mi.layer, mi.info);
                        let sets = mi.sets.len();
                        let added = s.add_imported(Vec::new(), mi.sets);
                        match s.save() {
                            Ok(_) => JobOutcome::Imported {
                                added,
                                sets,
                                notes: mi.notes,
                            },
                            Err(e) => failed(format!("Import failed: {e}; nothing was imported")),
                        }
                    }
                    Err(e) => refused(e),
                };
            }
            // Streamed straight into the project: staged as read, committed once.
            let mut files = |p: &formats::ImportProgress| progress(p.files_done, p.files);
            match s.import_streamed(&paths, format, &annotator, &mut files) {
                Ok(imported) => JobOutcome::Imported {
                    added: imported.added,
                    sets: imported.sets,
                    notes: imported.notes,
                },
                Err(StreamedImportError::Refused(e)) => refused(e),
                Err(e) => failed(format!("Import failed: {e}")),
            }
        }));
        Ok(())
    }
}

fn default_export_path(s: &Session, format: ExportFormat) -> String {
    let parent = s.root.parent().unwrap_or(&s.root);
    let name = format!("{}-{}", s.corpus.project.name, format.default_file_name());
    parent.join(name).display().to_string()
}

fn browse_row(
    ui: &mut Ui,
    path: &mut String,
    error: &mut Option<String>,
    pick: impl FnOnce() -> Option<PathBuf>,
) {
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(path)
                .desired_width(380.0)
                .hint_text("/path/to/folder"),
        );
        if ui.button("Browse…").clicked() {
            match pick() {
                Some(p) => *path = p.display().to_string(),
                None => *error = Some(NO_DIALOG.into()),
            }
        }
    });
}

fn error_line(ui: &mut Ui, error: &Option<String>) {
    if let Some(e) = error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}

/// The id of modal `name` for this opening: stable while it stays open, new for each
/// opening (call [`modal_closed`] on every frame it is not shown).
///
/// egui keeps an area's place in the stacking order by id. When a quick click's press
/// and release arrive in one frame, egui raises both the modal (pressed on) and the
/// drop-down it opens, keeping their earlier relative order; a modal shown again under
/// its old id was raised above that drop-down on reopening, so from the second opening
/// drop-down lists opened behind the dialog and a click on one fell on the backdrop and
/// closed it. A new id puts the modal in the order before any popup created inside it,
/// and a modal opened after another one on top of it.
pub(super) fn modal_id(ctx: &Context, name: &'static str) -> Id {
    let key = Id::unique((name, "opening"));
    let count = Id::unique("spanbench_modal_count");
    let opening = ctx.data_mut(|d| {
        if let Some(n) = d.get_temp::<u64>(key) {
            return n;
        }
        let next = d.get_temp::<u64>(count).unwrap_or(0) + 1;
        d.insert_temp(count, next);
        d.insert_temp(key, next);
        next
    });
    Id::unique((name, opening))
}

/// Forgets the id of modal `name`, so its next opening gets a new one.
pub(super) fn modal_closed(ctx: &Context, name: &'static str) {
    ctx.data_mut(|d| d.remove_temp::<u64>(Id::unique((name, "opening"))));
}

/// Shows the open dialog, if any, and acts on its buttons.
pub fn dialogs_ui(ctx: &Context, app: &mut SpanbenchApp) {
    let Some(mut dialog) = app.dialog.take() else {
        modal_closed(ctx, "spanbench_dialog");
        return;
    };
    let mut close = false;
    let modal = Modal::new(modal_id(ctx, "spanbench_dialog")).show(ctx, |ui| {
        ui.set_width(520.0);
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        match &mut dialog {
            Dialog::AskName { name, error } => {
                ui.heading("Welcome to spanbench");
                ui.label("Your annotator name. Your work is saved under annotations/<name>/ in each project, so teammates never conflict.");
                let r = ui.add(egui::TextEdit::singleline(name).hint_text("e.g. anna").id(Id::unique("annotator_name")));
                if ui.memory(|m| m.focused().is_none()) {
                    r.request_focus();
                }
                error_line(ui, error);
                if ui.button("Continue").clicked() || enter {
                    match valid_annotator(name) {
                        Some(n) => {
                            app.set_annotator(n);
                            close = true;
                        }
                        None => *error = Some("Use letters, digits, '-', '_' or '.', up to 64 characters.".into()),
                    }
                }
            }
            Dialog::NewProject { path, name, error } => {
                ui.heading("New project");
                ui.label("Folder (new or empty):");
                browse_row(ui, path, error, || rfd::FileDialog::new().set_title("New project folder").pick_folder());
                ui.label("Name:");
                ui.text_edit_singleline(name);
                error_line(ui, error);
                ui.horizontal(|ui| {
                    if ui.button("Create").clicked() || enter {
                        let root = PathBuf::from(path.trim());
                        let nm = if name.trim().is_empty() {
                            root.file_name().map_or("project".into(), |s| s.to_string_lossy().into_owned())
                        } else {
                            name.trim().to_string()
                        };
                        if path.trim().is_empty() {
                            *error = Some("Choose a folder first.".into());
                        } else {
                            match storage::create(&root, &nm) {
                                Ok(_) => {
                                    app.open_project(&root);
                                    close = true;
                                }
                                Err(e) => *error = Some(e.to_string()),
                            }
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            }
            Dialog::OpenProject { path, error } => {
                ui.heading("Open project");
                ui.label("Project folder (the one holding project.ron):");
                browse_row(ui, path, error, || rfd::FileDialog::new().set_title("Open spanbench project").pick_folder());
                error_line(ui, error);
                ui.horizontal(|ui| {
                    if ui.button("Open").clicked() || enter {
                        let root = PathBuf::from(path.trim());
                        if !storage::is_project(&root) {
                            *error = Some(format!("{} is not a spanbench project (no project.ron).", root.display()));
                        } else {
                            app.open_project(&root);
                            close = app.notice.as_ref().is_none_or(|n| !n.error);
                            if !close {
                                *error = app.notice.as_ref().map(|n| n.text.clone());
                            }
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            }
            Dialog::Import { paths, format, annotator, model, error } => {
                ui.heading("Import");
                ui.label("Files or folders, one path per line: text, HTML, JSONL, or annotations from spanbench, spaCy/Prodigy, doccano, Label Studio, brat or CoNLL.");
                ui.add(egui::TextEdit::multiline(paths).desired_rows(4).desired_width(480.0));
                if ui.button("Browse…").clicked() {
                    match rfd::FileDialog::new().pick_files() {
                        Some(files) => {
                            for f in files {
                                if !paths.is_empty() && !paths.ends_with('\n') {
                                    paths.push('\n');
                                }
                                paths.push_str(&f.display().to_string());
                            }
                        }
                        None => *error = Some(NO_DIALOG.into()),
                    }
                }
                egui::Grid::new("import_grid").num_columns(2).show(ui, |ui| {
                    ui.label("Format:");
                    egui::ComboBox::new("import_format", "")
                        .selected_text(format.map_or("detect from content", |f| f.name()))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(format, None, "detect from content");
                            for f in ImportFormat::ALL {
                                ui.selectable_value(format, Some(f), f.name()).on_hover_text(f.describe());
                            }
                        });
                    ui.end_row();
                    let mut into_model = model.is_some();
                    ui.label("");
                    ui.checkbox(&mut into_model, "Predictions into a model layer")
                        .on_hover_text("A model's output (spans-jsonl with \"score\", Label Studio predictions, doccano, CoNLL) for documents this project has: its spans become suggestions to review");
                    ui.end_row();
                    if into_model != model.is_some() {
                        *model = into_model.then(String::new);
                    }
                    match model {
                        Some(m) => {
                            ui.label("Model layer:");
                            ui.add(egui::TextEdit::singleline(m).hint_text("e.g. ner-v1"));
                        }
                        None => {
                            ui.label("Annotator:");
                            ui.add(egui::TextEdit::singleline(annotator).hint_text("as the source names it, else \"imported\""));
                        }
                    }
                    ui.end_row();
                });
                error_line(ui, error);
                ui.horizontal(|ui| {
                    if ui.add_enabled(app.job.is_none(), egui::Button::new("Import")).clicked() {
                        let files: Vec<PathBuf> =
                            paths.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from).collect();
                        if files.is_empty() {
                            *error = Some("Name at least one file or folder.".into());
                        } else {
                            let m = model.as_ref().map(|m| m.trim().to_string());
                            match app.start_import_into(files, *format, annotator.trim().to_string(), m) {
                                Ok(()) => close = true,
                                Err(e) => *error = Some(e),
                            }
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            }
            Dialog::Export { path, format, layer, strict, scheme, unit, labels, nested, error } => {
                ui.heading("Export");
                let before = *format;
                egui::Grid::new("export_grid").num_columns(2).show(ui, |ui| {
                    ui.label("Format:");
                    egui::ComboBox::new("export_format", "").selected_text(format.name()).show_ui(ui, |ui| {
                        for f in ExportFormat::ALL {
                            ui.selectable_value(format, f, f.name()).on_hover_text(f.describe());
                        }
                    });
                    ui.end_row();
                    ui.label("");
                    ui.weak(format.describe());
                    ui.end_row();
                    ui.label(if format.writes_folder() { "Output folder:" } else { "Output file:" });
                    ui.horizontal(|ui| {
                        ui.add(egui::TextEdit::singleline(path).desired_width(340.0));
                        if ui.button("Browse…").clicked() {
                            let picked = if format.writes_folder() {
                                rfd::FileDialog::new().pick_folder()
                            } else {
                                rfd::FileDialog::new().set_file_name(format.default_file_name()).save_file()
                            };
                            match picked {
                                Some(p) => *path = p.display().to_string(),
                                None => *error = Some(NO_DIALOG.into()),
                            }
                        }
                    });
                    ui.end_row();
                    let annotators = app.session.as_ref().map(|s| s.corpus.annotators()).unwrap_or_default();
                    ui.label("Annotators:");
                    egui::ComboBox::from_id_salt("export_layer")
                        .selected_text(layer.clone().unwrap_or_else(|| "all".into()))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(layer, None, "all");
                            for a in annotators {
                                ui.selectable_value(layer, Some(a.clone()), a);
                            }
                        });
                    ui.end_row();
                    if matches!(format, ExportFormat::Conll) {
                        ui.label("Tags:");
                        ui.horizontal(|ui| {
                            ui.selectable_value(scheme, TagScheme::Iob2, "IOB2");
                            ui.selectable_value(scheme, TagScheme::Bioes, "BIOES");
                        });
                        ui.end_row();
                    }
                    if format.takes_labels() {
                        ui.label("Labels:");
                        ui.horizontal_wrapped(|ui| {
                            for (key, on) in labels.iter_mut() {
                                ui.checkbox(on, key.as_str());
                            }
                        });
                        ui.end_row();
                    }
                    if !format.nesting_modes().is_empty() {
                        ui.label("Nested spans:");
                        ui.horizontal(|ui| {
                            for &m in format.nesting_modes() {
                                let (text, hint) = match m {
                                    Nesting::Outer if *format == ExportFormat::Spacy => ("outermost", "doc.ents takes the outermost of nested spans; every span stays in doc.spans[\"sc\"]"),
                                    Nesting::Inner if *format == ExportFormat::Spacy => ("innermost", "doc.ents takes the innermost of nested spans; every span stays in doc.spans[\"sc\"]"),
                                    Nesting::Outer => ("outermost", "Of nested spans keep the outermost; the others are dropped and reported"),
                                    Nesting::Inner => ("innermost", "Of nested spans keep the innermost; the others are dropped and reported"),
                                    Nesting::Columns => ("a tag column per level", "Keep every nested span: the outer level in the first tag column, the nested level in the next (GermEval 2014)"),
                                };
                                ui.selectable_value(nested, m, text).on_hover_text(hint);
                            }
                        });
                        ui.end_row();
                    }
                    if matches!(format, ExportFormat::Doccano) {
                        ui.label("Offsets:");
                        ui.horizontal(|ui| {
                            ui.selectable_value(unit, OffsetUnit::Chars, "characters");
                            ui.selectable_value(unit, OffsetUnit::Utf16, "UTF-16 (doccano in a browser)");
                        });
                        ui.end_row();
                    }
                    ui.label("");
                    ui.checkbox(strict, "Strict: fail rather than drop anything the format cannot hold");
                    ui.end_row();
                });
                if *format != before
                    && let Some(s) = app.session.as_ref()
                {
                    *path = default_export_path(s, *format);
                }
                error_line(ui, error);
                ui.horizontal(|ui| {
                    let busy = app.job.is_some();
                    if ui.add_enabled(!busy, egui::Button::new("Export")).clicked() {
                        let chosen: Vec<String> = labels.iter().filter(|(_, on)| *on).map(|(k, _)| k.clone()).collect();
                        if path.trim().is_empty() {
                            *error = Some("Choose where to write the export.".into());
                        } else if format.takes_labels() && chosen.is_empty() {
                            *error = Some("Tick at least one label to export.".into());
                        } else {
                            let subset = format.takes_labels() && chosen.len() < labels.len();
                            let opts = ExportOptions {
                                layer: layer.clone().map_or(Layer::All, Layer::One),
                                strict: *strict,
                                scheme: *scheme,
                                offset_unit: *unit,
                                labels: subset.then_some(chosen),
                                nested: if format.nesting_modes().contains(nested) { *nested } else { Nesting::Outer },
                            };
                            match app.start_export(*format, opts, PathBuf::from(path.trim())) {
                                Ok(()) => close = true,
                                Err(e) => *error = Some(e),
                            }
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            }
            Dialog::Labels { draft, original, new_key, error } => {
                ui.heading("Labels");
                ui.label("Keys are what annotation files and exports store, so they cannot change; names, colours, shortcut keys and descriptions can.");
                let in_use = app.session.as_ref().map(labels_in_use).unwrap_or_default();
                let mut remove = None;
                egui::Grid::new("labels_grid").num_columns(6).striped(true).show(ui, |ui| {
                    for h in ["Key", "Name", "Colour", "Shortcut", "Description", ""] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for (i, l) in draft.iter_mut().enumerate() {
                        ui.label(&l.key);
                        ui.add(egui::TextEdit::singleline(&mut l.name).desired_width(110.0));
                        let [r, g, b] = l.rgb();
                        let mut c = egui::Color32::from_rgb(r, g, b);
                        if ui.color_edit_button_srgba(&mut c).changed() {
                            l.color = format!("#{:02x}{:02x}{:02x}", c.r(), c.g(), c.b());
                        }
                        ui.add(egui::TextEdit::singleline(&mut l.shortcut).desired_width(24.0).char_limit(1));
                        ui.add(egui::TextEdit::singleline(&mut l.description).desired_width(220.0));
                        let used = in_use.contains(&l.key);
                        if ui
                            .add_enabled(!used, egui::Button::new("Remove"))
                            .on_disabled_hover_text("Spans use this label")
                            .clicked()
                        {
                            remove = Some(i);
                        }
                        ui.end_row();
                    }
                });
                if let Some(i) = remove {
                    draft.remove(i);
                }
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(new_key).hint_text("NEW_LABEL").desired_width(140.0));
                    if ui.button("Add label").clicked() {
                        let key = new_key.trim().to_uppercase();
                        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                            *error = Some("A key is letters, digits and '_'.".into());
                        } else if draft.iter().any(|l| l.key == key) {
                            *error = Some(format!("{key} exists already."));
                        } else {
                            draft.push(Label {
                                name: key.clone(),
                                key,
                                color: "#808080".into(),
                                shortcut: String::new(),
                                description: String::new(),
                            });
                            new_key.clear();
                            *error = None;
                        }
                    }
                });
                // Every change that makes a valid schema is applied at once, so it is saved
                // like any edit (and with the project on quit) even if the dialog stays open.
                let mut revert = false;
                ui.horizontal(|ui| {
                    if ui.button("Close").clicked() {
                        close = true;
                    }
                    if ui.add_enabled(draft != original, egui::Button::new("Revert")).clicked() {
                        revert = true;
                    }
                });
                if revert {
                    *draft = original.clone();
                }
                let mut invalid = check_labels(draft).err();
                if let Some(s) = app.session.as_mut()
                    && invalid.is_none()
                    && s.corpus.project.labels != *draft
                {
                    // Another process writing the project makes it read-only here.
                    match s.check_writable() {
                        Ok(()) => {
                            s.corpus.project.labels = draft.clone();
                            s.mark_project_dirty();
                        }
                        Err(e) => invalid = Some(format!("{e}.")),
                    }
                }
                if invalid.is_some() {
                    *error = invalid.map(|e| format!("{e} Not applied until fixed."));
                } else if error.as_deref().is_some_and(|e| e.ends_with("Not applied until fixed.")) {
                    *error = None;
                }
                error_line(ui, error);
            }
            Dialog::Shortcuts => {
                ui.heading("Keyboard shortcuts");
                // Scrolls, so that a small window still shows the Close button.
                let max = (ctx.content_rect().height() * 0.7).max(160.0);
                egui::ScrollArea::vertical().max_height(max).show(ui, |ui| {
                egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                    if let Some(s) = &app.session {
                        for l in &s.corpus.project.labels {
                            ui.label(&l.shortcut);
                            ui.label(format!("Tag selection / relabel span as {}", l.name));
                            ui.end_row();
                        }
                    }
                    for c in Command::ALL {
                        if let Some(sc) = c.shortcut() {
                            ui.label(ctx.format_shortcut(&sc));
                            ui.label(c.text());
                            ui.end_row();
                        }
                    }
                    ui.label("Drag");
                    ui.label("Select text");
                    ui.end_row();
                    ui.label("Double-click");
                    ui.label("Select a word");
                    ui.end_row();
                    ui.label("Click a span");
                    ui.label("Select it (the innermost, if nested)");
                    ui.end_row();
                    for (keys, what) in super::commands::tool_keys() {
                        ui.label(keys);
                        ui.label(what);
                        ui.end_row();
                    }
                });
                });
                if ui.button("Close").clicked() {
                    close = true;
                }
            }
        }
    });
    let escape_closes = !matches!(dialog, Dialog::AskName { .. });
    if modal.should_close() && escape_closes {
        close = true;
    }
    if close {
        // A dialog opened later in this frame is a new opening.
        modal_closed(ctx, "spanbench_dialog");
    } else {
        app.dialog = Some(dialog);
    }
}

/// Every label key some span of the project uses: those labels cannot be removed.
fn labels_in_use(s: &Session) -> std::collections::BTreeSet<String> {
    s.corpus
        .annotations
        .values()
        .flat_map(|m| m.values())
        .flat_map(|set| set.spans.iter().map(|sp| sp.label.clone()))
        .collect()
}

/// Shortcut keys must be one letter or digit, and unique.
fn check_labels(labels: &[Label]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for l in labels {
        if l.name.trim().is_empty() {
            return Err(format!("{} needs a name.", l.key));
        }
        if !l.shortcut.is_empty() {
            let k = l.shortcut.to_lowercase();
            if !(k.len() == 1 && k.chars().all(|c| c.is_ascii_alphanumeric())) {
                return Err(format!("{}: a shortcut is one letter or digit.", l.key));
            }
            if k == "r" {
                return Err(format!(
                    "{}: R is the key that starts a relation; choose another.",
                    l.key
                ));
            }
            if !seen.insert(k) {
                return Err(format!("Shortcut {} is used twice.", l.shortcut));
            }
        }
    }
    Ok(())
}
