//! Symmetric pairwise F1 (Hripcsak and Rothschild 2005): the agreement of two
//! annotators A and B as `F1 = 2 |A ∩ B| / (|A| + |B|)`, where `A ∩ B` is the
//! multiset of spans both have with the same start, end and label. It is the F1 of B
//! against A and of A against B alike (exact matching is one-to-one, so unlike
//! nervaluate's greedy matching it cannot depend on order). Counts add up over the
//! documents both annotated; undefined when neither has a span.

use std::collections::HashMap;

use super::{Figure, SpanRef, Undefined};

/// Counts of one comparison; they add up over documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairCounts {
    pub matched: u64,
    pub a: u64,
    pub b: u64,
}

impl PairCounts {
    pub fn add(&mut self, o: &PairCounts) {
        self.matched += o.matched;
        self.a += o.a;
        self.b += o.b;
    }

    pub fn f1(&self) -> Figure {
        if self.a + self.b == 0 {
            Figure::Undefined(Undefined::NoSpans)
        } else {
            Figure::Value(2.0 * self.matched as f64 / (self.a + self.b) as f64)
        }
    }
}

/// Counts exact matches of one document, optionally of one label index only.
pub fn count(a: &[SpanRef], b: &[SpanRef], label: Option<u32>) -> PairCounts {
    let keep = |s: &&SpanRef| label.is_none_or(|l| s.label == l);
    let mut bag: HashMap<(usize, usize, u32), u32> = HashMap::new();
    let mut out = PairCounts::default();
    for s in a.iter().filter(keep) {
        *bag.entry((s.start, s.end, s.label)).or_default() += 1;
        out.a += 1;
    }
    for s in b.iter().filter(keep) {
        out.b += 1;
        if let Some(n) = bag.get_mut(&(s.start, s.end, s.label))
            && *n > 0
        {
            *n -= 1;
            out.matched += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SpanId;

    fn s(start: usize, end: usize, label: u32) -> SpanRef {
        SpanRef { start, end, label, id: SpanId(0) }
    }

    #[test]
    fn hand_computed() {
        // A: 3 spans, B: 2 spans, 1 in common (the other differs in label, one
        // duplicate in A matches once): F1 = 2*1/5.
        let a = [s(0, 5, 0), s(0, 5, 0), s(10, 12, 1)];
        let b = [s(0, 5, 0), s(10, 12, 0)];
        let c = count(&a, &b, None);
        assert_eq!(c, PairCounts { matched: 1, a: 3, b: 2 });
        assert_eq!(c.f1(), Figure::Value(0.4));
        assert_eq!(count(&a, &b, Some(1)).f1(), Figure::Value(0.0));
        assert_eq!(count(&[], &[], None).f1(), Figure::Undefined(Undefined::NoSpans));
    }
}
