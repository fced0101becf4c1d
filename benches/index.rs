//! `spanbench stats` with and without the project index, on generated projects of
//! 1,000, 10,000 and 100,000 documents × 50 spans (one layer, statuses spread):
//!
//! - full: the whole project read and validated, then counted (what stats did before
//!   the index, and what it falls back to);
//! - cold: no index: every file read, hashed, parsed and validated, the index written;
//! - warm: the index present and every file unchanged: one stat per file;
//! - one edit: the index present, one set rewritten (that set and its document parsed).
//!
//! Each run is a child process (this binary again), so peak resident memory (VmHWM) is
//! that run's alone; the page cache is warm (the files were just written or read).
//! The best of three runs is printed, with the peak memory of that run.
//!
//! Run with `cargo bench --bench index`; `SPANBENCH_BENCH_SIZES=1000,10000` picks the
//! sizes (default 1000,10000,100000). Generated projects are deleted afterwards.

#[path = "synthetic/project.rs"]
mod generated;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use spanbench::storage;

// The allocator of the spanbench binary, so the figures are the command's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SPANS: usize = 50;
const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    let sizes: Vec<usize> = std::env::var("SPANBENCH_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    println!(
        "{:>8} {:>12} {:>10} {:>10} {:>10} {:>10}",
        "docs", "case", "seconds", "peak MB", "read", "parsed"
    );
    for n in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("p");
        let t = Instant::now();
        generated::write_project(&root, n, SPANS, &["anna"]);
        eprintln!(
            "generated {n} documents in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        // Files written more than a clock tick ago are trusted by their stat.
        std::thread::sleep(Duration::from_secs(3));
        let _ = std::fs::remove_dir_all(root.join(storage::CACHE_DIR));
        best(n, "full", &root, || {});
        best(n, "cold", &root, || {
            let _ = std::fs::remove_dir_all(root.join(storage::CACHE_DIR));
        });
        best(n, "warm", &root, || {});
        let set = storage::set_file(&root, "anna", "doc-000000");
        best(n, "one edit", &root, || {
            // Rewrite one set (a span removed) and bring it back between runs.
            let (mut s, _) = storage::read_set(&set, "anna").expect("read set");
            s.spans.pop();
            storage::save_set(&root, &s).expect("save set");
        });
        let size = std::fs::metadata(root.join(storage::CACHE_DIR).join("index.json"))
            .map(|m| m.len())
            .unwrap_or(0);
        let data: u64 = du(&root);
        println!(
            "{n:>8} index file {:.1} MB, project files {:.1} MB",
            size as f64 / 1e6,
            data as f64 / 1e6
        );
        drop(dir);
    }
}

fn du(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => total += du(&e.path()),
                Ok(_) => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                Err(_) => {}
            }
        }
    }
    total
}

/// Runs `case` RUNS times (each after `prepare`), prints the fastest.
fn best(n: usize, case: &str, root: &Path, mut prepare: impl FnMut()) {
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        prepare();
        let exe = std::env::current_exe().expect("this binary");
        let out = Command::new(exe)
            .args(["--case", case, root.to_str().expect("utf-8 path")])
            .output()
            .expect("run case");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let f: Vec<f64> = line.split(' ').filter_map(|x| x.parse().ok()).collect();
        runs.push((f[0], f[1], f[2] as usize, f[3] as usize));
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (s, kb, read, parsed) = runs[0];
    println!(
        "{n:>8} {case:>12} {s:>10.3} {:>10.1} {read:>10} {parsed:>10}",
        kb / 1024.0
    );
}

/// One run in this process: prints seconds, peak KB, files read and parsed.
fn child(case: &str, root: &Path) {
    let t = Instant::now();
    let (read, parsed) = match case {
        "full" => {
            let corpus = storage::load(root).expect("load");
            let st = spanbench::stats::stats(&corpus);
            std::hint::black_box(st);
            (0, 0)
        }
        _ => {
            let o = spanbench::index::open(root).expect("open index");
            let st = spanbench::index::stats_of(&o.index).expect("stats");
            std::hint::black_box(st);
            (o.read, o.parsed)
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    println!("{secs} {kb} {read} {parsed}");
}
