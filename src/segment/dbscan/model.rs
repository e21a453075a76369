//! The fitted DBSCAN model: its core points and their segments, assigning new customers, and its
//! checked serialised form.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::index::Index;
use super::BLOCK;
use crate::error::{Error, Result};
use crate::segment::{check_features, Assignment, Fitted, SegmentId};

/// A fitted DBSCAN: the radius, the core points (in training order) and the segment of each.
/// A new customer joins the segment of the first core point (in training order) within `eps`,
/// exactly as a border customer did in training, so a training customer gets its training
/// segment back. It serialises with its core points, not the training labels, and is rebuilt
/// (its search tree included) and checked when read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DbscanModelData", into = "DbscanModelData")]
pub struct DbscanModel {
    eps: f64,
    min_points: usize,
    d: usize,
    n_segments: usize,
    core_rows: Vec<usize>,
    core_labels: Vec<SegmentId>,
    core_index: Index,
}

/// The serialised form of a [`DbscanModel`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DbscanModelData {
    eps: f64,
    min_points: usize,
    n_features: usize,
    n_segments: usize,
    /// The training row of each core point, increasing.
    core_rows: Vec<usize>,
    core_points: Vec<Vec<f64>>,
    core_labels: Vec<SegmentId>,
}

impl From<DbscanModel> for DbscanModelData {
    fn from(m: DbscanModel) -> Self {
        let d = m.d;
        let g = &m.core_index;
        let mut core_points = vec![Vec::new(); m.core_rows.len()];
        for (p, &i) in g.order.iter().enumerate() {
            core_points[i] = g.points[p * d..(p + 1) * d].to_vec();
        }
        DbscanModelData {
            eps: m.eps,
            min_points: m.min_points,
            n_features: d,
            n_segments: m.n_segments,
            core_rows: m.core_rows,
            core_points,
            core_labels: m.core_labels,
        }
    }
}

impl TryFrom<DbscanModelData> for DbscanModel {
    type Error = Error;

    fn try_from(data: DbscanModelData) -> Result<Self> {
        super::Dbscan::new(data.eps, data.min_points).check()?;
        let m = data.core_rows.len();
        let d = data.n_features;
        if d == 0 {
            return Err(Error::NoFeatures);
        }
        for (what, found) in [
            ("core points, one per core row", data.core_points.len()),
            ("core labels, one per core row", data.core_labels.len()),
        ] {
            if found != m {
                return Err(Error::ShapeMismatch {
                    what,
                    expected: m,
                    found,
                });
            }
        }
        if let Some(row) = data.core_points.iter().find(|r| r.len() != d) {
            return Err(Error::ShapeMismatch {
                what: "values in every core point",
                expected: d,
                found: row.len(),
            });
        }
        if let Some(v) = data.core_points.iter().flatten().find(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "core_points",
                value: v.to_string(),
                reason: "core point values must be finite numbers",
            });
        }
        if data.core_rows.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::InvalidParameter {
                name: "core_rows",
                value: "not increasing".into(),
                reason: "core rows are training rows in increasing order",
            });
        }
        // Every segment has a core point, so there are no more segments than core points (and
        // a count read from the file allocates nothing before it is checked).
        if data.n_segments > m {
            return Err(Error::ShapeMismatch {
                what: "segments, each with a core point (at most the core points)",
                expected: m,
                found: data.n_segments,
            });
        }
        let mut seen = vec![false; data.n_segments];
        for l in &data.core_labels {
            match seen.get_mut(l.index()) {
                Some(s) => *s = true,
                None => {
                    return Err(Error::ShapeMismatch {
                        what: "segments named by the core labels",
                        expected: data.n_segments,
                        found: l.index() + 1,
                    })
                }
            }
        }
        if let Some(empty) = seen.iter().position(|s| !s) {
            return Err(Error::InvalidParameter {
                name: "n_segments",
                value: data.n_segments.to_string(),
                reason: if empty == 0 {
                    "every segment needs a core point, and there are none"
                } else {
                    "every segment needs a core point"
                },
            });
        }
        let x: Vec<f64> = data.core_points.into_iter().flatten().collect();
        Ok(DbscanModel::new(
            data.eps,
            data.min_points,
            d,
            data.core_rows,
            &x,
            data.core_labels,
            data.n_segments,
        ))
    }
}

impl DbscanModel {
    /// The model of core points `x` (row-major, `d` values each) taken from training rows
    /// `core_rows`, with their segments.
    pub(super) fn new(
        eps: f64,
        min_points: usize,
        d: usize,
        core_rows: Vec<usize>,
        x: &[f64],
        core_labels: Vec<SegmentId>,
        n_segments: usize,
    ) -> Self {
        let core_index = Index::new(x, core_rows.len(), d);
        DbscanModel {
            eps,
            min_points,
            d,
            n_segments,
            core_rows,
            core_labels,
            core_index,
        }
    }

