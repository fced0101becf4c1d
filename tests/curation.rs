//! Curation: the sample project's disagreements, the pre-merge, decisions and their
//! undo, decisions in files, gold feedback. Library level; the GUI and the CLI have
//! their own tests (ui_curation.rs, cli_merge.rs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use spanbench::agreement::disagreements::Kind;
use spanbench::curation::decide::{decision_edit, seed_edit};
use spanbench::curation::feedback::feedback;
use spanbench::curation::{Action, Curation, Resolution, Strategy, Team, UnitRef, premerge};
use spanbench::model::{
    AnnotationSet, Choice, Corpus, Decision, DocStatus, Document, Project, Span, SpanId,
};
use spanbench::session::Session;
use spanbench::storage;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/karabakh")
}

/// A copy of the sample project to write into.
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("karabakh");
    copy_dir(&sample(), &root);
    (dir, root)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name.to_string_lossy().starts_with(".spanbench") {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(name));
        } else {
            std::fs::copy(e.path(), to.join(name)).unwrap();
        }
    }
}

fn open(root: &Path) -> Session {
    let mut s = Session::open(root, "curator").unwrap();
    s.unlock_layer("gold");
    s
}

/// The annotations without empty sets (an undo that leaves an empty set where there
/// was none restores the same annotations), for comparisons.
fn same_annotations(a: &Corpus, b: &Corpus) -> bool {
    let strip = |c: &Corpus| {
        c.annotations
            .iter()
            .map(|(k, m)| {
                let m: Vec<(String, AnnotationSet)> = m
                    .iter()
                    .filter(|(_, s)| !s.is_empty())
                    .map(|(d, s)| (d.clone(), s.clone()))
                    .collect();
                (k.clone(), m)
            })
            .filter(|(_, m)| !m.is_empty())
            .collect::<Vec<_>>()
    };
    a.documents == b.documents && a.project == b.project && strip(a) == strip(b)
}

fn team(corpus: &Corpus) -> Team {
    Team::resolve(corpus, None, None).unwrap()
}

fn all_units(cur: &Curation) -> Vec<UnitRef> {
    (0..cur.documents.len())
        .flat_map(|doc| (0..cur.units(doc).len()).map(move |unit| UnitRef { doc, unit }))
        .collect()
}

#[test]
fn the_samples_hand_made_gold_resolves_what_it_agrees_with() {
    let corpus = storage::load(&sample()).unwrap();
    let t = team(&corpus);
    assert_eq!(t.gold, "gold");
    assert_eq!(t.annotators, ["mariam", "tomas"]);
    let cur = Curation::build(&corpus, t);
    // The 43 disagreements `spanbench agreement` lists; gold was made by hand and
    // equals one annotator's version on 33 of them.
    assert_eq!(cur.progress(), (33, 43));
    let (per_doc, total) = cur.unresolved_by_kind();
    assert_eq!(per_doc.len(), 2);
    assert_eq!(total.to_string(), "boundary 1, extra 9");
    for r in all_units(&cur) {
        let unit = cur.unit(r).unwrap();
        let gold: Vec<(usize, usize, String)> = cur
            .gold_spans(&corpus, r)
            .iter()
            .map(|s| (s.start, s.end, s.label.clone()))
            .collect();
        match cur.resolution(r).unwrap() {
            Resolution::Matches(a) => {
                let theirs: Vec<(usize, usize, String)> = cur
                    .version_spans(&corpus, r, *a)
                    .unwrap()
                    .iter()
                    .map(|s| (s.start, s.end, s.label.clone()))
                    .collect();
                assert_eq!(gold, theirs, "{unit:?}");
            }
            Resolution::Unresolved => {
                for a in 0..2 {
                    let Some(v) = cur.version_spans(&corpus, r, a) else {
                        continue;
                    };
                    let theirs: Vec<(usize, usize, String)> = v
                        .iter()
                        .map(|s| (s.start, s.end, s.label.clone()))
                        .collect();
                    assert!(gold.is_empty() || theirs != gold, "{unit:?}");
                }
            }
            Resolution::Decided(_) => panic!("the sample records no decision"),
        }
    }
}

