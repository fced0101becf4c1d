//! The one tokenizer used by token-based formats (CoNLL, Hugging Face token files).
//!
//! Tokens are the Unicode word-boundary segments (UAX #29) of the text that are not
//! whitespace; every punctuation mark is therefore a token of its own. English
//! clitics are then split off the word they lean on, as spaCy's English tokenizer and
//! the Penn Treebank do (see [`split_clitics`]), so "Azerbaijan's" is "Azerbaijan" and
//! "'s". Offsets are scalar values, end-exclusive, like every canonical offset.

use unicode_segmentation::UnicodeSegmentation;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// Tokenizes `text` into word-boundary segments, dropping whitespace and splitting
/// English clitics off their words.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut c = 0;
    for seg in text.split_word_bounds() {
        let n = seg.chars().count();
        if !seg.chars().all(char::is_whitespace) {
            let mut at = c;
            split_clitics(seg, |piece| {
                let m = piece.chars().count();
                out.push(Token {
                    start: at,
                    end: at + m,
                });
                at += m;
            });
        }
        c += n;
    }
    out
}

/// Words an English clitic other than `'s` splits off, as spaCy's English tokenizer
/// exceptions list them (pronouns, wh-words, auxiliaries and modals); compared
/// ignoring ASCII case. `'s` splits off any word.
const CLITIC_HOSTS: [(&str, &[&str]); 5] = [
    ("m", &["i"]),
    (
        "ll",
        &[
            "i", "you", "he", "she", "it", "we", "they", "who", "what", "when", "where", "why",
            "how", "there", "that", "this", "these", "those",
        ],
    ),
    (
        "d",
        &[
            "i", "you", "he", "she", "it", "we", "they", "who", "what", "when", "where", "why",
            "how", "there", "that", "this", "these", "those",
        ],
    ),
    (
        "re",
        &[
            "you", "we", "they", "who", "what", "when", "where", "why", "how", "there", "these",
            "those",
        ],
    ),
    (
        "ve",
        &[
            "i", "you", "we", "they", "who", "what", "when", "where", "why", "how", "there",
            "these", "those", "could", "might", "must", "should", "would",
        ],
    ),
];

/// The auxiliaries and modals `n't` splits off (spaCy: "can't" is "ca" "n't", "won't"
/// "wo" "n't"); the first fifteen also take `'ve` after `n't` ("shouldn't've").
const NT_HOSTS: [&str; 23] = [
    "ca", "could", "do", "does", "did", "had", "may", "might", "must", "need", "ought", "sha",
    "should", "wo", "would", "ai", "are", "is", "was", "were", "have", "has", "dare",
];
const NT_VE_HOSTS: usize = 15;

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// The word before the last apostrophe of `word`, and the text after it.
fn around_last_apostrophe(word: &str) -> Option<(&str, &str)> {
    let (a, apos) = word.char_indices().rev().find(|&(_, c)| is_apostrophe(c))?;
    Some((&word[..a], &word[a + apos.len_utf8()..]))
}

fn one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|h| word.eq_ignore_ascii_case(h))
}

/// True when `word` is `host + n't` with `host` one of `hosts` (any case).
fn is_nt(base: &str, tail: &str, hosts: &[&str]) -> bool {
    tail.eq_ignore_ascii_case("t")
        && base
            .strip_suffix(['n', 'N'])
            .is_some_and(|v| one_of(v, hosts))
}

/// Where the last clitic of `word` starts (a byte offset), if spaCy's English
/// tokenizer splits it off: `'s` after any word; `n't` after an auxiliary or modal;
/// `'m`, `'ll`, `'d`, `'re`, `'ve` after the words of [`CLITIC_HOSTS`]; and `'ve` after
/// such a word with `'ll` or `'d`, or after one of the first modals of [`NT_HOSTS`]
/// with `n't`. Either apostrophe, any case.
fn last_clitic(word: &str) -> Option<usize> {
    let (base, tail) = around_last_apostrophe(word)?;
    if base.is_empty() {
        return None;
    }
    let apostrophe = base.len();
    if tail.eq_ignore_ascii_case("s") {
        return Some(apostrophe);
    }
    if is_nt(base, tail, &NT_HOSTS) {
        return Some(apostrophe - 1);
    }
    let hosts = |kind: &str| {
        CLITIC_HOSTS
            .iter()
            .find(|(c, _)| kind.eq_ignore_ascii_case(c))
            .map(|&(_, h)| h)
    };
    if one_of(base, hosts(tail)?) {
        return Some(apostrophe);
    }
    // `'ve` after another clitic: "I'd've", "they'll've", "shouldn't've".
    if tail.eq_ignore_ascii_case("ve") {
        let (host, first) = around_last_apostrophe(base)?;
        let after_ll_d = ["ll", "d"].iter().any(|k| first.eq_ignore_ascii_case(k))
            && hosts(first).is_some_and(|h| one_of(host, h));
        if after_ll_d || is_nt(host, first, &NT_HOSTS[..NT_VE_HOSTS]) {
            return Some(apostrophe);
        }
    }
    None
}

