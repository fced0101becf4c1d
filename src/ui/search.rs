//! The search panel: Ctrl+F in the open document, Ctrl+Shift+F across the corpus.
//!
//! The search itself is `crate::search`. A document is searched on the UI thread when
//! the query changes (one pass over one text); the corpus is searched on a worker thread
//! over a snapshot of the texts, with progress and Cancel, hits arriving in batches. The
//! result list builds only its visible rows, and the hits of the open document are handed
//! to the pane as marks, found by binary search; nothing per frame grows with the corpus.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use egui::text::LayoutJob;
use egui::{Color32, Context, FontId, Key, RichText, TextFormat, Ui};

use super::app::SpanbenchApp;
use super::marks::{Mark, MarkStyle, Marks};
use crate::search::{DocHit, Hit, Matcher, Outcome, Query, SearchDoc, search_corpus};
use crate::session::Session;

/// A search stops listing hits here and says so.
pub const MAX_HITS: usize = 100_000;
/// Chars of context shown on each side of a hit, and of a title before it.
const CONTEXT: usize = 48;
const TITLE_CHARS: usize = 28;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// The open document; follows it when another one is opened.
    #[default]
    Document,
    Corpus,
}

/// What the current hits were found for.
#[derive(Clone, Debug, PartialEq)]
struct RunKey {
    root: std::path::PathBuf,
    query: Query,
    scope: Scope,
    /// The document searched (document scope) or how many there were (corpus scope).
    doc: Option<String>,
    docs: usize,
}

enum Msg {
    Hits(Vec<DocHit>),
    Done(Outcome),
}

/// A corpus search running on a worker thread. It is handed the texts in chunks as the
/// UI thread copies them, and searches each as it arrives.
struct Worker {
    cancel: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
    total: usize,
    rx: mpsc::Receiver<Msg>,
    chunks: mpsc::Sender<Arc<Vec<SearchDoc>>>,
    /// Chunks of the snapshot handed over so far.
    sent: usize,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Documents per chunk of the snapshot.
const CHUNK: usize = 1024;
/// What the UI thread spends per frame copying texts for the worker, and taking its hits.
const FRAME_BUDGET: Duration = Duration::from_millis(4);

/// The texts a corpus search reads. Copied from the corpus a few chunks per frame, never
/// all at once, and kept for the next search while the panel stays open, until documents
/// are added (texts never change once imported). A project open from its index does not
/// hold its texts: a reader thread reads them from the document files instead, in the
/// list's order, a chunk at a time.
#[derive(Default)]
struct Snapshot {
    key: Option<(std::path::PathBuf, usize)>,
    chunks: Vec<Arc<Vec<SearchDoc>>>,
    copied: usize,
    reader: Option<mpsc::Receiver<Arc<Vec<SearchDoc>>>>,
}

impl Snapshot {
    /// Starts again if the corpus is not the one copied.
    fn check(&mut self, session: &Session) {
        let key = (session.root.clone(), session.doc_count());
        if self.key.as_ref() != Some(&key) {
            *self = Snapshot {
                key: Some(key),
                ..Default::default()
            };
        }
    }

    /// Copies whole chunks until the frame's budget is spent or everything is copied.
    fn grow(&mut self, session: &Session) {
        if session.is_partial() {
            self.take_read(session);
            return;
        }
        let docs = &session.corpus.documents;
        let t = std::time::Instant::now();
        while self.copied < docs.len() && t.elapsed() < FRAME_BUDGET {
            let end = (self.copied + CHUNK).min(docs.len());
            let chunk: Vec<SearchDoc> = docs[self.copied..end]
                .iter()
                .map(|d| SearchDoc {
                    id: d.id.clone(),
                    text: d.text.clone(),
                })
                .collect();
            self.chunks.push(Arc::new(chunk));
            self.copied = end;
        }
    }

    /// Takes the chunks the reader has read, starting it the first time.
    fn take_read(&mut self, session: &Session) {
        let total = session.doc_count();
        if self.reader.is_none() && self.copied < total {
            let ids: Vec<String> = (self.copied..total)
                .filter_map(|i| session.doc_id_at(i).map(str::to_string))
                .collect();
            self.reader = Some(spawn_reader(session.root.clone(), ids));
        }
        let Some(rx) = &self.reader else { return };
        while let Ok(chunk) = rx.try_recv() {
            self.copied += chunk.len();
            self.chunks.push(chunk);
        }
        if self.copied >= total {
            self.reader = None;
        }
    }

