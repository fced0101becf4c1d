//! A big project opened from its index: every document listed, only the wanted ones
//! in memory, files changed behind the index validated before use, nothing lost when
//! documents are dropped or the whole project is loaded afterwards.

#[path = "../benches/synthetic/project.rs"]
mod generated;

use std::fs;
use std::path::Path;

use spanbench::model::DocStatus;
use spanbench::session::Session;
use spanbench::storage;

const DOCS: usize = 60;
const SPANS: usize = 5;

fn project(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("big");
    generated::write_project(&root, DOCS, SPANS, &["anna", "boris"]);
    root
}

fn id(i: usize) -> String {
    format!("doc-{i:06}")
}

/// The second word of a generated document, which no generated span covers.
fn second_word(s: &Session, doc: &str) -> (usize, usize) {
    let text = &s.corpus.document(doc).expect("loaded").text;
    let first = text.split(' ').next().expect("a word").chars().count();
    let second = text.split(' ').nth(1).expect("two words").chars().count();
    (first + 1, first + 1 + second)
}

#[test]
fn every_document_is_listed_and_only_the_wanted_ones_are_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path());
    let mut s = Session::open_lazy(&root, "anna").unwrap();
    assert!(s.is_partial());
    assert_eq!(s.doc_count(), DOCS);
    assert_eq!(s.loaded_count(), 0);
    assert_eq!(s.doc_id_at(7), Some(id(7).as_str()));
    assert_eq!(s.doc_title_at(7), Some("Generated report 7"));
    // Status and span counts come from the index, without loading.
    for i in 0..DOCS {
        assert_eq!(s.status(&id(i)), DocStatus::ALL[i % 4], "doc {i}");
        assert_eq!(s.span_count(&id(i)), SPANS);
    }
    assert_eq!(s.loaded_count(), 0);
    s.load_now(&id(10)).unwrap();
    assert_eq!(s.loaded_count(), 1);
    let on_disk = storage::read_set(&storage::set_file(&root, "anna", &id(10)), "anna")
        .unwrap()
        .0;
    assert_eq!(s.corpus.set("anna", &id(10)), Some(&on_disk));
    assert!(s.corpus.set("boris", &id(10)).is_some());
    assert!(s.corpus.document(&id(11)).is_none());
}

#[test]
fn documents_past_the_budget_are_dropped_but_edited_ones_stay_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path());
    let mut s = Session::open_lazy(&root, "anna").unwrap();
    s.set_memory_budget(1);
    s.load_now(&id(3)).unwrap();
    let (a, b) = second_word(&s, &id(3));
    s.add_span(&id(3), a, b, "PLACE").unwrap();
    s.set_status(&id(4), DocStatus::Done).unwrap_err();
    for i in 10..30 {
        s.load_now(&id(i)).unwrap();
    }
    // The two most recently wanted and the edited one.
    assert_eq!(s.loaded_count(), 3, "{:?}", s.corpus.documents.len());
    assert!(s.corpus.document(&id(3)).is_some());
    assert_eq!(s.spans(&id(3)).len(), SPANS + 1);
    s.save().unwrap();
    let saved = storage::read_set(&storage::set_file(&root, "anna", &id(3)), "anna")
        .unwrap()
        .0;
    assert_eq!(saved.spans.len(), SPANS + 1);
    // Undo finds its document after the others came and went.
    assert!(s.undo().is_some());
    assert_eq!(s.spans(&id(3)).len(), SPANS);
    // A dropped document answers from the catalog with what it was.
    s.load_now(&id(40)).unwrap();
    s.set_status(&id(40), DocStatus::Reviewed).unwrap();
    s.save().unwrap();
    assert_eq!(s.status(&id(40)), DocStatus::Reviewed);
    // Only files that changed were written.
    let untouched = fs::read(storage::set_file(&root, "boris", &id(3))).unwrap();
    let fresh = dir.path().join("fresh");
    generated::write_project(&fresh, DOCS, SPANS, &["anna", "boris"]);
    assert_eq!(
        untouched,
        fs::read(storage::set_file(&fresh, "boris", &id(3))).unwrap()
    );
}

