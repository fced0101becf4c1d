//! `spacy`: a spaCy v3 `DocBin` (`.spacy`), the corpus format `spacy train` reads.
//!
//! Each record (a document as one annotator annotated it) is one `Doc`:
//!
//! * tokens are spanbench's ([`crate::offsets::tokens`]), with the whitespace between
//!   them kept as spaCy keeps it: a single space after a token is its `whitespace_`,
//!   any other run of whitespace is a token of its own, so `doc.text` is the stored
//!   text and every `start_char`/`end_char` is the span's own offset;
//! * `doc.spans["sc"]` holds every span (of the exported labels) that starts and ends
//!   on token boundaries, for spaCy's span categorizer; its `id_` is the span id;
//! * `doc.ents` holds those that do not overlap, chosen as CoNLL chooses them
//!   ([`super::tagging::place`]: outermost first, or innermost with `--nested inner`);
//!   other tokens are outside (`O`), or missing when nobody annotated the document;
//! * sentence starts are the token formats' sentences;
//! * `doc.user_data` has `doc_id` and `annotator`.
//!
//! Spans that cut a token are dropped and reported, as are attributes, notes, review
//! states and relations, which a DocBin has no place for.

pub mod docbin;
mod parallel_zlib;
pub mod strings;
mod tables;

use std::borrow::Cow;
use std::collections::BTreeSet;

use rustc_hash::FxHashSet as HashSet;
use std::io::{self, Write};

use self::docbin::{DocRows, IOB_B, IOB_I, IOB_MISSING, IOB_O, SpanC, TokenRow};
use self::strings::string_id;
use super::tagging::{place, report_token_format_losses};
use super::{ExportError, ExportOptions, Record, Report};

/// The span group spaCy's span categorizer reads by default.
pub const SPANS_KEY: &str = "sc";

/// One record as a DocBin document, with the strings it uses.
struct Built<'a> {
    doc: DocRows,
    strings: HashSet<Cow<'a, str>>,
}

pub fn export(
    records: &[Record],
    opts: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    const CHUNK: usize = 256;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let build_chunk = |chunk: &[Record<'_>]| -> io::Result<(Vec<DocRows>, Vec<String>, Report)> {
        let mut report = Report::default();
        let mut docs = Vec::with_capacity(chunk.len());
        let mut strings: HashSet<Cow<str>> = HashSet::default();
        for r in chunk {
            let b = build(r, opts, &mut report)?;
            docs.push(b.doc);
            strings.extend(b.strings);
            report.records += 1;
        }
        let strings = strings.into_iter().map(Cow::into_owned).collect();
        Ok((docs, strings, report))
    };
    let mut report = Report::default();
    let mut docs: Vec<DocRows> = Vec::with_capacity(records.len());
    let mut strings: BTreeSet<String> = BTreeSet::new();
    let mut done = 0;
    for batch in records.chunks(CHUNK * threads) {
        let parts: Vec<io::Result<_>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .chunks(CHUNK)
                .map(|c| scope.spawn(move || build_chunk(c)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(io::Error::other("an export thread stopped unexpectedly"))
                    })
                })
                .collect()
        });
        for (part, chunk) in parts.into_iter().zip(batch.chunks(CHUNK)) {
            let (mut d, s, mut r) = part?;
            docs.append(&mut d);
            strings.extend(s);
            report.records += r.records;
            report.spans += r.spans;
            report.notes.append(&mut r.notes);
            done += chunk.len();
            progress(done, records.len());
        }
    }
    let strings: Vec<&str> = strings.iter().map(String::as_str).collect();
    docbin::write_docbin(&docs, &strings, out)?;
    Ok(report)
}

/// The norm spaCy's blank English vocabulary gives a word: its entry in spaCy's base
/// norms (`«` is `"`, `…` is `...`), else the word lower-cased as Python's `str.lower`
/// does.
fn norm(word: &str) -> Cow<'_, str> {
    static BASE: std::sync::OnceLock<std::collections::HashMap<&str, &str>> =
        std::sync::OnceLock::new();
    let base = BASE.get_or_init(|| tables::BASE_NORMS.iter().copied().collect());
    if let Some(n) = base.get(word) {
        return Cow::Borrowed(n);
    }
    if word.is_ascii() {
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(word.to_ascii_lowercase())
        } else {
            Cow::Borrowed(word)
        }
    } else {
        let l = word.to_lowercase();
        if l == word {
            Cow::Borrowed(word)
        } else {
            Cow::Owned(l)
        }
    }
}

