//! What a session needs to know of the documents it has not loaded: ids, titles and
//! lengths, and per layer each document's status, span count and the content hash the
//! index validated. Built from the index and kept small (a few dozen bytes per
//! document), so a 100,000-document project lists in memory without loading its files.

use std::collections::BTreeMap;

use super::{ProjectIndex, Summary};
use crate::model::{AnnotationSet, DocStatus};
use crate::storage::{ANNOTATIONS_DIR, DOCUMENTS_DIR};

#[derive(Clone, Debug, PartialEq)]
pub struct CatalogDoc {
    pub id: String,
    pub title: String,
    /// Length of the text in Unicode scalar values.
    pub chars: usize,
    /// Hash of the document file the index validated its sets against.
    pub hash: u64,
}

/// One layer's set on one document, as the index last saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogSet {
    pub status: DocStatus,
    pub spans: u32,
    pub relations: u32,
    /// Spans per label, labels by their number in [`Catalog::labels`].
    pub per_label: Box<[(u16, u32)]>,
    /// Hash of the set file the index validated (0: not validated).
    pub hash: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    /// Sorted by id.
    pub docs: Vec<CatalogDoc>,
    /// annotator -> one entry per document (same order as `docs`); `None`: no set.
    layers: BTreeMap<String, Vec<Option<CatalogSet>>>,
    /// Hash of the schema (labels and relation types) the sets were validated under.
    pub schema: u64,
    /// Every label a set uses, each stored once.
    pub labels: Vec<String>,
}

impl Catalog {
    /// The catalog of an index that [`super::open`] brought up to date: every set in it
    /// validated against its document and the schema.
    pub fn from_index(index: &ProjectIndex) -> Self {
        let prefix = format!("{DOCUMENTS_DIR}/");
        let docs: Vec<CatalogDoc> = index
            .files
            .range(prefix.clone()..)
            .map_while(|(rel, e)| {
                let id = rel.strip_prefix(&prefix)?.strip_suffix(".ron")?;
                match &e.summary {
                    Summary::Document(d) => Some(CatalogDoc {
                        id: id.to_string(),
                        title: d.title.clone(),
                        chars: d.chars,
                        hash: e.hash,
                    }),
                    _ => None,
                }
            })
            .collect();
        let mut cat = Catalog {
            docs,
            layers: BTreeMap::new(),
            schema: index.project().map_or(0, |p| p.schema),
            labels: Vec::new(),
        };
        for a in &index.annotators {
            let mut col = vec![None; cat.docs.len()];
            let prefix = format!("{ANNOTATIONS_DIR}/{a}/");
            for (rel, e) in index.files.range(prefix.clone()..) {
                let Some(id) = rel
                    .strip_prefix(&prefix)
                    .and_then(|r| r.strip_suffix(".ron"))
                else {
                    break;
                };
                if let (Summary::Set(s), Some(i)) = (&e.summary, cat.position(id)) {
                    let per_label = s
                        .spans_per_label
                        .iter()
                        .map(|(l, n)| (cat.intern(l), small(*n)))
                        .collect();
                    col[i] = Some(CatalogSet {
                        status: s.status,
                        spans: small(s.spans()),
                        relations: small(s.relations),
                        per_label,
                        hash: e.hash,
                    });
                }
            }
            cat.layers.insert(a.clone(), col);
        }
        cat
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.docs.binary_search_by(|d| d.id.as_str().cmp(id)).ok()
    }

    /// Layers with at least a folder in the project.
    pub fn annotators(&self) -> impl Iterator<Item = &str> {
        self.layers.keys().map(String::as_str)
    }

    pub fn set(&self, annotator: &str, doc: &str) -> Option<&CatalogSet> {
        let i = self.position(doc)?;
        self.layers.get(annotator)?.get(i)?.as_ref()
    }

    /// The `i`th document's set in `annotator`'s layer.
    pub fn set_at(&self, annotator: &str, i: usize) -> Option<&CatalogSet> {
        self.layers.get(annotator)?.get(i)?.as_ref()
    }

    /// The number of a label, adding it if new.
    pub fn intern(&mut self, label: &str) -> u16 {
        match self.labels.iter().position(|l| l == label) {
            Some(i) => i as u16,
            None => {
                self.labels.push(label.to_string());
                (self.labels.len() - 1).min(u16::MAX as usize) as u16
            }
        }
    }

    /// What the catalog keeps of a set read or written with content hash `hash`.
    pub fn summarize(&mut self, set: &AnnotationSet, hash: u64) -> CatalogSet {
        let mut counts: BTreeMap<u16, u32> = BTreeMap::new();
        for s in &set.spans {
            *counts.entry(self.intern(&s.label)).or_default() += 1;
        }
        CatalogSet {
            status: set.status,
            spans: small(set.spans.len()),
            relations: small(set.relations.len()),
            per_label: counts.into_iter().collect(),
            hash,
        }
    }

    /// Records what a set now is (after an edit was saved, or another process wrote it).
    pub fn update_set(&mut self, annotator: &str, doc: &str, set: Option<CatalogSet>) {
        let Some(i) = self.position(doc) else { return };
        let n = self.docs.len();
        let col = self
            .layers
            .entry(annotator.to_string())
            .or_insert_with(|| vec![None; n]);
        col[i] = set;
    }

    /// A document another process added (or rewrote).
    pub fn upsert_doc(&mut self, doc: CatalogDoc) {
        match self.docs.binary_search_by(|d| d.id.cmp(&doc.id)) {
            Ok(i) => self.docs[i] = doc,
            Err(i) => {
                self.docs.insert(i, doc);
                for col in self.layers.values_mut() {
                    col.insert(i, None);
                }
            }
        }
    }

    pub fn remove_doc(&mut self, id: &str) {
        if let Some(i) = self.position(id) {
            self.docs.remove(i);
            for col in self.layers.values_mut() {
                col.remove(i);
            }
        }
    }
}

fn small(n: usize) -> u32 {
    n.min(u32::MAX as usize) as u32
}
