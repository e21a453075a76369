//! Choosing the number of segments: fit k-means for every `k` in a range, score each fit on
//! separation, stability and segment size, pick one, and keep the whole table and an assessment
//! so the user can see why and how far to trust it.

use std::ops::RangeInclusive;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::kmeans::{Init, KMeans, KMeansModel};
use super::metrics::{
    calinski_harabasz_and_davies_bouldin, silhouette_sample_size, silhouette_sampled,
};
use super::stability::Stability;
use super::{FeatureFloat, FeatureView, Features, Fitted, Segmentation};
use crate::error::{Error, Result};

mod assessment;

pub use assessment::KAssessment;

/// k-means with `k` chosen from a range ("k = auto"), the way a team would choose a number of
/// personas: well separated, the same again on other customers, and no persona for a handful.
///
/// Every `k` in the range (3..=6 by default) is fitted with the same seed and settings (the
/// initialisation is drawn once for the largest `k`, and each `k` starts from its first `k`
/// centroids, which is itself a k-means++ initialisation and saves most of its cost; on more
/// customers than [`KMeans::SAMPLE_MIN_ROWS`] the default seeding is k-means++ on a sample, without
/// the iteration on the sample that [`KMeans::fit`] adds). Each fit is then scored on:
///
/// - **separation**: the silhouette (on a seeded sample of at most 2,000 customers, see
///   [`AutoK::with_silhouette_sample`], fewer with more than 1,000 feature columns so that it
///   stays within [`SILHOUETTE_BUDGET`](super::SILHOUETTE_BUDGET)) relative to the best
///   silhouette in the range,
///   `separation = max(sil, 0) / max sil`, in [0, 1] (0 for every `k` when no silhouette is
///   positive);
/// - **stability**: the mean adjusted Rand index between the fit and k-means fits on 5 seeded
///   subsamples of 80% of at most 2,500 customers, each with its own seed and at most 3 restarts
///   (see [`Stability`]; set with [`AutoK::with_stability`]); a negative mean counts 0, and a `k`
///   whose subsamples would hold no more customers than `k` counts 1;
/// - **minimum share**: the share of customers in the fit's smallest segment.
///
/// **The rule:** the chosen `k` has the highest **combined score** `separation x stability`
/// among the *eligible* values of `k`, those whose smallest segment holds at least the minimum
/// share of customers (5% by default, [`AutoK::with_min_share`]); when no `k` is eligible, every
/// scored `k` is, and a warning says so. A larger `k` whose combined score is within
/// [`NEAR_TIE`] (5%) of the best wins over it: more personas carry more actionable detail (an
/// at-risk group of its own, say) when they are as well separated and as stable. On real data the
/// silhouette alone favours the fewest segments while differing little between values of `k`;
/// the stability factor lets a larger `k` win when it is nearly as well separated and its
/// segments come back more reliably.
///
/// The outcome's [`KAssessment`] also says whether the chosen `k` is at an end of the range and
/// whether the structure is **weak**: silhouette below 0.25 ([`AutoK::with_weak_silhouette`]) or
/// stability below 0.8 ([`AutoK::with_weak_stability`]), with the warnings in plain words.
/// Calinski-Harabasz (which falls with `k` on most real data), Davies-Bouldin and inertia are
/// reported for every `k` but do not take part in the choice.
///
/// ## Bounds on the range
/// The range ends at [`AutoK::MAX_K`] (50) at most: each `k` costs a k-means fit, a silhouette
/// and a stability measurement, and more segments than that make no set of personas; fit a
/// fixed `k` with [`KMeans`] to go further. Values of `k` at or above the number of customers
/// are skipped, and the assessment warns that they were.
///
/// ```
/// use personas::sample::Blobs;
/// use personas::segment::AutoK;
///
/// let x = Blobs::new(600, 2, 4).with_seed(4).with_separation(15.0).generate().features;
/// let choice = AutoK::default().with_seed(1).fit(x.view())?;
/// assert_eq!(choice.k(), 4);
/// assert_eq!(choice.scores().len(), 4); // k = 3..=6
/// assert!(!choice.assessment().weak_structure);
/// # Ok::<(), personas::Error>(())
/// ```
///
/// ## Cost and parallelisation
/// The values of `k` are fitted one after the other; each fit, silhouette and stability
/// measurement runs in parallel inside (see [`KMeans`] and [`Stability`]). Stability works on at
/// most 2,500 customers, so on large data the search costs about one full fit per `k`. The
/// outcome does not depend on the number of threads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoK {
    range: RangeInclusive<usize>,
    kmeans: KMeans,
    selection_sample: usize,
    silhouette_sample: usize,
    stability: Stability,
    min_share: f64,
    weak_silhouette: f64,
    weak_stability: f64,
}

