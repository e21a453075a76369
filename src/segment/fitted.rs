//! What a segmenter is, as a value: [`Segmenter`] (k-means, DBSCAN or k-means with `k` chosen),
//! its [`Fitted`] result (the model plus the training segmentation), the persistable
//! [`SegmentModel`] and the [`Assignment`] of a new customer.

use std::ops::Deref;

use serde::{Deserialize, Serialize};

use super::{
    AutoK, Dbscan, DbscanModel, Features, KAssessment, KMeans, KMeansModel, SegmentId, Segmentation,
};
use crate::error::Result;

/// A way of segmenting customers, as a value: which engine and its settings. It serialises
/// (tagged by `"algorithm"`), so a saved persona model records how it was fitted and can be
/// re-fitted the same way on newer data.
///
/// ```
/// use ndarray::array;
/// use personas::{KMeans, Segmenter};
///
/// let x = array![[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1]];
/// let fitted = Segmenter::from(KMeans::new(2).with_seed(7)).fit(x.view())?;
/// assert_eq!(fitted.segmentation().sizes(), &[3, 2]);
/// let new = array![[5.05, 5.05], [0.05, 0.0]];
/// let labels = fitted.predict(new.view())?;
/// assert_eq!(labels.iter().map(|l| l.map(|s| s.index())).collect::<Vec<_>>(), [Some(0), Some(1)]);
/// # Ok::<(), personas::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case")]
pub enum Segmenter {
    /// k-means with a given `k`.
    #[serde(rename = "kmeans")]
    KMeans(KMeans),
    /// DBSCAN.
    Dbscan(Dbscan),
    /// k-means with `k` chosen from a range.
    AutoK(AutoK),
}

impl From<KMeans> for Segmenter {
    fn from(k: KMeans) -> Self {
        Segmenter::KMeans(k)
    }
}

impl From<Dbscan> for Segmenter {
    fn from(d: Dbscan) -> Self {
        Segmenter::Dbscan(d)
    }
}

impl From<AutoK> for Segmenter {
    fn from(a: AutoK) -> Self {
        Segmenter::AutoK(a)
    }
}

impl Segmenter {
    /// Fits the segmenter to the encoded customers.
    ///
    /// # Errors
    /// The errors of [`KMeans::fit`], [`Dbscan::fit`] or [`AutoK::fit`].
    pub fn fit<'a>(&self, features: impl Into<Features<'a>>) -> Result<Fitted<SegmentModel>> {
        let features = features.into();
        Ok(match self {
            Segmenter::KMeans(k) => k.fit(features)?.map(SegmentModel::KMeans),
            Segmenter::Dbscan(d) => d.fit(features)?.map(SegmentModel::Dbscan),
            Segmenter::AutoK(a) => a.fit(features)?.into_fitted().map(SegmentModel::KMeans),
        })
    }

    /// The segmentation alone (the fitted model is dropped); see [`Segmenter::fit`].
    ///
    /// # Errors
    /// As [`Segmenter::fit`].
    pub fn segment<'a>(&self, features: impl Into<Features<'a>>) -> Result<Segmentation> {
        Ok(self.fit(features)?.into_segmentation())
    }

    /// The seed of the engine's random choices (DBSCAN has none: 0).
    pub fn seed(&self) -> u64 {
        match self {
            Segmenter::KMeans(k) => k.seed(),
            Segmenter::Dbscan(_) => 0,
            Segmenter::AutoK(a) => a.seed(),
        }
    }

    /// The same segmenter with another seed (DBSCAN is deterministic and unchanged).
    pub fn with_seed(self, seed: u64) -> Self {
        match self {
            Segmenter::KMeans(k) => Segmenter::KMeans(k.with_seed(seed)),
            Segmenter::Dbscan(d) => Segmenter::Dbscan(d),
            Segmenter::AutoK(a) => Segmenter::AutoK(a.with_seed(seed)),
        }
    }
}

/// A fitted segmenter: the model that assigns new customers (`M`, which it dereferences to) and
/// the segmentation of the customers it was fitted on, with how `k` was chosen when it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted<M> {
    model: M,
    segmentation: Segmentation,
    selection: Option<KAssessment>,
}