/// Whitespace between two tokens as spaCy's tokenizer leaves it: a space right after
/// a token is that token's `whitespace_`; the rest of the run is a token of its own.
fn push_gap<'a>(gap: &'a str, words: &mut Vec<&'a str>, spaces: &mut Vec<bool>) {
    let rest = match (gap.strip_prefix(' '), spaces.last_mut()) {
        (Some(rest), Some(space)) => {
            *space = true;
            rest
        }
        _ => gap,
    };
    if !rest.is_empty() {
        words.push(rest);
        spaces.push(false);
    }
}

fn offset(n: usize) -> io::Result<i32> {
    i32::try_from(n).map_err(|_| io::Error::other("an offset beyond 2^31 does not fit a DocBin"))
}

/// Builds one record's document.
fn build<'a>(rec: &Record<'a>, opts: &ExportOptions, report: &mut Report) -> io::Result<Built<'a>> {
    // Overlaps are not losses here: every span stays in doc.spans["sc"].
    let p = place(rec, opts, report, false);
    let text: &'a str = &rec.doc.text;
    let mut words: Vec<&'a str> = Vec::with_capacity(p.tokens.len() + 16);
    let mut spaces: Vec<bool> = Vec::with_capacity(p.tokens.len() + 16);
    // spaCy's token index of each spanbench token.
    let mut index: Vec<usize> = Vec::with_capacity(p.tokens.len());
    let mut prev = 0;
    for &(b0, b1) in &p.bytes {
        push_gap(&text[prev..b0], &mut words, &mut spaces);
        index.push(words.len());
        words.push(&text[b0..b1]);
        spaces.push(false);
        prev = b1;
    }
    push_gap(&text[prev..], &mut words, &mut spaces);

    let mut strings: HashSet<Cow<'a, str>> =
        HashSet::with_capacity_and_hasher(words.len(), Default::default());
    let outside = if rec.set.is_some() {
        IOB_O
    } else {
        IOB_MISSING
    };
    let mut rows: Vec<TokenRow> = Vec::with_capacity(words.len());
    for &w in &words {
        let norm = norm(w);
        rows.push(TokenRow {
            orth: string_id(w),
            norm: string_id(&norm),
            ent_type: 0,
            ent_iob: outside,
            sent_start: -1,
        });
        strings.insert(Cow::Borrowed(w));
        strings.insert(norm);
    }
    if let Some(first) = rows.first_mut() {
        // spaCy's unset tag, lemma, dependency... are all the empty string.
        strings.insert(Cow::Borrowed(""));
        first.sent_start = 1;
    }
    // The first sentence starts at row 0, even after leading whitespace.
    let starts = p
        .sentence_ends
        .iter()
        .take(p.sentence_ends.len().saturating_sub(1));
    for &s in starts {
        rows[index[s]].sent_start = 1;
    }
    for &k in &p.kept {
        let a = &p.aligned[k];
        let label = string_id(&a.span.label);
        let (s, e) = (index[a.first], index[a.last] + 1);
        for (i, r) in rows[s..e].iter_mut().enumerate() {
            r.ent_iob = if i == 0 { IOB_B } else { IOB_I };
            r.ent_type = label;
        }
        strings.insert(Cow::Borrowed(&a.span.label));
    }
    let mut group = Vec::with_capacity(p.aligned.len());
    for a in &p.aligned {
        let id = a.span.id.0.to_string();
        group.push(SpanC {
            id: string_id(&id),
            kb_id: 0,
            label: string_id(&a.span.label),
            start: offset(index[a.first])?,
            end: offset(index[a.last] + 1)?,
            start_char: offset(a.span.start)?,
            end_char: offset(a.span.end)?,
        });
        strings.insert(Cow::Owned(id));
        strings.insert(Cow::Borrowed(&a.span.label));
    }
    // A document nobody annotated has no span group: unknown, not empty.
    let groups: Vec<(&str, &[SpanC])> = match rec.set {
        Some(_) => vec![(SPANS_KEY, &group)],
        None => Vec::new(),
    };
    let mut user_data = vec![("doc_id", rec.doc.id.as_str())];
    if let Some(a) = rec.annotator {
        user_data.push(("annotator", a));
    }
    report_token_format_losses(report, rec, opts, "spacy");
    report.spans += p.aligned.len();
    Ok(Built {
        doc: DocRows {
            tokens: rows,
            spaces,
            span_groups: docbin::span_groups_bytes(&groups)?,
            user_data: docbin::user_data_bytes(&user_data)?,
        },
        strings,
    })
}

#[cfg(test)]
mod tests {
    use super::norm;

    #[test]
    fn norms_are_the_blank_english_vocabularys() {
        for (word, want) in [
            ("Putin", "putin"),
            ("«", "\""),
            ("…", "..."),
            ("’S", "'s"),
            ("€", "$"),
            ("ΟΔΟΣ", "οδος"),
            ("Երևան", "երևան"),
            ("2023", "2023"),
        ] {
            assert_eq!(norm(word), want, "{word}");
        }
    }
}
