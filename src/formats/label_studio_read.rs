//! Reading Label Studio tasks (the import side of `label-studio`).
//!
//! A task is parsed into typed structs of the fields spanbench reads, borrowing strings
//! from the record's bytes. Every field, read or not, still goes through serde_json's
//! full parse (strings checked, numbers read, nesting limited), so a task is accepted or
//! refused exactly as a `serde_json::Value` parse would, with serde_json's messages. The
//! structs take any JSON where an object is expected (a non-object reads as an object
//! with none of the fields) and keep the last of duplicate keys, as `Value` does.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::import::{RawDoc, RawRelation, RawSet, RawSpan, parse_status};
use super::stream::JsonRecord;
use crate::model::Origin;
use crate::offsets::OffsetMap;

/// Reads one task of a Label Studio JSON export (an element of its list of tasks, or
/// the one task of a file that holds a single object). Annotations keep the annotator
/// Label Studio names; predictions become suggested spans of their model version.
pub fn parse_record(
    rec: &JsonRecord,
    file: &str,
    default_annotator: &str,
    notes: &mut Vec<String>,
) -> Result<RawDoc, Vec<String>> {
    let task: Task =
        serde_json::from_slice(&rec.bytes).map_err(|e| vec![rec.error_at(file, &e)])?;
    let loc = format!("{file}:{}: task {}", rec.line, rec.index);
    parse_task(&task, &loc, default_annotator, notes)
}

