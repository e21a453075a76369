//! Segment discovery: a [`Segmenter`] fits the encoded customers ([`Features`]) and gives a
//! [`Fitted`] segmenter: the [`Segmentation`] of those customers and a model that assigns new
//! ones ([`SegmentModel`], which serialises, so it can be saved and used for months).
//!
//! A customer's label is an `Option<`[`SegmentId`]`>` everywhere: segments are numbered so that
//! segment 0 is the largest, then 1, and so on (ties go to the segment whose first customer comes
//! first), by one renumbering routine ([`Segmentation::new`]), which makes results comparable
//! between runs and algorithms; `None` is "no segment" (DBSCAN's outliers, or a new customer too
//! far from every segment). An [`Assignment`] says how well a new customer fits.
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
mod features;
mod fitted;
mod kmeans;
pub(crate) mod labels;
pub mod metrics;
mod select;
pub mod stability;

pub use dbscan::{suggest_eps, Dbscan, DbscanModel};
pub use features::{FeatureFloat, FeatureMatrix, FeatureView, Features, Precision};
pub use fitted::{Assignment, Fitted, SegmentModel, Segmenter};
pub use kmeans::{Init, KMeans, KMeansModel};
pub use labels::{SegmentId, Segmentation};
pub use metrics::{
    adjusted_rand_index, calinski_harabasz, davies_bouldin, inertia, silhouette,
    silhouette_sample_size, silhouette_sampled, SILHOUETTE_BUDGET,
};
pub use select::{AutoK, KAssessment, KChoice, KScore, NEAR_TIE};
pub use stability::{Stability, StabilityScore};

use ndarray::ArrayView2;

use crate::error::{Error, Result};

/// Checks that a feature matrix is non-empty and finite.
pub(crate) fn check_features<T: FeatureFloat>(features: ArrayView2<'_, T>) -> Result<()> {
    if features.nrows() == 0 {
        return Err(Error::NoRows);
    }
    if features.ncols() == 0 {
        return Err(Error::NoFeatures);
    }
    for ((row, column), &value) in features.indexed_iter() {
        let value = value.to_f64();
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
