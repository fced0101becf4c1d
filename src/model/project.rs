use std::collections::BTreeMap;

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
    /// The layers that are not a person's work, by name: models' suggestions and the gold
    /// layer. A layer not listed is a person's (or gold, if it is named [`GOLD_LAYER`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub layers: BTreeMap<String, LayerInfo>,
    #[serde(default)]
    pub settings: Settings,
}

/// The name of the adjudicated layer, unless project.ron marks another layer as gold.
pub const GOLD_LAYER: &str = "gold";

/// What kind of work a layer (`annotations/<name>/`) holds. The project records it so a
/// model's suggestions are never taken for someone's work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LayerKind {
    /// An annotator's own work.
    #[default]
    Person,
    /// A model's or a recommender's suggestions, with scores.
    Model,
    /// The adjudicated layer a curator builds from the others.
    Gold,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerInfo {
    pub kind: LayerKind,
    /// Where a model layer's suggestions came from (a model, a recommender, a file).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// A recommender's learning curve: how well it did on a held-out fifth of the done
    /// documents each time it was trained, by number of done documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<CurvePoint>,
}

/// One retraining of a recommender, evaluated on the documents held out (nervaluate's
/// strict scheme; `None` where undefined).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurvePoint {
    /// Done documents of the layer it learnt from.
    pub documents: usize,
    /// Of those, how many were held out for the evaluation.
    pub held_out: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
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
            layers: BTreeMap::new(),
            settings: Settings::default(),
        }
    }

    /// What kind of layer `name` is: as project.ron records it, else gold by name, else a
    /// person's.
    pub fn layer_kind(&self, name: &str) -> LayerKind {
        match self.layers.get(name) {
            Some(info) => info.kind,
            None if name == GOLD_LAYER => LayerKind::Gold,
            None => LayerKind::Person,
        }
    }

    /// The gold layer's name: the layer project.ron marks as gold, else [`GOLD_LAYER`].
    pub fn gold_layer(&self) -> &str {
        self.layers
            .iter()
            .find(|(_, i)| i.kind == LayerKind::Gold)
            .map_or(GOLD_LAYER, |(n, _)| n.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_a_persons_unless_marked_and_old_files_still_read() {
        let mut p = Project::new("t");
        assert_eq!(p.layer_kind("anna"), LayerKind::Person);
        assert_eq!(p.layer_kind(GOLD_LAYER), LayerKind::Gold);
        assert_eq!(p.gold_layer(), GOLD_LAYER);
        // An empty map is not written, so projects without model layers keep their bytes.
        let plain = ron::to_string(&p).unwrap();
        assert!(!plain.contains("layers"), "{plain}");
        p.layers.insert(
            "crf".into(),
            LayerInfo {
                kind: LayerKind::Model,
                source: "crf recommender".into(),
                curve: Vec::new(),
            },
        );
        p.layers.insert(
            "adjudicated".into(),
            LayerInfo {
                kind: LayerKind::Gold,
                source: String::new(),
                curve: Vec::new(),
            },
        );
        assert_eq!(p.layer_kind("crf"), LayerKind::Model);
        assert_eq!(p.gold_layer(), "adjudicated");
        let back: Project = ron::from_str(&ron::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        let old: Project = ron::from_str(&plain).unwrap();
        assert!(old.layers.is_empty());
    }
}
