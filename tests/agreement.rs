//! Agreement and eval: hand-computed cases and bad input through the real binary,
//! and properties of the measures over random layers through the library.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use proptest::prelude::*;
use serde_json::{Value, json};
use spanbench::agreement::disagreements::{self, Kind};
use spanbench::agreement::gamma::GammaOptions;
use spanbench::agreement::report::{agreement_of, evaluate_of};
use spanbench::agreement::{Figure, Selection};
use spanbench::model::{AnnotationSet, Corpus, DocStatus, Document, Project, Span, SpanId};

const BIN: &str = env!("CARGO_BIN_EXE_spanbench");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run spanbench")
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "stdout: {}\nstderr: {}", out(o), err(o));
    out(o)
}

/// A refusal: non-zero exit, no panic, one `error:` line that contains `needle`.
fn refused(o: &Output, needle: &str) {
    let e = err(o);
    assert!(!o.status.success(), "expected failure: {}", out(o));
    assert_ne!(o.status.code(), Some(101), "panic: {e}");
    assert!(!e.contains("panicked"), "{e}");
    let lines: Vec<&str> = e.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected: {e}");
    assert!(lines[0].starts_with("error: "), "{e}");
    assert!(lines[0].contains(needle), "{needle:?} not in {e}");
}

const TEXT: &str = "Putin met Aliyev in Baku.";

/// (annotator, [(needle, label)]) layers of one document `TEXT`, imported as
/// spans-jsonl into a fresh project.
fn project(layers: &[(&str, &[(&str, &str)])]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    ok(&run(&["new", root.to_str().unwrap()]));
    let mut lines = String::new();
    for (annotator, spans) in layers {
        let spans: Vec<Value> = spans
            .iter()
            .map(|(needle, label)| {
                let b = TEXT.find(needle).unwrap();
                let start = TEXT[..b].chars().count();
                json!({"start": start, "end": start + needle.chars().count(), "label": label, "text": needle})
            })
            .collect();
        let rec = json!({"id": "d1", "text": TEXT, "spans": spans,
                         "meta": {"annotator": annotator, "status": "done"}});
        lines += &format!("{rec}\n");
    }
    let file = dir.path().join("layers.jsonl");
    fs::write(&file, lines).unwrap();
    ok(&run(&[
        "import",
        root.to_str().unwrap(),
        file.to_str().unwrap(),
    ]));
    (dir, root)
}

fn ab_project() -> (tempfile::TempDir, PathBuf) {
    project(&[
        (
            "alice",
            &[("Putin", "ACTOR"), ("Aliyev", "ACTOR"), ("Baku", "PLACE")],
        ),
        ("bob", &[("Putin", "ACTOR"), ("Aliyev", "PLACE")]),
    ])
}

fn json_of(root: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["agreement", root.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&run(&args))).unwrap()
}

fn pair<'a>(v: &'a Value, label: &str) -> &'a Value {
    v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["label"] == label)
        .unwrap_or_else(|| panic!("no row for {label}"))
}

