use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::model::Problem;

/// Everything that can go wrong reading or writing a project. Each message names the
/// file and says what to do.
#[derive(Debug, Error)]
pub enum StorageError {
    // Not a `source`: the message already holds it, and error chains would print it twice.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} is not a spanbench project (no project.ron); create one with `spanbench new {}`", .0.display(), .0.display())]
    NotAProject(PathBuf),
    #[error("{} already exists and is not empty; choose a new folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}:{line}:{col}: {message}; fix the file by hand (it was not changed)", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{}: format version {found} is not supported (this spanbench reads version {supported}); use a matching spanbench", path.display())]
    Version {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{}: {message}", path.display())]
    Mismatch { path: PathBuf, message: String },
    #[error("{}: cannot be read as UTF-8 text; it may have been damaged", .0.display())]
    NotUtf8(PathBuf),
    #[error("{}: {message}", path.display())]
    Encode { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    BadName { path: PathBuf, message: String },
    #[error("{} is a symbolic link; spanbench does not follow links inside a project (put the real file or folder there)", .0.display())]
    Symlink(PathBuf),
    #[error("{} lies outside the project; refusing to write there", .0.display())]
    Outside(PathBuf),
    #[error("{} is being written by {holder}; try again when it is done", root.display())]
    Locked { root: PathBuf, holder: String },
    #[error("{} has {} problem(s), first: {}; run `spanbench validate {}` for the full list", root.display(), problems.len(), problems.first().map(|p| p.to_string()).unwrap_or_default(), root.display())]
    Invalid {
        root: PathBuf,
        problems: Vec<Problem>,
    },
}

impl StorageError {
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        StorageError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}
