//! The pre-merge: every span enough annotators agree on goes into the gold layer before
//! a person looks at the rest.
//!
//! **Votes.** In each unit (see [`super`]), every distinct span (offsets and label)
//! gets one vote from each annotator whose version holds it. Of the `n` annotators who
//! annotated the document, a span needs
//!
//! - `unanimous`: `n` votes (every annotator has it);
//! - `majority`: more than `n / 2`;
//! - `threshold:K`: at least `K` (K between 1 and the number of annotators compared).
//!
//! So whatever unanimous adds, majority adds too, and whatever majority adds,
//! threshold:1 adds. Documents annotated by fewer than two of the annotators are left
//! out (there is nothing to agree on).
//!
//! **Never over the curator.** A unit is left as it is when the gold layer records a
//! decision on it, or already holds any span of it (a gold layer made by hand, an
//! earlier pre-merge, an edit): the pre-merge only fills units where the gold layer has
//! nothing yet. Running it twice adds nothing the second time.
//!
//! The result is a [`PremergePlan`]: one [`Edit`] per document (added spans, and the
//! status "in progress" for a gold set that was new), and what is left for a person:
//! the disagreements that are still unresolved once the plan is applied.

use std::collections::{HashMap, HashSet};
use std::fmt;

use rayon::prelude::*;

use super::index::{gold_of, resolve_unit};
use super::{CurationError, KindCounts, Team, gold_in_unit, longest};
use crate::agreement::disagreements::{Disagreement, units_in_doc};
use crate::agreement::{SpanRef, doc_spans, label_index};
use crate::edit::Edit;
use crate::model::{Corpus, DocStatus, Span, SpanId};
use crate::offsets::OffsetMap;
use crate::session::Session;

/// How many annotators must hold a span for the pre-merge to put it into gold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Unanimous,
    Majority,
    Threshold(usize),
}

impl Strategy {
    /// `unanimous`, `majority` or `threshold:K`.
    pub fn parse(s: &str) -> Result<Strategy, CurationError> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "unanimous" => Ok(Strategy::Unanimous),
            "majority" => Ok(Strategy::Majority),
            _ => t
                .strip_prefix("threshold:")
                .and_then(|k| k.trim().parse::<usize>().ok())
                .map(Strategy::Threshold)
                .ok_or_else(|| CurationError::BadStrategy(s.to_string())),
        }
    }

    /// Votes a span needs among `present` annotators.
    pub fn needed(self, present: usize) -> usize {
        match self {
            Strategy::Unanimous => present,
            Strategy::Majority => present / 2 + 1,
            Strategy::Threshold(k) => k,
        }
    }

    /// Refuses a threshold outside 1..=annotators.
    pub fn check(self, annotators: usize) -> Result<(), CurationError> {
        match self {
            Strategy::Threshold(k) if k == 0 || k > annotators => {
                Err(CurationError::ThresholdOutOfRange { k, n: annotators })
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Unanimous => f.write_str("unanimous"),
            Strategy::Majority => f.write_str("majority"),
            Strategy::Threshold(k) => write!(f, "threshold:{k}"),
        }
    }
}

/// What the pre-merge does to one document.
#[derive(Clone, Debug)]
pub struct DocPlan {
    pub doc: String,
    /// Added spans (and the status change), or `None` when nothing is added.
    pub edit: Option<Edit>,
    pub added: usize,
    /// Units the gold layer had decided or filled already, left as they were.
    pub kept: usize,
    /// Disagreements still unresolved once `edit` is applied, by kind.
    pub left: KindCounts,
    pub left_units: usize,
}

/// The pre-merge of a corpus, ready to apply.
#[derive(Clone, Debug)]
pub struct PremergePlan {
    pub team: Team,
    pub strategy: Strategy,
    /// One per document annotated by two or more of the annotators, in corpus order.
    pub docs: Vec<DocPlan>,
    /// Documents annotated by fewer than two, left out.
    pub skipped: usize,
}

impl PremergePlan {
    pub fn added(&self) -> usize {
        self.docs.iter().map(|d| d.added).sum()
    }

    pub fn kept(&self) -> usize {
        self.docs.iter().map(|d| d.kept).sum()
    }

    pub fn left_units(&self) -> usize {
        self.docs.iter().map(|d| d.left_units).sum()
    }

    pub fn left(&self) -> KindCounts {
        let mut c = KindCounts::default();
        for d in &self.docs {
            c.merge(&d.left);
        }
        c
    }

    /// The edits, one per document that gains spans.
    pub fn edits(&self) -> Vec<(String, Edit)> {
        self.docs
            .iter()
            .filter_map(|d| d.edit.clone().map(|e| (d.doc.clone(), e)))
            .collect()
    }

    /// Applies the plan to the gold layer through the session, as ONE undo step.
    /// The gold layer must be editable in the session (the curator's explicit choice:
    /// [`Session::unlock_layer`]).
    pub fn apply(&self, session: &mut Session) -> Result<(), CurationError> {
        let edits = self.edits();
        if edits.is_empty() {
            return Ok(());
        }
        session.apply_many(&self.team.gold, edits)?;
        Ok(())
    }
}

