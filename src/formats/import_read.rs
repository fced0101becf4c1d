//! Reading the files of an import as streams of documents, a batch at a time: each
//! batch is parsed and checked on all cores ([`super::import_check::prepare`]), given
//! ids in file order, and handed to the sink, so memory holds one batch, not the file.

use std::fs;
use std::io::{BufReader, Read};

use rayon::prelude::*;

use super::import::{ImportFormat, ImportProgress, ImportedDoc, Job, RawDoc};
use super::import_check::{Checker, prepare};
use super::stream::{JsonArray, JsonRecord, Lines, MAX_RECORD_BYTES};
use crate::import::read_text_file;
use crate::model::Corpus;

/// Records per batch, and bytes per batch (a batch holds at least two records, so that
/// the first batch of a file tells whether it holds one document or many).
const BATCH_RECORDS: usize = 512;
const BATCH_BYTES: usize = 16 << 20;
/// Files of one document each (text, HTML, brat) read at once.
const FILE_BATCH: usize = 64;
/// Problems kept for the report; past this they are only counted.
const MAX_ERRORS: usize = 1000;

type Sink<'s> = &'s mut dyn FnMut(ImportedDoc) -> Result<(), String>;

/// One import run: where it is, what it found, and where checked documents go.
pub(crate) struct Run<'c, 's> {
    corpus: &'c Corpus,
    checker: Checker<'c>,
    sink: Sink<'s>,
    progress: &'s mut dyn FnMut(&ImportProgress),
    pub status: ImportProgress,
    pub notes: Vec<String>,
    pub errors: Vec<String>,
    /// Problems past [`MAX_ERRORS`], counted only.
    pub more_errors: usize,
    /// The sink failed (a write): the import stops.
    pub stopped: Option<String>,
    /// When set, documents are collected here as read, unchecked, instead of being
    /// checked and handed to the sink (a model's predictions are matched to the
    /// project's documents by their text, see `formats::predictions`).
    pub raw: Option<Vec<RawDoc>>,
}

impl<'c, 's> Run<'c, 's> {
    pub fn new(
        corpus: &'c Corpus,
        sink: Sink<'s>,
        progress: &'s mut dyn FnMut(&ImportProgress),
    ) -> Self {
        Run {
            corpus,
            checker: Checker::new(corpus),
            sink,
            progress,
            status: ImportProgress::default(),
            notes: Vec::new(),
            errors: Vec::new(),
            more_errors: 0,
            stopped: None,
            raw: None,
        }
    }

    pub fn error(&mut self, e: String) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else {
            self.more_errors += 1;
        }
    }

    fn errors(&mut self, es: Vec<String>) {
        for e in es {
            self.error(e);
        }
    }

    fn failed(&self) -> bool {
        !self.errors.is_empty() || self.stopped.is_some()
    }

    /// Checks a batch of documents (in parallel), gives them ids in order and hands
    /// them on while nothing has failed.
    fn take(&mut self, raws: Vec<Result<RawDoc, Vec<String>>>) {
        if self.raw.is_some() {
            for r in raws {
                match r {
                    Ok(d) => self.raw.get_or_insert_default().push(d),
                    Err(e) => self.errors(e),
                }
            }
            (self.progress)(&self.status);
            return;
        }
        let project = &self.corpus.project;
        self.status.documents += raws.iter().filter(|r| r.is_ok()).count();
        let prepared: Vec<_> = raws
            .into_par_iter()
            .map(|r| r.and_then(|d| prepare(project, d)))
            .collect();
        for p in prepared {
            match p {
                Err(e) => self.errors(e),
                Ok(p) => {
                    let mut errs = Vec::new();
                    let out = self.checker.assign(p, &mut self.notes, &mut errs);
                    self.errors(errs);
                    if !self.failed()
                        && let Err(e) = (self.sink)(out)
                    {
                        self.stopped = Some(e);
                    }
                }
            }
        }
        (self.progress)(&self.status);
    }

    fn file_done(&mut self, bytes: u64) {
        self.status.files_done += 1;
        self.status.bytes_read += bytes;
        (self.progress)(&self.status);
    }
}