/// Mixed into the seed for the selection sample, so that it is drawn apart from the other
/// seeded draws.
const SELECTION_STREAM: u64 = 0x5e1e_c710_0000_0001;

impl Default for AutoK {
    /// The range 3..=6 (companies tend to keep three to five personas).
    fn default() -> Self {
        AutoK::new(3..=6)
    }
}

impl AutoK {
    /// The largest `k` a range may end at: 50.
    pub const MAX_K: usize = 50;

    /// The k-means restarts of each stability subsample fit: 3 (fewer when the search itself
    /// uses fewer).
    pub const STABILITY_RESTARTS: usize = 3;

    /// Above this many customers, `k` is chosen on a seeded uniform sample of this many (see
    /// [`AutoK::with_selection_sample`]): 200,000.
    pub const SELECTION_SAMPLE: usize = 200_000;

    /// Chooses `k` in `range` with k-means' defaults (see [`KMeans::new`]), stability measured
    /// as [`Stability::new`], a minimum segment share of 5% and weak-structure thresholds of
    /// silhouette 0.25 and stability 0.8.
    pub fn new(range: RangeInclusive<usize>) -> Self {
        AutoK {
            range,
            kmeans: KMeans::new(1),
            selection_sample: Self::SELECTION_SAMPLE,
            silhouette_sample: 2_000,
            stability: Stability::new(),
            min_share: 0.05,
            weak_silhouette: 0.25,
            weak_stability: 0.8,
        }
    }

    /// Chooses `k` on a seeded uniform sample of at most `customers` customers (at least 1,000),
    /// then fits the chosen `k` on all of them, starting from the sample's centroids (one run of
    /// Lloyd's iteration, usually a few passes). The scores, the reason and the warnings are
    /// those of the sample, and the assessment says so. With no more customers than this, every
    /// customer takes part and nothing changes. On 10,000,000 customers this is what keeps the
    /// choice of k from costing ten restarts and the stability fits of every k on all of them.
    pub fn with_selection_sample(mut self, customers: usize) -> Self {
        self.selection_sample = customers.max(1_000);
        self
    }