#[test]
fn next_and_previous_walk_every_unresolved_disagreement_across_documents() {
    let corpus = storage::load(&sample()).unwrap();
    let cur = Curation::build(&corpus, team(&corpus));
    let unresolved: Vec<UnitRef> = all_units(&cur)
        .into_iter()
        .filter(|r| !cur.resolution(*r).unwrap().is_resolved())
        .collect();
    assert_eq!(unresolved.len(), 10);
    // Forward from the start of the first document: each one once, in order, then
    // around to the first again.
    let mut seen = Vec::new();
    let mut pos = (0, None);
    for _ in 0..unresolved.len() {
        let (r, wrapped) = cur.next_unresolved(pos.0, pos.1).unwrap();
        assert!(!wrapped);
        seen.push(r);
        let u = cur.unit(r).unwrap();
        pos = (r.doc, Some((u.start, u.end)));
    }
    assert_eq!(seen, unresolved);
    let (r, wrapped) = cur.next_unresolved(pos.0, pos.1).unwrap();
    assert!(wrapped);
    assert_eq!(r, unresolved[0]);
    // Backward from the last.
    let mut back = Vec::new();
    let last = *unresolved.last().unwrap();
    let u = cur.unit(last).unwrap();
    let mut pos = (last.doc, Some((u.start, u.end)));
    back.push(last);
    for _ in 1..unresolved.len() {
        let (r, wrapped) = cur.previous_unresolved(pos.0, pos.1).unwrap();
        assert!(!wrapped);
        back.push(r);
        let u = cur.unit(r).unwrap();
        pos = (r.doc, Some((u.start, u.end)));
    }
    back.reverse();
    assert_eq!(back, unresolved);
    let (r, wrapped) = cur.previous_unresolved(pos.0, pos.1).unwrap();
    assert!(wrapped);
    assert_eq!(r, last);
}

#[test]
fn every_decision_on_every_sample_disagreement_is_one_step_that_undo_restores_exactly() {
    let (_dir, root) = sample_copy();
    let mut s = open(&root);
    let mut cur = Curation::build(&s.corpus, team(&s.corpus));
    let before = s.corpus.clone();
    for r in all_units(&cur) {
        for action in [
            Action::Take(0),
            Action::Take(1),
            Action::Reject,
            Action::AcceptEdited,
        ] {
            let has_version = match action {
                Action::Take(a) => cur
                    .unit(r)
                    .unwrap()
                    .versions
                    .iter()
                    .any(|v| v.annotator == a),
                _ => true,
            };
            if !has_version {
                continue;
            }
            cur.decide(&mut s, r, action).unwrap();
            let res = cur.resolution(r).unwrap().clone();
            let expected = match action {
                Action::Take(a) => Choice::Took(cur.team.annotators[a].clone()),
                Action::Reject => Choice::Rejected,
                Action::AcceptEdited => Choice::Edited,
            };
            assert_eq!(res, Resolution::Decided(expected), "{r:?} {action:?}");
            if let Action::Take(a) = action {
                // The gold layer's version is now exactly theirs.
                let gold: BTreeSet<(usize, usize, String)> = cur
                    .gold_spans(&s.corpus, r)
                    .iter()
                    .map(|x| (x.start, x.end, x.label.clone()))
                    .collect();
                let theirs: BTreeSet<(usize, usize, String)> = cur
                    .version_spans(&s.corpus, r, a)
                    .unwrap()
                    .iter()
                    .map(|x| (x.start, x.end, x.label.clone()))
                    .collect();
                assert_eq!(gold, theirs, "{r:?}");
            }
            if action == Action::Reject {
                assert!(cur.gold_spans(&s.corpus, r).is_empty());
            }
            assert_eq!(storage::validate(&s.corpus), []);
            s.undo().unwrap();
            assert!(
                s.corpus == before,
                "undo of {action:?} on {r:?} must restore the gold set exactly"
            );
            cur.refresh_doc(&s.corpus, &cur.documents[r.doc].clone());
        }
    }
}

