//! Span-level scores in the four schemes of nervaluate (Batista 2018, after the
//! SemEval-2013 task 9.1 evaluation), matching the `nervaluate` package 1.2.1 exactly.
//!
//! A reference list and a predicted list of spans of one document are compared; each
//! predicted span, in canonical order (start, end, label, id), is matched against the
//! reference spans not yet matched, in the same order:
//!
//! - **strict**: the first unmatched reference span with the same offsets and label
//!   makes it *correct*; failing that, the first unmatched reference span it
//!   sufficiently overlaps (see below) makes it *incorrect* and is used up; failing
//!   that, it is *spurious*.
//! - **exact**: as strict, but labels are ignored (same offsets is *correct*).
//! - **partial**: labels are ignored; same offsets is *correct*, else the first
//!   sufficiently overlapping reference span makes it *partial*; else *spurious*.
//! - **ent_type**: among the unmatched reference spans it sufficiently overlaps, one
//!   with the same label makes it *correct* (the one with the least
//!   |Δstart| + |Δend|, the first of equals); else the first with another label makes
//!   it *incorrect*; else *spurious*.
//!
//! Reference spans left unmatched are *missed*. "Sufficient overlap" is nervaluate's
//! default: the shared characters are at least 1 % of the reference span
//! (`overlap / len(reference) * 100 >= 1`, in f64 as Python computes it), so a
//! one-character overlap with a reference span longer than 100 characters does not
//! count. nervaluate takes inclusive ends; with end-exclusive offsets the lengths are
//! the same.
//!
//! Then `possible = correct + incorrect + partial + missed`,
//! `actual = correct + incorrect + partial + spurious`, and with
//! `m = correct` (strict, exact) or `m = correct + 0.5 * partial` (partial, ent_type):
//! `precision = m / actual`, `recall = m / possible`, `f1 = 2pr / (p + r)`.
//! Counts add up over documents and the scores are computed from the totals.
//!
//! Undefined values: nervaluate returns 0 for a zero denominator. Here precision with
//! `actual = 0` and recall with `possible = 0` are [`Undefined`]; f1 is undefined only
//! when both are 0 (no spans on either side). When one side is empty and the other is
//! not, f1 is 0, the limit of `2m / (actual + possible)` (nervaluate gives 0 too).
//! Every defined value equals nervaluate's.
//!
//! Per label, the spans of that label alone are compared (nervaluate's per-entity
//! results); over all labels, every selected span.

use serde::Serialize;

use super::{Figure, SpanRef, Undefined};

/// The four schemes, in the order the JSON and tables print them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Strict,
    Exact,
    Partial,
    EntType,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [
        Scheme::Strict,
        Scheme::Exact,
        Scheme::Partial,
        Scheme::EntType,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Strict => "strict",
            Scheme::Exact => "exact",
            Scheme::Partial => "partial",
            Scheme::EntType => "ent_type",
        }
    }

    /// Partial and ent_type count a partial match as half a correct one.
    fn half_partial(self) -> bool {
        matches!(self, Scheme::Partial | Scheme::EntType)
    }
}

/// Raw counts of one scheme; they add up over documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub correct: u64,
    pub incorrect: u64,
    pub partial: u64,
    pub missed: u64,
    pub spurious: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.correct += o.correct;
        self.incorrect += o.incorrect;
        self.partial += o.partial;
        self.missed += o.missed;
        self.spurious += o.spurious;
    }

    pub fn possible(&self) -> u64 {
        self.correct + self.incorrect + self.partial + self.missed
    }

    pub fn actual(&self) -> u64 {
        self.correct + self.incorrect + self.partial + self.spurious
    }

    /// Counts and nervaluate's metrics for `scheme`.
    pub fn score(&self, scheme: Scheme) -> Score {
        let (actual, possible) = (self.actual(), self.possible());
        let m = if scheme.half_partial() {
            self.correct as f64 + 0.5 * self.partial as f64
        } else {
            self.correct as f64
        };
        let precision = if actual > 0 {
            Figure::Value(m / actual as f64)
        } else {
            Figure::Undefined(Undefined::NoPredictedSpans)
        };
        let recall = if possible > 0 {
            Figure::Value(m / possible as f64)
        } else {
            Figure::Undefined(Undefined::NoReferenceSpans)
        };
        let f1 = match (precision, recall) {
            (Figure::Value(p), Figure::Value(r)) if p + r > 0.0 => {
                Figure::Value(2.0 * (p * r) / (p + r))
            }
            _ if actual + possible == 0 => Figure::Undefined(Undefined::NoSpans),
            _ => Figure::Value(0.0),
        };
        Score {
            correct: self.correct,
            incorrect: self.incorrect,
            partial: self.partial,
            missed: self.missed,
            spurious: self.spurious,
            possible,
            actual,
            precision,
            recall,
            f1,
        }
    }
}

