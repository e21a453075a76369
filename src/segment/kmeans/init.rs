//! Seeding: the starting centroids of a k-means run.

use rayon::prelude::*;

use super::lloyd::{lloyd, mean_variance, Workspace};
use super::{dot, sq_dist, Problem, BLOCK_ROWS};
use crate::rng::Rng;
use crate::segment::FeatureFloat;

/// Lloyd's iteration on the sample after its k-means++ seeding: the iteration cap and the
/// tolerance relative to the sample's mean feature variance.
#[derive(Debug, Clone, Copy)]
pub(super) struct Refine {
    pub(super) max_iter: usize,
    pub(super) tolerance: f64,
}

/// A sampled seeding: greedy k-means++ on `rows` customers drawn with the seed's stream
/// (uniformly without replacement, or with probability proportional to weight and with
/// replacement when the customers are weighted), then, with `refine`, Lloyd's iteration on those
/// customers alone. With at most `rows` customers it is [`kmeans_plus_plus`] on all of them.
pub(super) fn sampled_kmeans_plus_plus<T: FeatureFloat>(
    p: &Problem<'_, T>,
    rng: &mut Rng,
    ws: &mut Workspace,
    rows: usize,
    refine: Option<Refine>,
) -> Vec<f64> {
    if p.n <= rows {
        return kmeans_plus_plus(p, rng, ws);
    }
    let d = p.d;
    let picks = draw_sample(p, rng, rows);
    let mut x = vec![T::default(); rows * d];
    x.par_chunks_mut(BLOCK_ROWS * d)
        .zip(picks.par_chunks(BLOCK_ROWS))
        .for_each(|(xb, pb)| {
            for (row, &i) in xb.chunks_exact_mut(d).zip(pb) {
                row.copy_from_slice(&p.x[i * d..(i + 1) * d]);
            }
        });
    // The sample stands for the weighted customers (drawn in proportion to weight), so it is
    // itself unweighted.
    let sample = Problem {
        x: &x,
        n: rows,
        d,
        k: p.k,
        weights: None,
    };
    let mut sws = Workspace::new(&sample);
    let c = kmeans_plus_plus(&sample, rng, &mut sws);
    match refine {
        Some(r) => {
            let tol_abs = r.tolerance * mean_variance(&sample);
            lloyd(&sample, c, r.max_iter, tol_abs, &mut sws).centroids
        }
        None => c,
    }
}

/// `rows` customer indices in increasing order (so the copy reads the matrix forwards): distinct
/// and uniform without weights (Floyd's algorithm over a bitmap), otherwise independent draws in
/// proportion to weight.
fn draw_sample<T>(p: &Problem<'_, T>, rng: &mut Rng, rows: usize) -> Vec<usize> {
    let n = p.n;
    match p.weights {
        None => {
            let mut taken = vec![false; n];
            for j in (n - rows)..n {
                let t = rng.below(j + 1);
                let pick = if taken[t] { j } else { t };
                taken[pick] = true;
            }
            (0..n).filter(|&i| taken[i]).collect()
        }
        Some(w) => {
            let mut cumulative = Vec::with_capacity(n);
            let mut total = 0.0;
            for &wi in w {
                total += wi;
                cumulative.push(total);
            }
            let mut picks: Vec<usize> = (0..rows)
                .map(|_| {
                    let target = rng.uniform() * total;
                    // The first customer whose cumulative weight passes the target: never one of
                    // weight 0. Rounding past the end falls back to the last positive weight.
                    let i = cumulative.partition_point(|&c| c <= target);
                    if i < n {
                        i
                    } else {
                        (0..n).rev().find(|&i| w[i] > 0.0).unwrap_or(n - 1)
                    }
                })
                .collect();
            picks.sort_unstable();
            picks
        }
    }
}

/// `k` distinct customers chosen uniformly (Floyd's algorithm), as starting centroids.
pub(super) fn random_init<T: FeatureFloat>(p: &Problem<'_, T>, rng: &mut Rng) -> Vec<f64> {
    let chosen = rng.sample_indices(p.n, p.k);
    let mut c = Vec::with_capacity(p.k * p.d);
    for i in chosen {
        c.extend(p.x[i * p.d..(i + 1) * p.d].iter().map(|v| v.to_f64()));
    }
    c
}

/// Picks the customer at `target` along the cumulative distribution whose per-block totals are
/// `block_pot` and per-customer masses are `weight * closest`; falls back to the last customer
/// with positive mass when rounding runs past the end.
fn pick_by_mass<T>(
    p: &Problem<'_, T>,
    closest: &[f64],
    block_pot: &[f64],
    mut target: f64,
) -> usize {
    let mass = |i: usize| p.weights.map_or(1.0, |w| w[i]) * closest[i];
    for (b, &bp) in block_pot.iter().enumerate() {
        if target < bp {
            let end = ((b + 1) * BLOCK_ROWS).min(p.n);
            for i in b * BLOCK_ROWS..end {
                let m = mass(i);
                if target < m {
                    return i;
                }
                target -= m;
            }
        } else {
            target -= bp;
        }
    }
    (0..p.n).rev().find(|&i| mass(i) > 0.0).unwrap_or(p.n - 1)
}

