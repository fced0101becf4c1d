//! `brat`: brat's standoff format, a folder of `<doc>.txt` (the stored text, byte for
//! byte) and `<doc>.ann` pairs in one subfolder per annotator, plus `annotation.conf`
//! at the top (brat looks for it in the document's folder and its parents).
//!
//! * `T` lines: `T<id>\t<LABEL> <start> <end>\t<text>`, offsets in scalar values of the
//!   .txt, as brat (Python) counts them. A span over a line break is written as
//!   fragments `s e;s e`, one per line, because a .ann line cannot hold a newline; the
//!   text field is the fragments joined by a space, as brat expects.
//! * `R` lines for relations, `A` lines for attributes (an empty value is a binary
//!   attribute), `N` lines for an attribute `ref` whose value is `DB:ID`, `#` lines
//!   (`AnnotatorNotes`) for notes.
//! * `annotation.conf` declares labels, relation types, attributes and `<OVERLAP>`, so
//!   brat accepts overlapping and nested spans.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::import::{RawDoc, RawRelation, RawSet, RawSpan};
use super::{ExportError, ExportOptions, Keeps, Record, Report, check_strict};
use crate::model::{Corpus, Project};
use crate::offsets::{char_len, slice_chars};

/// The attribute written as a brat normalisation (`N`) line.
pub const REF_ATTR: &str = "ref";

/// brat fields are separated by spaces: whitespace inside one becomes `_`.
fn field(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// The `[start, end)` fragments of a span, split at line breaks.
pub fn fragments(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = start;
    for (i, c) in text.chars().skip(start).take(end - start).enumerate() {
        let pos = start + i;
        if c == '\n' {
            if s < pos {
                out.push((s, pos));
            }
            s = pos + 1;
        }
    }
    if s < end {
        out.push((s, end));
    }
    out
}

/// The `.ann` content of one record.
pub fn render_ann(rec: &Record, report: &mut Report) -> String {
    let mut ann = String::new();
    let text = &rec.doc.text;
    let Some(set) = rec.set else {
        return ann;
    };
    let mut a_n = 0;
    let mut n_n = 0;
    let mut note_n = 0;
    let mut dropped = BTreeSet::new();
    for s in &set.spans {
        let frags = fragments(text, s.start, s.end);
        let (Some(first), Some(last)) = (frags.first(), frags.last()) else {
            report.span_note(
                rec,
                s,
                "dropped: brat cannot hold a span of line breaks only",
            );
            dropped.insert(s.id);
            continue;
        };
        if first.0 != s.start || last.1 != s.end {
            report.span_note(
                rec,
                s,
                format!(
                    "written as [{}..{}): a brat span cannot start or end with a line break",
                    first.0, last.1
                ),
            );
        }
        let label = field(&s.label);
        if label != s.label {
            report.span_note(rec, s, format!("label written as {label:?}"));
        }
        let offs: Vec<String> = frags.iter().map(|(a, b)| format!("{a} {b}")).collect();
        let ftext: Vec<&str> = frags
            .iter()
            .map(|&(a, b)| slice_chars(text, a, b).unwrap_or(""))
            .collect();
        let _ = writeln!(
            ann,
            "T{}\t{label} {}\t{}",
            s.id.0,
            offs.join(";"),
            ftext.join(" ")
        );
        for (k, v) in &s.attrs {
            if k == REF_ATTR
                && let Some((db, id)) = v.split_once(':')
                && !db.is_empty()
                && !id.is_empty()
                && !v.chars().any(char::is_whitespace)
            {
                n_n += 1;
                let _ = writeln!(
                    ann,
                    "N{n_n}\tReference T{} {v}\t{}",
                    s.id.0,
                    ftext.join(" ")
                );
                continue;
            }
            let (fk, fv) = (field(k), field(v));
            if fk != *k || fv != *v {
                report.span_note(
                    rec,
                    s,
                    format!("attribute {k}={v} written as {fk}={fv} (brat fields hold no spaces)"),
                );
            }
            a_n += 1;
            if fv.is_empty() {
                let _ = writeln!(ann, "A{a_n}\t{fk} T{}", s.id.0);
            } else {
                let _ = writeln!(ann, "A{a_n}\t{fk} T{} {fv}", s.id.0);
            }
        }
        if !s.note.is_empty() {
            let one_line: String = s
                .note
                .chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                .collect();
            if one_line != s.note {
                report.span_note(rec, s, "note's line breaks written as spaces");
            }
            note_n += 1;
            let _ = writeln!(ann, "#{note_n}\tAnnotatorNotes T{}\t{one_line}", s.id.0);
        }
        report.lost_fields(
            rec,
            s,
            Keeps {
                attrs: true,
                note: true,
                review: false,
            },
        );
    }
    for r in &set.relations {
        if dropped.contains(&r.from) || dropped.contains(&r.to) {
            report.record_note(
                rec,
                format!("relation {} dropped with the span it points at", r.id.0),
            );
            continue;
        }
        let kind = field(&r.kind);
        if kind != r.kind {
            report.record_note(rec, format!("relation {} type written as {kind:?}", r.id.0));
        }
        let _ = writeln!(
            ann,
            "R{}\t{kind} Arg1:T{} Arg2:T{}",
            r.id.0, r.from.0, r.to.0
        );
    }
    ann
}

/// `annotation.conf` for the project's schema and the attribute values in use.
pub fn annotation_conf(project: &Project, records: &[Record]) -> String {
    let mut attrs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in records {
        for s in r.spans() {
            for (k, v) in &s.attrs {
                let is_ref = k == REF_ATTR && v.contains(':') && !v.contains(char::is_whitespace);
                if !is_ref {
                    attrs.entry(field(k)).or_default().insert(field(v));
                }
            }
        }
    }
    let mut c = String::from("# Written by spanbench from the project's schema.\n[entities]\n");
    for l in &project.labels {
        let _ = writeln!(c, "{}", field(&l.key));
    }
    c.push_str("\n[relations]\n");
    for t in &project.relation_types {
        let _ = writeln!(c, "{}\tArg1:<ENTITY>, Arg2:<ENTITY>", field(&t.key));
    }
    // Spans may overlap and nest in spanbench; without this brat refuses them.
    c.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n");
    c.push_str("\n[events]\n\n[attributes]\n");
    for (k, values) in &attrs {
        let values: Vec<&str> = values
            .iter()
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            let _ = writeln!(c, "{k}\tArg:<ENTITY>");
        } else {
            let _ = writeln!(c, "{k}\tArg:<ENTITY>, Value:{}", values.join("|"));
        }
    }
    c
}

