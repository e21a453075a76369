//! DBSCAN segmentation: exact, parallel, deterministic.
//!
//! Definitions (Ester et al. 1996, as in scikit-learn): the neighbourhood of a customer is every
//! customer within distance `eps` **including itself** (distance `<= eps`); a customer is a
//! *core* customer when its neighbourhood holds at least `min_points` customers; core customers
//! within `eps` of each other are in the same segment (transitively); a non-core customer within
//! `eps` of a core customer is a *border* customer and joins a segment of one of them; everyone
//! else is noise (no segment).
//!
//! The textbook algorithm gives a border customer to whichever segment reaches it first, which
//! depends on the visiting order. Here a border customer joins the segment of its **lowest-index**
//! core neighbour, so the result depends only on the data; a fitted [`DbscanModel`] assigns a new
//! customer by the same rule, so a training customer gets its training segment back.
//!
//! This file holds the parameters, the fit and [`suggest_eps`]; `index.rs` the kd-tree and
//! `model.rs` the fitted model.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::ArrayView2;
use rayon::prelude::*;

mod index;
mod model;
#[cfg(test)]
mod tests;

pub use self::model::DbscanModel;

use self::index::Index;
use super::kmeans::sq_dist;
use super::{check_features, Features, Fitted, SegmentId, Segmentation};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Points per block of parallel work.
pub(super) const BLOCK: usize = 1024;

/// DBSCAN: segments are dense regions of customers; customers in sparse regions are in none.
///
/// `eps` is the neighbourhood radius (Euclidean, in feature units) and `min_points` the number of
/// customers, **counting the customer itself**, that a neighbourhood needs for its centre to be a
/// core customer. This is the textbook and scikit-learn convention and also what
/// linfa-clustering's `Dbscan::params(min_points)` counts; both take neighbours at a distance of
/// at most `eps`. See the module docs for the full definition and [`suggest_eps`] for choosing
/// `eps`.
///
/// ```
/// use ndarray::array;
/// use personas::Dbscan;
///
/// let x = array![[0.0, 0.0], [0.0, 0.5], [0.5, 0.0], [9.0, 9.0], [9.0, 9.5], [9.5, 9.0], [50.0, 50.0]];
/// let fitted = Dbscan::new(1.0, 3).fit(x.view())?;
/// assert_eq!(fitted.segmentation().n_segments(), 2);
/// assert_eq!(fitted.labels()[6], None); // the outlier is in no segment
/// // A new customer near the second group joins it; one far from both fits neither.
/// let new = array![[9.2, 9.2], [20.0, 20.0]];
/// assert_eq!(fitted.predict(new.view())?, [fitted.labels()[3], None]);
/// # Ok::<(), personas::Error>(())
/// ```
///
/// ## Parallelisation
/// Neighbourhood queries (counting neighbours, linking core customers, assigning border
/// customers) run in parallel with rayon over blocks of customers, through a kd-tree (median
/// splits, bounding-box pruning, exact distance check on candidates). Core customers are linked
/// with a lock-free union-find whose result does not depend on the order of the links, so the
/// segments are the same for any number of threads. Building the kd-tree is sequential.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dbscan {
    eps: f64,
    min_points: usize,
}

impl Dbscan {
    /// DBSCAN with neighbourhood radius `eps` and `min_points` customers (itself included) to make
    /// a core customer.
    pub fn new(eps: f64, min_points: usize) -> Self {
        Dbscan { eps, min_points }
    }

    /// The neighbourhood radius.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// The neighbourhood size (itself included) that makes a core customer.
    pub fn min_points(&self) -> usize {
        self.min_points
    }

