//! Every place where annotators differ, as units a curation view can list, jump to
//! and walk with next and previous.
//!
//! **Units.** In one document, take the spans of every annotator who annotated it.
//! Two spans of different annotators *correspond* when they have the same offsets
//! (whatever their labels), or the same label and overlapping offsets. A unit is a
//! group of spans connected by correspondence; each annotator's *version* of the unit
//! is the (possibly empty) list of their spans in it. Spans of different labels that
//! merely nest (an ACTOR inside a CLAIM) do not correspond, so nesting alone is never a
//! disagreement.
//!
//! **Disagreements.** A unit is agreed when every annotator's version is the same
//! multiset of (start, end, label); otherwise it is a [`Disagreement`] with one or
//! more [`Kind`]s:
//!
//! - [`Kind::Missing`] / [`Kind::Extra`]: some annotators have no span in the unit.
//!   Against a reference annotator (a gold layer, or A in an A-vs-B comparison) it is
//!   *missing* when the reference has a span and another annotator has none, *extra*
//!   when the reference has none. Among peers it is *missing* when more than half of
//!   the annotators have a span there (the others missed it) and *extra* otherwise
//!   (the ones who have it added it).
//! - [`Kind::Label`]: the spans of the unit carry more than one label.
//! - [`Kind::Boundary`]: the spans of the unit have more than one pair of offsets.
//!
//! Disagreements are sorted by document (corpus order), start, end.

use serde::Serialize;

use super::{DocSpans, Selection, SpanRef};
use crate::model::SpanId;

/// How the versions of a unit differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Missing,
    Extra,
    Label,
    Boundary,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Extra => "extra",
            Kind::Label => "label",
            Kind::Boundary => "boundary",
        }
    }
}

/// One span of a version, with its id in the annotator's set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitSpan {
    pub id: SpanId,
    pub start: usize,
    pub end: usize,
    pub label: String,
}

/// One annotator's version of a unit: empty when they have no span there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    pub annotator: String,
    pub spans: Vec<UnitSpan>,
}

/// A unit where annotators differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// Index of the document in the corpus (and in [`Selection::docs`]).
    #[serde(skip)]
    pub doc_index: usize,
    pub doc: String,
    /// The smallest start and largest end of the unit's spans.
    pub start: usize,
    pub end: usize,
    /// Sorted, never empty.
    pub kinds: Vec<Kind>,
    /// One per annotator who annotated the document, in selection order.
    pub versions: Vec<Version>,
}

/// The disagreements of a selection, sorted by document, start and end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Disagreements {
    pub items: Vec<Disagreement>,
}

impl Disagreements {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The disagreements of one document.
    pub fn in_document(&self, doc_index: usize) -> &[Disagreement] {
        let lo = self.items.partition_point(|d| d.doc_index < doc_index);
        let hi = self.items.partition_point(|d| d.doc_index <= doc_index);
        &self.items[lo..hi]
    }

    /// The first disagreement that starts after `offset` in document `doc_index`, or
    /// in a later document.
    pub fn next_after(&self, doc_index: usize, offset: usize) -> Option<usize> {
        let i = self
            .items
            .partition_point(|d| (d.doc_index, d.start) <= (doc_index, offset));
        (i < self.items.len()).then_some(i)
    }

    /// The last disagreement that starts before `offset` in document `doc_index`, or
    /// in an earlier document.
    pub fn previous_before(&self, doc_index: usize, offset: usize) -> Option<usize> {
        let i = self
            .items
            .partition_point(|d| (d.doc_index, d.start) < (doc_index, offset));
        i.checked_sub(1)
    }
}

/// Lists the disagreements among the selection's annotators. With `reference`
/// (an index into the selection's annotators), missing and extra are judged against
/// that annotator.
pub fn find(sel: &Selection, reference: Option<usize>) -> Disagreements {
    let mut items = Vec::new();
    for (i, doc) in sel.docs.iter().enumerate() {
        items.extend(in_doc(sel, i, doc, reference));
    }
    Disagreements { items }
}

fn find_root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The disagreements of one document.
pub fn in_doc(
    sel: &Selection,
    doc_index: usize,
    doc: &DocSpans,
    reference: Option<usize>,
) -> Vec<Disagreement> {
    let present: Vec<usize> = (0..sel.annotators.len())
        .filter(|&a| doc.sets[a].is_some())
        .collect();
    if present.len() < 2 {
        return Vec::new();
    }
    // All spans, tagged with their annotator, sorted by start.
    let mut spans: Vec<(usize, SpanRef)> = present
        .iter()
        .flat_map(|&a| doc.sets[a].iter().flatten().map(move |s| (a, *s)))
        .collect();
    spans.sort_by_key(|&(a, s)| (s.start, s.end, s.label, a, s.id));
    let mut parent: Vec<usize> = (0..spans.len()).collect();
    for i in 0..spans.len() {
        let (ai, si) = spans[i];
        for j in i + 1..spans.len() {
            let (aj, sj) = spans[j];
            if sj.start >= si.end {
                break;
            }
            if ai == aj {
                continue;
            }
            let same_place = si.start == sj.start && si.end == sj.end;
            if same_place || si.label == sj.label {
                let (ri, rj) = (find_root(&mut parent, i), find_root(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..spans.len() {
        let r = find_root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out = Vec::new();
    for members in groups.values() {
        let mut versions: Vec<Vec<SpanRef>> = vec![Vec::new(); present.len()];
        for &i in members {
            let (a, s) = spans[i];
            let k = present.iter().position(|&p| p == a).unwrap_or(0);
            versions[k].push(s);
        }
        let key = |v: &Vec<SpanRef>| {
            let mut k: Vec<(usize, usize, u32)> = v.iter().map(|s| (s.start, s.end, s.label)).collect();
            k.sort_unstable();
            k
        };
        let first = key(&versions[0]);
        if versions.iter().all(|v| key(v) == first) {
            continue;
        }
        let mut kinds = Vec::new();
        let with = versions.iter().filter(|v| !v.is_empty()).count();
        if with < present.len() {
            let missing = match reference.and_then(|r| present.iter().position(|&p| p == r)) {
                Some(k) => !versions[k].is_empty(),
                None => with * 2 > present.len(),
            };
            kinds.push(if missing { Kind::Missing } else { Kind::Extra });
        }
        let all: Vec<&SpanRef> = versions.iter().flatten().collect();
        if all.iter().any(|s| s.label != all[0].label) {
            kinds.push(Kind::Label);
        }
        if all.iter().any(|s| (s.start, s.end) != (all[0].start, all[0].end)) {
            kinds.push(Kind::Boundary);
        }
        kinds.sort();
        let start = all.iter().map(|s| s.start).min().unwrap_or(0);
        let end = all.iter().map(|s| s.end).max().unwrap_or(0);
        out.push(Disagreement {
            doc_index,
            doc: doc.id.to_string(),
            start,
            end,
            kinds,
            versions: present
                .iter()
                .zip(versions)
                .map(|(&a, v)| Version {
                    annotator: sel.annotators[a].clone(),
                    spans: v
                        .into_iter()
                        .map(|s| UnitSpan {
                            id: s.id,
                            start: s.start,
                            end: s.end,
                            label: sel.labels[s.label as usize].clone(),
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    out.sort_by_key(|d| (d.start, d.end));
    out
}