    /// The text of the `d`th document, if copied or read.
    fn text(&self, d: usize, id: &str) -> Option<&str> {
        let doc = self.chunks.get(d / CHUNK)?.get(d % CHUNK)?;
        (doc.id == id).then_some(doc.text.as_str())
    }
}

/// Reads the texts of `ids` from their files, a chunk at a time (each chunk on all
/// cores), until done or nobody listens. A file that cannot be read is searched as
/// empty; opening that document says why.
fn spawn_reader(root: std::path::PathBuf, ids: Vec<String>) -> mpsc::Receiver<Arc<Vec<SearchDoc>>> {
    use rayon::prelude::*;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for part in ids.chunks(CHUNK) {
            let chunk: Vec<SearchDoc> = part
                .par_iter()
                .map(|id| SearchDoc {
                    id: id.clone(),
                    text: crate::storage::read_document(&crate::storage::document_file(&root, id))
                        .map(|(d, _)| d.text)
                        .unwrap_or_default(),
                })
                .collect();
            if tx.send(Arc::new(chunk)).is_err() {
                return;
            }
        }
    });
    rx
}

/// A hit to select once its document is open in the pane.
struct Jump {
    doc: String,
    start: usize,
    end: usize,
    /// Frames left to keep it in view while the blocks around it get laid out.
    frames: u8,
    selected: bool,
}

#[derive(Default)]
pub struct SearchUi {
    pub open: bool,
    pub scope: Scope,
    pub query: Query,
    /// The label "annotate all" tags search hits with.
    pub label: Option<String>,
    /// Why there are no hits: an empty query, a pattern that does not compile.
    pub error: Option<String>,
    /// Every hit as (index of its document in the corpus, hit), in corpus order. The
    /// search runs again when documents are added, so the indices stay right.
    pub hits: Vec<(u32, Hit)>,
    /// The hit last jumped to.
    pub current: Option<usize>,
    /// How the last corpus search ended (None while running or for a document search).
    pub outcome: Option<Outcome>,
    generation: u64,
    ran: Option<RunKey>,
    worker: Option<Worker>,
    snapshot: Snapshot,
    focus_field: bool,
    jump: Option<Jump>,
    marks_key: Option<(u64, Option<usize>, String)>,
    marks: Marks,
}

impl SearchUi {
    pub fn running(&self) -> bool {
        self.worker.is_some()
    }

    /// (documents searched, total) of a running corpus search.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.worker
            .as_ref()
            .map(|w| (w.done.load(Ordering::Relaxed), w.total))
    }

    pub fn cancel(&mut self) {
        if let Some(w) = self.worker.take() {
            w.cancel.store(true, Ordering::Relaxed);
            self.outcome = Some(Outcome {
                hits: self.hits.len(),
                docs_searched: w.done.load(Ordering::Relaxed),
                docs_with_hits: self.docs_with_hits(),
                truncated: false,
                cancelled: true,
            });
        }
    }

    fn clear_hits(&mut self) {
        self.hits.clear();
        self.current = None;
        self.outcome = None;
        self.generation += 1;
    }

    /// Hits from the worker: its document indices are the snapshot's, which copies the
    /// corpus in order.
    fn push_hits(&mut self, batch: Vec<DocHit>) {
        self.hits
            .extend(batch.into_iter().map(|h| (h.doc as u32, h.hit)));
        self.generation += 1;
    }

    fn docs_with_hits(&self) -> usize {
        self.hits.chunk_by(|a, b| a.0 == b.0).count()
    }

    /// The id of hit `i`'s document.
    pub fn hit_doc<'c>(&self, i: usize, session: &'c Session) -> Option<&'c str> {
        let (d, _) = self.hits.get(i)?;
        session.doc_id_at(*d as usize)
    }

    /// The id, title and text of the `d`th document: from memory, or from the search's
    /// copy of a big project's texts.
    fn doc_at<'a>(&'a self, d: u32, session: &'a Session) -> Option<(&'a str, &'a str, &'a str)> {
        let d = d as usize;
        let id = session.doc_id_at(d)?;
        let title = session.doc_title_at(d)?;
        let text = match session.corpus.document(id) {
            Some(doc) => doc.text.as_str(),
            None => self.snapshot.text(d, id)?,
        };
        Some((id, title, text))
    }

    /// The hits in document `doc` (hits are grouped by document, in list order).
    pub fn hits_in(&self, doc: &str, session: &Session) -> std::ops::Range<usize> {
        let Some(d) = session.doc_index(doc) else {
            return 0..0;
        };
        let d = d as u32;
        let a = self.hits.partition_point(|(x, _)| *x < d);
        let b = self.hits.partition_point(|(x, _)| *x <= d);
        a..b
    }
}

