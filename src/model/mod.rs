//! The data model: plain serde types with no UI in them.

mod annotation;
mod corpus;
mod document;
mod project;
mod schema;
mod validate;

pub use annotation::{
    AnnotationSet, Choice, Confidence, Decision, DocStatus, Origin, Relation, RelationId, Review,
    Span, SpanId,
};
pub use corpus::{Corpus, sanitize_id};
pub use document::{DocMeta, Document, ImportRecord};
pub use project::{CurvePoint, GOLD_LAYER, LayerInfo, LayerKind, Project, Settings};
pub use schema::{Label, RelationType, default_labels, default_relation_types, parse_hex_color};
pub use validate::{Problem, validate_set};

/// The on-disk format version written into every file. Readers refuse any other.
pub const FORMAT_VERSION: u32 = 1;
