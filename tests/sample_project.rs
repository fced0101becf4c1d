//! The sample project shipped in `projects/karabakh`: what a new user opens first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use spanbench::model::{Corpus, Span};
use spanbench::storage;

const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/karabakh")
}

fn corpus() -> Corpus {
    storage::load(&root()).unwrap_or_else(|e| panic!("the sample project must load: {e}"))
}

fn gold(corpus: &Corpus, doc: &str) -> Vec<Span> {
    corpus
        .set("gold", doc)
        .unwrap_or_else(|| panic!("no gold annotations for {doc}"))
        .spans
        .clone()
}

#[test]
fn loads_without_problems() {
    let corpus = corpus();
    assert_eq!(storage::validate(&corpus), []);
    let keys: Vec<&str> = corpus
        .project
        .labels
        .iter()
        .map(|l| l.key.as_str())
        .collect();
    assert_eq!(keys, LABELS);
}

#[test]
fn has_two_documents_with_many_gold_spans_each() {
    let corpus = corpus();
    assert_eq!(corpus.documents.len(), 2);
    for doc in &corpus.documents {
        assert!(
            doc.text.chars().count() > 500,
            "{} is too short to be an article",
            doc.id
        );
        assert!(!doc.text.contains('\r'));
        let spans = gold(&corpus, &doc.id);
        assert!(
            spans.len() >= 20,
            "{} has only {} gold spans",
            doc.id,
            spans.len()
        );
    }
}

#[test]
fn every_label_is_used_in_gold() {
    let corpus = corpus();
    let mut per_label: BTreeMap<&str, usize> = LABELS.iter().map(|l| (*l, 0)).collect();
    for doc in &corpus.documents {
        for s in gold(&corpus, &doc.id) {
            *per_label
                .get_mut(s.label.as_str())
                .unwrap_or_else(|| panic!("label {} not in the schema", s.label)) += 1;
        }
    }
    for (label, n) in &per_label {
        assert!(*n > 0, "no gold {label} span: {per_label:?}");
    }
}

#[test]
fn has_nested_spans() {
    let corpus = corpus();
    let mut nested = 0;
    for doc in &corpus.documents {
        let spans = gold(&corpus, &doc.id);
        for a in &spans {
            nested += spans
                .iter()
                .filter(|b| {
                    b.id != a.id
                        && b.start <= a.start
                        && a.end <= b.end
                        && (a.start, a.end) != (b.start, b.end)
                })
                .count();
        }
    }
    assert!(nested >= 5, "only {nested} nested spans");
}

#[test]
fn gold_relations_connect_existing_spans() {
    let corpus = corpus();
    let relations: usize = corpus
        .documents
        .iter()
        .filter_map(|d| corpus.set("gold", &d.id))
        .map(|s| s.relations.len())
        .sum();
    assert!(relations > 0, "the sample shows relations too");
}

/// Opening the sample and saving it must not change a byte, so a user who just looks
/// at it gets no diff.
#[test]
fn files_are_in_canonical_form() {
    let corpus = corpus();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("karabakh");
    storage::create(&copy, &corpus.project.name).unwrap();
    storage::save_all(&copy, &corpus).unwrap();
    let mut files = vec!["project.ron".to_string()];
    for doc in &corpus.documents {
        files.push(format!("documents/{}.ron", doc.id));
        for annotator in corpus.annotations.keys() {
            if corpus.set(annotator, &doc.id).is_some() {
                files.push(format!("annotations/{annotator}/{}.ron", doc.id));
            }
        }
    }
    for rel in &files {
        let shipped = fs::read(root().join(rel)).unwrap();
        let saved = fs::read(copy.join(rel)).unwrap();
        assert!(shipped == saved, "{rel} is not as spanbench writes it");
    }
}
