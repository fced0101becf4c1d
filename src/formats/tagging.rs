//! Turning character spans into per-token tags, shared by CoNLL and hf-tokens.
//!
//! Tokens come from [`crate::offsets::tokens::tokenize_with_bytes`] and sentences from
//! [`crate::offsets::tokens::sentences`]. A token format holds at most one span per
//! token and only spans that start and end on token boundaries, so:
//!
//! * a span that cuts through a token, or covers no token, is dropped and reported;
//! * of overlapping spans the one that starts first is kept, and of those starting on
//!   the same token the longest (then the lowest id); every other one is reported;
//! * a kept span that crosses a sentence boundary joins the two sentences, so no span
//!   is ever cut in two.

use super::{Keeps, Record, Report, TagScheme};
use crate::model::Span;
use crate::offsets::tokens::{Alignment, align, sentences, tokenize_with_bytes};

/// One token and its tag: `prefix` is `O`, `B`, `I`, `E` or `S`; `label` is empty for `O`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenTag<'a> {
    /// Scalar offsets of the token.
    pub start: usize,
    pub end: usize,
    /// Byte offsets of the token.
    pub bytes: (usize, usize),
    pub prefix: char,
    pub label: &'a str,
}

impl TokenTag<'_> {
    /// `O`, `B-ACTOR`, ...
    pub fn tag(&self) -> String {
        if self.prefix == 'O' {
            "O".to_string()
        } else {
            format!("{}-{}", self.prefix, self.label)
        }
    }
}

/// The tokens of one record, in sentences.
#[derive(Clone, Debug, Default)]
pub struct Tagged<'a> {
    pub tokens: Vec<TokenTag<'a>>,
    /// Exclusive end (token index) of each sentence, in order.
    pub sentence_ends: Vec<usize>,
}

impl<'a> Tagged<'a> {
    pub fn sentences(&self) -> impl Iterator<Item = &[TokenTag<'a>]> {
        let mut start = 0;
        self.sentence_ends.iter().map(move |&end| {
            let s = &self.tokens[start..end];
            start = end;
            s
        })
    }
}

/// A span as it lands on tokens.
struct Placed<'a> {
    span: &'a Span,
    first: usize,
    last: usize,
}

/// Tags one record's tokens, with every dropped span noted in `report`. Returns the
/// tagged tokens and how many spans were kept.
pub fn tag_record<'a>(
    rec: &Record<'a>,
    scheme: TagScheme,
    report: &mut Report,
) -> (Tagged<'a>, usize) {
    let text: &'a str = &rec.doc.text;
    let (tokens, bytes) = tokenize_with_bytes(text);
    let tok_text = |i: usize| &text[bytes[i].0..bytes[i].1];
    let spans: &'a [Span] = rec.set.map_or(&[], |s| &s.spans);
    let mut candidates: Vec<Placed<'a>> = Vec::with_capacity(spans.len());
    for span in spans {
        match align(&tokens, span.start, span.end) {
            Alignment::Exact { first, last } => candidates.push(Placed { span, first, last }),
            Alignment::Partial { first, last } => {
                let which = if first == last {
                    format!("token {:?}", tok_text(first))
                } else {
                    format!("tokens {:?}..{:?}", tok_text(first), tok_text(last))
                };
                report.span_note(
                    rec,
                    span,
                    format!(
                        "dropped: does not start and end on token boundaries (it cuts {which})"
                    ),
                );
            }
            Alignment::None => report.span_note(rec, span, "dropped: covers no token"),
        }
    }
    candidates.sort_by_key(|p| (p.first, std::cmp::Reverse(p.last), p.span.id));
    let mut owner: Vec<u32> = vec![u32::MAX; tokens.len()];
    let mut kept: Vec<&Placed> = Vec::with_capacity(candidates.len());
    let mut out: Vec<TokenTag<'a>> = tokens
        .iter()
        .zip(&bytes)
        .map(|(t, &b)| TokenTag {
            start: t.start,
            end: t.end,
            bytes: b,
            prefix: 'O',
            label: "",
        })
        .collect();
    for p in &candidates {
        if let Some(&k) = owner[p.first..=p.last].iter().find(|&&o| o != u32::MAX) {
            let other = kept[k as usize].span;
            report.span_note(
                rec,
                p.span,
                format!(
                    "dropped: overlaps span {} [{}..{}) {}, which starts first or is longer",
                    other.id.0, other.start, other.end, other.label
                ),
            );
            continue;
        }
        let k = kept.len() as u32;
        for t in p.first..=p.last {
            owner[t] = k;
            out[t].label = &p.span.label;
            out[t].prefix = match scheme {
                TagScheme::Iob2 if t == p.first => 'B',
                TagScheme::Iob2 => 'I',
                TagScheme::Bioes if p.first == p.last => 'S',
                TagScheme::Bioes if t == p.first => 'B',
                TagScheme::Bioes if t == p.last => 'E',
                TagScheme::Bioes => 'I',
            };
        }
        kept.push(p);
    }
    // A sentence ends between two tokens of different sentences, unless one kept span
    // covers both: then the sentences are joined.
    let sents = sentences(text);
    let mut sentence_ends = Vec::with_capacity(sents.len());
    let mut si = 0;
    let mut prev_sent = 0;
    for (i, t) in tokens.iter().enumerate() {
        while si + 1 < sents.len() && sents[si].1 <= t.start {
            si += 1;
        }
        let same_span = i > 0 && owner[i] != u32::MAX && owner[i] == owner[i - 1];
        if i > 0 && si != prev_sent && !same_span {
            sentence_ends.push(i);
        }
        prev_sent = si;
    }
    if !tokens.is_empty() {
        sentence_ends.push(tokens.len());
    }
    let n = kept.len();
    (
        Tagged {
            tokens: out,
            sentence_ends,
        },
        n,
    )
}

/// What no token format holds: span attributes, notes and review state, and relations.
pub(crate) fn report_token_format_losses(report: &mut Report, rec: &Record, format: &str) {
    for s in rec.spans() {
        report.lost_fields(rec, s, Keeps::default());
    }
    if let Some(set) = rec.set.filter(|s| !s.relations.is_empty()) {
        report.record_note(
            rec,
            format!(
                "{} relation(s) dropped: {format} has no place for relations",
                set.relations.len()
            ),
        );
    }
}