/// alice: ACTOR Putin, ACTOR Aliyev, PLACE Baku; bob: ACTOR Putin, PLACE Aliyev.
/// Worked by hand:
/// - strict (alice reference): Putin correct, Aliyev incorrect, Baku missed:
///   possible 3, actual 2, precision 1/2, recall 1/3, f1 2(1/6)/(5/6) = 0.4;
///   ent_type: Aliyev overlaps with another label: incorrect, the same counts.
/// - pairwise F1: 1 span in common of 3 + 2: 0.4.
/// - Cohen's kappa, ACTOR: 21 non-white-space chars; alice covers 11 (Putin,
///   Aliyev), bob 5 (Putin): both 5, alice only 6, neither 10. p_o = 15/21,
///   p_e = (11·5 + 10·16)/441 = 215/441, kappa = 100/226.
#[test]
fn agreement_json_hand_computed() {
    let (_d, root) = ab_project();
    let v = json_of(&root, &["--no-gamma"]);
    assert_eq!(v["annotators"], json!(["alice", "bob"]));
    assert_eq!(v["documents"], json!(1));
    let all = pair(&v, "*");
    assert_eq!(
        (all["a"].as_str(), all["b"].as_str()),
        (Some("alice"), Some("bob"))
    );
    let s = &all["strict"];
    assert_eq!(
        [
            &s["correct"],
            &s["incorrect"],
            &s["partial"],
            &s["missed"],
            &s["spurious"],
            &s["possible"],
            &s["actual"]
        ],
        [
            &json!(1),
            &json!(1),
            &json!(0),
            &json!(1),
            &json!(0),
            &json!(3),
            &json!(2)
        ]
    );
    assert_eq!(s["precision"], json!(0.5));
    assert!((s["recall"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-15);
    assert!((s["f1"].as_f64().unwrap() - 0.4).abs() < 1e-15);
    assert!((all["f1"].as_f64().unwrap() - 0.4).abs() < 1e-15);
    let actor = pair(&v, "ACTOR");
    assert!((actor["cohen_kappa"].as_f64().unwrap() - 100.0 / 226.0).abs() < 1e-12);
    // DATE: nobody used it. Counts 0; precision, recall, f1 and kappa undefined: null.
    let date = pair(&v, "DATE");
    assert_eq!(date["strict"]["possible"], json!(0));
    for k in ["precision", "recall", "f1"] {
        assert!(date["strict"][k].is_null(), "{k}: {}", date["strict"][k]);
    }
    assert!(date["f1"].is_null() && date["cohen_kappa"].is_null());
    assert!(v["labels"]["DATE"]["fleiss_kappa"].is_null());
    assert!(v["labels"]["*"]["krippendorff_alpha"].is_f64());
    assert!(v["gamma"].is_null(), "--no-gamma: {}", v["gamma"]);
    // One row per pair and label (* first), labels in schema order.
    let labels: Vec<&str> = v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["*", "ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"]
    );
    let keys: Vec<&String> = v["labels"].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6);
    assert!(!ok(&run(&["agreement", root.to_str().unwrap(), "--json"])).contains("NaN"));
}

#[test]
fn agreement_table_prints_na_with_reasons() {
    let (_d, root) = ab_project();
    let t = ok(&run(&[
        "agreement",
        root.to_str().unwrap(),
        "--disagreements",
    ]));
    assert!(
        t.contains("agreement of 2 annotators on 1 document(s)"),
        "{t}"
    );
    let star = t
        .lines()
        .find(|l| l.contains("alice") && l.contains(" * "))
        .unwrap();
    assert!(star.contains("0.4000"), "{star}");
    let date = t
        .lines()
        .find(|l| l.contains("alice") && l.contains("DATE"))
        .unwrap();
    assert!(date.contains("n/a"), "{date}");
    assert!(
        t.contains("alice vs bob DATE: strict F1: no spans on either side"),
        "{t}"
    );
    assert!(!t.contains("NaN"), "{t}");
    assert!(t.contains("gamma "), "{t}");
    // Two disagreements: Aliyev's label (ACTOR vs PLACE) and Baku (only alice).
    assert!(t.contains("disagreements: 2 (extra 1, label 1)"), "{t}");
    assert!(
        t.contains("d1 [10..16) label; alice: ACTOR [10..16); bob: PLACE [10..16)"),
        "{t}"
    );
    assert!(
        t.contains("d1 [20..24) extra; alice: PLACE [20..24); bob: -"),
        "{t}"
    );
}

#[test]
fn agreement_with_labels_and_annotators() {
    let (_d, root) = project(&[
        ("alice", &[("Putin", "ACTOR"), ("Baku", "PLACE")]),
        ("bob", &[("Putin", "ACTOR")]),
        ("carol", &[("Putin", "ACTOR"), ("Baku", "PLACE")]),
    ]);
    let v = json_of(
        &root,
        &[
            "--annotators",
            "carol,alice",
            "--labels",
            "PLACE",
            "--no-gamma",
        ],
    );
    assert_eq!(v["annotators"], json!(["carol", "alice"]));
    let rows = v["pairs"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "one pair, * and PLACE");
    // carol and alice agree exactly on PLACE.
    assert_eq!(pair(&v, "PLACE")["f1"], json!(1.0));
    assert_eq!(pair(&v, "PLACE")["cohen_kappa"], json!(1.0));
    let v3 = json_of(&root, &[]);
    assert_eq!(v3["pairs"].as_array().unwrap().len(), 3 * 6);
    assert!(v3["gamma"].is_f64(), "{}", v3["gamma"]);
}