    /// Sets the seed of every fit, of the silhouette sample and of the stability subsamples.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.kmeans = self.kmeans.with_seed(seed);
        self.stability = self.stability.with_seed(seed);
        self
    }

    /// The seed of the k-means fits and the stability samples.
    pub fn seed(&self) -> u64 {
        self.kmeans.seed()
    }

    /// The k-means settings each `k` is fitted with (its `k` is replaced by each `k` tried).
    pub fn kmeans(&self) -> &KMeans {
        &self.kmeans
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

    /// Sets how many customers the silhouette is computed on (at least 2); the sample is
    /// lowered to [`silhouette_sample_size`] for the number of feature columns, so that it
    /// costs at most [`SILHOUETTE_BUDGET`](super::SILHOUETTE_BUDGET) distance terms.
    pub fn with_silhouette_sample(mut self, sample_size: usize) -> Self {
        self.silhouette_sample = sample_size;
        self
    }

    /// Sets how stability is measured (its seed included: call [`AutoK::with_seed`] after this
    /// to give both the same seed).
    pub fn with_stability(mut self, stability: Stability) -> Self {
        self.stability = stability;
        self
    }

    /// Sets the minimum share of customers (in [0, 1)) the smallest segment of an eligible `k`
    /// must hold; 0.05 by default.
    pub fn with_min_share(mut self, min_share: f64) -> Self {
        self.min_share = min_share;
        self
    }

    /// Sets the silhouette below which the structure is called weak; 0.25 by default.
    pub fn with_weak_silhouette(mut self, threshold: f64) -> Self {
        self.weak_silhouette = threshold;
        self
    }

    /// Sets the stability (mean adjusted Rand index) below which the structure is called weak;
    /// 0.8 by default.
    pub fn with_weak_stability(mut self, threshold: f64) -> Self {
        self.weak_stability = threshold;
        self
    }

    /// How the stability of each `k` is measured.
    pub fn stability(&self) -> &Stability {
        &self.stability
    }

    /// The range of `k` searched.
    pub fn range(&self) -> &RangeInclusive<usize> {
        &self.range
    }

    fn check(&self, n: usize) -> Result<()> {
        let (lo, hi) = (*self.range.start(), *self.range.end());
        if lo > hi {
            return Err(Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi}"),
                reason: "the range is empty; give it as low..=high with low <= high, e.g. 3..=6",
            });
        }
        if lo < 2 {
            return Err(Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi}"),
                reason: "start the range at 2 or more: one segment cannot be scored",
            });
        }
        if hi > Self::MAX_K {
            return Err(Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi}"),
                reason: "end the range at 50 or below (AutoK::MAX_K): every k in the range costs \
                         a k-means fit and a stability measurement, and more segments make no set \
                         of personas; fit a fixed k with KMeans for more",
            });
        }
        if self.silhouette_sample < 2 {
            return Err(Error::InvalidParameter {
                name: "silhouette_sample",
                value: self.silhouette_sample.to_string(),
                reason: "the silhouette needs a sample of at least 2 customers",
            });
        }
        if !(0.0..1.0).contains(&self.min_share) {
            return Err(Error::InvalidParameter {
                name: "min_share",
                value: self.min_share.to_string(),
                reason: "the minimum segment share must be at least 0 and below 1",
            });
        }
        for (name, v) in [
            ("weak_silhouette", self.weak_silhouette),
            ("weak_stability", self.weak_stability),
        ] {
            if !v.is_finite() {
                return Err(Error::InvalidParameter {
                    name,
                    value: v.to_string(),
                    reason: "the threshold must be a finite number",
                });
            }
        }
        self.stability.check()?;
        if lo >= n {
            return Err(Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi} for {n} customers"),
                reason: "choosing k needs a k in the range below the number of customers (the \
                         silhouette needs fewer segments than customers): lower the range",
            });
        }
        Ok(())
    }

    /// Fits every `k` in the range, scores the fits and keeps the best (see the rule above).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the range is empty, starts below 2 (one segment has no
    /// silhouette) or ends above [`AutoK::MAX_K`], the silhouette sample is below 2, the minimum share is not in [0, 1), a
    /// threshold is not finite, the stability settings are invalid, or no `k` in the range gives
    /// at least 2 segments and fewer segments than customers; and the errors of [`KMeans::fit`].
    pub fn fit<'a>(&self, features: impl Into<Features<'a>>) -> Result<KChoice> {
        match features.into().matrix() {
            FeatureView::F64(m) => self.fit_on(m),
            FeatureView::F32(m) => self.fit_on(m),
        }
    }

    fn fit_on<T: FeatureFloat>(&self, features: ArrayView2<'_, T>) -> Result<KChoice> {
        let n = features.nrows();
        self.check(n)?;
        if n <= self.selection_sample {
            return self.fit_all(features);
        }
        let mut rows = crate::rng::Rng::new(self.kmeans.seed() ^ SELECTION_STREAM)
            .sample_indices(n, self.selection_sample);
        rows.sort_unstable();
        let sample = features.select(ndarray::Axis(0), &rows);
        let on_sample = self.fit_all(sample.view())?;
        let k = on_sample.k();
        let start: Vec<f64> = on_sample.fitted.centroids().iter().copied().collect();
        let fitted = self
            .kmeans
            .clone()
            .with_k(k)
            .with_n_init(1)
            .fit_from(features, &[start])?;
        let mut assessment = on_sample.assessment;
        assessment.reason.push_str(&format!(
            " (scores measured on a uniform sample of {} of the {n} customers; k = {k} then \
             fitted on all of them from the sample's centroids)",
            self.selection_sample
        ));
        Ok(KChoice { fitted, assessment })
    }

    /// The segmentation of the chosen `k` alone; see [`AutoK::fit`].
    ///
    /// # Errors
    /// As [`AutoK::fit`].
    pub fn segment<'a>(&self, features: impl Into<Features<'a>>) -> Result<Segmentation> {
        Ok(self.fit(features)?.into_segmentation())
    }

    /// Scores every `k` of the range on all of `features` and keeps the chosen fit.
    fn fit_all<T: FeatureFloat>(&self, features: ArrayView2<'_, T>) -> Result<KChoice> {
        let n = features.nrows();
        let (lo, hi) = (*self.range.start(), *self.range.end());
        let mut scores = Vec::new();
        let mut fits = Vec::new();
        // One seeding per restart with the largest k; each k starts from its first k centroids.
        let k_max = hi.min(n).max(lo);
        let seedings = self
            .kmeans
            .clone()
            .with_k(k_max)
            .seedings(features, false)?;
        for k in lo..=hi.min(n) {
            let kmeans = self.kmeans.clone().with_k(k);
            let fitted = kmeans.fit_from(features, &seedings)?;
            let seg = fitted.segmentation();
            let scored = seg.n_segments() >= 2 && seg.n_segments() < n;
            let mut score = KScore {
                k,
                n_segments: seg.n_segments(),
                silhouette: None,
                calinski_harabasz: None,
                davies_bouldin: None,
                stability: None,
                min_share: seg
                    .sizes()
                    .iter()
                    .min()
                    .map_or(0.0, |&s| s as f64 / n as f64),
                separation: None,
                combined: None,
                eligible: false,
                inertia: fitted.inertia(),
                n_iter: fitted.n_iter(),
            };
            let mut stability = None;
            if scored {
                score.silhouette = Some(silhouette_sampled(
                    features,
                    seg,
                    silhouette_sample_size(self.silhouette_sample, features.ncols()),
                    self.kmeans.seed(),
                )?);
                let (ch, db) = calinski_harabasz_and_davies_bouldin(features, seg)?;
                score.calinski_harabasz = Some(ch);
                score.davies_bouldin = Some(db);
                if self.stability.subsample_size(n) > k {
                    let restarts = self.kmeans.n_init().min(Self::STABILITY_RESTARTS);
                    let s = self.stability.measure(
                        features,
                        &kmeans.with_n_init(restarts).into(),
                        fitted.labels(),
                    )?;
                    score.stability = Some(s.mean_ari);
                    stability = Some(s);
                }
            }
            scores.push(score);
            fits.push((fitted, stability));
        }
        let chosen =
            choose(&mut scores, self.min_share).ok_or_else(|| Error::InvalidParameter {
                name: "k range",
                value: format!("{lo}..={hi} for {n} customers"),
                reason:
                    "choosing k needs a k in the range that splits the customers into at least \
                     2 segments and fewer segments than customers (the silhouette is undefined \
                     otherwise): add customers or lower the range",
            })?;
        let (fitted, stability) = fits.swap_remove(chosen);
        let assessment = self.assess(scores, chosen, stability);
        Ok(KChoice { fitted, assessment })
    }
}

