//! The whole project, read for a command that needs every file (export, agreement),
//! with the index sparing the validation of what it already vouches for.
//!
//! Every file is read and parsed on all cores; a set is validated again only when its
//! content hash, its document's or the schema's differs from what the index says it was
//! validated against (in this folder: an index that came with a copy is not trusted).
//! The index is then brought up to date and saved like any refresh's. Anything that
//! goes wrong is answered by [`storage::load`], so the errors and problems a user sees
//! are exactly its own. `spanbench validate` does not come here: it checks everything.

use std::path::Path;

use super::refresh::{Reads, open_inner};
use crate::model::Corpus;
use crate::storage::{self, StorageError};

/// A project read in full.
#[derive(Debug)]
pub struct Loaded {
    pub corpus: Corpus,
    /// About the cache (not kept, rebuilt); never about the project's content.
    pub notes: Vec<String>,
    /// Sets validated: those the index did not vouch for (every set without an index).
    pub validated: usize,
}

/// Reads and validates the whole project at `root`, as [`storage::load`] does, faster
/// when the index vouches for its sets. The corpus is the one `storage::load` returns.
pub fn load(root: &Path) -> Result<Loaded, StorageError> {
    match open_inner(root, Reads::All, &std::sync::atomic::AtomicUsize::new(0)) {
        Ok(opened) => match opened.corpus {
            Some(corpus) => Ok(Loaded {
                corpus,
                notes: opened.notes,
                validated: opened.validated,
            }),
            None => full(root),
        },
        // Names the first bad file or every problem, as it always has.
        Err(_) => full(root),
    }
}

fn full(root: &Path) -> Result<Loaded, StorageError> {
    storage::load(root).map(|corpus| Loaded {
        validated: corpus.annotations.values().map(|sets| sets.len()).sum(),
        corpus,
        notes: Vec::new(),
    })
}
