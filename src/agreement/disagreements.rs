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
//!
//! [`units_in_doc`] gives every unit of a document, the agreed ones too (with no
//! kinds): what a pre-merge into the gold layer votes on (`crate::curation`).

use serde::Serialize;

use rayon::prelude::*;

use super::{DocSpans, Selection, SpanRef};

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

/// One annotator's version of a unit: empty when they have no span there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Index into [`Disagreements::annotators`].
    pub annotator: usize,
    /// The annotator's spans in the unit; `label` indexes [`Disagreements::labels`].
    pub spans: Vec<SpanRef>,
}

/// A unit where annotators differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// Index of the document in the corpus (and in [`Disagreements::documents`]).
    pub doc_index: usize,
    /// The smallest start and largest end of the unit's spans.
    pub start: usize,
    pub end: usize,
    /// Sorted; never empty for a disagreement, empty for an agreed unit (only
    /// [`units_in_doc`] returns those).
    pub kinds: Vec<Kind>,
    /// One per annotator who annotated the document, in selection order.
    pub versions: Vec<Version>,
}

/// The disagreements of a selection, sorted by document, start and end, with the
/// names their indices refer to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disagreements {
    pub annotators: Vec<String>,
    pub labels: Vec<String>,
    /// Document ids, in corpus order.
    pub documents: Vec<String>,
    pub items: Vec<Disagreement>,
}

/// JSON: a list of `{"doc", "start", "end", "kinds", "versions": [{"annotator",
/// "spans": [{"id", "start", "end", "label"}]}]}`.
impl Serialize for Disagreements {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct SpanOut<'a> {
            id: u32,
            start: usize,
            end: usize,
            label: &'a str,
        }
        #[derive(Serialize)]
        struct VersionOut<'a> {
            annotator: &'a str,
            spans: Vec<SpanOut<'a>>,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            doc: &'a str,
            start: usize,
            end: usize,
            kinds: &'a [Kind],
            versions: Vec<VersionOut<'a>>,
        }
        s.collect_seq(self.items.iter().map(|d| {
            Out {
                doc: &self.documents[d.doc_index],
                start: d.start,
                end: d.end,
                kinds: &d.kinds,
                versions: d
                    .versions
                    .iter()
                    .map(|v| VersionOut {
                        annotator: &self.annotators[v.annotator],
                        spans: v
                            .spans
                            .iter()
                            .map(|x| SpanOut {
                                id: x.id.0,
                                start: x.start,
                                end: x.end,
                                label: &self.labels[x.label as usize],
                            })
                            .collect(),
                    })
                    .collect(),
            }
        }))
    }
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
    let per_doc: Vec<Vec<Disagreement>> = sel
        .docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| in_doc(i, doc, reference))
        .collect();
    Disagreements {
        annotators: sel.annotators.clone(),
        labels: sel.labels.clone(),
        documents: sel.docs.iter().map(|d| d.id.to_string()).collect(),
        items: per_doc.into_iter().flatten().collect(),
    }
}

fn find_root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The disagreements of one document.
pub fn in_doc(doc_index: usize, doc: &DocSpans, reference: Option<usize>) -> Vec<Disagreement> {
    units(doc_index, doc, reference, false)
}

/// Every unit of one document, agreed (no kinds) or not, sorted by start and end.
/// Empty when fewer than two annotators annotated it.
pub fn units_in_doc(
    doc_index: usize,
    doc: &DocSpans,
    reference: Option<usize>,
) -> Vec<Disagreement> {
    units(doc_index, doc, reference, true)
}

fn units(
    doc_index: usize,
    doc: &DocSpans,
    reference: Option<usize>,
    keep_agreed: bool,
) -> Vec<Disagreement> {
    let present: Vec<usize> = (0..doc.sets.len())
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
        for (j, &(aj, sj)) in spans.iter().enumerate().skip(i + 1) {
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
    // Group members by root; within a group they stay in (start, end, label) order.
    let mut order: Vec<(usize, usize)> = (0..spans.len())
        .map(|i| (find_root(&mut parent, i), i))
        .collect();
    order.sort_unstable();
    let mut out = Vec::new();
    let place = |s: &SpanRef| (s.start, s.end, s.label);
    for group in order.chunk_by(|x, y| x.0 == y.0) {
        // The common case first: one identical span from each annotator.
        if !keep_agreed && group.len() == present.len() {
            let p0 = place(&spans[group[0].1].1);
            let mut seen = 0u128;
            let agreed = group.iter().all(|&(_, i)| {
                let (a, s) = spans[i];
                let fresh = seen >> a & 1 == 0;
                seen |= 1 << a;
                place(&s) == p0 && fresh
            });
            if agreed {
                continue;
            }
        }
        let mut versions: Vec<Vec<SpanRef>> = vec![Vec::new(); present.len()];
        for &(_, i) in group {
            let (a, s) = spans[i];
            let k = present.iter().position(|&p| p == a).unwrap_or(0);
            versions[k].push(s);
        }
        let same = |v: &Vec<SpanRef>, w: &Vec<SpanRef>| {
            v.len() == w.len() && v.iter().zip(w).all(|(x, y)| place(x) == place(y))
        };
        let mut kinds = Vec::new();
        if versions.iter().all(|v| same(v, &versions[0])) {
            if keep_agreed {
                let all: Vec<&SpanRef> = versions.iter().flatten().collect();
                out.push(Disagreement {
                    doc_index,
                    start: all.iter().map(|s| s.start).min().unwrap_or(0),
                    end: all.iter().map(|s| s.end).max().unwrap_or(0),
                    kinds,
                    versions: present
                        .iter()
                        .zip(versions)
                        .map(|(&annotator, spans)| Version { annotator, spans })
                        .collect(),
                });
            }
            continue;
        }
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
        if all
            .iter()
            .any(|s| (s.start, s.end) != (all[0].start, all[0].end))
        {
            kinds.push(Kind::Boundary);
        }
        kinds.sort();
        let start = all.iter().map(|s| s.start).min().unwrap_or(0);
        let end = all.iter().map(|s| s.end).max().unwrap_or(0);
        out.push(Disagreement {
            doc_index,
            start,
            end,
            kinds,
            versions: present
                .iter()
                .zip(versions)
                .map(|(&annotator, spans)| Version { annotator, spans })
                .collect(),
        });
    }
    out.sort_by_key(|d| (d.start, d.end));
    out
}
