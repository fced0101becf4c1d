//! The synthetic corpus of the agreement and curation benchmarks: 10,000 news-length
//! documents of 220 words; a base of 50 spans each (one or two words, one in eight a
//! CLAIM of six words with the spans inside it nested); each of 4 annotators copies the
//! base and, independently per span, misses it (5 %), swaps its label (5 %), moves a
//! boundary by a word (10 %), and adds an extra span (5 %).

use spanbench::model::{AnnotationSet, Corpus, DocStatus, Document, Project, Span, SpanId};

const DOCS: usize = 10_000;
const ANNOTATORS: usize = 4;
const SPANS: usize = 50;
const WORDS_PER_DOC: usize = 220;
const WORDS: [&str; 16] = [
    "Aliyev",
    "Pashinyan",
    "Putin",
    "ceasefire",
    "agreement",
    "corridor",
    "Lachin",
    "said",
    "troops",
    "border",
    "Երևան",
    "Карабах",
    "café\u{301}",
    "2020",
    "the",
    "peacekeepers",
];
const LABELS: [&str; 5] = ["ACTOR", "DATE", "PLACE", "CLAIM", "AGREEMENT_TERM"];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.next() % 100 < percent
    }
}

fn span(text: &str, id: u32, start: usize, end: usize, label: &str) -> Span {
    Span {
        id: SpanId(id),
        start,
        end,
        label: label.to_string(),
        text: text.chars().skip(start).take(end - start).collect(),
        attrs: Default::default(),
        note: String::new(),
        origin: Default::default(),
        review: Default::default(),
        score: None,
    }
}

pub fn synthetic_corpus() -> Corpus {
    let mut rng = Lcg(7);
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
        let id = format!("doc{d:05}");
        // The base: (first word, last word, label).
        let mut base = Vec::with_capacity(SPANS);
        for k in 0..SPANS {
            let i = k * 4 + rng.next() % 2;
            if k % 8 == 0 && i + 5 < WORDS_PER_DOC {
                base.push((i, i + 5, 3));
            } else {
                let last = (i + rng.next() % 2).min(WORDS_PER_DOC - 1);
                base.push((i, last, [0, 1, 2, 4][rng.next() % 4]));
            }
        }
        for a in 0..ANNOTATORS {
            let mut set = AnnotationSet::new(&id, &format!("annotator{a}"));
            set.status = DocStatus::Done;
            let mut n = 1;
            for &(i, j, l) in &base {
                if rng.chance(5) {
                    continue;
                }
                let (mut i, mut j, mut l) = (i, j, l);
                if rng.chance(5) {
                    l = (l + 1 + rng.next() % 4) % 5;
                }
                if rng.chance(10) {
                    if rng.next().is_multiple_of(2) && i < j {
                        i += 1;
                    } else {
                        j = (j + 1).min(WORDS_PER_DOC - 1);
                    }
                }
                set.spans
                    .push(span(&text, n, offs[i].0, offs[j].1, LABELS[l]));
                n += 1;
                if rng.chance(5) {
                    let w = (i + 2).min(WORDS_PER_DOC - 1);
                    set.spans
                        .push(span(&text, n, offs[w].0, offs[w].1, LABELS[rng.next() % 5]));
                    n += 1;
                }
            }
            set.sort();
            corpus
                .annotations
                .entry(set.annotator.clone())
                .or_default()
                .insert(id.clone(), set);
        }
        corpus.insert_document(Document::new(&id, &id, text));
    }
    corpus
}
