//! The one place where offsets change units.
//!
//! Canonical offsets everywhere in spanbench are Unicode scalar values (Rust `char`s,
//! Python `str` indices), end-exclusive, over the stored document text. Byte offsets
//! (for slicing and egui layout), UTF-16 code units (for browser-based tools) and token
//! indices (for CoNLL-style formats) are derived here and nowhere else.

pub mod tokens;

use unicode_segmentation::UnicodeSegmentation;

/// Byte offset of the `char_idx`-th scalar value; `text.len()` when it is one past the end.
/// Returns `None` when `char_idx` is beyond the end of the text.
pub fn char_to_byte(text: &str, char_idx: usize) -> Option<usize> {
    if char_idx == 0 {
        return Some(0);
    }
    match text.char_indices().nth(char_idx) {
        Some((b, _)) => Some(b),
        None if text.chars().count() == char_idx => Some(text.len()),
        None => None,
    }
}

/// Scalar-value offset of a byte offset. `None` when the byte offset is out of bounds or
/// not on a char boundary.
pub fn byte_to_char(text: &str, byte_idx: usize) -> Option<usize> {
    if byte_idx > text.len() || !text.is_char_boundary(byte_idx) {
        return None;
    }
    Some(text[..byte_idx].chars().count())
}

/// The substring between two scalar offsets (end-exclusive), or `None` if out of bounds.
pub fn slice_chars(text: &str, start: usize, end: usize) -> Option<&str> {
    if start > end {
        return None;
    }
    let b0 = char_to_byte(text, start)?;
    let rest = &text[b0..];
    let len = char_to_byte(rest, end - start)?;
    Some(&rest[..len])
}

/// Number of scalar values in `text`.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Scalar offset to UTF-16 code units (what JavaScript's `String.length` counts).
pub fn char_to_utf16(text: &str, char_idx: usize) -> Option<usize> {
    let mut units = 0;
    let mut chars = text.chars();
    for _ in 0..char_idx {
        units += chars.next()?.len_utf16();
    }
    Some(units)
}

/// UTF-16 offset to scalar offset. `None` when out of bounds or inside a surrogate pair.
pub fn utf16_to_char(text: &str, utf16_idx: usize) -> Option<usize> {
    let mut units = 0;
    for (i, c) in text.chars().enumerate() {
        if units == utf16_idx {
            return Some(i);
        }
        if units > utf16_idx {
            return None;
        }
        units += c.len_utf16();
    }
    (units == utf16_idx).then(|| text.chars().count())
}

/// A precomputed map for fast conversions over one (possibly large) text:
/// O(1) lookups per offset after O(n) construction.
#[derive(Clone, Debug)]
pub struct OffsetMap {
    /// `bytes[i]` is the byte offset of char `i`; the last entry is `text.len()`.
    bytes: Vec<u32>,
    /// `utf16[i]` is the UTF-16 offset of char `i`; the last entry is the total.
    utf16: Vec<u32>,
}

impl OffsetMap {
    pub fn new(text: &str) -> Self {
        let n = text.len();
        let mut bytes = Vec::with_capacity(n + 1);
        let mut utf16 = Vec::with_capacity(n + 1);
        let mut u = 0u32;
        for (b, c) in text.char_indices() {
            bytes.push(b as u32);
            utf16.push(u);
            u += c.len_utf16() as u32;
        }
        bytes.push(n as u32);
        utf16.push(u);
        Self { bytes, utf16 }
    }

    pub fn char_len(&self) -> usize {
        self.bytes.len() - 1
    }

    pub fn char_to_byte(&self, c: usize) -> Option<usize> {
        self.bytes.get(c).map(|&b| b as usize)
    }

    pub fn byte_to_char(&self, b: usize) -> Option<usize> {
        // Checked, not cast: an offset of 2^32 or more must not wrap onto a small one.
        self.bytes.binary_search(&u32::try_from(b).ok()?).ok()
    }

    pub fn char_to_utf16(&self, c: usize) -> Option<usize> {
        self.utf16.get(c).map(|&u| u as usize)
    }

    pub fn utf16_to_char(&self, u: usize) -> Option<usize> {
        self.utf16.binary_search(&u32::try_from(u).ok()?).ok()
    }
}

/// Converts byte offsets of one text to scalar offsets, walking forward from the last
/// offset asked for: a run of increasing offsets (the hits of a search, in order) costs
/// one pass over the text in all, not one pass per offset.
#[derive(Clone, Debug)]
pub struct ByteToChar<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> ByteToChar<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The scalar offset of byte offset `b`; `None` when it is out of bounds or not on a
    /// char boundary. Offsets smaller than the previous one are answered too, by
    /// walking again from the start.
    pub fn char_at(&mut self, b: usize) -> Option<usize> {
        if b > self.text.len() || !self.text.is_char_boundary(b) {
            return None;
        }
        if b < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..b].chars().count();
        self.byte = b;
        Some(self.chars)
    }
}