    /// Checks the hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `eps` is not a finite number above 0 or `min_points` is 0.
    pub fn check(&self) -> Result<()> {
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "eps",
                value: self.eps.to_string(),
                reason: "the neighbourhood radius must be a finite number above 0 \
                         (personas::segment::suggest_eps can propose one)",
            });
        }
        if self.min_points == 0 {
            return Err(Error::InvalidParameter {
                name: "min_points",
                value: "0".into(),
                reason: "a neighbourhood counts the customer itself, so min_points must be >= 1",
            });
        }
        Ok(())
    }

    /// Runs DBSCAN on the customers in the rows of `features`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for bad hyperparameters (see [`Dbscan::check`]),
    /// [`Error::NoRows`] or [`Error::NoFeatures`] for an empty matrix and
    /// [`Error::NonFiniteFeature`] for NaN or infinite values.
    pub fn fit<'a>(&self, features: impl Into<Features<'a>>) -> Result<Fitted<DbscanModel>> {
        // The index and the model work in f64: an f32 matrix is widened (see `Precision`).
        let widened = features.into().matrix().to_f64();
        let features = widened.view();
        self.check()?;
        check_features(features)?;
        let data = features.as_standard_layout();
        let x = data.as_slice().ok_or(Error::Clustering(
            "internal: a standard-layout matrix has no contiguous slice".into(),
        ))?;
        let (n, d) = features.dim();
        if self.min_points > n {
            // No customer can have min_points neighbours: all are noise. Answer at once rather
            // than scanning neighbourhoods (quadratic on many identical customers).
            let model = DbscanModel::new(self.eps, self.min_points, d, vec![], &[], vec![], 0);
            return Ok(Fitted::new(
                model,
                Segmentation::new(vec![None; n], None, None)?,
            ));
        }
        let eps2 = self.eps * self.eps;
        let index = Index::new(x, n, d);
        let m = index.order.len();

        let leaves = index.leaves();
        let mut leaf_of = vec![0usize; m];
        for (l, &id) in leaves.iter().enumerate() {
            let node = index.nodes[id];
            leaf_of[node.start..node.end].fill(l);
        }
        // A leaf whose box fits in the eps-ball of each of its points ("tight") holds customers
        // that are all neighbours of one another.
        let tight: Vec<bool> = leaves
            .iter()
            .map(|&id| index.diameter2(id) <= eps2)
            .collect();

        // 1. Core customers, by storage position. In a tight leaf of at least `min_points`
        // customers every one is core without a query.
        let mut core = vec![false; m];
        core.par_chunks_mut(BLOCK).enumerate().for_each(|(b, cb)| {
            for (o, c) in cb.iter_mut().enumerate() {
                let p = b * BLOCK + o;
                let leaf = index.nodes[leaves[leaf_of[p]]];
                if tight[leaf_of[p]] && leaf.end - leaf.start >= self.min_points {
                    *c = true;
                    continue;
                }
                // The own leaf first: in dense regions it usually settles the count alone.
                let q = index.point(p);
                let mut count = (leaf.start..leaf.end)
                    .filter(|&o| sq_dist(q, index.point(o)) <= eps2)
                    .take(self.min_points)
                    .count();
                if count < self.min_points {
                    index.visit(q, eps2, |o| {
                        if o < leaf.start || o >= leaf.end {
                            count += 1;
                        }
                        count < self.min_points
                    });
                }
                *c = count >= self.min_points;
            }
        });

        // 2. Link core customers within eps of each other, leaf by leaf: first inside each leaf,
        // then between pairs of leaves whose boxes are within eps. A pair of leaves whose core
        // customers are already known to be in one segment is skipped without a distance
        // computation, which is what keeps dense data cheap. Which pairs get skipped depends on
        // timing, but the segments (connected components) do not.
        let parent: Vec<AtomicUsize> = (0..m).map(AtomicUsize::new).collect();
        let cores_in = |id: usize| {
            let node = index.nodes[id];
            (node.start..node.end).filter(|&p| core[p])
        };
        let uniform: Vec<bool> = leaves
            .par_iter()
            .enumerate()
            .map(|(l, &id)| {
                let Some(rep) = cores_in(id).next() else {
                    return true;
                };
                if tight[l] {
                    cores_in(id).for_each(|p| union(&parent, rep, p));
                    return true;
                }
                for p in cores_in(id) {
                    for q in cores_in(id).take_while(|&q| q < p) {
                        if sq_dist(index.point(p), index.point(q)) <= eps2 {
                            union(&parent, p, q);
                        }
                    }
                }
                let root = find(&parent, rep);
                cores_in(id).all(|p| find(&parent, p) == root)
            })
            .collect();
        leaves.par_iter().enumerate().for_each(|(la, &a)| {
            let Some(rep_a) = cores_in(a).next() else {
                return;
            };
            // A root of `a`'s segment, refreshed only when a comparison fails.
            let mut root_a = find(&parent, rep_a);
            index.visit_leaves_after(a, eps2, |b| {
                if b <= a {
                    return;
                }
                let Some(rep_b) = cores_in(b).next() else {
                    return;
                };
                let both_uniform = uniform[la] && uniform[leaf_of[rep_b]];
                if both_uniform {
                    let root_b = find(&parent, rep_b);
                    if root_b == root_a {
                        return;
                    }
                    root_a = find(&parent, rep_a);
                    if root_b == root_a {
                        return;
                    }
                }
                if index.max_gap2(a, b) <= eps2 {
                    cores_in(a).for_each(|p| union(&parent, p, rep_b));
                    cores_in(b).for_each(|q| union(&parent, q, rep_a));
                    return;
                }
                for p in cores_in(a) {
                    for q in cores_in(b) {
                        if sq_dist(index.point(p), index.point(q)) <= eps2 {
                            union(&parent, p, q);
                            if both_uniform {
                                return;
                            }
                        }
                    }
                }
            });
        });

        // 3. Border customers join their lowest-index core neighbour's segment.
        let mut root = vec![usize::MAX; m];
        root.par_chunks_mut(BLOCK).enumerate().for_each(|(b, rb)| {
            for (o, r) in rb.iter_mut().enumerate() {
                let p = b * BLOCK + o;
                if core[p] {
                    *r = find(&parent, p);
                } else {
                    let mut best: Option<usize> = None;
                    index.visit(index.point(p), eps2, |q| {
                        if core[q] && !matches!(best, Some(b) if index.order[b] <= index.order[q]) {
                            best = Some(q);
                        }
                        true
                    });
                    if let Some(q) = best {
                        *r = find(&parent, q);
                    }
                }
            }
        });

        // Back to input order, with raw labels numbered by first appearance.
        let mut raw = vec![None; n];
        let mut is_core = vec![false; n];
        let mut id_of_root: HashMap<usize, usize> = HashMap::new();
        let mut pos_of = vec![0usize; n];
        for (p, &i) in index.order.iter().enumerate() {
            pos_of[i] = p;
        }
        for i in 0..n {
            let p = pos_of[i];
            is_core[i] = core[p];
            if root[p] != usize::MAX {
                let next = id_of_root.len();
                raw[i] = Some(*id_of_root.entry(root[p]).or_insert(next));
            }
        }
        let segmentation = Segmentation::new(raw, None, None)?;

        let core_rows: Vec<usize> = (0..n).filter(|&i| is_core[i]).collect();
        let mut core_x = Vec::with_capacity(core_rows.len() * d);
        for &i in &core_rows {
            core_x.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
        let core_labels: Vec<SegmentId> = core_rows
            .iter()
            .map(|&i| {
                segmentation.labels()[i].ok_or(Error::Clustering(
                    "internal: a core customer is in no segment".into(),
                ))
            })
            .collect::<Result<_>>()?;
        let model = DbscanModel::new(
            self.eps,
            self.min_points,
            d,
            core_rows,
            &core_x,
            core_labels,
            segmentation.n_segments(),
        );
        Ok(Fitted::new(model, segmentation))
    }

    /// The segmentation alone (the fitted model is dropped); see [`Dbscan::fit`].
    ///
    /// # Errors
    /// As [`Dbscan::fit`].
    pub fn segment<'a>(&self, features: impl Into<Features<'a>>) -> Result<Segmentation> {
        Ok(self.fit(features)?.into_segmentation())
    }
}

