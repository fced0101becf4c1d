//! `label-studio`: Label Studio's task JSON (a list of tasks, one per document, each
//! with one annotation per annotator), and the labelling config XML that matches it.
//!
//! Spans are `labels` results (`value.start/end/text/labels`, `from_name` "label",
//! `to_name` "text"), relations are `relation` results between result ids, a span's
//! note is its region `meta.text`, and a suggested span has result `origin`
//! "prediction". Label Studio counts offsets in code points (scalar values) since it
//! stopped counting UTF-16; `offset_unit` can still ask for UTF-16.

use std::collections::BTreeMap;
use std::io::Write;

use quick_xml::escape::escape;
use serde::Serialize;
use serde_json::Value;

use super::import::{RawDoc, RawRelation, RawSet, RawSpan, get_str, value_key};
use super::stream::JsonRecord;
use super::{
    ExportError, ExportOptions, GOLD_ANNOTATOR, Keeps, OffsetUnit, Record, Report, parallel,
};
use crate::model::{Origin, Project};
use crate::offsets::OffsetMap;

pub const FROM_NAME: &str = "label";
pub const TO_NAME: &str = "text";

/// The labelling config for the project's schema: a `Labels` over a `Text`, and the
/// relation types.
pub fn label_config(project: &Project) -> String {
    let mut x = String::from("<View>\n");
    x.push_str(&format!(
        "  <Labels name=\"{FROM_NAME}\" toName=\"{TO_NAME}\">\n"
    ));
    for l in &project.labels {
        x.push_str(&format!(
            "    <Label value=\"{}\" background=\"{}\"/>\n",
            escape(l.key.as_str()),
            escape(l.color.as_str())
        ));
    }
    x.push_str("  </Labels>\n");
    x.push_str(&format!("  <Text name=\"{TO_NAME}\" value=\"$text\"/>\n"));
    if !project.relation_types.is_empty() {
        x.push_str("  <Relations>\n");
        for r in &project.relation_types {
            x.push_str(&format!(
                "    <Relation value=\"{}\"/>\n",
                escape(r.key.as_str())
            ));
        }
        x.push_str("  </Relations>\n");
    }
    x.push_str("</View>\n");
    x
}

// The output's shapes, fields in alphabetical order: the order serde_json's maps keep,
// in which this export has always written them.

#[derive(Serialize)]
struct TaskOut<'a> {
    annotations: Vec<AnnotationOut<'a>>,
    data: DataOut<'a>,
    id: usize,
    predictions: &'a [u8],
}

#[derive(Serialize)]
struct DataOut<'a> {
    doc_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset_unit: Option<&'static str>,
    text: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    created_username: &'a str,
    ground_truth: bool,
    id: usize,
    meta: StatusOut,
    result: Vec<ResultOut<'a>>,
    was_cancelled: bool,
}