#[test]
fn agreement_bad_input() {
    let (_d, root) = ab_project();
    let r = root.to_str().unwrap();
    refused(
        &run(&["agreement", r, "--annotators", "alice,zed"]),
        "no annotator \"zed\"",
    );
    refused(
        &run(&["agreement", r, "--labels", "PERSON"]),
        "label \"PERSON\" is not in the project's schema",
    );
    refused(
        &run(&["agreement", r, "--annotators", "alice"]),
        "at least 2 annotators",
    );
    refused(
        &run(&["agreement", r, "--annotators", "alice,alice"]),
        "named twice",
    );
    // Argument errors are clap's: a usage line follows the error.
    let o = run(&["agreement", r, "--gamma-samples", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("error: invalid value '0' for '--gamma-samples"),
        "{}",
        err(&o)
    );
    let (_d1, one) = project(&[("alice", &[("Putin", "ACTOR")])]);
    refused(
        &run(&["agreement", one.to_str().unwrap()]),
        "agreement needs at least 2 annotators",
    );
    refused(
        &run(&["eval", r, "--gold", "gold", "--pred", "bob"]),
        "no annotator \"gold\"",
    );
    refused(
        &run(&["agreement", "/nonexistent/project"]),
        "not a spanbench project",
    );
}

/// The sample has one layer (gold) today: agreement explains, eval of gold against
/// itself is perfect.
#[test]
fn sample_project() {
    // A copy: `stats` keeps its index cache inside the project, and the source tree's
    // sample is embedded in the binary.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/karabakh");
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("karabakh");
    fs::create_dir(&sample).unwrap();
    spanbench::storage::save_all(&sample, &spanbench::storage::read(&src).unwrap()).unwrap();
    let s = sample.to_str().unwrap();
    let people = ok(&run(&["stats", s, "--json"]));
    let v: Value = serde_json::from_str(&people).unwrap();
    let layers = v["spans_per_annotator"].as_object().unwrap().len();
    if layers == 1 {
        refused(
            &run(&["agreement", s]),
            "agreement needs at least 2 annotators",
        );
    } else {
        ok(&run(&["agreement", s, "--no-gamma"]));
    }
    let e: Value = serde_json::from_str(&ok(&run(&[
        "eval", s, "--gold", "gold", "--pred", "gold", "--json",
    ])))
    .unwrap();
    assert_eq!(e["overall"]["strict"]["f1"], json!(1.0));
    assert_eq!(e["overall"]["strict"]["spurious"], json!(0));
}

/// Eval: bob scored against alice, by hand: the ab_project numbers again, and the
/// confusion: Putin ACTOR->ACTOR, Aliyev ACTOR->PLACE, Baku PLACE->(none).
#[test]
fn eval_json_and_table() {
    let (_d, root) = ab_project();
    let r = root.to_str().unwrap();
    let v: Value = serde_json::from_str(&ok(&run(&[
        "eval", r, "--gold", "alice", "--pred", "bob", "--json",
    ])))
    .unwrap();
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["confusion", "overall", "per_label"]);
    assert_eq!(v["overall"]["strict"]["correct"], json!(1));
    assert!((v["overall"]["strict"]["f1"].as_f64().unwrap() - 0.4).abs() < 1e-15);
    for scheme in ["strict", "exact", "partial", "ent_type"] {
        let o = v["overall"][scheme].as_object().unwrap();
        for k in [
            "correct",
            "incorrect",
            "partial",
            "missed",
            "spurious",
            "possible",
            "actual",
            "precision",
            "recall",
            "f1",
        ] {
            assert!(o.contains_key(k), "{scheme} lacks {k}");
        }
    }
    assert_eq!(v["per_label"]["PLACE"]["strict"]["missed"], json!(1));
    assert_eq!(v["per_label"]["PLACE"]["strict"]["spurious"], json!(1));
    assert!(v["per_label"]["DATE"]["strict"]["precision"].is_null());
    assert_eq!(v["confusion"]["ACTOR"]["ACTOR"], json!(1));
    assert_eq!(v["confusion"]["ACTOR"]["PLACE"], json!(1));
    assert_eq!(v["confusion"]["PLACE"]["(none)"], json!(1));
    assert_eq!(v["confusion"]["(none)"]["PLACE"], json!(0));
    let t = ok(&run(&[
        "eval",
        r,
        "--gold",
        "alice",
        "--pred",
        "bob",
        "--labels",
        "ACTOR,PLACE",
    ]));
    assert!(
        t.contains("bob scored against alice on 1 document(s)"),
        "{t}"
    );
    assert!(
        t.lines().any(|l| l.trim_start().starts_with("* ")
            && l.contains("strict")
            && l.contains("0.4000")),
        "{t}"
    );
    assert!(!t.contains("DATE"), "--labels: {t}");
    assert!(t.contains("label confusion"), "{t}");
}

