//! Importing documents and annotations from other tools, all or nothing.
//!
//! Each format's parser turns a file into [`RawDoc`]s whose offsets are scalar values
//! over the text exactly as the file holds it (CRLF, BOM and all). [`import_paths`]
//! then normalises each text the way plain-text import does, moves every offset along
//! with it, checks every span (in bounds, copied text equal to the document's, label in
//! the schema) and every relation, and returns documents and sets only if nothing at
//! all was wrong.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::import_read::{Run, read_all};
use crate::model::{
    AnnotationSet, Corpus, DocMeta, DocStatus, Document, Origin, Review, sanitize_id,
};

/// The annotator imported annotations go to when the source names none.
pub const DEFAULT_IMPORT_ANNOTATOR: &str = "imported";

/// What `spanbench import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ImportFormat {
    /// Plain UTF-8 text, one document per file.
    Text,
    /// An HTML article: text extracted, paragraphs kept, scripts and navigation dropped.
    Html,
    /// JSON lines with a "text" field (and optional "id", "title", "meta").
    Jsonl,
    /// spanbench's spans-jsonl (also spaCy/Prodigy `{"text", "spans"}` lines).
    SpansJsonl,
    /// doccano JSONL, `label` or `entities`/`relations` form.
    Doccano,
    /// Label Studio JSON export (annotations, and predictions as suggestions).
    LabelStudio,
    /// brat standoff: .txt with its .ann beside it.
    Brat,
    /// CoNLL token-per-line tags (IOB1, IOB2, BIOES or BILOU).
    Conll,
}

impl ImportFormat {
    pub const ALL: [ImportFormat; 8] = [
        ImportFormat::Text,
        ImportFormat::Html,
        ImportFormat::Jsonl,
        ImportFormat::SpansJsonl,
        ImportFormat::Doccano,
        ImportFormat::LabelStudio,
        ImportFormat::Brat,
        ImportFormat::Conll,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Text => "text",
            ImportFormat::Html => "html",
            ImportFormat::Jsonl => "jsonl",
            ImportFormat::SpansJsonl => "spans-jsonl",
            ImportFormat::Doccano => "doccano",
            ImportFormat::LabelStudio => "label-studio",
            ImportFormat::Brat => "brat",
            ImportFormat::Conll => "conll",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ImportFormat::Text => "plain UTF-8 text files",
            ImportFormat::Html => "HTML articles (text only)",
            ImportFormat::Jsonl => "JSON lines with a \"text\" field",
            ImportFormat::SpansJsonl => "spans-jsonl (spanbench, spaCy, Prodigy)",
            ImportFormat::Doccano => "doccano JSONL",
            ImportFormat::LabelStudio => "Label Studio JSON export",
            ImportFormat::Brat => "brat .txt/.ann",
            ImportFormat::Conll => "CoNLL tags",
        }
    }
}

/// What an import produced, ready for `Session::add_imported`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    pub documents: Vec<Document>,
    pub sets: Vec<AnnotationSet>,
    /// Things worth knowing that did not stop the import (files skipped, sets that
    /// replace existing ones, parts of a source spanbench has no place for).
    pub notes: Vec<String>,
}

/// Every problem found, one per line of input where there is a line. Nothing was imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportErrors(pub Vec<String>);

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => write!(f, "nothing to import"),
            [one] => write!(f, "{one}; nothing was imported"),
            [first, rest @ ..] => write!(
                f,
                "{first} (and {} more problem(s)); nothing was imported",
                rest.len()
            ),
        }
    }
}

impl std::error::Error for ImportErrors {}

/// A line format's file must end with a line break: without one, the last line may have
/// been cut short (a tag or a span id cut mid-way can still read as a valid, wrong
/// line), and only the missing break tells.
pub(crate) fn check_ends_with_newline(src: &str, file: &str) -> Option<String> {
    let body = src.trim_end_matches([' ', '\t']);
    if body.trim().is_empty() || body.ends_with('\n') || body.ends_with('\r') {
        return None;
    }
    Some(format!(
        "{file}:{}: the last line has no line break, so the file may be cut short; if it is complete, add a line break at its end",
        body.lines().count()
    ))
}

