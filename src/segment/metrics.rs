//! Judging segments: internal quality metrics (silhouette, Calinski-Harabasz, Davies-Bouldin,
//! inertia) and the adjusted Rand index for comparing two labellings.
//!
//! The internal metrics take the feature matrix and a [`Segmentation`] of its rows; customers in
//! no segment (DBSCAN noise) are left out. Distances are Euclidean. The definitions follow
//! scikit-learn's, so figures can be compared with it.
//!
//! ## Parallelisation
//! The silhouette (the costly metric: every pair of customers) runs in parallel over fixed blocks
//! of customers, and so do the per-segment sums of the other metrics; partial results are added in
//! block order, so the value does not depend on the number of threads.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::kmeans::sq_dist;
use super::{check_features, FeatureFloat, Segmentation};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Rows per block of parallel work; fixed so that sums are formed in the same order always.
const BLOCK_ROWS: usize = 256;

/// The most distance terms (sample size² x feature columns) a silhouette computed by the
/// pipeline may cost: 4 x 10^9, about a second on two cores. [`crate::persona::Quality`] and
/// [`crate::segment::AutoK`] shrink their silhouette samples to fit it (see
/// [`silhouette_sample_size`]), so a one-hot encoded category of thousands of levels makes the
/// sample smaller instead of the run minutes longer.
pub const SILHOUETTE_BUDGET: f64 = 4e9;

/// The smallest sample [`silhouette_sample_size`] gives, however many feature columns there are.
pub const MIN_SILHOUETTE_SAMPLE: usize = 100;

/// The silhouette sample for `n_features` feature columns: `requested`, lowered to
/// `sqrt(SILHOUETTE_BUDGET / n_features)` when that is smaller (but never below
/// [`MIN_SILHOUETTE_SAMPLE`]), so that the exact silhouette of the sample costs at most
/// [`SILHOUETTE_BUDGET`] distance terms. With 16 feature columns a sample of 15,811 fits; with
/// 5,000 (a one-hot category of 5,000 levels), 894.
///
/// ```
/// use personas::segment::metrics::silhouette_sample_size;
/// assert_eq!(silhouette_sample_size(10_000, 16), 10_000);
/// assert_eq!(silhouette_sample_size(10_000, 5_000), 894);
/// assert_eq!(silhouette_sample_size(10_000, 10_000_000), 100);
/// ```
pub fn silhouette_sample_size(requested: usize, n_features: usize) -> usize {
    let affordable = (SILHOUETTE_BUDGET / n_features.max(1) as f64).sqrt() as usize;
    requested.min(affordable.max(MIN_SILHOUETTE_SAMPLE))
}

/// The customers that are in a segment: their rows (contiguous; borrowed when every customer is
/// in a segment and the matrix is in standard layout) and compact labels.
struct Assigned<'a, T: FeatureFloat> {
    x: Cow<'a, [T]>,
    labels: Vec<usize>,
    d: usize,
    k: usize,
}

impl<'a, T: FeatureFloat> Assigned<'a, T> {
    fn n(&self) -> usize {
        self.labels.len()
    }

    fn row(&self, i: usize) -> &[T] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    fn from(features: ArrayView2<'a, T>, segmentation: &Segmentation) -> Result<Self> {
        check_shapes(features, segmentation)?;
        let d = features.ncols();
        if segmentation.unassigned() == 0 {
            if let Some(x) = features.to_slice() {
                return Ok(Assigned {
                    x: Cow::Borrowed(x),
                    labels: segmentation
                        .labels()
                        .iter()
                        .flatten()
                        .map(|s| s.index())
                        .collect(),
                    d,
                    k: segmentation.n_segments(),
                });
            }
        }
        let rows: Vec<usize> = (0..features.nrows())
            .filter(|&i| segmentation.labels()[i].is_some())
            .collect();
        Ok(Self::rows_of(features, segmentation, &rows))
    }

