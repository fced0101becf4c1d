//! The document pane: the article wrapped to the pane width, spans as tinted boxes with
//! stacked underlines (one lane per overlapping span), drag/double-click selection and
//! click-to-select spans.
//!
//! Only visible blocks are laid out and painted. A block's galley depends only on its
//! text, the wrap width and the font, so editing spans never re-lays out text; a block's
//! span decorations are rebuilt only when the spans on it change.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use egui::epaint::text::{ByteIndex, LayoutJob, LayoutSection, TextFormat};
use egui::text::CharIndex;
use egui::{
    Align, Color32, CursorIcon, FontId, Galley, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2, pos2,
    vec2,
};
use unicode_segmentation::UnicodeSegmentation;

use super::relation_arcs;
use crate::blocks::{Block, Placed, block_at, place_spans, split_blocks};
use crate::model::{Document, Label, Relation, RelationType, Span, SpanId};
use crate::offsets::{Edge, Snap, snap_selection, word_at};

/// Underline lanes below each line of text; deeper overlaps share the last lane.
const LANES: usize = 3;
const LANE_GAP: f32 = 2.5;
const LANE_WIDTH: f32 = 2.0;
const MARGIN: f32 = 14.0;

#[derive(Clone, Copy, Debug, PartialEq)]
struct LayoutKey {
    width: f32,
    font_size: f32,
    dark: bool,
    pixels_per_point: f32,
}

struct BlockCache {
    galley: Arc<Galley>,
    /// Hash of the spans drawn on the block when `under`/`over` were built.
    decor_hash: Option<u64>,
    /// Tints painted beneath the text, and underlines above it, block-relative.
    under: Vec<Shape>,
    over: Vec<Shape>,
}

/// What the pane needs each frame, borrowed from the session.
pub struct PaneInput<'a> {
    pub doc: &'a Document,
    pub spans: &'a [Span],
    pub labels: &'a [Label],
    /// Changes whenever annotations change.
    pub revision: u64,
    pub snap: Snap,
    pub font_size: f32,
    /// The active layer's relations on this document.
    pub relations: &'a [Relation],
    pub relation_types: &'a [RelationType],
    /// False on a read-only layer: no boundary handles.
    pub editable: bool,
    /// A one-line hint shown over the pane (e.g. on an empty layer).
    pub hint: Option<String>,
}

/// Drawing over the visible blocks beyond the layer's own spans: a view that shows
/// more than one layer (curation's versions, where gold differs) hands the pane one of
/// these each frame. `paint` is called once per visible block, like the marks.
pub trait PaneOverlay {
    /// Paints what lies on the block holding chars `chars`, whose galley is drawn at
    /// `offset`.
    fn paint(
        &self,
        painter: &egui::Painter,
        galley: &Galley,
        chars: (usize, usize),
        offset: Vec2,
        font_height: f32,
    );
    /// Lines for the tooltip over char `c`, if the overlay has something there.
    fn hover(&self, _c: usize) -> Vec<String> {
        Vec::new()
    }
}

/// What the user asked for in the pane that changes annotations; the app carries it out.
#[derive(Clone, Debug, PartialEq)]
pub enum PaneAction {
    /// A boundary handle was dragged: the span's new range.
    SetRange {
        id: SpanId,
        start: usize,
        end: usize,
    },
    /// In relation mode, the span clicked as the relation's target.
    RelationTarget(SpanId),
}