impl SpanbenchApp {
    /// Opens the search panel on `scope` and puts the cursor in its field.
    pub fn open_search(&mut self, scope: Scope) {
        let s = &mut self.search;
        s.open = true;
        s.scope = scope;
        s.focus_field = true;
        // A selected word is what one usually wants to look for.
        if let (Some((a, b)), Some(doc)) = (self.pane.selection, self.current_doc.as_deref())
            && let Some(d) = self.session.as_ref().and_then(|s| s.corpus.document(doc))
            && let Some(t) = crate::offsets::slice_chars(&d.text, a, b)
            && !t.contains('\n')
        {
            s.query.text = t.to_string();
        }
    }

    pub fn close_search(&mut self) {
        self.search.cancel();
        self.search.open = false;
        self.search.ran = None;
        self.search.clear_hits();
        // The copy of the texts is as big as the corpus: keep it only while searching.
        self.search.snapshot = Snapshot::default();
    }

    /// Jumps to the next (`delta` 1) or previous (-1) hit, wrapping around.
    pub fn step_hit(&mut self, delta: isize) {
        let n = self.search.hits.len();
        if n == 0 {
            if !self.search.open {
                self.open_search(Scope::Document);
            }
            return;
        }
        let next = match self.search.current {
            Some(i) => (i as isize + delta).rem_euclid(n as isize) as usize,
            // Start in the open document where it has hits.
            None => {
                let here = self
                    .current_doc
                    .as_deref()
                    .zip(self.session.as_ref())
                    .map(|(d, s)| self.search.hits_in(d, s))
                    .filter(|r| !r.is_empty());
                match (here, delta > 0) {
                    (Some(r), true) => r.start,
                    (Some(r), false) => r.end - 1,
                    (None, true) => 0,
                    (None, false) => n - 1,
                }
            }
        };
        self.jump_to_hit(next);
    }

    /// Opens the hit's document, scrolls to the hit and selects it as the text selection,
    /// so a label key tags it.
    pub fn jump_to_hit(&mut self, i: usize) {
        let Some(session) = &self.session else { return };
        let (Some(doc), Some(&(_, hit))) =
            (self.search.hit_doc(i, session), self.search.hits.get(i))
        else {
            return;
        };
        let doc = doc.to_string();
        self.search.current = Some(i);
        self.open_document(doc.clone());
        self.search.jump = Some(Jump {
            doc,
            start: hit.start,
            end: hit.end,
            frames: 4,
            selected: false,
        });
    }

    /// Per frame, before anything is drawn: runs the search again if what it is for
    /// changed, takes the worker's hits, carries out a jump, and gives the pane its marks.
    pub fn search_before_frame(&mut self, ctx: &Context) {
        self.update_search(ctx);
        self.poll_search(ctx);
        if let Some(j) = &mut self.search.jump
            && self.pane.doc_id() == j.doc
        {
            if !j.selected {
                self.pane.selection = Some((j.start, j.end));
                self.pane.selected_span = None;
                j.selected = true;
            }
            self.pane.scroll_to = Some(j.start);
            j.frames -= 1;
            if j.frames == 0 {
                self.search.jump = None;
            }
            ctx.request_repaint();
        }
        self.pane.marks = if let Some(run) = &self.annotate {
            run.marks.clone()
        } else {
            self.search_marks()
        };
    }

    fn search_marks(&mut self) -> Marks {
        let s = &mut self.search;
        let (Some(doc), Some(session)) = (
            self.current_doc.as_deref().filter(|_| s.open),
            &self.session,
        ) else {
            return Marks::default();
        };
        let key = (s.generation, s.current, doc.to_string());
        if s.marks_key.as_ref() != Some(&key) {
            let range = s.hits_in(doc, session);
            let current = s.current;
            let start = range.start;
            s.marks = Marks::new(
                s.hits[range]
                    .iter()
                    .enumerate()
                    .map(|(k, (_, h))| Mark {
                        start: h.start,
                        end: h.end,
                        style: if Some(start + k) == current {
                            MarkStyle::CurrentHit
                        } else {
                            MarkStyle::Hit
                        },
                    })
                    .collect(),
            );
            s.marks_key = Some(key);
        }
        s.marks.clone()
    }

