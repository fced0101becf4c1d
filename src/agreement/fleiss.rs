//! Fleiss' kappa of n annotators over coded items, matching `statsmodels`
//! `fleiss_kappa(table, method="fleiss")`.
//!
//! Every item is coded by all `n` annotators; `n_ic` of them chose category `c`. With
//! `N` items, `P_i = (Σ_c n_ic² − n) / (n (n − 1))`, `P̄` their mean,
//! `p_c = Σ_i n_ic / (N n)` and `P_e = Σ_c p_c²`: `κ = (P̄ − P_e) / (1 − P_e)`.
//! Items are weighted (a weight `w` counts as `w` identical items). Undefined with no
//! items, and when every rating is the same category (`P_e = 1`).

use super::{Figure, Undefined};

/// Sufficient statistics of Fleiss' kappa; they add up over items.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleissTally {
    /// Number of raters per item (all items have the same).
    pub raters: u64,
    /// Σ_i w_i.
    pub items: u64,
    /// Σ_i w_i Σ_c n_ic².
    pub squares: u128,
    /// Σ_i w_i n_ic, per category.
    pub categories: Vec<u128>,
}

impl FleissTally {
    pub fn new(raters: usize) -> Self {
        Self {
            raters: raters as u64,
            ..Default::default()
        }
    }

    /// One item (weighted): `counts` lists (category, raters who chose it).
    pub fn add(&mut self, counts: &[(u32, u32)], weight: u64) {
        self.items += weight;
        for &(c, n) in counts {
            let c = c as usize;
            if self.categories.len() <= c {
                self.categories.resize(c + 1, 0);
            }
            self.categories[c] += weight as u128 * n as u128;
            self.squares += weight as u128 * (n as u128 * n as u128);
        }
    }

    /// Adds `other`, whose category `i` is this tally's `map[i]`.
    pub fn merge(&mut self, other: &FleissTally, map: &[u32]) {
        self.items += other.items;
        self.squares += other.squares;
        for (i, &v) in other.categories.iter().enumerate() {
            let c = map[i] as usize;
            if self.categories.len() <= c {
                self.categories.resize(c + 1, 0);
            }
            self.categories[c] += v;
        }
    }

    pub fn kappa(&self) -> Figure {
        let n = self.raters as f64;
        if self.items == 0 || self.raters < 2 {
            return Figure::Undefined(Undefined::NoItems);
        }
        if self.categories.iter().filter(|&&c| c > 0).count() <= 1 {
            return Figure::Undefined(Undefined::NoVariance);
        }
        let items = self.items as f64;
        let total = items * n;
        let p_mean = (self.squares as f64 - items * n) / (n * (n - 1.0)) / items;
        let p_exp: f64 = self
            .categories
            .iter()
            .map(|&c| {
                let p = c as f64 / total;
                p * p
            })
            .sum();
        Figure::Value((p_mean - p_exp) / (1.0 - p_exp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_table(table: &[&[u32]]) -> FleissTally {
        let raters = table[0].iter().sum::<u32>() as usize;
        let mut t = FleissTally::new(raters);
        for row in table {
            let counts: Vec<(u32, u32)> = row
                .iter()
                .enumerate()
                .map(|(c, &n)| (c as u32, n))
                .collect();
            t.add(&counts, 1);
        }
        t
    }

    #[test]
    fn wikipedia_example() {
        // Fleiss (1971) as worked on Wikipedia: 10 items, 14 raters, 5 categories;
        // kappa = 0.20993...
        let table: [&[u32]; 10] = [
            &[0, 0, 0, 0, 14],
            &[0, 2, 6, 4, 2],
            &[0, 0, 3, 5, 6],
            &[0, 3, 9, 2, 0],
            &[2, 2, 8, 1, 1],
            &[7, 7, 0, 0, 0],
            &[3, 2, 6, 3, 0],
            &[2, 5, 3, 2, 2],
            &[6, 5, 2, 1, 0],
            &[0, 2, 2, 3, 7],
        ];
        let k = from_table(&table).kappa().value().unwrap();
        assert!((k - 0.209_930_704_421_955).abs() < 1e-12, "{k}");
    }

    #[test]
    fn weights_count_as_repeated_items() {
        let mut a = FleissTally::new(3);
        a.add(&[(0, 3)], 2);
        a.add(&[(0, 1), (1, 2)], 1);
        let b = from_table(&[&[3, 0], &[3, 0], &[1, 2]]);
        assert_eq!(a.kappa(), b.kappa());
        assert_eq!(
            from_table(&[&[3, 0], &[3, 0]]).kappa(),
            Figure::Undefined(Undefined::NoVariance)
        );
    }
}
