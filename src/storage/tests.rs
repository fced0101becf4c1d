use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;
use crate::model::{
    AnnotationSet, Corpus, DocStatus, Document, Origin, Project, Relation, RelationId, Review,
    Span, SpanId,
};
use crate::offsets::slice_chars;

/// Pieces that stress RON strings and offsets: raw-string delimiters, escapes, every
/// script the sample project uses, emoji sequences and combining marks. No CR: stored
/// text never holds one.
const PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    "\n",
    "\n\n",
    "\t",
    ".",
    ",",
    "\"",
    "\\",
    "\\\"",
    "#",
    "\"#",
    "\"##",
    "r#\"",
    "'",
    "(",
    ")",
    "//",
    "/*",
    "Путин",
    "Карабах",
    "Հայաստան",
    "Երևան",
    "ქართული",
    "👍🏽",
    "👨‍👩‍👧",
    "👩🏿‍🔬",
    "🇦🇲",
    "e\u{301}",
    "a\u{308}\u{323}",
    "«",
    "»",
    "“",
    "”",
    "’",
    "\u{200d}",
    "\u{feff}",
    "2023",
];

fn text(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..max_pieces).prop_map(|v| v.concat())
}

const DOC_IDS: &[&str] = &["doc", "Հայ_1", "карабах-2", "x_3"];
const ANNOTATORS: &[&str] = &["gold", "ани", "anna_b"];

#[derive(Debug, Clone)]
struct SpanSpec {
    a: usize,
    b: usize,
    label: usize,
    note: String,
    attrs: Vec<(String, String)>,
    origin: usize,
    review: usize,
}

#[derive(Debug, Clone)]
struct SetSpec {
    annotator: usize,
    doc: usize,
    status: usize,
    spans: Vec<SpanSpec>,
    relations: Vec<(usize, usize, usize)>,
}

fn span_spec() -> impl Strategy<Value = SpanSpec> {
    (
        any::<usize>(),
        any::<usize>(),
        0..5usize,
        text(4),
        prop::collection::vec((text(2), text(3)), 0..3),
        0..3usize,
        0..3usize,
    )
        .prop_map(|(a, b, label, note, attrs, origin, review)| SpanSpec {
            a,
            b,
            label,
            note,
            attrs,
            origin,
            review,
        })
}

fn set_spec() -> impl Strategy<Value = SetSpec> {
    (
        0..ANNOTATORS.len(),
        0..DOC_IDS.len(),
        0..4usize,
        prop::collection::vec(span_spec(), 0..12),
        prop::collection::vec((any::<usize>(), any::<usize>(), 0..4usize), 0..4),
    )
        .prop_map(|(annotator, doc, status, spans, relations)| SetSpec {
            annotator,
            doc,
            status,
            spans,
            relations,
        })
}