// ---------------------------------------------------------------- properties

const LABELS: [&str; 3] = ["ACTOR", "PLACE", "CLAIM"];

/// A corpus of `layers.len()` annotators on documents of `len` chars ("ab cd ...").
/// One annotator's spans per document: (start, length - 1, label index).
type Layer = Vec<Vec<(usize, usize, usize)>>;

fn corpus(docs: usize, len: usize, layers: &[Layer]) -> Corpus {
    let mut project = Project::new("p");
    project.labels.retain(|l| LABELS.contains(&l.key.as_str()));
    let mut c = Corpus::new(project);
    let text: String = (0..len)
        .map(|i| if i % 3 == 2 { ' ' } else { 'x' })
        .collect();
    for d in 0..docs {
        c.insert_document(Document::new(&format!("d{d}"), "t", text.clone()));
    }
    for (a, layer) in layers.iter().enumerate() {
        for (d, spans) in layer.iter().enumerate().take(docs) {
            let mut set = AnnotationSet::new(&format!("d{d}"), &format!("a{a}"));
            set.status = DocStatus::Done;
            for (k, &(s, l, lab)) in spans.iter().enumerate() {
                let start = s % (len - 1);
                let end = (start + 1 + l).min(len);
                set.spans.push(Span {
                    id: SpanId(k as u32 + 1),
                    start,
                    end,
                    label: LABELS[lab % 3].to_string(),
                    text: text.chars().skip(start).take(end - start).collect(),
                    attrs: Default::default(),
                    note: String::new(),
                    origin: Default::default(),
                    review: Default::default(),
                    score: None,
                });
            }
            c.annotations
                .entry(format!("a{a}"))
                .or_default()
                .insert(format!("d{d}"), set);
        }
    }
    c
}

fn layer() -> impl Strategy<Value = Layer> {
    prop::collection::vec(
        prop::collection::vec((0usize..60, 0usize..12, 0usize..3), 0..8),
        2,
    )
}

