//! Import and export formats, one file each, as pure functions over the model.
//!
//! Every export takes the [`Record`]s chosen by [`select`] and writes to a
//! `&mut dyn Write` (brat renders strings for a folder); everything a target format
//! cannot hold is written into the returned [`Report`], one note per document and span
//! id. [`export_to_path`] is the one place that touches the file system: it writes to
//! temporary files beside the target and renames them only when the export succeeded
//! (and, with `strict`, changed nothing).

pub mod brat;
pub mod conll;
pub mod csv;
pub mod doccano;
pub mod hf_tokens;
pub mod html;
pub mod import;
mod import_check;
mod import_read;
pub mod label_studio;
mod label_studio_read;
mod parallel;
pub mod predictions;
pub mod spacy;
pub mod spans_jsonl;
pub mod stream;
pub mod tagging;

use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use import::{
    ImportErrors, ImportFormat, ImportProgress, Imported, ImportedDoc, detect, detect_strict,
    import_each, import_paths, import_paths_as,
};

use crate::model::{AnnotationSet, Corpus, Document, Problem, Project, Span};

/// The name of the adjudicated layer unless project.ron marks another one as gold.
pub use crate::model::GOLD_LAYER as GOLD_ANNOTATOR;

/// Which annotators' work an export takes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Layer {
    /// Every annotator's set, one record per document and annotator.
    #[default]
    All,
    /// One annotator only.
    One(String),
    /// The adjudicated layer: the sets of the project's gold layer (`Project::gold_layer`).
    /// Documents nobody adjudicated yet are exported without annotations.
    Gold,
}

/// An export target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object a line with character-offset spans (spaCy, Prodigy).
    SpansJsonl,
    /// doccano sequence-labelling JSONL (entities/relations form when there are relations).
    Doccano,
    /// Label Studio task JSON, with the labelling config XML beside it.
    LabelStudio,
    /// A brat standoff folder: .txt/.ann per document and annotation.conf.
    Brat,
    /// CoNLL-2003 style token-per-line tags (IOB2 or BIOES).
    Conll,
    /// Hugging Face token classification JSONL, with a label-names file beside it.
    HfTokens,
    /// A CSV of spans for analysts, with a CSV of relations beside it.
    Csv,
    /// A spaCy DocBin (`.spacy`) for `spacy train`: entities in `doc.ents`, every span in
    /// `doc.spans["sc"]`.
    Spacy,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 8] = [
        ExportFormat::SpansJsonl,
        ExportFormat::Doccano,
        ExportFormat::LabelStudio,
        ExportFormat::Brat,
        ExportFormat::Conll,
        ExportFormat::HfTokens,
        ExportFormat::Csv,
        ExportFormat::Spacy,
    ];

    /// The name the CLI takes after `--format`.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::SpansJsonl => "spans-jsonl",
            ExportFormat::Doccano => "doccano",
            ExportFormat::LabelStudio => "label-studio",
            ExportFormat::Brat => "brat",
            ExportFormat::Conll => "conll",
            ExportFormat::HfTokens => "hf-tokens",
            ExportFormat::Csv => "csv",
            ExportFormat::Spacy => "spacy",
        }
    }

    /// True for the formats that take `--labels` (a subset of the schema).
    pub fn takes_labels(self) -> bool {
        matches!(
            self,
            ExportFormat::Conll | ExportFormat::HfTokens | ExportFormat::Spacy
        )
    }

    /// The `--nested` modes a format takes (none for formats that keep every span).
    pub fn nesting_modes(self) -> &'static [Nesting] {
        match self {
            ExportFormat::Conll | ExportFormat::HfTokens => {
                &[Nesting::Outer, Nesting::Inner, Nesting::Columns]
            }
            ExportFormat::Spacy => &[Nesting::Outer, Nesting::Inner],
            _ => &[],
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ExportFormat::SpansJsonl => {
                "JSONL with character-offset spans, relations and attributes (spaCy, Prodigy); loses nothing"
            }
            ExportFormat::Doccano => {
                "doccano JSONL ({\"text\", \"label\"}, or entities/relations); attributes and notes are dropped"
            }
            ExportFormat::LabelStudio => {
                "Label Studio tasks JSON plus labelling config XML; attributes are dropped"
            }
            ExportFormat::Brat => {
                "brat standoff folder (.txt/.ann per document, annotation.conf); keeps relations, attributes, notes"
            }
            ExportFormat::Conll => {
                "CoNLL-2003 token-per-line tags; spans that cannot be placed on tokens are dropped and reported"
            }
            ExportFormat::HfTokens => {
                "Hugging Face tokens/ner_tags JSONL plus label names; spans that cannot be placed are reported"
            }
            ExportFormat::Csv => "CSV of spans plus a CSV of relations, for spreadsheets",
            ExportFormat::Spacy => {
                "spaCy DocBin for spacy train: doc.ents, every span in doc.spans[\"sc\"]; off-token spans dropped"
            }
        }
    }

    /// True when the output is a folder rather than a file.
    pub fn writes_folder(self) -> bool {
        self == ExportFormat::Brat
    }

    /// A file name to suggest for the output.
    pub fn default_file_name(self) -> &'static str {
        match self {
            ExportFormat::SpansJsonl => "spans.jsonl",
            ExportFormat::Doccano => "doccano.jsonl",
            ExportFormat::LabelStudio => "label-studio.json",
            ExportFormat::Brat => "brat",
            ExportFormat::Conll => "export.conll",
            ExportFormat::HfTokens => "hf-tokens.jsonl",
            ExportFormat::Csv => "spans.csv",
            ExportFormat::Spacy => "train.spacy",
        }
    }

    /// The files written beside the main output, as paths derived from it.
    pub fn companion_files(self, out: &Path) -> Vec<PathBuf> {
        match self {
            ExportFormat::LabelStudio => vec![sibling(out, "label_config.xml")],
            ExportFormat::HfTokens => vec![sibling(out, "labels.json")],
            ExportFormat::Csv => vec![sibling(out, "relations.csv")],
            _ => Vec::new(),
        }
    }
}

