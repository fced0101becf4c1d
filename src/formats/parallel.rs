//! Exports built a document at a time on all cores and written in order, so the output
//! is byte-identical to building it in one pass.

use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

use super::{ExportError, Record, Report};

/// Documents whose output is built together before being written: bounds the memory an
/// export holds to a chunk's output, not the whole file's.
const CHUNK: usize = 256;

/// The records of each document: `select` keeps a document's records next to each other.
pub fn doc_groups(records: &[Record]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=records.len() {
        if i == records.len() || !std::ptr::eq(records[i].doc, records[start].doc) {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// Builds every item's bytes and report with `build` on all cores, a chunk at a time, and
/// writes the bytes to `out` and appends the reports to `report` in the items' order.
/// `done` says how many records an item covers, for `progress`.
pub fn write_in_order<I: Sync>(
    items: &[I],
    total: usize,
    out: &mut dyn Write,
    report: &mut Report,
    progress: &mut dyn FnMut(usize, usize),
    done: impl Fn(&I) -> usize,
    build: impl Fn(&I) -> Result<(Vec<u8>, Report), ExportError> + Sync,
) -> Result<(), ExportError> {
    let mut records = 0;
    for chunk in items.chunks(CHUNK) {
        let built: Vec<Result<(Vec<u8>, Report), ExportError>> =
            chunk.par_iter().map(&build).collect();
        for (item, b) in chunk.iter().zip(built) {
            let (bytes, r) = b?;
            out.write_all(&bytes)?;
            report.records += r.records;
            report.spans += r.spans;
            report.notes.extend(r.notes);
            records += done(item);
            progress(records, total);
        }
    }
    Ok(())
}
