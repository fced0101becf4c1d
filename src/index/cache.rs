//! Where the index is kept: `.spanbench-cache/index.json` in the project root.
//!
//! The folder is housekeeping, like the lock: its name does not start with the
//! temporary prefix, so recovery never takes it for a leftover; the project's
//! `.gitignore` lists it and the folder holds a `.gitignore` of its own (`*`), so git
//! ignores it even in projects whose `.gitignore` predates it. A cache folder or index
//! file that is a symbolic link, or a folder that resolves outside the project, is never
//! read or written: the index is then built in memory each time, with a note.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{INDEX_VERSION, ProjectIndex};
use crate::storage::{self, StorageError, atomic, confine};

pub use crate::storage::CACHE_DIR;
pub const INDEX_FILE: &str = "index.json";
const IGNORE_ALL: &str = "# spanbench's cache: rebuilt when missing\n*\n";
/// A cache file larger than this is not an index spanbench wrote for any sane project.
const MAX_INDEX_BYTES: u64 = 1 << 30;

/// What was found in the cache.
pub struct Loaded {
    /// The index read, if one was there and could be used.
    pub index: Option<ProjectIndex>,
    /// False when the cache must not be written (a link, something in the way).
    pub writable: bool,
    pub notes: Vec<String>,
}

pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR)
}

pub fn index_path(root: &Path) -> PathBuf {
    cache_dir(root).join(INDEX_FILE)
}

/// Reads the index of `root`. Never fails: whatever is wrong is a note, and the index is
/// then rebuilt.
pub fn load(root: &Path) -> Loaded {
    let dir = cache_dir(root);
    let mut out = Loaded {
        index: None,
        writable: true,
        notes: Vec::new(),
    };
    match fs::symlink_metadata(&dir) {
        Err(_) => return out,
        Ok(m) if m.file_type().is_symlink() => {
            out.writable = false;
            out.notes.push(format!(
                "{} is a symbolic link; the index is not read or written there (remove the link to let spanbench keep its cache)",
                dir.display()
            ));
            return out;
        }
        Ok(m) if !m.is_dir() => {
            out.writable = false;
            out.notes.push(format!(
                "{} is not a folder; the index is not kept (remove it to let spanbench keep its cache)",
                dir.display()
            ));
            return out;
        }
        Ok(_) => {}
    }
    if confine::check_under_root(root, &dir).is_err() {
        out.writable = false;
        out.notes.push(format!(
            "{} lies outside the project; the index is not kept",
            dir.display()
        ));
        return out;
    }
    let path = index_path(root);
    match read_index(&path) {
        Ok(None) => {}
        Ok(Some(Ok(index))) if index.version == INDEX_VERSION => out.index = Some(index),
        Ok(Some(Ok(index))) => out.notes.push(format!(
            "{}: index of version {} (this spanbench keeps version {INDEX_VERSION}); rebuilding it",
            path.display(),
            index.version
        )),
        Ok(Some(Err(why))) => out.notes.push(format!(
            "{}: the index could not be read ({why}); rebuilding it",
            path.display()
        )),
        Err(why) => {
            out.writable = false;
            out.notes.push(format!(
                "{}: {why}; the index is not read or written there",
                path.display()
            ));
        }
    }
    out
}

/// `Ok(None)`: no index. `Ok(Some(Err))`: an index that cannot be used. `Err`: a file
/// that must not be touched.
#[allow(clippy::type_complexity)]
fn read_index(path: &Path) -> Result<Option<Result<ProjectIndex, String>>, String> {
    match fs::symlink_metadata(path) {
        Err(_) => return Ok(None),
        Ok(m) if m.file_type().is_symlink() => return Err("a symbolic link".into()),
        Ok(m) if !m.is_file() => return Err("not a file".into()),
        Ok(m) if m.len() > MAX_INDEX_BYTES => {
            return Ok(Some(Err(format!("{} bytes, too large", m.len()))));
        }
        Ok(_) => {}
    }
    let mut bytes = Vec::new();
    let read = open_nofollow(path).and_then(|f| f.take(MAX_INDEX_BYTES).read_to_end(&mut bytes));
    if let Err(e) = read {
        return Ok(Some(Err(e.to_string())));
    }
    Ok(Some(
        serde_json::from_slice::<ProjectIndex>(&bytes).map_err(|e| e.to_string()),
    ))
}

/// Opens a file for reading, refusing to follow a symbolic link at its last component.
pub(super) fn open_nofollow(path: &Path) -> std::io::Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path)
}

/// Writes the index atomically, making the cache folder if needed. Readers take no
/// lock: two processes writing at once each write a whole index, and the last wins.
pub fn save(root: &Path, index: &ProjectIndex) -> Result<(), StorageError> {
    let dir = cache_dir(root);
    confine::create_dirs(root, &dir)?;
    let ignore = dir.join(".gitignore");
    confine::refuse_link(&ignore)?;
    if !ignore.exists() {
        atomic::write(&ignore, IGNORE_ALL.as_bytes())?;
    }
    let tag = dir.join("CACHEDIR.TAG");
    confine::refuse_link(&tag)?;
    if !tag.exists() {
        atomic::write(
            &tag,
            b"Signature: 8a477f597d28d172789f06886806bc55\n# spanbench's index of this project; rebuilt when missing.\n",
        )?;
    }
    let path = index_path(root);
    confine::refuse_link(&path)?;
    confine::check_under_root(root, &path)?;
    sweep_leftovers(&dir);
    let bytes = serde_json::to_vec(index).map_err(|e| StorageError::Encode {
        path: path.clone(),
        message: e.to_string(),
    })?;
    atomic::write(&path, &bytes)
}

/// Removes temporary files of index writes killed more than an hour ago. (Recovery
/// cleans the project's own folders; this one is the cache's, and a live writer's file
/// is minutes old at most.)
fn sweep_leftovers(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let old = SystemTime::now() - Duration::from_secs(3600);
    for e in rd.flatten() {
        let is_tmp = e
            .file_name()
            .to_string_lossy()
            .starts_with(storage::TMP_PREFIX);
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < old);
        if is_tmp && stale && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}
