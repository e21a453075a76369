//! k-means segmentation.

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_clustering::KMeans as LinfaKMeans;
use ndarray::ArrayView2;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

use super::{check_features, Segmentation, Segmenter};
use crate::error::{Error, Result};

/// k-means: `k` segments whose customers are closest to their segment's centroid.
///
/// Seeded and deterministic: the same data and seed give the same segments.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    k: usize,
    seed: u64,
    n_init: usize,
    max_iter: usize,
    tolerance: f64,
}

impl KMeans {
    /// k-means with `k` segments, seed 0, 10 restarts, at most 300 iterations, tolerance 1e-4.
    pub fn new(k: usize) -> Self {
        KMeans {
            k,
            seed: 0,
            n_init: 10,
            max_iter: 300,
            tolerance: 1e-4,
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

    /// Sets the convergence tolerance.
    pub fn with_tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The number of segments.
    pub fn k(&self) -> usize {
        self.k
    }
}

impl Segmenter for KMeans {
    fn segment(&self, features: ArrayView2<'_, f64>) -> Result<Segmentation> {
        check_features(features)?;
        let n = features.nrows();
        if self.k == 0 || self.k > n {
            return Err(Error::InvalidK {
                k: self.k,
                n_customers: n,
            });
        }
        if self.n_init == 0 {
            return Err(Error::InvalidParameter {
                name: "n_init",
                value: "0".into(),
                reason: "at least one initialisation is needed",
            });
        }
        let data = DatasetBase::from(features.to_owned());
        let model = LinfaKMeans::params_with_rng(self.k, Xoshiro256Plus::seed_from_u64(self.seed))
            .n_runs(self.n_init)
            .max_n_iterations(self.max_iter as u64)
            .tolerance(self.tolerance)
            .fit(&data)
            .map_err(|e| Error::Clustering(e.to_string()))?;
        let labels = model.predict(&features.to_owned());
        let inertia = model.inertia();
        Segmentation::new(
            labels.iter().map(|&l| Some(l)).collect(),
            Some(model.centroids().clone()),
            Some(inertia),
        )
    }
}
