//! The menu bar, the label toolbar and the status bar.

use egui::{Button, Color32, RichText, Ui};

use super::app::SpanbenchApp;
use super::commands::Command;
use crate::model::DocStatus;

fn command_button(ui: &mut Ui, app: &mut SpanbenchApp, cmd: Command, enabled: bool) {
    let mut b = Button::new(cmd.text());
    if let Some(sc) = cmd.shortcut() {
        b = b.shortcut_text(ui.ctx().format_shortcut(&sc));
    }
    if ui.add_enabled(enabled, b).clicked() {
        app.run(cmd);
        ui.close();
    }
}

pub fn menu_bar_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let has_project = app.session.is_some();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            command_button(ui, app, Command::NewProject, true);
            command_button(ui, app, Command::OpenProject, true);
            ui.menu_button("Open recent", |ui| {
                if app.settings.recent.is_empty() {
                    ui.weak("No recent projects");
                }
                for p in app.settings.recent.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        app.open_project(&p);
                        ui.close();
                    }
                }
            });
            ui.separator();
            command_button(ui, app, Command::ImportFiles, has_project);
            command_button(ui, app, Command::Export, has_project);
            ui.separator();
            command_button(ui, app, Command::Save, has_project);
            command_button(ui, app, Command::Quit, true);
        });
        ui.menu_button("Edit", |ui| {
            let (can_undo, can_redo) = app.session.as_ref().map_or((false, false), |s| {
                (s.history.can_undo(), s.history.can_redo())
            });
            command_button(ui, app, Command::Undo, can_undo);
            command_button(ui, app, Command::Redo, can_redo);
            ui.separator();
            command_button(
                ui,
                app,
                Command::DeleteSpan,
                app.pane.selected_span.is_some(),
            );
            command_button(ui, app, Command::ClearSelection, true);
            ui.separator();
            command_button(ui, app, Command::Find, has_project);
            command_button(ui, app, Command::FindInCorpus, has_project);
            command_button(ui, app, Command::AnnotateAll, has_project);
            ui.separator();
            command_button(ui, app, Command::EditLabels, has_project);
        });
        ui.menu_button("Review", |ui| {
            command_button(ui, app, Command::ReviewSuggestions, has_project);
            command_button(ui, app, Command::Recommenders, has_project);
        });
        ui.menu_button("View", |ui| {
            command_button(ui, app, Command::NextDocument, has_project);
            command_button(ui, app, Command::PreviousDocument, has_project);
            command_button(ui, app, Command::MarkDoneAndNext, has_project);
            ui.separator();
            command_button(ui, app, Command::CommandPalette, true);
            ui.separator();
            command_button(ui, app, Command::ZoomIn, true);
            command_button(ui, app, Command::ZoomOut, true);
            command_button(ui, app, Command::ZoomReset, true);
            ui.separator();
            command_button(ui, app, Command::ToggleTheme, true);
        });
        ui.menu_button("Curation", |ui| {
            let curating = app.curation.is_open();
            let editing = app.curation.editing();
            command_button(ui, app, Command::Curate, has_project);
            command_button(ui, app, Command::PreMerge, has_project);
            ui.separator();
            command_button(ui, app, Command::NextDisagreement, curating && !editing);
            command_button(ui, app, Command::PreviousDisagreement, curating && !editing);
            command_button(ui, app, Command::RejectUnit, curating && !editing);
            command_button(ui, app, Command::EditUnit, curating && !editing);
            command_button(ui, app, Command::AcceptEdit, editing);
            command_button(ui, app, Command::CurationUndo, curating);
            ui.separator();
            command_button(ui, app, Command::Statistics, has_project);
            command_button(ui, app, Command::GoldFeedback, has_project);
        });
        ui.menu_button("Help", |ui| {
            command_button(ui, app, Command::Shortcuts, true);
            command_button(ui, app, Command::ShowReport, app.report.is_some());
            command_button(ui, app, Command::ChangeAnnotator, true);
        });
    });
}

