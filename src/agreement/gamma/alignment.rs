//! The best alignment of one continuum: the exact minimum of the mixed-integer program
//! that `pygamma-agreement` solves, found by the same program on far fewer variables.
//!
//! A *unitary alignment* takes at most one unit of each of the `n` annotators (the
//! others contribute the empty unit ∅). Its disorder is the mean, over the
//! `C(n,2)` pairs of annotators, of the dissimilarity of their units, where any pair
//! with an empty unit (two empty units included) counts Δ∅ = 1, as pygamma does.
//! An alignment partitions every unit into unitary alignments; the best alignment
//! minimises the sum of their disorders.
//!
//! pygamma enumerates every tuple of the Cartesian product (pruned by Mathet et al.'s
//! criterion) and hands all of them to a MIP solver. Here two exact reductions come
//! first; the optimum is the same.
//!
//! 1. **Split test.** Let `S(T)` be `C(n,2)` times the disorder of a unitary alignment
//!    `T` with `k` units. Taking a unit `u` out of `T` into its own unitary alignment
//!    changes the total by `(k − 1 + C(n,2)) Δ∅ − Σ_{v ∈ T, v ≠ u} d(u, v)`. So if
//!    `Σ_v d(u, v) ≥ (k − 1 + C(n,2)) Δ∅` for some `u`, splitting does not cost more;
//!    splitting repeatedly ends (the count of unitary alignments grows) in an optimal
//!    alignment where every `T` passes the test strictly. Only such `T` are candidates.
//!    In particular two units can share a unitary alignment only if
//!    `d(u, v) < (n − 1 + C(n,2)) Δ∅`.
//! 2. **Components.** Units that can never share a unitary alignment (by 1) fall into
//!    separate connected components, whose programs are independent; a component of
//!    one unit is its own singleton.
//!
//! Each component's program (minimise the summed disorder of chosen candidates, each
//! unit covered exactly once) is solved to optimality by `microlp` through `good_lp`.

use std::collections::HashMap;

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, constraint, microlp, variable};

/// One unit of a continuum: a segment and a category.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    pub start: f64,
    pub end: f64,
    pub category: u32,
}

/// pygamma's default combined categorical dissimilarity (α = β = Δ∅ = 1):
/// `((|s1 − s2| + |e1 − e2|) / (l1 + l2))² + [c1 ≠ c2]`.
pub fn dissimilarity(a: &Unit, b: &Unit) -> f64 {
    let pos = ((a.start - b.start).abs() + (a.end - b.end).abs())
        / ((a.end - a.start) + (b.end - b.start));
    pos * pos + if a.category == b.category { 0.0 } else { 1.0 }
}