    /// The given rows (all in a segment) copied, with the segmentation's labels.
    fn rows_of(
        features: ArrayView2<'_, T>,
        segmentation: &Segmentation,
        rows: &[usize],
    ) -> Assigned<'static, T> {
        let d = features.ncols();
        let mut x = Vec::with_capacity(rows.len() * d);
        let mut labels = Vec::with_capacity(rows.len());
        for &i in rows {
            x.extend(features.row(i).iter());
            labels.push(segmentation.labels()[i].map_or(0, |s| s.index()));
        }
        Assigned {
            x: Cow::Owned(x),
            labels,
            d,
            k: segmentation.n_segments(),
        }
    }

    /// The rows `idx` only, with labels renumbered to `0..` in order of first appearance.
    fn subset(&self, idx: &[usize]) -> Assigned<'static, T> {
        let mut map = vec![usize::MAX; self.k];
        let mut k = 0;
        let mut x = Vec::with_capacity(idx.len() * self.d);
        let mut labels = Vec::with_capacity(idx.len());
        for &i in idx {
            x.extend_from_slice(self.row(i));
            let l = self.labels[i];
            if map[l] == usize::MAX {
                map[l] = k;
                k += 1;
            }
            labels.push(map[l]);
        }
        Assigned {
            x: Cow::Owned(x),
            labels,
            d: self.d,
            k,
        }
    }

    fn needs_segments(&self, metric: &'static str) -> Result<()> {
        if self.k < 2 || self.k >= self.n() {
            return Err(Error::InvalidParameter {
                name: metric,
                value: format!("{} segments for {} customers", self.k, self.n()),
                reason: "the metric needs at least 2 segments and fewer segments than customers",
            });
        }
        Ok(())
    }

    /// Per-segment sizes and means, summed in block order.
    fn means(&self) -> (Vec<f64>, Vec<f64>) {
        let (d, k) = (self.d, self.k);
        let parts: Vec<(Vec<f64>, Vec<f64>)> = self
            .x
            .par_chunks(BLOCK_ROWS * d)
            .zip(self.labels.par_chunks(BLOCK_ROWS))
            .map(|(xb, lb)| {
                let mut sums = vec![0.0; k * d];
                let mut counts = vec![0.0; k];
                for (row, &l) in xb.chunks_exact(d).zip(lb) {
                    counts[l] += 1.0;
                    for (s, v) in sums[l * d..(l + 1) * d].iter_mut().zip(row) {
                        *s += v.to_f64();
                    }
                }
                (sums, counts)
            })
            .collect();
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0.0; k];
        for (s, c) in parts {
            sums.iter_mut().zip(&s).for_each(|(a, b)| *a += b);
            counts.iter_mut().zip(&c).for_each(|(a, b)| *a += b);
        }
        for j in 0..k {
            if counts[j] > 0.0 {
                sums[j * d..(j + 1) * d]
                    .iter_mut()
                    .for_each(|v| *v /= counts[j]);
            }
        }
        (counts, sums)
    }

    fn silhouette(&self) -> f64 {
        let (n, k, d) = (self.n(), self.k, self.d);
        // Rows grouped by segment, so that each per-segment distance sum runs over a contiguous
        // range with its own accumulators (no scatter into a per-segment array per pair).
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| self.labels[i]);
        let mut grouped = Vec::with_capacity(n * d);
        for &i in &order {
            grouped.extend_from_slice(self.row(i));
        }
        let mut starts = vec![0usize; k + 1];
        self.labels.iter().for_each(|&l| starts[l + 1] += 1);
        for c in 0..k {
            starts[c + 1] += starts[c];
        }
        let sizes: Vec<usize> = (0..k).map(|c| starts[c + 1] - starts[c]).collect();
        let grouped = &grouped;
        let parts: Vec<f64> = (0..n)
            .collect::<Vec<_>>()
            .par_chunks(BLOCK_ROWS)
            .map(|block| {
                let mut total = 0.0;
                // Four customers at a time: each row of a segment is loaded once for four
                // independent distance sums.
                let mut sums = vec![[0.0f64; 4]; k];
                for four in block.chunks(4) {
                    let q: Vec<&[T]> = (0..4).map(|l| self.row(four[l % four.len()])).collect();
                    for (c, sum) in sums.iter_mut().enumerate() {
                        let mut acc = [0.0f64; 4];
                        for row in grouped[starts[c] * d..starts[c + 1] * d].chunks_exact(d) {
                            for l in 0..4 {
                                acc[l] += sq_dist(q[l], row).sqrt();
                            }
                        }
                        *sum = acc;
                    }
                    for (l, &i) in four.iter().enumerate() {
                        let own = self.labels[i];
                        if sizes[own] < 2 {
                            continue; // a lone customer scores 0, as in scikit-learn
                        }
                        let a = sums[own][l] / (sizes[own] - 1) as f64;
                        let b = (0..k)
                            .filter(|&c| c != own && sizes[c] > 0)
                            .map(|c| sums[c][l] / sizes[c] as f64)
                            .fold(f64::INFINITY, f64::min);
                        let m = a.max(b);
                        if m > 0.0 {
                            total += (b - a) / m;
                        }
                    }
                }
                total
            })
            .collect();
        parts.iter().sum::<f64>() / n as f64
    }

    /// Per-segment sizes, means, sums of squared distances and sums of distances to the mean.
    fn stats(&self) -> Stats {
        let (counts, means) = self.means();
        let (d, k) = (self.d, self.k);
        let parts: Vec<Vec<f64>> = self
            .x
            .par_chunks(BLOCK_ROWS * d)
            .zip(self.labels.par_chunks(BLOCK_ROWS))
            .map(|(xb, lb)| {
                let mut s = vec![0.0; 2 * k];
                for (row, &l) in xb.chunks_exact(d).zip(lb) {
                    let d2 = sq_dist(row, &means[l * d..(l + 1) * d]);
                    s[l] += d2;
                    s[k + l] += d2.sqrt();
                }
                s
            })
            .collect();
        let mut s = vec![0.0; 2 * k];
        for p in parts {
            s.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
        }
        let within_dist = s.split_off(k);
        Stats {
            counts,
            means,
            within_sq: s,
            within_dist,
        }
    }

    fn calinski_harabasz(&self, st: &Stats) -> f64 {
        let n = self.n() as f64;
        let d = self.d;
        let mut overall = vec![0.0; d];
        for (count, mean) in st.counts.iter().zip(st.means.chunks_exact(d)) {
            for (o, m) in overall.iter_mut().zip(mean) {
                *o += count * m / n;
            }
        }
        let between: f64 = (0..self.k)
            .map(|j| st.counts[j] * sq_dist(&st.means[j * d..(j + 1) * d], &overall))
            .sum();
        let within: f64 = st.within_sq.iter().sum();
        let k = self.k as f64;
        if within == 0.0 {
            1.0
        } else {
            between * (n - k) / (within * (k - 1.0))
        }
    }

    fn davies_bouldin(&self, st: &Stats) -> f64 {
        let d = self.d;
        let spread: Vec<f64> = st
            .within_dist
            .iter()
            .zip(&st.counts)
            .map(|(s, c)| s / c)
            .collect();
        if spread.iter().all(|&s| s == 0.0) {
            return 0.0;
        }
        let mut total = 0.0;
        for i in 0..self.k {
            let mut worst: f64 = 0.0;
            for j in 0..self.k {
                if i == j {
                    continue;
                }
                let gap =
                    sq_dist(&st.means[i * d..(i + 1) * d], &st.means[j * d..(j + 1) * d]).sqrt();
                if gap > 0.0 {
                    worst = worst.max((spread[i] + spread[j]) / gap);
                }
            }
            total += worst;
        }
        total / self.k as f64
    }
}

