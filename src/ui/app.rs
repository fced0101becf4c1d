//! The eframe application: owns the session, runs commands, lays out the panels.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{Key, Modifiers, Ui};

use super::commands::Command;
use super::dialogs::{Dialog, Job};
use super::document_pane::{DocumentPane, PaneInput, document_pane_ui};
use super::settings::UserSettings;
use super::{menus, theme};
use crate::model::DocStatus;
use crate::offsets::Snap;
use crate::session::Session;
use crate::watch::ProjectWatcher;

pub const MIN_FONT: f32 = 10.0;
pub const MAX_FONT: f32 = 40.0;

/// A message for the status bar.
#[derive(Clone, Debug)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

pub struct SpanbenchApp {
    pub settings: UserSettings,
    pub settings_path: Option<PathBuf>,
    pub session: Option<Session>,
    pub current_doc: Option<String>,
    pub pane: DocumentPane,
    pub dialog: Option<Dialog>,
    pub notice: Option<Notice>,
    pub job: Option<Job>,
    pub note_draft: Option<(crate::model::SpanId, String)>,
    /// The last long report (export drops, import problems) and whether its window is open.
    pub report: Option<super::reports::Report>,
    pub report_open: bool,
    pub notice_clock: super::reports::NoticeClock,
    /// What of the view (document, window size) was last written to the settings.
    pub view_memory: super::workflow::ViewMemory,
    pub search: super::search::SearchUi,
    pub annotate: Option<super::annotate_all::AnnotateAll>,
    pub palette: Option<super::palette::Palette>,
    pub doc_filter: super::doc_list::DocFilter,
    /// Which side panels are open.
    pub panels: super::panels::PanelState,
    /// A relation whose type is being picked.
    pub relation_pick: Option<super::editing::RelationPick>,
    /// Another annotator's layer the user asked to edit, waiting for confirmation.
    pub confirm_unlock: Option<String>,
    /// A review of a model layer's suggestions, while one runs.
    pub review: Option<super::review::ReviewUi>,
    /// The built-in recommenders: their settings, the one training, their window.
    pub recommenders: super::recommenders::RecommendersUi,
    /// The curation view and its pre-merge dialog.
    pub curation: super::curation_view::CurationState,
    /// Where gold differs from the layer on screen, while that toggle is on.
    pub feedback: Option<super::gold_feedback::GoldFeedback>,
    pub statistics: Option<super::statistics::StatisticsWindow>,
    /// A command waiting for every document of a big project to load.
    pub after_full_load: Option<Command>,
    /// A big project being opened on a worker.
    pub opening: Option<super::loading::Opening>,
    pending: Vec<Command>,
    applied_theme: Option<bool>,
    context_ready: bool,
    close_refused: bool,
    /// Reports files other processes write to the open project.
    watcher: Option<ProjectWatcher>,
    /// Whether to watch the project folder (tests of the save-time merge turn it off).
    pub watch_disk: bool,
    last_lock_check: Instant,
}

impl SpanbenchApp {
    /// Builds the app without a window (tests use this with their own settings).
    pub fn new(settings: UserSettings, settings_path: Option<PathBuf>) -> Self {
        let mut app = Self {
            settings,
            settings_path,
            session: None,
            current_doc: None,
            pane: DocumentPane::default(),
            dialog: None,
            notice: None,
            job: None,
            note_draft: None,
            report: None,
            report_open: false,
            notice_clock: Default::default(),
            view_memory: Default::default(),
            search: Default::default(),
            annotate: None,
            palette: None,
            doc_filter: Default::default(),
            panels: Default::default(),
            relation_pick: None,
            confirm_unlock: None,
            review: None,
            recommenders: Default::default(),
            curation: Default::default(),
            feedback: None,
            statistics: None,
            after_full_load: None,
            opening: None,
            pending: Vec::new(),
            applied_theme: None,
            context_ready: false,
            close_refused: false,
            watcher: None,
            watch_disk: true,
            last_lock_check: Instant::now(),
        };
        if app.settings.annotator.is_empty() {
            app.dialog = Some(Dialog::ask_name());
        }
        app
    }

