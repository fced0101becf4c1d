use std::collections::BTreeMap;

use super::{AnnotationSet, Document, Project};

/// A whole project in memory: schema, documents and every annotator's sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Corpus {
    pub project: Project,
    /// Sorted by id.
    pub documents: Vec<Document>,
    /// annotator -> document id -> set.
    pub annotations: BTreeMap<String, BTreeMap<String, AnnotationSet>>,
}

impl Corpus {
    pub fn new(project: Project) -> Self {
        Self {
            project,
            documents: Vec::new(),
            annotations: BTreeMap::new(),
        }
    }

    /// O(log n) while `documents` is sorted by id, as loading and `insert_document`
    /// keep it; falls back to a scan if someone pushed out of order.
    pub fn document(&self, id: &str) -> Option<&Document> {
        match self.documents.binary_search_by(|d| d.id.as_str().cmp(id)) {
            Ok(i) => Some(&self.documents[i]),
            Err(_) => self.documents.iter().find(|d| d.id == id),
        }
    }

    pub fn set(&self, annotator: &str, doc: &str) -> Option<&AnnotationSet> {
        self.annotations.get(annotator)?.get(doc)
    }

    /// The set of `annotator` on `doc`, created empty if it does not exist yet.
    pub fn set_mut(&mut self, annotator: &str, doc: &str) -> &mut AnnotationSet {
        self.annotations
            .entry(annotator.to_string())
            .or_default()
            .entry(doc.to_string())
            .or_insert_with(|| AnnotationSet::new(doc, annotator))
    }

    /// Every annotator with a folder or a name in the project, in a stable order.
    pub fn annotators(&self) -> Vec<String> {
        let mut out: Vec<String> = self.project.annotators.clone();
        for a in self.annotations.keys() {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        out
    }

    /// A fresh document id derived from `stem` that no document uses yet.
    pub fn unique_doc_id(&self, stem: &str) -> String {
        let base = sanitize_id(stem);
        if self.document(&base).is_none() {
            return base;
        }
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|id| self.document(id).is_none())
            .unwrap_or(base)
    }

    pub fn insert_document(&mut self, doc: Document) {
        let pos = self.documents.partition_point(|d| d.id < doc.id);
        self.documents.insert(pos, doc);
    }
}

/// Longest id [`sanitize_id`] makes, in bytes: file names hold 255, and a suffix such as
/// `_12` and `.ron` must still fit.
pub const MAX_ID_BYTES: usize = 120;

/// Ids are file stems: keep letters, digits, `-` and `_`, so they are safe on every OS,
/// and cut them to [`MAX_ID_BYTES`].
pub fn sanitize_id(stem: &str) -> String {
    let s: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut s = s.trim_matches('_').to_string();
    if s.len() > MAX_ID_BYTES {
        let mut cut = MAX_ID_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s = s.trim_end_matches('_').to_string();
    }
    if s.is_empty() {
        "document".to_string()
    } else {
        s
    }
}
