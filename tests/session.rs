//! Edits, undo history and the editing session.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use spanbench::edit::{Edit, EditError};
use spanbench::history::{History, Target};
use spanbench::model::{
    AnnotationSet, DocStatus, Document, Origin, Relation, RelationId, Review, Span, SpanId,
};
use spanbench::offsets::slice_chars;
use spanbench::session::{AUTOSAVE_DELAY, Session, SessionError};
use spanbench::storage;

const TEXT: &str = "Baku and Yerevan agreed 👍🏽 on «Лачин» corridor.\nՀայաստան, ქართული, e\u{301}!";
const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];
const KINDS: [&str; 4] = ["SAID_BY", "PARTY_TO", "LOCATED_IN", "ON_DATE"];

fn n_chars() -> usize {
    TEXT.chars().count()
}

fn make_span(id: u32, a: usize, b: usize, label: usize) -> Span {
    let n = n_chars();
    let start = a % n;
    let end = start + 1 + b % (n - start);
    Span {
        id: SpanId(id),
        start,
        end,
        label: LABELS[label % LABELS.len()].to_string(),
        text: slice_chars(TEXT, start, end).unwrap().to_string(),
        attrs: Default::default(),
        note: String::new(),
        origin: Origin::Manual,
        review: Review::Unreviewed,
        score: None,
    }
}

/// One step of a random edit script, resolved against the set it is applied to.
#[derive(Clone, Debug)]
enum Op {
    Add(usize, usize, usize),
    Remove(usize),
    Relabel(usize, usize),
    Move(usize, usize, usize),
    Note(usize, String),
    Review(usize, usize),
    Relate(usize, usize, usize),
    Unrelate(usize),
    Status(usize),
    Batch(Vec<Op>),
}

fn op() -> impl Strategy<Value = Op> {
    let leaf = prop_oneof![
        3 => (any::<usize>(), any::<usize>(), 0..5usize).prop_map(|(a, b, l)| Op::Add(a, b, l)),
        2 => any::<usize>().prop_map(Op::Remove),
        1 => (any::<usize>(), 0..5usize).prop_map(|(i, l)| Op::Relabel(i, l)),
        1 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(i, a, b)| Op::Move(i, a, b)),
        1 => (any::<usize>(), "[a-z \"#Ա-Ֆ]{0,8}").prop_map(|(i, s)| Op::Note(i, s)),
        1 => (any::<usize>(), 0..3usize).prop_map(|(i, r)| Op::Review(i, r)),
        2 => (any::<usize>(), any::<usize>(), 0..4usize).prop_map(|(a, b, k)| Op::Relate(a, b, k)),
        1 => any::<usize>().prop_map(Op::Unrelate),
        1 => (0..4usize).prop_map(Op::Status),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 1..4).prop_map(Op::Batch)
    })
}

/// The edit `op` stands for on `set`, or `None` when it does not apply (e.g. removing
/// from an empty set). Batches are resolved step by step on a scratch copy.
fn resolve(op: &Op, set: &AnnotationSet) -> Option<Edit> {
    let e = resolve_any(op, set)?;
    // Edits that would make two identical spans are refused; the script skips them.
    let mut scratch = set.clone();
    e.apply(&mut scratch).ok()?;
    Some(e)
}