/// Tagging scheme of token formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TagScheme {
    /// B- begins a span, I- continues it.
    #[default]
    Iob2,
    /// B- begin, I- inside, E- end, S- single-token span.
    Bioes,
}

/// The unit offsets are counted in, for formats read by browser-based tools.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OffsetUnit {
    /// Unicode scalar values (Python `str` indices).
    #[default]
    Chars,
    /// UTF-16 code units (JavaScript `String` indices).
    Utf16,
}

impl OffsetUnit {
    pub fn name(self) -> &'static str {
        match self {
            OffsetUnit::Chars => "chars",
            OffsetUnit::Utf16 => "utf16",
        }
    }
}

/// Where spans nest (one inside another), which of them token formats keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Nesting {
    /// The outermost spans; a span inside another is dropped and reported.
    #[default]
    Outer,
    /// The innermost spans; a span around another is dropped and reported.
    Inner,
    /// Every level: one tag column per nesting level, the outermost first (GermEval 2014).
    Columns,
}

impl Nesting {
    pub fn name(self) -> &'static str {
        match self {
            Nesting::Outer => "outer",
            Nesting::Inner => "inner",
            Nesting::Columns => "columns",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    pub layer: Layer,
    /// Fail instead of dropping or changing anything.
    pub strict: bool,
    pub scheme: TagScheme,
    pub offset_unit: OffsetUnit,
    /// Export only spans with these labels (conll, hf-tokens, spacy); `None`: all.
    pub labels: Option<Vec<String>>,
    /// Which of nested spans token formats keep (conll, hf-tokens; spacy's `doc.ents`).
    pub nested: Nesting,
}

impl ExportOptions {
    /// True when spans labelled `label` are exported.
    pub fn keeps_label(&self, label: &str) -> bool {
        self.labels
            .as_ref()
            .is_none_or(|ls| ls.iter().any(|l| l == label))
    }

