//! `spans-jsonl`: one JSON object a line, the shape spaCy and Prodigy read:
//! `{"id", "text", "spans": [{"start", "end", "label", "text", ...}], "relations", "meta"}`.
//! Offsets are Unicode scalar values (Python `str` indices), end-exclusive.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use super::import::{
    RawDoc, RawRelation, RawSet, RawSpan, get_str, get_usize, parse_status, value_key,
};
use super::{ExportError, Record, Report, render_records};
use crate::model::{Origin, Review, Span};

fn origin_str(o: Origin) -> &'static str {
    match o {
        Origin::Manual => "manual",
        Origin::Imported => "imported",
        Origin::Suggested => "suggested",
    }
}

fn review_str(r: Review) -> &'static str {
    match r {
        Review::Unreviewed => "unreviewed",
        Review::Accepted => "accepted",
        Review::Rejected => "rejected",
    }
}

// Borrowing mirrors of the model, so a line is written without building a JSON tree.
#[derive(Serialize)]
struct SpanOut<'a> {
    id: u32,
    start: usize,
    end: usize,
    label: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attrs: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "str::is_empty")]
    note: &'a str,
    origin: &'static str,
    review: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
}

#[derive(Serialize)]
struct EndOut<'a> {
    id: u32,
    start: usize,
    end: usize,
    label: &'a str,
}

#[derive(Serialize)]
struct RelationOut<'a> {
    id: u32,
    label: &'a str,
    from: u32,
    to: u32,
    head_span: Option<EndOut<'a>>,
    child_span: Option<EndOut<'a>>,
}

#[derive(Serialize)]
struct MetaOut<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    annotator: Option<&'a str>,
    status: Option<&'static str>,
}

#[derive(Serialize)]
struct RecordOut<'a> {
    id: &'a str,
    text: &'a str,
    spans: Vec<SpanOut<'a>>,
    relations: Vec<RelationOut<'a>>,
    meta: MetaOut<'a>,
}

fn record_out<'a>(r: &Record<'a>) -> RecordOut<'a> {
    let spans = r.set.map_or(Vec::new(), |set| {
        set.spans
            .iter()
            .map(|s| SpanOut {
                id: s.id.0,
                start: s.start,
                end: s.end,
                label: &s.label,
                text: &s.text,
                attrs: &s.attrs,
                note: &s.note,
                origin: origin_str(s.origin),
                review: review_str(s.review),
                score: s.score.map(|c| c.value()),
            })
            .collect()
    });
    let relations = r.set.map_or(Vec::new(), |set| {
        let end = |id| {
            set.span(id).map(|s: &'a Span| EndOut {
                id: s.id.0,
                start: s.start,
                end: s.end,
                label: &s.label,
            })
        };
        set.relations
            .iter()
            .map(|rel| RelationOut {
                id: rel.id.0,
                label: &rel.kind,
                from: rel.from.0,
                to: rel.to.0,
                head_span: end(rel.from),
                child_span: end(rel.to),
            })
            .collect()
    });
    let m = &r.doc.meta;
    RecordOut {
        id: &r.doc.id,
        text: &r.doc.text,
        spans,
        relations,
        meta: MetaOut {
            title: &r.doc.title,
            source: m.source.as_deref(),
            url: m.url.as_deref(),
            published: m.published.as_deref(),
            language: m.language.as_deref(),
            annotator: r.annotator,
            status: r.set.map(|s| s.status.as_str()),
        },
    }
}

/// The JSON object of one record.
pub fn record_json(r: &Record) -> Value {
    serde_json::to_value(record_out(r)).unwrap_or(Value::Null)
}

/// Writes one line per record.
pub fn export(records: &[Record], out: &mut dyn Write) -> Result<Report, ExportError> {
    export_with(records, out, &mut |_, _| {})
}

/// Writes one line per record, calling `progress(done, total)` after each.
pub fn export_with(
    records: &[Record],
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    render_records(records, out, progress, |r, buf, report| {
        serde_json::to_writer(&mut *buf, &record_out(r))?;
        buf.push(b'\n');
        report.spans += r.spans().len();
        Ok(())
    })
}

/// Reads one line of spans-jsonl (as written above, or any `{"text", "spans"}` line
/// spaCy and Prodigy write). Offsets are scalar values over `text`.
pub(crate) fn parse_record(
    line: &str,
    loc: &str,
    default_annotator: &str,
) -> Result<RawDoc, Vec<String>> {
    parse_line(line, loc, default_annotator).map_err(|e| vec![format!("{loc}: {e}")])
}

