use serde::{Deserialize, Serialize};

use super::FORMAT_VERSION;

/// One document: its stored text is what every offset refers to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub format_version: u32,
    /// Stable id; also the file stem under `documents/` and `annotations/<annotator>/`.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub meta: DocMeta,
    #[serde(default)]
    pub import: ImportRecord,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct DocMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date as written or as ISO 8601 where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// What import did to the source bytes to get the stored text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ImportRecord {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    pub bom_stripped: bool,
    pub crlf_converted: usize,
    pub lone_cr_converted: usize,
}

impl Document {
    pub fn new(id: &str, title: &str, text: String) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            id: id.to_string(),
            title: title.to_string(),
            meta: DocMeta::default(),
            import: ImportRecord::default(),
            text,
        }
    }
}