/// Fills in separation, combined score and eligibility, and returns the index of the chosen row
/// (see the rule on [`AutoK`]); `None` when no row could be scored.
fn choose(scores: &mut [KScore], min_share: f64) -> Option<usize> {
    let best = |f: fn(&KScore) -> Option<f64>| scores.iter().filter_map(f).fold(0.0_f64, f64::max);
    let best_sil = best(|s| s.silhouette);
    for s in scores.iter_mut() {
        if let Some(sil) = s.silhouette {
            let separation = if best_sil > 0.0 {
                sil.max(0.0) / best_sil
            } else {
                0.0
            };
            s.separation = Some(separation);
            s.combined = Some(separation * s.stability.map_or(1.0, |a| a.max(0.0)));
            s.eligible = s.min_share >= min_share;
        }
    }
    if !scores.iter().any(|s| s.eligible) {
        for s in scores.iter_mut() {
            s.eligible = s.combined.is_some();
        }
    }
    let best = scores
        .iter()
        .filter(|s| s.eligible)
        .filter_map(|s| s.combined)
        .fold(f64::NEG_INFINITY, f64::max);
    // Rows are in increasing k: the last eligible row within the near-tie margin of the best
    // is the largest such k.
    scores
        .iter()
        .enumerate()
        .filter(|(_, s)| s.eligible)
        .filter(|(_, s)| s.combined.is_some_and(|c| c >= best * (1.0 - NEAR_TIE)))
        .map(|(i, _)| i)
        .next_back()
}

