//! Exports for training: the label subset and the three nesting modes of the token
//! formats (CoNLL, hf-tokens), and the spaCy DocBin, byte for byte against what spaCy
//! writes and read back through a msgpack reader.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use proptest::prelude::*;
use spanbench::formats::{
    self, ExportError, ExportFormat, ExportOptions, Layer, Nesting, Record, Report, TagScheme,
    tagging,
};
use spanbench::import::document_from_text;
use spanbench::model::{Corpus, Project, Span, SpanId};
use spanbench::offsets::slice_chars;

const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];

fn span(text: &str, id: u32, s: usize, e: usize, label: &str) -> Span {
    Span {
        id: SpanId(id),
        start: s,
        end: e,
        label: label.into(),
        text: slice_chars(text, s, e).unwrap().into(),
        attrs: BTreeMap::new(),
        note: String::new(),
        origin: Default::default(),
        review: Default::default(),
        score: None,
    }
}

/// A corpus of one document `d` annotated by `anna` with `spans` (id, start, end, label).
fn corpus_with(text: &str, spans: &[(u32, usize, usize, &str)]) -> Corpus {
    let mut corpus = Corpus::new(Project::new("p"));
    let doc = document_from_text(&corpus, "d", text, None);
    corpus.insert_document(doc);
    let set = corpus.set_mut("anna", "d");
    for &(id, s, e, l) in spans {
        set.spans.push(span(text, id, s, e, l));
    }
    corpus
}

fn export_bytes(corpus: &Corpus, format: ExportFormat, opts: &ExportOptions) -> (Vec<u8>, Report) {
    let records = formats::select(corpus, &opts.layer).unwrap();
    let mut out = Vec::new();
    let (report, _) =
        formats::write_export(&records, corpus, format, opts, &mut out, &mut |_, _| {}).unwrap();
    (out, report)
}

fn opts(nested: Nesting, labels: Option<&[&str]>) -> ExportOptions {
    ExportOptions {
        nested,
        labels: labels.map(|ls| ls.iter().map(|l| l.to_string()).collect()),
        ..ExportOptions::default()
    }
}

/// Decodes one level of tags into char spans, checking the scheme's rules (those of
/// seqeval's strict mode) sentence by sentence.
fn decode_level(
    tagged: &tagging::Tagged,
    level: usize,
    scheme: TagScheme,
) -> Result<Vec<(usize, usize, String)>, String> {
    let tags = &tagged.levels[level];
    let mut out = Vec::new();
    for sent in tagged.sentence_ranges() {
        let mut open: Option<(usize, usize, String)> = None;
        for tt in &tags[sent] {
            let (p, l) = (tt.prefix, tt.label.to_string());
            let continues = open.as_ref().is_some_and(|o| o.2 == l);
            match (scheme, p) {
                (_, 'O') | (TagScheme::Iob2, 'B') => {
                    if scheme == TagScheme::Bioes && open.is_some() {
                        return Err(format!("{} while a span is open", tt.tag()));
                    }
                    out.extend(open.take());
                    if p == 'B' {
                        open = Some((tt.start, tt.end, l));
                    }
                }
                (TagScheme::Bioes, 'B') if open.is_none() => open = Some((tt.start, tt.end, l)),
                (TagScheme::Bioes, 'S') if open.is_none() => out.push((tt.start, tt.end, l)),
                (_, 'I') if continues => open.as_mut().unwrap().1 = tt.end,
                (TagScheme::Bioes, 'E') if continues => {
                    let (s, _, l) = open.take().unwrap();
                    out.push((s, tt.end, l));
                }
                _ => return Err(format!("unexpected {} here", tt.tag())),
            }
        }
        if let Some(o) = open.take() {
            if scheme == TagScheme::Bioes {
                return Err("BIOES span left open at a sentence end".into());
            }
            out.push(o);
        }
    }
    Ok(out)
}

fn word_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "Putin ",
        "met ",
        "Aliyev",
        " ",
        "  ",
        "\n",
        "\n\n",
        "Azerbaijan's ",
        "NKR’s ",
        "didn't ",
        "in ",
        "Baku",
        ". ",
        ", ",
        "Երևան ",
        "👍🏽 ",
        "e\u{301} ",
        "Sept. ",
    ]);
    prop::collection::vec(pieces, 1..24).prop_map(|v| format!("W {}", v.concat()))
}

