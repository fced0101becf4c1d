//! The per-character coding that Cohen's kappa, Fleiss' kappa and Krippendorff's
//! alpha are computed over.
//!
//! **Items.** Every Unicode scalar value of a document's text that is not white space
//! (the Unicode `White_Space` property, Rust's `char::is_whitespace`: U+0009–U+000D,
//! U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F,
//! U+3000) is one item.
//!
//! **Codes.** For a label `L`, an annotator codes an item 1 if at least one of their
//! spans labelled `L` covers it, else 0. For all labels together (`*`), the code is
//! the *set* of selected labels whose spans cover the item (the empty set for none),
//! one nominal category per distinct set: a character inside a CLAIM and an ACTOR is
//! coded {ACTOR, CLAIM}, which is neither {CLAIM} nor {ACTOR}. Nested or duplicate
//! spans of one label count once.
//!
//! **Missing data.** An annotator who has not annotated a document (see
//! [`super::is_annotated`]) has no code for its items. Cohen's kappa of a pair uses
//! the items of documents both annotated; Fleiss' kappa, which needs every item coded
//! by everyone, the documents all annotated; Krippendorff's alpha every item, with the
//! missing codes as missing data.
//!
//! Codes change only at span boundaries, so a document is cut at every start and end
//! into segments whose characters are all coded alike, and each segment is one item
//! weighted by its count of non-white-space characters: the same sums as character by
//! character, in time that grows with the spans, not the text.

use std::collections::HashMap;

use rayon::prelude::*;

use super::cohen::CohenTable;
use super::fleiss::FleissTally;
use super::krippendorff::AlphaTally;
use super::{DocSpans, Selection};

/// Every pair of annotator indices (i < j), in the order reports list them.
pub fn pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect()
}

/// The tallies of one coding (one label, or `*`).
#[derive(Clone, Debug, Default)]
pub struct CodingTally {
    /// One per pair, in [`pairs`] order.
    pub cohen: Vec<CohenTable>,
    pub fleiss: FleissTally,
    pub alpha: AlphaTally,
}

impl CodingTally {
    fn new(annotators: usize) -> Self {
        Self {
            cohen: vec![CohenTable::default(); pairs(annotators).len()],
            fleiss: FleissTally::new(annotators),
            alpha: AlphaTally::default(),
        }
    }

    fn merge(&mut self, other: &CodingTally, map: &[u32]) {
        for (a, b) in self.cohen.iter_mut().zip(&other.cohen) {
            a.merge(b, map);
        }
        self.fleiss.merge(&other.fleiss, map);
        self.alpha.merge(&other.alpha, map);
    }
}

/// The tallies of every label and of `*` over a selection.
#[derive(Clone, Debug)]
pub struct Codings {
    /// Per label index: category 0 is "not covered", 1 "covered".
    pub labels: Vec<CodingTally>,
    /// `*`: category `i` is the label set [`Codings::sets`]`[i]`.
    pub all: CodingTally,
    /// The label sets of `*`, as sorted label indices.
    pub sets: Vec<Vec<u32>>,
    set_ids: HashMap<Vec<u64>, u32>,
    annotators: usize,
}

impl Codings {
    fn new(annotators: usize, labels: usize) -> Self {
        Self {
            labels: vec![CodingTally::new(annotators); labels],
            all: CodingTally::new(annotators),
            sets: Vec::new(),
            set_ids: HashMap::new(),
            annotators,
        }
    }

    fn set_id(&mut self, bits: &[u64]) -> u32 {
        if let Some(&id) = self.set_ids.get(bits) {
            return id;
        }
        let id = self.sets.len() as u32;
        let members = (0..bits.len() * 64)
            .filter(|&l| bits[l / 64] >> (l % 64) & 1 == 1)
            .map(|l| l as u32)
            .collect();
        self.sets.push(members);
        self.set_ids.insert(bits.to_vec(), id);
        id
    }

    fn merge(mut self, other: Codings) -> Codings {
        for (a, b) in self.labels.iter_mut().zip(&other.labels) {
            a.merge(b, &[0, 1]);
        }
        let mut by_id: Vec<(&Vec<u64>, u32)> =
            other.set_ids.iter().map(|(k, &v)| (k, v)).collect();
        by_id.sort_by_key(|&(_, v)| v);
        let map: Vec<u32> = by_id.into_iter().map(|(k, _)| self.set_id(k)).collect();
        self.all.merge(&other.all, &map);
        self
    }

