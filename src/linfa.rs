//! linfa interoperability: our k-means and DBSCAN behind linfa's traits, so a linfa user can swap
//! them in for linfa-clustering's.
//!
//! As in linfa, each algorithm has an unchecked params type with consuming setters
//! ([`KMeansParams`], [`DbscanParams`]) that [`ParamGuard`] checks once into a valid params type
//! ([`KMeansValidParams`], [`DbscanValidParams`]); `Fit` on a [`DatasetBase`] (targets ignored)
//! gives our fitted model, which implements `Predict` through [`PredictInplace`]. Errors are this
//! crate's [`Error`].
//!
//! ```
//! use linfa::prelude::*;
//! use linfa::DatasetBase;
//! use personas::linfa::KMeansParams;
//! use personas::sample::Blobs;
//!
//! let x = Blobs::new(300, 2, 3).with_seed(1).generate().features;
//! let model = KMeansParams::new(3).with_seed(7).fit(&DatasetBase::from(x.clone()))?;
//! // The models' own `predict` (checked, returning a `Result`) shadows linfa's, so call the
//! // trait's by path.
//! let labels: ndarray::Array1<usize> = Predict::predict(&model, &x);
//! assert_eq!(labels.len(), 300);
//! # Ok::<(), personas::Error>(())
//! ```
//!
//! Differences from linfa-clustering worth knowing: our `KMeansModel::inertia` is the sum of
//! squared distances (linfa's is the mean), our tolerance is relative to the data's variance (as
//! scikit-learn's), and DBSCAN's radius is called `eps`, not `tolerance`.

use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, ArrayBase, Data, Ix2};

use crate::error::{Error, Result};
use crate::segment::{Dbscan, DbscanModel, Init, KMeans, KMeansModel};

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Self {
        Error::Clustering(e.to_string())
    }
}

/// Checked k-means hyperparameters; build them through [`KMeansParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansValidParams {
    kmeans: KMeans,
}

impl KMeansValidParams {
    /// The k-means these parameters describe.
    pub fn kmeans(&self) -> &KMeans {
        &self.kmeans
    }
}

/// Unchecked k-means hyperparameters (see [`KMeans`] for their meaning and defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansParams(KMeansValidParams);

impl KMeansParams {
    /// k-means with `k` segments and [`KMeans::new`]'s defaults.
    pub fn new(k: usize) -> Self {
        KMeans::new(k).into()
    }

    /// Sets the seed.
    pub fn with_seed(self, seed: u64) -> Self {
        self.map(|k| k.with_seed(seed))
    }

    /// Sets the number of restarts.
    pub fn with_n_init(self, n_init: usize) -> Self {
        self.map(|k| k.with_n_init(n_init))
    }

    /// Sets the iteration cap of each restart.
    pub fn with_max_iter(self, max_iter: usize) -> Self {
        self.map(|k| k.with_max_iter(max_iter))
    }

    /// Sets the relative tolerance (see [`KMeans::with_tolerance`]).
    pub fn with_tolerance(self, tolerance: f64) -> Self {
        self.map(|k| k.with_tolerance(tolerance))
    }

    /// Sets the initialisation.
    pub fn with_init(self, init: Init) -> Self {
        self.map(|k| k.with_init(init))
    }

    fn map(self, f: impl FnOnce(KMeans) -> KMeans) -> Self {
        KMeansParams(KMeansValidParams {
            kmeans: f(self.0.kmeans),
        })
    }
}

impl From<KMeans> for KMeansParams {
    fn from(kmeans: KMeans) -> Self {
        KMeansParams(KMeansValidParams { kmeans })
    }
}

impl ParamGuard for KMeansParams {
    type Checked = KMeansValidParams;
    type Error = Error;

    /// # Errors
    /// See [`KMeans::check`].
    fn check_ref(&self) -> Result<&KMeansValidParams> {
        self.0.kmeans.check()?;
        Ok(&self.0)
    }

    fn check(self) -> Result<KMeansValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl<D: Data<Elem = f64>, T> Fit<ArrayBase<D, Ix2>, T, Error> for KMeansValidParams {
    type Object = KMeansModel;

    /// Fits k-means to the dataset's records; see [`KMeans::fit`] for the errors.
    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<KMeansModel> {
        Ok(self.kmeans.fit(dataset.records.view())?.into_parts().0)
    }
}

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<usize>> for KMeansModel {
    /// The nearest centroid of each row.
    ///
    /// # Panics
    /// When the column count differs from the model's or `y` has the wrong length (linfa's
    /// traits have no error channel; use [`KMeansModel::predict`] for checked input).
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<usize>) {
        let mut out = vec![0usize; x.nrows()];
        self.nearest_into(x.view(), &mut out);
        assert_eq!(y.len(), out.len(), "one target per row");
        y.iter_mut().zip(out).for_each(|(t, l)| *t = l);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}

/// Checked DBSCAN hyperparameters; build them through [`DbscanParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct DbscanValidParams {
    dbscan: Dbscan,
}

