//! Export and import through every format: round trips for the formats that hold the
//! whole model, exactness and reporting for the token formats, real sample files of
//! each tool, and all-or-nothing imports of bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use spanbench::formats::{
    self, ExportFormat, ExportOptions, ImportFormat, Layer, OffsetUnit, Record, Report, TagScheme,
    import_paths, tagging,
};
use spanbench::import::document_from_text;
use spanbench::model::{Corpus, Label, Project, Relation, RelationId, Span, SpanId};
use spanbench::offsets::tokens::tokenize;
use spanbench::offsets::{Snap, slice_chars, snap_selection};

const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];
const RELS: [&str; 4] = ["SAID_BY", "PARTY_TO", "LOCATED_IN", "ON_DATE"];

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Text from the scripts and hazards spanbench must carry: emoji with modifiers and
/// ZWJ, flags, combining marks, Armenian, Cyrillic, CRLF, punctuation.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "Z",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\n\n",
        "\t",
        ".",
        ",",
        "\"",
        "-",
        "Путин",
        "Карабах",
        "Հայաստան",
        "Երևան",
        "ქართული",
        "👍🏽",
        "👨‍👩‍👧",
        "🇦🇲",
        "e\u{301}",
        "a\u{308}\u{323}",
        "ß",
        "日本",
        "Stepanakert",
        "2023",
        "Sept.",
        "’",
        "€",
        "\u{feff}",
    ]);
    prop::collection::vec(pieces, 1..30).prop_map(|v| v.concat())
}

type SpanSeed = (usize, usize, usize, bool, u8);

fn corpus_strategy() -> impl Strategy<Value = Corpus> {
    let doc = (
        tricky_text(),
        prop::collection::vec(
            (0usize..400, 0usize..400, 0usize..5, any::<bool>(), 0u8..6),
            0..10,
        ),
        prop::collection::vec((0usize..20, 0usize..20, 0usize..4, any::<bool>()), 0..4),
    );
    prop::collection::vec(doc, 1..4).prop_map(build_corpus)
}

#[allow(clippy::type_complexity)]
fn build_corpus(docs: Vec<(String, Vec<SpanSeed>, Vec<(usize, usize, usize, bool)>)>) -> Corpus {
    // Relations here join random spans: the round trip is about formats, not the schema.
    let mut project = Project::new("roundtrip");
    for t in &mut project.relation_types {
        t.from_labels.clear();
        t.to_labels.clear();
    }
    let mut corpus = Corpus::new(project);
    for (i, (raw, spans, rels)) in docs.into_iter().enumerate() {
        // A word first, so no document is blank once whitespace is trimmed.
        let raw = format!("Doc{i} {raw}");
        let doc = document_from_text(&corpus, &format!("d{i}"), &raw, None);
        let id = doc.id.clone();
        let text = doc.text.clone();
        corpus.insert_document(doc);
        let n = text.chars().count();
        for (a, b, l, gold, extra) in spans {
            let Some((s, e)) = snap_selection(&text, a % (n + 1), b % (n + 1), Snap::Graphemes)
            else {
                continue;
            };
            let annotator = if gold { "gold" } else { "anna" };
            let set = corpus.set_mut(annotator, &id);
            let mut span = Span {
                id: set.next_span_id(),
                start: s,
                end: e,
                label: LABELS[l].to_string(),
                text: slice_chars(&text, s, e).unwrap_or_default().to_string(),
                attrs: BTreeMap::new(),
                note: String::new(),
                origin: Default::default(),
                review: Default::default(),
                score: None,
            };
            match extra {
                1 => {
                    span.attrs.insert("certainty".into(), "high".into());
                }
                2 => {
                    span.attrs.insert("ref".into(), "Wikidata:Q42".into());
                    span.attrs.insert("negated".into(), String::new());
                }
                3 => span.note = "check the source, «Երևան» 👍🏽".into(),
                _ => {}
            }
            // A layer holds one span per range and label.
            if !set
                .spans
                .iter()
                .any(|x| (x.start, x.end, &x.label) == (span.start, span.end, &span.label))
            {
                set.spans.push(span);
            }
        }
        for (f, t, k, gold) in rels {
            let annotator = if gold { "gold" } else { "anna" };
            let Some(set) = corpus
                .annotations
                .get_mut(annotator)
                .and_then(|m| m.get_mut(&id))
            else {
                continue;
            };
            if set.spans.is_empty() {
                continue;
            }
            let from = set.spans[f % set.spans.len()].id;
            let to = set.spans[t % set.spans.len()].id;
            let rid = set.next_relation_id();
            set.relations.push(Relation {
                id: rid,
                kind: RELS[k].to_string(),
                from,
                to,
            });
        }
    }
    corpus
}

