//! Random continua for gamma's expected disorder: `pygamma-agreement`'s
//! `StatisticalContinuumSampler`, with its statistics measured per (annotator,
//! document) stretch (see the [parent module](super)).

use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::alignment::Unit;

/// The sampler's parameters (population means and standard deviations, as numpy's
/// `mean` and `std` compute them).
#[derive(Clone, Debug, PartialEq)]
pub struct Statistics {
    pub avg_units: f64,
    pub std_units: f64,
    pub avg_gap: f64,
    pub std_gap: f64,
    pub avg_length: f64,
    pub std_length: f64,
    /// Frequency of each category among all units (index = category).
    pub category_weights: Vec<f64>,
}

fn mean_std(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl Statistics {
    /// Measures `docs[doc][annotator]` (units sorted) as pygamma measures the
    /// annotators of one continuum, with each (annotator, document) as one annotator:
    /// units per stretch; gaps: a single 0, each gap between consecutive units of a
    /// stretch (negative when they overlap), and each stretch's first start when it is
    /// above 0; lengths and categories of all units.
    pub fn measure(docs: &[Vec<Vec<Unit>>]) -> Statistics {
        let mut counts = Vec::new();
        let mut gaps = vec![0.0];
        let mut lengths = Vec::new();
        let mut cats: Vec<f64> = Vec::new();
        for doc in docs {
            for units in doc {
                counts.push(units.len() as f64);
                for w in units.windows(2) {
                    gaps.push(w[1].start - w[0].end);
                }
                if let Some(first) = units.first()
                    && first.start > 0.0
                {
                    gaps.push(first.start);
                }
                for u in units {
                    lengths.push(u.end - u.start);
                    let c = u.category as usize;
                    if cats.len() <= c {
                        cats.resize(c + 1, 0.0);
                    }
                    cats[c] += 1.0;
                }
            }
        }
        let total: f64 = cats.iter().sum();
        let (avg_units, std_units) = mean_std(&counts);
        let (avg_gap, std_gap) = mean_std(&gaps);
        let (avg_length, std_length) = mean_std(&lengths);
        Statistics {
            avg_units,
            std_units,
            avg_gap,
            std_gap,
            avg_length,
            std_length,
            category_weights: cats.iter().map(|c| c / total.max(1.0)).collect(),
        }
    }
}

/// pyannote's smallest segment.
const SEGMENT_PRECISION: f64 = 1e-6;

/// Draws `count` continua of `annotators` annotators each, as pygamma's
/// `sample_from_continuum` does: per annotator, `|int(N(avg_units, std_units))|`
/// units (at least one for the first annotator if none has any yet), each starting
/// `N(avg_gap, std_gap)` after the previous one's end, `|N(avg_length, std_length)|`
/// long (drawn again while shorter than 1e-6), with a category drawn by frequency.
pub fn samples(
    stats: &Statistics,
    annotators: usize,
    count: usize,
    seed: u64,
) -> Vec<Vec<Vec<Unit>>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = |m: f64, s: f64| {
        Normal::new(m, s.max(0.0)).unwrap_or_else(|_| Normal::new(0.0, 0.0).expect("N(0, 0)"))
    };
    let n_units = normal(stats.avg_units, stats.std_units);
    let gap = normal(stats.avg_gap, stats.std_gap);
    let length = normal(stats.avg_length, stats.std_length);
    let mut cumulative = Vec::with_capacity(stats.category_weights.len());
    let mut acc = 0.0;
    for w in &stats.category_weights {
        acc += w;
        cumulative.push(acc);
    }
    (0..count)
        .map(|_| {
            let mut continuum: Vec<Vec<Unit>> = Vec::with_capacity(annotators);
            let mut any = false;
            for _ in 0..annotators {
                let mut k = (n_units.sample(&mut rng) as i64).unsigned_abs() as usize;
                if !any {
                    k = k.max(1);
                }
                let mut units = Vec::with_capacity(k);
                let mut last = 0.0;
                for _ in 0..k {
                    let start = last + gap.sample(&mut rng);
                    let mut end = start + length.sample(&mut rng).abs();
                    let mut tries = 0;
                    while end - start < SEGMENT_PRECISION && tries < 1000 {
                        end = start + length.sample(&mut rng).abs();
                        tries += 1;
                    }
                    if end - start < SEGMENT_PRECISION {
                        end = start + 1.0;
                    }
                    let r: f64 = rng.random::<f64>() * acc;
                    let category = cumulative
                        .partition_point(|&c| c <= r)
                        .min(cumulative.len().saturating_sub(1))
                        as u32;
                    units.push(Unit {
                        start,
                        end,
                        category,
                    });
                    last = end;
                }
                any |= !units.is_empty();
                units.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.end.total_cmp(&b.end)));
                continuum.push(units);
            }
            continuum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(start: f64, end: f64, category: u32) -> Unit {
        Unit {
            start,
            end,
            category,
        }
    }

    #[test]
    fn statistics_by_hand() {
        // One document, two annotators: A [2,4) [6,7); B [0,3).
        let docs = vec![vec![
            vec![u(2.0, 4.0, 0), u(6.0, 7.0, 1)],
            vec![u(0.0, 3.0, 0)],
        ]];
        let s = Statistics::measure(&docs);
        // units per stretch: 2, 1.
        assert_eq!((s.avg_units, s.std_units), (1.5, 0.5));
        // gaps: 0, 6 - 4 = 2, A's first start 2 (B starts at 0: none).
        assert_eq!(s.avg_gap, 4.0 / 3.0);
        // lengths 2, 1, 3; categories 0, 1, 0.
        assert_eq!(s.avg_length, 2.0);
        assert_eq!(s.category_weights, vec![2.0 / 3.0, 1.0 / 3.0]);
    }

    #[test]
    fn samples_are_reproducible_and_follow_the_statistics() {
        let s = Statistics {
            avg_units: 20.0,
            std_units: 2.0,
            avg_gap: 5.0,
            std_gap: 1.0,
            avg_length: 4.0,
            std_length: 0.5,
            category_weights: vec![0.25, 0.75],
        };
        let a = samples(&s, 3, 50, 7);
        assert_eq!(a, samples(&s, 3, 50, 7));
        assert_ne!(a, samples(&s, 3, 50, 8));
        let all: Vec<&Unit> = a.iter().flatten().flatten().collect();
        let per = all.len() as f64 / 150.0;
        assert!((per - 20.0).abs() < 1.0, "{per}");
        let ones = all.iter().filter(|u| u.category == 1).count() as f64 / all.len() as f64;
        assert!((ones - 0.75).abs() < 0.05, "{ones}");
        let len = all.iter().map(|u| u.end - u.start).sum::<f64>() / all.len() as f64;
        assert!((len - 4.0).abs() < 0.1, "{len}");
    }
}