    pub fn annotator(&self) -> &str {
        &self.settings.annotator
    }

    pub fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            error,
        });
    }

    /// Opens a project, saving the current one first. On failure the current project
    /// stays open and the error is shown.
    pub fn open_project(&mut self, path: &Path) {
        if !self.save_now() {
            return;
        }
        // A big project opens from its index on a worker; the window keeps drawing.
        if Session::opens_lazily(path) {
            self.start_opening(path);
            return;
        }
        let opened = Session::open(path, &self.settings.annotator);
        self.finish_opening(path, opened);
    }

    /// Makes an opened project the current one, or says why it could not be opened.
    pub fn finish_opening(
        &mut self,
        path: &Path,
        opened: Result<Session, crate::storage::StorageError>,
    ) {
        match opened {
            Ok(session) => {
                // The document open there last time, else the first.
                self.current_doc = self
                    .settings
                    .last_document(path)
                    .filter(|d| session.doc_index(d).is_some())
                    .map(str::to_string)
                    .or_else(|| session.doc_id_at(0).map(str::to_string));
                let catalog = session.catalog_annotators();
                let mine = catalog.contains(&session.annotator)
                    || session.corpus.annotations.contains_key(&session.annotator);
                let mut layers = catalog;
                layers.extend(
                    session
                        .corpus
                        .annotations
                        .iter()
                        .filter(|(_, sets)| sets.values().any(|s| !s.spans.is_empty()))
                        .map(|(a, _)| a.clone()),
                );
                layers.sort();
                layers.dedup();
                let others: Vec<String> = layers
                    .into_iter()
                    .filter(|a| *a != session.annotator)
                    .collect();
                let mut msg = format!(
                    "Opened {} ({} documents).",
                    session.corpus.project.name,
                    session.doc_count()
                );
                if !others.is_empty() && !mine {
                    msg.push_str(&format!(
                        " You have no annotations here yet; choose the layer {} (toolbar) to see theirs.",
                        others.join(", ")
                    ));
                }
                if let Some(who) = session.read_only() {
                    msg = format!(
                        "Opened {} read-only: {who} is writing to it. You can edit once it is done.",
                        session.corpus.project.name
                    );
                }
                self.notify(msg, false);
                self.watcher = None;
                if self.watch_disk {
                    match ProjectWatcher::new(path, || {}) {
                        Ok(w) => self.watcher = Some(w),
                        Err(e) => self.notify(
                            format!("Not watching the project for other writers ({e}); saving still merges their work."),
                            true,
                        ),
                    }
                }
                self.session = Some(session);
                self.pane = DocumentPane::default();
                self.settings.push_recent(path);
                self.persist_settings();
            }
            Err(e) => self.notify(format!("Could not open project: {e}"), true),
        }
    }

    pub fn persist_settings(&mut self) {
        if let Err(e) = self.settings.save(self.settings_path.as_deref()) {
            self.notify(format!("Could not save settings: {e}"), true);
        }
    }

    /// Saves unsaved edits; false (with a message) if that failed.
    pub fn save_now(&mut self) -> bool {
        // An "annotate all" run in progress keeps what was accepted so far.
        self.finish_annotate_all();
        let Some(s) = self.session.as_mut() else {
            return true;
        };
        if !s.is_dirty() {
            return true;
        }
        match s.save() {
            Ok(_) => true,
            Err(e) => {
                self.notify(format!("Saving failed: {e}"), true);
                false
            }
        }
    }

    pub fn set_annotator(&mut self, name: String) {
        self.settings.annotator = name.clone();
        self.persist_settings();
        if let Some(s) = self.session.as_mut() {
            s.set_user(&name);
        }
    }

    pub fn run(&mut self, cmd: Command) {
        self.pending.push(cmd);
    }

    /// Tags the current selection, or relabels the selected span, with `label`.
    pub fn apply_label(&mut self, label: &str) {
        if self.pane.linking.is_some() {
            self.notify(
                "Relation mode: click the span the relation points to, or press Escape.",
                false,
            );
            return;
        }
        let (Some(session), Some(doc)) = (self.session.as_mut(), self.current_doc.clone()) else {
            return;
        };
        let result = if let Some((s, e)) = self.pane.selection {
            session.add_span(&doc, s, e, label).map(|id| {
                self.pane.selection = None;
                self.pane.selected_span = Some(id);
            })
        } else if let Some(id) = self.pane.selected_span {
            session.relabel(&doc, id, label)
        } else {
            self.notice = Some(Notice {
                text: "Select some text first (drag or double-click), then press a label key."
                    .into(),
                error: false,
            });
            return;
        };
        if let Err(e) = result {
            self.notify(format!("{e}"), true);
        }
    }

    fn go_to_document(&mut self, delta: isize) {
        let Some(session) = &self.session else { return };
        let n = session.doc_count();
        if n == 0 {
            return;
        }
        let cur = self
            .current_doc
            .as_ref()
            .and_then(|id| session.doc_index(id))
            .unwrap_or(0);
        let next = (cur as isize + delta).clamp(0, n as isize - 1) as usize;
        self.current_doc = session.doc_id_at(next).map(str::to_string);
    }

    fn execute(&mut self, ctx: &egui::Context, cmd: Command) {
        // Stopping a review needs nothing loaded.
        let stopping = cmd == Command::ReviewSuggestions && self.review.is_some();
        if cmd.needs_every_document() && !stopping && !self.have_everything(cmd) {
            return;
        }
        match cmd {
            Command::NewProject => self.dialog = Some(Dialog::new_project()),
            Command::OpenProject => self.dialog = Some(Dialog::open_project()),
            Command::ImportFiles => {
                if self.session.is_some() {
                    self.dialog = Some(Dialog::import());
                } else {
                    self.notify("Open or create a project first.", true);
                }
            }
            Command::Export => {
                if self.session.is_some() {
                    self.dialog = Some(Dialog::export(self.session.as_ref()));
                } else {
                    self.notify("Open a project first.", true);
                }
            }
            Command::Save => {
                if self.save_now() && self.session.is_some() {
                    self.notify("Saved.", false);
                }
            }
            Command::Quit => {
                self.save_now();
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Command::Undo | Command::Redo | Command::RedoAlt => {
                let Some(s) = self.session.as_mut() else {
                    return;
                };
                // An edit on a layer this session may not change cannot be undone either.
                let next = if cmd == Command::Undo {
                    s.history.next_undo()
                } else {
                    s.history.next_redo()
                };
                if let Some(Err(e)) = next.map(|t| s.check_editable(&t.annotator)) {
                    self.notify(e.to_string(), true);
                    return;
                }
                let target = if cmd == Command::Undo {
                    s.undo()
                } else {
                    s.redo()
                };
                match target {
                    Some(t) => {
                        if t.annotator != s.annotator {
                            s.annotator = t.annotator;
                        }
                        self.current_doc = Some(t.doc);
                        self.pane.selection = None;
                    }
                    None => self.notify(
                        if cmd == Command::Undo {
                            "Nothing to undo."
                        } else {
                            "Nothing to redo."
                        },
                        false,
                    ),
                }
            }
            Command::DeleteSpan => {
                let (Some(s), Some(doc), Some(id)) = (
                    self.session.as_mut(),
                    self.current_doc.clone(),
                    self.pane.selected_span,
                ) else {
                    return;
                };
                match s.remove_span(&doc, id) {
                    Ok(()) => self.pane.selected_span = None,
                    Err(e) => self.notify(e.to_string(), true),
                }
            }
            Command::ClearSelection => {
                if !self.cancel_relation() && !self.cancel_curation_edit() {
                    self.pane.selection = None;
                    self.pane.selected_span = None;
                }
            }
            Command::NextDocument => self.go_to_document(1),
            Command::PreviousDocument => self.go_to_document(-1),
            Command::ZoomIn => self.set_font_size(self.settings.font_size + 1.0),
            Command::ZoomOut => self.set_font_size(self.settings.font_size - 1.0),
            Command::ZoomReset => self.set_font_size(UserSettings::default().font_size),
            Command::ToggleTheme => {
                self.settings.dark_mode = !self.settings.dark_mode;
                self.persist_settings();
            }
            Command::ToggleSnap => {
                if let Some(s) = self.session.as_mut() {
                    if let Err(e) = s.check_writable() {
                        self.notify(e.to_string(), true);
                        return;
                    }
                    s.corpus.project.settings.snap_to_words =
                        !s.corpus.project.settings.snap_to_words;
                    s.mark_project_dirty();
                }
            }
            Command::Shortcuts => self.dialog = Some(Dialog::Shortcuts),
            Command::Find => self.open_search(super::search::Scope::Document),
            Command::FindInCorpus => self.open_search(super::search::Scope::Corpus),
            Command::FindNext => self.step_hit(1),
            Command::FindPrevious => self.step_hit(-1),
            Command::AnnotateAll => self.start_annotate_all(),
            Command::CommandPalette => self.palette = Some(Default::default()),
            Command::MarkDoneAndNext => self.mark_done_and_next(),
            Command::EditLabels => {
                if let Some(s) = &self.session {
                    self.dialog = Some(Dialog::labels(s));
                }
            }
            Command::ChangeAnnotator => {
                self.dialog = Some(Dialog::ask_name_with(&self.settings.annotator));
            }
            Command::ShowReport => self.report_open = self.report.is_some(),
            Command::ReviewSuggestions => {
                if self.review.is_some() {
                    self.stop_review();
                } else {
                    self.start_review(None);
                }
            }
            Command::Recommenders => self.recommenders.open = true,
            Command::ToggleDocuments
            | Command::ToggleInspector
            | Command::EndRight
            | Command::EndLeft
            | Command::StartLeft
            | Command::StartRight
            | Command::StartRelation
            | Command::EditLayer => {
                self.execute_editing(cmd);
            }
            Command::Curate
            | Command::PreMerge
            | Command::NextDisagreement
            | Command::PreviousDisagreement
            | Command::TakeVersion(_)
            | Command::RejectUnit
            | Command::EditUnit
            | Command::AcceptEdit
            | Command::CurationUndo => {
                self.execute_curation(cmd);
            }
            Command::Statistics => self.toggle_statistics(),
            Command::GoldFeedback => self.toggle_gold_feedback(),
        }
    }

    fn set_font_size(&mut self, size: f32) {
        self.settings.font_size = size.clamp(MIN_FONT, MAX_FONT);
        self.persist_settings();
    }

    fn handle_keys(&mut self, ctx: &egui::Context) {
        if self.dialog.as_ref().is_some_and(Dialog::is_modal)
            || self.report_open
            || self.palette.is_some()
            || self.relation_pick.is_some()
            || self.confirm_unlock.is_some()
            || self.curation.premerge.is_some()
        {
            return;
        }
        let typing = ctx.egui_wants_keyboard_input();
        // The curation view's keys act only while it is open; while a unit is edited the
        // digits relabel (label keys) and Enter accepts.
        let curating = self.curation.is_open();
        let editing = self.curation.editing();
        // An open menu or drop-down gets Escape to close itself.
        let popup = ctx.any_popup_open();
        for cmd in Command::ALL {
            if (typing && cmd.needs_free_keyboard()) || (popup && cmd == Command::ClearSelection) {
                continue;
            }
            let off = match cmd {
                Command::TakeVersion(_) => !curating || editing,
                Command::AcceptEdit => !editing,
                c if c.curation_only() => !curating,
                _ => false,
            };
            if off {
                continue;
            }
            if let Some(sc) = cmd.shortcut()
                && ctx.input_mut(|i| i.consume_shortcut(&sc))
            {
                self.pending.push(cmd);
            }
        }
        if typing {
            return;
        }
        // Ctrl+= is where most keyboards have Ctrl++.
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Equals)) {
            self.pending.push(Command::ZoomIn);
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Backspace)) {
            self.pending.push(Command::DeleteSpan);
        }
        let Some(session) = &self.session else { return };
        if curating && !editing {
            return;
        }
        let mut hit = None;
        for label in &session.corpus.project.labels {
            if let Some(key) = Key::from_name(&label.shortcut.to_uppercase())
                && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key))
            {
                hit = Some(label.key.clone());
            }
        }
        if let Some(label) = hit {
            self.apply_label(&label);
        }
    }

    /// Picks up what other processes wrote, and notices when another writer is done.
    fn sync_with_disk(&mut self, ctx: &egui::Context) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let changes = self.watcher.as_ref().map(|w| w.poll()).unwrap_or_default();
        let now = Instant::now();
        let mut rescan = changes.rescan;
        if s.read_only().is_some()
            && (changes.lock || now.duration_since(self.last_lock_check) > Duration::from_secs(1))
        {
            self.last_lock_check = now;
            if s.recheck_lock() {
                rescan = true;
                self.notice = Some(super::app::Notice {
                    text: "The other writer is done; you can edit again.".into(),
                    error: false,
                });
            }
        }
        if rescan || !changes.files.is_empty() {
            let files: Vec<String> = changes.files.into_iter().collect();
            let (changed, errors) = s.refresh(if rescan { None } else { Some(&files) });
            if changed {
                self.curation_rebuild();
            }
            if let Some(e) = errors.first() {
                let text = format!(
                    "Another process left a file that cannot be read; it will not be saved over until it reads again: {e}"
                );
                self.notify(text, true);
            } else if changed && !self.notice.as_ref().is_some_and(|n| n.error) {
                self.notify("Updated: another process changed this project.", false);
            }
            let s = self.session.as_ref();
            let gone = self
                .current_doc
                .as_ref()
                .is_none_or(|d| s.is_some_and(|s| s.doc_index(d).is_none()));
            if gone {
                self.current_doc = s.and_then(|s| s.doc_id_at(0).map(str::to_string));
            }
        }
        if self.watcher.is_some()
            || self
                .session
                .as_ref()
                .is_some_and(|s| s.read_only().is_some())
        {
            ctx.request_repaint_after(Duration::from_millis(500));
        }
    }

    fn autosave(&mut self, ctx: &egui::Context) {
        let now = Instant::now();
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.autosave_due(now) {
            match s.save() {
                // The status bar was drawn before this save: draw it again now, not at the
                // next input, so it never says "Unsaved changes" about saved work.
                Ok(_) => ctx.request_repaint(),
                Err(e) => {
                    // Try again after another delay rather than on every frame.
                    s.retry_save_later(now);
                    self.notify(format!("Autosave failed: {e}"), true);
                }
            }
        } else if let Some(wait) = s.autosave_in(now) {
            ctx.request_repaint_after(wait);
        }
    }

    /// One whole frame; `App::ui` calls this, and so do tests.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if !self.context_ready {
            theme::install_fonts(&ctx);
            // Ctrl +/- change the document's text size, not the whole UI.
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
            self.context_ready = true;
        }
        if self.applied_theme != Some(self.settings.dark_mode) {
            theme::apply_theme(&ctx, self.settings.dark_mode);
            self.applied_theme = Some(self.settings.dark_mode);
        }
        self.annotate_all_keys(&ctx);
        self.review_keys(&ctx);
        self.sync_with_disk(&ctx);
        self.loading_before_frame(&ctx);
        self.handle_keys(&ctx);
        self.search_before_frame(&ctx);
        self.review_before_frame(&ctx);
        self.recommenders_before_frame(&ctx);
        if ctx.input(|i| i.viewport().close_requested()) && !self.save_now() && !self.close_refused
        {
            // Unsaved work could not be written: keep the window open once so the user
            // sees why; a second close request quits anyway.
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.close_refused = true;
        }

        egui::Panel::top("menu_bar").show(ui, |ui| menus::menu_bar_ui(ui, self));
        egui::Panel::top("toolbar").show(ui, |ui| menus::toolbar_ui(ui, self));
        self.expire_notice(&ctx);
        egui::Panel::bottom("status_bar").show(ui, |ui| menus::status_bar_ui(ui, self));
        super::review::review_panel_ui(ui, self);
        super::search::search_panel_ui(ui, self);
        super::panels::side_panels(ui, self);
        egui::CentralPanel::default().show(ui, |ui| {
            super::panels::contained(ui, |ui| self.center_ui(ui))
        });

        super::dialogs::dialogs_ui(&ctx, self);
        super::reports::report_ui(&ctx, self);
        super::palette::palette_ui(&ctx, self);
        super::editing::overlays_ui(&ctx, self);
        super::curation_view::premerge_dialog_ui(&ctx, self);
        super::statistics::statistics_ui(&ctx, self);
        super::menus::conflicts_ui(&ctx, self);
        super::review::scores_window(&ctx, self);
        super::recommenders::recommenders_window(&ctx, self);
        for cmd in std::mem::take(&mut self.pending) {
            self.execute(&ctx, cmd);
        }
        self.apply_pane_actions();
        self.poll_job(&ctx);
        self.autosave(&ctx);
        self.remember_view(&ctx);
    }

    fn center_ui(&mut self, ui: &mut Ui) {
        // Views drawing over the pane set its overlay again each frame.
        self.pane.overlay = None;
        super::curation_view::curation_strip_ui(ui, self);
        super::gold_feedback::feedback_strip_ui(ui, self);
        let Some(session) = &self.session else {
            match &self.opening {
                // Wrapped: the message is long and the pane may be narrow.
                Some(o) => {
                    ui.vertical_centered(|ui| {
                        ui.add_space((ui.available_height() / 2.0 - 40.0).max(0.0));
                        ui.spinner();
                        ui.add(egui::Label::new(o.describe()).wrap());
                    });
                }
                None => {
                    ui.centered_and_justified(|ui| {
                        ui.label(
                            "No project is open. Use File > Open project… or File > New project….",
                        );
                    });
                }
            }
            return;
        };
        let Some(doc) = self
            .current_doc
            .as_ref()
            .and_then(|id| session.corpus.document(id))
        else {
            let waiting = self
                .current_doc
                .as_deref()
                .and_then(|id| Some((id, session.doc_title_at(session.doc_index(id)?)?)));
            ui.centered_and_justified(|ui| match waiting {
                Some((id, title)) => match session.load_error(id) {
                    Some(e) => {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!("{title} cannot be opened: {e}"),
                        );
                    }
                    None => {
                        ui.label(format!("Loading {title}…"));
                    }
                },
                None => {
                    ui.label("This project has no documents yet. Use File > Import text files….");
                }
            });
            return;
        };
        if self.curation.is_open() {
            // The curation strip needs the room: one line of title.
            ui.add(egui::Label::new(egui::RichText::new(&doc.title).strong()).truncate());
        } else {
            // Titles wrap (and break long words) to the pane's width rather than widen it.
            ui.add(egui::Label::new(egui::RichText::new(&doc.title).heading()).wrap());
        }
        let mut meta = Vec::new();
        for v in [&doc.meta.source, &doc.meta.published, &doc.meta.url]
            .into_iter()
            .flatten()
        {
            meta.push(v.as_str());
        }
        if !meta.is_empty() && !self.curation.is_open() {
            ui.add(egui::Label::new(egui::RichText::new(meta.join(" · ")).weak()).wrap());
        }
        ui.separator();
        let input = PaneInput {
            doc,
            spans: session.spans(&doc.id),
            labels: &session.corpus.project.labels,
            revision: session.revision,
            snap: if session.corpus.project.settings.snap_to_words {
                Snap::Words
            } else {
                Snap::Graphemes
            },
            font_size: self.settings.font_size,
            relations: session.relations(&doc.id),
            relation_types: &session.corpus.project.relation_types,
            editable: session.is_editable(&session.annotator),
            hint: self.pane_hint(&doc.id),
        };
        document_pane_ui(ui, &mut self.pane, &input);
    }

    /// Changes the current document's status for the active layer.
    pub fn set_status(&mut self, status: DocStatus) {
        let (Some(s), Some(doc)) = (self.session.as_mut(), self.current_doc.clone()) else {
            return;
        };
        if let Err(e) = s.set_status(&doc, status) {
            self.notify(e.to_string(), true);
        }
    }
}

impl eframe::App for SpanbenchApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_now();
        // The window size is remembered in memory as it changes, and written here.
        self.persist_settings();
    }
}