/// The spans of a unit that get at least `needed` votes, each once.
fn voted(unit: &Disagreement, needed: usize) -> Vec<SpanRef> {
    let mut votes: Vec<(SpanRef, usize)> = Vec::new();
    for v in &unit.versions {
        for (k, s) in v.spans.iter().enumerate() {
            // One vote per annotator, even if their version held the span twice.
            let place = |x: &SpanRef| (x.start, x.end, x.label);
            if v.spans[..k].iter().any(|x| place(x) == place(s)) {
                continue;
            }
            match votes.iter_mut().find(|(x, _)| place(x) == place(s)) {
                Some((_, n)) => *n += 1,
                None => votes.push((*s, 1)),
            }
        }
    }
    votes
        .into_iter()
        .filter(|&(_, n)| n >= needed.max(1))
        .map(|(s, _)| s)
        .collect()
}

fn plan_doc(
    corpus: &Corpus,
    team: &Team,
    labels: &[String],
    index: &HashMap<&str, u32>,
    strategy: Strategy,
    i: usize,
) -> Option<DocPlan> {
    let doc = &corpus.documents[i];
    let ds = doc_spans(corpus, doc, &team.annotators, labels, index);
    let present = ds.sets.iter().filter(|s| s.is_some()).count();
    if present < 2 {
        return None;
    }
    let units = units_in_doc(i, &ds, None);
    let (gold, decisions) = gold_of(corpus, team, &doc.id, labels, index);
    let long = longest(&gold);
    let needed = strategy.needed(present);
    let mut add: Vec<SpanRef> = Vec::new();
    let mut taken: HashSet<(usize, usize, u32)> =
        gold.iter().map(|x| (x.start, x.end, x.label)).collect();
    let mut kept = 0;
    for u in &units {
        let decided = decisions
            .binary_search_by_key(&(u.start, u.end), |d| (d.start, d.end))
            .is_ok();
        if decided || !gold_in_unit(u, &gold, long).is_empty() {
            kept += 1;
            continue;
        }
        for s in voted(u, needed) {
            if taken.insert((s.start, s.end, s.label)) {
                add.push(s);
            }
        }
    }
    // What is left for a person: disagreements still unresolved with the additions.
    let mut after: Vec<SpanRef> = gold.iter().chain(&add).copied().collect();
    after.sort_by_key(|s| (s.start, s.end, s.label));
    let after_long = longest(&after);
    let mut left = KindCounts::default();
    let mut left_units = 0;
    for u in units.iter().filter(|u| !u.kinds.is_empty()) {
        if !resolve_unit(u, &after, after_long, decisions).is_resolved() {
            left.add(&u.kinds);
            left_units += 1;
        }
    }
    let edit = (!add.is_empty()).then(|| {
        let set = corpus.set(&team.gold, &doc.id);
        let first = set.map_or(1, |s| s.next_span_id().0);
        let map = OffsetMap::new(&doc.text);
        add.sort_by_key(|s| (s.start, s.end, s.label));
        let mut edits: Vec<Edit> = add
            .iter()
            .enumerate()
            .map(|(k, s)| {
                Edit::AddSpan(new_span(
                    &doc.text,
                    &map,
                    s,
                    labels,
                    SpanId(first + k as u32),
                ))
            })
            .collect();
        let status = set.map_or(DocStatus::New, |s| s.status);
        if status == DocStatus::New {
            edits.push(Edit::SetStatus {
                before: DocStatus::New,
                after: DocStatus::InProgress,
            });
        }
        Edit::Batch(edits)
    });
    Some(DocPlan {
        doc: doc.id.clone(),
        edit,
        added: add.len(),
        kept,
        left,
        left_units,
    })
}

/// A gold span at `s`'s place with a new id; its text is cut from the document.
pub(super) fn new_span(
    text: &str,
    map: &OffsetMap,
    s: &SpanRef,
    labels: &[String],
    id: SpanId,
) -> Span {
    let cut = match (map.char_to_byte(s.start), map.char_to_byte(s.end)) {
        (Some(a), Some(b)) => text.get(a..b).unwrap_or(""),
        _ => "",
    };
    Span {
        id,
        start: s.start,
        end: s.end,
        label: labels.get(s.label as usize).cloned().unwrap_or_default(),
        text: cut.to_string(),
        attrs: Default::default(),
        note: String::new(),
        origin: Default::default(),
        review: Default::default(),
        score: None,
    }
}

/// Plans the pre-merge of the team's layers into its gold layer with `strategy`.
pub fn plan(
    corpus: &Corpus,
    team: &Team,
    strategy: Strategy,
) -> Result<PremergePlan, CurationError> {
    strategy.check(team.annotators.len())?;
    let labels: Vec<String> = corpus
        .project
        .labels
        .iter()
        .map(|l| l.key.clone())
        .collect();
    let index = label_index(&labels);
    let per: Vec<Option<DocPlan>> = (0..corpus.documents.len())
        .into_par_iter()
        .map(|i| plan_doc(corpus, team, &labels, &index, strategy, i))
        .collect();
    let skipped = per.iter().filter(|p| p.is_none()).count();
    Ok(PremergePlan {
        team: team.clone(),
        strategy,
        docs: per.into_iter().flatten().collect(),
        skipped,
    })
}