    fn update_search(&mut self, ctx: &Context) {
        let Some(session) = &self.session else { return };
        let s = &mut self.search;
        if !s.open {
            return;
        }
        let key = RunKey {
            root: session.root.clone(),
            query: s.query.clone(),
            scope: s.scope,
            doc: match s.scope {
                Scope::Document => self.current_doc.clone(),
                Scope::Corpus => None,
            },
            docs: session.doc_count(),
        };
        if s.ran.as_ref() == Some(&key) {
            return;
        }
        // A document switch keeps the hit being jumped to in a corpus search.
        s.cancel();
        s.clear_hits();
        s.ran = Some(key.clone());
        let matcher = match Matcher::new(&key.query) {
            Ok(m) => {
                s.error = None;
                m
            }
            Err(crate::search::SearchError::Empty) => {
                s.error = None;
                return;
            }
            Err(e) => {
                s.error = Some(e.to_string());
                return;
            }
        };
        match key.scope {
            Scope::Document => {
                let Some(doc) = key.doc.as_deref().and_then(|d| session.corpus.document(d)) else {
                    return;
                };
                let hits = matcher.hits(&doc.text, MAX_HITS);
                let d = session.doc_index(&doc.id).unwrap_or(0) as u32;
                s.hits = hits.into_iter().map(|h| (d, h)).collect();
                s.outcome = Some(Outcome {
                    hits: s.hits.len(),
                    docs_searched: 1,
                    docs_with_hits: usize::from(!s.hits.is_empty()),
                    truncated: s.hits.len() >= MAX_HITS,
                    cancelled: false,
                });
            }
            Scope::Corpus => {
                s.snapshot.check(session);
                s.worker = Some(spawn_worker(key.docs, matcher, ctx.clone()));
            }
        }
    }

    fn poll_search(&mut self, ctx: &Context) {
        let s = &mut self.search;
        let Some(w) = &mut s.worker else { return };
        // Copy a little more of the corpus and hand the new chunks to the worker.
        if let Some(session) = &self.session {
            s.snapshot.grow(session);
        }
        while w.sent < s.snapshot.chunks.len() {
            let _ = w.chunks.send(s.snapshot.chunks[w.sent].clone());
            w.sent += 1;
        }
        // Take the hits that have arrived, within the frame's budget; the rest wait.
        let t = std::time::Instant::now();
        let mut finished = None;
        let mut batches = Vec::new();
        while t.elapsed() < FRAME_BUDGET {
            match w.rx.try_recv() {
                Ok(Msg::Hits(batch)) => batches.push(batch),
                Ok(Msg::Done(outcome)) => {
                    finished = Some(outcome);
                    break;
                }
                Err(_) => break,
            }
        }
        let copying = s.snapshot.copied < w.total;
        for b in batches {
            s.push_hits(b);
        }
        if let Some(outcome) = finished {
            s.outcome = Some(outcome);
            s.worker = None;
        } else if copying {
            ctx.request_repaint();
        } else {
            ctx.request_repaint_after(Duration::from_millis(30));
        }
    }
}

fn spawn_worker(total: usize, matcher: Matcher, ctx: Context) -> Worker {
    let cancel = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let (chunks, chunk_rx) = mpsc::channel::<Arc<Vec<SearchDoc>>>();
    let (c, d) = (cancel.clone(), done.clone());
    std::thread::spawn(move || {
        let mut out = Outcome::default();
        let mut base = 0;
        // Until every document is searched, the UI stops sending, or Cancel.
        while base < total && !out.cancelled && !out.truncated {
            let Ok(chunk) = chunk_rx.recv() else { break };
            let o = search_corpus(
                &chunk,
                &matcher,
                MAX_HITS - out.hits,
                &c,
                &mut |n, _| d.store(base + n, Ordering::Relaxed),
                &mut |mut batch| {
                    for h in &mut batch {
                        h.doc += base;
                    }
                    let _ = tx.send(Msg::Hits(batch));
                },
            );
            out.hits += o.hits;
            out.docs_searched += o.docs_searched;
            out.docs_with_hits += o.docs_with_hits;
            out.truncated = o.truncated;
            out.cancelled = o.cancelled;
            base += chunk.len();
        }
        let _ = tx.send(Msg::Done(out));
        ctx.request_repaint();
    });
    Worker {
        cancel,
        done,
        total,
        rx,
        chunks,
        sent: 0,
    }
}

