//! Choosing the number of segments: fit k-means for every `k` in a range, score each fit, pick
//! one, and keep the whole table so the user can see why.

use std::ops::RangeInclusive;

use ndarray::ArrayView2;

use super::kmeans::{Init, KMeans, KMeansModel};
use super::metrics::{calinski_harabasz_and_davies_bouldin, silhouette_sampled};
use super::{Segmentation, Segmenter};
use crate::error::{Error, Result};

/// k-means with `k` chosen from a range ("k = auto").
///
/// **The rule:** every `k` in the range is fitted with the same seed and settings (the
/// initialisation is drawn once for the largest `k`, and each `k` starts from its first `k`
/// centroids, which is itself a k-means++ initialisation and saves most of its cost); the chosen `k`
/// is the one with the **highest silhouette**, ties going to the smaller `k`. The silhouette is
/// computed on a seeded sample of at most `silhouette_sample` customers (2,000 by default; exact
/// when there are fewer customers), a small fraction of the exact `O(n²)` cost; on well-separated
/// data the sampled value ranks the values of `k` like the exact one. Calinski-Harabasz, Davies-Bouldin and inertia are reported for every `k`
/// but do not take part in the choice. Values of `k` above the number of customers are skipped.
///
/// ```
/// use personas::sample::Blobs;
/// use personas::segment::AutoK;
///
/// let x = Blobs::new(600, 2, 3).with_seed(4).with_separation(15.0).generate().features;
/// let choice = AutoK::default().with_seed(1).fit(x.view())?;
/// assert_eq!(choice.k(), 3);
/// assert_eq!(choice.scores().len(), 7); // k = 2..=8
/// # Ok::<(), personas::Error>(())
/// ```
///
/// ## Parallelisation
/// The values of `k` are fitted one after the other; each fit and each silhouette runs in
/// parallel inside (see [`KMeans`]). The outcome does not depend on the number of threads.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoK {
    range: RangeInclusive<usize>,
    kmeans: KMeans,
    silhouette_sample: usize,
}

impl Default for AutoK {
    /// The range 2..=8 (companies tend to keep three to five personas).
    fn default() -> Self {
        AutoK::new(2..=8)
    }
}

impl AutoK {
    /// Chooses `k` in `range` with k-means' defaults (see [`KMeans::new`]).
    pub fn new(range: RangeInclusive<usize>) -> Self {
        AutoK {
            range,
            kmeans: KMeans::new(1),
            silhouette_sample: 2_000,
        }
    }

    /// Sets the seed of every fit and of the silhouette sample.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.kmeans = self.kmeans.with_seed(seed);
        self
    }

    /// Sets the number of k-means restarts per `k`.
    pub fn with_n_init(mut self, n_init: usize) -> Self {
        self.kmeans = self.kmeans.with_n_init(n_init);
        self
    }

    /// Sets the iteration cap of each restart.
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.kmeans = self.kmeans.with_max_iter(max_iter);
        self
    }

    /// Sets the k-means tolerance (see [`KMeans::with_tolerance`]).
    pub fn with_tolerance(mut self, tolerance: f64) -> Self {
        self.kmeans = self.kmeans.with_tolerance(tolerance);
        self
    }

    /// Sets the k-means initialisation.
    pub fn with_init(mut self, init: Init) -> Self {
        self.kmeans = self.kmeans.with_init(init);
        self
    }

    /// Sets how many customers the silhouette is computed on (at least 2).
    pub fn with_silhouette_sample(mut self, sample_size: usize) -> Self {
        self.silhouette_sample = sample_size;
        self
    }

    /// The range of `k` searched.
    pub fn range(&self) -> &RangeInclusive<usize> {
        &self.range
    }

    /// Fits every `k` in the range, scores the fits and keeps the best (see the rule above).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the range is empty, starts below 2 (one segment has no
    /// silhouette) or the silhouette sample is below 2, or when no `k` in the range gives at
    /// least 2 segments and fewer segments than customers; and the errors of [`KMeans::fit`].
    pub fn fit(&self, features: ArrayView2<'_, f64>) -> Result<KChoice> {
        let (lo, hi) = (*self.range.start(), *self.range.end());
        if lo > hi {
            return Err(Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi}"),
                reason: "the range is empty; give it as low..=high with low <= high, e.g. 2..=8",
            });
        }
        if lo < 2 {
            return Err(Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi}"),
                reason: "start the range at 2 or more: one segment cannot be scored",
            });
        }
        if self.silhouette_sample < 2 {
            return Err(Error::InvalidParameter {
                name: "silhouette_sample",
                value: self.silhouette_sample.to_string(),
                reason: "the silhouette needs a sample of at least 2 customers",
            });
        }
        let n = features.nrows();
        if lo >= n {
            return Err(Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi} for {n} customers"),
                reason: "choosing k needs a k in the range below the number of customers (the \
                         silhouette needs fewer segments than customers): lower the range",
            });
        }
        let mut scores = Vec::new();
        let mut best: Option<(f64, KMeansModel, Segmentation)> = None;
        // One seeding per restart with the largest k; each k starts from its first k centroids.
        let k_max = hi.min(n).max(lo);
        let seedings = self.kmeans.clone().with_k(k_max).seedings(features)?;
        for k in lo..=hi.min(n) {
            let model = self
                .kmeans
                .clone()
                .with_k(k)
                .fit_from(features, &seedings)?;
            let seg = model.segmentation()?;
            let scored = seg.n_segments() >= 2 && seg.n_segments() < n;
            let silhouette = if scored {
                Some(silhouette_sampled(
                    features,
                    &seg,
                    self.silhouette_sample,
                    self.kmeans.seed(),
                )?)
            } else {
                None
            };
            let (ch, db) = if scored {
                let (ch, db) = calinski_harabasz_and_davies_bouldin(features, &seg)?;
                (Some(ch), Some(db))
            } else {
                (None, None)
            };
            scores.push(KScore {
                k,
                n_segments: seg.n_segments(),
                silhouette,
                calinski_harabasz: ch,
                davies_bouldin: db,
                inertia: model.inertia(),
                n_iter: model.n_iter(),
            });
            if let Some(s) = silhouette {
                if !matches!(&best, Some((b, _, _)) if *b >= s) {
                    best = Some((s, model, seg));
                }
            }
        }
        let (_, model, segmentation) = best.ok_or_else(|| Error::InvalidParameter {
            name: "k range",
            value: format!("{lo}..={hi} for {n} customers"),
            reason: "choosing k needs a k in the range that splits the customers into at least \
                     2 segments and fewer segments than customers (the silhouette is undefined \
                     otherwise): add customers or lower the range",
        })?;
        Ok(KChoice {
            model,
            segmentation,
            scores,
        })
    }
}

