//! Segment discovery: a [`Segmenter`] turns a feature matrix into a [`Segmentation`].
//!
//! Every segmenter takes the encoded matrix (one row per customer) and returns a label per
//! customer. Labels are renumbered so that segment 0 is the largest, then 1, and so on (ties go to
//! the segment whose first customer comes first), which makes results comparable between runs and
//! algorithms. A customer may be in no segment (`None`): DBSCAN leaves outliers unassigned.
//!
//! The engines, all our own (parallel with rayon, deterministic whatever the thread count):
//!
//! - [`KMeans`]: `k` segments around centroids (k-means++, on a sample for large data, or random
//!   initialisation, restarts, per-customer weights); [`KMeans::fit`] gives a [`KMeansModel`]
//!   that assigns new customers.
//! - [`Dbscan`]: dense regions as segments, outliers in none; [`suggest_eps`] proposes the radius
//!   and [`Dbscan::fit`] gives a [`DbscanModel`] that assigns new customers.
//! - [`AutoK`]: k-means with `k` chosen from a range (3..=6 by default) by separation
//!   (silhouette relative to the range's best) times stability, skipping fits with a tiny segment, and
//!   returning the score of every `k` tried with a [`KAssessment`] (reason, range-edge and
//!   weak-structure warnings).
//!
//! [`stability`] measures whether a k-means configuration finds the same segments again on
//! seeded subsamples (adjusted Rand index, and a Jaccard stability per segment).
//!
//! [`metrics`] judges a segmentation (silhouette, Calinski-Harabasz, Davies-Bouldin, inertia) and
//! compares two labellings ([`adjusted_rand_index`]). The same engines are available behind
//! linfa's traits in [`crate::linfa`].

mod dbscan;
mod kmeans;
pub mod metrics;
mod select;
pub mod stability;

pub use dbscan::{suggest_eps, Dbscan, DbscanModel};
pub use kmeans::{Init, KMeans, KMeansModel};
pub use metrics::{
    adjusted_rand_index, calinski_harabasz, davies_bouldin, inertia, silhouette,
    silhouette_sample_size, silhouette_sampled, SILHOUETTE_BUDGET,
};
pub use select::{AutoK, KAssessment, KChoice, KScore, NEAR_TIE};
pub use stability::{Stability, StabilityScore};

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::error::{Error, Result};

/// Anything that splits customers into segments.
pub trait Segmenter {
    /// Segments the customers whose encoded features are the rows of `features`.
    ///
    /// # Errors
    /// Implementations reject an empty matrix, non-finite values and impossible parameters (such
    /// as more segments than customers) with a descriptive [`Error`].
    fn segment(&self, features: ArrayView2<'_, f64>) -> Result<Segmentation>;
}

/// The result of segmenting customers: a label per customer and what the algorithm learned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segmentation {
    labels: Vec<Option<usize>>,
    sizes: Vec<usize>,
    #[serde(skip)]
    centroids: Option<Array2<f64>>,
    inertia: Option<f64>,
}

impl Segmentation {
    /// Builds a segmentation from raw labels (any numbering; `None` for "no segment") and optional
    /// centroids indexed by raw label. Labels are renumbered so that segment 0 is the largest;
    /// centroid rows follow their segments, and centroids of labels no customer carries are
    /// dropped.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when a label has no centroid row.
    pub fn new(
        labels: Vec<Option<usize>>,
        centroids: Option<Array2<f64>>,
        inertia: Option<f64>,
    ) -> Result<Self> {
        if let (Some(c), Some(max)) = (&centroids, labels.iter().flatten().max()) {
            if *max >= c.nrows() {
                return Err(Error::ShapeMismatch {
                    what: "centroid rows for the labels used",
                    expected: max.saturating_add(1),
                    found: c.nrows(),
                });
            }
        }
        // Raw labels may be any numbers: map them to 0.. in order of first appearance, through a
        // table when they are small (the usual case) and a hash map otherwise.
        let max = labels.iter().flatten().copied().max().unwrap_or(0);
        let mut table = if max <= labels.len() {
            vec![usize::MAX; max + 1]
        } else {
            Vec::new()
        };
        let mut map: std::collections::HashMap<usize, usize> = Default::default();
        let mut raw_of: Vec<usize> = Vec::new();
        let mut dense = |raw: usize| {
            let slot = match table.get_mut(raw) {
                Some(slot) => slot,
                None => map.entry(raw).or_insert(usize::MAX),
            };
            if *slot == usize::MAX {
                *slot = raw_of.len();
                raw_of.push(raw);
            }
            *slot
        };
        let labels: Vec<Option<usize>> = labels.into_iter().map(|l| l.map(&mut dense)).collect();
        let n_raw = raw_of.len();
        let mut counts = vec![0usize; n_raw];
        let mut first_seen = vec![usize::MAX; n_raw];
        for (i, l) in labels.iter().enumerate() {
            if let Some(l) = *l {
                counts[l] += 1;
                first_seen[l] = first_seen[l].min(i);
            }
        }
        let mut order: Vec<usize> = (0..n_raw).filter(|&l| counts[l] > 0).collect();
        order.sort_by_key(|&l| (std::cmp::Reverse(counts[l]), first_seen[l]));
        let mut new_of = vec![usize::MAX; n_raw];
        for (new, &old) in order.iter().enumerate() {
            new_of[old] = new;
        }
        let labels = labels.into_iter().map(|l| l.map(|l| new_of[l])).collect();
        let sizes = order.iter().map(|&l| counts[l]).collect();
        let rows: Vec<usize> = order.iter().map(|&l| raw_of[l]).collect();
        let centroids = centroids.map(|c| c.select(ndarray::Axis(0), &rows));
        Ok(Segmentation {
            labels,
            sizes,
            centroids,
            inertia,
        })
    }

