//! The counts of the statistics window for a project opened from its index: documents
//! in memory count as they are now, the others as the index saw them. Same figures as
//! [`crate::stats`] over the whole corpus.

use std::collections::{BTreeMap, BTreeSet};

use super::Session;
use crate::model::DocStatus;
use crate::stats::{self, Cell, ProgressGrid, Stats};

/// What the counts need of one set.
struct Counts {
    status: DocStatus,
    spans: usize,
    relations: usize,
    per_label: Vec<(String, usize)>,
}

impl Session {
    /// Every layer with a folder or a set in memory, in name order.
    fn layers(&self) -> Vec<String> {
        let mut out: BTreeSet<String> = self.catalog_annotators().into_iter().collect();
        out.extend(self.corpus.annotations.keys().cloned());
        out.into_iter().collect()
    }

    /// `annotator`'s set on the `i`th document: from memory if the document is loaded.
    fn counts(&self, annotator: &str, i: usize) -> Option<Counts> {
        let l = self.lazy.as_ref()?;
        let id = &l.catalog.docs.get(i)?.id;
        if self.corpus.document(id).is_some() {
            let set = self.corpus.set(annotator, id)?;
            let mut per: BTreeMap<&str, usize> = BTreeMap::new();
            for s in &set.spans {
                *per.entry(s.label.as_str()).or_default() += 1;
            }
            return Some(Counts {
                status: set.status,
                spans: set.spans.len(),
                relations: set.relations.len(),
                per_label: per.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            });
        }
        let c = l.catalog.set_at(annotator, i)?;
        Some(Counts {
            status: c.status,
            spans: c.spans as usize,
            relations: c.relations as usize,
            per_label: c
                .per_label
                .iter()
                .filter_map(|(k, n)| {
                    Some((l.catalog.labels.get(*k as usize)?.clone(), *n as usize))
                })
                .collect(),
        })
    }

    /// What `spanbench stats` counts, over the whole project, loaded or not.
    pub fn stats(&self) -> Stats {
        if self.lazy.is_none() {
            return stats::stats(&self.corpus);
        }
        let schema: BTreeMap<String, usize> = self
            .corpus
            .project
            .labels
            .iter()
            .map(|l| (l.key.clone(), 0))
            .collect();
        let n = self.doc_count();
        let mut st = Stats {
            documents: n,
            spans_per_label: schema.clone(),
            ..Default::default()
        };
        for a in self.layers() {
            let mut per_status: BTreeMap<String, usize> = DocStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), 0))
                .collect();
            let mut per_label = schema.clone();
            let mut with_set = false;
            let mut spans = 0;
            for i in 0..n {
                let c = self.counts(&a, i);
                let status = c.as_ref().map_or(DocStatus::New, |c| c.status);
                *per_status.entry(status.as_str().to_string()).or_default() += 1;
                let Some(c) = c else { continue };
                with_set = true;
                spans += c.spans;
                st.relations += c.relations;
                for (l, k) in c.per_label {
                    *st.spans_per_label.entry(l.clone()).or_default() += k;
                    *per_label.entry(l).or_default() += k;
                }
            }
            st.spans += spans;
            if with_set {
                st.spans_per_annotator.insert(a.clone(), spans);
            }
            st.documents_per_status.insert(a.clone(), per_status);
            st.spans_per_annotator_label.insert(a, per_label);
        }
        st
    }

    /// The document-by-annotator progress grid over the whole project.
    pub fn progress_grid(&self) -> ProgressGrid {
        if self.lazy.is_none() {
            return stats::progress_grid(&self.corpus);
        }
        let mut annotators = self.corpus.project.annotators.clone();
        for a in self.layers() {
            if !annotators.contains(&a) {
                annotators.push(a);
            }
        }
        let n = self.doc_count();
        let cells = (0..n)
            .map(|i| {
                annotators
                    .iter()
                    .map(|a| {
                        let c = self.counts(a, i);
                        Cell {
                            status: c.as_ref().map(|c| c.status),
                            spans: c.map_or(0, |c| c.spans),
                        }
                    })
                    .collect()
            })
            .collect();
        let documents = (0..n)
            .filter_map(|i| {
                Some((
                    self.doc_id_at(i)?.to_string(),
                    self.doc_title_at(i)?.to_string(),
                ))
            })
            .collect();
        ProgressGrid {
            annotators,
            documents,
            cells,
        }
    }

    /// The first document (in id order) where `annotator`'s layer (or any layer) has a
    /// span of `label` (or any span), with that layer: where a chart's bar leads when
    /// the document may not be loaded yet.
    pub fn first_doc_with(
        &self,
        label: Option<&str>,
        annotator: Option<&str>,
    ) -> Option<(String, String)> {
        let layers = match annotator {
            Some(a) => vec![a.to_string()],
            None => self.layers(),
        };
        (0..self.doc_count()).find_map(|i| {
            layers.iter().find_map(|a| {
                let c = self.counts(a, i)?;
                let hit = match label {
                    Some(l) => c.per_label.iter().any(|(k, n)| k == l && *n > 0),
                    None => c.spans > 0,
                };
                let doc = self.doc_id_at(i)?;
                hit.then(|| (a.clone(), doc.to_string()))
            })
        })
    }
}
