//! The label confusion of a prediction against a reference.
//!
//! In each document, reference and predicted spans are paired one to one, in three
//! rounds over the spans still unpaired: (1) same offsets and label; (2) same offsets;
//! (3) overlapping, largest overlap first (ties: reference order, then prediction
//! order; spans in canonical order). `matrix[reference label][predicted label]` counts
//! the pairs; a reference span left unpaired counts under predicted label
//! [`NONE`] (missed), a predicted span left unpaired under reference label [`NONE`]
//! (spurious). The diagonal is the spans whose label the prediction got right at
//! least in part of their extent.

use super::SpanRef;

/// The row and column of "no span".
pub const NONE: &str = "(none)";

/// Counts indexed by label index, with the last index (`labels`) for [`NONE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confusion {
    pub cells: Vec<Vec<u64>>,
}

impl Confusion {
    pub fn new(labels: usize) -> Self {
        Self {
            cells: vec![vec![0; labels + 1]; labels + 1],
        }
    }

    pub fn add(&mut self, o: &Confusion) {
        for (a, b) in self.cells.iter_mut().zip(&o.cells) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }
}

/// Adds one document's pairs to `out`.
pub fn tally(truth: &[SpanRef], pred: &[SpanRef], out: &mut Confusion) {
    let none = out.cells.len() - 1;
    tally_with(truth, pred, |t, p| {
        let row = t.map_or(none, |i| truth[i].label as usize);
        let col = p.map_or(none, |j| pred[j].label as usize);
        out.cells[row][col] += 1;
    });
}

/// The pairs of one document: `on(reference index, predicted index)`, with `None` for
/// the missing side of an unpaired span.
pub fn tally_with(
    truth: &[SpanRef],
    pred: &[SpanRef],
    mut on: impl FnMut(Option<usize>, Option<usize>),
) {
    let mut t_used = vec![false; truth.len()];
    let mut p_used = vec![false; pred.len()];
    for same_label in [true, false] {
        for (i, t) in truth.iter().enumerate() {
            if t_used[i] {
                continue;
            }
            if let Some(j) = (0..pred.len()).find(|&j| {
                !p_used[j]
                    && pred[j].start == t.start
                    && pred[j].end == t.end
                    && (!same_label || pred[j].label == t.label)
            }) {
                t_used[i] = true;
                p_used[j] = true;
                on(Some(i), Some(j));
            }
        }
    }
    let mut overlaps: Vec<(usize, usize, usize)> = Vec::new();
    for (i, t) in truth.iter().enumerate() {
        if t_used[i] {
            continue;
        }
        for (j, p) in pred.iter().enumerate() {
            let ov = t.end.min(p.end).saturating_sub(t.start.max(p.start));
            if !p_used[j] && ov > 0 {
                overlaps.push((ov, i, j));
            }
        }
    }
    overlaps.sort_by_key(|&(ov, i, j)| (std::cmp::Reverse(ov), i, j));
    for (_, i, j) in overlaps {
        if !t_used[i] && !p_used[j] {
            t_used[i] = true;
            p_used[j] = true;
            on(Some(i), Some(j));
        }
    }
    for (i, used) in t_used.iter().enumerate() {
        if !used {
            on(Some(i), None);
        }
    }
    for (j, used) in p_used.iter().enumerate() {
        if !used {
            on(None, Some(j));
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
        // Labels 0, 1; NONE = 2.
        let truth = [s(0, 5, 0), s(0, 5, 1), s(10, 20, 0), s(30, 35, 1)];
        let pred = [s(0, 5, 1), s(0, 5, 0), s(12, 25, 1), s(40, 45, 0)];
        let mut c = Confusion::new(2);
        tally(&truth, &pred, &mut c);
        // [0,5) pairs with its own label both times; [10,20) 0 -> [12,25) 1;
        // [30,35) missed; [40,45) spurious.
        assert_eq!(c.cells, vec![vec![1, 1, 0], vec![0, 1, 1], vec![1, 0, 0]]);
    }
}