type Seed = (usize, usize, usize);

fn nested_corpus() -> impl Strategy<Value = (String, Vec<Seed>)> {
    (
        word_text(),
        prop::collection::vec((0usize..200, 0usize..200, 0usize..5), 0..14),
    )
}

fn build(text: &str, seeds: &[Seed]) -> Corpus {
    let n = text.chars().count();
    let mut spans = Vec::new();
    for (i, &(a, b, l)) in seeds.iter().enumerate() {
        let (s, e) = (a.min(b) % n, a.max(b) % n + 1);
        // A layer never holds two identical spans (same offsets and label).
        if s >= e
            || slice_chars(text, s, e).unwrap().trim().is_empty()
            || spans
                .iter()
                .any(|&(_, s2, e2, l2)| (s2, e2, l2) == (s, e, LABELS[l]))
        {
            continue;
        }
        spans.push((i as u32 + 1, s, e, LABELS[l]));
    }
    corpus_with(text, &spans)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// For every mode, label subset and scheme: each level decodes under the scheme's
    /// strict rules; every span kept is a source span of an exported label; every span
    /// of an exported label is kept or reported by id; spans of other labels are
    /// neither; and each mode keeps what it promises.
    #[test]
    fn every_mode_keeps_or_reports_each_span_of_the_exported_labels(
        (text, seeds) in nested_corpus(),
        mode in prop::sample::select(vec![Nesting::Outer, Nesting::Inner, Nesting::Columns]),
        mask in 1u8..32,
        bioes in any::<bool>(),
    ) {
        let corpus = build(&text, &seeds);
        let labels: Vec<&str> = LABELS.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, l)| *l).collect();
        let scheme = if bioes { TagScheme::Bioes } else { TagScheme::Iob2 };
        let o = ExportOptions { scheme, ..opts(mode, Some(&labels)) };
        let records = formats::select(&corpus, &Layer::All).unwrap();
        for rec in &records {
            let mut report = Report::default();
            let (tagged, kept) = tagging::tag_record(rec, &o, &mut report);
            let mut decoded: Vec<(usize, usize, String, usize)> = Vec::new();
            for level in 0..tagged.levels.len() {
                let spans = decode_level(&tagged, level, scheme).map_err(TestCaseError::fail)?;
                decoded.extend(spans.into_iter().map(|(s, e, l)| (s, e, l, level)));
            }
            prop_assert_eq!(decoded.len(), kept);
            if mode != Nesting::Columns {
                prop_assert_eq!(tagged.levels.len(), 1);
            }
            let source = rec.spans();
            for (s, e, l, _) in &decoded {
                prop_assert!(labels.contains(&l.as_str()), "{} is not exported", l);
                prop_assert!(source.iter().any(|sp| sp.start == *s && sp.end == *e && &sp.label == l),
                    "[{}..{}) {} is not in the source", s, e, l);
            }
            let mut reported = 0;
            for sp in source {
                let tag = format!(" span {} [{}..{})", sp.id.0, sp.start, sp.end);
                let notes: Vec<&String> = report.notes.iter().filter(|n| n.contains(&tag) && n.contains("dropped")).collect();
                let kept_it = decoded.iter().any(|(s, e, l, _)| *s == sp.start && *e == sp.end && *l == sp.label);
                if labels.contains(&sp.label.as_str()) {
                    prop_assert!(kept_it || notes.len() == 1, "span {} neither kept nor reported once: {:?}", sp.id.0, report.notes);
                    reported += usize::from(!notes.is_empty() && !kept_it);
                } else {
                    prop_assert!(notes.is_empty() && !kept_it, "span {} of a label left out was exported or reported", sp.id.0);
                }
            }
            let exported = source.iter().filter(|s| labels.contains(&s.label.as_str())).count();
            prop_assert_eq!(kept + reported, exported);
            for n in &report.notes {
                match mode {
                    // Nothing is dropped for being nested: only spans that cross.
                    Nesting::Columns => prop_assert!(!n.contains("nested in") && !n.contains(": dropped: contains") && !n.contains("same tokens"), "{}", n),
                    // The outer span of two nested ones is never the one dropped.
                    Nesting::Outer => prop_assert!(!n.contains(": dropped: contains"), "{}", n),
                    Nesting::Inner => prop_assert!(!n.contains(": dropped: is nested in"), "{}", n),
                }
            }
            if mode == Nesting::Columns {
                // A span on a level below the first lies inside a span of the level above.
                for (s, e, l, level) in decoded.iter().filter(|d| d.3 > 0) {
                    prop_assert!(decoded.iter().any(|(ps, pe, _, pl)| *pl + 1 == *level && ps <= s && e <= pe),
                        "[{}..{}) {} on level {} has no span around it", s, e, l, level + 1);
                }
            }
        }
    }
}

