//! Batches of project files committed together.
//!
//! Every file of a batch is first written, fsynced, into one staging folder inside the
//! project; then a manifest naming the targets is written (atomically) into that folder,
//! and only then are the files renamed into place, documents first, project.ron last.
//! A kill before the manifest exists leaves the project exactly as it was; a kill
//! during the renames leaves a manifest that the next writer to open the project rolls
//! forward. Either way [`recover`] (run under the project lock) leaves no temporary
//! file behind.
//!
//! Temporary files and staging folders all start with [`TMP_PREFIX`], which a
//! project's `.gitignore` lists.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;

use super::StorageError;
use super::confine::{self, check_name};

/// The one prefix of every temporary file and staging folder spanbench makes.
pub const TMP_PREFIX: &str = ".spanbench-tmp-";
const MANIFEST: &str = "manifest";

/// A project file a batch writes, by where it lives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Document(String),
    Set { annotator: String, doc: String },
    Project,
}

impl Target {
    /// The path relative to the project root, `/`-separated.
    pub fn rel(&self) -> String {
        match self {
            Target::Project => super::PROJECT_FILE.into(),
            Target::Document(d) => format!("{}/{d}.ron", super::DOCUMENTS_DIR),
            Target::Set { annotator, doc } => {
                format!("{}/{annotator}/{doc}.ron", super::ANNOTATIONS_DIR)
            }
        }
    }

    /// Parses a relative path back, refusing anything but the project's own layout.
    pub fn parse(rel: &str) -> Option<Target> {
        let parts: Vec<&str> = rel.split('/').collect();
        let stem = |f: &str| f.strip_suffix(".ron").map(str::to_string);
        let ok = |n: &str| confine::name_problem(n).is_none();
        match parts.as_slice() {
            [p] if *p == super::PROJECT_FILE => Some(Target::Project),
            [d, f] if *d == super::DOCUMENTS_DIR => stem(f).filter(|s| ok(s)).map(Target::Document),
            [a, ann, f] if *a == super::ANNOTATIONS_DIR && ok(ann) => {
                stem(f).filter(|s| ok(s)).map(|doc| Target::Set {
                    annotator: ann.to_string(),
                    doc,
                })
            }
            _ => None,
        }
    }

    /// Where the target lives under `root` (names not checked: see [`Target::check`]).
    pub fn path(&self, root: &Path) -> PathBuf {
        match self {
            Target::Project => root.join(super::PROJECT_FILE),
            Target::Document(d) => root.join(super::DOCUMENTS_DIR).join(format!("{d}.ron")),
            Target::Set { annotator, doc } => root
                .join(super::ANNOTATIONS_DIR)
                .join(annotator)
                .join(format!("{doc}.ron")),
        }
    }

    /// Checks the names a target is built from.
    fn check_names(&self, root: &Path) -> Result<(), StorageError> {
        let shown = || root.join(self.rel());
        match self {
            Target::Project => Ok(()),
            Target::Document(d) => check_name("document id", d, &shown()),
            Target::Set { annotator, doc } => {
                check_name("annotator name", annotator, &shown())?;
                check_name("document id", doc, &shown())
            }
        }
    }

    /// Checks the names and confines the path: no link on the way, under the root.
    fn check(&self, root: &Path) -> Result<PathBuf, StorageError> {
        self.check_names(root)?;
        match self {
            Target::Project => confine::confined(root, &[super::PROJECT_FILE]),
            Target::Document(d) => {
                confine::confined(root, &[super::DOCUMENTS_DIR, &format!("{d}.ron")])
            }
            Target::Set { annotator, doc } => confine::confined(
                root,
                &[super::ANNOTATIONS_DIR, annotator, &format!("{doc}.ron")],
            ),
        }
    }
}

/// Folders already checked in one batch (no link on the way, under the root once links
/// are resolved), so a batch of thousands of files checks each folder once. A folder
/// not made yet is checked again where the commit makes it ([`confine::create_dirs`]).
#[derive(Default)]
struct Checked(HashSet<PathBuf>);