#[derive(Serialize)]
struct StatusOut {
    status: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ResultOut<'a> {
    Span(SpanOut<'a>),
    Relation(RelationOut<'a>),
}

#[derive(Serialize)]
struct SpanOut<'a> {
    from_name: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<NoteOut<'a>>,
    origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    to_name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: SpanValueOut<'a>,
}

#[derive(Serialize)]
struct NoteOut<'a> {
    text: [&'a str; 1],
}

#[derive(Serialize)]
struct SpanValueOut<'a> {
    end: usize,
    labels: [&'a str; 1],
    start: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct RelationOut<'a> {
    direction: &'static str,
    from_id: String,
    labels: [&'a str; 1],
    to_id: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// One annotation; `map` is the document's offset map when offsets go out in UTF-16.
fn annotation_out<'a>(
    rec: &'a Record<'a>,
    map: Option<&OffsetMap>,
    id: usize,
    report: &mut Report,
) -> AnnotationOut<'a> {
    let off = |c: usize| match map {
        None => c,
        Some(map) => map.char_to_utf16(c).unwrap_or(c),
    };
    let mut result = Vec::new();
    for s in rec.spans() {
        result.push(ResultOut::Span(SpanOut {
            from_name: FROM_NAME,
            id: format!("s{}", s.id.0),
            meta: (!s.note.is_empty()).then_some(NoteOut { text: [&s.note] }),
            origin: if s.origin == Origin::Suggested {
                "prediction"
            } else {
                "manual"
            },
            score: s.score.map(|sc| sc.value()),
            to_name: TO_NAME,
            kind: "labels",
            value: SpanValueOut {
                end: off(s.end),
                labels: [&s.label],
                start: off(s.start),
                text: &s.text,
            },
        }));
        report.lost_fields(
            rec,
            s,
            Keeps {
                note: true,
                ..Keeps::default()
            },
        );
    }
    if let Some(set) = rec.set {
        for r in &set.relations {
            result.push(ResultOut::Relation(RelationOut {
                direction: "right",
                from_id: format!("s{}", r.from.0),
                labels: [&r.kind],
                to_id: format!("s{}", r.to.0),
                kind: "relation",
            }));
        }
    }
    let annotator = rec.annotator.unwrap_or_default();
    AnnotationOut {
        created_username: annotator,
        ground_truth: annotator == GOLD_ANNOTATOR,
        id,
        meta: StatusOut {
            status: rec.set.map(|s| s.status.as_str()),
        },
        result,
        was_cancelled: false,
    }
}

pub fn export(
    records: &[Record],
    opts: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    let mut report = Report::default();
    out.write_all(b"[\n")?;
    // Each task is built on its own: its id and its first annotation's id are counted
    // here, in order, so the output is the same as one pass's.
    let mut tasks = Vec::new();
    let mut annotation_id = 0;
    for (n, group) in parallel::doc_groups(records).into_iter().enumerate() {
        let first = annotation_id;
        annotation_id += records[group.clone()]
            .iter()
            .filter(|r| r.set.is_some())
            .count();
        tasks.push((n + 1, first, group));
    }
    parallel::write_in_order(
        &tasks,
        records.len(),
        out,
        &mut report,
        progress,
        |(_, _, group)| group.len(),
        |(task_id, first, group)| {
            let mut report = Report::default();
            let task = task_out(&records[group.clone()], *task_id, *first, opts, &mut report);
            let mut bytes = Vec::new();
            if *task_id > 1 {
                bytes.extend_from_slice(b",\n");
            }
            serde_json::to_writer(&mut bytes, &task)?;
            Ok((bytes, report))
        },
    )?;
    out.write_all(b"\n]\n")?;
    out.flush()?;
    Ok(report)
}

/// One task: the records of one document, its annotations numbered from `first + 1`.
fn task_out<'a>(
    records: &'a [Record<'a>],
    task_id: usize,
    first: usize,
    opts: &ExportOptions,
    report: &mut Report,
) -> TaskOut<'a> {
    let doc = records[0].doc;
    let utf16 = opts.offset_unit == OffsetUnit::Utf16;
    let map = utf16.then(|| OffsetMap::new(&doc.text));
    let mut annotation_id = first;
    let mut annotations = Vec::new();
    for rec in records {
        if rec.set.is_some() {
            annotation_id += 1;
            annotations.push(annotation_out(rec, map.as_ref(), annotation_id, report));
        }
        report.records += 1;
        report.spans += rec.spans().len();
    }
    TaskOut {
        annotations,
        data: DataOut {
            doc_id: &doc.id,
            offset_unit: utf16.then_some("utf16"),
            text: &doc.text,
            title: &doc.title,
        },
        id: task_id,
        predictions: &[],
    }
}