fn resolve_any(op: &Op, set: &AnnotationSet) -> Option<Edit> {
    let nth = |i: usize| (!set.spans.is_empty()).then(|| set.spans[i % set.spans.len()].clone());
    Some(match op {
        Op::Add(a, b, l) => Edit::AddSpan(make_span(set.next_span_id().0, *a, *b, *l)),
        Op::Remove(i) => Edit::remove_span(set, nth(*i)?.id)?,
        Op::Relabel(i, l) => {
            let before = nth(*i)?;
            let after = Span {
                label: LABELS[*l].to_string(),
                ..before.clone()
            };
            Edit::UpdateSpan { before, after }
        }
        Op::Move(i, a, b) => {
            let before = nth(*i)?;
            let moved = make_span(before.id.0, *a, *b, 0);
            let after = Span {
                start: moved.start,
                end: moved.end,
                text: moved.text,
                ..before.clone()
            };
            Edit::UpdateSpan { before, after }
        }
        Op::Note(i, s) => {
            let before = nth(*i)?;
            let after = Span {
                note: s.clone(),
                ..before.clone()
            };
            Edit::UpdateSpan { before, after }
        }
        Op::Review(i, r) => {
            let before = nth(*i)?;
            let after = Span {
                review: [Review::Unreviewed, Review::Accepted, Review::Rejected][*r],
                score: None,
                ..before.clone()
            };
            Edit::UpdateSpan { before, after }
        }
        Op::Relate(a, b, k) => Edit::AddRelation(Relation {
            id: set.next_relation_id(),
            kind: KINDS[*k].to_string(),
            from: nth(*a)?.id,
            to: nth(*b)?.id,
        }),
        Op::Unrelate(i) => {
            if set.relations.is_empty() {
                return None;
            }
            Edit::RemoveRelation(set.relations[i % set.relations.len()].clone())
        }
        Op::Status(s) => Edit::SetStatus {
            before: set.status,
            after: DocStatus::ALL[*s],
        },
        Op::Batch(ops) => {
            let mut scratch = set.clone();
            let mut edits = Vec::new();
            for o in ops {
                if let Some(e) = resolve(o, &scratch) {
                    e.apply(&mut scratch).unwrap();
                    edits.push(e);
                }
            }
            if edits.is_empty() {
                return None;
            }
            Edit::Batch(edits)
        }
    })
}

