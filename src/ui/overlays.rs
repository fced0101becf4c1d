//! A model layer's suggestions drawn over the layer on screen: hollow dashed boxes in
//! the label's colour, the one on offer in the review queue solid, the score on hover.
//! Suggestions may overlap (an ACTOR inside a CLAIM), so unlike marks they are looked
//! up by start with the running maximum of their ends; the pane paints those of its
//! visible blocks only. Which suggestions to show is `review::pending_in`'s answer:
//! those the layer already holds are not shown twice.

use std::sync::Arc;

use egui::{Color32, Galley, Painter, Rect, Shape, Stroke, StrokeKind, Ui, Vec2, pos2};

use super::document_pane::row_extents;

#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub start: usize,
    pub end: usize,
    pub color: Color32,
    /// The label's name, for the hover text.
    pub label: String,
    pub score: Option<f64>,
    /// The one the review queue offers now.
    pub current: bool,
}

/// The suggestions of the open document, sorted by start, with the largest end so far
/// at each position. Shared, so handing them to the pane copies nothing.
#[derive(Clone, Debug, Default)]
pub struct Suggestions {
    items: Arc<[Suggestion]>,
    reach: Arc<[usize]>,
    /// The model layer they come from, for the hover text.
    pub model: String,
}

impl Suggestions {
    pub fn new(model: &str, mut items: Vec<Suggestion>) -> Self {
        items.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut m = 0;
        let reach: Vec<usize> = items
            .iter()
            .map(|s| {
                m = m.max(s.end);
                m
            })
            .collect();
        Suggestions {
            items: items.into(),
            reach: reach.into(),
            model: model.to_string(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The suggestions overlapping chars `[c0, c1)`.
    fn within(&self, c0: usize, c1: usize) -> impl Iterator<Item = &Suggestion> {
        let a = self.reach.partition_point(|&e| e <= c0);
        let b = self.items.partition_point(|s| s.start < c1);
        self.items[a..b.max(a)].iter().filter(move |s| s.end > c0)
    }

    /// The suggestions covering char `c`.
    pub fn at(&self, c: usize) -> Vec<&Suggestion> {
        self.within(c, c + 1).collect()
    }
}

fn dashed_box(painter: &Painter, r: Rect, stroke: Stroke) {
    for (a, b) in [
        (r.left_top(), r.right_top()),
        (r.right_top(), r.right_bottom()),
        (r.right_bottom(), r.left_bottom()),
        (r.left_bottom(), r.left_top()),
    ] {
        painter.extend(Shape::dashed_line(&[a, b], stroke, 4.0, 3.0));
    }
}

/// Paints the suggestions on one block whose galley is drawn at `offset` and holds
/// chars `chars` of the document.
pub(super) fn paint(
    painter: &Painter,
    galley: &Galley,
    chars: (usize, usize),
    offset: Vec2,
    suggestions: &Suggestions,
    font_height: f32,
) {
    for s in suggestions.within(chars.0, chars.1) {
        let (a, b) = (s.start.max(chars.0) - chars.0, s.end.min(chars.1) - chars.0);
        for (x0, x1, top, bottom) in row_extents(galley, a, b, font_height) {
            let r = Rect::from_min_max(pos2(x0, top), pos2(x1, bottom)).translate(offset);
            if s.current {
                painter.rect_filled(r.expand(1.0), 2.0, s.color.gamma_multiply(0.25));
                painter.rect_stroke(
                    r.expand(3.0),
                    2.0,
                    Stroke::new(2.5, s.color),
                    StrokeKind::Outside,
                );
            } else {
                dashed_box(painter, r.expand(2.0), Stroke::new(1.5, s.color));
            }
        }
    }
}

/// The hover text of the suggestions under the pointer.
pub(super) fn hover_ui(ui: &mut Ui, under: &[&Suggestion], model: &str) {
    for s in under {
        ui.horizontal(|ui| {
            super::theme::color_chip(ui, s.color);
            let score = s
                .score
                .map_or("no score".to_string(), |x| format!("score {x:.2}"));
            ui.colored_label(
                s.color,
                format!("{} suggested by {model}, {score}", s.label),
            );
        });
    }
    ui.weak("Review suggestions: A accept, X reject, Space skip, E edit");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_suggestions_are_found_by_range() {
        let s = |start, end| Suggestion {
            start,
            end,
            color: Color32::RED,
            label: "L".into(),
            score: None,
            current: false,
        };
        // A long one holding two short ones, and one after.
        let sg = Suggestions::new("m", vec![s(12, 15), s(0, 40), s(2, 6), s(50, 55)]);
        let got = |a, b| {
            sg.within(a, b)
                .map(|x| (x.start, x.end))
                .collect::<Vec<_>>()
        };
        assert_eq!(got(7, 10), vec![(0, 40)]);
        assert_eq!(got(3, 4), vec![(0, 40), (2, 6)]);
        assert_eq!(got(40, 50), Vec::<(usize, usize)>::new());
        assert_eq!(got(0, 100).len(), 4);
        assert_eq!(sg.at(13).len(), 2);
    }
}
