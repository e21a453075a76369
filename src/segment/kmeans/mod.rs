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
//!
//! The seeding is greedy k-means++; on large data it runs on a seeded sample, followed by Lloyd's
//! iteration on that sample, so that neither the seeding nor the first iterations read every
//! customer many times (see [`Init::SampledKMeansPlusPlus`]).
//!
//! This file holds the parameters, the fitted model and the distance kernels; `init.rs` the
//! seeding and `lloyd.rs` the iteration.

mod init;
mod lloyd;
mod model;
#[cfg(test)]
mod tests;

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use self::init::{kmeans_plus_plus, random_init, sampled_kmeans_plus_plus, Refine};
use self::lloyd::{lloyd, mean_variance, Run, Workspace};
pub use self::model::KMeansModel;
use super::{check_features, FeatureFloat, FeatureView, Features, Fitted, Segmentation};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Rows per block: the unit of parallel work and of summation. It is a constant, never derived
/// from the thread count, so that partial sums are always formed and added in the same order.
const BLOCK_ROWS: usize = 2048;

/// How k-means chooses its starting centroids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Init {
    /// The default: greedy k-means++ on a seeded sample of the customers, then Lloyd's iteration
    /// on the sample alone (same iteration cap and relative tolerance as the fit); the iteration
    /// on all customers starts from there. The sample holds
    /// `max(`[`KMeans::SAMPLE_MIN_ROWS`]`, `[`KMeans::SAMPLE_ROWS_PER_SEGMENT`]` * k)` customers
    /// (65,536 up to k = 32), drawn uniformly without replacement, or with probability
    /// proportional to weight (with replacement) in a weighted fit. With no more customers than
    /// that it **is** [`Init::KMeansPlusPlus`], draw for draw, so results on such data are the
    /// exact seeding's.
    ///
    /// Why: exact k-means++ computes `1 + (k - 1)(2 + ln k)` distances per customer (29 for
    /// k = 8) and was 45% of a 1,000,000 x 16 fit. On the sample the seeding costs a fraction
    /// of that, and the iteration on the sample leaves the centroids close to where the whole
    /// data take them, so the whole data need few passes. Measured on the benchmark data
    /// (`BENCHMARKS.md`: 1,000,000 x 16, 8 overlapping blobs, k = 8, one restart, 100 seeds):
    /// 3.1 whole-data iterations instead of 9.6, a median fit of 184 ms instead of 899 ms, and
    /// the same quality: 42 sampled and 39 exact fits reached the best optimum found, with mean
    /// inertias 1.062 and 1.066 times it (on 200,000 x 16 over 200 seeds: 67 and 72, 1.070 and
    /// 1.068). k-means|| was not chosen: for small `k` its rounds of `2k` candidates compute
    /// more distances per customer than greedy k-means++ does.
    #[default]
    SampledKMeansPlusPlus,
    /// Greedy k-means++ (Arthur and Vassilvitskii, with scikit-learn's greedy refinement) on every
    /// customer: each new centroid is the best of `2 + ln k` candidates drawn with probability
    /// proportional to the squared distance to the nearest centroid chosen so far.
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
/// use personas::KMeans;
///
/// let x = array![[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1]];
/// let fitted = KMeans::new(2).with_seed(7).fit(x.view())?;
/// assert_eq!(fitted.segmentation().sizes(), &[3, 2]);
/// // The model assigns new customers; one far from every segment fits none.
/// let new = array![[0.05, 0.0], [40.0, -40.0]];
/// let labels = fitted.predict(new.view())?;
/// assert_eq!(labels[0].map(|s| s.index()), Some(1));
/// assert_eq!(labels[1], None);
/// # Ok::<(), personas::Error>(())
/// ```
///
/// ## Parallelisation
/// The initialisation, every assignment step and the convergence statistics run in parallel over
/// fixed blocks of customers with rayon (bound the threads with a rayon `ThreadPool::install`).
/// The sampled initialisation draws its sample from the seed's stream on one thread, then copies
/// it and seeds and iterates on it in parallel blocks like the whole data. Restarts (`n_init`)
/// run one after the other, each using all threads. Partial sums are added in block order, so
/// 1 thread and 16 threads give bit-identical results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KMeans {
    k: usize,
    seed: u64,
    n_init: usize,
    max_iter: usize,
    tolerance: f64,
    init: Init,
    /// Overrides the rule of [`KMeans::sample_rows`] (for tests).
    #[serde(skip)]
    sample_rows: Option<usize>,
}

