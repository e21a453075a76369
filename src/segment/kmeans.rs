//! k-means segmentation: our own parallel, deterministic Lloyd iteration with Hamerly bounds.
//!
//! The iteration is the classic one (assign every customer to the nearest centroid, move every
//! centroid to the mean of its customers) with two additions that change its cost, not its
//! result:
//!
//! - **Hamerly bounds.** Each customer keeps a lower bound on the distance to its second-nearest
//!   centroid. When the exact distance to its own centroid is below that bound (or below half the
//!   distance from its centroid to the nearest other centroid), no other centroid can be nearer
//!   and the other `k - 1` distances are never computed. After the first few iterations almost
//!   every customer is settled this way, so an iteration costs a few reads of the matrix
//!   (measured: 2.9-3.8 times one plain read pass on 1,000,000 x 16, see `BENCHMARKS.md`).
//! - **Fixed blocks.** Customers are processed in blocks of a fixed number of rows, in parallel.
//!   Each block writes its partial sums into its own slot and the slots are added in block order,
//!   so the floating-point result does not depend on the number of threads.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::{check_features, Segmentation, Segmenter};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Rows per block: the unit of parallel work and of summation. It is a constant, never derived
/// from the thread count, so that partial sums are always formed and added in the same order.
const BLOCK_ROWS: usize = 2048;

/// Marks a customer that has not been assigned yet (first iteration of a run).
const UNASSIGNED: usize = usize::MAX;

/// The Hamerly test keeps a customer's centroid only when its squared distance is below this
/// fraction of the squared bound. The bounds come from square roots, squares and subtractions
/// that each round, and a bound rounded up by one ulp would certify an exact tie as a strict win
/// (a customer at the exact midpoint of `[0, 0]` and `[1, 1]` has distance² 0.5, but
/// `(0.5 * sqrt(2))²` is 0.5000000000000001); the slack makes such customers take the full scan,
/// which breaks ties exactly. It costs a full scan only to customers within 1e-9 of their bound.
const BOUND_SLACK: f64 = 1.0 - 1e-9;

/// How k-means chooses its starting centroids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Init {
    /// Greedy k-means++ (Arthur and Vassilvitskii, with scikit-learn's greedy refinement): each
    /// new centroid is the best of `2 + ln k` candidates drawn with probability proportional to
    /// the squared distance to the nearest centroid chosen so far.
    #[default]
    KMeansPlusPlus,
    /// `k` distinct customers drawn uniformly at random.
    Random,
}

/// k-means: `k` segments whose customers are closest to their segment's centroid.
///
/// Seeded and deterministic: the same data and seed give the same segments and centroids, whatever
/// the number of threads.
///
/// ```
/// use ndarray::array;
/// use personas::{KMeans, Segmenter};
///
/// let x = array![[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1]];
/// let segments = KMeans::new(2).with_seed(7).segment(x.view())?;
/// assert_eq!(segments.sizes(), &[3, 2]);
/// # Ok::<(), personas::Error>(())
/// ```
///
/// ## Parallelisation
/// The initialisation, every assignment step and the convergence statistics run in parallel over
/// fixed blocks of customers with rayon (bound the threads with a rayon `ThreadPool::install`).
/// Restarts (`n_init`) run one after the other, each using all threads. Partial sums are added in
/// block order, so 1 thread and 16 threads give bit-identical results.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    k: usize,
    seed: u64,
    n_init: usize,
    max_iter: usize,
    tolerance: f64,
    init: Init,
}

impl KMeans {
    /// k-means with `k` segments, seed 0, 10 restarts, at most 300 iterations, tolerance 1e-4 and
    /// k-means++ initialisation.
    pub fn new(k: usize) -> Self {
        KMeans {
            k,
            seed: 0,
            n_init: 10,
            max_iter: 300,
            tolerance: 1e-4,
            init: Init::KMeansPlusPlus,
        }
    }

