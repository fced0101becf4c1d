//! Every change to annotations is an [`Edit`] that knows its inverse, so undo is exact.

use crate::model::{AnnotationSet, Decision, DocStatus, Relation, Span, SpanId};

/// One change to one annotation set.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    AddSpan(Span),
    RemoveSpan(Span),
    /// Replace a span (same id) by another: relabel, note, attributes, review.
    UpdateSpan {
        before: Span,
        after: Span,
    },
    AddRelation(Relation),
    RemoveRelation(Relation),
    SetStatus {
        before: DocStatus,
        after: DocStatus,
    },
    /// Record or remove a curator's decision on a unit (see `crate::curation`).
    AddDecision(Decision),
    RemoveDecision(Decision),
    /// Several edits applied in order and undone in reverse, as one step.
    Batch(Vec<Edit>),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EditError {
    #[error("span {0} already exists")]
    SpanExists(u32),
    #[error("span {0} does not exist")]
    NoSuchSpan(u32),
    #[error(
        "an identical span exists already: span {existing} ({label} [{start}..{end})); one range has one span per label"
    )]
    DuplicateSpan {
        existing: u32,
        label: String,
        start: usize,
        end: usize,
    },
    #[error("relation {0} already exists")]
    RelationExists(u32),
    #[error("relation {0} does not exist")]
    NoSuchRelation(u32),
    #[error("a decision on [{0}..{1}) is recorded already")]
    DecisionExists(usize, usize),
    #[error("no decision on [{0}..{1}) is recorded")]
    NoSuchDecision(usize, usize),
}

impl Edit {
    pub fn inverse(&self) -> Edit {
        match self {
            Edit::AddSpan(s) => Edit::RemoveSpan(s.clone()),
            Edit::RemoveSpan(s) => Edit::AddSpan(s.clone()),
            Edit::UpdateSpan { before, after } => Edit::UpdateSpan {
                before: after.clone(),
                after: before.clone(),
            },
            Edit::AddRelation(r) => Edit::RemoveRelation(r.clone()),
            Edit::RemoveRelation(r) => Edit::AddRelation(r.clone()),
            Edit::SetStatus { before, after } => Edit::SetStatus {
                before: *after,
                after: *before,
            },
            Edit::AddDecision(d) => Edit::RemoveDecision(d.clone()),
            Edit::RemoveDecision(d) => Edit::AddDecision(d.clone()),
            Edit::Batch(v) => Edit::Batch(v.iter().rev().map(Edit::inverse).collect()),
        }
    }

    /// Applies the edit. On error nothing has changed (a failed batch rolls back).
    pub fn apply(&self, set: &mut AnnotationSet) -> Result<(), EditError> {
        match self {
            Edit::AddSpan(s) => {
                if set.span(s.id).is_some() {
                    return Err(EditError::SpanExists(s.id.0));
                }
                refuse_duplicate(set, s)?;
                insert_span(set, s.clone());
            }
            Edit::RemoveSpan(s) => {
                let i = span_index(set, s.id)?;
                set.spans.remove(i);
            }
            Edit::UpdateSpan { before, after } => {
                let i = span_index(set, before.id)?;
                refuse_duplicate(set, after)?;
                set.spans.remove(i);
                insert_span(set, after.clone());
            }
            Edit::AddRelation(r) => {
                if set.relations.iter().any(|x| x.id == r.id) {
                    return Err(EditError::RelationExists(r.id.0));
                }
                let pos = set.relations.partition_point(|x| x.id < r.id);
                set.relations.insert(pos, r.clone());
            }
            Edit::RemoveRelation(r) => {
                let i = set
                    .relations
                    .iter()
                    .position(|x| x.id == r.id)
                    .ok_or(EditError::NoSuchRelation(r.id.0))?;
                set.relations.remove(i);
            }
            Edit::SetStatus { after, .. } => set.status = *after,
            Edit::AddDecision(d) => {
                match set
                    .decisions
                    .binary_search_by_key(&(d.start, d.end), |x| (x.start, x.end))
                {
                    Ok(_) => return Err(EditError::DecisionExists(d.start, d.end)),
                    Err(pos) => set.decisions.insert(pos, d.clone()),
                }
            }
            Edit::RemoveDecision(d) => {
                let i = set
                    .decisions
                    .iter()
                    .position(|x| x == d)
                    .ok_or(EditError::NoSuchDecision(d.start, d.end))?;
                set.decisions.remove(i);
            }
            Edit::Batch(v) => {
                for (i, e) in v.iter().enumerate() {
                    if let Err(err) = e.apply(set) {
                        for done in v[..i].iter().rev() {
                            let _ = done.inverse().apply(set);
                        }
                        return Err(err);
                    }
                }
            }
        }
        Ok(())
    }

