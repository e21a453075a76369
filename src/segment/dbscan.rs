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
//! core neighbour, so the result depends only on the data.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::kmeans::sq_dist;
use super::{check_features, Segmentation, Segmenter};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Points per block of parallel work.
const BLOCK: usize = 1024;

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
/// use personas::{Dbscan, Segmenter};
///
/// let x = array![[0.0, 0.0], [0.0, 0.5], [0.5, 0.0], [9.0, 9.0], [9.0, 9.5], [9.5, 9.0], [50.0, 50.0]];
/// let segments = Dbscan::new(1.0, 3).segment(x.view())?;
/// assert_eq!(segments.n_segments(), 2);
/// assert_eq!(segments.labels()[6], None); // the outlier is in no segment
/// # Ok::<(), personas::Error>(())
/// ```
///
/// ## Parallelisation
/// Neighbourhood queries (counting neighbours, linking core customers, assigning border
/// customers) run in parallel with rayon over blocks of customers, through a kd-tree (median
/// splits, bounding-box pruning, exact distance check on candidates). Core customers are linked
/// with a lock-free union-find whose result does not depend on the order of the links, so the
/// segments are the same for any number of threads. Building the kd-tree is sequential.
#[derive(Debug, Clone, PartialEq)]
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
    pub fn fit(&self, features: ArrayView2<'_, f64>) -> Result<DbscanModel> {
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
            return Ok(DbscanModel {
                eps: self.eps,
                d,
                segmentation: Segmentation::new(vec![None; n], None, None)?,
                is_core: vec![false; n],
                core_labels: Vec::new(),
                core_index: Index::new(&[], 0, d),
            });
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

        let core_idx: Vec<usize> = (0..n).filter(|&i| is_core[i]).collect();
        let mut core_x = Vec::with_capacity(core_idx.len() * d);
        for &i in &core_idx {
            core_x.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
        let core_labels: Vec<usize> = core_idx
            .iter()
            .map(|&i| segmentation.labels()[i].unwrap_or(usize::MAX))
            .collect();
        let core_index = Index::new(&core_x, core_idx.len(), d);
        Ok(DbscanModel {
            eps: self.eps,
            d,
            segmentation,
            is_core,
            core_labels,
            core_index,
        })
    }
}

impl Segmenter for Dbscan {
    /// Runs DBSCAN and returns its segmentation; see [`Dbscan::fit`].
    fn segment(&self, features: ArrayView2<'_, f64>) -> Result<Segmentation> {
        Ok(self.fit(features)?.into_segmentation())
    }
}

/// A fitted DBSCAN: the training segmentation, which customers are core, and an index over the
/// core customers to assign new customers with [`DbscanModel::predict`].
#[derive(Debug, Clone)]
pub struct DbscanModel {
    eps: f64,
    d: usize,
    segmentation: Segmentation,
    is_core: Vec<bool>,
    core_labels: Vec<usize>,
    core_index: Index,
}

impl DbscanModel {
    /// The segment of each training customer (segment 0 is the largest), `None` for noise.
    pub fn labels(&self) -> &[Option<usize>] {
        self.segmentation.labels()
    }

    /// Whether each training customer is a core customer.
    pub fn is_core(&self) -> &[bool] {
        &self.is_core
    }

    /// The number of core customers.
    pub fn n_core(&self) -> usize {
        self.core_labels.len()
    }

    /// The number of segments found.
    pub fn n_segments(&self) -> usize {
        self.segmentation.n_segments()
    }

    /// The training segmentation.
    pub fn segmentation(&self) -> &Segmentation {
        &self.segmentation
    }

    /// The training segmentation, by value.
    pub fn into_segmentation(self) -> Segmentation {
        self.segmentation
    }

    /// The segment of the nearest core customer within `eps` of each row of `features` (ties to
    /// the lower training index), or `None` when no core customer is that close.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the number of columns differs from the training data, and
    /// the errors of an empty or non-finite matrix.
    pub fn predict(&self, features: ArrayView2<'_, f64>) -> Result<Vec<Option<usize>>> {
        check_features(features)?;
        if features.ncols() != self.d {
            return Err(Error::ShapeMismatch {
                what: "feature columns of the fitted model",
                expected: self.d,
                found: features.ncols(),
            });
        }
        let mut out = vec![None; features.nrows()];
        self.predict_into(features, &mut out);
        Ok(out)
    }