/// Builds a valid corpus from generated pieces: spans are clamped into their document
/// and copy its text, so overlaps and nesting arise freely.
fn build_corpus(
    docs: Vec<(String, String, Option<String>, Option<String>)>,
    sets: Vec<SetSpec>,
) -> Corpus {
    let mut project = Project::new("round \"trip\" #1 Հայ");
    let mut corpus = Corpus::new(project.clone());
    for (i, (text, title, source, language)) in docs.into_iter().enumerate() {
        let mut doc = Document::new(DOC_IDS[i], &title, text);
        doc.meta.source = source;
        doc.meta.language = language;
        doc.import.crlf_converted = i;
        doc.import.bom_stripped = i % 2 == 1;
        corpus.insert_document(doc);
    }
    let labels: Vec<String> = project.labels.iter().map(|l| l.key.clone()).collect();
    let kinds: Vec<String> = project
        .relation_types
        .iter()
        .map(|t| t.key.clone())
        .collect();
    for spec in sets {
        let doc_id = DOC_IDS[spec.doc % corpus.documents.len().max(1)];
        let Some(doc) = corpus.document(doc_id).cloned() else {
            continue;
        };
        let annotator = ANNOTATORS[spec.annotator];
        if corpus.set(annotator, doc_id).is_some() {
            continue;
        }
        if !project.annotators.iter().any(|a| a == annotator) {
            project.annotators.push(annotator.to_string());
        }
        let n = doc.text.chars().count();
        let mut set = AnnotationSet::new(doc_id, annotator);
        set.status = DocStatus::ALL[spec.status];
        if n > 0 {
            for (i, s) in spec.spans.into_iter().enumerate() {
                let start = s.a % n;
                let end = start + 1 + s.b % (n - start);
                // A layer holds one span per range and label.
                if set
                    .spans
                    .iter()
                    .any(|x| (x.start, x.end, &x.label) == (start, end, &labels[s.label]))
                {
                    continue;
                }
                set.spans.push(Span {
                    // Ids with gaps, as after deletions.
                    id: SpanId(3 * i as u32 + 1),
                    start,
                    end,
                    label: labels[s.label].clone(),
                    text: slice_chars(&doc.text, start, end).unwrap().to_string(),
                    attrs: s.attrs.into_iter().collect::<BTreeMap<_, _>>(),
                    note: s.note,
                    origin: [Origin::Manual, Origin::Imported, Origin::Suggested][s.origin],
                    review: [Review::Unreviewed, Review::Accepted, Review::Rejected][s.review],
                    score: None,
                });
            }
        }
        if !set.spans.is_empty() {
            for (i, (from, to, kind)) in spec.relations.into_iter().enumerate() {
                let m = set.spans.len();
                let (a, b) = (&set.spans[from % m], &set.spans[to % m]);
                // Only relations the schema allows between the two labels.
                if !project.relation_types[kind].allows(&a.label, &b.label) {
                    continue;
                }
                set.relations.push(Relation {
                    id: RelationId(i as u32 + 1),
                    kind: kinds[kind].clone(),
                    from: a.id,
                    to: b.id,
                });
            }
        }
        corpus
            .annotations
            .entry(annotator.to_string())
            .or_default()
            .insert(doc_id.to_string(), set);
    }
    corpus.project = project;
    corpus
}

fn corpus_strategy() -> impl Strategy<Value = Corpus> {
    (
        prop::collection::vec(
            (
                text(40),
                text(4),
                prop::option::of(text(3)),
                prop::option::of(text(2)),
            ),
            1..=DOC_IDS.len(),
        ),
        prop::collection::vec(set_spec(), 0..6),
    )
        .prop_map(|(docs, sets)| build_corpus(docs, sets))
}

/// What a corpus reads back as: every set in canonical order.
fn canonical(corpus: &Corpus) -> Corpus {
    let mut c = corpus.clone();
    for sets in c.annotations.values_mut() {
        for set in sets.values_mut() {
            set.sort();
        }
    }
    c
}

/// Every file under `root`, relative path to bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn leftover_temp_files(root: &Path) -> Vec<PathBuf> {
    snapshot(root)
        .into_keys()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(".spanbench-") || name.ends_with(".tmp")
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn save_all_then_load_round_trips(corpus in corpus_strategy()) {
        prop_assert_eq!(validate(&corpus), Vec::<Problem>::new());
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        create(&root, "placeholder").unwrap();
        save_all(&root, &corpus).unwrap();
        let loaded = load(&root).unwrap();
        prop_assert_eq!(validate(&loaded), Vec::<Problem>::new());
        prop_assert_eq!(&loaded, &canonical(&corpus));
        prop_assert_eq!(leftover_temp_files(&root), Vec::<PathBuf>::new());

        // Saving what was loaded changes no byte.
        let before = snapshot(&root);
        save_all(&root, &loaded).unwrap();
        prop_assert_eq!(snapshot(&root), before);
    }
}

const FIXTURE_TEXT: &str =
    "Baku and Yerevan signed a deal 👍🏽 in «Москва» on 10 Nov.\nՀայաստան, ქართული.";

/// Scalar range of the first `needle` in the fixture text.
fn at(needle: &str) -> (usize, usize) {
    let b = FIXTURE_TEXT.find(needle).unwrap();
    let start = FIXTURE_TEXT[..b].chars().count();
    (start, start + needle.chars().count())
}

fn span(id: u32, needle: &str, label: &str) -> Span {
    let (start, end) = at(needle);
    Span {
        id: SpanId(id),
        start,
        end,
        label: label.to_string(),
        text: needle.to_string(),
        attrs: BTreeMap::new(),
        note: String::new(),
        origin: Origin::Manual,
        review: Review::Unreviewed,
        score: None,
    }
}

