//! What the GUI remembers about its user between runs: name, recent projects, theme,
//! text size. Stored as RON in the user's config folder (or `$SPANBENCH_CONFIG_DIR`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::storage::atomic;

const MAX_RECENT: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserSettings {
    /// The annotator name; empty until the user has given it.
    pub annotator: String,
    pub recent: Vec<PathBuf>,
    pub dark_mode: bool,
    pub font_size: f32,
    /// The window's inner size in points when last seen, and whether it was maximized.
    pub window_size: Option<[f32; 2]>,
    pub window_maximized: bool,
    /// The document last open in each project, by the project's canonical path.
    pub last_document: BTreeMap<PathBuf, String>,
}

/// The window size used when none is remembered, and the smallest one allowed.
pub const DEFAULT_WINDOW: [f32; 2] = [1280.0, 800.0];
pub const MIN_WINDOW: [f32; 2] = [640.0, 400.0];

impl Default for UserSettings {
    fn default() -> Self {
        Self {
            annotator: String::new(),
            recent: Vec::new(),
            dark_mode: true,
            font_size: 17.0,
            window_size: None,
            window_maximized: false,
            last_document: BTreeMap::new(),
        }
    }
}

impl UserSettings {
    pub fn path() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("SPANBENCH_CONFIG_DIR") {
            return Some(PathBuf::from(dir).join("settings.ron"));
        }
        directories::ProjectDirs::from("", "", "spanbench")
            .map(|d| d.config_dir().join("settings.ron"))
    }

    /// Loads settings; a missing or unreadable file gives defaults, and an unreadable one
    /// also a message to show. The caller must then not save over that file.
    pub fn load(path: Option<&Path>) -> (Self, Option<String>) {
        let Some(path) = path else {
            return (Self::default(), None);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => match ron::from_str(&text) {
                Ok(s) => (s, None),
                Err(e) => (
                    Self::default(),
                    Some(format!(
                        "{}: {e}; using default settings, and not saving them until you fix or remove that file",
                        path.display()
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Self::default(), None),
            Err(e) => (
                Self::default(),
                Some(format!(
                    "{}: {e}; using default settings, and not saving them until you fix or remove that file",
                    path.display()
                )),
            ),
        }
    }

    pub fn save(&self, path: Option<&Path>) -> Result<(), String> {
        let Some(path) = path else { return Ok(()) };
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::new())
            .map_err(|e| e.to_string())?;
        atomic::write(path, text.as_bytes()).map_err(|e| e.to_string())
    }

    /// The size to open the window at: the remembered one, kept within sane bounds (a
    /// hand-edited or corrupt value must not give an unusable window).
    pub fn window_size(&self) -> [f32; 2] {
        match self.window_size {
            Some([w, h]) if w.is_finite() && h.is_finite() => [
                w.clamp(MIN_WINDOW[0], 16_384.0),
                h.clamp(MIN_WINDOW[1], 16_384.0),
            ],
            _ => DEFAULT_WINDOW,
        }
    }

    /// The document to open in `project`, if one was open there last time.
    pub fn last_document(&self, project: &Path) -> Option<&str> {
        self.last_document
            .get(&canonical(project))
            .map(String::as_str)
    }

    /// Remembers `doc` as open in `project`; true if that changed anything.
    pub fn remember_document(&mut self, project: &Path, doc: &str) -> bool {
        let key = canonical(project);
        if self.last_document.get(&key).map(String::as_str) == Some(doc) {
            return false;
        }
        self.last_document.insert(key, doc.to_string());
        true
    }

    pub fn push_recent(&mut self, project: &Path) {
        let p = canonical(project);
        self.recent.retain(|r| r != &p);
        self.recent.insert(0, p);
        self.recent.truncate(MAX_RECENT);
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Annotator names become folder names: letters, digits, `-`, `_` and `.` only.
pub fn valid_annotator(name: &str) -> Option<String> {
    let n = name.trim();
    let ok = !n.is_empty()
        && n.len() <= 64
        && crate::storage::confine::name_problem(n).is_none()
        && !n.starts_with('.')
        && n.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.');
    ok.then(|| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_unreadable_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        assert_eq!(
            UserSettings::load(Some(&path)),
            (UserSettings::default(), None)
        );
        let mut s = UserSettings {
            annotator: "anna".into(),
            ..Default::default()
        };
        s.push_recent(dir.path());
        s.save(Some(&path)).unwrap();
        assert_eq!(UserSettings::load(Some(&path)), (s, None));

        std::fs::write(&path, "(annotator: ").unwrap();
        let (loaded, warning) = UserSettings::load(Some(&path));
        assert_eq!(loaded, UserSettings::default());
        assert!(warning.unwrap().contains("not saving"));
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(UserSettings::load(Some(&path)).1.is_some());
    }

    #[test]
    fn window_size_and_last_documents_round_trip_within_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        // A settings file from before these fields existed still loads.
        std::fs::write(&path, "(annotator: \"anna\", dark_mode: false)").unwrap();
        let (mut s, warning) = UserSettings::load(Some(&path));
        assert_eq!((s.annotator.as_str(), warning), ("anna", None));
        assert_eq!(s.window_size(), DEFAULT_WINDOW);
        s.window_size = Some([900.0, 600.0]);
        assert!(s.remember_document(dir.path(), "doc2"));
        assert!(!s.remember_document(dir.path(), "doc2"));
        s.save(Some(&path)).unwrap();
        let (loaded, _) = UserSettings::load(Some(&path));
        assert_eq!(loaded.window_size(), [900.0, 600.0]);
        assert_eq!(loaded.last_document(dir.path()), Some("doc2"));
        assert_eq!(loaded.last_document(&dir.path().join("other")), None);
        for (bad, want) in [
            ([10.0, 10.0], MIN_WINDOW),
            ([f32::NAN, 500.0], DEFAULT_WINDOW),
            ([1e9, 700.0], [16_384.0, 700.0]),
        ] {
            let s = UserSettings {
                window_size: Some(bad),
                ..Default::default()
            };
            assert_eq!(s.window_size(), want, "{bad:?}");
        }
    }

    #[test]
    fn annotator_names_are_safe_folder_names() {
        assert_eq!(valid_annotator(" anna "), Some("anna".into()));
        assert_eq!(valid_annotator("Ашот_1"), Some("Ашот_1".into()));
        for bad in ["", "a/b", "..", ".hidden", "a b", "x\\y"] {
            assert_eq!(valid_annotator(bad), None, "{bad:?}");
        }
    }
}