#[test]
fn decisions_are_saved_in_the_gold_files_and_read_back() {
    let (_dir, root) = sample_copy();
    let mut s = open(&root);
    let mut cur = Curation::build(&s.corpus, team(&s.corpus));
    let (r, _) = cur.next_unresolved(0, None).unwrap();
    let unit = cur.unit(r).unwrap().clone();
    cur.decide(&mut s, r, Action::Reject).unwrap();
    s.save().unwrap();
    let doc = &cur.documents[r.doc];
    let text = std::fs::read_to_string(root.join(format!("annotations/gold/{doc}.ron"))).unwrap();
    assert!(
        text.contains(&format!(
            "decisions: [\n        (start: {}, end: {}, choice: Rejected),\n    ]",
            unit.start, unit.end
        )),
        "{text}"
    );
    let again = storage::load(&root).unwrap();
    let cur2 = Curation::build(&again, team(&again));
    assert_eq!(cur2.progress(), (34, 43));
    assert_eq!(
        cur2.resolution(r).unwrap(),
        &Resolution::Decided(Choice::Rejected)
    );
    // The other sample file has no decisions and keeps its bytes (no empty list).
    let other = &cur.documents[1 - r.doc];
    let text = std::fs::read_to_string(root.join(format!("annotations/gold/{other}.ron"))).unwrap();
    assert!(!text.contains("decisions"));
}

#[test]
fn a_bad_decision_in_a_file_is_reported_with_its_file() {
    let (_dir, root) = sample_copy();
    let doc = "000_bcae97faca071bd7";
    let path = root.join(format!("annotations/gold/{doc}.ron"));
    let text = std::fs::read_to_string(&path).unwrap();
    let bad = text.replacen(
        "    relations: [",
        "    decisions: [\n        (start: 9, end: 4, choice: Rejected),\n        (start: 1, end: 99999, choice: Took(\"tomas\")),\n    ],\n    relations: [",
        1,
    );
    std::fs::write(&path, bad).unwrap();
    let err = Session::open(&root, "curator")
        .err()
        .expect("must be refused");
    let msg = err.to_string();
    assert!(msg.contains("2 problem(s)"), "{msg}");
    let problems: Vec<String> = storage::validate(&storage::read(&root).unwrap())
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        problems,
        [
            format!(
                "annotations/gold/{doc}.ron: decision [1..99999): end is past the end of the text (2753 chars)"
            ),
            format!("annotations/gold/{doc}.ron: decision [9..4): start is not before end"),
        ]
    );
}

#[test]
fn the_pre_merge_of_the_sample_adds_nothing_over_its_hand_made_gold() {
    let corpus = storage::load(&sample()).unwrap();
    let t = team(&corpus);
    for strategy in [
        Strategy::Unanimous,
        Strategy::Majority,
        Strategy::Threshold(1),
    ] {
        let plan = premerge::plan(&corpus, &t, strategy).unwrap();
        if strategy == Strategy::Threshold(1) {
            // Every unit already has gold spans or is an extra gold left empty: what
            // one annotator added alone would go in.
            assert!(plan.added() > 0);
        } else {
            assert_eq!(plan.added(), 0, "{strategy}");
            assert_eq!(plan.left_units(), 10);
            assert_eq!(plan.left().to_string(), "boundary 1, extra 9");
        }
    }
}

/// The sample without its gold layer, as a team starting curation would have it.
fn sample_without_gold() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = sample_copy();
    std::fs::remove_dir_all(root.join("annotations/gold")).unwrap();
    (dir, root)
}

