//! A curator's decisions on one disagreement, each one [`Edit`] of the gold layer's
//! set (so one undo step that restores the set exactly):
//!
//! - **take** annotator n's version: the gold spans of the unit become exactly theirs
//!   (gold spans already equal to one of theirs stay, with their ids, notes and
//!   relations; the others are removed with their relations; the missing ones are
//!   added), and the decision `Took(n)` is recorded;
//! - **reject**: the gold spans of the unit are removed and `Rejected` is recorded, so
//!   the unit counts as resolved with no span;
//! - **accept an edit**: the gold spans of the unit stay as the curator left them
//!   (boundaries moved, label changed) and `Edited` is recorded.
//!
//! A decision on a unit that already has one replaces it. A gold set that was new
//! becomes "in progress" in the same step.

use std::collections::HashSet;

use super::index::{Curation, UnitRef};
use super::premerge::new_span;
use super::{CurationError, places};
use crate::agreement::SpanRef;
use crate::edit::Edit;
use crate::model::{Choice, Corpus, Decision, DocStatus, SpanId};
use crate::offsets::OffsetMap;
use crate::session::Session;

/// What the curator decides on a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Take annotator `a`'s version (an index into [`super::Team::annotators`]).
    Take(usize),
    /// Resolve the unit with no span.
    Reject,
    /// Keep the gold layer's spans of the unit as they are now (after editing them).
    AcceptEdited,
}

/// The gold set's spans of the unit replaced by spans at `target`'s places, and the
/// decision (if any) recorded in place of an older one. Returns the edit and the ids
/// the target's spans have in the gold layer afterwards.
fn replace_unit(
    corpus: &Corpus,
    cur: &Curation,
    r: UnitRef,
    target: &[SpanRef],
    choice: Option<Choice>,
) -> Result<(Edit, Vec<SpanId>), CurationError> {
    let unit = cur.unit(r).ok_or(CurationError::NoSuchUnit)?;
    let id = cur.documents.get(r.doc).ok_or(CurationError::NoSuchUnit)?;
    let doc = corpus.document(id).ok_or(CurationError::NoSuchUnit)?;
    let set = corpus.set(&cur.team.gold, id);
    let mine = cur.gold_spans(corpus, r);
    let label_of = |l: u32| cur.labels.get(l as usize).map_or("", String::as_str);
    let want: Vec<(usize, usize, &str)> = places(target)
        .into_iter()
        .map(|(s, e, l)| (s, e, label_of(l)))
        .collect();
    let mut kept: Vec<(usize, usize, &str)> = Vec::new();
    let mut ids = Vec::new();
    let mut removed: Vec<SpanId> = Vec::new();
    for g in &mine {
        let place = (g.start, g.end, g.label.as_str());
        if want.contains(&place) && !kept.contains(&place) {
            kept.push(place);
            ids.push(g.id);
        } else {
            removed.push(g.id);
        }
    }
    let mut edits = Vec::new();
    if let Some(set) = set {
        let gone: HashSet<SpanId> = removed.iter().copied().collect();
        for rel in &set.relations {
            if gone.contains(&rel.from) || gone.contains(&rel.to) {
                edits.push(Edit::RemoveRelation(rel.clone()));
            }
        }
        for id in &removed {
            if let Some(s) = set.span(*id) {
                edits.push(Edit::RemoveSpan(s.clone()));
            }
        }
    }
    let map = OffsetMap::new(&doc.text);
    let mut next = set.map_or(1, |s| s.next_span_id().0);
    for t in target {
        let place = (t.start, t.end, label_of(t.label));
        if kept.contains(&place) {
            continue;
        }
        kept.push(place);
        let span = new_span(&doc.text, &map, t, &cur.labels, SpanId(next));
        ids.push(span.id);
        next += 1;
        edits.push(Edit::AddSpan(span));
    }
    if let Some(choice) = choice {
        if let Some(old) = set.and_then(|s| s.decision(unit.start, unit.end)) {
            edits.push(Edit::RemoveDecision(old.clone()));
        }
        edits.push(Edit::AddDecision(Decision {
            start: unit.start,
            end: unit.end,
            choice,
        }));
    }
    if set.map_or(DocStatus::New, |s| s.status) == DocStatus::New {
        edits.push(Edit::SetStatus {
            before: DocStatus::New,
            after: DocStatus::InProgress,
        });
    }
    Ok((Edit::Batch(edits), ids))
}

