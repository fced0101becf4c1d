//! A model's predictions imported into a model layer (`spanbench import --model NAME`).
//!
//! The files are read by the same parsers as any import (spans-jsonl with an optional
//! per-span `score`, Label Studio predictions, doccano, CoNLL), but nothing new enters
//! the project: every prediction must be about a document the project already holds,
//! with exactly its text (CoNLL, which keeps only tokens, must have exactly its
//! non-space characters). Each document's predictions become one set of the model
//! layer, every span `Suggested` and unreviewed, keeping its score. Decisions a
//! reviewer made on an earlier import of the same layer are kept for the spans that
//! come again. All or nothing: one problem anywhere and nothing is imported.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::import::{ImportErrors, ImportFormat, RawDoc, RawSet, in_line_order, read_paths};
use super::import_check::build_set_over;
use crate::model::{
    AnnotationSet, Confidence, Corpus, DocStatus, LayerInfo, LayerKind, Origin, Review, sanitize_id,
};
use crate::offsets::{char_len, normalize_newlines_mapped};

/// What a model import produced: one set per document predicted, the layer's record
/// for project.ron, and notes.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelImport {
    pub layer: String,
    pub info: LayerInfo,
    pub sets: Vec<AnnotationSet>,
    pub notes: Vec<String>,
}

/// Why `name` cannot be a model layer in `corpus`, if it cannot.
pub fn model_name_problem(corpus: &Corpus, name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("give the model layer a name, e.g. --model ner-v1".into());
    }
    if let Some(p) = crate::storage::confine::name_problem(name) {
        return Some(format!(
            "{name:?} cannot name a layer ({p}); use letters, digits, - and _"
        ));
    }
    let exists = corpus.annotations.contains_key(name)
        || corpus.project.annotators.iter().any(|a| a == name);
    match corpus.project.layer_kind(name) {
        LayerKind::Model => None,
        LayerKind::Gold if exists || name == corpus.project.gold_layer() => Some(format!(
            "{name:?} is the gold layer, not a model's; choose another name for the model"
        )),
        LayerKind::Person if exists => Some(format!(
            "{name:?} is a person's layer; choose another name for the model (e.g. {name}-model)"
        )),
        _ => None,
    }
}