/// A starting set in canonical order, as every set is after loading.
fn initial_set() -> impl Strategy<Value = AnnotationSet> {
    (
        prop::collection::vec((any::<usize>(), any::<usize>(), 0..5usize), 0..8),
        prop::collection::vec((any::<usize>(), any::<usize>(), 0..4usize), 0..4),
        0..4usize,
    )
        .prop_map(|(spans, rels, status)| {
            let mut set = AnnotationSet::new("doc", "gold");
            set.status = DocStatus::ALL[status];
            for (i, (a, b, l)) in spans.into_iter().enumerate() {
                let sp = make_span(2 * i as u32 + 1, a, b, l);
                // Sets as loaded never hold two identical spans.
                if !set
                    .spans
                    .iter()
                    .any(|x| (x.start, x.end, &x.label) == (sp.start, sp.end, &sp.label))
                {
                    set.spans.push(sp);
                }
            }
            if !set.spans.is_empty() {
                for (i, (a, b, k)) in rels.into_iter().enumerate() {
                    let m = set.spans.len();
                    set.relations.push(Relation {
                        id: RelationId(i as u32 + 1),
                        kind: KINDS[k].to_string(),
                        from: set.spans[a % m].id,
                        to: set.spans[b % m].id,
                    });
                }
            }
            set.sort();
            set
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Undo is exact: applying edits and then their inverses in reverse order gives back
    /// the very same set, order of spans and relations included.
    #[test]
    fn inverses_in_reverse_restore_the_set(
        original in initial_set(),
        ops in prop::collection::vec(op(), 0..24),
    ) {
        let mut set = original.clone();
        let mut states = vec![set.clone()];
        let mut applied = Vec::new();
        for o in &ops {
            if let Some(e) = resolve(o, &set) {
                e.apply(&mut set).unwrap();
                applied.push(e);
                states.push(set.clone());
            }
        }
        for e in applied.iter().rev() {
            states.pop();
            e.inverse().apply(&mut set).unwrap();
            prop_assert_eq!(&set, states.last().unwrap(), "after undoing {:?}", e);
        }
        prop_assert_eq!(set, original);
    }

    /// A batch that fails part-way leaves the set exactly as it was.
    #[test]
    fn failed_batch_rolls_back(
        original in initial_set(),
        ops in prop::collection::vec(op(), 1..6),
    ) {
        let mut scratch = original.clone();
        let mut edits = Vec::new();
        for o in &ops {
            if let Some(e) = resolve(o, &scratch) {
                e.apply(&mut scratch).unwrap();
                edits.push(e);
            }
        }
        // Removing a span that never existed fails after everything else was applied.
        edits.push(Edit::RemoveSpan(make_span(999, 0, 0, 0)));
        let mut set = original.clone();
        prop_assert_eq!(Edit::Batch(edits).apply(&mut set), Err(EditError::NoSuchSpan(999)));
        prop_assert_eq!(set, original);
    }
}

#[test]
fn edits_refuse_what_does_not_apply() {
    let mut set = AnnotationSet::new("doc", "gold");
    let s = make_span(1, 0, 3, 0);
    Edit::AddSpan(s.clone()).apply(&mut set).unwrap();
    let before = set.clone();
    assert_eq!(
        Edit::AddSpan(s.clone()).apply(&mut set),
        Err(EditError::SpanExists(1))
    );
    assert_eq!(
        Edit::RemoveSpan(make_span(2, 0, 3, 0)).apply(&mut set),
        Err(EditError::NoSuchSpan(2))
    );
    let r = Relation {
        id: RelationId(1),
        kind: "SAID_BY".into(),
        from: SpanId(1),
        to: SpanId(1),
    };
    assert_eq!(
        Edit::RemoveRelation(r.clone()).apply(&mut set),
        Err(EditError::NoSuchRelation(1))
    );
    Edit::AddRelation(r.clone()).apply(&mut set).unwrap();
    assert_eq!(
        Edit::AddRelation(r).apply(&mut set),
        Err(EditError::RelationExists(1))
    );
    set.relations.clear();
    assert_eq!(set, before);
}

#[test]
fn added_spans_keep_canonical_order() {
    let mut set = AnnotationSet::new("doc", "gold");
    for (id, a, b, l) in [(1, 10, 4, 0), (2, 0, 3, 2), (3, 10, 0, 0), (4, 0, 3, 0)] {
        Edit::AddSpan(make_span(id, a, b, l))
            .apply(&mut set)
            .unwrap();
    }
    let mut sorted = set.clone();
    sorted.sort();
    assert_eq!(set, sorted);
}

#[test]
fn remove_span_takes_its_relations_along() {
    let mut set = AnnotationSet::new("doc", "gold");
    for id in 1..=3 {
        Edit::AddSpan(make_span(id, id as usize, 2, 0))
            .apply(&mut set)
            .unwrap();
    }
    for (rid, from, to) in [(1, 1, 2), (2, 3, 1), (3, 2, 3)] {
        Edit::AddRelation(Relation {
            id: RelationId(rid),
            kind: "SAID_BY".into(),
            from: SpanId(from),
            to: SpanId(to),
        })
        .apply(&mut set)
        .unwrap();
    }
    let before = set.clone();
    let edit = Edit::remove_span(&set, SpanId(1)).unwrap();
    edit.apply(&mut set).unwrap();
    assert!(set.span(SpanId(1)).is_none());
    let left: Vec<u32> = set.relations.iter().map(|r| r.id.0).collect();
    assert_eq!(left, [3]);
    edit.inverse().apply(&mut set).unwrap();
    assert_eq!(set, before);
    assert!(Edit::remove_span(&set, SpanId(9)).is_none());
}

fn target(doc: &str) -> Target {
    Target {
        annotator: "gold".into(),
        doc: doc.into(),
    }
}

#[test]
fn history_undo_redo_and_a_new_edit_clears_redo() {
    let mut h = History::default();
    assert!(!h.can_undo() && !h.can_redo());
    assert!(h.undo().is_none());
    let e1 = Edit::AddSpan(make_span(1, 0, 3, 0));
    let e2 = Edit::SetStatus {
        before: DocStatus::New,
        after: DocStatus::Done,
    };
    h.push(target("a"), e1.clone());
    h.push(target("b"), e2.clone());

    let u = h.undo().unwrap();
    assert_eq!(u.target, target("b"));
    assert_eq!(u.edit, e2.inverse());
    assert!(h.can_undo() && h.can_redo());

    let r = h.redo().unwrap();
    assert_eq!((r.target, r.edit), (target("b"), e2.clone()));
    assert!(!h.can_redo());

    h.undo().unwrap();
    h.undo().unwrap();
    assert!(!h.can_undo());
    assert_eq!(h.undo(), None);
    h.push(target("a"), e1.clone());
    assert!(!h.can_redo(), "a new edit must clear redo");
    assert_eq!(h.redo(), None);
}

#[test]
fn history_reverts_keep_stacks_truthful() {
    let mut h = History::default();
    let e = Edit::AddSpan(make_span(1, 0, 3, 0));
    h.push(target("a"), e.clone());
    h.undo().unwrap();
    h.revert_undo();
    assert!(h.can_undo() && !h.can_redo());
    h.undo().unwrap();
    h.redo().unwrap();
    h.revert_redo();
    assert!(!h.can_undo() && h.can_redo());
}

/// A project on disk with one document, opened for annotator `gold`.
fn session() -> (tempfile::TempDir, PathBuf, Session) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    storage::create(&root, "p").unwrap();
    storage::save_document(&root, &Document::new("doc", "Baku", TEXT.to_string())).unwrap();
    let s = Session::open(&root, "gold").unwrap();
    (dir, root, s)
}

/// Scalar range of `needle` in the session text.
fn at(needle: &str) -> (usize, usize) {
    let b = TEXT.find(needle).unwrap();
    let start = TEXT[..b].chars().count();
    (start, start + needle.chars().count())
}

#[test]
fn add_undo_redo() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("«Лачин»");
    let id = s.add_span("doc", a, b, "PLACE").unwrap();
    assert_eq!(id, SpanId(1));
    let added = s.span("doc", id).unwrap().clone();
    assert_eq!(added.text, "«Лачин»");
    assert_eq!((added.start, added.end), (a, b));

    assert_eq!(s.undo(), Some(target("doc")));
    assert!(s.spans("doc").is_empty());
    assert_eq!(s.redo(), Some(target("doc")));
    assert_eq!(s.spans("doc"), [added]);
    assert_eq!(s.redo(), None);
}

