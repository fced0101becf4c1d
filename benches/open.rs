//! The GUI on generated projects of 1,000, 10,000 and 100,000 documents x 50 spans
//! (one layer): from start to the first frame showing the first document, with and
//! without the project index; switching to the next document (read ahead, and pressed
//! again at once so the loader has no head start); and resident memory after walking
//! through 2,000 documents. Projects above `LAZY_ABOVE` documents open from the index;
//! smaller ones are read whole, as the app does.
//!
//! Each case runs in a child process (this binary again), so its peak resident memory
//! (VmHWM) is its own. Frames are the whole app's at 1280x800, tessellated, headless.
//!
//! `cargo bench --bench open`; `SPANBENCH_BENCH_SIZES=1000,10000` picks the sizes;
//! `cargo bench --bench open -- --generate N DIR` writes a project of N documents to look at.

#[path = "synthetic/project.rs"]
mod generated;

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use egui::{Event, Key, Modifiers, Pos2, RawInput, Rect, vec2};
use spanbench::storage;
use spanbench::ui::app::SpanbenchApp;
use spanbench::ui::settings::UserSettings;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SPANS: usize = 50;
const RUNS: usize = 3;
const WALK: usize = 2_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    // A project to look at: `cargo bench --bench open -- --generate 100000 DIR`.
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let n = args[i + 1].parse().expect("a number of documents");
        generated::write_project(Path::new(&args[i + 2]), n, SPANS, &["anna"]);
        return;
    }
    let sizes: Vec<usize> = std::env::var("SPANBENCH_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
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
        best(n, "cold", &root, || {
            let _ = std::fs::remove_dir_all(root.join(storage::CACHE_DIR));
        });
        best(n, "warm", &root, || {});
        once(n, "switch", &root);
        drop(dir);
    }
}

fn run_child(case: &str, root: &Path) -> String {
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
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs an open case RUNS times; prints the fastest with its peak memory.
fn best(n: usize, case: &str, root: &Path, mut prepare: impl FnMut()) {
    let mut runs: Vec<(f64, f64, String)> = (0..RUNS)
        .map(|_| {
            prepare();
            let line = run_child(case, root);
            let mut f = line.splitn(3, ' ');
            let s: f64 = f.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
            let kb: f64 = f.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
            (s, kb, f.next().unwrap_or_default().to_string())
        })
        .collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (s, kb, rest) = &runs[0];
    println!(
        "{n:>7} docs, {case} open: first document on screen after {:.3} s, peak {:.0} MB ({rest})",
        s,
        kb / 1024.0
    );
}

fn once(n: usize, case: &str, root: &Path) {
    println!("{n:>7} docs, {}", run_child(case, root));
}

fn frame(ctx: &egui::Context, app: &mut SpanbenchApp, events: Vec<Event>) -> Duration {
    let t = Instant::now();
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        events,
        ..Default::default()
    };
    let out = ctx.run_ui(input, |ui| app.frame_ui(ui));
    black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
    t.elapsed()
}

fn alt_down() -> Vec<Event> {
    vec![Event::Key {
        key: Key::ArrowDown,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::ALT,
    }]
}

fn status_kb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Frames until the pane shows `id`; returns how many.
fn until_shown(ctx: &egui::Context, app: &mut SpanbenchApp, id: &str) -> usize {
    for k in 1..100_000 {
        frame(ctx, app, Vec::new());
        if app.pane.doc_id() == id {
            return k;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    panic!("{id} never shown: {:?}", app.notice);
}

/// Alt+Down to each document of `docs` in turn, timed from the key's frame to the frame
/// that shows it; with `idle`, only once the loader has nothing left to do. Returns the
/// times and the frames they took.
fn walk(
    ctx: &egui::Context,
    app: &mut SpanbenchApp,
    docs: std::ops::RangeInclusive<usize>,
    idle: bool,
) -> (Vec<Duration>, usize) {
    let mut times = Vec::new();
    let mut frames = 0;
    for i in docs {
        let id = app
            .session
            .as_ref()
            .and_then(|s| s.doc_id_at(i))
            .expect("a document")
            .to_string();
        while idle && app.session.as_ref().is_some_and(|s| s.loading()) {
            frame(ctx, app, Vec::new());
            std::thread::sleep(Duration::from_micros(200));
        }
        let t = Instant::now();
        frame(ctx, app, alt_down());
        frames += until_shown(ctx, app, &id);
        times.push(t.elapsed());
    }
    (times, frames)
}

fn percentiles(v: &mut [Duration]) -> String {
    v.sort();
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        p(0.5),
        p(0.99),
        p(1.0)
    )
}

fn child(case: &str, root: &Path) {
    let settings = UserSettings {
        annotator: "anna".into(),
        ..Default::default()
    };
    let ctx = egui::Context::default();
    let t = Instant::now();
    let mut app = SpanbenchApp::new(settings, None);
    app.watch_disk = false;
    app.open_project(root);
    let mut first_frame = None;
    let mut frames = 0;
    while app.session.is_none() {
        let d = frame(&ctx, &mut app, Vec::new());
        first_frame.get_or_insert(d);
        frames += 1;
        assert!(
            app.opening.is_some() || app.session.is_some(),
            "{:?}",
            app.notice
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let s = app.session.as_ref().expect("opened");
    let mode = if s.is_partial() {
        "from the index"
    } else {
        "read whole"
    };
    let first = s.doc_id_at(0).expect("a document").to_string();
    let total = s.doc_count();
    frames += (1..100_000)
        .find(|_| {
            let d = frame(&ctx, &mut app, Vec::new());
            first_frame.get_or_insert(d);
            app.pane.doc_id() == first
        })
        .expect("first document shown");
    let secs = t.elapsed().as_secs_f64();
    match case {
        "cold" | "warm" => {
            println!(
                "{secs} {} {mode}, first frame {:.1} ms, {frames} frames",
                status_kb("VmHWM:"),
                first_frame.unwrap_or_default().as_secs_f64() * 1e3
            );
        }
        _ => {
            // Read ahead: the loader has had the time of a glance at the document.
            let half = WALK.min(total - 1) / 2;
            let (mut ahead, ahead_frames) = walk(&ctx, &mut app, 1..=half, true);
            // At once: the next key as soon as the document is on screen.
            let (mut now, _) = walk(&ctx, &mut app, half + 1..=WALK.min(total - 1), false);
            let s = app.session.as_ref().unwrap();
            let (loaded, rss, hwm) = (
                s.loaded_count(),
                status_kb("VmRSS:") / 1024.0,
                status_kb("VmHWM:") / 1024.0,
            );
            // The statistics window's figures, from the index when the project is.
            let t = Instant::now();
            black_box((s.stats(), s.progress_grid()));
            let stats = t.elapsed();
            println!(
                "{mode}: next document read ahead {} ({} frames for {}); pressed at once {}; after {} documents {loaded} in memory, resident {rss:.0} MB, peak {hwm:.0} MB; statistics window figures {:.0} ms",
                percentiles(&mut ahead),
                ahead_frames,
                ahead.len(),
                percentiles(&mut now),
                ahead.len() + now.len(),
                stats.as_secs_f64() * 1e3,
            );
        }
    }
}
