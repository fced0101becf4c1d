//! A big project's documents loading in the background (see `session/lazy.rs`): the
//! pane waits for its document without stalling a frame, the next one is read ahead,
//! and commands that need every document wait for a full load, then run.

use std::time::Duration;

use super::app::SpanbenchApp;
use super::commands::Command;
use super::search::Scope;

impl SpanbenchApp {
    /// Asks for the open document (and the next, read ahead) and takes in what the
    /// loader read.
    pub(super) fn loading_before_frame(&mut self, ctx: &egui::Context) {
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
        // A corpus search reads every text: it waits for them.
        if self.search.open && self.search.scope == Scope::Corpus {
            self.have_everything(Command::FindInCorpus);
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
