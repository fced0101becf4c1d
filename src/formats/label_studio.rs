//! `label-studio`: Label Studio's task JSON (a list of tasks, one per document, each
//! with one annotation per annotator), and the labelling config XML that matches it.
//!
//! Spans are `labels` results (`value.start/end/text/labels`, `from_name` "label",
//! `to_name` "text"), relations are `relation` results between result ids, a span's
//! note is its region `meta.text`, and a suggested span has result `origin`
//! "prediction". Label Studio counts offsets in code points (scalar values) since it
//! stopped counting UTF-16; `offset_unit` can still ask for UTF-16. Tasks are read by
//! `label_studio_read`.

use std::io::Write;

use quick_xml::escape::escape;
use serde::Serialize;

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
