use std::collections::{HashMap, HashSet};
use std::fmt;

use super::{AnnotationSet, Document, Project};
use crate::offsets::OffsetMap;

/// One broken invariant, naming where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file (relative to the project root) the problem is in.
    pub file: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// Checks one annotation set against its document and the schema. `map` must be the
/// offset map of `doc.text`; it is passed in so callers can reuse it.
pub fn validate_set(
    project: &Project,
    doc: &Document,
    map: &OffsetMap,
    set: &AnnotationSet,
    file: &str,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut p = |message: String| {
        out.push(Problem {
            file: file.to_string(),
            message,
        })
    };
    if set.document != doc.id {
        p(format!(
            "names document {:?} but is stored for {:?}",
            set.document, doc.id
        ));
    }
    let n = map.char_len();
    let mut ids = HashSet::new();
    let mut labels = HashMap::new();
    // Identical spans (same range, same label) are one annotation counted twice.
    let mut ranges: HashMap<(usize, usize, &str), u32> = HashMap::new();
    for s in &set.spans {
        let who = format!("span {}", s.id.0);
        if !ids.insert(s.id) {
            p(format!("{who}: id used twice"));
        }
        labels.insert(s.id, s.label.as_str());
        if let Some(first) = ranges.insert((s.start, s.end, s.label.as_str()), s.id.0) {
            p(format!(
                "{who}: same start, end and label as span {first} ({} [{}..{})); remove one of them",
                s.label, s.start, s.end
            ));
        }
        if s.start >= s.end {
            p(format!(
                "{who}: start {} is not before end {}",
                s.start, s.end
            ));
            continue;
        }
        if s.end > n {
            p(format!(
                "{who}: end {} is past the end of the text ({n} chars)",
                s.end
            ));
            continue;
        }
        let (b0, b1) = (map.char_to_byte(s.start), map.char_to_byte(s.end));
        let actual = match (b0, b1) {
            (Some(a), Some(b)) => &doc.text[a..b],
            _ => "",
        };
        if actual != s.text {
            p(format!(
                "{who} [{}..{}): stored text {:?} does not match the document's {:?}",
                s.start,
                s.end,
                crate::storage::excerpt(&s.text),
                crate::storage::excerpt(actual)
            ));
        }
        if project.label(&s.label).is_none() {
            p(format!(
                "{who}: label {:?} is not in the project's schema",
                s.label
            ));
        }
        if let Some(sc) = s.score
            && !sc.is_valid()
        {
            p(format!(
                "{who}: score {} is not a number from 0 to 1",
                sc.value()
            ));
        }
    }
    // A unit has one decision; its extent lies in the text.
    let mut decided = HashSet::new();
    for d in &set.decisions {
        let who = format!("decision [{}..{})", d.start, d.end);
        if !decided.insert((d.start, d.end)) {
            p(format!("{who}: recorded twice; keep one of them"));
        }
        if d.start >= d.end {
            p(format!("{who}: start is not before end"));
        } else if d.end > n {
            p(format!(
                "{who}: end is past the end of the text ({n} chars)"
            ));
        }
        if let crate::model::Choice::Took(a) = &d.choice
            && a.trim().is_empty()
        {
            p(format!("{who}: took the version of an unnamed annotator"));
        }
    }
    let mut rids = HashSet::new();
    for r in &set.relations {
        let who = format!("relation {}", r.id.0);
        if !rids.insert(r.id) {
            p(format!("{who}: id used twice"));
        }
        for end in [r.from, r.to] {
            if !ids.contains(&end) {
                p(format!(
                    "{who}: points at span {} which does not exist",
                    end.0
                ));
            }
        }
        match project.relation_types.iter().find(|t| t.key == r.kind) {
            None => p(format!(
                "{who}: type {:?} is not in the project's schema",
                r.kind
            )),
            Some(t) => {
                // A label outside the schema is reported on its span already.
                let known = |l: &&str| project.label(l).is_some();
                if let (Some(a), Some(b)) = (labels.get(&r.from), labels.get(&r.to))
                    && known(a)
                    && known(b)
                    && !t.allows(a, b)
                {
                    p(format!(
                        "{who}: {} goes {}, not {a} -> {b} (spans {} -> {})",
                        t.key,
                        t.signature(),
                        r.from.0,
                        r.to.0
                    ));
                }
            }
        }
    }
    out
}
