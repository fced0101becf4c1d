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
/// can select "Azerbaijan" in "Azerbaijan's" (UAX #29 keeps them as one word).
pub fn word_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut c = 0;
    for seg in text.split_word_bounds() {
        let n = seg.chars().count();
        if seg.chars().any(char::is_alphanumeric) {
            let clitic = ["'s", "’s", "'S", "’S"]
                .iter()
                .any(|suf| seg.ends_with(suf))
                && n > 2;
            if clitic {
                out.push((c, c + n - 2));
                out.push((c + n - 2, c + n));
            } else {
                out.push((c, c + n));
            }
        }
        c += n;
    }
    out
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
