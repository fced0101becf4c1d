//! The checks of an import, one document at a time: each raw document is normalised
//! and its spans and relations checked (in parallel, [`prepare`]), then given its id in
//! file order ([`Checker::assign`]), so a stream of any length is checked with memory
//! bounded by a batch of documents.
//!
//! Offsets are converted through [`OffsetMap`]s, built once per document: every span
//! costs O(1), so a document is checked in time linear in its text and spans.

use std::collections::{HashMap, HashSet};

use super::import::{ImportedDoc, RawDoc, RawSet};
use crate::import::MAX_DOCUMENT_BYTES;
use crate::model::{
    AnnotationSet, Confidence, Corpus, Document, ImportRecord, Origin, Project, Relation,
    RelationId, Span, SpanId, sanitize_id, validate_set,
};
use crate::offsets::{OffsetMap, normalize_newlines_mapped};

/// A raw document checked on its own, before it has an id.
pub(crate) struct Prepared {
    loc: String,
    /// What the id is made from: the source's key, else its title.
    stem: String,
    /// Content hash of the normalised text: records of one document repeated per
    /// annotator (same key, same text) become one document.
    text_hash: u128,
    /// The document as it would be added; its id is set by [`Checker::assign`].
    doc: Document,
    /// The title came from nowhere: it becomes the id.
    untitled: bool,
    sets: Vec<AnnotationSet>,
}

/// Normalises a raw document and checks every span and relation of every set. Needs
/// only the schema, so documents are prepared in parallel.
pub(crate) fn prepare(project: &Project, raw: RawDoc) -> Result<Prepared, Vec<String>> {
    if raw.text.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(vec![format!(
            "{}: the text is {} MiB; spanbench takes documents up to {} MiB, split it into smaller documents",
            raw.loc,
            (raw.text.len() as u64).div_ceil(1 << 20),
            MAX_DOCUMENT_BYTES >> 20
        )]);
    }
    let RawDoc {
        key,
        title,
        text: raw_text,
        meta,
        loc,
        source_file,
        sets,
        tokenized: _,
    } = raw;
    // Most texts need no normalising: then the raw text is the stored one, offsets
    // stay as they are, and one offset map serves both.
    let needs_norm = raw_text.starts_with('\u{feff}') || raw_text.contains('\r');
    let mut record = ImportRecord {
        source_file,
        ..Default::default()
    };
    let (text, raw_kept, char_map) = if needs_norm {
        let (norm, map) = normalize_newlines_mapped(&raw_text);
        record.bom_stripped = norm.bom_stripped;
        record.crlf_converted = norm.crlf_converted;
        record.lone_cr_converted = norm.lone_cr_converted;
        (norm.text, Some(raw_text), Some(map))
    } else {
        (raw_text, None, None)
    };
    if text.trim().is_empty() {
        return Err(vec![format!("{loc}: the text is empty")]);
    }
    let stem = key
        .clone()
        .or_else(|| title.clone())
        .unwrap_or_else(|| "document".into());
    let given = title.filter(|t| !t.trim().is_empty()).or_else(|| {
        text.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(120).collect())
    });
    let mut doc = Document::new("", given.as_deref().unwrap_or(""), String::new());
    doc.meta = meta;
    doc.import = record;
    let norm_map = OffsetMap::new(&text);
    let raw_map = raw_kept.as_deref().map(OffsetMap::new);
    let mut errors = Vec::new();
    let mut out_sets = Vec::new();
    {
        let view = RawView {
            text: raw_kept.as_deref().unwrap_or(&text),
            map: raw_map.as_ref().unwrap_or(&norm_map),
            stored: &text,
            stored_map: &norm_map,
            to_stored: char_map.as_deref(),
        };
        for rs in sets {
            let annotator = sanitize_id(&rs.annotator);
            match build_set(project, &view, &annotator, rs) {
                Ok(set) => out_sets.push(set),
                Err(mut e) => errors.append(&mut e),
            }
        }
    }
    drop(raw_map);
    drop(raw_kept);
    doc.text = text;
    // The final word is the same check a project load makes, so that what is imported
    // always loads again.
    if errors.is_empty() {
        for set in &out_sets {
            for p in validate_set(project, &doc, &norm_map, set, &loc) {
                errors.push(p.to_string());
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Prepared {
        text_hash: xxhash_rust::xxh3::xxh3_128(doc.text.as_bytes()),
        untitled: given.is_none(),
        loc,
        stem,
        doc,
        sets: out_sets,
    })
}

/// The ids of one import run, given in the order documents are read.
pub(crate) struct Checker<'a> {
    corpus: &'a Corpus,
    by_key: HashMap<(String, u128), String>,
    new_ids: HashSet<String>,
    set_owner: HashMap<(String, String), String>,
}

