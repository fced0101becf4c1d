use std::process::ExitCode;

use clap::Parser;
use spanbench::cli::{Cli, Command};

// Imports and exports parse and build millions of small values on every core; glibc's
// allocator spent a third of an import's time in malloc and free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => spanbench::ui::run(None),
        Some(Command::Open { path }) => spanbench::ui::run(Some(path)),
        Some(cmd) => spanbench::cli::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