#[test]
fn add_span_on_a_new_document_moves_it_to_in_progress_in_one_step() {
    let (_d, _root, mut s) = session();
    assert_eq!(s.status("doc"), DocStatus::New);
    let (a, b) = at("Baku");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    assert_eq!(s.status("doc"), DocStatus::InProgress);
    s.undo().unwrap();
    assert_eq!(s.status("doc"), DocStatus::New);
    assert!(s.spans("doc").is_empty());
    assert!(!s.history.can_undo(), "span and status were one step");
    s.redo().unwrap();
    assert_eq!(s.status("doc"), DocStatus::InProgress);
    assert_eq!(s.spans("doc").len(), 1);

    // A document already in progress (or done) keeps its status.
    s.set_status("doc", DocStatus::Done).unwrap();
    let (a, b) = at("Yerevan");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    assert_eq!(s.status("doc"), DocStatus::Done);
    s.undo().unwrap();
    assert_eq!(s.status("doc"), DocStatus::Done);
    s.undo().unwrap();
    assert_eq!(s.status("doc"), DocStatus::InProgress);
}

#[test]
fn relabel_and_undo() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("Yerevan");
    let id = s.add_span("doc", a, b, "PLACE").unwrap();
    s.relabel("doc", id, "ACTOR").unwrap();
    assert_eq!(s.span("doc", id).unwrap().label, "ACTOR");
    s.undo().unwrap();
    assert_eq!(s.span("doc", id).unwrap().label, "PLACE");
    s.redo().unwrap();
    assert_eq!(s.span("doc", id).unwrap().label, "ACTOR");

    // Relabelling to the same label records nothing.
    s.relabel("doc", id, "ACTOR").unwrap();
    s.undo().unwrap();
    assert_eq!(s.span("doc", id).unwrap().label, "PLACE");

    assert!(matches!(
        s.relabel("doc", id, "CITY"),
        Err(SessionError::NoLabel(l)) if l == "CITY"
    ));
    assert!(s.relabel("doc", SpanId(77), "ACTOR").is_err());
    assert_eq!(s.span("doc", id).unwrap().label, "PLACE");
}

#[test]
fn remove_span_removes_its_relations_and_undo_restores_both() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("Baku");
    let baku = s.add_span("doc", a, b, "ACTOR").unwrap();
    let (a, b) = at("«Лачин» corridor");
    let lachin = s.add_span("doc", a, b, "PLACE").unwrap();
    let (a, b) = at("Yerevan");
    let yerevan = s.add_span("doc", a, b, "ACTOR").unwrap();
    for (rid, from, to) in [(1, baku, lachin), (2, yerevan, lachin), (3, baku, yerevan)] {
        s.apply(
            "doc",
            Edit::AddRelation(Relation {
                id: RelationId(rid),
                kind: "LOCATED_IN".into(),
                from,
                to,
            }),
        )
        .unwrap();
    }
    let before = s.corpus.set("gold", "doc").unwrap().clone();

    s.remove_span("doc", lachin).unwrap();
    let set = s.corpus.set("gold", "doc").unwrap();
    assert!(set.span(lachin).is_none());
    let rels: Vec<u32> = set.relations.iter().map(|r| r.id.0).collect();
    assert_eq!(rels, [3]);

    s.undo().unwrap();
    assert_eq!(s.corpus.set("gold", "doc").unwrap(), &before);
    s.redo().unwrap();
    assert_eq!(s.corpus.set("gold", "doc").unwrap().relations.len(), 1);
    assert!(s.remove_span("doc", SpanId(42)).is_err());
}