/// Greedy k-means++ as in scikit-learn: each step draws `2 + ln k` candidates with probability
/// proportional to weight times squared distance to the nearest chosen centroid and keeps the one
/// that lowers the total the most.
pub(super) fn kmeans_plus_plus<T: FeatureFloat>(
    p: &Problem<'_, T>,
    rng: &mut Rng,
    ws: &mut Workspace,
) -> Vec<f64> {
    let (n, d, k) = (p.n, p.d, p.k);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let n_blocks = p.n_blocks();
    // `lower` doubles as the squared distance to the nearest chosen centroid: the Lloyd run that
    // follows resets it.
    let closest = &mut ws.lower;
    let mut block_pot = vec![0.0; n_blocks];
    let mut trial_pot = vec![0.0; n_blocks * trials];
    let mut centroids = Vec::with_capacity(k * d);

    let first = match p.weights {
        Some(w) => rng.weighted(w),
        None => rng.below(n),
    };
    centroids.extend(p.x[first * d..(first + 1) * d].iter().map(|v| v.to_f64()));
    let c0 = &centroids[0..d];
    closest
        .par_chunks_mut(BLOCK_ROWS)
        .zip(p.x.par_chunks(BLOCK_ROWS * d))
        .zip(block_pot.par_iter_mut())
        .enumerate()
        .for_each(|(b, ((cb, xb), pot))| {
            let wb = p.weight_block(b);
            let mut s = 0.0;
            for (i, (ci, row)) in cb.iter_mut().zip(xb.chunks_exact(d)).enumerate() {
                *ci = sq_dist(row, c0);
                s += wb.map_or(1.0, |w| w[i]) * *ci;
            }
            *pot = s;
        });

    // Per block, each candidate's updated distances (`trials` runs of the block's rows), so
    // that the chosen candidate's become `closest` without another read of the matrix.
    let mut cand_closest = vec![0.0; n * trials];
    let mut candidates = vec![0usize; trials];
    for _ in 1..k {
        let total: f64 = block_pot.iter().sum();
        for c in candidates.iter_mut() {
            *c = if total > 0.0 {
                pick_by_mass(p, closest, &block_pot, rng.uniform() * total)
            } else {
                rng.below(n)
            };
        }
        let cands = &candidates;
        let cand_norms: Vec<f64> = candidates
            .iter()
            .map(|&c| dot(&p.x[c * d..(c + 1) * d], &p.x[c * d..(c + 1) * d]))
            .collect();
        let cand_norms = &cand_norms;
        let closest_ro: &[f64] = closest;
        trial_pot
            .par_chunks_mut(trials)
            .zip(cand_closest.par_chunks_mut(BLOCK_ROWS * trials))
            .zip(closest_ro.par_chunks(BLOCK_ROWS))
            .zip(p.x.par_chunks(BLOCK_ROWS * d))
            .enumerate()
            .for_each(|(b, (((tp, cc), cb), xb))| {
                let wb = p.weight_block(b);
                let rows = cb.len();
                tp.iter_mut().for_each(|t| *t = 0.0);
                for (i, (ci, row)) in cb.iter().zip(xb.chunks_exact(d)).enumerate() {
                    let w = wb.map_or(1.0, |w| w[i]);
                    let row_norm = dot(row, row);
                    for (t, &cand) in cands.iter().enumerate() {
                        // |x|² + |c|² - 2 x.c: fewer operations than the difference form; the
                        // rounding it adds is harmless for drawing and ranking candidates.
                        let xc = dot(row, &p.x[cand * d..(cand + 1) * d]);
                        let dist = (row_norm + cand_norms[t] - 2.0 * xc).max(0.0).min(*ci);
                        cc[t * rows + i] = dist;
                        tp[t] += w * dist;
                    }
                }
            });
        let mut best_t = 0;
        let mut best_pot = f64::INFINITY;
        for t in 0..trials {
            let pot: f64 = (0..n_blocks).map(|b| trial_pot[b * trials + t]).sum();
            if pot < best_pot {
                best_pot = pot;
                best_t = t;
            }
        }
        closest
            .par_chunks_mut(BLOCK_ROWS)
            .zip(cand_closest.par_chunks(BLOCK_ROWS * trials))
            .for_each(|(cb, cc)| {
                let rows = cb.len();
                cb.copy_from_slice(&cc[best_t * rows..(best_t + 1) * rows]);
            });
        for (b, pot) in block_pot.iter_mut().enumerate() {
            *pot = trial_pot[b * trials + best_t];
        }
        let pick = candidates[best_t];
        centroids.extend(p.x[pick * d..(pick + 1) * d].iter().map(|v| v.to_f64()));
    }
    centroids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_sorted_in_range_and_distinct_without_weights() {
        let x = vec![0.0; 1_000];
        let p = Problem {
            x: &x,
            n: 1_000,
            d: 1,
            k: 2,
            weights: None,
        };
        let mut rng = Rng::new(1);
        for rows in [1, 10, 999] {
            let picks = draw_sample(&p, &mut rng, rows);
            assert_eq!(picks.len(), rows);
            assert!(picks.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
            assert!(picks.iter().all(|&i| i < 1_000));
        }
    }

    #[test]
    fn weighted_samples_follow_the_weights_and_skip_weight_zero() {
        // Customers 0..100 weigh 0, 100..200 weigh 1 and 200..300 weigh 3.
        let w: Vec<f64> = (0..300).map(|i| [0.0, 1.0, 3.0][i / 100]).collect();
        let x = vec![0.0; 300];
        let p = Problem {
            x: &x,
            n: 300,
            d: 1,
            k: 2,
            weights: Some(&w),
        };
        let picks = draw_sample(&p, &mut Rng::new(2), 40_000);
        assert!(picks.windows(2).all(|w| w[0] <= w[1]), "sorted");
        assert!(picks.iter().all(|&i| (100..300).contains(&i)));
        let heavy = picks.iter().filter(|&&i| i >= 200).count() as f64 / 40_000.0;
        assert!(
            (heavy - 0.75).abs() < 0.01,
            "share of the heavy third {heavy}"
        );
    }
}
