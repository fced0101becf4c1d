//! Three-way merges of what this process changed and what another process wrote to the
//! same file since this one read it. Nothing is ever silently dropped: where both sides
//! changed the same span differently, both versions are kept (the disk's under a new id)
//! and a conflict is reported.

use std::collections::{BTreeSet, HashMap};

use crate::model::{AnnotationSet, Project, Relation, RelationId, Span, SpanId};

/// A merged value, the conflicts a person should look at, and notes of what was
/// renumbered without any conflict.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged<T> {
    pub value: T,
    pub conflicts: Vec<String>,
    pub notes: Vec<String>,
}

fn describe(s: &Span) -> String {
    format!(
        "span {} [{}..{}) {} {:?}",
        s.id.0,
        s.start,
        s.end,
        s.label,
        crate::storage::excerpt(&s.text)
    )
}

/// Merges `mine` (this process's set) and `theirs` (the file now on disk) against `base`
/// (the file as this process last read it; `None` if it did not exist), span by span and
/// relation by relation.
pub fn merge_sets(
    base: Option<&AnnotationSet>,
    mine: &AnnotationSet,
    theirs: &AnnotationSet,
) -> Merged<AnnotationSet> {
    let empty = AnnotationSet::new(&mine.document, &mine.annotator);
    let base = base.unwrap_or(&empty);
    let mut conflicts = Vec::new();
    let mut notes = Vec::new();
    let mut out = AnnotationSet::new(&mine.document, &mine.annotator);

    let mut next_span = [base, mine, theirs]
        .iter()
        .flat_map(|s| s.spans.iter().map(|x| x.id.0))
        .max()
        .unwrap_or(0)
        + 1;
    // Their spans that had to take a new id, so their relations can follow.
    let mut remap: HashMap<SpanId, SpanId> = HashMap::new();
    let ids: BTreeSet<SpanId> = [base, mine, theirs]
        .iter()
        .flat_map(|s| s.spans.iter().map(|x| x.id))
        .collect();
    let mut renumber = |t: &Span, remap: &mut HashMap<SpanId, SpanId>| {
        let mut t = t.clone();
        remap.insert(t.id, SpanId(next_span));
        t.id = SpanId(next_span);
        next_span += 1;
        t
    };
    for id in ids {
        match (base.span(id), mine.span(id), theirs.span(id)) {
            (_, Some(m), Some(t)) if m == t => out.spans.push(m.clone()),
            (Some(b), Some(m), Some(t)) => {
                if m == b {
                    out.spans.push(t.clone());
                } else if t == b {
                    out.spans.push(m.clone());
                } else {
                    out.spans.push(m.clone());
                    let t2 = renumber(t, &mut remap);
                    conflicts.push(format!(
                        "{} was changed here and on disk; both kept, the disk's version as {}",
                        describe(m),
                        describe(&t2)
                    ));
                    out.spans.push(t2);
                }
            }
            (Some(b), Some(m), None) => {
                if m != b {
                    conflicts.push(format!(
                        "{} was removed on disk but changed here; kept",
                        describe(m)
                    ));
                    out.spans.push(m.clone());
                }
            }
            (Some(b), None, Some(t)) => {
                if t != b {
                    conflicts.push(format!(
                        "{} was removed here but changed on disk; kept",
                        describe(t)
                    ));
                    out.spans.push(t.clone());
                }
            }
            (Some(_), None, None) | (None, None, None) => {}
            (None, Some(m), None) => out.spans.push(m.clone()),
            (None, None, Some(t)) => out.spans.push(t.clone()),
            (None, Some(m), Some(t)) => {
                // Both sides added a span under the same new id: two different spans.
                out.spans.push(m.clone());
                let t2 = renumber(t, &mut remap);
                notes.push(format!(
                    "span {} was added here and on disk; the disk's is now {}",
                    id.0,
                    describe(&t2)
                ));
                out.spans.push(t2);
            }
        }
    }

    let their_rel = |r: &Relation| -> Relation {
        let mut r = r.clone();
        r.from = *remap.get(&r.from).unwrap_or(&r.from);
        r.to = *remap.get(&r.to).unwrap_or(&r.to);
        r
    };
    let mut next_rel = [base, mine, theirs]
        .iter()
        .flat_map(|s| s.relations.iter().map(|x| x.id.0))
        .max()
        .unwrap_or(0)
        + 1;
    let rel = |s: &AnnotationSet, id: RelationId| s.relations.iter().find(|r| r.id == id).cloned();
    let rids: BTreeSet<RelationId> = [base, mine, theirs]
        .iter()
        .flat_map(|s| s.relations.iter().map(|x| x.id))
        .collect();
    for id in rids {
        let (b, m, t) = (rel(base, id), rel(mine, id), rel(theirs, id));
        let t = t.map(|t| their_rel(&t));
        match (b, m, t) {
            (_, Some(m), Some(t)) if m == t => out.relations.push(m),
            (Some(b), Some(m), Some(t)) => {
                if m == b {
                    out.relations.push(t);
                } else if t == b {
                    out.relations.push(m);
                } else {
                    let mut t2 = t;
                    t2.id = RelationId(next_rel);
                    next_rel += 1;
                    conflicts.push(format!(
                        "relation {} was changed here and on disk; both kept, the disk's as relation {}",
                        id.0, t2.id.0
                    ));
                    out.relations.push(m);
                    out.relations.push(t2);
                }
            }
            (Some(b), Some(m), None) => {
                if m != b {
                    conflicts.push(format!(
                        "relation {} was removed on disk but changed here; kept",
                        id.0
                    ));
                    out.relations.push(m);
                }
            }
            (Some(b), None, Some(t)) => {
                if t != b {
                    conflicts.push(format!(
                        "relation {} was removed here but changed on disk; kept",
                        id.0
                    ));
                    out.relations.push(t);
                }
            }
            (Some(_), None, None) | (None, None, None) => {}
            (None, Some(m), None) => out.relations.push(m),
            (None, None, Some(t)) => out.relations.push(t),
            (None, Some(m), Some(t)) => {
                let mut t2 = t;
                t2.id = RelationId(next_rel);
                next_rel += 1;
                notes.push(format!(
                    "relation {} was added here and on disk; the disk's is now relation {}",
                    id.0, t2.id.0
                ));
                out.relations.push(m);
                out.relations.push(t2);
            }
        }
    }
    // A relation kept from one side may point at a span the other side removed: bring
    // the span back rather than lose the relation.
    let present: BTreeSet<SpanId> = out.spans.iter().map(|s| s.id).collect();
    let mut missing: BTreeSet<SpanId> = BTreeSet::new();
    for r in &out.relations {
        for end in [r.from, r.to] {
            if !present.contains(&end) {
                missing.insert(end);
            }
        }
    }
    for id in missing {
        let back = theirs
            .spans
            .iter()
            .find(|s| remap.get(&s.id).copied().unwrap_or(s.id) == id)
            .map(|s| Span { id, ..s.clone() })
            .or_else(|| mine.span(id).cloned())
            .or_else(|| base.span(id).cloned());
        match back {
            Some(s) => {
                conflicts.push(format!(
                    "{} was removed on one side, but a relation of the other points at it; kept",
                    describe(&s)
                ));
                out.spans.push(s);
            }
            None => {
                let before = out.relations.len();
                out.relations.retain(|r| r.from != id && r.to != id);
                conflicts.push(format!(
                    "{} relation(s) pointing at span {}, which no side has, were left out",
                    before - out.relations.len(),
                    id.0
                ));
            }
        }
    }

    merge_decisions(base, mine, theirs, &mut out, &mut conflicts);
    out.status = if mine.status == base.status {
        theirs.status
    } else if theirs.status == base.status || theirs.status == mine.status {
        mine.status
    } else {
        conflicts.push(format!(
            "status set to {} here and to {} on disk; kept {}",
            mine.status.as_str(),
            theirs.status.as_str(),
            mine.status.as_str()
        ));
        mine.status
    };
    out.format_version = mine.format_version;
    out.sort();
    Merged {
        value: out,
        conflicts,
        notes,
    }
}

