use serde::{Deserialize, Serialize};

/// One entity label of a project's schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// The stable key written into annotations and exports (e.g. `ACTOR`).
    pub key: String,
    /// What the UI shows.
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// One key that applies the label in the document pane (`a`..`z`, `0`..`9`).
    pub shortcut: String,
    #[serde(default)]
    pub description: String,
}

impl Label {
    pub fn rgb(&self) -> [u8; 3] {
        parse_hex_color(&self.color).unwrap_or([128, 128, 128])
    }
}

/// A relation type between two spans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationType {
    pub key: String,
    #[serde(default)]
    pub description: String,
}

/// Parses `#rrggbb`.
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([p(0)?, p(2)?, p(4)?])
}

pub fn default_labels() -> Vec<Label> {
    let l = |key: &str, name: &str, color: &str, shortcut: &str, description: &str| Label {
        key: key.into(),
        name: name.into(),
        color: color.into(),
        shortcut: shortcut.into(),
        description: description.into(),
    };
    vec![
        l(
            "ACTOR",
            "Actor",
            "#e6194b",
            "1",
            "A person, government, army, party or organisation that acts or is acted upon.",
        ),
        l(
            "DATE",
            "Date",
            "#3c8dde",
            "2",
            "A date, day, month, year or relative time expression (\"a day after\").",
        ),
        l(
            "PLACE",
            "Place",
            "#2ca02c",
            "3",
            "A country, region, city, corridor or other named location.",
        ),
        l(
            "CLAIM",
            "Claim",
            "#e0a000",
            "4",
            "A statement attributed to a source: what someone said, announced or reported.",
        ),
        l(
            "AGREEMENT_TERM",
            "Agreement term",
            "#9b59b6",
            "5",
            "A term, condition or provision of an agreement, ceasefire or deal.",
        ),
    ]
}

pub fn default_relation_types() -> Vec<RelationType> {
    vec![
        RelationType {
            key: "SAID_BY".into(),
            description: "A claim and the actor it is attributed to.".into(),
        },
        RelationType {
            key: "PARTY_TO".into(),
            description: "An actor that is party to an agreement term.".into(),
        },
        RelationType {
            key: "LOCATED_IN".into(),
            description: "An event or actor and where it happens.".into(),
        },
        RelationType {
            key: "ON_DATE".into(),
            description: "An event or claim and when it happens.".into(),
        },
    ]
}
