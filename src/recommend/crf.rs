//! The sequence tagger: a linear-chain CRF (CRFsuite, through the `crfsuite` crate)
//! over the project's tokenizer, with ordinary features: the word, its lower case,
//! shape, prefixes and suffixes, its neighbours, and the string matcher's hits.
//!
//! Spans are tagged BIO per nesting level: level 0 holds the spans no other span of the
//! layer contains, level 1 the spans inside those (an ACTOR inside a CLAIM); a CRF is
//! trained for each level that has spans. A proposed span's score is the smallest
//! marginal probability of its tokens' tags: an upper bound on the probability that
//! the CRF tags the whole span so.
//!
//! CRFsuite writes a trained model to a file: it goes to a temporary file outside the
//! project, read back at once and removed.

use crfsuite::{Algorithm, Attribute, GraphicalModel, Item, Model, Trainer};

use super::Proposal;
use super::strings::Gazetteer;
use crate::model::{Corpus, Document, Span};
use crate::offsets::tokens::{Alignment, Token, align, sentences, tokenize_with_bytes};

/// Nesting levels tagged; spans deeper than this are not learnt.
pub const LEVELS: usize = 2;
/// Iterations of L-BFGS: enough to converge on a few hundred documents, and a bound
/// on training time for big corpora.
pub const MAX_ITERATIONS: u32 = 40;

/// A document cut into sentences of tokens, with each token's features.
struct Prepared {
    tokens: Vec<Token>,
    /// Token index ranges of the sentences.
    sentences: Vec<std::ops::Range<usize>>,
    features: Vec<Item>,
}

fn shape(w: &str) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        // Runs collapse: "Pashinyan" is "Xx", "Sept." is "Xx.".
        if last != Some(k) {
            out.push(k);
        }
        last = Some(k);
    }
    out
}

/// CRFsuite's strings are C strings: a NUL would cut them short.
fn clean(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

fn affix(w: &str, n: usize, end: bool) -> String {
    let chars: Vec<char> = w.chars().collect();
    if chars.len() <= n {
        return w.to_string();
    }
    if end {
        chars[chars.len() - n..].iter().collect()
    } else {
        chars[..n].iter().collect()
    }
}

fn prepare(text: &str, gazetteer: &Gazetteer) -> Prepared {
    let (tokens, bytes) = tokenize_with_bytes(text);
    let words: Vec<String> = bytes.iter().map(|&(a, b)| clean(&text[a..b])).collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    // The string matcher's hits as B-/I- marks on tokens.
    let mut gaz: Vec<Option<String>> = vec![None; tokens.len()];
    for p in gazetteer.find(text) {
        if let Alignment::Exact { first, last } | Alignment::Partial { first, last } =
            align(&tokens, p.start, p.end)
        {
            for (k, g) in gaz[first..=last].iter_mut().enumerate() {
                *g = Some(format!(
                    "{}-{}",
                    if k == 0 { 'B' } else { 'I' },
                    clean(&p.label)
                ));
            }
        }
    }
    let mut sents = Vec::new();
    for (s, e) in sentences(text) {
        let a = tokens.partition_point(|t| t.end <= s);
        let b = tokens.partition_point(|t| t.start < e);
        if a < b {
            sents.push(a..b);
        }
    }
    let mut features = Vec::with_capacity(tokens.len());
    for range in &sents {
        for i in range.clone() {
            let w = &words[i];
            let mut f: Item = Vec::with_capacity(16);
            let mut add = |s: String| f.push(Attribute::new(s, 1.0));
            add("bias".into());
            add(format!("w={}", lower[i]));
            add(format!("shape={}", shape(w)));
            add(format!("p3={}", affix(&lower[i], 3, false)));
            add(format!("s3={}", affix(&lower[i], 3, true)));
            add(format!("s2={}", affix(&lower[i], 2, true)));
            if w.chars().next().is_some_and(char::is_uppercase) {
                add("title".into());
            }
            if let Some(g) = &gaz[i] {
                add(format!("gaz={g}"));
            }
            if i > range.start {
                add(format!("w-1={}", lower[i - 1]));
                add(format!("shape-1={}", shape(&words[i - 1])));
                if let Some(g) = &gaz[i - 1] {
                    add(format!("gaz-1={g}"));
                }
            } else {
                add("BOS".into());
            }
            if i + 1 < range.end {
                add(format!("w+1={}", lower[i + 1]));
                add(format!("shape+1={}", shape(&words[i + 1])));
            } else {
                add("EOS".into());
            }
            features.push(f);
        }
    }
    Prepared {
        tokens,
        sentences: sents,
        features,
    }
}

/// Feature rows are stored sentence after sentence; the row of token `i` of sentence
/// `k` is `offsets[k] + (i - start)`.
fn sentence_rows(p: &Prepared) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::with_capacity(p.sentences.len());
    let mut at = 0;
    for r in &p.sentences {
        out.push(at..at + r.len());
        at += r.len();
    }
    out
}

