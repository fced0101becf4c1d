//! The annotator's way through a corpus: mark a document done and go to the next one
//! not done, and remember where they were (window size, last document per project).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::app::SpanbenchApp;
use crate::model::DocStatus;

/// Done for the layer: nothing left to do on it.
pub fn is_done(status: DocStatus) -> bool {
    matches!(status, DocStatus::Done | DocStatus::Reviewed)
}

impl SpanbenchApp {
    /// A modal window (dialog, report, palette) has the keyboard.
    pub fn modal_open(&self) -> bool {
        self.dialog.is_some() || self.report_open || self.palette.is_some()
    }

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
        let n = s.doc_count();
        let here = s.doc_index(&doc).unwrap_or(0);
        let next = (1..n)
            .filter_map(|k| s.doc_id_at((here + k) % n))
            .find(|id| !is_done(s.status(id)))
            .map(str::to_string);
        match next {
            Some(id) => self.open_document(id),
            None => {
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

    /// Keeps in the user settings what should survive a restart: the document open in
    /// this project (written when it changes) and the window's size (written once it has
    /// stayed the same for [`SIZE_SETTLE`], and on exit).
    pub fn remember_view(&mut self, ctx: &egui::Context) {
        let (size, maximized) = ctx.input(|i| {
            let v = i.viewport();
            (
                v.inner_rect.map_or(i.content_rect().size(), |r| r.size()),
                v.maximized.unwrap_or(false),
            )
        });
        let mut write = false;
        // What the settings file holds: the size loaded at start, until written.
        if self.view_memory.written_size.is_none() {
            self.view_memory.written_size =
                Some((self.settings.window_size, self.settings.window_maximized));
        }
        self.settings.window_maximized = maximized;
        if !maximized && size.x > 0.0 && size.y > 0.0 {
            self.settings.window_size = Some([size.x.round(), size.y.round()]);
        }
        let now_size = (self.settings.window_size, maximized);
        let m = &mut self.view_memory;
        if m.written_size == Some(now_size) {
            m.pending = None;
        } else {
            // Wait for a drag-resize to end rather than writing on every frame of it.
            let since = match m.pending {
                Some((size, since)) if size == now_size => since,
                _ => m.pending.insert((now_size, Instant::now())).1,
            };
            if since.elapsed() >= SIZE_SETTLE {
                m.written_size = Some(now_size);
                m.pending = None;
                write = true;
            } else {
                ctx.request_repaint_after(SIZE_SETTLE);
            }
        }
        if let (Some(s), Some(doc)) = (&self.session, &self.current_doc)
            && m.doc
                .as_ref()
                .is_none_or(|(root, d)| *root != s.root || d != doc)
        {
            let (root, doc) = (s.root.clone(), doc.clone());
            write |= self.settings.remember_document(&root, &doc);
            self.view_memory.doc = Some((root, doc));
        }
        if write {
            self.persist_settings();
        }
    }
}

/// How long the window size must stay the same before it is written.
pub const SIZE_SETTLE: Duration = Duration::from_secs(1);

/// What of the view was last written to the user settings.
#[derive(Default)]
pub struct ViewMemory {
    /// The project and document last written as open.
    doc: Option<(PathBuf, String)>,
    written_size: Option<Size>,
    /// A size not written yet, and since when the window has had it.
    pending: Option<(Size, Instant)>,
}

type Size = (Option<[f32; 2]>, bool);
