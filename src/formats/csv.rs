//! `csv`: one row per span for analysts, and a second file with one row per relation.
//! Offsets are scalar values; attributes are a JSON object in one cell.

use std::io::Write;

use super::{ExportError, Record, Report};

pub const SPAN_HEADER: [&str; 13] = [
    "document",
    "title",
    "annotator",
    "span_id",
    "label",
    "start",
    "end",
    "text",
    "attributes",
    "note",
    "review",
    "origin",
    "status",
];

pub const RELATION_HEADER: [&str; 10] = [
    "document",
    "annotator",
    "relation_id",
    "type",
    "from_span",
    "from_label",
    "from_text",
    "to_span",
    "to_label",
    "to_text",
];

pub fn export(
    records: &[Record],
    spans: &mut dyn Write,
    relations: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    let mut sw = ::csv::Writer::from_writer(spans);
    let mut rw = ::csv::Writer::from_writer(relations);
    sw.write_record(SPAN_HEADER)?;
    rw.write_record(RELATION_HEADER)?;
    let mut report = Report::default();
    for (i, rec) in records.iter().enumerate() {
        let annotator = rec.annotator.unwrap_or("");
        let status = rec.set.map_or("", |s| s.status.as_str());
        for s in rec.spans() {
            let attrs = if s.attrs.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&s.attrs)?
            };
            sw.write_record([
                rec.doc.id.as_str(),
                rec.doc.title.as_str(),
                annotator,
                &s.id.0.to_string(),
                &s.label,
                &s.start.to_string(),
                &s.end.to_string(),
                &s.text,
                &attrs,
                &s.note,
                &format!("{:?}", s.review).to_lowercase(),
                &format!("{:?}", s.origin).to_lowercase(),
                status,
            ])?;
        }
        if let Some(set) = rec.set {
            for r in &set.relations {
                let end = |id| {
                    set.span(id)
                        .map_or(("", ""), |s| (s.label.as_str(), s.text.as_str()))
                };
                let (fl, ft) = end(r.from);
                let (tl, tt) = end(r.to);
                rw.write_record([
                    rec.doc.id.as_str(),
                    annotator,
                    &r.id.0.to_string(),
                    &r.kind,
                    &r.from.0.to_string(),
                    fl,
                    ft,
                    &r.to.0.to_string(),
                    tl,
                    tt,
                ])?;
            }
        }
        report.records += 1;
        report.spans += rec.spans().len();
        progress(i + 1, records.len());
    }
    sw.flush()?;
    rw.flush()?;
    Ok(report)
}
