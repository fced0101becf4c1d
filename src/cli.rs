//! The command line: the same library without a window.

use std::collections::BTreeMap;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::agreement::gamma::GammaOptions;
use crate::agreement::nervaluate::Scheme;
use crate::agreement::{AgreementOptions, Figure};
use crate::formats::{
    self, ExportFormat, ExportOptions, ImportFormat, Layer, Nesting, OffsetUnit, TagScheme,
};
use crate::session::{Session, StreamedImportError};
use crate::storage;

#[derive(Parser, Debug)]
#[command(
    name = "spanbench",
    version,
    about = "A workbench for annotating text spans.\n\nWith no command, opens the GUI on the last project (or the sample project)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open a project in the GUI.
    Open {
        /// The project folder.
        path: PathBuf,
    },
    /// Create a new project with the default label schema.
    New {
        /// A folder that does not exist yet (or is empty).
        path: PathBuf,
        /// The project's name (defaults to the folder name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Add documents (plain text, HTML, JSONL) and annotations (spans-jsonl, doccano,
    /// Label Studio, brat, CoNLL) to a project. Annotated files are all or nothing;
    /// plain-text files that cannot be read are reported and skipped.
    Import {
        /// The project folder.
        path: PathBuf,
        /// Files or folders to import (folders are walked).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The input format (default: detected from each file's name and content).
        #[arg(long, short, value_enum)]
        format: Option<ImportFormat>,
        /// The annotator imported annotations go to when the source names none.
        #[arg(long, default_value = formats::import::DEFAULT_IMPORT_ANNOTATOR)]
        annotator: String,
        /// Import a model's predictions (spans-jsonl with optional per-span "score",
        /// Label Studio predictions, doccano, CoNLL) into the model layer NAME, for
        /// the project's existing documents; the layer is marked as a model's.
        #[arg(long, value_name = "NAME", conflicts_with = "annotator")]
        model: Option<String>,
        /// How long to wait, in seconds, while another process is writing to the project.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Check every invariant of a project; exits non-zero with one line per problem.
    Validate {
        /// The project folder.
        path: PathBuf,
    },
    /// Count documents, spans per label, per annotator and documents per status.
    Stats {
        /// The project folder.
        path: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Export annotations to a file other tools read.
    Export {
        /// The project folder.
        path: PathBuf,
        /// The output format.
        #[arg(long, short, value_enum)]
        format: ExportFormat,
        /// Where to write (`-` for standard output, for single-file formats); a folder
        /// for brat.
        #[arg(long, short)]
        output: PathBuf,
        /// Export only this annotator's work (default: every annotator).
        #[arg(long, conflicts_with = "gold")]
        annotator: Option<String>,
        /// Export the adjudicated layer (the annotator named "gold").
        #[arg(long)]
        gold: bool,
        /// Fail, writing nothing, if the format cannot hold everything.
        #[arg(long)]
        strict: bool,
        /// Tagging scheme of conll and hf-tokens.
        #[arg(long, value_enum, default_value = "iob2")]
        scheme: TagScheme,
        /// Offset unit of doccano and label-studio.
        #[arg(long = "offsets", value_enum, default_value = "chars")]
        offset_unit: OffsetUnit,
        /// Export only spans with these labels, e.g. `ACTOR,PLACE,DATE` (conll, hf-tokens,
        /// spacy); other spans are left out and not reported.
        #[arg(long, value_delimiter = ',', num_args = 1..)]
        labels: Option<Vec<String>>,
        /// Where spans nest, keep the outermost, the innermost, or every level in a tag
        /// column of its own (conll, hf-tokens; spacy's doc.ents takes outer or inner).
        #[arg(long, value_enum, default_value = "outer")]
        nested: Nesting,
    },
    /// Inter-annotator agreement per pair and per label: nervaluate's four schemes
    /// (A as reference, B as prediction), pairwise F1, Cohen's and Fleiss' kappa,
    /// Krippendorff's alpha over characters, and gamma.
    Agreement {
        /// The project folder.
        path: PathBuf,
        /// Annotators to compare, comma-separated (default: all but the gold layer).
        #[arg(long, value_delimiter = ',')]
        annotators: Option<Vec<String>>,
        /// Labels to compare, comma-separated (default: the whole schema).
        #[arg(long, value_delimiter = ',')]
        labels: Option<Vec<String>>,
        /// Print one JSON object instead of tables (undefined values are null).
        #[arg(long)]
        json: bool,
        /// Leave gamma out; it is the slowest measure.
        #[arg(long, conflicts_with = "gamma")]
        no_gamma: bool,
        /// Compute gamma whatever the corpus size (by default it is left out above
        /// 20,000 spans, where it takes more than a second).
        #[arg(long)]
        gamma: bool,
        /// Random continua sampled for gamma's expected disorder.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        gamma_samples: u64,
        /// Seed of gamma's sampler; the same seed gives the same gamma.
        #[arg(long, default_value_t = 0)]
        gamma_seed: u64,
        /// Also list every disagreement: document, offsets, kinds, each annotator's spans.
        #[arg(long)]
        disagreements: bool,
    },
    /// Run a built-in recommender: learn from the done documents of a layer, score
    /// itself on a held-out fifth (kept as a learning curve in project.ron), and write
    /// its suggestions into its own model layer for review.
    Suggest {
        /// The project folder.
        path: PathBuf,
        /// Which recommender: the string matcher or the CRF tagger.
        #[arg(long, value_enum)]
        recommender: crate::recommend::Recommender,
        /// The layer to learn from (a person's or the gold layer).
        #[arg(long)]
        from: String,
        /// How long to wait, in seconds, while another process is writing to the project.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Pre-merge the annotators' layers into the gold layer: every span enough of them
    /// agree on is added where the gold layer has nothing yet (never over what the
    /// curator decided); reports what it added and what it left for a person.
    Merge {
        /// The project folder.
        path: PathBuf,
        /// The layer to merge into; it must be the gold layer.
        #[arg(long)]
        into: String,
        /// unanimous (every annotator), majority (more than half), or threshold:K (at
        /// least K annotators).
        #[arg(long)]
        strategy: String,
        /// Annotators whose layers are merged, comma-separated (default: every
        /// person's layer; never a model's or the gold layer).
        #[arg(long, value_delimiter = ',')]
        annotators: Option<Vec<String>>,
        /// Show what would be added and left, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// How long to wait, in seconds, while another process is writing to the project.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Score one layer against another (e.g. a model's against the gold): nervaluate's
    /// four schemes overall and per label, and a label confusion matrix.
    Eval {
        /// The project folder.
        path: PathBuf,
        /// The reference layer (annotator name), e.g. gold.
        #[arg(long)]
        gold: String,
        /// The layer scored against it.
        #[arg(long)]
        pred: String,
        /// Labels to score, comma-separated (default: the whole schema).
        #[arg(long, value_delimiter = ',')]
        labels: Option<Vec<String>>,
        /// Print one JSON object instead of tables (undefined values are null).
        #[arg(long)]
        json: bool,
    },
}

/// Runs a CLI command (everything but opening the GUI).
pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Open { .. } => bail!("`open` runs the GUI; call spanbench::ui::run"),
        Command::New { path, name } => new(&path, name),
        Command::Import {
            path,
            files,
            format,
            annotator,
            model,
            wait,
        } => match model {
            Some(m) => import_model(&path, &files, format, &m, Duration::from_secs(wait)),
            None => import(&path, &files, format, &annotator, Duration::from_secs(wait)),
        },
        Command::Validate { path } => validate(&path),
        Command::Stats { path, json } => stats(&path, json),
        Command::Export {
            path,
            format,
            output,
            annotator,
            gold,
            strict,
            scheme,
            offset_unit,
            labels,
            nested,
        } => {
            let layer = match (gold, annotator) {
                (true, _) => Layer::Gold,
                (false, Some(a)) => Layer::One(a),
                (false, None) => Layer::All,
            };
            let opts = ExportOptions {
                layer,
                strict,
                scheme,
                offset_unit,
                labels: labels.map(|ls| {
                    ls.into_iter()
                        .map(|l| l.trim().to_string())
                        .filter(|l| !l.is_empty())
                        .collect()
                }),
                nested,
            };
            export(&path, format, &output, &opts)
        }
        Command::Agreement {
            path,
            annotators,
            labels,
            json,
            no_gamma,
            gamma,
            gamma_samples,
            gamma_seed,
            disagreements,
        } => {
            let opts = AgreementOptions {
                annotators,
                labels,
                gamma: (!no_gamma).then_some(GammaOptions {
                    samples: gamma_samples as usize,
                    seed: gamma_seed,
                    max_units: if gamma {
                        None
                    } else {
                        Some(crate::agreement::gamma::DEFAULT_MAX_UNITS)
                    },
                }),
            };
            agreement_cmd(&path, &opts, json, disagreements)
        }
        Command::Merge {
            path,
            into,
            strategy,
            annotators,
            dry_run,
            wait,
        } => merge_cmd(
            &path,
            &into,
            &strategy,
            annotators.as_deref(),
            dry_run,
            Duration::from_secs(wait),
        ),
        Command::Eval {
            path,
            gold,
            pred,
            labels,
            json,
        } => eval_cmd(&path, &gold, &pred, labels.as_deref(), json),
        Command::Suggest {
            path,
            recommender,
            from,
            wait,
        } => suggest_cmd(&path, recommender, &from, Duration::from_secs(wait)),
    }
}

fn new(path: &Path, name: Option<String>) -> Result<ExitCode> {
    let name = name.unwrap_or_else(|| {
        path.file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".into())
    });
    storage::create(path, &name)?;
    println!("created project {name:?} in {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on stderr, or nothing when stderr is not a terminal.
fn progress_bar(what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// Opens the project for writing: waits for another writer, says what was recovered.
fn open_writer(path: &Path, wait: Duration) -> Result<Session> {
    open_writer_as(path, "spanbench import", wait)
}

fn open_writer_as(path: &Path, who: &str, wait: Duration) -> Result<Session> {
    let (session, notes) = Session::open_for_writing(path, who, wait, |h| {
        eprintln!(
            "note: waiting up to {} s: {} is writing to this project",
            wait.as_secs(),
            storage::lock::describe(h)
        )
    })?;
    for n in notes {
        eprintln!("note: {n}");
    }
    Ok(session)
}

fn import(
    path: &Path,
    files: &[PathBuf],
    format: Option<ImportFormat>,
    annotator: &str,
    wait: Duration,
) -> Result<ExitCode> {
    // Refused before the project is touched: a file that looks like JSON, XML or an
    // annotation format but does not parse is never taken as plain text.
    let mut plain = true;
    let mut refused = Vec::new();
    if format.is_none() {
        for f in files {
            if f.is_dir() {
                plain = false;
                continue;
            }
            match formats::detect_strict(f) {
                Ok(None | Some(ImportFormat::Text)) => {}
                Ok(Some(_)) => plain = false,
                Err(e) => refused.push(e),
            }
        }
    } else {
        plain = format == Some(ImportFormat::Text) && files.iter().all(|f| !f.is_dir());
    }
    if !refused.is_empty() {
        for e in &refused {
            eprintln!("error: {e}");
        }
        if refused.len() > 1 {
            eprintln!(
                "error: {} file(s) refused; nothing was imported",
                refused.len()
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    // Plain text files keep their file-by-file behaviour: good files are added, and
    // each refused one is reported.
    if plain {
        return import_text(path, files, wait);
    }
    let mut session = open_writer(path, wait)?;
    let bar = import_bar();
    let result = session.import_streamed(files, format, annotator, &mut |p| {
        bar.set_length(p.bytes);
        bar.set_position(p.bytes_read);
        bar.set_message(format!("{} document(s) read", p.documents));
    });
    bar.finish_and_clear();
    let imported = match result {
        Ok(i) => i,
        Err(StreamedImportError::Refused(errors)) => {
            for e in &errors.0 {
                eprintln!("error: {e}");
            }
            eprintln!(
                "error: {} problem(s) found; nothing was imported",
                errors.0.len()
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => {
            return Err(e).with_context(|| format!("importing into {}", path.display()));
        }
    };
    for n in &imported.notes {
        eprintln!("note: {n}");
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for id in &imported.added {
        writeln!(out, "imported {id}")?;
    }
    writeln!(
        out,
        "{} document(s), {} annotation set(s), {} span(s), {} relation(s)",
        imported.added.len(),
        imported.sets,
        imported.spans,
        imported.relations
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn import_model(
    path: &Path,
    files: &[PathBuf],
    format: Option<ImportFormat>,
    model: &str,
    wait: Duration,
) -> Result<ExitCode> {
    for f in files {
        if format.is_none()
            && let Err(e) = formats::detect_strict(f)
        {
            eprintln!("error: {e}");
            eprintln!("error: nothing was imported");
            return Ok(ExitCode::FAILURE);
        }
    }
    let mut session = open_writer(path, wait)?;
    let bar = progress_bar("importing");
    let result = formats::predictions::import_predictions(
        &session.corpus,
        files,
        format,
        model,
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    );
    bar.finish_and_clear();
    let imported = match result {
        Ok(i) => i,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("error: {e}");
            }
            eprintln!(
                "error: {} problem(s) found; nothing was imported",
                errors.0.len()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    for n in &imported.notes {
        eprintln!("note: {n}");
    }
    let sets = imported.sets.len();
    let spans: usize = imported.sets.iter().map(|s| s.spans.len()).sum();
    let scored: usize = imported
        .sets
        .iter()
        .flat_map(|s| &s.spans)
        .filter(|s| s.score.is_some())
        .count();
    session.set_layer_info(&imported.layer, imported.info);
    session.add_imported(Vec::new(), imported.sets);
    session
        .save()
        .with_context(|| format!("saving {}; nothing was imported", path.display()))?;
    println!(
        "model layer {model}: {sets} document(s), {spans} suggestion(s), {scored} with a score"
    );
    Ok(ExitCode::SUCCESS)
}

/// The import's progress on stderr: bytes of input read, and documents so far.
fn import_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("importing [{bar:40}] {bytes}/{total_bytes}, {msg} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn import_text(path: &Path, files: &[PathBuf], wait: Duration) -> Result<ExitCode> {
    let mut session = open_writer(path, wait)?;
    let (added, errors, notes) = session.import_files(files);
    session
        .save()
        .with_context(|| format!("saving {}; nothing was imported", path.display()))?;
    for n in &notes {
        eprintln!("note: {n}");
    }
    for id in &added {
        println!("imported {id}");
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn validate(path: &Path) -> Result<ExitCode> {
    let corpus = storage::read(path)?;
    let problems = storage::validate(&corpus);
    if problems.is_empty() {
        let spans: usize = corpus
            .annotations
            .values()
            .flat_map(|m| m.values())
            .map(|s| s.spans.len())
            .sum();
        println!(
            "ok: {} document(s), {spans} span(s), no problems",
            corpus.documents.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            println!("{p}");
        }
        eprintln!("{} problem(s) found", problems.len());
        Ok(ExitCode::FAILURE)
    }
}

fn stats(path: &Path, json: bool) -> Result<ExitCode> {
    // Answered from the project index; only files changed since it was written are read.
    let (answer, notes) = crate::index::project_stats(path)?;
    for n in notes {
        eprintln!("note: {n}");
    }
    let out = if json {
        crate::stats::render_json(&answer.stats)?
    } else {
        crate::stats::render_table(&answer.project, &answer.stats)
    };
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    w.write_all(out.as_bytes())?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The whole project, validated, for a command that reads every file: what the index
/// vouches for is not validated again (see `index::load`).
fn load_all(path: &Path) -> Result<crate::model::Corpus> {
    let loaded = crate::index::load(path)?;
    for n in loaded.notes {
        eprintln!("note: {n}");
    }
    Ok(loaded.corpus)
}

fn export(
    path: &Path,
    format: ExportFormat,
    output: &Path,
    opts: &ExportOptions,
) -> Result<ExitCode> {
    if output != Path::new("-") {
        formats::refuse_inside_project(output)?;
    }
    let corpus = load_all(path)?;
    opts.check(format, &corpus.project)?;
    let bar = progress_bar("exporting");
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = if output == Path::new("-") {
        if format.writes_folder() || !format.companion_files(output).is_empty() {
            bail!(
                "{} writes more than one file; give a path with -o, not `-`",
                format.name()
            );
        }
        let records = formats::select_valid(&corpus, &opts.layer)?;
        // Held in memory so that --strict can refuse before anything is printed.
        let mut buf = Vec::new();
        let (report, _) =
            formats::write_export(&records, &corpus, format, opts, &mut buf, &mut progress)?;
        if opts.strict && !report.notes.is_empty() {
            bail!(formats::ExportError::Strict(report.notes));
        }
        let stdout = std::io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        w.write_all(&buf)?;
        w.flush()?;
        report
    } else {
        let records = formats::select_valid(&corpus, &opts.layer)?;
        formats::export_records_to_path(&corpus, &records, format, opts, output, &mut progress)?
    };
    bar.finish_and_clear();
    eprintln!("exported {report}");
    Ok(ExitCode::SUCCESS)
}

/// Collects the reasons behind the `n/a` cells of a table, printed under it.
#[derive(Default)]
struct Notes(Vec<(String, String)>);

impl Notes {
    /// The cell text of `f`; an undefined figure adds "`what`: reason" to the notes.
    fn cell(&mut self, f: Figure, what: impl FnOnce() -> String) -> String {
        match f {
            Figure::Value(v) => format!("{v:.4}"),
            Figure::Undefined(u) => {
                let reason = u.to_string();
                let what = what();
                if !self.0.iter().any(|(w, r)| *w == what && *r == reason) {
                    self.0.push((what, reason));
                }
                "n/a".to_string()
            }
        }
    }

    fn print(&self) {
        if self.0.is_empty() {
            return;
        }
        println!("n/a:");
        for (what, why) in &self.0 {
            println!("  {what}: {why}");
        }
    }
}

fn agreement_cmd(path: &Path, opts: &AgreementOptions, json: bool, list: bool) -> Result<ExitCode> {
    let corpus = load_all(path)?;
    let report = crate::agreement::agreement(&corpus, opts)?;
    if json {
        let mut v = serde_json::to_value(&report)?;
        if list && let Some(m) = v.as_object_mut() {
            m.insert(
                "disagreements".into(),
                serde_json::to_value(&report.disagreements)?,
            );
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut notes = Notes::default();
    println!(
        "agreement of {} annotators on {} document(s) annotated by two or more",
        report.annotators.len(),
        report.documents
    );
    for (a, n) in report
        .annotators
        .iter()
        .zip(&report.documents_per_annotator)
    {
        println!("  {a:<16} {n:>6} document(s)");
    }
    println!("\npairs: A is the reference, B the prediction; scheme columns are nervaluate's F1");
    println!(
        "  {:<12} {:<12} {:<16} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "A", "B", "label", "strict", "exact", "partial", "ent_type", "pair F1", "Cohen k"
    );
    for p in &report.pairs {
        let who = |m: &str| format!("{} vs {} {}: {m}", p.a, p.b, p.label);
        let cells: Vec<String> = Scheme::ALL
            .iter()
            .map(|&s| notes.cell(p.scores.get(s).f1, || who(&format!("{} F1", s.name()))))
            .collect();
        let f1 = notes.cell(p.f1, || who("pairwise F1"));
        let k = notes.cell(p.cohen_kappa, || who("Cohen's kappa"));
        println!(
            "  {:<12} {:<12} {:<16} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            p.a, p.b, p.label, cells[0], cells[1], cells[2], cells[3], f1, k
        );
    }
    println!("\nall annotators, over non-white-space characters");
    println!(
        "  {:<16} {:>10} {:>15}",
        "label", "Fleiss k", "Krippendorff a"
    );
    for (label, l) in &report.labels.0 {
        let fk = notes.cell(l.fleiss_kappa, || format!("{label}: Fleiss' kappa"));
        let ka = notes.cell(l.krippendorff_alpha, || {
            format!("{label}: Krippendorff's alpha")
        });
        println!("  {label:<16} {fk:>10} {ka:>15}");
    }
    let g = &report.gamma_detail;
    let gamma = notes.cell(report.gamma, || "gamma".to_string());
    if g.samples > 0 {
        println!(
            "\ngamma {gamma} over {} document(s) annotated by all, {} spans (observed disorder {}, expected {} from {} samples)",
            g.documents,
            g.units,
            g.observed_disorder.display(4),
            g.expected_disorder.display(4),
            g.samples
        );
    } else {
        println!("\ngamma {gamma}");
    }
    let d = &report.disagreements;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for x in &d.items {
        for k in &x.kinds {
            *kinds.entry(k.name()).or_default() += 1;
        }
    }
    let by_kind: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "disagreements: {}{}",
        d.len(),
        if by_kind.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_kind.join(", "))
        }
    );
    if list {
        for x in &d.items {
            let kinds: Vec<&str> = x.kinds.iter().map(|k| k.name()).collect();
            let versions: Vec<String> = x
                .versions
                .iter()
                .map(|v| {
                    let spans: Vec<String> = v
                        .spans
                        .iter()
                        .map(|s| format!("{} [{}..{})", d.labels[s.label as usize], s.start, s.end))
                        .collect();
                    format!(
                        "{}: {}",
                        d.annotators[v.annotator],
                        if spans.is_empty() {
                            "-".to_string()
                        } else {
                            spans.join(", ")
                        }
                    )
                })
                .collect();
            println!(
                "  {} [{}..{}) {}; {}",
                d.documents[x.doc_index],
                x.start,
                x.end,
                kinds.join("+"),
                versions.join("; ")
            );
        }
    }
    notes.print();
    Ok(ExitCode::SUCCESS)
}

fn merge_cmd(
    path: &Path,
    into: &str,
    strategy: &str,
    annotators: Option<&[String]>,
    dry_run: bool,
    wait: Duration,
) -> Result<ExitCode> {
    use crate::curation::{Strategy, Team, premerge};
    let strategy = Strategy::parse(strategy)?;
    // Checked on what is on disk before taking the lock, so bad input never waits.
    let corpus = storage::load(path)?;
    let team = Team::resolve(&corpus, Some(into), annotators)?;
    strategy.check(team.annotators.len())?;
    drop(corpus);
    let mut session = if dry_run {
        Session::open(path, "")?
    } else {
        open_writer_as(path, "spanbench merge", wait)?
    };
    // Read again under the lock: the plan is made on what the files hold now.
    let team = Team::resolve(&session.corpus, Some(into), annotators)?;
    let plan = premerge::plan(&session.corpus, &team, strategy)?;
    if !dry_run {
        // Running the command is the explicit choice to write into the gold layer.
        session.unlock_layer(&team.gold);
        plan.apply(&mut session)?;
        session
            .save()
            .with_context(|| format!("saving {}; nothing was merged", path.display()))?;
    }
    let verb = if dry_run { "would add" } else { "added" };
    println!(
        "{} {} into {} ({strategy}): {verb} {} span(s) in {} document(s)",
        if dry_run {
            "dry run, nothing written: merging"
        } else {
            "merged"
        },
        team.annotators.join(", "),
        team.gold,
        plan.added(),
        plan.docs.iter().filter(|d| d.added > 0).count(),
    );
    if plan.kept() > 0 {
        println!(
            "{} unit(s) where the gold layer already had spans or a decision were left as they were",
            plan.kept()
        );
    }
    if plan.skipped > 0 {
        println!(
            "{} document(s) annotated by fewer than two of them were left out",
            plan.skipped
        );
    }
    for d in plan.docs.iter().filter(|d| d.added > 0) {
        println!("  {:<24} {verb} {}", d.doc, d.added);
    }
    let left = plan.left();
    println!(
        "left for a person: {} disagreement(s){}",
        plan.left_units(),
        if left.0.is_empty() {
            String::new()
        } else {
            format!(" ({left})")
        }
    );
    for d in plan.docs.iter().filter(|d| d.left_units > 0) {
        println!("  {:<24} {} ({})", d.doc, d.left_units, d.left);
    }
    if plan.left_units() > 0 {
        println!(
            "resolve them in the GUI (Curation > Curation view, then N, 1–9, X, E), or see them with `spanbench agreement {} --disagreements`",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_cmd(
    path: &Path,
    gold: &str,
    pred: &str,
    labels: Option<&[String]>,
    json: bool,
) -> Result<ExitCode> {
    let corpus = load_all(path)?;
    let report = crate::agreement::evaluate(&corpus, gold, pred, labels)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut notes = Notes::default();
    println!(
        "{} scored against {} on {} document(s) both annotated",
        report.pred, report.gold, report.documents
    );
    println!(
        "\n  {:<16} {:<8} {:>7} {:>9} {:>7} {:>6} {:>8} {:>8} {:>6} {:>9} {:>7} {:>7}",
        "label",
        "scheme",
        "correct",
        "incorrect",
        "partial",
        "missed",
        "spurious",
        "possible",
        "actual",
        "precision",
        "recall",
        "f1"
    );
    let rows = std::iter::once(("*", &report.overall))
        .chain(report.per_label.0.iter().map(|(l, s)| (l.as_str(), s)));
    for (label, scores) in rows {
        for scheme in Scheme::ALL {
            let s = scores.get(scheme);
            let what = |m: &str| format!("{label} {}: {m}", scheme.name());
            let p = notes.cell(s.precision, || what("precision"));
            let r = notes.cell(s.recall, || what("recall"));
            let f = notes.cell(s.f1, || what("f1"));
            println!(
                "  {:<16} {:<8} {:>7} {:>9} {:>7} {:>6} {:>8} {:>8} {:>6} {:>9} {:>7} {:>7}",
                label,
                scheme.name(),
                s.correct,
                s.incorrect,
                s.partial,
                s.missed,
                s.spurious,
                s.possible,
                s.actual,
                p,
                r,
                f
            );
        }
    }
    println!(
        "\nlabel confusion: rows {}, columns {}",
        report.gold, report.pred
    );
    let cols: Vec<&str> = report.confusion.0.iter().map(|(k, _)| k.as_str()).collect();
    let head: Vec<String> = cols.iter().map(|c| format!("{c:>15}")).collect();
    println!("  {:<16}{}", "", head.join(""));
    for (row, cells) in &report.confusion.0 {
        let line: Vec<String> = cells.0.iter().map(|(_, n)| format!("{n:>15}")).collect();
        println!("  {row:<16}{}", line.join(""));
    }
    notes.print();
    Ok(ExitCode::SUCCESS)
}

fn suggest_cmd(
    path: &Path,
    kind: crate::recommend::Recommender,
    from: &str,
    wait: Duration,
) -> Result<ExitCode> {
    let mut session = open_writer(path, wait)?;
    let out = match crate::recommend::run(&session.corpus, kind, from) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let docs = out.sets.iter().filter(|s| !s.spans.is_empty()).count();
    let layer = out.layer.clone();
    let point = out.point.clone();
    let curve = out.info.curve.clone();
    session.set_layer_info(&out.layer, out.info);
    session.add_imported(Vec::new(), out.sets);
    session
        .save()
        .with_context(|| format!("saving {}; nothing was written", path.display()))?;
    println!(
        "{}: learnt from {} done document(s) of {from}; {} suggestion(s) in {docs} document(s), in the model layer {layer}",
        kind.name(),
        out.documents,
        out.suggestions
    );
    match point {
        Some(p) => {
            let f = |v: Option<f64>| v.map_or("n/a".to_string(), |x| format!("{x:.4}"));
            println!(
                "held-out fifth ({} of {} documents, strict): precision {}, recall {}, f1 {}",
                p.held_out,
                p.documents,
                f(p.precision),
                f(p.recall),
                f(p.f1)
            );
        }
        None => println!(
            "not evaluated: a held-out fifth needs {} done documents ({} more)",
            crate::recommend::MIN_EVAL_DOCUMENTS,
            crate::recommend::MIN_EVAL_DOCUMENTS - out.documents
        ),
    }
    if curve.len() > 1 {
        println!("learning curve (done documents: f1):");
        for p in &curve {
            println!(
                "  {:>6}: {}",
                p.documents,
                p.f1.map_or("n/a".to_string(), |x| format!("{x:.4}"))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