/// Label buttons (with their keys), word snapping, the layer being annotated and the
/// document's status.
pub fn toolbar_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(session) = &app.session else {
        ui.weak("Open a project to start annotating.");
        return;
    };
    let labels = session.corpus.project.labels.clone();
    let snap = session.corpus.project.settings.snap_to_words;
    let mut layers = session.corpus.annotators();
    for a in session.catalog_annotators() {
        if !layers.contains(&a) {
            layers.push(a);
        }
    }
    if !layers.contains(&app.settings.annotator) && !app.settings.annotator.is_empty() {
        layers.insert(0, app.settings.annotator.clone());
    }
    let active = session.annotator.clone();
    let status = app.current_doc.as_ref().map(|d| session.status(d));
    let mut clicked_label = None;
    ui.horizontal_wrapped(|ui| {
        let has_target = app.pane.selection.is_some() || app.pane.selected_span.is_some();
        for l in &labels {
            let [r, g, b] = l.rgb();
            let color = Color32::from_rgb(r, g, b);
            // Dark text on light label colours reads better in the light theme.
            let ink = if ui.visuals().dark_mode { Color32::WHITE } else { Color32::BLACK };
            let text = RichText::new(format!("{}  {}", l.shortcut, l.name)).color(ink).strong();
            let key = if l.shortcut.is_empty() { "no key".to_string() } else { format!("key {}", l.shortcut) };
            let resp = ui
                .add_enabled(has_target, Button::new(text).fill(color.gamma_multiply(0.85)))
                .on_hover_text(format!("{} ({}, {key})\n{}", l.name, l.key, l.description))
                .on_disabled_hover_text(format!(
                    "{} ({}, {key})\n{}\nSelect text (drag or double-click a word), then press {} to tag it.",
                    l.name, l.key, l.description, l.shortcut
                ));
            if resp.clicked() {
                clicked_label = Some(l.key.clone());
            }
        }
        ui.separator();
        let mut s = snap;
        if ui.checkbox(&mut s, "Snap to words").on_hover_text("Grow selections to whole words (Ctrl+W)").changed() {
            app.run(Command::ToggleSnap);
        }
        ui.separator();
        let mut chosen = active.clone();
        egui::ComboBox::new("layer", "layer")
            .selected_text(layer_text(&active, &app.settings.annotator))
            .show_ui(ui, |ui| {
                for l in &layers {
                    ui.selectable_value(&mut chosen, l.clone(), layer_text(l, &app.settings.annotator));
                }
            })
            .response
            .on_hover_text("Whose annotations you see and edit. Your own layer is saved under annotations/<your name>/.");
        if chosen != active
            && let Some(s) = app.session.as_mut()
        {
            s.annotator = chosen;
            s.revision += 1;
            app.pane.selected_span = None;
            app.pane.linking = None;
        }
        super::editing::layer_lock_ui(ui, app);
        super::gold_feedback::toolbar_ui(ui, app);
        if let Some(st) = status {
            ui.separator();
            let mut new = st;
            egui::ComboBox::new("doc_status", "status").selected_text(st.as_str()).show_ui(ui, |ui| {
                for s in DocStatus::ALL {
                    ui.selectable_value(&mut new, s, s.as_str());
                }
            });
            if new != st {
                app.set_status(new);
            }
        }
    });
    if let Some(l) = clicked_label {
        app.apply_label(&l);
    }
}

fn layer_text(layer: &str, me: &str) -> String {
    if layer == me {
        format!("{layer} (you)")
    } else {
        layer.to_string()
    }
}

pub fn status_bar_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    ui.horizontal(|ui| {
        match &app.session {
            Some(s) => {
                ui.label(format!("Project: {}", s.corpus.project.name));
                ui.separator();
                ui.label(format!("Annotator: {}", app.settings.annotator));
                if s.annotator != app.settings.annotator {
                    let text = if s.is_editable(&s.annotator) {
                        format!("(editing {}'s layer)", s.annotator)
                    } else {
                        format!("🔒 {}'s layer: read-only", s.annotator)
                    };
                    ui.colored_label(ui.visuals().warn_fg_color, text);
                }
                ui.separator();
                if let Some(who) = s.read_only() {
                    ui.colored_label(ui.visuals().warn_fg_color, "Read-only")
                        .on_hover_text(format!(
                            "{who} is writing to this project; you can edit once it is done."
                        ));
                    ui.separator();
                }
                if s.is_dirty() {
                    ui.colored_label(ui.visuals().warn_fg_color, "Unsaved changes");
                } else {
                    ui.label("All changes saved");
                }
            }
            None => {
                ui.label("No project");
            }
        }
        if let Some(job) = &app.job {
            ui.separator();
            ui.add(
                egui::ProgressBar::new(job.fraction())
                    .desired_width(160.0)
                    .text(job.label()),
            );
        }
        if app.notice.is_some() {
            ui.separator();
            super::reports::details_button(ui, app);
        }
        if let Some(n) = &app.notice {
            let color = if n.error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().text_color()
            };
            // One line, always: long reports go to their own window.
            let line = n.text.lines().next().unwrap_or_default();
            ui.add(egui::Label::new(RichText::new(line).color(color)).truncate())
                .on_hover_text(&n.text);
        }
    });
}

/// Lists what a save had to merge by hand: spans changed here and by another process.
/// Both versions were kept; the list tells the annotator where to look.
pub fn conflicts_ui(ctx: &egui::Context, app: &mut SpanbenchApp) {
    let Some(s) = app.session.as_mut() else {
        return;
    };
    if s.conflicts.is_empty() {
        return;
    }
    let mut dismiss = false;
    egui::Window::new("Merge conflicts")
        .collapsible(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label("Another process changed the same annotations as this window. Both versions were kept; check these and delete the one you do not want:");
            egui::ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
                for c in &s.conflicts {
                    ui.label(c);
                }
            });
            if ui.button("Dismiss").clicked() {
                dismiss = true;
            }
        });
    if dismiss {
        s.conflicts.clear();
    }
}