#[test]
fn a_new_edit_clears_redo() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("Baku");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    s.undo().unwrap();
    assert!(s.history.can_redo());
    let (a, b) = at("Yerevan");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    assert!(!s.history.can_redo());
    assert_eq!(s.redo(), None);
    let texts: Vec<&str> = s.spans("doc").iter().map(|x| x.text.as_str()).collect();
    assert_eq!(texts, ["Yerevan"]);
}

#[test]
fn refused_edits_change_nothing() {
    let (_d, _root, mut s) = session();
    let n = n_chars();
    assert!(matches!(
        s.add_span("doc", 3, 3, "ACTOR"),
        Err(SessionError::BadRange { .. })
    ));
    assert!(matches!(
        s.add_span("doc", 5, 2, "ACTOR"),
        Err(SessionError::BadRange { .. })
    ));
    assert!(matches!(
        s.add_span("doc", 0, n + 1, "ACTOR"),
        Err(SessionError::BadRange { .. })
    ));
    assert!(matches!(
        s.add_span("doc", 0, 4, "NOPE"),
        Err(SessionError::NoLabel(_))
    ));
    assert!(matches!(
        s.add_span("ghost", 0, 4, "ACTOR"),
        Err(SessionError::NoDocument(_))
    ));
    assert!(!s.history.can_undo());
    assert!(!s.is_dirty());
    assert!(s.corpus.annotations.is_empty());
    // The whole text is a valid span.
    s.add_span("doc", 0, n, "CLAIM").unwrap();
    assert_eq!(s.spans("doc")[0].text, TEXT);
}

