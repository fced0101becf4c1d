//! Export output: files and folders written outside any project, so that a kill leaves
//! either the old output or the new one, never a mix, a half-written file or nothing.
//!
//! Everything is written into a staging folder beside the target (named with
//! [`TMP_PREFIX`], holding a lock file its writer keeps locked). A folder export is then
//! swapped with the old folder in one rename (`renameat2(RENAME_EXCHANGE)` on Linux). A
//! set of files is moved into place by a manifest: companions first, the main file last;
//! a kill during those renames leaves the manifest, and the next export into that folder
//! finishes them before anything else. Staging folders whose writer is gone are removed
//! then too. Replaced files keep their permissions; new ones get the umask's.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::TMP_PREFIX;

const LOCK: &str = "lock";
const MANIFEST: &str = "manifest";
const FOLDER: &str = "out";

/// The project folder `path` would land in, if any: `path` itself or one of its
/// ancestors holds a project.ron. Checked on the resolved path, so links do not hide it.
pub fn project_containing(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut probe = abs.as_path();
    // Resolve the deepest part that exists; the rest is appended as written.
    let resolved = loop {
        if let Ok(r) = fs::canonicalize(probe) {
            break r.join(abs.strip_prefix(probe).unwrap_or(Path::new("")));
        }
        match probe.parent() {
            Some(p) => probe = p,
            None => break abs.clone(),
        }
    };
    resolved
        .ancestors()
        .find(|a| super::is_project(a))
        .map(Path::to_path_buf)
}

fn parent_of(target: &Path) -> PathBuf {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// A staging folder beside the output, locked by this process while it lives.
struct Stage {
    dir: Option<tempfile::TempDir>,
    _lock: File,
}

impl Stage {
    fn new(parent: &Path) -> std::io::Result<Self> {
        fs::create_dir_all(parent)?;
        finish_or_remove_stale(parent);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{TMP_PREFIX}export-"))
            .tempdir_in(parent)?;
        let lock = File::create(dir.path().join(LOCK))?;
        lock.lock()?;
        Ok(Stage {
            dir: Some(dir),
            _lock: lock,
        })
    }

    fn path(&self) -> &Path {
        self.dir.as_ref().map_or(Path::new("."), |d| d.path())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(d) = self.dir.take() {
            let _ = d.close();
        }
    }
}

/// A set of output files (a main file and its companions), committed together.
pub struct FileSet {
    stage: Stage,
    parent: PathBuf,
    files: Vec<(File, PathBuf)>,
}

impl FileSet {
    /// Starts a set whose files all go into the folder of `main`.
    pub fn new(main: &Path) -> std::io::Result<Self> {
        let parent = parent_of(main);
        Ok(FileSet {
            stage: Stage::new(&parent)?,
            parent,
            files: Vec::new(),
        })
    }

    /// A new staged file for `target` (in the same folder as the set's main file); the
    /// first one added is the main file, renamed last.
    pub fn file(&mut self, target: &Path) -> std::io::Result<&mut File> {
        let staged = self.stage.path().join(self.files.len().to_string());
        let f = File::create(&staged)?;
        if let Ok(meta) = fs::metadata(target)
            && meta.is_file()
        {
            f.set_permissions(meta.permissions())?;
        }
        self.files.push((f, target.to_path_buf()));
        let last = self.files.len() - 1;
        Ok(&mut self.files[last].0)
    }

    /// Moves every file into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        let mut manifest = String::new();
        // Companions first, the main file last.
        let n = self.files.len();
        for i in (1..n).chain(0..n.min(1)) {
            let (f, target) = &self.files[i];
            f.sync_all()?;
            let name = target
                .file_name()
                .ok_or_else(|| std::io::Error::other("an output path needs a file name"))?;
            manifest.push_str(&format!("{i}\t{}\n", name.to_string_lossy()));
        }
        self.files.clear();
        let dir = self.stage.path().to_path_buf();
        let part = dir.join(format!("{MANIFEST}.part"));
        let mut m = File::create(&part)?;
        m.write_all(manifest.as_bytes())?;
        m.sync_all()?;
        fs::rename(&part, dir.join(MANIFEST))?;
        sync_dir(&dir);
        roll_forward(&dir, &self.parent)?;
        sync_dir(&self.parent);
        Ok(())
    }
}

