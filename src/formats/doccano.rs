//! `doccano`: doccano's sequence-labelling JSONL, `{"text", "label": [[start, end,
//! label]]}`, or, when any exported set has relations, its relation form
//! `{"text", "entities": [{"id", "label", "start_offset", "end_offset"}],
//! "relations": [{"id", "from_id", "to_id", "type"}]}`. Extra keys (`doc_id`,
//! `annotator`, `offset_unit`) become metadata in doccano and let spanbench read its own
//! exports back exactly. Offsets are scalar values, or UTF-16 code units (what
//! doccano's browser counts) with `offset_unit: "utf16"` written on each line.

use std::io::Write;

use serde_json::{Map, Value, json};

use super::import::{RawDoc, RawRelation, RawSet, RawSpan, get_str, value_key};
use super::{ExportError, ExportOptions, Keeps, OffsetUnit, Record, Report};
use crate::offsets::OffsetMap;

pub fn export(
    records: &[Record],
    opts: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    let relation_form = records
        .iter()
        .any(|r| r.set.is_some_and(|s| !s.relations.is_empty()));
    // Lines are built on all cores and written in order.
    super::render_records(records, out, progress, |rec, buf, report| {
        // Only UTF-16 offsets need the map.
        let map = (opts.offset_unit == OffsetUnit::Utf16).then(|| OffsetMap::new(&rec.doc.text));
        let off = |c: usize| match &map {
            None => c,
            Some(map) => map.char_to_utf16(c).unwrap_or(c),
        };
        let mut line = Map::new();
        line.insert("text".into(), json!(rec.doc.text));
        if relation_form {
            let entities: Vec<Value> = rec
                .spans()
                .iter()
                .map(|s| {
                    json!({"id": s.id.0, "label": s.label, "start_offset": off(s.start), "end_offset": off(s.end)})
                })
                .collect();
            let relations: Vec<Value> = rec.set.map_or(Vec::new(), |set| {
                set.relations
                    .iter()
                    .map(|r| json!({"id": r.id.0, "from_id": r.from.0, "to_id": r.to.0, "type": r.kind}))
                    .collect()
            });
            line.insert("entities".into(), json!(entities));
            line.insert("relations".into(), json!(relations));
        } else {
            let label: Vec<Value> = rec
                .spans()
                .iter()
                .map(|s| json!([off(s.start), off(s.end), s.label]))
                .collect();
            line.insert("label".into(), json!(label));
        }
        line.insert("doc_id".into(), json!(rec.doc.id));
        if let Some(a) = rec.annotator {
            line.insert("annotator".into(), json!(a));
        }
        if opts.offset_unit == OffsetUnit::Utf16 {
            line.insert("offset_unit".into(), json!("utf16"));
        }
        serde_json::to_writer(&mut *buf, &Value::Object(line))?;
        buf.push(b'\n');
        for s in rec.spans() {
            report.lost_fields(rec, s, Keeps::default());
        }
        report.spans += rec.spans().len();
        Ok(())
    })
}

/// Reads one line of doccano JSONL of either form. Lines without an `annotator` (or
/// `user`) key go to `default_annotator`.
pub(crate) fn parse_line(
    line: &str,
    loc: &str,
    default_annotator: &str,
) -> Result<RawDoc, Vec<String>> {
    let one = |m: String| vec![format!("{loc}: {m}")];
    let v: Value = serde_json::from_str(line).map_err(|e| one(format!("not JSON: {e}")))?;
    let text = get_str(&v, "text").ok_or_else(|| one("no \"text\" string".into()))?;
    let mut doc = RawDoc::new(text.to_string(), loc);
    doc.key = v
        .get("doc_id")
        .and_then(value_key)
        .or_else(|| v.get("id").and_then(value_key));
    let utf16 = match get_str(&v, "offset_unit") {
        None | Some("chars") => false,
        Some("utf16") => true,
        Some(u) => return Err(one(format!("unknown offset_unit {u:?} (chars or utf16)"))),
    };
    let map = OffsetMap::new(text);
    let mut errors = Vec::new();
    let mut conv = |o: u64, what: &str| -> Option<usize> {
        let o = usize::try_from(o).ok()?;
        if !utf16 {
            return Some(o);
        }
        let c = map.utf16_to_char(o);
        if c.is_none() {
            errors.push(format!(
                "{loc}: {what}: UTF-16 offset {o} is out of bounds or inside a surrogate pair"
            ));
        }
        c
    };
    let annotator = get_str(&v, "annotator").or_else(|| get_str(&v, "user"));
    let mut set = RawSet::new(annotator.unwrap_or(default_annotator));
    let mut bad = Vec::new();
    if let Some(ents) = v.get("entities").and_then(Value::as_array) {
        for (i, e) in ents.iter().enumerate() {
            let what = format!("entity {}", i + 1);
            let s = e.get("start_offset").and_then(Value::as_u64);
            let en = e.get("end_offset").and_then(Value::as_u64);
            let label = get_str(e, "label");
            let (Some(s), Some(en), Some(label)) = (s, en, label) else {
                bad.push(format!(
                    "{loc}: {what}: needs \"start_offset\", \"end_offset\" and \"label\""
                ));
                continue;
            };
            let (Some(s), Some(en)) = (conv(s, &what), conv(en, &what)) else {
                continue;
            };
            let key = e.get("id").and_then(value_key);
            set.spans
                .push(RawSpan::new(key, s, en, label, format!("{loc}: {what}")));
        }
        for (i, r) in v
            .get("relations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let what = format!("relation {}", i + 1);
            let from = r.get("from_id").and_then(value_key);
            let to = r.get("to_id").and_then(value_key);
            let kind = get_str(r, "type");
            let (Some(from), Some(to), Some(kind)) = (from, to, kind) else {
                bad.push(format!(
                    "{loc}: {what}: needs \"from_id\", \"to_id\" and \"type\""
                ));
                continue;
            };
            set.relations.push(RawRelation {
                id: r.get("id").and_then(value_key),
                kind: kind.to_string(),
                from,
                to,
                loc: format!("{loc}: {what}"),
            });
        }
    } else if let Some(labels) = v.get("label").and_then(Value::as_array) {
        for (i, l) in labels.iter().enumerate() {
            let what = format!("label {}", i + 1);
            let parts = l.as_array().map(Vec::as_slice).unwrap_or(&[]);
            let (Some(s), Some(en), Some(label)) = (
                parts.first().and_then(Value::as_u64),
                parts.get(1).and_then(Value::as_u64),
                parts.get(2).and_then(Value::as_str),
            ) else {
                bad.push(format!("{loc}: {what}: expected [start, end, \"LABEL\"]"));
                continue;
            };
            let (Some(s), Some(en)) = (conv(s, &what), conv(en, &what)) else {
                continue;
            };
            set.spans.push(RawSpan::new(
                Some((i + 1).to_string()),
                s,
                en,
                label,
                format!("{loc}: {what}"),
            ));
        }
    }
    errors.append(&mut bad);
    if !errors.is_empty() {
        return Err(errors);
    }
    if annotator.is_some() || !set.spans.is_empty() {
        doc.sets.push(set);
    }
    Ok(doc)
}