/// What the centroid-based metrics need, from one pass over the data after the means.
struct Stats {
    counts: Vec<f64>,
    means: Vec<f64>,
    within_sq: Vec<f64>,
    within_dist: Vec<f64>,
}

/// Calinski-Harabasz and Davies-Bouldin together, sharing their passes over the data.
pub(crate) fn calinski_harabasz_and_davies_bouldin<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    segmentation: &Segmentation,
) -> Result<(f64, f64)> {
    let a = Assigned::from(features, segmentation)?;
    a.needs_segments("calinski_harabasz")?;
    let st = a.stats();
    Ok((a.calinski_harabasz(&st), a.davies_bouldin(&st)))
}

/// Checks the matrix (non-empty, finite) and that the segmentation is of its rows.
fn check_shapes<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    segmentation: &Segmentation,
) -> Result<()> {
    check_features(features)?;
    if segmentation.n_customers() != features.nrows() {
        return Err(Error::ShapeMismatch {
            what: "customers in the segmentation and rows in the features",
            expected: features.nrows(),
            found: segmentation.n_customers(),
        });
    }
    Ok(())
}

/// The mean silhouette coefficient over the customers in a segment, computed exactly: for each
/// customer, `a` is the mean distance to the others in its segment, `b` the smallest mean distance
/// to another segment's customers, and its silhouette is `(b - a) / max(a, b)` (0 for a customer
/// alone in its segment). From -1 (wrong segments) through 0 (overlapping) to 1 (compact,
/// well-separated segments).
///
/// Costs `O(n² d)` with no cap (10,000 customers with 5,000 feature columns take most of a
/// minute): for more than a few thousand customers, or many feature columns, use
/// [`silhouette_sampled`] with a size from [`silhouette_sample_size`], as the pipeline does.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the segmentation is not of these rows, the errors of a bad
/// feature matrix (empty, NaN), and [`Error::InvalidParameter`] with fewer than 2 segments or as
/// many segments as segmented customers.
pub fn silhouette<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    segmentation: &Segmentation,
) -> Result<f64> {
    let a = Assigned::from(features, segmentation)?;
    a.needs_segments("silhouette")?;
    Ok(a.silhouette())
}