/// Proposes `eps` for [`Dbscan`] from the k-distance curve: the distance from each customer to
/// its `min_points`-th nearest customer (itself counted first, so that `eps` equal to it makes the
/// customer core), sorted; the proposal is the knee of that curve, the point farthest below the
/// straight line from its first to its last point once both axes are scaled to `[0, 1]`. Customers
/// before the knee are in dense regions, those after it are outliers.
///
/// For more than 1,000 customers the curve is taken over a seeded sample of 1,000 of them (their
/// distances are still to all customers), which keeps the cost at `O(1000 n d)`.
///
/// # Errors
/// [`Error::InvalidParameter`] when `min_points` is 0 or above the number of customers, and the
/// errors of an empty or non-finite matrix.
///
/// ## Parallelisation
/// The nearest-neighbour distances are computed in parallel over the sampled customers.
pub fn suggest_eps(features: ArrayView2<'_, f64>, min_points: usize) -> Result<f64> {
    check_features(features)?;
    let (n, d) = features.dim();
    if min_points == 0 || min_points > n {
        return Err(Error::InvalidParameter {
            name: "min_points",
            value: min_points.to_string(),
            reason: "min_points must be between 1 and the number of customers",
        });
    }
    let data = features.as_standard_layout();
    let x = data.as_slice().ok_or(Error::Clustering(
        "internal: a standard-layout matrix has no contiguous slice".into(),
    ))?;
    const SAMPLE: usize = 1000;
    let queries: Vec<usize> = if n <= SAMPLE {
        (0..n).collect()
    } else {
        let mut picks = Rng::new(0).sample_indices(n, SAMPLE);
        picks.sort_unstable();
        picks
    };
    let mut kdist: Vec<f64> = queries
        .par_iter()
        .map(|&qi| {
            let q = &x[qi * d..(qi + 1) * d];
            // The `min_points` smallest squared distances, kept sorted ascending.
            let mut best = vec![f64::INFINITY; min_points];
            for row in x.chunks_exact(d) {
                let d2 = sq_dist(q, row);
                if d2 < best[min_points - 1] {
                    let at = best.partition_point(|&b| b <= d2);
                    best.insert(at, d2);
                    best.pop();
                }
            }
            best[min_points - 1].sqrt()
        })
        .collect();
    kdist.sort_by(f64::total_cmp);
    let (lo, hi) = (kdist[0], kdist[kdist.len() - 1]);
    if hi <= lo {
        // A flat curve: every customer has its neighbours at the same distance.
        return Ok(if hi > 0.0 { hi } else { f64::EPSILON });
    }
    let last = (kdist.len() - 1).max(1) as f64;
    let knee = kdist
        .iter()
        .enumerate()
        .map(|(i, &y)| (i as f64 / last - (y - lo) / (hi - lo), i))
        .fold((f64::NEG_INFINITY, 0), |a, b| if b.0 > a.0 { b } else { a })
        .1;
    Ok(if kdist[knee] > 0.0 {
        kdist[knee]
    } else {
        // Duplicates up to the knee: take the first positive distance instead.
        kdist
            .iter()
            .copied()
            .find(|&v| v > 0.0)
            .unwrap_or(f64::EPSILON)
    })
}

/// The find of a lock-free union-find whose roots are always the smallest index of their set.
fn find(parent: &[AtomicUsize], mut p: usize) -> usize {
    loop {
        let q = parent[p].load(Ordering::Acquire);
        if q == p {
            return p;
        }
        let g = parent[q].load(Ordering::Acquire);
        // Path halving; a failed exchange only means someone else shortened the path first.
        let _ = parent[p].compare_exchange(q, g, Ordering::AcqRel, Ordering::Acquire);
        p = q;
    }
}

/// Links the sets of `a` and `b`, hanging the larger root under the smaller.
fn union(parent: &[AtomicUsize], a: usize, b: usize) {
    let (mut a, mut b) = (a, b);
    loop {
        a = find(parent, a);
        b = find(parent, b);
        if a == b {
            return;
        }
        if a < b {
            std::mem::swap(&mut a, &mut b);
        }
        if parent[a]
            .compare_exchange(a, b, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return;
        }
    }
}
