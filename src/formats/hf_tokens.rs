//! `hf-tokens`: JSON lines of `{"id", "tokens", "ner_tags"}`, one per sentence, with
//! integer tags indexing the label names written beside it, ready for a Hugging Face
//! `datasets` `ClassLabel` feature. Spans are placed on tokens as for CoNLL (see
//! [`super::tagging`]).

use std::collections::HashMap;
use std::io::Write;

use serde_json::json;

use super::tagging::tag_record;
use super::{ExportError, ExportOptions, Record, Report, TagScheme};
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
    // Index of a tag in `label_names`, computed rather than looked up by string.
    let per_label = match opts.scheme {
        TagScheme::Iob2 => 2,
        TagScheme::Bioes => 4,
    };
    let label_index: HashMap<&str, usize> = project
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.key.as_str(), i))
        .collect();
    let tag_index = |prefix: char, label: &str| -> usize {
        let Some(&l) = label_index.get(label) else {
            return 0;
        };
        let p = match prefix {
            'B' => 0,
            'I' => 1,
            'E' => 2,
            'S' => 3,
            _ => return 0,
        };
        1 + l * per_label + p
    };
    super::render_records(records, out, progress, |rec, buf, report| {
        let (tagged, kept) = tag_record(rec, opts.scheme, report);
        let text = &rec.doc.text;
        for (n, sent) in tagged.sentences().enumerate() {
            let id = match rec.annotator {
                Some(a) => format!("{}@{a}#{n}", rec.doc.id),
                None => format!("{}#{n}", rec.doc.id),
            };
            let tokens: Vec<&str> = sent.iter().map(|t| &text[t.bytes.0..t.bytes.1]).collect();
            let tags: Vec<usize> = sent.iter().map(|t| tag_index(t.prefix, t.label)).collect();
            serde_json::to_writer(
                &mut *buf,
                &json!({"id": id, "tokens": tokens, "ner_tags": tags}),
            )?;
            buf.push(b'\n');
        }
        super::tagging::report_token_format_losses(report, rec, "hf-tokens");
        report.spans += kept;
        Ok(())
    })
}