/// A document as a source file holds it, offsets over its raw text.
#[derive(Clone, Debug, Default)]
pub struct RawDoc {
    /// The id the source gives the document, if any.
    pub key: Option<String>,
    pub title: Option<String>,
    pub text: String,
    pub meta: DocMeta,
    /// `file:line` or `file`, for messages.
    pub loc: String,
    pub source_file: Option<String>,
    pub sets: Vec<RawSet>,
    /// The text is tokens joined by spaces (CoNLL), not the source's own text, so it
    /// matches a project's document by its non-space characters only.
    pub tokenized: bool,
}

impl RawDoc {
    pub fn new(text: String, loc: &str) -> Self {
        Self {
            text,
            loc: loc.to_string(),
            ..Default::default()
        }
    }
}

#[derive(Clone, Debug)]
pub struct RawSet {
    pub annotator: String,
    pub status: DocStatus,
    pub spans: Vec<RawSpan>,
    pub relations: Vec<RawRelation>,
}

impl RawSet {
    pub fn new(annotator: &str) -> Self {
        Self {
            annotator: annotator.to_string(),
            status: DocStatus::InProgress,
            spans: Vec::new(),
            relations: Vec::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct RawSpan {
    /// The source's id for the span, which relations refer to.
    pub key: Option<String>,
    /// Scalar offsets over the raw text.
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// The covered text as the source copied it, checked when present.
    pub text: Option<String>,
    pub attrs: BTreeMap<String, String>,
    pub note: String,
    pub origin: Option<Origin>,
    pub review: Review,
    /// A model's confidence, checked to be a number in 0..=1.
    pub score: Option<f64>,
    pub loc: String,
}

impl RawSpan {
    pub fn new(key: Option<String>, start: usize, end: usize, label: &str, loc: String) -> Self {
        Self {
            key,
            start,
            end,
            label: label.to_string(),
            text: None,
            attrs: BTreeMap::new(),
            note: String::new(),
            origin: None,
            review: Review::Unreviewed,
            score: None,
            loc,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RawRelation {
    pub id: Option<String>,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub loc: String,
}

pub(crate) fn get_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

pub(crate) fn get_usize(v: &Value, key: &str) -> Option<usize> {
    v.get(key)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

/// A JSON id (string or number) as a string.
pub(crate) fn value_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn parse_status(s: &str) -> Option<DocStatus> {
    DocStatus::ALL.into_iter().find(|d| d.as_str() == s)
}

/// How much of a file format detection reads.
const DETECT_PREFIX: usize = 1 << 20;

/// Guesses the format of a file (or folder) from its name and content. `None` when
/// nothing fits or the file is refused (see [`detect_strict`]).
pub fn detect(path: &Path) -> Option<ImportFormat> {
    detect_strict(path).ok().flatten()
}

/// What a plain-text import of `file` needs when its name says it is not plain text.
fn needs_text_flag(file: &str, what: &str) -> String {
    format!("{file}: {what}; give --format text to import it as plain text")
}

/// Detects the format of a file or folder. `Ok(None)`: not a format spanbench reads.
/// `Err`: the content looks like JSON, JSON lines, XML or an annotation format but does
/// not parse (the message gives line and column), or the name says it is not plain
/// text: such a file is never imported as plain text unless the user says so.
pub fn detect_strict(path: &Path) -> Result<Option<ImportFormat>, String> {
    let file = path.display().to_string();
    // A file that cannot be looked at is reported by the reader, which names it.
    let Ok(meta) = fs::metadata(path) else {
        return Ok(None);
    };
    if meta.is_dir() {
        let (files, _) = walk(path);
        return Ok(files
            .iter()
            .any(|f| ext_of(f) == "ann")
            .then_some(ImportFormat::Brat));
    }
    if !meta.is_file() {
        return Err(format!(
            "{file}: not a regular file (a FIFO, socket or device); import files and folders only"
        ));
    }
    let ext = ext_of(path);
    match ext.as_str() {
        "ann" => return Ok(Some(ImportFormat::Brat)),
        "txt" if path.with_extension("ann").is_file() => return Ok(Some(ImportFormat::Brat)),
        "html" | "htm" | "xhtml" => return Ok(Some(ImportFormat::Html)),
        "conll" | "conll03" | "iob" | "iob2" | "bio" | "bioes" => {
            return Ok(Some(ImportFormat::Conll));
        }
        _ => {}
    }
    // Detection reads a bounded prefix: a huge file is refused later with a clear
    // message, not read whole here first.
    let mut bytes = Vec::new();
    fs::File::open(path)
        .map_err(|e| format!("{file}: {e}"))?
        .take(DETECT_PREFIX as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{file}: {e}"))?;
    let truncated = bytes.len() > DETECT_PREFIX;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        // Cut inside a character at the end of the prefix: keep what is whole.
        Err(e) if truncated && e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("")
        }
        // Not text: the plain-text reader says so, with the offset.
        Err(_) => return Ok(text_by_name(&ext).then_some(ImportFormat::Text)),
    };
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('[') || body.starts_with('{') {
        return detect_json_strict(body, truncated, &file).map(Some);
    }
    if body.starts_with('<') {
        let head = body
            .get(..body.len().min(4096))
            .unwrap_or(body)
            .to_ascii_lowercase();
        let html = [
            "<!doctype html",
            "<html",
            "<head",
            "<body",
            "<article",
            "<p>",
            "<div",
        ]
        .iter()
        .any(|t| head.contains(t));
        if html {
            return Ok(Some(ImportFormat::Html));
        }
        return Err(needs_text_flag(
            &file,
            "looks like XML, which spanbench does not import (give --format html if it is a web page)",
        ));
    }
    if looks_like_conll(body) {
        return Ok(Some(ImportFormat::Conll));
    }
    if text_by_name(&ext) {
        return Ok(Some(ImportFormat::Text));
    }
    match ext.as_str() {
        "json" | "jsonl" | "ndjson" => Err(needs_text_flag(
            &file,
            &format!("a .{ext} file that does not start like JSON"),
        )),
        _ => Ok(None),
    }
}

fn text_by_name(ext: &str) -> bool {
    matches!(ext, "txt" | "text" | "md" | "")
}

/// `file:line:col: message` of a JSON parse error, the line counted from `first_line`.
fn json_error(file: &str, first_line: usize, e: &serde_json::Error) -> String {
    needs_text_flag(
        &format!("{file}:{}:{}", first_line + e.line() - 1, e.column()),
        &format!("looks like JSON but does not parse ({e})"),
    )
}

fn detect_json_strict(body: &str, truncated: bool, file: &str) -> Result<ImportFormat, String> {
    let unknown = || {
        needs_text_flag(
            file,
            "JSON, but not a format spanbench reads (Label Studio tasks, or lines with \"text\" and \"spans\", \"label\" or \"entities\")",
        )
    };
    let whole = serde_json::from_str::<Value>(body);
    if whole.is_ok() || body.starts_with('[') {
        return match whole {
            Ok(v) => detect_json(&v.to_string()).ok_or_else(unknown),
            // A JSON array too long to parse from its prefix: Label Studio exports are
            // the array-shaped format spanbench reads.
            Err(_) if truncated && body.contains("\"data\"") => Ok(ImportFormat::LabelStudio),
            Err(e) if truncated && e.is_eof() => Err(unknown()),
            Err(e) => Err(json_error(file, 1, &e)),
        };
    }
    // JSON lines: the first line that parses tells the format, and the format's reader
    // reports every line that does not; if none parses, the first error is the answer.
    let mut first_error = None;
    for (n, line) in body
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Value>(line) {
            Ok(v) => return detect_json(&v.to_string()).ok_or_else(unknown),
            Err(e) => {
                first_error.get_or_insert_with(|| json_error(file, n + 1, &e));
            }
        }
    }
    Err(first_error.unwrap_or_else(unknown))
}

fn detect_json(body: &str) -> Option<ImportFormat> {
    if !(body.starts_with('[') || body.starts_with('{')) {
        return None;
    }
    let kind = |v: &Value| -> Option<ImportFormat> {
        let o = v.as_object()?;
        if o.contains_key("data") && !o.contains_key("text") {
            Some(ImportFormat::LabelStudio)
        } else if o.contains_key("spans") {
            Some(ImportFormat::SpansJsonl)
        } else if o.contains_key("label") || o.contains_key("entities") {
            Some(ImportFormat::Doccano)
        } else if o.get("text").is_some_and(Value::is_string) {
            Some(ImportFormat::Jsonl)
        } else {
            None
        }
    };
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        return match &v {
            Value::Array(a) => a.first().and_then(kind).and_then(|k| {
                (k == ImportFormat::LabelStudio).then_some(ImportFormat::LabelStudio)
            }),
            Value::Object(_) => kind(&v),
            _ => None,
        };
    }
    let first = body.lines().find(|l| !l.trim().is_empty())?;
    let v: Value = serde_json::from_str(first).ok()?;
    kind(&v)
}

fn looks_like_conll(body: &str) -> bool {
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(200)
        .collect();
    if lines.first().is_some_and(|l| l.starts_with("-DOCSTART-")) {
        return true;
    }
    let tagged = lines
        .iter()
        .filter(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.len() >= 2 && cols.last().is_some_and(|t| super::conll::is_tag(t))
        })
        .count();
    lines.len() >= 2 && tagged == lines.len()
}

fn ext_of(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Every file under `dir`, sorted, without following links; hidden entries are left
/// out. Returns the files and one note per entry skipped (links, FIFOs, sockets,
/// devices, folders that cannot be read).
pub fn walk(dir: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = match fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) => {
                skipped.push(format!("{}: skipped ({e})", d.display()));
                continue;
            }
        };
        let mut entries: Vec<(PathBuf, Option<fs::FileType>)> = rd
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| (e.path(), e.file_type().ok()))
            .collect();
        entries.sort_by(|a, b| b.0.cmp(&a.0));
        let mut files = Vec::new();
        for (p, kind) in entries {
            match kind {
                Some(k) if k.is_dir() => stack.push(p),
                Some(k) if k.is_file() => files.push(p),
                Some(k) if k.is_symlink() => skipped.push(format!(
                    "{}: skipped (a symbolic link; links in a folder are not followed)",
                    p.display()
                )),
                _ => skipped.push(format!(
                    "{}: skipped (not a regular file: a FIFO, socket or device)",
                    p.display()
                )),
            }
        }
        files.reverse();
        out.extend(files);
    }
    out.sort();
    (out, skipped)
}

