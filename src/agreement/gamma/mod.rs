//! Gamma (Mathet, Widlöcher and Métivier 2015, "The unified and holistic method gamma
//! for inter-annotator agreement measure and alignment"), with the defaults of the
//! `pygamma-agreement` package 0.5.9: the combined categorical dissimilarity with
//! α = β = Δ∅ = 1 ([`alignment::dissimilarity`]), the best alignment found exactly
//! ([`alignment`]), and chance estimated with its `StatisticalContinuumSampler`
//! ([`sampler`]). `γ = 1 − D_o / D_e`; 1 when `D_o = 0`, as pygamma returns.
//!
//! **Units.** A span is a unit: its offsets (canonical, end-exclusive, as the segment
//! `[start, end)`) and its label as category. Like pygamma's continuum, which keeps a
//! set of units per annotator, identical spans of one annotator count once.
//!
//! **A corpus as one figure.** Gamma is computed over the documents that every
//! compared annotator annotated. They form one continuum, laid end to end with a gap
//! of `(n + 1) · L` between documents (`n` annotators, `L` the longest span). No
//! optimal unitary alignment can then hold units of two documents: for units `u`, `v`
//! in different documents, `|Δstart| + |Δend| ≥ l_u + l_v + 2(n + 1)L`, so
//! `d(u, v) ≥ (n + 2)² > C(n,2) + n − 1`, and by the split test of [`alignment`] such
//! a pair is never in a candidate. So the best alignment of the whole continuum is the
//! union of each document's best alignment, and the observed disorder is
//! `D_o = Σ_docs Σ_T S(T) / C(n,2) / (units / n)`, computed document by document in
//! parallel.
//!
//! **Chance.** pygamma's sampler draws a continuum for each annotator from normal
//! distributions of the number of units per annotator, the gap between an annotator's
//! consecutive units and the unit length, and the category from the category
//! frequencies; the statistics are measured on the reference continuum. Measured on the
//! end-to-end corpus they would count the distance between documents as gaps; so here
//! each (annotator, document) is measured as its own stretch, exactly as pygamma
//! measures each annotator of one continuum (see [`sampler::Statistics`]), and each
//! sample is one document-sized continuum of the `n` annotators. `D_e` is the mean
//! disorder of `samples` such continua (default 30, pygamma's default), drawn from a
//! ChaCha8 generator seeded with `seed`, so the same corpus always gives the same γ.

pub mod alignment;
pub mod sampler;

use rayon::prelude::*;
use serde::Serialize;

use super::{Figure, Selection, Undefined};
use alignment::{Unit, best_alignment_sum};

/// The most spans gamma is computed for unless asked for explicitly: about a second
/// on two cores (see docs/PERFORMANCE.md).
pub const DEFAULT_MAX_UNITS: usize = 20_000;

/// How gamma is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GammaOptions {
    /// Number of random continua for the expected disorder.
    pub samples: usize,
    /// Seed of the random generator.
    pub seed: u64,
    /// Leave gamma undefined ([`Undefined::TooManySpans`]) above this many spans.
    pub max_units: Option<usize>,
}

impl Default for GammaOptions {
    fn default() -> Self {
        Self {
            samples: 30,
            seed: 0,
            max_units: Some(DEFAULT_MAX_UNITS),
        }
    }
}

/// Gamma and how it was obtained.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GammaResult {
    pub gamma: Figure,
    /// D_o (null when undefined).
    pub observed_disorder: Figure,
    /// D_e (null when undefined).
    pub expected_disorder: Figure,
    /// Documents annotated by every annotator, which gamma is computed over.
    pub documents: usize,
    pub units: usize,
    pub samples: usize,
}

impl GammaResult {
    fn undefined(why: Undefined, documents: usize) -> Self {
        Self {
            gamma: Figure::Undefined(why),
            observed_disorder: Figure::Undefined(why),
            expected_disorder: Figure::Undefined(why),
            documents,
            units: 0,
            samples: 0,
        }
    }
}

/// The units of every document that all annotators annotated: `[doc][annotator]`,
/// each annotator's units sorted and without repeats, as pygamma keeps them.
pub fn continua(sel: &Selection) -> Vec<Vec<Vec<Unit>>> {
    sel.docs
        .iter()
        .filter(|d| d.sets.iter().all(Option::is_some))
        .map(|d| {
            d.sets
                .iter()
                .map(|s| {
                    let mut us: Vec<(usize, usize, &str)> = s
                        .iter()
                        .flatten()
                        .map(|s| (s.start, s.end, sel.labels[s.label as usize].as_str()))
                        .collect();
                    us.sort_unstable();
                    us.dedup();
                    us.into_iter()
                        .map(|(start, end, label)| Unit {
                            start: start as f64,
                            end: end as f64,
                            category: sel.labels.iter().position(|l| l == label).unwrap_or(0)
                                as u32,
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The disorder of one continuum from its best alignment's sum.
fn disorder(sum: f64, units: usize, annotators: usize) -> f64 {
    let c2n = (annotators * (annotators - 1) / 2) as f64;
    sum / c2n / (units as f64 / annotators as f64)
}

/// Gamma of the selection's annotators (at least two).
pub fn gamma(sel: &Selection, opts: &GammaOptions) -> Result<GammaResult, String> {
    let n = sel.annotators.len();
    let docs = continua(sel);
    if n < 2 || docs.is_empty() {
        return Ok(GammaResult::undefined(Undefined::NoItems, docs.len()));
    }
    let units: usize = docs.iter().flatten().map(Vec::len).sum();
    if units == 0 {
        return Ok(GammaResult::undefined(Undefined::NoUnits, docs.len()));
    }
    if opts.max_units.is_some_and(|m| units > m) {
        let mut r = GammaResult::undefined(Undefined::TooManySpans(units), docs.len());
        r.units = units;
        return Ok(r);
    }
    let sums: Vec<f64> = docs
        .par_iter()
        .map(|d| best_alignment_sum(d))
        .collect::<Result<_, _>>()?;
    let observed = disorder(sums.iter().sum(), units, n);
    let stats = sampler::Statistics::measure(&docs);
    let samples = sampler::samples(&stats, n, opts.samples, opts.seed);
    let chance: Vec<f64> = samples
        .par_iter()
        .map(|s| {
            let k: usize = s.iter().map(Vec::len).sum();
            best_alignment_sum(s).map(|sum| disorder(sum, k, n))
        })
        .collect::<Result<_, _>>()?;
    let expected = if chance.is_empty() {
        0.0
    } else {
        chance.iter().sum::<f64>() / chance.len() as f64
    };
    let gamma = if observed == 0.0 {
        Figure::Value(1.0)
    } else if expected > 0.0 {
        Figure::Value(1.0 - observed / expected)
    } else {
        Figure::Undefined(Undefined::NoExpectedDisorder)
    };
    Ok(GammaResult {
        gamma,
        observed_disorder: Figure::Value(observed),
        expected_disorder: if chance.is_empty() {
            Figure::Undefined(Undefined::NotComputed)
        } else {
            Figure::Value(expected)
        },
        documents: docs.len(),
        units,
        samples: chance.len(),
    })
}
