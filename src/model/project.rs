use serde::{Deserialize, Serialize};

use super::{FORMAT_VERSION, Label, RelationType, default_labels, default_relation_types};

/// `project.ron`: the schema and settings of a project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub format_version: u32,
    pub name: String,
    pub labels: Vec<Label>,
    #[serde(default)]
    pub relation_types: Vec<RelationType>,
    /// Annotators known to the project; their folders under `annotations/` are the truth,
    /// this list just keeps names a person chose in a stable order.
    #[serde(default)]
    pub annotators: Vec<String>,
    #[serde(default)]
    pub settings: Settings,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Grow selections to whole words before tagging.
    pub snap_to_words: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            snap_to_words: true,
        }
    }
}

impl Project {
    pub fn new(name: &str) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            name: name.to_string(),
            labels: default_labels(),
            relation_types: default_relation_types(),
            annotators: Vec::new(),
            settings: Settings::default(),
        }
    }

    pub fn label(&self, key: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.key == key)
    }

    /// The label whose one-key shortcut is `key` (case-insensitive).
    pub fn label_for_shortcut(&self, key: &str) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.shortcut.eq_ignore_ascii_case(key))
    }
}
