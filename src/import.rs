//! Reading plain-text files into documents, refusing what is not text.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::model::{Corpus, Document, ImportRecord};
use crate::offsets::normalize_newlines;

/// Documents larger than this are refused: the whole text is held and laid out in memory.
pub const MAX_DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum ImportError {
    // Not a `source`: the message holds it, and error chains would print it twice.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: not a regular file (a FIFO, socket or device); import files and folders only", .0.display())]
    NotAFile(PathBuf),
    #[error("{}: is empty; there is nothing to annotate", .0.display())]
    Empty(PathBuf),
    #[error("{}: looks like a binary file (it contains NUL bytes); import plain text only", .0.display())]
    Binary(PathBuf),
    #[error("{}: is not UTF-8 (invalid byte at offset {offset}); convert it first, e.g. `iconv -f WINDOWS-1252 -t UTF-8`", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("{}: is {} MiB; spanbench takes documents up to {} MiB, split it into smaller files", path.display(), size.div_ceil(1 << 20), MAX_DOCUMENT_BYTES >> 20)]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{}: holds only whitespace; there is nothing to annotate", .0.display())]
    Blank(PathBuf),
}

/// Reads a UTF-8 text file and checks it is fit to annotate, without reading more than
/// the size limit of a huge file.
pub fn read_text_file(path: &Path) -> Result<String, ImportError> {
    let io = |e| ImportError::Io {
        path: path.to_path_buf(),
        error: e,
    };
    let meta = fs::metadata(path).map_err(io)?;
    // Opening a FIFO would wait for a writer forever.
    if !meta.is_file() {
        return Err(ImportError::NotAFile(path.to_path_buf()));
    }
    if meta.len() > MAX_DOCUMENT_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    fs::File::open(path)
        .map_err(io)?
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    decode_text(path, bytes)
}

/// Checks bytes are non-empty UTF-8 text.
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<String, ImportError> {
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
        });
    }
    if bytes.is_empty() {
        return Err(ImportError::Empty(path.to_path_buf()));
    }
    if bytes.contains(&0) {
        return Err(ImportError::Binary(path.to_path_buf()));
    }
    let text = String::from_utf8(bytes).map_err(|e| ImportError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(ImportError::Blank(path.to_path_buf()));
    }
    Ok(text)
}

/// Builds a document from raw text: normalises line endings and the BOM, records that
/// it did, and takes the first non-empty line as the title.
pub fn document_from_text(
    corpus: &Corpus,
    stem: &str,
    raw: &str,
    source_file: Option<String>,
) -> Document {
    let n = normalize_newlines(raw);
    let title = n
        .text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(120).collect::<String>())
        .unwrap_or_else(|| stem.to_string());
    let mut doc = Document::new(&corpus.unique_doc_id(stem), &title, n.text);
    doc.import = ImportRecord {
        source_file,
        bom_stripped: n.bom_stripped,
        crlf_converted: n.crlf_converted,
        lone_cr_converted: n.lone_cr_converted,
    };
    doc
}

/// Reads one text file into a new document of `corpus` (not yet saved).
pub fn import_text_file(corpus: &Corpus, path: &Path) -> Result<Document, ImportError> {
    let raw = read_text_file(path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned());
    Ok(document_from_text(corpus, &stem, &raw, name))
}