/// What a format must carry, per document and annotator.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct SpanKey {
    start: usize,
    end: usize,
    label: String,
    text: String,
    attrs: BTreeMap<String, String>,
    note: String,
}

type Seen = BTreeMap<(String, String), (Vec<SpanKey>, Vec<(String, SpanKey, SpanKey)>)>;

fn summary(corpus: &Corpus, attrs: bool, notes: bool) -> Seen {
    let mut out = BTreeMap::new();
    for (annotator, sets) in &corpus.annotations {
        for (doc, set) in sets {
            if set.spans.is_empty() && set.relations.is_empty() {
                continue;
            }
            let key = |s: &Span| SpanKey {
                start: s.start,
                end: s.end,
                label: s.label.clone(),
                text: s.text.clone(),
                attrs: if attrs {
                    s.attrs.clone()
                } else {
                    BTreeMap::new()
                },
                note: if notes { s.note.clone() } else { String::new() },
            };
            let mut spans: Vec<SpanKey> = set.spans.iter().map(key).collect();
            spans.sort();
            let by_id = |id: SpanId| set.span(id).map(key);
            let mut rels: Vec<(String, SpanKey, SpanKey)> = set
                .relations
                .iter()
                .filter_map(|r| Some((r.kind.clone(), by_id(r.from)?, by_id(r.to)?)))
                .collect();
            rels.sort();
            out.insert((annotator.clone(), doc.clone()), (spans, rels));
        }
    }
    out
}

fn texts(corpus: &Corpus) -> BTreeMap<String, String> {
    corpus
        .documents
        .iter()
        .map(|d| (d.id.clone(), d.text.clone()))
        .collect()
}