/// One scheme's counts and metrics, with nervaluate's keys.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Score {
    pub correct: u64,
    pub incorrect: u64,
    pub partial: u64,
    pub missed: u64,
    pub spurious: u64,
    pub possible: u64,
    pub actual: u64,
    pub precision: Figure,
    pub recall: Figure,
    pub f1: Figure,
}

/// Counts of the four schemes together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SchemeCounts {
    pub strict: Counts,
    pub exact: Counts,
    pub partial: Counts,
    pub ent_type: Counts,
}

impl SchemeCounts {
    pub fn get(&self, s: Scheme) -> &Counts {
        match s {
            Scheme::Strict => &self.strict,
            Scheme::Exact => &self.exact,
            Scheme::Partial => &self.partial,
            Scheme::EntType => &self.ent_type,
        }
    }

    pub fn add(&mut self, o: &SchemeCounts) {
        self.strict.add(&o.strict);
        self.exact.add(&o.exact);
        self.partial.add(&o.partial);
        self.ent_type.add(&o.ent_type);
    }

    pub fn scores(&self) -> Scores {
        Scores {
            strict: self.strict.score(Scheme::Strict),
            exact: self.exact.score(Scheme::Exact),
            partial: self.partial.score(Scheme::Partial),
            ent_type: self.ent_type.score(Scheme::EntType),
        }
    }
}

/// The four schemes' scores: the JSON object `{"strict", "exact", "partial", "ent_type"}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scores {
    pub strict: Score,
    pub exact: Score,
    pub partial: Score,
    pub ent_type: Score,
}

impl Scores {
    pub fn get(&self, s: Scheme) -> &Score {
        match s {
            Scheme::Strict => &self.strict,
            Scheme::Exact => &self.exact,
            Scheme::Partial => &self.partial,
            Scheme::EntType => &self.ent_type,
        }
    }
}

/// nervaluate's "sufficient overlap" at its default threshold of 1 %.
fn sufficient_overlap(pred: &SpanRef, truth: &SpanRef) -> bool {
    let lo = pred.start.max(truth.start);
    let hi = pred.end.min(truth.end);
    if hi <= lo {
        return false;
    }
    ((hi - lo) as f64 / (truth.end - truth.start) as f64) * 100.0 >= 1.0
}

/// Indices of `truth` spans that can overlap `pred`, in list order. `truth` is in
/// canonical order and `reach[i]` is the largest end among `truth[..=i]`.
fn candidates(truth: &[SpanRef], reach: &[usize], pred: &SpanRef) -> std::ops::Range<usize> {
    let first = reach.partition_point(|&e| e <= pred.start);
    let last = truth.partition_point(|t| t.start < pred.end);
    first..last.max(first)
}

/// Compares one document's predicted spans with its reference spans in all four
/// schemes. Both lists must be in canonical order (start, end, label, id), as
/// [`super::Selection`] gives them.
pub fn compare(truth: &[SpanRef], pred: &[SpanRef]) -> SchemeCounts {
    let mut out = SchemeCounts::default();
    compare_with(truth, pred, |scheme, outcome, _, _| {
        let c = match scheme {
            Scheme::Strict => &mut out.strict,
            Scheme::Exact => &mut out.exact,
            Scheme::Partial => &mut out.partial,
            Scheme::EntType => &mut out.ent_type,
        };
        match outcome {
            Outcome::Correct => c.correct += 1,
            Outcome::Incorrect => c.incorrect += 1,
            Outcome::Partial => c.partial += 1,
            Outcome::Missed => c.missed += 1,
            Outcome::Spurious => c.spurious += 1,
        }
    });
    out
}

