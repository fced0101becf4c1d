//! Krippendorff's alpha, nominal, with missing data, matching the `krippendorff`
//! package's `alpha(reliability_data, level_of_measurement="nominal")`.
//!
//! An item coded by `m_i` annotators (those with no value are missing data) with
//! `n_ic` of them choosing `c` adds `(n_ic n_ik − [c = k] n_ic) / (m_i − 1)` to the
//! coincidence `o_ck`; items with `m_i < 2` are not pairable and add nothing. With
//! `n_c = Σ_k o_ck` and `n = Σ_c n_c`, the expected coincidences are
//! `e_ck = (n_c n_k − [c = k] n_c) / (n − 1)` and
//! `α = 1 − Σ_{c≠k} o_ck / Σ_{c≠k} e_ck`, which for nominal data is
//! `1 − (n − 1) Σ_i (m_i² − Σ_c n_ic²) / (m_i − 1) / (n² − Σ_c n_c²)`.
//! Items are weighted. Undefined when no item is pairable, and when all pairable
//! values are one category (the denominator is 0; the package raises or returns NaN).

use super::{Figure, Undefined};

/// Sufficient statistics of alpha; they add up over items.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlphaTally {
    /// Per number of values m (index m): Σ_i w_i (m² − Σ_c n_ic²).
    pub disagreement: Vec<u128>,
    /// n_c: Σ_i w_i n_ic over pairable items.
    pub values: Vec<u128>,
}

impl AlphaTally {
    /// One item (weighted): `counts` lists (category, annotators who chose it); the
    /// annotators with no value are left out.
    pub fn add(&mut self, counts: &[(u32, u32)], weight: u64) {
        let m: u32 = counts.iter().map(|&(_, n)| n).sum();
        if m < 2 {
            return;
        }
        let w = weight as u128;
        let sq: u128 = counts.iter().map(|&(_, n)| n as u128 * n as u128).sum();
        let m = m as usize;
        if self.disagreement.len() <= m {
            self.disagreement.resize(m + 1, 0);
        }
        self.disagreement[m] += w * ((m * m) as u128 - sq);
        for &(c, n) in counts {
            let c = c as usize;
            if self.values.len() <= c {
                self.values.resize(c + 1, 0);
            }
            self.values[c] += w * n as u128;
        }
    }

    /// Adds `other`, whose category `i` is this tally's `map[i]`.
    pub fn merge(&mut self, other: &AlphaTally, map: &[u32]) {
        if self.disagreement.len() < other.disagreement.len() {
            self.disagreement.resize(other.disagreement.len(), 0);
        }
        for (m, &d) in other.disagreement.iter().enumerate() {
            self.disagreement[m] += d;
        }
        for (i, &v) in other.values.iter().enumerate() {
            let c = map[i] as usize;
            if self.values.len() <= c {
                self.values.resize(c + 1, 0);
            }
            self.values[c] += v;
        }
    }

    pub fn alpha(&self) -> Figure {
        let n: u128 = self.values.iter().sum();
        if n == 0 {
            return Figure::Undefined(Undefined::NoPairableItems);
        }
        if self.values.iter().filter(|&&v| v > 0).count() <= 1 {
            return Figure::Undefined(Undefined::NoVariance);
        }
        let observed: f64 = self
            .disagreement
            .iter()
            .enumerate()
            .filter(|&(m, _)| m >= 2)
            .map(|(m, &d)| d as f64 / (m - 1) as f64)
            .sum();
        let sq: u128 = self.values.iter().map(|&v| v * v).sum();
        let n = n as f64;
        let expected = (n * n - sq as f64) / (n - 1.0);
        Figure::Value(1.0 - observed / expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a tally from reliability data (rows: annotators; None: missing).
    fn from_data(data: &[&[Option<u32>]]) -> AlphaTally {
        let mut t = AlphaTally::default();
        for i in 0..data[0].len() {
            let mut counts: Vec<(u32, u32)> = Vec::new();
            for row in data {
                if let Some(c) = row[i] {
                    match counts.iter_mut().find(|(k, _)| *k == c) {
                        Some(e) => e.1 += 1,
                        None => counts.push((c, 1)),
                    }
                }
            }
            t.add(&counts, 1);
        }
        t
    }

    #[test]
    fn krippendorffs_own_example() {
        // The nominal example of the package's docstring (Krippendorff 2011): 0.691358.
        let n = None;
        let s = Some;
        let data: [&[Option<u32>]; 3] = [
            &[
                n,
                n,
                n,
                n,
                n,
                s(3),
                s(4),
                s(1),
                s(2),
                s(1),
                s(1),
                s(3),
                s(3),
                n,
                s(3),
            ],
            &[
                s(1),
                n,
                s(2),
                s(1),
                s(3),
                s(3),
                s(4),
                s(3),
                n,
                n,
                n,
                n,
                n,
                n,
                n,
            ],
            &[
                n,
                n,
                s(2),
                s(1),
                s(3),
                s(4),
                s(4),
                n,
                s(2),
                s(1),
                s(1),
                s(3),
                s(3),
                n,
                s(4),
            ],
        ];
        let a = from_data(&data).alpha().value().unwrap();
        assert!((a - 0.691358).abs() < 5e-7, "{a}");
    }

    #[test]
    fn undefined_cases() {
        let one: [&[Option<u32>]; 2] = [&[Some(0), None], &[None, Some(1)]];
        assert_eq!(
            from_data(&one).alpha(),
            Figure::Undefined(Undefined::NoPairableItems)
        );
        let same: [&[Option<u32>]; 2] = [&[Some(1), Some(1)], &[Some(1), Some(1)]];
        assert_eq!(
            from_data(&same).alpha(),
            Figure::Undefined(Undefined::NoVariance)
        );
    }
}