    /// Refuses options the format does not take and labels the schema does not have.
    pub fn check(&self, format: ExportFormat, project: &Project) -> Result<(), ExportError> {
        const TAKERS: &str = "conll, hf-tokens and spacy";
        if let Some(labels) = &self.labels {
            if !format.takes_labels() {
                return Err(ExportError::OptionNotFor {
                    option: "--labels",
                    format: format.name(),
                    takers: TAKERS,
                });
            }
            if labels.is_empty() {
                return Err(ExportError::NoLabels);
            }
            if let Some(l) = labels
                .iter()
                .find(|l| !project.labels.iter().any(|k| &k.key == *l))
            {
                let known: Vec<&str> = project.labels.iter().map(|k| k.key.as_str()).collect();
                return Err(ExportError::UnknownLabel {
                    label: l.clone(),
                    known: known.join(", "),
                });
            }
        }
        if self.nested != Nesting::default() && !format.nesting_modes().contains(&self.nested) {
            return Err(ExportError::OptionNotFor {
                option: if self.nested == Nesting::Columns && format == ExportFormat::Spacy {
                    "--nested columns (doc.spans[\"sc\"] already keeps every span)"
                } else {
                    "--nested"
                },
                format: format.name(),
                takers: if self.nested == Nesting::Columns {
                    "conll and hf-tokens"
                } else {
                    TAKERS
                },
            });
        }
        Ok(())
    }
}

/// One document as one annotator annotated it (or unannotated, `set` None).
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub doc: &'a Document,
    pub annotator: Option<&'a str>,
    pub set: Option<&'a AnnotationSet>,
}

impl Record<'_> {
    pub fn spans(&self) -> &[Span] {
        self.set.map_or(&[], |s| &s.spans)
    }

    /// `doc` or `doc (annotator)`, the prefix of every note about this record.
    pub fn who(&self) -> String {
        match self.annotator {
            Some(a) => format!("{} ({a})", self.doc.id),
            None => self.doc.id.clone(),
        }
    }
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("the project has {} problem(s), first: {}; fix them before exporting (`spanbench validate`)", .0.len(), .0.first().map(|p| p.to_string()).unwrap_or_default())]
    Invalid(Vec<Problem>),
    #[error("no annotator {0:?} in this project")]
    NoAnnotator(String),
    #[error("no adjudicated layer: no annotator is named {GOLD_ANNOTATOR:?}")]
    NoGold,
    // None of these is a `source`: each message holds its cause, and error chains would
    // print it twice.
    #[error("writing the export: {0}")]
    Io(std::io::Error),
    #[error("{}: {error}", path.display())]
    Path {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("encoding JSON: {0}")]
    Json(serde_json::Error),
    #[error("writing CSV: {0}")]
    Csv(::csv::Error),
    #[error("{} is inside the spanbench project {}; export to a folder outside any project", path.display(), project.display())]
    InsideProject { path: PathBuf, project: PathBuf },
    #[error("{} is not empty and is not a brat export; choose a new folder", .0.display())]
    FolderNotEmpty(PathBuf),
    #[error("{format} writes several files; give a file path, not `-`")]
    NeedsPath { format: &'static str },
    #[error(
        "no label {label:?} in the project's schema (its labels: {known}); --labels takes label keys"
    )]
    UnknownLabel { label: String, known: String },
    #[error("--labels names no label; give one or more label keys, separated by commas")]
    NoLabels,
    #[error("{option} does not apply to {format}; it applies to {takers}")]
    OptionNotFor {
        option: &'static str,
        format: &'static str,
        takers: &'static str,
    },
    #[error("--strict: the export would drop or change {} thing(s); nothing was written. First: {}", .0.len(), .0.first().map(String::as_str).unwrap_or(""))]
    Strict(Vec<String>),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Io(e)
    }
}

impl From<serde_json::Error> for ExportError {
    fn from(e: serde_json::Error) -> Self {
        ExportError::Json(e)
    }
}

impl From<::csv::Error> for ExportError {
    fn from(e: ::csv::Error) -> Self {
        ExportError::Csv(e)
    }
}

/// The records an export writes: every document once per annotator that has a set on
/// it, or once unannotated when no selected annotator touched it. Refuses to export a
/// project whose spans no longer match their text.
pub fn select<'a>(corpus: &'a Corpus, layer: &Layer) -> Result<Vec<Record<'a>>, ExportError> {
    let problems = crate::storage::validate(corpus);
    if !problems.is_empty() {
        return Err(ExportError::Invalid(problems));
    }
    select_valid(corpus, layer)
}

