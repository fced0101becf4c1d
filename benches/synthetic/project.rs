//! A generated project on disk: `docs` news-length documents (220 words) with
//! `spans` one-word spans each, in every layer given, statuses spread over the four.
//! Files are written as spanbench writes them (storage's bytes), in parallel and without
//! fsync: the project is a benchmark's or a test's input, not work to keep.

use std::path::Path;

use rayon::prelude::*;
use spanbench::model::{AnnotationSet, DocStatus, Document, Span, SpanId};
use spanbench::storage;

const WORDS: [&str; 12] = [
    "Aliyev",
    "Pashinyan",
    "ceasefire",
    "corridor",
    "Lachin",
    "Երևան",
    "Карабах",
    "café\u{301}",
    "2020",
    "troops",
    "border",
    "talks",
];
const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];
const WORDS_PER_DOC: usize = 220;

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x
}

/// Writes a new project at `root` (which must not exist or be empty).
pub fn write_project(root: &Path, docs: usize, spans: usize, layers: &[&str]) {
    let mut corpus = storage::create(root, "generated").expect("create project");
    corpus.project.annotators = layers.iter().map(|s| s.to_string()).collect();
    storage::save_project(root, &corpus.project).expect("save project.ron");
    for l in layers {
        std::fs::create_dir_all(root.join("annotations").join(l)).expect("layer folder");
    }
    (0..docs).into_par_iter().for_each(|i| {
        let id = format!("doc-{i:06}");
        let mut text = String::new();
        // (start, end) of each word in scalar values.
        let mut words = Vec::with_capacity(WORDS_PER_DOC);
        let mut at = 0;
        for w in 0..WORDS_PER_DOC {
            let word = WORDS[(mix((i * WORDS_PER_DOC + w) as u64) % WORDS.len() as u64) as usize];
            if w > 0 {
                text.push(if w % 20 == 0 { '\n' } else { ' ' });
                at += 1;
            }
            let n = word.chars().count();
            words.push((at, at + n, word));
            text.push_str(word);
            at += n;
        }
        let doc = Document {
            format_version: spanbench::model::FORMAT_VERSION,
            id: id.clone(),
            title: format!("Generated report {i}"),
            meta: Default::default(),
            import: Default::default(),
            text,
        };
        std::fs::write(
            storage::document_file(root, &id),
            storage::document_bytes(root, &doc).expect("document bytes"),
        )
        .expect("write document");
        for (k, layer) in layers.iter().enumerate() {
            let step = WORDS_PER_DOC / spans.max(1);
            let spans: Vec<Span> = (0..spans.min(WORDS_PER_DOC))
                .map(|s| {
                    let (start, end, word) = words[s * step.max(1)];
                    Span {
                        id: SpanId(s as u32 + 1),
                        start,
                        end,
                        label: LABELS[(mix((i * 31 + s * 7 + k) as u64) % 5) as usize].into(),
                        text: word.to_string(),
                        attrs: Default::default(),
                        note: String::new(),
                        origin: Default::default(),
                        review: Default::default(),
                        score: None,
                    }
                })
                .collect();
            let set = AnnotationSet {
                format_version: spanbench::model::FORMAT_VERSION,
                document: id.clone(),
                annotator: layer.to_string(),
                status: DocStatus::ALL[(i + k) % 4],
                spans,
                relations: Vec::new(),
                decisions: Vec::new(),
            };
            std::fs::write(
                storage::set_file(root, layer, &id),
                storage::set_bytes(root, &set).expect("set bytes"),
            )
            .expect("write set");
        }
    });
}
