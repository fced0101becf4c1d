//! Bringing the index up to date with the files on disk.
//!
//! The project is listed as `storage::read` lists it (same names refused, same links
//! refused). A file whose stat equals its entry is taken from the index; any other is
//! read and hashed, and parsed only when its hash differs. A set is validated again
//! when it, its document or the schema changed. Documents are handled in parallel, each
//! with its own sets, so memory is bounded by the largest document. A caller that needs
//! the whole corpus (`load`) asks for every file to be read, parsed and kept; the
//! validation of a set is skipped as it is here, by content hashes.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use super::{
    DocSummary, FileEntry, FileStat, INDEX_VERSION, ProjectIndex, ProjectSummary, SetSummary,
    Summary, cache,
};
use crate::model::{AnnotationSet, Corpus, Document, Project, validate_set};
use crate::offsets::OffsetMap;
use crate::storage::{self, ANNOTATIONS_DIR, DOCUMENTS_DIR, PROJECT_FILE, StorageError, confine};

/// Why the index cannot answer: the caller reads the whole project instead, which
/// reports the error (or the problems) exactly as it always has.
#[derive(Debug)]
pub(super) enum Doubt {
    Storage(StorageError),
    /// The project does not validate.
    Invalid,
}

impl From<StorageError> for Doubt {
    fn from(e: StorageError) -> Self {
        Doubt::Storage(e)
    }
}

/// An index brought up to date.
#[derive(Debug)]
pub struct Opened {
    pub index: ProjectIndex,
    /// With [`Reads::All`], every file parsed, as `storage::read` gives them.
    pub corpus: Option<Corpus>,
    /// Files read and hashed because their stat differed (or they were new).
    pub read: usize,
    /// Files parsed because their content differed (or they were new).
    pub parsed: usize,
    /// Sets validated because they, their document or the schema changed since the
    /// index last validated them.
    pub validated: usize,
    /// Whether the index on disk was rewritten.
    pub written: bool,
    pub notes: Vec<String>,
}

/// Which files a refresh reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reads {
    /// Only files whose stat differs from their entry (or whose sets must be checked).
    Changed,
    /// Every file, parsed and kept, for a caller that needs the whole corpus; a set is
    /// still validated only when its content, its document's or the schema's hash differ
    /// from what it was last validated against.
    All,
}

/// Reads the index of `root`, brings it up to date and writes it back if anything
/// changed. `Err` means the index cannot answer for this project (it does not read or
/// does not validate); nothing is written then.
pub fn open(root: &Path) -> Result<Opened, StorageError> {
    open_counting(root, &AtomicUsize::new(0))
}

/// [`open`], adding one to `done` for every document checked (with its sets), so a
/// window can show how far a first open has got.
pub fn open_counting(root: &Path, done: &AtomicUsize) -> Result<Opened, StorageError> {
    match open_inner(root, Reads::Changed, done) {
        Ok(o) => Ok(o),
        Err(Doubt::Storage(e)) => Err(e),
        // The full read names the problems; if it finds none, a file changed while the
        // index looked at it, and one more look settles it.
        Err(Doubt::Invalid) => {
            storage::load(root)?;
            open_inner(root, Reads::Changed, done).map_err(|d| match d {
                Doubt::Storage(e) => e,
                Doubt::Invalid => StorageError::io(
                    root,
                    std::io::Error::other("the project changed while it was read; try again"),
                ),
            })
        }
    }
}