/// A curator's decisions, keyed by their unit's extent: one side's change applies; where
/// both decided the same unit differently this side's decision stays, and it is reported.
fn merge_decisions(
    base: &AnnotationSet,
    mine: &AnnotationSet,
    theirs: &AnnotationSet,
    out: &mut AnnotationSet,
    conflicts: &mut Vec<String>,
) {
    let keys: BTreeSet<(usize, usize)> = [base, mine, theirs]
        .iter()
        .flat_map(|s| s.decisions.iter().map(|d| (d.start, d.end)))
        .collect();
    for (start, end) in keys {
        let (b, m, t) = (
            base.decision(start, end),
            mine.decision(start, end),
            theirs.decision(start, end),
        );
        let kept = if m == b {
            t
        } else if t == b || t == m {
            m
        } else {
            conflicts.push(format!(
                "the decision on [{start}..{end}) was changed here ({}) and on disk ({}); kept this window's",
                m.map_or("none".to_string(), |d| d.choice.describe()),
                t.map_or("none".to_string(), |d| d.choice.describe()),
            ));
            m
        };
        if let Some(d) = kept {
            out.decisions.push(d.clone());
        }
    }
}

/// Merges project.ron: the annotators are the union of both lists; any other field
/// changed on one side only takes that side's value; labels changed on both sides are
/// merged label by label, this side winning (and reporting) where both changed one.
pub fn merge_projects(base: &Project, mine: &Project, theirs: &Project) -> Merged<Project> {
    let mut conflicts = Vec::new();
    let mut out = theirs.clone();
    let mut annotators = theirs.annotators.clone();
    for a in &mine.annotators {
        if !annotators.contains(a) {
            annotators.push(a.clone());
        }
    }
    out.annotators = annotators;
    // Layer kinds only ever get added (a model layer imported here or there); a layer's
    // record changed here (a recommender's new curve point) wins.
    for (name, info) in &mine.layers {
        if base.layers.get(name) != Some(info) || !out.layers.contains_key(name) {
            out.layers.insert(name.clone(), info.clone());
        }
    }
    fn pick<T: PartialEq + Clone>(
        name: &str,
        b: &T,
        m: &T,
        t: &T,
        conflicts: &mut Vec<String>,
    ) -> T {
        if m == b || m == t {
            t.clone()
        } else if t == b {
            m.clone()
        } else {
            conflicts.push(format!(
                "project.ron: {name} changed here and on disk; kept this window's"
            ));
            m.clone()
        }
    }
    out.name = pick(
        "the name",
        &base.name,
        &mine.name,
        &theirs.name,
        &mut conflicts,
    );
    out.settings = pick(
        "the settings",
        &base.settings,
        &mine.settings,
        &theirs.settings,
        &mut conflicts,
    );
    out.relation_types = pick(
        "the relation types",
        &base.relation_types,
        &mine.relation_types,
        &theirs.relation_types,
        &mut conflicts,
    );
    out.labels = if mine.labels == base.labels || mine.labels == theirs.labels {
        theirs.labels.clone()
    } else if theirs.labels == base.labels {
        mine.labels.clone()
    } else {
        let mut labels = mine.labels.clone();
        for t in &theirs.labels {
            let b = base.labels.iter().find(|l| l.key == t.key);
            match labels.iter_mut().find(|l| l.key == t.key) {
                None => labels.push(t.clone()),
                Some(m) => {
                    if Some(&*m) == b {
                        *m = t.clone();
                    } else if Some(t) != b && m != t {
                        conflicts.push(format!(
                            "project.ron: label {} changed here and on disk; kept this window's",
                            t.key
                        ));
                    }
                }
            }
        }
        labels
    };
    Merged {
        value: out,
        conflicts,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocStatus, Origin, Review};

    fn span(id: u32, start: usize, label: &str) -> Span {
        Span {
            id: SpanId(id),
            start,
            end: start + 1,
            label: label.into(),
            text: "x".into(),
            attrs: Default::default(),
            note: String::new(),
            origin: Origin::Manual,
            review: Review::Unreviewed,
            score: None,
        }
    }

    fn set(spans: Vec<Span>, rels: Vec<(u32, u32, u32)>) -> AnnotationSet {
        let mut s = AnnotationSet::new("d", "a");
        s.spans = spans;
        s.relations = rels
            .into_iter()
            .map(|(id, from, to)| Relation {
                id: RelationId(id),
                kind: "SAID_BY".into(),
                from: SpanId(from),
                to: SpanId(to),
            })
            .collect();
        s.sort();
        s
    }

    fn ids(s: &AnnotationSet) -> Vec<(u32, usize, String)> {
        s.spans
            .iter()
            .map(|x| (x.id.0, x.start, x.label.clone()))
            .collect()
    }

    #[test]
    fn both_sides_additions_are_kept() {
        let base = set(vec![span(1, 0, "A")], vec![]);
        let mine = set(vec![span(1, 0, "A"), span(2, 5, "B")], vec![]);
        let theirs = set(
            vec![span(1, 0, "A"), span(2, 9, "C"), span(3, 12, "D")],
            vec![(1, 1, 3)],
        );
        let m = merge_sets(Some(&base), &mine, &theirs);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert_eq!(
            ids(&m.value),
            vec![
                (1, 0, "A".into()),
                (2, 5, "B".into()),
                (4, 9, "C".into()),
                (3, 12, "D".into())
            ]
        );
        assert_eq!(m.value.relations.len(), 1);
        assert_eq!(m.notes.len(), 1);
    }

    #[test]
    fn their_renumbered_span_keeps_its_relations() {
        let base = set(vec![], vec![]);
        let mine = set(vec![span(1, 0, "A")], vec![]);
        let theirs = set(vec![span(1, 3, "B"), span(2, 6, "C")], vec![(1, 1, 2)]);
        let m = merge_sets(Some(&base), &mine, &theirs);
        let r = &m.value.relations[0];
        let from = m.value.span(r.from).unwrap();
        assert_eq!((from.start, from.label.as_str()), (3, "B"));
    }

    #[test]
    fn one_sided_changes_and_deletions_apply() {
        let base = set(vec![span(1, 0, "A"), span(2, 5, "B")], vec![]);
        let mine = set(vec![span(1, 0, "X"), span(2, 5, "B")], vec![]);
        let theirs = set(vec![span(1, 0, "A")], vec![]);
        let m = merge_sets(Some(&base), &mine, &theirs);
        assert!(m.conflicts.is_empty());
        assert_eq!(ids(&m.value), vec![(1, 0, "X".into())]);
    }

    #[test]
    fn conflicting_changes_keep_both_and_are_reported() {
        let base = set(vec![span(1, 0, "A"), span(2, 5, "B")], vec![]);
        let mine = set(vec![span(1, 0, "X")], vec![]);
        let mut t2 = span(2, 5, "B");
        t2.note = "checked".into();
        let theirs = set(vec![span(1, 0, "Y"), t2], vec![]);
        let m = merge_sets(Some(&base), &mine, &theirs);
        assert_eq!(m.conflicts.len(), 2, "{:?}", m.conflicts);
        assert_eq!(
            ids(&m.value),
            vec![(1, 0, "X".into()), (3, 0, "Y".into()), (2, 5, "B".into())]
        );
    }

    #[test]
    fn a_relation_to_a_span_removed_on_the_other_side_brings_it_back() {
        let base = set(vec![span(1, 0, "A"), span(2, 5, "B")], vec![]);
        let mine = set(vec![span(1, 0, "A")], vec![]);
        let theirs = set(vec![span(1, 0, "A"), span(2, 5, "B")], vec![(1, 1, 2)]);
        let m = merge_sets(Some(&base), &mine, &theirs);
        assert_eq!(m.value.spans.len(), 2);
        assert_eq!(m.value.relations.len(), 1);
        assert_eq!(m.conflicts.len(), 1);
    }

    #[test]
    fn status_and_projects_merge() {
        let base = set(vec![], vec![]);
        let mut mine = base.clone();
        mine.status = DocStatus::Done;
        let m = merge_sets(Some(&base), &mine, &base);
        assert_eq!(m.value.status, DocStatus::Done);

        let b = Project::new("p");
        let mut mi = b.clone();
        mi.annotators = vec!["anna".into()];
        mi.settings.snap_to_words = false;
        let mut th = b.clone();
        th.annotators = vec!["imported".into(), "ben".into()];
        th.labels[0].name = "Person".into();
        let m = merge_projects(&b, &mi, &th);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.value.annotators, ["imported", "ben", "anna"]);
        assert!(!m.value.settings.snap_to_words);
        assert_eq!(m.value.labels[0].name, "Person");
    }
}
