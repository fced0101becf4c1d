//! spaCy's string ids: a string is stored as a 64-bit id, which is its index among
//! spaCy's reserved symbols if it is one of them, 0 for the empty string, and its
//! MurmurHash64A (seed 1) over the UTF-8 bytes otherwise (`spacy.strings.get_string_id`).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::tables::SYMBOLS;

/// The id spaCy's `StringStore` gives `s`.
pub fn string_id(s: &str) -> u64 {
    if s.is_empty() {
        return 0;
    }
    static TABLE: OnceLock<HashMap<&'static str, u64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        SYMBOLS
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i as u64))
            .collect()
    });
    match table.get(s) {
        Some(&id) => id,
        None => murmur_hash64a(s.as_bytes(), 1),
    }
}

/// Austin Appleby's MurmurHash64A, as the `murmurhash` package spaCy uses computes it
/// (`hash64`): 8-byte little-endian blocks, then the tail.
pub fn murmur_hash64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut blocks = key.chunks_exact(8);
    for b in &mut blocks {
        let mut k = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids printed by spaCy 3.8.7's `spacy.strings.get_string_id`.
    #[test]
    fn ids_match_spacy() {
        let known: &[(&str, u64)] = &[
            ("", 0),
            ("a", 11901859001352538922),
            ("ab", 6606101647874324205),
            ("abc", 13021918864714763345),
            ("abcd", 10146069190107602562),
            ("abcde", 13719108639536143),
            ("abcdef", 15630152049486356940),
            ("abcdefg", 18200195881963043692),
            ("abcdefgh", 17751780907874141760),
            ("Azerbaijan", 4741101046059885321),
            ("ACTOR", 5408755460585001224),
            ("CLAIM", 8529571584741417429),
            ("AGREEMENT_TERM", 11156401589916456391),
            ("PLACE", 7145516467705016459),
            ("Երևան", 8226882275688514634),
            ("👍🏽", 13607523020581129625),
            ("'s", 16428057658620181782),
            ("n’t", 16712971838599463365),
            ("sc", 9416492980273960644),
            ("7", 2462676316711722248),
            ("Hello", 15777305708150031551),
            ("hello", 5983625672228268878),
            // Reserved symbols are stored as their index, not their hash.
            ("DATE", 391),
            ("ORTH", 65),
            ("IS_ALPHA", 1),
            ("_", 456),
        ];
        for &(s, id) in known {
            assert_eq!(string_id(s), id, "{s:?}");
        }
        // The hash of a reserved string, as spaCy's `hash_string` gives it.
        assert_eq!(murmur_hash64a(b"DATE", 1), 13159193755579614929);
    }
}
