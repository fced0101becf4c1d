//! A document cut into display blocks, and which spans fall on each block.
//!
//! The document pane lays out and paints block by block, so only what is visible costs
//! anything. A block is a paragraph (text between newlines), cut further at whitespace
//! when longer than [`MAX_BLOCK_CHARS`] so one giant paragraph never has to be laid out
//! whole. No egui here: this is plain data, tested and benchmarked on its own.

use crate::model::Span;

/// Paragraphs longer than this are cut into several blocks.
pub const MAX_BLOCK_CHARS: usize = 2000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Scalar offsets of the block's text, end-exclusive, newline excluded.
    pub chars: (usize, usize),
    /// The same range in bytes, for slicing.
    pub bytes: (usize, usize),
}

/// Splits `text` into blocks. Every char but the newlines between paragraphs belongs to
/// exactly one block; blocks are in order. Empty paragraphs become empty blocks, so
/// blank lines keep their height.
pub fn split_blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut char_pos = 0;
    let mut byte_pos = 0;
    for line in text.split('\n') {
        let n = line.chars().count();
        if n <= MAX_BLOCK_CHARS {
            out.push(Block {
                chars: (char_pos, char_pos + n),
                bytes: (byte_pos, byte_pos + line.len()),
            });
        } else {
            cut_long(line, char_pos, byte_pos, &mut out);
        }
        char_pos += n + 1;
        byte_pos += line.len() + 1;
    }
    out
}

/// Cuts a long paragraph after the last whitespace before the limit (or at the limit if
/// there is none), never inside a char.
fn cut_long(line: &str, char0: usize, byte0: usize, out: &mut Vec<Block>) {
    let idx: Vec<(usize, char)> = line.char_indices().collect();
    let mut s = 0;
    while s < idx.len() {
        let mut e = (s + MAX_BLOCK_CHARS).min(idx.len());
        if e < idx.len()
            && let Some(ws) = (s + MAX_BLOCK_CHARS / 2..e)
                .rev()
                .find(|&i| idx[i].1.is_whitespace())
        {
            e = ws + 1;
        }
        let b_s = idx[s].0;
        let b_e = idx.get(e).map_or(line.len(), |x| x.0);
        out.push(Block {
            chars: (char0 + s, char0 + e),
            bytes: (byte0 + b_s, byte0 + b_e),
        });
        s = e;
    }
}

/// The block containing scalar offset `c` (a newline belongs to the block before it).
pub fn block_at(blocks: &[Block], c: usize) -> usize {
    blocks
        .partition_point(|b| b.chars.1 < c)
        .min(blocks.len().saturating_sub(1))
}

/// A span as drawn on one block: its index in the span list, the part of it that falls
/// on this block, and its lane (0 = nearest the text) among the block's spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub span: usize,
    pub start: usize,
    pub end: usize,
    pub lane: u8,
}

/// For each block, the spans that touch it with lanes assigned so that overlapping spans
/// never share a lane. `spans` must be sorted by start (as annotation sets keep them).
pub fn place_spans(blocks: &[Block], spans: &[Span]) -> Vec<Vec<Placed>> {
    let mut out: Vec<Vec<Placed>> = vec![Vec::new(); blocks.len()];
    for (i, s) in spans.iter().enumerate() {
        let first = block_at(blocks, s.start);
        for (b, block) in blocks.iter().enumerate().skip(first) {
            if block.chars.0 >= s.end {
                break;
            }
            let (st, en) = (s.start.max(block.chars.0), s.end.min(block.chars.1));
            if st < en {
                out[b].push(Placed {
                    span: i,
                    start: st,
                    end: en,
                    lane: 0,
                });
            }
        }
    }
    for placed in &mut out {
        assign_lanes(placed);
    }
    out
}

/// Recomputes the placement of one block only (after an edit touching it).
pub fn place_block(block: &Block, spans: &[Span]) -> Vec<Placed> {
    let mut v: Vec<Placed> = spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.start < block.chars.1 && s.end > block.chars.0)
        .map(|(i, s)| Placed {
            span: i,
            start: s.start.max(block.chars.0),
            end: s.end.min(block.chars.1),
            lane: 0,
        })
        .collect();
    assign_lanes(&mut v);
    v
}

/// Greedy interval colouring: longer spans first at equal starts so an enclosing span
/// sits on a lane below the ones nested inside it.
fn assign_lanes(v: &mut [Placed]) {
    v.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.span.cmp(&b.span))
    });
    let mut lane_end: Vec<usize> = Vec::new();
    for p in v.iter_mut() {
        let lane = match lane_end.iter().position(|&e| e <= p.start) {
            Some(l) => l,
            None => {
                lane_end.push(0);
                lane_end.len() - 1
            }
        };
        lane_end[lane] = p.end;
        p.lane = lane.min(u8::MAX as usize) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize) -> Span {
        Span {
            id: crate::model::SpanId(start as u32),
            start,
            end,
            label: "ACTOR".into(),
            text: String::new(),
            attrs: Default::default(),
            note: String::new(),
            origin: Default::default(),
            review: Default::default(),
            score: None,
        }
    }

    #[test]
    fn blocks_cover_text_between_newlines() {
        let t = "ab\n\nՀայ 👍🏽\nz";
        let b = split_blocks(t);
        let parts: Vec<&str> = b.iter().map(|b| &t[b.bytes.0..b.bytes.1]).collect();
        assert_eq!(parts, vec!["ab", "", "Հայ 👍🏽", "z"]);
        assert_eq!(b[2].chars, (4, 10));
        assert_eq!(block_at(&b, 2), 0);
        assert_eq!(block_at(&b, 5), 2);
    }

    #[test]
    fn long_paragraphs_are_cut_at_whitespace() {
        let word = "Карабах ";
        let t = word.repeat(1000);
        let b = split_blocks(&t);
        assert!(b.len() > 1);
        let mut next = 0;
        for blk in &b {
            assert_eq!(blk.chars.0, next);
            assert!(blk.chars.1 - blk.chars.0 <= MAX_BLOCK_CHARS);
            assert!(t[blk.bytes.0..blk.bytes.1].ends_with(' ') || blk.chars.1 == t.chars().count());
            next = blk.chars.1;
        }
        assert_eq!(next, t.chars().count());
    }

    #[test]
    fn overlapping_spans_get_distinct_lanes_and_cross_blocks() {
        let t = "one two three\nfour five";
        let b = split_blocks(t);
        let spans = vec![span(0, 13), span(4, 7), span(4, 19), span(14, 18)];
        let placed = place_spans(&b, &spans);
        assert_eq!(placed[0].len(), 3);
        assert_eq!(placed[1].len(), 2);
        for blk in &placed {
            for x in blk {
                for y in blk {
                    if x.span != y.span && x.start < y.end && y.start < x.end {
                        assert_ne!(x.lane, y.lane, "{x:?} and {y:?} overlap on one lane");
                    }
                }
            }
        }
        // The span crossing the newline is clipped to each block.
        let cross: Vec<(usize, usize)> = placed
            .iter()
            .flatten()
            .filter(|p| p.span == 2)
            .map(|p| (p.start, p.end))
            .collect();
        assert_eq!(cross, vec![(4, 13), (14, 19)]);
        assert_eq!(place_block(&b[1], &spans), placed[1]);
    }
}