/// The search panel (or, while "annotate all" runs, its panel), below the document.
pub fn search_panel_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    if app.annotate.is_some() {
        let height = (ui.ctx().content_rect().height() * 0.3).clamp(120.0, 220.0);
        egui::Panel::bottom("annotate_all_panel")
            .resizable(true)
            .default_size(height)
            .min_size(110.0)
            .show(ui, |ui| super::annotate_all::run_ui(ui, app));
        return;
    }
    if !app.search.open || app.session.is_none() {
        return;
    }
    // A third of a small window at most, so the document keeps most of the height.
    let height = (ui.ctx().content_rect().height() * 0.3).clamp(120.0, 220.0);
    egui::Panel::bottom("search_panel")
        .resizable(true)
        .default_size(height)
        .min_size(110.0)
        .show(ui, |ui| panel_ui(ui, app));
}

fn panel_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let mut close = false;
    let mut step = 0isize;
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        let s = &mut app.search;
        ui.selectable_value(&mut s.scope, Scope::Document, "This document")
            .on_hover_text("Ctrl+F");
        ui.selectable_value(&mut s.scope, Scope::Corpus, "All documents")
            .on_hover_text("Ctrl+Shift+F");
        let field = ui.add(
            egui::TextEdit::singleline(&mut s.query.text)
                .id(egui::Id::unique("search_field"))
                .hint_text(if s.query.regex {
                    "Regular expression…"
                } else {
                    "Search…"
                })
                .desired_width((ui.available_width() - 160.0).clamp(120.0, 320.0)),
        );
        if std::mem::take(&mut s.focus_field) {
            field.request_focus();
            // Select what is there, so typing replaces it.
            if let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), field.id) {
                let all = egui::text::CCursorRange::two(
                    egui::text::CCursor::new(0),
                    egui::text::CCursor::new(s.query.text.chars().count()),
                );
                state.cursor.set_char_range(Some(all));
                state.store(ui.ctx(), field.id);
            }
        }
        if field.lost_focus() {
            // Enter goes to the next hit and leaves the field, so a label key tags it.
            let (enter, shift, escape) = ui.input(|i| {
                (
                    i.key_pressed(Key::Enter),
                    i.modifiers.shift,
                    i.key_pressed(Key::Escape),
                )
            });
            if enter {
                step = if shift { -1 } else { 1 };
            } else if escape {
                close = true;
            }
        }
        let any = !s.hits.is_empty();
        if ui
            .add_enabled(any, egui::Button::new("Previous"))
            .on_hover_text("Previous hit (Shift+F3, Shift+Enter in the field)")
            .clicked()
        {
            step = -1;
        }
        if ui
            .add_enabled(any, egui::Button::new("Next"))
            .on_hover_text("Next hit (F3, Enter in the field)")
            .clicked()
        {
            step = 1;
        }
        if ui
            .button("Close")
            .on_hover_text("Escape in the field")
            .clicked()
        {
            close = true;
        }
    });
    ui.horizontal_wrapped(|ui| {
        let q = &mut app.search.query;
        ui.checkbox(&mut q.match_case, "Match case");
        ui.checkbox(&mut q.whole_word, "Whole word")
            .on_hover_text("Hits must not touch a letter, digit or _ on either side");
        ui.checkbox(&mut q.regex, "Regex")
            .on_hover_text("The text is a regular expression (Rust regex syntax)");
        ui.separator();
        status_row_ui(ui, app);
    });
    ui.separator();
    results_ui(ui, app);
    if step != 0 {
        app.step_hit(step);
    }
    if close {
        app.close_search();
    }
}

/// The inline error, the count or the progress with Cancel, and "annotate all".
fn status_row_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    {
        let s = &app.search;
        if let Some(e) = &s.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        if let Some((done, total)) = s.progress() {
            // The counts after the bar and Cancel, not in the bar: they would not fit a
            // narrow one, and Cancel keeps its place while they grow.
            ui.add(egui::ProgressBar::new(done as f32 / total.max(1) as f32).desired_width(80.0));
            let cancel = ui.button("Cancel").clicked();
            ui.label(format!(
                "{done} of {total} documents, {} hit(s) so far",
                s.hits.len()
            ));
            if cancel {
                app.search.cancel();
            }
            return;
        }
        if s.query.text.is_empty() {
            ui.weak("Type to search. Enter: next hit, then a label key tags it.");
            return;
        }
        let Some(o) = s.outcome else { return };
        let mut text = match (s.scope, o.hits) {
            (_, 0) => "No hits".to_string(),
            (Scope::Document, n) => format!("{n} hit(s) in this document"),
            (Scope::Corpus, n) => format!("{n} hit(s) in {} document(s)", o.docs_with_hits),
        };
        if o.truncated {
            text.push_str(&format!(" (stopped at {MAX_HITS}; narrow the search)"));
        }
        if o.cancelled {
            text.push_str(&format!(
                " (cancelled after {} document(s))",
                o.docs_searched
            ));
        }
        if let Some(i) = s.current {
            text = format!("{} of {text}", i + 1);
        }
        ui.label(text);
        annotate_all_controls(ui, app);
    }
}