impl Checked {
    /// Where `target` goes, its names and folder checked as [`Target::check`] does (the
    /// folder once). The file itself is checked by [`check_dest`] where it is used.
    fn dest(&mut self, root: &Path, target: &Target) -> Result<PathBuf, StorageError> {
        let path = target.path(root);
        if let Some(parent) = path.parent()
            && self.0.contains(parent)
        {
            target.check_names(root)?;
            return Ok(path);
        }
        let dest = target.check(root)?;
        if let Some(parent) = dest.parent() {
            self.0.insert(parent.to_path_buf());
        }
        Ok(dest)
    }
}

/// What is at a target's path: refused when it is a link or something other than a
/// file; the file's metadata when there is one. `new`: refused when it exists (a new
/// document another process made meanwhile).
fn check_dest(dest: &Path, new: bool) -> Result<Option<fs::Metadata>, StorageError> {
    match fs::symlink_metadata(dest) {
        Ok(m) if m.file_type().is_symlink() => Err(StorageError::Symlink(dest.to_path_buf())),
        Ok(_) if new => Err(StorageError::Mismatch {
            path: dest.to_path_buf(),
            message: "was created by another process during the import; import again".into(),
        }),
        Ok(m) if !m.is_file() => Err(StorageError::io(
            dest,
            std::io::Error::other("something other than a file is in the way"),
        )),
        Ok(m) => Ok(Some(m)),
        Err(_) => Ok(None),
    }
}

/// Staged files being written on the I/O threads, and what they reported.
struct Writes {
    tx: mpsc::Sender<Result<(), StorageError>>,
    rx: mpsc::Receiver<Result<(), StorageError>>,
    in_flight: usize,
    failed: Option<StorageError>,
}

/// Chunks of files written by one task on the I/O threads, and how many chunks may be
/// in flight before staging waits (bounding the bytes held).
const WRITE_CHUNK: usize = 32;
const MAX_IN_FLIGHT: usize = 64;

impl Writes {
    fn new() -> Self {
        let (tx, rx) = mpsc::channel();
        Writes {
            tx,
            rx,
            in_flight: 0,
            failed: None,
        }
    }

    fn wait_one(&mut self) {
        let r = self.rx.recv().unwrap_or_else(|_| {
            Err(StorageError::io(
                Path::new(TMP_PREFIX),
                std::io::Error::other("a write of the staging folder stopped"),
            ))
        });
        self.in_flight -= 1;
        if let Err(e) = r {
            self.failed.get_or_insert(e);
        }
    }

    /// Waits for every write; the first failure, if any.
    fn finish(&mut self) -> Result<(), StorageError> {
        while self.in_flight > 0 {
            self.wait_one();
        }
        self.failed.take().map_or(Ok(()), Err)
    }
}

/// Files staged for one commit.
pub struct Batch {
    root: PathBuf,
    dir: Option<tempfile::TempDir>,
    files: Vec<(Target, PathBuf)>,
    index: HashMap<Target, usize>,
    checked: Checked,
    staged: usize,
    writes: Writes,
}

