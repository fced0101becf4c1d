//! An open project being edited: the corpus, whose layer is being annotated, undo
//! history and what is not yet saved. Shared by the GUI and tests; knows no egui.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::edit::{Edit, EditError};
use crate::history::{History, Target};
use crate::import::{ImportError, import_text_file};
use crate::model::{
    AnnotationSet, Corpus, DocStatus, Document, Relation, RelationId, RelationType, Span, SpanId,
};
use crate::offsets::{Edge, OffsetMap, Snap, slice_chars, step_boundary};
use crate::storage::{self, StorageError};

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
}

impl Session {
    pub fn open(root: &Path, annotator: &str) -> Result<Self, StorageError> {
        let corpus = storage::load(root)?;
        Ok(Self::new(root.to_path_buf(), corpus, annotator))
    }

    pub fn new(root: PathBuf, corpus: Corpus, annotator: &str) -> Self {
        Self {
            root,
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
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.unsaved_since.is_some()
    }

    fn mark(&mut self) {
        self.unsaved_since.get_or_insert_with(Instant::now);
        self.revision += 1;
    }

    pub fn mark_project_dirty(&mut self) {
        self.dirty_project = true;
        self.mark();
    }

    /// Applies an edit to the active annotator's set of `doc` and records it for undo.
    pub fn apply(&mut self, doc: &str, edit: Edit) -> Result<(), SessionError> {
        if self.corpus.document(doc).is_none() {
            return Err(SessionError::NoDocument(doc.to_string()));
        }
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
        self.check_editable(&target.annotator)?;
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
        self.mark();
        Ok(())
    }

    /// Undoes the last edit; returns where it applied so a view can go there.
    pub fn undo(&mut self) -> Option<Target> {
        let entry = self.history.undo()?;
        if self.apply_to(&entry.target, &entry.edit).is_err() {
            self.history.revert_undo();
            return None;
        }
        Some(entry.target)
    }

    pub fn redo(&mut self) -> Option<Target> {
        let entry = self.history.redo()?;
        if self.apply_to(&entry.target, &entry.edit).is_err() {
            self.history.revert_redo();
            return None;
        }
        Some(entry.target)
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

    pub fn status(&self, doc: &str) -> DocStatus {
        self.corpus
            .set(&self.annotator, doc)
            .map_or(DocStatus::New, |s| s.status)
    }

    /// Imports text files as new documents; returns the ids added and one error per
    /// file that was refused. Refused files change nothing.
    pub fn import_files(&mut self, paths: &[PathBuf]) -> (Vec<String>, Vec<ImportError>) {
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        for p in paths {
            match import_text_file(&self.corpus, p) {
                // Ids must stay unique across the files of one call too.
                Ok(doc) => {
                    let ids: Vec<String> = docs.iter().map(|d: &Document| d.id.clone()).collect();
                    let mut doc = doc;
                    if ids.contains(&doc.id) {
                        let mut n = 2;
                        while ids.contains(&format!("{}_{n}", doc.id))
                            || self.corpus.document(&format!("{}_{n}", doc.id)).is_some()
                        {
                            n += 1;
                        }
                        doc.id = format!("{}_{n}", doc.id);
                    }
                    docs.push(doc)
                }
                Err(e) => errors.push(e),
            }
        }
        (self.add_imported(docs, Vec::new()), errors)
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

    /// Writes every changed file atomically. Files that fail stay marked dirty.
    pub fn save(&mut self) -> Result<usize, StorageError> {
        let mut written = 0;
        if self.dirty_project {
            storage::save_project(&self.root, &self.corpus.project)?;
            self.dirty_project = false;
            written += 1;
        }
        while let Some(id) = self.dirty_docs.first().cloned() {
            if let Some(doc) = self.corpus.document(&id) {
                storage::save_document(&self.root, doc)?;
                written += 1;
            }
            self.dirty_docs.remove(&id);
        }
        while let Some(key) = self.dirty_sets.first().cloned() {
            if let Some(set) = self.corpus.set(&key.0, &key.1) {
                storage::save_set(&self.root, set)?;
                written += 1;
            }
            self.dirty_sets.remove(&key);
        }
        self.unsaved_since = None;
        Ok(written)
    }
}