/// A folder output staged whole and swapped in with one rename.
pub struct FolderOut {
    stage: Stage,
    target: PathBuf,
}

impl FolderOut {
    pub fn new(target: &Path) -> std::io::Result<Self> {
        let stage = Stage::new(&parent_of(target))?;
        fs::create_dir(stage.path().join(FOLDER))?;
        Ok(FolderOut {
            stage,
            target: target.to_path_buf(),
        })
    }

    /// Where to write the folder's content.
    pub fn path(&self) -> PathBuf {
        self.stage.path().join(FOLDER)
    }

    /// Writes files at paths relative to the folder, many at once (on the I/O threads),
    /// making their folders first; they are made durable together by [`Self::commit`].
    /// The first failure in the order given is returned with its path.
    pub fn write_files<B: AsRef<[u8]> + Sync>(
        &self,
        files: &[(PathBuf, B)],
    ) -> Result<(), (PathBuf, std::io::Error)> {
        use rayon::prelude::*;
        let root = self.path();
        let dirs: std::collections::BTreeSet<&Path> =
            files.iter().filter_map(|(rel, _)| rel.parent()).collect();
        for d in dirs {
            let dir = root.join(d);
            fs::create_dir_all(&dir).map_err(|e| (dir, e))?;
        }
        let write = |(rel, bytes): &(PathBuf, B)| {
            let path = root.join(rel);
            fs::write(&path, bytes.as_ref()).map_err(|e| (path, e))
        };
        let results: Vec<Result<(), (PathBuf, std::io::Error)>> =
            super::stage::on_io_threads(|| files.par_iter().map(write).collect());
        results.into_iter().collect()
    }

    /// Puts the new folder where the old one was (or is not) in one step; the old one
    /// goes with the staging folder.
    pub fn commit(self) -> std::io::Result<()> {
        let new = self.path();
        sync_tree(&new);
        if fs::symlink_metadata(&self.target).is_ok() {
            exchange(&new, &self.target)?;
        } else {
            fs::rename(&new, &self.target)?;
        }
        sync_dir(&parent_of(&self.target));
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both are valid NUL-terminated paths; renameat2 reads them only.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    // Some file systems cannot exchange: fall back to two renames.
    if matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
        return two_step(a, b);
    }
    Err(e)
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    two_step(a, b)
}

/// Old out of the way, then new in; the old one is put back if the second step fails.
fn two_step(new: &Path, target: &Path) -> std::io::Result<()> {
    let old = new.with_file_name("old");
    fs::rename(target, &old)?;
    if let Err(e) = fs::rename(new, target) {
        let _ = fs::rename(&old, target);
        return Err(e);
    }
    fs::rename(&old, new)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// fsyncs every file of a folder tree (many at once: a brat export holds two files a
/// document), then each folder.
fn sync_tree(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => files.push(e.path()),
                _ => {}
            }
        }
        dirs.push(d);
    }
    let _ = super::stage::sync_files(files.iter().map(PathBuf::as_path));
    for d in dirs.iter().rev() {
        sync_dir(d);
    }
}

fn roll_forward(stage: &Path, parent: &Path) -> std::io::Result<()> {
    let manifest = fs::read_to_string(stage.join(MANIFEST))?;
    for line in manifest.lines() {
        let Some((staged, name)) = line.split_once('\t') else {
            continue;
        };
        // Only plain names in the same folder: a planted manifest cannot aim elsewhere.
        if name.contains(['/', '\\']) || name.starts_with('.') || staged.contains(['/', '\\']) {
            continue;
        }
        let from = stage.join(staged);
        if from.is_file() {
            fs::rename(&from, parent.join(name))?;
        }
    }
    Ok(())
}