impl<M> Fitted<M> {
    pub(crate) fn new(model: M, segmentation: Segmentation) -> Self {
        Fitted {
            model,
            segmentation,
            selection: None,
        }
    }

    pub(crate) fn with_selection(mut self, selection: KAssessment) -> Self {
        self.selection = Some(selection);
        self
    }

    /// The same fit with the model wrapped or converted.
    pub fn map<N>(self, f: impl FnOnce(M) -> N) -> Fitted<N> {
        Fitted {
            model: f(self.model),
            segmentation: self.segmentation,
            selection: self.selection,
        }
    }

    /// The fitted model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The segmentation of the training customers (segment 0 is the largest).
    pub fn segmentation(&self) -> &Segmentation {
        &self.segmentation
    }

    /// The training customers' labels; see [`Segmentation::labels`].
    pub fn labels(&self) -> &[Option<SegmentId>] {
        self.segmentation.labels()
    }

    /// How `k` was chosen, when an [`AutoK`] chose it.
    pub fn selection(&self) -> Option<&KAssessment> {
        self.selection.as_ref()
    }

    /// The training segmentation, by value.
    pub fn into_segmentation(self) -> Segmentation {
        self.segmentation
    }

    /// The model, the training segmentation and the assessment of `k`, by value.
    pub fn into_parts(self) -> (M, Segmentation, Option<KAssessment>) {
        (self.model, self.segmentation, self.selection)
    }
}

impl<M> Deref for Fitted<M> {
    type Target = M;

    fn deref(&self) -> &M {
        &self.model
    }
}

/// A fitted segmentation model that assigns new customers: what a persona model saves. It
/// serialises tagged by `"algorithm"`; reading one back checks it (see [`KMeansModel`] and
/// [`DbscanModel`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case")]
pub enum SegmentModel {
    /// Centroids, and how far from each its training customers lay.
    #[serde(rename = "kmeans")]
    KMeans(KMeansModel),
    /// Core points and their segments.
    Dbscan(DbscanModel),
}

impl SegmentModel {
    /// The number of feature columns the model expects.
    pub fn n_features(&self) -> usize {
        match self {
            SegmentModel::KMeans(m) => m.centroids().ncols(),
            SegmentModel::Dbscan(m) => m.n_features(),
        }
    }

    /// The number of segments a customer can be assigned to.
    pub fn n_segments(&self) -> usize {
        match self {
            SegmentModel::KMeans(m) => m.k(),
            SegmentModel::Dbscan(m) => m.n_segments(),
        }
    }

    /// The segment of each row of `features`, `None` where a customer fits none; see
    /// [`KMeansModel::predict`] and [`DbscanModel::predict`].
    ///
    /// # Errors
    /// The errors of the model's `predict`.
    pub fn predict<'a>(&self, features: impl Into<Features<'a>>) -> Result<Vec<Option<SegmentId>>> {
        let x = features.into().matrix().to_f64();
        match self {
            SegmentModel::KMeans(m) => m.predict(x.view()),
            SegmentModel::Dbscan(m) => m.predict(x.view()),
        }
    }

    /// The assignment of each row of `features`, with how well it fits; see
    /// [`KMeansModel::assign`] and [`DbscanModel::assign`].
    ///
    /// # Errors
    /// The errors of the model's `assign`.
    pub fn assign<'a>(&self, features: impl Into<Features<'a>>) -> Result<Vec<Assignment>> {
        let x = features.into().matrix().to_f64();
        match self {
            SegmentModel::KMeans(m) => m.assign(x.view()),
            SegmentModel::Dbscan(m) => m.assign(x.view()),
        }
    }
}

/// Where a customer was assigned, and how well it fits there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The segment, `None` when the customer fits none: farther from its nearest k-means centroid
    /// than any training customer of that segment was, or within DBSCAN's radius of no core
    /// point.
    pub segment: Option<SegmentId>,
    /// The Euclidean distance in feature space to the nearest k-means centroid, or to the DBSCAN
    /// core point that admitted the customer (`None` when none did).
    pub distance: Option<f64>,
    /// k-means: how much farther the second-nearest centroid is than the nearest (`None` with
    /// one centroid). A small margin means the customer sits between two segments.
    pub margin: Option<f64>,
    /// DBSCAN: the training row (0-based) of the core point that admitted the customer.
    pub core: Option<usize>,
}