const NESTED: &str = "Putin met Aliyev in Baku on 9 November 2023.";

/// Three levels (CLAIM > AGREEMENT_TERM > PLACE), a span crossing the CLAIM (DATE),
/// and two spans over the same token (ACTOR and PLACE "Putin").
fn nested_sample() -> Corpus {
    corpus_with(
        NESTED,
        &[
            (1, 0, 24, "CLAIM"),
            (2, 10, 24, "AGREEMENT_TERM"),
            (3, 20, 24, "PLACE"),
            (4, 20, 38, "DATE"),
            (5, 0, 5, "ACTOR"),
            (6, 0, 5, "PLACE"),
        ],
    )
}

fn conll_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn columns_write_one_tag_column_per_nesting_level() {
    let corpus = nested_sample();
    let (out, report) = export_bytes(&corpus, ExportFormat::Conll, &opts(Nesting::Columns, None));
    assert_eq!(
        conll_lines(&out),
        [
            "-DOCSTART- -X- O O",
            "",
            "Putin B-CLAIM B-ACTOR B-PLACE",
            "met I-CLAIM O O",
            "Aliyev I-CLAIM B-AGREEMENT_TERM O",
            "in I-CLAIM I-AGREEMENT_TERM O",
            "Baku I-CLAIM I-AGREEMENT_TERM B-PLACE",
            "on O O O",
            "9 O O O",
            "November O O O",
            "2023 O O O",
            ". O O O",
            "",
        ]
    );
    assert_eq!(report.spans, 5);
    assert_eq!(
        report.notes,
        [
            "d (anna) span 4 [20..38) DATE: dropped: partly overlaps span 1 [0..24) CLAIM, which is kept; no token format holds two spans that cross"
        ]
    );
}

#[test]
fn outer_and_inner_keep_one_level_and_say_which_span_won() {
    let corpus = nested_sample();
    let (out, report) = export_bytes(&corpus, ExportFormat::Conll, &opts(Nesting::Outer, None));
    let tags: Vec<String> = conll_lines(&out)[2..12]
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        tags,
        [
            "B-CLAIM", "I-CLAIM", "I-CLAIM", "I-CLAIM", "I-CLAIM", "O", "O", "O", "O", "O"
        ]
    );
    assert_eq!(report.spans, 1);
    assert!(report.notes.contains(&"d (anna) span 5 [0..5) ACTOR: dropped: is nested in span 1 [0..24) CLAIM, which is kept (--nested outer keeps one level; --nested columns keeps both)".to_string()), "{:?}", report.notes);
    assert_eq!(report.notes.len(), 5);

    let (out, report) = export_bytes(&corpus, ExportFormat::Conll, &opts(Nesting::Inner, None));
    let tags: Vec<String> = conll_lines(&out)[2..12]
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        tags,
        ["B-ACTOR", "O", "O", "O", "B-PLACE", "O", "O", "O", "O", "O"]
    );
    assert_eq!(report.spans, 2);
    let notes = report.notes.join("\n");
    assert!(notes.contains("span 6 [0..5) PLACE: dropped: covers the same tokens as span 5 [0..5) ACTOR, which is kept"), "{notes}");
    assert!(notes.contains("span 1 [0..24) CLAIM: dropped: contains span 5 [0..5) ACTOR, which is kept (--nested inner keeps one level; --nested columns keeps both)"), "{notes}");
    assert!(
        notes.contains("span 4 [20..38) DATE: dropped: contains span 3 [20..24) PLACE"),
        "{notes}"
    );
    assert_eq!(report.notes.len(), 4);
}

