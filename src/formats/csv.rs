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
    spans.write_all(&csv_bytes(0, |w| w.write_record(SPAN_HEADER))?)?;
    relations.write_all(&csv_bytes(0, |w| w.write_record(RELATION_HEADER))?)?;
    let mut report = Report::default();
    let mut done = 0;
    // Each record's rows are built on all cores and written in order: CSV quotes each
    // field on its own, so the bytes are those of one writer over every row.
    super::parallel::in_order(records, rows, |_, (s, r, rep)| {
        spans.write_all(&s)?;
        relations.write_all(&r)?;
        super::parallel::merge(&mut report, rep);
        done += 1;
        progress(done, records.len());
        Ok(())
    })?;
    spans.flush()?;
    relations.flush()?;
    Ok(report)
}

/// One record's span rows and relation rows.
fn rows(rec: &Record) -> Result<(Vec<u8>, Vec<u8>, Report), ExportError> {
    let annotator = rec.annotator.unwrap_or("");
    let status = rec.set.map_or("", |s| s.status.as_str());
    let spans = csv_bytes(rec.spans().len() * 128, |w| {
        for s in rec.spans() {
            let attrs = if s.attrs.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&s.attrs).map_err(std::io::Error::other)?
            };
            w.write_record([
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
        Ok(())
    })?;
    let relations = csv_bytes(0, |w| {
        let Some(set) = rec.set else { return Ok(()) };
        for r in &set.relations {
            let end = |id| {
                set.span(id)
                    .map_or(("", ""), |s| (s.label.as_str(), s.text.as_str()))
            };
            let (fl, ft) = end(r.from);
            let (tl, tt) = end(r.to);
            w.write_record([
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
        Ok(())
    })?;
    let report = Report {
        records: 1,
        spans: rec.spans().len(),
        notes: Vec::new(),
    };
    Ok((spans, relations, report))
}

/// The bytes `write` gives through a CSV writer of its own.
fn csv_bytes(
    capacity: usize,
    write: impl FnOnce(&mut ::csv::Writer<Vec<u8>>) -> Result<(), ::csv::Error>,
) -> Result<Vec<u8>, ExportError> {
    let mut w = ::csv::Writer::from_writer(Vec::with_capacity(capacity));
    write(&mut w)?;
    w.into_inner()
        .map_err(|e| ExportError::Io(std::io::Error::other(e.to_string())))
}
