//! The project folder on disk: RON files a person can read and git can diff.
//!
//! ```text
//! project.ron                              schema and settings
//! documents/<doc>.ron                      one file per document, text included
//! annotations/<annotator>/<doc>.ron        one annotator's spans on one document
//! ```
//!
//! Reads never modify anything. Every write goes through this module: names are checked
//! and paths confined to the project ([`confine`]), files are committed in batches
//! through a staging folder ([`stage`]), and writers hold the project lock ([`lock`]).

pub mod atomic;
pub mod confine;
mod error;
pub mod lock;
pub mod output;
mod ron_io;
pub mod stage;

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub use error::StorageError;
pub use lock::{Holder, LOCK_FILE, ProjectLock};
use ron_io::{parse_ron, read_ron, to_ron};
pub use stage::{Batch, TMP_PREFIX, Target};

use crate::model::{AnnotationSet, Corpus, Document, Problem, Project, validate_set};
use crate::offsets::OffsetMap;

pub const PROJECT_FILE: &str = "project.ron";
pub const DOCUMENTS_DIR: &str = "documents";
pub const ANNOTATIONS_DIR: &str = "annotations";
pub const GITIGNORE: &str = ".gitignore";

/// The folder of rebuildable caches (the project index): never project content, never
/// a leftover (it does not start with [`TMP_PREFIX`]).
pub const CACHE_DIR: &str = ".spanbench-cache";

/// What a project's `.gitignore` holds so that git never sees spanbench's temporary
/// files, staging folders, lock or cache.
pub const GITIGNORE_LINES: [&str; 3] = [".spanbench-tmp-*", LOCK_FILE, "/.spanbench-cache/"];

/// Content hashes of the files a read saw (relative path -> xxh3), so a writer can tell
/// whether a file changed on disk since.
pub type Stamps = BTreeMap<String, u64>;