#[test]
fn a_label_subset_leaves_other_spans_out_without_reporting_them() {
    let corpus = nested_sample();
    let o = opts(Nesting::Outer, Some(&["ACTOR", "DATE"]));
    let (out, report) = export_bytes(&corpus, ExportFormat::Conll, &o);
    let lines = conll_lines(&out);
    assert_eq!(lines[2], "Putin B-ACTOR");
    assert_eq!(lines[6], "Baku B-DATE");
    assert_eq!(lines[9], "November I-DATE");
    assert_eq!(report.spans, 2);
    assert!(report.notes.is_empty(), "{:?}", report.notes);

    // hf-tokens: the label names cover the subset only, in schema order.
    let mut project = corpus.project.clone();
    project.labels.retain(|l| l.key != "CLAIM");
    assert_eq!(
        formats::hf_tokens::label_names(&project, &o),
        ["O", "B-ACTOR", "I-ACTOR", "B-DATE", "I-DATE"]
    );
}

#[test]
fn hf_tokens_columns_have_one_tag_list_per_level() {
    let corpus = nested_sample();
    let o = opts(Nesting::Columns, None);
    let (out, _) = export_bytes(&corpus, ExportFormat::HfTokens, &o);
    let row: serde_json::Value =
        serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
    let names = formats::hf_tokens::label_names(&corpus.project, &o);
    let level = |field: &str| -> Vec<String> {
        row[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| names[t.as_u64().unwrap() as usize].clone())
            .collect()
    };
    assert_eq!(
        level("ner_tags")[..6],
        ["B-CLAIM", "I-CLAIM", "I-CLAIM", "I-CLAIM", "I-CLAIM", "O"]
    );
    assert_eq!(
        level("ner_tags_2")[..6],
        [
            "B-ACTOR",
            "O",
            "B-AGREEMENT_TERM",
            "I-AGREEMENT_TERM",
            "I-AGREEMENT_TERM",
            "O"
        ]
    );
    assert_eq!(
        level("ner_tags_3")[..6],
        ["B-PLACE", "O", "O", "O", "B-PLACE", "O"]
    );
    assert!(row.get("ner_tags_4").is_none());

    // Without nesting in the data, columns still writes the two GermEval levels.
    let flat = corpus_with("Putin met Aliyev.", &[(1, 0, 5, "ACTOR")]);
    let (out, _) = export_bytes(&flat, ExportFormat::HfTokens, &o);
    let row: serde_json::Value =
        serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(row["ner_tags_2"], serde_json::json!([0, 0, 0, 0]));
    let (out, _) = export_bytes(&flat, ExportFormat::Conll, &o);
    assert_eq!(conll_lines(&out)[2], "Putin B-ACTOR O");
}

#[test]
fn options_a_format_does_not_take_are_refused() {
    let corpus = nested_sample();
    let records = formats::select(&corpus, &Layer::All).unwrap();
    let run = |format, o: &ExportOptions| {
        formats::write_export(
            &records,
            &corpus,
            format,
            o,
            &mut Vec::new(),
            &mut |_, _| {},
        )
        .map(|_| ())
    };
    let err = run(
        ExportFormat::Conll,
        &opts(Nesting::Outer, Some(&["ACTOR", "PERSON"])),
    )
    .unwrap_err();
    assert!(
        matches!(err, ExportError::UnknownLabel { ref label, .. } if label == "PERSON"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("ACTOR, DATE, PLACE, CLAIM, AGREEMENT_TERM"),
        "{err}"
    );
    let err = run(ExportFormat::Csv, &opts(Nesting::Outer, Some(&["ACTOR"]))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--labels does not apply to csv; it applies to conll, hf-tokens and spacy"
    );
    let err = run(ExportFormat::SpansJsonl, &opts(Nesting::Inner, None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--nested does not apply to spans-jsonl; it applies to conll, hf-tokens and spacy"
    );
    let err = run(ExportFormat::Spacy, &opts(Nesting::Columns, None)).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "--nested columns (doc.spans[\"sc\"] already keeps every span) does not apply to spacy"
        ),
        "{err}"
    );
    let err = run(ExportFormat::HfTokens, &opts(Nesting::Outer, Some(&[]))).unwrap_err();
    assert!(matches!(err, ExportError::NoLabels), "{err}");
    assert!(run(ExportFormat::Spacy, &opts(Nesting::Inner, Some(&["DATE"]))).is_ok());
}

// ---- spaCy DocBin ----