/// State of the pane for the open document. Rebuilt when another document is opened.
#[derive(Default)]
pub struct DocumentPane {
    doc_id: String,
    blocks: Vec<Block>,
    placed: Vec<Vec<Placed>>,
    placed_revision: Option<u64>,
    cache: Vec<Option<BlockCache>>,
    /// Block heights: exact once laid out, estimated before.
    heights: Vec<f32>,
    /// Prefix sums of `heights`: the top of each block in content coordinates.
    tops: Vec<f32>,
    tops_dirty: bool,
    key: Option<LayoutKey>,
    line_height: f32,
    font_height: f32,
    /// Screen position of the content's top-left corner in the last frame.
    origin: Pos2,
    /// Where a text drag started: the glyph under the pointer `(c, c + 1)`, or a
    /// boundary `(b, b)` when the press was beside the text.
    drag_anchor: Option<(usize, usize)>,
    drag_current: Option<usize>,
    /// The boundary nearest the press that started the drag.
    drag_press: Option<usize>,
    /// A boundary handle being dragged, and the range it would give.
    handle_drag: Option<(SpanId, Edge)>,
    handle_preview: Option<(usize, usize)>,
    /// Screen rects of the selected span's handles in the last frame.
    handles: Vec<(Edge, Rect)>,
    /// Span id -> index in the span list, and for each block the relations with an end
    /// on it; rebuilt when annotations change.
    span_index: HashMap<SpanId, usize>,
    rel_blocks: Vec<Vec<usize>>,
    /// The visible part of the pane on screen in the last frame.
    view: Option<Rect>,
    /// The relation arcs drawn in the last frame (relation id, curve).
    arcs: Vec<(crate::model::RelationId, [Pos2; 4])>,
    /// Relation mode: the span a new relation starts from, waiting for a target click.
    pub linking: Option<SpanId>,
    /// Changes asked for this frame, for the app to apply.
    pub actions: Vec<PaneAction>,
    /// The snapped text selection waiting for a label.
    pub selection: Option<(usize, usize)>,
    pub selected_span: Option<SpanId>,
    /// A char offset to bring into view on the next frame.
    pub scroll_to: Option<usize>,
    /// Ranges drawn over the text: search hits, "annotate all" proposals.
    pub marks: super::marks::Marks,
    /// A model layer's suggestions drawn over the layer (see `overlays.rs`).
    pub suggestions: super::overlays::Suggestions,
    /// Set by the app each frame for views that draw more than spans and marks.
    pub overlay: Option<Arc<dyn PaneOverlay>>,
}

impl DocumentPane {
    pub fn doc_id(&self) -> &str {
        &self.doc_id
    }

    /// Opens a document: cuts it into blocks; nothing is laid out until it is visible.
    fn open(&mut self, input: &PaneInput) {
        let doc = input.doc;
        // The overlay is the app's, set for the document being opened.
        let overlay = self.overlay.take();
        *self = DocumentPane {
            doc_id: doc.id.clone(),
            overlay,
            ..Default::default()
        };
        self.blocks = split_blocks(&doc.text);
        self.cache = (0..self.blocks.len()).map(|_| None).collect();
        self.heights = vec![0.0; self.blocks.len()];
        self.tops_dirty = true;
    }