/// Finishes the renames of an export killed after its manifest, and removes staging
/// folders whose writer is gone (their lock is free). Best effort: an export never fails
/// because an old leftover could not be removed.
pub fn finish_or_remove_stale(parent: &Path) {
    let Ok(rd) = fs::read_dir(parent) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&format!("{TMP_PREFIX}export-"))
            || !e.file_type().is_ok_and(|t| t.is_dir())
        {
            continue;
        }
        let dir = e.path();
        let Ok(lock) = File::open(dir.join(LOCK)) else {
            // Killed before its lock existed: nothing in it yet.
            let _ = fs::remove_dir_all(&dir);
            continue;
        };
        if lock.try_lock().is_err() {
            continue; // its writer is still at work
        }
        if dir.join(MANIFEST).is_file() {
            let _ = roll_forward(&dir, parent);
        }
        let _ = fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sets_replace_together_and_keep_modes() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("out.csv");
        let comp = dir.path().join("out.relations.csv");
        let mut set = FileSet::new(&main).unwrap();
        set.file(&main).unwrap().write_all(b"one").unwrap();
        set.file(&comp).unwrap().write_all(b"uno").unwrap();
        set.commit().unwrap();
        assert_eq!(fs::read(&main).unwrap(), b"one");
        assert_eq!(fs::read(&comp).unwrap(), b"uno");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let reference = dir.path().join("reference");
            File::create(&reference).unwrap();
            assert_eq!(mode(&main), mode(&reference));
            fs::set_permissions(&main, fs::Permissions::from_mode(0o644)).unwrap();
            let mut set = FileSet::new(&main).unwrap();
            set.file(&main).unwrap().write_all(b"two").unwrap();
            set.commit().unwrap();
            assert_eq!(mode(&main), 0o644);
        }
        // A dropped set changes nothing and leaves nothing.
        let mut set = FileSet::new(&main).unwrap();
        set.file(&main).unwrap().write_all(b"three").unwrap();
        drop(set);
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn a_killed_set_is_finished_by_the_next_export_and_dead_stages_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stage = dir.path().join(format!("{TMP_PREFIX}export-dead"));
        fs::create_dir(&stage).unwrap();
        File::create(stage.join(LOCK)).unwrap();
        fs::write(stage.join("0"), b"main").unwrap();
        fs::write(stage.join("1"), b"comp").unwrap();
        fs::write(stage.join(MANIFEST), "1\tx.rel\n0\tx.main\n").unwrap();
        let half = dir.path().join(format!("{TMP_PREFIX}export-half"));
        fs::create_dir(&half).unwrap();
        File::create(half.join(LOCK)).unwrap();
        fs::write(half.join("0"), b"partial").unwrap();
        finish_or_remove_stale(dir.path());
        assert_eq!(fs::read(dir.path().join("x.main")).unwrap(), b"main");
        assert_eq!(fs::read(dir.path().join("x.rel")).unwrap(), b"comp");
        assert!(!stage.exists() && !half.exists());
    }

    #[test]
    fn folders_swap_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("brat");
        for round in ["a", "b"] {
            let f = FolderOut::new(&out).unwrap();
            fs::write(f.path().join("x.txt"), round).unwrap();
            f.commit().unwrap();
            assert_eq!(fs::read_to_string(out.join("x.txt")).unwrap(), round);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn outputs_inside_a_project_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        super::super::create(&root, "p").unwrap();
        assert_eq!(
            project_containing(&root.join("documents/x.ron")).as_deref(),
            Some(fs::canonicalize(&root).unwrap().as_path())
        );
        assert!(project_containing(&root.join("new/deeper/out.jsonl")).is_some());
        assert!(project_containing(&root).is_some());
        assert!(project_containing(&dir.path().join("out.jsonl")).is_none());
    }
}
