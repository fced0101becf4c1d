//! A short fuzz run (the long one is `cargo bench --bench fuzz`, see docs/RELIABILITY.md)
//! and the truncation test: every prefix of every annotated fixture is refused or
//! imported exactly.

#[path = "../benches/fuzz/engine.rs"]
mod engine;

use std::time::Duration;

use spanbench::formats::{self, ImportFormat};

#[test]
fn short_fuzz_run_finds_no_panic_hang_or_bad_acceptance() {
    let totals = engine::run(
        0x5eed,
        3_000,
        Duration::from_secs(40),
        Duration::from_secs(10),
        |_| {},
    );
    assert!(totals.cases >= 300, "only {} cases ran", totals.cases);
    assert!(totals.refused > 0 && totals.imported > 0, "{totals:?}");
    assert_eq!(totals.failed, 0, "{:#?}", totals.failures);
}

/// Every intact fixture imports (so the fuzz cases start from valid input).
#[test]
fn every_fixture_imports_intact() {
    let corpus = engine::permissive_corpus();
    for fx in engine::fixtures() {
        let dir = tempfile::tempdir().unwrap();
        engine::write_case(&fx, dir.path(), &fx.files[fx.main].1);
        assert_eq!(
            engine::run_case(&fx, dir.path(), &corpus),
            engine::Outcome::Imported,
            "{}",
            fx.name
        );
    }
}

type Seen = Vec<(String, Vec<(usize, usize, String, String)>)>;

fn seen(imp: &formats::Imported) -> Seen {
    let mut out: Seen = imp
        .documents
        .iter()
        .map(|d| {
            let mut spans: Vec<(usize, usize, String, String)> = imp
                .sets
                .iter()
                .filter(|s| s.document == d.id)
                .flat_map(|s| {
                    s.spans
                        .iter()
                        .map(|x| (x.start, x.end, x.label.clone(), x.text.clone()))
                })
                .collect();
            spans.sort();
            (d.text.clone(), spans)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_prefix_of_an_annotated_fixture_is_refused_or_imported_exactly() {
    let corpus = engine::permissive_corpus();
    let mut prefixes = 0;
    let mut accepted = 0;
    for fx in engine::fixtures() {
        let annotated = matches!(
            fx.format,
            Some(
                ImportFormat::SpansJsonl
                    | ImportFormat::Doccano
                    | ImportFormat::LabelStudio
                    | ImportFormat::Brat
                    | ImportFormat::Conll
            )
        );
        if !annotated {
            continue;
        }
        let full = fx.files[fx.main].1.clone();
        let dir = tempfile::tempdir().unwrap();
        let import = |bytes: &[u8], format: Option<ImportFormat>| {
            engine::write_case(&fx, dir.path(), bytes);
            let path = dir.path().join(&fx.files[fx.main].0);
            formats::import_paths_as(&corpus, &[path], format, "fuzz", &mut |_, _| {})
        };
        let whole = seen(&import(&full, fx.format).expect(&fx.name));
        for cut in 0..full.len() {
            prefixes += 1;
            let prefix = &full[..cut];
            // Detected from content, as a user's import would be.
            let Ok(got) = import(prefix, None) else {
                continue;
            };
            accepted += 1;
            let rest = &full[cut..];
            // A cut right after a line break, or only of trailing white space: nothing
            // of any record is missing.
            let at_boundary = rest.iter().all(u8::is_ascii_whitespace)
                || prefix.is_empty()
                || (fx.lines
                    && (prefix.last() == Some(&b'\n')
                        || rest.starts_with(b"\n")
                        || rest.starts_with(b"\r\n")));
            assert!(
                at_boundary,
                "{}: the prefix of {cut} bytes was accepted though it ends inside a record: {:?}",
                fx.name,
                String::from_utf8_lossy(&prefix[prefix.len().saturating_sub(60)..])
            );
            // What was accepted is what the full file says, up to where it was cut.
            for (text, spans) in seen(&got) {
                let Some((_, full_spans)) = whole.iter().find(|(t, _)| t.starts_with(&text)) else {
                    panic!(
                        "{}: {cut} bytes gave a document the full file lacks: {text:?}",
                        fx.name
                    );
                };
                let n = text.chars().count();
                for s in &spans {
                    // CoNLL holds token lines, not spans: a cut between the lines of one
                    // span gives the part of it the file still holds, ending at its end.
                    let cut_span = fx.format == Some(ImportFormat::Conll)
                        && s.1 == n
                        && full_spans.iter().any(|f| {
                            f.0 == s.0 && f.1 > s.1 && f.2 == s.2 && f.3.starts_with(&s.3)
                        });
                    assert!(
                        full_spans.contains(s) || cut_span,
                        "{}: {cut} bytes gave span {s:?}, which the full file lacks",
                        fx.name
                    );
                }
            }
        }
    }
    assert!(prefixes > 3_000, "{prefixes}");
    assert!(accepted > 0);
}
