//! Counts over a project: what `spanbench stats` prints and the statistics window
//! charts. No egui here.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Corpus, DocStatus, SpanId};

/// Documents, spans and relations; spans per label and per annotator; each annotator's
/// documents per status. Serialises to what `spanbench stats --json` prints.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    pub documents: usize,
    pub spans: usize,
    pub relations: usize,
    /// Every label of the schema (0 when unused), and any other label a file holds.
    pub spans_per_label: BTreeMap<String, usize>,
    pub spans_per_annotator: BTreeMap<String, usize>,
    /// Per annotator, every status with the documents in it (a document with no set
    /// counts as new).
    pub documents_per_status: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per annotator, spans per label.
    #[serde(skip)]
    pub spans_per_annotator_label: BTreeMap<String, BTreeMap<String, usize>>,
}

/// What `spanbench stats` prints as a table, for a project named `project`.
pub fn render_table(project: &str, st: &Stats) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(o, "project    {project}");
    let _ = writeln!(o, "documents  {}", st.documents);
    let _ = writeln!(o, "spans      {}", st.spans);
    let _ = writeln!(o, "relations  {}", st.relations);
    let _ = writeln!(o, "\nspans per label");
    for (k, v) in &st.spans_per_label {
        let _ = writeln!(o, "  {k:<16} {v:>6}");
    }
    let _ = writeln!(o, "\nspans per annotator");
    for (k, v) in &st.spans_per_annotator {
        let _ = writeln!(o, "  {k:<16} {v:>6}");
    }
    let _ = writeln!(o, "\ndocuments per status");
    for (a, m) in &st.documents_per_status {
        let cells: Vec<String> = DocStatus::ALL
            .iter()
            .map(|s| format!("{} {}", s.as_str(), m.get(s.as_str()).copied().unwrap_or(0)))
            .collect();
        let _ = writeln!(o, "  {a:<16} {}", cells.join(", "));
    }
    o
}

/// What `spanbench stats --json` prints.
pub fn render_json(st: &Stats) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(st)?;
    s.push('\n');
    Ok(s)
}

pub fn stats(corpus: &Corpus) -> Stats {
    let schema: BTreeMap<String, usize> = corpus
        .project
        .labels
        .iter()
        .map(|l| (l.key.clone(), 0))
        .collect();
    let mut st = Stats {
        documents: corpus.documents.len(),
        spans_per_label: schema.clone(),
        ..Default::default()
    };
    for (annotator, sets) in &corpus.annotations {
        let per_status = st
            .documents_per_status
            .entry(annotator.clone())
            .or_default();
        for s in DocStatus::ALL {
            per_status.insert(s.as_str().to_string(), 0);
        }
        for doc in &corpus.documents {
            let status = sets.get(&doc.id).map_or(DocStatus::New, |s| s.status);
            *per_status.entry(status.as_str().to_string()).or_default() += 1;
        }
        let per_label = st
            .spans_per_annotator_label
            .entry(annotator.clone())
            .or_insert_with(|| schema.clone());
        for set in sets.values() {
            st.spans += set.spans.len();
            st.relations += set.relations.len();
            *st.spans_per_annotator.entry(annotator.clone()).or_default() += set.spans.len();
            for s in &set.spans {
                *st.spans_per_label.entry(s.label.clone()).or_default() += 1;
                *per_label.entry(s.label.clone()).or_default() += 1;
            }
        }
    }
    st
}

/// One annotator's work on one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// `None`: no set for the document.
    pub status: Option<DocStatus>,
    pub spans: usize,
}

/// The document-by-annotator progress grid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProgressGrid {
    pub annotators: Vec<String>,
    /// Document ids and titles, in corpus order.
    pub documents: Vec<(String, String)>,
    /// `cells[document][annotator]`.
    pub cells: Vec<Vec<Cell>>,
}

pub fn progress_grid(corpus: &Corpus) -> ProgressGrid {
    let annotators = corpus.annotators();
    let cells = corpus
        .documents
        .iter()
        .map(|d| {
            annotators
                .iter()
                .map(|a| match corpus.set(a, &d.id) {
                    Some(s) => Cell {
                        status: Some(s.status),
                        spans: s.spans.len(),
                    },
                    None => Cell {
                        status: None,
                        spans: 0,
                    },
                })
                .collect()
        })
        .collect();
    ProgressGrid {
        documents: corpus
            .documents
            .iter()
            .map(|d| (d.id.clone(), d.title.clone()))
            .collect(),
        annotators,
        cells,
    }
}

/// The first span (in corpus order: document, then layer, then offset) of `label`
/// and/or in `annotator`'s layer: where a chart's bar leads.
pub fn first_span(
    corpus: &Corpus,
    label: Option<&str>,
    annotator: Option<&str>,
) -> Option<(String, String, SpanId)> {
    let layers: Vec<String> = match annotator {
        Some(a) => vec![a.to_string()],
        None => corpus.annotators(),
    };
    for d in &corpus.documents {
        for a in &layers {
            if let Some(s) = corpus.set(a, &d.id).and_then(|set| {
                set.spans
                    .iter()
                    .find(|s| label.is_none_or(|l| s.label == l))
            }) {
                return Some((a.clone(), d.id.clone(), s.id));
            }
        }
    }
    None
}
