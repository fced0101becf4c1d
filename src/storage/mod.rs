//! The project folder on disk: RON files a person can read and git can diff.
//!
//! ```text
//! project.ron                              schema and settings
//! documents/<doc>.ron                      one file per document, text included
//! annotations/<annotator>/<doc>.ron        one annotator's spans on one document
//! ```
//!
//! Reads never modify anything; every write is atomic (see [`atomic`]).

pub mod atomic;
mod error;
mod ron_io;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub use error::StorageError;
use ron_io::{read_ron, to_ron};

use crate::model::{AnnotationSet, Corpus, Document, Problem, Project, validate_set};
use crate::offsets::OffsetMap;

pub const PROJECT_FILE: &str = "project.ron";
pub const DOCUMENTS_DIR: &str = "documents";
pub const ANNOTATIONS_DIR: &str = "annotations";

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
    let corpus = Corpus::new(Project::new(name));
    save_project(root, &corpus.project)?;
    Ok(corpus)
}

/// Reads a whole project. Fails on the first file that cannot be read or parsed, naming
/// it; does not check cross-file invariants (see [`validate`] and [`load`]).
pub fn read(root: &Path) -> Result<Corpus, StorageError> {
    if !root.is_dir() {
        return Err(StorageError::NotAProject(root.to_path_buf()));
    }
    let pf = project_file(root);
    if !pf.is_file() {
        return Err(StorageError::NotAProject(root.to_path_buf()));
    }
    let project: Project = read_ron(&pf, |p: &Project| p.format_version)?;
    let mut documents = Vec::new();
    for path in ron_files(&root.join(DOCUMENTS_DIR))? {
        let doc: Document = read_ron(&path, |d: &Document| d.format_version)?;
        let stem = file_stem(&path);
        if doc.id != stem {
            return Err(StorageError::Mismatch {
                path,
                message: format!(
                    "declares id {:?} but the file is named {stem:?}; rename one to match",
                    doc.id
                ),
            });
        }
        documents.push(doc);
    }
    documents.sort_by(|a, b| a.id.cmp(&b.id));
    let mut annotations: BTreeMap<String, BTreeMap<String, AnnotationSet>> = BTreeMap::new();
    let adir = root.join(ANNOTATIONS_DIR);
    if adir.is_dir() {
        let mut annotators = Vec::new();
        for entry in fs::read_dir(&adir).map_err(|e| StorageError::io(&adir, e))? {
            let entry = entry.map_err(|e| StorageError::io(&adir, e))?;
            if entry.path().is_dir() {
                annotators.push(entry.path());
            }
        }
        annotators.sort();
        for dir in annotators {
            let annotator = file_name(&dir);
            let sets = annotations.entry(annotator.clone()).or_default();
            for path in ron_files(&dir)? {
                let mut set: AnnotationSet = read_ron(&path, |s: &AnnotationSet| s.format_version)?;
                let stem = file_stem(&path);
                if set.document != stem || set.annotator != annotator {
                    return Err(StorageError::Mismatch {
                        path,
                        message: format!(
                            "holds annotator {:?} on document {:?} but lives at {annotator}/{stem}.ron",
                            set.annotator, set.document
                        ),
                    });
                }
                // Edits keep sets in canonical order so undo is exact; a file put in
                // another order by hand must start out that way too.
                set.sort();
                sets.insert(stem, set);
            }
        }
    }
    Ok(Corpus {
        project,
        documents,
        annotations,
    })
}

/// Every broken invariant of a project: offsets in bounds, start before end, copied
/// text equal to the document's, unique ids, relations to existing spans, labels in the
/// schema, annotation files for documents that exist.
pub fn validate(corpus: &Corpus) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for label in &corpus.project.labels {
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
    let maps: BTreeMap<&str, OffsetMap> = corpus
        .documents
        .iter()
        .map(|d| (d.id.as_str(), OffsetMap::new(&d.text)))
        .collect();
    for (annotator, sets) in &corpus.annotations {
        for (doc_id, set) in sets {
            let file = format!("{ANNOTATIONS_DIR}/{annotator}/{doc_id}.ron");
            match (corpus.document(doc_id), maps.get(doc_id.as_str())) {
                (Some(doc), Some(map)) => {
                    out.extend(validate_set(&corpus.project, doc, map, set, &file))
                }
                _ => out.push(Problem {
                    file,
                    message: format!(
                        "annotates document {doc_id:?}, which is not in {DOCUMENTS_DIR}/"
                    ),
                }),
            }
        }
    }
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

pub fn save_project(root: &Path, project: &Project) -> Result<(), StorageError> {
    let path = project_file(root);
    atomic::write(&path, to_ron(project, &path)?.as_bytes())
}

pub fn save_document(root: &Path, doc: &Document) -> Result<(), StorageError> {
    let path = document_file(root, &doc.id);
    atomic::write(&path, to_ron(doc, &path)?.as_bytes())
}

/// Writes one annotation set in canonical order.
pub fn save_set(root: &Path, set: &AnnotationSet) -> Result<(), StorageError> {
    let path = set_file(root, &set.annotator, &set.document);
    let mut sorted = set.clone();
    sorted.sort();
    atomic::write(&path, to_ron(&sorted, &path)?.as_bytes())
}

/// Writes every file of a project.
pub fn save_all(root: &Path, corpus: &Corpus) -> Result<(), StorageError> {
    save_project(root, &corpus.project)?;
    for doc in &corpus.documents {
        save_document(root, doc)?;
    }
    for sets in corpus.annotations.values() {
        for set in sets.values() {
            save_set(root, set)?;
        }
    }
    Ok(())
}

fn ron_files(dir: &Path) -> Result<Vec<PathBuf>, StorageError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| StorageError::io(dir, e))? {
        let path = entry.map_err(|e| StorageError::io(dir, e))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "ron") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn file_stem(path: &Path) -> String {
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