    /// [`DbscanModel::predict`] without the checks, into `out` (one slot per row); for the
    /// linfa traits, which cannot return errors. Non-finite rows get no segment.
    ///
    /// # Panics
    /// When the column count differs from the training data or `out` has the wrong length.
    pub(crate) fn predict_into(&self, features: ArrayView2<'_, f64>, out: &mut [Option<usize>]) {
        assert_eq!(
            features.ncols(),
            self.d,
            "feature columns of the fitted model"
        );
        assert_eq!(features.nrows(), out.len(), "one output slot per row");
        let data = features.as_standard_layout();
        let Some(x) = data.as_slice() else {
            unreachable!("standard-layout matrices are contiguous")
        };
        let eps2 = self.eps * self.eps;
        let g = &self.core_index;
        out.par_chunks_mut(BLOCK)
            .zip(x.par_chunks(BLOCK * self.d.max(1)))
            .for_each(|(ob, xb)| {
                for (o, q) in ob.iter_mut().zip(xb.chunks_exact(self.d.max(1))) {
                    let mut best: Option<(f64, usize)> = None;
                    g.visit_dist(q, eps2, |p, d2| {
                        let i = g.order[p];
                        if !matches!(best, Some((bd, bi)) if (bd, bi) <= (d2, i)) {
                            best = Some((d2, i));
                        }
                        true
                    });
                    *o = best.map(|(_, i)| self.core_labels[i]);
                }
            });
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

/// Points per leaf of the kd-tree.
const LEAF: usize = 32;

/// A kd-tree over the points (median splits on the widest dimension, a bounding box per node),
/// with the points stored in tree order so that a leaf is contiguous memory. Queries prune every
/// node whose box is farther than `eps`, then check candidates with the exact distance.
#[derive(Debug, Clone)]
struct Index {
    d: usize,
    /// Input index of each stored point.
    order: Vec<usize>,
    /// The points' coordinates, in storage order.
    points: Vec<f64>,
    nodes: Vec<Node>,
    /// Per node, the box's lower then upper corner (`2 d` values).
    boxes: Vec<f64>,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    start: usize,
    end: usize,
    /// Children, or `None` for a leaf.
    children: Option<(usize, usize)>,
    /// One past the largest node id in this node's subtree (ids are in depth-first order).
    subtree_end: usize,
}

impl Index {
    fn new(x: &[f64], n: usize, d: usize) -> Self {
        let mut index = Index {
            d,
            order: (0..n).collect(),
            points: Vec::with_capacity(n * d),
            nodes: Vec::with_capacity(2 * n.div_ceil(LEAF) + 1),
            boxes: Vec::with_capacity((2 * n.div_ceil(LEAF) + 1) * 2 * d),
        };
        if n > 0 {
            index.build(x, 0, n);
        }
        for &i in &index.order {
            index.points.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
        index
    }

    fn build(&mut self, x: &[f64], start: usize, end: usize) -> usize {
        let d = self.d;
        let id = self.nodes.len();
        self.nodes.push(Node {
            start,
            end,
            children: None,
            subtree_end: id + 1,
        });
        let at = self.boxes.len();
        self.boxes.resize(at + 2 * d, 0.0);
        let (lo, hi) = self.boxes[at..].split_at_mut(d);
        lo.fill(f64::INFINITY);
        hi.fill(f64::NEG_INFINITY);
        for &i in &self.order[start..end] {
            for t in 0..d {
                lo[t] = lo[t].min(x[i * d + t]);
                hi[t] = hi[t].max(x[i * d + t]);
            }
        }
        let (dim, width) = (0..d)
            .map(|t| (t, hi[t] - lo[t]))
            .fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
        if end - start <= LEAF || width <= 0.0 {
            return id;
        }
        let mid = start + (end - start) / 2;
        self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            x[a * d + dim].total_cmp(&x[b * d + dim]).then(a.cmp(&b))
        });
        let left = self.build(x, start, mid);
        let right = self.build(x, mid, end);
        self.nodes[id].children = Some((left, right));
        self.nodes[id].subtree_end = self.nodes.len();
        id
    }

    fn point(&self, p: usize) -> &[f64] {
        &self.points[p * self.d..(p + 1) * self.d]
    }

    /// The node ids of the leaves, in storage order.
    fn leaves(&self) -> Vec<usize> {
        let mut leaves: Vec<usize> = (0..self.nodes.len())
            .filter(|&id| self.nodes[id].children.is_none())
            .collect();
        leaves.sort_by_key(|&id| self.nodes[id].start);
        leaves
    }

    fn bounds(&self, id: usize) -> (&[f64], &[f64]) {
        self.boxes[id * 2 * self.d..(id + 1) * 2 * self.d].split_at(self.d)
    }

    /// The squared diagonal of a node's box.
    fn diameter2(&self, id: usize) -> f64 {
        let (lo, hi) = self.bounds(id);
        lo.iter().zip(hi).map(|(l, h)| (h - l) * (h - l)).sum()
    }

    /// The squared largest distance between points of two nodes' boxes.
    fn max_gap2(&self, a: usize, b: usize) -> f64 {
        let ((alo, ahi), (blo, bhi)) = (self.bounds(a), self.bounds(b));
        (0..self.d)
            .map(|t| {
                let g = (bhi[t] - alo[t]).max(ahi[t] - blo[t]);
                g * g
            })
            .sum()
    }

    /// The squared smallest distance between points of two nodes' boxes.
    fn min_gap2(&self, a: usize, b: usize) -> f64 {
        let ((alo, ahi), (blo, bhi)) = (self.bounds(a), self.bounds(b));
        (0..self.d)
            .map(|t| {
                let g = (blo[t] - ahi[t]).max(alo[t] - bhi[t]).max(0.0);
                g * g
            })
            .sum()
    }

    /// Calls `f(leaf node id)` for every leaf after node `a` (in id order) whose box is within
    /// `sqrt(eps2)` of node `a`'s.
    fn visit_leaves_after(&self, a: usize, eps2: f64, mut f: impl FnMut(usize)) {
        let mut stack = [0usize; 130];
        let mut top = 1;
        while top > 0 {
            top -= 1;
            let id = stack[top];
            if self.nodes[id].subtree_end <= a + 1 || self.min_gap2(a, id) > eps2 {
                continue;
            }
            match self.nodes[id].children {
                Some((l, r)) => {
                    stack[top] = r;
                    stack[top + 1] = l;
                    top += 2;
                }
                None => f(id),
            }
        }
    }

    /// Calls `f(position)` for every stored point within `sqrt(eps2)` of `q` until it returns
    /// `false`.
    fn visit(&self, q: &[f64], eps2: f64, mut f: impl FnMut(usize) -> bool) {
        self.visit_dist(q, eps2, |p, _| f(p));
    }

    /// As [`Index::visit`], also passing the squared distance.
    fn visit_dist(&self, q: &[f64], eps2: f64, mut f: impl FnMut(usize, f64) -> bool) {
        if self.nodes.is_empty() {
            return;
        }
        let d = self.d;
        // The depth of a median-split tree is below 64, so the stack never holds more.
        let mut stack = [0usize; 130];
        let mut top = 1;
        while top > 0 {
            top -= 1;
            let id = stack[top];
            let b = &self.boxes[id * 2 * d..(id + 1) * 2 * d];
            let mut gap = 0.0;
            for t in 0..d {
                let v = q[t];
                let g = (b[t] - v).max(v - b[d + t]).max(0.0);
                gap += g * g;
            }
            if gap > eps2 {
                continue;
            }
            let node = self.nodes[id];
            match node.children {
                Some((l, r)) => {
                    stack[top] = r;
                    stack[top + 1] = l;
                    top += 2;
                }
                None => {
                    for p in node.start..node.end {
                        let d2 = sq_dist(q, self.point(p));
                        if d2 <= eps2 && !f(p, d2) {
                            return;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn finds_two_segments_border_and_noise() {
        let x = array![
            [0.0, 0.0],
            [0.0, 0.5],
            [0.5, 0.0],
            [1.4, 0.0], // border: within 1 of [0.5, 0] only
            [9.0, 9.0],
            [9.0, 9.5],
            [9.5, 9.0],
            [50.0, 50.0]
        ];
        let m = Dbscan::new(1.0, 3).fit(x.view()).unwrap();
        assert_eq!(
            m.labels(),
            &[
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(1),
                Some(1),
                Some(1),
                None
            ]
        );
        assert_eq!(
            m.is_core(),
            &[true, true, true, false, true, true, true, false]
        );
        let p = m
            .predict(array![[0.2, 0.2], [9.2, 9.2], [1.4, 0.0], [30.0, 30.0]].view())
            .unwrap();
        assert_eq!(p, vec![Some(0), Some(1), Some(0), None]);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        let x = array![[0.0], [1.0]];
        for db in [
            Dbscan::new(0.0, 2),
            Dbscan::new(-1.0, 2),
            Dbscan::new(f64::NAN, 2),
            Dbscan::new(f64::INFINITY, 2),
            Dbscan::new(1.0, 0),
        ] {
            assert!(matches!(
                db.fit(x.view()),
                Err(Error::InvalidParameter { .. })
            ));
        }
        assert!(matches!(
            suggest_eps(x.view(), 3),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn min_points_one_makes_everyone_core() {
        let x = array![[0.0], [10.0], [20.0]];
        let m = Dbscan::new(1.0, 1).fit(x.view()).unwrap();
        assert_eq!(m.n_segments(), 3);
        assert_eq!(m.n_core(), 3);
    }

    #[test]
    fn suggest_eps_sits_between_cluster_and_noise_distances() {
        // Two tight clusters of 50 points (spacing 0.1) and 10 far outliers.
        let mut rows = Vec::new();
        for c in [0.0, 100.0] {
            for i in 0..50 {
                rows.push([c + 0.1 * i as f64, 0.0]);
            }
        }
        for i in 0..10 {
            rows.push([200.0 + 30.0 * i as f64, 500.0]);
        }
        let x = ndarray::Array2::from_shape_vec((rows.len(), 2), rows.concat()).unwrap();
        let eps = suggest_eps(x.view(), 4).unwrap();
        assert!((0.3 - 1e-9..30.0).contains(&eps), "{eps}");
        // And the clustering that eps gives: the two clusters, the outliers noise.
        let m = Dbscan::new(eps, 4).fit(x.view()).unwrap();
        let expected: Vec<Option<usize>> = (0..110)
            .map(|i| match i {
                0..50 => Some(0),
                50..100 => Some(1),
                _ => None,
            })
            .collect();
        assert_eq!(m.labels(), expected.as_slice(), "eps {eps}");
    }
}