    /// Removing a span also removes the relations that point at it, as one step.
    pub fn remove_span(set: &AnnotationSet, id: SpanId) -> Option<Edit> {
        let span = set.span(id)?.clone();
        let mut v: Vec<Edit> = set
            .relations
            .iter()
            .filter(|r| r.from == id || r.to == id)
            .map(|r| Edit::RemoveRelation(r.clone()))
            .collect();
        v.push(Edit::RemoveSpan(span));
        Some(if v.len() == 1 {
            v.remove(0)
        } else {
            Edit::Batch(v)
        })
    }

    /// Makes an edit that adds span `after.id` add `after` instead (an update of a span
    /// just added folded into the edit that added it). False if it adds no such span.
    pub fn fold_update(&mut self, after: &Span) -> bool {
        match self {
            Edit::AddSpan(s) if s.id == after.id => {
                *s = after.clone();
                true
            }
            Edit::Batch(v) => v.iter_mut().any(|e| e.fold_update(after)),
            _ => false,
        }
    }

    /// True when the edit changes nothing but the review state of spans: the one kind
    /// of change any reviewer may make to a model's layer.
    pub fn is_review_only(&self) -> bool {
        match self {
            Edit::UpdateSpan { before, after } => {
                before.id == after.id
                    && Span {
                        review: after.review,
                        ..before.clone()
                    } == *after
            }
            Edit::Batch(v) => !v.is_empty() && v.iter().all(Edit::is_review_only),
            _ => false,
        }
    }

    /// The spans this edit touches (for redrawing only what changed).
    pub fn touched_spans(&self, out: &mut Vec<(usize, usize)>) {
        match self {
            Edit::AddSpan(s) | Edit::RemoveSpan(s) => out.push((s.start, s.end)),
            Edit::UpdateSpan { before, after } => {
                out.push((before.start, before.end));
                out.push((after.start, after.end));
            }
            Edit::Batch(v) => v.iter().for_each(|e| e.touched_spans(out)),
            _ => {}
        }
    }
}

/// Inserts where [`AnnotationSet::sort`] would put the span. Keeping sets in that one
/// order makes every edit's inverse restore the set exactly, order included.
fn insert_span(set: &mut AnnotationSet, s: Span) {
    let key = (s.start, s.end, &s.label, s.id);
    let pos = set
        .spans
        .partition_point(|x| (x.start, x.end, &x.label, x.id) <= key);
    set.spans.insert(pos, s);
}

/// Two spans with the same range and label (other than `s` itself) are one annotation
/// counted twice: agreement, exports and training data would all count it twice.
fn refuse_duplicate(set: &AnnotationSet, s: &Span) -> Result<(), EditError> {
    match set
        .spans
        .iter()
        .find(|x| x.id != s.id && x.start == s.start && x.end == s.end && x.label == s.label)
    {
        Some(x) => Err(EditError::DuplicateSpan {
            existing: x.id.0,
            label: x.label.clone(),
            start: x.start,
            end: x.end,
        }),
        None => Ok(()),
    }
}

fn span_index(set: &AnnotationSet, id: SpanId) -> Result<usize, EditError> {
    set.spans
        .iter()
        .position(|s| s.id == id)
        .ok_or(EditError::NoSuchSpan(id.0))
}
