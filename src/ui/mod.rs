//! The egui front end.

use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the GUI is not built yet")
}