impl Batch {
    pub fn new(root: &Path) -> Self {
        Batch {
            root: root.to_path_buf(),
            dir: None,
            files: Vec::new(),
            index: HashMap::new(),
            checked: Checked::default(),
            staged: 0,
            writes: Writes::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    fn staging(&mut self) -> Result<PathBuf, StorageError> {
        if self.dir.is_none() {
            confine::check_under_root(&self.root, &self.root)?;
            let dir = tempfile::Builder::new()
                .prefix(&format!("{TMP_PREFIX}stage-"))
                .tempdir_in(&self.root)
                .map_err(|e| StorageError::io(&self.root, e))?;
            self.dir = Some(dir);
        }
        Ok(self
            .dir
            .as_ref()
            .map_or_else(|| self.root.clone(), |d| d.path().to_path_buf()))
    }

    /// Stages `bytes` for `target`. A later stage of the same target replaces the
    /// earlier one. Staged files are made durable together by [`Batch::commit`].
    pub fn add(&mut self, target: Target, bytes: &[u8]) -> Result<(), StorageError> {
        let dest = self.checked.dest(&self.root, &target)?;
        let staged = self.staging()?.join(self.staged.to_string());
        self.staged += 1;
        write_staged(&dest, &staged, bytes, false)?;
        self.record(target, staged);
        Ok(())
    }

    /// Stages many files at once, written in parallel. Fails on the first target (in
    /// the order given) that cannot be written; what was staged stays staged.
    pub fn add_all(&mut self, items: Vec<(Target, Vec<u8>)>) -> Result<(), StorageError> {
        self.add_all_as(items, |_| false)?;
        self.writes.finish()
    }

    /// Stages many files on the I/O threads and returns before they are written, so
    /// the caller goes on (reading the next documents) while the disk works; a write
    /// that failed fails [`Batch::commit`]. `new(target)`: the target must not exist
    /// (a document being imported that another process made meanwhile).
    pub fn add_all_in_background(
        &mut self,
        items: Vec<(Target, Vec<u8>)>,
        new: impl Fn(&Target) -> bool,
    ) -> Result<(), StorageError> {
        self.add_all_as(items, new)
    }

    fn add_all_as(
        &mut self,
        items: Vec<(Target, Vec<u8>)>,
        new: impl Fn(&Target) -> bool,
    ) -> Result<(), StorageError> {
        if let Some(e) = self.writes.failed.take() {
            return Err(e);
        }
        if items.is_empty() {
            return Ok(());
        }
        let dir = self.staging()?;
        let mut planned = Vec::with_capacity(items.len());
        for (target, bytes) in items {
            let dest = self.checked.dest(&self.root, &target)?;
            let staged = dir.join(self.staged.to_string());
            self.staged += 1;
            planned.push((dest, staged.clone(), bytes, new(&target)));
            self.record(target, staged);
        }
        let Some(pool) = io_pool() else {
            for (dest, staged, bytes, new) in planned {
                write_staged(&dest, &staged, &bytes, new)?;
            }
            return Ok(());
        };
        // Written on the I/O threads, fsynced together at the commit: syncing each
        // file as it is written made a 10,000-document import slower.
        let mut planned = planned.into_iter().peekable();
        while planned.peek().is_some() {
            let chunk: Vec<_> = planned.by_ref().take(WRITE_CHUNK).collect();
            while self.writes.in_flight >= MAX_IN_FLIGHT {
                self.writes.wait_one();
            }
            let tx = self.writes.tx.clone();
            self.writes.in_flight += 1;
            pool.spawn(move || {
                let r = chunk.iter().try_for_each(|(dest, staged, bytes, new)| {
                    write_staged(dest, staged, bytes, *new)
                });
                let _ = tx.send(r);
            });
        }
        Ok(())
    }

    fn record(&mut self, target: Target, staged: PathBuf) {
        match self.index.get(&target) {
            Some(&i) => self.files[i].1 = staged,
            None => {
                self.index.insert(target.clone(), self.files.len());
                self.files.push((target, staged));
            }
        }
    }

    /// Makes every staged file durable (fsynced in parallel), writes the manifest and
    /// renames every file into place, then fsyncs each folder written to once; returns
    /// how many files were written.
    pub fn commit(mut self) -> Result<usize, StorageError> {
        if self.files.is_empty() {
            return Ok(0);
        }
        // Documents before the sets on them, project.ron (the annotator list) last, so
        // a reader in between never sees a set without its document.
        self.writes.finish()?;
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
        let dir = self.staging()?;
        sync_staged(&dir, &self.files)?;
        let mut manifest = String::new();
        for (t, staged) in &self.files {
            let name = staged
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            manifest.push_str(&format!("{name}\t{}\n", t.rel()));
        }
        let tmp = dir.join(format!("{MANIFEST}.part"));
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |e| StorageError::io(&p, e)
        };
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(manifest.as_bytes()).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        fs::rename(&tmp, dir.join(MANIFEST)).map_err(io(&dir))?;
        sync_dir(&dir);
        let n = self.files.len();
        let entries = self
            .files
            .iter()
            .map(|(t, staged)| (t.clone(), staged.clone()));
        let result = move_into_place(&self.root, entries.collect());
        if let Some(d) = self.dir.take() {
            let moved_some = || self.files.iter().any(|(_, staged)| !staged.exists());
            if result.is_ok() || !moved_some() {
                // Done, or failed before the first rename: the project is as it was.
                let _ = d.close();
            } else {
                // Failed part-way: keep the manifest so the next writer finishes it.
                let _ = d.keep();
            }
        }
        result.map(|_| n)
    }
}

impl Drop for Batch {
    /// Writes still running finish before the staging folder is removed.
    fn drop(&mut self) {
        let _ = self.writes.finish();
    }
}

/// Writes one staged file (not yet fsynced), with the permissions of the file it will
/// replace, or those any new file gets. `new`: the target must not exist yet.
fn write_staged(dest: &Path, staged: &Path, bytes: &[u8], new: bool) -> Result<(), StorageError> {
    let io = |e| StorageError::io(dest, e);
    let existing = check_dest(dest, new)?;
    let mut f = fs::File::create(staged).map_err(io)?;
    if let Some(meta) = existing {
        f.set_permissions(meta.permissions()).map_err(io)?;
    }
    f.write_all(bytes).map_err(io)
}

/// Makes the staged files durable. Many files at once: on Linux one `syncfs` of the
/// file system that holds the staging folder (one journal commit instead of one per
/// file); elsewhere, or if it fails, each file is fsynced.
fn sync_staged(dir: &Path, files: &[(Target, PathBuf)]) -> Result<(), StorageError> {
    #[cfg(target_os = "linux")]
    if files.len() >= SYNCFS_FROM
        && let Ok(d) = fs::File::open(dir)
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs only reads the descriptor, which `d` keeps open.
        if unsafe { libc::syncfs(d.as_raw_fd()) } == 0 {
            return Ok(());
        }
    }
    let _ = dir;
    sync_files(files.iter().map(|(_, p)| p.as_path()))
}