/// The silhouette of a seeded random sample of `sample_size` segmented customers (exact on the
/// sample, as scikit-learn's `silhouette_score(sample_size=..)`); the exact value when
/// `sample_size` is at least the number of segmented customers. A sample of a few thousand gives
/// the score to about two decimals. Costs `O(sample_size² d)`: [`silhouette_sample_size`] gives a
/// sample within [`SILHOUETTE_BUDGET`].
///
/// # Errors
/// As [`silhouette`], plus [`Error::InvalidParameter`] when `sample_size` is below 2 or the sample
/// holds fewer than 2 segments.
pub fn silhouette_sampled<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    segmentation: &Segmentation,
    sample_size: usize,
    seed: u64,
) -> Result<f64> {
    if sample_size < 2 {
        return Err(Error::InvalidParameter {
            name: "sample_size",
            value: sample_size.to_string(),
            reason: "the silhouette needs a sample of at least 2 customers",
        });
    }
    check_shapes(features, segmentation)?;
    let assigned: Vec<usize> = (0..features.nrows())
        .filter(|&i| segmentation.labels()[i].is_some())
        .collect();
    let n = assigned.len();
    if sample_size >= n {
        let a = Assigned::from(features, segmentation)?;
        a.needs_segments("silhouette")?;
        return Ok(a.silhouette());
    }
    let mut picks = Rng::new(seed).sample_indices(n, sample_size);
    picks.sort_unstable();
    let rows: Vec<usize> = picks.into_iter().map(|j| assigned[j]).collect();
    let all = Assigned::rows_of(features, segmentation, &rows);
    let s = all.subset(&(0..rows.len()).collect::<Vec<_>>());
    s.needs_segments("silhouette (on the sample)")?;
    Ok(s.silhouette())
}

/// The Calinski-Harabasz index: between-segment dispersion over within-segment dispersion, each
/// divided by its degrees of freedom, `[B / (k - 1)] / [W / (n - k)]`. Higher is better; 1 when
/// every segment is a single point repeated.
///
/// # Errors
/// As [`silhouette`].
pub fn calinski_harabasz<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    segmentation: &Segmentation,
) -> Result<f64> {
    let a = Assigned::from(features, segmentation)?;
    a.needs_segments("calinski_harabasz")?;
    Ok(a.calinski_harabasz(&a.stats()))
}

/// The Davies-Bouldin index: the mean over segments of the worst ratio
/// `(s_i + s_j) / |c_i - c_j|`, where `s_i` is the mean distance of segment `i`'s customers to its
/// centroid `c_i`. Lower is better; 0 is the minimum.
///
/// # Errors
/// As [`silhouette`].
pub fn davies_bouldin<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    segmentation: &Segmentation,
) -> Result<f64> {
    let a = Assigned::from(features, segmentation)?;
    a.needs_segments("davies_bouldin")?;
    Ok(a.davies_bouldin(&a.stats()))
}

/// The sum of squared distances from each segmented customer to the mean of its segment (the
/// k-means objective), computed from the data, whatever algorithm made the segmentation.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the segmentation is not of these rows and the errors of a bad
/// feature matrix (empty, NaN).
pub fn inertia<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    segmentation: &Segmentation,
) -> Result<f64> {
    let a = Assigned::from(features, segmentation)?;
    if a.k == 0 {
        return Ok(0.0);
    }
    Ok(a.stats().within_sq.iter().sum())
}

