//! Export speed on a synthetic corpus of 10,000 documents with 50 spans each, to
//! spans-jsonl, to CoNLL (one level, and a tag column per nesting level) and to a spaCy
//! DocBin. benches/compare_python.py builds the same corpus with the same generator and
//! times the Python tools on it (spans-jsonl and CoNLL).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use spanbench::formats::{self, ExportOptions, Layer, Nesting, conll, spacy, spans_jsonl};
use spanbench::model::{Corpus, Document, Project, Span, SpanId};

pub const DOCS: usize = 10_000;
pub const SPANS: usize = 50;
const WORDS_PER_DOC: usize = 220;
const WORDS: [&str; 24] = [
    "Aliyev",
    "Pashinyan",
    "Putin",
    "ceasefire",
    "agreement",
    "corridor",
    "Lachin",
    "Stepanakert",
    "Yerevan",
    "Baku",
    "said",
    "troops",
    "border",
    "talks",
    "Երևան",
    "Ստեփանակերտ",
    "Москва",
    "Карабах",
    "café\u{301}",
    "👍🏽",
    "2020",
    "November",
    "the",
    "peacekeepers",
];
const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];

/// A 64-bit LCG, mirrored in compare_python.py so both sides see the same corpus.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

pub fn synthetic_corpus() -> Corpus {
    let mut rng = Lcg(42);
    let mut corpus = Corpus::new(Project::new("bench"));
    for d in 0..DOCS {
        let mut text = String::new();
        let mut offs = Vec::with_capacity(WORDS_PER_DOC);
        let mut chars = 0;
        for i in 0..WORDS_PER_DOC {
            if i > 0 {
                let sep = if i % 15 == 0 { ". " } else { " " };
                text.push_str(sep);
                chars += sep.chars().count();
            }
            let w = WORDS[rng.next() % WORDS.len()];
            offs.push((chars, chars + w.chars().count()));
            text.push_str(w);
            chars += w.chars().count();
        }
        text.push('.');
        let id = format!("doc{d:05}");
        let mut spans = Vec::with_capacity(SPANS);
        for k in 0..SPANS {
            let i = k * 4 + rng.next() % 2;
            let len = 1 + rng.next() % 2;
            let last = (i + len - 1).min(WORDS_PER_DOC - 1);
            let (start, end) = (offs[i].0, offs[last].1);
            let label = LABELS[rng.next() % LABELS.len()];
            let covered: String = text.chars().skip(start).take(end - start).collect();
            spans.push(Span {
                id: SpanId(k as u32 + 1),
                start,
                end,
                label: label.to_string(),
                text: covered,
                attrs: Default::default(),
                note: String::new(),
                origin: Default::default(),
                review: Default::default(),
                score: None,
            });
        }
        corpus.insert_document(Document::new(&id, &id, text));
        corpus.set_mut("anna", &id).spans = spans;
    }
    corpus
}

fn bench_export(c: &mut Criterion) {
    let corpus = synthetic_corpus();
    let records = formats::select(&corpus, &Layer::All).expect("the synthetic corpus is valid");
    let opts = ExportOptions::default();
    let mut g = c.benchmark_group("export_10k_docs_50_spans");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("spans_jsonl", |b| {
        b.iter(|| {
            let mut out = std::io::sink();
            black_box(spans_jsonl::export_with(&records, &mut out, &mut |_, _| {}).ok())
        })
    });
    g.bench_function("conll", |b| {
        b.iter(|| {
            let mut out = std::io::sink();
            black_box(conll::export(&records, &opts, &mut out, &mut |_, _| {}).ok())
        })
    });
    let columns = ExportOptions {
        nested: Nesting::Columns,
        ..ExportOptions::default()
    };
    g.bench_function("conll_nested_columns", |b| {
        b.iter(|| {
            let mut out = std::io::sink();
            black_box(conll::export(&records, &columns, &mut out, &mut |_, _| {}).ok())
        })
    });
    g.bench_function("spacy_docbin", |b| {
        b.iter(|| {
            let mut out = std::io::sink();
            black_box(spacy::export(&records, &opts, &mut out, &mut |_, _| {}).ok())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_export);
criterion_main!(benches);
