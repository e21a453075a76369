//! Gaussian blobs of unequal sizes and spreads, with optional uniform noise: the data of our
//! benchmarks and reference tests, reproducible from a seed.

use ndarray::Array2;

use crate::rng::Rng;

/// A recipe for Gaussian blobs: `n_blobs` isotropic Gaussian clusters in `n_features` dimensions,
/// with unequal sizes (blob `j` is drawn with weight proportional to `j + 1`, so the largest is
/// `n_blobs` times the smallest) and unequal spreads (standard deviations drawn from
/// `[0.5, 1.5] x spread`), plus an optional fraction of customers spread uniformly over the
/// bounding box of the blobs ("noise").
///
/// ```
/// use personas::sample::Blobs;
///
/// let blobs = Blobs::new(1_000, 4, 3).with_seed(1).with_noise(0.05).generate();
/// assert_eq!(blobs.features.dim(), (1_000, 4));
/// assert!(blobs.labels.iter().any(|l| l.is_none()));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Blobs {
    n_samples: usize,
    n_features: usize,
    n_blobs: usize,
    seed: u64,
    noise: f64,
    spread: f64,
    separation: f64,
}

/// Generated blobs: the feature matrix and each row's true blob (`None` for noise).
#[derive(Debug, Clone, PartialEq)]
pub struct BlobData {
    /// One row per sample.
    pub features: Array2<f64>,
    /// The blob each row was drawn from, `None` for uniform noise.
    pub labels: Vec<Option<usize>>,
    /// The blob centres, one row per blob.
    pub centers: Array2<f64>,
}

impl Blobs {
    /// `n_samples` rows in `n_features` dimensions from `n_blobs` blobs; seed 0, no noise, spread
    /// 1 and centres at least 8 spreads apart.
    pub fn new(n_samples: usize, n_features: usize, n_blobs: usize) -> Self {
        Blobs {
            n_samples,
            n_features,
            n_blobs,
            seed: 0,
            noise: 0.0,
            spread: 1.0,
            separation: 8.0,
        }
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the fraction of rows (clamped to `[0, 1]`) drawn uniformly over the blobs' bounding
    /// box instead of from a blob.
    pub fn with_noise(mut self, fraction: f64) -> Self {
        self.noise = fraction.clamp(0.0, 1.0);
        self
    }

    /// Sets the typical standard deviation of a blob (each blob gets 0.5 to 1.5 times it).
    pub fn with_spread(mut self, spread: f64) -> Self {
        self.spread = spread.abs();
        self
    }

    /// Sets the wanted minimum distance between blob centres, in units of `spread`. Centres are
    /// redrawn up to a fixed number of times to reach it, so very crowded settings may fall short.
    pub fn with_separation(mut self, separation: f64) -> Self {
        self.separation = separation.abs();
        self
    }

    /// Draws the data.
    pub fn generate(&self) -> BlobData {
        let (n, d, k) = (self.n_samples, self.n_features, self.n_blobs.max(1));
        let mut rng = Rng::new(self.seed);
        // Centres in a box wide enough for the separation to be reachable by chance.
        let half_box = self.spread * self.separation * (k as f64).powf(1.0 / d.max(1) as f64) * 1.5;
        let min_gap = self.spread * self.separation;
        let mut centers = Array2::zeros((k, d));
        for j in 0..k {
            for attempt in 0..1000 {
                for t in 0..d {
                    centers[[j, t]] = rng.uniform_in(-half_box, half_box);
                }
                let ok = (0..j).all(|o| {
                    let dist2: f64 = (0..d)
                        .map(|t| (centers[[j, t]] - centers[[o, t]]).powi(2))
                        .sum();
                    dist2 >= min_gap * min_gap
                });
                if ok || attempt == 999 {
                    break;
                }
            }
        }
        let stds: Vec<f64> = (0..k)
            .map(|_| self.spread * rng.uniform_in(0.5, 1.5))
            .collect();
        let weights: Vec<f64> = (1..=k).map(|j| j as f64).collect();
        let margin = 3.0 * self.spread;
        let lo: Vec<f64> = (0..d)
            .map(|t| centers.column(t).fold(f64::INFINITY, |a, &b| a.min(b)) - margin)
            .collect();
        let hi: Vec<f64> = (0..d)
            .map(|t| centers.column(t).fold(f64::NEG_INFINITY, |a, &b| a.max(b)) + margin)
            .collect();
        let mut features = Array2::zeros((n, d));
        let mut labels = Vec::with_capacity(n);
        for mut row in features.rows_mut() {
            if self.noise > 0.0 && rng.bernoulli(self.noise) {
                for (t, v) in row.iter_mut().enumerate() {
                    *v = rng.uniform_in(lo[t], hi[t]);
                }
                labels.push(None);
            } else {
                let j = rng.weighted(&weights);
                for (t, v) in row.iter_mut().enumerate() {
                    *v = centers[[j, t]] + stds[j] * rng.normal();
                }
                labels.push(Some(j));
            }
        }
        BlobData {
            features,
            labels,
            centers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_blobs_with_unequal_sizes() {
        let a = Blobs::new(3_000, 3, 3).with_seed(5).generate();
        let b = Blobs::new(3_000, 3, 3).with_seed(5).generate();
        assert_eq!(a, b);
        let mut counts = [0usize; 3];
        a.labels.iter().flatten().for_each(|&l| counts[l] += 1);
        assert!(counts[0] < counts[1] && counts[1] < counts[2], "{counts:?}");
    }

    #[test]
    fn noise_fraction_is_respected() {
        let a = Blobs::new(10_000, 2, 2).with_noise(0.1).generate();
        let noise = a.labels.iter().filter(|l| l.is_none()).count();
        assert!((800..1200).contains(&noise), "{noise}");
    }
}
