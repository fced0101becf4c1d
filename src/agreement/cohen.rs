//! Cohen's kappa of two annotators over coded items, matching `statsmodels`
//! `cohens_kappa(table)` (unweighted).
//!
//! With the contingency table `t[i][j]` (items coded `i` by A and `j` by B), `N` its
//! total, `p_o = Σ t[i][i] / N` and `p_e = Σ_i (row_i / N)(col_i / N)`:
//! `κ = (p_o − p_e) / (1 − p_e)`. Undefined with no items, and when both annotators
//! code every item with one and the same category (`p_e = 1`).

use super::{Figure, Undefined};

/// A contingency table that grows as categories appear; category ids are dense.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CohenTable {
    /// `cells[i][j]`: items (weighted) coded `i` by A and `j` by B.
    cells: Vec<Vec<u64>>,
}

impl CohenTable {
    pub fn add(&mut self, a: u32, b: u32, weight: u64) {
        let need = a.max(b) as usize + 1;
        if self.cells.len() < need {
            self.cells.resize(need, Vec::new());
            for row in &mut self.cells {
                row.resize(need, 0);
            }
        }
        self.cells[a as usize][b as usize] += weight;
    }

    /// Adds `other`, whose category `i` is this table's `map[i]`.
    pub fn merge(&mut self, other: &CohenTable, map: &[u32]) {
        for (i, row) in other.cells.iter().enumerate() {
            for (j, &w) in row.iter().enumerate() {
                if w > 0 {
                    self.add(map[i], map[j], w);
                }
            }
        }
    }

    pub fn cells(&self) -> &[Vec<u64>] {
        &self.cells
    }

    pub fn total(&self) -> u64 {
        self.cells.iter().flatten().sum()
    }

    pub fn kappa(&self) -> Figure {
        kappa(&self.cells)
    }
}

/// Cohen's kappa of a square contingency table, in statsmodels' order of operations.
pub fn kappa(table: &[Vec<u64>]) -> Figure {
    let k = table.len();
    let nobs: u64 = table.iter().flatten().sum();
    if nobs == 0 {
        return Figure::Undefined(Undefined::NoItems);
    }
    let rows: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<u64> = (0..k).map(|j| table.iter().map(|r| r[j]).sum()).collect();
    let used_a = rows.iter().filter(|&&r| r > 0).count();
    let used_b = cols.iter().filter(|&&c| c > 0).count();
    if used_a == 1 && used_b == 1 && (0..k).any(|i| rows[i] == nobs && cols[i] == nobs) {
        return Figure::Undefined(Undefined::NoVariance);
    }
    let n = nobs as f64;
    let agree: u64 = (0..k).map(|i| table[i][i]).sum();
    let agree_exp: f64 = (0..k)
        .map(|i| (cols[i] as f64 / n) * (rows[i] as f64 / n))
        .sum();
    Figure::Value((agree as f64 / n - agree_exp) / (1.0 - agree_exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // 50 items: A yes/B yes 20, yes/no 5, no/yes 10, no/no 15 (Wikipedia's
        // example): p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.4.
        let k = kappa(&[vec![20, 5], vec![10, 15]]).value().unwrap();
        assert!((k - 0.4).abs() < 1e-12, "{k}");
        // Perfect agreement with variance.
        assert_eq!(kappa(&[vec![3, 0], vec![0, 7]]), Figure::Value(1.0));
        // Everything one category: undefined, not NaN.
        assert_eq!(
            kappa(&[vec![0, 0], vec![0, 9]]),
            Figure::Undefined(Undefined::NoVariance)
        );
        assert_eq!(kappa(&[vec![0]]), Figure::Undefined(Undefined::NoItems));
    }

    #[test]
    fn table_grows_and_merges() {
        let mut t = CohenTable::default();
        t.add(0, 0, 20);
        t.add(0, 1, 5);
        let mut u = CohenTable::default();
        u.add(0, 0, 10);
        u.add(1, 1, 15);
        // u's category 0 is t's 1 and u's 1 is t's 0.
        t.merge(&u, &[1, 0]);
        assert_eq!(t.cells(), &[vec![35, 5], vec![0, 10]]);
    }
}
