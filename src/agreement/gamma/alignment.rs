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
//! 2. **Components.** Units linked by a candidate fall into connected components whose
//!    programs are independent; a unit in no candidate but its singleton is alone.
//!
//! Each component's program (minimise the summed disorder of chosen candidates, each
//! unit covered exactly once) is solved exactly: by exhaustive search over exact
//! covers with memoisation when the component is small enough (the usual case in
//! text, where units are local), else by `microlp` through `good_lp`.

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
    // Compatible pairs: d below the pair bound.
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
            }
        }
    }
    for a in &mut adj {
        a.sort_unstable_by_key(|&(j, _)| j);
    }
    let cands = candidates(&flat, &adj, n, c2n);
    // Components: units that share a candidate.
    let mut parent: Vec<usize> = (0..flat.len()).collect();
    for (members, _) in &cands {
        for w in members.windows(2) {
            let (ri, rj) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
            parent[ri.max(rj)] = ri.min(rj);
        }
    }
    let mut comps: HashMap<usize, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for i in 0..flat.len() {
        let r = root(&mut parent, i);
        comps.entry(r).or_default().0.push(i);
    }
    for (k, (members, _)) in cands.iter().enumerate() {
        let r = root(&mut parent, members[0]);
        if let Some(c) = comps.get_mut(&r) {
            c.1.push(k);
        }
    }
    let mut total = 0.0;
    for (members, chosen) in comps.values() {
        total += if members.len() == 1 {
            c2n
        } else {
            solve(members, chosen, &cands)?
        };
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

/// Every candidate unitary alignment (members as indices into `flat`, and `S(T)`):
/// each singleton, and each tuple of units of distinct annotators, pairwise
/// compatible, that passes the split test strictly.
fn candidates(
    flat: &[(usize, Unit)],
    adj: &[Vec<(usize, f64)>],
    n: usize,
    c2n: f64,
) -> Vec<(Vec<usize>, f64)> {
    let mut cands: Vec<(Vec<usize>, f64)> = Vec::new();
    let dist = |i: usize, j: usize| -> Option<f64> {
        adj[i]
            .binary_search_by_key(&j, |&(k, _)| k)
            .ok()
            .map(|p| adj[i][p].1)
    };
    let max_bound = (n - 1) as f64 + c2n;
    for (first, neighbours) in adj.iter().enumerate() {
        cands.push((vec![first], c2n));
        // Grow tuples whose lowest annotator is `first`'s, adding units of higher
        // annotators, each compatible with every unit already in.
        let mut stack: Vec<(Vec<usize>, Vec<f64>)> = vec![(vec![first], vec![0.0])];
        while let Some((tuple, sums)) = stack.pop() {
            let last_annotator = flat[tuple[tuple.len() - 1]].0;
            for &(j, _) in neighbours {
                if flat[j].0 <= last_annotator {
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
                let mut new_sums: Vec<f64> = sums.iter().zip(&ds).map(|(s, d)| s + d).collect();
                new_sums.push(ds.iter().sum());
                if new_sums.iter().any(|&s| s >= max_bound) {
                    continue;
                }
                let k = tuple.len() + 1;
                let mut t2 = tuple.clone();
                t2.push(j);
                if new_sums.iter().all(|&s| s < (k - 1) as f64 + c2n) {
                    let pairs: f64 = new_sums.iter().sum::<f64>() / 2.0;
                    let mut sorted = t2.clone();
                    sorted.sort_unstable();
                    cands.push((sorted, tuple_sum(pairs, k, c2n)));
                }
                if k < n {
                    stack.push((t2, new_sums));
                }
            }
        }
    }
    cands
}

/// The least summed disorder of candidates `chosen` that cover each of `members`
/// exactly once.
fn solve(members: &[usize], chosen: &[usize], cands: &[(Vec<usize>, f64)]) -> Result<f64, String> {
    if members.len() <= 128
        && let Some(best) = search(members, chosen, cands)
    {
        return Ok(best);
    }
    solve_mip(members, chosen, cands)
}

/// States the search may visit before the program takes over.
const SEARCH_LIMIT: usize = 50_000;

/// Exhaustive search for the exact cover of least cost: take the first uncovered unit
/// and try every candidate that holds it and no covered unit. Every exact cover is
/// reached exactly once this way, so the minimum is exact; states (the covered set)
/// are memoised. Gives up (None) past [`SEARCH_LIMIT`] states.
fn search(members: &[usize], chosen: &[usize], cands: &[(Vec<usize>, f64)]) -> Option<f64> {
    let index: HashMap<usize, usize> = members.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    // Per member: the candidates holding it, as (mask, cost).
    let mut holding: Vec<Vec<(u128, f64)>> = vec![Vec::new(); members.len()];
    for &c in chosen {
        let mask: u128 = cands[c].0.iter().map(|t| 1u128 << index[t]).sum();
        for t in &cands[c].0 {
            holding[index[t]].push((mask, cands[c].1));
        }
    }
    let full: u128 = if members.len() == 128 {
        u128::MAX
    } else {
        (1u128 << members.len()) - 1
    };
    let mut memo: HashMap<u128, f64> = HashMap::new();
    fn go(
        covered: u128,
        full: u128,
        holding: &[Vec<(u128, f64)>],
        memo: &mut HashMap<u128, f64>,
    ) -> Option<f64> {
        if covered == full {
            return Some(0.0);
        }
        if let Some(&v) = memo.get(&covered) {
            return Some(v);
        }
        if memo.len() > SEARCH_LIMIT {
            return None;
        }
        let u = (!covered).trailing_zeros() as usize;
        let mut best = f64::INFINITY;
        for &(mask, cost) in &holding[u] {
            if mask & covered == 0 {
                let rest = go(covered | mask, full, holding, memo)?;
                best = best.min(cost + rest);
            }
        }
        memo.insert(covered, best);
        Some(best)
    }
    go(0, full, &holding, &mut memo).filter(|b| b.is_finite())
}

/// The same minimum as a 0-1 program, solved to optimality by microlp.
fn solve_mip(
    members: &[usize],
    chosen: &[usize],
    cands: &[(Vec<usize>, f64)],
) -> Result<f64, String> {
    let index: HashMap<usize, usize> = members.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let mut vars = ProblemVariables::new();
    let xs: Vec<_> = chosen
        .iter()
        .map(|_| vars.add(variable().binary()))
        .collect();
    let objective: Expression = xs.iter().zip(chosen).map(|(&x, &c)| cands[c].1 * x).sum();
    let mut covering: Vec<Expression> = vec![Expression::default(); members.len()];
    for (x, &c) in xs.iter().zip(chosen) {
        for t in &cands[c].0 {
            covering[index[t]] += *x;
        }
    }
    let mut model = vars.minimise(objective).using(microlp);
    for e in covering {
        model.add_constraint(constraint!(e == 1));
    }
    let sol = model
        .solve()
        .map_err(|e| format!("the alignment solver failed: {e}"))?;
    Ok(xs
        .iter()
        .zip(chosen)
        .filter(|(x, _)| sol.value(**x) > 0.5)
        .map(|(_, &c)| cands[c].1)
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

    /// The search and the program agree on random continua.
    #[test]
    fn search_equals_program() {
        let mut seed = 7u64;
        let mut r = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..40 {
            let n = 2 + r(3) as usize;
            let units: Vec<Vec<Unit>> = (0..n)
                .map(|_| {
                    (0..r(6))
                        .map(|_| {
                            let s = r(40) as f64;
                            u(s, s + 1.0 + r(8) as f64, r(3) as u32)
                        })
                        .collect()
                })
                .collect();
            let c2n = (n * (n - 1) / 2) as f64;
            let mut flat: Vec<(usize, Unit)> = units
                .iter()
                .enumerate()
                .flat_map(|(a, us)| us.iter().map(move |u| (a, *u)))
                .collect();
            flat.sort_by(|x, y| x.1.start.total_cmp(&y.1.start));
            let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); flat.len()];
            for i in 0..flat.len() {
                for j in 0..flat.len() {
                    if flat[i].0 != flat[j].0 {
                        adj[i].push((j, dissimilarity(&flat[i].1, &flat[j].1)));
                    }
                }
            }
            let cands = candidates(&flat, &adj, n, c2n);
            let members: Vec<usize> = (0..flat.len()).collect();
            let chosen: Vec<usize> = (0..cands.len()).collect();
            if members.is_empty() {
                continue;
            }
            let a = search(&members, &chosen, &cands).unwrap();
            let b = solve_mip(&members, &chosen, &cands).unwrap();
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
            assert!((best_alignment_sum(&units).unwrap() - a).abs() < 1e-6);
        }
    }

    #[test]
    fn three_annotators_by_hand() {
        // n = 3, C = 3. A and B agree on [0,10) cat 0; C has nothing.
        // Tuple (A, B, ∅): pairs 0 + 2 empties = 2. Singletons would be 3 + 3.
        let a = vec![u(0.0, 10.0, 0)];
        assert_eq!(best_alignment_sum(&[a.clone(), a, vec![]]).unwrap(), 2.0);
    }
}
