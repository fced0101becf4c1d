//! The egui front end: thin `*_ui` functions over the library's session.

pub mod annotate_all;
pub mod app;
pub mod commands;
pub mod curation_view;
pub mod dialogs;
pub mod doc_list;
pub mod document_pane;
pub mod editing;
pub mod gold_feedback;
pub mod inspector;
pub mod loading;
pub mod marks;
pub mod menus;
pub mod overlays;
pub mod palette;
pub mod panels;
pub mod recommenders;
pub mod relation_arcs;
pub mod reports;
pub mod review;
pub mod search;
pub mod settings;
pub mod statistics;
pub mod theme;
pub mod workflow;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use app::SpanbenchApp;
use settings::UserSettings;

/// The sample project, embedded in the binary so it opens wherever spanbench runs.
static SAMPLE: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/projects/karabakh");

/// Writes the embedded sample project into `dir` unless a project is already there, and
/// returns its path. The user's work on the sample stays in that copy, never in the
/// binary or the source tree.
pub fn install_sample(dir: &Path) -> anyhow::Result<PathBuf> {
    let root = dir.join("karabakh");
    if crate::storage::is_project(&root) {
        return Ok(root);
    }
    // Extract beside the target and rename, so an interrupted first run never leaves a
    // half-written project that later looks complete.
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".karabakh-")
        .tempdir_in(dir)
        .with_context(|| format!("writing into {}", dir.display()))?;
    SAMPLE
        .extract(tmp.path())
        .with_context(|| format!("writing the sample project into {}", dir.display()))?;
    std::fs::rename(tmp.keep(), &root).with_context(|| format!("creating {}", root.display()))?;
    Ok(root)
}

/// Where the sample project is installed for this user.
pub fn sample_project() -> anyhow::Result<PathBuf> {
    let base = match std::env::var_os("SPANBENCH_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => directories::ProjectDirs::from("", "", "spanbench")
            .map(|d| d.data_dir().to_path_buf())
            .context("finding a folder for the sample project (no home folder?)")?,
    };
    install_sample(&base)
}

/// Runs the GUI on `path`, or the last project opened, or the sample project.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let settings_path = UserSettings::path();
    let (settings, mut warning) = UserSettings::load(settings_path.as_deref());
    // Never write over a settings file that could not be read.
    let settings_path = if warning.is_some() {
        None
    } else {
        settings_path
    };
    let target = path
        .or_else(|| {
            settings
                .recent
                .iter()
                .find(|p| crate::storage::is_project(p))
                .cloned()
        })
        .or_else(|| match sample_project() {
            Ok(p) => Some(p),
            Err(e) => {
                warning = Some(format!("{e:#}"));
                None
            }
        });
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("spanbench")
            .with_inner_size(settings.window_size())
            .with_maximized(settings.window_maximized)
            .with_min_inner_size(settings::MIN_WINDOW),
        ..Default::default()
    };
    eframe::run_native(
        "spanbench",
        options,
        Box::new(move |_cc| {
            let mut app = SpanbenchApp::new(settings, settings_path);
            if let Some(w) = warning {
                app.notify(w, true);
            }
            if let Some(p) = target {
                app.open_project(&p);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .context("starting the window (is a display available?)")?;
    Ok(ExitCode::SUCCESS)
}