    pub fn blocks_laid_out(&self) -> usize {
        self.cache.iter().filter(|c| c.is_some()).count()
    }

    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }

    fn estimate(&self, b: &Block, width: f32, font_size: f32) -> f32 {
        let per_row = (width / (font_size * 0.5)).max(10.0);
        let rows = ((b.chars.1 - b.chars.0) as f32 / per_row).ceil().max(1.0);
        rows * self.line_height
    }

    fn ensure_tops(&mut self) {
        if !self.tops_dirty && self.tops.len() == self.heights.len() + 1 {
            return;
        }
        self.tops.clear();
        self.tops.reserve(self.heights.len() + 1);
        let mut y = MARGIN;
        for h in &self.heights {
            self.tops.push(y);
            y += h;
        }
        self.tops.push(y);
        self.tops_dirty = false;
    }

    fn total_height(&self) -> f32 {
        self.tops.last().copied().unwrap_or(0.0) + MARGIN
    }

    /// The block whose vertical extent contains content-y `y`.
    fn block_at_y(&self, y: f32) -> usize {
        self.tops[..self.blocks.len()]
            .partition_point(|&t| t <= y)
            .saturating_sub(1)
    }

    /// Screen position just inside the left edge of the glyph of char `c`, vertically
    /// centred on its row, if its block is laid out: pressing there hits that glyph and
    /// its leading boundary. Tests use it to drive real pointer events.
    pub fn char_pos(&self, c: usize) -> Option<Pos2> {
        let b = block_at(&self.blocks, c);
        let cache = self.cache.get(b)?.as_ref()?;
        let local = c.checked_sub(self.blocks[b].chars.0)?;
        let r = cache
            .galley
            .pos_from_cursor(egui::text::CCursor::new(local));
        Some(self.origin + vec2(MARGIN + r.min.x + 1.0, self.tops[b] + r.center().y))
    }

    /// Screen rect of the glyph of char `c`, if its block is laid out.
    pub fn glyph_rect(&self, c: usize) -> Option<Rect> {
        let b = block_at(&self.blocks, c);
        let cache = self.cache.get(b)?.as_ref()?;
        let local = c.checked_sub(self.blocks[b].chars.0)?;
        let offset = self.origin.to_vec2() + vec2(MARGIN, self.tops[b]);
        row_extents(&cache.galley, local, local + 1, self.font_height)
            .first()
            .map(|&(x0, x1, top, bottom)| {
                Rect::from_min_max(pos2(x0, top), pos2(x1, bottom)).translate(offset)
            })
    }

    /// The part of the pane visible on screen in the last frame.
    pub fn visible_rect(&self) -> Rect {
        self.view.unwrap_or(Rect::NOTHING)
    }

    /// The middle of relation `id`'s arc, if it was drawn in the last frame.
    pub fn arc_midpoint(&self, id: crate::model::RelationId) -> Option<Pos2> {
        self.arcs
            .iter()
            .find(|(r, _)| *r == id)
            .map(|(_, c)| relation_arcs::point_on(c, 0.5))
    }

    /// How many relation arcs the last frame drew.
    pub fn arcs_drawn(&self) -> usize {
        self.arcs.len()
    }

    /// Screen rect of the selected span's start or end handle in the last frame.
    pub fn handle_rect(&self, edge: Edge) -> Option<Rect> {
        self.handles
            .iter()
            .find(|(e, _)| *e == edge)
            .map(|(_, r)| *r)
    }

    pub(super) fn relations_on_block(&self, b: usize) -> &[usize] {
        self.rel_blocks.get(b).map_or(&[], |v| v.as_slice())
    }

    pub(super) fn span_by_id<'a>(&self, id: SpanId, input: &PaneInput<'a>) -> Option<&'a Span> {
        self.span_index.get(&id).and_then(|&i| input.spans.get(i))
    }

    /// Where a relation arc meets a span: above the middle of its first row, or at its
    /// block's top when that block is not laid out (off screen).
    pub(super) fn span_anchor(&self, span: &Span) -> Pos2 {
        let b = block_at(&self.blocks, span.start);
        let offset = self.origin.to_vec2() + vec2(MARGIN, self.tops.get(b).copied().unwrap_or(0.0));
        if let Some(Some(cache)) = self.cache.get(b) {
            let blk = &self.blocks[b];
            let (s, e) = (
                span.start.saturating_sub(blk.chars.0),
                span.end.min(blk.chars.1).saturating_sub(blk.chars.0),
            );
            if let Some(&(x0, x1, top, _)) =
                row_extents(&cache.galley, s, e.max(s + 1), self.font_height).first()
            {
                return pos2((x0 + x1) / 2.0, top - 1.0) + offset;
            }
        }
        pos2(40.0, 0.0) + offset
    }

    /// The char under a screen position (nearest char boundary), if its block is laid out.
    fn char_at(&self, pos: Pos2) -> Option<usize> {
        if self.blocks.is_empty() {
            return None;
        }
        let local = pos - self.origin;
        let b = self.block_at_y(local.y);
        let cache = self.cache.get(b)?.as_ref()?;
        let c = cache
            .galley
            .cursor_from_pos(vec2(local.x - MARGIN, local.y - self.tops[b]));
        Some(self.blocks[b].chars.0 + c.index.0)
    }

    /// The innermost span covering char `c` (the glyph starting at `c`).
    fn span_at(&self, c: usize, spans: &[Span]) -> Option<usize> {
        let b = block_at(&self.blocks, c);
        self.placed
            .get(b)?
            .iter()
            .filter(|p| p.start <= c && c < p.end)
            .min_by_key(|p| spans.get(p.span).map_or(usize::MAX, |s| s.end - s.start))
            .map(|p| p.span)
    }

    fn spans_at(&self, c: usize, spans: &[Span]) -> Vec<usize> {
        let b = block_at(&self.blocks, c);
        let mut v: Vec<usize> = self
            .placed
            .get(b)
            .map(|ps| {
                ps.iter()
                    .filter(|p| p.start <= c && c < p.end)
                    .map(|p| p.span)
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by_key(|&i| spans.get(i).map_or(usize::MAX, |s| s.end - s.start));
        v
    }

    /// Snaps a raw selection within the blocks it touches (not the whole document).
    fn snap(&self, text: &str, a: usize, b: usize, mode: Snap) -> Option<(usize, usize)> {
        let (lo, hi) = (a.min(b), a.max(b));
        let (b0, b1) = (block_at(&self.blocks, lo), block_at(&self.blocks, hi));
        let (c0, y0) = (self.blocks[b0].chars.0, self.blocks[b0].bytes.0);
        let y1 = self.blocks[b1].bytes.1;
        let window = text.get(y0..y1)?;
        snap_selection(window, lo - c0, hi - c0, mode).map(|(s, e)| (s + c0, e + c0))
    }
}

fn label_color(labels: &[Label], key: &str) -> Color32 {
    let [r, g, b] = labels
        .iter()
        .find(|l| l.key == key)
        .map_or([128, 128, 128], Label::rgb);
    Color32::from_rgb(r, g, b)
}

/// What a block's decorations depend on: the spans on it and their colours (a label may
/// be recoloured), and which one is selected.
fn hash_placed(
    placed: &[Placed],
    spans: &[Span],
    labels: &[Label],
    selected: Option<SpanId>,
) -> u64 {
    let mut h = DefaultHasher::new();
    for p in placed {
        if let Some(s) = spans.get(p.span) {
            (
                s.id,
                p.start,
                p.end,
                p.lane,
                label_color(labels, &s.label).to_array(),
                Some(s.id) == selected,
            )
                .hash(&mut h);
        }
    }
    h.finish()
}

/// Rectangles (block-relative) covering local chars `[s, e)` of a galley, one per row,
/// as (x0, x1, text_top, text_bottom).
pub(super) fn row_extents(
    galley: &Galley,
    s: usize,
    e: usize,
    font_height: f32,
) -> Vec<(f32, f32, f32, f32)> {
    let mut out = Vec::new();
    let mut r0 = 0;
    for row in &galley.rows {
        let n = row.char_count_excluding_newline().0;
        let r1 = r0 + n;
        let (a, b) = (s.max(r0), e.min(r1));
        if a < b {
            let x0 = row.pos.x + row.x_offset(CharIndex(a - r0));
            let x1 = row.pos.x + row.x_offset(CharIndex(b - r0));
            let top = row.pos.y + (row.height() - font_height) / 2.0;
            out.push((x0, x1, top, top + font_height));
        }
        r0 = r1 + row.ends_with_newline as usize;
        if r0 >= e {
            break;
        }
    }
    out
}

fn build_decor(
    cache: &mut BlockCache,
    block: &Block,
    placed: &[Placed],
    input: &PaneInput,
    selected: Option<SpanId>,
    font_height: f32,
) {
    cache.under.clear();
    cache.over.clear();
    for p in placed {
        let Some(span) = input.spans.get(p.span) else {
            continue;
        };
        let color = label_color(input.labels, &span.label);
        let lane = (p.lane as usize).min(LANES - 1) as f32;
        let is_selected = Some(span.id) == selected;
        for (x0, x1, top, bottom) in row_extents(
            &cache.galley,
            p.start - block.chars.0,
            p.end - block.chars.0,
            font_height,
        ) {
            let tint = Rect::from_min_max(pos2(x0, top), pos2(x1, bottom));
            cache.under.push(Shape::rect_filled(
                tint,
                2.0,
                color.gamma_multiply(if is_selected { 0.45 } else { 0.2 }),
            ));
            let y = bottom + 1.5 + lane * LANE_GAP;
            cache.over.push(Shape::line_segment(
                [pos2(x0, y), pos2(x1, y)],
                Stroke::new(LANE_WIDTH, color),
            ));
            if is_selected {
                cache.over.push(Shape::rect_stroke(
                    tint.expand(1.5),
                    2.0,
                    Stroke::new(1.5, color),
                    egui::StrokeKind::Outside,
                ));
            }
        }
    }
}

/// Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo...).
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// The layout job of one block. egui shapes a right-to-left word as one run and then
/// emits more glyphs than chars, which would shift every offset after it; giving each
/// right-to-left grapheme a section of its own keeps one glyph per char in logical order,
/// so offsets, hit tests and highlights stay exact (at the cost of joining and bidi order).
fn block_job(text: &str, format: TextFormat) -> LayoutJob {
    let mut job = LayoutJob {
        text: String::with_capacity(text.len()),
        ..Default::default()
    };
    let push = |job: &mut LayoutJob, piece: &str| {
        let start = job.text.len();
        job.text.push_str(piece);
        job.sections.push(LayoutSection {
            leading_space: 0.0,
            byte_range: ByteIndex(start)..ByteIndex(job.text.len()),
            format: format.clone(),
        });
    };
    if !text.chars().any(is_rtl) {
        push(&mut job, text);
        return job;
    }
    let mut plain = 0;
    for (b, g) in text.grapheme_indices(true) {
        if g.chars().next().is_some_and(is_rtl) {
            if plain < b {
                push(&mut job, &text[plain..b]);
            }
            push(&mut job, g);
            plain = b + g.len();
        }
    }
    if plain < text.len() {
        push(&mut job, &text[plain..]);
    }
    job
}

/// Shows the pane. Returns true when the user changed the selection.
pub fn document_pane_ui(ui: &mut Ui, pane: &mut DocumentPane, input: &PaneInput) -> bool {
    if pane.doc_id != input.doc.id {
        pane.open(input);
    }
    if pane.placed_revision != Some(input.revision) || pane.placed.len() != pane.blocks.len() {
        pane.placed = place_spans(&pane.blocks, input.spans);
        pane.placed_revision = Some(input.revision);
        pane.span_index = input
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        pane.rel_blocks = relation_arcs::index_by_block(
            &pane.blocks,
            input.spans,
            &pane.span_index,
            input.relations,
        );
        if let Some(id) = pane.selected_span
            && !input.spans.iter().any(|s| s.id == id)
        {
            pane.selected_span = None;
        }
    }
    // The hint gets its own strip under the text rather than floating over it: the
    // strip takes height only, so the text never re-wraps or moves when it comes and goes.
    let full = ui.available_rect_before_wrap();
    let strip = match &input.hint {
        Some(_) => ui.text_style_height(&egui::TextStyle::Body) + 10.0,
        None => 0.0,
    };
    let text_rect = Rect::from_min_max(full.min, pos2(full.max.x, full.max.y - strip));
    let mut text_ui = ui.new_child(egui::UiBuilder::new().max_rect(text_rect));
    let changed = pane_text_ui(&mut text_ui, pane, input);
    if let Some(hint) = &input.hint {
        let at = Rect::from_min_max(pos2(full.min.x, text_rect.max.y), full.max);
        let mut hint_ui = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(at)
                .layout(egui::Layout::left_to_right(egui::Align::Center)),
        );
        hint_ui.add_space(MARGIN);
        hint_ui.label(egui::RichText::new(hint).color(hint_ui.visuals().warn_fg_color));
    }
    ui.advance_cursor_after_rect(full);
    changed
}