/// [`select`] for a corpus that [`crate::storage::load`] or [`crate::index::load`]
/// returned, which validated it: checking it again would read every span twice.
pub fn select_valid<'a>(corpus: &'a Corpus, layer: &Layer) -> Result<Vec<Record<'a>>, ExportError> {
    let one = |a: &str| -> Vec<&'a str> {
        corpus
            .annotations
            .get_key_value(a)
            .map(|(k, _)| k.as_str())
            .into_iter()
            .collect()
    };
    let annotators: Vec<&str> = match layer {
        Layer::All => corpus.annotations.keys().map(String::as_str).collect(),
        Layer::One(a) => {
            if !corpus.annotations.contains_key(a) && !corpus.project.annotators.contains(a) {
                return Err(ExportError::NoAnnotator(a.clone()));
            }
            one(a)
        }
        Layer::Gold => {
            let gold = corpus.project.gold_layer();
            if !corpus.annotations.contains_key(gold)
                && !corpus.project.annotators.iter().any(|a| a == gold)
            {
                return Err(ExportError::NoGold);
            }
            one(gold)
        }
    };
    let mut out = Vec::new();
    for doc in &corpus.documents {
        let before = out.len();
        for &a in &annotators {
            if let Some(set) = corpus.set(a, &doc.id) {
                out.push(Record {
                    doc,
                    annotator: Some(a),
                    set: Some(set),
                });
            }
        }
        if out.len() == before {
            out.push(Record {
                doc,
                annotator: None,
                set: None,
            });
        }
    }
    Ok(out)
}

/// What an export had to drop or change because the target format cannot hold it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub records: usize,
    pub spans: usize,
    pub notes: Vec<String>,
}

impl Report {
    /// Records a change to one span: `doc (annotator) span 3 [10..15) ACTOR: message`.
    pub fn span_note(&mut self, rec: &Record, span: &Span, message: impl fmt::Display) {
        self.notes.push(format!(
            "{} span {} [{}..{}) {}: {message}",
            rec.who(),
            span.id.0,
            span.start,
            span.end,
            span.label
        ));
    }

    pub fn record_note(&mut self, rec: &Record, message: impl fmt::Display) {
        self.notes.push(format!("{}: {message}", rec.who()));
    }

    /// Notes the parts of a span a format has no place for.
    pub(crate) fn lost_fields(&mut self, rec: &Record, span: &Span, keeps: Keeps) {
        if !keeps.attrs && !span.attrs.is_empty() {
            let list: Vec<String> = span.attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            self.span_note(
                rec,
                span,
                format!("attributes dropped ({})", list.join(", ")),
            );
        }
        if !keeps.note && !span.note.is_empty() {
            self.span_note(rec, span, format!("note dropped ({:?})", span.note));
        }
        if !keeps.review && span.review != crate::model::Review::Unreviewed {
            self.span_note(rec, span, format!("review state {:?} dropped", span.review));
        }
    }
}

/// Which optional parts of a span a format carries.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Keeps {
    pub attrs: bool,
    pub note: bool,
    pub review: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} record(s), {} span(s)", self.records, self.spans)?;
        if !self.notes.is_empty() {
            write!(f, "; {} change(s):", self.notes.len())?;
            for n in &self.notes {
                write!(f, "\n  {n}")?;
            }
        }
        Ok(())
    }
}

/// Renders every record with `render` (into a buffer and a report of its own) and
/// writes the buffers to `out` in record order. Records are independent, so they are
/// rendered on all cores ([`parallel::write_in_order`]); the output and the report are
/// the same as rendering one by one. `report.records` is counted here; `render` counts
/// spans and adds notes.
pub(crate) fn render_records<F>(
    records: &[Record],
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
    render: F,
) -> Result<Report, ExportError>
where
    F: Fn(&Record, &mut Vec<u8>, &mut Report) -> Result<(), ExportError> + Sync,
{
    let mut report = Report::default();
    parallel::write_in_order(
        records,
        records.len(),
        out,
        &mut report,
        progress,
        |_| 1,
        |r| {
            // Sized for the text plus a line per span up front.
            let mut buf = Vec::with_capacity(r.doc.text.len() + r.spans().len() * 128 + 256);
            let mut report = Report {
                records: 1,
                ..Report::default()
            };
            render(r, &mut buf, &mut report)?;
            Ok((buf, report))
        },
    )?;
    out.flush()?;
    Ok(report)
}