/// Reads one task of a Label Studio JSON export (an element of its list of tasks, or
/// the one task of a file that holds a single object). Annotations keep the annotator
/// Label Studio names; predictions become suggested spans of their model version.
pub fn parse_record(
    rec: &JsonRecord,
    file: &str,
    default_annotator: &str,
    notes: &mut Vec<String>,
) -> Result<RawDoc, Vec<String>> {
    let v: Value = serde_json::from_slice(&rec.bytes).map_err(|e| vec![rec.error_at(file, &e)])?;
    let loc = format!("{file}:{}: task {}", rec.line, rec.index);
    parse_task(&v, &loc, default_annotator, notes)
}

fn annotator_of(a: &Value) -> Option<String> {
    if let Some(u) = get_str(a, "created_username").filter(|u| !u.trim().is_empty()) {
        // Label Studio writes "email, id"; the part before the @ names the person.
        let u = u.split(',').next().unwrap_or(u).trim();
        return Some(u.split('@').next().unwrap_or(u).to_string());
    }
    match a.get("completed_by") {
        Some(Value::Object(o)) => o
            .get("email")
            .and_then(Value::as_str)
            .map(|e| e.split('@').next().unwrap_or(e).to_string())
            .or_else(|| {
                o.get("id")
                    .and_then(value_key)
                    .map(|i| format!("ls-user-{i}"))
            }),
        Some(v @ Value::Number(_)) => value_key(v).map(|i| format!("ls-user-{i}")),
        _ => None,
    }
}