/// Names the documents of one file that the file gives no id: `<stem>` when the file
/// holds one document, `<stem>_<n>` when it holds several.
struct Naming {
    stem: String,
    name: Option<String>,
    count: usize,
    many: Option<bool>,
}

impl Naming {
    fn new(job: &Job) -> Self {
        Naming {
            stem: job
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            name: job
                .path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned()),
            count: 0,
            many: None,
        }
    }

    /// `last`: no more documents follow in this file.
    fn apply(&mut self, docs: &mut [Result<RawDoc, Vec<String>>], last: bool) {
        let many = *self.many.get_or_insert(!(last && docs.len() <= 1));
        for d in docs.iter_mut().flatten() {
            self.count += 1;
            if d.source_file.is_none() {
                d.source_file = self.name.clone();
            }
            if d.key.is_none() {
                d.key = Some(if many {
                    format!("{}_{}", self.stem, self.count)
                } else {
                    self.stem.clone()
                });
            }
        }
    }
}

/// Reads every job in order.
pub(crate) fn read_all(jobs: &[Job], run: &mut Run) {
    let mut i = 0;
    while i < jobs.len() && run.stopped.is_none() {
        let single = |j: &Job| {
            matches!(
                j.format,
                ImportFormat::Text | ImportFormat::Html | ImportFormat::Brat
            )
        };
        if single(&jobs[i]) {
            let n = jobs[i..]
                .iter()
                .take(FILE_BATCH)
                .take_while(|j| single(j))
                .count();
            read_single_files(&jobs[i..i + n], run);
            i += n;
            continue;
        }
        let job = &jobs[i];
        let size = fs::metadata(&job.path).map_or(0, |m| m.len());
        let before = run.status.bytes_read;
        match job.format {
            ImportFormat::LabelStudio => read_label_studio(job, run),
            ImportFormat::Conll => read_conll(job, run),
            _ => read_json_lines(job, run),
        }
        run.status.bytes_read = before;
        run.file_done(size);
        i += 1;
    }
}

/// Files of one document each, read in parallel.
fn read_single_files(jobs: &[Job], run: &mut Run) {
    let outs: Vec<_> = jobs.par_iter().map(read_single).collect();
    let mut raws = Vec::new();
    let mut bytes = 0;
    for (job, out) in jobs.iter().zip(outs) {
        let (docs, notes, errors, size) = out;
        run.notes.extend(notes);
        run.errors(errors);
        let mut docs: Vec<Result<RawDoc, Vec<String>>> = docs.into_iter().map(Ok).collect();
        Naming::new(job).apply(&mut docs, true);
        raws.extend(docs);
        bytes += size;
    }
    run.take(raws);
    run.status.files_done += jobs.len() - 1;
    run.file_done(bytes);
}