/// `dir/stem.ext` beside `out`: `tasks.json` gives `tasks.label_config.xml`.
pub fn sibling(out: &Path, ext: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    out.with_file_name(format!("{stem}.{ext}"))
}

/// Files written beside the main output: (extension after the stem, content).
pub type Companions = Vec<(&'static str, Vec<u8>)>;

/// Writes a single-file format (or the main file of a multi-file one) to `w`. For
/// formats with companion files, those are returned as (extension, bytes).
pub fn write_export(
    records: &[Record],
    corpus: &Corpus,
    format: ExportFormat,
    opts: &ExportOptions,
    w: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Report, Companions), ExportError> {
    let project = &corpus.project;
    opts.check(format, project)?;
    Ok(match format {
        ExportFormat::SpansJsonl => (spans_jsonl::export_with(records, w, progress)?, vec![]),
        ExportFormat::Doccano => (doccano::export(records, opts, w, progress)?, vec![]),
        ExportFormat::Conll => (conll::export(records, opts, w, progress)?, vec![]),
        ExportFormat::LabelStudio => {
            let r = label_studio::export(records, opts, w, progress)?;
            let xml = label_studio::label_config(project);
            (r, vec![("label_config.xml", xml.into_bytes())])
        }
        ExportFormat::HfTokens => {
            let r = hf_tokens::export(records, project, opts, w, progress)?;
            let names = serde_json::to_vec_pretty(&hf_tokens::label_names(project, opts))?;
            (r, vec![("labels.json", names)])
        }
        ExportFormat::Csv => {
            let mut rel = Vec::new();
            let r = csv::export(records, w, &mut rel, progress)?;
            (r, vec![("relations.csv", rel)])
        }
        ExportFormat::Spacy => (spacy::export(records, opts, w, progress)?, vec![]),
        ExportFormat::Brat => return Err(ExportError::NeedsPath { format: "brat" }),
    })
}

/// Exports `corpus` to `out` (a file, or a folder for brat), atomically: every file is
/// staged beside its target and moved into place only once all of them are complete and,
/// with `opts.strict`, nothing had to be dropped or changed (see
/// [`crate::storage::output`]). A target inside a project folder is refused.
pub fn export_to_path(
    corpus: &Corpus,
    format: ExportFormat,
    opts: &ExportOptions,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    let records = select(corpus, &opts.layer)?;
    export_records_to_path(corpus, &records, format, opts, out, progress)
}

/// Refuses an output path inside a project folder: check it before reading the
/// project, so a refused export touches nothing (not even the project's index cache).
pub fn refuse_inside_project(out: &Path) -> Result<(), ExportError> {
    match crate::storage::output::project_containing(out) {
        Some(project) => Err(ExportError::InsideProject {
            path: out.to_path_buf(),
            project,
        }),
        None => Ok(()),
    }
}

/// [`export_to_path`] of records already selected: by [`select_valid`] for a corpus
/// that [`crate::storage::load`] or [`crate::index::load`] validated.
pub fn export_records_to_path(
    corpus: &Corpus,
    records: &[Record],
    format: ExportFormat,
    opts: &ExportOptions,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    refuse_inside_project(out)?;
    if format.writes_folder() {
        return brat::export_to_folder(records, corpus, opts, out, progress);
    }
    let path_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e| ExportError::Path { path: p, error: e }
    };
    let mut staged = crate::storage::output::FileSet::new(out).map_err(path_err(out))?;
    let (report, companions) = {
        let tmp = staged.file(out).map_err(path_err(out))?;
        let mut w = BufWriter::new(tmp);
        let r = write_export(records, corpus, format, opts, &mut w, progress)?;
        w.flush()?;
        r
    };
    check_strict(&report, opts)?;
    for (ext, bytes) in companions {
        let path = sibling(out, ext);
        let tmp = staged.file(&path).map_err(path_err(&path))?;
        tmp.write_all(&bytes)?;
    }
    staged.commit().map_err(path_err(out))?;
    Ok(report)
}

pub(crate) fn check_strict(report: &Report, opts: &ExportOptions) -> Result<(), ExportError> {
    if opts.strict && !report.notes.is_empty() {
        return Err(ExportError::Strict(report.notes.clone()));
    }
    Ok(())
}