impl Segmenter for AutoK {
    /// The segmentation of the chosen `k`; see [`AutoK::fit`].
    fn segment(&self, features: ArrayView2<'_, f64>) -> Result<Segmentation> {
        Ok(self.fit(features)?.into_segmentation())
    }
}

/// The scores of one `k` in an [`AutoK`] search.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KScore {
    /// The number of segments asked for.
    pub k: usize,
    /// The number of non-empty segments found (below `k` only when customers repeat).
    pub n_segments: usize,
    /// The (sampled) silhouette, higher is better; `None` when fewer than 2 segments were found.
    pub silhouette: Option<f64>,
    /// The Calinski-Harabasz index, higher is better.
    pub calinski_harabasz: Option<f64>,
    /// The Davies-Bouldin index, lower is better.
    pub davies_bouldin: Option<f64>,
    /// The k-means inertia; it always falls as `k` grows, so it only shows the "elbow".
    pub inertia: f64,
    /// The iterations the kept k-means restart took.
    pub n_iter: usize,
}

/// The outcome of an [`AutoK`] search: the chosen fit and the score of every `k` tried.
#[derive(Debug, Clone, PartialEq)]
pub struct KChoice {
    model: KMeansModel,
    segmentation: Segmentation,
    scores: Vec<KScore>,
}

impl KChoice {
    /// The chosen number of segments.
    pub fn k(&self) -> usize {
        self.model.k()
    }

    /// The chosen k-means model (to assign new customers).
    pub fn model(&self) -> &KMeansModel {
        &self.model
    }

    /// The chosen segmentation.
    pub fn segmentation(&self) -> &Segmentation {
        &self.segmentation
    }

    /// The chosen segmentation, by value.
    pub fn into_segmentation(self) -> Segmentation {
        self.segmentation
    }

    /// One row per `k` tried, in increasing `k`.
    pub fn scores(&self) -> &[KScore] {
        &self.scores
    }

    /// The score table as Markdown, for printing.
    pub fn table(&self) -> String {
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
        let mut out = String::from(
            "| k | segments | silhouette | Calinski-Harabasz | Davies-Bouldin | inertia | iterations |\n\
             |---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for s in &self.scores {
            let mark = if s.k == self.k() { " (chosen)" } else { "" };
            out.push_str(&format!(
                "| {}{} | {} | {} | {} | {} | {:.4e} | {} |\n",
                s.k,
                mark,
                s.n_segments,
                opt(s.silhouette),
                opt(s.calinski_harabasz),
                opt(s.davies_bouldin),
                s.inertia,
                s.n_iter
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::Blobs;

    #[test]
    fn empty_or_too_low_ranges_are_rejected() {
        let x = Blobs::new(50, 2, 2).generate().features;
        #[allow(clippy::reversed_empty_ranges)]
        let empty = AutoK::new(5..=3).fit(x.view());
        assert!(matches!(
            empty,
            Err(Error::InvalidParameter {
                name: "k range",
                ..
            })
        ));
        assert!(matches!(
            AutoK::new(1..=3).fit(x.view()),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn finds_the_planted_k_and_reports_every_k() {
        let x = Blobs::new(2_000, 5, 4)
            .with_seed(2)
            .with_separation(15.0)
            .generate()
            .features;
        let c = AutoK::default()
            .with_seed(3)
            .with_n_init(2)
            .fit(x.view())
            .unwrap();
        assert_eq!(c.k(), 4, "{}", c.table());
        let ks: Vec<usize> = c.scores().iter().map(|s| s.k).collect();
        assert_eq!(ks, (2..=8).collect::<Vec<_>>());
        assert!(c.table().contains("| 4 (chosen) |"));
    }

    #[test]
    fn k_above_the_number_of_customers_is_skipped() {
        let x = Blobs::new(4, 2, 2).generate().features;
        let c = AutoK::new(2..=8).fit(x.view()).unwrap();
        assert_eq!(c.scores().len(), 3);
    }
}
