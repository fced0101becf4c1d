//! Exports built a document at a time on all cores and written in order, so the output
//! is byte-identical to building it in one pass.

use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

use super::{ExportError, Record, Report};

/// Items whose output is built together before being taken in order: bounds the memory
/// an export holds to a chunk's output, not the whole file's, and is large enough that
/// waiting for a chunk's slowest item costs little.
const CHUNK: usize = 1024;

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

/// Builds every item with `build` on all cores, a chunk at a time, and hands each item
/// with what was built for it to `take`, in the items' order. The first error in that
/// order is returned, after `take` has seen every item before it: what a loop over the
/// items would do.
pub fn in_order<I: Sync, T: Send>(
    items: &[I],
    build: impl Fn(&I) -> Result<T, ExportError> + Sync,
    mut take: impl FnMut(&I, T) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    for chunk in items.chunks(CHUNK) {
        let built: Vec<Result<T, ExportError>> = chunk.par_iter().map(&build).collect();
        for (item, b) in chunk.iter().zip(built) {
            take(item, b?)?;
        }
    }
    Ok(())
}

/// Adds what one item's report holds to the export's.
pub fn merge(report: &mut Report, r: Report) {
    report.records += r.records;
    report.spans += r.spans;
    report.notes.extend(r.notes);
}

/// Builds every item's bytes and report with `build` on all cores, and writes the bytes
/// to `out` and appends the reports to `report` in the items' order. `done` says how
/// many records an item covers, for `progress`.
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
    in_order(items, build, |item, (bytes, r)| {
        out.write_all(&bytes)?;
        merge(report, r);
        records += done(item);
        progress(records, total);
        Ok(())
    })
}
