//! The Lloyd iteration with Hamerly bounds, over fixed blocks of customers.

use rayon::prelude::*;

use super::{nearest_ranked, sq_dist, Problem, BLOCK_ROWS};
use crate::segment::FeatureFloat;

/// Marks a customer that has not been assigned yet (first iteration of a run).
const UNASSIGNED: usize = usize::MAX;

/// The Hamerly test keeps a customer's centroid only when its squared distance is below this
/// fraction of the squared bound. The bounds come from square roots, squares and subtractions
/// that each round, and a bound rounded up by one ulp would certify an exact tie as a strict win
/// (a customer at the exact midpoint of `[0, 0]` and `[1, 1]` has distance² 0.5, but
/// `(0.5 * sqrt(2))²` is 0.5000000000000001); the slack makes such customers take the full scan,
/// which breaks ties exactly. It costs a full scan only to customers within 1e-9 of their bound.
const BOUND_SLACK: f64 = 1.0 - 1e-9;

/// Buffers reused by every restart and iteration, so the iteration loop allocates nothing.
pub(super) struct Workspace {
    pub(super) labels: Vec<usize>,
    pub(super) lower: Vec<f64>,
    /// Per block: `k * d` coordinate sums, `k` weight sums, inertia, number of label changes,
    /// `k` customer counts, `k` first customers (as `f64`, `inf` for none).
    partials: Vec<f64>,
    stride: usize,
    sums: Vec<f64>,
    counts: Vec<f64>,
    new_centroids: Vec<f64>,
    half_gap: Vec<f64>,
    drift: Vec<f64>,
    /// Per centroid: its customers and its first customer in the last pass, and its rank in the
    /// order "most customers first, then earliest first customer, then index", which is the
    /// order of the fitted model's segments. Ties between centroids go to the lower rank.
    sizes: Vec<f64>,
    first: Vec<f64>,
    rank: Vec<usize>,
}

impl Workspace {
    pub(super) fn new<T>(p: &Problem<'_, T>) -> Self {
        let stride = p.k * p.d + 3 * p.k + 2;
        Workspace {
            labels: vec![UNASSIGNED; p.n],
            lower: vec![0.0; p.n],
            partials: vec![0.0; p.n_blocks() * stride],
            stride,
            sums: vec![0.0; p.k * p.d],
            counts: vec![0.0; p.k],
            new_centroids: vec![0.0; p.k * p.d],
            half_gap: vec![0.0; p.k],
            drift: vec![0.0; p.k],
            sizes: vec![0.0; p.k],
            first: vec![f64::INFINITY; p.k],
            rank: (0..p.k).collect(),
        }
    }
}

/// The outcome of one restart.
pub(super) struct Run {
    pub(super) centroids: Vec<f64>,
    pub(super) inertia: f64,
    pub(super) n_iter: usize,
    pub(super) converged: bool,
    pub(super) history: Vec<f64>,
}

/// How far the centroids moved in the last update, for loosening the lower bounds.
#[derive(Clone, Copy)]
struct Drift {
    max: f64,
    second: f64,
    argmax: usize,
}

/// The mean of the per-feature variances (unweighted, as scikit-learn), which scales the
/// tolerance. One read of the matrix: each block's mean and squared deviations are taken while
/// the block is in cache, and blocks are merged in order with Chan's formula.
pub(super) fn mean_variance<T: FeatureFloat>(p: &Problem<'_, T>) -> f64 {
    let d = p.d;
    let blocks: Vec<(f64, Vec<f64>, Vec<f64>)> =
        p.x.par_chunks(BLOCK_ROWS * d)
            .map(|xb| {
                let rows = (xb.len() / d) as f64;
                let mut mean = vec![0.0; d];
                for row in xb.chunks_exact(d) {
                    mean.iter_mut().zip(row).for_each(|(m, v)| *m += v.to_f64());
                }
                mean.iter_mut().for_each(|m| *m /= rows);
                let mut m2 = vec![0.0; d];
                for row in xb.chunks_exact(d) {
                    for ((s, v), m) in m2.iter_mut().zip(row).zip(&mean) {
                        let v = v.to_f64();
                        *s += (v - m) * (v - m);
                    }
                }
                (rows, mean, m2)
            })
            .collect();
    let mut count = 0.0;
    let mut mean = vec![0.0; d];
    let mut m2 = vec![0.0; d];
    for (rows, bmean, bm2) in &blocks {
        let total = count + rows;
        for t in 0..d {
            let delta = bmean[t] - mean[t];
            mean[t] += delta * rows / total;
            m2[t] += bm2[t] + delta * delta * count * rows / total;
        }
        count = total;
    }
    m2.iter().sum::<f64>() / (p.n as f64 * d as f64)
}

