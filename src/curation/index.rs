//! The disagreements of every document, which of them are resolved, progress, and the
//! next and previous unresolved one: what a curation view walks.
//!
//! Built once over the corpus (documents in parallel); after a decision only its
//! document is computed again ([`Curation::refresh_doc`]), so deciding and stepping
//! never cost more than one document. Stepping to the next unresolved disagreement
//! looks at the units of the current document and then at one counter per document.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{KindCounts, Team, gold_in_unit, longest, places};
use crate::agreement::disagreements::{self, Disagreement};
use crate::agreement::{SpanRef, doc_spans, label_index, set_spans};
use crate::model::{Choice, Corpus, Decision, Span};

/// Whether a disagreement is resolved, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Unresolved,
    /// The gold layer's version equals this annotator's (an index into
    /// [`Team::annotators`]), with no decision recorded (a gold layer made by hand, or
    /// a pre-merge that settled it).
    Matches(usize),
    /// The curator's recorded decision.
    Decided(Choice),
}

impl Resolution {
    pub fn is_resolved(&self) -> bool {
        *self != Resolution::Unresolved
    }
}

/// A disagreement: its document's index and its index among the document's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnitRef {
    pub doc: usize,
    pub unit: usize,
}

/// One document's disagreements.
#[derive(Clone, Debug, Default)]
pub struct DocUnits {
    /// Sorted by start and end.
    pub units: Vec<Disagreement>,
    pub resolution: Vec<Resolution>,
    pub unresolved: usize,
}

/// Every disagreement of the corpus among a [`Team`]'s annotators, with its resolution.
#[derive(Clone, Debug)]
pub struct Curation {
    pub team: Team,
    /// Label keys; a unit span's `label` indexes this list (the schema's labels).
    pub labels: Vec<String>,
    /// Document ids in corpus order.
    pub documents: Vec<String>,
    docs: Vec<DocUnits>,
    unresolved: usize,
    total: usize,
}

/// The gold layer's spans of a document as unit spans, and its decisions.
pub(super) fn gold_of<'a>(
    corpus: &'a Corpus,
    team: &Team,
    doc: &str,
    labels: &[String],
    index: &HashMap<&str, u32>,
) -> (Vec<SpanRef>, &'a [Decision]) {
    match corpus.set(&team.gold, doc) {
        Some(set) => (set_spans(set, labels, index), &set.decisions),
        None => (Vec::new(), &[]),
    }
}

/// How a disagreement stands given the gold layer's spans of its document (sorted
/// by start) and decisions.
pub fn resolve_unit(
    unit: &Disagreement,
    gold: &[SpanRef],
    gold_longest: usize,
    decisions: &[Decision],
) -> Resolution {
    if let Ok(i) = decisions.binary_search_by_key(&(unit.start, unit.end), |d| (d.start, d.end)) {
        return Resolution::Decided(decisions[i].choice.clone());
    }
    let mine = gold_in_unit(unit, gold, gold_longest);
    if mine.is_empty() {
        return Resolution::Unresolved;
    }
    let mine = places(&mine);
    unit.versions
        .iter()
        .find(|v| !v.spans.is_empty() && places(&v.spans) == mine)
        .map_or(Resolution::Unresolved, |v| Resolution::Matches(v.annotator))
}

fn build_doc(
    corpus: &Corpus,
    team: &Team,
    labels: &[String],
    index: &HashMap<&str, u32>,
    i: usize,
) -> DocUnits {
    let doc = &corpus.documents[i];
    let ds = doc_spans(corpus, doc, &team.annotators, labels, index);
    let units = disagreements::in_doc(i, &ds, None);
    let (gold, decisions) = gold_of(corpus, team, &doc.id, labels, index);
    let long = longest(&gold);
    let resolution: Vec<Resolution> = units
        .iter()
        .map(|u| resolve_unit(u, &gold, long, decisions))
        .collect();
    let unresolved = resolution.iter().filter(|r| !r.is_resolved()).count();
    DocUnits {
        units,
        resolution,
        unresolved,
    }
}