/// Any JSON value, strings borrowed where they hold no escape.
#[derive(Debug)]
enum Json<'a> {
    Null,
    Bool(bool),
    Num(Number),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The value of `key` (the last, when a key is given twice).
    fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|e| &e.1),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// A JSON id (string or number) as a string.
    fn key(&self) -> Option<String> {
        match self {
            Json::Str(s) => Some(s.to_string()),
            Json::Num(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The same value as serde_json's own (keys sorted, the last of duplicates kept).
    fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Num(n) => Value::Number(n.clone()),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Arr(a) => Value::Array(a.iter().map(Json::to_value).collect()),
            Json::Obj(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

fn str_of<'j>(v: Option<&'j Json>) -> Option<&'j str> {
    v.and_then(Json::as_str)
}

fn key_of(v: Option<&Json>) -> Option<String> {
    v.and_then(Json::key)
}

fn u64_of(v: Option<&Json>) -> Option<u64> {
    match v {
        Some(Json::Num(n)) => n.as_u64(),
        _ => None,
    }
}

/// A string key of a JSON object, borrowed where it holds no escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Builds a value of any JSON shape: `scalar` for everything that is not an array or
/// an object, `seq` and `map` for those.
macro_rules! any_json_visitor {
    ($v:ty, [$($g:tt)*], $out:ty, scalar: $scalar:expr,
     seq($s:ident) $seq:block, map($m:ident) $map:block) => {
        impl<'de, $($g)*> Visitor<'de> for $v {
            type Value = $out;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<$out, E> {
                Ok($scalar(Json::Bool(b)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<$out, E> {
                Ok($scalar(Json::Num(n.into())))
            }
            fn visit_u64<E>(self, n: u64) -> Result<$out, E> {
                Ok($scalar(Json::Num(n.into())))
            }
            fn visit_f64<E>(self, n: f64) -> Result<$out, E> {
                Ok($scalar(Number::from_f64(n).map_or(Json::Null, Json::Num)))
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<$out, E> {
                Ok($scalar(Json::Str(Cow::Borrowed(s))))
            }
            fn visit_str<E>(self, s: &str) -> Result<$out, E> {
                Ok($scalar(Json::Str(Cow::Owned(s.to_string()))))
            }
            fn visit_string<E>(self, s: String) -> Result<$out, E> {
                Ok($scalar(Json::Str(Cow::Owned(s))))
            }
            fn visit_unit<E>(self) -> Result<$out, E> {
                Ok($scalar(Json::Null))
            }
            fn visit_none<E>(self) -> Result<$out, E> {
                Ok($scalar(Json::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<$out, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut $s: A) -> Result<$out, A::Error> $seq
            fn visit_map<A: MapAccess<'de>>(self, mut $m: A) -> Result<$out, A::Error> $map
        }
    };
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        any_json_visitor!(V, [], Json<'de>, scalar: |j| j,
            seq(s) {
                let mut out = Vec::new();
                while let Some(x) = s.next_element()? {
                    out.push(x);
                }
                Ok(Json::Arr(out))
            },
            map(m) {
                let mut out = Vec::new();
                while let Some(Key(k)) = m.next_key()? {
                    out.push((k, m.next_value()?));
                }
                Ok(Json::Obj(out))
            }
        );
        d.deserialize_any(V)
    }
}

/// A value spanbench does not read: parsed in full, as serde_json would, and dropped.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        any_json_visitor!(V, [], Skip, scalar: |_| Skip,
            seq(s) {
                while s.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            },
            map(m) {
                while m.next_key::<Key>()?.is_some() {
                    m.next_value::<Skip>()?;
                }
                Ok(Skip)
            }
        );
        d.deserialize_any(V)
    }
}

/// A list of `T`, or `None` when the value is not an array.
struct List<T>(Option<Vec<T>>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        any_json_visitor!(V<T>, [T: Deserialize<'de>], List<T>, scalar: |_| List(None),
            seq(s) {
                let mut out = Vec::new();
                while let Some(x) = s.next_element()? {
                    out.push(x);
                }
                Ok(List(Some(out)))
            },
            map(m) {
                while m.next_key::<Key>()?.is_some() {
                    m.next_value::<Skip>()?;
                }
                Ok(List(None))
            }
        );
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A struct of the fields spanbench reads from an object (each `Option`, `None` when
/// absent); other fields are skipped, and a value that is not an object reads as an
/// object with none of the fields.
macro_rules! lenient_struct {
    ($name:ident { $($field:ident: $ty:ty = $key:literal),* $(,)? }) => {
        #[derive(Default)]
        struct $name<'a> {
            $($field: Option<$ty>,)*
            _borrows: std::marker::PhantomData<&'a str>,
        }

        impl<'de> Deserialize<'de> for $name<'de> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                any_json_visitor!(V, [], $name<'de>, scalar: |_| $name::default(),
                    seq(s) {
                        while s.next_element::<Skip>()?.is_some() {}
                        Ok($name::default())
                    },
                    map(m) {
                        let mut out = $name::default();
                        while let Some(Key(k)) = m.next_key()? {
                            match &*k {
                                $($key => out.$field = Some(m.next_value()?),)*
                                _ => {
                                    m.next_value::<Skip>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                );
                d.deserialize_any(V)
            }
        }
    };
}

lenient_struct!(Task {
    data: Json<'a> = "data",
    id: Json<'a> = "id",
    annotations: List<Annotation<'a>> = "annotations",
    completions: List<Annotation<'a>> = "completions",
    predictions: List<Annotation<'a>> = "predictions",
});

lenient_struct!(Annotation {
    was_cancelled: Json<'a> = "was_cancelled",
    model_version: Json<'a> = "model_version",
    created_username: Json<'a> = "created_username",
    completed_by: Json<'a> = "completed_by",
    meta: Json<'a> = "meta",
    result: List<Region<'a>> = "result",
    score: Json<'a> = "score",
});

lenient_struct!(Region {
    kind: Json<'a> = "type",
    id: Json<'a> = "id",
    from_id: Json<'a> = "from_id",
    to_id: Json<'a> = "to_id",
    labels: Json<'a> = "labels",
    direction: Json<'a> = "direction",
    value: RegionValue<'a> = "value",
    meta: Json<'a> = "meta",
    origin: Json<'a> = "origin",
    score: Json<'a> = "score",
});

lenient_struct!(RegionValue {
    start: Json<'a> = "start",
    end: Json<'a> = "end",
    text: Json<'a> = "text",
    labels: Json<'a> = "labels",
});

/// A score as `spans_jsonl::parse_score` reads it from an object's `score` field.
fn score_of(score: Option<&Json>) -> Result<Option<f64>, String> {
    match score {
        None => Ok(None),
        Some(s) => {
            let mut o = serde_json::Map::new();
            o.insert("score".into(), s.to_value());
            super::spans_jsonl::parse_score(&Value::Object(o))
        }
    }
}

fn annotator_of(a: &Annotation) -> Option<String> {
    if let Some(u) = str_of(a.created_username.as_ref()).filter(|u| !u.trim().is_empty()) {
        // Label Studio writes "email, id"; the part before the @ names the person.
        let u = u.split(',').next().unwrap_or(u).trim();
        return Some(u.split('@').next().unwrap_or(u).to_string());
    }
    match &a.completed_by {
        Some(o @ Json::Obj(_)) => str_of(o.get("email"))
            .map(|e| e.split('@').next().unwrap_or(e).to_string())
            .or_else(|| key_of(o.get("id")).map(|i| format!("ls-user-{i}"))),
        Some(v @ Json::Num(_)) => v.key().map(|i| format!("ls-user-{i}")),
        _ => None,
    }
}

/// The task's text: `data.text`, else the first string in `data` by key order.
fn text_of<'j>(data: &'j Json) -> Option<&'j str> {
    str_of(data.get("text")).or_else(|| {
        let Json::Obj(entries) = data else {
            return None;
        };
        // Keys in order, the last of duplicates kept: what serde_json's map holds.
        let sorted: BTreeMap<&str, &Json> = entries.iter().map(|(k, v)| (&**k, v)).collect();
        sorted.values().find_map(|v| v.as_str())
    })
}

fn parse_task(
    task: &Task,
    loc: &str,
    default_annotator: &str,
    notes: &mut Vec<String>,
) -> Result<RawDoc, Vec<String>> {
    let data = task
        .data
        .as_ref()
        .ok_or_else(|| vec![format!("{loc}: no \"data\"")])?;
    let text = text_of(data).ok_or_else(|| vec![format!("{loc}: \"data\" holds no text")])?;
    let mut doc = RawDoc::new(text.to_string(), loc);
    doc.key = key_of(data.get("doc_id")).or_else(|| key_of(task.id.as_ref()));
    doc.title = str_of(data.get("title")).map(str::to_string);
    let declared_utf16 = str_of(data.get("offset_unit")) == Some("utf16");
    let map = OffsetMap::new(text);
    let mut errors = Vec::new();
    let mut sets: BTreeMap<String, RawSet> = BTreeMap::new();
    let lists = [
        ("annotations", &task.annotations, false),
        ("completions", &task.completions, false),
        ("predictions", &task.predictions, true),
    ];
    for (field, list, predicted) in lists {
        let list = list.as_ref().and_then(|l| l.0.as_deref()).unwrap_or(&[]);
        for (ai, a) in list.iter().enumerate() {
            if matches!(a.was_cancelled, Some(Json::Bool(true))) {
                continue;
            }
            let aloc = format!("{loc}: {field} {}", ai + 1);
            let annotator = if predicted {
                str_of(a.model_version.as_ref())
                    .filter(|m| !m.is_empty())
                    .unwrap_or("predictions")
                    .to_string()
            } else {
                annotator_of(a).unwrap_or_else(|| default_annotator.to_string())
            };
            let set = sets
                .entry(annotator.clone())
                .or_insert_with(|| RawSet::new(&annotator));
            if let Some(st) = a
                .meta
                .as_ref()
                .and_then(|m| str_of(m.get("status")))
                .and_then(parse_status)
            {
                set.status = st;
            }
            let results = a
                .result
                .as_ref()
                .and_then(|l| l.0.as_deref())
                .unwrap_or(&[]);
            for (ri, r) in results.iter().enumerate() {
                let rloc = format!("{aloc}: result {}", ri + 1);
                read_region(
                    r,
                    a,
                    Ctx {
                        text,
                        map: &map,
                        declared_utf16,
                        predicted,
                        aloc: &aloc,
                    },
                    rloc,
                    set,
                    notes,
                    &mut errors,
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    doc.sets = sets.into_values().collect();
    Ok(doc)
}

/// What a region needs of its task and annotation.
#[derive(Clone, Copy)]
struct Ctx<'t> {
    text: &'t str,
    map: &'t OffsetMap,
    declared_utf16: bool,
    predicted: bool,
    aloc: &'t str,
}

/// Reads one result of an annotation: a relation, the spans of a `labels` region, or
/// a note that it was ignored.
fn read_region(
    r: &Region,
    a: &Annotation,
    cx: Ctx,
    rloc: String,
    set: &mut RawSet,
    notes: &mut Vec<String>,
    errors: &mut Vec<String>,
) {
    let kind = str_of(r.kind.as_ref()).unwrap_or("");
    if kind == "relation" {
        let (Some(from), Some(to)) = (key_of(r.from_id.as_ref()), key_of(r.to_id.as_ref())) else {
            errors.push(format!("{rloc}: relation without from_id/to_id"));
            return;
        };
        let labels = r.labels.as_ref().and_then(Json::as_array);
        let Some(label) = labels.and_then(|l| l.first()).and_then(Json::as_str) else {
            errors.push(format!(
                "{rloc}: relation without a label; spanbench relations need a type"
            ));
            return;
        };
        // Label Studio's "left" points from to_id to from_id.
        let (from, to) = if str_of(r.direction.as_ref()) == Some("left") {
            (to, from)
        } else {
            (from, to)
        };
        set.relations.push(RawRelation {
            id: None,
            kind: label.to_string(),
            from,
            to,
            loc: rloc,
        });
        return;
    }
    let no_value = RegionValue::default();
    let value = r.value.as_ref().unwrap_or(&no_value);
    let labels = value.labels.as_ref().and_then(Json::as_array);
    let Some(labels) = labels.filter(|_| kind == "labels" || kind.is_empty()) else {
        notes.push(format!(
            "{rloc}: result of type {kind:?} ignored; spanbench reads labels and relations"
        ));
        return;
    };
    let (Some(start), Some(end)) = (u64_of(value.start.as_ref()), u64_of(value.end.as_ref()))
    else {
        errors.push(format!("{rloc}: labels without numeric start/end"));
        return;
    };
    // Offsets are read as u64 and converted checked, never cast.
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        errors.push(format!("{rloc}: offsets [{start}..{end}) are out of range"));
        return;
    };
    let vtext = str_of(value.text.as_ref());
    let map = cx.map;
    let matches = |s: usize, e: usize| {
        s <= e
            && e <= map.char_len()
            && vtext.is_none_or(|t| {
                map.char_to_byte(s)
                    .zip(map.char_to_byte(e))
                    .is_some_and(|(bs, be)| &cx.text[bs..be] == t)
            })
    };
    let as_utf16 = || map.utf16_to_char(start).zip(map.utf16_to_char(end));
    let (start, end) = if cx.declared_utf16 {
        match as_utf16() {
            Some(p) => p,
            None => {
                errors.push(format!(
                    "{rloc}: UTF-16 offsets [{start}..{end}) are out of bounds or split a surrogate pair"
                ));
                return;
            }
        }
    } else if matches(start, end) {
        (start, end)
    } else if let Some((s, e)) = as_utf16().filter(|&(s, e)| matches(s, e)) {
        // Older Label Studio counted UTF-16; the copied text tells which.
        notes.push(format!(
            "{rloc}: offsets [{start}..{end}) were UTF-16 code units; read as [{s}..{e})"
        ));
        (s, e)
    } else {
        (start, end)
    };
    let id = key_of(r.id.as_ref());
    let note = match r.meta.as_ref().and_then(|m| m.get("text")) {
        Some(Json::Arr(a)) => a
            .iter()
            .filter_map(Json::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        Some(Json::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    let suggested = cx.predicted || str_of(r.origin.as_ref()) == Some("prediction");
    // A region's own score, else its prediction's.
    let score = match score_of(r.score.as_ref()) {
        Ok(Some(x)) => Some(x),
        Ok(None) => match score_of(a.score.as_ref()) {
            Ok(x) => x,
            Err(e) => {
                errors.push(format!("{}: {e}", cx.aloc));
                return;
            }
        },
        Err(e) => {
            errors.push(format!("{rloc}: {e}"));
            return;
        }
    };
    for (li, label) in labels.iter().enumerate() {
        let Some(label) = label.as_str() else {
            errors.push(format!("{rloc}: a label is not a string"));
            continue;
        };
        // The first label keeps the region id relations point at.
        let key = match (&id, li) {
            (Some(id), 0) => Some(id.clone()),
            (Some(id), n) => Some(format!("{id}#{n}")),
            (None, _) => None,
        };
        let mut span = RawSpan::new(key, start, end, label, rloc.clone());
        span.text = vtext.map(str::to_string);
        if suggested {
            span.score = score;
            span.origin = Some(Origin::Suggested);
        }
        span.note = note.clone();
        set.spans.push(span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &[u8]) -> JsonRecord {
        JsonRecord {
            bytes: json.to_vec(),
            line: 1,
            col: 1,
            index: 1,
        }
    }

    #[test]
    fn tasks_serde_json_refuses_are_refused_with_its_messages() {
        let deep = format!(
            "{{\"data\": {{\"text\": \"x\"}}, \"z\": {}1{}}}",
            "[".repeat(200),
            "]".repeat(200)
        );
        let bad: Vec<&[u8]> = vec![
            // Invalid UTF-8, a lone surrogate, a number out of range and deep nesting,
            // each in a field spanbench does not read.
            b"{\"data\": {\"text\": \"x\"}, \"created_at\": \"\xff\"}",
            b"{\"data\": {\"text\": \"x\"}, \"created_at\": \"\\ud800\"}",
            b"{\"data\": {\"text\": \"x\"}, \"n\": 1e999}",
            deep.as_bytes(),
            b"{\"data\": {\"text\": \"x\"}} trailing",
            b"{\"data\": {\"text\": \"x\"}, \"annotations\": [{\"result\": [{\"value\": {\"start\": 0,}}]}]}",
        ];
        for json in bad {
            let want = serde_json::from_slice::<Value>(json)
                .unwrap_err()
                .to_string();
            let got = serde_json::from_slice::<Task>(json)
                .err()
                .map(|e| e.to_string());
            assert_eq!(
                got.as_deref(),
                Some(want.as_str()),
                "{}",
                String::from_utf8_lossy(json)
            );
        }
    }

    #[test]
    fn odd_shapes_read_as_a_value_parse_reads_them() {
        // Duplicate keys keep the last; an annotation that is not an object is an empty
        // one; text falls back to the first string of `data` by key order; a result
        // that is not an object is ignored with a note.
        let json = br#"{"data": {"zz": "second", "b": 5, "a": "first", "a": "kept"},
            "id": 7, "id": 8.5,
            "annotations": [3, {"completed_by": {"id": 4}, "meta": {"status": "done"},
              "result": ["x", {"type": "labels", "id": "r", "type": "labels",
                "value": {"start": 0, "end": 4, "text": "kept", "labels": ["A", "B"]},
                "meta": {"text": ["one", 2, "two"]}}]}],
            "predictions": [{"model_version": "", "score": 0.5,
              "result": [{"value": {"start": 0, "end": 1, "labels": ["A"]}}]}]}"#;
        let mut notes = Vec::new();
        let doc = parse_record(&record(json), "f.json", "me", &mut notes).unwrap();
        assert_eq!(doc.text, "kept");
        assert_eq!(doc.key.as_deref(), Some("8.5"));
        let names: Vec<_> = doc.sets.iter().map(|s| s.annotator.as_str()).collect();
        assert_eq!(names, ["ls-user-4", "me", "predictions"]);
        let user = &doc.sets[0];
        assert_eq!(user.status, crate::model::DocStatus::Done);
        let keys: Vec<_> = user.spans.iter().map(|s| s.key.clone().unwrap()).collect();
        assert_eq!(keys, ["r", "r#1"]);
        assert_eq!(user.spans[0].note, "one\ntwo");
        assert_eq!(doc.sets[2].spans[0].score, Some(0.5));
        assert_eq!(doc.sets[2].spans[0].origin, Some(Origin::Suggested));
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("result 1: result of type \"\" ignored"),
            "{notes:?}"
        );
    }
}
