//! Placing character spans on tokens, shared by CoNLL, hf-tokens and spacy.
//!
//! Tokens come from [`crate::offsets::tokens::tokenize_with_bytes`] and sentences from
//! [`crate::offsets::tokens::sentences`]. Only spans of the labels the export takes
//! (`--labels`) are considered; the others are left out on purpose and not reported.
//! A token holds only spans that start and end on token boundaries, so:
//!
//! * a span that cuts through a token, or covers no token, is dropped and reported;
//! * where spans overlap, [`Nesting`] decides which are kept (see [`place`]); every
//!   span not kept is reported, naming the kept span it lost to;
//! * a kept span that crosses a sentence boundary joins the two sentences, so no span
//!   is ever cut in two.

use std::cmp::Reverse;
use std::ops::Range;

use super::{ExportError, ExportOptions, Keeps, Nesting, Record, Report, TagScheme};
use crate::model::Span;
use crate::offsets::tokens::{Alignment, Token, align, sentences, tokenize_with_bytes};

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

/// The tokens of one record, tagged, in sentences.
#[derive(Clone, Debug, Default)]
pub struct Tagged<'a> {
    /// One tag sequence per nesting level, the outermost first; each has one entry per
    /// token. There is one level except with [`Nesting::Columns`].
    pub levels: Vec<Vec<TokenTag<'a>>>,
    /// Exclusive end (token index) of each sentence, in order.
    pub sentence_ends: Vec<usize>,
}

impl<'a> Tagged<'a> {
    /// The first (outermost) level.
    pub fn tokens(&self) -> &[TokenTag<'a>] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// Token index ranges of the sentences.
    pub fn sentence_ranges(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        let mut start = 0;
        self.sentence_ends.iter().map(move |&end| {
            let r = start..end;
            start = end;
            r
        })
    }

    /// The sentences of the first level.
    pub fn sentences(&self) -> impl Iterator<Item = &[TokenTag<'a>]> {
        self.sentence_ranges().map(|r| &self.tokens()[r])
    }
}

/// A span as it lands on tokens: `first..=last`.
#[derive(Clone, Copy, Debug)]
pub struct Placed<'a> {
    pub span: &'a Span,
    pub first: usize,
    pub last: usize,
    /// Its nesting level among the kept spans (0 unless [`Nesting::Columns`]).
    pub level: usize,
}

impl Placed<'_> {
    fn len(&self) -> usize {
        self.last - self.first
    }
}

/// Where one record's spans fall on its tokens.
#[derive(Clone, Debug, Default)]
pub struct Placement<'a> {
    pub tokens: Vec<Token>,
    /// Byte range of each token.
    pub bytes: Vec<(usize, usize)>,
    /// Every span of an exported label that starts and ends on token boundaries, by
    /// first token, then the longest, then id.
    pub aligned: Vec<Placed<'a>>,
    /// Indices into `aligned` of the spans kept, in the same order.
    pub kept: Vec<usize>,
    /// How many nesting levels the kept spans use (1 unless [`Nesting::Columns`]).
    pub levels: usize,
    /// Exclusive end (token index) of each sentence.
    pub sentence_ends: Vec<usize>,
}