/// The scrolling text of the pane, with its spans, selection, handles and arcs.
fn pane_text_ui(ui: &mut Ui, pane: &mut DocumentPane, input: &PaneInput) -> bool {
    let mut changed = false;
    let dark = ui.visuals().dark_mode;
    let text_color = ui.visuals().strong_text_color();
    let font_id = FontId::proportional(input.font_size);
    egui::ScrollArea::vertical()
        // One scroll position per document, so switching back returns to where you were.
        .id_salt(("document_pane", &input.doc.id))
        .auto_shrink(false)
        .scroll_source(egui::scroll_area::ScrollSource {
            drag: egui::scroll_area::DragScroll::Never,
            ..Default::default()
        })
        .show_viewport(ui, |ui, viewport| {
            let width = (ui.available_width() - 2.0 * MARGIN).max(80.0);
            let key = LayoutKey {
                width,
                font_size: input.font_size,
                dark,
                pixels_per_point: ui.ctx().pixels_per_point(),
            };
            if pane.key != Some(key) {
                pane.font_height = ui.fonts_mut(|f| f.row_height(&font_id));
                pane.line_height =
                    (pane.font_height + 2.0 * (2.0 + LANES as f32 * LANE_GAP)).round();
                pane.key = Some(key);
                for c in &mut pane.cache {
                    *c = None;
                }
                let est: Vec<f32> = pane
                    .blocks
                    .iter()
                    .map(|b| pane.estimate(b, width, input.font_size))
                    .collect();
                pane.heights = est;
                pane.tops_dirty = true;
            }
            pane.ensure_tops();
            pane.origin = ui.min_rect().min;
            pane.view = Some(ui.clip_rect());
            let total = pane.total_height();
            let content = Rect::from_min_size(pane.origin, vec2(ui.available_width(), total));
            let response = ui.allocate_rect(content, Sense::click_and_drag());

            // Bring a requested char into view.
            if let Some(c) = pane.scroll_to.take()
                && !pane.blocks.is_empty()
            {
                let b = block_at(&pane.blocks, c);
                let r = Rect::from_min_size(
                    pane.origin + vec2(0.0, pane.tops[b]),
                    vec2(width, pane.heights[b]),
                );
                ui.scroll_to_rect(r, Some(Align::Center));
            }

            // Lay out the visible blocks (and a screen's worth around them).
            let margin = viewport.height();
            let (y0, y1) = (viewport.min.y - margin, viewport.max.y + margin);
            let first = pane.block_at_y(y0.max(0.0));
            let mut last = first;
            while last < pane.blocks.len() && pane.tops[last] < y1 {
                last += 1;
            }
            let mut heights_changed = false;
            for b in first..last {
                if pane.cache[b].is_none() {
                    let blk = &pane.blocks[b];
                    let text = input.doc.text.get(blk.bytes.0..blk.bytes.1).unwrap_or("");
                    let mut job = block_job(
                        text,
                        TextFormat {
                            font_id: font_id.clone(),
                            color: text_color,
                            line_height: Some(pane.line_height),
                            ..Default::default()
                        },
                    );
                    job.wrap.max_width = width;
                    let galley = ui.painter().layout_job(job);
                    let h = galley.size().y.max(pane.line_height);
                    if (h - pane.heights[b]).abs() > 0.5 {
                        pane.heights[b] = h;
                        heights_changed = true;
                    }
                    pane.cache[b] = Some(BlockCache {
                        galley,
                        decor_hash: None,
                        under: Vec::new(),
                        over: Vec::new(),
                    });
                }
            }
            if heights_changed {
                pane.tops_dirty = true;
                pane.ensure_tops();
                ui.ctx().request_repaint();
            }

            // Paint only what intersects the viewport.
            let painter = ui.painter();
            let vis_first = pane.block_at_y(viewport.min.y.max(0.0));
            let selected = pane.selected_span;
            let font_height = pane.font_height;
            for b in vis_first..last {
                if pane.tops[b] > viewport.max.y {
                    break;
                }
                let hash = hash_placed(&pane.placed[b], input.spans, input.labels, selected);
                let block = pane.blocks[b].clone();
                let offset = pane.origin.to_vec2() + vec2(MARGIN, pane.tops[b]);
                let Some(cache) = pane.cache[b].as_mut() else {
                    continue;
                };
                if cache.decor_hash != Some(hash) {
                    build_decor(cache, &block, &pane.placed[b], input, selected, font_height);
                    cache.decor_hash = Some(hash);
                }
                for s in &cache.under {
                    let mut s = s.clone();
                    s.translate(offset);
                    painter.add(s);
                }
                // Search hits and "annotate all" proposals.
                super::marks::paint(
                    painter,
                    &cache.galley,
                    block.chars,
                    offset,
                    &pane.marks,
                    font_height,
                );
                super::overlays::paint(
                    painter,
                    &cache.galley,
                    block.chars,
                    offset,
                    &pane.suggestions,
                    font_height,
                );
                if let Some(o) = &pane.overlay {
                    o.paint(painter, &cache.galley, block.chars, offset, font_height);
                }
                painter.galley(pos2(offset.x, offset.y), cache.galley.clone(), text_color);
                for s in &cache.over {
                    let mut s = s.clone();
                    s.translate(offset);
                    painter.add(s);
                }
            }

            // The text selection, live while dragging and snapped after.
            let live = match (pane.drag_anchor, pane.drag_current) {
                (Some(a), Some(c)) => Some(anchored(a, c)),
                _ => pane.handle_preview.or(pane.selection),
            };
            if let Some((s, e)) = live {
                let sel_color = ui.visuals().selection.bg_fill.gamma_multiply(0.6);
                for b in
                    block_at(&pane.blocks, s)..=block_at(&pane.blocks, e.saturating_sub(1).max(s))
                {
                    let Some(cache) = pane.cache.get(b).and_then(|c| c.as_ref()) else {
                        continue;
                    };
                    let blk = &pane.blocks[b];
                    let offset = pane.origin.to_vec2() + vec2(MARGIN, pane.tops[b]);
                    let (ls, le) = (
                        s.max(blk.chars.0) - blk.chars.0,
                        e.min(blk.chars.1).saturating_sub(blk.chars.0),
                    );
                    for (x0, x1, top, bottom) in row_extents(&cache.galley, ls, le, font_height) {
                        let r =
                            Rect::from_min_max(pos2(x0, top), pos2(x1, bottom)).translate(offset);
                        painter.rect_stroke(
                            r.expand(1.0),
                            2.0,
                            Stroke::new(2.0, sel_color),
                            egui::StrokeKind::Outside,
                        );
                        painter.rect_filled(r, 2.0, sel_color.gamma_multiply(0.4));
                    }
                }
            }

            draw_handles(ui, pane, input);
            let (hovered_relation, arcs) =
                relation_arcs::draw(ui, pane, input, vis_first..last, response.hover_pos());
            pane.arcs = arcs;
            changed |= handle_pointer(ui, pane, &response, input, hovered_relation);
        });
    changed
}