impl KMeans {
    /// The smallest sample of [`Init::SampledKMeansPlusPlus`]: up to this many customers (and
    /// `k` <= 32) the default seeding is exact k-means++.
    pub const SAMPLE_MIN_ROWS: usize = 65_536;

    /// The sample of [`Init::SampledKMeansPlusPlus`] holds at least this many customers per
    /// segment.
    pub const SAMPLE_ROWS_PER_SEGMENT: usize = 2_048;

    /// The largest feature magnitude k-means accepts (fits and [`KMeansModel::predict`] reject
    /// larger values with [`Error::FeatureTooLarge`]). Squared distances overflow to infinity
    /// from magnitudes near `1e154`, and then every customer looks equally far from every
    /// centroid; the bound leaves a wide margin: below it a squared distance between two
    /// customers is at most `4 * d * 1e200`, and a sum of them over any matrix that fits in
    /// memory stays finite. Encoded features (z-scores, ranks, one-hot columns) are many orders
    /// of magnitude below it.
    pub const MAX_ABS_FEATURE: f64 = 1e100;

    /// Sets the sample size of [`Init::SampledKMeansPlusPlus`] (at least `k`), so that tests
    /// reach the sampled path on small data.
    #[cfg(test)]
    pub(crate) fn with_sample_rows(mut self, rows: usize) -> Self {
        self.sample_rows = Some(rows);
        self
    }

    /// The customers in the sample of [`Init::SampledKMeansPlusPlus`].
    fn sample_rows(&self) -> usize {
        match self.sample_rows {
            Some(rows) => rows.max(self.k),
            None => Self::SAMPLE_MIN_ROWS.max(Self::SAMPLE_ROWS_PER_SEGMENT.saturating_mul(self.k)),
        }
    }

    /// The starting centroids of one restart (`k * d` values, row-major); `refine` lets a
    /// sampled seeding iterate on its sample.
    fn seed_once<T: FeatureFloat>(
        &self,
        p: &Problem<'_, T>,
        rng: &mut Rng,
        ws: &mut Workspace,
        refine: bool,
    ) -> Vec<f64> {
        match self.init {
            Init::SampledKMeansPlusPlus => {
                let refine = refine.then_some(Refine {
                    max_iter: self.max_iter,
                    tolerance: self.tolerance,
                });
                sampled_kmeans_plus_plus(p, rng, ws, self.sample_rows(), refine)
            }
            Init::KMeansPlusPlus => kmeans_plus_plus(p, rng, ws),
            Init::Random => random_init(p, rng),
        }
    }