pub(super) fn open_inner(root: &Path, read: Reads, done: &AtomicUsize) -> Result<Opened, Doubt> {
    if !root.is_dir() || !storage::is_project(root) {
        return Err(StorageError::NotAProject(root.to_path_buf()).into());
    }
    let started = now_secs();
    let loaded = cache::load(root);
    let mut notes = loaded.notes;
    let identity = super::root_identity(root);
    let mut old = loaded
        .index
        .filter(|i| i.root == identity)
        .unwrap_or_default();
    let listing = list(root)?;
    let tally = Tally::default();

    // project.ron first: its schema decides whether sets must be checked again.
    let pf = storage::project_file(root);
    let (project_entry, parsed_project) =
        refresh_project(&pf, old.files.remove(PROJECT_FILE), &tally, read)?;
    let Summary::Project(ps) = &project_entry.summary else {
        return Err(Doubt::Invalid);
    };
    if ps.problems {
        return Err(Doubt::Invalid);
    }
    let schema = ps.schema;
    // Parsed only if some set has to be validated again.
    let project = OnceLock::new();
    if let Some(p) = parsed_project {
        let _ = project.set(Ok(p));
    }
    let project_for = || -> Result<&Project, Doubt> {
        match project.get_or_init(|| reparse_project(&pf, project_entry.hash)) {
            Ok(p) => Ok(p),
            Err(_) => Err(Doubt::Invalid),
        }
    };

    // A set without its document is a validation problem.
    if listing.sets.keys().any(|d| !listing.docs.contains_key(d)) {
        return Err(Doubt::Invalid);
    }
    let ctx = Ctx {
        schema,
        tally: &tally,
        read,
    };
    // Old entries are moved into their documents' tasks, never copied: a warm open
    // holds one index in memory, not two.
    let mut sets_of = listing.sets;
    let tasks: Vec<Task> = listing
        .docs
        .into_iter()
        .map(|(id, path)| {
            let old_doc = old.files.remove(&format!("{DOCUMENTS_DIR}/{id}.ron"));
            let sets = sets_of
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|(a, p)| {
                    let e = old.files.remove(&format!("{ANNOTATIONS_DIR}/{a}/{id}.ron"));
                    (a, p, e)
                })
                .collect();
            Task {
                id,
                path,
                old: old_doc,
                sets,
            }
        })
        .collect();
    // Entries left over are files that are gone.
    if !old.files.is_empty() || old.annotators != listing.annotators {
        tally.changed();
    }
    drop(old);
    let results: Vec<Result<Refreshed, Doubt>> = tasks
        .into_par_iter()
        .map(|task| {
            let r = refresh_document(&ctx, task, &project_for);
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            r
        })
        .collect();
    let mut files = BTreeMap::new();
    files.insert(PROJECT_FILE.to_string(), project_entry);
    let mut documents = Vec::new();
    let mut annotations: BTreeMap<String, BTreeMap<String, AnnotationSet>> = listing
        .annotators
        .iter()
        .map(|a| (a.clone(), BTreeMap::new()))
        .collect();
    for r in results {
        let (entries, parsed) = r?;
        files.extend(entries);
        if let Some((doc, sets)) = parsed {
            for set in sets {
                annotations
                    .entry(set.annotator.clone())
                    .or_default()
                    .insert(set.document.clone(), set);
            }
            documents.push(doc);
        }
    }
    let corpus = match (read, project.into_inner()) {
        (Reads::All, Some(Ok(project))) => Some(Corpus {
            project,
            documents,
            annotations,
        }),
        (Reads::All, _) => return Err(Doubt::Invalid),
        (Reads::Changed, _) => None,
    };
    if mark_racy(&mut files, started) {
        tally.changed();
    }
    let index = ProjectIndex {
        version: INDEX_VERSION,
        root: identity,
        annotators: listing.annotators,
        files,
    };
    let mut written = false;
    if tally.changed.load(std::sync::atomic::Ordering::Relaxed) && loaded.writable {
        match cache::save(root, &index) {
            Ok(()) => written = true,
            Err(e) => notes.push(format!("the project index was not saved: {e}")),
        }
    }
    Ok(Opened {
        index,
        corpus,
        read: tally.read.load(std::sync::atomic::Ordering::Relaxed),
        parsed: tally.parsed.load(std::sync::atomic::Ordering::Relaxed),
        validated: tally.validated.load(std::sync::atomic::Ordering::Relaxed),
        written,
        notes,
    })
}

