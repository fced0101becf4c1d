//! The side panels around the document pane: resizable, collapsible, narrower on small
//! windows, and never wider because of what they show. The text always gets the rest.

use egui::{Button, Ui, UiBuilder};

use super::app::SpanbenchApp;
use super::commands::Command;
use super::{doc_list, inspector};

/// Which side panels are open (the toggles in their headers and Ctrl+B, Ctrl+Alt+B).
#[derive(Clone, Copy, Debug)]
pub struct PanelState {
    pub documents: bool,
    pub inspector: bool,
}

impl Default for PanelState {
    fn default() -> Self {
        Self {
            documents: true,
            inspector: true,
        }
    }
}

/// Width limits of a side panel in a window `width` wide: a share of the window, so
/// the text keeps at least about half of a small one.
fn range(width: f32, share: f32, min: f32, max: f32) -> (f32, f32) {
    let hi = (width * share).clamp(min, max);
    (min.min(hi), hi)
}

/// Runs `add` in a child that is exactly the space left in `ui` and clips to it: what
/// it draws can never make the panel (or the pane) wider than it is.
pub fn contained<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    let rect = ui.available_rect_before_wrap();
    let mut child = ui.new_child(UiBuilder::new().max_rect(rect).layout(*ui.layout()));
    child.shrink_clip_rect(rect);
    let r = add(&mut child);
    ui.advance_cursor_after_rect(rect);
    r
}

/// A thin strip standing for a collapsed panel, with the button that opens it.
fn collapsed_strip(ui: &mut Ui, id: &str, left: bool, app: &mut SpanbenchApp, cmd: Command) {
    let panel = if left {
        egui::Panel::left(id.to_string())
    } else {
        egui::Panel::right(id.to_string())
    };
    panel.exact_size(26.0).resizable(false).show(ui, |ui| {
        let text = egui::RichText::new(if left { "»" } else { "«" }).size(18.0);
        let tip = format!(
            "{} ({})",
            cmd.text(),
            cmd.shortcut()
                .map(|s| ui.ctx().format_shortcut(&s))
                .unwrap_or_default()
        );
        if ui
            .add(Button::new(text).frame(false))
            .on_hover_text(tip)
            .clicked()
        {
            app.run(cmd);
        }
    });
}

/// The button hiding the document list, in the top right corner of the panel (over
/// the list's own heading, which it leaves in place).
fn hide_button(ui: &mut Ui, app: &mut SpanbenchApp, cmd: Command) {
    let tip = format!(
        "{} ({})",
        cmd.text(),
        cmd.shortcut()
            .map(|s| ui.ctx().format_shortcut(&s))
            .unwrap_or_default()
    );
    let r = ui.max_rect();
    let at = egui::Rect::from_min_size(egui::pos2(r.max.x - 22.0, r.min.y), egui::vec2(22.0, 22.0));
    // A child of its own, so the list below starts at the top as before.
    let mut corner = ui.new_child(UiBuilder::new().max_rect(at));
    if corner
        .add(Button::new(egui::RichText::new("‹").size(18.0)).frame(false))
        .on_hover_text(tip)
        .clicked()
    {
        app.run(cmd);
    }
}

/// The inspector's header: the button that hides it, and its title.
fn panel_header(ui: &mut Ui, title: &str, app: &mut SpanbenchApp, cmd: Command) {
    ui.horizontal(|ui| {
        let tip = format!(
            "{} ({})",
            cmd.text(),
            cmd.shortcut()
                .map(|s| ui.ctx().format_shortcut(&s))
                .unwrap_or_default()
        );
        if ui
            .add(Button::new(egui::RichText::new("›").size(18.0)).frame(false))
            .on_hover_text(tip)
            .clicked()
        {
            app.run(cmd);
        }
        ui.heading(title);
    });
}

/// The document list on the left and the inspector on the right.
pub fn side_panels(ui: &mut Ui, app: &mut SpanbenchApp) {
    let width = ui.available_width();
    if app.panels.documents {
        let (min, max) = range(width, 0.2, 120.0, 420.0);
        egui::Panel::left("documents")
            .resizable(true)
            .default_size(230.0f32.clamp(min, max))
            .size_range(min..=max)
            .show(ui, |ui| {
                contained(ui, |ui| {
                    hide_button(ui, app, Command::ToggleDocuments);
                    doc_list::doc_list_ui(ui, app);
                })
            });
    } else {
        collapsed_strip(ui, "documents_closed", true, app, Command::ToggleDocuments);
    }
    if app.panels.inspector {
        let (min, max) = range(width, 0.26, 170.0, 460.0);
        egui::Panel::right("inspector")
            .resizable(true)
            .default_size(300.0f32.clamp(min, max))
            .size_range(min..=max)
            .show(ui, |ui| {
                contained(ui, |ui| {
                    panel_header(ui, "Inspector", app, Command::ToggleInspector);
                    inspector::inspector_ui(ui, app);
                })
            });
    } else {
        collapsed_strip(ui, "inspector_closed", false, app, Command::ToggleInspector);
    }
}
