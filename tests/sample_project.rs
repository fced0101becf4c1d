//! The sample project shipped in `projects/karabakh`: what a new user opens first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use spanbench::model::{Corpus, DocStatus, Span};
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

/// The annotators besides gold: their layers are what agreement and curation show on
/// first open.
const ANNOTATORS: [&str; 2] = ["mariam", "tomas"];

/// Exact-match F1 (same offsets and label) of `annotator` against gold over the corpus.
fn exact_f1_against_gold(corpus: &Corpus, annotator: &str) -> f64 {
    let (mut matched, mut theirs, mut golds) = (0usize, 0usize, 0usize);
    for doc in &corpus.documents {
        let gold: Vec<(usize, usize, String)> = gold(corpus, &doc.id)
            .into_iter()
            .map(|s| (s.start, s.end, s.label))
            .collect();
        let set = corpus
            .set(annotator, &doc.id)
            .unwrap_or_else(|| panic!("{annotator} has no layer on {}", doc.id));
        matched += set
            .spans
            .iter()
            .filter(|s| gold.contains(&(s.start, s.end, s.label.clone())))
            .count();
        theirs += set.spans.len();
        golds += gold.len();
    }
    2.0 * matched as f64 / (theirs + golds) as f64
}

#[test]
fn two_annotators_besides_gold_cover_every_document() {
    let corpus = corpus();
    assert_eq!(corpus.project.annotators, ["gold", "mariam", "tomas"]);
    for annotator in ANNOTATORS {
        for doc in &corpus.documents {
            let set = corpus
                .set(annotator, &doc.id)
                .unwrap_or_else(|| panic!("{annotator} has no layer on {}", doc.id));
            assert!(
                set.spans.len() >= 20,
                "{annotator} has only {} spans on {}",
                set.spans.len(),
                doc.id
            );
            assert!(!set.relations.is_empty(), "{annotator} has no relations");
        }
    }
}

/// Agreement has something to show only if the layers are close to gold without being
/// copies of it, and differ from each other too.
#[test]
fn annotators_agree_with_gold_mostly_but_not_fully() {
    let corpus = corpus();
    for annotator in ANNOTATORS {
        let f1 = exact_f1_against_gold(&corpus, annotator);
        assert!(
            (0.75..0.95).contains(&f1),
            "{annotator} agrees with gold at exact-match F1 {f1:.3}"
        );
    }
    for doc in &corpus.documents {
        let spans = |a: &str| -> Vec<(usize, usize, String)> {
            let set = corpus.set(a, &doc.id).unwrap();
            set.spans
                .iter()
                .map(|s| (s.start, s.end, s.label.clone()))
                .collect()
        };
        assert_ne!(spans("mariam"), spans("tomas"), "{}", doc.id);
    }
}

#[test]
fn relations_join_the_labels_their_type_allows() {
    let corpus = corpus();
    for (annotator, sets) in &corpus.annotations {
        for set in sets.values() {
            let label = |id| {
                set.spans
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| s.label.as_str())
                    .unwrap_or_else(|| panic!("{annotator}: no span {id:?}"))
            };
            for r in &set.relations {
                let (from, to) = (label(r.from), label(r.to));
                let ok = match r.kind.as_str() {
                    "SAID_BY" => from == "CLAIM" && to == "ACTOR",
                    "PARTY_TO" => from == "ACTOR" && to == "AGREEMENT_TERM",
                    "LOCATED_IN" => to == "PLACE",
                    "ON_DATE" => matches!(from, "CLAIM" | "AGREEMENT_TERM") && to == "DATE",
                    other => panic!("{annotator}: relation type {other}"),
                };
                assert!(
                    ok,
                    "{annotator}/{}: {} from {from} to {to}",
                    set.document, r.kind
                );
            }
        }
    }
}

/// The progress views show more than one status on first open.
#[test]
fn layers_are_at_different_stages() {
    let corpus = corpus();
    let statuses: std::collections::BTreeSet<DocStatus> = corpus
        .annotations
        .values()
        .flat_map(|sets| sets.values().map(|s| s.status))
        .collect();
    for status in [DocStatus::InProgress, DocStatus::Done, DocStatus::Reviewed] {
        assert!(statuses.contains(&status), "no layer is {status:?}");
    }
}