#[test]
fn autosave_is_due_only_after_the_delay() {
    let (_d, _root, mut s) = session();
    let t0 = Instant::now();
    assert!(!s.autosave_due(t0 + Duration::from_secs(3600)));
    assert_eq!(s.autosave_in(t0), None);

    let before = Instant::now();
    let (a, b) = at("Baku");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    let after = Instant::now();
    assert!(s.is_dirty());
    // The edit happened in [before, after], so these bound the due time exactly.
    assert!(!s.autosave_due(before));
    assert!(!s.autosave_due(before + AUTOSAVE_DELAY - Duration::from_nanos(1)));
    assert!(s.autosave_due(after + AUTOSAVE_DELAY));
    assert!(s.autosave_in(before).unwrap() > Duration::ZERO);
    assert_eq!(s.autosave_in(after + AUTOSAVE_DELAY), Some(Duration::ZERO));

    // Later edits do not push the deadline back.
    let (a, b) = at("Yerevan");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    assert!(s.autosave_due(after + AUTOSAVE_DELAY));

    s.save().unwrap();
    assert!(!s.autosave_due(after + AUTOSAVE_DELAY + Duration::from_secs(3600)));
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

#[test]
fn save_writes_files_and_clears_dirty() {
    let (_d, root, mut s) = session();
    assert!(!s.is_dirty());
    let (a, b) = at("Baku");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    let (a, b) = at("Հայաստան");
    s.add_span("doc", a, b, "PLACE").unwrap();
    assert!(s.is_dirty());
    let set_path = storage::set_file(&root, "gold", "doc");
    assert!(!set_path.exists(), "nothing is written before save");

    // The project file (new annotator) and the set file.
    assert_eq!(s.save().unwrap(), 2);
    assert!(!s.is_dirty());
    assert!(read(&set_path).contains("text: \"Հայաստան\""));

    let reopened = Session::open(&root, "gold").unwrap();
    assert_eq!(reopened.corpus, s.corpus);
    assert_eq!(reopened.corpus.project.annotators, ["gold"]);

    // Nothing changed, nothing written.
    assert_eq!(s.save().unwrap(), 0);
    // Undo is an edit like any other: it makes the session dirty and is saved.
    s.undo().unwrap();
    assert!(s.is_dirty());
    assert_eq!(s.save().unwrap(), 1);
    assert!(!read(&set_path).contains("Հայաստան"));
    assert_eq!(storage::load(&root).unwrap(), s.corpus);
}

#[test]
fn failed_save_keeps_dirty_and_a_later_save_catches_up() {
    let (_d, root, mut s) = session();
    let (a, b) = at("Baku");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    // A folder where the set file goes makes its write fail.
    let set_path = storage::set_file(&root, "gold", "doc");
    fs::create_dir_all(&set_path).unwrap();
    let err = s.save().unwrap_err();
    assert!(err.to_string().contains("doc.ron"), "{err}");
    assert!(s.is_dirty());
    assert!(s.autosave_due(Instant::now() + AUTOSAVE_DELAY));

    // Backing off after the failure moves the next attempt a full delay later.
    let failed_at = Instant::now();
    s.retry_save_later(failed_at);
    assert!(!s.autosave_due(failed_at + AUTOSAVE_DELAY - Duration::from_nanos(1)));
    assert!(s.autosave_due(failed_at + AUTOSAVE_DELAY));
    assert!(s.is_dirty());

    fs::remove_dir(&set_path).unwrap();
    assert!(s.save().unwrap() >= 1);
    assert!(!s.is_dirty());
    assert_eq!(storage::load(&root).unwrap(), s.corpus);
    // Nothing unsaved: backing off must not invent unsaved work.
    s.retry_save_later(Instant::now());
    assert!(!s.is_dirty());
}

#[test]
fn edits_go_to_the_active_annotator_only() {
    let (_d, root, mut s) = session();
    let (a, b) = at("Baku");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    s.save().unwrap();
    let mut other = Session::open(&root, "ani").unwrap();
    assert!(other.spans("doc").is_empty());
    let (a, b) = at("Yerevan");
    other.add_span("doc", a, b, "ACTOR").unwrap();
    other.save().unwrap();
    let c = storage::load(&root).unwrap();
    assert_eq!(c.set("gold", "doc").unwrap().spans.len(), 1);
    assert_eq!(c.set("ani", "doc").unwrap().spans[0].text, "Yerevan");
    assert_eq!(c.project.annotators, ["gold", "ani"]);
}

#[test]
fn add_spans_is_one_undo_step_with_exact_texts() {
    let (_d, _root, mut s) = session();
    let first = s
        .add_span("doc", at("Baku").0, at("Baku").1, "PLACE")
        .unwrap();
    let ranges = [at("Yerevan"), at("«Лачин»"), at("Հայաստան"), at("e\u{301}")];
    let ids = s.add_spans("doc", &ranges, "PLACE").unwrap();
    assert_eq!(ids, vec![SpanId(2), SpanId(3), SpanId(4), SpanId(5)]);
    let texts: Vec<&str> = s.spans("doc").iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Baku", "Yerevan", "«Лачин»", "Հայաստան", "e\u{301}"]
    );
    // One undo takes the whole batch away, one redo brings it back.
    s.undo().unwrap();
    assert_eq!(s.spans("doc").len(), 1);
    assert_eq!(s.spans("doc")[0].id, first);
    s.redo().unwrap();
    assert_eq!(s.spans("doc").len(), 5);
    // A bad range refuses the whole batch; nothing changes, nothing is recorded.
    let err = s.add_spans("doc", &[at("Baku"), (3, 9999)], "ACTOR");
    assert!(matches!(err, Err(SessionError::BadRange { .. })), "{err:?}");
    assert!(matches!(
        s.add_spans("doc", &[(4, 4)], "ACTOR"),
        Err(SessionError::BadRange { .. })
    ));
    assert!(matches!(
        s.add_spans("doc", &[at("Baku")], "NOPE"),
        Err(SessionError::NoLabel(_))
    ));
    assert_eq!(s.spans("doc").len(), 5);
    s.undo().unwrap();
    assert_eq!(s.spans("doc").len(), 1);
}