/// Within this fraction of the best combined score, the larger `k` wins (see [`AutoK`]).
pub const NEAR_TIE: f64 = 0.05;

/// The scores of one `k` in an [`AutoK`] search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The stability: the mean adjusted Rand index between this fit and fits on seeded
    /// subsamples (see [`Stability`]); `None` when the fit was not scored or the subsamples
    /// would be too small.
    pub stability: Option<f64>,
    /// The share of customers in the smallest segment, in [0, 1].
    pub min_share: f64,
    /// The separation in [0, 1]: the silhouette relative to the best silhouette in the range
    /// (see [`AutoK`]).
    pub separation: Option<f64>,
    /// The combined score the choice is made on: separation x stability.
    pub combined: Option<f64>,
    /// Whether this `k` could be chosen: scored and, unless no `k` qualifies, its smallest
    /// segment holds at least the minimum share of customers.
    pub eligible: bool,
    /// The k-means inertia; it always falls as `k` grows, so it only shows the "elbow".
    pub inertia: f64,
    /// The iterations the kept k-means restart took.
    pub n_iter: usize,
}

/// The outcome of an [`AutoK`] search: the chosen fit and its [`KAssessment`] (the score of
/// every `k` tried, why the chosen one won and what to watch out for).
#[derive(Debug, Clone, PartialEq)]
pub struct KChoice {
    fitted: Fitted<KMeansModel>,
    assessment: KAssessment,
}

impl KChoice {
    /// The chosen number of segments.
    pub fn k(&self) -> usize {
        self.fitted.k()
    }

    /// The chosen k-means model (to assign new customers).
    pub fn model(&self) -> &KMeansModel {
        self.fitted.model()
    }

    /// The chosen segmentation.
    pub fn segmentation(&self) -> &Segmentation {
        self.fitted.segmentation()
    }

    /// The chosen segmentation, by value.
    pub fn into_segmentation(self) -> Segmentation {
        self.fitted.into_segmentation()
    }

    /// The chosen fit with its assessment attached (see [`Fitted::selection`]).
    pub fn into_fitted(self) -> Fitted<KMeansModel> {
        self.fitted.with_selection(self.assessment)
    }

    /// One row per `k` tried, in increasing `k`.
    pub fn scores(&self) -> &[KScore] {
        &self.assessment.scores
    }

    /// How the choice was made and how much to trust it, to attach to the personas.
    pub fn assessment(&self) -> &KAssessment {
        &self.assessment
    }

    /// Why the chosen `k` won, in one sentence.
    pub fn reason(&self) -> &str {
        &self.assessment.reason
    }

    /// The warnings about the choice, in plain words (empty when there is nothing to say).
    pub fn warnings(&self) -> &[String] {
        &self.assessment.warnings
    }

    /// The score table as Markdown, for printing (see [`KAssessment::table`]).
    pub fn table(&self) -> String {
        self.assessment.table()
    }
}
#[cfg(test)]
mod tests;
