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

/// Sentence ranges (scalar offsets) by Unicode sentence boundaries, also split at blank
/// lines, with surrounding whitespace trimmed. Used to break token formats into sentences.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut c = 0;
    for seg in text.split_sentence_bounds() {
        let chars: Vec<char> = seg.chars().collect();
        // A sentence may span a line break; split at each newline so paragraphs and
        // headlines of news articles become sentences of their own.
        let mut s = 0;
        for (i, ch) in chars.iter().enumerate() {
            if *ch == '\n' {
                push_trimmed(&chars, c, s, i, &mut out);
                s = i + 1;
            }
        }
        push_trimmed(&chars, c, s, chars.len(), &mut out);
        c += chars.len();
    }
    out
}

fn push_trimmed(
    chars: &[char],
    base: usize,
    mut s: usize,
    mut e: usize,
    out: &mut Vec<(usize, usize)>,
) {
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    if s < e {
        out.push((base + s, base + e));
    }
}
