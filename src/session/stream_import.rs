//! Imports streamed straight into the project: each checked document is serialised and
//! staged as it is read (in parallel, a batch at a time) and the batch is committed
//! once at the end, all or nothing. Memory holds one batch of documents, not the
//! import, so a file of any size imports; the session's corpus is not given the new
//! documents (see [`StreamedImport::written`]).

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::{Session, SessionError, read_current, rel_doc, rel_set};
use crate::formats::{ImportErrors, ImportFormat, ImportProgress, ImportedDoc, import_each};
use crate::storage::{self, Batch, StorageError, Target};

/// Documents staged per batch.
const STAGE_BATCH: usize = 256;

/// What [`Session::import_streamed`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamedImport {
    /// Ids of the documents added, in the order they were read.
    pub added: Vec<String>,
    pub sets: usize,
    pub spans: usize,
    pub relations: usize,
    pub notes: Vec<String>,
    /// Every file written, relative to the project root. The session's corpus does not
    /// hold the imported documents and sets; [`Session::refresh`] with these paths reads
    /// them in.
    pub written: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StreamedImportError {
    /// The input has problems (every one of them listed); nothing was written.
    #[error("{0}")]
    Refused(ImportErrors),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("{0}; nothing was imported")]
    Storage(#[from] StorageError),
}

impl Session {
    /// Imports `paths` (see [`crate::formats::import_each`]) straight into the project
    /// under the writer lock: documents are staged as they are checked and committed
    /// together at the end, so a refused or failed import leaves the project as it was.
    /// Annotation sets replace existing sets of the same annotator and document.
    pub fn import_streamed(
        &mut self,
        paths: &[std::path::PathBuf],
        format: Option<ImportFormat>,
        annotator: &str,
        progress: &mut dyn FnMut(&ImportProgress),
    ) -> Result<StreamedImport, StreamedImportError> {
        self.check_writable()?;
        let root = self.root.clone();
        let mut batch = Batch::new(&root);
        let mut out = StreamedImport::default();
        let mut annotators = BTreeSet::new();
        let mut replaced = Vec::new();
        let mut pending: Vec<ImportedDoc> = Vec::new();
        let corpus = &self.corpus;
        // A write that fails stops the import; it is reported as itself, not as a
        // problem of the input.
        let mut failed: Option<StorageError> = None;
        let mut stage = |pending: &mut Vec<ImportedDoc>| -> Result<(), String> {
            stage_docs(&root, &mut batch, std::mem::take(pending)).map_err(|e| {
                let shown = e.to_string();
                failed = Some(e);
                shown
            })
        };
        let result = import_each(
            corpus,
            paths,
            format,
            annotator,
            progress,
            &mut |d: ImportedDoc| {
                if let Some(doc) = &d.document {
                    out.added.push(doc.id.clone());
                    out.written.push(rel_doc(&doc.id));
                }
                for s in &d.sets {
                    out.sets += 1;
                    out.spans += s.spans.len();
                    out.relations += s.relations.len();
                    out.written.push(rel_set(&s.annotator, &s.document));
                    if corpus.set(&s.annotator, &s.document).is_some() {
                        replaced.push(rel_set(&s.annotator, &s.document));
                    }
                    annotators.insert(s.annotator.clone());
                }
                pending.push(d);
                if pending.len() >= STAGE_BATCH {
                    stage(&mut pending)?;
                }
                Ok(())
            },
        );
        if result.is_ok() {
            // The failure, if any, is kept in `failed`.
            let _ = stage(&mut pending);
        }
        if let Some(e) = failed {
            return Err(StreamedImportError::Storage(e));
        }
        out.notes = result.map_err(StreamedImportError::Refused)?;
        // Under the lock nothing else writes; a file that changed anyway (a file system
        // without locks) is never written over unread.
        for rel in &replaced {
            self.check_unchanged(rel)?;
        }
        let new: Vec<String> = annotators
            .into_iter()
            .filter(|a| !self.corpus.project.annotators.contains(a))
            .collect();
        if !new.is_empty() {
            self.check_unchanged(storage::PROJECT_FILE)?;
            let mut project = self.corpus.project.clone();
            project.annotators.extend(new);
            let bytes = storage::project_bytes(&self.root, &project)?;
            batch.add(Target::Project, &bytes)?;
            batch.commit()?;
            self.stamps
                .insert(storage::PROJECT_FILE.into(), storage::stamp(&bytes));
            self.project_base = project.clone();
            self.corpus.project = project;
            self.revision += 1;
            out.written.push(storage::PROJECT_FILE.into());
        } else {
            batch.commit()?;
        }
        Ok(out)
    }

    /// Fails when the file at `rel` is not as this session last read it.
    fn check_unchanged(&self, rel: &str) -> Result<(), StorageError> {
        let path = self.root.join(rel);
        let (_, hash) = read_current(&path)?;
        if hash != self.stamps.get(rel).copied() {
            return Err(StorageError::Mismatch {
                path,
                message: "was changed by another process during the import; import again".into(),
            });
        }
        Ok(())
    }
}

/// Serialises documents and sets (in parallel) and stages them, written while the next
/// documents are read. A new document's file must not exist: another process made it
/// meanwhile.
fn stage_docs(
    root: &std::path::Path,
    batch: &mut Batch,
    docs: Vec<ImportedDoc>,
) -> Result<(), StorageError> {
    type Files = Vec<(Target, Vec<u8>)>;
    let files: Vec<Result<Files, StorageError>> = docs
        .par_iter()
        .map(|d| {
            let mut files = Vec::with_capacity(1 + d.sets.len());
            if let Some(doc) = &d.document {
                files.push((
                    Target::Document(doc.id.clone()),
                    storage::document_bytes(root, doc)?,
                ));
            }
            for s in &d.sets {
                files.push((storage::set_target(s), storage::set_bytes(root, s)?));
            }
            Ok(files)
        })
        .collect();
    let mut all = Vec::new();
    for f in files {
        all.extend(f?);
    }
    batch.add_all_in_background(all, |t| matches!(t, Target::Document(_)))
}
