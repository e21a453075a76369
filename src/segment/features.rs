//! The encoded customers a segmenter fits: [`Features`], a borrowed feature matrix of `f64` or
//! `f32` elements ([`FeatureView`], [`FeatureMatrix`] when owned), and the [`Precision`] a
//! pipeline stores it in.
//!
//! An `f32` matrix takes half the memory of an `f64` one; the feature matrix is the largest
//! allocation of a run, so on large files that is the difference that matters. The engines read
//! `f32` elements and widen each to `f64` before any arithmetic: centroids, distances and sums are
//! `f64` whatever the storage. A fit on an `f32` matrix is therefore, bit for bit, the fit on the
//! `f64` matrix holding the same (rounded) values; the only difference from an `f64` run is the
//! rounding of each encoded value to `f32`, a relative error of at most `2^-24` (about `6e-8`).
//! DBSCAN widens an `f32` matrix to `f64` before it builds its index, so it saves no memory.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::encode::{Encoded, FeatureColumn};
use crate::error::Result;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// An element type of a feature matrix: `f64` or `f32` (sealed: no other type implements it).
/// Engines generic over it widen every element to `f64` before computing with it.
pub trait FeatureFloat:
    sealed::Sealed + Copy + Default + PartialEq + Send + Sync + std::fmt::Debug + 'static
{
    /// The largest finite magnitude the type holds.
    const MAX: f64;

    /// The value as an `f64` (exact: every `f32` is an `f64`).
    fn to_f64(self) -> f64;

    /// The nearest value of this type (for `f32`, rounded to nearest; beyond [`Self::MAX`] it is
    /// infinite).
    fn from_f64(value: f64) -> Self;

    /// A view of a matrix of this type as a [`FeatureView`].
    fn view_of(matrix: ArrayView2<'_, Self>) -> FeatureView<'_>;
}

impl FeatureFloat for f64 {
    const MAX: f64 = f64::MAX;

    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }

    #[inline(always)]
    fn from_f64(value: f64) -> Self {
        value
    }

    fn view_of(matrix: ArrayView2<'_, Self>) -> FeatureView<'_> {
        FeatureView::F64(matrix)
    }
}

impl FeatureFloat for f32 {
    const MAX: f64 = f32::MAX as f64;

    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }

    #[inline(always)]
    fn from_f64(value: f64) -> Self {
        value as f32
    }

    fn view_of(matrix: ArrayView2<'_, Self>) -> FeatureView<'_> {
        FeatureView::F32(matrix)
    }
}

/// The element type a pipeline stores the feature matrix in.
///
/// `F64` (the default) keeps every encoded value exactly; `F32` halves the matrix, the largest
/// allocation of a run, at the price of rounding each encoded value to 24 significant bits
/// (relative error at most `6e-8`; the engines still compute in `f64`, see [`FeatureFloat`]).
/// On 100,000 customers in 8 separated blobs of 4 and of 16 features (`tests/precision.rs`), the
/// `f32` k-means fit gave the `f64` fit's labels (ARI 1) and an inertia within `5e-10` of it,
/// relatively; the test allows an ARI down to 0.999 and a gap up to `1e-6`. On overlapping
/// segments a customer near the boundary between two can land on the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// 8 bytes per value, exact.
    #[default]
    F64,
    /// 4 bytes per value, each rounded to the nearest `f32`.
    F32,
}

impl Precision {
    /// The name used in settings and on the command line: `f64` or `f32`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }
}

/// A borrowed feature matrix of either element type.
#[derive(Debug, Clone, Copy)]
pub enum FeatureView<'a> {
    /// `f64` elements.
    F64(ArrayView2<'a, f64>),
    /// `f32` elements.
    F32(ArrayView2<'a, f32>),
}

impl<'a> FeatureView<'a> {
    /// Rows (customers) and columns (features).
    pub fn dim(&self) -> (usize, usize) {
        match self {
            FeatureView::F64(m) => m.dim(),
            FeatureView::F32(m) => m.dim(),
        }
    }

    /// The matrix as `f64`: borrowed when it is one, otherwise widened into a copy.
    pub fn to_f64(&self) -> ndarray::CowArray<'a, f64, ndarray::Ix2> {
        match *self {
            FeatureView::F64(m) => m.into(),
            FeatureView::F32(m) => m.mapv(f64::from).into(),
        }
    }

    /// The element type.
    pub fn precision(&self) -> Precision {
        match self {
            FeatureView::F64(_) => Precision::F64,
            FeatureView::F32(_) => Precision::F32,
        }
    }
}