/// Where each record goes inside the export folder: `<annotator>/<doc>`, since brat
/// keeps one .ann per text and the folder is what tells annotators apart; `<doc>` for
/// a document nobody annotated.
pub fn record_paths(records: &[Record]) -> Vec<PathBuf> {
    records
        .iter()
        .map(|r| match r.annotator {
            Some(a) => Path::new(a).join(&r.doc.id),
            None => PathBuf::from(&r.doc.id),
        })
        .collect()
}

/// Writes the whole folder beside `out`, then swaps it into place in one step. An
/// existing `out` is replaced only if it is empty or a previous brat export (it has
/// annotation.conf).
pub fn export_to_folder(
    records: &[Record],
    corpus: &Corpus,
    opts: &ExportOptions,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    let path_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e| ExportError::Path { path: p, error: e }
    };
    if out.exists() {
        let empty = fs::read_dir(out).map_err(path_err(out))?.next().is_none();
        if !empty && !out.join("annotation.conf").is_file() {
            return Err(ExportError::FolderNotEmpty(out.to_path_buf()));
        }
    }
    let staged = crate::storage::output::FolderOut::new(out).map_err(path_err(out))?;
    let tmp = staged.path();
    let mut report = Report::default();
    let rel_paths = record_paths(records);
    let items: Vec<(&Record, &PathBuf)> = records.iter().zip(&rel_paths).collect();
    // .ann files are rendered on all cores; files are written many at once, a batch at
    // a time, so memory holds a batch of them, not the export.
    const BATCH: usize = 2048;
    let mut pending: Vec<(PathBuf, Cow<[u8]>)> = Vec::with_capacity(BATCH);
    let flush = |pending: &mut Vec<(PathBuf, Cow<[u8]>)>| {
        let r = staged
            .write_files(pending)
            .map_err(|(path, error)| ExportError::Path { path, error });
        pending.clear();
        r
    };
    let mut done = 0;
    super::parallel::in_order(
        &items,
        |(rec, _)| {
            let mut r = Report::default();
            let ann = render_ann(rec, &mut r);
            Ok((ann, r))
        },
        |(rec, rel), (ann, r)| {
            pending.push((
                rel.with_extension("txt"),
                Cow::Borrowed(rec.doc.text.as_bytes()),
            ));
            pending.push((rel.with_extension("ann"), Cow::Owned(ann.into_bytes())));
            if pending.len() >= BATCH {
                flush(&mut pending)?;
            }
            super::parallel::merge(&mut report, r);
            report.records += 1;
            report.spans += rec.spans().len();
            done += 1;
            progress(done, records.len());
            Ok(())
        },
    )?;
    flush(&mut pending)?;
    let conf = tmp.join("annotation.conf");
    fs::write(&conf, annotation_conf(&corpus.project, records)).map_err(path_err(&conf))?;
    check_strict(&report, opts)?;
    staged.commit().map_err(path_err(out))?;
    Ok(report)
}