    /// Sets the seed of the initialisation.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the number of restarts; the one with the lowest inertia is kept.
    pub fn with_n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// Sets the iteration cap of each restart.
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Sets the convergence tolerance, relative to the data's spread as in scikit-learn: a run
    /// stops when the sum of squared centroid movements is at most `tolerance` times the mean of
    /// the feature variances (or when no customer changes segment).
    pub fn with_tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The same settings with another number of segments.
    pub(crate) fn with_k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }

    /// Sets the initialisation method.
    pub fn with_init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// The number of segments.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of restarts.
    pub fn n_init(&self) -> usize {
        self.n_init
    }

    /// The iteration cap of each restart.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }

    /// The relative convergence tolerance.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// The initialisation method.
    pub fn init(&self) -> Init {
        self.init
    }

    /// Checks the hyperparameters that do not depend on the data.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `k`, `n_init` or `max_iter` is 0 or the tolerance is
    /// negative or NaN.
    pub fn check(&self) -> Result<()> {
        if self.k == 0 {
            return Err(Error::InvalidParameter {
                name: "k",
                value: "0".into(),
                reason: "at least one segment is needed",
            });
        }
        if self.n_init == 0 {
            return Err(Error::InvalidParameter {
                name: "n_init",
                value: "0".into(),
                reason: "at least one initialisation is needed",
            });
        }
        if self.max_iter == 0 {
            return Err(Error::InvalidParameter {
                name: "max_iter",
                value: "0".into(),
                reason: "at least one iteration is needed",
            });
        }
        if !(self.tolerance >= 0.0 && self.tolerance.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "tolerance",
                value: self.tolerance.to_string(),
                reason: "the tolerance must be a finite number >= 0",
            });
        }
        Ok(())
    }

    /// Fits k-means to the customers in the rows of `features`.
    ///
    /// # Errors
    /// [`Error::NoRows`] or [`Error::NoFeatures`] for an empty matrix,
    /// [`Error::NonFiniteFeature`] for NaN or infinite values, [`Error::InvalidK`] when `k` is
    /// larger than the number of customers, [`Error::InvalidParameter`] for `k` = 0 and other bad
    /// hyperparameters.
    pub fn fit(&self, features: ArrayView2<'_, f64>) -> Result<KMeansModel> {
        self.fit_inner(features, None, None)
    }

    /// Fits k-means with a non-negative weight per customer (for example the customer's value):
    /// a customer of weight 2 counts as two customers at the same point.
    ///
    /// # Errors
    /// As [`KMeans::fit`], plus [`Error::ShapeMismatch`] when there is not one weight per row and
    /// [`Error::InvalidParameter`] when a weight is negative or not finite or all are zero.
    pub fn fit_weighted(
        &self,
        features: ArrayView2<'_, f64>,
        weights: &[f64],
    ) -> Result<KMeansModel> {
        if weights.len() != features.nrows() {
            return Err(Error::ShapeMismatch {
                what: "one weight per customer",
                expected: features.nrows(),
                found: weights.len(),
            });
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "weight",
                value: w.to_string(),
                reason: "weights must be finite and >= 0",
            });
        }
        let max = weights.iter().copied().fold(0.0, f64::max);
        if max == 0.0 {
            return Err(Error::InvalidParameter {
                name: "weights",
                value: "all 0".into(),
                reason: "at least one customer needs a positive weight",
            });
        }
        // Scaling every weight by one factor changes neither the centroids nor the labels, so fit
        // with weights at most 1 (huge weights would overflow the centroid sums, tiny ones
        // underflow them) and scale the inertia back.
        let scaled: Vec<f64> = weights.iter().map(|w| w / max).collect();
        let mut model = self.fit_inner(features, Some(&scaled), None)?;
        model.inertia *= max;
        model.inertia_history.iter_mut().for_each(|i| *i *= max);
        Ok(model)
    }

    /// Segments customers with a weight per customer; see [`KMeans::fit_weighted`].
    ///
    /// # Errors
    /// As [`KMeans::fit_weighted`].
    pub fn segment_weighted(
        &self,
        features: ArrayView2<'_, f64>,
        weights: &[f64],
    ) -> Result<Segmentation> {
        self.fit_weighted(features, weights)?.segmentation()
    }

    /// The starting centroids of the first restart (the initialisation alone, without any
    /// iteration), one row per centroid; useful to inspect or time the initialisation.
    ///
    /// # Errors
    /// As [`KMeans::fit`].
    pub fn initial_centroids(&self, features: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let first = self.clone().with_n_init(1).seedings(features)?;
        let c = first.into_iter().next().unwrap_or_default();
        Array2::from_shape_vec((self.k, features.ncols()), c)
            .map_err(|e| Error::Clustering(format!("internal: {e}")))
    }

    fn check_data(&self, features: ArrayView2<'_, f64>) -> Result<()> {
        self.check()?;
        check_features(features)?;
        let n = features.nrows();
        if self.k > n {
            return Err(Error::InvalidK {
                k: self.k,
                n_customers: n,
            });
        }
        Ok(())
    }

    /// The starting centroids of every restart (`n_init` of them, `k * d` values each, row-major),
    /// drawn from the seed's stream exactly as [`KMeans::fit`] draws them. A k-means++ seeding's
    /// first `j` centroids are themselves a k-means++ seeding, which lets a search over `k` seed
    /// once with the largest `k`.
    pub(crate) fn seedings(&self, features: ArrayView2<'_, f64>) -> Result<Vec<Vec<f64>>> {
        self.check_data(features)?;
        let data = features.as_standard_layout();
        let x = contiguous(&data)?;
        let (n, d) = features.dim();
        let problem = Problem {
            x,
            n,
            d,
            k: self.k,
            weights: None,
        };
        let mut ws = Workspace::new(&problem);
        let mut rng = Rng::new(self.seed);
        Ok((0..self.n_init)
            .map(|_| match self.init {
                Init::KMeansPlusPlus => kmeans_plus_plus(&problem, &mut rng, &mut ws),
                Init::Random => random_init(&problem, &mut rng),
            })
            .collect())
    }

    /// Fits from given starting centroids: restart `r` starts from the first `k` rows of
    /// `inits[r]` (`k * d` values, row-major).
    pub(crate) fn fit_from(
        &self,
        features: ArrayView2<'_, f64>,
        inits: &[Vec<f64>],
    ) -> Result<KMeansModel> {
        let need = self.k * features.ncols();
        if inits.len() < self.n_init || inits.iter().any(|c| c.len() < need) {
            return Err(Error::Clustering(
                "internal: too few starting centroids".into(),
            ));
        }
        self.fit_inner(features, None, Some(inits))
    }

    fn fit_inner(
        &self,
        features: ArrayView2<'_, f64>,
        weights: Option<&[f64]>,
        inits: Option<&[Vec<f64>]>,
    ) -> Result<KMeansModel> {
        self.check_data(features)?;
        let n = features.nrows();
        let data = features.as_standard_layout();
        let x = contiguous(&data)?;
        let d = features.ncols();
        let problem = Problem {
            x,
            n,
            d,
            k: self.k,
            weights,
        };
        let tol_abs = self.tolerance * mean_variance(&problem);
        let mut ws = Workspace::new(&problem);
        let mut rng = Rng::new(self.seed);
        let mut best: Option<Run> = None;
        let mut best_labels = vec![0usize; n];
        for r in 0..self.n_init {
            let init = match (inits, self.init) {
                (Some(inits), _) => inits[r][..self.k * d].to_vec(),
                (None, Init::KMeansPlusPlus) => kmeans_plus_plus(&problem, &mut rng, &mut ws),
                (None, Init::Random) => random_init(&problem, &mut rng),
            };
            let run = lloyd(&problem, init, self.max_iter, tol_abs, &mut ws);
            if !matches!(&best, Some(b) if b.inertia <= run.inertia) {
                std::mem::swap(&mut best_labels, &mut ws.labels);
                best = Some(run);
            }
        }
        let best = best.ok_or(Error::Clustering("internal: no k-means run".into()))?;
        Ok(KMeansModel::renumbered(best, best_labels, d))
    }
}