/// The best alignment's summed disorder `Σ_T S(T)` (see the module docs) of the
/// continuum whose units are `units[annotator]`, and the number of units. The
/// continuum's disorder is `Σ_T S(T) / C(n,2) / (units / n)`.
pub fn best_alignment_sum(units: &[Vec<Unit>]) -> Result<f64, String> {
    let n = units.len();
    let c2n = (n * (n.saturating_sub(1)) / 2) as f64;
    // All units, flat, with their annotator, sorted by start.
    let mut flat: Vec<(usize, Unit)> = units
        .iter()
        .enumerate()
        .flat_map(|(a, us)| us.iter().map(move |u| (a, *u)))
        .collect();
    if flat.is_empty() {
        return Ok(0.0);
    }
    flat.sort_by(|x, y| x.1.start.total_cmp(&y.1.start));
    let pair_bound = (n as f64 - 1.0) + c2n;
    let reach = pair_bound.sqrt();
    let max_len = flat
        .iter()
        .map(|(_, u)| u.end - u.start)
        .fold(0.0f64, f64::max);
    // Compatible pairs (i < j in `flat`), and components by union-find.
    let mut parent: Vec<usize> = (0..flat.len()).collect();
    let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); flat.len()];
    for i in 0..flat.len() {
        let (ai, ui) = flat[i];
        let window = reach * ((ui.end - ui.start) + max_len);
        for j in i + 1..flat.len() {
            let (aj, uj) = flat[j];
            // |s_i − s_j| alone must stay below the reach.
            if uj.start - ui.start >= window {
                break;
            }
            if ai == aj {
                continue;
            }
            let d = dissimilarity(&ui, &uj);
            if d < pair_bound {
                adj[i].push((j, d));
                adj[j].push((i, d));
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut comps: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..flat.len() {
        let r = root(&mut parent, i);
        comps.entry(r).or_default().push(i);
    }
    let mut total = 0.0;
    for members in comps.values() {
        total += solve_component(&flat, &adj, members, n, c2n)?;
    }
    Ok(total)
}

fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// `S(T)` of a unitary alignment with `k` units whose pairwise dissimilarities add up
/// to `pairs`.
fn tuple_sum(pairs: f64, k: usize, c2n: f64) -> f64 {
    pairs + (c2n - (k * k.saturating_sub(1) / 2) as f64)
}

fn solve_component(
    flat: &[(usize, Unit)],
    adj: &[Vec<(usize, f64)>],
    members: &[usize],
    n: usize,
    c2n: f64,
) -> Result<f64, String> {
    if members.len() == 1 {
        return Ok(c2n);
    }
    // Candidates: each as its member list (indices into `flat`) and its S(T).
    let mut cands: Vec<(Vec<usize>, f64)> = Vec::new();
    let dist = |i: usize, j: usize| -> Option<f64> {
        adj[i].iter().find(|&&(k, _)| k == j).map(|&(_, d)| d)
    };
    for &first in members {
        cands.push((vec![first], c2n));
        // Grow tuples whose lowest annotator is `first`'s, adding units of higher
        // annotators, each compatible with every unit already in.
        let mut stack: Vec<(Vec<usize>, Vec<f64>)> = vec![(vec![first], vec![0.0])];
        while let Some((tuple, sums)) = stack.pop() {
            let last_annotator = flat[*tuple.last().unwrap_or(&first)].0;
            for &(j, _) in &adj[first] {
                let aj = flat[j].0;
                if aj <= last_annotator {
                    continue;
                }
                let mut ds = Vec::with_capacity(tuple.len());
                for &t in &tuple {
                    match dist(t, j) {
                        Some(d) => ds.push(d),
                        None => break,
                    }
                }
                if ds.len() < tuple.len() {
                    continue;
                }
                let k = tuple.len() + 1;
                let bound = (k - 1) as f64 + c2n;
                let max_bound = (n - 1) as f64 + c2n;
                let mut new_sums: Vec<f64> = sums.iter().zip(&ds).map(|(s, d)| s + d).collect();
                let own: f64 = ds.iter().sum();
                new_sums.push(own);
                if new_sums.iter().any(|&s| s >= max_bound) {
                    continue;
                }
                let mut t2 = tuple.clone();
                t2.push(j);
                if new_sums.iter().all(|&s| s < bound) {
                    let pairs: f64 = new_sums.iter().sum::<f64>() / 2.0;
                    cands.push((t2.clone(), tuple_sum(pairs, k, c2n)));
                }
                if k < n {
                    stack.push((t2, new_sums));
                }
            }
        }
    }
    let index: HashMap<usize, usize> = members.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let mut vars = ProblemVariables::new();
    let xs: Vec<_> = cands.iter().map(|_| vars.add(variable().binary())).collect();
    let objective: Expression = xs.iter().zip(&cands).map(|(&x, (_, c))| *c * x).sum();
    let mut covering: Vec<Expression> = vec![Expression::default(); members.len()];
    for (x, (tuple, _)) in xs.iter().zip(&cands) {
        for t in tuple {
            covering[index[t]] += *x;
        }
    }
    let mut model = vars.minimise(objective.clone()).using(microlp);
    for e in covering {
        model.add_constraint(constraint!(e == 1));
    }
    let sol = model
        .solve()
        .map_err(|e| format!("the alignment solver failed: {e}"))?;
    Ok(xs
        .iter()
        .zip(&cands)
        .filter(|(x, _)| sol.value(**x) > 0.5)
        .map(|(_, (_, c))| *c)
        .sum())
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
    fn identical_annotations_have_no_disorder() {
        let a = vec![u(0.0, 5.0, 0), u(10.0, 20.0, 1)];
        assert_eq!(best_alignment_sum(&[a.clone(), a.clone(), a]).unwrap(), 0.0);
    }

    #[test]
    fn two_annotators_by_hand() {
        // A: [0,10) cat 0; B: [0,10) cat 1 and [50,60) cat 0. n = 2, C(2,2) = 1.
        // Pair A0-B0: d = 0 + 1 = 1 < 2 singletons (1 + 1): aligned; B1 alone: 1.
        // Sum = 1 + 1 = 2.
        let a = vec![u(0.0, 10.0, 0)];
        let b = vec![u(0.0, 10.0, 1), u(50.0, 60.0, 0)];
        assert_eq!(best_alignment_sum(&[a, b]).unwrap(), 2.0);
        // Shifted by 2 of 10: d = ((2 + 2) / 20)² = 0.04.
        let s = best_alignment_sum(&[vec![u(0.0, 10.0, 0)], vec![u(2.0, 12.0, 0)]]).unwrap();
        assert!((s - 0.04).abs() < 1e-12);
    }

    #[test]
    fn three_annotators_by_hand() {
        // n = 3, C = 3. A and B agree on [0,10) cat 0; C has nothing.
        // Tuple (A, B, ∅): pairs 0 + 2 empties = 2. Singletons would be 3 + 3.
        let a = vec![u(0.0, 10.0, 0)];
        assert_eq!(best_alignment_sum(&[a.clone(), a, vec![]]).unwrap(), 2.0);
    }
}