/// Calls `piece` with the word of one word-boundary segment and then each English
/// clitic after it (`"shouldn't've"` gives `"should"`, `"n't"`, `"'ve"`); any other
/// segment is passed whole.
pub fn split_clitics<'s>(seg: &'s str, mut piece: impl FnMut(&'s str)) {
    if !seg.contains(is_apostrophe) {
        piece(seg);
        return;
    }
    let mut cuts = vec![seg.len()];
    while let Some(at) = last_clitic(&seg[..cuts[cuts.len() - 1]]) {
        cuts.push(at);
    }
    let mut start = 0;
    for &end in cuts.iter().rev() {
        piece(&seg[start..end]);
        start = end;
    }
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
///
/// Faster than [`tokenize`] on long texts, with the same result: a word boundary
/// always falls where ASCII whitespace is followed by an ASCII non-space or a plain
/// letter (no rule of UAX #29 joins across it, and none looks past a space), so the
/// text is cut there into chunks segmented on their own, and a chunk that is one word
/// with punctuation around it needs no lookups.
pub fn tokenize_with_bytes(text: &str) -> (Vec<Token>, Vec<(usize, usize)>) {
    let mut tokens = Vec::new();
    let mut bytes = Vec::new();
    let b = text.as_bytes();
    let mut c = 0;
    let mut start = 0;
    while start < b.len() {
        let mut end = start + 1;
        // A boundary also falls before a plain letter: it is not one of the characters
        // (extenders, joiners, spaces) that join what comes before them.
        let starts_chunk = |i: usize| {
            b[i - 1].is_ascii_whitespace()
                && if b[i] < 0x80 {
                    !b[i].is_ascii_whitespace()
                } else {
                    text.is_char_boundary(i)
                        && text[i..].chars().next().is_some_and(is_plain_letter)
                }
        };
        while end < b.len() && !starts_chunk(end) {
            end += 1;
        }
        let chunk = &text[start..end];
        match plain_chunk(chunk) {
            Some((pre, word, word_chars, post)) => {
                // Each punctuation mark is a segment of its own; the word is one.
                let parts = std::iter::repeat_n((1, 1), pre)
                    .chain((word > 0).then_some((word, word_chars)))
                    .chain(std::iter::repeat_n((1, 1), post));
                let mut at = 0;
                let mut at_c = 0;
                for (len, n) in parts {
                    tokens.push(Token {
                        start: c + at_c,
                        end: c + at_c + n,
                    });
                    bytes.push((start + at, start + at + len));
                    at += len;
                    at_c += n;
                }
                c += at_c + (chunk.len() - at);
            }
            None => {
                for (off, seg) in chunk.split_word_bound_indices() {
                    let n = seg.chars().count();
                    if !seg.chars().all(char::is_whitespace) {
                        let (mut at, mut at_b) = (c, start + off);
                        split_clitics(seg, |piece| {
                            let m = piece.chars().count();
                            tokens.push(Token {
                                start: at,
                                end: at + m,
                            });
                            bytes.push((at_b, at_b + piece.len()));
                            at += m;
                            at_b += piece.len();
                        });
                    }
                    c += n;
                }
            }
        }
        start = end;
    }
    (tokens, bytes)
}

/// Letters of alphabetic scripts (Latin, Greek, Cyrillic, Armenian, Georgian) that
/// UAX #29 treats exactly like ASCII letters: they join letters and digits on both
/// sides and join no ASCII punctuation or space. A unit test checks every one of them
/// against the library.
pub(crate) fn is_plain_letter(c: char) -> bool {
    // A bitmap built once: this is asked for every non-ASCII char of a text.
    static TABLE: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = vec![0u64; 0x2000 / 64];
        for u in 0..0x2000u32 {
            if char::from_u32(u).is_some_and(plain_letter_rule) {
                t[(u / 64) as usize] |= 1 << (u % 64);
            }
        }
        t
    });
    let u = c as u32;
    u < 0x2000 && table[(u / 64) as usize] >> (u % 64) & 1 == 1
}

fn plain_letter_rule(c: char) -> bool {
    matches!(c as u32,
        0xC0..=0x24F | 0x370..=0x3FF | 0x400..=0x52F | 0x531..=0x587 | 0x10A0..=0x10FF | 0x1E00..=0x1EFF)
        && c.is_alphabetic()
        && !matches!(c as u32, 0xD7 | 0xF7 | 0x37A | 0x374 | 0x559 | 0x10FC)
}