impl Segmenter for KMeans {
    /// Fits k-means and returns its segmentation; see [`KMeans::fit`].
    fn segment(&self, features: ArrayView2<'_, f64>) -> Result<Segmentation> {
        self.fit(features)?.segmentation()
    }
}

/// A fitted k-means model: centroids (segment 0 is the largest), the training labels and how the
/// fit went. It assigns new customers with [`KMeansModel::predict`].
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansModel {
    centroids: Array2<f64>,
    labels: Vec<usize>,
    inertia: f64,
    n_iter: usize,
    converged: bool,
    inertia_history: Vec<f64>,
}

impl KMeansModel {
    /// Orders the segments largest first, then by first customer. This is the rank the final
    /// assignment broke its ties by (see [`lloyd`]), so the training labels stay the nearest
    /// centroids with ties to the lower index, as [`KMeansModel::predict`] finds them.
    fn renumbered(run: Run, raw_labels: Vec<usize>, d: usize) -> Self {
        let k = run.centroids.len() / d;
        let mut counts = vec![0usize; k];
        let mut first = vec![usize::MAX; k];
        for (i, &l) in raw_labels.iter().enumerate() {
            counts[l] += 1;
            first[l] = first[l].min(i);
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by_key(|&l| (std::cmp::Reverse(counts[l]), first[l], l));
        let mut new_of = vec![0usize; k];
        for (new, &old) in order.iter().enumerate() {
            new_of[old] = new;
        }
        let mut centroids = Array2::zeros((k, d));
        for (new, &old) in order.iter().enumerate() {
            for j in 0..d {
                centroids[[new, j]] = run.centroids[old * d + j];
            }
        }
        KMeansModel {
            centroids,
            labels: raw_labels.into_iter().map(|l| new_of[l]).collect(),
            inertia: run.inertia,
            n_iter: run.n_iter,
            converged: run.converged,
            inertia_history: run.history,
        }
    }

    /// The centroids, one row per segment, largest segment first. When the data have fewer
    /// distinct points than `k`, the last rows may be centroids no training customer is nearest
    /// to.
    pub fn centroids(&self) -> &Array2<f64> {
        &self.centroids
    }

    /// The number of centroids (the `k` that was fitted).
    pub fn k(&self) -> usize {
        self.centroids.nrows()
    }

    /// The segment of each training customer (the nearest centroid; ties go to the lower index).
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The (weighted) sum of squared distances from the training customers to their centroids.
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// The number of iterations of the kept restart.
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Whether the kept restart met the tolerance before the iteration cap.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The inertia after each assignment step of the kept restart, the last being the final
    /// [`inertia`](KMeansModel::inertia). Lloyd's iteration never increases it (up to rounding).
    pub fn inertia_history(&self) -> &[f64] {
        &self.inertia_history
    }

    /// The segment (nearest centroid, ties to the lower index) of each customer in the rows of
    /// `features`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the number of columns differs from the training data,
    /// [`Error::NoRows`] for an empty matrix and [`Error::NonFiniteFeature`] for NaN or infinite
    /// values.
    pub fn predict(&self, features: ArrayView2<'_, f64>) -> Result<Vec<usize>> {
        check_features(features)?;
        let d = self.centroids.ncols();
        if features.ncols() != d {
            return Err(Error::ShapeMismatch {
                what: "feature columns of the fitted model",
                expected: d,
                found: features.ncols(),
            });
        }
        let mut out = vec![0usize; features.nrows()];
        self.predict_into(features, &mut out);
        Ok(out)
    }

    /// [`KMeansModel::predict`] without the checks, into `out` (one slot per row); for the linfa
    /// traits, which cannot return errors. Non-finite rows get an arbitrary segment.
    ///
    /// # Panics
    /// When the column count differs from the centroids' or `out` has the wrong length.
    pub(crate) fn predict_into(&self, features: ArrayView2<'_, f64>, out: &mut [usize]) {
        let d = self.centroids.ncols();
        assert_eq!(features.ncols(), d, "feature columns of the fitted model");
        assert_eq!(features.nrows(), out.len(), "one output slot per row");
        let data = features.as_standard_layout();
        let c = self.centroids.as_standard_layout();
        let (Some(x), Some(c)) = (data.as_slice(), c.as_slice()) else {
            unreachable!("standard-layout matrices are contiguous")
        };
        out.par_chunks_mut(BLOCK_ROWS)
            .zip(x.par_chunks(BLOCK_ROWS * d.max(1)))
            .for_each(|(ob, xb)| {
                for (o, row) in ob.iter_mut().zip(xb.chunks_exact(d.max(1))) {
                    *o = nearest(row, c, d).0;
                }
            });
    }

    /// The training customers' segmentation (segment 0 is the largest).
    ///
    /// # Errors
    /// None in practice; the `Result` comes from [`Segmentation::new`].
    pub fn segmentation(&self) -> Result<Segmentation> {
        Segmentation::new(
            self.labels.iter().map(|&l| Some(l)).collect(),
            Some(self.centroids.clone()),
            Some(self.inertia),
        )
    }
}

/// The elements of a standard-layout matrix as one slice.
pub(crate) fn contiguous<'a>(m: &'a ndarray::CowArray<'_, f64, ndarray::Ix2>) -> Result<&'a [f64]> {
    m.as_slice().ok_or(Error::Clustering(
        "internal: a standard-layout matrix has no contiguous slice".into(),
    ))
}

/// The data of one fit, borrowed.
struct Problem<'a> {
    x: &'a [f64],
    n: usize,
    d: usize,
    k: usize,
    weights: Option<&'a [f64]>,
}

