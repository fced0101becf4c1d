//! Editing in the pane beyond tagging: boundary edits, relation mode and its type
//! picker, and unlocking another annotator's layer. Each queues or applies one session
//! call; the session decides what is allowed.

use egui::{Context, Key, Modal, RichText, Ui};

use super::app::SpanbenchApp;
use super::commands::Command;
use super::document_pane::PaneAction;
use crate::model::SpanId;
use crate::offsets::{Edge, Snap};

/// A relation waiting for its type: from span, to span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelationPick {
    pub from: SpanId,
    pub to: SpanId,
}

impl SpanbenchApp {
    fn snap_mode(&self) -> Snap {
        match &self.session {
            Some(s) if !s.corpus.project.settings.snap_to_words => Snap::Graphemes,
            _ => Snap::Words,
        }
    }

    /// Whether the layer on screen may be edited, and if not, why (for the status bar).
    pub fn layer_lock(&self) -> Option<String> {
        let s = self.session.as_ref()?;
        s.check_editable(&s.annotator).err().map(|e| e.to_string())
    }

    /// Runs the commands of this module; false if `cmd` is not one of them.
    pub fn execute_editing(&mut self, cmd: Command) -> bool {
        let step = |edge, forward| Some((edge, forward));
        let stepping = match cmd {
            Command::EndRight => step(Edge::End, true),
            Command::EndLeft => step(Edge::End, false),
            Command::StartLeft => step(Edge::Start, false),
            Command::StartRight => step(Edge::Start, true),
            _ => None,
        };
        if let Some((edge, forward)) = stepping {
            self.step_edge(edge, forward);
            return true;
        }
        match cmd {
            Command::ToggleDocuments => self.panels.documents = !self.panels.documents,
            Command::ToggleInspector => self.panels.inspector = !self.panels.inspector,
            Command::StartRelation => self.start_relation(),
            Command::EditLayer => match &self.session {
                Some(s) if !s.is_editable(&s.annotator) => {
                    self.confirm_unlock = Some(s.annotator.clone())
                }
                Some(_) => self.notify("This layer is yours: it is editable already.", false),
                None => {}
            },
            _ => return false,
        }
        true
    }

    fn step_edge(&mut self, edge: Edge, forward: bool) {
        let mode = self.snap_mode();
        let (Some(s), Some(doc)) = (self.session.as_mut(), self.current_doc.clone()) else {
            return;
        };
        let Some(id) = self.pane.selected_span else {
            self.notify(
                "Select a span first (click it): Shift+arrows move its end, Alt+Shift+arrows its start.",
                false,
            );
            return;
        };
        if let Err(e) = s.step_span_edge(&doc, id, edge, forward, mode) {
            self.notify(format!("The span was not changed: {e}."), true);
        }
    }

    fn start_relation(&mut self) {
        let Some(s) = &self.session else { return };
        if let Err(e) = s.check_editable(&s.annotator) {
            self.notify(e.to_string(), true);
            return;
        }
        match self.pane.selected_span {
            Some(id) => {
                self.pane.linking = Some(id);
                self.pane.selection = None;
                self.notify(
                    "New relation: click the span it points to (Escape cancels).",
                    false,
                );
            }
            None => self.notify(
                "Select a span first (click it), then press R and click the span it relates to.",
                false,
            ),
        }
    }

    /// Escape in relation mode or with the picker open: cancels it. True if it did.
    pub fn cancel_relation(&mut self) -> bool {
        if self.pane.linking.take().is_some() || self.relation_pick.take().is_some() {
            self.notify("No relation made.", false);
            return true;
        }
        false
    }

    /// Carries out what the pane asked for this frame.
    pub fn apply_pane_actions(&mut self) {
        for action in std::mem::take(&mut self.pane.actions) {
            let (Some(s), Some(doc)) = (self.session.as_mut(), self.current_doc.clone()) else {
                return;
            };
            match action {
                PaneAction::SetRange { id, start, end } => {
                    if let Err(e) = s.set_span_range(&doc, id, start, end) {
                        self.notify(format!("The span was not changed: {e}."), true);
                    }
                }
                PaneAction::RelationTarget(to) => {
                    let Some(from) = self.pane.linking else {
                        continue;
                    };
                    let label = |id| {
                        s.span(&doc, id)
                            .map(|x| x.label.clone())
                            .unwrap_or_default()
                    };
                    let (from_label, to_label) = (label(from), label(to));
                    let none_allowed = s.allowed_relations(&doc, from, to).is_empty();
                    if from == to {
                        self.notify(
                            "A span cannot be related to itself: click another span (Escape cancels).",
                            false,
                        );
                    } else if none_allowed {
                        self.notify(
                            format!(
                                "No relation type goes from {from_label} to {to_label}: click another span (Escape cancels)."
                            ),
                            true,
                        );
                    } else {
                        self.pane.linking = None;
                        self.relation_pick = Some(RelationPick { from, to });
                        self.notify("Choose the relation's type (or press its number).", false);
                    }
                }
            }
        }
    }

