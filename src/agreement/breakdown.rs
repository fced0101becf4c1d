//! The scores of `spanbench eval` with the spans behind every count, for the GUI's
//! scores panel: each cell of the table (label, scheme, outcome) and of the confusion
//! matrix lists the reference and predicted spans that made it, so a click can go to
//! each. The figures are [`super::evaluate_of`]'s, computed the same way.

use std::collections::{HashMap, HashSet};

use super::confusion::{self, NONE};
use super::nervaluate::{self, Outcome, Scheme};
use super::report::{EvalReport, evaluate_of};
use super::{ALL_LABELS, AgreementError, Selection, SpanRef};
use crate::model::{Corpus, Review, SpanId};

/// One span (or pair of spans) behind a count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellSpan {
    pub doc: String,
    /// The reference span: start, end, label (none for a spurious prediction).
    pub gold: Option<(usize, usize, String)>,
    /// The predicted span and its id (none for a missed reference span).
    pub pred: Option<(usize, usize, String, SpanId)>,
}

impl CellSpan {
    /// Where to go to see it: the predicted span, else the reference one.
    pub fn at(&self) -> (usize, usize) {
        match (&self.pred, &self.gold) {
            (Some(p), _) => (p.0, p.1),
            (None, Some(g)) => (g.0, g.1),
            (None, None) => (0, 0),
        }
    }
}

/// The report and, per cell, the spans behind it.
#[derive(Clone, Debug)]
pub struct Breakdown {
    pub report: EvalReport,
    /// (label or `*`, scheme, outcome) -> spans.
    pub cells: HashMap<(String, Scheme, Outcome), Vec<CellSpan>>,
    /// (reference label, predicted label), with [`NONE`] -> pairs.
    pub confusion: HashMap<(String, String), Vec<CellSpan>>,
}

impl Breakdown {
    pub fn cell(&self, label: &str, scheme: Scheme, outcome: Outcome) -> &[CellSpan] {
        self.cells
            .get(&(label.to_string(), scheme, outcome))
            .map_or(&[], Vec::as_slice)
    }

    pub fn confusion_cell(&self, gold: &str, pred: &str) -> &[CellSpan] {
        self.confusion
            .get(&(gold.to_string(), pred.to_string()))
            .map_or(&[], Vec::as_slice)
    }
}

/// Scores layer `pred` against `gold` with every cell's spans. With `skip_rejected`,
/// the predictions a reviewer rejected are left out: the scores of what the review
/// keeps, which change as the reviewer decides.
pub fn breakdown(
    corpus: &Corpus,
    gold: &str,
    pred: &str,
    skip_rejected: bool,
) -> Result<Breakdown, AgreementError> {
    let names = [gold.to_string(), pred.to_string()];
    let mut sel = Selection::resolve(corpus, Some(&names), None, 2, true)?;
    if skip_rejected {
        for d in &mut sel.docs {
            let Some(set) = corpus.set(pred, d.id) else {
                continue;
            };
            let rejected: HashSet<SpanId> = set
                .spans
                .iter()
                .filter(|s| s.review == Review::Rejected)
                .map(|s| s.id)
                .collect();
            if let Some(p) = d.sets[1].as_mut() {
                p.retain(|s| !rejected.contains(&s.id));
            }
        }
    }
    let report = evaluate_of(&sel);
    let labels = &sel.labels;
    let name = |l: u32| labels[l as usize].clone();
    let mut cells: HashMap<(String, Scheme, Outcome), Vec<CellSpan>> = HashMap::new();
    let mut conf: HashMap<(String, String), Vec<CellSpan>> = HashMap::new();
    for d in &sel.docs {
        let (Some(t), Some(p)) = (&d.sets[0], &d.sets[1]) else {
            continue;
        };
        let span =
            |truth: &[SpanRef], predicted: &[SpanRef], ti: Option<usize>, pi: Option<usize>| {
                CellSpan {
                    doc: d.id.to_string(),
                    gold: ti.map(|i| (truth[i].start, truth[i].end, name(truth[i].label))),
                    pred: pi.map(|j| {
                        let s = &predicted[j];
                        (s.start, s.end, name(s.label), s.id)
                    }),
                }
            };
        let mut add = |key: &str, truth: &[SpanRef], predicted: &[SpanRef]| {
            nervaluate::compare_with(truth, predicted, |scheme, outcome, pi, ti| {
                cells
                    .entry((key.to_string(), scheme, outcome))
                    .or_default()
                    .push(span(truth, predicted, ti, pi));
            });
        };
        add(ALL_LABELS, t, p);
        for (l, key) in labels.iter().enumerate() {
            let of = |v: &[SpanRef]| -> Vec<SpanRef> {
                v.iter()
                    .filter(|s| s.label as usize == l)
                    .copied()
                    .collect()
            };
            let (tl, pl) = (of(t), of(p));
            if !tl.is_empty() || !pl.is_empty() {
                add(key, &tl, &pl);
            }
        }
        confusion::tally_with(t, p, |ti, pi| {
            let row = ti.map_or(NONE.to_string(), |i| name(t[i].label));
            let col = pi.map_or(NONE.to_string(), |j| name(p[j].label));
            conf.entry((row, col)).or_default().push(span(t, p, ti, pi));
        });
    }
    Ok(Breakdown {
        report,
        cells,
        confusion: conf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::evaluate;

    #[test]
    fn the_cells_add_up_to_the_report_on_the_sample() {
        let corpus = crate::storage::load(std::path::Path::new("projects/karabakh")).unwrap();
        let b = breakdown(&corpus, "gold", "tomas", false).unwrap();
        let r = evaluate(&corpus, "gold", "tomas", None).unwrap();
        assert_eq!(b.report, r);
        for scheme in Scheme::ALL {
            let s = r.overall.get(scheme);
            let n = |o| b.cell(ALL_LABELS, scheme, o).len() as u64;
            assert_eq!(
                (
                    n(Outcome::Correct),
                    n(Outcome::Incorrect),
                    n(Outcome::Partial)
                ),
                (s.correct, s.incorrect, s.partial)
            );
            assert_eq!(
                (n(Outcome::Missed), n(Outcome::Spurious)),
                (s.missed, s.spurious)
            );
            for (label, scores) in &r.per_label.0 {
                let s = scores.get(scheme);
                assert_eq!(
                    b.cell(label, scheme, Outcome::Correct).len() as u64,
                    s.correct
                );
                assert_eq!(
                    b.cell(label, scheme, Outcome::Missed).len() as u64,
                    s.missed
                );
            }
        }
        for (row, cols) in &r.confusion.0 {
            for (col, n) in &cols.0 {
                assert_eq!(b.confusion_cell(row, col).len() as u64, *n, "{row} {col}");
            }
        }
        // A missed span names the reference span, a spurious one the prediction.
        for c in b.cell(ALL_LABELS, Scheme::Strict, Outcome::Missed) {
            assert!(c.gold.is_some() && c.pred.is_none());
        }
        for c in b.cell(ALL_LABELS, Scheme::Strict, Outcome::Spurious) {
            assert!(c.gold.is_none() && c.pred.is_some());
        }
    }
}
