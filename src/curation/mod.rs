//! Curation: turning several annotators' layers into the gold layer, unit by unit. No
//! egui here; the GUI's curation view, `spanbench merge` and the tests drive it.
//!
//! **Units** are those of [`crate::agreement::disagreements`]: spans of different
//! annotators with the same offsets, or the same label and overlapping offsets, grouped
//! together; each annotator's *version* of a unit is their spans in it. A unit on which
//! the annotators differ is a *disagreement*; the curator resolves each one.
//!
//! **The gold layer's version** of a unit is the gold spans that correspond to one of
//! the unit's spans (same offsets, or same label and overlapping). A disagreement is
//! **resolved** when
//!
//! - the gold layer records a [`Decision`] on it (its extent, `[start, end)`, is the
//!   unit's): the curator took a version, rejected the unit (no span) or edited a
//!   version and accepted it; or
//! - the gold layer's version is exactly one annotator's non-empty version (same
//!   offsets and labels). This is how a gold layer made by hand, before curation
//!   existed, counts: where it agrees with one annotator the question is answered.
//!
//! An empty gold version never resolves a unit by itself: in a fresh gold layer every
//! unit is empty, and "nobody decided yet" must not read as "rejected". A rejection is
//! recorded.
//!
//! Modules: [`index`] (the units of every document, which are resolved, progress,
//! next/previous), [`premerge`] (unanimous, majority and threshold votes into gold),
//! [`decide`] (take a version, reject, accept an edit: each one [`Edit`]),
//! [`feedback`] (where the gold layer differs from one annotator's layer).
//!
//! [`Decision`]: crate::model::Decision
//! [`Edit`]: crate::edit::Edit

pub mod decide;
pub mod feedback;
pub mod index;
pub mod premerge;

use std::collections::BTreeMap;
use std::fmt;

use thiserror::Error;

use crate::agreement::SpanRef;
use crate::agreement::disagreements::{Disagreement, Kind};
use crate::model::{Corpus, LayerKind};
use crate::session::SessionError;

pub use decide::Action;
pub use index::{Curation, Resolution, UnitRef};
pub use premerge::{PremergePlan, Strategy};

/// Most annotators compared at once (the units are found with a 128-bit set).
pub const MAX_ANNOTATORS: usize = crate::agreement::coding::MAX_ANNOTATORS;

#[derive(Debug, Error)]
pub enum CurationError {
    #[error(
        "no annotator {0:?} in this project (layers: {1}); check the spelling or run `spanbench stats` to list them"
    )]
    UnknownAnnotator(String, String),
    #[error("annotator {0:?} is named twice; name each annotator once")]
    DuplicateAnnotator(String),
    #[error(
        "{name:?} is {what}, not an annotator's layer; curation merges people's layers only, so leave it out of --annotators"
    )]
    NotAPerson { name: String, what: &'static str },
    #[error("{0}")]
    TooFewAnnotators(String),
    #[error(
        "{layer:?} is {what}; merge writes only into the gold layer ({gold:?}), so use --into {gold}"
    )]
    NotGold {
        layer: String,
        what: &'static str,
        gold: String,
    },
    #[error(
        "unknown strategy {0:?}; use unanimous, majority or threshold:K (K annotators must agree)"
    )]
    BadStrategy(String),
    #[error("threshold:{k} is out of range: with {n} annotators K must be between 1 and {n}")]
    ThresholdOutOfRange { k: usize, n: usize },
    #[error("{0} has not annotated this document, so there is no version of theirs to take")]
    NoVersion(String),
    #[error("there is no annotator number {0} here (annotators: {1})")]
    NoAnnotatorNumber(usize, String),
    #[error("no such unit: the annotators' layers changed; go to the next disagreement")]
    NoSuchUnit,
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// The layers curated: the annotators' (people's) layers compared, and the gold layer
/// that receives the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    pub gold: String,
    pub annotators: Vec<String>,
}

/// The people's layers besides `gold`, in the project's order: the annotators a
/// curation takes by default (and the order of their numbers and colours).
pub fn people_of(corpus: &Corpus, gold: &str) -> Vec<String> {
    corpus
        .annotators()
        .into_iter()
        .filter(|a| corpus.project.layer_kind(a) == LayerKind::Person && a != gold)
        .collect()
}

