//! Kill tests: a real `spanbench import` and real multi-file exports (brat's folder, CSV's
//! pair of files) are killed (SIGKILL) at random moments. After the next writer opens the
//! project (or the next export runs in the folder), the project is exactly as before
//! the import or exactly as after it, the output is exactly the old one or the new one,
//! and no temporary file is left.
//!
//! `SPANBENCH_KILL_ROUNDS=500 cargo test --release --test kill -- --nocapture` runs a long
//! campaign (docs/RELIABILITY.md has its figures); CI runs a few dozen rounds.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use spanbench::storage::{self, TMP_PREFIX};

const BIN: &str = env!("CARGO_BIN_EXE_spanbench");

fn rounds() -> usize {
    std::env::var("SPANBENCH_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25)
}

fn run(cwd: &Path, args: &[&str]) {
    let o = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Runs `args`, killing the process after `delay` if it is still running. Returns
/// whether it was killed before it finished.
fn run_killed(cwd: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the uncut run failed");
            return false;
        }
        if start.elapsed() >= delay {
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Every file under `dir` (relative path -> bytes), lock and .gitignore aside; names
/// starting with the temporary prefix are collected too, so leftovers show.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if rel == Path::new(storage::LOCK_FILE) || rel == Path::new(".gitignore") {
                continue;
            }
            if p.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                stack.push(p);
            } else {
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn leftovers(snap: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<&PathBuf> {
    snap.keys()
        .filter(|p| p.to_string_lossy().contains(TMP_PREFIX))
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = fs::remove_dir_all(to);
    fs::create_dir_all(to).unwrap();
    for (rel, bytes) in snapshot(from) {
        let p = to.join(&rel);
        if bytes == b"<dir>" {
            fs::create_dir_all(&p).unwrap();
        } else {
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, bytes).unwrap();
        }
    }
}

/// A big enough import that kills land in reading, staging and committing alike.
fn input(dir: &Path) -> PathBuf {
    let mut lines = String::new();
    for i in 0..150 {
        let text = format!("Putin met Aliyev in Baku, said report {i}. Երևան 👍🏽 waited.");
        lines.push_str(&format!(
            "{{\"id\": \"doc{i}\", \"text\": {text:?}, \"spans\": [{{\"start\": 0, \"end\": 5, \"label\": \"ACTOR\"}}, {{\"start\": 10, \"end\": 16, \"label\": \"ACTOR\"}}, {{\"start\": 20, \"end\": 24, \"label\": \"PLACE\"}}], \"meta\": {{\"annotator\": \"killer\"}}}}\n"
        ));
    }
    let p = dir.join("big.jsonl");
    fs::write(&p, lines).unwrap();
    p
}

fn base_project(dir: &Path) -> PathBuf {
    run(dir, &["new", "p"]);
    let seed = dir.join("seed.jsonl");
    fs::write(
        &seed,
        "{\"id\": \"doc1\", \"text\": \"An older text of doc1.\", \"spans\": [{\"start\": 3, \"end\": 8, \"label\": \"DATE\"}], \"meta\": {\"annotator\": \"gold\"}}\n",
    )
    .unwrap();
    run(dir, &["import", "p", seed.to_str().unwrap()]);
    dir.join("p")
}

#[test]
fn an_import_killed_anywhere_leaves_the_project_before_or_after() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = base_project(d);
    let input = input(d);
    let before = snapshot(&root);
    // The outcome of an uncut import, and how long one takes.
    let reference = d.join("reference");
    copy_dir(&root, &reference);
    let t = Instant::now();
    run(d, &["import", "reference", input.to_str().unwrap()]);
    let took = t.elapsed();
    let after = snapshot(&reference);
    assert_ne!(before, after);

    let work = d.join("work");
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let (mut killed, mut as_before, mut as_after, mut rolled) = (0, 0, 0, 0);
    for round in 0..rounds() {
        copy_dir(&root, &work);
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = took.mul_f64((rng % 1000) as f64 / 1000.0 * 1.2);
        if run_killed(d, &["import", "work", input.to_str().unwrap()], delay) {
            killed += 1;
        }
        // A kill between the manifest and the last rename: the next writer finishes it.
        let mid_commit = fs::read_dir(&work).unwrap().flatten().any(|e| {
            e.file_name().to_string_lossy().starts_with(TMP_PREFIX)
                && e.path().join("manifest").is_file()
        });
        if mid_commit {
            rolled += 1;
        }
        // The next writer to open the project finishes or removes what was left.
        drop(spanbench::session::Session::open(&work, "next").unwrap());
        let now = snapshot(&work);
        assert!(
            leftovers(&now).is_empty(),
            "round {round}: {:?}",
            leftovers(&now)
        );
        if now == before {
            as_before += 1;
        } else if now == after {
            as_after += 1;
        } else {
            let diff: Vec<_> = now
                .keys()
                .chain(after.keys())
                .filter(|k| now.get(*k) != after.get(*k) && now.get(*k) != before.get(*k))
                .take(5)
                .collect();
            panic!("round {round} (killed after {delay:?}): a mix of before and after: {diff:?}");
        }
        spanbench::storage::load(&work).unwrap();
    }
    eprintln!(
        "import kill test: {} rounds, {killed} killed ({rolled} during the renames, rolled forward), {as_before} left as before, {as_after} as after (uncut import {took:?})",
        rounds()
    );
    assert!(killed > 0);
}

#[test]
fn multi_file_exports_killed_anywhere_leave_old_or_new_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = base_project(d);
    let out = d.join("out");
    fs::create_dir_all(&out).unwrap();
    // The old output: the project as it was.
    run(d, &["export", "p", "-f", "brat", "-o", "out/brat"]);
    run(d, &["export", "p", "-f", "csv", "-o", "out/spans.csv"]);
    let old = snapshot(&out);
    // The new output, from a bigger project.
    let input = input(d);
    run(d, &["import", "p", input.to_str().unwrap()]);
    let fresh = d.join("fresh");
    fs::create_dir_all(&fresh).unwrap();
    let t = Instant::now();
    run(d, &["export", "p", "-f", "brat", "-o", "fresh/brat"]);
    let took_brat = t.elapsed();
    let t = Instant::now();
    run(d, &["export", "p", "-f", "csv", "-o", "fresh/spans.csv"]);
    let took_csv = t.elapsed();
    let new = snapshot(&fresh);
    assert_ne!(old, new);
    let _ = root;

    let pick = |s: &BTreeMap<PathBuf, Vec<u8>>, prefix: &str| -> BTreeMap<PathBuf, Vec<u8>> {
        s.iter()
            .filter(|(k, _)| k.to_string_lossy().starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut killed = 0;
    let mut seen = BTreeMap::new();
    for round in 0..rounds() {
        for (what, args, took) in [
            (
                "brat",
                ["export", "p", "-f", "brat", "-o", "out/brat"],
                took_brat,
            ),
            (
                "spans",
                ["export", "p", "-f", "csv", "-o", "out/spans.csv"],
                took_csv,
            ),
        ] {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let delay = took.mul_f64((rng % 1000) as f64 / 1000.0 * 1.2);
            // Start each round from the old output.
            let _ = fs::remove_dir_all(&out);
            fs::create_dir_all(&out).unwrap();
            for (rel, bytes) in &old {
                let p = out.join(rel);
                if bytes == b"<dir>" {
                    fs::create_dir_all(&p).unwrap();
                } else {
                    fs::create_dir_all(p.parent().unwrap()).unwrap();
                    fs::write(&p, bytes).unwrap();
                }
            }
            if run_killed(d, &args, delay) {
                killed += 1;
            }
            // The next export into the folder finishes a half-moved set first.
            storage::output::finish_or_remove_stale(&out);
            let now = snapshot(&out);
            assert!(
                leftovers(&now).is_empty(),
                "round {round} {what}: {:?}",
                leftovers(&now)
            );
            let (o, n, w) = (pick(&old, what), pick(&new, what), pick(&now, what));
            let state = if w == o {
                "old"
            } else if w == n {
                "new"
            } else {
                panic!("round {round}: {what} output is a mix after a kill at {delay:?}")
            };
            *seen.entry((what, state)).or_insert(0) += 1;
        }
    }
    eprintln!(
        "export kill test: {} rounds of 2 exports, {killed} killed; outcomes {seen:?}",
        rounds()
    );
    assert!(killed > 0);
}
