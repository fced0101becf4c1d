//! Saving many changed files through a session: the unanimous pre-merge of the curation
//! benchmark's corpus (10,000 documents x 4 annotators x 50 spans) into a project on disk,
//! which changes 10,000 gold sets, saved as new files; then a second pre-merge
//! (threshold:1) over the same sets, saved over the files the first wrote, with every file
//! checked against what the session last read. Prints one figure per round.

use std::time::Instant;

use spanbench::curation::{Strategy, Team, premerge};
use spanbench::session::Session;

mod synthetic;

fn main() {
    let corpus = synthetic::synthetic_corpus();
    let team = Team::resolve(&corpus, None, None).expect("team");
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    for round in 1..=rounds {
        let dir = tempfile::tempdir().expect("temp dir");
        spanbench::storage::create(dir.path(), "bench").expect("project");
        let mut s = Session::new(dir.path().to_path_buf(), corpus.clone(), "curator");
        s.unlock_layer(&team.gold);
        premerge::plan(&s.corpus, &team, Strategy::Unanimous)
            .expect("plan")
            .apply(&mut s)
            .expect("apply");
        let t = Instant::now();
        let n = s.save().expect("save");
        let new = t.elapsed();
        premerge::plan(&s.corpus, &team, Strategy::Threshold(1))
            .expect("plan")
            .apply(&mut s)
            .expect("apply");
        let t = Instant::now();
        let m = s.save().expect("save");
        let over = t.elapsed();
        eprintln!(
            "round {round}: saved {n} new files in {:.3} s; {m} files over them in {:.3} s",
            new.as_secs_f64(),
            over.as_secs_f64()
        );
    }
}
