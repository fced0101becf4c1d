//! What the GUI remembers about its user between runs: name, recent projects, theme,
//! text size. Stored as RON in the user's config folder (or `$SPANBENCH_CONFIG_DIR`).

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
}

impl Default for UserSettings {
    fn default() -> Self {
        Self {
            annotator: String::new(),
            recent: Vec::new(),
            dark_mode: true,
            font_size: 17.0,
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

    pub fn push_recent(&mut self, project: &Path) {
        let p = std::fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf());
        self.recent.retain(|r| r != &p);
        self.recent.insert(0, p);
        self.recent.truncate(MAX_RECENT);
    }
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
    fn annotator_names_are_safe_folder_names() {
        assert_eq!(valid_annotator(" anna "), Some("anna".into()));
        assert_eq!(valid_annotator("Ашот_1"), Some("Ашот_1".into()));
        for bad in ["", "a/b", "..", ".hidden", "a b", "x\\y"] {
            assert_eq!(valid_annotator(bad), None, "{bad:?}");
        }
    }
}