/// Reads a text, HTML or brat file: (documents, notes, errors, bytes read).
fn read_single(job: &Job) -> (Vec<RawDoc>, Vec<String>, Vec<String>, u64) {
    let path = &job.path;
    let file = path.display().to_string();
    let mut notes = Vec::new();
    let fail = |e: Vec<String>| (Vec::new(), Vec::new(), e, 0);
    let src = match read_text_file(path) {
        Ok(s) => s,
        Err(e) => return fail(vec![e.to_string()]),
    };
    let size = src.len() as u64;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let doc = match job.format {
        ImportFormat::Html => {
            let (title, text) = match super::html::extract_checked(&src) {
                Ok(x) => x,
                Err(e) => return fail(vec![format!("{file}:{e}")]),
            };
            if text.trim().is_empty() {
                return fail(vec![format!("{file}: the HTML holds no article text")]);
            }
            let mut d = RawDoc::new(text, &file);
            d.title = title;
            d
        }
        ImportFormat::Brat => {
            let ann_path = path.with_extension("ann");
            if fs::symlink_metadata(&ann_path).is_ok_and(|m| m.file_type().is_symlink()) {
                return fail(vec![format!(
                    "{}: is a symbolic link; not read (links are not followed)",
                    ann_path.display()
                )]);
            }
            let ann = if ann_path.is_file() {
                match read_bounded(&ann_path) {
                    Ok(a) => a,
                    Err(e) => return fail(vec![e]),
                }
            } else {
                notes.push(format!(
                    "{file}: no .ann beside it; imported without annotations"
                ));
                String::new()
            };
            let mut d = match super::brat::parse(
                &src,
                &ann,
                &ann_path.display().to_string(),
                &job.annotator,
                &mut notes,
            ) {
                Ok(d) => d,
                Err(e) => return (Vec::new(), notes, e, 0),
            };
            d.loc = file.clone();
            d
        }
        _ => RawDoc::new(src, &file),
    };
    let mut doc = doc;
    doc.key = Some(stem);
    (vec![doc], notes, Vec::new(), size)
}

/// A whole companion file (a brat `.ann`), up to the record limit.
fn read_bounded(path: &std::path::Path) -> Result<String, String> {
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_RECORD_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(format!(
            "{}: is over {} MiB; spanbench reads annotation files up to that size",
            path.display(),
            MAX_RECORD_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        crate::import::ImportError::NotUtf8 {
            path: path.to_path_buf(),
            offset: e.utf8_error().valid_up_to(),
        }
        .to_string()
    })
}

fn open(job: &Job, run: &mut Run) -> Option<BufReader<fs::File>> {
    match fs::File::open(&job.path) {
        Ok(f) => Some(BufReader::with_capacity(1 << 20, f)),
        Err(e) => {
            run.error(format!("{}: {e}", job.path.display()));
            None
        }
    }
}

/// A file read as a sequence of records, each parsed into one document on its own.
trait Records {
    type Record: Send;
    fn next(&mut self) -> Result<Option<Self::Record>, String>;
    /// Bytes of the file consumed so far.
    fn offset(&self) -> u64;
    fn size(rec: &Self::Record) -> usize;
}

/// The non-blank lines of a file, with their numbers.
struct NonBlankLines<R>(Lines<R>);

impl<R: std::io::BufRead> Records for NonBlankLines<R> {
    type Record = (usize, String);
    fn next(&mut self) -> Result<Option<(usize, String)>, String> {
        while let Some((n, line)) = self.0.next_line()? {
            if !line.trim().is_empty() {
                return Ok(Some((n, line.to_string())));
            }
        }
        Ok(None)
    }
    fn offset(&self) -> u64 {
        self.0.offset
    }
    fn size(rec: &(usize, String)) -> usize {
        rec.1.len()
    }
}

impl<R: Read> Records for JsonArray<R> {
    type Record = JsonRecord;
    fn next(&mut self) -> Result<Option<JsonRecord>, String> {
        self.next_record()
    }
    fn offset(&self) -> u64 {
        self.offset
    }
    fn size(rec: &JsonRecord) -> usize {
        rec.bytes.len()
    }
}

