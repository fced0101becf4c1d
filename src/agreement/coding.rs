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
//! weighted by its count of non-white-space characters; items with the same codes are
//! then tallied together. The sums are those of going character by character, in time
//! that grows with the spans, not the text.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

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
}

/// How often each pattern of codes occurs (weighted by characters). Items with the
/// same pattern add the same to every tally, so the corpus is tallied once per
/// pattern: a few hundred patterns instead of millions of characters.
#[derive(Clone, Debug, Default)]
struct Patterns {
    /// Per label: (annotators with a code, annotators coding 1) -> weight.
    labels: Vec<FxHashMap<(u128, u128), u64>>,
    /// The same as a dense table indexed by `present << n | ones`, when there are at
    /// most [`DENSE_ANNOTATORS`] annotators.
    dense: Vec<Vec<u64>>,
    /// `*`: [presence (2 words), then each annotator's label-set words] -> weight.
    all: FxHashMap<Vec<u64>, u64>,
}

impl Patterns {
    fn new(labels: usize, annotators: usize) -> Self {
        let dense = if annotators <= DENSE_ANNOTATORS {
            vec![vec![0u64; 1 << (2 * annotators)]; labels]
        } else {
            Vec::new()
        };
        Self {
            labels: vec![FxHashMap::default(); labels],
            dense,
            all: FxHashMap::default(),
        }
    }

    fn merge(mut self, other: Patterns) -> Patterns {
        for (a, b) in self.dense.iter_mut().zip(other.dense) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.labels.iter_mut().zip(other.labels) {
            for (k, w) in b {
                *a.entry(k).or_default() += w;
            }
        }
        for (k, w) in other.all {
            *self.all.entry(k).or_default() += w;
        }
        self
    }

    /// Codes one document and adds its items.
    fn add_doc(&mut self, doc: &DocSpans, annotators: usize, labels: usize) {
        let present: Vec<usize> = (0..annotators).filter(|&a| doc.sets[a].is_some()).collect();
        if present.is_empty() {
            return;
        }
        let present_mask: u128 = present.iter().map(|&a| 1u128 << a).sum();
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
        // codes[k][seg * words ..]: the label set of present annotator k on seg.
        let mut codes: Vec<Vec<u64>> = Vec::with_capacity(present.len());
        let mut delta = vec![0i32; (segs + 1) * labels];
        let mut run = vec![0i32; labels];
        for &a in &present {
            delta.iter_mut().for_each(|d| *d = 0);
            for s in doc.sets[a].iter().flatten() {
                let i0 = cuts.partition_point(|&c| c < s.start);
                let i1 = cuts.partition_point(|&c| c < s.end);
                delta[i0 * labels + s.label as usize] += 1;
                delta[i1 * labels + s.label as usize] -= 1;
            }
            let mut bits = vec![0u64; segs * words];
            run.iter_mut().for_each(|r| *r = 0);
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
        let mut key: Vec<u64> = Vec::with_capacity(2 + annotators * words);
        for (sg, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            for l in 0..labels {
                let mut ones = 0u128;
                for (k, &a) in present.iter().enumerate() {
                    if codes[k][sg * words + l / 64] >> (l % 64) & 1 == 1 {
                        ones |= 1 << a;
                    }
                }
                if self.dense.is_empty() {
                    *self.labels[l].entry((present_mask, ones)).or_default() += w;
                } else {
                    self.dense[l][(present_mask << annotators | ones) as usize] += w;
                }
            }
            key.clear();
            key.push(present_mask as u64);
            key.push((present_mask >> 64) as u64);
            for code in &codes {
                key.extend_from_slice(&code[sg * words..(sg + 1) * words]);
            }
            match self.all.get_mut(key.as_slice()) {
                Some(v) => *v += w,
                None => {
                    self.all.insert(key.clone(), w);
                }
            }
        }
    }
}

/// Up to this many annotators, label patterns are counted in a dense table.
const DENSE_ANNOTATORS: usize = 6;

/// Adds one pattern: `ids[a]` is annotator `a`'s category, `None` when missing.
fn add_pattern(t: &mut CodingTally, ids: &[Option<u32>], pair_list: &[(usize, usize)], w: u64) {
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for c in ids.iter().flatten() {
        match counts.iter_mut().find(|(k, _)| k == c) {
            Some(e) => e.1 += 1,
            None => counts.push((*c, 1)),
        }
    }
    t.alpha.add(&counts, w);
    if ids.iter().all(Option::is_some) {
        t.fleiss.add(&counts, w);
    }
    for (p, &(i, j)) in pair_list.iter().enumerate() {
        if let (Some(a), Some(b)) = (ids[i], ids[j]) {
            t.cohen[p].add(a, b, w);
        }
    }
}

/// The most annotators one computation compares.
pub const MAX_ANNOTATORS: usize = 128;

/// Codes every document of the selection (in parallel) and tallies the items. The
/// selection has at most [`MAX_ANNOTATORS`] annotators.
pub fn code(sel: &Selection) -> Codings {
    let n = sel.annotators.len().min(MAX_ANNOTATORS);
    let labels = sel.labels.len();
    let patterns = sel
        .docs
        .par_iter()
        .fold(
            || Patterns::new(labels, n),
            |mut acc, doc| {
                acc.add_doc(doc, n, labels);
                acc
            },
        )
        .reduce(|| Patterns::new(labels, n), Patterns::merge);
    let pair_list = pairs(n);
    let mut out = Codings {
        labels: vec![CodingTally::new(n); labels],
        all: CodingTally::new(n),
        sets: Vec::new(),
    };
    let mut ids: Vec<Option<u32>> = vec![None; n];
    for (l, hist) in patterns.labels.iter().enumerate() {
        let mut keys: Vec<((u128, u128), u64)> = hist.iter().map(|(k, w)| (*k, *w)).collect();
        if let Some(dense) = patterns.dense.get(l) {
            let mask = (1u128 << n) - 1;
            keys.extend(
                dense
                    .iter()
                    .enumerate()
                    .filter(|&(_, &w)| w > 0)
                    .map(|(i, &w)| (((i as u128) >> n, i as u128 & mask), w)),
            );
        }
        keys.sort_unstable();
        for ((present, ones), w) in keys {
            for (a, id) in ids.iter_mut().enumerate() {
                *id = (present >> a & 1 == 1).then_some((ones >> a & 1) as u32);
            }
            add_pattern(&mut out.labels[l], &ids, &pair_list, w);
        }
    }
    let words = labels.div_ceil(64).max(1);
    let mut set_ids: HashMap<&[u64], u32> = HashMap::new();
    let mut keys: Vec<(&Vec<u64>, &u64)> = patterns.all.iter().collect();
    keys.sort_unstable();
    for (key, &w) in keys {
        let present = key[0] as u128 | (key[1] as u128) << 64;
        let mut k = 0;
        for (a, id) in ids.iter_mut().enumerate() {
            *id = if present >> a & 1 == 1 {
                let bits = &key[2 + k * words..2 + (k + 1) * words];
                k += 1;
                let next = set_ids.len() as u32;
                let id = *set_ids.entry(bits).or_insert_with(|| {
                    out.sets.push(
                        (0..words * 64)
                            .filter(|&l| bits[l / 64] >> (l % 64) & 1 == 1)
                            .map(|l| l as u32)
                            .collect(),
                    );
                    next
                });
                Some(id)
            } else {
                None
            };
        }
        add_pattern(&mut out.all, &ids, &pair_list, w);
    }
    out
}
