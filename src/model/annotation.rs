use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FORMAT_VERSION;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpanId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RelationId(pub u32);

/// A labelled span. Offsets are Unicode scalar values, end-exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub id: SpanId,
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// A copy of the covered text, checked against the document on every load.
    pub text: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(default, skip_serializing_if = "Origin::is_manual")]
    pub origin: Origin,
    #[serde(default, skip_serializing_if = "Review::is_unreviewed")]
    pub review: Review,
    /// A model's confidence in a suggested span, 0..=1; none for people's spans. Left out
    /// of the file when absent, so files without scores keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Confidence>,
}

/// A model's confidence in a span. `validate_set` checks on every load that it is a
/// finite number in 0..=1; compared by its bits, so spans stay `Eq`.
#[derive(Clone, Copy, Debug, Default, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Confidence(pub f64);

impl Confidence {
    pub fn value(self) -> f64 {
        self.0
    }

    pub fn is_valid(self) -> bool {
        self.0.is_finite() && (0.0..=1.0).contains(&self.0)
    }
}

impl PartialEq for Confidence {
    fn eq(&self, o: &Self) -> bool {
        self.0.to_bits() == o.0.to_bits()
    }
}

impl Eq for Confidence {}

impl std::hash::Hash for Confidence {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.to_bits().hash(h)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    #[default]
    Manual,
    Imported,
    Suggested,
}

impl Origin {
    fn is_manual(&self) -> bool {
        *self == Origin::Manual
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Review {
    #[default]
    Unreviewed,
    Accepted,
    Rejected,
}

impl Review {
    fn is_unreviewed(&self) -> bool {
        *self == Review::Unreviewed
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub id: RelationId,
    #[serde(rename = "type")]
    pub kind: String,
    pub from: SpanId,
    pub to: SpanId,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum DocStatus {
    #[default]
    New,
    InProgress,
    Done,
    Reviewed,
}

impl DocStatus {
    pub const ALL: [DocStatus; 4] = [
        DocStatus::New,
        DocStatus::InProgress,
        DocStatus::Done,
        DocStatus::Reviewed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::New => "new",
            DocStatus::InProgress => "in progress",
            DocStatus::Done => "done",
            DocStatus::Reviewed => "reviewed",
        }
    }
}

/// `annotations/<annotator>/<document>.ron`: one annotator's work on one document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotationSet {
    pub format_version: u32,
    pub document: String,
    pub annotator: String,
    #[serde(default)]
    pub status: DocStatus,
    #[serde(default)]
    pub spans: Vec<Span>,
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// A curator's decisions on units of disagreement (gold layer only in practice):
    /// what makes a unit resolved when the spans alone cannot tell, e.g. one rejected
    /// with no span. Written only when there are some, so older files keep their bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
}

/// A curator's decision on one unit of disagreement among the annotators (see
/// `crate::curation`), recorded in the gold layer's set of the document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The unit's extent: the smallest start and the largest end of the annotators'
    /// spans in it (canonical offsets, end-exclusive). A unit whose extent changes (an
    /// annotator changed a span) is a new question and no longer matches.
    pub start: usize,
    pub end: usize,
    pub choice: Choice,
}

/// What the curator decided on a unit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Choice {
    /// The gold layer took this annotator's version of the unit.
    Took(String),
    /// The unit is resolved with no span in the gold layer.
    Rejected,
    /// The gold layer holds the curator's own version (boundaries or label edited).
    Edited,
}

impl Choice {
    pub fn describe(&self) -> String {
        match self {
            Choice::Took(a) => format!("took {a}'s version"),
            Choice::Rejected => "rejected".to_string(),
            Choice::Edited => "edited and accepted".to_string(),
        }
    }
}

impl AnnotationSet {
    pub fn new(document: &str, annotator: &str) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            document: document.to_string(),
            annotator: annotator.to_string(),
            status: DocStatus::New,
            spans: Vec::new(),
            relations: Vec::new(),
            decisions: Vec::new(),
        }
    }

    pub fn span(&self, id: SpanId) -> Option<&Span> {
        self.spans.iter().find(|s| s.id == id)
    }

    pub fn next_span_id(&self) -> SpanId {
        SpanId(self.spans.iter().map(|s| s.id.0).max().map_or(1, |m| m + 1))
    }

    pub fn next_relation_id(&self) -> RelationId {
        RelationId(
            self.relations
                .iter()
                .map(|r| r.id.0)
                .max()
                .map_or(1, |m| m + 1),
        )
    }

    /// Puts spans and relations in the canonical order files are written in, so that
    /// saving twice gives the same bytes and diffs stay small.
    pub fn sort(&mut self) {
        self.spans.sort_by(Self::span_order);
        self.relations.sort_by_key(|r| r.id);
        self.decisions.sort_by_key(|d| (d.start, d.end));
    }

    /// True when [`AnnotationSet::sort`] would change nothing (a set about to be
    /// saved then needs no sorted copy).
    pub fn is_sorted(&self) -> bool {
        self.spans
            .is_sorted_by(|a, b| Self::span_order(a, b).is_le())
            && self.relations.is_sorted_by_key(|r| r.id)
            && self.decisions.is_sorted_by_key(|d| (d.start, d.end))
    }

    fn span_order(a: &Span, b: &Span) -> std::cmp::Ordering {
        (a.start, a.end, &a.label, a.id).cmp(&(b.start, b.end, &b.label, b.id))
    }

    /// The decision recorded for the unit `[start, end)`, if any.
    pub fn decision(&self, start: usize, end: usize) -> Option<&Decision> {
        self.decisions
            .binary_search_by_key(&(start, end), |d| (d.start, d.end))
            .ok()
            .map(|i| &self.decisions[i])
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
            && self.relations.is_empty()
            && self.decisions.is_empty()
            && self.status == DocStatus::New
    }
}