/// One assignment step over a block: for each customer, the nearest centroid (skipping the full
/// scan when the Hamerly bound proves the current one is still nearest), then its contribution
/// to the block's sums, weight, inertia, change count, customer counts and first customers.
/// Ties go to the centroid of lower `rank`; `start` is the index of the block's first customer.
#[allow(clippy::too_many_arguments)]
fn assign_block<T: FeatureFloat>(
    xb: &[T],
    wb: Option<&[f64]>,
    labels: &mut [usize],
    lower: &mut [f64],
    part: &mut [f64],
    c: &[f64],
    half_gap: &[f64],
    drift: Drift,
    rank: &[usize],
    start: usize,
    d: usize,
    k: usize,
) {
    part.iter_mut().for_each(|v| *v = 0.0);
    let (sums, rest) = part.split_at_mut(k * d);
    let (wsum, rest) = rest.split_at_mut(k);
    let (stats, rest) = rest.split_at_mut(2);
    let (sizes, first) = rest.split_at_mut(k);
    first.iter_mut().for_each(|f| *f = f64::INFINITY);
    let mut inertia = 0.0;
    let mut changed = 0.0;
    let scan = |row: &[T], lower: &mut f64| {
        let (j, best, second) = nearest_ranked(row, c, d, rank);
        *lower = second.sqrt();
        (j, best)
    };
    for (i, row) in xb.chunks_exact(d).enumerate() {
        let a = labels[i];
        let w = wb.map_or(1.0, |w| w[i]);
        let (label, dist) = if a == UNASSIGNED {
            scan(row, &mut lower[i])
        } else {
            let loosen = if a == drift.argmax {
                drift.second
            } else {
                drift.max
            };
            lower[i] -= loosen;
            let da2 = sq_dist(row, &c[a * d..(a + 1) * d]);
            // Strict, with a rounding slack: on a tie the full scan decides, so ties always go
            // to the lower index. Squared on both sides (the bound is >= 0 after `max`), which
            // spares a square root.
            let bound = half_gap[a].max(lower[i]);
            if da2 < bound * bound * BOUND_SLACK {
                (a, da2)
            } else {
                scan(row, &mut lower[i])
            }
        };
        if label != a {
            changed += 1.0;
            labels[i] = label;
        }
        inertia += w * dist;
        wsum[label] += w;
        sizes[label] += 1.0;
        if first[label].is_infinite() {
            first[label] = (start + i) as f64;
        }
        for (s, v) in sums[label * d..(label + 1) * d].iter_mut().zip(row) {
            *s += w * v.to_f64();
        }
    }
    stats[0] = inertia;
    stats[1] = changed;
}

