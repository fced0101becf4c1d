//! Atomic file replacement: a crash or kill leaves either the old file or the new one,
//! never a mix.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::StorageError;

/// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it over `path`
/// and fsyncs the folder so the rename itself is durable.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| StorageError::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".spanbench-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| StorageError::io(dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| StorageError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| StorageError::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| StorageError::io(path, e.error))?;
    // Durability of the rename; not every platform can open a folder for syncing.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