impl<'a> Checker<'a> {
    pub fn new(corpus: &'a Corpus) -> Self {
        Checker {
            corpus,
            by_key: HashMap::new(),
            new_ids: HashSet::new(),
            set_owner: HashMap::new(),
        }
    }

    fn taken(&self, id: &str) -> bool {
        self.new_ids.contains(id) || self.corpus.document(id).is_some()
    }

    /// Gives a prepared document its id: the id an earlier record of the same document
    /// got, an existing document with the same id and text, or a fresh id.
    pub fn assign(
        &mut self,
        p: Prepared,
        notes: &mut Vec<String>,
        errors: &mut Vec<String>,
    ) -> ImportedDoc {
        let Prepared {
            loc,
            stem,
            text_hash,
            mut doc,
            untitled,
            sets,
        } = p;
        let group = (stem, text_hash);
        let mut document = None;
        let doc_id = if let Some(id) = self.by_key.get(&group) {
            id.clone()
        } else {
            let base = sanitize_id(&group.0);
            let existing = self
                .corpus
                .document(&base)
                .filter(|d| d.text == doc.text)
                .map(|d| d.id.clone());
            let id = match existing {
                Some(id) => {
                    notes.push(format!(
                        "{loc}: annotations go to the existing document {id:?}, whose text is the same"
                    ));
                    id
                }
                None => {
                    let id = self.unique(&base);
                    self.new_ids.insert(id.clone());
                    if id != base {
                        notes.push(format!(
                            "{loc}: a document {base:?} exists already with a different text; imported as {id:?}"
                        ));
                    }
                    if untitled {
                        doc.title = id.clone();
                    }
                    doc.id = id.clone();
                    document = Some(doc);
                    id
                }
            };
            self.by_key.insert(group, id.clone());
            id
        };
        let mut out = Vec::with_capacity(sets.len());
        for mut set in sets {
            let annotator = set.annotator.clone();
            if let Some(prev) = self
                .set_owner
                .insert((annotator.clone(), doc_id.clone()), loc.clone())
            {
                errors.push(format!(
                    "{loc}: a second set of annotator {annotator:?} for the document already read at {prev}"
                ));
                continue;
            }
            if self.corpus.set(&annotator, &doc_id).is_some() {
                notes.push(format!(
                    "{loc}: replaces annotator {annotator:?}'s existing annotations of {doc_id:?}"
                ));
            }
            set.document = doc_id.clone();
            out.push(set);
        }
        ImportedDoc {
            document,
            sets: out,
        }
    }

    fn unique(&self, base: &str) -> String {
        if !self.taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|id| !self.taken(id))
            .unwrap_or_else(|| base.to_string())
    }
}

/// Numeric part of a source id (`T12` → 12, `7` → 7).
pub(crate) fn numeric_id(key: &str) -> Option<u32> {
    let digits = key.trim_start_matches(|c: char| !c.is_ascii_digit());
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

/// A document's text as the source holds it and as it is stored, with their maps.
struct RawView<'t> {
    text: &'t str,
    map: &'t OffsetMap,
    stored: &'t str,
    stored_map: &'t OffsetMap,
    /// Raw scalar offset -> stored scalar offset; `None` when the texts are the same.
    to_stored: Option<&'t [usize]>,
}

impl RawView<'_> {
    fn raw_slice(&self, start: usize, end: usize) -> Option<&str> {
        Some(&self.text[self.map.char_to_byte(start)?..self.map.char_to_byte(end)?])
    }

    fn stored_offset(&self, raw: usize) -> usize {
        self.to_stored.map_or(raw, |m| m[raw])
    }

    fn stored_slice(&self, start: usize, end: usize) -> Option<&str> {
        Some(
            &self.stored
                [self.stored_map.char_to_byte(start)?..self.stored_map.char_to_byte(end)?],
        )
    }
}

/// Builds document `doc`'s set from `rs`, whose offsets count in `raw_text`;
/// `to_stored` maps them to the stored text's. For predictions, which are matched to a
/// project's documents by their text (`formats::predictions`).
pub(crate) fn build_set_over(
    project: &Project,
    raw_text: &str,
    stored: &str,
    to_stored: &[usize],
    doc: &str,
    annotator: &str,
    rs: RawSet,
) -> Result<AnnotationSet, Vec<String>> {
    let map = OffsetMap::new(raw_text);
    let stored_map = OffsetMap::new(stored);
    let view = RawView {
        text: raw_text,
        map: &map,
        stored,
        stored_map: &stored_map,
        to_stored: Some(to_stored),
    };
    let mut set = build_set(project, &view, annotator, rs)?;
    set.document = doc.to_string();
    Ok(set)
}