/// The edit of the gold layer's set that carries out `action` on unit `r`.
pub fn decision_edit(
    corpus: &Corpus,
    cur: &Curation,
    r: UnitRef,
    action: Action,
) -> Result<Edit, CurationError> {
    let unit = cur.unit(r).ok_or(CurationError::NoSuchUnit)?;
    match action {
        Action::Take(a) => {
            let name = cur.team.annotators.get(a).ok_or_else(|| {
                CurationError::NoAnnotatorNumber(a + 1, cur.team.annotators.join(", "))
            })?;
            let v = unit
                .versions
                .iter()
                .find(|v| v.annotator == a)
                .ok_or_else(|| CurationError::NoVersion(name.clone()))?;
            Ok(replace_unit(corpus, cur, r, &v.spans, Some(Choice::Took(name.clone())))?.0)
        }
        Action::Reject => Ok(replace_unit(corpus, cur, r, &[], Some(Choice::Rejected))?.0),
        Action::AcceptEdited => {
            let set = cur
                .documents
                .get(r.doc)
                .and_then(|id| corpus.set(&cur.team.gold, id));
            let mut edits = Vec::new();
            if let Some(old) = set.and_then(|s| s.decision(unit.start, unit.end)) {
                edits.push(Edit::RemoveDecision(old.clone()));
            }
            edits.push(Edit::AddDecision(Decision {
                start: unit.start,
                end: unit.end,
                choice: Choice::Edited,
            }));
            if set.map_or(DocStatus::New, |s| s.status) == DocStatus::New {
                edits.push(Edit::SetStatus {
                    before: DocStatus::New,
                    after: DocStatus::InProgress,
                });
            }
            Ok(Edit::Batch(edits))
        }
    }
}

/// The version an edit of the unit starts from: the one most annotators hold, the
/// first annotator's among equals; never an empty one. `None` if all are empty.
pub fn starting_version(cur: &Curation, r: UnitRef) -> Option<usize> {
    let unit = cur.unit(r)?;
    let mut best: Option<(usize, usize)> = None;
    for v in unit.versions.iter().filter(|v| !v.spans.is_empty()) {
        let p = places(&v.spans);
        let votes = unit
            .versions
            .iter()
            .filter(|w| places(&w.spans) == p)
            .count();
        if best.is_none_or(|(_, n)| votes > n) {
            best = Some((v.annotator, votes));
        }
    }
    best.map(|(a, _)| a)
}

/// Before the curator edits a unit: when the gold layer has no span in it, the edit
/// that copies the [`starting_version`] into gold (no decision yet), and the ids of
/// the copied spans. `None` when gold already has spans there (edit those).
pub fn seed_edit(
    corpus: &Corpus,
    cur: &Curation,
    r: UnitRef,
) -> Result<Option<(Edit, Vec<SpanId>)>, CurationError> {
    if !cur.gold_spans(corpus, r).is_empty() {
        return Ok(None);
    }
    let unit = cur.unit(r).ok_or(CurationError::NoSuchUnit)?;
    let Some(a) = starting_version(cur, r) else {
        return Ok(None);
    };
    let spans = unit
        .versions
        .iter()
        .find(|v| v.annotator == a)
        .map(|v| v.spans.clone())
        .unwrap_or_default();
    replace_unit(corpus, cur, r, &spans, None).map(Some)
}

impl Curation {
    /// Carries out `action` on unit `r` in the gold layer through the session (one undo
    /// step) and brings the unit's document up to date. The gold layer must be
    /// editable in the session ([`Session::unlock_layer`]).
    pub fn decide(
        &mut self,
        session: &mut Session,
        r: UnitRef,
        action: Action,
    ) -> Result<(), CurationError> {
        let edit = decision_edit(&session.corpus, self, r, action)?;
        let doc = self
            .documents
            .get(r.doc)
            .cloned()
            .ok_or(CurationError::NoSuchUnit)?;
        session.apply_many(&self.team.gold, vec![(doc.clone(), edit)])?;
        self.refresh_doc(&session.corpus, &doc);
        Ok(())
    }
}
