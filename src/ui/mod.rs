//! The egui front end: thin `*_ui` functions over the library's session.

pub mod app;
pub mod commands;
pub mod dialogs;
pub mod doc_list;
pub mod document_pane;
pub mod inspector;
pub mod menus;
pub mod settings;
pub mod theme;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use app::SpanbenchApp;
use settings::UserSettings;

/// The sample project shipped in the source tree.
pub fn sample_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("projects")
        .join("karabakh")
}

/// Runs the GUI on `path`, or the last project opened, or the sample project.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let settings_path = UserSettings::path();
    let (settings, warning) = UserSettings::load(settings_path.as_deref());
    let target = path
        .or_else(|| {
            settings
                .recent
                .iter()
                .find(|p| crate::storage::is_project(p))
                .cloned()
        })
        .or_else(|| {
            let s = sample_project();
            crate::storage::is_project(&s).then_some(s)
        });
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("spanbench")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
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