/// One parallel assignment pass, ties to the lower `ws.rank`; returns (inertia, changes), leaves
/// the summed partials in `ws.sums` / `ws.counts` / `ws.sizes` / `ws.first` and does not update
/// `ws.rank` (see [`update_rank`]).
fn assign_pass<T: FeatureFloat>(
    p: &Problem<'_, T>,
    c: &[f64],
    drift: Drift,
    ws: &mut Workspace,
) -> (f64, f64) {
    let (d, k) = (p.d, p.k);
    // Half the distance from each centroid to its nearest other centroid.
    for (j, hg) in ws.half_gap.iter_mut().enumerate() {
        let cj = &c[j * d..(j + 1) * d];
        let m = c
            .chunks_exact(d)
            .enumerate()
            .filter(|&(o, _)| o != j)
            .map(|(_, co)| sq_dist(cj, co))
            .fold(f64::INFINITY, f64::min);
        *hg = 0.5 * m.sqrt();
    }
    let half_gap = &ws.half_gap;
    let rank = &ws.rank;
    let stride = ws.stride;
    p.x.par_chunks(BLOCK_ROWS * d)
        .zip(ws.labels.par_chunks_mut(BLOCK_ROWS))
        .zip(ws.lower.par_chunks_mut(BLOCK_ROWS))
        .zip(ws.partials.par_chunks_mut(stride))
        .enumerate()
        .for_each(|(b, (((xb, lb), lowb), part))| {
            assign_block(
                xb,
                p.weight_block(b),
                lb,
                lowb,
                part,
                c,
                half_gap,
                drift,
                rank,
                b * BLOCK_ROWS,
                d,
                k,
            );
        });
    ws.sums.iter_mut().for_each(|v| *v = 0.0);
    ws.counts.iter_mut().for_each(|v| *v = 0.0);
    ws.sizes.iter_mut().for_each(|v| *v = 0.0);
    ws.first.iter_mut().for_each(|v| *v = f64::INFINITY);
    let (mut inertia, mut changed) = (0.0, 0.0);
    for part in ws.partials.chunks_exact(stride) {
        for (s, v) in ws.sums.iter_mut().zip(&part[..k * d]) {
            *s += v;
        }
        for (s, v) in ws.counts.iter_mut().zip(&part[k * d..k * d + k]) {
            *s += v;
        }
        inertia += part[k * d + k];
        changed += part[k * d + k + 1];
        let tail = &part[k * d + k + 2..];
        for (s, v) in ws.sizes.iter_mut().zip(&tail[..k]) {
            *s += v;
        }
        for (f, v) in ws.first.iter_mut().zip(&tail[k..]) {
            *f = f.min(*v);
        }
    }
    (inertia, changed)
}

/// Ranks the centroids from `ws.sizes` and `ws.first` (most customers first, then earliest first
/// customer, then index: the order [`super::KMeansModel::renumbered`] gives the segments); returns
/// whether the rank changed.
fn update_rank(ws: &mut Workspace, order: &mut [usize]) -> bool {
    let (sizes, first) = (&ws.sizes, &ws.first);
    order.iter_mut().enumerate().for_each(|(j, o)| *o = j);
    order.sort_by(|&a, &b| {
        sizes[b]
            .total_cmp(&sizes[a])
            .then(first[a].total_cmp(&first[b]))
            .then(a.cmp(&b))
    });
    let mut changed = false;
    for (r, &j) in order.iter().enumerate() {
        changed |= ws.rank[j] != r;
        ws.rank[j] = r;
    }
    changed
}

/// Moves the customers farthest from their centroids into the empty clusters (as scikit-learn
/// does). Runs only when a cluster is empty, so its allocation is outside the common path.
fn reseed_empty<T: FeatureFloat>(p: &Problem<'_, T>, c: &[f64], ws: &mut Workspace) {
    let (d, k) = (p.d, p.k);
    let empty: Vec<usize> = (0..k).filter(|&j| ws.counts[j] <= 0.0).collect();
    if empty.is_empty() {
        return;
    }
    let labels = &ws.labels;
    let mut far: Vec<(f64, usize)> =
        p.x.par_chunks(d)
            .enumerate()
            .map(|(i, row)| {
                let l = labels[i];
                (sq_dist(row, &c[l * d..(l + 1) * d]), i)
            })
            .collect();
    // Farthest first; ties to the lower index, so the choice is deterministic.
    far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (&e, &(_, i)) in empty.iter().zip(&far) {
        let old = ws.labels[i];
        let w = p.weights.map_or(1.0, |w| w[i]);
        let row = &p.x[i * d..(i + 1) * d];
        for (j, v) in row.iter().enumerate() {
            let v = v.to_f64();
            ws.sums[old * d + j] -= w * v;
            ws.sums[e * d + j] = w * v;
        }
        ws.counts[old] -= w;
        ws.counts[e] = w;
        ws.sizes[old] -= 1.0;
        ws.sizes[e] = 1.0;
        ws.labels[i] = e;
        // The bound covered every centroid but the old one; the next pass must scan in full.
        ws.lower[i] = 0.0;
    }
    // The moved customers change first customers (rare path: one read of the labels).
    ws.first.iter_mut().for_each(|f| *f = f64::INFINITY);
    for (i, &l) in ws.labels.iter().enumerate() {
        if ws.first[l].is_infinite() {
            ws.first[l] = i as f64;
        }
    }
}