/// Reads one `.ann` against its `.txt` (`text`, as the file holds it).
pub fn parse(
    text: &str,
    ann: &str,
    file: &str,
    annotator: &str,
    notes: &mut Vec<String>,
) -> Result<RawDoc, Vec<String>> {
    let mut doc = RawDoc::new(text.to_string(), file);
    let mut set = RawSet::new(annotator);
    let mut errors: Vec<String> = super::import::check_ends_with_newline(ann, file)
        .into_iter()
        .collect();
    let len = char_len(text);
    let mut attrs: Vec<(String, String, String, String)> = Vec::new();
    let mut span_notes: Vec<(String, String)> = Vec::new();
    for (n, line) in ann.lines().enumerate() {
        let loc = format!("{file}:{}", n + 1);
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let id = cols.next().unwrap_or("");
        let body = cols.next().unwrap_or("");
        let tail = cols.next();
        let mut words = body.split(' ').filter(|w| !w.is_empty());
        match id.chars().next() {
            Some('T') => {
                let Some(label) = words.next() else {
                    errors.push(format!("{loc}: T line without a type"));
                    continue;
                };
                let rest = body[body.find(' ').unwrap_or(body.len())..].trim();
                let mut frags = Vec::new();
                let mut bad = false;
                for f in rest.split(';') {
                    let mut p = f.split_whitespace().map(str::parse::<usize>);
                    match (p.next(), p.next(), p.next()) {
                        (Some(Ok(a)), Some(Ok(b)), None) => frags.push((a, b)),
                        _ => bad = true,
                    }
                }
                if bad || frags.is_empty() {
                    errors.push(format!(
                        "{loc}: offsets {:?} are not `start end[;start end]`",
                        crate::storage::excerpt(rest)
                    ));
                    continue;
                }
                let start = frags[0].0;
                let end = frags[frags.len() - 1].1;
                if frags.iter().any(|&(a, b)| a >= b || b > len) || start >= end {
                    errors.push(format!(
                        "{loc}: offsets {:?} are out of bounds or empty (the text has {len} chars)",
                        crate::storage::excerpt(rest)
                    ));
                    continue;
                }
                let ftext: Vec<&str> = frags
                    .iter()
                    .map(|&(a, b)| slice_chars(text, a, b).unwrap_or(""))
                    .collect();
                let joined = ftext.join(" ");
                // brat always writes the text column; a line without it is cut short.
                let Some(t) = tail else {
                    errors.push(format!(
                        "{loc}: T line has no text column (`T1<TAB>LABEL start end<TAB>text`); is the file cut short?"
                    ));
                    continue;
                };
                if t != joined {
                    errors.push(format!(
                        "{loc}: text {:?} does not match the .txt's {:?} at {}",
                        crate::storage::excerpt(t),
                        crate::storage::excerpt(&joined),
                        crate::storage::excerpt(rest)
                    ));
                    continue;
                }
                let gaps_blank = frags.windows(2).all(|w| {
                    slice_chars(text, w[0].1, w[1].0).is_some_and(|g| g.trim().is_empty())
                });
                if !gaps_blank {
                    notes.push(format!(
                        "{loc}: discontinuous span {id} read as one span [{start}..{end})"
                    ));
                }
                set.spans
                    .push(RawSpan::new(Some(id.to_string()), start, end, label, loc));
            }
            Some('R') => {
                let kind = words.next().unwrap_or("");
                let args: Vec<&str> = words.collect();
                let arg = |name: &str| {
                    args.iter()
                        .find_map(|a| a.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
                        .map(str::to_string)
                };
                match (arg("Arg1"), arg("Arg2")) {
                    (Some(from), Some(to)) if !kind.is_empty() => set.relations.push(RawRelation {
                        id: Some(id.to_string()),
                        kind: kind.to_string(),
                        from,
                        to,
                        loc,
                    }),
                    _ => errors.push(format!("{loc}: R line is not `TYPE Arg1:T1 Arg2:T2`")),
                }
            }
            Some('A' | 'M') => {
                let (Some(key), Some(target)) = (words.next(), words.next()) else {
                    errors.push(format!("{loc}: A line is not `NAME T1 [VALUE]`"));
                    continue;
                };
                let value = words.collect::<Vec<_>>().join(" ");
                attrs.push((target.to_string(), key.to_string(), value, loc));
            }
            Some('N') => {
                let (_, Some(target), Some(r)) = (words.next(), words.next(), words.next()) else {
                    errors.push(format!("{loc}: N line is not `Reference T1 DB:ID`"));
                    continue;
                };
                attrs.push((target.to_string(), REF_ATTR.to_string(), r.to_string(), loc));
            }
            Some('#') => {
                let _kind = words.next();
                if let Some(target) = words.next() {
                    span_notes.push((target.to_string(), tail.unwrap_or("").to_string()));
                }
            }
            Some('E' | '*') => notes.push(format!(
                "{loc}: {} line ignored; spanbench has no events or equivalence sets",
                &id[..1]
            )),
            _ => errors.push(format!(
                "{loc}: unknown annotation line {:?}",
                crate::storage::excerpt(id)
            )),
        }
    }
    for (target, key, value, loc) in attrs {
        match set
            .spans
            .iter_mut()
            .find(|s| s.key.as_deref() == Some(target.as_str()))
        {
            Some(s) => {
                s.attrs.insert(key, value);
            }
            None => errors.push(format!("{loc}: refers to {target}, which is not a T line")),
        }
    }
    for (target, note) in span_notes {
        if let Some(s) = set
            .spans
            .iter_mut()
            .find(|s| s.key.as_deref() == Some(target.as_str()))
        {
            if !s.note.is_empty() {
                s.note.push('\n');
            }
            s.note.push_str(&note);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !set.spans.is_empty() || !set.relations.is_empty() || !ann.trim().is_empty() {
        doc.sets.push(set);
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_split_at_line_breaks_only() {
        let t = "ab\ncd\n\nef g";
        assert_eq!(fragments(t, 0, 11), vec![(0, 2), (3, 5), (7, 11)]);
        assert_eq!(fragments(t, 7, 11), vec![(7, 11)]);
        assert_eq!(fragments(t, 5, 7), Vec::<(usize, usize)>::new());
    }

    #[test]
    fn reads_fragments_attributes_notes_and_normalisations() {
        let text = "Ilham\r\nAliyev spoke.";
        let ann = "T1\tACTOR 0 5;7 13\tIlham Aliyev\nA1\tNegated T1\nN1\tReference T1 Wikidata:Q1\tIlham\n#1\tAnnotatorNotes T1\tsee bio\nE1\tMeet:T1\n";
        let mut notes = Vec::new();
        let d = parse(text, ann, "x.ann", "anna", &mut notes).unwrap();
        let s = &d.sets[0].spans[0];
        assert_eq!((s.start, s.end), (0, 13));
        assert_eq!(s.attrs.get("Negated").map(String::as_str), Some(""));
        assert_eq!(
            s.attrs.get(REF_ATTR).map(String::as_str),
            Some("Wikidata:Q1")
        );
        assert_eq!(s.note, "see bio");
        assert_eq!(notes.len(), 1, "{notes:?}");
        let bad = parse(
            text,
            "T1\tACTOR 0 99\tx\nX1\tfoo\n",
            "x.ann",
            "anna",
            &mut notes,
        );
        assert_eq!(bad.unwrap_err().len(), 2);
    }
}