impl Curation {
    /// Finds every disagreement of the corpus and how each stands.
    pub fn build(corpus: &Corpus, team: Team) -> Self {
        let labels: Vec<String> = corpus
            .project
            .labels
            .iter()
            .map(|l| l.key.clone())
            .collect();
        let index = label_index(&labels);
        let docs: Vec<DocUnits> = (0..corpus.documents.len())
            .into_par_iter()
            .map(|i| build_doc(corpus, &team, &labels, &index, i))
            .collect();
        let unresolved = docs.iter().map(|d| d.unresolved).sum();
        let total = docs.iter().map(|d| d.units.len()).sum();
        let documents = corpus.documents.iter().map(|d| d.id.clone()).collect();
        Curation {
            team,
            labels,
            documents,
            docs,
            unresolved,
            total,
        }
    }

    /// Computes one document again (after a decision, an undo, an edit of any layer).
    /// Rebuilds everything when the corpus's documents changed.
    pub fn refresh_doc(&mut self, corpus: &Corpus, id: &str) {
        if corpus.documents.len() != self.documents.len()
            || corpus.project.labels.len() != self.labels.len()
            || corpus
                .project
                .labels
                .iter()
                .zip(&self.labels)
                .any(|(l, k)| l.key != *k)
        {
            *self = Curation::build(corpus, self.team.clone());
            return;
        }
        let Some(i) = self.doc_index(id) else {
            *self = Curation::build(corpus, self.team.clone());
            return;
        };
        if corpus.documents[i].id != id {
            *self = Curation::build(corpus, self.team.clone());
            return;
        }
        let index = label_index(&self.labels);
        let fresh = build_doc(corpus, &self.team, &self.labels, &index, i);
        let old = &self.docs[i];
        self.unresolved = self.unresolved - old.unresolved + fresh.unresolved;
        self.total = self.total - old.units.len() + fresh.units.len();
        self.docs[i] = fresh;
    }

    pub fn doc_index(&self, id: &str) -> Option<usize> {
        match self.documents.binary_search_by(|d| d.as_str().cmp(id)) {
            Ok(i) => Some(i),
            Err(_) => self.documents.iter().position(|d| d == id),
        }
    }

    /// The disagreements of document `doc` (an index).
    pub fn units(&self, doc: usize) -> &[Disagreement] {
        self.docs.get(doc).map_or(&[], |d| &d.units)
    }

    pub fn unit(&self, r: UnitRef) -> Option<&Disagreement> {
        self.docs.get(r.doc)?.units.get(r.unit)
    }

    pub fn resolution(&self, r: UnitRef) -> Option<&Resolution> {
        self.docs.get(r.doc)?.resolution.get(r.unit)
    }

    /// (resolved, total) over the corpus.
    pub fn progress(&self) -> (usize, usize) {
        (self.total - self.unresolved, self.total)
    }

    /// (resolved, total) in one document.
    pub fn doc_progress(&self, doc: usize) -> (usize, usize) {
        self.docs
            .get(doc)
            .map_or((0, 0), |d| (d.units.len() - d.unresolved, d.units.len()))
    }

    /// The unresolved disagreements of each kind, per document (index, counts) for the
    /// documents that have any, and over the corpus.
    pub fn unresolved_by_kind(&self) -> (Vec<(usize, KindCounts)>, KindCounts) {
        let mut total = KindCounts::default();
        let mut per = Vec::new();
        for (i, d) in self.docs.iter().enumerate() {
            if d.unresolved == 0 {
                continue;
            }
            let mut c = KindCounts::default();
            for (u, r) in d.units.iter().zip(&d.resolution) {
                if !r.is_resolved() {
                    c.add(&u.kinds);
                }
            }
            total.merge(&c);
            per.push((i, c));
        }
        (per, total)
    }

    /// The disagreement at `(start, end)` in document `doc`, if there is one.
    pub fn find(&self, doc: usize, start: usize, end: usize) -> Option<UnitRef> {
        let units = self.units(doc);
        let i = units.partition_point(|u| (u.start, u.end) < (start, end));
        (units
            .get(i)
            .is_some_and(|u| (u.start, u.end) == (start, end)))
        .then_some(UnitRef { doc, unit: i })
    }

    /// The first disagreement of document `doc` whose extent contains char `c`, the
    /// innermost (shortest) one where they nest.
    pub fn unit_at(&self, doc: usize, c: usize) -> Option<UnitRef> {
        let units = self.units(doc);
        let hi = units.partition_point(|u| u.start <= c);
        units[..hi]
            .iter()
            .enumerate()
            .filter(|(_, u)| c < u.end)
            .min_by_key(|(_, u)| u.end - u.start)
            .map(|(unit, _)| UnitRef { doc, unit })
    }

