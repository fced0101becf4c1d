//! The annotators, labels and documents a computation compares, resolved once.

use std::collections::HashMap;

use super::AgreementError;
use crate::model::{AnnotationSet, Corpus, Document, LayerKind, SpanId};

/// One span as the measures see it: canonical offsets and the index of its label in
/// [`Selection::labels`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanRef {
    pub start: usize,
    pub end: usize,
    pub label: u32,
    pub id: SpanId,
}

/// One document: its text and, per selected annotator (same order as
/// [`Selection::annotators`]), the spans of the selected labels, or `None` when that
/// annotator has not annotated the document (see [`is_annotated`]).
#[derive(Clone, Debug)]
pub struct DocSpans<'a> {
    pub id: &'a str,
    pub text: &'a str,
    /// Spans in canonical order: (start, end, label, id).
    pub sets: Vec<Option<Vec<SpanRef>>>,
}

/// A set counts as an annotation of its document unless it is untouched: no spans, no
/// relations and status New. An annotator with no set, or an untouched one, has not
/// annotated the document; that is missing data, not "no spans here".
pub fn is_annotated(set: &AnnotationSet) -> bool {
    !set.is_empty()
}

/// The annotators and labels compared, and every document with their spans.
#[derive(Clone, Debug)]
pub struct Selection<'a> {
    pub annotators: Vec<String>,
    /// Label keys; a span's `label` indexes this list.
    pub labels: Vec<String>,
    /// Every document of the corpus, in corpus order.
    pub docs: Vec<DocSpans<'a>>,
}

impl<'a> Selection<'a> {
    /// Resolves names against the corpus. `annotators: None` takes every person's layer
    /// (not the gold layer, not a model's: see [`crate::model::Project::layer_kind`]); `labels: None` takes every label of the schema, in
    /// schema order. Spans of other labels are left out. Fails on an unknown or
    /// repeated name (repeats are allowed with `allow_repeat`, for a layer scored
    /// against itself) and on fewer than `min_annotators` annotators.
    pub fn resolve(
        corpus: &'a Corpus,
        annotators: Option<&[String]>,
        labels: Option<&[String]>,
        min_annotators: usize,
        allow_repeat: bool,
    ) -> Result<Self, AgreementError> {
        let known = corpus.annotators();
        let annotators: Vec<String> = match annotators {
            Some(names) => {
                for (i, a) in names.iter().enumerate() {
                    if !known.contains(a) {
                        return Err(AgreementError::UnknownAnnotator(
                            a.clone(),
                            list_or_none(&known),
                        ));
                    }
                    if !allow_repeat && names[..i].contains(a) {
                        return Err(AgreementError::DuplicateAnnotator(a.clone()));
                    }
                }
                if names.len() < min_annotators {
                    return Err(AgreementError::TooFewAnnotators(format!(
                        "agreement needs at least {min_annotators} annotators and --annotators names {}; name {min_annotators} or more",
                        names.len()
                    )));
                }
                names.to_vec()
            }
            None => {
                // A model's layer is never taken for a person's.
                let people: Vec<String> = known
                    .iter()
                    .filter(|a| corpus.project.layer_kind(a) == LayerKind::Person)
                    .cloned()
                    .collect();
                if people.len() < min_annotators {
                    return Err(AgreementError::TooFewAnnotators(format!(
                        "agreement needs at least {min_annotators} annotators; this project has {} annotator layer(s), not counting gold and model layers{}: add another annotator's layer, or name layers with --annotators (e.g. --annotators gold,NAME)",
                        people.len(),
                        if known.is_empty() {
                            String::new()
                        } else {
                            format!(" (layers: {})", known.join(", "))
                        }
                    )));
                }
                people
            }
        };
        if annotators.len() > super::coding::MAX_ANNOTATORS {
            return Err(AgreementError::TooManyAnnotators(annotators.len()));
        }
        let schema: Vec<String> = corpus
            .project
            .labels
            .iter()
            .map(|l| l.key.clone())
            .collect();
        let labels: Vec<String> = match labels {
            Some(names) => {
                let mut out: Vec<String> = Vec::new();
                for l in names {
                    if !schema.contains(l) {
                        return Err(AgreementError::UnknownLabel(
                            l.clone(),
                            list_or_none(&schema),
                        ));
                    }
                    if !out.contains(l) {
                        out.push(l.clone());
                    }
                }
                out
            }
            None => schema,
        };
        let index = label_index(&labels);
        let docs = corpus
            .documents
            .iter()
            .map(|doc| doc_spans(corpus, doc, &annotators, &labels, &index))
            .collect();
        Ok(Selection {
            annotators,
            labels,
            docs,
        })
    }

    /// Documents annotated by annotator `a`.
    pub fn documents_of(&self, a: usize) -> usize {
        self.docs.iter().filter(|d| d.sets[a].is_some()).count()
    }
}

/// Label key -> index into `labels`, for [`doc_spans`].
pub fn label_index(labels: &[String]) -> HashMap<&str, u32> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u32))
        .collect()
}

/// One document's spans for `annotators` (names of layers), of the labels in `index`
/// (from [`label_index`] over `labels`), as [`Selection::resolve`] builds each
/// document: a view that keeps its own list of annotators uses it to refresh one
/// document without going over the corpus.
pub fn doc_spans<'a>(
    corpus: &'a Corpus,
    doc: &'a Document,
    annotators: &[String],
    labels: &[String],
    index: &HashMap<&str, u32>,
) -> DocSpans<'a> {
    DocSpans {
        id: &doc.id,
        text: &doc.text,
        sets: annotators
            .iter()
            .map(|a| {
                corpus
                    .set(a, &doc.id)
                    .filter(|s| is_annotated(s))
                    .map(|set| set_spans(set, labels, index))
            })
            .collect(),
    }
}

/// A set's spans of the labels in `index`, in canonical order.
pub fn set_spans(
    set: &AnnotationSet,
    labels: &[String],
    index: &HashMap<&str, u32>,
) -> Vec<SpanRef> {
    let mut spans: Vec<SpanRef> = set
        .spans
        .iter()
        .filter_map(|s| {
            index.get(s.label.as_str()).map(|&label| SpanRef {
                start: s.start,
                end: s.end,
                label,
                id: s.id,
            })
        })
        .collect();
    spans.sort_by(|a, b| {
        (a.start, a.end, &labels[a.label as usize], a.id).cmp(&(
            b.start,
            b.end,
            &labels[b.label as usize],
            b.id,
        ))
    });
    spans
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
