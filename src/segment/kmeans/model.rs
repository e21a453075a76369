//! The fitted k-means model: centroids (segment 0 is the largest), how far each segment's
//! training customers lay from its centroid, how the fit went; assigning new customers; and its
//! checked serialised form.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::lloyd::Run;
use super::{check_values, contiguous, nearest, KMeans, BLOCK_ROWS};
use crate::error::{Error, Result};
use crate::segment::labels::rank_by_size;
use crate::segment::{Assignment, FeatureFloat, Fitted, SegmentId, Segmentation};

/// A fitted k-means model: the centroids (segment 0 is the largest), each segment's reach (the
/// largest distance from its centroid of a training customer in it) and how the fit went. It
/// assigns new customers with [`KMeansModel::predict`] and [`KMeansModel::assign`], and
/// serialises to JSON (centroids as rows of numbers); reading one back checks its shape and
/// that every number is finite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "KMeansModelData", into = "KMeansModelData")]
pub struct KMeansModel {
    centroids: Array2<f64>,
    reach: Vec<f64>,
    inertia: f64,
    n_iter: usize,
    converged: bool,
    inertia_history: Vec<f64>,
}

/// The serialised form of a [`KMeansModel`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KMeansModelData {
    centroids: Vec<Vec<f64>>,
    reach: Vec<f64>,
    inertia: f64,
    n_iter: usize,
    converged: bool,
    inertia_history: Vec<f64>,
}

impl From<KMeansModel> for KMeansModelData {
    fn from(m: KMeansModel) -> Self {
        KMeansModelData {
            centroids: m.centroids.rows().into_iter().map(|r| r.to_vec()).collect(),
            reach: m.reach,
            inertia: m.inertia,
            n_iter: m.n_iter,
            converged: m.converged,
            inertia_history: m.inertia_history,
        }
    }
}

impl TryFrom<KMeansModelData> for KMeansModel {
    type Error = Error;

    fn try_from(data: KMeansModelData) -> Result<Self> {
        let invalid = |name, value: String, reason| Error::InvalidParameter {
            name,
            value,
            reason,
        };
        let k = data.centroids.len();
        let d = data.centroids.first().map_or(0, Vec::len);
        if k == 0 || d == 0 {
            return Err(invalid(
                "centroids",
                format!("{k} rows of {d} columns"),
                "a k-means model needs at least one centroid of at least one feature",
            ));
        }
        if let Some(row) = data.centroids.iter().position(|r| r.len() != d) {
            return Err(invalid(
                "centroids",
                format!("row {} of {} values", row + 1, data.centroids[row].len()),
                "every centroid row must have as many values as the first",
            ));
        }
        if data.reach.len() != k {
            return Err(Error::ShapeMismatch {
                what: "reach values, one per centroid",
                expected: k,
                found: data.reach.len(),
            });
        }
        let values = data.centroids.iter().flatten();
        if let Some(v) = values
            .clone()
            .find(|v| !v.is_finite() || v.abs() > KMeans::MAX_ABS_FEATURE)
        {
            return Err(invalid(
                "centroids",
                v.to_string(),
                "centroid values must be finite numbers within KMeans::MAX_ABS_FEATURE",
            ));
        }
        if let Some(v) = data.reach.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(invalid(
                "reach",
                v.to_string(),
                "a reach is a finite distance >= 0",
            ));
        }
        let history = data.inertia_history.iter();
        if let Some(v) = std::iter::once(&data.inertia)
            .chain(history)
            .find(|v| !(v.is_finite() && **v >= 0.0))
        {
            return Err(invalid(
                "inertia",
                v.to_string(),
                "an inertia is a finite number >= 0",
            ));
        }
        let centroids = Array2::from_shape_vec((k, d), values.copied().collect())
            .map_err(|e| Error::Clustering(format!("internal: {e}")))?;
        Ok(KMeansModel {
            centroids,
            reach: data.reach,
            inertia: data.inertia,
            n_iter: data.n_iter,
            converged: data.converged,
            inertia_history: data.inertia_history,
        })
    }
}

impl KMeansModel {
    /// Orders the segments largest first, then by first customer, then index (empty segments
    /// last). This is the rank the final assignment broke its ties by (see `lloyd`), so the
    /// training labels stay the nearest centroids with ties to the lower index, as
    /// [`KMeansModel::predict`] finds them. Measures each segment's reach on the way.
    pub(super) fn fitted<T: FeatureFloat>(
        run: Run,
        raw_labels: &[usize],
        features: ArrayView2<'_, T>,
    ) -> Result<Fitted<Self>> {
        let d = features.ncols();
        let k = run.centroids.len() / d;
        let mut counts = vec![0usize; k];
        let mut first = vec![usize::MAX; k];
        for (i, &l) in raw_labels.iter().enumerate() {
            counts[l] += 1;
            first[l] = first[l].min(i);
        }
        let order = rank_by_size(&counts, &first, true);
        let mut centroids = Array2::zeros((k, d));
        for (new, &old) in order.iter().enumerate() {
            for j in 0..d {
                centroids[[new, j]] = run.centroids[old * d + j];
            }
        }
        // The training labels are what `assign` gives the training customers: the nearest
        // centroid, ties to the lower index. Lloyd's labels already are, after the renumbering
        // (its ties broke by this rank); the pass below makes it so by construction, and
        // re-ranks in the rare case a tie moved a customer and changed the order of sizes.
        let mut labels;
        let mut reach;
        let mut passes = 0;
        loop {
            (labels, reach) = nearest_and_reach(features, &centroids)?;
            counts.iter_mut().for_each(|c| *c = 0);
            first.iter_mut().for_each(|f| *f = usize::MAX);
            for (i, &l) in labels.iter().enumerate() {
                counts[l] += 1;
                first[l] = first[l].min(i);
            }
            let order = rank_by_size(&counts, &first, true);
            passes += 1;
            if order.iter().enumerate().all(|(new, &old)| new == old) || passes > 100 {
                break;
            }
            centroids = centroids.select(ndarray::Axis(0), &order);
        }
        let segmentation = Segmentation::new(
            labels.into_iter().map(Some).collect(),
            Some(centroids.clone()),
            Some(run.inertia),
        )?;
        let model = KMeansModel {
            centroids,
            reach,
            inertia: run.inertia,
            n_iter: run.n_iter,
            converged: run.converged,
            inertia_history: run.history,
        };
        Ok(Fitted::new(model, segmentation))
    }

