//! Long reports (what an export dropped, every problem of a refused import, notes) in a
//! scrollable window, with a one-line summary in the status bar; and how long a
//! status-bar notice lives: it gives way to newer state.

use std::time::{Duration, Instant};

use egui::{Context, Modal, RichText, Ui};

use super::app::SpanbenchApp;
use super::dialogs::{modal_closed, modal_id};

/// How long an informational notice stays once nothing newer replaced it. Errors stay
/// until the state changes or another notice replaces them.
pub const NOTICE_TTL: Duration = Duration::from_secs(8);

const MODAL: &str = "spanbench_report";

/// A report too long for the status bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub title: String,
    /// One line, shown in the status bar and at the top of the window.
    pub summary: String,
    pub lines: Vec<String>,
    pub error: bool,
}

/// When the notice on screen was posted, and at which revision of the session.
#[derive(Default)]
pub struct NoticeClock {
    seen: Option<(String, bool)>,
    revision: Option<u64>,
    at: Option<Instant>,
}

impl SpanbenchApp {
    /// Puts the report's summary in the status bar and opens its window.
    pub fn show_report(&mut self, report: Report) {
        self.notify(report.summary.clone(), report.error);
        self.report = Some(report);
        self.report_open = true;
    }

    /// Retires the notice once the state it described is gone: the session changed since
    /// it was posted (an edit, an undo, another layer), or, for information rather than
    /// errors, once it is [`NOTICE_TTL`] old.
    pub fn expire_notice(&mut self, ctx: &Context) {
        let revision = self.session.as_ref().map(|s| s.revision);
        let now = Instant::now();
        let clock = &mut self.notice_clock;
        let current = self.notice.as_ref().map(|n| (n.text.as_str(), n.error));
        if current != clock.seen.as_ref().map(|(t, e)| (t.as_str(), *e)) {
            clock.seen = current.map(|(t, e)| (t.to_string(), e));
            clock.revision = revision;
            clock.at = Some(now);
            if let Some((_, false)) = clock.seen {
                ctx.request_repaint_after(NOTICE_TTL);
            }
            return;
        }
        let Some((_, error)) = clock.seen else { return };
        let age = clock.at.map_or(Duration::ZERO, |t| now.duration_since(t));
        if revision != clock.revision || (!error && age >= NOTICE_TTL) {
            self.notice = None;
            clock.seen = None;
        } else if !error {
            ctx.request_repaint_after(NOTICE_TTL - age);
        }
    }
}

/// A "Details…" button beside the status-bar notice while it is a closed report's summary.
pub fn details_button(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(report) = &app.report else { return };
    let showing = app
        .notice
        .as_ref()
        .is_some_and(|n| n.text == report.summary);
    if showing && !app.report_open && ui.small_button("Details…").clicked() {
        app.report_open = true;
    }
}

/// The report window, if open: the summary, every line (scrollable, only the visible
/// lines built), Copy and Close; Escape closes it.
pub fn report_ui(ctx: &Context, app: &mut SpanbenchApp) {
    let (Some(report), true) = (&app.report, app.report_open) else {
        modal_closed(ctx, MODAL);
        return;
    };
    let mut close = false;
    let max = ctx.content_rect().size();
    let modal = Modal::new(modal_id(ctx, MODAL)).show(ctx, |ui| {
        ui.set_width((max.x * 0.8).clamp(300.0, 900.0));
        ui.heading(&report.title);
        let color = if report.error {
            ui.visuals().error_fg_color
        } else {
            ui.visuals().text_color()
        };
        ui.add(egui::Label::new(RichText::new(&report.summary).color(color)).wrap());
        ui.separator();
        let row = ui.text_style_height(&egui::TextStyle::Body);
        // A fixed height: a list that shrinks to its rows would grow a row per frame.
        let height = (report.lines.len() as f32 * (row + ui.spacing().item_spacing.y))
            .clamp(row, (max.y * 0.6).max(120.0));
        egui::ScrollArea::both()
            .id_salt("report_lines")
            .min_scrolled_height(height)
            .max_height(height)
            .auto_shrink(false)
            .show_rows(ui, row, report.lines.len(), |ui, rows| {
                for line in &report.lines[rows] {
                    ui.add(egui::Label::new(line).extend());
                }
            });
        ui.separator();
        ui.horizontal(|ui| {
            if ui
                .button("Copy all")
                .on_hover_text("Copy the whole report to the clipboard")
                .clicked()
            {
                let mut text = format!("{}\n{}\n", report.title, report.summary);
                for l in &report.lines {
                    text.push_str(l);
                    text.push('\n');
                }
                ui.ctx().copy_text(text);
            }
            if ui.button("Close").clicked() {
                close = true;
            }
            ui.weak(format!("{} line(s) · Esc closes", report.lines.len()));
        });
    });
    // Escape closes it (the modal takes Escape only while it is the top one).
    if close || modal.should_close() {
        app.report_open = false;
        modal_closed(ctx, MODAL);
    }
}
