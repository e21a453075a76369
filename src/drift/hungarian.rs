//! Minimum-cost one-to-one matching (the Hungarian algorithm), for matching old personas to the
//! segments of a re-fit.

/// Matches rows to columns of `cost` (one row per old persona, one column per new segment) so
/// that the total cost of the matched pairs is smallest, each row and column used at most once,
/// and `min(rows, columns)` pairs matched. Returns, for each row, its column, `None` for rows left
/// over when there are more rows than columns.
///
/// The matrix is padded to a square with zero-cost dummy rows or columns: every full matching
/// then uses the same number of dummies, so the padding does not change which real pairs are
/// best. A NaN cost is treated as the largest finite cost, so that it is chosen last.
///
/// This is the shortest-augmenting-path form with row and column potentials (Kuhn and Munkres,
/// as refined by Jonker and Volgenant): one row is added at a time and the potentials keep every
/// reduced cost non-negative, which costs `O(n^3)` for an `n x n` matrix.
pub(crate) fn hungarian(cost: &[Vec<f64>]) -> Vec<Option<usize>> {
    let rows = cost.len();
    let cols = cost.first().map_or(0, Vec::len);
    if rows == 0 || cols == 0 {
        return vec![None; rows];
    }
    let n = rows.max(cols);
    let worst = cost
        .iter()
        .flatten()
        .copied()
        .filter(|c| c.is_finite())
        .fold(0.0_f64, f64::max);
    let at = |i: usize, j: usize| -> f64 {
        match cost.get(i).and_then(|r| r.get(j)) {
            Some(c) if c.is_finite() => *c,
            Some(c) if *c == f64::NEG_INFINITY => -worst,
            Some(_) => worst,
            None => 0.0,
        }
    };
    // 1-based arrays, index 0 being the virtual start column of each augmenting path.
    let mut u = vec![0.0_f64; n + 1];
    let mut v = vec![0.0_f64; n + 1];
    let mut row_of = vec![0_usize; n + 1]; // row_of[j]: the row matched to column j, 0 for none
    let mut way = vec![0_usize; n + 1];
    for i in 1..=n {
        row_of[0] = i;
        let mut j0 = 0;
        let mut min_to = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if used[j] {
                    continue;
                }
                let reduced = at(i0 - 1, j - 1) - u[i0] - v[j];
                if reduced < min_to[j] {
                    min_to[j] = reduced;
                    way[j] = j0;
                }
                if min_to[j] < delta {
                    delta = min_to[j];
                    j1 = j;
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
            if row_of[j0] == 0 {
                break;
            }
        }
        // Flip the matched and unmatched edges along the path back to the start.
        while j0 != 0 {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
        }
    }
    let mut out = vec![None; rows];
    for (j, &i) in row_of.iter().enumerate().skip(1) {
        if (1..=rows).contains(&i) && j <= cols {
            out[i - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cost: &[Vec<f64>], m: &[Option<usize>]) -> f64 {
        m.iter()
            .enumerate()
            .filter_map(|(i, j)| j.map(|j| cost[i][j]))
            .sum()
    }

    /// The cheapest matching of `min(rows, cols)` pairs by trying every assignment.
    fn brute_force(cost: &[Vec<f64>]) -> f64 {
        fn go(cost: &[Vec<f64>], i: usize, used: &mut Vec<bool>, left: usize) -> f64 {
            if left == 0 || i == cost.len() {
                return if left == 0 { 0.0 } else { f64::INFINITY };
            }
            // Row i unmatched (allowed while enough rows remain) or matched to a free column.
            let mut best = if cost.len() - i > left {
                go(cost, i + 1, used, left)
            } else {
                f64::INFINITY
            };
            for j in 0..used.len() {
                if !used[j] {
                    used[j] = true;
                    best = best.min(cost[i][j] + go(cost, i + 1, used, left - 1));
                    used[j] = false;
                }
            }
            best
        }
        let cols = cost[0].len();
        go(cost, 0, &mut vec![false; cols], cost.len().min(cols))
    }

    fn is_one_to_one(m: &[Option<usize>]) -> bool {
        let mut seen: Vec<usize> = m.iter().flatten().copied().collect();
        let n = seen.len();
        seen.sort_unstable();
        seen.dedup();
        seen.len() == n
    }

    #[test]
    fn a_classic_three_by_three() {
        let cost = vec![
            vec![4.0, 1.0, 3.0],
            vec![2.0, 0.0, 5.0],
            vec![3.0, 2.0, 2.0],
        ];
        let m = hungarian(&cost);
        assert_eq!(m, vec![Some(1), Some(0), Some(2)]);
        assert_eq!(total(&cost, &m), 5.0);
    }

    #[test]
    fn the_greedy_choice_is_not_taken_when_it_costs_more_overall() {
        // Greedy takes (0, 0) at 1 and must then pay 100 for (1, 1); the best is 2 + 2.
        let cost = vec![vec![1.0, 2.0], vec![2.0, 100.0]];
        assert_eq!(hungarian(&cost), vec![Some(1), Some(0)]);
    }

    #[test]
    fn more_rows_than_columns_leaves_the_costliest_rows_unmatched() {
        let cost = vec![vec![5.0, 9.0], vec![1.0, 8.0], vec![7.0, 2.0]];
        let m = hungarian(&cost);
        assert_eq!(m, vec![None, Some(0), Some(1)]);
    }

    #[test]
    fn more_columns_than_rows_matches_every_row() {
        let cost = vec![vec![3.0, 1.0, 2.0, 9.0], vec![3.0, 1.0, 8.0, 0.5]];
        let m = hungarian(&cost);
        assert_eq!(m, vec![Some(1), Some(3)]);
    }

    #[test]
    fn empty_and_non_finite_costs_do_not_panic() {
        assert_eq!(hungarian(&[]), Vec::<Option<usize>>::new());
        assert_eq!(hungarian(&[vec![], vec![]]), vec![None, None]);
        let m = hungarian(&[vec![f64::NAN, 1.0], vec![0.0, f64::INFINITY]]);
        assert_eq!(m, vec![Some(1), Some(0)]);
    }

    #[test]
    fn agrees_with_brute_force_on_random_matrices() {
        let mut rng = crate::rng::Rng::new(11);
        for trial in 0..300 {
            let rows = 1 + rng.below(6);
            let cols = 1 + rng.below(6);
            let cost: Vec<Vec<f64>> = (0..rows)
                .map(|_| {
                    (0..cols)
                        // Small integers make ties common, which is where bugs hide.
                        .map(|_| {
                            if trial % 2 == 0 {
                                rng.below(5) as f64
                            } else {
                                rng.uniform()
                            }
                        })
                        .collect()
                })
                .collect();
            let m = hungarian(&cost);
            assert_eq!(m.iter().flatten().count(), rows.min(cols), "{cost:?}");
            assert!(is_one_to_one(&m), "{cost:?} -> {m:?}");
            let best = brute_force(&cost);
            assert!((total(&cost, &m) - best).abs() < 1e-9, "{cost:?} -> {m:?}");
        }
    }
}
