//! The string matcher: every string annotated in the training documents is proposed
//! wherever it recurs, with the label it was given most often, scored by how often it
//! got that label (`count(string, label) / count(string)`).
//!
//! Matching is Aho-Corasick over all strings at once. Of the matches that start and end
//! on word boundaries (no letter, digit or mark on either side), the leftmost wins and,
//! of those starting there, the longest; matches never overlap. Ties are deterministic:
//! a string given two labels equally often takes the one first in the schema. Strings
//! shorter than [`MIN_CHARS`], made of punctuation only, or on the stop
//! list are never proposed.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::Proposal;
use crate::model::{Corpus, Document};
use crate::offsets::ByteToChar;

/// Strings shorter than this (in chars) are not proposed: they recur by chance.
pub const MIN_CHARS: usize = 3;

/// Words that are annotated now and then (as part of a date, a title) but would be
/// noise wherever else they occur.
pub const STOP_LIST: [&str; 40] = [
    "the", "The", "and", "And", "for", "For", "that", "That", "this", "This", "with", "With",
    "from", "From", "was", "were", "are", "has", "have", "had", "not", "but", "But", "its", "Its",
    "his", "His", "her", "Her", "they", "They", "their", "said", "also", "which", "who", "will",
    "would", "after", "After",
];

/// What was learnt: each string, its label and score.
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    /// Strings in a fixed order (sorted), their label and score.
    pub entries: Vec<(String, String, f64)>,
    matcher: Option<AhoCorasick>,
}

impl Gazetteer {
    /// Learns from the spans of `layer` on `docs`; `labels` is the schema's order.
    pub fn train(corpus: &Corpus, layer: &str, docs: &[&Document]) -> Self {
        let order: HashMap<&str, usize> = corpus
            .project
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.key.as_str(), i))
            .collect();
        let mut counts: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
        for d in docs {
            let Some(set) = corpus.set(layer, &d.id) else {
                continue;
            };
            for s in &set.spans {
                if usable(&s.text) && order.contains_key(s.label.as_str()) {
                    *counts
                        .entry(s.text.as_str())
                        .or_default()
                        .entry(s.label.as_str())
                        .or_default() += 1;
                }
            }
        }
        let mut entries: Vec<(String, String, f64)> = counts
            .into_iter()
            .map(|(text, by_label)| {
                let total: usize = by_label.values().sum();
                let (label, n) = by_label
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(order[b.0].cmp(&order[a.0])))
                    .map(|(l, n)| (*l, *n))
                    .unwrap_or(("", 0));
                (text.to_string(), label.to_string(), n as f64 / total as f64)
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let matcher = (!entries.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(entries.iter().map(|e| e.0.as_str()))
                    .ok()
            })
            .flatten();
        Gazetteer { entries, matcher }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every whole-word occurrence of a learnt string in `text`, leftmost-longest,
    /// never overlapping, in text order, as char offsets.
    pub fn find(&self, text: &str) -> Vec<Proposal> {
        let Some(ac) = &self.matcher else {
            return Vec::new();
        };
        let mut hits: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(text)
            .filter(|m| whole_word(text, m.start(), m.end()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        // Leftmost, then longest; equal ranges cannot happen (strings are distinct).
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = Vec::new();
        let mut conv = ByteToChar::new(text);
        let mut reach = 0;
        for (s, e, p) in hits {
            if s < reach {
                continue;
            }
            reach = e;
            let (Some(cs), Some(ce)) = (conv.char_at(s), conv.char_at(e)) else {
                continue;
            };
            let (_, label, score) = &self.entries[p];
            out.push(Proposal {
                start: cs,
                end: ce,
                label: label.clone(),
                score: *score,
            });
        }
        out
    }
}

/// Whether a string may be learnt: long enough, with a letter or digit, not a stop word, on one
/// line, not padded with spaces (such a string never matches whole words).
fn usable(s: &str) -> bool {
    s.chars().count() >= MIN_CHARS
        && s.chars().any(char::is_alphanumeric)
        && !STOP_LIST.contains(&s)
        && !s.contains('\n')
        && s.trim() == s
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || unicode_mark(c)
}

/// Combining marks belong to the letter before them.
fn unicode_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// True when `[s, e)` (bytes) starts and ends on word boundaries: the chars outside it
/// are not word chars, or the match itself does not begin/end with one.
fn whole_word(text: &str, s: usize, e: usize) -> bool {
    let inner_first = text[s..e].chars().next();
    let inner_last = text[s..e].chars().next_back();
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    let left = !(before.is_some_and(is_word_char) && inner_first.is_some_and(is_word_char));
    let right = !(after.is_some_and(is_word_char) && inner_last.is_some_and(is_word_char));
    left && right
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaz(entries: &[(&str, &str, f64)]) -> Gazetteer {
        let mut entries: Vec<(String, String, f64)> = entries
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(entries.iter().map(|e| e.0.as_str()))
            .ok();
        Gazetteer { entries, matcher }
    }

    fn found(g: &Gazetteer, text: &str) -> Vec<(String, String)> {
        g.find(text)
            .into_iter()
            .map(|p| {
                let s: String = text.chars().skip(p.start).take(p.end - p.start).collect();
                (s, p.label)
            })
            .collect()
    }

    #[test]
    fn whole_words_only_and_leftmost_longest() {
        let g = gaz(&[
            ("Armenia", "PLACE", 1.0),
            ("Armenian government", "ACTOR", 1.0),
            ("Karabakh", "PLACE", 1.0),
        ]);
        let text = "Armenians and the Armenian government met in Nagorno-Karabakh; Armenia too.";
        assert_eq!(
            found(&g, text),
            [
                ("Armenian government".into(), "ACTOR".into()),
                ("Karabakh".into(), "PLACE".into()),
                ("Armenia".into(), "PLACE".into()),
            ]
        );
        // Offsets are chars, not bytes.
        let t2 = "Ереван, Armenia";
        let p = &g.find(t2)[0];
        assert_eq!((p.start, p.end), (8, 15));
    }

    #[test]
    fn overlapping_strings_never_give_overlapping_proposals() {
        let g = gaz(&[
            ("Prime Minister", "ACTOR", 1.0),
            ("Minister Pashinyan", "ACTOR", 1.0),
        ]);
        let got = found(&g, "Prime Minister Pashinyan spoke.");
        assert_eq!(got, [("Prime Minister".into(), "ACTOR".into())]);
    }

    #[test]
    fn usable_strings() {
        assert!(usable("Baku"));
        assert!(!usable("EU"));
        assert!(usable("2023"));
        assert!(!usable("...") && !usable("the") && !usable(" Baku"));
    }
}