/// Reads prediction files into the model layer `model`. Fails with one line per
/// problem, and then nothing is imported.
pub fn import_predictions(
    corpus: &Corpus,
    paths: &[PathBuf],
    format: Option<ImportFormat>,
    model: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ModelImport, ImportErrors> {
    if let Some(p) = model_name_problem(corpus, model) {
        return Err(ImportErrors(vec![p]));
    }
    if matches!(
        format,
        Some(ImportFormat::Text | ImportFormat::Html | ImportFormat::Jsonl | ImportFormat::Brat)
    ) {
        return Err(ImportErrors(vec![format!(
            "--model reads predictions: spans-jsonl, label-studio, doccano or conll, not {}",
            format.map_or("", |f| f.name())
        )]));
    }
    let (raw_docs, mut notes, mut errors) = read_paths(corpus, paths, format, model, progress);
    if raw_docs.is_empty() && errors.is_empty() {
        return Err(ImportErrors(vec!["no predictions found to import".into()]));
    }
    let index = DocIndex::new(corpus);
    let mut sets: BTreeMap<String, AnnotationSet> = BTreeMap::new();
    let mut first_loc: HashMap<String, String> = HashMap::new();
    let mut kept = 0;
    for raw in raw_docs {
        let Some((doc_id, offsets)) = index.find(corpus, &raw, &mut errors) else {
            continue;
        };
        if let Some(prev) = first_loc.insert(doc_id.clone(), raw.loc.clone()) {
            errors.push(format!(
                "{}: a second record for document {doc_id:?}, already predicted at {prev}; give one record per document",
                raw.loc
            ));
            continue;
        }
        let Some(doc) = corpus.document(&doc_id) else {
            continue;
        };
        let rs = one_set(raw.sets, model, &raw.loc, &mut notes);
        let built = if raw.tokenized {
            let rs = remap(rs, &offsets);
            build_set_over(
                &corpus.project,
                &doc.text,
                &doc.text,
                &identity(&doc.text),
                &doc_id,
                model,
                rs,
            )
        } else {
            build_set_over(
                &corpus.project,
                &raw.text,
                &doc.text,
                &offsets,
                &doc_id,
                model,
                rs,
            )
        };
        match built {
            Ok(mut set) => {
                set.status = DocStatus::InProgress;
                for s in &mut set.spans {
                    s.origin = Origin::Suggested;
                }
                dedupe(&mut set, &raw.loc, &mut notes);
                kept += keep_decisions(&mut set, corpus.set(model, &doc_id));
                sets.insert(doc_id, set);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(ImportErrors(in_line_order(errors)));
    }
    if kept > 0 {
        notes.push(format!(
            "kept {kept} earlier decision(s) on suggestions that came again"
        ));
    }
    let replaced = sets
        .keys()
        .filter(|d| corpus.set(model, d).is_some())
        .count();
    if replaced > 0 {
        notes.push(format!(
            "replaces the model layer {model:?} on {replaced} document(s)"
        ));
    }
    let source = paths
        .iter()
        .map(|p| {
            p.file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
        })
        .collect::<Vec<_>>()
        .join(", ");
    Ok(ModelImport {
        layer: model.to_string(),
        info: LayerInfo {
            kind: LayerKind::Model,
            source: format!("predictions imported from {source}"),
            curve: Vec::new(),
        },
        sets: sets.into_values().collect(),
        notes,
    })
}

fn identity(text: &str) -> Vec<usize> {
    (0..=char_len(text)).collect()
}

/// The project's documents by id, by text and by non-space characters.
struct DocIndex {
    by_text: HashMap<String, String>,
    by_chars: HashMap<String, String>,
}

impl DocIndex {
    fn new(corpus: &Corpus) -> Self {
        let mut by_text = HashMap::new();
        let mut by_chars = HashMap::new();
        for d in &corpus.documents {
            by_text
                .entry(d.text.clone())
                .or_insert_with(|| d.id.clone());
            by_chars
                .entry(non_space(&d.text))
                .or_insert_with(|| d.id.clone());
        }
        Self { by_text, by_chars }
    }

    /// The project document `raw` predicts, and a map from raw offsets to its offsets.
    fn find(
        &self,
        corpus: &Corpus,
        raw: &RawDoc,
        errors: &mut Vec<String>,
    ) -> Option<(String, Vec<usize>)> {
        if raw.tokenized {
            return self.find_tokenized(corpus, raw, errors);
        }
        let (norm, map) = normalize_newlines_mapped(&raw.text);
        let named = raw
            .key
            .as_deref()
            .map(sanitize_id)
            .and_then(|k| corpus.document(&k));
        match named {
            Some(d) if d.text == norm.text => Some((d.id.clone(), map)),
            Some(d) => {
                let at = first_difference(&d.text, &norm.text);
                errors.push(format!(
                    "{}: the text differs from the project's document {:?} (first at char {at}); predictions must be made on the project's own text, as `spanbench export` writes it",
                    raw.loc, d.id
                ));
                None
            }
            None => match self.by_text.get(&norm.text) {
                Some(id) => Some((id.clone(), map)),
                None => {
                    errors.push(format!(
                        "{}: no document of the project has this text{}; predictions must be made on the project's own text, as `spanbench export` writes it",
                        raw.loc,
                        raw.key
                            .as_deref()
                            .map(|k| format!(" (and none has the id {k:?})"))
                            .unwrap_or_default()
                    ));
                    None
                }
            },
        }
    }

    fn find_tokenized(
        &self,
        corpus: &Corpus,
        raw: &RawDoc,
        errors: &mut Vec<String>,
    ) -> Option<(String, Vec<usize>)> {
        let Some(id) = self.by_chars.get(&non_space(&raw.text)) else {
            errors.push(format!(
                "{}: no document of the project has these tokens; predictions must be made on the project's own text (export it with `spanbench export --format conll`)",
                raw.loc
            ));
            return None;
        };
        let doc = corpus.document(id)?;
        // Raw char i -> document char: each non-space char maps to its twin; a space
        // maps to the document char after the previous twin, so span ends land right.
        let twins: Vec<usize> = doc
            .text
            .chars()
            .enumerate()
            .filter(|(_, c)| !c.is_whitespace())
            .map(|(i, _)| i)
            .collect();
        let mut map = Vec::with_capacity(raw.text.len() + 1);
        let mut k = 0;
        for c in raw.text.chars() {
            if c.is_whitespace() {
                map.push(if k == 0 { 0 } else { twins[k - 1] + 1 });
            } else {
                map.push(twins[k]);
                k += 1;
            }
        }
        map.push(if k == 0 { 0 } else { twins[k - 1] + 1 });
        Some((id.clone(), map))
    }
}

fn non_space(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn first_difference(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Moves a tokenized set's offsets from the raw text to the document's. A span end maps through
/// its last char, so trailing spaces never stretch it.
fn remap(mut rs: RawSet, map: &[usize]) -> RawSet {
    let at = |i: usize| map.get(i).copied();
    for s in &mut rs.spans {
        match (at(s.start), s.end.checked_sub(1).and_then(at)) {
            (Some(a), Some(b)) if s.start < s.end => {
                s.start = a;
                s.end = b + 1;
            }
            // Out of bounds: left as it is for build_set to report.
            _ => {}
        }
    }
    rs
}

/// All of a record's sets as the model's one set. Label Studio tasks may hold people's
/// annotations beside the predictions: then only the predictions are the model's.
fn one_set(sets: Vec<RawSet>, model: &str, loc: &str, notes: &mut Vec<String>) -> RawSet {
    let suggested = |s: &RawSet| {
        !s.spans.is_empty()
            && s.spans
                .iter()
                .all(|sp| sp.origin == Some(Origin::Suggested))
    };
    let any_predictions = sets.iter().any(suggested);
    let mut out = RawSet::new(model);
    let many = sets.len() > 1;
    for (i, mut s) in sets.into_iter().enumerate() {
        if any_predictions && !suggested(&s) {
            notes.push(format!(
                "{loc}: {}'s annotations left out; only the predictions go to the model layer",
                s.annotator
            ));
            continue;
        }
        if many {
            // Ids are per list: keep each list's spans and relations apart.
            for sp in &mut s.spans {
                sp.key = sp.key.take().map(|k| format!("{i}:{k}"));
            }
            for r in &mut s.relations {
                r.from = format!("{i}:{}", r.from);
                r.to = format!("{i}:{}", r.to);
            }
        }
        out.spans.extend(s.spans);
        out.relations.extend(s.relations);
    }
    out
}

/// Identical predictions (same start, end and label) are one suggestion: keep the
/// highest score.
fn dedupe(set: &mut AnnotationSet, loc: &str, notes: &mut Vec<String>) {
    let before = set.spans.len();
    let mut best: HashMap<(usize, usize, String), usize> = HashMap::new();
    let mut keep = vec![true; set.spans.len()];
    for (i, s) in set.spans.iter().enumerate() {
        let key = (s.start, s.end, s.label.clone());
        match best.get(&key) {
            Some(&j) => {
                let better = s.score.map(Confidence::value).unwrap_or(-1.0)
                    > set.spans[j].score.map(Confidence::value).unwrap_or(-1.0);
                if better {
                    keep[j] = false;
                    best.insert(key, i);
                } else {
                    keep[i] = false;
                }
            }
            None => {
                best.insert(key, i);
            }
        }
    }
    let mut i = 0;
    set.spans.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    let ids: std::collections::HashSet<_> = set.spans.iter().map(|s| s.id).collect();
    set.relations
        .retain(|r| ids.contains(&r.from) && ids.contains(&r.to));
    if set.spans.len() < before {
        notes.push(format!(
            "{loc}: {} identical prediction(s) merged, keeping the highest score",
            before - set.spans.len()
        ));
    }
}

/// Carries a reviewer's decisions over from the layer's earlier set to the spans that
/// came again; returns how many.
fn keep_decisions(set: &mut AnnotationSet, old: Option<&AnnotationSet>) -> usize {
    let Some(old) = old else { return 0 };
    let decided: HashMap<(usize, usize, &str), Review> = old
        .spans
        .iter()
        .filter(|s| s.review != Review::Unreviewed)
        .map(|s| ((s.start, s.end, s.label.as_str()), s.review))
        .collect();
    let mut n = 0;
    for s in &mut set.spans {
        if let Some(&r) = decided.get(&(s.start, s.end, s.label.as_str())) {
            s.review = r;
            n += 1;
        }
    }
    n
}