impl Problem<'_> {
    fn n_blocks(&self) -> usize {
        self.n.div_ceil(BLOCK_ROWS)
    }

    fn weight_block(&self, b: usize) -> Option<&[f64]> {
        self.weights
            .map(|w| &w[b * BLOCK_ROWS..((b + 1) * BLOCK_ROWS).min(self.n)])
    }
}

/// Buffers reused by every restart and iteration, so the iteration loop allocates nothing.
struct Workspace {
    labels: Vec<usize>,
    lower: Vec<f64>,
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
    fn new(p: &Problem<'_>) -> Self {
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
struct Run {
    centroids: Vec<f64>,
    inertia: f64,
    n_iter: usize,
    converged: bool,
    history: Vec<f64>,
}

/// How far the centroids moved in the last update, for loosening the lower bounds.
#[derive(Clone, Copy)]
struct Drift {
    max: f64,
    second: f64,
    argmax: usize,
}

/// Squared Euclidean distance with four independent accumulators, so the compiler can vectorise
/// it; the summation order is fixed, so the result is reproducible.
#[inline]
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            let t = x[l] - y[l];
            acc[l] += t * t;
        }
    }
    let mut rest = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        let t = x - y;
        rest += t * t;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
}

/// Dot product with four independent accumulators (see [`sq_dist`]).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut rest = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        rest += x * y;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
}