#[test]
fn a_pre_merge_into_an_empty_gold_layer_then_every_disagreement_by_hand() {
    let (_dir, root) = sample_without_gold();
    let mut s = open(&root);
    let t = team(&s.corpus);
    let plan = premerge::plan(&s.corpus, &t, Strategy::Unanimous).unwrap();
    // Every span both annotators have: 211 spans, 43 disagreements.
    let agreed: usize = s
        .corpus
        .documents
        .iter()
        .map(|d| {
            let m = &s.corpus.set("mariam", &d.id).unwrap().spans;
            let t = &s.corpus.set("tomas", &d.id).unwrap().spans;
            m.iter()
                .filter(|x| {
                    t.iter()
                        .any(|y| (y.start, y.end, &y.label) == (x.start, x.end, &x.label))
                })
                .count()
        })
        .sum();
    assert_eq!(plan.added(), agreed);
    assert_eq!(plan.left_units(), 43);
    plan.apply(&mut s).unwrap();
    // One undo step for the whole pre-merge, over both documents.
    let after = s.corpus.clone();
    s.undo().unwrap();
    assert!(
        s.corpus
            .annotations
            .get("gold")
            .is_none_or(|m| m.values().all(|x| x.is_empty()))
    );
    s.redo().unwrap();
    assert!(s.corpus == after);
    // Running it again adds nothing.
    let again = premerge::plan(&s.corpus, &t, Strategy::Unanimous).unwrap();
    assert_eq!(again.added(), 0);
    // Resolve everything: take mariam's where she has a span, else reject.
    let mut cur = Curation::build(&s.corpus, t);
    assert_eq!(cur.progress(), (0, 43));
    let mut pos = (0, None);
    while let Some((r, _)) = cur.next_unresolved(pos.0, pos.1) {
        let u = cur.unit(r).unwrap().clone();
        let action = if u.versions[0].spans.is_empty() {
            Action::Reject
        } else {
            Action::Take(0)
        };
        cur.decide(&mut s, r, action).unwrap();
        pos = (r.doc, Some((u.start, u.end)));
    }
    assert_eq!(cur.progress(), (43, 43));
    s.save().unwrap();
    let corpus = storage::load(&root).unwrap();
    assert_eq!(storage::validate(&corpus), []);
    assert_eq!(Curation::build(&corpus, team(&corpus)).progress(), (43, 43));
}

#[test]
fn the_pre_merge_never_overwrites_a_decision() {
    let (_dir, root) = sample_without_gold();
    let mut s = open(&root);
    let t = team(&s.corpus);
    let mut cur = Curation::build(&s.corpus, t.clone());
    // Reject every disagreement first, then pre-merge with the loosest threshold.
    for r in all_units(&cur) {
        cur.decide(&mut s, r, Action::Reject).unwrap();
    }
    let plan = premerge::plan(&s.corpus, &t, Strategy::Threshold(1)).unwrap();
    plan.apply(&mut s).unwrap();
    let cur = Curation::build(&s.corpus, t);
    for r in all_units(&cur) {
        assert!(cur.gold_spans(&s.corpus, r).is_empty(), "{r:?} got spans");
        assert_eq!(
            cur.resolution(r).unwrap(),
            &Resolution::Decided(Choice::Rejected)
        );
    }
}

