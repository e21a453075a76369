//! Stability of a k-means configuration: do the same segments come back when the customers are
//! resampled and the initialisation is drawn again?
//!
//! [`Stability::measure`] compares a reference labelling (usually the fit on all customers) with
//! k-means fits on seeded subsamples. Each subsample is a random share (80% by default) of a base
//! sample of at most a few thousand customers, fitted with its own seed, so the measure covers
//! both "other customers" and "another initialisation", and its cost does not grow with the
//! number of customers. Two numbers come out:
//!
//! - the **adjusted Rand index** (ARI) between the subsample fit and the reference on the
//!   subsample's customers, for each subsample, and their mean: about 1 when the segments come
//!   back, well below 1 when they are an accident of one fit;
//! - per reference segment, the mean over subsamples of the best **Jaccard** overlap with a
//!   subsample segment (Hennig's cluster-wise stability): a segment that keeps its members scores
//!   near 1, one that dissolves scores below about 0.6. This is what a persona's own stability can
//!   be read from.
//!
//! ```
//! use personas::sample::Blobs;
//! use personas::segment::stability::Stability;
//! use personas::KMeans;
//!
//! let x = Blobs::new(1_000, 2, 3).with_seed(2).with_separation(12.0).generate().features;
//! let kmeans = KMeans::new(3).with_seed(1).with_n_init(3);
//! let labels = kmeans.fit(x.view())?.labels().to_vec();
//! let score = Stability::new().with_seed(5).measure(x.view(), &kmeans.into(), &labels)?;
//! assert!(score.mean_ari > 0.95, "{score:?}");
//! assert_eq!(score.ari.len(), 5);
//! # Ok::<(), personas::Error>(())
//! ```
//!
//! The subsample fits run in parallel with rayon; every random draw comes from the seed, so the
//! outcome does not depend on the number of threads.

use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::metrics::adjusted_rand_index;
use super::{FeatureFloat, SegmentId, Segmenter};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// How stability is measured: the number of subsamples, their share and the size of the base
/// sample they are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stability {
    subsamples: usize,
    fraction: f64,
    max_customers: usize,
    seed: u64,
}

impl Default for Stability {
    /// The settings of [`Stability::new`].
    fn default() -> Self {
        Stability::new()
    }
}

impl Stability {
    /// 5 subsamples of 80% of a base sample of at most 2,500 customers, seed 0.
    pub fn new() -> Self {
        Stability {
            subsamples: 5,
            fraction: 0.8,
            max_customers: 2_500,
            seed: 0,
        }
    }

    /// Sets the number of subsamples (at least 1).
    pub fn with_subsamples(mut self, subsamples: usize) -> Self {
        self.subsamples = subsamples;
        self
    }

    /// Sets the share of the base sample in each subsample (above 0, at most 1; at 1 only the
    /// seed of the fit changes).
    pub fn with_fraction(mut self, fraction: f64) -> Self {
        self.fraction = fraction;
        self
    }

    /// Sets the size of the base sample (at least 2); all customers when there are fewer.
    pub fn with_max_customers(mut self, max_customers: usize) -> Self {
        self.max_customers = max_customers;
        self
    }

    /// Sets the seed of the samples and of the subsample fits.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The number of subsamples.
    pub fn subsamples(&self) -> usize {
        self.subsamples
    }

    /// The share of the base sample in each subsample.
    pub fn fraction(&self) -> f64 {
        self.fraction
    }