/// The nearest centroid (lowest index on ties), its squared distance and the squared distance to
/// the second nearest (infinite when `k` is 1).
#[inline]
fn nearest(row: &[f64], c: &[f64], d: usize) -> (usize, f64, f64) {
    nearest_by(row, c, d, |_, _| false)
}

/// [`nearest`] with ties to the centroid of lower `rank` instead of lower index.
#[inline]
fn nearest_ranked(row: &[f64], c: &[f64], d: usize, rank: &[usize]) -> (usize, f64, f64) {
    nearest_by(row, c, d, |j, arg| rank[j] < rank[arg])
}

/// The nearest centroid, its squared distance and the squared distance to the second nearest;
/// on a tie, centroid `j` replaces the current best `arg` when `prefer(j, arg)`.
#[inline]
fn nearest_by(
    row: &[f64],
    c: &[f64],
    d: usize,
    prefer: impl Fn(usize, usize) -> bool,
) -> (usize, f64, f64) {
    let mut best = f64::INFINITY;
    let mut second = f64::INFINITY;
    let mut arg = 0;
    for (j, cj) in c.chunks_exact(d).enumerate() {
        let dist = sq_dist(row, cj);
        if dist < best || (dist == best && prefer(j, arg)) {
            second = best;
            best = dist;
            arg = j;
        } else if dist < second {
            second = dist;
        }
    }
    (arg, best, second)
}