    /// The neighbourhood radius.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// The neighbourhood size (itself included) that made a core customer.
    pub fn min_points(&self) -> usize {
        self.min_points
    }

    /// The number of feature columns.
    pub fn n_features(&self) -> usize {
        self.d
    }

    /// The number of core customers.
    pub fn n_core(&self) -> usize {
        self.core_rows.len()
    }

    /// The training row of each core customer, increasing.
    pub fn core_rows(&self) -> &[usize] {
        &self.core_rows
    }

    /// The segment of each core customer, in the order of [`DbscanModel::core_rows`].
    pub fn core_labels(&self) -> &[SegmentId] {
        &self.core_labels
    }

    /// The number of segments found.
    pub fn n_segments(&self) -> usize {
        self.n_segments
    }

    /// The mean of each segment's core points in feature space, one row per segment (segment 0
    /// first): where a segment sits, for comparing it with the segments of another fit.
    pub fn core_centres(&self) -> ndarray::Array2<f64> {
        let d = self.d;
        let mut sums = ndarray::Array2::<f64>::zeros((self.n_segments, d));
        let mut counts = vec![0usize; self.n_segments];
        let g = &self.core_index;
        for (p, &i) in g.order.iter().enumerate() {
            let s = self.core_labels[i].index();
            counts[s] += 1;
            for (t, x) in g.points[p * d..(p + 1) * d].iter().enumerate() {
                sums[[s, t]] += x;
            }
        }
        for (mut row, &c) in sums.rows_mut().into_iter().zip(&counts) {
            if c > 0 {
                row /= c as f64;
            }
        }
        sums
    }

    /// The segment of each row of `features`: that of the first core customer (in training
    /// order) within `eps`, or `None` when no core customer is that close.
    ///
    /// # Errors
    /// As [`DbscanModel::assign`].
    pub fn predict(&self, features: ArrayView2<'_, f64>) -> Result<Vec<Option<SegmentId>>> {
        Ok(self
            .assign(features)?
            .into_iter()
            .map(|a| a.segment)
            .collect())
    }

    /// The [`Assignment`] of each row of `features`: its segment as [`DbscanModel::predict`]
    /// finds it, the core customer that admitted it (its training row) and the distance to it.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the number of columns differs from the training data, and
    /// the errors of an empty or non-finite matrix.
    pub fn assign(&self, features: ArrayView2<'_, f64>) -> Result<Vec<Assignment>> {
        check_features(features)?;
        if features.ncols() != self.d {
            return Err(Error::ShapeMismatch {
                what: "feature columns of the fitted model",
                expected: self.d,
                found: features.ncols(),
            });
        }
        let data = features.as_standard_layout();
        let Some(x) = data.as_slice() else {
            return Err(Error::Clustering(
                "internal: a standard-layout matrix has no contiguous slice".into(),
            ));
        };
        let mut out = vec![
            Assignment {
                segment: None,
                distance: None,
                margin: None,
                core: None,
            };
            features.nrows()
        ];
        out.par_chunks_mut(BLOCK)
            .zip(x.par_chunks(BLOCK * self.d))
            .for_each(|(ob, xb)| {
                for (o, q) in ob.iter_mut().zip(xb.chunks_exact(self.d)) {
                    if let Some((i, d2)) = self.admitting_core(q) {
                        o.segment = Some(self.core_labels[i]);
                        o.distance = Some(d2.sqrt());
                        o.core = Some(self.core_rows[i]);
                    }
                }
            });
        Ok(out)
    }

    /// The first core customer (in training order) within `eps` of `q`, and its squared
    /// distance.
    fn admitting_core(&self, q: &[f64]) -> Option<(usize, f64)> {
        let g = &self.core_index;
        let mut best: Option<(usize, f64)> = None;
        g.visit_dist(q, self.eps * self.eps, |p, d2| {
            let i = g.order[p];
            if !matches!(best, Some((b, _)) if b <= i) {
                best = Some((i, d2));
            }
            true
        });
        best
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
        out.par_chunks_mut(BLOCK)
            .zip(x.par_chunks(BLOCK * self.d.max(1)))
            .for_each(|(ob, xb)| {
                for (o, q) in ob.iter_mut().zip(xb.chunks_exact(self.d.max(1))) {
                    *o = self
                        .admitting_core(q)
                        .map(|(i, _)| self.core_labels[i].index());
                }
            });
    }
}

impl Fitted<DbscanModel> {
    /// Whether each training customer is a core customer.
    pub fn is_core(&self) -> Vec<bool> {
        let mut core = vec![false; self.segmentation().n_customers()];
        for &r in self.model().core_rows() {
            if let Some(c) = core.get_mut(r) {
                *c = true;
            }
        }
        core
    }
}