/// A small valid project on disk: one document, one gold set with nested and
/// overlapping spans written out of canonical order, and one relation.
fn fixture() -> (tempfile::TempDir, PathBuf, Corpus) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let mut corpus = create(&root, "fixture").unwrap();
    corpus.insert_document(Document::new("doc", "Baku", FIXTURE_TEXT.to_string()));
    let mut set = AnnotationSet::new("doc", "gold");
    set.status = DocStatus::InProgress;
    set.spans = vec![
        span(5, "Москва", "PLACE"),
        span(2, "Yerevan", "ACTOR"),
        span(4, "Baku and Yerevan", "ACTOR"),
        span(1, "Baku", "ACTOR"),
        span(3, "Baku", "PLACE"),
        span(
            6,
            "Baku and Yerevan signed a deal 👍🏽 in «Москва» on 10 Nov.",
            "AGREEMENT_TERM",
        ),
    ];
    set.spans[0].note = "quoted \"as is\" #1".to_string();
    set.spans[0]
        .attrs
        .insert("lang".to_string(), "ru".to_string());
    set.relations = vec![Relation {
        id: RelationId(1),
        kind: "LOCATED_IN".to_string(),
        from: SpanId(2),
        to: SpanId(5),
    }];
    corpus.project.annotators.push("gold".to_string());
    corpus
        .annotations
        .entry("gold".to_string())
        .or_default()
        .insert("doc".to_string(), set);
    assert_eq!(validate(&corpus), Vec::<Problem>::new());
    save_all(&root, &corpus).unwrap();
    (dir, root, corpus)
}

#[test]
fn saving_twice_gives_identical_bytes() {
    let (_dir, root, corpus) = fixture();
    let first = snapshot(&root);
    save_all(&root, &corpus).unwrap();
    assert_eq!(snapshot(&root), first);

    // A second project saved from the same corpus is byte-identical too.
    let other = tempfile::tempdir().unwrap();
    create(other.path(), "fixture").unwrap();
    save_all(other.path(), &corpus).unwrap();
    assert_eq!(snapshot(other.path()), first);
}

#[test]
fn spans_are_written_in_canonical_order_one_per_line() {
    let (_dir, root, _corpus) = fixture();
    let written = fs::read_to_string(set_file(&root, "gold", "doc")).unwrap();
    let span_lines: Vec<&str> = written
        .lines()
        .filter(|l| l.trim_start().starts_with("(id:") && l.contains("start:"))
        .collect();
    assert_eq!(span_lines.len(), 6, "{written}");
    // Canonical order is (start, end, label, id).
    let ids: Vec<u32> = span_lines
        .iter()
        .map(|l| {
            let rest = &l.trim_start()["(id: ".len()..];
            rest[..rest.find(',').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(ids, [1, 3, 4, 6, 2, 5]);
    for l in &span_lines {
        assert!(l.trim_end().ends_with("),"), "span not on one line: {l}");
    }
    // The file holds every span text verbatim, so git diffs stay readable.
    assert!(written.contains("text: \"Москва\""), "{written}");
    assert!(
        written.contains("note: r##\"quoted \"as is\" #1\"##"),
        "{written}"
    );
    let loaded = load(&root).unwrap();
    let loaded_ids: Vec<u32> = loaded
        .set("gold", "doc")
        .unwrap()
        .spans
        .iter()
        .map(|s| s.id.0)
        .collect();
    assert_eq!(loaded_ids, ids);
}

#[test]
fn documents_keep_text_with_real_line_breaks() {
    let (_dir, root, _corpus) = fixture();
    let written = fs::read_to_string(document_file(&root, "doc")).unwrap();
    assert!(
        written.contains("on 10 Nov.\nՀայաստան"),
        "document text should be written with real line breaks: {written}"
    );
    assert!(!written.contains('\r'));
}

#[test]
fn saving_leaves_no_temporary_files() {
    let (_dir, root, corpus) = fixture();
    save_all(&root, &corpus).unwrap();
    assert_eq!(leftover_temp_files(&root), Vec::<PathBuf>::new());
}

#[test]
fn writing_over_a_directory_fails_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("doc.ron");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside"), b"keep").unwrap();
    let err = atomic::write(&target, b"new").unwrap_err();
    match &err {
        StorageError::Io { path, .. } => assert_eq!(path, &target),
        other => panic!("expected an I/O error naming the target, got {other:?}"),
    }
    assert!(err.to_string().contains("doc.ron"), "{err}");
    assert_eq!(fs::read(target.join("inside")).unwrap(), b"keep");
    assert_eq!(leftover_temp_files(dir.path()), Vec::<PathBuf>::new());
}

/// A write that fails halfway (the file-size limit is hit after the first KiB) must
/// leave the old file byte for byte and no temporary file. Permissions cannot force
/// the failure when tests run as root, so the write runs in a child copy of this test
/// binary under `ulimit -f`.
#[test]
fn failed_write_keeps_the_old_file() {
    const CHILD: &str = "SPANBENCH_TEST_FSIZE_TARGET";
    let new = vec![b'x'; 64 * 1024];
    if let Some(target) = std::env::var_os(CHILD) {
        let target = PathBuf::from(target);
        let err = atomic::write(&target, &new).expect_err("write past the file size limit");
        assert!(matches!(err, StorageError::Io { .. }), "{err:?}");
        assert_eq!(fs::read(&target).unwrap(), b"old contents\n");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("set.ron");
    fs::write(&target, b"old contents\n").unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        // Ignore SIGXFSZ so the write fails with EFBIG instead of killing the child.
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$@\"")
        .arg("bash")
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "storage::tests::failed_write_keeps_the_old_file",
            "--test-threads=1",
        ])
        .env(CHILD, &target)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read(&target).unwrap(), b"old contents\n");
    assert_eq!(leftover_temp_files(dir.path()), Vec::<PathBuf>::new());
    // Without the limit the same write goes through.
    atomic::write(&target, &new).unwrap();
    assert_eq!(fs::read(&target).unwrap(), new);
}