fn annotate_all_controls(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(session) = &app.session else { return };
    let labels = &session.corpus.project.labels;
    let Some(first) = labels.first() else { return };
    let here = app
        .current_doc
        .as_deref()
        .is_some_and(|d| !app.search.hits_in(d, session).is_empty());
    ui.separator();
    let mut chosen = app
        .search
        .label
        .clone()
        .filter(|k| labels.iter().any(|l| &l.key == k))
        .unwrap_or_else(|| first.key.clone());
    let name = |k: &str| {
        labels
            .iter()
            .find(|l| l.key == k)
            .map_or(k.to_string(), |l| l.name.clone())
    };
    let tag_as = ui.label("Tag as");
    egui::ComboBox::from_id_salt("annotate_all_label")
        .selected_text(name(&chosen))
        .show_ui(ui, |ui| {
            for l in labels {
                ui.selectable_value(&mut chosen, l.key.clone(), &l.name);
            }
        })
        .response
        .labelled_by(tag_as.id);
    app.search.label = Some(chosen);
    if ui
        .add_enabled(here, egui::Button::new("Annotate all in this document…"))
        .on_hover_text("Propose every hit here not yet tagged with this label (Ctrl+Shift+A)")
        .on_disabled_hover_text("No hits in the open document")
        .clicked()
    {
        app.start_annotate_all_from_search();
    }
}

fn results_ui(ui: &mut Ui, app: &mut SpanbenchApp) {
    let Some(session) = &app.session else { return };
    let s = &app.search;
    let row_height = ui.spacing().interact_size.y;
    let mut go = None;
    let hit_bg = Color32::from_rgb(240, 200, 40).gamma_multiply(0.45);
    let text_color = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let font = FontId::proportional(ui.text_style_height(&egui::TextStyle::Body).min(14.0));
    egui::ScrollArea::vertical()
        .id_salt("search_results")
        .auto_shrink(false)
        .show_rows(ui, row_height, s.hits.len(), |ui, rows| {
            for i in rows {
                let (d, hit) = s.hits[i];
                let Some((_, doc_title, doc_text)) = s.doc_at(d, session) else {
                    continue;
                };
                let Some(c) = hit.context(doc_text, CONTEXT) else {
                    continue;
                };
                let mut job = LayoutJob::default();
                let fmt = |color| TextFormat {
                    font_id: font.clone(),
                    color,
                    ..Default::default()
                };
                if s.scope == Scope::Corpus {
                    // A short title, so the hit stays in view in a narrow window.
                    let mut title: String = doc_title.chars().take(TITLE_CHARS).collect();
                    if title.len() < doc_title.len() {
                        title.push('…');
                    }
                    job.append(&format!("{title} — "), 0.0, fmt(weak));
                }
                let before = format!("{}{}", if c.more_before { "…" } else { "" }, c.before);
                job.append(&before, 0.0, fmt(text_color));
                job.append(
                    c.hit,
                    0.0,
                    TextFormat {
                        background: hit_bg,
                        ..fmt(ui.visuals().strong_text_color())
                    },
                );
                let after = format!("{}{}", c.after, if c.more_after { "…" } else { "" });
                job.append(&after, 0.0, fmt(text_color));
                let selected = s.current == Some(i);
                let mut resp = ui.add(egui::Button::selectable(selected, job).truncate());
                if s.scope == Scope::Corpus {
                    resp = resp.on_hover_text(doc_title);
                }
                if resp.clicked() {
                    go = Some(i);
                }
            }
        });
    if s.hits.is_empty() && s.error.is_none() && !s.query.text.is_empty() && !s.running() {
        ui.weak(RichText::new("Nothing found. Check the options above."));
    }
    if let Some(i) = go {
        app.jump_to_hit(i);
    }
}