    /// k-means with `k` segments, seed 0, 10 restarts, at most 300 iterations, tolerance 1e-4 and
    /// the sampled k-means++ initialisation ([`Init::SampledKMeansPlusPlus`]).
    pub fn new(k: usize) -> Self {
        KMeans {
            k,
            seed: 0,
            n_init: 10,
            max_iter: 300,
            tolerance: 1e-4,
            init: Init::SampledKMeansPlusPlus,
            sample_rows: None,
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
    pub fn with_k(mut self, k: usize) -> Self {
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
    /// [`Error::NonFiniteFeature`] for NaN or infinite values, [`Error::FeatureTooLarge`] for a
    /// value beyond ±[`KMeans::MAX_ABS_FEATURE`], [`Error::InvalidK`] when `k` is larger than the
    /// number of customers, [`Error::InvalidParameter`] for `k` = 0 and other bad
    /// hyperparameters.
    pub fn fit<'a>(&self, features: impl Into<Features<'a>>) -> Result<Fitted<KMeansModel>> {
        match features.into().matrix() {
            FeatureView::F64(m) => self.fit_inner(m, None, None),
            FeatureView::F32(m) => self.fit_inner(m, None, None),
        }
    }

    /// The segmentation alone (the fitted model is dropped); see [`KMeans::fit`].
    ///
    /// # Errors
    /// As [`KMeans::fit`].
    pub fn segment<'a>(&self, features: impl Into<Features<'a>>) -> Result<Segmentation> {
        Ok(self.fit(features)?.into_segmentation())
    }

    /// Fits k-means with a non-negative weight per customer (for example the customer's value):
    /// a customer of weight 2 counts as two customers at the same point.
    ///
    /// # Errors
    /// As [`KMeans::fit`], plus [`Error::ShapeMismatch`] when there is not one weight per row and
    /// [`Error::InvalidParameter`] when a weight is negative or not finite or all are zero.
    pub fn fit_weighted<T: FeatureFloat>(
        &self,
        features: ArrayView2<'_, T>,
        weights: &[f64],
    ) -> Result<Fitted<KMeansModel>> {
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
        let fitted = self.fit_inner(features, Some(&scaled), None)?;
        Ok(fitted.map(|mut model| {
            model.scale_inertia(max);
            model
        }))
    }

    /// Segments customers with a weight per customer; see [`KMeans::fit_weighted`].
    ///
    /// # Errors
    /// As [`KMeans::fit_weighted`].
    pub fn segment_weighted<T: FeatureFloat>(
        &self,
        features: ArrayView2<'_, T>,
        weights: &[f64],
    ) -> Result<Segmentation> {
        Ok(self.fit_weighted(features, weights)?.into_segmentation())
    }

    /// The starting centroids of the first restart, one row per centroid: the initialisation
    /// alone, without any iteration on the whole data (for [`Init::SampledKMeansPlusPlus`] it
    /// includes the iteration on the sample); useful to inspect or time the initialisation.
    ///
    /// # Errors
    /// As [`KMeans::fit`].
    pub fn initial_centroids<T: FeatureFloat>(
        &self,
        features: ArrayView2<'_, T>,
    ) -> Result<Array2<f64>> {
        let first = self.clone().with_n_init(1).seedings(features, true)?;
        let c = first.into_iter().next().unwrap_or_default();
        Array2::from_shape_vec((self.k, features.ncols()), c)
            .map_err(|e| Error::Clustering(format!("internal: {e}")))
    }

    fn check_data<T: FeatureFloat>(&self, features: ArrayView2<'_, T>) -> Result<()> {
        self.check()?;
        check_values(features)?;
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
    /// drawn from the seed's stream exactly as [`KMeans::fit`] draws them, except that with
    /// `refine` false a sampled seeding skips its iteration on the sample. A k-means++ seeding's
    /// first `j` centroids are themselves a k-means++ seeding (on the same sample, for a sampled
    /// one), which lets a search over `k` seed once with the largest `k`; an iterated seeding's
    /// are not, hence `refine`.
    pub(crate) fn seedings<T: FeatureFloat>(
        &self,
        features: ArrayView2<'_, T>,
        refine: bool,
    ) -> Result<Vec<Vec<f64>>> {
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
            .map(|_| self.seed_once(&problem, &mut rng, &mut ws, refine))
            .collect())
    }

    /// Fits from given starting centroids: restart `r` starts from the first `k` rows of
    /// `inits[r]` (`k * d` values, row-major).
    pub(crate) fn fit_from<T: FeatureFloat>(
        &self,
        features: ArrayView2<'_, T>,
        inits: &[Vec<f64>],
    ) -> Result<Fitted<KMeansModel>> {
        let need = self.k * features.ncols();
        if inits.len() < self.n_init || inits.iter().any(|c| c.len() < need) {
            return Err(Error::Clustering(
                "internal: too few starting centroids".into(),
            ));
        }
        self.fit_inner(features, None, Some(inits))
    }

    fn fit_inner<T: FeatureFloat>(
        &self,
        features: ArrayView2<'_, T>,
        weights: Option<&[f64]>,
        inits: Option<&[Vec<f64>]>,
    ) -> Result<Fitted<KMeansModel>> {
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
            let init = match inits {
                Some(inits) => inits[r][..self.k * d].to_vec(),
                None => self.seed_once(&problem, &mut rng, &mut ws, true),
            };
            let run = lloyd(&problem, init, self.max_iter, tol_abs, &mut ws);
            if !matches!(&best, Some(b) if b.inertia <= run.inertia) {
                std::mem::swap(&mut best_labels, &mut ws.labels);
                best = Some(run);
            }
        }
        let best = best.ok_or(Error::Clustering("internal: no k-means run".into()))?;
        KMeansModel::fitted(best, &best_labels, features)
    }
}