/// Replaces `from` by `to` (exactly once) in a project file.
fn edit_file(path: &Path, from: &str, to: &str) {
    let s = fs::read_to_string(path).unwrap();
    assert_eq!(s.matches(from).count(), 1, "{from:?} in {s}");
    fs::write(path, s.replacen(from, to, 1)).unwrap();
}

/// Loads a project that must be refused, checking the load changed no file.
fn load_fails(root: &Path) -> StorageError {
    let before = snapshot(root);
    let err = load(root).expect_err("load should refuse this project");
    assert_eq!(snapshot(root), before, "a failed load changed files");
    err
}

fn problems_of(err: StorageError) -> Vec<Problem> {
    match err {
        StorageError::Invalid { problems, .. } => problems,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

const SET_FILE: &str = "annotations/gold/doc.ron";

/// Rewrites the gold set with `f` applied, bypassing validation.
fn with_set(root: &Path, corpus: &Corpus, f: impl FnOnce(&mut AnnotationSet)) {
    let mut set = corpus.set("gold", "doc").unwrap().clone();
    f(&mut set);
    save_set(root, &set).unwrap();
}

fn assert_one_problem(root: &Path, file: &str, needles: &[&str]) {
    let problems = problems_of(load_fails(root));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].file, file);
    for n in needles {
        assert!(
            problems[0].message.contains(n),
            "{:?} lacks {n:?}",
            problems[0].message
        );
    }
}

