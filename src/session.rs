//! An open project being edited: the corpus, whose layer is being annotated, undo
//! history and what is not yet saved. Shared by the GUI and tests; knows no egui.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::edit::{Edit, EditError};
use crate::history::{History, Target};
use crate::import::{ImportError, import_text_file};
use crate::merge::{merge_projects, merge_sets};
use crate::model::{
    AnnotationSet, Corpus, DocStatus, Document, Project, Relation, RelationId, RelationType, Span,
    SpanId,
};
use crate::offsets::{Edge, OffsetMap, Snap, slice_chars, step_boundary};
use crate::storage::{self, Batch, Holder, ProjectLock, Stamps, StorageError, lock};

mod lazy;
mod lazy_stats;
mod stream_import;
pub use lazy::{DEFAULT_BUDGET, LAZY_ABOVE};
pub use stream_import::{StreamedImport, StreamedImportError};

/// Unsaved edits are written at most this long after the first of them.
pub const AUTOSAVE_DELAY: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error("no document {0:?} in this project")]
    NoDocument(String),
    #[error("[{start}..{end}) is not a valid range of document {doc:?}")]
    BadRange {
        doc: String,
        start: usize,
        end: usize,
    },
    #[error("label {0:?} is not in the project's schema")]
    NoLabel(String),
    #[error(
        "{layer:?} is not your layer ({user:?}), so it is read-only: choose \"Edit this layer\" to change it"
    )]
    ReadOnlyLayer { layer: String, user: String },
    #[error("that would leave the span empty")]
    EmptySpan,
    #[error("the span cannot grow or shrink further that way")]
    NoStep,
    #[error("relation type {0:?} is not in the project's schema")]
    NoRelationType(String),
    #[error("a span cannot be related to itself")]
    SelfRelation,
    #[error("{kind} goes {signature}, not {from} -> {to}")]
    RelationNotAllowed {
        kind: String,
        signature: String,
        from: String,
        to: String,
    },
    #[error("these two spans are already related by {0}")]
    DuplicateRelation(String),
    #[error(
        "the project is read-only here: {0} is writing to it; you can edit again once it is done"
    )]
    ReadOnly(String),
    #[error("cannot lock the project for writing: {0}")]
    Lock(StorageError),
}

pub struct Session {
    pub root: PathBuf,
    pub corpus: Corpus,
    /// The annotator whose layer edits go to (the layer on screen).
    pub annotator: String,
    /// The person using this session: their own layer is the one they may edit.
    pub user: String,
    /// Other layers this session was explicitly allowed to edit (a curator's choice).
    unlocked: BTreeSet<String>,
    pub history: History,
    dirty_sets: BTreeSet<(String, String)>,
    dirty_docs: BTreeSet<String>,
    dirty_project: bool,
    /// When the oldest unsaved edit was made.
    unsaved_since: Option<Instant>,
    /// Bumped on every change to annotations, so views can tell when to rebuild.
    pub revision: u64,
    /// Content hashes of the project's files as this session last read or wrote them.
    stamps: Stamps,
    /// Each unsaved set as it was on disk before this session changed it (`None`: it did
    /// not exist), the base of a merge with whatever another process wrote since.
    set_bases: HashMap<(String, String), Option<AnnotationSet>>,
    /// project.ron as last read or written.
    project_base: Project,
    /// The writer lock, held while there is unsaved work (or for the whole session by
    /// a command-line writer).
    lock: Option<ProjectLock>,
    keep_lock: bool,
    /// The name the lock gives to others.
    lock_name: String,
    /// Set while another process holds the lock: who.
    read_only: Option<String>,
    /// Merge conflicts a person should look at, oldest first.
    pub conflicts: Vec<String>,
    /// Set while the project is open from its index and only partly in memory.
    lazy: Option<lazy::Lazy>,
}

impl Session {
    /// Opens a project for the GUI. If no other process is writing to it, leftovers of a
    /// killed writer are recovered first; if one is, the session starts read-only and
    /// says who ([`Session::read_only`]). The lock is taken again at the first edit.
    pub fn open(root: &Path, annotator: &str) -> Result<Self, StorageError> {
        let read_only = Self::lock_at_open(root, annotator)?;
        let (corpus, stamps) = storage::read_stamped(root)?;
        check_valid(root, &corpus)?;
        let mut s = Self::new(root.to_path_buf(), corpus, annotator);
        s.stamps = stamps;
        s.read_only = read_only;
        Ok(s)
    }

