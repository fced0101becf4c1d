//! The review queue and its decisions: each is one undo step over two layers, rejected
//! suggestions never come back, and a model layer takes no other change.

use std::path::Path;

use proptest::prelude::*;

use spanbench::edit::Edit;
use spanbench::history::Target;
use spanbench::model::{
    AnnotationSet, Confidence, Corpus, DocStatus, Document, LayerInfo, LayerKind, Origin, Project,
    Review, Span, SpanId,
};
use spanbench::offsets::slice_chars;
use spanbench::review::{self, Order, Queue};
use spanbench::session::{Session, SessionError};
use spanbench::storage;

const TEXTS: [&str; 2] = [
    "Putin called Pashinyan about Karabakh on Sept. 20 in Moscow.",
    "Aliyev met Michel in Brussels; Armenia and Azerbaijan talked.",
];

fn span(text: &str, id: u32, word: &str, label: &str, score: Option<f64>) -> Span {
    let b = text.find(word).unwrap();
    let start = text[..b].chars().count();
    let end = start + word.chars().count();
    Span {
        id: SpanId(id),
        start,
        end,
        label: label.into(),
        text: slice_chars(text, start, end).unwrap().into(),
        attrs: Default::default(),
        note: String::new(),
        origin: Origin::Suggested,
        review: Review::Unreviewed,
        score: score.map(Confidence),
    }
}

/// A saved project with two documents, a model layer "ner" and the reviewer "ana".
fn project(dir: &Path) -> Session {
    let root = dir.join("p");
    storage::create(&root, "t").unwrap();
    let mut project = Project::new("t");
    project.layers.insert(
        "ner".into(),
        LayerInfo {
            kind: LayerKind::Model,
            source: "test".into(),
            curve: Vec::new(),
        },
    );
    let mut corpus = Corpus::new(project);
    for (i, t) in TEXTS.iter().enumerate() {
        corpus.insert_document(Document::new(&format!("d{i}"), "t", t.to_string()));
    }
    let t0 = TEXTS[0];
    let mut a = AnnotationSet::new("d0", "ner");
    a.status = DocStatus::InProgress;
    a.spans = vec![
        span(t0, 1, "Putin", "ACTOR", Some(0.9)),
        span(t0, 2, "Pashinyan", "ACTOR", Some(0.4)),
        span(t0, 3, "Karabakh", "PLACE", Some(0.7)),
        span(t0, 4, "Moscow", "PLACE", None),
    ];
    a.sort();
    let t1 = TEXTS[1];
    let mut b = AnnotationSet::new("d1", "ner");
    b.status = DocStatus::InProgress;
    b.spans = vec![
        span(t1, 1, "Aliyev", "ACTOR", Some(0.2)),
        span(t1, 2, "Brussels", "PLACE", Some(0.95)),
    ];
    b.sort();
    corpus
        .annotations
        .entry("ner".into())
        .or_default()
        .insert("d0".into(), a);
    corpus
        .annotations
        .entry("ner".into())
        .or_default()
        .insert("d1".into(), b);
    // ana already holds "Brussels" as a PLACE.
    let mut own = AnnotationSet::new("d1", "ana");
    own.status = DocStatus::InProgress;
    let mut held = span(t1, 1, "Brussels", "PLACE", None);
    held.origin = Origin::Manual;
    own.spans = vec![held];
    corpus
        .annotations
        .entry("ana".into())
        .or_default()
        .insert("d1".into(), own);
    storage::save_project(&root, &corpus.project).unwrap();
    for d in &corpus.documents {
        storage::save_document(&root, d).unwrap();
    }
    for sets in corpus.annotations.values() {
        for s in sets.values() {
            storage::save_set(&root, s).unwrap();
        }
    }
    Session::open(&root, "ana").unwrap()
}

/// A set as it matters: an untouched set (no spans, no relations, status New) is the
/// same as none, as it is for every reader of a project.
fn set_of(s: &Session, a: &str, d: &str) -> Option<AnnotationSet> {
    s.corpus.set(a, d).filter(|x| !x.is_empty()).cloned()
}

fn layers(
    s: &Session,
) -> (
    Option<AnnotationSet>,
    Option<AnnotationSet>,
    Option<AnnotationSet>,
) {
    (
        set_of(s, "ana", "d0"),
        set_of(s, "ner", "d0"),
        set_of(s, "ner", "d1"),
    )
}