/// An owned feature matrix of either element type, as
/// [`FittedEncoder::transform_as`](crate::encode::FittedEncoder::transform_as) returns it.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureMatrix {
    /// `f64` elements.
    F64(Array2<f64>),
    /// `f32` elements.
    F32(Array2<f32>),
}

impl FeatureMatrix {
    /// The matrix, borrowed.
    pub fn view(&self) -> FeatureView<'_> {
        match self {
            FeatureMatrix::F64(m) => FeatureView::F64(m.view()),
            FeatureMatrix::F32(m) => FeatureView::F32(m.view()),
        }
    }

    /// Rows (customers) and columns (features).
    pub fn dim(&self) -> (usize, usize) {
        self.view().dim()
    }
}

/// The encoded customers a segmenter fits: the feature matrix (one row per customer, `f64` or
/// `f32` elements) and, when known, what each column is. Build it from an [`Encoded`], a matrix
/// or a view; the engines take `impl Into<Features>`, so `fit(x.view())` and `fit(&encoded)`
/// both work.
#[derive(Debug, Clone, Copy)]
pub struct Features<'a> {
    matrix: FeatureView<'a>,
    columns: Option<&'a [FeatureColumn]>,
}

impl<'a> Features<'a> {
    /// A matrix and the description of its columns (one [`FeatureColumn`] per column; engines
    /// may use it to treat categorical columns differently).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the count of columns and
    /// descriptions differ.
    pub fn new(matrix: impl Into<FeatureView<'a>>, columns: &'a [FeatureColumn]) -> Result<Self> {
        let matrix = matrix.into();
        let ncols = matrix.dim().1;
        if columns.len() != ncols {
            return Err(crate::Error::ShapeMismatch {
                what: "descriptions of the feature columns",
                expected: ncols,
                found: columns.len(),
            });
        }
        Ok(Features {
            matrix,
            columns: Some(columns),
        })
    }

    /// The feature matrix.
    pub fn matrix(&self) -> FeatureView<'a> {
        self.matrix
    }

    /// What each column is, when known.
    pub fn columns(&self) -> Option<&'a [FeatureColumn]> {
        self.columns
    }
}

impl<'a, T: FeatureFloat> From<ArrayView2<'a, T>> for FeatureView<'a> {
    fn from(m: ArrayView2<'a, T>) -> Self {
        T::view_of(m)
    }
}

impl<'a> From<&'a FeatureMatrix> for FeatureView<'a> {
    fn from(m: &'a FeatureMatrix) -> Self {
        m.view()
    }
}

impl<'a> From<FeatureView<'a>> for Features<'a> {
    fn from(matrix: FeatureView<'a>) -> Self {
        Features {
            matrix,
            columns: None,
        }
    }
}

impl<'a, T: FeatureFloat> From<ArrayView2<'a, T>> for Features<'a> {
    fn from(matrix: ArrayView2<'a, T>) -> Self {
        T::view_of(matrix).into()
    }
}

impl<'a, T: FeatureFloat> From<&'a Array2<T>> for Features<'a> {
    fn from(matrix: &'a Array2<T>) -> Self {
        T::view_of(matrix.view()).into()
    }
}

impl<'a> From<&'a FeatureMatrix> for Features<'a> {
    fn from(matrix: &'a FeatureMatrix) -> Self {
        matrix.view().into()
    }
}

impl<'a> From<&'a Encoded> for Features<'a> {
    fn from(encoded: &'a Encoded) -> Self {
        Features {
            matrix: FeatureView::F64(encoded.features.view()),
            columns: Some(encoded.encoder.columns()),
        }
    }
}