    fn unresolved_at(&self, doc: usize, unit: usize) -> bool {
        self.docs[doc].resolution[unit] == Resolution::Unresolved
    }

    /// The next unresolved disagreement after position `(doc, after)`: after the unit
    /// whose (start, end) is `after` (`None`: from the document's start), then in the
    /// following documents, then from the first document again. Returns it and whether
    /// the search went past the last document.
    pub fn next_unresolved(
        &self,
        doc: usize,
        after: Option<(usize, usize)>,
    ) -> Option<(UnitRef, bool)> {
        if self.unresolved == 0 || self.docs.is_empty() {
            return None;
        }
        let doc = doc.min(self.docs.len() - 1);
        let units = &self.docs[doc].units;
        let from = after.map_or(0, |a| units.partition_point(|u| (u.start, u.end) <= a));
        if let Some(unit) = (from..units.len()).find(|&u| self.unresolved_at(doc, u)) {
            return Some((UnitRef { doc, unit }, false));
        }
        let later = (doc + 1..self.docs.len()).map(|d| (d, false));
        let wrapped = (0..=doc).map(|d| (d, true));
        for (d, wrap) in later.chain(wrapped) {
            if self.docs[d].unresolved == 0 {
                continue;
            }
            // Back in the starting document: only what lies before the position.
            let end = if d == doc {
                from
            } else {
                self.docs[d].units.len()
            };
            if let Some(unit) = (0..end).find(|&u| self.unresolved_at(d, u)) {
                return Some((UnitRef { doc: d, unit }, wrap));
            }
        }
        None
    }

    /// The previous unresolved disagreement before position `(doc, before)` (`None`:
    /// before the document's first unit), then in earlier documents, then from the last
    /// document back. Returns it and whether the search went past the first document.
    pub fn previous_unresolved(
        &self,
        doc: usize,
        before: Option<(usize, usize)>,
    ) -> Option<(UnitRef, bool)> {
        if self.unresolved == 0 || self.docs.is_empty() {
            return None;
        }
        let doc = doc.min(self.docs.len() - 1);
        let units = &self.docs[doc].units;
        let to = before.map_or(0, |b| units.partition_point(|u| (u.start, u.end) < b));
        if let Some(unit) = (0..to).rev().find(|&u| self.unresolved_at(doc, u)) {
            return Some((UnitRef { doc, unit }, false));
        }
        let earlier = (0..doc).rev().map(|d| (d, false));
        let wrapped = (doc..self.docs.len()).rev().map(|d| (d, true));
        for (d, wrap) in earlier.chain(wrapped) {
            if self.docs[d].unresolved == 0 {
                continue;
            }
            let start = if d == doc { to } else { 0 };
            if let Some(unit) = (start..self.docs[d].units.len())
                .rev()
                .find(|&u| self.unresolved_at(d, u))
            {
                return Some((UnitRef { doc: d, unit }, wrap));
            }
        }
        None
    }

    /// The gold layer's spans in a unit (those corresponding to one of its spans).
    pub fn gold_spans<'a>(&self, corpus: &'a Corpus, r: UnitRef) -> Vec<&'a Span> {
        let (Some(unit), Some(id)) = (self.unit(r), self.documents.get(r.doc)) else {
            return Vec::new();
        };
        let Some(set) = corpus.set(&self.team.gold, id) else {
            return Vec::new();
        };
        let index = label_index(&self.labels);
        let gold = set_spans(set, &self.labels, &index);
        gold_in_unit(unit, &gold, longest(&gold))
            .iter()
            .filter_map(|g| set.span(g.id))
            .collect()
    }

    /// Annotator `a`'s (an index into [`Team::annotators`]) spans in a unit; `None`
    /// when they have not annotated the document.
    pub fn version_spans<'a>(
        &self,
        corpus: &'a Corpus,
        r: UnitRef,
        a: usize,
    ) -> Option<Vec<&'a Span>> {
        let unit = self.unit(r)?;
        let v = unit.versions.iter().find(|v| v.annotator == a)?;
        let set = corpus.set(self.team.annotators.get(a)?, self.documents.get(r.doc)?)?;
        Some(v.spans.iter().filter_map(|s| set.span(s.id)).collect())
    }
}