#[test]
fn editing_a_unit_starts_from_a_version_and_is_accepted_as_one_step() {
    let (_dir, root) = sample_without_gold();
    let mut s = open(&root);
    let mut cur = Curation::build(&s.corpus, team(&s.corpus));
    // A boundary disagreement: mariam "Prime Minister Nikol Pashinyan", tomas "Pashinyan".
    let r = cur
        .find(0, 67, 91)
        .expect("the sample's first boundary disagreement");
    let before = s.corpus.clone();
    let mark = s.history.undo_len();
    let (edit, ids) = seed_edit(&s.corpus, &cur, r).unwrap().unwrap();
    s.apply_many("gold", vec![(cur.documents[0].clone(), edit)])
        .unwrap();
    assert_eq!(ids.len(), 1);
    s.annotator = "gold".into();
    let doc = cur.documents[0].clone();
    let span = s.span(&doc, ids[0]).unwrap().clone();
    assert_eq!((span.start, span.end), (67, 91));
    // Move the start right by words, as the boundary keys do, then accept.
    s.set_span_range(&doc, ids[0], 82, 91).unwrap();
    s.relabel(&doc, ids[0], "PLACE").unwrap();
    let edit = decision_edit(&s.corpus, &cur, r, Action::AcceptEdited).unwrap();
    s.apply_many("gold", vec![(doc.clone(), edit)]).unwrap();
    s.history.link_since(mark);
    cur.refresh_doc(&s.corpus, &doc);
    assert_eq!(
        cur.resolution(r).unwrap(),
        &Resolution::Decided(Choice::Edited)
    );
    let gold = &s.corpus.set("gold", &doc).unwrap().spans;
    assert!(
        gold.iter()
            .any(|x| (x.start, x.end, x.label.as_str()) == (82, 91, "PLACE"))
    );
    // One undo takes the whole edit back.
    s.undo().unwrap();
    assert!(same_annotations(&s.corpus, &before));
    assert!(!s.history.can_undo());
}

#[test]
fn feedback_shows_where_gold_differs_from_an_annotator() {
    let corpus = storage::load(&sample()).unwrap();
    let doc = "000_bcae97faca071bd7";
    let f = feedback(&corpus, "tomas", "gold", doc).unwrap().unwrap();
    // Each item is a unit of tomas's and gold's spans that differ.
    assert!(!f.items.is_empty());
    for it in &f.items {
        let (mine, gold) = (&it.versions[0], &it.versions[1]);
        if it.kinds.contains(&Kind::Missing) {
            assert!(mine.spans.is_empty() && !gold.spans.is_empty());
        }
        if it.kinds.contains(&Kind::Extra) {
            assert!(!mine.spans.is_empty() && gold.spans.is_empty());
        }
    }
    let total: usize = f.counts.0.values().sum();
    assert!(total >= f.items.len());
    // tomas calls Russia and Armenia places where gold has actors.
    assert!(f.counts.get(Kind::Label) >= 2, "{:?}", f.counts);
    // Gold against itself: nothing to say.
    let same = feedback(&corpus, "gold", "gold", doc).unwrap().unwrap();
    assert!(same.items.is_empty());
    assert!(feedback(&corpus, "nobody", "gold", doc).is_err());
}

#[test]
fn bad_teams_are_refused_with_one_line() {
    let corpus = storage::load(&sample()).unwrap();
    let err = |g: Option<&str>, a: Option<&[String]>| {
        let e = Team::resolve(&corpus, g, a).unwrap_err().to_string();
        assert!(!e.contains('\n'), "{e}");
        e
    };
    assert!(err(Some("tomas"), None).contains("is a person's layer"));
    assert!(err(Some("nobody"), None).contains("not a layer of this project"));
    assert!(
        err(None, Some(&["mariam".into(), "nobody".into()])).contains("no annotator \"nobody\"")
    );
    assert!(err(None, Some(&["mariam".into(), "gold".into()])).contains("is the gold layer"));
    assert!(err(None, Some(&["mariam".into(), "mariam".into()])).contains("named twice"));
    assert!(err(None, Some(&["mariam".into()])).contains("at least 2"));
    assert!(Strategy::parse("threshold:0").unwrap().check(2).is_err());
    assert!(Strategy::parse("threshold:3").unwrap().check(2).is_err());
    assert!(Strategy::parse("threshold:x").is_err());
    assert_eq!(Strategy::parse(" Majority ").unwrap(), Strategy::Majority);
}

// ---- Property tests on generated teams ----

const LABELS: [&str; 3] = ["ACTOR", "PLACE", "DATE"];
const TEXT_LEN: usize = 60;

fn text() -> String {
    "abcdefghij".repeat(TEXT_LEN / 10)
}