/// Places one record's spans on its tokens, noting in `report` every span that cannot
/// be placed and, with `note_overlaps`, every span that overlap leaves out.
///
/// * [`Nesting::Outer`]: spans in order of first token, then the longest, then the
///   lowest id; a span overlapping one already kept is dropped. So the outermost of
///   nested spans is kept, and of two that cross, the one that starts first.
/// * [`Nesting::Inner`]: the same with the shortest first (then first token, then id),
///   so the innermost of nested spans is kept, and of two that cross, the shorter.
/// * [`Nesting::Columns`]: in the order of `Outer`, a span inside kept ones goes one
///   level below the innermost of them (same tokens count as inside: the lower id is
///   the outer one); a span that crosses a kept one without nesting is dropped.
pub fn place<'a>(
    rec: &Record<'a>,
    opts: &ExportOptions,
    report: &mut Report,
    note_overlaps: bool,
) -> Placement<'a> {
    let text: &'a str = &rec.doc.text;
    let (tokens, bytes) = tokenize_with_bytes(text);
    let tok_text = |i: usize| &text[bytes[i].0..bytes[i].1];
    let spans: &'a [Span] = rec.set.map_or(&[], |s| &s.spans);
    let mut aligned: Vec<Placed<'a>> = Vec::with_capacity(spans.len());
    for span in spans.iter().filter(|s| opts.keeps_label(&s.label)) {
        match align(&tokens, span.start, span.end) {
            Alignment::Exact { first, last } => aligned.push(Placed {
                span,
                first,
                last,
                level: 0,
            }),
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
    aligned.sort_by_key(|p| (p.first, Reverse(p.last), p.span.id));
    let mut kept = Vec::with_capacity(aligned.len());
    let mut levels = 1;
    match opts.nested {
        Nesting::Outer | Nesting::Inner => {
            let mut order: Vec<usize> = (0..aligned.len()).collect();
            if opts.nested == Nesting::Inner {
                order.sort_by_key(|&i| {
                    let p = &aligned[i];
                    (p.len(), p.first, p.span.id)
                });
            }
            let mut owner: Vec<u32> = vec![u32::MAX; tokens.len()];
            for i in order {
                let p = aligned[i];
                if let Some(&k) = owner[p.first..=p.last].iter().find(|&&o| o != u32::MAX) {
                    if note_overlaps {
                        note_dropped(report, rec, &p, &aligned[k as usize], opts.nested);
                    }
                    continue;
                }
                owner[p.first..=p.last].fill(i as u32);
                kept.push(i);
            }
            kept.sort_unstable();
        }
        Nesting::Columns => {
            // The kept spans that contain the current position, outermost first.
            let mut open: Vec<usize> = Vec::new();
            for i in 0..aligned.len() {
                let p = aligned[i];
                while open.last().is_some_and(|&o| aligned[o].last < p.first) {
                    open.pop();
                }
                // Open spans nest, so those ending before `p` are the ones it crosses;
                // the outermost of them is named.
                if let Some(&o) = open.iter().find(|&&o| aligned[o].last < p.last) {
                    if note_overlaps {
                        note_dropped(report, rec, &p, &aligned[o], opts.nested);
                    }
                    continue;
                }
                aligned[i].level = open.len();
                levels = levels.max(open.len() + 1);
                open.push(i);
                kept.push(i);
            }
        }
    }
    // A sentence ends between two tokens of different sentences, unless a kept span
    // covers both: then the sentences are joined.
    let mut joined = vec![false; tokens.len()];
    for &k in &kept {
        let p = &aligned[k];
        joined[p.first + 1..=p.last].fill(true);
    }
    let sents = sentences(text);
    let mut sentence_ends = Vec::with_capacity(sents.len());
    let mut si = 0;
    let mut prev_sent = 0;
    for (i, t) in tokens.iter().enumerate() {
        while si + 1 < sents.len() && sents[si].1 <= t.start {
            si += 1;
        }
        if i > 0 && si != prev_sent && !joined[i] {
            sentence_ends.push(i);
        }
        prev_sent = si;
    }
    if !tokens.is_empty() {
        sentence_ends.push(tokens.len());
    }
    Placement {
        tokens,
        bytes,
        aligned,
        kept,
        levels,
        sentence_ends,
    }
}

/// Notes that `p` was dropped for `kept`, and how they overlap.
fn note_dropped(report: &mut Report, rec: &Record, p: &Placed, kept: &Placed, mode: Nesting) {
    let same = p.first == kept.first && p.last == kept.last;
    let inside = kept.first <= p.first && p.last <= kept.last;
    let around = p.first <= kept.first && kept.last <= p.last;
    let how = if same {
        "covers the same tokens as"
    } else if inside {
        "is nested in"
    } else if around {
        "contains"
    } else {
        "partly overlaps"
    };
    let why = if same || inside || around {
        format!(
            " (--nested {} keeps one level; --nested columns keeps both)",
            mode.name()
        )
    } else {
        "; no token format holds two spans that cross".to_string()
    };
    let k = kept.span;
    report.span_note(
        rec,
        p.span,
        format!(
            "dropped: {how} span {} [{}..{}) {}, which is kept{why}",
            k.id.0, k.start, k.end, k.label
        ),
    );
}

/// Tags one record's tokens, with every dropped span noted in `report`. Returns the
/// tagged tokens (one level per nesting level the record uses) and how many spans
/// were kept.
pub fn tag_record<'a>(
    rec: &Record<'a>,
    opts: &ExportOptions,
    report: &mut Report,
) -> (Tagged<'a>, usize) {
    let p = place(rec, opts, report, true);
    let plain: Vec<TokenTag<'a>> = p
        .tokens
        .iter()
        .zip(&p.bytes)
        .map(|(t, &b)| TokenTag {
            start: t.start,
            end: t.end,
            bytes: b,
            prefix: 'O',
            label: "",
        })
        .collect();
    let mut levels = vec![plain; p.levels];
    for &k in &p.kept {
        let s = &p.aligned[k];
        let level = &mut levels[s.level];
        for (t, tag) in level.iter_mut().enumerate().take(s.last + 1).skip(s.first) {
            tag.label = &s.span.label;
            tag.prefix = match opts.scheme {
                TagScheme::Iob2 if t == s.first => 'B',
                TagScheme::Iob2 => 'I',
                TagScheme::Bioes if s.first == s.last => 'S',
                TagScheme::Bioes if t == s.first => 'B',
                TagScheme::Bioes if t == s.last => 'E',
                TagScheme::Bioes => 'I',
            };
        }
    }
    let n = p.kept.len();
    (
        Tagged {
            levels,
            sentence_ends: p.sentence_ends,
        },
        n,
    )
}