/// Exports `corpus` to a temporary place and imports it into an empty project with
/// the same schema.
fn round_trip(corpus: &Corpus, format: ExportFormat, unit: OffsetUnit) -> (Report, Corpus) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format.default_file_name());
    let opts = ExportOptions {
        offset_unit: unit,
        ..ExportOptions::default()
    };
    let report = formats::export_to_path(corpus, format, &opts, &out, &mut |_, _| {}).unwrap();
    let mut fresh = Corpus::new(corpus.project.clone());
    let imported = import_paths(&fresh, &[out], None, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("re-import of {} failed: {:?}", format.name(), e.0));
    for d in imported.documents {
        fresh.insert_document(d);
    }
    for s in imported.sets {
        fresh
            .annotations
            .entry(s.annotator.clone())
            .or_default()
            .insert(s.document.clone(), s);
    }
    (report, fresh)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn spans_jsonl_round_trips_everything(corpus in corpus_strategy()) {
        let (report, back) = round_trip(&corpus, ExportFormat::SpansJsonl, OffsetUnit::Chars);
        prop_assert!(report.notes.is_empty(), "{:?}", report.notes);
        prop_assert_eq!(texts(&back), texts(&corpus));
        prop_assert_eq!(summary(&back, true, true), summary(&corpus, true, true));
    }

    #[test]
    fn doccano_round_trips_spans_and_relations_in_chars(corpus in corpus_strategy()) {
        let (_, back) = round_trip(&corpus, ExportFormat::Doccano, OffsetUnit::Chars);
        prop_assert_eq!(texts(&back), texts(&corpus));
        prop_assert_eq!(summary(&back, false, false), summary(&corpus, false, false));
    }

    #[test]
    fn doccano_round_trips_spans_and_relations_in_utf16(corpus in corpus_strategy()) {
        let (_, back) = round_trip(&corpus, ExportFormat::Doccano, OffsetUnit::Utf16);
        prop_assert_eq!(texts(&back), texts(&corpus));
        prop_assert_eq!(summary(&back, false, false), summary(&corpus, false, false));
    }

    #[test]
    fn label_studio_round_trips_spans_relations_and_notes(corpus in corpus_strategy(), utf16 in any::<bool>()) {
        let unit = if utf16 { OffsetUnit::Utf16 } else { OffsetUnit::Chars };
        let (_, back) = round_trip(&corpus, ExportFormat::LabelStudio, unit);
        prop_assert_eq!(texts(&back), texts(&corpus));
        prop_assert_eq!(summary(&back, false, true), summary(&corpus, false, true));
    }

    #[test]
    fn brat_round_trips_spans_relations_attributes_and_notes(corpus in corpus_strategy()) {
        let (report, back) = round_trip(&corpus, ExportFormat::Brat, OffsetUnit::Chars);
        prop_assert!(report.notes.is_empty(), "{:?}", report.notes);
        prop_assert_eq!(texts(&back), texts(&corpus));
        prop_assert_eq!(summary(&back, true, true), summary(&corpus, true, true));
    }

    #[test]
    fn token_formats_keep_exact_spans_and_report_every_other(corpus in corpus_strategy(), bioes in any::<bool>()) {
        let scheme = if bioes { TagScheme::Bioes } else { TagScheme::Iob2 };
        let opts = ExportOptions { scheme, ..ExportOptions::default() };
        let records = formats::select(&corpus, &Layer::All).unwrap();
        for rec in &records {
            let mut report = Report::default();
            let (tagged, kept) = tagging::tag_record(rec, &opts, &mut report);
            let decoded = decode(rec, &tagged, scheme)?;
            prop_assert_eq!(decoded.len(), kept);
            // Every kept span is one of the record's spans, exactly.
            for (s, e, l) in &decoded {
                prop_assert!(rec.spans().iter().any(|sp| sp.start == *s && sp.end == *e && &sp.label == l),
                    "span [{}..{}) {} is not in the source", s, e, l);
            }
            // Every span not kept is named in a note, by id.
            for sp in rec.spans() {
                let kept_it = decoded.iter().any(|(s, e, l)| *s == sp.start && *e == sp.end && *l == sp.label);
                let tag = format!(" span {} [{}..{})", sp.id.0, sp.start, sp.end);
                let noted = report.notes.iter().any(|n| n.contains(&tag) && n.contains("dropped"));
                prop_assert!(kept_it || noted, "span {} neither kept nor reported: {:?}", sp.id.0, report.notes);
            }
            prop_assert_eq!(rec.spans().len() - kept, report.notes.len());
        }
    }
}

/// Reads tags back into character spans, checking the scheme's rules on the way
/// (the same rules seqeval's strict mode applies).
fn decode(
    rec: &Record,
    tagged: &tagging::Tagged,
    scheme: TagScheme,
) -> Result<Vec<(usize, usize, String)>, TestCaseError> {
    let toks = tokenize(&rec.doc.text);
    let mut out = Vec::new();
    let mut i = 0;
    for sent in tagged.sentences() {
        let mut open: Option<(usize, String)> = None;
        for tt in sent {
            let tag = tt.tag();
            let t = toks[i];
            let text = slice_chars(&rec.doc.text, t.start, t.end).unwrap();
            prop_assert_eq!((tt.start, tt.end), (t.start, t.end));
            prop_assert_eq!(&rec.doc.text[tt.bytes.0..tt.bytes.1], text);
            let (p, l) = tag.split_once('-').unwrap_or(("O", ""));
            match (scheme, p) {
                (_, "O") => prop_assert!(open.is_none() || scheme == TagScheme::Iob2),
                (_, "B") => prop_assert!(open.is_none() || scheme == TagScheme::Iob2),
                (_, "S") => prop_assert!(open.is_none()),
                (_, "I" | "E") => prop_assert!(
                    open.as_ref().is_some_and(|(_, ol)| ol == l),
                    "{} without a span of the same label open",
                    tag
                ),
                _ => prop_assert!(false, "unexpected tag {}", tag),
            }
            if scheme == TagScheme::Iob2
                && matches!(p, "O" | "B")
                && let Some((s, l)) = open.take()
            {
                out.push((s, toks[i - 1].end, l));
            }
            match p {
                "B" => open = Some((t.start, l.to_string())),
                "S" => out.push((t.start, t.end, l.to_string())),
                "E" => {
                    let (s, l) = open.take().unwrap();
                    out.push((s, t.end, l));
                }
                _ => {}
            }
            i += 1;
        }
        if let Some((s, l)) = open.take() {
            prop_assert!(scheme == TagScheme::Iob2, "BIOES span left open");
            out.push((s, toks[i - 1].end, l));
        }
    }
    prop_assert_eq!(i, toks.len());
    Ok(out)
}

