//! Relations drawn in the document pane: an arc from the head span to the child span
//! with an arrowhead, coloured by type, thin unless it touches the selected span or the
//! pointer. Only relations with an end on a visible block are drawn, so the cost follows
//! what is on screen, not the document.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use egui::epaint::CubicBezierShape;
use egui::{Color32, Pos2, RichText, Shape, Stroke, Ui, vec2};

use super::document_pane::{DocumentPane, PaneInput};
use crate::blocks::{Block, block_at};
use crate::model::{Relation, RelationId, Span, SpanId};

const PALETTE: [Color32; 6] = [
    Color32::from_rgb(0, 150, 170),
    Color32::from_rgb(200, 60, 160),
    Color32::from_rgb(225, 120, 20),
    Color32::from_rgb(90, 110, 220),
    Color32::from_rgb(110, 160, 40),
    Color32::from_rgb(150, 110, 80),
];

/// How close (in points) the pointer must be to an arc to hover it.
const HOVER_DISTANCE: f32 = 5.0;

/// For each block, the relations (indices into `relations`) with an end on it.
pub fn index_by_block(
    blocks: &[Block],
    spans: &[Span],
    span_index: &HashMap<SpanId, usize>,
    relations: &[Relation],
) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); blocks.len()];
    if blocks.is_empty() {
        return out;
    }
    for (i, r) in relations.iter().enumerate() {
        let mut at: Vec<usize> = [r.from, r.to]
            .iter()
            .filter_map(|id| span_index.get(id).and_then(|&s| spans.get(s)))
            .map(|s| block_at(blocks, s.start))
            .collect();
        at.dedup();
        for b in at {
            out[b].push(i);
        }
    }
    out
}

/// The colour of a relation type (by its place in the schema).
pub fn type_color(input: &PaneInput, kind: &str) -> Color32 {
    let i = input
        .relation_types
        .iter()
        .position(|t| t.key == kind)
        .unwrap_or(PALETTE.len() - 1);
    PALETTE[i % PALETTE.len()]
}

fn bezier(p0: Pos2, p3: Pos2) -> [Pos2; 4] {
    let d = p3 - p0;
    let lift = 14.0 + (d.x.abs() * 0.12 + d.y.abs() * 0.25).min(60.0);
    [p0, p0 - vec2(0.0, lift), p3 - vec2(0.0, lift), p3]
}

pub fn point_on(c: &[Pos2; 4], t: f32) -> Pos2 {
    let u = 1.0 - t;
    let v = c[0].to_vec2() * (u * u * u)
        + c[1].to_vec2() * (3.0 * u * u * t)
        + c[2].to_vec2() * (3.0 * u * t * t)
        + c[3].to_vec2() * (t * t * t);
    v.to_pos2()
}

fn distance_to(c: &[Pos2; 4], p: Pos2) -> f32 {
    let mut best = f32::INFINITY;
    let mut prev = c[0];
    for i in 1..=24 {
        let q = point_on(c, i as f32 / 24.0);
        let seg = q - prev;
        let t = ((p - prev).dot(seg) / seg.length_sq().max(1e-6)).clamp(0.0, 1.0);
        best = best.min((prev + seg * t).distance(p));
        prev = q;
    }
    best
}

/// Draws the relations touching `blocks`; returns the one under `hover` (an index into
/// `input.relations`), and the curves drawn.
pub fn draw(
    ui: &Ui,
    pane: &DocumentPane,
    input: &PaneInput,
    blocks: Range<usize>,
    hover: Option<Pos2>,
) -> (Option<usize>, Vec<(RelationId, [Pos2; 4])>) {
    let mut seen = HashSet::new();
    let mut arcs = Vec::new();
    for b in blocks {
        for &i in pane.relations_on_block(b) {
            if !seen.insert(i) {
                continue;
            }
            let r = &input.relations[i];
            let (Some(a), Some(z)) = (pane.span_by_id(r.from, input), pane.span_by_id(r.to, input))
            else {
                continue;
            };
            let curve = bezier(pane.span_anchor(a), pane.span_anchor(z));
            arcs.push((i, curve));
        }
    }
    let hovered = hover.and_then(|p| {
        arcs.iter()
            .map(|(i, c)| (*i, distance_to(c, p)))
            .filter(|(_, d)| *d <= HOVER_DISTANCE)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    });
    let painter = ui.painter();
    let mut drawn = Vec::with_capacity(arcs.len());
    for (i, c) in arcs {
        let r = &input.relations[i];
        let strong =
            hovered == Some(i) || pane.selected_span.is_some_and(|s| s == r.from || s == r.to);
        let color = type_color(input, &r.kind);
        let (width, color) = if strong {
            (2.0, color)
        } else {
            (1.2, color.gamma_multiply(0.55))
        };
        painter.add(Shape::CubicBezier(CubicBezierShape::from_points_stroke(
            c,
            false,
            Color32::TRANSPARENT,
            Stroke::new(width, color),
        )));
        // The arrowhead points down at the child span.
        let tip = c[3];
        painter.add(Shape::convex_polygon(
            vec![tip, tip + vec2(-3.5, -7.0), tip + vec2(3.5, -7.0)],
            color,
            Stroke::NONE,
        ));
        painter.circle_filled(c[0], 2.0, color);
        drawn.push((r.id, c));
    }
    (hovered, drawn)
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        s.chars().take(39).chain(['…']).collect()
    } else {
        s.to_string()
    }
}

/// "SAID_BY", then "CLAIM “…” -> ACTOR “Putin”": what a hovered arc shows.
pub fn describe_ui(ui: &mut Ui, r: &Relation, input: &PaneInput) {
    ui.label(
        RichText::new(&r.kind)
            .strong()
            .color(type_color(input, &r.kind)),
    );
    let end = |id: SpanId| {
        input
            .spans
            .iter()
            .find(|s| s.id == id)
            .map_or(format!("#{}", id.0), |s| {
                format!("{} “{}”", s.label, short(&s.text))
            })
    };
    ui.label(format!("{} -> {}", end(r.from), end(r.to)));
}