fn parse_task(
    task: &Value,
    loc: &str,
    default_annotator: &str,
    notes: &mut Vec<String>,
) -> Result<RawDoc, Vec<String>> {
    let data = task
        .get("data")
        .ok_or_else(|| vec![format!("{loc}: no \"data\"")])?;
    let text = get_str(data, "text")
        .or_else(|| data.as_object()?.values().find_map(Value::as_str))
        .ok_or_else(|| vec![format!("{loc}: \"data\" holds no text")])?;
    let mut doc = RawDoc::new(text.to_string(), loc);
    doc.key = data
        .get("doc_id")
        .and_then(value_key)
        .or_else(|| task.get("id").and_then(value_key));
    doc.title = get_str(data, "title").map(str::to_string);
    let declared_utf16 = get_str(data, "offset_unit") == Some("utf16");
    let map = OffsetMap::new(text);
    let chars: Vec<char> = text.chars().collect();
    let mut errors = Vec::new();
    let mut sets: BTreeMap<String, RawSet> = BTreeMap::new();
    let lists = [
        ("annotations", false),
        ("completions", false),
        ("predictions", true),
    ];
    for (field, predicted) in lists {
        for (ai, a) in task
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if a.get("was_cancelled").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let aloc = format!("{loc}: {field} {}", ai + 1);
            let annotator = if predicted {
                get_str(a, "model_version")
                    .filter(|m| !m.is_empty())
                    .unwrap_or("predictions")
                    .to_string()
            } else {
                annotator_of(a).unwrap_or_else(|| default_annotator.to_string())
            };
            let set = sets
                .entry(annotator.clone())
                .or_insert_with(|| RawSet::new(&annotator));
            if let Some(st) = a
                .get("meta")
                .and_then(|m| get_str(m, "status"))
                .and_then(super::import::parse_status)
            {
                set.status = st;
            }
            for (ri, r) in a
                .get("result")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let rloc = format!("{aloc}: result {}", ri + 1);
                let kind = get_str(r, "type").unwrap_or("");
                if kind == "relation" {
                    let (Some(from), Some(to)) = (
                        r.get("from_id").and_then(value_key),
                        r.get("to_id").and_then(value_key),
                    ) else {
                        errors.push(format!("{rloc}: relation without from_id/to_id"));
                        continue;
                    };
                    let labels = r.get("labels").and_then(Value::as_array);
                    let Some(label) = labels.and_then(|l| l.first()).and_then(Value::as_str) else {
                        errors.push(format!(
                            "{rloc}: relation without a label; spanbench relations need a type"
                        ));
                        continue;
                    };
                    // Label Studio's "left" points from to_id to from_id.
                    let (from, to) = if get_str(r, "direction") == Some("left") {
                        (to, from)
                    } else {
                        (from, to)
                    };
                    set.relations.push(RawRelation {
                        id: None,
                        kind: label.to_string(),
                        from,
                        to,
                        loc: rloc,
                    });
                    continue;
                }
                let value = r.get("value").unwrap_or(&Value::Null);
                let labels = value.get("labels").and_then(Value::as_array);
                let Some(labels) = labels.filter(|_| kind == "labels" || kind.is_empty()) else {
                    notes.push(format!(
                        "{rloc}: result of type {kind:?} ignored; spanbench reads labels and relations"
                    ));
                    continue;
                };
                let (Some(start), Some(end)) = (
                    value.get("start").and_then(Value::as_u64),
                    value.get("end").and_then(Value::as_u64),
                ) else {
                    errors.push(format!("{rloc}: labels without numeric start/end"));
                    continue;
                };
                // Offsets are read as u64 and converted checked, never cast.
                let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
                    errors.push(format!("{rloc}: offsets [{start}..{end}) are out of range"));
                    continue;
                };
                let vtext = get_str(value, "text");
                let matches = |s: usize, e: usize| {
                    s <= e
                        && e <= chars.len()
                        && vtext.is_none_or(|t| chars[s..e].iter().copied().eq(t.chars()))
                };
                let as_utf16 = map.utf16_to_char(start).zip(map.utf16_to_char(end));
                let (start, end) = if declared_utf16 {
                    match as_utf16 {
                        Some(p) => p,
                        None => {
                            errors.push(format!(
                                "{rloc}: UTF-16 offsets [{start}..{end}) are out of bounds or split a surrogate pair"
                            ));
                            continue;
                        }
                    }
                } else if matches(start, end) {
                    (start, end)
                } else if let Some((s, e)) = as_utf16.filter(|&(s, e)| matches(s, e)) {
                    // Older Label Studio counted UTF-16; the copied text tells which.
                    notes.push(format!(
                        "{rloc}: offsets [{start}..{end}) were UTF-16 code units; read as [{s}..{e})"
                    ));
                    (s, e)
                } else {
                    (start, end)
                };
                let id = r.get("id").and_then(value_key);
                let note = r
                    .get("meta")
                    .and_then(|m| m.get("text"))
                    .map(|t| match t {
                        Value::Array(a) => a
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join("\n"),
                        Value::String(s) => s.clone(),
                        _ => String::new(),
                    })
                    .unwrap_or_default();
                let suggested = predicted || get_str(r, "origin") == Some("prediction");
                // A region's own score, else its prediction's.
                let score = match super::spans_jsonl::parse_score(r) {
                    Ok(Some(x)) => Some(x),
                    Ok(None) => match super::spans_jsonl::parse_score(a) {
                        Ok(x) => x,
                        Err(e) => {
                            errors.push(format!("{aloc}: {e}"));
                            continue;
                        }
                    },
                    Err(e) => {
                        errors.push(format!("{rloc}: {e}"));
                        continue;
                    }
                };
                for (li, label) in labels.iter().enumerate() {
                    let Some(label) = label.as_str() else {
                        errors.push(format!("{rloc}: a label is not a string"));
                        continue;
                    };
                    // The first label keeps the region id relations point at.
                    let key = match (&id, li) {
                        (Some(id), 0) => Some(id.clone()),
                        (Some(id), n) => Some(format!("{id}#{n}")),
                        (None, _) => None,
                    };
                    let mut span = RawSpan::new(key, start, end, label, rloc.clone());
                    span.text = vtext.map(str::to_string);
                    if suggested {
                        span.score = score;
                    }
                    span.note = note.clone();
                    if suggested {
                        span.origin = Some(Origin::Suggested);
                    }
                    set.spans.push(span);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    doc.sets = sets.into_values().collect();
    Ok(doc)
}
