//! Symmetric pairwise F1 (Hripcsak and Rothschild 2005): the agreement of two
//! annotators A and B as `F1 = 2 |A ∩ B| / (|A| + |B|)`, where `A ∩ B` is the
//! multiset of spans both have with the same start, end and label. It is the F1 of B
//! against A and of A against B alike (exact matching is one-to-one, so unlike
//! nervaluate's greedy matching it cannot depend on order). Counts add up over the
//! documents both annotated; undefined when neither has a span.

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

/// Counts exact matches of one document, optionally of one label index only. Both
/// lists are in canonical order (start, end, ...), as [`super::Selection`] gives them.
pub fn count(a: &[SpanRef], b: &[SpanRef], label: Option<u32>) -> PairCounts {
    let keep = |s: &SpanRef| label.is_none_or(|l| s.label == l);
    let mut out = PairCounts {
        matched: 0,
        a: a.iter().filter(|s| keep(s)).count() as u64,
        b: b.iter().filter(|s| keep(s)).count() as u64,
    };
    for_each_place(a, b, |ga, gb| {
        let mut left: Vec<u32> = ga.iter().filter(|s| keep(s)).map(|s| s.label).collect();
        for s in gb.iter().filter(|s| keep(s)) {
            if let Some(k) = left.iter().position(|&l| l == s.label) {
                left.swap_remove(k);
                out.matched += 1;
            }
        }
    });
    out
}

/// [`count`] over all labels and per label index (`labels` of them) at once.
pub fn count_by_label(
    a: &[SpanRef],
    b: &[SpanRef],
    labels: usize,
) -> (PairCounts, Vec<PairCounts>) {
    let mut per = vec![PairCounts::default(); labels];
    let mut all = PairCounts::default();
    for s in a {
        per[s.label as usize].a += 1;
        all.a += 1;
    }
    for s in b {
        per[s.label as usize].b += 1;
        all.b += 1;
    }
    for_each_place(a, b, |ga, gb| {
        let mut left: Vec<u32> = ga.iter().map(|s| s.label).collect();
        for s in gb {
            if let Some(k) = left.iter().position(|&l| l == s.label) {
                left.swap_remove(k);
                per[s.label as usize].matched += 1;
                all.matched += 1;
            }
        }
    });
    (all, per)
}

/// Calls `f` with the runs of `a` and of `b` that share the same (start, end).
fn for_each_place(a: &[SpanRef], b: &[SpanRef], mut f: impl FnMut(&[SpanRef], &[SpanRef])) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (ka, kb) = ((a[i].start, a[i].end), (b[j].start, b[j].end));
        if ka < kb {
            i += 1;
        } else if kb < ka {
            j += 1;
        } else {
            let i2 = i + a[i..].iter().take_while(|s| (s.start, s.end) == ka).count();
            let j2 = j + b[j..].iter().take_while(|s| (s.start, s.end) == kb).count();
            f(&a[i..i2], &b[j..j2]);
            i = i2;
            j = j2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SpanId;

    fn s(start: usize, end: usize, label: u32) -> SpanRef {
        SpanRef {
            start,
            end,
            label,
            id: SpanId(0),
        }
    }

    #[test]
    fn hand_computed() {
        // A: 3 spans, B: 2 spans, 1 in common (the other differs in label, one
        // duplicate in A matches once): F1 = 2*1/5.
        let a = [s(0, 5, 0), s(0, 5, 0), s(10, 12, 1)];
        let b = [s(0, 5, 0), s(10, 12, 0)];
        let c = count(&a, &b, None);
        assert_eq!(
            c,
            PairCounts {
                matched: 1,
                a: 3,
                b: 2
            }
        );
        assert_eq!(c.f1(), Figure::Value(0.4));
        assert_eq!(count(&a, &b, Some(1)).f1(), Figure::Value(0.0));
        assert_eq!(
            count(&[], &[], None).f1(),
            Figure::Undefined(Undefined::NoSpans)
        );
        let (all, per) = count_by_label(&a, &b, 2);
        assert_eq!(all, c);
        assert_eq!(per[1], count(&a, &b, Some(1)));
    }
}
