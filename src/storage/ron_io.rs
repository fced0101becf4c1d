use std::fs;
use std::path::Path;

use ron::ser::PrettyConfig;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StorageError;
use crate::model::FORMAT_VERSION;

/// Pretty-printing that keeps files readable and diffs small: one field per line at the
/// top, one span per line in lists, and document text written with real line breaks.
fn pretty() -> PrettyConfig {
    PrettyConfig::new()
        .depth_limit(2)
        .escape_strings(false)
        .new_line("\n".to_string())
        .indentor("    ".to_string())
}

pub(super) fn to_ron<T: Serialize>(value: &T, path: &Path) -> Result<String, StorageError> {
    let mut s = ron::ser::to_string_pretty(value, pretty()).map_err(|e| StorageError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}

#[derive(serde::Deserialize)]
struct VersionProbe {
    format_version: u32,
}

/// Reads and parses one RON file, checking its format version.
/// Returns the value and the content hash of the bytes read.
pub(super) fn read_ron<T: DeserializeOwned>(
    path: &Path,
    version_of: impl Fn(&T) -> u32,
) -> Result<(T, u64), StorageError> {
    let bytes = fs::read(path).map_err(|e| StorageError::io(path, e))?;
    let hash = super::stamp(&bytes);
    parse_ron(path, bytes, version_of).map(|v| (v, hash))
}

/// Parses the bytes of one RON file read from `path`, checking its format version.
pub(super) fn parse_ron<T: DeserializeOwned>(
    path: &Path,
    bytes: Vec<u8>,
    version_of: impl Fn(&T) -> u32,
) -> Result<T, StorageError> {
    let text = String::from_utf8(bytes).map_err(|_| StorageError::NotUtf8(path.to_path_buf()))?;
    match ron::from_str::<T>(&text) {
        Ok(value) => {
            let found = version_of(&value);
            if found != FORMAT_VERSION {
                return Err(StorageError::Version {
                    path: path.to_path_buf(),
                    found,
                    supported: FORMAT_VERSION,
                });
            }
            Ok(value)
        }
        Err(err) => {
            // A file from a newer spanbench may fail to parse for that reason alone:
            // report the version rather than the first unknown field.
            if let Ok(probe) = ron::from_str::<VersionProbe>(&text)
                && probe.format_version != FORMAT_VERSION
            {
                return Err(StorageError::Version {
                    path: path.to_path_buf(),
                    found: probe.format_version,
                    supported: FORMAT_VERSION,
                });
            }
            Err(StorageError::Parse {
                path: path.to_path_buf(),
                line: err.span.start.line,
                col: err.span.start.col,
                message: super::excerpt(&err.code.to_string()),
            })
        }
    }
}
