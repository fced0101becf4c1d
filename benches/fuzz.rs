//! Fuzzes every importer and the project loader on the stable toolchain.
//!
//! ```sh
//! TMPDIR=/dev/shm cargo bench --bench fuzz -- [--cases N] [--seconds S] [--seed X] [--limit-ms L]
//! ```
//!
//! Each case writes its files; a RAM disk (`TMPDIR=/dev/shm`) makes runs far faster.
//!
//! Defaults: 1,000,000 cases or one hour, seed 1, 2,000 ms per case. Prints the totals
//! and every failure with the seed that reproduces it; exits non-zero if any case failed.

#[path = "fuzz/engine.rs"]
mod engine;

use std::time::{Duration, Instant};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases = arg(&args, "--cases", 1_000_000);
    let seconds = arg(&args, "--seconds", 3600);
    let seed = arg(&args, "--seed", 1);
    let limit = Duration::from_millis(arg(&args, "--limit-ms", 2000));
    // `--dump FILE`: write case `--seed`'s mutated input there, to look at it.
    if let Some(i) = args.iter().position(|a| a == "--dump") {
        let (name, bytes) = engine::case_input(seed);
        std::fs::write(&args[i + 1], bytes).expect("writing the dump");
        println!("case seed {seed}: a mutation of {name}");
        return;
    }
    // Panics inside cases are caught and counted; their default report would flood.
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let totals = engine::run(seed, cases, Duration::from_secs(seconds), limit, |t| {
        eprintln!(
            "{:>9} cases, {} imported, {} refused, {} failed, slowest {:?}, {:.0} s",
            t.cases,
            t.imported,
            t.refused,
            t.failed,
            t.slowest,
            start.elapsed().as_secs_f64()
        );
    });
    println!(
        "fuzz: {} cases in {:.0} s (seed {seed}): {} imported, {} refused, {} failed; slowest case {:?}",
        totals.cases,
        start.elapsed().as_secs_f64(),
        totals.imported,
        totals.refused,
        totals.failed,
        totals.slowest
    );
    for (fx, kind, seed, why) in &totals.failures {
        println!("FAILED {fx} ({kind}, case seed {seed}): {why}");
    }
    if totals.failed > 0 {
        std::process::exit(1);
    }
}