fn schema_project(labels: &[&str], rels: &[&str]) -> Project {
    let mut p = Project::new("fixtures");
    for l in labels {
        if p.label(l).is_none() {
            p.labels.push(Label {
                key: l.to_string(),
                name: l.to_string(),
                color: "#808080".into(),
                shortcut: String::new(),
                description: String::new(),
            });
        }
    }
    for r in rels {
        if !p.relation_types.iter().any(|t| t.key == *r) {
            p.relation_types.push(spanbench::model::RelationType {
                key: r.to_string(),
                ..Default::default()
            });
        }
    }
    p
}

fn import_fixture(project: Project, rel: &str) -> formats::Imported {
    let corpus = Corpus::new(project);
    let path = fixture(rel);
    import_paths(&corpus, &[path], None, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{rel}: {:?}", e.0))
}

fn spans_of<'a>(imp: &'a formats::Imported, annotator: &str) -> Vec<(&'a str, &'a str)> {
    imp.sets
        .iter()
        .filter(|s| s.annotator == annotator)
        .flat_map(|s| {
            s.spans
                .iter()
                .map(|sp| (sp.label.as_str(), sp.text.as_str()))
        })
        .collect()
}

#[test]
fn detects_each_sample_format() {
    let cases = [
        ("doccano/ner.jsonl", ImportFormat::Doccano),
        ("doccano/relations.jsonl", ImportFormat::Doccano),
        ("label-studio/export.json", ImportFormat::LabelStudio),
        ("brat/news", ImportFormat::Brat),
        ("brat/news/karabakh.txt", ImportFormat::Brat),
        ("conll/conll2003_sample.iob", ImportFormat::Conll),
        ("spans/prodigy.jsonl", ImportFormat::SpansJsonl),
        ("articles/article.html", ImportFormat::Html),
        ("articles/texts.jsonl", ImportFormat::Jsonl),
        ("unicode-source/hazards.txt", ImportFormat::Text),
    ];
    for (rel, want) in cases {
        assert_eq!(formats::detect(&fixture(rel)), Some(want), "{rel}");
    }
}

#[test]
fn imports_doccano_sequence_labelling_sample() {
    let imp = import_fixture(
        schema_project(&["PER", "ORG", "LOC"], &[]),
        "doccano/ner.jsonl",
    );
    assert_eq!(imp.documents.len(), 2);
    assert_eq!(
        spans_of(&imp, "imported"),
        vec![
            ("PER", "Ilham Aliyev"),
            ("LOC", "Azerbaijan"),
            ("ORG", "EU"),
            ("LOC", "Brussels"),
        ]
    );
}

#[test]
fn imports_doccano_relation_sample_after_an_emoji() {
    let imp = import_fixture(
        schema_project(&["PER", "ORG", "LOC"], &["works_for"]),
        "doccano/relations.jsonl",
    );
    let set = &imp.sets[0];
    assert_eq!(set.annotator, "imported");
    let texts: Vec<&str> = set.spans.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, vec!["Nikol Pashinyan", "Armenian government"]);
    assert_eq!(set.relations.len(), 1);
    assert_eq!(set.relations[0].kind, "works_for");
}