/// A text selection from a drag anchor (a glyph or a boundary) to boundary `c`: the
/// anchor glyph is always kept, whichever way the drag goes.
fn anchored((lo, hi): (usize, usize), c: usize) -> (usize, usize) {
    if c >= hi {
        (lo, c)
    } else if c <= lo {
        (c, hi)
    } else {
        (lo, hi)
    }
}

const HANDLE_GRAB: f32 = 6.0;

/// The selected span's boundary handles: a bar at each end, with a knob above the start
/// and below the end. Only on an editable layer.
fn draw_handles(ui: &Ui, pane: &mut DocumentPane, input: &PaneInput) {
    pane.handles.clear();
    if !input.editable || pane.linking.is_some() {
        return;
    }
    let Some(span) = pane
        .selected_span
        .and_then(|id| pane.span_index.get(&id))
        .and_then(|&i| input.spans.get(i))
    else {
        return;
    };
    let (start, end) = pane.handle_preview.unwrap_or((span.start, span.end));
    let color = label_color(input.labels, &span.label);
    let painter = ui.painter();
    for (edge, c) in [(Edge::Start, start), (Edge::End, end.saturating_sub(1))] {
        let Some(r) = pane.glyph_rect(c) else {
            continue;
        };
        let x = if edge == Edge::Start {
            r.min.x
        } else {
            r.max.x
        };
        let (top, bottom) = (r.min.y - 2.0, r.max.y + 2.0);
        painter.line_segment([pos2(x, top), pos2(x, bottom)], Stroke::new(2.0, color));
        let knob = if edge == Edge::Start {
            pos2(x, top - 3.0)
        } else {
            pos2(x, bottom + 3.0)
        };
        painter.circle_filled(knob, 4.0, color);
        let grab = Rect::from_min_max(
            pos2(x - HANDLE_GRAB, top - 7.0),
            pos2(x + HANDLE_GRAB, bottom + 7.0),
        );
        pane.handles.push((edge, grab));
    }
}