/// What one span came to in one scheme: the five counts of nervaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Correct,
    Incorrect,
    Partial,
    Missed,
    Spurious,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Correct,
        Outcome::Incorrect,
        Outcome::Partial,
        Outcome::Missed,
        Outcome::Spurious,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Correct => "correct",
            Outcome::Incorrect => "incorrect",
            Outcome::Partial => "partial",
            Outcome::Missed => "missed",
            Outcome::Spurious => "spurious",
        }
    }
}

/// [`compare`], telling `on(scheme, outcome, pred, truth)` about every span: the index
/// of the predicted span (none for a missed one) and of the reference span it was
/// matched with (none for a spurious one). This is what lets a view list the spans
/// behind each count.
pub fn compare_with(
    truth: &[SpanRef],
    pred: &[SpanRef],
    mut on: impl FnMut(Scheme, Outcome, Option<usize>, Option<usize>),
) {
    let mut reach = Vec::with_capacity(truth.len());
    let mut m = 0;
    for t in truth {
        m = m.max(t.end);
        reach.push(m);
    }
    let mut used = vec![false; truth.len()];
    let ranges: Vec<std::ops::Range<usize>> =
        pred.iter().map(|p| candidates(truth, &reach, p)).collect();
    for scheme in Scheme::ALL {
        used.iter_mut().for_each(|u| *u = false);
        for (pi, (p, range)) in pred.iter().zip(&ranges).enumerate() {
            let range = range.clone();
            match scheme {
                Scheme::Strict | Scheme::Exact | Scheme::Partial => {
                    let same_label = scheme == Scheme::Strict;
                    let mut found = None;
                    let mut first_overlap = None;
                    for i in range {
                        if used[i] {
                            continue;
                        }
                        let t = &truth[i];
                        let same = t.start == p.start
                            && t.end == p.end
                            && (!same_label || t.label == p.label);
                        // Partial checks overlap before sameness; the same offsets
                        // always overlap enough, so the order does not matter.
                        if same {
                            found = Some(i);
                            break;
                        }
                        if first_overlap.is_none() && sufficient_overlap(p, t) {
                            first_overlap = Some(i);
                        }
                    }
                    if let Some(i) = found {
                        on(scheme, Outcome::Correct, Some(pi), Some(i));
                        used[i] = true;
                    } else if let Some(i) = first_overlap {
                        let o = if scheme == Scheme::Partial {
                            Outcome::Partial
                        } else {
                            Outcome::Incorrect
                        };
                        on(scheme, o, Some(pi), Some(i));
                        used[i] = true;
                    } else {
                        on(scheme, Outcome::Spurious, Some(pi), None);
                    }
                }
                Scheme::EntType => {
                    let mut best: Option<(usize, usize)> = None;
                    let mut first_other = None;
                    for i in range {
                        if used[i] {
                            continue;
                        }
                        let t = &truth[i];
                        if !sufficient_overlap(p, t) {
                            continue;
                        }
                        if t.label == p.label {
                            let dist = p.start.abs_diff(t.start) + p.end.abs_diff(t.end);
                            if best.is_none_or(|(_, d)| dist < d) {
                                best = Some((i, dist));
                            }
                        } else if first_other.is_none() {
                            first_other = Some(i);
                        }
                    }
                    if let Some((i, _)) = best {
                        on(scheme, Outcome::Correct, Some(pi), Some(i));
                        used[i] = true;
                    } else if let Some(i) = first_other {
                        on(scheme, Outcome::Incorrect, Some(pi), Some(i));
                        used[i] = true;
                    } else {
                        on(scheme, Outcome::Spurious, Some(pi), None);
                    }
                }
            }
        }
        for (i, u) in used.iter().enumerate() {
            if !u {
                on(scheme, Outcome::Missed, None, Some(i));
            }
        }
    }
}