#[test]
fn imports_label_studio_export_with_predictions_as_suggestions() {
    let imp = import_fixture(
        schema_project(&["PER", "ORG", "LOC"], &["member_of"]),
        "label-studio/export.json",
    );
    assert_eq!(imp.documents.len(), 1);
    let anna = imp.sets.iter().find(|s| s.annotator == "anna").unwrap();
    let got: Vec<(&str, &str)> = anna
        .spans
        .iter()
        .map(|s| (s.label.as_str(), s.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("PER", "Ruben Vardanyan"), ("LOC", "Stepanakert 🇦🇲")]
    );
    assert!(
        anna.spans
            .iter()
            .all(|s| s.origin == spanbench::model::Origin::Imported)
    );
    assert_eq!(anna.spans[0].note, "check spelling");
    let model = imp.sets.iter().find(|s| s.annotator == "ner-v1").unwrap();
    assert_eq!(model.spans.len(), 1);
    assert_eq!(model.spans[0].origin, spanbench::model::Origin::Suggested);
    assert_eq!(anna.relations.len(), 1);
}

#[test]
fn imports_brat_folder_with_crlf_text() {
    let imp = import_fixture(
        schema_project(&["Person", "Organization", "Location"], &["Member"]),
        "brat/news",
    );
    assert_eq!(imp.documents.len(), 1);
    let doc = &imp.documents[0];
    assert!(!doc.text.contains('\r'));
    assert_eq!(doc.import.crlf_converted, 2);
    let set = &imp.sets[0];
    for s in &set.spans {
        assert_eq!(
            slice_chars(&doc.text, s.start, s.end),
            Some(s.text.as_str())
        );
    }
    let got: Vec<(&str, &str)> = set
        .spans
        .iter()
        .map(|s| (s.label.as_str(), s.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Person", "Ilham Aliyev"),
            ("Location", "Karabakh"),
            ("Organization", "OSCE Minsk Group"),
            ("Location", "Շուշի"),
        ]
    );
    let aliyev = &set.spans[0];
    assert_eq!(
        aliyev.attrs.get("ref").map(String::as_str),
        Some("Wikidata:Q183157")
    );
    assert_eq!(
        aliyev.attrs.get("Confidence").map(String::as_str),
        Some("High")
    );
    assert_eq!(aliyev.note, "President of Azerbaijan");
    assert_eq!(set.relations.len(), 1);
}

#[test]
fn imports_spacy_conll2003_sample() {
    let imp = import_fixture(
        schema_project(&["PER", "ORG", "LOC", "MISC"], &[]),
        "conll/conll2003_sample.iob",
    );
    assert_eq!(imp.documents.len(), 2);
    assert!(
        imp.documents[0]
            .text
            .starts_with("EU rejects German call to boycott British lamb .")
    );
    let all: Vec<(&str, &str)> = spans_of(&imp, "imported");
    assert_eq!(
        &all[..5],
        &[
            ("ORG", "EU"),
            ("MISC", "German"),
            ("MISC", "British"),
            ("PER", "Peter Blackburn"),
            ("LOC", "BRUSSELS"),
        ]
    );
}

#[test]
fn imports_html_article_and_text_jsonl() {
    let imp = import_fixture(Project::new("p"), "articles/article.html");
    assert_eq!(imp.documents[0].title, "Ceasefire holds in Karabakh");
    assert!(imp.documents[0].text.contains("Stepanakert, Նոր"));
    assert!(!imp.documents[0].text.contains("trackVisit"));
    assert!(!imp.documents[0].text.contains("Subscribe"));
    let imp = import_fixture(Project::new("p"), "articles/texts.jsonl");
    assert_eq!(imp.documents.len(), 2);
    assert_eq!(
        imp.documents[1].meta.url.as_deref(),
        Some("https://example.org/b")
    );
}