/// Scalar offsets at which grapheme clusters start, plus the text length. A selection
/// boundary must be one of these so it never splits an emoji or a combining sequence.
pub fn grapheme_boundaries(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut c = 0;
    for g in text.graphemes(true) {
        out.push(c);
        c += g.chars().count();
    }
    out.push(c);
    out
}

/// Words (Unicode word-boundary segments containing an alphanumeric char) as scalar ranges.
/// A possessive or contracted `'s` / `’s` is split off as a word of its own, so snapping
/// can select "Azerbaijan" in "Azerbaijan's" (UAX #29 keeps them as one word). A hyphen
/// between two letters joins the words on either side ("Nagorno-Karabakh" is one word),
/// as a reader sees it.
pub fn word_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut c = 0;
    // Set when the last segment was a hyphen right after a word ending in a letter.
    let mut join_next = false;
    let mut prev_word_end_letter: Option<usize> = None;
    for seg in text.split_word_bounds() {
        let n = seg.chars().count();
        if seg.chars().any(char::is_alphanumeric) {
            let clitic = ["'s", "’s", "'S", "’S"]
                .iter()
                .any(|suf| seg.ends_with(suf))
                && n > 2;
            let starts_with_letter = seg.chars().next().is_some_and(char::is_alphabetic);
            let joined = join_next && starts_with_letter;
            if clitic {
                push_word(&mut out, (c, c + n - 2), joined);
                out.push((c + n - 2, c + n));
            } else {
                push_word(&mut out, (c, c + n), joined);
            }
            prev_word_end_letter =
                (!clitic && seg.chars().last().is_some_and(char::is_alphabetic)).then_some(c + n);
            join_next = false;
        } else {
            join_next = is_joining_hyphen(seg) && prev_word_end_letter == Some(c);
            prev_word_end_letter = None;
        }
        c += n;
    }
    out
}

/// A hyphen that joins the letters on either side into one word.
fn is_joining_hyphen(seg: &str) -> bool {
    matches!(seg, "-" | "\u{2010}" | "\u{2011}")
}

fn push_word(out: &mut Vec<(usize, usize)>, w: (usize, usize), joined: bool) {
    match out.last_mut() {
        Some(last) if joined => last.1 = w.1,
        _ => out.push(w),
    }
}

/// Moves a boundary down (or up) to the nearest grapheme boundary.
fn snap_to(bounds: &[usize], pos: usize, up: bool) -> usize {
    match bounds.binary_search(&pos) {
        Ok(_) => pos,
        Err(i) => {
            if up {
                bounds.get(i).copied().unwrap_or(pos)
            } else {
                bounds[i.saturating_sub(1)]
            }
        }
    }
}

/// How a raw selection is turned into span boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snap {
    /// Grow to whole words (the default for annotation).
    Words,
    /// Keep character precision, but never split a grapheme cluster.
    Graphemes,
}

/// Normalises a raw selection `[a, b)` (in either order) over `text` into span boundaries:
/// never splitting a grapheme cluster, and in [`Snap::Words`] mode grown to cover every
/// word it touches and trimmed of surrounding whitespace. Returns `None` when nothing
/// but whitespace would remain.
pub fn snap_selection(text: &str, a: usize, b: usize, mode: Snap) -> Option<(usize, usize)> {
    let (mut s, mut e) = if a <= b { (a, b) } else { (b, a) };
    let bounds = grapheme_boundaries(text);
    let len = *bounds.last().unwrap_or(&0);
    s = s.min(len);
    e = e.min(len);
    s = snap_to(&bounds, s, false);
    e = snap_to(&bounds, e, true);
    if mode == Snap::Words {
        for (ws, we) in word_ranges(text) {
            if ws < e && we > s || (s == e && ws <= s && s < we) {
                s = s.min(ws);
                e = e.max(we);
            }
        }
    }
    // Trim whitespace at both ends, grapheme by grapheme.
    let chars: Vec<char> = text.chars().collect();
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    let s = snap_to(&bounds, s, false);
    let e = snap_to(&bounds, e, true);
    (s < e).then_some((s, e))
}

/// The word (or, failing that, the grapheme cluster) at scalar offset `pos`, for double-click.
pub fn word_at(text: &str, pos: usize) -> Option<(usize, usize)> {
    if let Some(&(s, e)) = word_ranges(text)
        .iter()
        .find(|&&(s, e)| s <= pos && pos < e)
    {
        return Some((s, e));
    }
    let bounds = grapheme_boundaries(text);
    let i = bounds.partition_point(|&b| b <= pos);
    if i == 0 || i >= bounds.len() {
        return None;
    }
    let (s, e) = (bounds[i - 1], bounds[i]);
    let g = slice_chars(text, s, e)?;
    (!g.trim().is_empty()).then_some((s, e))
}