pub fn stamp(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Cuts a string quoted in a message to 200 characters.
pub fn excerpt(s: &str) -> String {
    const MAX: usize = 200;
    match s.char_indices().nth(MAX) {
        Some((b, _)) => format!("{}…", &s[..b]),
        None => s.to_string(),
    }
}

pub fn project_file(root: &Path) -> PathBuf {
    root.join(PROJECT_FILE)
}

pub fn document_file(root: &Path, doc_id: &str) -> PathBuf {
    root.join(DOCUMENTS_DIR).join(format!("{doc_id}.ron"))
}

pub fn set_file(root: &Path, annotator: &str, doc_id: &str) -> PathBuf {
    root.join(ANNOTATIONS_DIR)
        .join(annotator)
        .join(format!("{doc_id}.ron"))
}

/// True when `root` looks like a spanbench project.
pub fn is_project(root: &Path) -> bool {
    project_file(root).is_file()
}

/// Creates a new, empty project in `root`, which must not exist or be an empty folder.
pub fn create(root: &Path, name: &str) -> Result<Corpus, StorageError> {
    if root.exists() {
        let empty = fs::read_dir(root)
            .map_err(|e| StorageError::io(root, e))?
            .next()
            .is_none();
        if !empty {
            return Err(StorageError::NotEmpty(root.to_path_buf()));
        }
    }
    for dir in [
        root.to_path_buf(),
        root.join(DOCUMENTS_DIR),
        root.join(ANNOTATIONS_DIR),
    ] {
        fs::create_dir_all(&dir).map_err(|e| StorageError::io(&dir, e))?;
    }
    // Keep stored texts byte-exact whatever a collaborator's git is configured to do.
    atomic::write(&root.join(".gitattributes"), b"*.ron text eol=lf\n")?;
    atomic::write(&root.join(GITIGNORE), gitignore_text("").as_bytes())?;
    let corpus = Corpus::new(Project::new(name));
    save_project(root, &corpus.project)?;
    Ok(corpus)
}

fn gitignore_text(existing: &str) -> String {
    let mut out = existing.to_string();
    for line in GITIGNORE_LINES {
        if !existing.lines().any(|l| l.trim() == line) {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if existing.is_empty() && out.is_empty() {
                out.push_str("# spanbench's temporary files, writer lock and cache\n");
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Adds spanbench's lines to the project's `.gitignore` if they are missing (projects
/// made before it wrote one). Call while holding the lock.
pub fn ensure_gitignore(root: &Path) -> Result<(), StorageError> {
    let path = confine::confined(root, &[GITIGNORE]).or_else(|e| match e {
        StorageError::BadName { .. } => Ok(root.join(GITIGNORE)),
        e => Err(e),
    })?;
    confine::refuse_link(&path)?;
    let existing = match fs::read(&path) {
        Ok(b) => match String::from_utf8(b) {
            Ok(s) => s,
            // Never write over a file that could not be read.
            Err(_) => return Ok(()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(_) => return Ok(()),
    };
    let wanted = gitignore_text(&existing);
    if wanted != existing {
        atomic::write(&path, wanted.as_bytes())?;
    }
    Ok(())
}

/// Takes the project lock for a writer (waiting up to `wait` for another writer),
/// finishes or removes what a killed writer left, and makes sure `.gitignore` hides
/// temporary files. Returns the lock and one note per thing recovered.
pub fn lock_for_writing(
    root: &Path,
    who: &str,
    wait: std::time::Duration,
    waiting: impl FnMut(&Option<Holder>),
) -> Result<(ProjectLock, Vec<String>), StorageError> {
    let lock = ProjectLock::acquire(root, who, wait, waiting)?;
    let notes = stage::recover(root)?;
    ensure_gitignore(root)?;
    Ok((lock, notes))
}

/// Reads a whole project. Fails on the first file that cannot be read or parsed, naming
/// it; does not check cross-file invariants (see [`validate`] and [`load`]).
pub fn read(root: &Path) -> Result<Corpus, StorageError> {
    read_stamped(root).map(|(c, _)| c)
}

/// Like [`read`], also returning the content hash of every file read. Symbolic links
/// inside the project and names that are not plain file names are refused.
pub fn read_stamped(root: &Path) -> Result<(Corpus, Stamps), StorageError> {
    if !root.is_dir() {
        return Err(StorageError::NotAProject(root.to_path_buf()));
    }
    let pf = project_file(root);
    confine::refuse_link(&pf)?;
    if !pf.is_file() {
        return Err(StorageError::NotAProject(root.to_path_buf()));
    }
    let mut stamps = Stamps::new();
    let (project, h) = read_ron(&pf, |p: &Project| p.format_version)?;
    stamps.insert(PROJECT_FILE.into(), h);
    check_project_names(&project, &pf)?;
    let mut documents = Vec::new();
    let ddir = root.join(DOCUMENTS_DIR);
    confine::refuse_link(&ddir)?;
    // Files are parsed on all cores; errors are taken in file order, so the one
    // reported is the same on every run.
    let read: Vec<_> = ron_files(&ddir)?
        .par_iter()
        .map(|path| {
            let stem = file_stem(path);
            confine::check_name("document id", &stem, path)?;
            let (doc, h) = read_document(path)?;
            Ok((stem, doc, h))
        })
        .collect();
    for r in read {
        let (stem, doc, h): (String, Document, u64) = r?;
        stamps.insert(format!("{DOCUMENTS_DIR}/{stem}.ron"), h);
        documents.push(doc);
    }
    documents.sort_by(|a, b| a.id.cmp(&b.id));
    let mut annotations: BTreeMap<String, BTreeMap<String, AnnotationSet>> = BTreeMap::new();
    let adir = root.join(ANNOTATIONS_DIR);
    confine::refuse_link(&adir)?;
    if adir.is_dir() {
        let mut annotators = Vec::new();
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
                annotators.push(entry.path());
            }
        }
        annotators.sort();
        for dir in annotators {
            let annotator = file_name(&dir);
            let sets = annotations.entry(annotator.clone()).or_default();
            let read: Vec<_> = ron_files(&dir)?
                .par_iter()
                .map(|path| {
                    let stem = file_stem(path);
                    confine::check_name("document id", &stem, path)?;
                    let (set, h) = read_set(path, &annotator)?;
                    Ok((stem, set, h))
                })
                .collect();
            for r in read {
                let (stem, set, h): (String, AnnotationSet, u64) = r?;
                stamps.insert(format!("{ANNOTATIONS_DIR}/{annotator}/{stem}.ron"), h);
                sets.insert(stem, set);
            }
        }
    }
    Ok((
        Corpus {
            project,
            documents,
            annotations,
        },
        stamps,
    ))
}

/// Annotator names listed in project.ron must be plain names too: a stranger's project
/// could list `../../elsewhere` and have a tag written there.
fn check_project_names(project: &Project, pf: &Path) -> Result<(), StorageError> {
    for a in project.annotators.iter().chain(project.layers.keys()) {
        confine::check_name("annotator name", a, pf)?;
    }
    Ok(())
}

/// Reads project.ron alone, with its stamp.
pub fn read_project_file(root: &Path) -> Result<(Project, u64), StorageError> {
    let pf = project_file(root);
    confine::refuse_link(&pf)?;
    let (project, h) = read_ron(&pf, |p: &Project| p.format_version)?;
    check_project_names(&project, &pf)?;
    Ok((project, h))
}

/// Reads one document file, checking it is named after its id.
pub fn read_document(path: &Path) -> Result<(Document, u64), StorageError> {
    confine::refuse_link(path)?;
    let bytes = fs::read(path).map_err(|e| StorageError::io(path, e))?;
    let h = stamp(&bytes);
    document_from_bytes(path, bytes).map(|d| (d, h))
}

/// Parses the bytes read from a document file, checking it is named after its id.
pub fn document_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Document, StorageError> {
    let doc: Document = parse_ron(path, bytes, |d: &Document| d.format_version)?;
    let stem = file_stem(path);
    if doc.id != stem {
        return Err(StorageError::Mismatch {
            path: path.to_path_buf(),
            message: format!(
                "declares id {:?} but the file is named {stem:?}; rename one to match",
                excerpt(&doc.id)
            ),
        });
    }
    Ok(doc)
}

/// Reads one annotation set, checking it lives where it says, in canonical order.
pub fn read_set(path: &Path, annotator: &str) -> Result<(AnnotationSet, u64), StorageError> {
    confine::refuse_link(path)?;
    let bytes = fs::read(path).map_err(|e| StorageError::io(path, e))?;
    let h = stamp(&bytes);
    set_from_bytes(path, annotator, bytes).map(|s| (s, h))
}

/// Parses the bytes read from an annotation set file, checking it lives where it says;
/// returns it in canonical order.
pub fn set_from_bytes(
    path: &Path,
    annotator: &str,
    bytes: Vec<u8>,
) -> Result<AnnotationSet, StorageError> {
    let mut set: AnnotationSet = parse_ron(path, bytes, |s: &AnnotationSet| s.format_version)?;
    let stem = file_stem(path);
    if set.document != stem || set.annotator != annotator {
        return Err(StorageError::Mismatch {
            path: path.to_path_buf(),
            message: format!(
                "holds annotator {:?} on document {:?} but lives at {annotator}/{stem}.ron",
                excerpt(&set.annotator),
                excerpt(&set.document)
            ),
        });
    }
    // Edits keep sets in canonical order so undo is exact; a file put in another order
    // by hand must start out that way too.
    set.sort();
    Ok(set)
}

/// Parses the bytes read from project.ron, checking the names it lists.
pub fn project_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Project, StorageError> {
    let project: Project = parse_ron(path, bytes, |p: &Project| p.format_version)?;
    check_project_names(&project, path)?;
    Ok(project)
}

/// The bytes a project file is written as: what a batch stages, and what a stamp of a
/// written file is taken over.
pub fn project_bytes(root: &Path, project: &Project) -> Result<Vec<u8>, StorageError> {
    Ok(to_ron(project, &project_file(root))?.into_bytes())
}

pub fn document_bytes(root: &Path, doc: &Document) -> Result<Vec<u8>, StorageError> {
    confine::check_name("document id", &doc.id, &root.join(DOCUMENTS_DIR))?;
    Ok(to_ron(doc, &document_file(root, &doc.id))?.into_bytes())
}

/// A set in canonical order.
pub fn set_bytes(root: &Path, set: &AnnotationSet) -> Result<Vec<u8>, StorageError> {
    let path = set_file(root, &set.annotator, &set.document);
    confine::check_name("annotator name", &set.annotator, &path)?;
    confine::check_name("document id", &set.document, &path)?;
    if set.is_sorted() {
        return Ok(to_ron(set, &path)?.into_bytes());
    }
    let mut sorted = set.clone();
    sorted.sort();
    Ok(to_ron(&sorted, &path)?.into_bytes())
}

/// The problems of project.ron on its own: labels defined twice, colours unreadable.
pub fn project_problems(project: &Project) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for label in &project.labels {
        if !seen.insert(&label.key) {
            out.push(Problem {
                file: PROJECT_FILE.into(),
                message: format!("label {:?} is defined twice", label.key),
            });
        }
        if crate::model::parse_hex_color(&label.color).is_none() {
            out.push(Problem {
                file: PROJECT_FILE.into(),
                message: format!(
                    "label {:?} has colour {:?}; write it as #rrggbb",
                    label.key, label.color
                ),
            });
        }
    }
    out
}

/// Every broken invariant of a project: offsets in bounds, start before end, copied
/// text equal to the document's, unique ids, relations to existing spans, labels in the
/// schema, annotation files for documents that exist.
pub fn validate(corpus: &Corpus) -> Vec<Problem> {
    let mut out = project_problems(&corpus.project);
    let maps: BTreeMap<&str, OffsetMap> = corpus
        .documents
        .par_iter()
        .map(|d| (d.id.as_str(), OffsetMap::new(&d.text)))
        .collect();
    let sets: Vec<(&String, &String, &AnnotationSet)> = corpus
        .annotations
        .iter()
        .flat_map(|(a, sets)| sets.iter().map(move |(d, s)| (a, d, s)))
        .collect();
    // Sets are checked on all cores; problems come out in file order.
    let problems: Vec<Vec<Problem>> = sets
        .par_iter()
        .map(|&(annotator, doc_id, set)| {
            let file = format!("{ANNOTATIONS_DIR}/{annotator}/{doc_id}.ron");
            match (corpus.document(doc_id), maps.get(doc_id.as_str())) {
                (Some(doc), Some(map)) => validate_set(&corpus.project, doc, map, set, &file),
                _ => vec![Problem {
                    file,
                    message: format!(
                        "annotates document {doc_id:?}, which is not in {DOCUMENTS_DIR}/"
                    ),
                }],
            }
        })
        .collect();
    out.extend(problems.into_iter().flatten());
    out
}

/// Reads a project and refuses it if any invariant is broken.
pub fn load(root: &Path) -> Result<Corpus, StorageError> {
    let corpus = read(root)?;
    let problems = validate(&corpus);
    if problems.is_empty() {
        Ok(corpus)
    } else {
        Err(StorageError::Invalid {
            root: root.to_path_buf(),
            problems,
        })
    }
}

/// Writes project.ron (one file, committed like any batch).
pub fn save_project(root: &Path, project: &Project) -> Result<(), StorageError> {
    let mut b = Batch::new(root);
    b.add(Target::Project, &project_bytes(root, project)?)?;
    b.commit().map(|_| ())
}

pub fn save_document(root: &Path, doc: &Document) -> Result<(), StorageError> {
    let mut b = Batch::new(root);
    b.add(
        Target::Document(doc.id.clone()),
        &document_bytes(root, doc)?,
    )?;
    b.commit().map(|_| ())
}

/// Writes one annotation set in canonical order.
pub fn save_set(root: &Path, set: &AnnotationSet) -> Result<(), StorageError> {
    let mut b = Batch::new(root);
    b.add(set_target(set), &set_bytes(root, set)?)?;
    b.commit().map(|_| ())
}

pub fn set_target(set: &AnnotationSet) -> Target {
    Target::Set {
        annotator: set.annotator.clone(),
        doc: set.document.clone(),
    }
}

/// Writes every file of a project, as one batch.
pub fn save_all(root: &Path, corpus: &Corpus) -> Result<(), StorageError> {
    let mut b = Batch::new(root);
    b.add(Target::Project, &project_bytes(root, &corpus.project)?)?;
    for doc in &corpus.documents {
        b.add(
            Target::Document(doc.id.clone()),
            &document_bytes(root, doc)?,
        )?;
    }
    for sets in corpus.annotations.values() {
        for set in sets.values() {
            b.add(set_target(set), &set_bytes(root, set)?)?;
        }
    }
    b.commit().map(|_| ())
}

pub(crate) fn ron_files(dir: &Path) -> Result<Vec<PathBuf>, StorageError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| StorageError::io(dir, e))? {
        let entry = entry.map_err(|e| StorageError::io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || path.extension().is_none_or(|e| e != "ron") {
            continue;
        }
        let kind = entry.file_type().map_err(|e| StorageError::io(&path, e))?;
        if kind.is_symlink() {
            return Err(StorageError::Symlink(path));
        }
        if kind.is_file() {
            out.push(path);
        }
    }
    // One folder: byte order of the names is path order, without comparing paths
    // component by component (a tenth of opening a 100,000-document index).
    out.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(out)
}

pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
