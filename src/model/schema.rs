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

/// A relation type between two spans, from a head span to a child span.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationType {
    pub key: String,
    #[serde(default)]
    pub description: String,
    /// Labels the head (`from`) span may have; empty means any label. Optional so
    /// project files written before it existed still load.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_labels: Vec<String>,
    /// Labels the child (`to`) span may have; empty means any label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_labels: Vec<String>,
}

impl RelationType {
    /// Whether the schema allows this type from a span labelled `from` to one labelled `to`.
    pub fn allows(&self, from: &str, to: &str) -> bool {
        let ok = |allowed: &[String], l: &str| allowed.is_empty() || allowed.iter().any(|a| a == l);
        ok(&self.from_labels, from) && ok(&self.to_labels, to)
    }

    /// "CLAIM -> ACTOR", "any -> PLACE": what the type connects, for messages and tooltips.
    pub fn signature(&self) -> String {
        let side = |v: &[String]| {
            if v.is_empty() {
                "any".to_string()
            } else {
                v.join(" or ")
            }
        };
        format!("{} -> {}", side(&self.from_labels), side(&self.to_labels))
    }
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
    let t = |key: &str, description: &str, from: &[&str], to: &[&str]| RelationType {
        key: key.into(),
        description: description.into(),
        from_labels: from.iter().map(|s| s.to_string()).collect(),
        to_labels: to.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        t(
            "SAID_BY",
            "A claim and the actor it is attributed to.",
            &["CLAIM"],
            &["ACTOR"],
        ),
        t(
            "PARTY_TO",
            "An actor that is party to an agreement term.",
            &["ACTOR"],
            &["AGREEMENT_TERM"],
        ),
        t(
            "LOCATED_IN",
            "An event or actor and where it happens.",
            &[],
            &["PLACE"],
        ),
        t(
            "ON_DATE",
            "An event or claim and when it happens.",
            &["CLAIM", "AGREEMENT_TERM"],
            &["DATE"],
        ),
    ]
}
