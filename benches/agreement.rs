//! Agreement over 10,000 documents x 4 annotators x 50 spans: every measure together
//! (what `spanbench agreement` computes), and each part alone.
//!
//! The corpus: news-length documents of 220 words; a base of 50 spans each (one or two
//! words, one in eight a CLAIM of six words with the spans inside it nested); each
//! annotator copies the base and, independently per span, misses it (5 %), swaps its
//! label (5 %), moves a boundary by a word (10 %), and adds an extra span (5 %).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use spanbench::agreement::gamma::{self, GammaOptions};
use spanbench::agreement::report::agreement_of;
use spanbench::agreement::{Selection, coding, disagreements};

mod synthetic;

use synthetic::synthetic_corpus;

fn bench(c: &mut Criterion) {
    let corpus = synthetic_corpus();
    let sel = Selection::resolve(&corpus, None, None, 2, false).expect("selection");
    let spans: usize = sel
        .docs
        .iter()
        .flat_map(|d| d.sets.iter().flatten())
        .map(Vec::len)
        .sum();
    eprintln!(
        "corpus: {} documents, {} annotators, {spans} spans, {} threads",
        sel.docs.len(),
        sel.annotators.len(),
        rayon::current_num_threads()
    );
    let forced = GammaOptions {
        max_units: None,
        ..GammaOptions::default()
    };
    // One timed run of each part, printed for docs/PERFORMANCE.md.
    let t = Instant::now();
    let r = agreement_of(&sel, Some(&GammaOptions::default()));
    eprintln!(
        "default (gamma {:?}): {:.3} s",
        r.gamma,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    black_box(coding::code(&sel));
    eprintln!(
        "  character coding (kappas, alpha): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    black_box(disagreements::find(&sel, None));
    eprintln!("  disagreements: {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let g = gamma::gamma(&sel, &forced);
    eprintln!(
        "gamma of the whole corpus (--gamma): {:.3} s ({g:?})",
        t.elapsed().as_secs_f64()
    );

    // The first 1,000 documents, for gamma's cost per document.
    let mut small = sel.clone();
    small.docs.truncate(1_000);

    let mut group = c.benchmark_group("agreement 10k docs x 4 annotators x 50 spans");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(
        "default (all measures; gamma left out above 20k spans)",
        |b| b.iter(|| black_box(agreement_of(&sel, Some(&GammaOptions::default())))),
    );
    group.bench_function("gamma of 1,000 documents (--gamma)", |b| {
        b.iter(|| black_box(gamma::gamma(&small, &forced)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
