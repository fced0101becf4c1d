//! The command line: the same library without a window.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::formats::{self, Layer};
use crate::model::DocStatus;
use crate::session::Session;
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
    /// Add plain-text (UTF-8) files to a project as documents.
    Import {
        /// The project folder.
        path: PathBuf,
        /// Text files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
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
        /// Where to write (`-` for standard output).
        #[arg(long, short)]
        output: PathBuf,
        /// Export only this annotator's work (default: every annotator).
        #[arg(long)]
        annotator: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object a line with character-offset spans (spaCy, Prodigy).
    SpansJsonl,
}

/// Runs a CLI command (everything but opening the GUI).
pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Open { .. } => bail!("`open` runs the GUI; call spanbench::ui::run"),
        Command::New { path, name } => new(&path, name),
        Command::Import { path, files } => import(&path, &files),
        Command::Validate { path } => validate(&path),
        Command::Stats { path, json } => stats(&path, json),
        Command::Export {
            path,
            format,
            output,
            annotator,
        } => export(&path, format, &output, annotator),
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

fn import(path: &Path, files: &[PathBuf]) -> Result<ExitCode> {
    let mut session = Session::open(path, "")?;
    let (added, errors) = session.import_files(files);
    session
        .save()
        .with_context(|| format!("saving {}", path.display()))?;
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

#[derive(serde::Serialize)]
struct Stats {
    documents: usize,
    spans: usize,
    relations: usize,
    spans_per_label: BTreeMap<String, usize>,
    spans_per_annotator: BTreeMap<String, usize>,
    documents_per_status: BTreeMap<String, BTreeMap<String, usize>>,
}

fn stats(path: &Path, json: bool) -> Result<ExitCode> {
    let corpus = storage::load(path)?;
    let mut st = Stats {
        documents: corpus.documents.len(),
        spans: 0,
        relations: 0,
        spans_per_label: corpus
            .project
            .labels
            .iter()
            .map(|l| (l.key.clone(), 0))
            .collect(),
        spans_per_annotator: BTreeMap::new(),
        documents_per_status: BTreeMap::new(),
    };
    for (annotator, sets) in &corpus.annotations {
        let per_status = st
            .documents_per_status
            .entry(annotator.clone())
            .or_default();
        for s in DocStatus::ALL {
            per_status.insert(s.as_str().to_string(), 0);
        }
        for doc in &corpus.documents {
            let status = sets.get(&doc.id).map_or(DocStatus::New, |s| s.status);
            *per_status.entry(status.as_str().to_string()).or_default() += 1;
        }
        for set in sets.values() {
            st.spans += set.spans.len();
            st.relations += set.relations.len();
            *st.spans_per_annotator.entry(annotator.clone()).or_default() += set.spans.len();
            for s in &set.spans {
                *st.spans_per_label.entry(s.label.clone()).or_default() += 1;
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&st)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("project    {}", corpus.project.name);
    println!("documents  {}", st.documents);
    println!("spans      {}", st.spans);
    println!("relations  {}", st.relations);
    println!("\nspans per label");
    for (k, v) in &st.spans_per_label {
        println!("  {k:<16} {v:>6}");
    }
    println!("\nspans per annotator");
    for (k, v) in &st.spans_per_annotator {
        println!("  {k:<16} {v:>6}");
    }
    println!("\ndocuments per status");
    for (a, m) in &st.documents_per_status {
        let cells: Vec<String> = DocStatus::ALL
            .iter()
            .map(|s| format!("{} {}", s.as_str(), m[s.as_str()]))
            .collect();
        println!("  {a:<16} {}", cells.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

fn export(
    path: &Path,
    format: ExportFormat,
    output: &Path,
    annotator: Option<String>,
) -> Result<ExitCode> {
    let corpus = storage::load(path)?;
    let layer = annotator.map_or(Layer::All, Layer::One);
    let records = formats::select(&corpus, &layer)?;
    let report = if output == Path::new("-") {
        let stdout = std::io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        write_format(format, &records, &mut w)?
    } else {
        // Write beside the target and rename, so a failed export never leaves half a file.
        let dir = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("writing into {}", dir.display()))?;
        let report = {
            let mut w = BufWriter::new(tmp.as_file_mut());
            let r = write_format(format, &records, &mut w)?;
            w.flush()?;
            r
        };
        tmp.as_file().sync_all()?;
        tmp.persist(output)
            .with_context(|| format!("writing {}", output.display()))?;
        report
    };
    eprintln!("exported {report}");
    Ok(ExitCode::SUCCESS)
}

fn write_format(
    format: ExportFormat,
    records: &[formats::Record],
    w: &mut dyn Write,
) -> Result<formats::Report> {
    Ok(match format {
        ExportFormat::SpansJsonl => formats::spans_jsonl::export(records, w)?,
    })
}