/// Checks that a feature matrix is non-empty, finite and within [`KMeans::MAX_ABS_FEATURE`]: one
/// parallel read when it is (the common case); otherwise sequential searches name the first
/// non-finite value, else the first value too large, the same cell whatever the thread count.
fn check_values<T: FeatureFloat>(features: ArrayView2<'_, T>) -> Result<()> {
    // False for NaN as well as for values too large.
    let within = |v: &T| v.to_f64().abs() <= KMeans::MAX_ABS_FEATURE;
    let all_within = match features.as_slice() {
        Some(x) => x.par_chunks(BLOCK_ROWS * 16).all(|c| c.iter().all(within)),
        None => features.iter().all(within),
    };
    if all_within && !features.is_empty() {
        return Ok(());
    }
    // Empty matrices and non-finite values, located.
    check_features(features)?;
    match features.indexed_iter().find(|(_, v)| !within(v)) {
        Some(((row, column), &value)) => Err(Error::FeatureTooLarge {
            row,
            column,
            value: value.to_f64(),
            limit: KMeans::MAX_ABS_FEATURE,
        }),
        None => Ok(()),
    }
}

/// The elements of a standard-layout matrix as one slice.
pub(crate) fn contiguous<'a, T>(m: &'a ndarray::CowArray<'_, T, ndarray::Ix2>) -> Result<&'a [T]> {
    m.as_slice().ok_or(Error::Clustering(
        "internal: a standard-layout matrix has no contiguous slice".into(),
    ))
}

/// The data of one fit, borrowed: the rows of `x` (`f64` or `f32` elements, widened to `f64`
/// as they are read).
struct Problem<'a, T> {
    x: &'a [T],
    n: usize,
    d: usize,
    k: usize,
    weights: Option<&'a [f64]>,
}

impl<T> Problem<'_, T> {
    fn n_blocks(&self) -> usize {
        self.n.div_ceil(BLOCK_ROWS)
    }

    fn weight_block(&self, b: usize) -> Option<&[f64]> {
        self.weights
            .map(|w| &w[b * BLOCK_ROWS..((b + 1) * BLOCK_ROWS).min(self.n)])
    }
}

/// Squared Euclidean distance with four independent accumulators, so the compiler can vectorise
/// it; the summation order is fixed, so the result is reproducible.
#[inline]
pub(crate) fn sq_dist<A: FeatureFloat, B: FeatureFloat>(a: &[A], b: &[B]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            let t = x[l].to_f64() - y[l].to_f64();
            acc[l] += t * t;
        }
    }
    let mut rest = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        let t = x.to_f64() - y.to_f64();
        rest += t * t;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
}

/// Dot product with four independent accumulators (see [`sq_dist`]).
#[inline]
fn dot<A: FeatureFloat, B: FeatureFloat>(a: &[A], b: &[B]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            acc[l] += x[l].to_f64() * y[l].to_f64();
        }
    }
    let mut rest = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        rest += x.to_f64() * y.to_f64();
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest
}

/// The nearest centroid (lowest index on ties), its squared distance and the squared distance to
/// the second nearest (infinite when `k` is 1).
#[inline]
fn nearest<T: FeatureFloat>(row: &[T], c: &[f64], d: usize) -> (usize, f64, f64) {
    nearest_by(row, c, d, |_, _| false)
}

/// [`nearest`] with ties to the centroid of lower `rank` instead of lower index.
#[inline]
fn nearest_ranked<T: FeatureFloat>(
    row: &[T],
    c: &[f64],
    d: usize,
    rank: &[usize],
) -> (usize, f64, f64) {
    nearest_by(row, c, d, |j, arg| rank[j] < rank[arg])
}

/// The nearest centroid, its squared distance and the squared distance to the second nearest;
/// on a tie, centroid `j` replaces the current best `arg` when `prefer(j, arg)`.
#[inline]
fn nearest_by<T: FeatureFloat>(
    row: &[T],
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
