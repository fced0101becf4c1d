//! Ranges drawn over the document text that are not spans: search hits and "annotate
//! all" proposals. The pane paints those of the visible blocks only.

use std::sync::Arc;

use egui::{Color32, Galley, Painter, Rect, Shape, Stroke, StrokeKind, Vec2, pos2};

use super::document_pane::row_extents;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkStyle {
    Hit,
    CurrentHit,
    /// A proposal waiting for a decision, in its label's colour.
    Proposal(Color32),
    CurrentProposal(Color32),
    Accepted(Color32),
}

/// A range in canonical char offsets, end-exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub style: MarkStyle,
}

/// Marks of the open document, sorted by start and never overlapping (hits of one search
/// or proposals of one run), so those on a block are found by binary search. Shared, so
/// handing them to the pane each frame copies nothing.
#[derive(Clone, Debug, Default)]
pub struct Marks(pub Arc<[Mark]>);

impl Marks {
    pub fn new(mut marks: Vec<Mark>) -> Self {
        marks.sort_by_key(|m| (m.start, m.end));
        Marks(marks.into())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The marks overlapping chars `[c0, c1)`.
    fn within(&self, c0: usize, c1: usize) -> &[Mark] {
        let a = self.0.partition_point(|m| m.end <= c0);
        let b = self.0.partition_point(|m| m.start < c1);
        &self.0[a..b.max(a)]
    }
}

const HIT: Color32 = Color32::from_rgb(240, 200, 40);

/// Paints the marks on one block whose galley is drawn at `offset` and holds chars
/// `chars` of the document.
pub(super) fn paint(
    painter: &Painter,
    galley: &Galley,
    chars: (usize, usize),
    offset: Vec2,
    marks: &Marks,
    font_height: f32,
) {
    for m in marks.within(chars.0, chars.1) {
        let (s, e) = (m.start.max(chars.0) - chars.0, m.end.min(chars.1) - chars.0);
        for (x0, x1, top, bottom) in row_extents(galley, s, e, font_height) {
            let r = Rect::from_min_max(pos2(x0, top), pos2(x1, bottom)).translate(offset);
            match m.style {
                MarkStyle::Hit => {
                    painter.rect_filled(r.expand(1.0), 2.0, HIT.gamma_multiply(0.35));
                }
                MarkStyle::CurrentHit => {
                    painter.rect_filled(r.expand(1.0), 2.0, HIT.gamma_multiply(0.6));
                    painter.rect_stroke(
                        r.expand(2.0),
                        2.0,
                        Stroke::new(2.0, HIT),
                        StrokeKind::Outside,
                    );
                }
                MarkStyle::Proposal(c) => {
                    let r = r.expand(1.5);
                    for (a, b) in [
                        (r.left_top(), r.right_top()),
                        (r.right_top(), r.right_bottom()),
                        (r.right_bottom(), r.left_bottom()),
                        (r.left_bottom(), r.left_top()),
                    ] {
                        painter.extend(Shape::dashed_line(&[a, b], Stroke::new(1.5, c), 4.0, 3.0));
                    }
                }
                MarkStyle::CurrentProposal(c) => {
                    painter.rect_filled(r.expand(1.0), 2.0, c.gamma_multiply(0.3));
                    painter.rect_stroke(
                        r.expand(2.5),
                        2.0,
                        Stroke::new(2.5, c),
                        StrokeKind::Outside,
                    );
                }
                MarkStyle::Accepted(c) => {
                    painter.rect_filled(r.expand(1.0), 2.0, c.gamma_multiply(0.45));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_on_a_block_are_found_by_range() {
        let m = |start, end| Mark {
            start,
            end,
            style: MarkStyle::Hit,
        };
        let marks = Marks::new(vec![m(30, 35), m(0, 5), m(10, 20)]);
        let got = |a, b| {
            marks
                .within(a, b)
                .iter()
                .map(|m| m.start)
                .collect::<Vec<_>>()
        };
        assert_eq!(got(0, 100), vec![0, 10, 30]);
        assert_eq!(got(5, 10), Vec::<usize>::new());
        assert_eq!(got(4, 11), vec![0, 10]);
        assert_eq!(got(19, 31), vec![10, 30]);
        assert_eq!(got(35, 40), Vec::<usize>::new());
    }
}
