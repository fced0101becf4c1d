//! Confinement: nothing a project holds may make spanbench read or write outside it.
//!
//! Annotator names and document ids become path components, so they are checked on
//! load and again whenever a path is built from them. Symbolic links inside a project are
//! refused, never followed, and every folder a write goes into is checked to lie under
//! the project root once links are resolved.

use std::fs;
use std::path::{Path, PathBuf};

use super::StorageError;

/// File names are at most 255 bytes on common file systems; `.ron` and the temporary
/// suffixes need room too.
pub const MAX_NAME_BYTES: usize = 200;

/// Why `name` cannot be an annotator name or a document id, if it cannot. A name is one
/// path component: not empty, at most [`MAX_NAME_BYTES`] bytes, no `/`, `\`, `:` or
/// control characters, not `.`-led (hidden files, `..`, spanbench's temporary files), no
/// trailing space or dot (Windows drops them).
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(format!(
            "is {} bytes long; the limit is {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    if name.starts_with('.') {
        return Some("starts with '.'".into());
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | '\\' | ':')) {
        return Some(format!("contains {c:?}, a path separator"));
    }
    if name.chars().any(char::is_control) {
        return Some("contains a control character".into());
    }
    if name.ends_with(' ') || name.ends_with('.') {
        return Some("ends with a space or a dot".into());
    }
    None
}

/// Checks one name read from `file`, saying which kind of name it is.
pub fn check_name(kind: &str, name: &str, file: &Path) -> Result<(), StorageError> {
    match name_problem(name) {
        None => Ok(()),
        Some(why) => Err(StorageError::BadName {
            path: file.to_path_buf(),
            message: format!(
                "{kind} {:?} {why}; it must be one plain file name",
                super::excerpt(name)
            ),
        }),
    }
}

/// Refuses a symbolic link at `path` (which need not exist).
pub fn refuse_link(path: &Path) -> Result<(), StorageError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(StorageError::Symlink(path.to_path_buf())),
        _ => Ok(()),
    }
}

/// `root/parts...`, after checking each part is a plain name, no existing component
/// below `root` is a symbolic link, and the deepest existing folder lies under `root`
/// once links are resolved.
pub fn confined(root: &Path, parts: &[&str]) -> Result<PathBuf, StorageError> {
    let mut path = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        // The last part is a file name with its extension; the others are folders or
        // names checked by the caller's kind, so only the shape of a component matters.
        if let Some(why) = name_problem(part.strip_suffix(".ron").unwrap_or(part))
            && !(i == 0 && is_layout_name(part))
        {
            return Err(StorageError::BadName {
                path: path.join(part),
                message: format!("{why}; refusing to write outside the project"),
            });
        }
        path.push(part);
        refuse_link(&path)?;
    }
    check_under_root(root, &path)?;
    Ok(path)
}

fn is_layout_name(part: &str) -> bool {
    matches!(
        part,
        super::PROJECT_FILE | super::DOCUMENTS_DIR | super::ANNOTATIONS_DIR
    )
}

/// Checks that the deepest existing ancestor of `path` resolves to a place under the
/// resolved `root`.
pub fn check_under_root(root: &Path, path: &Path) -> Result<(), StorageError> {
    let real_root = fs::canonicalize(root).map_err(|e| StorageError::io(root, e))?;
    let mut probe = path;
    let real = loop {
        match fs::canonicalize(probe) {
            Ok(p) => break p,
            Err(_) => match probe.parent() {
                Some(p) => probe = p,
                None => return Err(StorageError::Outside(path.to_path_buf())),
            },
        }
    };
    if real.starts_with(&real_root) {
        Ok(())
    } else {
        Err(StorageError::Outside(path.to_path_buf()))
    }
}

/// Creates `dir` (under `root`) and any missing folders between, refusing links.
pub fn create_dirs(root: &Path, dir: &Path) -> Result<(), StorageError> {
    let rel = dir
        .strip_prefix(root)
        .map_err(|_| StorageError::Outside(dir.to_path_buf()))?;
    let mut cur = root.to_path_buf();
    for c in rel.components() {
        cur.push(c);
        refuse_link(&cur)?;
        match fs::create_dir(&cur) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && cur.is_dir() => {}
            Err(e) => return Err(StorageError::io(&cur, e)),
        }
    }
    check_under_root(root, dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_that_escape_or_hide_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "../../outside/layer",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "C:evil",
            ".hidden",
            ".spanbench-tmp-x",
            "tab\there",
            "nul\0",
            "line\nbreak",
            "trailing.",
            "trailing ",
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?} was accepted");
        }
        assert!(name_problem(&"x".repeat(MAX_NAME_BYTES + 1)).is_some());
        for good in ["gold", "anna_b", "ани", "Հայ_1", "doc-1.v2", "a b", "x"] {
            assert_eq!(name_problem(good), None, "{good:?}");
        }
        assert_eq!(name_problem(&"я".repeat(MAX_NAME_BYTES / 2)), None);
    }

    proptest! {
        /// Whatever a name is, if it is accepted, joining it to a folder gives exactly
        /// one more component, a normal one, and the result stays under the folder.
        #[test]
        fn accepted_names_are_one_normal_component(name in "\\PC{0,40}|[./\\\\a-z:\\x00-\\x1f]{0,12}") {
            if name_problem(&name).is_none() {
                let base = Path::new("/project/annotations");
                let joined = base.join(&name);
                prop_assert_eq!(joined.components().count(), base.components().count() + 1);
                let last = joined.components().next_back().unwrap();
                prop_assert!(matches!(last, std::path::Component::Normal(_)));
                prop_assert!(joined.starts_with(base));
                prop_assert!(joined.parent() == Some(base));
                prop_assert!(name.len() <= MAX_NAME_BYTES);
            }
        }

        /// Names built around separators and dots are always refused.
        #[test]
        fn names_with_separators_or_dot_runs_are_refused(a in "[a-z]{0,5}", b in "[a-z]{0,5}", sep in prop::sample::select(vec!["/", "\\", "/../", "..", ":"])) {
            let name = format!("{a}{sep}{b}");
            if sep != ".." || a.is_empty() {
                prop_assert!(name_problem(&name).is_some(), "{:?} accepted", name);
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_root_are_refused_and_outside_paths_detected() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        let outside = dir.path().join("outside");
        fs::create_dir_all(root.join("annotations")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("annotations/gold")).unwrap();
        let err = confined(&root, &["annotations", "gold", "doc.ron"]).unwrap_err();
        assert!(matches!(err, StorageError::Symlink(_)), "{err}");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(confined(&root, &["annotations", "..", "x.ron"]).is_err());
        assert!(confined(&root, &["annotations", "anna", "doc.ron"]).is_ok());
        assert!(check_under_root(&root, &outside.join("x")).is_err());
        // A root that is itself a link is fine: it is where the user pointed.
        let link_root = dir.path().join("link");
        std::os::unix::fs::symlink(&root, &link_root).unwrap();
        assert!(confined(&link_root, &["annotations", "anna", "doc.ron"]).is_ok());
        create_dirs(&link_root, &link_root.join("annotations/anna")).unwrap();
        assert!(root.join("annotations/anna").is_dir());
    }
}