#[test]
fn accept_puts_the_span_in_your_layer_and_marks_the_suggestion_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = project(dir.path());
    let before = layers(&s);
    let id = review::accept(&mut s, "ner", "d0", SpanId(1)).unwrap();
    let mine = s.corpus.set("ana", "d0").unwrap().span(id).unwrap().clone();
    assert_eq!(
        (mine.text.as_str(), mine.origin, mine.review),
        ("Putin", Origin::Suggested, Review::Accepted)
    );
    assert_eq!(
        s.corpus.set("ana", "d0").unwrap().status,
        DocStatus::InProgress
    );
    assert_eq!(
        s.corpus
            .set("ner", "d0")
            .unwrap()
            .span(SpanId(1))
            .unwrap()
            .review,
        Review::Accepted
    );
    // One undo restores both layers exactly.
    s.undo().unwrap();
    assert_eq!(layers(&s), before);
    assert!(!s.history.can_undo());
    // And redo brings both back.
    s.redo().unwrap();
    assert_eq!(s.corpus.set("ana", "d0").unwrap().spans.len(), 1);
    // Saved like any edit: both files on disk.
    s.save().unwrap();
    let disk = storage::load(&s.root).unwrap();
    assert_eq!(disk.set("ana", "d0"), s.corpus.set("ana", "d0"));
    assert_eq!(disk.set("ner", "d0"), s.corpus.set("ner", "d0"));
}

#[test]
fn rejected_suggestions_never_come_back_and_held_ones_are_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = project(dir.path());
    let mut q = Queue::new(&s.corpus, "ner", "ana", Order::Document);
    let mut seen = Vec::new();
    // Reject every suggestion as it comes; the walk must end.
    while let Some(it) = q.current().cloned() {
        assert!(
            !seen.contains(&(it.doc.clone(), it.id)),
            "offered twice: {it:?}"
        );
        seen.push((it.doc.clone(), it.id));
        review::reject(&mut s, "ner", &it.doc, it.id).unwrap();
        q.advance(&s.corpus);
    }
    // Brussels is held by ana already: never offered.
    assert_eq!(seen.len(), 5);
    assert!(!seen.contains(&("d1".to_string(), SpanId(2))));
    let p = review::progress(&s.corpus, "ner", "ana");
    assert_eq!((p.total, p.rejected, p.held, p.pending()), (6, 5, 1, 0));
    // A new queue offers nothing either.
    assert!(
        Queue::new(&s.corpus, "ner", "ana", Order::Score)
            .current()
            .is_none()
    );
    assert!(matches!(
        review::reject(&mut s, "ner", "d0", SpanId(1)),
        Err(review::ReviewError::Decided)
    ));
}

#[test]
fn skip_comes_back_at_the_end_and_score_order_puts_doubtful_ones_first() {
    let dir = tempfile::tempdir().unwrap();
    let s = project(dir.path());
    let mut q = Queue::new(&s.corpus, "ner", "ana", Order::Score);
    let order: Vec<(String, u32)> = q.items().iter().map(|i| (i.doc.clone(), i.id.0)).collect();
    // Scores 0.2, 0.4, 0.7, 0.9, 0.95, then the unscored one.
    assert_eq!(
        order,
        [
            ("d1", 1),
            ("d0", 2),
            ("d0", 3),
            ("d0", 1),
            ("d1", 2),
            ("d0", 4)
        ]
        .map(|(d, i)| (d.to_string(), i))
    );
    let first = q.current().cloned().unwrap();
    // Skipping all four others and the first comes back.
    for _ in 0..4 {
        q.advance(&s.corpus);
    }
    assert_eq!(q.advance(&s.corpus).cloned(), Some(first));
}

#[test]
fn accept_at_least_is_one_step_over_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = project(dir.path());
    let before = layers(&s);
    let n = review::accept_at_least(&mut s, "ner", "d0", 0.5).unwrap();
    // Putin 0.9 and Karabakh 0.7; Pashinyan 0.4 and the unscored Moscow stay.
    assert_eq!(n, 2);
    let texts: Vec<&str> = s
        .corpus
        .set("ana", "d0")
        .unwrap()
        .spans
        .iter()
        .map(|x| x.text.as_str())
        .collect();
    assert_eq!(texts, ["Putin", "Karabakh"]);
    s.undo().unwrap();
    assert_eq!(layers(&s), before);
}

