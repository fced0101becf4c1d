//! Finding text in documents: plain text or a regular expression (the `regex` crate),
//! whole words or not, matching case or not.
//!
//! Hits are canonical scalar offsets, converted from the regex's byte offsets by
//! [`crate::offsets::ByteToChar`]. No egui here: the GUI runs corpus searches on a worker
//! thread through [`search_corpus`], which reports progress, hands hits over in batches
//! and stops when cancelled.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use regex::{Regex, RegexBuilder};

use crate::model::Span;
use crate::offsets::ByteToChar;

/// What to look for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Query {
    pub text: String,
    /// `text` is a regular expression rather than plain text.
    pub regex: bool,
    /// Hits must not touch a letter, digit or `_` on either side.
    pub whole_word: bool,
    pub match_case: bool,
}

impl Query {
    /// Plain text, whole word, matching case: how "annotate all" looks for a span's text.
    pub fn exact_word(text: &str) -> Self {
        Query {
            text: text.to_string(),
            regex: false,
            whole_word: true,
            match_case: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("type something to search for")]
    Empty,
    /// One line, for showing beside the search field.
    #[error("not a valid regular expression: {0}")]
    BadRegex(String),
}

/// A compiled query.
#[derive(Clone, Debug)]
pub struct Matcher {
    re: Regex,
    whole_word: bool,
}

/// One hit: scalar offsets, end-exclusive, over the document's stored text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// The same range in bytes, kept only to cut the context out of the text cheaply.
    bytes: (usize, usize),
}

/// A hit with the text around it, cut at line ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context<'t> {
    pub before: &'t str,
    pub hit: &'t str,
    pub after: &'t str,
    /// Whether text was left out before `before` / after `after` on the same line.
    pub more_before: bool,
    pub more_after: bool,
}

impl Hit {
    /// The hit and up to `around` chars of its line on each side. `None` if `text` is not
    /// the text the hit was found in.
    pub fn context<'t>(&self, text: &'t str, around: usize) -> Option<Context<'t>> {
        let (b0, b1) = self.bytes;
        let hit = text.get(b0..b1)?;
        let line_start = text[..b0].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[b1..].find('\n').map_or(text.len(), |i| b1 + i);
        let head = &text[line_start..b0];
        let tail = &text[b1..line_end];
        let cut_head = head
            .char_indices()
            .rev()
            .nth(around.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        let cut_tail = tail
            .char_indices()
            .nth(around)
            .map_or(tail.len(), |(i, _)| i);
        Some(Context {
            before: &head[cut_head..],
            hit,
            after: &tail[..cut_tail],
            more_before: cut_head > 0,
            more_after: cut_tail < tail.len(),
        })
    }
}

/// Letters, digits, `_` and combining marks continue a word.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || c == '_'
        || matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// The regex crate's message, which spans several lines (the pattern with a caret under
/// the problem), cut to the line that says what is wrong.
fn describe(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(_) => "it is too large; make it simpler".into(),
        regex::Error::Syntax(msg) => msg
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error:"))
            .map_or_else(|| msg.trim().replace('\n', " "), |l| l.trim().to_string()),
        other => other.to_string().replace('\n', " "),
    }
}

impl Matcher {
    pub fn new(q: &Query) -> Result<Self, SearchError> {
        if q.text.is_empty() {
            return Err(SearchError::Empty);
        }
        let pattern = if q.regex {
            q.text.clone()
        } else {
            regex::escape(&q.text)
        };
        let re = RegexBuilder::new(&pattern)
            .case_insensitive(!q.match_case)
            .build()
            .map_err(|e| SearchError::BadRegex(describe(&e)))?;
        Ok(Matcher {
            re,
            whole_word: q.whole_word,
        })
    }

    fn is_whole_word(&self, text: &str, b0: usize, b1: usize) -> bool {
        !self.whole_word
            || (!text[..b0].chars().next_back().is_some_and(is_word_char)
                && !text[b1..].chars().next().is_some_and(is_word_char))
    }

    /// Byte ranges of the hits in `text`, in order, never overlapping and never empty.
    /// A candidate refused as not a whole word does not hide a hit that starts inside it.
    fn byte_hits<'m, 't>(
        &'m self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, usize)> + use<'m, 't> {
        let mut at = 0;
        std::iter::from_fn(move || {
            while at <= text.len() {
                let m = self.re.find_at(text, at)?;
                let (b0, b1) = (m.start(), m.end());
                if b0 < b1 && self.is_whole_word(text, b0, b1) {
                    at = b1;
                    return Some((b0, b1));
                }
                // Try again one char after where this candidate started.
                at = b0 + text[b0..].chars().next().map_or(1, char::len_utf8);
            }
            None
        })
    }