/// Overall and per-label counts of one document: `(overall, per_label)` where
/// `per_label[l]` compares only the spans with label index `l`.
pub fn compare_by_label(
    truth: &[SpanRef],
    pred: &[SpanRef],
    labels: usize,
) -> (SchemeCounts, Vec<SchemeCounts>) {
    let overall = compare(truth, pred);
    let mut per = vec![SchemeCounts::default(); labels];
    // Each label's spans, in the same (canonical) order, split in one pass.
    let split = |spans: &[SpanRef]| {
        let mut by: Vec<Vec<SpanRef>> = vec![Vec::new(); labels];
        for s in spans {
            by[s.label as usize].push(*s);
        }
        by
    };
    let (t_by, p_by) = (split(truth), split(pred));
    for (l, slot) in per.iter_mut().enumerate() {
        if !t_by[l].is_empty() || !p_by[l].is_empty() {
            *slot = compare(&t_by[l], &p_by[l]);
        }
    }
    (overall, per)
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

    /// The five cases of nervaluate's documentation, one span pair each, worked by hand.
    #[test]
    fn each_case_of_the_schemes() {
        // Same offsets and label: correct everywhere.
        let c = compare(&[s(0, 5, 0)], &[s(0, 5, 0)]);
        assert_eq!(c.strict.correct, 1);
        assert_eq!(c.ent_type.correct, 1);
        // Same offsets, other label: strict incorrect, exact correct, partial correct,
        // ent_type incorrect.
        let c = compare(&[s(0, 5, 0)], &[s(0, 5, 1)]);
        assert_eq!((c.strict.incorrect, c.exact.correct), (1, 1));
        assert_eq!((c.partial.correct, c.ent_type.incorrect), (1, 1));
        // Overlap, same label: strict/exact incorrect, partial partial, ent_type correct.
        let c = compare(&[s(0, 5, 0)], &[s(2, 7, 0)]);
        assert_eq!((c.strict.incorrect, c.exact.incorrect), (1, 1));
        assert_eq!((c.partial.partial, c.ent_type.correct), (1, 1));
        // Missed and spurious.
        let c = compare(&[s(0, 5, 0)], &[s(10, 12, 0)]);
        assert_eq!((c.strict.missed, c.strict.spurious), (1, 1));
        // Scores: partial counts half. possible = actual = 1, m = 0.5.
        let sc = compare(&[s(0, 5, 0)], &[s(2, 7, 0)])
            .partial
            .score(Scheme::Partial);
        assert_eq!(sc.precision, Figure::Value(0.5));
        assert_eq!(sc.f1, Figure::Value(0.5));
    }

    #[test]
    fn one_char_overlap_with_a_long_reference_span_is_not_enough() {
        // 1 of 150 chars is 0.67 %: below nervaluate's 1 % threshold.
        let c = compare(&[s(0, 150, 0)], &[s(149, 155, 0)]);
        assert_eq!((c.strict.spurious, c.strict.missed), (1, 1));
        // 2 of 150 is 1.33 %: enough.
        let c = compare(&[s(0, 150, 0)], &[s(148, 155, 0)]);
        assert_eq!(c.strict.incorrect, 1);
    }

    #[test]
    fn greedy_order_is_nervaluates() {
        // The first predicted span uses up the reference span as incorrect, so the
        // exact copy that follows is spurious: strict is not symmetric.
        let c = compare(&[s(0, 5, 0)], &[s(0, 3, 0), s(0, 5, 0)]);
        assert_eq!(
            (c.strict.correct, c.strict.incorrect, c.strict.spurious),
            (0, 1, 1)
        );
        let c = compare(&[s(0, 3, 0), s(0, 5, 0)], &[s(0, 5, 0)]);
        assert_eq!((c.strict.correct, c.strict.missed), (1, 1));
        // ent_type picks the closest boundaries among same-label overlaps.
        let c = compare(&[s(0, 10, 0), s(2, 6, 0)], &[s(2, 7, 0)]);
        assert_eq!((c.ent_type.correct, c.ent_type.missed), (1, 1));
    }

    #[test]
    fn undefined_scores() {
        let sc = Counts::default().score(Scheme::Strict);
        assert_eq!(sc.precision, Figure::Undefined(Undefined::NoPredictedSpans));
        assert_eq!(sc.recall, Figure::Undefined(Undefined::NoReferenceSpans));
        assert_eq!(sc.f1, Figure::Undefined(Undefined::NoSpans));
        let sc = Counts {
            missed: 3,
            ..Default::default()
        }
        .score(Scheme::Strict);
        assert_eq!(sc.recall, Figure::Value(0.0));
        assert!(!sc.precision.is_defined());
        assert_eq!(sc.f1, Figure::Value(0.0));
    }
}
