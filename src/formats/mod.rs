//! Import and export formats, one file each, as pure functions over the model.

pub mod spans_jsonl;

use std::fmt;

use thiserror::Error;

use crate::model::{AnnotationSet, Corpus, Document, Problem};

/// Which annotators' work an export takes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Layer {
    /// Every annotator's set, one record per document and annotator.
    #[default]
    All,
    /// One annotator only.
    One(String),
}

/// One document as one annotator annotated it (or unannotated, `set` None).
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub doc: &'a Document,
    pub annotator: Option<&'a str>,
    pub set: Option<&'a AnnotationSet>,
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("the project has {} problem(s), first: {}; fix them before exporting (`spanbench validate`)", .0.len(), .0.first().map(|p| p.to_string()).unwrap_or_default())]
    Invalid(Vec<Problem>),
    #[error("no annotator {0:?} in this project")]
    NoAnnotator(String),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The records an export writes: every document once per annotator that has a set on
/// it, or once unannotated when no selected annotator touched it. Refuses to export a
/// project whose spans no longer match their text.
pub fn select<'a>(corpus: &'a Corpus, layer: &Layer) -> Result<Vec<Record<'a>>, ExportError> {
    let problems = crate::storage::validate(corpus);
    if !problems.is_empty() {
        return Err(ExportError::Invalid(problems));
    }
    let annotators: Vec<&str> = match layer {
        Layer::All => corpus.annotations.keys().map(String::as_str).collect(),
        Layer::One(a) => {
            if !corpus.annotations.contains_key(a) && !corpus.project.annotators.contains(a) {
                return Err(ExportError::NoAnnotator(a.clone()));
            }
            corpus
                .annotations
                .get_key_value(a)
                .map(|(k, _)| k.as_str())
                .into_iter()
                .collect()
        }
    };
    let mut out = Vec::new();
    for doc in &corpus.documents {
        let before = out.len();
        for &a in &annotators {
            if let Some(set) = corpus.set(a, &doc.id) {
                out.push(Record {
                    doc,
                    annotator: Some(a),
                    set: Some(set),
                });
            }
        }
        if out.len() == before {
            out.push(Record {
                doc,
                annotator: None,
                set: None,
            });
        }
    }
    Ok(out)
}

/// What an export had to drop or change because the target format cannot hold it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub records: usize,
    pub spans: usize,
    pub notes: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} record(s), {} span(s)", self.records, self.spans)?;
        if !self.notes.is_empty() {
            write!(f, "; {} change(s):", self.notes.len())?;
            for n in &self.notes {
                write!(f, "\n  {n}")?;
            }
        }
        Ok(())
    }
}