/// How many tag columns a `--nested columns` export writes: the deepest nesting of
/// kept spans in any record, and at least two (GermEval 2014's outer and nested
/// columns), so that every export has the same shape. One in the other modes.
pub fn tag_columns(records: &[Record], opts: &ExportOptions) -> Result<usize, ExportError> {
    if opts.nested != Nesting::Columns {
        return Ok(1);
    }
    let depth = |chunk: &[Record]| {
        chunk
            .iter()
            .filter(|r| r.spans().len() > 1)
            .map(|r| place(r, opts, &mut Report::default(), false).levels)
            .max()
            .unwrap_or(1)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let per = records.len().div_ceil(threads).max(1);
    let depths: Vec<Option<usize>> = std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(per)
            .map(|c| scope.spawn(move || depth(c)))
            .collect();
        handles.into_iter().map(|h| h.join().ok()).collect()
    });
    let mut deepest = 2;
    for d in depths {
        let d = d.ok_or_else(|| {
            ExportError::Io(std::io::Error::other(
                "an export thread stopped unexpectedly",
            ))
        })?;
        deepest = deepest.max(d);
    }
    Ok(deepest)
}

/// What no token format holds, for the spans of the exported labels: attributes,
/// notes and review state, and the relations between such spans.
pub(crate) fn report_token_format_losses(
    report: &mut Report,
    rec: &Record,
    opts: &ExportOptions,
    format: &str,
) {
    let exported = |s: &Span| opts.keeps_label(&s.label);
    for s in rec.spans().iter().filter(|s| exported(s)) {
        report.lost_fields(rec, s, Keeps::default());
    }
    let Some(set) = rec.set else { return };
    let relations = if opts.labels.is_none() {
        set.relations.len()
    } else {
        let by_id: std::collections::HashMap<_, &Span> =
            set.spans.iter().map(|s| (s.id, s)).collect();
        let ok = |id| by_id.get(&id).is_some_and(|s| exported(s));
        set.relations
            .iter()
            .filter(|r| ok(r.from) && ok(r.to))
            .count()
    };
    if relations > 0 {
        report.record_note(
            rec,
            format!("{relations} relation(s) dropped: {format} has no place for relations"),
        );
    }
}