#[test]
fn a_set_broken_behind_the_index_is_refused_on_load_and_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path());
    let mut s = Session::open_lazy(&root, "anna").unwrap();
    // Another program breaks a set after the index validated it: a span past the end.
    let path = storage::set_file(&root, "anna", &id(5));
    let (mut set, _) = storage::read_set(&path, "anna").unwrap();
    set.spans[0].end = 1_000_000;
    let broken = storage::set_bytes(&root, &set).unwrap();
    fs::write(&path, &broken).unwrap();
    let err = s.load_now(&id(5)).unwrap_err();
    assert!(err.contains(&id(5)), "{err}");
    assert!(s.corpus.document(&id(5)).is_none());
    assert_eq!(s.load_error(&id(5)), Some(err.as_str()));
    // Nothing can be edited there and a save writes nothing over it.
    assert!(s.add_span(&id(5), 0, 3, "PLACE").is_err());
    s.save().unwrap();
    assert_eq!(fs::read(&path).unwrap(), broken);
    // A valid change behind the index is validated and taken.
    let path6 = storage::set_file(&root, "anna", &id(6));
    let (mut set6, _) = storage::read_set(&path6, "anna").unwrap();
    set6.status = DocStatus::Reviewed;
    set6.spans.pop();
    fs::write(&path6, storage::set_bytes(&root, &set6).unwrap()).unwrap();
    s.load_now(&id(6)).unwrap();
    assert_eq!(s.status(&id(6)), DocStatus::Reviewed);
    assert_eq!(s.spans(&id(6)).len(), SPANS - 1);
}

#[test]
fn another_process_writing_an_unloaded_set_updates_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path());
    let mut s = Session::open_lazy(&root, "anna").unwrap();
    let rel = format!("annotations/anna/{}.ron", id(8));
    let path = root.join(&rel);
    let (mut set, _) = storage::read_set(&path, "anna").unwrap();
    set.status = DocStatus::Done;
    set.spans.truncate(2);
    fs::write(&path, storage::set_bytes(&root, &set).unwrap()).unwrap();
    let (changed, errors) = s.refresh(Some(&[rel]));
    assert!(changed && errors.is_empty(), "{errors:?}");
    assert_eq!(s.loaded_count(), 0);
    assert_eq!(s.status(&id(8)), DocStatus::Done);
    assert_eq!(s.span_count(&id(8)), 2);
    s.load_now(&id(8)).unwrap();
    assert_eq!(s.spans(&id(8)).len(), 2);
}

#[test]
fn a_full_load_keeps_unsaved_edits_and_ends_the_partial_mode() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path());
    let mut s = Session::open_lazy(&root, "anna").unwrap();
    s.load_now(&id(2)).unwrap();
    let (a, b) = second_word(&s, &id(2));
    s.add_span(&id(2), a, b, "ACTOR").unwrap();
    s.load_everything().unwrap();
    assert!(!s.is_partial());
    assert_eq!(s.corpus.documents.len(), DOCS);
    assert_eq!(s.doc_count(), DOCS);
    assert_eq!(s.spans(&id(2)).len(), SPANS + 1);
    assert_eq!(
        s.corpus.set("boris", &id(59)).map(|x| x.spans.len()),
        Some(SPANS)
    );
    assert!(s.is_dirty());
    s.save().unwrap();
    let saved = storage::read_set(&storage::set_file(&root, "anna", &id(2)), "anna")
        .unwrap()
        .0;
    assert_eq!(saved.spans.len(), SPANS + 1);
    assert!(s.undo().is_some());
    assert_eq!(s.spans(&id(2)).len(), SPANS);
    assert!(storage::validate(&s.corpus).is_empty());
}

#[test]
fn statistics_from_the_index_match_those_of_the_whole_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = project(dir.path());
    let mut s = Session::open_lazy(&root, "anna").unwrap();
    s.set_memory_budget(1);
    // Edits in memory, one of them unsaved, and documents dropped after being loaded.
    s.load_now(&id(3)).unwrap();
    let (a, b) = second_word(&s, &id(3));
    s.add_span(&id(3), a, b, "CLAIM").unwrap();
    s.save().unwrap();
    s.load_now(&id(4)).unwrap();
    s.set_status(&id(4), DocStatus::Reviewed).unwrap();
    for i in 20..25 {
        s.load_now(&id(i)).unwrap();
    }
    assert!(s.is_partial());
    let partial = (s.stats(), s.progress_grid());
    assert_eq!(partial.0.documents, DOCS);
    assert_eq!(partial.0.spans, 2 * DOCS * SPANS + 1);
    assert_eq!(
        s.first_doc_with(Some("CLAIM"), Some("anna")).map(|x| x.0),
        Some("anna".to_string())
    );
    s.load_everything().unwrap();
    assert_eq!(partial, (s.stats(), s.progress_grid()));
}
