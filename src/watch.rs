//! Watching a project folder for what other processes write, so an open window can read
//! it again (see [`crate::session::Session::refresh`]) before the user builds on a stale
//! copy. Saving never relies on this: a save compares every file it writes with what is
//! on disk anyway.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::storage::{ANNOTATIONS_DIR, DOCUMENTS_DIR, LOCK_FILE, TMP_PREFIX};

/// What changed since the last poll.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Project files, relative to the root, `/`-separated.
    pub files: BTreeSet<String>,
    /// Events were lost or a folder changed: look at every file.
    pub rescan: bool,
    /// The writer lock was taken or released.
    pub lock: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && !self.rescan && !self.lock
    }
}

pub struct ProjectWatcher {
    _watcher: notify::RecommendedWatcher,
    rx: mpsc::Receiver<notify::Result<notify::Event>>,
    roots: Vec<PathBuf>,
}

impl ProjectWatcher {
    /// Watches `root` and everything under it; `wake` is called from the watcher's
    /// thread on every event (the GUI asks for a repaint there).
    pub fn new(root: &Path, wake: impl Fn() + Send + 'static) -> notify::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |ev| {
            let _ = tx.send(ev);
            wake();
        })?;
        watcher.watch(root, RecursiveMode::Recursive)?;
        let mut roots = vec![root.to_path_buf()];
        if let Ok(c) = std::fs::canonicalize(root) {
            roots.push(c);
        }
        Ok(ProjectWatcher {
            _watcher: watcher,
            rx,
            roots,
        })
    }

    /// Everything reported since the last call.
    pub fn poll(&self) -> Changes {
        let mut out = Changes::default();
        while let Ok(ev) = self.rx.try_recv() {
            match ev {
                Ok(ev) => {
                    // Opening or reading a file changes nothing; reporting it would make
                    // every read of a reported file (the refresh itself, a document
                    // loading) report it again, forever.
                    if is_read_only(&ev.kind) {
                        continue;
                    }
                    if ev.need_rescan() {
                        out.rescan = true;
                    }
                    for p in ev.paths {
                        self.classify(&p, &mut out);
                    }
                }
                Err(_) => out.rescan = true,
            }
        }
        out
    }

    fn classify(&self, path: &Path, out: &mut Changes) {
        let Some(rel) = self.roots.iter().find_map(|r| path.strip_prefix(r).ok()) else {
            return;
        };
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        if parts.iter().any(|p| p.starts_with(TMP_PREFIX)) {
            return;
        }
        match parts.as_slice() {
            [l] if l == LOCK_FILE => out.lock = true,
            [f] if f.ends_with(".ron") => {
                out.files.insert(f.clone());
            }
            [d, f] if f.ends_with(".ron") => {
                out.files.insert(format!("{d}/{f}"));
            }
            [d, a, f] if f.ends_with(".ron") => {
                out.files.insert(format!("{d}/{a}/{f}"));
            }
            // A folder made, moved or removed: its files may not each be reported.
            [d] if d == DOCUMENTS_DIR || d == ANNOTATIONS_DIR => out.rescan = true,
            [d, _] if d == ANNOTATIONS_DIR => out.rescan = true,
            _ => {}
        }
    }
}

/// Access events other than a close after writing.
fn is_read_only(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(a) if *a != AccessKind::Close(AccessMode::Write))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn reports_project_files_and_ignores_temporary_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        crate::storage::create(root, "p").unwrap();
        let w = ProjectWatcher::new(root, || {}).unwrap();
        std::fs::write(root.join(format!("documents/{TMP_PREFIX}x")), "t").unwrap();
        std::fs::write(root.join("documents/a.ron"), "x").unwrap();
        let mut seen = Changes::default();
        let start = Instant::now();
        while !seen.files.contains("documents/a.ron") && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
            let c = w.poll();
            seen.files.extend(c.files);
        }
        assert!(seen.files.contains("documents/a.ron"), "{seen:?}");
        assert!(seen.files.iter().all(|f| !f.contains(TMP_PREFIX)));
    }

    /// Reading files (as a refresh or a document loading does) reports nothing, so the
    /// window never reads the same files again and again.
    #[test]
    fn reading_a_file_is_not_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        crate::storage::create(root, "p").unwrap();
        std::fs::write(root.join("documents/a.ron"), "x").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let w = ProjectWatcher::new(root, || {}).unwrap();
        for _ in 0..5 {
            std::fs::read(root.join("documents/a.ron")).unwrap();
        }
        // A later write is seen, and it is the only thing seen.
        std::fs::write(root.join("documents/b.ron"), "y").unwrap();
        let mut seen = Changes::default();
        let start = Instant::now();
        while !seen.files.contains("documents/b.ron") && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
            let c = w.poll();
            seen.files.extend(c.files);
            seen.rescan |= c.rescan;
        }
        std::thread::sleep(Duration::from_millis(100));
        seen.files.extend(w.poll().files);
        assert_eq!(
            seen.files.into_iter().collect::<Vec<_>>(),
            vec!["documents/b.ron".to_string()]
        );
    }
}