/// Recognises the chunks whose segmentation needs no tables: ASCII punctuation, at
/// most one word of ASCII letters, digits, `_` and [`is_plain_letter`]s, ASCII
/// punctuation, ASCII whitespace. UAX #29 joins ASCII punctuation to nothing here (the
/// mid-word rules need a letter or digit on both sides), so each mark is a segment.
/// Returns the byte lengths of the three parts and the char length of the word, or
/// `None` when the chunk holds anything else.
fn plain_chunk(chunk: &str) -> Option<(usize, usize, usize, usize)> {
    let b = chunk.as_bytes();
    let punct = |x: u8| x.is_ascii_punctuation() && x != b'_';
    let mut i = 0;
    while i < b.len() && punct(b[i]) {
        i += 1;
    }
    let pre = i;
    let mut chars = 0;
    while i < b.len() {
        let x = b[i];
        if x.is_ascii_alphanumeric() || x == b'_' {
            i += 1;
        } else if x >= 0x80 {
            let c = chunk[i..].chars().next()?;
            if !is_plain_letter(c) {
                return None;
            }
            i += c.len_utf8();
        } else {
            break;
        }
        chars += 1;
    }
    let w = i - pre;
    while i < b.len() && punct(b[i]) {
        i += 1;
    }
    let post = i - pre - w;
    b[i..]
        .iter()
        .all(u8::is_ascii_whitespace)
        .then_some((pre, w, chars, post))
}

/// Sentence ranges (scalar offsets) by Unicode sentence boundaries, also split at blank
/// lines, with surrounding whitespace trimmed. Used to break token formats into sentences.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // Rules SB3/SB4 always break after a line feed, so lines are segmented one by one;
    // other paragraph separators get the plain algorithm over the whole text.
    if text.as_bytes().contains(&b'\r')
        || ["\u{85}", "\u{2028}", "\u{2029}"]
            .iter()
            .any(|sep| text.contains(sep))
    {
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
    for (i, part) in seg.split('\n').enumerate() {
        if i > 0 {
            c += 1;
        }
        let rest = part.trim_start();
        let body = rest.trim_end();
        if !body.is_empty() {
            let s = c + part[..part.len() - rest.len()].chars().count();
            out.push((s, s + body.chars().count()));
        }
        c += part.chars().count();
    }
    c
}

/// Letter/digit classes of chars, remembered for non-ASCII text where each lookup
/// would otherwise search Unicode tables: news text repeats a few dozen letters.
struct Classes {
    keys: [u32; 256],
    /// Bit 0: alphanumeric; bit 1: alphabetic.
    vals: [u8; 256],
}

impl Classes {
    fn new() -> Self {
        Self {
            keys: [0; 256],
            vals: [0; 256],
        }
    }

    fn get(&mut self, c: char) -> u8 {
        if c.is_ascii() {
            return u8::from(c.is_ascii_alphanumeric()) | (u8::from(c.is_ascii_alphabetic()) << 1);
        }
        let k = c as u32;
        let slot = (k ^ (k >> 8)) as usize & 255;
        if self.keys[slot] != k {
            self.keys[slot] = k;
            self.vals[slot] = u8::from(c.is_alphanumeric()) | (u8::from(c.is_alphabetic()) << 1);
        }
        self.vals[slot]
    }
}

/// The char at byte `i` of `s` and its length.
fn char_at(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    let c = s[i..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

/// One line (ending in at most one `\n`). Sentence breaks only follow a terminator
/// (rules SB9–SB11), and terminators are neither letters, digits nor spaces; so the
/// library is run only on small windows around each run of such characters: from the
/// character before the run to the end of the first word with a letter after it, which
/// holds all the context rules SB5–SB11 look at. Words between runs cost no lookups,
/// which makes this several times faster than segmenting the whole line.
fn sentences_in_line(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let mut classes = Classes::new();
    let n = line.len();
    // Byte offsets where a new sentence starts inside the line.
    let mut breaks: Vec<usize> = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < n {
        // Letters, digits and spaces cannot end a sentence: skip them, ASCII first.
        if b[i] < 0x80 {
            if b[i].is_ascii_alphanumeric() || b[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
        } else {
            let (ch, len) = char_at(line, i);
            if classes.get(ch) & 1 != 0 || ch.is_whitespace() {
                i += len;
                continue;
            }
        }
        // A run of non-word characters holding at least one possible terminator.
        let run_start = i;
        let ws = line[..i].char_indices().next_back().map_or(0, |(p, _)| p);
        let mut j = i;
        while j < n {
            let (c, l) = char_at(line, j);
            if classes.get(c) & 1 != 0 {
                break;
            }
            j += l;
        }
        // Lookahead (SB8) skips everything but letters and terminators: extend to the
        // end of the first word holding a letter, or just past the first letter when
        // it is one that cannot be a combining mark.
        let mut k = j;
        let mut seen_letter = false;
        while k < n {
            let (c, l) = char_at(line, k);
            if c.is_ascii_alphabetic() || is_plain_letter(c) {
                k += l;
                break;
            }
            let class = classes.get(c);
            if seen_letter && class & 1 == 0 {
                break;
            }
            if class & 2 != 0 {
                seen_letter = true;
            }
            k += l;
        }
        for (b, _) in line[ws..k].split_sentence_bound_indices() {
            let at = ws + b;
            if b > 0 && at > run_start && at <= j {
                breaks.push(at);
            }
        }
        i = j;
    }
    breaks.dedup();
    let mut c = base;
    let mut start = 0;
    for b in breaks.into_iter().chain(std::iter::once(n)) {
        if b > start {
            c = push_pieces(&line[start..b], c, out);
            start = b;
        }
    }
}
