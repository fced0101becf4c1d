//! Built-in recommenders that learn from a person's layer (or the gold layer) and write
//! their suggestions into a model layer of their own, so the review queue, the scores
//! and the exports treat them like any model's. Offline: nothing is downloaded.
//!
//! - [`strings`]: the string matcher (Aho-Corasick over every annotated string);
//! - [`crf`]: a linear-chain CRF over the project's tokenizer.
//!
//! Both learn from the documents the layer has marked done (or reviewed). Each run
//! evaluates first: trained on four fifths of the done documents, scored (nervaluate's
//! strict scheme) on the fifth held out, and the point is added to the layer's curve
//! in project.ron; then trained on all of them, it proposes spans in every document.
//! With too few done documents a recommender proposes nothing and says how many more
//! it needs.

pub mod crf;
pub mod strings;

use std::collections::{HashMap, HashSet};

use crate::agreement::SpanRef;
use crate::agreement::nervaluate::{self, Counts, Scheme};
use crate::model::{
    AnnotationSet, Confidence, Corpus, CurvePoint, DocStatus, Document, LayerInfo, LayerKind,
    Origin, Review, Span, SpanId,
};

/// A span a recommender proposes, in char offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub score: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Recommender {
    /// Every annotated string, wherever it recurs.
    String,
    /// A CRF sequence tagger.
    Crf,
}

impl Recommender {
    pub const ALL: [Recommender; 2] = [Recommender::String, Recommender::Crf];

    /// The model layer its suggestions go to.
    pub fn layer(self) -> &'static str {
        match self {
            Recommender::String => "string-matcher",
            Recommender::Crf => "crf",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Recommender::String => "string matcher",
            Recommender::Crf => "CRF tagger",
        }
    }

    /// Done documents it needs before it proposes anything.
    pub fn min_documents(self) -> usize {
        match self {
            Recommender::String => 1,
            Recommender::Crf => 2,
        }
    }
}

/// Done documents needed before a held-out fifth can be scored (one held out of five).
pub const MIN_EVAL_DOCUMENTS: usize = 5;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RecommendError {
    #[error(
        "the {what} needs {more} more done document(s) of {layer:?} to learn from (it has {have}; mark documents done with Ctrl+Enter); it proposes nothing until then"
    )]
    TooFewDocuments {
        what: &'static str,
        layer: String,
        have: usize,
        more: usize,
    },
    #[error("no layer {0:?} in this project; learn from a person's layer or the gold layer")]
    NoLayer(String),
    #[error(
        "{0:?} is a model's layer; a recommender learns from a person's layer or the gold layer"
    )]
    FromModel(String),
    #[error("training the CRF failed: {0}")]
    Crf(String),
}

/// What a run produced: the model layer's new sets and record (curve included).
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub layer: String,
    pub info: LayerInfo,
    pub sets: Vec<AnnotationSet>,
    /// The evaluation of this run, if there were enough done documents.
    pub point: Option<CurvePoint>,
    /// Done documents learnt from.
    pub documents: usize,
    pub suggestions: usize,
}

/// The documents `layer` has marked done or reviewed, in corpus order.
pub fn done_documents<'a>(corpus: &'a Corpus, layer: &str) -> Vec<&'a Document> {
    corpus
        .documents
        .iter()
        .filter(|d| {
            corpus
                .set(layer, &d.id)
                .is_some_and(|s| matches!(s.status, DocStatus::Done | DocStatus::Reviewed))
        })
        .collect()
}

/// The held-out fifth: by a hash of the id, so a document stays on its side as more
/// documents are marked done. At least one, and never all.
fn split<'a>(docs: &[&'a Document]) -> (Vec<&'a Document>, Vec<&'a Document>) {
    let h = |d: &Document| xxhash_rust::xxh3::xxh3_64(d.id.as_bytes());
    let want = (docs.len() / 5).max(1);
    let mut by_hash: Vec<&Document> = docs.to_vec();
    by_hash.sort_by_key(|d| (h(d), d.id.clone()));
    let held: HashSet<&str> = by_hash[..want].iter().map(|d| d.id.as_str()).collect();
    docs.iter().partition(|d| !held.contains(d.id.as_str()))
}

/// A trained recommender of either kind.
enum Trained {
    Strings(strings::Gazetteer),
    Crf(Box<crf::Crf>),
}

impl Trained {
    fn train(
        kind: Recommender,
        corpus: &Corpus,
        layer: &str,
        docs: &[&Document],
    ) -> Result<Self, RecommendError> {
        Ok(match kind {
            Recommender::String => Trained::Strings(strings::Gazetteer::train(corpus, layer, docs)),
            Recommender::Crf => Trained::Crf(Box::new(
                crf::Crf::train(corpus, layer, docs).map_err(RecommendError::Crf)?,
            )),
        })
    }

    fn predict(&self, text: &str) -> Result<Vec<Proposal>, RecommendError> {
        match self {
            Trained::Strings(g) => Ok(g.find(text)),
            Trained::Crf(c) => c.predict(text).map_err(RecommendError::Crf),
        }
    }
}