#[test]
fn malformed_ron_names_file_line_and_column() {
    let (_dir, root, _corpus) = fixture();
    let path = set_file(&root, "gold", "doc");
    let s = fs::read_to_string(&path).unwrap();
    // Break line 4 (`annotator: "gold",`) at its 16th column.
    let mut lines: Vec<String> = s.lines().map(String::from).collect();
    assert_eq!(lines[3], "    annotator: \"gold\",");
    lines[3] = "    annotator: @gold\",".to_string();
    let broken = lines.join("\n") + "\n";
    fs::write(&path, &broken).unwrap();
    let err = load_fails(&root);
    match &err {
        StorageError::Parse {
            path: p, line, col, ..
        } => {
            assert_eq!(p, &path);
            // The `@` is at column 16; ron points at it or at the space before it.
            assert_eq!(*line, 4);
            assert!((15..=16).contains(col), "column {col}");
        }
        other => panic!("expected Parse, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}:4:1", path.display())), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
    assert_eq!(fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn truncated_document_is_a_parse_error() {
    let (_dir, root, _corpus) = fixture();
    let path = document_file(&root, "doc");
    let s = fs::read_to_string(&path).unwrap();
    fs::write(&path, &s[..s.len() / 2]).unwrap();
    match load_fails(&root) {
        StorageError::Parse { path: p, line, .. } => {
            assert_eq!(p, path);
            assert!(line >= 1);
        }
        other => panic!("expected Parse, got {other:?}"),
    }
}

#[test]
fn unknown_format_version_is_refused() {
    let (_dir, root, _corpus) = fixture();
    edit_file(
        &project_file(&root),
        "format_version: 1,",
        "format_version: 2,",
    );
    match load_fails(&root) {
        StorageError::Version {
            path,
            found,
            supported,
        } => {
            assert_eq!(path, project_file(&root));
            assert_eq!((found, supported), (2, 1));
        }
        other => panic!("expected Version, got {other:?}"),
    }
}

#[test]
fn newer_file_with_unknown_fields_reports_its_version() {
    let (_dir, root, _corpus) = fixture();
    let path = set_file(&root, "gold", "doc");
    edit_file(
        &path,
        "format_version: 1,",
        "format_version: 7,\n    future_field: true,",
    );
    match load_fails(&root) {
        StorageError::Version { path: p, found, .. } => {
            assert_eq!(p, path);
            assert_eq!(found, 7);
        }
        other => panic!("expected Version, got {other:?}"),
    }
}

#[test]
fn unknown_field_in_current_version_is_a_parse_error() {
    let (_dir, root, _corpus) = fixture();
    let path = document_file(&root, "doc");
    edit_file(&path, "title:", "colour: \"red\",\n    title:");
    assert!(matches!(load_fails(&root), StorageError::Parse { path: p, .. } if p == path));
}

#[test]
fn span_text_that_no_longer_matches_is_refused() {
    let (_dir, root, _corpus) = fixture();
    edit_file(
        &set_file(&root, "gold", "doc"),
        "text: \"Москва\"",
        "text: \"Moscow\"",
    );
    assert_one_problem(&root, SET_FILE, &["span 5", "Moscow", "Москва"]);
    let err = load_fails(&root);
    let msg = err.to_string();
    assert!(msg.contains(SET_FILE) && msg.contains("span 5"), "{msg}");
}

#[test]
fn document_text_edited_under_the_spans_is_refused() {
    let (_dir, root, _corpus) = fixture();
    edit_file(&document_file(&root, "doc"), "Yerevan", "Jerewan");
    let problems = problems_of(load_fails(&root));
    let mut who: Vec<String> = problems
        .iter()
        .map(|p| {
            assert_eq!(p.file, SET_FILE);
            p.message.split(' ').take(2).collect::<Vec<_>>().join(" ")
        })
        .collect();
    who.sort();
    // "Yerevan" is inside spans 2, 4 and 6.
    assert_eq!(who, ["span 2", "span 4", "span 6"], "{problems:?}");
}

#[test]
fn start_not_before_end_is_refused() {
    let (_dir, root, corpus) = fixture();
    with_set(&root, &corpus, |s| {
        let sp = s.spans.iter_mut().find(|x| x.id == SpanId(1)).unwrap();
        sp.end = sp.start;
        sp.text = String::new();
    });
    assert_one_problem(&root, SET_FILE, &["span 1", "start 0 is not before end 0"]);

    let (_dir, root, corpus) = fixture();
    let (start, end) = at("Yerevan");
    with_set(&root, &corpus, |s| {
        let sp = s.spans.iter_mut().find(|x| x.id == SpanId(2)).unwrap();
        std::mem::swap(&mut sp.start, &mut sp.end);
    });
    assert_one_problem(
        &root,
        SET_FILE,
        &["span 2", &format!("start {end} is not before end {start}")],
    );
}

#[test]
fn end_past_the_text_is_refused() {
    let (_dir, root, corpus) = fixture();
    let n = FIXTURE_TEXT.chars().count();
    with_set(&root, &corpus, |s| {
        let sp = s.spans.iter_mut().find(|x| x.id == SpanId(6)).unwrap();
        sp.end = n + 1;
    });
    assert_one_problem(
        &root,
        SET_FILE,
        &[
            "span 6",
            &format!("end {} is past the end of the text ({n} chars)", n + 1),
        ],
    );
}

#[test]
fn end_exactly_at_the_text_end_is_fine() {
    let (_dir, root, corpus) = fixture();
    let n = FIXTURE_TEXT.chars().count();
    with_set(&root, &corpus, |s| {
        let sp = s.spans.iter_mut().find(|x| x.id == SpanId(6)).unwrap();
        sp.end = n;
        sp.text = slice_chars(FIXTURE_TEXT, sp.start, n).unwrap().to_string();
    });
    load(&root).unwrap();
}

#[test]
fn duplicate_span_ids_are_refused() {
    let (_dir, root, corpus) = fixture();
    with_set(&root, &corpus, |s| {
        s.spans.iter_mut().find(|x| x.id == SpanId(4)).unwrap().id = SpanId(3);
    });
    assert_one_problem(&root, SET_FILE, &["span 3", "id used twice"]);
}

#[test]
fn duplicate_relation_ids_are_refused() {
    let (_dir, root, corpus) = fixture();
    with_set(&root, &corpus, |s| {
        let mut r = s.relations[0].clone();
        r.from = SpanId(1);
        s.relations.push(r);
    });
    assert_one_problem(&root, SET_FILE, &["relation 1", "id used twice"]);
}

#[test]
fn relation_to_a_missing_span_is_refused() {
    let (_dir, root, corpus) = fixture();
    with_set(&root, &corpus, |s| s.relations[0].to = SpanId(99));
    assert_one_problem(
        &root,
        SET_FILE,
        &["relation 1", "span 99", "does not exist"],
    );
}

#[test]
fn relation_type_not_in_schema_is_refused() {
    let (_dir, root, corpus) = fixture();
    with_set(&root, &corpus, |s| {
        s.relations[0].kind = "MARRIED_TO".into()
    });
    assert_one_problem(&root, SET_FILE, &["relation 1", "MARRIED_TO"]);
}

#[test]
fn label_not_in_schema_is_refused() {
    let (_dir, root, corpus) = fixture();
    with_set(&root, &corpus, |s| {
        s.spans
            .iter_mut()
            .find(|x| x.id == SpanId(5))
            .unwrap()
            .label = "CITY".into();
    });
    assert_one_problem(
        &root,
        SET_FILE,
        &["span 5", "\"CITY\"", "not in the project's schema"],
    );
}

#[test]
fn label_removed_from_schema_is_refused() {
    let (_dir, root, mut corpus) = fixture();
    corpus.project.labels.retain(|l| l.key != "PLACE");
    save_project(&root, &corpus.project).unwrap();
    let problems = problems_of(load_fails(&root));
    let mut who: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.file, &p.message[..6]))
        .collect();
    who.sort();
    assert_eq!(
        who,
        [format!("{SET_FILE}: span 3"), format!("{SET_FILE}: span 5")]
    );
}