/// The adjusted Rand index between two labellings of the same customers: 1 for the same
/// partition (whatever the label names), about 0 for unrelated ones, negative for worse than
/// chance. Labels can be of any hashable type; with `Option` labels, `None` (no segment) counts
/// as one more label, so compare on assigned customers only if noise should not count.
///
/// ```
/// use personas::segment::adjusted_rand_index;
///
/// let ari = adjusted_rand_index(&[0, 0, 1, 1], &["b", "b", "a", "a"])?;
/// assert_eq!(ari, 1.0);
/// # Ok::<(), personas::Error>(())
/// ```
///
/// # Errors
/// [`Error::ShapeMismatch`] when the two labellings differ in length.
pub fn adjusted_rand_index<A: Eq + Hash, B: Eq + Hash>(a: &[A], b: &[B]) -> Result<f64> {
    if a.len() != b.len() {
        return Err(Error::ShapeMismatch {
            what: "labels in the two labellings",
            expected: a.len(),
            found: b.len(),
        });
    }
    fn ids<T: Eq + Hash>(labels: &[T]) -> (Vec<usize>, usize) {
        let mut map: HashMap<&T, usize> = HashMap::new();
        let ids = labels
            .iter()
            .map(|l| {
                let next = map.len();
                *map.entry(l).or_insert(next)
            })
            .collect();
        (ids, map.len())
    }
    let (ia, ka) = ids(a);
    let (ib, kb) = ids(b);
    let n = a.len();
    // The special cases where scikit-learn returns 1: identical trivial partitions.
    if n < 2 || (ka == kb && (ka == 1 || ka == n)) {
        return Ok(1.0);
    }
    let pairs = |c: f64| c * (c - 1.0) / 2.0;
    let mut table: HashMap<(usize, usize), f64> = HashMap::new();
    let mut rows = vec![0.0; ka];
    let mut cols = vec![0.0; kb];
    for (&x, &y) in ia.iter().zip(&ib) {
        *table.entry((x, y)).or_insert(0.0) += 1.0;
        rows[x] += 1.0;
        cols[y] += 1.0;
    }
    let index: f64 = table.values().map(|&c| pairs(c)).sum();
    let sum_a: f64 = rows.iter().map(|&c| pairs(c)).sum();
    let sum_b: f64 = cols.iter().map(|&c| pairs(c)).sum();
    let expected = sum_a * sum_b / pairs(n as f64);
    let max = 0.5 * (sum_a + sum_b);
    if max == expected {
        return Ok(1.0);
    }
    Ok((index - expected) / (max - expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn seg(labels: &[usize]) -> Segmentation {
        Segmentation::new(labels.iter().map(|&l| Some(l)).collect(), None, None).unwrap()
    }

    #[test]
    fn ari_is_one_for_renamed_partitions_and_low_for_unrelated() {
        assert_eq!(
            adjusted_rand_index(&[0, 0, 1, 2], &[5, 5, 3, 9]).unwrap(),
            1.0
        );
        let r = adjusted_rand_index(&[0, 0, 0, 1, 1, 1], &[0, 1, 2, 0, 1, 2]).unwrap();
        assert!(r < 0.0, "{r}");
        // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
        let r = adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]).unwrap();
        assert!((r - 0.571_428_571_428_571_5).abs() < 1e-12);
        assert!(matches!(
            adjusted_rand_index(&[0], &[0, 1]),
            Err(Error::ShapeMismatch { .. })
        ));
    }

    #[test]
    fn metrics_match_hand_computed_values() {
        // Two segments on a line: {0, 2} and {10, 12}.
        let x = array![[0.0], [2.0], [10.0], [12.0]];
        let s = seg(&[0, 0, 1, 1]);
        // a = 2, b = mean(10, 12) = 11 for x=0, (8+10)/2 = 9 for x=2, symmetric.
        let expected = ((11.0 - 2.0) / 11.0 + (9.0 - 2.0) / 9.0) / 2.0;
        assert!((silhouette(x.view(), &s).unwrap() - expected).abs() < 1e-12);
        assert!((inertia(x.view(), &s).unwrap() - 4.0).abs() < 1e-12);
        // B = 2 * 2 * 5^2 = 100, W = 4: CH = 100 * 2 / (4 * 1) = 50.
        assert!((calinski_harabasz(x.view(), &s).unwrap() - 50.0).abs() < 1e-12);
        // s = 1 each, gap 10: DB = 0.2.
        assert!((davies_bouldin(x.view(), &s).unwrap() - 0.2).abs() < 1e-12);
        let sampled = silhouette_sampled(x.view(), &s, 100, 1).unwrap();
        assert!((sampled - expected).abs() < 1e-12);
    }

    #[test]
    fn one_segment_is_rejected_and_noise_is_ignored() {
        let x = array![[0.0], [2.0], [10.0], [12.0], [100.0]];
        let one = seg(&[0, 0, 0, 0, 0]);
        assert!(matches!(
            silhouette(x.view(), &one),
            Err(Error::InvalidParameter { .. })
        ));
        let with_noise =
            Segmentation::new(vec![Some(0), Some(0), Some(1), Some(1), None], None, None).unwrap();
        assert!((inertia(x.view(), &with_noise).unwrap() - 4.0).abs() < 1e-12);
        let short = seg(&[0, 1]);
        assert!(matches!(
            inertia(x.view(), &short),
            Err(Error::ShapeMismatch { .. })
        ));
    }
}