#[derive(Default)]
struct Tally {
    read: std::sync::atomic::AtomicUsize,
    parsed: std::sync::atomic::AtomicUsize,
    validated: std::sync::atomic::AtomicUsize,
    /// Something differs from the index read: it is written back.
    changed: std::sync::atomic::AtomicBool,
}

impl Tally {
    fn changed(&self) {
        self.changed
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    fn read(&self) {
        self.changed();
        self.read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn parsed(&self) {
        self.parsed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A document with its sets, and their old entries.
struct Task {
    id: String,
    path: PathBuf,
    old: Option<FileEntry>,
    sets: Vec<(String, PathBuf, Option<FileEntry>)>,
}

struct Ctx<'a> {
    schema: u64,
    tally: &'a Tally,
    read: Reads,
}

/// A document's entries and its sets', and with [`Reads::All`] the document and sets.
type Refreshed = (
    Vec<(String, FileEntry)>,
    Option<(Document, Vec<AnnotationSet>)>,
);

/// The project's files as `storage::read` finds them: documents by id, and per
/// document the annotators with a set on it.
struct Listing {
    docs: BTreeMap<String, PathBuf>,
    sets: BTreeMap<String, Vec<(String, PathBuf)>>,
    annotators: Vec<String>,
}

fn list(root: &Path) -> Result<Listing, StorageError> {
    confine::refuse_link(&storage::project_file(root))?;
    let ddir = root.join(DOCUMENTS_DIR);
    confine::refuse_link(&ddir)?;
    let mut docs = BTreeMap::new();
    for path in storage::ron_files(&ddir)? {
        let stem = storage::file_stem(&path);
        confine::check_name("document id", &stem, &path)?;
        docs.insert(stem, path);
    }
    let mut sets: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
    let mut annotators = Vec::new();
    let adir = root.join(ANNOTATIONS_DIR);
    confine::refuse_link(&adir)?;
    if adir.is_dir() {
        for entry in fs::read_dir(&adir).map_err(|e| StorageError::io(&adir, e))? {
            let entry = entry.map_err(|e| StorageError::io(&adir, e))?;
            let kind = entry.file_type().map_err(|e| StorageError::io(&adir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if kind.is_symlink() {
                return Err(StorageError::Symlink(entry.path()));
            }
            if kind.is_dir() {
                confine::check_name("annotator name", &name, &entry.path())?;
                annotators.push(name);
            }
        }
        annotators.sort();
        for a in &annotators {
            for path in storage::ron_files(&adir.join(a))? {
                let stem = storage::file_stem(&path);
                confine::check_name("document id", &stem, &path)?;
                sets.entry(stem).or_default().push((a.clone(), path));
            }
        }
    }
    Ok(Listing {
        docs,
        sets,
        annotators,
    })
}

/// A file as it is now.
enum Now {
    /// Same content as its entry (stat equal, or hash equal): the entry, stat updated,
    /// and the bytes if they were read.
    Same(FileEntry, Option<Vec<u8>>),
    /// Different or new content, read once.
    Changed {
        stat: FileStat,
        hash: u64,
        bytes: Vec<u8>,
    },
}

fn look(
    path: &Path,
    old: Option<FileEntry>,
    tally: &Tally,
    read: Reads,
) -> Result<Now, StorageError> {
    let stat_now = match read {
        Reads::Changed => {
            let meta = fs::symlink_metadata(path).map_err(|e| StorageError::io(path, e))?;
            if meta.file_type().is_symlink() {
                return Err(StorageError::Symlink(path.to_path_buf()));
            }
            Some(FileStat::of(&meta))
        }
        // Read anyway: the stat comes with the bytes.
        Reads::All => None,
    };
    let mut old = old;
    if let Some(stat) = stat_now
        && let Some(e) = old.take_if(|e| e.stat == stat && !e.racy)
    {
        return Ok(Now::Same(e, None));
    }
    if old.is_none() {
        tally.changed();
    }
    let (stat, bytes) = read_file(path)?;
    if read == Reads::Changed || old.as_ref().is_none_or(|e| e.stat != stat || e.racy) {
        tally.read();
    }
    let hash = storage::stamp(&bytes);
    match old {
        Some(e) if e.hash == hash => {
            let bytes = (read == Reads::All).then_some(bytes);
            Ok(Now::Same(
                FileEntry {
                    stat,
                    hash,
                    racy: false,
                    summary: e.summary,
                },
                bytes,
            ))
        }
        _ => Ok(Now::Changed { stat, hash, bytes }),
    }
}

/// The bytes of a file and the stat of the very file they were read from.
fn read_file(path: &Path) -> Result<(FileStat, Vec<u8>), StorageError> {
    let io = |e| StorageError::io(path, e);
    let mut f = cache::open_nofollow(path).map_err(|e| {
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            StorageError::Symlink(path.to_path_buf())
        } else {
            io(e)
        }
    })?;
    let stat = FileStat::of(&f.metadata().map_err(io)?);
    let mut bytes = Vec::with_capacity(stat.size as usize);
    f.read_to_end(&mut bytes).map_err(io)?;
    Ok((stat, bytes))
}

/// Hash of what validating a set depends on in project.ron.
pub fn schema_hash(p: &Project) -> u64 {
    let bytes = serde_json::to_vec(&(&p.labels, &p.relation_types)).unwrap_or_default();
    storage::stamp(&bytes)
}

fn project_summary(p: &Project) -> ProjectSummary {
    ProjectSummary {
        name: p.name.clone(),
        labels: p.labels.iter().map(|l| l.key.clone()).collect(),
        schema: schema_hash(p),
        problems: !storage::project_problems(p).is_empty(),
    }
}

fn refresh_project(
    pf: &Path,
    old: Option<FileEntry>,
    tally: &Tally,
    read: Reads,
) -> Result<(FileEntry, Option<Project>), Doubt> {
    match look(pf, old, tally, read)? {
        Now::Same(e, None) => Ok((e, None)),
        Now::Same(e, Some(bytes)) => Ok((e, Some(storage::project_from_bytes(pf, bytes)?))),
        Now::Changed { stat, hash, bytes } => {
            tally.parsed();
            let p = storage::project_from_bytes(pf, bytes)?;
            let entry = FileEntry {
                stat,
                hash,
                racy: false,
                summary: Summary::Project(project_summary(&p)),
            };
            Ok((entry, Some(p)))
        }
    }
}

fn reparse_project(pf: &Path, hash: u64) -> Result<Project, Doubt> {
    let (_, bytes) = read_file(pf)?;
    if storage::stamp(&bytes) != hash {
        // Changed while we looked: let a full read decide.
        return Err(Doubt::Invalid);
    }
    Ok(storage::project_from_bytes(pf, bytes)?)
}

/// A document and the sets on it.
fn refresh_document<'p>(
    ctx: &Ctx,
    task: Task,
    project: &(dyn Fn() -> Result<&'p Project, Doubt> + Sync),
) -> Result<Refreshed, Doubt> {
    let Task {
        id,
        path,
        old,
        sets,
    } = task;
    let path = path.as_path();
    let rel = format!("{DOCUMENTS_DIR}/{id}.ron");
    let mut doc: Option<Document> = None;
    let entry = match look(path, old, ctx.tally, ctx.read)? {
        Now::Same(e, None) => e,
        Now::Same(e, Some(bytes)) => {
            doc = Some(storage::document_from_bytes(path, bytes)?);
            e
        }
        Now::Changed { stat, hash, bytes } => {
            ctx.tally.parsed();
            let d = storage::document_from_bytes(path, bytes)?;
            let summary = Summary::Document(DocSummary {
                title: d.title.clone(),
                chars: d.text.chars().count(),
            });
            doc = Some(d);
            FileEntry {
                stat,
                hash,
                racy: false,
                summary,
            }
        }
    };
    // Built only when a set has to be validated.
    let mut map: Option<OffsetMap> = None;
    let doc_hash = entry.hash;
    let mut out = Vec::with_capacity(1 + sets.len());
    let mut kept = Vec::new();
    out.push((rel, entry));
    for (annotator, spath, old) in sets {
        let spath = spath.as_path();
        let annotator = annotator.as_str();
        let rel = format!("{ANNOTATIONS_DIR}/{annotator}/{id}.ron");
        let wanted = Some((doc_hash, ctx.schema));
        let (mut entry, parsed) = match look(spath, old, ctx.tally, ctx.read)? {
            Now::Same(e, None) => (e, None),
            Now::Same(e, Some(bytes)) => {
                (e, Some(storage::set_from_bytes(spath, annotator, bytes)?))
            }
            Now::Changed { stat, hash, bytes } => {
                ctx.tally.parsed();
                let set = storage::set_from_bytes(spath, annotator, bytes)?;
                let entry = FileEntry {
                    stat,
                    hash,
                    racy: false,
                    summary: Summary::Set(set_summary(&set)),
                };
                (entry, Some(set))
            }
        };
        let Summary::Set(summary) = &mut entry.summary else {
            return Err(Doubt::Invalid);
        };
        let mut parsed = parsed;
        if summary.checked != wanted {
            let set = match parsed {
                Some(s) => s,
                None => {
                    let (_, bytes) = read_file(spath)?;
                    if storage::stamp(&bytes) != entry.hash {
                        return Err(Doubt::Invalid);
                    }
                    ctx.tally.parsed();
                    storage::set_from_bytes(spath, annotator, bytes)?
                }
            };
            if doc.is_none() {
                let (_, bytes) = read_file(path)?;
                if storage::stamp(&bytes) != doc_hash {
                    return Err(Doubt::Invalid);
                }
                ctx.tally.parsed();
                doc = Some(storage::document_from_bytes(path, bytes)?);
            }
            let Some(d) = &doc else {
                return Err(Doubt::Invalid);
            };
            let map = map.get_or_insert_with(|| OffsetMap::new(&d.text));
            ctx.tally
                .validated
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if !validate_set(project()?, d, map, &set, &rel).is_empty() {
                return Err(Doubt::Invalid);
            }
            summary.checked = wanted;
            ctx.tally.changed();
            parsed = Some(set);
        }
        if ctx.read == Reads::All {
            kept.extend(parsed);
        }
        out.push((rel, entry));
    }
    let parsed = match (ctx.read, doc) {
        (Reads::All, Some(d)) => Some((d, kept)),
        (Reads::All, None) => return Err(Doubt::Invalid),
        (Reads::Changed, _) => None,
    };
    Ok((out, parsed))
}

fn set_summary(set: &AnnotationSet) -> SetSummary {
    let mut spans_per_label = BTreeMap::new();
    for s in &set.spans {
        *spans_per_label.entry(s.label.clone()).or_default() += 1;
    }
    SetSummary {
        status: set.status,
        spans_per_label,
        relations: set.relations.len(),
        checked: None,
    }
}

/// Clock ticks on some file systems are as coarse as two seconds.
const TICK: i64 = 2;

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64
}

/// A file modified in the same tick as the index was built could change again without
/// its stat changing; such entries are hashed again by the next reader.
/// Returns whether any entry's mark changed.
fn mark_racy(files: &mut BTreeMap<String, FileEntry>, started: i64) -> bool {
    let mut flipped = false;
    for e in files.values_mut() {
        let racy = e.stat.mtime.0 >= started - TICK;
        flipped |= racy != e.racy;
        e.racy = racy;
    }
    flipped
}