/// Reads `records` a batch at a time, each batch parsed in parallel by `parse` (which
/// may add notes), named and handed to the run.
fn read_records<S: Records>(
    job: &Job,
    run: &mut Run,
    mut records: S,
    parse: impl Fn(S::Record, &mut Vec<String>) -> Result<RawDoc, Vec<String>> + Sync,
) {
    let mut naming = Naming::new(job);
    let mut batch = Vec::new();
    let mut bytes = 0;
    let flush = |batch: &mut Vec<S::Record>, run: &mut Run, naming: &mut Naming, last| {
        let parsed: Vec<_> = std::mem::take(batch)
            .into_par_iter()
            .map(|rec| {
                let mut notes = Vec::new();
                let d = parse(rec, &mut notes);
                (d, notes)
            })
            .collect();
        let mut raws = Vec::with_capacity(parsed.len());
        for (d, notes) in parsed {
            run.notes.extend(notes);
            raws.push(d);
        }
        naming.apply(&mut raws, last);
        run.take(raws);
    };
    loop {
        match records.next() {
            Ok(Some(rec)) => {
                bytes += S::size(&rec);
                batch.push(rec);
                if batch.len() >= BATCH_RECORDS || bytes >= BATCH_BYTES && batch.len() >= 2 {
                    flush(&mut batch, run, &mut naming, false);
                    bytes = 0;
                    run.status.bytes_read = records.offset();
                    if run.stopped.is_some() {
                        return;
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                run.error(e);
                return;
            }
        }
    }
    if !batch.is_empty() {
        flush(&mut batch, run, &mut naming, true);
    }
}

/// JSON lines (plain, spans-jsonl, doccano): lines parsed in parallel, a batch at a time.
fn read_json_lines(job: &Job, run: &mut Run) {
    let Some(r) = open(job, run) else { return };
    let file = job.path.display().to_string();
    let parse: fn(&str, &str, &str) -> Result<RawDoc, Vec<String>> = match job.format {
        ImportFormat::SpansJsonl => super::spans_jsonl::parse_record,
        ImportFormat::Doccano => super::doccano::parse_line,
        _ => |line, loc, _| super::import::parse_plain_jsonl(line, loc),
    };
    let annotator = job.annotator.as_str();
    let lines = NonBlankLines(Lines::new(r, &job.path));
    read_records(job, run, lines, |(n, line), _| {
        parse(&line, &format!("{file}:{n}"), annotator)
    });
}

/// A Label Studio export: one task at a time from its JSON array.
fn read_label_studio(job: &Job, run: &mut Run) {
    let Some(r) = open(job, run) else { return };
    let file = job.path.display().to_string();
    let annotator = job.annotator.as_str();
    let tasks = JsonArray::new(r, &job.path);
    read_records(job, run, tasks, |rec, notes| {
        super::label_studio_read::parse_record(&rec, &file, annotator, notes)
    });
}

/// CoNLL: documents end at `-DOCSTART-` lines; the file must end with a line break.
fn read_conll(job: &Job, run: &mut Run) {
    let Some(r) = open(job, run) else { return };
    let file = job.path.display().to_string();
    let mut lines = Lines::new(r, &job.path);
    let mut reader = super::conll::Reader::new(&file, &job.annotator);
    let mut naming = Naming::new(job);
    let mut batch: Vec<Result<RawDoc, Vec<String>>> = Vec::new();
    let mut bytes = 0;
    loop {
        match lines.next_line() {
            Ok(Some((n, line))) => {
                if let Some(d) = reader.line(n, line) {
                    bytes += d.text.len();
                    batch.push(Ok(d));
                    if batch.len() >= BATCH_RECORDS || bytes >= BATCH_BYTES && batch.len() >= 2 {
                        naming.apply(&mut batch, false);
                        run.take(std::mem::take(&mut batch));
                        bytes = 0;
                        run.status.bytes_read = lines.offset;
                        if run.stopped.is_some() {
                            return;
                        }
                    }
                }
                let errs = std::mem::take(&mut reader.errors);
                run.errors(errs);
            }
            Ok(None) => break,
            Err(e) => {
                run.error(e);
                return;
            }
        }
    }
    if let Some(e) = lines.missing_final_newline() {
        run.error(e);
    }
    let (last, errs) = reader.finish();
    run.errors(errs);
    batch.extend(last.map(Ok));
    if !batch.is_empty() {
        naming.apply(&mut batch, true);
        run.take(batch);
    }
}