#[test]
fn identical_spans_are_refused_with_a_clear_message() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("Baku");
    let first = s.add_span("doc", a, b, "ACTOR").unwrap();
    let err = s.add_span("doc", a, b, "ACTOR").unwrap_err();
    assert!(
        matches!(err, SessionError::Edit(EditError::DuplicateSpan { existing, .. }) if existing == first.0),
        "{err:?}"
    );
    assert!(err.to_string().contains("identical span"), "{err}");
    assert_eq!(s.spans("doc").len(), 1);
    // Same range, another label: a different annotation.
    let place = s.add_span("doc", a, b, "PLACE").unwrap();
    // Relabelling or moving onto an identical span is refused too, and changes nothing.
    assert!(s.relabel("doc", place, "ACTOR").is_err());
    let (y0, y1) = at("Yerevan");
    let y = s.add_span("doc", y0, y1, "ACTOR").unwrap();
    assert!(matches!(
        s.set_span_range("doc", y, a, b),
        Err(SessionError::Edit(EditError::DuplicateSpan { .. }))
    ));
    assert_eq!(s.span("doc", y).unwrap().text, "Yerevan");
    assert_eq!(s.span("doc", place).unwrap().label, "PLACE");
}

#[test]
fn another_annotators_layer_is_read_only_until_unlocked() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("Baku");
    s.add_span("doc", a, b, "ACTOR").unwrap();
    // The user looks at anna's layer: nothing there can change.
    s.annotator = "anna".into();
    let (y0, y1) = at("Yerevan");
    let err = s.add_span("doc", y0, y1, "ACTOR").unwrap_err();
    assert!(
        matches!(&err, SessionError::ReadOnlyLayer { layer, user } if layer == "anna" && user == "gold"),
        "{err:?}"
    );
    assert!(err.to_string().contains("read-only"), "{err}");
    assert!(s.set_status("doc", DocStatus::Done).is_err());
    assert!(
        s.corpus.set("anna", "doc").is_none(),
        "a refused edit creates nothing"
    );
    assert!(s.check_editable("anna").is_err());
    assert!(s.check_editable("gold").is_ok());
    // Undo of an edit on a layer this session cannot edit is refused too.
    s.unlock_layer("anna");
    s.add_span("doc", y0, y1, "ACTOR").unwrap();
    assert_eq!(s.spans("doc").len(), 1);
    assert_eq!(s.corpus.set("gold", "doc").unwrap().spans.len(), 1);
    s.undo().unwrap();
    assert!(s.spans("doc").is_empty());
}

#[test]
fn a_note_typed_key_by_key_is_one_undo_step() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("Baku");
    let id = s.add_span("doc", a, b, "ACTOR").unwrap();
    for n in ["c", "ca", "cap", "capital"] {
        s.set_note("doc", id, n).unwrap();
    }
    assert_eq!(s.span("doc", id).unwrap().note, "capital");
    s.undo().unwrap();
    assert_eq!(s.span("doc", id).unwrap().note, "");
    assert!(
        !s.spans("doc").is_empty(),
        "one undo took back the whole note only"
    );
    s.redo().unwrap();
    assert_eq!(s.span("doc", id).unwrap().note, "capital");
    // After a seal (the field lost focus), more typing is a new step.
    s.history.seal();
    s.set_note("doc", id, "capital city").unwrap();
    s.undo().unwrap();
    assert_eq!(s.span("doc", id).unwrap().note, "capital");
    // Typing back to where the step began leaves no empty step behind.
    s.history.seal();
    s.set_note("doc", id, "capitalx").unwrap();
    s.set_note("doc", id, "capital").unwrap();
    s.undo().unwrap();
    assert_eq!(s.span("doc", id).unwrap().note, "");
}