/// One Lloyd run from `init` (k x d, row-major) to convergence or `max_iter`.
pub(super) fn lloyd<T: FeatureFloat>(
    p: &Problem<'_, T>,
    init: Vec<f64>,
    max_iter: usize,
    tol_abs: f64,
    ws: &mut Workspace,
) -> Run {
    let (d, k) = (p.d, p.k);
    let mut c = init;
    ws.labels.iter_mut().for_each(|l| *l = UNASSIGNED);
    ws.lower.iter_mut().for_each(|l| *l = 0.0);
    ws.rank.iter_mut().enumerate().for_each(|(j, r)| *r = j);
    let mut order: Vec<usize> = (0..k).collect();
    let mut drift = Drift {
        max: 0.0,
        second: 0.0,
        argmax: 0,
    };
    let mut history = Vec::with_capacity(max_iter.min(1024) + 1);
    let mut n_iter = 0;
    let mut converged = false;
    while n_iter < max_iter {
        let (inertia, changed) = assign_pass(p, &c, drift, ws);
        history.push(inertia);
        n_iter += 1;
        if ws.counts.iter().any(|&w| w <= 0.0) {
            reseed_empty(p, &c, ws);
        }
        // The next pass breaks ties by this pass's segment order, so that at convergence the
        // labels break their ties by their own order, the model's.
        let rank_changed = update_rank(ws, &mut order);
        for j in 0..k {
            let cnt = ws.counts[j];
            for t in 0..d {
                ws.new_centroids[j * d + t] = if cnt > 0.0 {
                    ws.sums[j * d + t] / cnt
                } else {
                    c[j * d + t]
                };
            }
        }
        let mut shift = 0.0;
        drift = Drift {
            max: 0.0,
            second: 0.0,
            argmax: 0,
        };
        for j in 0..k {
            let m2 = sq_dist(
                &c[j * d..(j + 1) * d],
                &ws.new_centroids[j * d..(j + 1) * d],
            );
            shift += m2;
            ws.drift[j] = m2.sqrt();
            if ws.drift[j] > drift.max {
                drift.second = drift.max;
                drift.max = ws.drift[j];
                drift.argmax = j;
            } else if ws.drift[j] > drift.second {
                drift.second = ws.drift[j];
            }
        }
        c.copy_from_slice(&ws.new_centroids);
        if (changed == 0.0 && !rank_changed && n_iter > 1) || shift <= tol_abs {
            converged = true;
            break;
        }
    }
    // A final assignment so that labels are the nearest centroids of the returned centroids and
    // the inertia is exact for them. After a converged run it changes nothing and the rank it
    // used is its own labels' order. Otherwise ties may break by a stale rank: assign again with
    // the centroids fixed until the rank settles (each repeat moves only tied customers, towards
    // larger segments, so the sorted sizes grow in majorization order and this ends).
    let mut inertia;
    loop {
        (inertia, _) = assign_pass(p, &c, drift, ws);
        drift = Drift {
            max: 0.0,
            second: 0.0,
            argmax: 0,
        };
        if !update_rank(ws, &mut order) {
            break;
        }
    }
    history.push(inertia);
    Run {
        centroids: c,
        inertia,
        n_iter,
        converged,
        history,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A customer at the exact midpoint of two centroids, labelled with the higher one: the
    /// half-gap bound `0.5 * sqrt(2)` squares to 0.5000000000000001 > 0.5, which without the
    /// slack would keep the higher index. The full scan must run and pick the lower index.
    #[test]
    fn hamerly_bound_rounding_never_settles_an_exact_tie() {
        let x = [0.5, 0.5];
        let p = Problem {
            x: &x,
            n: 1,
            d: 2,
            k: 2,
            weights: None,
        };
        let mut ws = Workspace::new(&p);
        ws.labels[0] = 1;
        ws.lower[0] = 0.0;
        let still = Drift {
            max: 0.0,
            second: 0.0,
            argmax: 0,
        };
        let c = [0.0, 0.0, 1.0, 1.0];
        let (inertia, changed) = assign_pass(&p, &c, still, &mut ws);
        assert_eq!(ws.labels[0], 0);
        assert_eq!((inertia, changed), (0.5, 1.0));
        // The full scan ran: the bound is the distance to the other, tied centroid.
        assert_eq!(ws.lower[0], 0.5f64.sqrt());
    }
}