/// Batches smaller than this fsync each file: syncing the whole file system would also
/// wait for whatever else is being written to it.
const SYNCFS_FROM: usize = 64;

/// Runs `work` on the I/O threads (see [`io_pool`]), or here if they could not start.
pub(super) fn on_io_threads<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match io_pool() {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// fsync of many files at once. fsync waits on the disk, not the processor, so more
/// threads than cores keep the disk's queue full and let the file system fold the
/// flushes into few journal commits.
pub(super) fn sync_files<'a>(paths: impl Iterator<Item = &'a Path>) -> Result<(), StorageError> {
    let paths: Vec<&Path> = paths.collect();
    let sync = |p: &&Path| {
        fs::File::open(p)
            .and_then(|f| f.sync_all())
            .map_err(|e| StorageError::io(p, e))
    };
    let results: Vec<Result<(), StorageError>> =
        on_io_threads(|| paths.par_iter().map(sync).collect());
    results.into_iter().collect()
}

/// The threads that wait on fsync.
fn io_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(IO_THREADS)
            .thread_name(|i| format!("spanbench-sync-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

const IO_THREADS: usize = 16;

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Renames what the manifest in `dir` lists into place (skipping entries already
/// moved), then fsyncs the folders written to.
fn roll_forward(root: &Path, dir: &Path) -> Result<(), StorageError> {
    let manifest = fs::read_to_string(dir.join(MANIFEST))
        .map_err(|e| StorageError::io(&dir.join(MANIFEST), e))?;
    let mut entries = Vec::new();
    for line in manifest.lines() {
        let Some((name, rel)) = line.split_once('\t') else {
            continue;
        };
        let staged = dir.join(name);
        // Only plain files of this folder; entries moved already are skipped.
        if name.contains('/')
            || name.starts_with('.')
            || !fs::symlink_metadata(&staged).is_ok_and(|m| m.is_file())
        {
            continue;
        }
        let Some(target) = Target::parse(rel) else {
            return Err(StorageError::Outside(root.join(rel)));
        };
        entries.push((target, staged));
    }
    move_into_place(root, entries)
}

/// Renames staged files to their targets, then fsyncs the folders written to. Every
/// target is checked, and every folder made, before the first rename, so a target that
/// cannot be written (a folder in the way, a link, a name from elsewhere) fails with
/// nothing moved.
fn move_into_place(root: &Path, entries: Vec<(Target, PathBuf)>) -> Result<(), StorageError> {
    let mut moves = Vec::with_capacity(entries.len());
    let mut touched = BTreeSet::new();
    let mut checked = Checked::default();
    for (target, staged) in entries {
        let dest = target.path(root);
        if let Some(parent) = dest.parent()
            && !touched.contains(parent)
        {
            confine::create_dirs(root, parent)?;
            touched.insert(parent.to_path_buf());
        }
        let dest = checked.dest(root, &target)?;
        let kind = match target {
            Target::Document(_) => 0,
            Target::Set { .. } => 1,
            Target::Project => 2,
        };
        moves.push((staged, dest, kind));
    }
    let results: Vec<Result<Option<fs::Metadata>, StorageError>> = on_io_threads(|| {
        moves
            .par_iter()
            .map(|(_, d, _)| check_dest(d, false))
            .collect()
    });
    for r in results {
        r?;
    }
    rename_in_order(moves)?;
    for d in touched {
        sync_dir(&d);
    }
    Ok(())
}

/// Renames staged files into place, kind by kind in the manifest's order (documents,
/// then the sets on them, then project.ron), the files of one kind in parallel: a
/// rename that replaces a file waits on the file system's journal, and many waits
/// overlap. A kind is complete before the next starts.
fn rename_in_order(moves: Vec<(PathBuf, PathBuf, u8)>) -> Result<(), StorageError> {
    let rename = |(staged, dest, _): &(PathBuf, PathBuf, u8)| {
        fs::rename(staged, dest).map_err(|e| StorageError::io(dest, e))
    };
    for group in moves.chunk_by(|a, b| a.2 == b.2) {
        let results: Vec<Result<(), StorageError>> =
            on_io_threads(|| group.par_iter().map(rename).collect());
        results.into_iter().collect::<Result<(), StorageError>>()?;
    }
    Ok(())
}

/// Finishes or undoes what a killed writer left: a staging folder whose manifest is
/// complete is rolled forward, any other is removed, and stray temporary files are
/// deleted. Call only while holding the project lock. Returns one note per thing done.
pub fn recover(root: &Path) -> Result<Vec<String>, StorageError> {
    let mut notes = Vec::new();
    let mut dirs = vec![
        root.to_path_buf(),
        root.join(super::DOCUMENTS_DIR),
        root.join(super::ANNOTATIONS_DIR),
    ];
    if let Ok(rd) = fs::read_dir(root.join(super::ANNOTATIONS_DIR)) {
        for e in rd.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(e.path());
            }
        }
    }
    for dir in dirs {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(TMP_PREFIX) {
                continue;
            }
            let path = e.path();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && dir == root && path.join(MANIFEST).is_file() {
                roll_forward(root, &path)?;
                notes.push(format!(
                    "{}: finished a save that was interrupted",
                    path.display()
                ));
            } else {
                notes.push(format!("{}: removed an unfinished write", path.display()));
            }
            let removed = if is_dir {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(|err| StorageError::io(&path, err))?;
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_and_strangers_paths_are_refused() {
        for t in [
            Target::Project,
            Target::Document("d-1".into()),
            Target::Set {
                annotator: "ани".into(),
                doc: "x".into(),
            },
        ] {
            assert_eq!(Target::parse(&t.rel()), Some(t));
        }
        for bad in [
            "../x.ron",
            "documents/../../x.ron",
            "annotations/../x.ron",
            "annotations/a/b/c.ron",
            "/etc/passwd",
            "documents/x.txt",
            "other.ron",
        ] {
            assert_eq!(Target::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_batch_writes_all_or_nothing_and_recovery_rolls_forward() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        super::super::create(root, "p").unwrap();
        let before = fs::read(root.join("project.ron")).unwrap();
        // Dropped before commit: nothing changes and nothing is left.
        let mut b = Batch::new(root);
        b.add(Target::Document("a".into()), b"A").unwrap();
        drop(b);
        assert!(!root.join("documents/a.ron").exists());
        assert!(leftovers(root).is_empty());

        // A commit killed after its manifest: recover finishes it.
        let mut b = Batch::new(root);
        b.add(Target::Document("a".into()), b"A").unwrap();
        b.add(
            Target::Set {
                annotator: "anna".into(),
                doc: "a".into(),
            },
            b"S",
        )
        .unwrap();
        b.add(Target::Project, b"P").unwrap();
        b.files.sort_by(|a, b| a.0.cmp(&b.0));
        let staging = b.staging().unwrap().to_path_buf();
        let manifest: String = b
            .files
            .iter()
            .map(|(t, p)| {
                format!(
                    "{}\t{}\n",
                    p.file_name().unwrap().to_string_lossy(),
                    t.rel()
                )
            })
            .collect();
        fs::write(staging.join(MANIFEST), manifest).unwrap();
        // The first rename happened before the kill.
        let (_, first) = &b.files[0];
        fs::rename(first, root.join("documents/a.ron")).unwrap();
        let _ = b.dir.take().unwrap().keep();
        assert_eq!(fs::read(root.join("project.ron")).unwrap(), before);
        let notes = recover(root).unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(fs::read(root.join("documents/a.ron")).unwrap(), b"A");
        assert_eq!(fs::read(root.join("annotations/anna/a.ron")).unwrap(), b"S");
        assert_eq!(fs::read(root.join("project.ron")).unwrap(), b"P");
        assert!(leftovers(root).is_empty());

        // A staging folder without a manifest is removed, and so are stray temp files.
        fs::create_dir(root.join(format!("{TMP_PREFIX}stage-x"))).unwrap();
        fs::write(root.join(format!("{TMP_PREFIX}stage-x/0")), b"half").unwrap();
        fs::write(root.join(format!("documents/{TMP_PREFIX}y.tmp")), b"half").unwrap();
        assert_eq!(recover(root).unwrap().len(), 2);
        assert!(leftovers(root).is_empty());
        assert_eq!(fs::read(root.join("documents/a.ron")).unwrap(), b"A");
    }

    #[test]
    fn a_failed_background_write_fails_the_commit_with_nothing_moved() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        super::super::create(root, "p").unwrap();
        fs::write(root.join("documents/b.ron"), b"old").unwrap();
        let doc = |d: &str| Target::Document(d.into());
        let mut b = Batch::new(root);
        let items: Vec<_> = (0..100)
            .map(|i| (doc(&format!("a{i}")), b"A".to_vec()))
            .chain([(doc("b"), b"B".to_vec())])
            .collect();
        // b must be new, and exists: the commit fails and moves nothing.
        b.add_all_in_background(items, |_| true).unwrap();
        let err = b.commit().unwrap_err().to_string();
        assert!(err.contains("created by another process"), "{err}");
        assert_eq!(fs::read(root.join("documents/b.ron")).unwrap(), b"old");
        assert!(!root.join("documents/a0.ron").exists());
        assert!(leftovers(root).is_empty());

        // The same batch where nothing is in the way: all of it lands.
        let mut b = Batch::new(root);
        let items: Vec<_> = (0..100)
            .map(|i| (doc(&format!("a{i}")), b"A".to_vec()))
            .collect();
        b.add_all_in_background(items, |_| true).unwrap();
        assert_eq!(b.commit().unwrap(), 100);
        assert_eq!(fs::read(root.join("documents/a99.ron")).unwrap(), b"A");
        assert!(leftovers(root).is_empty());
    }

    #[test]
    fn a_planted_manifest_cannot_write_outside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        super::super::create(&root, "p").unwrap();
        let stage = root.join(format!("{TMP_PREFIX}stage-evil"));
        fs::create_dir(&stage).unwrap();
        fs::write(stage.join("0"), b"x").unwrap();
        fs::write(stage.join(MANIFEST), "0\t../outside.ron\n").unwrap();
        assert!(recover(&root).is_err());
        assert!(!dir.path().join("outside.ron").exists());
    }

    fn leftovers(root: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for d in [
            root.to_path_buf(),
            root.join("documents"),
            root.join("annotations"),
        ] {
            for e in fs::read_dir(d).unwrap().flatten() {
                if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    out.push(e.path());
                }
            }
        }
        out
    }
}
