//! Turning character spans into per-token tags, shared by CoNLL and hf-tokens.
//!
//! Tokens come from [`crate::offsets::tokens::tokenize`] and sentences from
//! [`crate::offsets::tokens::sentences`]. A token format holds at most one span per
//! token and only spans that start and end on token boundaries, so:
//!
//! * a span that cuts through a token, or covers no token, is dropped and reported;
//! * of overlapping spans the one that starts first is kept, and of those starting on
//!   the same token the longest (then the lowest id); every other one is reported;
//! * a kept span that crosses a sentence boundary joins the two sentences, so no span
//!   is ever cut in two.

use super::{Record, Report, TagScheme};
use crate::model::Span;
use crate::offsets::tokens::{Alignment, Token, align, sentences, tokenize};

/// One sentence: token texts and their tags (`O`, `B-ACTOR`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sentence {
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

/// A span as it lands on tokens.
struct Placed<'a> {
    span: &'a Span,
    first: usize,
    last: usize,
}

/// The tagged sentences of one record, with every dropped span noted in `report`.
/// Returns how many spans were kept.
pub fn tag_record(rec: &Record, scheme: TagScheme, report: &mut Report) -> (Vec<Sentence>, usize) {
    let text = &rec.doc.text;
    let chars: Vec<char> = text.chars().collect();
    let tokens = tokenize(text);
    let mut candidates: Vec<Placed> = Vec::new();
    for span in rec.spans() {
        match align(&tokens, span.start, span.end) {
            Alignment::Exact { first, last } => candidates.push(Placed { span, first, last }),
            Alignment::Partial { first, last } => {
                let cut: Vec<String> = [first, last]
                    .iter()
                    .map(|&i| token_text(&chars, tokens[i]))
                    .collect();
                let which = if cut[0] == cut[1] || first == last {
                    format!("token {:?}", cut[0])
                } else {
                    format!("tokens {:?}..{:?}", cut[0], cut[1])
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
    let mut owner: Vec<Option<usize>> = vec![None; tokens.len()];
    let mut kept: Vec<&Placed> = Vec::new();
    for p in &candidates {
        if let Some(k) = (p.first..=p.last).find_map(|t| owner[t]) {
            let other = kept[k].span;
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
        for o in owner.iter_mut().take(p.last + 1).skip(p.first) {
            *o = Some(kept.len());
        }
        kept.push(p);
    }
    let mut tags: Vec<String> = vec!["O".to_string(); tokens.len()];
    for p in &kept {
        let l = &p.span.label;
        for (t, tag) in tags.iter_mut().enumerate().take(p.last + 1).skip(p.first) {
            *tag = match scheme {
                TagScheme::Iob2 if t == p.first => format!("B-{l}"),
                TagScheme::Iob2 => format!("I-{l}"),
                TagScheme::Bioes if p.first == p.last => format!("S-{l}"),
                TagScheme::Bioes if t == p.first => format!("B-{l}"),
                TagScheme::Bioes if t == p.last => format!("E-{l}"),
                TagScheme::Bioes => format!("I-{l}"),
            };
        }
    }
    // Sentence of each token; a kept span keeps its tokens in one sentence.
    let sents = sentences(text);
    let mut sent_of = vec![0usize; tokens.len()];
    let mut si = 0;
    for (i, t) in tokens.iter().enumerate() {
        while si + 1 < sents.len() && sents[si].1 <= t.start {
            si += 1;
        }
        sent_of[i] = si;
    }
    let mut out: Vec<Sentence> = Vec::new();
    let mut cur = Sentence::default();
    for (i, t) in tokens.iter().enumerate() {
        let same_span = i > 0 && owner[i].is_some() && owner[i] == owner[i - 1];
        if i > 0 && sent_of[i] != sent_of[i - 1] && !same_span && !cur.tokens.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.tokens.push(token_text(&chars, *t));
        cur.tags.push(std::mem::take(&mut tags[i]));
    }
    if !cur.tokens.is_empty() {
        out.push(cur);
    }
    (out, kept.len())
}

fn token_text(chars: &[char], t: Token) -> String {
    chars[t.start..t.end].iter().collect()
}
