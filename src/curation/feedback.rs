//! Feedback to an annotator: where the gold layer differs from their layer, so they
//! can see what the curator decided and learn from it.
//!
//! It is the disagreements of two layers, the annotator's and gold, with gold as the
//! reference ([`crate::agreement::disagreements`]): a unit is
//!
//! - **missed** when gold has a span there and the annotator none;
//! - **extra** when the annotator has a span there and gold none;
//! - **wrong label** when the labels differ;
//! - **boundary** when the offsets differ.
//!
//! A unit can be both a wrong label and a boundary. Computed per document, for a view
//! that shows one document at a time; [`corpus_counts`] sums them.

use rayon::prelude::*;

use super::{CurationError, KindCounts};
use crate::agreement::disagreements::{Disagreement, Kind, in_doc};
use crate::agreement::{doc_spans, label_index};
use crate::model::Corpus;

/// What the feedback calls each kind (gold is the reference).
pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Missing => "missed",
        Kind::Extra => "extra",
        Kind::Label => "wrong label",
        Kind::Boundary => "boundary",
    }
}

/// Where gold differs from one annotator's layer in one document.
#[derive(Clone, Debug, Default)]
pub struct Feedback {
    /// Label keys; unit spans' `label` indexes this list.
    pub labels: Vec<String>,
    /// Each with two versions: the annotator's (annotator 0) and gold's (annotator 1).
    pub items: Vec<Disagreement>,
    pub counts: KindCounts,
}

/// Why there is no feedback on a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoFeedback {
    /// The gold layer has not annotated the document.
    NoGold,
    /// The annotator has not annotated it.
    NotAnnotated,
}

/// Where the gold layer `gold` differs from `annotator`'s layer on document `doc`.
pub fn feedback(
    corpus: &Corpus,
    annotator: &str,
    gold: &str,
    doc: &str,
) -> Result<Result<Feedback, NoFeedback>, CurationError> {
    if !corpus.annotators().iter().any(|a| a == annotator) {
        return Err(CurationError::UnknownAnnotator(
            annotator.to_string(),
            corpus.annotators().join(", "),
        ));
    }
    let Some(d) = corpus.document(doc) else {
        return Err(CurationError::NoSuchUnit);
    };
    let labels: Vec<String> = corpus
        .project
        .labels
        .iter()
        .map(|l| l.key.clone())
        .collect();
    let index = label_index(&labels);
    let names = [annotator.to_string(), gold.to_string()];
    let ds = doc_spans(corpus, d, &names, &labels, &index);
    if ds.sets[1].is_none() {
        return Ok(Err(NoFeedback::NoGold));
    }
    if ds.sets[0].is_none() {
        return Ok(Err(NoFeedback::NotAnnotated));
    }
    let items = in_doc(0, &ds, Some(1));
    let mut counts = KindCounts::default();
    for it in &items {
        counts.add(&it.kinds);
    }
    Ok(Ok(Feedback {
        labels,
        items,
        counts,
    }))
}

/// The feedback counts of every document the annotator and gold both annotated, in
/// corpus order (documents without feedback count nothing).
pub fn corpus_counts(corpus: &Corpus, annotator: &str, gold: &str) -> Vec<KindCounts> {
    corpus
        .documents
        .par_iter()
        .map(|d| match feedback(corpus, annotator, gold, &d.id) {
            Ok(Ok(f)) => f.counts,
            _ => KindCounts::default(),
        })
        .collect()
}