    /// The first `limit` hits in `text`.
    pub fn hits(&self, text: &str, limit: usize) -> Vec<Hit> {
        let mut conv = ByteToChar::new(text);
        self.byte_hits(text)
            .take(limit)
            .filter_map(|(b0, b1)| {
                Some(Hit {
                    start: conv.char_at(b0)?,
                    end: conv.char_at(b1)?,
                    bytes: (b0, b1),
                })
            })
            .collect()
    }
}

/// A document as a corpus search sees it.
#[derive(Clone, Debug)]
pub struct SearchDoc {
    pub id: String,
    pub text: String,
}

/// A hit in the `doc`-th document of the searched slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocHit {
    pub doc: usize,
    pub hit: Hit,
}

/// How a corpus search ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub hits: usize,
    pub docs_searched: usize,
    pub docs_with_hits: usize,
    /// Stopped at the hit limit; there are more.
    pub truncated: bool,
    pub cancelled: bool,
}

/// Documents searched between two progress reports and hit batches.
const BATCH_DOCS: usize = 256;

/// Searches `docs` in order, handing hits to `on_hits` in batches (in document order)
/// and reporting `(documents searched, total)` to `on_progress` after each batch. Stops
/// after `limit` hits, or soon after `cancel` is set.
pub fn search_corpus(
    docs: &[SearchDoc],
    matcher: &Matcher,
    limit: usize,
    cancel: &AtomicBool,
    on_progress: &mut dyn FnMut(usize, usize),
    on_hits: &mut dyn FnMut(Vec<DocHit>),
) -> Outcome {
    let mut out = Outcome::default();
    let mut batch = Vec::new();
    on_progress(0, docs.len());
    for (chunk_no, chunk) in docs.chunks(BATCH_DOCS).enumerate() {
        for (i, doc) in chunk.iter().enumerate() {
            if cancel.load(Ordering::Relaxed) {
                out.cancelled = true;
                break;
            }
            // One more than there is room for tells whether the limit cut anything off.
            let room = limit - out.hits;
            let mut hits = matcher.hits(&doc.text, room.saturating_add(1));
            if hits.len() > room {
                hits.truncate(room);
                out.truncated = true;
            }
            out.docs_searched += 1;
            if !hits.is_empty() {
                out.docs_with_hits += 1;
                out.hits += hits.len();
                let n = chunk_no * BATCH_DOCS + i;
                batch.extend(hits.into_iter().map(|hit| DocHit { doc: n, hit }));
            }
            if out.truncated {
                break;
            }
        }
        if !batch.is_empty() {
            on_hits(std::mem::take(&mut batch));
        }
        on_progress(out.docs_searched, docs.len());
        if out.cancelled || out.truncated {
            break;
        }
    }
    out
}