/// The two records of `tests/fixtures/spacy/make_golden.py`: `d` annotated by anna
/// (a double space, a line break, a possessive, nested spans, DATE which spaCy stores
/// as a reserved symbol) and `e`, which nobody annotated and which starts with a space.
fn golden_corpus() -> Corpus {
    let text = "Putin met Aliyev  on 9 November.\nBaku's talks";
    let mut corpus = corpus_with(
        text,
        &[
            (1, 0, 5, "ACTOR"),
            (2, 10, 16, "ACTOR"),
            (3, 21, 31, "DATE"),
            (4, 0, 16, "CLAIM"),
            (5, 33, 37, "PLACE"),
        ],
    );
    let doc = document_from_text(&corpus, "e", " Leading space", None);
    corpus.insert_document(doc);
    corpus
}

fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("the DocBin is zlib data");
    out
}

#[test]
fn spacy_docbin_matches_the_bytes_spacy_writes() {
    let (out, report) = export_bytes(
        &golden_corpus(),
        ExportFormat::Spacy,
        &ExportOptions::default(),
    );
    assert_eq!(report.records, 2);
    assert_eq!(report.spans, 5);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let golden = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spacy/golden.docbin.msgpack"),
    )
    .unwrap();
    let ours = inflate(&out);
    assert_eq!(ours.len(), golden.len());
    assert!(ours == golden, "the DocBin differs from spaCy's");
}

fn get<'v>(map: &'v rmpv::Value, key: &str) -> &'v rmpv::Value {
    map.as_map()
        .unwrap()
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {key:?}"))
}

fn decode_msgpack(bytes: &[u8]) -> rmpv::Value {
    let mut r = bytes;
    let v = rmpv::decode::read_value(&mut r).unwrap();
    assert!(r.is_empty(), "trailing bytes after the msgpack value");
    v
}

#[test]
fn spacy_docbin_reads_back_with_a_msgpack_reader() {
    use spanbench::formats::spacy::strings::string_id;
    let corpus = golden_corpus();
    let (out, _) = export_bytes(&corpus, ExportFormat::Spacy, &ExportOptions::default());
    let msg = decode_msgpack(&inflate(&out));
    let keys: Vec<&str> = msg
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "version",
            "attrs",
            "tokens",
            "spaces",
            "lengths",
            "strings",
            "cats",
            "flags",
            "span_groups",
            "user_data"
        ]
    );
    let attrs: Vec<u64> = get(&msg, "attrs")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_u64().unwrap())
        .collect();
    assert_eq!(
        attrs,
        [65, 67, 73, 74, 75, 76, 77, 78, 79, 80, 452, 453, 454]
    );
    let lengths: Vec<i32> = get(&msg, "lengths")
        .as_slice()
        .unwrap()
        .chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(lengths, [12, 3]);
    let tokens: Vec<u64> = get(&msg, "tokens")
        .as_slice()
        .unwrap()
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(tokens.len(), 15 * 13);
    let strings: Vec<&str> = get(&msg, "strings")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let mut sorted = strings.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(strings, sorted, "strings are sorted and unique");
    let by_id: BTreeMap<u64, &str> = strings.iter().map(|s| (string_id(s), *s)).collect();
    let spaces = get(&msg, "spaces").as_slice().unwrap();
    // Words and spaces give back each text exactly.
    let mut texts = Vec::new();
    let mut at = 0;
    for n in lengths {
        let mut t = String::new();
        for i in at..at + n as usize {
            t.push_str(by_id[&tokens[i * 13]]);
            if spaces[i] == 1 {
                t.push(' ');
            }
        }
        texts.push(t);
        at += n as usize;
    }
    assert_eq!(
        texts,
        [
            corpus.documents[0].text.as_str(),
            corpus.documents[1].text.as_str()
        ]
    );
    // NORM is the lower-cased word; DATE is spaCy's reserved symbol 391.
    assert_eq!(by_id[&tokens[13 + 1]], "met");
    assert_eq!(tokens[1], string_id("putin"));
    let col = |row: usize, c: usize| tokens[row * 13 + c];
    let iob: Vec<u64> = (0..15).map(|r| col(r, 6)).collect();
    assert_eq!(iob, [3, 1, 1, 2, 2, 3, 1, 2, 2, 3, 2, 2, 0, 0, 0]);
    assert_eq!(col(5, 7), 391);
    let sent: Vec<i64> = (0..15).map(|r| col(r, 9) as i64).collect();
    assert_eq!(
        sent,
        [1, -1, -1, -1, -1, -1, -1, -1, -1, 1, -1, -1, 1, -1, -1]
    );
    // The span group: SpanGroups {group bytes: ["sc"]}, spans packed as >QQQllll.
    let groups = get(&msg, "span_groups").as_array().unwrap();
    let g = decode_msgpack(groups[0].as_slice().unwrap());
    let (gbytes, keys) = &g.as_map().unwrap()[0];
    assert_eq!(keys.as_array().unwrap()[0].as_str(), Some("sc"));
    let group = decode_msgpack(gbytes.as_slice().unwrap());
    assert_eq!(get(&group, "name").as_str(), Some("sc"));
    let spans: Vec<(String, String, i32, i32, i32, i32)> = get(&group, "spans")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let b = s.as_slice().unwrap();
            let u = |i: usize| u64::from_be_bytes(b[i..i + 8].try_into().unwrap());
            let l = |i: usize| i32::from_be_bytes(b[i..i + 4].try_into().unwrap());
            assert_eq!(u(8), 0, "kb_id");
            let label = if u(16) == 391 { "DATE" } else { by_id[&u(16)] };
            (
                by_id[&u(0)].to_string(),
                label.to_string(),
                l(24),
                l(28),
                l(32),
                l(36),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("4".into(), "CLAIM".into(), 0, 3, 0, 16),
            ("1".into(), "ACTOR".into(), 0, 1, 0, 5),
            ("2".into(), "ACTOR".into(), 2, 3, 10, 16),
            ("3".into(), "DATE".into(), 5, 7, 21, 31),
            ("5".into(), "PLACE".into(), 9, 10, 33, 37),
        ]
    );
    // The unannotated document has no span group at all.
    assert_eq!(
        decode_msgpack(groups[1].as_slice().unwrap()),
        rmpv::Value::Array(vec![])
    );
    let user: Vec<rmpv::Value> = get(&msg, "user_data")
        .as_array()
        .unwrap()
        .iter()
        .map(|u| decode_msgpack(u.as_slice().unwrap()))
        .collect();
    assert_eq!(get(&user[0], "doc_id").as_str(), Some("d"));
    assert_eq!(get(&user[0], "annotator").as_str(), Some("anna"));
    assert_eq!(user[1].as_map().unwrap().len(), 1);
}