#[test]
fn bad_schema_is_refused() {
    let (_dir, root, mut corpus) = fixture();
    corpus.project.labels[1].color = "blue".into();
    let dup = corpus.project.labels[0].clone();
    corpus.project.labels.push(dup);
    save_project(&root, &corpus.project).unwrap();
    let problems = problems_of(load_fails(&root));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.file == PROJECT_FILE));
    assert!(problems.iter().any(|p| p.message.contains("defined twice")));
    assert!(problems.iter().any(|p| p.message.contains("#rrggbb")));
}

#[test]
fn annotation_for_a_missing_document_is_refused() {
    let (_dir, root, _corpus) = fixture();
    fs::remove_file(document_file(&root, "doc")).unwrap();
    assert_one_problem(&root, SET_FILE, &["\"doc\"", "not in documents/"]);
}

#[test]
fn annotation_file_under_the_wrong_name_is_refused() {
    let (_dir, root, _corpus) = fixture();
    let other = set_file(&root, "gold", "other");
    fs::rename(set_file(&root, "gold", "doc"), &other).unwrap();
    match load_fails(&root) {
        StorageError::Mismatch { path, .. } => assert_eq!(path, other),
        e => panic!("expected Mismatch, got {e:?}"),
    }
}

#[test]
fn document_file_under_the_wrong_name_is_refused() {
    let (_dir, root, _corpus) = fixture();
    let other = document_file(&root, "renamed");
    fs::rename(document_file(&root, "doc"), &other).unwrap();
    match load_fails(&root) {
        StorageError::Mismatch { path, message } => {
            assert_eq!(path, other);
            assert!(message.contains("\"doc\""), "{message}");
        }
        e => panic!("expected Mismatch, got {e:?}"),
    }
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let (_dir, root, corpus) = fixture();
    with_set(&root, &corpus, |s| {
        s.spans
            .iter_mut()
            .find(|x| x.id == SpanId(1))
            .unwrap()
            .label = "NOPE".into();
        s.spans.iter_mut().find(|x| x.id == SpanId(2)).unwrap().text = "x".into();
        s.relations[0].from = SpanId(42);
    });
    let problems = problems_of(load_fails(&root));
    assert_eq!(problems.len(), 3, "{problems:?}");
    // The same project still reads: only load refuses it.
    assert_eq!(validate(&read(&root).unwrap()), problems);
}

