//! The inspector: the selected span's details, and every span of the document.

use egui::{Color32, RichText, Ui};

use super::app::SpanbenchApp;
use crate::model::Review;

pub fn inspector_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let (Some(session), Some(doc_id)) = (&app.session, app.current_doc.clone()) else {
        ui.heading("Inspector");
        return;
    };
    let labels = session.corpus.project.labels.clone();
    let color_of = |key: &str| {
        let [r, g, b] = labels
            .iter()
            .find(|l| l.key == key)
            .map_or([128, 128, 128], |l| l.rgb());
        Color32::from_rgb(r, g, b)
    };
    ui.heading("Selected span");
    let selected = app
        .pane
        .selected_span
        .and_then(|id| session.span(&doc_id, id))
        .cloned();
    match selected {
        Some(span) => {
            ui.horizontal(|ui| {
                super::theme::color_chip(ui, color_of(&span.label));
                ui.colored_label(color_of(&span.label), RichText::new(&span.label).strong());
                ui.weak(format!("#{} · [{}..{})", span.id.0, span.start, span.end));
            });
            ui.label(format!("“{}”", span.text));
            let mut edited = span.clone();
            ui.horizontal(|ui| {
                ui.label("Review:");
                for r in [Review::Unreviewed, Review::Accepted, Review::Rejected] {
                    ui.selectable_value(&mut edited.review, r, format!("{r:?}"));
                }
            });
            ui.label("Note:");
            // The note is edited in a draft and committed when the field loses focus,
            // so one note is one undo step rather than one per keystroke.
            if app.note_draft.as_ref().is_none_or(|(id, _)| *id != span.id) {
                app.note_draft = Some((span.id, span.note.clone()));
            }
            let mut commit_note = false;
            if let Some((_, draft)) = app.note_draft.as_mut() {
                let note = ui.add(
                    egui::TextEdit::multiline(draft)
                        .desired_rows(2)
                        .hint_text("Add a note…"),
                );
                commit_note = note.lost_focus() && *draft != span.note;
                if commit_note {
                    edited.note = draft.clone();
                }
            }
            if (edited.review != span.review || commit_note)
                && let Err(e) = app
                    .session
                    .as_mut()
                    .map_or(Ok(()), |s| s.update_span(&doc_id, edited.clone()))
            {
                app.notify(e.to_string(), true);
            }
            let relations: Vec<String> = session_relations(app, &doc_id, span.id);
            if !relations.is_empty() {
                ui.label("Relations:");
                for r in relations {
                    ui.weak(r);
                }
            }
            if ui.button("Delete span (Del)").clicked() {
                app.run(super::commands::Command::DeleteSpan);
            }
        }
        None => {
            ui.weak("Click a span in the text to select it. Press a label key to relabel it, Delete to remove it.");
        }
    }
    ui.separator();
    let Some(session) = &app.session else { return };
    let spans = session.spans(&doc_id);
    ui.heading(format!("Spans ({})", spans.len()));
    let mut go_to = None;
    // Only the visible rows are built: a document may hold tens of thousands of spans.
    let row_height = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical().id_salt("span_list").show_rows(
        ui,
        row_height,
        spans.len(),
        |ui, rows| {
            for s in &spans[rows] {
                let selected = app.pane.selected_span == Some(s.id);
                let text: String = if s.text.chars().count() > 34 {
                    s.text.chars().take(33).chain(['…']).collect()
                } else {
                    s.text.clone()
                };
                let resp = ui.horizontal(|ui| {
                    super::theme::color_chip(ui, color_of(&s.label));
                    ui.add(
                        egui::Button::selectable(selected, format!("{}  {}", s.label, text))
                            .truncate(),
                    )
                });
                if resp.inner.clicked() {
                    go_to = Some((s.id, s.start));
                }
            }
        },
    );
    if let Some((id, start)) = go_to {
        app.pane.selected_span = Some(id);
        app.pane.selection = None;
        app.pane.scroll_to = Some(start);
    }
}

/// The relations of span `id`, as "TYPE -> LABEL “text”" lines (read-only for now).
fn session_relations(app: &SpanbenchApp, doc: &str, id: crate::model::SpanId) -> Vec<String> {
    let Some(set) = app
        .session
        .as_ref()
        .and_then(|s| s.corpus.set(&s.annotator, doc))
    else {
        return Vec::new();
    };
    let describe = |sid| {
        set.span(sid).map_or(format!("#{}", sid.0), |s| {
            format!("{} “{}”", s.label, s.text)
        })
    };
    set.relations
        .iter()
        .filter_map(|r| {
            if r.from == id {
                Some(format!("{} -> {}", r.kind, describe(r.to)))
            } else if r.to == id {
                Some(format!("{} <- {}", r.kind, describe(r.from)))
            } else {
                None
            }
        })
        .collect()
}