    /// Recovers what a killed writer left unless another process is writing; returns
    /// who is, if someone is.
    fn lock_at_open(root: &Path, annotator: &str) -> Result<Option<String>, StorageError> {
        let who = if annotator.is_empty() {
            "spanbench".to_string()
        } else {
            annotator.to_string()
        };
        match ProjectLock::try_acquire(root, &who) {
            Ok(Ok(lock)) => {
                storage::stage::recover(root)?;
                storage::ensure_gitignore(root)?;
                drop(lock);
                Ok(None)
            }
            Ok(Err(holder)) => Ok(Some(lock::describe(&holder))),
            // A project on read-only media can still be read.
            Err(StorageError::Io { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens a project for a command-line writer: waits up to `wait` for the lock (calling
    /// `waiting` once if it is busy), recovers what a killed writer left, reads the
    /// project under the lock and keeps the lock until the session is dropped. Returns
    /// the session and one note per thing recovered.
    pub fn open_for_writing(
        root: &Path,
        who: &str,
        wait: Duration,
        waiting: impl FnMut(&Option<Holder>),
    ) -> Result<(Self, Vec<String>), StorageError> {
        if !storage::is_project(root) {
            return Err(StorageError::NotAProject(root.to_path_buf()));
        }
        let (lock, notes) = storage::lock_for_writing(root, who, wait, waiting)?;
        let (corpus, stamps) = storage::read_stamped(root)?;
        check_valid(root, &corpus)?;
        let mut s = Self::new(root.to_path_buf(), corpus, "");
        s.stamps = stamps;
        s.lock = Some(lock);
        s.keep_lock = true;
        s.lock_name = who.to_string();
        Ok((s, notes))
    }

    pub fn new(root: PathBuf, corpus: Corpus, annotator: &str) -> Self {
        Self {
            root,
            project_base: corpus.project.clone(),
            corpus,
            annotator: annotator.to_string(),
            user: annotator.to_string(),
            unlocked: BTreeSet::new(),
            history: History::default(),
            dirty_sets: BTreeSet::new(),
            dirty_docs: BTreeSet::new(),
            dirty_project: false,
            unsaved_since: None,
            revision: 0,
            stamps: Stamps::new(),
            set_bases: HashMap::new(),
            lock: None,
            keep_lock: false,
            lock_name: if annotator.is_empty() {
                "spanbench".into()
            } else {
                annotator.to_string()
            },
            read_only: None,
            conflicts: Vec::new(),
            lazy: None,
        }
    }

    /// Who is writing to the project, while this session may not.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// True while this session holds the project's writer lock.
    pub fn holds_lock(&self) -> bool {
        self.lock.is_some()
    }

    /// Makes sure this session may write: takes the lock if it does not hold it. Fails
    /// (and turns the session read-only) while another process holds it.
    pub fn check_writable(&mut self) -> Result<(), SessionError> {
        if self.lock.is_some() {
            return Ok(());
        }
        match ProjectLock::try_acquire(&self.root, &self.lock_name) {
            Ok(Ok(lock)) => {
                self.lock = Some(lock);
                self.read_only = None;
                Ok(())
            }
            Ok(Err(holder)) => {
                let who = lock::describe(&holder);
                self.read_only = Some(who.clone());
                Err(SessionError::ReadOnly(who))
            }
            Err(e) => Err(SessionError::Lock(e)),
        }
    }

    /// While read-only: checks whether the other writer is done. True when this session
    /// may edit again (it still has to pick up what the other wrote: see
    /// [`Session::refresh`]).
    pub fn recheck_lock(&mut self) -> bool {
        if self.read_only.is_none() {
            return false;
        }
        match lock::holder(&self.root) {
            None => {
                self.read_only = None;
                true
            }
            Some(h) => {
                self.read_only = Some(lock::describe(&h));
                false
            }
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.unsaved_since.is_some()
    }

    fn mark(&mut self) {
        self.unsaved_since.get_or_insert_with(Instant::now);
        self.revision += 1;
    }

    /// Marks project.ron unsaved (call [`Session::check_writable`] before changing it).
    pub fn mark_project_dirty(&mut self) {
        // The lock is what lets the save go through; if it is busy, the save says so.
        let _ = self.check_writable();
        self.dirty_project = true;
        self.mark();
    }

    /// Applies an edit to the active annotator's set of `doc` and records it for undo.
    pub fn apply(&mut self, doc: &str, edit: Edit) -> Result<(), SessionError> {
        if self.corpus.document(doc).is_none() {
            return Err(SessionError::NoDocument(doc.to_string()));
        }
        self.check_writable()?;
        let target = Target {
            annotator: self.annotator.clone(),
            doc: doc.to_string(),
        };
        self.apply_to(&target, &edit)?;
        self.history.push(target, edit);
        Ok(())
    }

    /// The one check of whether `layer` may be changed in this session: a layer is
    /// editable when it is the user's own or was unlocked with [`Session::unlock_layer`].
    pub fn check_editable(&self, layer: &str) -> Result<(), SessionError> {
        if layer == self.user || self.unlocked.contains(layer) {
            Ok(())
        } else {
            Err(SessionError::ReadOnlyLayer {
                layer: layer.to_string(),
                user: self.user.clone(),
            })
        }
    }

    /// Whether `edit` may be applied to `layer`: on an editable layer anything; on a
    /// model's layer, which no one owns, any reviewer may record decisions (an edit that
    /// changes nothing but spans' review state) and nothing else.
    pub fn check_edit(&self, layer: &str, edit: &Edit) -> Result<(), SessionError> {
        match self.check_editable(layer) {
            Err(_)
                if self.corpus.project.layer_kind(layer) == crate::model::LayerKind::Model
                    && edit.is_review_only() =>
            {
                Ok(())
            }
            r => r,
        }
    }

    /// Applies edits to several sets as ONE undo step (a review decision: the span
    /// added to the reviewer's layer, the suggestion marked in the model's). All or
    /// nothing: if one part fails, the parts already applied are rolled back.
    pub fn apply_compound(&mut self, parts: Vec<(Target, Edit)>) -> Result<(), SessionError> {
        let mut parts = parts.into_iter();
        let Some((target, edit)) = parts.next() else {
            return Ok(());
        };
        let also: Vec<(Target, Edit)> = parts.collect();
        self.check_writable()?;
        for (t, e) in std::iter::once((&target, &edit)).chain(also.iter().map(|(t, e)| (t, e))) {
            if self.corpus.document(&t.doc).is_none() {
                return Err(SessionError::NoDocument(t.doc.clone()));
            }
            self.check_edit(&t.annotator, e)?;
        }
        let all: Vec<(&Target, &Edit)> = std::iter::once((&target, &edit))
            .chain(also.iter().map(|(t, e)| (t, e)))
            .collect();
        self.apply_parts(&all)?;
        self.history.push_compound(target, edit, also);
        Ok(())
    }

    /// Applies every part, rolling back the applied ones if one fails.
    fn apply_parts(&mut self, parts: &[(&Target, &Edit)]) -> Result<(), SessionError> {
        for (i, (t, e)) in parts.iter().enumerate() {
            if let Err(err) = self.apply_to(t, e) {
                for (t, e) in parts[..i].iter().rev() {
                    let _ = self.apply_to(t, &e.inverse());
                }
                return Err(err);
            }
        }
        Ok(())
    }

    pub fn is_editable(&self, layer: &str) -> bool {
        self.check_editable(layer).is_ok()
    }

    /// Allows edits to another annotator's layer for the rest of this session.
    pub fn unlock_layer(&mut self, layer: &str) {
        self.unlocked.insert(layer.to_string());
    }

    /// The user is now `name` (their own layer follows), and sees that layer.
    pub fn set_user(&mut self, name: &str) {
        self.user = name.to_string();
        self.annotator = name.to_string();
        self.revision += 1;
    }

    fn apply_to(&mut self, target: &Target, edit: &Edit) -> Result<(), SessionError> {
        self.check_edit(&target.annotator, edit)?;
        let key = (target.annotator.clone(), target.doc.clone());
        if !self.set_bases.contains_key(&key) {
            let base = self.corpus.set(&key.0, &key.1).cloned();
            self.set_bases.insert(key, base);
        }
        let set = self.corpus.set_mut(&target.annotator, &target.doc);
        edit.apply(set)?;
        if !self.corpus.project.annotators.contains(&target.annotator) {
            self.corpus
                .project
                .annotators
                .push(target.annotator.clone());
            self.dirty_project = true;
        }
        self.dirty_sets
            .insert((target.annotator.clone(), target.doc.clone()));
        self.pin(&target.doc);
        self.mark();
        Ok(())
    }

    /// Undoes the last step (one edit, or the edits linked into one step); returns
    /// where its first edit applied so a view can go there.
    pub fn undo(&mut self) -> Option<Target> {
        self.check_writable().ok()?;
        let mut first = None;
        loop {
            let Some(entry) = self.history.undo() else {
                return first;
            };
            let parts: Vec<(&Target, &Edit)> = entry.parts().collect();
            if self.apply_parts(&parts).is_err() {
                self.history.revert_undo();
                return first;
            }
            first = Some(entry.target.clone());
            if !self.history.undo_continues(&entry) {
                return first;
            }
        }
    }

    pub fn redo(&mut self) -> Option<Target> {
        self.check_writable().ok()?;
        let mut first: Option<Target> = None;
        loop {
            let Some(entry) = self.history.redo() else {
                return first;
            };
            let parts: Vec<(&Target, &Edit)> = entry.parts().collect();
            if self.apply_parts(&parts).is_err() {
                self.history.revert_redo();
                return first;
            }
            first.get_or_insert(entry.target);
            if !self.history.redo_continues() {
                return first;
            }
        }
    }

    /// Applies edits to several documents of `layer` as ONE undo step (a pre-merge).
    /// All or nothing: if one fails, those already applied are undone and the error
    /// returned.
    pub fn apply_many(
        &mut self,
        layer: &str,
        edits: Vec<(String, Edit)>,
    ) -> Result<(), SessionError> {
        self.check_editable(layer)?;
        self.check_writable()?;
        let mut done: Vec<(Target, Edit)> = Vec::new();
        for (doc, edit) in edits {
            let target = Target {
                annotator: layer.to_string(),
                doc: doc.clone(),
            };
            let result = if self.corpus.document(&doc).is_none() {
                Err(SessionError::NoDocument(doc))
            } else {
                self.apply_to(&target, &edit)
            };
            if let Err(e) = result {
                for (t, e) in done.iter().rev() {
                    let _ = self.apply_to(t, &e.inverse());
                }
                return Err(e);
            }
            done.push((target, edit));
        }
        for (i, (t, e)) in done.into_iter().enumerate() {
            if i == 0 {
                self.history.push(t, e);
            } else {
                self.history.push_linked(t, e);
            }
        }
        Ok(())
    }

    /// Tags `[start, end)` of `doc` with `label` in the active layer. A document that
    /// was new becomes "in progress" in the same undo step.
    pub fn add_span(
        &mut self,
        doc: &str,
        start: usize,
        end: usize,
        label: &str,
    ) -> Result<SpanId, SessionError> {
        if self.corpus.project.label(label).is_none() {
            return Err(SessionError::NoLabel(label.to_string()));
        }
        let d = self
            .corpus
            .document(doc)
            .ok_or_else(|| SessionError::NoDocument(doc.to_string()))?;
        let text = slice_chars(&d.text, start, end)
            .filter(|_| start < end)
            .ok_or_else(|| SessionError::BadRange {
                doc: doc.to_string(),
                start,
                end,
            })?
            .to_string();
        let set = self.corpus.set(&self.annotator, doc);
        let id = set.map_or(SpanId(1), |s| s.next_span_id());
        let status = set.map_or(DocStatus::New, |s| s.status);
        let span = Span {
            id,
            start,
            end,
            label: label.to_string(),
            text,
            attrs: Default::default(),
            note: String::new(),
            origin: Default::default(),
            review: Default::default(),
            score: None,
        };
        let edit = if status == DocStatus::New {
            Edit::Batch(vec![
                Edit::AddSpan(span),
                Edit::SetStatus {
                    before: DocStatus::New,
                    after: DocStatus::InProgress,
                },
            ])
        } else {
            Edit::AddSpan(span)
        };
        self.apply(doc, edit)?;
        Ok(id)
    }

    /// Tags every range of `doc` with `label` in the active layer as ONE undo step (an
    /// [`Edit::Batch`]), as "annotate all" does. A document that was new becomes "in
    /// progress" in the same step. Returns the new spans' ids, in the order given.
    pub fn add_spans(
        &mut self,
        doc: &str,
        ranges: &[(usize, usize)],
        label: &str,
    ) -> Result<Vec<SpanId>, SessionError> {
        if self.corpus.project.label(label).is_none() {
            return Err(SessionError::NoLabel(label.to_string()));
        }
        let d = self
            .corpus
            .document(doc)
            .ok_or_else(|| SessionError::NoDocument(doc.to_string()))?;
        let map = OffsetMap::new(&d.text);
        let set = self.corpus.set(&self.annotator, doc);
        let first = set.map_or(1, |s| s.next_span_id().0);
        let status = set.map_or(DocStatus::New, |s| s.status);
        let mut edits = Vec::with_capacity(ranges.len() + 1);
        let mut ids = Vec::with_capacity(ranges.len());
        for (i, &(start, end)) in ranges.iter().enumerate() {
            let bad = || SessionError::BadRange {
                doc: doc.to_string(),
                start,
                end,
            };
            let (b0, b1) = (
                map.char_to_byte(start).ok_or_else(bad)?,
                map.char_to_byte(end).ok_or_else(bad)?,
            );
            if start >= end {
                return Err(bad());
            }
            let id = SpanId(first + i as u32);
            ids.push(id);
            edits.push(Edit::AddSpan(Span {
                id,
                start,
                end,
                label: label.to_string(),
                text: d.text[b0..b1].to_string(),
                attrs: Default::default(),
                note: String::new(),
                origin: Default::default(),
                review: Default::default(),
                score: None,
            }));
        }
        if edits.is_empty() {
            return Ok(ids);
        }
        if status == DocStatus::New {
            edits.push(Edit::SetStatus {
                before: DocStatus::New,
                after: DocStatus::InProgress,
            });
        }
        self.apply(doc, Edit::Batch(edits))?;
        Ok(ids)
    }

    pub fn relabel(&mut self, doc: &str, id: SpanId, label: &str) -> Result<(), SessionError> {
        if self.corpus.project.label(label).is_none() {
            return Err(SessionError::NoLabel(label.to_string()));
        }
        let before = self
            .span(doc, id)
            .ok_or(EditError::NoSuchSpan(id.0))?
            .clone();
        if before.label == label {
            return Ok(());
        }
        let after = Span {
            label: label.to_string(),
            ..before.clone()
        };
        self.apply(doc, Edit::UpdateSpan { before, after })
    }

    pub fn update_span(&mut self, doc: &str, after: Span) -> Result<(), SessionError> {
        let before = self
            .span(doc, after.id)
            .ok_or(EditError::NoSuchSpan(after.id.0))?
            .clone();
        if before == after {
            return Ok(());
        }
        self.apply(doc, Edit::UpdateSpan { before, after })
    }

    /// Sets a span's note. Consecutive calls for the same span merge into one undo step
    /// until `history.seal()` (the GUI seals when the note field gains or loses focus).
    pub fn set_note(&mut self, doc: &str, id: SpanId, note: &str) -> Result<(), SessionError> {
        let before = self
            .span(doc, id)
            .ok_or(EditError::NoSuchSpan(id.0))?
            .clone();
        if before.note == note {
            return Ok(());
        }
        let after = Span {
            note: note.to_string(),
            ..before.clone()
        };
        let target = self.target(doc)?;
        let edit = Edit::UpdateSpan { before, after };
        self.apply_to(&target, &edit)?;
        self.history.push_merging(target, edit);
        Ok(())
    }

    fn target(&self, doc: &str) -> Result<Target, SessionError> {
        if self.corpus.document(doc).is_none() {
            return Err(SessionError::NoDocument(doc.to_string()));
        }
        Ok(Target {
            annotator: self.annotator.clone(),
            doc: doc.to_string(),
        })
    }

    /// Moves span `id` to `[start, end)`, keeping its id, label, note and relations.
    pub fn set_span_range(
        &mut self,
        doc: &str,
        id: SpanId,
        start: usize,
        end: usize,
    ) -> Result<(), SessionError> {
        let before = self
            .span(doc, id)
            .ok_or(EditError::NoSuchSpan(id.0))?
            .clone();
        if start >= end {
            return Err(SessionError::EmptySpan);
        }
        let d = self
            .corpus
            .document(doc)
            .ok_or_else(|| SessionError::NoDocument(doc.to_string()))?;
        let text = slice_chars(&d.text, start, end)
            .ok_or_else(|| SessionError::BadRange {
                doc: doc.to_string(),
                start,
                end,
            })?
            .to_string();
        let after = Span {
            start,
            end,
            text,
            ..before.clone()
        };
        if after == before {
            return Ok(());
        }
        self.apply(doc, Edit::UpdateSpan { before, after })
    }

    /// Moves one edge of span `id` one word (or grapheme) forward or back; returns the
    /// new range. Refused when the span would become empty or identical to another.
    pub fn step_span_edge(
        &mut self,
        doc: &str,
        id: SpanId,
        edge: Edge,
        forward: bool,
        mode: Snap,
    ) -> Result<(usize, usize), SessionError> {
        self.check_editable(&self.annotator)?;
        let span = self.span(doc, id).ok_or(EditError::NoSuchSpan(id.0))?;
        let (start, end) = (span.start, span.end);
        let text = &self
            .corpus
            .document(doc)
            .ok_or_else(|| SessionError::NoDocument(doc.to_string()))?
            .text;
        let pos = if edge == Edge::Start { start } else { end };
        let to = step_boundary(text, pos, edge, forward, mode).ok_or(SessionError::NoStep)?;
        let (s, e) = if edge == Edge::Start {
            (to, end)
        } else {
            (start, to)
        };
        self.set_span_range(doc, id, s, e)?;
        Ok((s, e))
    }

    /// The relation types the schema allows from span `from` to span `to` of `doc` in
    /// the active layer.
    pub fn allowed_relations(&self, doc: &str, from: SpanId, to: SpanId) -> Vec<&RelationType> {
        let (Some(a), Some(b)) = (self.span(doc, from), self.span(doc, to)) else {
            return Vec::new();
        };
        if from == to {
            return Vec::new();
        }
        self.corpus
            .project
            .relation_types
            .iter()
            .filter(|t| t.allows(&a.label, &b.label))
            .collect()
    }

    /// Relates two spans of one document in the active layer: spans of different
    /// documents or layers cannot be named here, so they can never be related.
    pub fn add_relation(
        &mut self,
        doc: &str,
        from: SpanId,
        to: SpanId,
        kind: &str,
    ) -> Result<RelationId, SessionError> {
        let t = self
            .corpus
            .project
            .relation_types
            .iter()
            .find(|t| t.key == kind)
            .ok_or_else(|| SessionError::NoRelationType(kind.to_string()))?;
        let a = self.span(doc, from).ok_or(EditError::NoSuchSpan(from.0))?;
        let b = self.span(doc, to).ok_or(EditError::NoSuchSpan(to.0))?;
        if from == to {
            return Err(SessionError::SelfRelation);
        }
        if !t.allows(&a.label, &b.label) {
            return Err(SessionError::RelationNotAllowed {
                kind: t.key.clone(),
                signature: t.signature(),
                from: a.label.clone(),
                to: b.label.clone(),
            });
        }
        let set = self
            .corpus
            .set(&self.annotator, doc)
            .ok_or(EditError::NoSuchSpan(from.0))?;
        if set
            .relations
            .iter()
            .any(|r| r.from == from && r.to == to && r.kind == kind)
        {
            return Err(SessionError::DuplicateRelation(kind.to_string()));
        }
        let id = set.next_relation_id();
        self.apply(
            doc,
            Edit::AddRelation(Relation {
                id,
                kind: kind.to_string(),
                from,
                to,
            }),
        )?;
        Ok(id)
    }

    pub fn remove_relation(&mut self, doc: &str, id: RelationId) -> Result<(), SessionError> {
        let r = self
            .relations(doc)
            .iter()
            .find(|r| r.id == id)
            .ok_or(EditError::NoSuchRelation(id.0))?
            .clone();
        self.apply(doc, Edit::RemoveRelation(r))
    }

    /// The active layer's relations on `doc` (empty if none).
    pub fn relations(&self, doc: &str) -> &[Relation] {
        self.corpus
            .set(&self.annotator, doc)
            .map_or(&[], |s| &s.relations)
    }

    pub fn remove_span(&mut self, doc: &str, id: SpanId) -> Result<(), SessionError> {
        let set = self
            .corpus
            .set(&self.annotator, doc)
            .ok_or(EditError::NoSuchSpan(id.0))?;
        let edit = Edit::remove_span(set, id).ok_or(EditError::NoSuchSpan(id.0))?;
        self.apply(doc, edit)
    }

    pub fn set_status(&mut self, doc: &str, status: DocStatus) -> Result<(), SessionError> {
        let before = self
            .corpus
            .set(&self.annotator, doc)
            .map_or(DocStatus::New, |s| s.status);
        if before == status {
            return Ok(());
        }
        self.apply(
            doc,
            Edit::SetStatus {
                before,
                after: status,
            },
        )
    }

    pub fn span(&self, doc: &str, id: SpanId) -> Option<&Span> {
        self.corpus.set(&self.annotator, doc)?.span(id)
    }

    /// The active layer's spans on `doc` (empty if none).
    pub fn spans(&self, doc: &str) -> &[Span] {
        self.corpus
            .set(&self.annotator, doc)
            .map_or(&[], |s| &s.spans)
    }

    /// The active layer's status on `doc`, from the catalog if it is not loaded.
    pub fn status(&self, doc: &str) -> DocStatus {
        self.status_in(&self.annotator, doc)
    }

    /// `layer`'s status on `doc`, from the catalog if it is not loaded.
    pub fn status_in(&self, layer: &str, doc: &str) -> DocStatus {
        match self.corpus.set(layer, doc) {
            Some(s) => s.status,
            None if self.corpus.document(doc).is_some() => DocStatus::New,
            None => self
                .lazy
                .as_ref()
                .and_then(|l| l.catalog.set(layer, doc))
                .map_or(DocStatus::New, |s| s.status),
        }
    }

    /// Imports text files as new documents; returns the ids added, one error per file
    /// that was refused (refused files change nothing), and a note per document whose id
    /// was taken and so got another.
    pub fn import_files(
        &mut self,
        paths: &[PathBuf],
    ) -> (Vec<String>, Vec<ImportError>, Vec<String>) {
        let mut docs: Vec<Document> = Vec::new();
        let mut errors = Vec::new();
        let mut notes = Vec::new();
        for p in paths {
            match import_text_file(&self.corpus, p) {
                Ok(mut doc) => {
                    // Ids must stay unique across the files of one call too.
                    let wanted = crate::model::sanitize_id(
                        &p.file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    );
                    let taken = |id: &str| {
                        docs.iter().any(|d| d.id == id) || self.corpus.document(id).is_some()
                    };
                    if taken(&doc.id) {
                        let mut n = 2;
                        while taken(&format!("{wanted}_{n}")) {
                            n += 1;
                        }
                        doc.id = format!("{wanted}_{n}");
                    }
                    if doc.id != wanted {
                        notes.push(format!(
                            "{}: a document {wanted:?} exists already; imported as {:?}",
                            p.display(),
                            doc.id
                        ));
                    }
                    docs.push(doc)
                }
                Err(e) => errors.push(e),
            }
        }
        (self.add_imported(docs, Vec::new()), errors, notes)
    }

    /// Adds imported documents and annotation sets (already checked) to the project and
    /// marks them unsaved. Sets replace any existing set of the same annotator and
    /// document. Not undoable: imports are undone by deleting the files. Returns the ids
    /// of the documents added.
    pub fn add_imported(&mut self, docs: Vec<Document>, sets: Vec<AnnotationSet>) -> Vec<String> {
        let mut added = Vec::new();
        for doc in docs {
            self.dirty_docs.insert(doc.id.clone());
            added.push(doc.id.clone());
            self.corpus.insert_document(doc);
        }
        for set in sets {
            let key = (set.annotator.clone(), set.document.clone());
            if !self.set_bases.contains_key(&key) {
                let base = self.corpus.set(&key.0, &key.1).cloned();
                self.set_bases.insert(key, base);
            }
            if !self.corpus.project.annotators.contains(&set.annotator) {
                self.corpus.project.annotators.push(set.annotator.clone());
                self.dirty_project = true;
            }
            self.dirty_sets
                .insert((set.annotator.clone(), set.document.clone()));
            self.corpus
                .annotations
                .entry(set.annotator.clone())
                .or_default()
                .insert(set.document.clone(), set);
        }
        self.mark();
        added
    }

    /// Records what kind of layer `name` is in project.ron (a model layer and its
    /// source), to be saved with the next save.
    pub fn set_layer_info(&mut self, name: &str, info: crate::model::LayerInfo) {
        if self.corpus.project.layers.get(name) == Some(&info) {
            return;
        }
        self.corpus.project.layers.insert(name.to_string(), info);
        self.mark_project_dirty();
    }

    /// True once the oldest unsaved edit is older than [`AUTOSAVE_DELAY`].
    pub fn autosave_due(&self, now: Instant) -> bool {
        self.unsaved_since
            .is_some_and(|t| now.duration_since(t) >= AUTOSAVE_DELAY)
    }

    /// How long until an autosave is due, if anything is unsaved.
    pub fn autosave_in(&self, now: Instant) -> Option<Duration> {
        self.unsaved_since
            .map(|t| AUTOSAVE_DELAY.saturating_sub(now.duration_since(t)))
    }

    /// After a failed save: wait another [`AUTOSAVE_DELAY`] before the next attempt.
    pub fn retry_save_later(&mut self, now: Instant) {
        if self.unsaved_since.is_some() {
            self.unsaved_since = Some(now);
        }
    }

    /// Writes every changed file as one batch, under the project lock. Before writing a
    /// file it checks whether another process changed it since this session read it and,
    /// if so, merges (see [`crate::merge`]; conflicts go to [`Session::conflicts`]). A file
    /// that changed on disk and cannot be read is never written over: the save fails and
    /// everything stays unsaved. On failure nothing is written.
    pub fn save(&mut self) -> Result<usize, StorageError> {
        if !self.is_dirty() {
            return Ok(0);
        }
        if self.lock.is_none() {
            match ProjectLock::try_acquire(&self.root, &self.lock_name)? {
                Ok(l) => self.lock = Some(l),
                Err(holder) => {
                    let who = lock::describe(&holder);
                    self.read_only = Some(who.clone());
                    return Err(StorageError::Locked {
                        root: self.root.clone(),
                        holder: who,
                    });
                }
            }
        }
        self.read_only = None;
        self.merge_from_disk()?;
        let root = self.root.clone();
        let mut batch = Batch::new(&root);
        let mut written: Vec<(String, u64)> = Vec::new();
        if self.dirty_project {
            self.add_disk_annotators();
            let bytes = storage::project_bytes(&root, &self.corpus.project)?;
            written.push((storage::PROJECT_FILE.into(), storage::stamp(&bytes)));
            batch.add(storage::Target::Project, &bytes)?;
        }
        // Files are serialized on all cores, then written and fsynced together.
        let docs: Vec<&Document> = self
            .dirty_docs
            .iter()
            .filter_map(|id| self.corpus.document(id))
            .collect();
        let sets: Vec<&AnnotationSet> = self
            .dirty_sets
            .iter()
            .filter_map(|(a, d)| self.corpus.set(a, d))
            .collect();
        let staged: Vec<Result<StagedFile, StorageError>> = docs
            .par_iter()
            .map(|doc| {
                let bytes = storage::document_bytes(&root, doc)?;
                let target = storage::Target::Document(doc.id.clone());
                Ok((rel_doc(&doc.id), target, bytes))
            })
            .chain(sets.par_iter().map(|set| {
                let bytes = storage::set_bytes(&root, set)?;
                Ok((
                    rel_set(&set.annotator, &set.document),
                    storage::set_target(set),
                    bytes,
                ))
            }))
            .collect();
        let mut items = Vec::with_capacity(staged.len());
        for r in staged {
            let (rel, target, bytes) = r?;
            written.push((rel, storage::stamp(&bytes)));
            items.push((target, bytes));
        }
        batch.add_all(items)?;
        let n = batch.commit()?;
        self.stamps.extend(written);
        self.set_bases.clear();
        self.project_base = self.corpus.project.clone();
        self.dirty_project = false;
        self.dirty_docs.clear();
        self.dirty_sets.clear();
        self.unsaved_since = None;
        if !self.keep_lock {
            self.lock = None;
        }
        Ok(n)
    }

    /// project.ron lists every annotator with a folder, whoever made the folder.
    fn add_disk_annotators(&mut self) {
        let dir = self.root.join(storage::ANNOTATIONS_DIR);
        let Ok(rd) = fs::read_dir(&dir) else { return };
        let mut found: Vec<String> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| storage::confine::name_problem(n).is_none())
            .collect();
        found.sort();
        for a in found {
            if !self.corpus.project.annotators.contains(&a) {
                self.corpus.project.annotators.push(a);
            }
        }
    }

    /// Reads the current form of every file about to be written that changed on disk
    /// since this session read it, and merges it into memory.
    fn merge_from_disk(&mut self) -> Result<(), StorageError> {
        let root = self.root.clone();
        if self.dirty_project {
            let rel = storage::PROJECT_FILE.to_string();
            let (bytes, hash) = read_current(&storage::project_file(&root))?;
            if hash != self.stamps.get(&rel).copied() && bytes.is_some() {
                let (theirs, h) = storage::read_project_file(&root)?;
                let m = merge_projects(&self.project_base, &self.corpus.project, &theirs);
                self.conflicts.extend(m.conflicts);
                self.corpus.project = m.value;
                self.project_base = theirs;
                self.stamps.insert(rel, h);
                self.revision += 1;
            }
        }
        for id in self.dirty_docs.clone() {
            let rel = rel_doc(&id);
            let path = storage::document_file(&root, &id);
            let (bytes, hash) = read_current(&path)?;
            if bytes.is_some() && hash != self.stamps.get(&rel).copied() {
                let (theirs, h) = storage::read_document(&path)?;
                let mine = self.corpus.document(&id);
                if mine.is_some_and(|m| m.text == theirs.text) {
                    // The same document arrived from elsewhere: nothing to write.
                    self.dirty_docs.remove(&id);
                    self.stamps.insert(rel, h);
                } else {
                    return Err(StorageError::Mismatch {
                        path,
                        message: "was created by another process with a different text meanwhile; nothing was saved, import again".into(),
                    });
                }
            }
        }
        // Every dirty set's file is read on all cores; the ones that changed are merged
        // here in order.
        let keys: Vec<(String, String)> = self.dirty_sets.iter().cloned().collect();
        let current: Vec<Result<_, StorageError>> = keys
            .par_iter()
            .map(|(a, d)| read_current(&storage::set_file(&root, a, d)))
            .collect();
        for (key, current) in keys.into_iter().zip(current) {
            let (a, d) = &key;
            let rel = rel_set(a, d);
            let path = storage::set_file(&root, a, d);
            let (bytes, hash) = current?;
            if hash == self.stamps.get(&rel).copied() {
                continue;
            }
            let theirs = match bytes {
                Some(_) => storage::read_set(&path, a)?.0,
                None => AnnotationSet::new(d, a),
            };
            let base = self.set_bases.get(&key).cloned().flatten();
            let mine = self
                .corpus
                .set(a, d)
                .cloned()
                .unwrap_or_else(|| AnnotationSet::new(d, a));
            let m = merge_sets(base.as_ref(), &mine, &theirs);
            self.conflicts
                .extend(m.conflicts.into_iter().map(|c| format!("{rel}: {c}")));
            *self.corpus.set_mut(a, d) = m.value;
            self.set_bases
                .insert(key.clone(), hash.is_some().then_some(theirs));
            match hash {
                Some(h) => self.stamps.insert(rel, h),
                None => self.stamps.remove(&rel),
            };
            self.revision += 1;
        }
        Ok(())
    }

    /// Picks up what other processes wrote: every file among `changed` (paths relative to
    /// the root; all files if `None`) whose content differs from what this session last
    /// read is read again. Files with unsaved changes here are left for the merge at the
    /// next save. Returns one message per file that could not be read (memory keeps
    /// what it had, and that file is not written over until it reads again) and whether
    /// anything changed.
    pub fn refresh(&mut self, changed: Option<&[String]>) -> (bool, Vec<String>) {
        let rels: Vec<String> = match changed {
            Some(c) => c.to_vec(),
            None => self.all_rel_paths(),
        };
        let mut errors = Vec::new();
        let mut any = false;
        let root = self.root.clone();
        for rel in rels {
            let Some(target) = storage::Target::parse(&rel) else {
                continue;
            };
            let path = root.join(&rel);
            let (bytes, hash) = match read_current(&path) {
                Ok(x) => x,
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            };
            if hash == self.stamps.get(&rel).copied() {
                continue;
            }
            if let Some(r) = self.refresh_unloaded(&target, &path, bytes.is_some()) {
                match r {
                    Ok(changed) => any |= changed,
                    Err(e) => errors.push(e),
                }
                continue;
            }
            match &target {
                storage::Target::Project => {
                    if self.dirty_project || bytes.is_none() {
                        continue;
                    }
                    match storage::read_project_file(&root) {
                        Ok((p, h)) => {
                            self.corpus.project = p.clone();
                            self.project_base = p;
                            self.stamps.insert(rel, h);
                            any = true;
                        }
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                storage::Target::Document(id) => {
                    if self.dirty_docs.contains(id) {
                        continue;
                    }
                    if bytes.is_none() {
                        if let Ok(i) = self.corpus.documents.binary_search_by(|d| d.id.cmp(id)) {
                            self.corpus.documents.remove(i);
                            any = true;
                        }
                        self.stamps.remove(&rel);
                        continue;
                    }
                    match storage::read_document(&path) {
                        Ok((doc, h)) => {
                            match self.corpus.documents.binary_search_by(|d| d.id.cmp(id)) {
                                Ok(i) => self.corpus.documents[i] = doc,
                                Err(_) => self.corpus.insert_document(doc),
                            }
                            self.stamps.insert(rel, h);
                            any = true;
                        }
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                storage::Target::Set { annotator, doc } => {
                    if self.dirty_sets.contains(&(annotator.clone(), doc.clone())) {
                        continue;
                    }
                    if bytes.is_none() {
                        if let Some(m) = self.corpus.annotations.get_mut(annotator)
                            && m.remove(doc).is_some()
                        {
                            any = true;
                        }
                        self.stamps.remove(&rel);
                        continue;
                    }
                    match storage::read_set(&path, annotator) {
                        Ok((set, h)) => {
                            self.corpus
                                .annotations
                                .entry(annotator.clone())
                                .or_default()
                                .insert(doc.clone(), set);
                            self.stamps.insert(rel, h);
                            any = true;
                        }
                        Err(e) => errors.push(e.to_string()),
                    }
                }
            }
        }
        if any {
            self.revision += 1;
        }
        (any, errors)
    }

    /// Every project file on disk and every one this session knows, relative to the root.
    fn all_rel_paths(&self) -> Vec<String> {
        let mut out: BTreeSet<String> = self.stamps.keys().cloned().collect();
        out.insert(storage::PROJECT_FILE.into());
        if self.lazy.is_some() {
            // Reading every file of a big project would stall the window: the files of
            // loaded documents are what memory holds; the others are read when loaded.
            return out.into_iter().collect();
        }
        let ddir = self.root.join(storage::DOCUMENTS_DIR);
        for e in fs::read_dir(ddir).into_iter().flatten().flatten() {
            out.insert(format!(
                "{}/{}",
                storage::DOCUMENTS_DIR,
                e.file_name().to_string_lossy()
            ));
        }
        let adir = self.root.join(storage::ANNOTATIONS_DIR);
        for a in fs::read_dir(adir).into_iter().flatten().flatten() {
            let an = a.file_name().to_string_lossy().into_owned();
            for e in fs::read_dir(a.path()).into_iter().flatten().flatten() {
                out.insert(format!(
                    "{}/{an}/{}",
                    storage::ANNOTATIONS_DIR,
                    e.file_name().to_string_lossy()
                ));
            }
        }
        out.into_iter().collect()
    }
}

/// A file a save writes: its path relative to the root, its target and its bytes.
type StagedFile = (String, storage::Target, Vec<u8>);

fn rel_doc(id: &str) -> String {
    format!("{}/{id}.ron", storage::DOCUMENTS_DIR)
}

fn rel_set(a: &str, d: &str) -> String {
    format!("{}/{a}/{d}.ron", storage::ANNOTATIONS_DIR)
}

/// The bytes of a file now (None if there is no file) and their stamp. Something else
/// in its place (a folder) counts as no file here; the commit refuses to replace it.
fn read_current(path: &Path) -> Result<(Option<Vec<u8>>, Option<u64>), StorageError> {
    storage::confine::refuse_link(path)?;
    if fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        return Ok((None, None));
    }
    match fs::read(path) {
        Ok(b) => {
            let h = storage::stamp(&b);
            Ok((Some(b), Some(h)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, None)),
        Err(e) => Err(StorageError::io(path, e)),
    }
}

fn check_valid(root: &Path, corpus: &Corpus) -> Result<(), StorageError> {
    let problems = storage::validate(corpus);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Invalid {
            root: root.to_path_buf(),
            problems,
        })
    }
}