fn span(id: u32, a: usize, b: usize, l: usize) -> Span {
    let (a, b) = (a % TEXT_LEN, b % TEXT_LEN);
    let (a, b) = if a == b {
        (a, a + 1)
    } else {
        (a.min(b), a.max(b))
    };
    Span {
        id: SpanId(id),
        start: a,
        end: b,
        label: LABELS[l % 3].into(),
        text: text()[a..b].to_string(),
        attrs: Default::default(),
        note: String::new(),
        origin: Default::default(),
        review: Default::default(),
        score: None,
    }
}

type Layer = Vec<(usize, usize, usize)>;

/// A corpus of one document: a base of spans each annotator copies, drops, shifts or
/// relabels, plus extras; and a gold layer with a few spans and decisions.
fn corpus_of(layers: &[Layer], gold: &Layer, decided: &[usize]) -> Corpus {
    let mut corpus = Corpus::new(Project::new("p"));
    corpus.insert_document(Document::new("d", "d", text()));
    for (i, spans) in layers.iter().enumerate() {
        let mut set = AnnotationSet::new("d", &format!("a{i}"));
        set.status = DocStatus::Done;
        for (k, &(a, b, l)) in spans.iter().enumerate() {
            let s = span(k as u32 + 1, a, b, l);
            if !set
                .spans
                .iter()
                .any(|x| (x.start, x.end, &x.label) == (s.start, s.end, &s.label))
            {
                set.spans.push(s);
            }
        }
        set.sort();
        corpus
            .annotations
            .entry(set.annotator.clone())
            .or_default()
            .insert("d".into(), set);
    }
    let mut g = AnnotationSet::new("d", "gold");
    for (k, &(a, b, l)) in gold.iter().enumerate() {
        let s = span(k as u32 + 1, a, b, l);
        if !g
            .spans
            .iter()
            .any(|x| (x.start, x.end, &x.label) == (s.start, s.end, &s.label))
        {
            g.spans.push(s);
        }
    }
    g.sort();
    corpus
        .annotations
        .insert("gold".into(), [("d".to_string(), g)].into());
    // Decisions on some of the disagreements (by index).
    let t = Team::resolve(&corpus, None, None).unwrap();
    let cur = Curation::build(&corpus, t);
    let units = cur.units(0).to_vec();
    let g = corpus.set_mut("gold", "d");
    for &i in decided {
        if units.is_empty() {
            break;
        }
        let u = &units[i % units.len()];
        if g.decision(u.start, u.end).is_none() {
            g.decisions.push(Decision {
                start: u.start,
                end: u.end,
                choice: Choice::Rejected,
            });
            g.sort();
        }
    }
    corpus
}

fn layer() -> impl proptest::strategy::Strategy<Value = Layer> {
    prop::collection::vec((0..TEXT_LEN, 0..TEXT_LEN, 0..3usize), 0..7)
}