#[test]
fn accept_to_edit_folds_the_edits_into_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = project(dir.path());
    let before = layers(&s);
    // "Sept. 20" is not suggested; accept "Pashinyan" and widen it and relabel it.
    let id = review::accept_to_edit(&mut s, "ner", "d0", SpanId(2)).unwrap();
    let sp = s.span("d0", id).unwrap().clone();
    s.set_span_range("d0", id, sp.start, sp.end + 6).unwrap();
    s.relabel("d0", id, "CLAIM").unwrap();
    let now = s.span("d0", id).unwrap().clone();
    assert_eq!(
        (now.text.as_str(), now.label.as_str()),
        ("Pashinyan about", "CLAIM")
    );
    // One undo takes back the edits and the decision.
    s.undo().unwrap();
    assert_eq!(layers(&s), before);
    // Redo gives the edited span back in one step.
    s.redo().unwrap();
    assert_eq!(s.span("d0", id).unwrap().text, "Pashinyan about");
    assert!(!s.history.can_redo());
    // After sealing, an edit is a step of its own again.
    s.history.seal();
    s.relabel("d0", id, "ACTOR").unwrap();
    s.undo().unwrap();
    assert_eq!(s.span("d0", id).unwrap().label, "CLAIM");
}

#[test]
fn a_model_layer_takes_decisions_from_anyone_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = project(dir.path());
    let sp = s
        .corpus
        .set("ner", "d0")
        .unwrap()
        .span(SpanId(1))
        .unwrap()
        .clone();
    let t = Target {
        annotator: "ner".into(),
        doc: "d0".into(),
    };
    let relabel = Edit::UpdateSpan {
        before: sp.clone(),
        after: Span {
            label: "PLACE".into(),
            ..sp.clone()
        },
    };
    assert!(matches!(
        s.apply_compound(vec![(t.clone(), relabel)]),
        Err(SessionError::ReadOnlyLayer { .. })
    ));
    assert!(matches!(
        s.apply_compound(vec![(t.clone(), Edit::RemoveSpan(sp.clone()))]),
        Err(SessionError::ReadOnlyLayer { .. })
    ));
    let decide = Edit::UpdateSpan {
        before: sp.clone(),
        after: Span {
            review: Review::Rejected,
            ..sp.clone()
        },
    };
    s.apply_compound(vec![(t, decide)]).unwrap();
    // A person's layer that is not yours takes no decisions either.
    let mut other = AnnotationSet::new("d0", "tomas");
    other.spans.push(Span {
        origin: Origin::Manual,
        ..sp.clone()
    });
    assert!(
        s.check_edit(
            "tomas",
            &Edit::UpdateSpan {
                before: sp.clone(),
                after: Span {
                    review: Review::Accepted,
                    ..sp
                },
            }
        )
        .is_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any walk of decisions (accept, reject, skip, accept to edit with an edit, accept
    /// at a threshold), undone step by step, restores every layer exactly; each decision
    /// is exactly one undo step.
    #[test]
    fn decisions_and_their_undo_restore_both_layers(
        steps in prop::collection::vec(0..5u8, 1..12),
        threshold in 0.0..1.0f64,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = project(dir.path());
        let start = layers(&s);
        let start_d1 = set_of(&s, "ana", "d1");
        let mut q = Queue::new(&s.corpus, "ner", "ana", Order::Document);
        let mut snapshots = Vec::new();
        for step in steps {
            let Some(it) = q.current().cloned() else { break };
            let snap = (layers(&s), set_of(&s, "ana", "d1"));
            let decided = match step {
                0 => review::accept(&mut s, "ner", &it.doc, it.id).map(|_| ()).is_ok(),
                1 => review::reject(&mut s, "ner", &it.doc, it.id).is_ok(),
                2 => false,
                3 => {
                    let id = review::accept_to_edit(&mut s, "ner", &it.doc, it.id).unwrap();
                    s.relabel(&it.doc, id, "DATE").unwrap();
                    s.history.seal();
                    true
                }
                _ => review::accept_at_least(&mut s, "ner", &it.doc, threshold).unwrap() > 0,
            };
            if decided {
                snapshots.push(snap);
            }
            q.advance(&s.corpus);
        }
        while let Some(snap) = snapshots.pop() {
            prop_assert!(s.undo().is_some());
            prop_assert_eq!((layers(&s), set_of(&s, "ana", "d1")), snap);
        }
        prop_assert!(!s.history.can_undo());
        prop_assert_eq!(layers(&s), start);
        prop_assert_eq!(set_of(&s, "ana", "d1"), start_d1);
    }
}
