use std::process::ExitCode;

use clap::Parser;
use spanbench::cli::{Cli, Command};

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