    fn add_relation(&mut self, pick: RelationPick, kind: &str) {
        let (Some(s), Some(doc)) = (self.session.as_mut(), self.current_doc.clone()) else {
            return;
        };
        match s.add_relation(&doc, pick.from, pick.to, kind) {
            Ok(_) => self.notify(format!("Added {kind}."), false),
            Err(e) => self.notify(format!("No relation made: {e}."), true),
        }
    }
}

/// The relation type picker and the unlock confirmation, when open.
pub fn overlays_ui(ctx: &Context, app: &mut SpanbenchApp) {
    relation_picker_ui(ctx, app);
    unlock_confirm_ui(ctx, app);
}

fn relation_picker_ui(ctx: &Context, app: &mut SpanbenchApp) {
    let Some(pick) = app.relation_pick else {
        return;
    };
    let (Some(s), Some(doc)) = (&app.session, app.current_doc.clone()) else {
        app.relation_pick = None;
        return;
    };
    let types: Vec<(String, String)> = s
        .allowed_relations(&doc, pick.from, pick.to)
        .iter()
        .map(|t| (t.key.clone(), t.description.clone()))
        .collect();
    let describe = |id| {
        s.span(&doc, id).map_or(String::new(), |x| {
            let mut t: String = x.text.chars().take(30).collect();
            if x.text.chars().count() > 30 {
                t.push('…');
            }
            format!("{} “{}”", x.label, t)
        })
    };
    let (from, to) = (describe(pick.from), describe(pick.to));
    let mut chosen = None;
    let mut cancel = false;
    let modal = Modal::new(egui::Id::unique("relation_picker")).show(ctx, |ui: &mut Ui| {
        ui.set_max_width(420.0);
        ui.heading("New relation");
        ui.label(format!("{from}  ->  {to}"));
        ui.separator();
        for (i, (key, description)) in types.iter().enumerate() {
            let n = i + 1;
            let b = ui
                .button(RichText::new(format!("{n}  {key}")).strong())
                .on_hover_text(description);
            let pressed = Key::from_name(&n.to_string())
                .is_some_and(|k| ui.input_mut(|inp| inp.consume_key(egui::Modifiers::NONE, k)));
            if b.clicked() || pressed {
                chosen = Some(key.clone());
            }
        }
        ui.separator();
        if ui.button("Cancel (Esc)").clicked() {
            cancel = true;
        }
    });
    if modal.should_close() {
        cancel = true;
    }
    if let Some(kind) = chosen {
        app.relation_pick = None;
        app.add_relation(pick, &kind);
    } else if cancel {
        app.cancel_relation();
    }
}

fn unlock_confirm_ui(ctx: &Context, app: &mut SpanbenchApp) {
    let Some(layer) = app.confirm_unlock.clone() else {
        return;
    };
    let mut answer = None;
    let modal = Modal::new(egui::Id::unique("unlock_layer")).show(ctx, |ui: &mut Ui| {
        ui.set_max_width(440.0);
        ui.heading(format!("Edit {layer}'s layer?"));
        ui.label(format!(
            "This layer is not yours. Your changes will be saved into {layer}'s files (annotations/{layer}/) for everyone who uses this project. Curators do this to fix a gold standard."
        ));
        ui.horizontal(|ui| {
            if ui.button("Edit this layer").clicked() {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    match answer {
        Some(true) => {
            if let Some(s) = app.session.as_mut() {
                s.unlock_layer(&layer);
            }
            app.confirm_unlock = None;
            app.notify(format!("You can now edit {layer}'s layer."), false);
        }
        Some(false) => app.confirm_unlock = None,
        None => {}
    }
}

impl SpanbenchApp {
    /// The one-line hint over the pane: how to start on an empty layer, what to click
    /// in relation mode. None once the layer has spans.
    pub fn pane_hint(&self, doc: &str) -> Option<String> {
        let s = self.session.as_ref()?;
        if self.pane.linking.is_some() {
            return Some("Click the span the relation points to (Escape cancels).".into());
        }
        if !s.spans(doc).is_empty() || !s.is_editable(&s.annotator) || self.review.is_some() {
            return None;
        }
        let keys: Vec<&str> = s
            .corpus
            .project
            .labels
            .iter()
            .map(|l| l.shortcut.as_str())
            .filter(|k| !k.is_empty())
            .collect();
        let keys = match (keys.first(), keys.last()) {
            (Some(a), Some(b)) if keys.len() > 2 => format!("{a}-{b}"),
            _ => keys.join(" or "),
        };
        Some(format!(
            "Drag over text or double-click a word, then press {keys}"
        ))
    }
}

/// In the toolbar, beside the layer box: a lock on a layer that is not the user's, and
/// the one action that makes it editable.
pub fn layer_lock_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(s) = &app.session else { return };
    if s.is_editable(&s.annotator) {
        return;
    }
    let layer = s.annotator.clone();
    ui.colored_label(ui.visuals().warn_fg_color, "🔒 read-only")
        .on_hover_text(format!(
            "{layer}'s layer is not yours: you can read it, not change it."
        ));
    if ui
        .button("Edit this layer…")
        .on_hover_text(format!("Change {layer}'s annotations (asks first)"))
        .clicked()
    {
        app.run(Command::EditLayer);
    }
}