#[test]
fn bad_input_is_reported_per_line_and_nothing_is_imported() {
    let corpus = Corpus::new(Project::new("p"));
    let err = import_paths(
        &corpus,
        &[fixture("bad/doccano_bad.jsonl")],
        None,
        &mut |_, _| {},
    )
    .unwrap_err();
    let all = err.0.join("\n");
    assert!(
        all.contains("doccano_bad.jsonl:2: label 1: offsets [0..999) are out of bounds"),
        "{all}"
    );
    assert!(
        all.contains(
            "doccano_bad.jsonl:3: label 1: label \"WEAPON\" is not in the project's schema"
        ),
        "{all}"
    );
    assert!(all.contains("doccano_bad.jsonl:4: not JSON"), "{all}");
    assert_eq!(err.0.len(), 3, "{all}");
    let err = import_paths(
        &corpus,
        &[fixture("bad/label_studio_mismatch.json")],
        None,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(
        err.0[0].contains("does not match the document's"),
        "{:?}",
        err.0
    );
    let err = import_paths(&corpus, &[fixture("bad/brat_bad")], None, &mut |_, _| {}).unwrap_err();
    assert!(
        err.0.iter().any(|e| e.contains("bad.ann:2: text")),
        "{:?}",
        err.0
    );
    // One good file next to a bad one: still nothing.
    let err = import_paths(
        &corpus,
        &[
            fixture("doccano/ner.jsonl"),
            fixture("bad/doccano_bad.jsonl"),
        ],
        None,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().ends_with("nothing was imported"));
}

#[test]
fn strict_export_writes_nothing_when_something_would_be_lost() {
    let mut corpus = Corpus::new(Project::new("p"));
    let doc = document_from_text(&corpus, "d", "Putin met Aliyev in Moscow.", None);
    corpus.insert_document(doc);
    let set = corpus.set_mut("anna", "d");
    for (id, s, e, l) in [(1, 0, 5, "ACTOR"), (2, 0, 16, "CLAIM"), (3, 1, 5, "ACTOR")] {
        set.spans.push(Span {
            id: SpanId(id),
            start: s,
            end: e,
            label: l.into(),
            text: "Putin met Aliyev in Moscow."[s..e].into(),
            attrs: BTreeMap::new(),
            note: String::new(),
            origin: Default::default(),
            review: Default::default(),
            score: None,
        });
    }
    set.relations.push(Relation {
        id: RelationId(1),
        kind: "SAID_BY".into(),
        from: SpanId(2),
        to: SpanId(1),
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.conll");
    let strict = ExportOptions {
        strict: true,
        ..ExportOptions::default()
    };
    let err = formats::export_to_path(&corpus, ExportFormat::Conll, &strict, &out, &mut |_, _| {})
        .unwrap_err();
    assert!(
        matches!(err, formats::ExportError::Strict(ref n) if n.len() == 3),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
    let report = formats::export_to_path(
        &corpus,
        ExportFormat::Conll,
        &ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(report.spans, 1);
    assert_eq!(
        report.notes,
        vec![
            "d (anna) span 3 [1..5) ACTOR: dropped: does not start and end on token boundaries (it cuts token \"Putin\")",
            "d (anna) span 1 [0..5) ACTOR: dropped: is nested in span 2 [0..16) CLAIM, which is kept (--nested outer keeps one level; --nested columns keeps both)",
            "d (anna): 1 relation(s) dropped: CoNLL has no place for relations",
        ]
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with(
            "-DOCSTART- -X- O O\n\nPutin B-CLAIM\nmet I-CLAIM\nAliyev I-CLAIM\nin O\n"
        ),
        "{written}"
    );
}

#[test]
fn every_format_has_a_name_and_companions() {
    assert_eq!(ExportFormat::ALL.len(), 8);
    let names: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "spans-jsonl",
            "doccano",
            "label-studio",
            "brat",
            "conll",
            "hf-tokens",
            "csv",
            "spacy"
        ]
    );
    for f in ExportFormat::ALL {
        use clap::ValueEnum;
        assert_eq!(f.to_possible_value().unwrap().get_name(), f.name());
        assert!(!f.describe().is_empty());
    }
    assert!(ExportFormat::Brat.writes_folder());
    let out = Path::new("x/tasks.json");
    assert_eq!(
        ExportFormat::LabelStudio.companion_files(out),
        vec![PathBuf::from("x/tasks.label_config.xml")]
    );
}

#[test]
fn gold_layer_exports_only_the_adjudicated_annotator() {
    let mut corpus = Corpus::new(Project::new("p"));
    for id in ["a", "b"] {
        let doc = document_from_text(&corpus, id, "Putin met Aliyev.", None);
        corpus.insert_document(doc);
    }
    corpus.set_mut("anna", "a");
    corpus.set_mut("gold", "a");
    let records = formats::select(&corpus, &Layer::Gold).unwrap();
    let who: Vec<(&str, Option<&str>)> = records
        .iter()
        .map(|r| (r.doc.id.as_str(), r.annotator))
        .collect();
    assert_eq!(who, vec![("a", Some("gold")), ("b", None)]);
    let no_gold = Corpus::new(Project::new("p"));
    assert!(matches!(
        formats::select(&no_gold, &Layer::Gold),
        Err(formats::ExportError::NoGold)
    ));
}

#[test]
fn csv_writes_one_row_per_span_and_relation() {
    let corpus = sample_corpus();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("spans.csv");
    formats::export_to_path(
        &corpus,
        ExportFormat::Csv,
        &ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][7], "Երևան 👍🏽");
    assert_eq!(&rows[0][8], "{\"certainty\":\"high\"}");
    let mut rel = csv::Reader::from_path(dir.path().join("spans.relations.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rel.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][3], "LOCATED_IN");
}

#[test]
fn hf_tokens_writes_label_names_and_integer_tags() {
    let corpus = sample_corpus();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hf.jsonl");
    formats::export_to_path(
        &corpus,
        ExportFormat::HfTokens,
        &ExportOptions::default(),
        &out,
        &mut |_, _| {},
    )
    .unwrap();
    let names: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("hf.labels.json")).unwrap())
            .unwrap();
    assert_eq!(names[0], "O");
    assert_eq!(names.len(), 1 + 2 * 5);
    let line: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let toks: Vec<&str> = line["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let tags: Vec<&str> = line["ner_tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| names[t.as_u64().unwrap() as usize].as_str())
        .collect();
    assert_eq!(toks, ["Putin", "visited", "Երևան", "👍🏽", "."]);
    assert_eq!(tags, ["B-ACTOR", "O", "B-PLACE", "I-PLACE", "O"]);
}

fn sample_corpus() -> Corpus {
    let mut corpus = Corpus::new(Project::new("p"));
    let text = "Putin visited Երևան 👍🏽.";
    let doc = document_from_text(&corpus, "d", text, None);
    corpus.insert_document(doc);
    let set = corpus.set_mut("anna", "d");
    let mk = |id, s: usize, e: usize, l: &str| Span {
        id: SpanId(id),
        start: s,
        end: e,
        label: l.into(),
        text: slice_chars(text, s, e).unwrap().into(),
        attrs: BTreeMap::new(),
        note: String::new(),
        origin: Default::default(),
        review: Default::default(),
        score: None,
    };
    let mut place = mk(1, 14, 22, "PLACE");
    place.attrs.insert("certainty".into(), "high".into());
    set.spans.push(place);
    set.spans.push(mk(2, 0, 5, "ACTOR"));
    set.relations.push(Relation {
        id: RelationId(1),
        kind: "LOCATED_IN".into(),
        from: SpanId(2),
        to: SpanId(1),
    });
    corpus
}

#[test]
fn offsets_counted_over_crlf_text_land_on_the_same_characters() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Talks in Baku.\r\nThen Երևան 👍🏽 and Москва.\r\n";
    // Offsets as Python counts them over the text as the file holds it.
    let chars: Vec<char> = text.chars().collect();
    let find = |w: &str| {
        let wc: Vec<char> = w.chars().collect();
        let s = (0..chars.len())
            .find(|&i| chars[i..].starts_with(&wc))
            .unwrap();
        (s, s + wc.len())
    };
    let (a, b) = (find("Երևան"), find("Москва"));
    let line =
        serde_json::json!({"text": text, "label": [[a.0, a.1, "PLACE"], [b.0, b.1, "PLACE"]]});
    let path = dir.path().join("crlf.jsonl");
    std::fs::write(&path, format!("{line}\n")).unwrap();
    let corpus = Corpus::new(Project::new("p"));
    let imp = import_paths(&corpus, &[path], None, &mut |_, _| {}).unwrap();
    let doc = &imp.documents[0];
    assert_eq!(doc.text, "Talks in Baku.\nThen Երևան 👍🏽 and Москва.\n");
    assert_eq!(doc.import.crlf_converted, 2);
    let got: Vec<(usize, usize, &str)> = imp.sets[0]
        .spans
        .iter()
        .map(|s| (s.start, s.end, s.text.as_str()))
        .collect();
    assert_eq!(got, vec![(20, 25, "Երևան"), (33, 39, "Москва")]);
}

#[test]
fn conll_reads_iob1_bioes_and_bilou_tags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.conll");
    std::fs::write(
        &path,
        "Putin I-ACTOR\nmet O\nAliyev S-ACTOR\nin O\nNew B-PLACE\nYork E-PLACE\n\nBaku U-PLACE\nand O\nLachin B-PLACE\ncorridor L-PLACE\n",
    )
    .unwrap();
    let corpus = Corpus::new(Project::new("p"));
    let imp = import_paths(&corpus, &[path], Some(ImportFormat::Conll), &mut |_, _| {}).unwrap();
    assert_eq!(
        imp.documents[0].text,
        "Putin met Aliyev in New York\nBaku and Lachin corridor"
    );
    let got: Vec<&str> = imp.sets[0].spans.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        got,
        ["Putin", "Aliyev", "New York", "Baku", "Lachin corridor"]
    );
}

