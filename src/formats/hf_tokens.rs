//! `hf-tokens`: JSON lines of `{"id", "tokens", "ner_tags"}`, one per sentence, with
//! integer tags indexing the label names written beside it, ready for a Hugging Face
//! `datasets` `ClassLabel` feature. Spans are placed on tokens as for CoNLL (see
//! [`super::tagging`]); with `--nested columns` each nesting level below the first
//! has a tag list of its own, `ner_tags_2`, `ner_tags_3`..., indexing the same names.

use std::collections::HashMap;
use std::io::Write;

use serde_json::{Map, Value, json};

use super::tagging::{tag_columns, tag_record};
use super::{ExportError, ExportOptions, Record, Report, TagScheme};
use crate::model::Project;

/// The field holding the tags of nesting level `level` (0 is the outermost).
pub fn tags_field(level: usize) -> String {
    if level == 0 {
        "ner_tags".to_string()
    } else {
        format!("ner_tags_{}", level + 1)
    }
}

/// `O`, then for every exported label of the schema (in schema order) its tags in
/// scheme order (`B-X`, `I-X` for IOB2; `B-X`, `I-X`, `E-X`, `S-X` for BIOES).
pub fn label_names(project: &Project, opts: &ExportOptions) -> Vec<String> {
    let prefixes: &[&str] = match opts.scheme {
        TagScheme::Iob2 => &["B", "I"],
        TagScheme::Bioes => &["B", "I", "E", "S"],
    };
    let mut out = vec!["O".to_string()];
    for l in project.labels.iter().filter(|l| opts.keeps_label(&l.key)) {
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
        .filter(|l| opts.keeps_label(&l.key))
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
    let columns = tag_columns(records, opts)?;
    let fields: Vec<String> = (0..columns).map(tags_field).collect();
    super::render_records(records, out, progress, |rec, buf, report| {
        let (tagged, kept) = tag_record(rec, opts, report);
        let text = &rec.doc.text;
        for (n, sent) in tagged.sentence_ranges().enumerate() {
            let id = match rec.annotator {
                Some(a) => format!("{}@{a}#{n}", rec.doc.id),
                None => format!("{}#{n}", rec.doc.id),
            };
            let tokens: Vec<&str> = tagged.tokens()[sent.clone()]
                .iter()
                .map(|t| &text[t.bytes.0..t.bytes.1])
                .collect();
            let mut row = Map::new();
            row.insert("id".into(), json!(id));
            row.insert("tokens".into(), json!(tokens));
            for (level, field) in fields.iter().enumerate() {
                let tags: Vec<usize> = match tagged.levels.get(level) {
                    Some(l) => l[sent.clone()]
                        .iter()
                        .map(|t| tag_index(t.prefix, t.label))
                        .collect(),
                    None => vec![0; sent.len()],
                };
                row.insert(field.clone(), json!(tags));
            }
            serde_json::to_writer(&mut *buf, &Value::Object(row))?;
            buf.push(b'\n');
        }
        super::tagging::report_token_format_losses(report, rec, opts, "hf-tokens");
        report.spans += kept;
        Ok(())
    })
}