/// Which end of a span a boundary edit moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

/// Where a span's `edge` at scalar offset `pos` goes when moved one step `forward` (or
/// back): to the next word start/end in [`Snap::Words`] mode, to the next grapheme
/// boundary in [`Snap::Graphemes`] mode, never leaving whitespace at the span's edge.
/// `None` when there is nowhere to go. Only the text around `pos` is segmented, so a
/// step costs the same in a huge paragraph.
pub fn step_boundary(
    text: &str,
    pos: usize,
    edge: Edge,
    forward: bool,
    mode: Snap,
) -> Option<usize> {
    let b = char_to_byte(text, pos)?;
    let (ws, we) = local_window(text, b);
    let window = &text[ws..we];
    let base = pos - text[ws..b].chars().count();
    let local = pos - base;
    let stepped = match mode {
        Snap::Words => {
            let words = word_ranges(window);
            let edges = words
                .iter()
                .map(|&(s, e)| if edge == Edge::Start { s } else { e });
            if forward {
                edges.filter(|&x| x > local).min()
            } else {
                edges.filter(|&x| x < local).max()
            }
        }
        Snap::Graphemes => {
            let bounds = grapheme_boundaries(window);
            let chars: Vec<char> = window.chars().collect();
            // The char just inside the span at a boundary: after a start, before an end.
            let inside = |x: usize| match edge {
                Edge::Start => chars.get(x),
                Edge::End => x.checked_sub(1).and_then(|i| chars.get(i)),
            };
            let mut i = bounds.binary_search(&local).unwrap_or_else(|i| i);
            loop {
                let next = if forward {
                    bounds.get(i + 1).copied()
                } else {
                    i.checked_sub(1).map(|j| bounds[j])
                }?;
                i = if forward { i + 1 } else { i - 1 };
                if inside(next).is_some_and(|c| !c.is_whitespace()) {
                    break Some(next);
                }
            }
        }
    }?;
    Some(base + stepped)
}

/// A byte window around byte `b` of at most about 16 KiB, cut at whitespace (where word
/// and grapheme boundaries never depend on what lies outside).
fn local_window(text: &str, b: usize) -> (usize, usize) {
    const REACH: usize = 8192;
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let lo = floor(b.saturating_sub(REACH));
    let hi = floor((b + REACH).min(text.len()));
    let ws = if lo == 0 {
        0
    } else {
        text[lo..b].find(char::is_whitespace).map_or(lo, |i| lo + i)
    };
    let we = if hi == text.len() {
        hi
    } else {
        text[b..hi].rfind(char::is_whitespace).map_or(hi, |i| b + i)
    };
    (ws, we)
}

/// Text normalisation applied on import: the stored text is what every offset refers to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    pub bom_stripped: bool,
    pub crlf_converted: usize,
    pub lone_cr_converted: usize,
}

/// Strips a leading BOM and turns CRLF and lone CR into LF.
pub fn normalize_newlines(raw: &str) -> Normalized {
    let (body, bom_stripped) = match raw.strip_prefix('\u{feff}') {
        Some(rest) => (rest, true),
        None => (raw, false),
    };
    let mut text = String::with_capacity(body.len());
    let mut crlf = 0;
    let mut lone = 0;
    let mut it = body.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\r' {
            if it.peek() == Some(&'\n') {
                it.next();
                crlf += 1;
            } else {
                lone += 1;
            }
            text.push('\n');
        } else {
            text.push(c);
        }
    }
    Normalized {
        text,
        bom_stripped,
        crlf_converted: crlf,
        lone_cr_converted: lone,
    }
}

/// Like [`normalize_newlines`], and also maps every scalar offset of `raw` (0 to its
/// length, inclusive) to the offset it becomes in the normalised text, so that spans
/// an outside tool counted over the raw text (CRLF as two chars, a BOM as one) land on
/// the same characters after import.
pub fn normalize_newlines_mapped(raw: &str) -> (Normalized, Vec<usize>) {
    let n = normalize_newlines(raw);
    let mut map = Vec::with_capacity(raw.len() + 1);
    let mut out = 0usize;
    let mut prev_cr = false;
    for (i, c) in raw.chars().enumerate() {
        map.push(out);
        // The BOM yields nothing; the LF of a CRLF was already counted at its CR.
        let produces = !(i == 0 && c == '\u{feff}' || c == '\n' && prev_cr);
        if produces {
            out += 1;
        }
        prev_cr = c == '\r';
    }
    map.push(out);
    (n, map)
}

#[cfg(test)]
mod tests;