fn added(corpus: &Corpus, strategy: Strategy) -> BTreeSet<(usize, usize, String)> {
    let t = Team::resolve(corpus, None, None).unwrap();
    let plan = premerge::plan(corpus, &t, strategy).unwrap();
    let mut scratch = corpus.clone();
    let mut out = BTreeSet::new();
    for (doc, e) in plan.edits() {
        e.apply(scratch.set_mut("gold", &doc)).unwrap();
        if let spanbench::edit::Edit::Batch(v) = e {
            for x in v {
                if let spanbench::edit::Edit::AddSpan(s) = x {
                    out.insert((s.start, s.end, s.label));
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// unanimous ⊆ majority ⊆ threshold:1, and threshold:K shrinks as K grows.
    #[test]
    fn looser_strategies_add_everything_stricter_ones_add(
        layers in prop::collection::vec(layer(), 2..5),
        gold in prop::collection::vec((0..TEXT_LEN, 0..TEXT_LEN, 0..3usize), 0..3),
    ) {
        let corpus = corpus_of(&layers, &gold, &[]);
        let u = added(&corpus, Strategy::Unanimous);
        let m = added(&corpus, Strategy::Majority);
        let t1 = added(&corpus, Strategy::Threshold(1));
        prop_assert!(u.is_subset(&m), "{u:?} {m:?}");
        prop_assert!(m.is_subset(&t1), "{m:?} {t1:?}");
        let mut prev = t1;
        for k in 2..=layers.len() {
            let tk = added(&corpus, Strategy::Threshold(k));
            prop_assert!(tk.is_subset(&prev));
            prev = tk;
        }
        prop_assert_eq!(added(&corpus, Strategy::Threshold(layers.len())), u);
    }

    /// The pre-merge adds nothing to a unit the gold layer decided or holds spans in,
    /// and never changes or removes a gold span or a decision.
    #[test]
    fn the_pre_merge_leaves_decided_units_and_gold_spans_alone(
        layers in prop::collection::vec(layer(), 2..5),
        gold in prop::collection::vec((0..TEXT_LEN, 0..TEXT_LEN, 0..3usize), 0..3),
        decided in prop::collection::vec(0..20usize, 0..3),
    ) {
        let corpus = corpus_of(&layers, &gold, &decided);
        let t = Team::resolve(&corpus, None, None).unwrap();
        let before = Curation::build(&corpus, t.clone());
        let plan = premerge::plan(&corpus, &t, Strategy::Threshold(1)).unwrap();
        let mut after = corpus.clone();
        for (doc, e) in plan.edits() {
            e.apply(after.set_mut("gold", &doc)).unwrap();
        }
        let g0 = corpus.set("gold", "d").unwrap();
        let g1 = after.set("gold", "d").unwrap();
        for s in &g0.spans {
            prop_assert!(g1.spans.contains(s));
        }
        prop_assert_eq!(&g0.decisions, &g1.decisions);
        prop_assert_eq!(storage::validate(&after), vec![]);
        // A resolved disagreement stays resolved, the same way.
        let cur = Curation::build(&after, t);
        prop_assert_eq!(before.documents.len(), cur.documents.len());
        for (i, u) in before.units(0).iter().enumerate() {
            let r0 = before.resolution(UnitRef { doc: 0, unit: i }).unwrap();
            if r0.is_resolved() {
                let j = cur.find(0, u.start, u.end).unwrap();
                prop_assert_eq!(cur.resolution(j).unwrap(), r0);
            }
        }
    }

    /// Each decision on each unit is one edit whose inverse restores the gold set
    /// exactly, and leaves a valid set.
    #[test]
    fn every_decision_is_undone_exactly(
        layers in prop::collection::vec(layer(), 2..4),
        gold in prop::collection::vec((0..TEXT_LEN, 0..TEXT_LEN, 0..3usize), 0..4),
        decided in prop::collection::vec(0..20usize, 0..2),
        which in 0..4usize,
    ) {
        let corpus = corpus_of(&layers, &gold, &decided);
        let t = Team::resolve(&corpus, None, None).unwrap();
        let cur = Curation::build(&corpus, t);
        for unit in 0..cur.units(0).len() {
            let r = UnitRef { doc: 0, unit };
            let action = match which {
                0 => Action::Reject,
                1 => Action::AcceptEdited,
                n => Action::Take(n - 2),
            };
            let Ok(e) = decision_edit(&corpus, &cur, r, action) else { continue };
            let mut set = corpus.set("gold", "d").unwrap().clone();
            let orig = set.clone();
            e.apply(&mut set).unwrap();
            let mut scratch = corpus.clone();
            *scratch.set_mut("gold", "d") = set.clone();
            prop_assert_eq!(storage::validate(&scratch), vec![]);
            let after = Curation::build(&scratch, cur.team.clone());
            let j = after.find(0, cur.unit(r).unwrap().start, cur.unit(r).unwrap().end).unwrap();
            prop_assert!(after.resolution(j).unwrap().is_resolved());
            e.inverse().apply(&mut set).unwrap();
            prop_assert_eq!(set, orig);
        }
    }
}