#[test]
fn non_utf8_ron_file_is_refused() {
    let (_dir, root, _corpus) = fixture();
    let path = document_file(&root, "doc");
    let mut bytes = fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = 0xff;
    fs::write(&path, &bytes).unwrap();
    match load_fails(&root) {
        StorageError::NotUtf8(p) => assert_eq!(p, path),
        e => panic!("expected NotUtf8, got {e:?}"),
    }
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn folder_that_is_not_a_project_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("documents")).unwrap();
    fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    for root in [
        dir.path().to_path_buf(),
        dir.path().join("missing"),
        dir.path().join("notes.txt"),
    ] {
        match load(&root) {
            Err(StorageError::NotAProject(p)) => assert_eq!(p, root),
            other => panic!("expected NotAProject for {}, got {other:?}", root.display()),
        }
        assert!(!is_project(&root));
    }
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "hello"
    );
    assert!(!dir.path().join("project.ron").exists());
}

#[test]
fn create_refuses_a_non_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    match create(dir.path(), "x") {
        Err(StorageError::NotEmpty(p)) => assert_eq!(p, dir.path()),
        other => panic!("expected NotEmpty, got {other:?}"),
    }
    assert_eq!(snapshot(dir.path()).len(), 1);

    let empty = tempfile::tempdir().unwrap();
    let corpus = create(empty.path(), "x").unwrap();
    assert_eq!(load(empty.path()).unwrap(), corpus);
    assert_eq!(
        fs::read_to_string(empty.path().join(".gitattributes")).unwrap(),
        "*.ron text eol=lf\n"
    );
}

#[test]
fn stray_files_are_ignored() {
    let (_dir, root, corpus) = fixture();
    fs::write(root.join("documents/README.txt"), "not a document").unwrap();
    fs::write(root.join("annotations/.spanbench-abc.tmp"), "half").unwrap();
    fs::write(root.join("annotations/notes.md"), "x").unwrap();
    assert_eq!(load(&root).unwrap(), canonical(&corpus));
}

#[test]
fn sets_written_out_of_order_by_hand_load_in_canonical_order() {
    let (_dir, root, corpus) = fixture();
    let path = set_file(&root, "gold", "doc");
    let s = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = s.lines().collect();
    let first = lines.iter().position(|l| l.contains("(id: 1,")).unwrap();
    lines[first..first + 6].reverse();
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    assert_ne!(fs::read_to_string(&path).unwrap(), s);
    assert_eq!(load(&root).unwrap(), canonical(&corpus));
}

#[cfg(unix)]
#[test]
fn written_files_get_ordinary_permissions_and_keep_changed_ones() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    // What any new file gets under this process's umask.
    let reference = dir.path().join("reference");
    fs::File::create(&reference).unwrap();
    let target = dir.path().join("new.ron");
    atomic::write(&target, b"one").unwrap();
    assert_eq!(mode(&target), mode(&reference));

    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    atomic::write(&target, b"two").unwrap();
    assert_eq!(mode(&target), 0o640);
    assert_eq!(fs::read(&target).unwrap(), b"two");
}
