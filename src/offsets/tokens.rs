//! The one tokenizer used by token-based formats (CoNLL, Hugging Face token files).
//!
//! Tokens are the Unicode word-boundary segments (UAX #29) of the text that are not
//! whitespace; every punctuation mark is therefore a token of its own. Offsets are
//! scalar values, end-exclusive, like every canonical offset.

use unicode_segmentation::UnicodeSegmentation;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// Tokenizes `text` into word-boundary segments, dropping whitespace.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut c = 0;
    for seg in text.split_word_bounds() {
        let n = seg.chars().count();
        if !seg.chars().all(char::is_whitespace) {
            out.push(Token {
                start: c,
                end: c + n,
            });
        }
        c += n;
    }
    out
}

/// How a character span falls on tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alignment {
    /// The span starts at the start of token `first` and ends at the end of token
    /// `last` (inclusive), exactly.
    Exact { first: usize, last: usize },
    /// The span cuts through a token; `first..=last` are the tokens it touches.
    Partial { first: usize, last: usize },
    /// The span covers no token at all (whitespace only, or out of range).
    None,
}

/// Aligns the span `[start, end)` with `tokens` (sorted, as [`tokenize`] returns them).
pub fn align(tokens: &[Token], start: usize, end: usize) -> Alignment {
    let first = tokens.partition_point(|t| t.end <= start);
    let after = tokens.partition_point(|t| t.start < end);
    if first >= after {
        return Alignment::None;
    }
    let last = after - 1;
    if tokens[first].start == start && tokens[last].end == end {
        Alignment::Exact { first, last }
    } else {
        Alignment::Partial { first, last }
    }
}

/// Like [`tokenize`], and also each token's byte range, so callers can slice the text
/// without a table of chars.
pub fn tokenize_with_bytes(text: &str) -> (Vec<Token>, Vec<(usize, usize)>) {
    let mut tokens = Vec::new();
    let mut bytes = Vec::new();
    let mut c = 0;
    for (b, seg) in text.split_word_bound_indices() {
        let n = seg.chars().count();
        if !seg.chars().all(char::is_whitespace) {
            tokens.push(Token {
                start: c,
                end: c + n,
            });
            bytes.push((b, b + seg.len()));
        }
        c += n;
    }
    (tokens, bytes)
}

/// Sentence ranges (scalar offsets) by Unicode sentence boundaries, also split at blank
/// lines, with surrounding whitespace trimmed. Used to break token formats into sentences.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // Rules SB3/SB4 always break after a line feed, so lines are segmented one by one;
    // other paragraph separators get the plain algorithm over the whole text.
    if text.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']) {
        sentences_plain(text, 0, &mut out);
        return out;
    }
    let mut c = 0;
    for line in text.split_inclusive('\n') {
        let n = line.chars().count();
        sentences_in_line(line, c, &mut out);
        c += n;
    }
    out
}

/// Segments with the library over the whole of `text`, splitting at newlines and
/// trimming; `base` is the scalar offset of `text`.
fn sentences_plain(text: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let mut c = base;
    for seg in text.split_sentence_bounds() {
        c = push_pieces(seg, c, out);
    }
}

/// Splits one segment at newlines and pushes each trimmed, non-empty piece; returns
/// the scalar offset after the segment.
fn push_pieces(seg: &str, mut c: usize, out: &mut Vec<(usize, usize)>) -> usize {
    // Each piece is trimmed by remembering its first and last non-whitespace char.
    let mut first: Option<usize> = None;
    let mut last_end = 0;
    for ch in seg.chars() {
        if ch == '\n' {
            if let Some(f) = first.take() {
                out.push((f, last_end));
            }
        } else if !ch.is_whitespace() {
            first.get_or_insert(c);
            last_end = c + 1;
        }
        c += 1;
    }
    if let Some(f) = first {
        out.push((f, last_end));
    }
    c
}

/// One line (ending in at most one `\n`). Sentence breaks only follow a terminator
/// (rules SB9–SB11), and terminators are neither letters, digits nor spaces; so the
/// library is run only on small windows around each run of such characters: from the
/// character before the run to the end of the first word with a letter after it, which
/// holds all the context rules SB5–SB11 look at. Words between runs cost no lookups,
/// which makes this several times faster than segmenting the whole line.
fn sentences_in_line(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let is_word = |ch: char| ch.is_alphanumeric();
    let is_gap = |ch: char| !is_word(ch) && !ch.is_whitespace();
    // Byte offsets where a new sentence starts inside the line.
    let mut breaks: Vec<usize> = Vec::new();
    let bytes_chars: Vec<(usize, char)> = line.char_indices().collect();
    let n = bytes_chars.len();
    let mut i = 0;
    while i < n {
        if !is_gap(bytes_chars[i].1) {
            i += 1;
            continue;
        }
        // A run of non-word characters holding at least one possible terminator.
        let run_start = i;
        let mut j = i;
        while j < n && !is_word(bytes_chars[j].1) {
            j += 1;
        }
        let ws = run_start.saturating_sub(1);
        // Lookahead (SB8) skips everything but letters and terminators: extend to the
        // end of the first word holding a letter.
        let mut k = j;
        let mut seen_letter = false;
        while k < n {
            let ch = bytes_chars[k].1;
            if seen_letter && !is_word(ch) {
                break;
            }
            if ch.is_alphabetic() {
                seen_letter = true;
            }
            k += 1;
        }
        let wb = bytes_chars[ws].0;
        let we = if k < n { bytes_chars[k].0 } else { line.len() };
        let window = &line[wb..we];
        let limit = if j < n { bytes_chars[j].0 } else { line.len() };
        for (b, _) in window.split_sentence_bound_indices() {
            let at = wb + b;
            if b > 0 && at > bytes_chars[run_start].0 && at <= limit {
                breaks.push(at);
            }
        }
        i = j;
    }
    breaks.sort_unstable();
    breaks.dedup();
    let mut c = base;
    let mut prev = 0;
    for b in breaks.into_iter().chain(std::iter::once(line.len())) {
        if b > prev {
            c = push_pieces(&line[prev..b], c, out);
            prev = b;
        }
    }
}