impl Team {
    /// Resolves the layers against the project. `gold: None` is the project's gold layer
    /// ([`crate::model::Project::gold_layer`]); a layer named there must be of kind
    /// gold. `annotators: None` takes every person's layer; named ones must exist and be
    /// people's layers (never a model's, never the gold layer). Curation needs two.
    pub fn resolve(
        corpus: &Corpus,
        gold: Option<&str>,
        annotators: Option<&[String]>,
    ) -> Result<Team, CurationError> {
        let project = &corpus.project;
        let project_gold = project.gold_layer().to_string();
        let gold = match gold {
            Some(g) => {
                let kind = project.layer_kind(g);
                if kind != LayerKind::Gold {
                    let exists = corpus.annotators().iter().any(|a| a == g)
                        || project.layers.contains_key(g);
                    return Err(CurationError::NotGold {
                        layer: g.to_string(),
                        what: if exists {
                            describe_kind(kind)
                        } else {
                            "not a layer of this project"
                        },
                        gold: project_gold,
                    });
                }
                g.to_string()
            }
            None => project_gold,
        };
        let known = corpus.annotators();
        let people: Vec<String> = match annotators {
            Some(names) => {
                for (i, a) in names.iter().enumerate() {
                    if !known.contains(a) {
                        return Err(CurationError::UnknownAnnotator(
                            a.clone(),
                            if known.is_empty() {
                                "none".into()
                            } else {
                                known.join(", ")
                            },
                        ));
                    }
                    let kind = project.layer_kind(a);
                    if kind != LayerKind::Person || *a == gold {
                        return Err(CurationError::NotAPerson {
                            name: a.clone(),
                            what: describe_kind(if *a == gold { LayerKind::Gold } else { kind }),
                        });
                    }
                    if names[..i].contains(a) {
                        return Err(CurationError::DuplicateAnnotator(a.clone()));
                    }
                }
                names.to_vec()
            }
            None => people_of(corpus, &gold),
        };
        if people.len() < 2 {
            let found = match people.first() {
                None => "there are none besides the gold and model layers".to_string(),
                Some(one) => format!("there is only one ({one}) besides the gold and model layers"),
            };
            return Err(CurationError::TooFewAnnotators(format!(
                "curation compares at least 2 annotators' layers and {found}; add another annotator's layer (or name two with --annotators)"
            )));
        }
        if people.len() > MAX_ANNOTATORS {
            return Err(CurationError::TooFewAnnotators(format!(
                "{} annotators named; curation compares at most {MAX_ANNOTATORS} at once, so name fewer with --annotators",
                people.len()
            )));
        }
        Ok(Team {
            gold,
            annotators: people,
        })
    }
}

fn describe_kind(kind: LayerKind) -> &'static str {
    match kind {
        LayerKind::Person => "a person's layer",
        LayerKind::Model => "a model's layer",
        LayerKind::Gold => "the gold layer",
    }
}

/// How many disagreements there are of each kind (a unit of two kinds counts in both).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindCounts(pub BTreeMap<Kind, usize>);

impl KindCounts {
    pub fn add(&mut self, kinds: &[Kind]) {
        for k in kinds {
            *self.0.entry(*k).or_default() += 1;
        }
    }

    pub fn get(&self, k: Kind) -> usize {
        self.0.get(&k).copied().unwrap_or(0)
    }

    pub fn merge(&mut self, other: &KindCounts) {
        for (k, n) in &other.0 {
            *self.0.entry(*k).or_default() += n;
        }
    }
}

/// `boundary 15, extra 18, label 10` (kinds by name, those with a count only, as
/// `spanbench agreement` prints them).
impl fmt::Display for KindCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<(&str, usize)> = self
            .0
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (k.name(), *n))
            .collect();
        parts.sort();
        let parts: Vec<String> = parts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        f.write_str(&parts.join(", "))
    }
}

/// Whether gold span `g` corresponds to unit span `s`: same offsets, or same label and
/// overlapping (the correspondence that builds units).
fn corresponds(g: &SpanRef, s: &SpanRef) -> bool {
    (g.start == s.start && g.end == s.end)
        || (g.label == s.label && g.start < s.end && s.start < g.end)
}

/// The gold spans (sorted by start, as [`crate::agreement::set_spans`] gives them)
/// that correspond to one of the unit's spans. `longest` is the length of the longest
/// gold span, which bounds where a candidate can start.
pub fn gold_in_unit(unit: &Disagreement, gold: &[SpanRef], longest: usize) -> Vec<SpanRef> {
    let lo = gold.partition_point(|g| g.start + longest <= unit.start);
    let hi = gold.partition_point(|g| g.start < unit.end);
    gold[lo..hi.max(lo)]
        .iter()
        .filter(|g| {
            unit.versions
                .iter()
                .flat_map(|v| &v.spans)
                .any(|s| corresponds(g, s))
        })
        .copied()
        .collect()
}

/// The length of the longest span, for [`gold_in_unit`].
pub fn longest(spans: &[SpanRef]) -> usize {
    spans.iter().map(|s| s.end - s.start).max().unwrap_or(0)
}

/// Offsets and label of each span, sorted: what "the same version" compares.
fn places(spans: &[SpanRef]) -> Vec<(usize, usize, u32)> {
    let mut v: Vec<(usize, usize, u32)> = spans.iter().map(|s| (s.start, s.end, s.label)).collect();
    v.sort_unstable();
    v
}
