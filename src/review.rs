//! Reviewing a model's suggestions: a queue over the corpus and the decisions on it.
//!
//! A suggestion is a span of a model layer (`LayerKind::Model`). It is *pending* while
//! its review state is `Unreviewed` and the reviewer's own layer does not already hold
//! the same span (same start, end and label). Decisions:
//!
//! - **accept**: the span goes into the reviewer's layer (origin `Suggested`, review
//!   `Accepted`) and the suggestion is marked `Accepted` in the model layer;
//! - **reject**: the suggestion is marked `Rejected`; it is never offered again, and a
//!   recommender that proposes it again keeps the decision;
//! - **accept to edit**: accepted as above, and the boundary and label changes made to
//!   the new span until the next decision fold into the same undo step;
//! - **accept all at or above a score** in one document.
//!
//! Each decision is ONE undo step (`Session::apply_compound`) even though it changes two
//! layers, and is saved like any edit. Changing a model layer's review state is allowed
//! to any reviewer (`Session::check_edit`); nothing else of a model layer is.
//!
//! No egui here: the GUI draws the queue and calls these functions.

use std::collections::BTreeMap;

use crate::edit::Edit;
use crate::history::Target;
use crate::model::{Corpus, DocStatus, LayerKind, Origin, Review, Span, SpanId};
use crate::session::{Session, SessionError};

/// The order suggestions are offered in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Document by document, in reading order.
    #[default]
    Document,
    /// The least confident first (unscored suggestions last), ties in document order.
    Score,
}

/// One suggestion: where it is and what it proposes.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub doc: String,
    pub id: SpanId,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub score: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("{0:?} is not a model's layer; suggestions come from model layers")]
    NotAModel(String),
    #[error("suggestion {1} of {0:?} no longer exists")]
    NoSuggestion(String, u32),
    #[error("this suggestion has been decided already")]
    Decided,
    #[error("your layer holds this span already")]
    Held,
}

/// The model layers of a project, by name.
pub fn model_layers(corpus: &Corpus) -> Vec<String> {
    corpus
        .project
        .layers
        .iter()
        .filter(|(_, i)| i.kind == LayerKind::Model)
        .map(|(n, _)| n.clone())
        .collect()
}

/// True when `layer` holds a span with the same start, end and label as `s`.
pub fn holds(corpus: &Corpus, layer: &str, doc: &str, s: &Span) -> bool {
    corpus.set(layer, doc).is_some_and(|set| {
        set.spans
            .iter()
            .any(|x| x.start == s.start && x.end == s.end && x.label == s.label)
    })
}

/// Whether the suggestion still waits for `reviewer`'s decision.
pub fn is_pending(corpus: &Corpus, model: &str, reviewer: &str, doc: &str, id: SpanId) -> bool {
    corpus
        .set(model, doc)
        .and_then(|set| set.span(id))
        .is_some_and(|s| s.review == Review::Unreviewed && !holds(corpus, reviewer, doc, s))
}

/// The suggestions of `model` in one document that wait for `reviewer`, in reading order.
/// This is what the pane draws over the reviewer's layer.
pub fn pending_in<'a>(corpus: &'a Corpus, model: &str, reviewer: &str, doc: &str) -> Vec<&'a Span> {
    let Some(set) = corpus.set(model, doc) else {
        return Vec::new();
    };
    set.spans
        .iter()
        .filter(|s| s.review == Review::Unreviewed && !holds(corpus, reviewer, doc, s))
        .collect()
}

/// A walk over every suggestion of one model layer, for one reviewer.
#[derive(Clone, Debug)]
pub struct Queue {
    pub model: String,
    pub reviewer: String,
    pub order: Order,
    items: Vec<Item>,
    /// The suggestion on offer (an index into `items`), if any is pending.
    cursor: Option<usize>,
}