fn finite(f: Figure) -> bool {
    f.value().is_none_or(f64::is_finite)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Identical layers agree perfectly wherever agreement is defined.
    #[test]
    fn identical_layers_agree(l in layer(), n in 2usize..4) {
        let c = corpus(2, 60, &vec![l; n]);
        let sel = Selection::resolve(&c, None, None, 2, false).unwrap();
        let r = agreement_of(&sel, Some(&GammaOptions { samples: 3, seed: 1, max_units: None }));
        for p in &r.pairs {
            for f in [p.cohen_kappa, p.f1, p.scores.strict.f1, p.scores.ent_type.f1] {
                prop_assert!(f.value().is_none_or(|v| v == 1.0), "{p:?}");
            }
        }
        for (_, l) in &r.labels.0 {
            prop_assert!(l.fleiss_kappa.value().is_none_or(|v| (v - 1.0).abs() < 1e-12), "{l:?}");
            prop_assert!(l.krippendorff_alpha.value().is_none_or(|v| (v - 1.0).abs() < 1e-12), "{l:?}");
        }
        prop_assert!(r.gamma.value().is_none_or(|v| v == 1.0), "{:?}", r.gamma);
        prop_assert!(r.disagreements.is_empty());
    }

    /// Pairwise F1 and Cohen's kappa do not depend on which annotator is A; the
    /// strict counts swap missed and spurious and keep possible + actual; every
    /// figure is finite or undefined, never NaN.
    #[test]
    fn pairwise_measures_are_symmetric(a in layer(), b in layer()) {
        let c = corpus(2, 60, &[a, b]);
        let ab = Selection::resolve(&c, Some(&["a0".into(), "a1".into()]), None, 2, false).unwrap();
        let ba = Selection::resolve(&c, Some(&["a1".into(), "a0".into()]), None, 2, false).unwrap();
        let (x, y) = (agreement_of(&ab, None), agreement_of(&ba, None));
        for (p, q) in x.pairs.iter().zip(&y.pairs) {
            prop_assert_eq!(p.f1, q.f1);
            match (p.cohen_kappa.value(), q.cohen_kappa.value()) {
                (Some(u), Some(v)) => prop_assert!((u - v).abs() < 1e-12),
                (u, v) => prop_assert_eq!(u, v),
            }
            let (s, t) = (&p.scores.exact, &q.scores.exact);
            prop_assert_eq!(s.possible + s.actual, t.possible + t.actual);
            for f in [p.f1, p.cohen_kappa, s.precision, s.recall, s.f1] {
                prop_assert!(finite(f));
            }
        }
        for (_, l) in &x.labels.0 {
            prop_assert!(finite(l.fleiss_kappa) && finite(l.krippendorff_alpha));
        }
    }

    /// Every reference span is correct, incorrect, partial or missed, and every
    /// predicted one correct, incorrect, partial or spurious, in every scheme.
    #[test]
    fn eval_counts_add_up(a in layer(), b in layer()) {
        let c = corpus(2, 60, &[a, b]);
        let sel = Selection::resolve(&c, Some(&["a0".into(), "a1".into()]), None, 2, false).unwrap();
        let e = evaluate_of(&sel);
        let truth: usize = sel.docs.iter().map(|d| d.sets[0].as_ref().map_or(0, Vec::len)).sum();
        let pred: usize = sel.docs.iter().map(|d| d.sets[1].as_ref().map_or(0, Vec::len)).sum();
        for s in [e.overall.strict, e.overall.exact, e.overall.partial, e.overall.ent_type] {
            prop_assert_eq!(s.possible as usize, truth);
            prop_assert_eq!(s.actual as usize, pred);
        }
        let conf: u64 = e.confusion.0.iter().flat_map(|(_, r)| r.0.iter().map(|(_, n)| *n)).sum();
        prop_assert!(conf as usize <= truth + pred && conf as usize >= truth.max(pred));
    }
}

/// Disagreement kinds, by hand, and next/previous navigation.
#[test]
fn disagreement_kinds_and_navigation() {
    // a0: ACTOR [0,5), PLACE [10,15), CLAIM [20,40); a1: ACTOR [0,6), ACTOR [10,15);
    // a2: ACTOR [0,5), PLACE [10,15), CLAIM [20,40).
    let l = |s, e, lab| (s, e - s - 1, lab);
    let c = corpus(
        1,
        60,
        &[
            vec![vec![l(0, 5, 0), l(10, 15, 1), l(20, 40, 2)]],
            vec![vec![l(0, 6, 0), l(10, 15, 0)]],
            vec![vec![l(0, 5, 0), l(10, 15, 1), l(20, 40, 2)]],
        ],
    );
    let sel = Selection::resolve(&c, None, None, 2, false).unwrap();
    let d = disagreements::find(&sel, None);
    let kinds: Vec<(usize, Vec<Kind>)> =
        d.items.iter().map(|x| (x.start, x.kinds.clone())).collect();
    assert_eq!(
        kinds,
        vec![
            (0, vec![Kind::Boundary]),
            (10, vec![Kind::Label]),
            (20, vec![Kind::Missing])
        ]
    );
    assert!(d.items[2].versions[1].spans.is_empty());
    assert_eq!(d.documents[d.items[0].doc_index], "d0");
    assert_eq!(d.next_after(0, 0), Some(1));
    assert_eq!(d.next_after(0, 20), None);
    assert_eq!(d.previous_before(0, 20), Some(1));
    assert_eq!(d.previous_before(0, 0), None);
    assert_eq!(d.in_document(0).len(), 3);
    // Against a1 as reference the CLAIM is extra (a1 has none).
    let r = disagreements::find(&sel, Some(1));
    assert_eq!(r.items[2].kinds, vec![Kind::Extra]);
}
