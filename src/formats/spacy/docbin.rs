//! The bytes of a spaCy `DocBin` (spaCy 3.x, `spacy/tokens/_serialize.py`), written as
//! `DocBin(store_user_data=True).to_bytes()` writes them: zlib over one msgpack map
//!
//! ```text
//! {"version": "0.1", "attrs": [65, 67, 73, ...], "tokens": <uint64 rows>,
//!  "spaces": <bool per token>, "lengths": <int32 per doc>, "strings": [sorted],
//!  "cats": [{}...], "flags": [{"has_unknown_spaces": false}...],
//!  "span_groups": [<SpanGroups.to_bytes()>...], "user_data": [<msgpack>...]}
//! ```
//!
//! Token rows hold one little-endian uint64 per attribute of [`ATTRS`] (spaCy's
//! `DOCBIN_ALL_ATTRS`, sorted by id with ORTH first), as `Doc.to_array` gives them.
//! Span groups are `{<group bytes>: [key]}` with each group
//! `{"name", "attrs": {}, "spans": [struct.pack(">QQQllll", id, kb_id, label, start,
//! end, start_char, end_char)]}` (`span_group.pyx`); no group at all is `[]`.

use std::io::{self, Write};

use flate2::Compression;

use super::parallel_zlib::ParallelZlib;
use rmp::encode as mp;

/// Attribute ids of the token columns: ORTH, NORM, LEMMA, POS, TAG, DEP, ENT_IOB,
/// ENT_TYPE, HEAD, SENT_START, ENT_KB_ID, MORPH, ENT_ID.
pub const ATTRS: [u64; 13] = [65, 67, 73, 74, 75, 76, 77, 78, 79, 80, 452, 453, 454];

/// `Token.ent_iob`: 0 missing, 1 inside, 2 outside, 3 begins an entity.
pub const IOB_MISSING: u8 = 0;
pub const IOB_I: u8 = 1;
pub const IOB_O: u8 = 2;
pub const IOB_B: u8 = 3;

/// The token attributes spanbench sets; every other column is 0 (unset).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenRow {
    pub orth: u64,
    pub norm: u64,
    pub ent_type: u64,
    pub ent_iob: u8,
    /// 1 starts a sentence, -1 does not, 0 unknown.
    pub sent_start: i8,
}

impl TokenRow {
    /// The row in [`ATTRS`] order.
    pub fn values(&self) -> [u64; 13] {
        let mut v = [0u64; 13];
        v[0] = self.orth;
        v[1] = self.norm;
        v[6] = u64::from(self.ent_iob);
        v[7] = self.ent_type;
        // spaCy stores the signed value in the unsigned column.
        v[9] = i64::from(self.sent_start) as u64;
        v
    }
}

/// One span of a span group (`SpanC`); token offsets are spaCy token indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanC {
    pub id: u64,
    pub kb_id: u64,
    pub label: u64,
    pub start: i32,
    pub end: i32,
    pub start_char: i32,
    pub end_char: i32,
}

/// One document, ready to be written.
#[derive(Clone, Debug, Default)]
pub struct DocRows {
    pub tokens: Vec<TokenRow>,
    pub spaces: Vec<bool>,
    /// `SpanGroups.to_bytes()`.
    pub span_groups: Vec<u8>,
    /// msgpack of `Doc.user_data`.
    pub user_data: Vec<u8>,
}

/// `SpanGroup.to_bytes()`.
fn group_bytes(name: &str, spans: &[SpanC]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(24 + spans.len() * 42);
    mp::write_map_len(&mut out, 3)?;
    mp::write_str(&mut out, "name")?;
    mp::write_str(&mut out, name)?;
    mp::write_str(&mut out, "attrs")?;
    mp::write_map_len(&mut out, 0)?;
    mp::write_str(&mut out, "spans")?;
    mp::write_array_len(&mut out, len32(spans.len())?)?;
    for s in spans {
        let mut b = [0u8; 40];
        b[0..8].copy_from_slice(&s.id.to_be_bytes());
        b[8..16].copy_from_slice(&s.kb_id.to_be_bytes());
        b[16..24].copy_from_slice(&s.label.to_be_bytes());
        b[24..28].copy_from_slice(&s.start.to_be_bytes());
        b[28..32].copy_from_slice(&s.end.to_be_bytes());
        b[32..36].copy_from_slice(&s.start_char.to_be_bytes());
        b[36..40].copy_from_slice(&s.end_char.to_be_bytes());
        mp::write_bin(&mut out, &b)?;
    }
    Ok(out)
}