impl DbscanValidParams {
    /// The DBSCAN these parameters describe.
    pub fn dbscan(&self) -> &Dbscan {
        &self.dbscan
    }
}

/// Unchecked DBSCAN hyperparameters (see [`Dbscan`]): `min_points` counts the customer itself,
/// as in linfa-clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct DbscanParams(DbscanValidParams);

impl DbscanParams {
    /// DBSCAN with radius `eps` and `min_points` customers (itself included) for a core customer.
    pub fn new(eps: f64, min_points: usize) -> Self {
        Dbscan::new(eps, min_points).into()
    }
}

impl From<Dbscan> for DbscanParams {
    fn from(dbscan: Dbscan) -> Self {
        DbscanParams(DbscanValidParams { dbscan })
    }
}

impl ParamGuard for DbscanParams {
    type Checked = DbscanValidParams;
    type Error = Error;

    /// # Errors
    /// See [`Dbscan::check`].
    fn check_ref(&self) -> Result<&DbscanValidParams> {
        self.0.dbscan.check()?;
        Ok(&self.0)
    }

    fn check(self) -> Result<DbscanValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl<D: Data<Elem = f64>, T> Fit<ArrayBase<D, Ix2>, T, Error> for DbscanValidParams {
    type Object = DbscanModel;

    /// Runs DBSCAN on the dataset's records; see [`Dbscan::fit`] for the errors.
    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<DbscanModel> {
        Ok(self.dbscan.fit(dataset.records.view())?.into_parts().0)
    }
}

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<Option<usize>>> for DbscanModel {
    /// The segment of the nearest core customer within `eps` of each row, or `None`.
    ///
    /// # Panics
    /// When the column count differs from the training data or `y` has the wrong length (use
    /// [`DbscanModel::predict`] for checked input).
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<Option<usize>>) {
        let mut out = vec![None; x.nrows()];
        self.predict_into(x.view(), &mut out);
        assert_eq!(y.len(), out.len(), "one target per row");
        y.iter_mut().zip(out).for_each(|(t, l)| *t = l);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<Option<usize>> {
        Array1::from_elem(x.nrows(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::sample::Blobs;
    use linfa::traits::Predict;

    #[test]
    fn kmeans_params_are_checked_once() {
        assert!(matches!(
            KMeansParams::new(0).check(),
            Err(Error::InvalidParameter { name: "k", .. })
        ));
        assert!(matches!(
            KMeansParams::new(2).with_n_init(0).check(),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(KMeansParams::new(2).with_tolerance(1e-3).check().is_ok());
    }

    #[test]
    fn dbscan_params_are_checked_once() {
        assert!(matches!(
            DbscanParams::new(0.0, 3).check(),
            Err(Error::InvalidParameter { name: "eps", .. })
        ));
        assert!(matches!(
            DbscanParams::new(1.0, 0).check(),
            Err(Error::InvalidParameter {
                name: "min_points",
                ..
            })
        ));
    }

    #[test]
    fn fit_and_predict_through_linfa_match_the_direct_api() {
        let x = Blobs::new(500, 3, 3)
            .with_seed(2)
            .with_noise(0.05)
            .generate()
            .features;
        let data = DatasetBase::from(x.clone());
        let km = KMeansParams::new(3).with_seed(1).fit(&data).unwrap();
        let direct = KMeans::new(3).with_seed(1).fit(x.view()).unwrap();
        assert_eq!(&km, direct.model());
        let labels: Array1<usize> = Predict::predict(&km, &x);
        let direct_labels: Vec<usize> = direct
            .labels()
            .iter()
            .flatten()
            .map(|s| s.index())
            .collect();
        assert_eq!(labels.to_vec(), direct_labels);

        let db = DbscanParams::new(1.0, 5).fit(&data).unwrap();
        let direct = Dbscan::new(1.0, 5).fit(x.view()).unwrap();
        assert_eq!(&db, direct.model());
        // Every training customer, core or border, gets its training segment back.
        let labels: Array1<Option<usize>> = Predict::predict(&db, &x);
        let direct_labels = crate::segment::labels::indices(direct.labels());
        assert_eq!(labels.to_vec(), direct_labels);
        assert!(direct.is_core().iter().any(|&c| c));
    }

    #[test]
    fn bad_data_is_an_error_through_linfa_too() {
        let mut x = Blobs::new(50, 2, 2).generate().features;
        x[[3, 1]] = f64::NAN;
        let r = KMeansParams::new(2).fit(&DatasetBase::from(x));
        assert!(matches!(r, Err(Error::NonFiniteFeature { row: 3, .. })));
    }
}