/// Scores proposals against the layer's spans on the held-out documents (strict).
fn evaluate(
    corpus: &Corpus,
    layer: &str,
    model: &Trained,
    held: &[&Document],
) -> Result<Counts, RecommendError> {
    let labels: HashMap<&str, u32> = corpus
        .project
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.key.as_str(), i as u32))
        .collect();
    let mut total = Counts::default();
    for d in held {
        let refs = |v: Vec<(usize, usize, &str)>| {
            let mut out: Vec<SpanRef> = v
                .into_iter()
                .filter_map(|(start, end, l)| {
                    labels.get(l).map(|&label| SpanRef {
                        start,
                        end,
                        label,
                        id: SpanId(0),
                    })
                })
                .collect();
            out.sort();
            out
        };
        let truth = refs(corpus.set(layer, &d.id).map_or(Vec::new(), |s| {
            s.spans
                .iter()
                .map(|x| (x.start, x.end, x.label.as_str()))
                .collect()
        }));
        let props = model.predict(&d.text)?;
        let pred = refs(
            props
                .iter()
                .map(|p| (p.start, p.end, p.label.as_str()))
                .collect(),
        );
        total.add(nervaluate::compare(&truth, &pred).get(Scheme::Strict));
    }
    Ok(total)
}

/// The evaluation of one run: trained on four fifths of `done`, scored on the fifth
/// held out. `None` with fewer than [`MIN_EVAL_DOCUMENTS`] documents.
pub fn evaluate_done(
    corpus: &Corpus,
    kind: Recommender,
    from: &str,
    done: &[&Document],
) -> Result<Option<CurvePoint>, RecommendError> {
    if done.len() < MIN_EVAL_DOCUMENTS {
        return Ok(None);
    }
    let (train, held) = split(done);
    let model = Trained::train(kind, corpus, from, &train)?;
    let c = evaluate(corpus, from, &model, &held)?;
    let s = c.score(Scheme::Strict);
    Ok(Some(CurvePoint {
        documents: done.len(),
        held_out: held.len(),
        precision: s.precision.value(),
        recall: s.recall.value(),
        f1: s.f1.value(),
    }))
}

/// Trains `kind` on the done documents of `from`, evaluates it on a held-out fifth,
/// and proposes spans in every document of the corpus. Decisions already made on the
/// recommender's layer are kept (a rejected suggestion stays rejected), and so are
/// the ids of suggestions that come again.
pub fn run(corpus: &Corpus, kind: Recommender, from: &str) -> Result<Outcome, RecommendError> {
    if !corpus.annotations.contains_key(from)
        && !corpus.project.annotators.iter().any(|a| a == from)
    {
        return Err(RecommendError::NoLayer(from.to_string()));
    }
    if corpus.project.layer_kind(from) == LayerKind::Model {
        return Err(RecommendError::FromModel(from.to_string()));
    }
    let done = done_documents(corpus, from);
    if done.len() < kind.min_documents() {
        return Err(RecommendError::TooFewDocuments {
            what: kind.name(),
            layer: from.to_string(),
            have: done.len(),
            more: kind.min_documents() - done.len(),
        });
    }
    let point = evaluate_done(corpus, kind, from, &done)?;
    let model = Trained::train(kind, corpus, from, &done)?;
    let layer = kind.layer();
    let mut sets = Vec::new();
    let mut suggestions = 0;
    for d in &corpus.documents {
        let props = model.predict(&d.text)?;
        let set = suggestion_set(corpus, layer, d, props);
        suggestions += set.spans.len();
        sets.push(set);
    }
    let mut info = corpus
        .project
        .layers
        .get(layer)
        .cloned()
        .unwrap_or_default();
    info.kind = LayerKind::Model;
    info.source = format!("{} learning from {from}", kind.name());
    if let Some(p) = &point {
        info.curve.retain(|q| q.documents != p.documents);
        info.curve.push(p.clone());
        info.curve.sort_by_key(|q| q.documents);
    }
    Ok(Outcome {
        layer: layer.to_string(),
        info,
        sets,
        point,
        documents: done.len(),
        suggestions,
    })
}

/// One document's proposals as a set of the model layer, keeping the ids and the
/// decisions of the suggestions the layer already had.
fn suggestion_set(
    corpus: &Corpus,
    layer: &str,
    doc: &Document,
    props: Vec<Proposal>,
) -> AnnotationSet {
    let old = corpus.set(layer, &doc.id);
    let known: HashMap<(usize, usize, &str), &Span> = old
        .map(|s| {
            s.spans
                .iter()
                .map(|x| ((x.start, x.end, x.label.as_str()), x))
                .collect()
        })
        .unwrap_or_default();
    let mut next = old.map_or(1, |s| s.next_span_id().0);
    let mut set = AnnotationSet::new(&doc.id, layer);
    set.status = DocStatus::InProgress;
    let mut seen = HashSet::new();
    for p in props {
        if !seen.insert((p.start, p.end, p.label.clone())) {
            continue;
        }
        let Some(text) = crate::offsets::slice_chars(&doc.text, p.start, p.end) else {
            continue;
        };
        if p.start >= p.end || corpus.project.label(&p.label).is_none() {
            continue;
        }
        let prev = known.get(&(p.start, p.end, p.label.as_str())).copied();
        let id = match prev {
            Some(s) => s.id,
            None => {
                next += 1;
                SpanId(next - 1)
            }
        };
        set.spans.push(Span {
            id,
            start: p.start,
            end: p.end,
            label: p.label.clone(),
            text: text.to_string(),
            attrs: Default::default(),
            note: String::new(),
            origin: Origin::Suggested,
            review: prev.map_or(Review::Unreviewed, |s| s.review),
            score: Some(Confidence(p.score.clamp(0.0, 1.0))),
        });
    }
    // A rejected suggestion is kept even when not proposed again: the decision stays.
    if let Some(old) = old {
        for s in &old.spans {
            if s.review != Review::Unreviewed && !seen.contains(&(s.start, s.end, s.label.clone()))
            {
                set.spans.push(s.clone());
            }
        }
    }
    set.sort();
    set
}