    /// Scales the inertias (a weighted fit ran on weights scaled to at most 1).
    pub(super) fn scale_inertia(&mut self, factor: f64) {
        self.inertia *= factor;
        self.inertia_history.iter_mut().for_each(|i| *i *= factor);
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

    /// Each segment's reach: the largest Euclidean distance (in feature space) from its centroid
    /// of a training customer in it; 0 for a centroid no training customer was nearest to. A new
    /// customer farther than this from its nearest centroid fits no segment.
    pub fn reach(&self) -> &[f64] {
        &self.reach
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

    /// The segment of each customer in the rows of `features`: the nearest centroid (ties to the
    /// lower index), or `None` when the customer is farther from it than its
    /// [`reach`](KMeansModel::reach). A training customer always gets its training segment.
    ///
    /// # Errors
    /// As [`KMeansModel::assign`].
    pub fn predict(&self, features: ArrayView2<'_, f64>) -> Result<Vec<Option<SegmentId>>> {
        Ok(self
            .assign(features)?
            .into_iter()
            .map(|a| a.segment)
            .collect())
    }

    /// The [`Assignment`] of each customer in the rows of `features`: its segment as
    /// [`KMeansModel::predict`] finds it, the distance to the nearest centroid and the margin to
    /// the second nearest.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the number of columns differs from the training data,
    /// [`Error::NoRows`] for an empty matrix, [`Error::NonFiniteFeature`] for NaN or infinite
    /// values and [`Error::FeatureTooLarge`] for a value beyond ±[`KMeans::MAX_ABS_FEATURE`].
    pub fn assign(&self, features: ArrayView2<'_, f64>) -> Result<Vec<Assignment>> {
        check_values(features)?;
        let d = self.centroids.ncols();
        if features.ncols() != d {
            return Err(Error::ShapeMismatch {
                what: "feature columns of the fitted model",
                expected: d,
                found: features.ncols(),
            });
        }
        let data = features.as_standard_layout();
        let x = contiguous(&data)?;
        let c = self.centroid_slice()?;
        let mut out = vec![
            Assignment {
                segment: None,
                distance: None,
                margin: None,
                core: None,
            };
            features.nrows()
        ];
        out.par_chunks_mut(BLOCK_ROWS)
            .zip(x.par_chunks(BLOCK_ROWS * d))
            .for_each(|(ob, xb)| {
                for (o, row) in ob.iter_mut().zip(xb.chunks_exact(d)) {
                    let (j, best, second) = nearest(row, c, d);
                    let distance = best.sqrt();
                    o.segment = (distance <= self.reach[j]).then(|| SegmentId::new(j));
                    o.distance = Some(distance);
                    o.margin = second.is_finite().then(|| second.sqrt() - distance);
                }
            });
        Ok(out)
    }

    /// The nearest centroid of each row, without checks or reach, into `out` (one slot per
    /// row); for the linfa traits, which cannot return errors. Non-finite rows get an arbitrary
    /// segment.
    ///
    /// # Panics
    /// When the column count differs from the centroids' or `out` has the wrong length.
    pub(crate) fn nearest_into(&self, features: ArrayView2<'_, f64>, out: &mut [usize]) {
        let d = self.centroids.ncols();
        assert_eq!(features.ncols(), d, "feature columns of the fitted model");
        assert_eq!(features.nrows(), out.len(), "one output slot per row");
        let data = features.as_standard_layout();
        let (Some(x), Some(c)) = (data.as_slice(), self.centroids.as_slice()) else {
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

    fn centroid_slice(&self) -> Result<&[f64]> {
        self.centroids.as_slice().ok_or(Error::Clustering(
            "internal: the centroids are not contiguous".into(),
        ))
    }
}

/// The nearest centroid of each customer (ties to the lower index) and the largest distance
/// from each centroid of the customers nearest to it, in parallel blocks combined in block
/// order (a maximum is exact, so the result is the same for any thread count).
fn nearest_and_reach<T: FeatureFloat>(
    features: ArrayView2<'_, T>,
    centroids: &Array2<f64>,
) -> Result<(Vec<usize>, Vec<f64>)> {
    let (k, d) = centroids.dim();
    let data = features.as_standard_layout();
    let x = contiguous(&data)?;
    let c = centroids.as_standard_layout();
    let c = contiguous(&c)?;
    let mut labels = vec![0usize; features.nrows()];
    let farthest = labels
        .par_chunks_mut(BLOCK_ROWS)
        .zip(x.par_chunks(BLOCK_ROWS * d))
        .map(|(lb, xb)| {
            let mut far = vec![0.0f64; k];
            for (l, row) in lb.iter_mut().zip(xb.chunks_exact(d)) {
                let (j, best, _) = nearest(row, c, d);
                *l = j;
                far[j] = far[j].max(best);
            }
            far
        })
        .reduce(
            || vec![0.0; k],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x = x.max(y));
                a
            },
        );
    Ok((labels, farthest.into_iter().map(f64::sqrt).collect()))
}
