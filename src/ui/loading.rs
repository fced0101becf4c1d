//! A big project's documents loading in the background (see `session/lazy.rs`): the
//! pane waits for its document without stalling a frame, the next one is read ahead,
//! and commands that need every document wait for a full load, then run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Duration;

use super::app::SpanbenchApp;
use super::commands::Command;
use crate::session::Session;
use crate::storage::StorageError;

/// A big project being opened on a worker thread.
pub struct Opening {
    pub path: PathBuf,
    pub documents: usize,
    /// The index is there: opening reads it rather than building it.
    pub indexed: bool,
    /// Documents checked so far.
    pub done: Arc<AtomicUsize>,
    rx: Receiver<Result<Session, StorageError>>,
}

impl Opening {
    pub fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    pub fn describe(&self) -> String {
        let name = self.name();
        if self.indexed {
            format!(
                "Opening {name} ({} documents) from its index…",
                self.documents
            )
        } else {
            format!(
                "Opening {name}: building the index of its {} documents ({} checked). This happens once; later opens take a second or two.",
                self.documents,
                self.done.load(Ordering::Relaxed)
            )
        }
    }
}

impl SpanbenchApp {
    /// Opens a big project on a worker; [`SpanbenchApp::loading_before_frame`] takes it
    /// in when it is ready. The project open now stays open until then.
    pub(super) fn start_opening(&mut self, path: &Path) {
        let (tx, rx) = channel();
        let root = path.to_path_buf();
        let who = self.settings.annotator.clone();
        let done = Arc::new(AtomicUsize::new(0));
        let counter = done.clone();
        std::thread::Builder::new()
            .name("spanbench-open".into())
            .spawn(move || {
                let _ = tx.send(Session::open_lazy_counting(&root, &who, &counter));
            })
            .ok();
        let o = Opening {
            path: path.to_path_buf(),
            documents: Session::lazy_size(path).unwrap_or(0),
            indexed: crate::index::cache::index_path(path).is_file(),
            done,
            rx,
        };
        self.notify(format!("Opening {}…", o.name()), false);
        self.opening = Some(o);
    }

    fn poll_opening(&mut self, ctx: &egui::Context) {
        let Some(o) = &self.opening else { return };
        let r = match o.rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => {
                ctx.request_repaint_after(Duration::from_millis(50));
                return;
            }
            Err(TryRecvError::Disconnected) => Err(StorageError::NotAProject(o.path.clone())),
        };
        let path = o.path.clone();
        self.opening = None;
        // Whatever was edited meanwhile in the project open until now is saved first.
        if self.save_now() {
            self.finish_opening(&path, r);
        }
        ctx.request_repaint();
    }

    /// Asks for the open document (and the next, read ahead) and takes in what the
    /// loader read.
    pub(super) fn loading_before_frame(&mut self, ctx: &egui::Context) {
        self.poll_opening(ctx);
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if !s.is_partial() {
            return;
        }
        if let Some(id) = self.current_doc.clone()
            && s.want(&id)
            && let Some(next) = s
                .doc_index(&id)
                .and_then(|i| s.doc_id_at(i + 1))
                .map(str::to_string)
        {
            s.want(&next);
        }
        let errors = s.poll_loads();
        let full = s.poll_full_load();
        let total = s.doc_count();
        let busy = s.loading();
        if let Some(e) = errors.first() {
            self.notify(
                format!("A document could not be opened; fix it and run `spanbench validate`: {e}"),
                true,
            );
        }
        match full {
            Some(Ok(())) => {
                self.notify(format!("All {total} documents are loaded."), false);
                if let Some(cmd) = self.after_full_load.take() {
                    self.run(cmd);
                }
            }
            Some(Err(e)) => {
                self.after_full_load = None;
                self.notify(format!("Could not load every document: {e}"), true);
            }
            None => {}
        }
        if busy {
            ctx.request_repaint_after(Duration::from_millis(15));
        }
    }

    /// True when every document is in memory. Otherwise starts loading them on a
    /// worker and runs `cmd` once they are.
    pub(super) fn have_everything(&mut self, cmd: Command) -> bool {
        let Some(s) = self.session.as_mut() else {
            return true;
        };
        if !s.is_partial() {
            return true;
        }
        let first = !s.loading_everything();
        s.start_full_load();
        let n = s.doc_count();
        if first || self.after_full_load != Some(cmd) {
            self.notify(
                format!(
                    "Loading all {n} documents for {}…",
                    cmd.text().trim_end_matches('…')
                ),
                false,
            );
        }
        self.after_full_load = Some(cmd);
        false
    }
}