/// The range a handle dropped at boundary `b` gives span `[start, end)`: the other end
/// stays; the moved one is snapped like a selection. `None` if the span would be empty.
fn handle_range(
    pane: &DocumentPane,
    text: &str,
    (start, end): (usize, usize),
    edge: Edge,
    b: usize,
    mode: Snap,
) -> Option<(usize, usize)> {
    match edge {
        Edge::End => {
            let (_, e) = pane.snap(text, start, b.max(start + 1), mode)?;
            (b > start && e > start).then_some((start, e))
        }
        Edge::Start => {
            let (s, _) = pane.snap(text, b.min(end.saturating_sub(1)), end, mode)?;
            (b < end && s < end).then_some((s, end))
        }
    }
}

fn handle_pointer(
    ui: &Ui,
    pane: &mut DocumentPane,
    response: &egui::Response,
    input: &PaneInput,
    hovered_relation: Option<usize>,
) -> bool {
    let mut changed = false;
    let over_handle = |pane: &DocumentPane, p: Pos2| {
        pane.handles
            .iter()
            .find(|(_, r)| r.contains(p))
            .map(|(e, _)| *e)
    };
    if let Some(p) = response.hover_pos()
        && (over_handle(pane, p).is_some() || pane.handle_drag.is_some())
    {
        ui.ctx().set_cursor_icon(CursorIcon::ResizeHorizontal);
    }
    if response.drag_started() {
        let origin = ui.ctx().input(|i| i.pointer.press_origin());
        match (
            origin.and_then(|p| over_handle(pane, p)),
            pane.selected_span,
        ) {
            (Some(edge), Some(id)) => {
                pane.handle_drag = Some((id, edge));
                pane.drag_anchor = None;
            }
            _ => {
                // The glyph under the press is kept whichever way the drag goes; beside
                // the text, the nearest boundary anchors it.
                pane.drag_anchor = origin.and_then(|p| {
                    pane.char_at_glyph(p)
                        .map(|c| (c, c + 1))
                        .or_else(|| pane.char_at(p).map(|b| (b, b)))
                });
                pane.drag_press = origin.and_then(|p| pane.char_at(p));
                pane.drag_current = pane.drag_press;
            }
        }
    }
    if let Some((id, edge)) = pane.handle_drag {
        let span = pane
            .span_index
            .get(&id)
            .and_then(|&i| input.spans.get(i))
            .map(|s| (s.start, s.end));
        if response.dragged()
            && let (Some(p), Some(range)) = (response.interact_pointer_pos(), span)
            && let Some(b) = pane.char_at(p)
        {
            pane.handle_preview =
                handle_range(pane, &input.doc.text, range, edge, b, input.snap).or(Some(range));
        }
        if response.drag_stopped() || !response.dragged() {
            if let (Some((start, end)), Some(range)) = (pane.handle_preview.take(), span)
                && (start, end) != range
            {
                pane.actions.push(PaneAction::SetRange { id, start, end });
            }
            pane.handle_drag = None;
        }
        return false;
    }
    if response.dragged()
        && let Some(p) = response.interact_pointer_pos()
    {
        pane.drag_current = pane.char_at(p).or(pane.drag_current);
        // Scroll when dragging past the edge of the pane.
        let clip = ui.clip_rect();
        if p.y > clip.max.y - 20.0 {
            ui.scroll_with_delta(Vec2::new(0.0, -12.0));
        } else if p.y < clip.min.y + 20.0 {
            ui.scroll_with_delta(Vec2::new(0.0, 12.0));
        }
    }
    if response.drag_stopped()
        && let (Some(a), Some(c)) = (pane.drag_anchor.take(), pane.drag_current.take())
    {
        let (s, e) = anchored(a, c);
        // Released where it was pressed: not a selection.
        if e > s && Some(c) != pane.drag_press {
            pane.selection = pane.snap(&input.doc.text, s, e, input.snap);
            pane.selected_span = None;
            changed = true;
        }
    }
    // A released pointer may already be gone from the response; fall back to the last
    // known position so a click at the end of a gesture still lands.
    let pointer = response
        .interact_pointer_pos()
        .or(ui.ctx().input(|i| i.pointer.latest_pos()));
    if response.double_clicked() {
        if let Some(c) = pointer.and_then(|p| pane.char_at_glyph(p)) {
            let b = block_at(&pane.blocks, c);
            let blk = &pane.blocks[b];
            let text = input.doc.text.get(blk.bytes.0..blk.bytes.1).unwrap_or("");
            pane.selection =
                word_at(text, c - blk.chars.0).map(|(s, e)| (s + blk.chars.0, e + blk.chars.0));
            pane.selected_span = None;
            changed = true;
        }
    } else if response.clicked() {
        let hit = pointer
            .and_then(|p| pane.char_at_glyph(p))
            .and_then(|c| pane.span_at(c, input.spans))
            .and_then(|i| input.spans.get(i))
            .map(|s| s.id);
        if pane.linking.is_some() {
            if let Some(id) = hit {
                pane.actions.push(PaneAction::RelationTarget(id));
            }
        } else {
            pane.selected_span = hit;
            pane.selection = None;
            changed = true;
        }
    }
    if let Some(r) = hovered_relation.and_then(|i| input.relations.get(i)) {
        response.clone().on_hover_ui_at_pointer(|ui| {
            ui.set_max_width(420.0);
            relation_arcs::describe_ui(ui, r, input);
        });
        return changed;
    }
    if !response.dragged()
        && let Some(pos) = response.hover_pos()
        && let Some(c) = pane.char_at_glyph(pos)
    {
        let under = pane.spans_at(c, input.spans);
        let suggested = pane.suggestions.at(c);
        let extra = pane
            .overlay
            .as_ref()
            .map(|o| o.hover(c))
            .unwrap_or_default();
        if !under.is_empty() || !suggested.is_empty() || !extra.is_empty() {
            response.clone().on_hover_ui_at_pointer(|ui| {
                ui.set_max_width(420.0);
                if !suggested.is_empty() {
                    super::overlays::hover_ui(ui, &suggested, &pane.suggestions.model);
                }
                for i in under {
                    if let Some(s) = input.spans.get(i) {
                        let name = input
                            .labels
                            .iter()
                            .find(|l| l.key == s.label)
                            .map_or(s.label.as_str(), |l| l.name.as_str());
                        ui.horizontal(|ui| {
                            super::theme::color_chip(ui, label_color(input.labels, &s.label));
                            ui.colored_label(label_color(input.labels, &s.label), name);
                        });
                        ui.add(egui::Label::new(format!("“{}”", s.text)).wrap());
                    }
                }
                for line in &extra {
                    ui.add(egui::Label::new(line).wrap());
                }
            });
        }
    }
    changed
}

impl DocumentPane {
    /// The char whose glyph is under `pos` (rather than the nearest boundary), so that
    /// clicking the right half of a glyph still hits it.
    fn char_at_glyph(&self, pos: Pos2) -> Option<usize> {
        let local = pos - self.origin;
        if self.blocks.is_empty() {
            return None;
        }
        let b = self.block_at_y(local.y);
        let cache = self.cache.get(b)?.as_ref()?;
        let x = local.x - MARGIN;
        let y = local.y - self.tops[b];
        let mut r0 = 0;
        for row in &cache.galley.rows {
            let n = row.char_count_excluding_newline().0;
            if y >= row.min_y() && y < row.max_y() {
                let rx = x - row.pos.x;
                let col = row
                    .glyphs
                    .iter()
                    .position(|g| rx >= g.pos.x && rx < g.pos.x + g.advance_width)?;
                return Some(self.blocks[b].chars.0 + r0 + col);
            }
            r0 += n + row.ends_with_newline as usize;
        }
        None
    }
}
