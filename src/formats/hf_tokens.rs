//! `hf-tokens`: JSON lines of `{"id", "tokens", "ner_tags"}`, one per sentence, with
//! integer tags indexing the label names written beside it, ready for a Hugging Face
//! `datasets` `ClassLabel` feature. Spans are placed on tokens as for CoNLL (see
//! [`super::tagging`]).

use std::collections::HashMap;
use std::io::Write;

use serde_json::json;

use super::tagging::tag_record;
use super::{ExportError, ExportOptions, Keeps, Record, Report, TagScheme};
use crate::model::Project;

/// `O`, then for every label of the schema its tags in scheme order
/// (`B-X`, `I-X` for IOB2; `B-X`, `I-X`, `E-X`, `S-X` for BIOES).
pub fn label_names(project: &Project, scheme: TagScheme) -> Vec<String> {
    let prefixes: &[&str] = match scheme {
        TagScheme::Iob2 => &["B", "I"],
        TagScheme::Bioes => &["B", "I", "E", "S"],
    };
    let mut out = vec!["O".to_string()];
    for l in &project.labels {
        for p in prefixes {
            out.push(format!("{p}-{}", l.key));
        }
    }
    out
}

pub fn export(
    records: &[Record],
    project: &Project,
    opts: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    let names = label_names(project, opts.scheme);
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut report = Report::default();
    for (i, rec) in records.iter().enumerate() {
        let (sentences, kept) = tag_record(rec, opts.scheme, &mut report);
        for (n, sent) in sentences.iter().enumerate() {
            // Labels come from the validated schema, so every tag has an index.
            let tags: Vec<usize> = sent
                .tags
                .iter()
                .map(|t| index.get(t.as_str()).copied().unwrap_or(0))
                .collect();
            let id = match rec.annotator {
                Some(a) => format!("{}@{a}#{n}", rec.doc.id),
                None => format!("{}#{n}", rec.doc.id),
            };
            serde_json::to_writer(
                &mut *out,
                &json!({"id": id, "tokens": sent.tokens, "ner_tags": tags}),
            )?;
            out.write_all(b"\n")?;
        }
        for s in rec.spans() {
            report.lost_fields(rec, s, Keeps::default());
        }
        if let Some(set) = rec.set.filter(|s| !s.relations.is_empty()) {
            report.record_note(
                rec,
                format!(
                    "{} relation(s) dropped: hf-tokens has no place for relations",
                    set.relations.len()
                ),
            );
        }
        report.records += 1;
        report.spans += kept;
        progress(i + 1, records.len());
    }
    out.flush()?;
    Ok(report)
}