fn parse_line(line: &str, loc: &str, default_annotator: &str) -> Result<RawDoc, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let text = get_str(&v, "text").ok_or("no \"text\" string")?;
    let meta = v.get("meta");
    let mut doc = RawDoc::new(text.to_string(), loc);
    doc.key = v.get("id").and_then(value_key);
    if let Some(m) = meta {
        doc.title = get_str(m, "title").map(str::to_string);
        doc.meta.source = get_str(m, "source").map(str::to_string);
        doc.meta.url = get_str(m, "url").map(str::to_string);
        doc.meta.published = get_str(m, "published").map(str::to_string);
        doc.meta.language = get_str(m, "language").map(str::to_string);
    }
    let annotator = meta.and_then(|m| get_str(m, "annotator"));
    let spans = v.get("spans").and_then(Value::as_array);
    let relations = v.get("relations").and_then(Value::as_array);
    let has_any = spans.is_some_and(|s| !s.is_empty()) || relations.is_some_and(|r| !r.is_empty());
    // A record exported without an annotator and with nothing in it is a bare document.
    if annotator.is_none() && !has_any {
        return Ok(doc);
    }
    let mut set = RawSet::new(annotator.unwrap_or(default_annotator));
    if let Some(st) = meta.and_then(|m| get_str(m, "status")) {
        set.status = parse_status(st).ok_or_else(|| format!("unknown status {st:?}"))?;
    }
    for (i, s) in spans.into_iter().flatten().enumerate() {
        let start = get_usize(s, "start").ok_or(format!("span {}: no \"start\"", i + 1))?;
        let end = get_usize(s, "end").ok_or(format!("span {}: no \"end\"", i + 1))?;
        let label = get_str(s, "label").ok_or(format!("span {}: no \"label\"", i + 1))?;
        let id = s.get("id").and_then(value_key);
        let mut span = RawSpan::new(id, start, end, label, format!("{loc}: span {}", i + 1));
        span.text = get_str(s, "text").map(str::to_string);
        if let Some(Value::Object(a)) = s.get("attrs") {
            for (k, v) in a {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                span.attrs.insert(k.clone(), v);
            }
        }
        span.note = get_str(s, "note").unwrap_or_default().to_string();
        if let Some(o) = get_str(s, "origin") {
            span.origin = Some(match o {
                "manual" => Origin::Manual,
                "imported" => Origin::Imported,
                "suggested" => Origin::Suggested,
                _ => return Err(format!("span {}: unknown origin {o:?}", i + 1)),
            });
        }
        span.score = parse_score(s).map_err(|e| format!("span {}: {e}", i + 1))?;
        if let Some(r) = get_str(s, "review") {
            span.review = match r {
                "unreviewed" => Review::Unreviewed,
                "accepted" => Review::Accepted,
                "rejected" => Review::Rejected,
                _ => return Err(format!("span {}: unknown review {r:?}", i + 1)),
            };
        }
        set.spans.push(span);
    }
    for (i, r) in relations.into_iter().flatten().enumerate() {
        let label = get_str(r, "label").ok_or(format!("relation {}: no \"label\"", i + 1))?;
        // spaCy-style relations name their ends by head/child span; ours also by id.
        let end_key = |id_field: &str, span_field: &str| {
            r.get(id_field).and_then(value_key).or_else(|| {
                r.get(span_field)
                    .and_then(|s| s.get("id"))
                    .and_then(value_key)
            })
        };
        let from =
            end_key("from", "head_span").ok_or(format!("relation {}: no \"from\"", i + 1))?;
        let to = end_key("to", "child_span").ok_or(format!("relation {}: no \"to\"", i + 1))?;
        set.relations.push(RawRelation {
            id: r.get("id").and_then(value_key),
            kind: label.to_string(),
            from,
            to,
            loc: format!("{loc}: relation {}", i + 1),
        });
    }
    doc.sets.push(set);
    Ok(doc)
}

/// A span's optional `score`: absent or null is none; anything but a number is refused
/// (the range is checked with the span, so the message names it).
pub(crate) fn parse_score(v: &Value) -> Result<Option<f64>, String> {
    match v.get("score") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("score {n} is not a number spanbench can read")),
        Some(other) => Err(format!(
            "score {} is not a number; give a number from 0 to 1",
            crate::storage::excerpt(&other.to_string())
        )),
    }
}