#[test]
fn span_edges_step_by_word_and_grapheme_keeping_id_and_relations() {
    use spanbench::offsets::{Edge, Snap};
    let (_d, _root, mut s) = session();
    let (a, b) = at("Yerevan");
    let y = s.add_span("doc", a, b, "ACTOR").unwrap();
    let (p0, p1) = at("«Лачин» corridor");
    let place = s.add_span("doc", p0, p1, "PLACE").unwrap();
    let rel = s.add_relation("doc", y, place, "LOCATED_IN").unwrap();
    // "Yerevan" -> "Yerevan agreed" -> back; start moves left to "and".
    let r = s
        .step_span_edge("doc", y, Edge::End, true, Snap::Words)
        .unwrap();
    assert_eq!(s.span("doc", y).unwrap().text, "Yerevan agreed");
    assert_eq!(r, (a, at("Yerevan agreed").1));
    s.step_span_edge("doc", y, Edge::Start, false, Snap::Words)
        .unwrap();
    assert_eq!(s.span("doc", y).unwrap().text, "and Yerevan agreed");
    s.step_span_edge("doc", y, Edge::Start, true, Snap::Words)
        .unwrap();
    s.step_span_edge("doc", y, Edge::End, false, Snap::Words)
        .unwrap();
    assert_eq!(s.span("doc", y).unwrap().text, "Yerevan");
    // By grapheme: the emoji with its skin tone is one step, spaces are stepped over.
    let (t0, _) = at("agreed");
    s.set_span_range("doc", y, t0, t0 + 6).unwrap();
    s.step_span_edge("doc", y, Edge::End, true, Snap::Graphemes)
        .unwrap();
    assert_eq!(s.span("doc", y).unwrap().text, "agreed 👍🏽");
    s.step_span_edge("doc", y, Edge::End, false, Snap::Graphemes)
        .unwrap();
    assert_eq!(s.span("doc", y).unwrap().text, "agreed");
    s.step_span_edge("doc", y, Edge::End, false, Snap::Graphemes)
        .unwrap();
    assert_eq!(s.span("doc", y).unwrap().text, "agree");
    // Each step is one undo step of an UpdateSpan; id and relation stay.
    s.undo().unwrap();
    assert_eq!(s.span("doc", y).unwrap().text, "agreed");
    let set = s.corpus.set("gold", "doc").unwrap();
    assert_eq!(set.relations.len(), 1);
    assert_eq!((set.relations[0].id, set.relations[0].from), (rel, y));
    // A step that would leave the span empty is refused and changes nothing.
    s.set_span_range("doc", y, t0, t0 + 6).unwrap();
    assert!(matches!(
        s.step_span_edge("doc", y, Edge::End, false, Snap::Words),
        Err(SessionError::EmptySpan)
    ));
    assert!(matches!(
        s.step_span_edge("doc", y, Edge::Start, true, Snap::Words),
        Err(SessionError::EmptySpan)
    ));
    assert_eq!(s.span("doc", y).unwrap().text, "agreed");
}

#[test]
fn relations_follow_the_schema_and_undo() {
    let (_d, _root, mut s) = session();
    let (a, b) = at("Baku and Yerevan agreed");
    let claim = s.add_span("doc", a, b, "CLAIM").unwrap();
    let (a, b) = at("Baku");
    let baku = s.add_span("doc", a, b, "ACTOR").unwrap();
    let (a, b) = at("Yerevan");
    let yerevan = s.add_span("doc", a, b, "PLACE").unwrap();
    let kinds: Vec<&str> = s
        .allowed_relations("doc", claim, baku)
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    assert_eq!(kinds, ["SAID_BY"]);
    let kinds: Vec<&str> = s
        .allowed_relations("doc", baku, yerevan)
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    assert_eq!(kinds, ["LOCATED_IN"]);
    assert!(s.allowed_relations("doc", baku, claim).is_empty());

    let err = s.add_relation("doc", baku, claim, "SAID_BY").unwrap_err();
    assert_eq!(
        err.to_string(),
        "SAID_BY goes CLAIM -> ACTOR, not ACTOR -> CLAIM"
    );
    assert!(matches!(
        s.add_relation("doc", baku, baku, "LOCATED_IN"),
        Err(SessionError::SelfRelation)
    ));
    assert!(matches!(
        s.add_relation("doc", baku, yerevan, "NEAR"),
        Err(SessionError::NoRelationType(_))
    ));
    let r = s.add_relation("doc", claim, baku, "SAID_BY").unwrap();
    assert!(matches!(
        s.add_relation("doc", claim, baku, "SAID_BY"),
        Err(SessionError::DuplicateRelation(_))
    ));
    assert_eq!(s.relations("doc").len(), 1);
    s.undo().unwrap();
    assert!(s.relations("doc").is_empty());
    s.redo().unwrap();
    s.remove_relation("doc", r).unwrap();
    assert!(s.relations("doc").is_empty());
    s.undo().unwrap();
    assert_eq!(s.relations("doc")[0].kind, "SAID_BY");
    // What the session writes, validate accepts.
    assert!(storage::validate(&s.corpus).is_empty());
}