    /// The segment of each customer, in input order; `None` for customers in no segment.
    pub fn labels(&self) -> &[Option<usize>] {
        &self.labels
    }

    /// The number of segments (not counting "no segment").
    pub fn n_segments(&self) -> usize {
        self.sizes.len()
    }

    /// The number of customers in each segment, largest first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The number of customers in no segment.
    pub fn unassigned(&self) -> usize {
        self.labels.iter().filter(|l| l.is_none()).count()
    }

    /// The number of customers segmented (including those in no segment).
    pub fn n_customers(&self) -> usize {
        self.labels.len()
    }

    /// The centroids in feature space, one row per segment, when the algorithm has them.
    pub fn centroids(&self) -> Option<&Array2<f64>> {
        self.centroids.as_ref()
    }

    /// The sum of squared distances from customers to their centroid, when defined.
    pub fn inertia(&self) -> Option<f64> {
        self.inertia
    }
}

/// Checks that a feature matrix is non-empty and finite.
pub(crate) fn check_features(features: ArrayView2<'_, f64>) -> Result<()> {
    if features.nrows() == 0 {
        return Err(Error::NoRows);
    }
    if features.ncols() == 0 {
        return Err(Error::NoFeatures);
    }
    for ((row, column), &value) in features.indexed_iter() {
        if !value.is_finite() {
            return Err(Error::NonFiniteFeature { row, column, value });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn labels_are_renumbered_largest_first_with_centroids_following() {
        let raw = vec![Some(2), Some(0), Some(2), None, Some(2), Some(0), Some(1)];
        let centroids = array![[0.0], [1.0], [2.0], [3.0]];
        let s = Segmentation::new(raw, Some(centroids), None).unwrap();
        assert_eq!(
            s.labels(),
            &[Some(0), Some(1), Some(0), None, Some(0), Some(1), Some(2)]
        );
        assert_eq!(s.sizes(), &[3, 2, 1]);
        assert_eq!(s.unassigned(), 1);
        assert_eq!(s.centroids().unwrap(), &array![[2.0], [0.0], [1.0]]);
    }

    #[test]
    fn ties_go_to_the_segment_seen_first() {
        let s = Segmentation::new(vec![Some(5), Some(3), Some(3), Some(5)], None, None).unwrap();
        assert_eq!(s.labels(), &[Some(0), Some(1), Some(1), Some(0)]);
    }

    #[test]
    fn any_label_numbers_are_accepted() {
        let s = Segmentation::new(
            vec![Some(usize::MAX), Some(1 << 40), Some(usize::MAX)],
            None,
            None,
        )
        .unwrap();
        assert_eq!(s.labels(), &[Some(0), Some(1), Some(0)]);
        assert_eq!(s.sizes(), &[2, 1]);
        let c = Segmentation::new(vec![Some(usize::MAX)], Some(array![[0.0]]), None);
        assert!(matches!(c, Err(Error::ShapeMismatch { .. })));
    }

    #[test]
    fn missing_centroid_rows_are_an_error() {
        let r = Segmentation::new(vec![Some(3)], Some(array![[0.0]]), None);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
    }

    #[test]
    fn non_finite_features_are_located() {
        let r = check_features(array![[0.0, 1.0], [f64::NAN, 2.0]].view());
        assert!(matches!(
            r,
            Err(Error::NonFiniteFeature {
                row: 1,
                column: 0,
                ..
            })
        ));
    }
}
