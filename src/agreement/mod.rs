//! Inter-annotator agreement and model-vs-gold scores, with no UI in them.
//!
//! Everything here works on canonical offsets (Unicode scalar values, end-exclusive)
//! and on a [`Selection`]: the annotators and labels compared, resolved once against a
//! [`Corpus`](crate::model::Corpus) by [`Selection::resolve`]. One file per measure,
//! each documenting its definition and the reference implementation it matches:
//!
//! | module | measure | reference |
//! | --- | --- | --- |
//! | [`nervaluate`] | strict, exact, partial and ent_type counts and scores | `nervaluate` 1.2.1 |
//! | [`pairwise_f1`] | symmetric pairwise F1 of exact spans | (definition) |
//! | [`coding`] | per-character coding of a label, or of all labels (`*`) | (definition) |
//! | [`cohen`] | Cohen's kappa of two annotators | `statsmodels` `cohens_kappa` |
//! | [`fleiss`] | Fleiss' kappa of all annotators | `statsmodels` `fleiss_kappa` |
//! | [`krippendorff`] | Krippendorff's alpha, nominal, with missing data | `krippendorff` 0.9 |
//! | [`gamma`] | gamma of Mathet et al. (2015) | `pygamma-agreement` 0.5.9 |
//! | [`disagreements`] | every place where annotators differ, for curation | (definition) |
//! | [`confusion`] | label confusion of a prediction against a reference | (definition) |
//!
//! [`report`] puts them together into what `spanbench agreement` and `spanbench eval`
//! print. A value that is mathematically undefined is a [`Figure::Undefined`] with its
//! [`Undefined`] reason: tables print `n/a (reason)`, JSON prints `null`; no function
//! here returns NaN or panics on any corpus that `storage::load` accepts.

pub mod breakdown;
pub mod coding;
pub mod cohen;
pub mod confusion;
pub mod disagreements;
pub mod fleiss;
pub mod gamma;
mod input;
pub mod krippendorff;
pub mod nervaluate;
pub mod pairwise_f1;
pub mod report;

use std::fmt;

use serde::{Serialize, Serializer};
use thiserror::Error;

pub use input::{DocSpans, Selection, SpanRef, doc_spans, is_annotated, label_index, set_spans};
pub use report::{AgreementOptions, AgreementReport, EvalReport, agreement, evaluate, evaluate_of};

/// The label name that stands for "all selected labels together".
pub const ALL_LABELS: &str = "*";

/// A number that may be undefined. Never NaN: a computation whose result would be
/// NaN or infinite returns [`Figure::Undefined`] with the reason instead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Figure {
    Value(f64),
    Undefined(Undefined),
}

impl Figure {
    pub fn value(self) -> Option<f64> {
        match self {
            Figure::Value(v) => Some(v),
            Figure::Undefined(_) => None,
        }
    }

    pub fn is_defined(self) -> bool {
        matches!(self, Figure::Value(_))
    }

    /// `0.8123` to `digits` places, or `n/a (reason)`.
    pub fn display(self, digits: usize) -> String {
        match self {
            Figure::Value(v) => format!("{v:.digits$}"),
            Figure::Undefined(u) => format!("n/a ({u})"),
        }
    }
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Figure::Value(v) if v.is_finite() => s.serialize_f64(*v),
            _ => s.serialize_none(),
        }
    }
}

/// Why a figure has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Undefined {
    /// Precision with no predicted (B's) spans: actual = 0.
    NoPredictedSpans,
    /// Recall with no reference (A's) spans: possible = 0.
    NoReferenceSpans,
    /// F1 with no spans on either side.
    NoSpans,
    /// No character that the annotators both (or all) annotated.
    NoItems,
    /// Every annotator coded every item with the same one category, so chance
    /// agreement is 1 and kappa or alpha is 0/0.
    NoVariance,
    /// Krippendorff's alpha: no character was coded by two annotators.
    NoPairableItems,
    /// Gamma: no annotator has a span.
    NoUnits,
    /// Gamma: the sampled chance disorder was 0.
    NoExpectedDisorder,
    /// Gamma was not asked for.
    NotComputed,
    /// Gamma: the alignment solver reported an error.
    AlignmentFailed,
    /// Gamma: more spans than [`gamma::GammaOptions::max_units`]; the count is given.
    TooManySpans(usize),
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Undefined::NoPredictedSpans => "no predicted spans",
            Undefined::NoReferenceSpans => "no reference spans",
            Undefined::NoSpans => "no spans on either side",
            Undefined::NoItems => "no character annotated by every annotator compared",
            Undefined::NoVariance => "every character coded the same, chance agreement is 1",
            Undefined::NoPairableItems => "no character coded by two annotators",
            Undefined::NoUnits => "no spans",
            Undefined::NoExpectedDisorder => "chance disorder is 0",
            Undefined::NotComputed => "not computed",
            Undefined::AlignmentFailed => "the alignment solver failed",
            Undefined::TooManySpans(n) => {
                return write!(
                    f,
                    "not computed by default for {n} spans (more than {}); pass --gamma to compute it",
                    gamma::DEFAULT_MAX_UNITS
                );
            }
        })
    }
}

/// What can be wrong with a request for agreement or scores.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AgreementError {
    #[error(
        "no annotator {0:?} in this project (annotators: {1}); check the spelling or run `spanbench stats` to list them"
    )]
    UnknownAnnotator(String, String),
    #[error("annotator {0:?} is named twice; name each annotator once")]
    DuplicateAnnotator(String),
    #[error(
        "label {0:?} is not in the project's schema (labels: {1}); check the spelling or leave out --labels"
    )]
    UnknownLabel(String, String),
    #[error("{0}")]
    TooFewAnnotators(String),
    #[error(
        "{0} annotators named; agreement compares at most 128 at once, so name fewer with --annotators"
    )]
    TooManyAnnotators(usize),
}