/// Imports files and folders (walked recursively) into new documents and sets of
/// `corpus`; annotations whose source names no annotator go to
/// [`DEFAULT_IMPORT_ANNOTATOR`]. See [`import_paths_as`].
pub fn import_paths(
    corpus: &Corpus,
    paths: &[PathBuf],
    format: Option<ImportFormat>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported, ImportErrors> {
    import_paths_as(corpus, paths, format, DEFAULT_IMPORT_ANNOTATOR, progress)
}

/// One file to read, with the annotator its folder implies.
pub(crate) struct Job {
    pub path: PathBuf,
    pub format: ImportFormat,
    pub annotator: String,
}

/// What one document of an import adds to a project.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedDoc {
    /// The document, when it is new; `None` when its annotations go to a document the
    /// project holds already, or one read earlier in the same import (a record per
    /// annotator).
    pub document: Option<Document>,
    /// Annotation sets on it, checked, in canonical order.
    pub sets: Vec<AnnotationSet>,
}

/// How far an import has got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub files_done: usize,
    pub files: usize,
    /// Documents read so far.
    pub documents: usize,
    pub bytes_read: u64,
    /// Size of every file to read.
    pub bytes: u64,
}

/// Imports `paths`, detecting each file's format unless `format` is given, and
/// returns everything read. Nothing is returned unless every file and every span in
/// them is fine; `progress(done, total)` is called after each file. Holds the whole
/// import in memory: [`import_each`] streams it.
pub fn import_paths_as(
    corpus: &Corpus,
    paths: &[PathBuf],
    format: Option<ImportFormat>,
    default_annotator: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported, ImportErrors> {
    let mut out = Imported::default();
    let notes = import_each(
        corpus,
        paths,
        format,
        default_annotator,
        &mut |p| progress(p.files_done, p.files),
        &mut |d| {
            out.documents.extend(d.document);
            out.sets.extend(d.sets);
            Ok(())
        },
    )?;
    out.notes = notes;
    Ok(out)
}

/// Imports `paths` as a stream: files are read record by record (a JSON line, a task
/// of a Label Studio array, a CoNLL document, a text or brat file), checked a batch at
/// a time on all cores, and each document is handed to `sink` as soon as it has its id,
/// so memory holds one batch whatever the size of the files. Once a problem is found
/// nothing more is handed out (nothing will be imported), but reading goes on so that
/// one run reports every problem. A failing `sink` stops the import with its message.
///
/// Returns the notes, or every problem (in file and line order). What `sink` received
/// may be committed only when this returns `Ok`.
pub fn import_each(
    corpus: &Corpus,
    paths: &[PathBuf],
    format: Option<ImportFormat>,
    default_annotator: &str,
    progress: &mut dyn FnMut(&ImportProgress),
    sink: &mut dyn FnMut(ImportedDoc) -> Result<(), String>,
) -> Result<Vec<String>, ImportErrors> {
    let (jobs, notes, errors) = plan(paths, format, default_annotator);
    let mut run = Run::new(corpus, sink, progress);
    run.notes = notes;
    for e in errors {
        run.error(e);
    }
    run.status.files = jobs.len();
    run.status.bytes = jobs
        .iter()
        .map(|j| fs::metadata(&j.path).map_or(0, |m| m.len()))
        .sum();
    read_all(&jobs, &mut run);
    if let Some(e) = run.stopped {
        return Err(ImportErrors(vec![e]));
    }
    if run.status.documents == 0 && run.errors.is_empty() {
        return Err(ImportErrors(vec!["no documents found to import".into()]));
    }
    if !run.errors.is_empty() {
        let mut errors = in_line_order(run.errors);
        if run.more_errors > 0 {
            errors.push(format!(
                "... and {} more problem(s) not listed",
                run.more_errors
            ));
        }
        return Err(ImportErrors(errors));
    }
    Ok(run.notes)
}

/// Reads every file of `paths` (folders walked) into raw documents, unchecked against
/// any project: (documents, notes, problems). For a model's predictions, which are
/// matched to the project's documents by their text.
pub(crate) fn read_paths(
    corpus: &Corpus,
    paths: &[PathBuf],
    format: Option<ImportFormat>,
    default_annotator: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> (Vec<RawDoc>, Vec<String>, Vec<String>) {
    let (jobs, notes, errors) = plan(paths, format, default_annotator);
    let mut sink = |_: ImportedDoc| Ok(());
    let mut on_progress = |p: &ImportProgress| progress(p.files_done, p.files);
    let mut run = Run::new(corpus, &mut sink, &mut on_progress);
    run.raw = Some(Vec::new());
    run.notes = notes;
    for e in errors {
        run.error(e);
    }
    run.status.files = jobs.len();
    read_all(&jobs, &mut run);
    let docs = run.raw.take().unwrap_or_default();
    (docs, run.notes, run.errors)
}

/// The files to read, with their formats: (jobs, notes, errors).
fn plan(
    paths: &[PathBuf],
    format: Option<ImportFormat>,
    default_annotator: &str,
) -> (Vec<Job>, Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    let default_annotator = if default_annotator.trim().is_empty() {
        DEFAULT_IMPORT_ANNOTATOR.to_string()
    } else {
        sanitize_id(default_annotator)
    };
    for p in paths {
        if p.is_dir() {
            let (files, mut skipped) = walk(p);
            notes.append(&mut skipped);
            for f in files {
                let ext = ext_of(&f);
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // brat's .ann and .conf are read with their .txt, not on their own.
                if ext == "ann" || ext == "conf" || name.ends_with(".label_config.xml") {
                    continue;
                }
                let fmt = match format {
                    Some(ImportFormat::Brat) if ext != "txt" => None,
                    Some(f) => Some(f),
                    None => match detect_strict(&f) {
                        Ok(fmt) => fmt,
                        Err(e) => {
                            errors.push(e);
                            continue;
                        }
                    },
                };
                let Some(fmt) = fmt else {
                    notes.push(format!(
                        "{}: skipped (not a format spanbench reads)",
                        f.display()
                    ));
                    continue;
                };
                // A brat tree with one folder per annotator names the annotator.
                let annotator = match (fmt, f.parent()) {
                    (ImportFormat::Brat, Some(parent)) if parent != p.as_path() => parent
                        .file_name()
                        .map(|n| sanitize_id(&n.to_string_lossy()))
                        .unwrap_or_else(|| default_annotator.clone()),
                    _ => default_annotator.clone(),
                };
                jobs.push(Job {
                    path: f,
                    format: fmt,
                    annotator,
                });
            }
        } else {
            let fmt = match format {
                Some(f) => f,
                None => match detect_strict(p) {
                    Ok(f) => f.unwrap_or(ImportFormat::Text),
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                },
            };
            // An .ann named directly stands for its document.
            let path = if fmt == ImportFormat::Brat && ext_of(p) == "ann" {
                p.with_extension("txt")
            } else {
                p.clone()
            };
            jobs.push(Job {
                path,
                format: fmt,
                annotator: default_annotator.clone(),
            });
        }
    }
    (jobs, notes, errors)
}

/// Sorts messages that start with `file:line` by file, then line number, so that
/// problems found in different passes read top to bottom.
pub(crate) fn in_line_order(mut errors: Vec<String>) -> Vec<String> {
    let key = |e: &String| -> (String, usize) {
        let head = e.split(": ").next().unwrap_or("");
        // `file:line:col` and `file:line`
        let mut parts = head.rsplitn(3, ':');
        let (a, b) = (parts.next(), parts.next());
        match (a, b, parts.next()) {
            (Some(col), Some(line), Some(file))
                if col.chars().all(|c| c.is_ascii_digit())
                    && line.chars().all(|c| c.is_ascii_digit()) =>
            {
                (file.to_string(), line.parse().unwrap_or(0))
            }
            _ => match head.rsplit_once(':') {
                Some((file, line)) if line.chars().all(|c| c.is_ascii_digit()) => {
                    (file.to_string(), line.parse().unwrap_or(0))
                }
                _ => (head.to_string(), 0),
            },
        }
    };
    errors.sort_by_key(key);
    errors
}

/// One line of plain JSON lines: a document with a "text" field.
pub(crate) fn parse_plain_jsonl(line: &str, loc: &str) -> Result<RawDoc, Vec<String>> {
    let v: Value = serde_json::from_str(line).map_err(|e| vec![format!("{loc}: not JSON: {e}")])?;
    let text = get_str(&v, "text").ok_or_else(|| vec![format!("{loc}: no \"text\" string")])?;
    let mut d = RawDoc::new(text.to_string(), loc);
    d.key = v.get("id").and_then(value_key);
    d.title = get_str(&v, "title").map(str::to_string);
    let meta = v.get("meta").unwrap_or(&v);
    d.meta.source = get_str(meta, "source").map(str::to_string);
    d.meta.url = get_str(meta, "url").map(str::to_string);
    d.meta.published = get_str(meta, "published")
        .or_else(|| get_str(meta, "date"))
        .map(str::to_string);
    d.meta.language = get_str(meta, "language").map(str::to_string);
    if d.title.is_none() {
        d.title = get_str(meta, "title").map(str::to_string);
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_order() {
        let sorted = in_line_order(vec![
            "b.jsonl:10: x".into(),
            "a.jsonl:2: y".into(),
            "b.jsonl:9: z".into(),
        ]);
        assert_eq!(sorted, ["a.jsonl:2: y", "b.jsonl:9: z", "b.jsonl:10: x"]);
    }

    #[test]
    fn detects_json_shapes() {
        assert_eq!(
            detect_json(r#"[{"data": {"text": "x"}}]"#),
            Some(ImportFormat::LabelStudio)
        );
        assert_eq!(
            detect_json("{\"text\": \"x\", \"spans\": []}\n{}"),
            Some(ImportFormat::SpansJsonl)
        );
        assert_eq!(
            detect_json("{\"text\": \"x\", \"label\": []}\n"),
            Some(ImportFormat::Doccano)
        );
        assert_eq!(
            detect_json("{\"text\": \"x\"}\n{\"text\": \"y\"}"),
            Some(ImportFormat::Jsonl)
        );
        assert_eq!(detect_json("plain words"), None);
        assert!(looks_like_conll("EU B-ORG\nrejects O\n"));
        assert!(!looks_like_conll("Putin met Aliyev.\nThen left.\n"));
    }
}
