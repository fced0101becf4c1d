//! `spanbench stats` from the index.

use std::collections::BTreeMap;
use std::path::Path;

use super::ProjectIndex;
use super::refresh::{Doubt, open_inner};
use crate::model::DocStatus;
use crate::stats::Stats;
use crate::storage::{self, StorageError};

/// What `spanbench stats` prints: the project's name and its counts.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsAnswer {
    pub project: String,
    pub stats: Stats,
}

/// The statistics of the project at `root`, from its index (brought up to date first),
/// with notes about the cache. Whatever the index cannot answer for sure is answered by
/// reading and validating the whole project, so the result and the errors are those of
/// `storage::load` and `stats::stats`.
pub fn project_stats(root: &Path) -> Result<(StatsAnswer, Vec<String>), StorageError> {
    match open_inner(
        root,
        super::refresh::Reads::Changed,
        &std::sync::atomic::AtomicUsize::new(0),
    ) {
        Ok(opened) => {
            if let Some(answer) = stats_of(&opened.index) {
                return Ok((answer, opened.notes));
            }
            full(root, opened.notes)
        }
        Err(Doubt::Storage(_) | Doubt::Invalid) => full(root, Vec::new()),
    }
}

fn full(root: &Path, notes: Vec<String>) -> Result<(StatsAnswer, Vec<String>), StorageError> {
    let corpus = storage::load(root)?;
    let stats = crate::stats::stats(&corpus);
    Ok((
        StatsAnswer {
            project: corpus.project.name,
            stats,
        },
        notes,
    ))
}

/// The counts `stats::stats` gives over the corpus the index describes; `None` if the
/// index has no project entry.
pub fn stats_of(index: &ProjectIndex) -> Option<StatsAnswer> {
    let project = index.project()?;
    let schema: BTreeMap<String, usize> = project.labels.iter().map(|l| (l.clone(), 0)).collect();
    let docs: Vec<&str> = index.documents().map(|(id, _)| id).collect();
    let mut st = Stats {
        documents: docs.len(),
        spans_per_label: schema.clone(),
        ..Default::default()
    };
    for annotator in &index.annotators {
        let per_status = st
            .documents_per_status
            .entry(annotator.clone())
            .or_default();
        for s in DocStatus::ALL {
            per_status.insert(s.as_str().to_string(), 0);
        }
        let mut with_set = 0;
        let per_label = st
            .spans_per_annotator_label
            .entry(annotator.clone())
            .or_insert_with(|| schema.clone());
        let mut spans = 0;
        for (_, set) in index.sets(annotator) {
            with_set += 1;
            *per_status
                .entry(set.status.as_str().to_string())
                .or_default() += 1;
            spans += set.spans();
            st.relations += set.relations;
            for (label, n) in &set.spans_per_label {
                *st.spans_per_label.entry(label.clone()).or_default() += n;
                *per_label.entry(label.clone()).or_default() += n;
            }
        }
        // Documents with no set count as new.
        *per_status
            .entry(DocStatus::New.as_str().to_string())
            .or_default() += docs.len() - with_set;
        st.spans += spans;
        if with_set > 0 {
            *st.spans_per_annotator.entry(annotator.clone()).or_default() += spans;
        }
    }
    Some(StatsAnswer {
        project: project.name.clone(),
        stats: st,
    })
}