/// The mean of the per-feature variances (unweighted, as scikit-learn), which scales the
/// tolerance. One read of the matrix: each block's mean and squared deviations are taken while
/// the block is in cache, and blocks are merged in order with Chan's formula.
fn mean_variance(p: &Problem<'_>) -> f64 {
    let d = p.d;
    let blocks: Vec<(f64, Vec<f64>, Vec<f64>)> =
        p.x.par_chunks(BLOCK_ROWS * d)
            .map(|xb| {
                let rows = (xb.len() / d) as f64;
                let mut mean = vec![0.0; d];
                for row in xb.chunks_exact(d) {
                    mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
                }
                mean.iter_mut().for_each(|m| *m /= rows);
                let mut m2 = vec![0.0; d];
                for row in xb.chunks_exact(d) {
                    for ((s, v), m) in m2.iter_mut().zip(row).zip(&mean) {
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

/// `k` distinct customers chosen uniformly (Floyd's algorithm), as starting centroids.
fn random_init(p: &Problem<'_>, rng: &mut Rng) -> Vec<f64> {
    let chosen = rng.sample_indices(p.n, p.k);
    let mut c = Vec::with_capacity(p.k * p.d);
    for i in chosen {
        c.extend_from_slice(&p.x[i * p.d..(i + 1) * p.d]);
    }
    c
}

/// Picks the customer at `target` along the cumulative distribution whose per-block totals are
/// `block_pot` and per-customer masses are `weight * closest`; falls back to the last customer
/// with positive mass when rounding runs past the end.
fn pick_by_mass(p: &Problem<'_>, closest: &[f64], block_pot: &[f64], mut target: f64) -> usize {
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
fn kmeans_plus_plus(p: &Problem<'_>, rng: &mut Rng, ws: &mut Workspace) -> Vec<f64> {
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
    centroids.extend_from_slice(&p.x[first * d..(first + 1) * d]);
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
        centroids.extend_from_slice(&p.x[pick * d..(pick + 1) * d]);
    }
    centroids
}

/// One assignment step over a block: for each customer, the nearest centroid (skipping the full
/// scan when the Hamerly bound proves the current one is still nearest), then its contribution
/// to the block's sums, weight, inertia, change count, customer counts and first customers.
/// Ties go to the centroid of lower `rank`; `start` is the index of the block's first customer.
#[allow(clippy::too_many_arguments)]
fn assign_block(
    xb: &[f64],
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
    let scan = |row: &[f64], lower: &mut f64| {
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
            *s += w * v;
        }
    }
    stats[0] = inertia;
    stats[1] = changed;
}

/// One parallel assignment pass, ties to the lower `ws.rank`; returns (inertia, changes), leaves
/// the summed partials in `ws.sums` / `ws.counts` / `ws.sizes` / `ws.first` and does not update
/// `ws.rank` (see [`update_rank`]).
fn assign_pass(p: &Problem<'_>, c: &[f64], drift: Drift, ws: &mut Workspace) -> (f64, f64) {
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
/// customer, then index: the order [`KMeansModel::renumbered`] gives the segments); returns
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
fn reseed_empty(p: &Problem<'_>, c: &[f64], ws: &mut Workspace) {
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
fn lloyd(
    p: &Problem<'_>,
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
    use ndarray::array;

    fn two_groups() -> Array2<f64> {
        array![
            [0.0, 0.0],
            [0.2, 0.1],
            [0.1, 0.3],
            [10.0, 10.0],
            [10.2, 10.1],
            [9.9, 10.3],
            [10.1, 9.8]
        ]
    }

    #[test]
    fn separates_two_groups_largest_first() {
        let m = KMeans::new(2)
            .with_seed(3)
            .fit(two_groups().view())
            .unwrap();
        assert_eq!(m.labels(), &[1, 1, 1, 0, 0, 0, 0]);
        assert!(m.centroids()[[0, 0]] > 9.0);
        assert_eq!(
            m.predict(array![[9.0, 9.0], [1.0, 0.0]].view()).unwrap(),
            vec![0, 1]
        );
    }

    #[test]
    fn random_init_and_weights_work() {
        let x = two_groups();
        let w = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0];
        let m = KMeans::new(2)
            .with_init(Init::Random)
            .fit_weighted(x.view(), &w)
            .unwrap();
        assert_eq!(m.labels()[6], m.labels()[3]);
        // The centroid is the weighted mean of its customers (9.925 in y, where the plain mean is
        // 10.05): it leans to the heavy customer.
        let heavy = m.labels()[6];
        for t in 0..2 {
            let mean = (3..7).map(|i| w[i] * x[[i, t]]).sum::<f64>() / 8.0;
            assert!((m.centroids()[[heavy, t]] - mean).abs() < 1e-12);
        }
        assert!((m.centroids()[[heavy, 1]] - 9.925).abs() < 1e-12);
    }

    #[test]
    fn k_zero_and_k_above_n_are_invalid_k() {
        let x = two_groups();
        assert!(matches!(
            KMeans::new(0).fit(x.view()),
            Err(Error::InvalidParameter { name: "k", .. })
        ));
        assert!(matches!(
            KMeans::new(8).fit(x.view()),
            Err(Error::InvalidK {
                k: 8,
                n_customers: 7
            })
        ));
    }

    #[test]
    fn bad_hyperparameters_are_invalid_parameters() {
        let x = two_groups();
        for km in [
            KMeans::new(2).with_n_init(0),
            KMeans::new(2).with_max_iter(0),
            KMeans::new(2).with_tolerance(-1.0),
            KMeans::new(2).with_tolerance(f64::NAN),
        ] {
            assert!(matches!(
                km.fit(x.view()),
                Err(Error::InvalidParameter { .. })
            ));
        }
        let r = KMeans::new(2).fit_weighted(x.view(), &[1.0]);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
        let r = KMeans::new(2).fit_weighted(x.view(), &[-1.0; 7]);
        assert!(matches!(r, Err(Error::InvalidParameter { .. })));
    }

    #[test]
    fn identical_points_give_one_segment() {
        let x = Array2::from_elem((6, 3), 1.5);
        let s = KMeans::new(3).segment(x.view()).unwrap();
        assert_eq!(s.n_segments(), 1);
        assert_eq!(s.inertia(), Some(0.0));
    }

    #[test]
    fn n_equals_k_puts_each_customer_alone() {
        let x = two_groups();
        let s = KMeans::new(7).segment(x.view()).unwrap();
        assert_eq!(s.sizes(), &[1; 7]);
        assert_eq!(s.inertia(), Some(0.0));
    }

    /// The saved proptest case (`tests/segment_properties.proptest-regressions`): 27 integer
    /// points, k = 13, seed 532, two restarts. Every training label must be the nearest centroid
    /// of the returned centroids, ties to the lower index, exactly as `predict` finds it.
    #[test]
    fn training_labels_are_the_nearest_centroids_on_the_saved_case() {
        let pts: [[f64; 2]; 27] = [
            [1.0, -3.0],
            [-2.0, -1.0],
            [1.0, 2.0],
            [1.0, 0.0],
            [-3.0, -3.0],
            [1.0, 2.0],
            [2.0, 1.0],
            [0.0, 1.0],
            [0.0, -1.0],
            [-2.0, 0.0],
            [2.0, 0.0],
            [2.0, 2.0],
            [-1.0, 0.0],
            [0.0, 2.0],
            [-2.0, -1.0],
            [2.0, -1.0],
            [1.0, 2.0],
            [1.0, -3.0],
            [-1.0, -3.0],
            [1.0, -1.0],
            [1.0, -3.0],
            [1.0, 2.0],
            [-3.0, -1.0],
            [2.0, -1.0],
            [-3.0, 1.0],
            [-2.0, 2.0],
            [2.0, -3.0],
        ];
        let x = Array2::from_shape_fn((27, 2), |(i, j)| pts[i][j]);
        let m = KMeans::new(13)
            .with_seed(532)
            .with_n_init(2)
            .fit(x.view())
            .unwrap();
        assert_eq!(m.predict(x.view()).unwrap(), m.labels());
        let c = m.centroids().as_standard_layout();
        let c = c.as_slice().unwrap();
        let mut inertia = 0.0;
        for (i, row) in x.rows().into_iter().enumerate() {
            let (j, best, _) = nearest(row.as_slice().unwrap(), c, 2);
            assert_eq!(m.labels()[i], j, "customer {i}");
            inertia += best;
        }
        assert!((inertia - m.inertia()).abs() <= 1e-9 * (1.0 + inertia));
    }

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

    #[test]
    fn sq_dist_matches_naive_for_odd_lengths() {
        let a: Vec<f64> = (0..7).map(|i| i as f64 * 0.5).collect();
        let b: Vec<f64> = (0..7).map(|i| (i * i) as f64 * 0.1).collect();
        let naive: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        assert!((sq_dist(&a, &b) - naive).abs() < 1e-12);
    }
}
