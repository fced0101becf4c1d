//! The list of documents: title, status and span count of the active layer.

use egui::{RichText, Ui};

use super::app::SpanbenchApp;
use crate::model::DocStatus;

pub fn doc_list_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    ui.heading("Documents");
    let Some(session) = &app.session else {
        ui.weak("No project open");
        return;
    };
    ui.weak("Alt+Up / Alt+Down: previous / next document");
    ui.separator();
    let mut open = None;
    let docs = &session.corpus.documents;
    // Two text rows per document, and only the visible documents are built, so a corpus
    // of any size costs the same per frame.
    let row_height =
        2.0 * ui.text_style_height(&egui::TextStyle::Body) + 3.0 * ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt("doc_list")
        .auto_shrink(false)
        .show_rows(ui, row_height, docs.len(), |ui, rows| {
            for doc in &docs[rows] {
                let status = session.status(&doc.id);
                let spans = session.spans(&doc.id).len();
                let selected = app.current_doc.as_deref() == Some(doc.id.as_str());
                let status_color = match status {
                    DocStatus::New => ui.visuals().weak_text_color(),
                    DocStatus::InProgress => ui.visuals().warn_fg_color,
                    DocStatus::Done | DocStatus::Reviewed => egui::Color32::from_rgb(80, 180, 90),
                };
                let resp = ui
                    .add(
                        egui::Button::selectable(selected, RichText::new(&doc.title).strong())
                            .truncate(),
                    )
                    .on_hover_text(format!("{}\n{}", doc.title, doc.id));
                ui.horizontal(|ui| {
                    ui.colored_label(status_color, status.as_str());
                    ui.weak(format!("· {spans} spans"));
                });
                if resp.clicked() {
                    open = Some(doc.id.clone());
                }
            }
        });
    if let Some(id) = open {
        app.current_doc = Some(id);
        app.pane.selection = None;
        app.pane.selected_span = None;
    }
}