/// Which level each span is on (None: deeper than [`LEVELS`] or crossing), by the
/// spans containing it.
fn levels(spans: &[Span]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&spans[a], &spans[b]);
        (x.start, std::cmp::Reverse(x.end), x.id).cmp(&(y.start, std::cmp::Reverse(y.end), y.id))
    });
    let mut out = vec![None; spans.len()];
    let mut open: Vec<usize> = Vec::new();
    for i in order {
        let s = &spans[i];
        open.retain(|&o| spans[o].end > s.start);
        // Only spans that contain it count; a crossing one leaves it out.
        if open.iter().any(|&o| spans[o].end < s.end) {
            continue;
        }
        let depth = open.len();
        if depth < LEVELS {
            out[i] = Some(depth);
            open.push(i);
        }
    }
    out
}

/// The BIO tags of one level for a document's tokens.
fn tags(p: &Prepared, spans: &[Span], lv: &[Option<usize>], level: usize) -> Vec<String> {
    let mut t = vec!["O".to_string(); p.tokens.len()];
    for (s, l) in spans.iter().zip(lv) {
        if *l != Some(level) {
            continue;
        }
        if let Alignment::Exact { first, last } = align(&p.tokens, s.start, s.end) {
            // A span another one of this level already tags is left out.
            if t[first..=last].iter().any(|x| x != "O") {
                continue;
            }
            let label = clean(&s.label);
            t[first] = format!("B-{label}");
            for x in &mut t[first + 1..=last] {
                *x = format!("I-{label}");
            }
        }
    }
    t
}

/// A trained tagger: one CRF per level that had spans, and the gazetteer it uses.
pub struct Crf {
    models: Vec<Model>,
    gazetteer: Gazetteer,
}

impl Crf {
    /// Trains on the spans of `layer` on `docs`.
    pub fn train(corpus: &Corpus, layer: &str, docs: &[&Document]) -> Result<Self, String> {
        let gazetteer = Gazetteer::train(corpus, layer, docs);
        let prepared: Vec<(Prepared, &[Span])> = docs
            .iter()
            .map(|d| {
                let spans = corpus.set(layer, &d.id).map_or(&[][..], |s| &s.spans);
                (prepare(&d.text, &gazetteer), spans)
            })
            .collect();
        let mut models = Vec::new();
        for level in 0..LEVELS {
            let mut trainer = Trainer::new(false);
            trainer
                .select(Algorithm::LBFGS, GraphicalModel::CRF1D)
                .map_err(|e| e.to_string())?;
            trainer
                .set("max_iterations", &MAX_ITERATIONS.to_string())
                .map_err(|e| e.to_string())?;
            trainer.set("c2", "0.1").map_err(|e| e.to_string())?;
            let mut any = false;
            for (p, spans) in &prepared {
                let lv = levels(spans);
                let all = tags(p, spans, &lv, level);
                for (k, rows) in sentence_rows(p).into_iter().enumerate() {
                    let r = &p.sentences[k];
                    let y = &all[r.clone()];
                    any |= y.iter().any(|t| t != "O");
                    trainer
                        .append(&p.features[rows], y, 0)
                        .map_err(|e| e.to_string())?;
                }
            }
            if !any {
                break;
            }
            let file = tempfile::Builder::new()
                .prefix("spanbench-crf-")
                .tempfile()
                .map_err(|e| format!("cannot make a temporary file for the CRF: {e}"))?;
            let path = file
                .path()
                .to_str()
                .ok_or("the temporary folder's path is not UTF-8")?
                .to_string();
            trainer.train(&path, -1).map_err(|e| e.to_string())?;
            models.push(Model::from_file(&path).map_err(|e| e.to_string())?);
        }
        Ok(Crf { models, gazetteer })
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The spans the CRF finds in `text`, with their scores.
    pub fn predict(&self, text: &str) -> Result<Vec<Proposal>, String> {
        let p = prepare(text, &self.gazetteer);
        let mut out = Vec::new();
        for model in &self.models {
            let mut tagger = model.tagger().map_err(|e| e.to_string())?;
            for (k, rows) in sentence_rows(&p).into_iter().enumerate() {
                let r = p.sentences[k].clone();
                let xs = &p.features[rows];
                let ys = tagger.tag(xs).map_err(|e| e.to_string())?;
                let marg: Vec<f64> = ys
                    .iter()
                    .enumerate()
                    .map(|(t, y)| tagger.marginal(y, t as i32).unwrap_or(0.0))
                    .collect();
                let mut t = 0;
                while t < ys.len() {
                    let Some(label) = ys[t]
                        .strip_prefix("B-")
                        .or_else(|| ys[t].strip_prefix("I-"))
                    else {
                        t += 1;
                        continue;
                    };
                    let start = t;
                    let inside = format!("I-{label}");
                    t += 1;
                    while t < ys.len() && ys[t] == inside {
                        t += 1;
                    }
                    let score = marg[start..t].iter().copied().fold(1.0, f64::min);
                    out.push(Proposal {
                        start: p.tokens[r.start + start].start,
                        end: p.tokens[r.start + t - 1].end,
                        label: label.to_string(),
                        score,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.start, a.end, &a.label).cmp(&(b.start, b.end, &b.label)));
        out.dedup_by(|a, b| (a.start, a.end, &a.label) == (b.start, b.end, &b.label));
        Ok(out)
    }
}
