//! The project index: what a project holds, per file, without parsing it.
//!
//! For every project file the index keeps its size, modification and change times,
//! inode and content hash (xxh3), and a summary of what it holds: the project's name and
//! labels, a document's title and length, an annotation set's status, spans per label,
//! relations, and whether it passed validation against which document and schema.
//!
//! It is a cache, never the source of truth. It lives in `.spanbench-cache/index.json`
//! inside the project (see [`cache`]); a missing, unreadable, corrupt or old-version
//! index is rebuilt, and a file whose stat differs from its entry is read again and
//! hashed, and parsed only if its hash differs. Anything the index cannot answer for
//! sure (a file that does not parse, a set that does not validate, a folder that cannot
//! be listed) sends the caller back to reading the whole project, so errors read
//! exactly as they do without an index.

pub mod cache;
mod catalog;
mod load;
mod refresh;
mod stats;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::DocStatus;

pub use cache::{CACHE_DIR, INDEX_FILE};
pub use catalog::{Catalog, CatalogDoc, CatalogSet};
pub use load::{Loaded, load};
pub use refresh::{Opened, open, open_counting, schema_hash};
pub use stats::{StatsAnswer, project_stats, stats_of};

/// Bumped whenever the index's shape or meaning changes; an index of another version is
/// rebuilt.
pub const INDEX_VERSION: u32 = 1;

/// What the file system says of a file. Any difference means the file is read again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    pub size: u64,
    pub mtime: (i64, u32),
    /// The change time cannot be set by a user, so a file edited and given back its old
    /// size and modification time is still seen to have changed.
    pub ctime: (i64, u32),
    pub ino: u64,
}

impl FileStat {
    pub fn of(m: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileStat {
                size: m.len(),
                mtime: (m.mtime(), m.mtime_nsec().clamp(0, 999_999_999) as u32),
                ctime: (m.ctime(), m.ctime_nsec().clamp(0, 999_999_999) as u32),
                ino: m.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            FileStat {
                size: m.len(),
                mtime: (t.as_secs() as i64, t.subsec_nanos()),
                ctime: (0, 0),
                ino: 0,
            }
        }
    }
}

/// The identity of a project folder: device and inode (0 where there are none).
pub fn root_identity(root: &std::path::Path) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(root).map_or((0, 0), |m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = root;
        (0, 0)
    }
}

/// One project file in the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub stat: FileStat,
    /// xxh3 of the bytes, as [`crate::storage::stamp`] takes it.
    pub hash: u64,
    /// Modified within a clock tick of when the index was built: the same stat could
    /// hide a later change, so the next reader hashes the file again.
    #[serde(default)]
    pub racy: bool,
    pub summary: Summary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Summary {
    Project(ProjectSummary),
    Document(DocSummary),
    Set(SetSummary),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub name: String,
    /// Label keys in schema order.
    pub labels: Vec<String>,
    /// Hash of what validating a set depends on in project.ron (labels and relation
    /// types); a set checked under another schema is checked again.
    pub schema: u64,
    /// project.ron on its own has problems (a label defined twice, a bad colour).
    pub problems: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocSummary {
    pub title: String,
    /// Length of the text in Unicode scalar values.
    pub chars: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetSummary {
    pub status: DocStatus,
    pub spans_per_label: BTreeMap<String, usize>,
    pub relations: usize,
    /// `(document hash, schema hash)` this set was validated against with no problem.
    pub checked: Option<(u64, u64)>,
}

impl SetSummary {
    pub fn spans(&self) -> usize {
        self.spans_per_label.values().sum()
    }
}

/// The whole index: every project file by its path relative to the root
/// (`project.ron`, `documents/<id>.ron`, `annotations/<annotator>/<id>.ron`), and the
/// annotator folders (a folder may hold no set yet).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectIndex {
    pub version: u32,
    /// Device and inode of the project folder the index was built in. An index found in
    /// a folder with another identity came with a copy of the project (a zip, a stranger's
    /// archive) and is not trusted at all: summaries are only reused for content this
    /// spanbench hashed in this folder.
    #[serde(default)]
    pub root: (u64, u64),
    pub annotators: Vec<String>,
    pub files: BTreeMap<String, FileEntry>,
}

impl ProjectIndex {
    pub fn project(&self) -> Option<&ProjectSummary> {
        match self
            .files
            .get(crate::storage::PROJECT_FILE)
            .map(|e| &e.summary)
        {
            Some(Summary::Project(p)) => Some(p),
            _ => None,
        }
    }

    /// Documents in id order, with their summaries.
    pub fn documents(&self) -> impl Iterator<Item = (&str, &DocSummary)> {
        let prefix = format!("{}/", crate::storage::DOCUMENTS_DIR);
        self.files.iter().filter_map(move |(rel, e)| {
            let id = rel.strip_prefix(&prefix)?.strip_suffix(".ron")?;
            match &e.summary {
                Summary::Document(d) => Some((id, d)),
                _ => None,
            }
        })
    }

    /// One annotator's sets, by document id.
    pub fn sets<'a>(&'a self, annotator: &str) -> impl Iterator<Item = (&'a str, &'a SetSummary)> {
        let prefix = format!("{}/{annotator}/", crate::storage::ANNOTATIONS_DIR);
        self.files
            .range(prefix.clone()..)
            .map_while(move |(rel, e)| {
                let id = rel.strip_prefix(&prefix)?.strip_suffix(".ron")?;
                match &e.summary {
                    Summary::Set(s) => Some((id, s)),
                    _ => None,
                }
            })
    }

    pub fn set(&self, annotator: &str, doc: &str) -> Option<&SetSummary> {
        let rel = format!("{}/{annotator}/{doc}.ron", crate::storage::ANNOTATIONS_DIR);
        match self.files.get(&rel).map(|e| &e.summary) {
            Some(Summary::Set(s)) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