/// The hits that the layer has not yet annotated with `label`: a hit whose start, end and
/// label equal an existing span's would only duplicate it.
pub fn unannotated(hits: Vec<Hit>, spans: &[Span], label: &str) -> Vec<Hit> {
    let have: HashSet<(usize, usize)> = spans
        .iter()
        .filter(|s| s.label == label)
        .map(|s| (s.start, s.end))
        .collect();
    hits.into_iter()
        .filter(|h| !have.contains(&(h.start, h.end)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(q: Query, text: &str) -> Vec<(usize, usize)> {
        Matcher::new(&q)
            .unwrap()
            .hits(text, usize::MAX)
            .iter()
            .map(|h| (h.start, h.end))
            .collect()
    }

    fn plain(text: &str) -> Query {
        Query {
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn offsets_are_scalar_values_in_every_script() {
        let text = "Երևան 👍🏽 Putin, Путин; putin.";
        assert_eq!(find(plain("putin"), text), vec![(9, 14), (23, 28)]);
        let hits = find(plain("путин"), text);
        assert_eq!(hits, vec![(16, 21)]);
        let chars: Vec<char> = text.chars().collect();
        let got: String = chars[16..21].iter().collect();
        assert_eq!(got, "Путин");
        let case = Query {
            match_case: true,
            ..plain("Putin")
        };
        assert_eq!(find(case, text), vec![(9, 14)]);
    }

    #[test]
    fn whole_words_only_when_asked() {
        let text = "Putin's aide, Putinist, _Putin, Putin";
        let q = Query {
            whole_word: true,
            ..plain("Putin")
        };
        // "Putin's" counts: the apostrophe ends the word.
        assert_eq!(find(q, text), vec![(0, 5), (32, 37)]);
        assert_eq!(find(plain("Putin"), text).len(), 4);
        // A refused candidate does not hide a whole word starting inside it.
        let q = Query {
            whole_word: true,
            regex: true,
            ..plain("a+")
        };
        assert_eq!(find(q, "baa a"), vec![(4, 5)]);
        // Combining marks continue a word.
        let q = Query {
            whole_word: true,
            ..plain("cafe")
        };
        assert_eq!(find(q, "cafe\u{301} cafe"), vec![(6, 10)]);
    }

    #[test]
    fn regular_expressions_and_their_errors() {
        let q = Query {
            regex: true,
            ..plain(r"\d{4}")
        };
        assert_eq!(find(q, "Sept. 20, 2023 and 1994"), vec![(10, 14), (19, 23)]);
        // Plain text is not a pattern.
        assert_eq!(find(plain("a.c"), "abc a.c"), vec![(4, 7)]);
        // Empty matches are never hits.
        let q = Query {
            regex: true,
            ..plain("x*")
        };
        assert_eq!(find(q, "axxb"), vec![(1, 3)]);
        for bad in ["(unclosed", "[z-a]", "a{2,1}", r"\p{NoSuchClass}"] {
            let q = Query {
                regex: true,
                ..plain(bad)
            };
            match Matcher::new(&q) {
                Err(SearchError::BadRegex(msg)) => {
                    assert!(!msg.contains('\n') && !msg.is_empty(), "{bad}: {msg:?}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        let huge = Query {
            regex: true,
            ..plain(r"\w{1000}{1000}")
        };
        assert!(matches!(Matcher::new(&huge), Err(SearchError::BadRegex(_))));
        assert_eq!(Matcher::new(&plain("")).err(), Some(SearchError::Empty));
    }

    #[test]
    fn context_is_cut_at_lines_and_width() {
        let text = "first line\nthe deal 👍🏽 was signed by Aliyev today\nlast";
        let m = Matcher::new(&plain("signed")).unwrap();
        let hit = m.hits(text, 10)[0];
        let c = hit.context(text, 7).unwrap();
        assert_eq!((c.before, c.hit, c.after), ("👍🏽 was ", "signed", " by Ali"));
        assert!(c.more_before && c.more_after);
        let c = hit.context(text, 100).unwrap();
        assert_eq!(c.before, "the deal 👍🏽 was ");
        assert_eq!(c.after, " by Aliyev today");
        assert!(!c.more_before && !c.more_after);
        assert!(hit.context("short", 8).is_none());
    }

    fn docs(texts: &[&str]) -> Vec<SearchDoc> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| SearchDoc {
                id: format!("d{i}"),
                text: t.to_string(),
            })
            .collect()
    }

    #[test]
    fn corpus_search_batches_limits_and_cancels() {
        let texts: Vec<String> = (0..600)
            .map(|i| {
                if i % 3 == 0 {
                    format!("{i} Putin and Putin")
                } else {
                    format!("{i} nothing")
                }
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let corpus = docs(&refs);
        let m = Matcher::new(&plain("putin")).unwrap();
        let cancel = AtomicBool::new(false);
        let mut got = Vec::new();
        let mut progress = Vec::new();
        let out = search_corpus(
            &corpus,
            &m,
            usize::MAX,
            &cancel,
            &mut |d, t| progress.push((d, t)),
            &mut |b| got.extend(b),
        );
        assert_eq!(out.hits, 400);
        assert_eq!(out.docs_with_hits, 200);
        assert!(!out.truncated && !out.cancelled);
        assert_eq!(got.len(), 400);
        assert!(
            got.windows(2)
                .all(|w| (w[0].doc, w[0].hit.start) < (w[1].doc, w[1].hit.start))
        );
        assert_eq!(progress.first(), Some(&(0, 600)));
        assert_eq!(progress.last(), Some(&(600, 600)));

        // The limit stops the search and says there is more.
        let out = search_corpus(&corpus, &m, 7, &cancel, &mut |_, _| {}, &mut |_| {});
        assert_eq!((out.hits, out.truncated), (7, true));
        let out = search_corpus(&corpus, &m, 400, &cancel, &mut |_, _| {}, &mut |_| {});
        assert_eq!((out.hits, out.truncated), (400, false));

        cancel.store(true, Ordering::Relaxed);
        let out = search_corpus(
            &corpus,
            &m,
            usize::MAX,
            &cancel,
            &mut |_, _| {},
            &mut |_| {},
        );
        assert!(out.cancelled);
        assert_eq!(out.docs_searched, 0);
    }

    #[test]
    fn hits_already_tagged_with_the_label_are_not_proposed() {
        let text = "Putin met Putin and Putin";
        let hits = Matcher::new(&plain("Putin")).unwrap().hits(text, 100);
        let span = |start, end, label: &str| Span {
            id: crate::model::SpanId(1),
            start,
            end,
            label: label.into(),
            text: String::new(),
            attrs: Default::default(),
            note: String::new(),
            origin: Default::default(),
            review: Default::default(),
            score: None,
        };
        let spans = [
            span(0, 5, "ACTOR"),
            span(10, 15, "PLACE"),
            span(20, 24, "ACTOR"),
        ];
        let left: Vec<(usize, usize)> = unannotated(hits, &spans, "ACTOR")
            .iter()
            .map(|h| (h.start, h.end))
            .collect();
        assert_eq!(left, vec![(10, 15), (20, 25)]);
    }
}
