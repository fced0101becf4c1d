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
    let mut builder = tempfile::Builder::new();
    builder.prefix(super::TMP_PREFIX).suffix(".tmp");
    // A temporary file is private (0600); a project file should get the permissions any
    // new file gets (0666 less the umask), or whoever shares the folder loses access.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| StorageError::io(dir, e))?;
    // Replacing a file keeps the permissions it had.
    if let Ok(meta) = fs::metadata(path)
        && meta.is_file()
    {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| StorageError::io(path, e))?;
    }
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