    /// Codes one document and adds its items.
    fn add_doc(&mut self, doc: &DocSpans, labels: usize) {
        let present: Vec<usize> = (0..self.annotators)
            .filter(|&a| doc.sets[a].is_some())
            .collect();
        if present.is_empty() {
            return;
        }
        let all_present = present.len() == self.annotators;
        // Segment boundaries and the weight (non-white-space chars) of each segment.
        let mut cuts: Vec<usize> = vec![0];
        for &a in &present {
            for s in doc.sets[a].iter().flatten() {
                cuts.push(s.start);
                cuts.push(s.end);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut weights = vec![0u64; cuts.len()];
        let mut seg = 0;
        for (i, c) in doc.text.chars().enumerate() {
            while seg + 1 < cuts.len() && cuts[seg + 1] <= i {
                seg += 1;
            }
            if !c.is_whitespace() {
                weights[seg] += 1;
            }
        }
        let segs = cuts.len();
        let words = labels.div_ceil(64).max(1);
        // cover[a][seg * labels + l]: how many spans of label l of annotator a cover seg.
        let mut codes: Vec<Vec<u64>> = Vec::with_capacity(present.len());
        let mut delta = vec![0i32; (segs + 1) * labels];
        for &a in &present {
            delta.iter_mut().for_each(|d| *d = 0);
            for s in doc.sets[a].iter().flatten() {
                let i0 = cuts.partition_point(|&c| c < s.start);
                let i1 = cuts.partition_point(|&c| c < s.end);
                delta[i0 * labels + s.label as usize] += 1;
                delta[i1 * labels + s.label as usize] -= 1;
            }
            let mut bits = vec![0u64; segs * words];
            let mut run = vec![0i32; labels];
            for sg in 0..segs {
                for l in 0..labels {
                    run[l] += delta[sg * labels + l];
                    if run[l] > 0 {
                        bits[sg * words + l / 64] |= 1 << (l % 64);
                    }
                }
            }
            codes.push(bits);
        }
        let pair_list = pairs(self.annotators);
        let mut ids = vec![u32::MAX; self.annotators];
        let mut counts: Vec<(u32, u32)> = Vec::new();
        for (sg, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            // Per label: binary codes.
            for l in 0..labels {
                for (k, &a) in present.iter().enumerate() {
                    ids[a] = (codes[k][sg * words + l / 64] >> (l % 64) & 1) as u32;
                }
                add_item(&mut self.labels[l], &present, &ids, &pair_list, all_present, w, &mut counts);
            }
            // `*`: the label set.
            for (k, &a) in present.iter().enumerate() {
                ids[a] = self.set_id(&codes[k][sg * words..(sg + 1) * words]);
            }
            let mut all = std::mem::take(&mut self.all);
            add_item(&mut all, &present, &ids, &pair_list, all_present, w, &mut counts);
            self.all = all;
        }
    }
}

fn add_item(
    t: &mut CodingTally,
    present: &[usize],
    ids: &[u32],
    pair_list: &[(usize, usize)],
    all_present: bool,
    w: u64,
    counts: &mut Vec<(u32, u32)>,
) {
    counts.clear();
    for &a in present {
        match counts.iter_mut().find(|(c, _)| *c == ids[a]) {
            Some(e) => e.1 += 1,
            None => counts.push((ids[a], 1)),
        }
    }
    t.alpha.add(counts, w);
    if all_present {
        t.fleiss.add(counts, w);
    }
    for (p, &(i, j)) in pair_list.iter().enumerate() {
        if ids[i] != u32::MAX && ids[j] != u32::MAX {
            t.cohen[p].add(ids[i], ids[j], w);
        }
    }
}

/// Codes every document of the selection (in parallel) and tallies the items.
pub fn code(sel: &Selection) -> Codings {
    let n = sel.annotators.len();
    let labels = sel.labels.len();
    sel.docs
        .par_iter()
        .fold(
            || Codings::new(n, labels),
            |mut acc, doc| {
                acc.add_doc(doc, labels);
                acc
            },
        )
        .reduce(|| Codings::new(n, labels), Codings::merge)
}
