//! The annotator's way through a corpus: mark a document done and go to the next one
//! not done, and remember where they were (window size, last document per project).

use super::app::SpanbenchApp;
use crate::model::DocStatus;

/// Done for the layer: nothing left to do on it.
pub fn is_done(status: DocStatus) -> bool {
    matches!(status, DocStatus::Done | DocStatus::Reviewed)
}

impl SpanbenchApp {
    /// Marks the current document done for the active layer (one undo step) and opens
    /// the next document that is not done, after it in the list and then from the top.
    pub fn mark_done_and_next(&mut self) {
        let (Some(s), Some(doc)) = (self.session.as_mut(), self.current_doc.clone()) else {
            return;
        };
        if !is_done(s.status(&doc))
            && let Err(e) = s.set_status(&doc, DocStatus::Done)
        {
            self.notify(e.to_string(), true);
            return;
        }
        let docs = &s.corpus.documents;
        let here = docs.iter().position(|d| d.id == doc).unwrap_or(0);
        let next = (1..docs.len())
            .map(|k| &docs[(here + k) % docs.len()])
            .find(|d| !is_done(s.status(&d.id)))
            .map(|d| d.id.clone());
        match next {
            Some(id) => self.open_document(id),
            None => {
                let n = docs.len();
                self.notify(
                    format!("Done. All {n} document(s) are done for this layer."),
                    false,
                );
            }
        }
    }

    /// Opens a document in the pane with nothing selected.
    pub fn open_document(&mut self, id: String) {
        if self.current_doc.as_deref() != Some(id.as_str()) {
            self.current_doc = Some(id);
            self.pane.selection = None;
            self.pane.selected_span = None;
        }
    }

    /// Keeps in the user settings what should survive a restart: the window's size
    /// (written on exit) and the document open in this project (written when it changes).
    pub fn remember_view(&mut self, ctx: &egui::Context) {
        let (size, maximized) = ctx.input(|i| {
            let v = i.viewport();
            (
                v.inner_rect.map_or(i.content_rect().size(), |r| r.size()),
                v.maximized.unwrap_or(false),
            )
        });
        self.settings.window_maximized = maximized;
        if !maximized && size.x > 0.0 && size.y > 0.0 {
            self.settings.window_size = Some([size.x.round(), size.y.round()]);
        }
        if let (Some(s), Some(doc)) = (&self.session, &self.current_doc)
            && self
                .remembered_doc
                .as_ref()
                .is_none_or(|(root, d)| *root != s.root || d != doc)
        {
            let (root, doc) = (s.root.clone(), doc.clone());
            if self.settings.remember_document(&root, &doc) {
                self.persist_settings();
            }
            self.remembered_doc = Some((root, doc));
        }
    }
}