    /// The size cap of the base sample.
    pub fn max_customers(&self) -> usize {
        self.max_customers
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of customers each subsample holds when there are `n_customers` (at least 1
    /// when there is a customer).
    pub fn subsample_size(&self, n_customers: usize) -> usize {
        let base = n_customers.min(self.max_customers);
        let size = (base as f64 * self.fraction).round() as usize;
        size.clamp(base.min(1), base)
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when there are no subsamples, the fraction is not in (0, 1] or
    /// the base sample is below 2 customers.
    pub fn check(&self) -> Result<()> {
        if self.subsamples == 0 {
            return Err(Error::InvalidParameter {
                name: "subsamples",
                value: "0".into(),
                reason: "stability needs at least one subsample",
            });
        }
        if !(self.fraction > 0.0 && self.fraction <= 1.0) {
            return Err(Error::InvalidParameter {
                name: "fraction",
                value: self.fraction.to_string(),
                reason: "the subsample share must be above 0 and at most 1",
            });
        }
        if self.max_customers < 2 {
            return Err(Error::InvalidParameter {
                name: "max_customers",
                value: self.max_customers.to_string(),
                reason: "the base sample needs at least 2 customers",
            });
        }
        Ok(())
    }

    /// Measures how well the segments of `reference` (one label per row of `features`, as a
    /// fit gives them) come back when `segmenter` (its settings; its seed replaced by one per
    /// subsample) is fitted to seeded subsamples. For an [`AutoK`](super::AutoK) that means
    /// choosing `k` again on every subsample; to measure one fitted `k`, pass a
    /// [`KMeans`](super::KMeans) with it. Customers in no segment (DBSCAN's outliers) count as one
    /// more group in the adjusted Rand index and in no segment's Jaccard overlap; DBSCAN's
    /// `min_points` is scaled to the resample's share of the customers, so that the density it
    /// asks for stays the same.
    ///
    /// # Errors
    /// The errors of [`Stability::check`]; [`Error::ShapeMismatch`] when `reference` does not
    /// have one label per row; [`Error::InvalidParameter`] when a subsample would hold no more
    /// customers than a k-means `segmenter` has segments; and the errors of the fits.
    pub fn measure<T: FeatureFloat>(
        &self,
        features: ArrayView2<'_, T>,
        segmenter: &Segmenter,
        reference: &[Option<SegmentId>],
    ) -> Result<StabilityScore> {
        self.check()?;
        let n = features.nrows();
        if reference.len() != n {
            return Err(Error::ShapeMismatch {
                what: "reference labels, one per customer",
                expected: n,
                found: reference.len(),
            });
        }
        let size = self.subsample_size(n);
        if let Segmenter::KMeans(kmeans) = segmenter {
            if size <= kmeans.k() {
                return Err(Error::InvalidParameter {
                    name: "stability subsample",
                    value: format!("{size} customers for k = {}", kmeans.k()),
                    reason: "each subsample needs more customers than segments: add customers \
                             or raise the subsample share",
                });
            }
        }
        let mut rng = Rng::new(self.seed ^ 0x5AB1_E5EE_D000_0001);
        let base_size = n.min(self.max_customers);
        let mut base = rng.sample_indices(n, base_size);
        base.sort_unstable();
        // Draw every subsample and its fit seed up front, in order, so that the parallel fits
        // below see the same draws whatever the thread count.
        let draws: Vec<(Vec<usize>, u64)> = (0..self.subsamples)
            .map(|_| {
                let mut picks = rng.sample_indices(base_size, size);
                picks.sort_unstable();
                let rows = picks.into_iter().map(|j| base[j]).collect();
                (rows, rng.next_u64())
            })
            .collect();
        let n_ref = reference
            .iter()
            .flatten()
            .map(|s| s.index() + 1)
            .max()
            .unwrap_or(0);
        let fits: Vec<(f64, Vec<Option<f64>>)> = draws
            .par_iter()
            .map(|(rows, seed)| {
                let x = features.select(Axis(0), rows);
                let fitted = resampled(segmenter, *seed, size, n).fit(x.view())?;
                let truth: Vec<Option<SegmentId>> = rows.iter().map(|&r| reference[r]).collect();
                let ari = adjusted_rand_index(&truth, fitted.labels())?;
                Ok((ari, best_jaccard(&truth, fitted.labels(), n_ref)))
            })
            .collect::<Result<_>>()?;
        let ari: Vec<f64> = fits.iter().map(|f| f.0).collect();
        let mean_ari = ari.iter().sum::<f64>() / ari.len() as f64;
        let min_ari = ari.iter().copied().fold(f64::INFINITY, f64::min);
        let segment_jaccard = (0..n_ref)
            .map(|s| {
                let seen: Vec<f64> = fits.iter().filter_map(|f| f.1[s]).collect();
                (!seen.is_empty()).then(|| seen.iter().sum::<f64>() / seen.len() as f64)
            })
            .collect();
        Ok(StabilityScore {
            mean_ari,
            min_ari,
            ari,
            segment_jaccard,
            subsample_size: size,
        })
    }
}

/// The segmenter to fit on a resample of `size` of the `n` customers: the same settings with the
/// resample's seed; for DBSCAN, whose density threshold counts customers, `min_points` scaled by
/// `size / n` (a neighbourhood in the resample holds that share of its customers, in expectation),
/// at least 1.
fn resampled(segmenter: &Segmenter, seed: u64, size: usize, n: usize) -> Segmenter {
    match segmenter {
        Segmenter::Dbscan(d) => {
            let scaled = (d.min_points() as f64 * size as f64 / n as f64).round() as usize;
            Segmenter::Dbscan(super::Dbscan::new(d.eps(), scaled.max(1)))
        }
        other => other.clone().with_seed(seed),
    }
}

/// For each reference segment, the best Jaccard overlap with a segment of `found` on the same
/// customers; `None` for a reference segment with no customer here. Customers in no segment
/// belong to no segment's set.
fn best_jaccard(
    truth: &[Option<SegmentId>],
    found: &[Option<SegmentId>],
    n_ref: usize,
) -> Vec<Option<f64>> {
    let n_found = found
        .iter()
        .flatten()
        .map(|s| s.index() + 1)
        .max()
        .unwrap_or(0);
    let mut both = vec![0usize; n_ref * n_found];
    let mut ref_size = vec![0usize; n_ref];
    let mut found_size = vec![0usize; n_found];
    for (t, f) in truth.iter().zip(found) {
        if let Some(t) = t {
            ref_size[t.index()] += 1;
        }
        if let Some(f) = f {
            found_size[f.index()] += 1;
        }
        if let (Some(t), Some(f)) = (t, f) {
            both[t.index() * n_found + f.index()] += 1;
        }
    }
    (0..n_ref)
        .map(|t| {
            (ref_size[t] > 0).then(|| {
                (0..n_found)
                    .map(|f| {
                        let inter = both[t * n_found + f];
                        inter as f64 / (ref_size[t] + found_size[f] - inter) as f64
                    })
                    .fold(0.0, f64::max)
            })
        })
        .collect()
}

/// The outcome of [`Stability::measure`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StabilityScore {
    /// The mean adjusted Rand index between the subsample fits and the reference: about 1 when
    /// the segments come back every time, near 0 when they do not.
    pub mean_ari: f64,
    /// The lowest adjusted Rand index of any subsample.
    pub min_ari: f64,
    /// The adjusted Rand index of each subsample, in the order drawn.
    pub ari: Vec<f64>,
    /// Per reference segment (by label), the mean over subsamples of its best Jaccard overlap
    /// with a subsample segment; `None` when no subsample held one of its customers. Above about
    /// 0.75 the segment is stable; below about 0.6 it tends to dissolve.
    pub segment_jaccard: Vec<Option<f64>>,
    /// The number of customers in each subsample.
    pub subsample_size: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::sample::Blobs;
    use ndarray::Array2;

    fn fitted(x: &Array2<f64>, k: usize) -> (Segmenter, Vec<Option<SegmentId>>) {
        let km = crate::KMeans::new(k).with_seed(7).with_n_init(3);
        let labels = km.fit(x.view()).unwrap().labels().to_vec();
        (km.into(), labels)
    }

    #[test]
    fn planted_blobs_are_stable_and_splitting_one_is_less_so() {
        let x = Blobs::new(1_500, 2, 3)
            .with_seed(11)
            .with_separation(15.0)
            .generate()
            .features;
        let (km, labels) = fitted(&x, 3);
        let s = Stability::new()
            .with_seed(1)
            .measure(x.view(), &km, &labels)
            .unwrap();
        assert!(s.mean_ari > 0.97, "{s:?}");
        assert!(s.segment_jaccard.iter().all(|j| j.unwrap() > 0.95), "{s:?}");
        assert_eq!(s.subsample_size, 1_200);
        // Six segments cut three round blobs wherever the initialisation falls.
        let (km, labels) = fitted(&x, 6);
        let split = Stability::new()
            .with_seed(1)
            .measure(x.view(), &km, &labels)
            .unwrap();
        assert!(split.mean_ari < s.mean_ari, "{split:?}");
    }

    #[test]
    fn a_wrong_reference_scores_low() {
        let x = Blobs::new(800, 2, 2)
            .with_seed(3)
            .with_separation(15.0)
            .generate()
            .features;
        let (km, _) = fitted(&x, 2);
        let mut rng = Rng::new(4);
        let random: Vec<Option<SegmentId>> = (0..800)
            .map(|_| Some(SegmentId::new(rng.below(2))))
            .collect();
        let s = Stability::new().measure(x.view(), &km, &random).unwrap();
        assert!(s.mean_ari.abs() < 0.1, "{s:?}");
        assert!(s.min_ari <= s.mean_ari);
    }

    #[test]
    fn uniform_noise_is_less_stable_than_blobs() {
        let mut rng = Rng::new(9);
        let x = Array2::from_shape_fn((1_500, 4), |_| rng.uniform());
        let (km, labels) = fitted(&x, 5);
        let s = Stability::new()
            .with_seed(2)
            .measure(x.view(), &km, &labels)
            .unwrap();
        assert!(s.mean_ari < 0.95, "{s:?}");
    }

    #[test]
    fn same_result_whatever_the_thread_count() {
        let x = Blobs::new(3_000, 3, 4).with_seed(5).generate().features;
        let (km, labels) = fitted(&x, 4);
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    Stability::new()
                        .with_seed(8)
                        .measure(x.view(), &km, &labels)
                })
                .unwrap()
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one.subsample_size, 2_000);
    }

    #[test]
    fn bad_settings_and_shapes_are_rejected() {
        let x = Blobs::new(20, 2, 2).generate().features;
        let (km, labels) = fitted(&x, 2);
        let bad = [
            Stability::new().with_subsamples(0),
            Stability::new().with_fraction(0.0),
            Stability::new().with_fraction(1.5),
            Stability::new().with_max_customers(1),
        ];
        for s in bad {
            assert!(matches!(
                s.measure(x.view(), &km, &labels),
                Err(Error::InvalidParameter { .. })
            ));
        }
        assert!(matches!(
            Stability::new().measure(x.view(), &km, &labels[1..]),
            Err(Error::ShapeMismatch { .. })
        ));
        let (km, labels) = fitted(&x, 16);
        assert!(matches!(
            Stability::new().measure(x.view(), &km, &labels),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