/// `SpanGroups.to_bytes()` for groups stored under their own names.
pub fn span_groups_bytes(groups: &[(&str, &[SpanC])]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if groups.is_empty() {
        mp::write_array_len(&mut out, 0)?;
        return Ok(out);
    }
    mp::write_map_len(&mut out, len32(groups.len())?)?;
    for (name, spans) in groups {
        mp::write_bin(&mut out, &group_bytes(name, spans)?)?;
        mp::write_array_len(&mut out, 1)?;
        mp::write_str(&mut out, name)?;
    }
    Ok(out)
}

/// msgpack of a `user_data` dict of strings, keys in the given order.
pub fn user_data_bytes(pairs: &[(&str, &str)]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    mp::write_map_len(&mut out, len32(pairs.len())?)?;
    for (k, v) in pairs {
        mp::write_str(&mut out, k)?;
        mp::write_str(&mut out, v)?;
    }
    Ok(out)
}

fn len32(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| io::Error::other("too large for a spaCy DocBin (over 2^32 items)"))
}

/// zlib's level 3: on the 10,000-document corpus (270 MB of msgpack) it took a fifth less
/// processor time than the default level 6 for a file 38% larger (13.7 MB against
/// 9.9 MB); levels 1 and 2 were no faster and larger still.
const LEVEL: u32 = 3;

/// Writes the DocBin of `docs` with `strings` (sorted, unique) to `out`.
pub fn write_docbin(docs: &[DocRows], strings: &[&str], out: &mut dyn Write) -> io::Result<()> {
    let mut z = ParallelZlib::new(out, Compression::new(LEVEL))?;
    let w = &mut z;
    let n_tokens: usize = docs.iter().map(|d| d.tokens.len()).sum();
    mp::write_map_len(w, 10)?;
    mp::write_str(w, "version")?;
    mp::write_str(w, "0.1")?;
    mp::write_str(w, "attrs")?;
    mp::write_array_len(w, ATTRS.len() as u32)?;
    for a in ATTRS {
        mp::write_uint(w, a)?;
    }
    mp::write_str(w, "tokens")?;
    mp::write_bin_len(w, len32(n_tokens * ATTRS.len() * 8)?)?;
    let mut row = [0u8; 13 * 8];
    for t in docs.iter().flat_map(|d| &d.tokens) {
        for (i, v) in t.values().iter().enumerate() {
            row[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
        }
        w.write_all(&row)?;
    }
    mp::write_str(w, "spaces")?;
    mp::write_bin_len(w, len32(n_tokens)?)?;
    for d in docs {
        let bytes: Vec<u8> = d.spaces.iter().map(|&s| u8::from(s)).collect();
        w.write_all(&bytes)?;
    }
    mp::write_str(w, "lengths")?;
    mp::write_bin_len(w, len32(docs.len() * 4)?)?;
    for d in docs {
        let n = i32::try_from(d.tokens.len())
            .map_err(|_| io::Error::other("a document has over 2^31 tokens"))?;
        w.write_all(&n.to_le_bytes())?;
    }
    mp::write_str(w, "strings")?;
    mp::write_array_len(w, len32(strings.len())?)?;
    for s in strings {
        mp::write_str(w, s)?;
    }
    mp::write_str(w, "cats")?;
    mp::write_array_len(w, len32(docs.len())?)?;
    for _ in docs {
        mp::write_map_len(w, 0)?;
    }
    mp::write_str(w, "flags")?;
    mp::write_array_len(w, len32(docs.len())?)?;
    for _ in docs {
        mp::write_map_len(w, 1)?;
        mp::write_str(w, "has_unknown_spaces")?;
        mp::write_bool(w, false)?;
    }
    mp::write_str(w, "span_groups")?;
    mp::write_array_len(w, len32(docs.len())?)?;
    for d in docs {
        mp::write_bin(w, &d.span_groups)?;
    }
    mp::write_str(w, "user_data")?;
    mp::write_array_len(w, len32(docs.len())?)?;
    for d in docs {
        mp::write_bin(w, &d.user_data)?;
    }
    z.finish()
}