impl Queue {
    /// Every suggestion of `model` in `order`, on offer from the first pending one.
    pub fn new(corpus: &Corpus, model: &str, reviewer: &str, order: Order) -> Self {
        let mut items = Vec::new();
        for d in &corpus.documents {
            if let Some(set) = corpus.set(model, &d.id) {
                items.extend(set.spans.iter().map(|s| Item {
                    doc: d.id.clone(),
                    id: s.id,
                    start: s.start,
                    end: s.end,
                    label: s.label.clone(),
                    score: s.score.map(|c| c.value()),
                }));
            }
        }
        if order == Order::Score {
            // A stable sort keeps document order among equal scores.
            items.sort_by(|a, b| match (a.score, b.score) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        let mut q = Queue {
            model: model.to_string(),
            reviewer: reviewer.to_string(),
            order,
            items,
            cursor: None,
        };
        q.cursor = q.find_from(corpus, 0);
        q
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The suggestion on offer, if any is still pending.
    pub fn current(&self) -> Option<&Item> {
        self.cursor.map(|i| &self.items[i])
    }

    pub fn cursor(&self) -> Option<usize> {
        self.cursor
    }

    fn pending_at(&self, corpus: &Corpus, i: usize) -> bool {
        let it = &self.items[i];
        is_pending(corpus, &self.model, &self.reviewer, &it.doc, it.id)
    }

    /// The first pending suggestion at or after `from`, wrapping around once.
    fn find_from(&self, corpus: &Corpus, from: usize) -> Option<usize> {
        let n = self.items.len();
        (0..n)
            .map(|k| (from + k) % n)
            .find(|&i| self.pending_at(corpus, i))
    }

    /// Offers the next pending suggestion after the current one (wrapping around, so a
    /// skipped one comes back at the end); `None` once every suggestion is decided.
    pub fn advance(&mut self, corpus: &Corpus) -> Option<&Item> {
        let from = self.cursor.map_or(0, |i| i + 1);
        self.cursor = if self.items.is_empty() {
            None
        } else {
            self.find_from(corpus, from % self.items.len())
        };
        self.current()
    }

    /// Checks that the suggestion on offer is still pending (after an undo, a refresh
    /// from disk or a decision made elsewhere) and moves on if it is not.
    pub fn revalidate(&mut self, corpus: &Corpus) {
        match self.cursor {
            Some(i) if self.pending_at(corpus, i) => {}
            Some(i) => self.cursor = self.find_from(corpus, i),
            None if !self.items.is_empty() => self.cursor = self.find_from(corpus, 0),
            None => {}
        }
    }

    /// Offers suggestion `id` of `doc` (after an undo brings it back, or a click).
    pub fn focus(&mut self, doc: &str, id: SpanId) -> bool {
        match self
            .items
            .iter()
            .position(|it| it.doc == doc && it.id == id)
        {
            Some(i) => {
                self.cursor = Some(i);
                true
            }
            None => false,
        }
    }

    /// Offers the first pending suggestion of `doc` (the document just opened).
    pub fn focus_document(&mut self, corpus: &Corpus, doc: &str) -> bool {
        let hit = self
            .items
            .iter()
            .enumerate()
            .find(|(i, it)| it.doc == doc && self.pending_at(corpus, *i))
            .map(|(i, _)| i);
        if hit.is_some() {
            self.cursor = hit;
        }
        hit.is_some()
    }
}

/// How far a review has come: reviewed k of n, overall and per label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Suggestions the reviewer's layer held already: nothing to decide.
    pub held: usize,
    /// Label -> (reviewed, total).
    pub per_label: BTreeMap<String, (usize, usize)>,
}

impl Progress {
    pub fn reviewed(&self) -> usize {
        self.accepted + self.rejected + self.held
    }

    pub fn pending(&self) -> usize {
        self.total - self.reviewed()
    }
}

/// Counts every suggestion of `model` by its state for `reviewer`.
pub fn progress(corpus: &Corpus, model: &str, reviewer: &str) -> Progress {
    let mut p = Progress::default();
    let Some(sets) = corpus.annotations.get(model) else {
        return p;
    };
    for (doc, set) in sets {
        for s in &set.spans {
            p.total += 1;
            let reviewed = match s.review {
                Review::Accepted => {
                    p.accepted += 1;
                    true
                }
                Review::Rejected => {
                    p.rejected += 1;
                    true
                }
                Review::Unreviewed if holds(corpus, reviewer, doc, s) => {
                    p.held += 1;
                    true
                }
                Review::Unreviewed => false,
            };
            let e = p.per_label.entry(s.label.clone()).or_default();
            e.1 += 1;
            e.0 += reviewed as usize;
        }
    }
    p
}

fn suggestion(corpus: &Corpus, model: &str, doc: &str, id: SpanId) -> Result<Span, ReviewError> {
    if corpus.project.layer_kind(model) != LayerKind::Model {
        return Err(ReviewError::NotAModel(model.to_string()));
    }
    corpus
        .set(model, doc)
        .and_then(|s| s.span(id))
        .cloned()
        .ok_or_else(|| ReviewError::NoSuggestion(model.to_string(), id.0))
}

fn target(annotator: &str, doc: &str) -> Target {
    Target {
        annotator: annotator.to_string(),
        doc: doc.to_string(),
    }
}

fn marked(s: &Span, review: Review) -> Edit {
    Edit::UpdateSpan {
        before: s.clone(),
        after: Span {
            review,
            ..s.clone()
        },
    }
}

/// The edits that put `spans` into the reviewer's layer of `doc` as accepted, with new
/// ids, and make a new document "in progress" in the same step.
fn additions(session: &Session, doc: &str, spans: &[&Span]) -> (Edit, Vec<SpanId>) {
    let set = session.corpus.set(&session.user, doc);
    let first = set.map_or(1, |s| s.next_span_id().0);
    let status = set.map_or(DocStatus::New, |s| s.status);
    let mut edits = Vec::with_capacity(spans.len() + 1);
    let mut ids = Vec::with_capacity(spans.len());
    for (i, s) in spans.iter().enumerate() {
        let id = SpanId(first + i as u32);
        ids.push(id);
        edits.push(Edit::AddSpan(Span {
            id,
            start: s.start,
            end: s.end,
            label: s.label.clone(),
            text: s.text.clone(),
            attrs: Default::default(),
            note: String::new(),
            origin: Origin::Suggested,
            review: Review::Accepted,
            score: None,
        }));
    }
    if status == DocStatus::New {
        edits.push(Edit::SetStatus {
            before: DocStatus::New,
            after: DocStatus::InProgress,
        });
    }
    let edit = if edits.len() == 1 {
        edits.remove(0)
    } else {
        Edit::Batch(edits)
    };
    (edit, ids)
}

fn pending_suggestion(
    session: &Session,
    model: &str,
    doc: &str,
    id: SpanId,
) -> Result<Span, ReviewError> {
    let s = suggestion(&session.corpus, model, doc, id)?;
    if s.review != Review::Unreviewed {
        return Err(ReviewError::Decided);
    }
    if holds(&session.corpus, &session.user, doc, &s) {
        return Err(ReviewError::Held);
    }
    Ok(s)
}

/// Accepts a suggestion: into the reviewer's (the session user's) layer, and marked
/// accepted in the model's, as one undo step. Returns the new span's id.
pub fn accept(
    session: &mut Session,
    model: &str,
    doc: &str,
    id: SpanId,
) -> Result<SpanId, ReviewError> {
    let s = pending_suggestion(session, model, doc, id)?;
    let (add, ids) = additions(session, doc, &[&s]);
    session.apply_compound(vec![
        (target(&session.user.clone(), doc), add),
        (target(model, doc), marked(&s, Review::Accepted)),
    ])?;
    Ok(ids[0])
}

/// Accepts a suggestion to edit it: as [`accept`], and the changes made to the new
/// span (boundaries, label) until the history is sealed fold into the same step.
pub fn accept_to_edit(
    session: &mut Session,
    model: &str,
    doc: &str,
    id: SpanId,
) -> Result<SpanId, ReviewError> {
    let new = accept(session, model, doc, id)?;
    let t = target(&session.user.clone(), doc);
    session.history.absorb_updates(t, new);
    Ok(new)
}

/// Rejects a suggestion: recorded in the model layer, never offered again.
pub fn reject(
    session: &mut Session,
    model: &str,
    doc: &str,
    id: SpanId,
) -> Result<(), ReviewError> {
    let s = suggestion(&session.corpus, model, doc, id)?;
    if s.review != Review::Unreviewed {
        return Err(ReviewError::Decided);
    }
    session.apply_compound(vec![(target(model, doc), marked(&s, Review::Rejected))])?;
    Ok(())
}

/// Accepts every pending suggestion of `doc` scored at least `threshold` (unscored ones
/// are left alone), as one undo step. Returns how many.
pub fn accept_at_least(
    session: &mut Session,
    model: &str,
    doc: &str,
    threshold: f64,
) -> Result<usize, ReviewError> {
    if session.corpus.project.layer_kind(model) != LayerKind::Model {
        return Err(ReviewError::NotAModel(model.to_string()));
    }
    let user = session.user.clone();
    let chosen: Vec<Span> = pending_in(&session.corpus, model, &user, doc)
        .into_iter()
        .filter(|s| s.score.is_some_and(|c| c.value() >= threshold))
        .cloned()
        .collect();
    if chosen.is_empty() {
        return Ok(0);
    }
    let refs: Vec<&Span> = chosen.iter().collect();
    let (add, _) = additions(session, doc, &refs);
    let marks = Edit::Batch(chosen.iter().map(|s| marked(s, Review::Accepted)).collect());
    session.apply_compound(vec![(target(&user, doc), add), (target(model, doc), marks)])?;
    Ok(chosen.len())
}

/// The suggestion the next undo gives back, if the last step was a decision on one:
/// (model layer, document, span id) of the first suggestion it touched.
pub fn last_decision(session: &Session) -> Option<(String, String, SpanId)> {
    let entry = session.history.peek_undo()?;
    entry.parts().find_map(|(t, e)| {
        if session.corpus.project.layer_kind(&t.annotator) != LayerKind::Model {
            return None;
        }
        let first = match e {
            Edit::UpdateSpan { after, .. } => Some(after.id),
            Edit::Batch(v) => v.iter().find_map(|e| match e {
                Edit::UpdateSpan { after, .. } => Some(after.id),
                _ => None,
            }),
            _ => None,
        }?;
        Some((t.annotator.clone(), t.doc.clone(), first))
    })
}