#[test]
fn spacy_docbin_takes_a_label_subset_and_inner_entities() {
    let corpus = golden_corpus();
    let o = opts(Nesting::Inner, Some(&["ACTOR", "CLAIM"]));
    let (out, report) = export_bytes(&corpus, ExportFormat::Spacy, &o);
    assert_eq!(report.spans, 3);
    let msg = decode_msgpack(&inflate(&out));
    let tokens: Vec<u64> = get(&msg, "tokens")
        .as_slice()
        .unwrap()
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let iob: Vec<u64> = (0..12).map(|r| tokens[r * 13 + 6]).collect();
    // Inner: the two ACTORs, not the CLAIM around them; DATE and PLACE left out.
    assert_eq!(iob, [3, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    let strings: BTreeSet<&str> = get(&msg, "strings")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(strings.contains("CLAIM") && !strings.contains("PLACE"));
}

#[test]
fn spacy_docbin_reports_spans_that_cut_a_token() {
    let corpus = corpus_with(
        "Putin met Aliyev.",
        &[(1, 0, 5, "ACTOR"), (2, 1, 5, "ACTOR")],
    );
    let (_, report) = export_bytes(&corpus, ExportFormat::Spacy, &ExportOptions::default());
    assert_eq!(report.spans, 1);
    assert_eq!(
        report.notes,
        [
            "d (anna) span 2 [1..5) ACTOR: dropped: does not start and end on token boundaries (it cuts token \"Putin\")"
        ]
    );
}

#[test]
fn record_ids_in_reports_do_not_depend_on_the_format() {
    // The same placement drives CoNLL and the DocBin's entities.
    let corpus = nested_sample();
    let records: Vec<Record> = formats::select(&corpus, &Layer::All).unwrap();
    let mut r = Report::default();
    let p = tagging::place(&records[0], &ExportOptions::default(), &mut r, true);
    let kept: Vec<u32> = p.kept.iter().map(|&k| p.aligned[k].span.id.0).collect();
    assert_eq!(kept, [1]);
    assert_eq!(p.aligned.len(), 6);
}
