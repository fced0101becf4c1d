//! The project's advisory writer lock, so two processes never interleave their writes.
//!
//! The lock is an OS file lock (`flock`) on `.spanbench-lock` in the project root: the
//! kernel releases it when its holder exits or is killed, so a crash never leaves a stale
//! lock. While held, the file names its holder (name, process id, host, since when) so
//! others can say who is writing. Readers take no lock.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::StorageError;

pub const LOCK_FILE: &str = ".spanbench-lock";

/// Who holds a project's lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The annotator, or the command (`spanbench import`).
    pub name: String,
    pub pid: u32,
    pub host: String,
    /// Seconds since the Unix epoch when the lock was taken.
    pub since: u64,
}

impl Holder {
    fn me(name: &str) -> Self {
        Holder {
            name: name.to_string(),
            pid: std::process::id(),
            host: gethostname::gethostname().to_string_lossy().into_owned(),
            since: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        write!(
            f,
            "{} (process {} on {}, for {} s)",
            self.name,
            self.pid,
            self.host,
            now.saturating_sub(self.since)
        )
    }
}

/// Describes a holder that may not have written its name yet.
pub fn describe(holder: &Option<Holder>) -> String {
    match holder {
        Some(h) => h.to_string(),
        None => "another spanbench process".into(),
    }
}

/// A held project lock; dropping it releases the lock.
#[derive(Debug)]
pub struct ProjectLock {
    file: File,
    path: PathBuf,
}

fn open_lock_file(root: &Path) -> Result<(File, PathBuf), StorageError> {
    let path = root.join(LOCK_FILE);
    // A stranger's project could hold a link here pointing at one of the user's files,
    // which locking would then truncate.
    super::confine::refuse_link(&path)?;
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    let file = opts.open(&path).map_err(|e| StorageError::io(&path, e))?;
    Ok((file, path))
}

impl ProjectLock {
    /// Takes the lock if it is free; `Err(holder)` names who holds it otherwise.
    pub fn try_acquire(
        root: &Path,
        name: &str,
    ) -> Result<Result<Self, Option<Holder>>, StorageError> {
        if !super::is_project(root) {
            return Err(StorageError::NotAProject(root.to_path_buf()));
        }
        let (file, path) = open_lock_file(root)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(Err(read_holder(&path))),
            // A file system without locks (some network shares): writers are not kept
            // apart there; saying so is better than refusing to work.
            Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {}
            Err(TryLockError::Error(e)) => return Err(StorageError::io(&path, e)),
        }
        let mut lock = ProjectLock { file, path };
        lock.write_holder(&Holder::me(name))?;
        Ok(Ok(lock))
    }

    /// Takes the lock, waiting up to `timeout` for its holder; `waiting` is called once
    /// when the lock is busy.
    pub fn acquire(
        root: &Path,
        name: &str,
        timeout: Duration,
        mut waiting: impl FnMut(&Option<Holder>),
    ) -> Result<Self, StorageError> {
        let start = Instant::now();
        let mut told = false;
        loop {
            match Self::try_acquire(root, name)? {
                Ok(lock) => return Ok(lock),
                Err(holder) => {
                    if start.elapsed() >= timeout {
                        return Err(StorageError::Locked {
                            root: root.to_path_buf(),
                            holder: describe(&holder),
                        });
                    }
                    if !told {
                        waiting(&holder);
                        told = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    fn write_holder(&mut self, holder: &Holder) -> Result<(), StorageError> {
        let text = ron::to_string(holder).unwrap_or_default();
        let io = |e| StorageError::io(&self.path, e);
        self.file.set_len(0).map_err(io)?;
        self.file.seek(SeekFrom::Start(0)).map_err(io)?;
        self.file.write_all(text.as_bytes()).map_err(io)?;
        Ok(())
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        // Empty means free to anyone reading it; the OS lock goes with the handle.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn read_holder(path: &Path) -> Option<Holder> {
    let mut s = String::new();
    File::open(path)
        .ok()?
        .take(4096)
        .read_to_string(&mut s)
        .ok()?;
    ron::from_str(&s).ok()
}

/// Who holds the lock of `root` right now, if anyone (`Some(None)`: held by someone who
/// has not written their name yet).
pub fn holder(root: &Path) -> Option<Option<Holder>> {
    let path = root.join(LOCK_FILE);
    if fs::symlink_metadata(&path).is_err() {
        return None;
    }
    let (file, path) = open_lock_file(root).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(_) => Some(read_holder(&path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_others_see_who() {
        let dir = tempfile::tempdir().unwrap();
        super::super::create(dir.path(), "p").unwrap();
        let a = ProjectLock::try_acquire(dir.path(), "anna")
            .unwrap()
            .unwrap();
        let who = ProjectLock::try_acquire(dir.path(), "ben")
            .unwrap()
            .unwrap_err()
            .unwrap();
        assert_eq!(who.name, "anna");
        assert_eq!(who.pid, std::process::id());
        assert_eq!(holder(dir.path()), Some(Some(who.clone())));
        let err = ProjectLock::acquire(dir.path(), "ben", Duration::from_millis(120), |_| {})
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("anna") && msg.contains("process"), "{msg}");
        drop(a);
        assert_eq!(holder(dir.path()), None);
        let b = ProjectLock::try_acquire(dir.path(), "ben")
            .unwrap()
            .unwrap();
        drop(b);
    }
}