#[test]
fn label_studio_offsets_in_utf16_are_recognised_by_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = "👍🏽 Aliyev spoke.";
    // An older Label Studio counted UTF-16 code units: the emoji is 4 of them.
    let task = serde_json::json!([{"data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 5, "end": 11, "text": "Aliyev", "labels": ["ACTOR"]}}]}]}]);
    let path = dir.path().join("ls.json");
    std::fs::write(&path, task.to_string()).unwrap();
    let corpus = Corpus::new(Project::new("p"));
    let imp = import_paths(&corpus, &[path], None, &mut |_, _| {}).unwrap();
    let s = &imp.sets[0].spans[0];
    assert_eq!((s.start, s.end, s.text.as_str()), (3, 9, "Aliyev"));
    assert!(
        imp.notes
            .iter()
            .any(|n| n.contains("were UTF-16 code units")),
        "{:?}",
        imp.notes
    );
}

#[test]
fn label_config_lists_labels_and_relations_escaped() {
    let mut p = Project::new("p");
    p.labels[0].key = "A&B".into();
    let xml = formats::label_studio::label_config(&p);
    assert!(
        xml.contains(r##"<Label value="A&amp;B" background="#e6194b"/>"##),
        "{xml}"
    );
    assert!(xml.contains(r#"<Relation value="SAID_BY"/>"#));
    assert!(xml.contains(r#"<Labels name="label" toName="text">"#));
    assert!(xml.contains(r#"<Text name="text" value="$text"/>"#));
}

#[test]
fn detection_reads_only_a_prefix_and_still_recognises_big_files() {
    let dir = tempfile::tempdir().unwrap();
    // A doccano file longer than the detection prefix.
    let line = "{\"text\": \"Putin met Aliyev.\", \"label\": [[0, 5, \"ACTOR\"]]}\n";
    let jsonl = dir.path().join("big.jsonl");
    std::fs::write(&jsonl, line.repeat(40_000)).unwrap();
    assert!(std::fs::metadata(&jsonl).unwrap().len() > 1 << 20);
    assert_eq!(
        formats::detect(&jsonl),
        Some(formats::ImportFormat::Doccano)
    );
    // A Label Studio export (one JSON array) too long to parse from its prefix.
    let task = "{\"id\": 1, \"data\": {\"text\": \"Putin met Aliyev.\"}, \"annotations\": []},\n";
    let ls = dir.path().join("export.json");
    std::fs::write(
        &ls,
        format!(
            "[\n{}{}]",
            task.repeat(30_000),
            task.trim_end().trim_end_matches(',')
        ),
    )
    .unwrap();
    assert_eq!(
        formats::detect(&ls),
        Some(formats::ImportFormat::LabelStudio)
    );
    // A huge file is not read whole: a sparse multi-gigabyte file is detected (as
    // nothing it knows) from its first bytes.
    let huge = dir.path().join("huge.json");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(4 << 30).unwrap();
    assert_eq!(formats::detect(&huge), None);
}