fn build_set(
    project: &Project,
    view: &RawView,
    annotator: &str,
    rs: RawSet,
) -> Result<AnnotationSet, Vec<String>> {
    let mut errors = Vec::new();
    let raw_len = view.map.char_len();
    // Keep the source's span ids where they are distinct numbers, so notes and
    // relations keep pointing at the same ids.
    let nums: Vec<Option<u32>> = rs
        .spans
        .iter()
        .map(|s| s.key.as_deref().and_then(numeric_id))
        .collect();
    let distinct: HashSet<u32> = nums.iter().flatten().copied().collect();
    let keep_ids = nums.iter().all(Option::is_some) && distinct.len() == nums.len();
    let mut set = AnnotationSet::new("", annotator);
    set.status = rs.status;
    // A relation names its spans by id: two spans under one id would leave it bound to
    // whichever came last.
    let mut seen_keys: HashMap<&str, &str> = HashMap::new();
    for s in &rs.spans {
        if let Some(k) = s.key.as_deref()
            && let Some(first) = seen_keys.insert(k, &s.loc)
        {
            errors.push(format!(
                "{}: span id {:?} is used twice (first at {first}); ids must be unique",
                s.loc,
                crate::storage::excerpt(k)
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut ids: HashMap<String, SpanId> = HashMap::new();
    set.spans.reserve(rs.spans.len());
    for (i, s) in rs.spans.into_iter().enumerate() {
        let id = match (keep_ids, nums[i]) {
            (true, Some(n)) => SpanId(n),
            _ => SpanId(i as u32 + 1),
        };
        if s.start >= s.end {
            errors.push(format!(
                "{}: start {} is not before end {}",
                s.loc, s.start, s.end
            ));
            continue;
        }
        if s.end > raw_len {
            errors.push(format!(
                "{}: offsets [{}..{}) are out of bounds (the text has {raw_len} chars)",
                s.loc, s.start, s.end
            ));
            continue;
        }
        let raw_slice = view.raw_slice(s.start, s.end).unwrap_or("");
        if let Some(t) = &s.text
            && t != raw_slice
        {
            errors.push(format!(
                "{}: span text {:?} does not match the document's {:?} at [{}..{})",
                s.loc,
                crate::storage::excerpt(t),
                crate::storage::excerpt(raw_slice),
                s.start,
                s.end
            ));
            continue;
        }
        if project.label(&s.label).is_none() {
            errors.push(format!(
                "{}: label {:?} is not in the project's schema",
                s.loc, s.label
            ));
            continue;
        }
        if let Some(sc) = s.score
            && !Confidence(sc).is_valid()
        {
            errors.push(format!(
                "{}: score {sc} is outside 0..1; scores are probabilities from 0 to 1",
                s.loc
            ));
            continue;
        }
        let (start, end) = (view.stored_offset(s.start), view.stored_offset(s.end));
        let Some(stored) = view.stored_slice(start, end).filter(|_| start < end) else {
            errors.push(format!(
                "{}: [{}..{}) covers nothing once line endings are normalised",
                s.loc, s.start, s.end
            ));
            continue;
        };
        if let Some(k) = &s.key {
            ids.insert(k.clone(), id);
        }
        set.spans.push(Span {
            id,
            start,
            end,
            label: s.label,
            text: stored.to_string(),
            attrs: s.attrs,
            note: s.note,
            origin: match s.origin {
                Some(Origin::Suggested) => Origin::Suggested,
                _ => Origin::Imported,
            },
            review: s.review,
            score: s.score.map(Confidence),
        });
    }
    let rel_nums: Vec<Option<u32>> = rs
        .relations
        .iter()
        .map(|r| r.id.as_deref().and_then(numeric_id))
        .collect();
    let rel_distinct: HashSet<u32> = rel_nums.iter().flatten().copied().collect();
    let keep_rel_ids = rel_nums.iter().all(Option::is_some) && rel_distinct.len() == rel_nums.len();
    for (i, r) in rs.relations.into_iter().enumerate() {
        if !project.relation_types.iter().any(|t| t.key == r.kind) {
            errors.push(format!(
                "{}: relation type {:?} is not in the project's schema",
                r.loc, r.kind
            ));
            continue;
        }
        let (Some(&from), Some(&to)) = (ids.get(&r.from), ids.get(&r.to)) else {
            errors.push(format!(
                "{}: points at span {:?} or {:?}, which is not in the same annotations",
                r.loc, r.from, r.to
            ));
            continue;
        };
        let id = match (keep_rel_ids, rel_nums[i]) {
            (true, Some(n)) => RelationId(n),
            _ => RelationId(i as u32 + 1),
        };
        set.relations.push(Relation {
            id,
            kind: r.kind,
            from,
            to,
        });
    }
    if errors.is_empty() {
        set.sort();
        Ok(set)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids() {
        assert_eq!(numeric_id("T12"), Some(12));
        assert_eq!(numeric_id("s3"), Some(3));
        assert_eq!(numeric_id("BtfOIVC3G2"), None);
        assert_eq!(numeric_id("0"), None);
    }
}
