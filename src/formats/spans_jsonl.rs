//! `spans-jsonl`: one JSON object a line, the shape spaCy and Prodigy read:
//! `{"id", "text", "spans": [{"start", "end", "label", "text", ...}], "relations", "meta"}`.
//! Offsets are Unicode scalar values (Python `str` indices), end-exclusive.

use std::io::Write;

use serde_json::{Map, Value, json};

use super::{ExportError, Record, Report};
use crate::model::Span;

fn span_json(s: &Span) -> Value {
    let mut v = json!({
        "id": s.id.0,
        "start": s.start,
        "end": s.end,
        "label": s.label,
        "text": s.text,
    });
    if let Value::Object(m) = &mut v {
        if !s.attrs.is_empty() {
            m.insert("attrs".into(), json!(s.attrs));
        }
        if !s.note.is_empty() {
            m.insert("note".into(), json!(s.note));
        }
        m.insert(
            "origin".into(),
            json!(format!("{:?}", s.origin).to_lowercase()),
        );
        m.insert(
            "review".into(),
            json!(format!("{:?}", s.review).to_lowercase()),
        );
    }
    v
}

/// The JSON object of one record.
pub fn record_json(r: &Record) -> Value {
    let spans: Vec<Value> = r
        .set
        .map_or(Vec::new(), |s| s.spans.iter().map(span_json).collect());
    let relations: Vec<Value> = r.set.map_or(Vec::new(), |set| {
        set.relations
            .iter()
            .map(|rel| {
                let end = |id| {
                    set.span(id).map(
                        |s| json!({"id": s.id.0, "start": s.start, "end": s.end, "label": s.label}),
                    )
                };
                json!({
                    "id": rel.id.0,
                    "label": rel.kind,
                    "from": rel.from.0,
                    "to": rel.to.0,
                    "head_span": end(rel.from),
                    "child_span": end(rel.to),
                })
            })
            .collect()
    });
    let mut meta = Map::new();
    meta.insert("title".into(), json!(r.doc.title));
    let m = &r.doc.meta;
    for (k, v) in [
        ("source", &m.source),
        ("url", &m.url),
        ("published", &m.published),
        ("language", &m.language),
    ] {
        if let Some(v) = v {
            meta.insert(k.into(), json!(v));
        }
    }
    meta.insert("annotator".into(), json!(r.annotator));
    meta.insert("status".into(), json!(r.set.map(|s| s.status.as_str())));
    json!({
        "id": r.doc.id,
        "text": r.doc.text,
        "spans": spans,
        "relations": relations,
        "meta": meta,
    })
}

/// Writes one line per record.
pub fn export(records: &[Record], out: &mut dyn Write) -> Result<Report, ExportError> {
    let mut report = Report::default();
    for r in records {
        serde_json::to_writer(&mut *out, &record_json(r))?;
        out.write_all(b"\n")?;
        report.records += 1;
        report.spans += r.set.map_or(0, |s| s.spans.len());
    }
    out.flush()?;
    Ok(report)
}
