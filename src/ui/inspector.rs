//! The inspector: the selected span's details, and every span of the document.

use egui::{Color32, RichText, Ui};

use super::app::SpanbenchApp;
use crate::model::{RelationId, Review, Span, SpanId};

pub fn inspector_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let (Some(session), Some(doc_id)) = (&app.session, app.current_doc.clone()) else {
        // The panel's header already names it.
        ui.weak("The spans of the open document are listed here.");
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
    let editable = session.is_editable(&session.annotator);
    ui.label(egui::RichText::new("Selected span").strong());
    let selected = app
        .pane
        .selected_span
        .and_then(|id| session.span(&doc_id, id))
        .cloned();
    match selected {
        Some(span) => {
            ui.horizontal_wrapped(|ui| {
                super::theme::color_chip(ui, color_of(&span.label));
                ui.colored_label(color_of(&span.label), RichText::new(&span.label).strong());
                ui.weak(format!("#{} · [{}..{})", span.id.0, span.start, span.end));
            });
            ui.add(egui::Label::new(format!("“{}”", span.text)).wrap());
            let mut edited = span.clone();
            ui.horizontal_wrapped(|ui| {
                ui.label("Review:");
                ui.add_enabled_ui(editable, |ui| {
                    for r in [Review::Unreviewed, Review::Accepted, Review::Rejected] {
                        ui.selectable_value(&mut edited.review, r, format!("{r:?}"));
                    }
                });
            });
            ui.label("Note:");
            note_ui(ui, app, &doc_id, &span, editable);
            if edited.review != span.review
                && let Err(e) = app
                    .session
                    .as_mut()
                    .map_or(Ok(()), |s| s.update_span(&doc_id, edited.clone()))
            {
                app.notify(e.to_string(), true);
            }
            relations_ui(ui, app, &doc_id, span.id, editable);
            ui.horizontal_wrapped(|ui| {
                if ui
                    .add_enabled(editable, egui::Button::new("Delete span (Del)"))
                    .on_disabled_hover_text("This layer is read-only")
                    .clicked()
                {
                    app.run(super::commands::Command::DeleteSpan);
                }
                if ui
                    .add_enabled(editable, egui::Button::new("Relate… (R)"))
                    .on_hover_text("Then click the span this one relates to")
                    .on_disabled_hover_text("This layer is read-only")
                    .clicked()
                {
                    app.run(super::commands::Command::StartRelation);
                }
            });
        }
        None => {
            ui.add(egui::Label::new(egui::RichText::new("Click a span in the text to select it. Press a label key to relabel it, Delete to remove it, Shift+arrows to move its end, R to relate it to another.").weak()).wrap());
        }
    }
    ui.separator();
    let Some(session) = &app.session else { return };
    let spans = session.spans(&doc_id);
    ui.label(egui::RichText::new(format!("Spans ({})", spans.len())).strong());
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

/// The note field. It commits on every change, so save, quit, switching document and
/// undo all see what is typed; the keystrokes of one visit to the field are one undo
/// step (the history is sealed when the field gains or loses focus).
fn note_ui(ui: &mut Ui, app: &mut SpanbenchApp, doc: &str, span: &Span, editable: bool) {
    let key = (span.id, doc.to_string());
    let id = egui::Id::unique(("span_note", doc, span.id.0));
    let focused = ui.memory(|m| m.has_focus(id));
    // The field shows the stored note unless it is being typed in.
    if !focused
        || app
            .note_draft
            .as_ref()
            .is_none_or(|(sid, _)| *sid != span.id)
    {
        app.note_draft = Some((span.id, span.note.clone()));
    }
    let Some((_, draft)) = app.note_draft.as_mut() else {
        return;
    };
    let response = ui.add_enabled(
        editable,
        egui::TextEdit::multiline(draft)
            .id(id)
            .desired_rows(2)
            .desired_width(f32::INFINITY)
            .hint_text("Add a note…"),
    );
    let text = draft.clone();
    let Some(s) = app.session.as_mut() else {
        return;
    };
    if response.gained_focus() || response.lost_focus() {
        s.history.seal();
    }
    if response.changed()
        && let Err(e) = s.set_note(&key.1, key.0, &text)
    {
        app.notify(e.to_string(), true);
    }
}

/// The selected span's relations, each with the span at its other end and a delete
/// button.
fn relations_ui(ui: &mut Ui, app: &mut SpanbenchApp, doc: &str, id: SpanId, editable: bool) {
    let Some(s) = &app.session else { return };
    let rows: Vec<(RelationId, String)> = s
        .relations(doc)
        .iter()
        .filter(|r| r.from == id || r.to == id)
        .map(|r| {
            let (arrow, other) = if r.from == id {
                ("->", r.to)
            } else {
                ("<-", r.from)
            };
            let other = s.span(doc, other).map_or(format!("#{}", other.0), |x| {
                let mut t: String = x.text.chars().take(30).collect();
                if x.text.chars().count() > 30 {
                    t.push('…');
                }
                format!("{} “{}”", x.label, t)
            });
            (r.id, format!("{} {arrow} {other}", r.kind))
        })
        .collect();
    if rows.is_empty() {
        ui.weak("No relations (press R to add one).");
        return;
    }
    ui.label(format!("Relations ({}):", rows.len()));
    let mut remove = None;
    for (rid, text) in rows {
        ui.horizontal(|ui| {
            if ui
                .add_enabled(editable, egui::Button::new("×").small())
                .on_hover_text(format!("Delete this relation: {text}"))
                .on_disabled_hover_text("This layer is read-only")
                .clicked()
            {
                remove = Some(rid);
            }
            ui.add(egui::Label::new(text).truncate());
        });
    }
    if let Some(rid) = remove
        && let Some(s) = app.session.as_mut()
        && let Err(e) = s.remove_relation(doc, rid)
    {
        app.notify(e.to_string(), true);
    }
}
