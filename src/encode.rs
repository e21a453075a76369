//! Encoding: a [`CustomerTable`] becomes an `Array2<f64>` feature matrix, and back.
//!
//! An [`Encoder`] holds the options; [`Encoder::fit`] learns every statistic the encoding needs
//! from a table and returns a [`FittedEncoder`], which transforms that table or any later one
//! (new customers are matched by attribute name and level name, and encoded with the fitted
//! statistics, never refitted) and maps a point of feature space, such as a centroid, back to
//! attribute values in original units ([`FittedEncoder::decode`]). A fitted encoder is
//! `serde`-serialisable so a pipeline can save it beside its segments.
//!
//! Only attributes with [`Role::Feature`](crate::Role::Feature) are encoded. Every matrix column
//! is described by a [`FeatureColumn`] (attribute, level, kind).
//!
//! # Encodings
//! Per attribute, with `w` its weight (every column of the attribute is multiplied by `w`):
//!
//! - **Numeric**: `t = ln(1 + x)` when the attribute has `log1p` (negative values are rejected,
//!   even those in `(-1, 0)` where the logarithm exists, because `log1p` is meant for
//!   non-negative amounts and a negative amount there is almost always a data error), else
//!   `t = x`. Then `w · (t - c) / s` with, by [`Scaling`]:
//!   `ZScore`: `c` = mean of `t`, `s` = population standard deviation;
//!   `Robust`: `c` = median, `s` = interquartile range (quartiles by linear interpolation), or the
//!   standard deviation when the IQR is 0;
//!   `MinMax`: `c` = min, `s` = max - min; `None`: `c = 0`, `s = 1`.
//! - **Categorical** with levels `l`: one-hot, each column multiplied by
//!   `f = 1 / sqrt(1 - Σ p_l²)`, where `p_l` are the level shares among known values (with
//!   [`MissingPolicy::OwnLevel`], among all customers, `(missing)` being a level). A one-hot block
//!   has total variance `Σ p_l (1 - p_l) = 1 - Σ p_l²`, so the scaled block has total variance 1,
//!   like one z-scored numeric column: an attribute with many levels does not outweigh a numeric.
//! - **Ordinal** with `L` levels: `w · rank / (L - 1)`, in `[0, w]`.
//! - **Boolean**: `w` for true, 0 for false.
//! - **Tags**: multi-hot, `w` per tag the customer has.
//!
//! # Missing values
//! By the attribute's [`MissingPolicy`] (statistics over the known values at fit time):
//!
//! | policy     | numeric                        | categorical / boolean / tags            | ordinal                 |
//! |------------|--------------------------------|-----------------------------------------|-------------------------|
//! | `Mean`     | mean (original units)          | level shares (a soft one-hot), share of true, tag shares | mean rank  |
//! | `Median`   | median                         | as `Mode`                               | median (lower) level    |
//! | `Mode`     | most common value              | most common level; true when share ≥ ½; each tag with share ≥ ½ | most common level |
//! | `OwnLevel` | mean, plus a 0/1 `(missing)` column | all zero, plus a 0/1 `(missing)` column | mean rank, plus a `(missing)` column |
//!
//! Imputed numeric values are in original units and go through `log1p` and scaling like any
//! value. `(missing)` columns are multiplied by the weight (and, for categorical attributes, by
//! `f`) like the attribute's other columns.
//!
//! # Zero variance
//! An attribute whose known values are all equal (one observed level, every tag set the same)
//! carries no information for segmentation. By [`ZeroVariance`] it is dropped with a warning
//! ([`FittedEncoder::warnings`]) or fails the fit with [`Error::ZeroVariance`]. The check looks at
//! known values only, whatever the missing policy. A column whose every value is missing fails
//! with [`Error::AllMissing`].

use std::collections::HashMap;
use std::ops::Range;

use ndarray::{Array2, ArrayView1, ArrayViewMut2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{list_for_message, Error, Result};
use crate::schema::{Attribute, AttributeKind, MissingPolicy, Role, Scaling};
use crate::table::{Column, CustomerTable};

/// The level name of the extra column that marks missing values ([`MissingPolicy::OwnLevel`]).
pub const MISSING_LEVEL: &str = "(missing)";

/// Rows per parallel block in [`FittedEncoder::transform`].
const BLOCK_ROWS: usize = 8192;

/// What to do with a feature attribute whose known values are all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroVariance {
    /// Leave the attribute out of the matrix and record a warning.
    #[default]
    Drop,
    /// Fail with [`Error::ZeroVariance`].
    Error,
}

/// What to do when a table being transformed holds a level or tag the encoder was not fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownLevels {
    /// Fail with [`Error::UnknownLevel`], naming the row and column.
    #[default]
    Error,
    /// Encode an unknown categorical level as an all-zero one-hot, skip an unknown tag (the
    /// customer's other tags are kept), and treat an unknown ordinal level as missing.
    Ignore,
}

/// The encoding options; [`Encoder::fit`] turns them into a [`FittedEncoder`].
///
/// ```
/// use personas::{Attribute, CsvOptions, CustomerTable, Encoder, Schema, ZeroVariance};
///
/// let schema = Schema::new(vec![
///     Attribute::numeric("age"),
///     Attribute::categorical("region", ["north", "south"]),
/// ])?;
/// let csv = "age,region\n30,north\n50,south\n40,south\n";
/// let table = CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new())?;
/// let encoded = Encoder::new().with_zero_variance(ZeroVariance::Error).fit_transform(&table)?;
/// assert_eq!(encoded.features.dim(), (3, 3));
/// assert_eq!(encoded.encoder.n_features(), 3);
/// # Ok::<(), personas::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Encoder {
    zero_variance: ZeroVariance,
    unknown_levels: UnknownLevels,
}

/// A fitted encoder together with the matrix of the table it was fitted on.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The fitted encoder.
    pub encoder: FittedEncoder,
    /// The feature matrix: one row per customer, one column per [`FeatureColumn`].
    pub features: Array2<f64>,
}

impl Encoder {
    /// The defaults: drop zero-variance attributes with a warning, reject unknown levels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets what happens to attributes whose known values are all equal.
    pub fn with_zero_variance(mut self, policy: ZeroVariance) -> Self {
        self.zero_variance = policy;
        self
    }

    /// Sets what the fitted encoder does with levels it has not seen.
    pub fn with_unknown_levels(mut self, policy: UnknownLevels) -> Self {
        self.unknown_levels = policy;
        self
    }

    /// Learns the encoding of every feature attribute of `table`.
    ///
    /// # Errors
    /// [`Error::NoFeatures`] when the schema has no feature attribute;
    /// [`Error::AllMissing`] when a feature has no known value; [`Error::ZeroVariance`] for a
    /// constant feature under [`ZeroVariance::Error`], or when every feature is constant;
    /// [`Error::WrongType`] for a negative value in a `log1p` attribute (with row and column);
    /// [`Error::InvalidSchema`] when a feature's column does not hold its kind's values.
    pub fn fit(&self, table: &CustomerTable) -> Result<FittedEncoder> {
        let schema = table.schema();
        let n = table.n_customers();
        let mut attributes = Vec::new();
        let mut columns = Vec::new();
        let mut warnings = Vec::new();
        let mut first_constant = None;
        let mut any_feature = false;
        for (attribute, column) in schema.attributes().iter().zip(table.columns()) {
            if attribute.role != Role::Feature {
                continue;
            }
            any_feature = true;
            match fit_attribute(attribute, column, n)? {
                Fit::Encoded(encoding) => {
                    let fitted = FittedAttribute {
                        name: attribute.name.clone(),
                        weight: attribute.weight,
                        offset: columns.len(),
                        encoding,
                    };
                    fitted.describe(&mut columns);
                    attributes.push(fitted);
                }
                Fit::Constant(value) => {
                    let error = Error::ZeroVariance {
                        column: attribute.name.clone(),
                        value: value.clone(),
                    };
                    if self.zero_variance == ZeroVariance::Error {
                        return Err(error);
                    }
                    warnings.push(format!(
                        "column `{}` has the same value ({value}) for every customer and was dropped",
                        attribute.name
                    ));
                    first_constant.get_or_insert(error);
                }
            }
        }
        if !any_feature {
            return Err(Error::NoFeatures);
        }
        if attributes.is_empty() {
            if let Some(error) = first_constant {
                return Err(error);
            }
        }
        Ok(FittedEncoder {
            attributes,
            columns,
            warnings,
            unknown_levels: self.unknown_levels,
        })
    }

    /// Fits on `table` and encodes it.
    ///
    /// # Errors
    /// As [`Encoder::fit`].
    pub fn fit_transform(&self, table: &CustomerTable) -> Result<Encoded> {
        let encoder = self.fit(table)?;
        let features = encoder.transform(table)?;
        Ok(Encoded { encoder, features })
    }
}

/// What one matrix column encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// A numeric attribute's scaled value.
    Numeric,
    /// A categorical level's scaled one-hot indicator.
    Level,
    /// An ordinal attribute's rank scaled to `[0, 1]`.
    Rank,
    /// A boolean attribute: 1 for true.
    Boolean,
    /// A tag's multi-hot indicator.
    Tag,
    /// 1 when the attribute is missing ([`MissingPolicy::OwnLevel`]).
    Missing,
}

/// One column of the feature matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureColumn {
    /// The attribute the column comes from.
    pub attribute: String,
    /// The level or tag the column indicates ([`MISSING_LEVEL`] for a missing indicator);
    /// `None` for numeric, ordinal and boolean value columns.
    pub level: Option<String>,
    /// What the column encodes.
    pub kind: FeatureKind,
}

/// A level or tag and its share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedShare {
    /// The level or tag.
    pub level: String,
    /// Its share, in `[0, 1]` for the mean of encoded customers.
    pub share: f64,
}

/// One attribute of a decoded point, in original units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedAttribute {
    /// The attribute's name.
    pub attribute: String,
    /// Its value.
    pub value: DecodedValue,
}

/// A point of feature space mapped back to one attribute's original units.
///
/// `missing_share` is the decoded `(missing)` column of attributes with
/// [`MissingPolicy::OwnLevel`] (the share of missing values when the point is a mean of
/// customers), and `None` for other attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecodedValue {
    /// A number in the attribute's units (after undoing scaling and `log1p`).
    Numeric {
        /// The value.
        value: f64,
        /// The share of missing values, for `OwnLevel` attributes.
        missing_share: Option<f64>,
    },
    /// Level shares and the level with the largest share.
    Categorical {
        /// Each level's share, in level order.
        shares: Vec<DecodedShare>,
        /// The level with the largest share (the first one on ties).
        nearest: String,
        /// The share of missing values, for `OwnLevel` attributes.
        missing_share: Option<f64>,
    },
    /// A fractional rank on the level scale (0 for the lowest level, `L - 1` for the highest).
    Ordinal {
        /// The rank.
        rank: f64,
        /// The level at the rounded rank.
        nearest: String,
        /// The share of missing values, for `OwnLevel` attributes.
        missing_share: Option<f64>,
    },
    /// The share of true.
    Boolean {
        /// The share of true.
        share_true: f64,
        /// The share of missing values, for `OwnLevel` attributes.
        missing_share: Option<f64>,
    },
    /// The share of each tag.
    Tags {
        /// Each tag's share, in tag order.
        shares: Vec<DecodedShare>,
        /// The share of missing values, for `OwnLevel` attributes.
        missing_share: Option<f64>,
    },
}

/// The fitted encoding of every feature attribute; see the [module docs](self) for formulas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedEncoder {
    attributes: Vec<FittedAttribute>,
    columns: Vec<FeatureColumn>,
    warnings: Vec<String>,
    unknown_levels: UnknownLevels,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FittedAttribute {
    name: String,
    weight: f64,
    /// The first matrix column of the attribute.
    offset: usize,
    encoding: Encoding,
}

/// Fitted statistics per kind. Fill values are the unweighted encoding of a missing value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Encoding {
    Numeric {
        scaling: Scaling,
        log1p: bool,
        center: f64,
        scale: f64,
        /// The imputed value in original units.
        impute: f64,
        missing_column: bool,
    },
    Categorical {
        levels: Vec<String>,
        factor: f64,
        fill: Vec<f64>,
        missing_column: bool,
    },
    Ordinal {
        levels: Vec<String>,
        fill: f64,
        missing_column: bool,
    },
    Boolean {
        fill: f64,
        missing_column: bool,
    },
    Tags {
        levels: Vec<String>,
        fill: Vec<f64>,
        missing_column: bool,
    },
}

impl Encoding {
    fn kind_name(&self) -> &'static str {
        match self {
            Encoding::Numeric { .. } => "numeric",
            Encoding::Categorical { .. } => "categorical",
            Encoding::Ordinal { .. } => "ordinal",
            Encoding::Boolean { .. } => "boolean",
            Encoding::Tags { .. } => "tags",
        }
    }

    fn has_missing_column(&self) -> bool {
        match self {
            Encoding::Numeric { missing_column, .. }
            | Encoding::Categorical { missing_column, .. }
            | Encoding::Ordinal { missing_column, .. }
            | Encoding::Boolean { missing_column, .. }
            | Encoding::Tags { missing_column, .. } => *missing_column,
        }
    }

    /// Columns before the `(missing)` column.
    fn value_width(&self) -> usize {
        match self {
            Encoding::Numeric { .. } | Encoding::Ordinal { .. } | Encoding::Boolean { .. } => 1,
            Encoding::Categorical { levels, .. } | Encoding::Tags { levels, .. } => levels.len(),
        }
    }

    fn width(&self) -> usize {
        self.value_width() + usize::from(self.has_missing_column())
    }
}

impl FittedAttribute {
    fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.encoding.width()
    }

    fn describe(&self, columns: &mut Vec<FeatureColumn>) {
        let column = |level: Option<&str>, kind| FeatureColumn {
            attribute: self.name.clone(),
            level: level.map(str::to_string),
            kind,
        };
        match &self.encoding {
            Encoding::Numeric { .. } => columns.push(column(None, FeatureKind::Numeric)),
            Encoding::Ordinal { .. } => columns.push(column(None, FeatureKind::Rank)),
            Encoding::Boolean { .. } => columns.push(column(None, FeatureKind::Boolean)),
            Encoding::Categorical { levels, .. } => {
                columns.extend(levels.iter().map(|l| column(Some(l), FeatureKind::Level)));
            }
            Encoding::Tags { levels, .. } => {
                columns.extend(levels.iter().map(|l| column(Some(l), FeatureKind::Tag)));
            }
        }
        if self.encoding.has_missing_column() {
            columns.push(column(Some(MISSING_LEVEL), FeatureKind::Missing));
        }
    }
}

/// A table column prepared for encoding: codes remapped to the fitted levels.
enum Source<'a> {
    Numeric(&'a [Option<f64>]),
    Levels {
        codes: &'a [Option<u32>],
        levels: &'a [String],
        /// Table code -> fitted level index (`None`: unknown).
        remap: Vec<Option<u32>>,
    },
    Boolean(&'a [Option<bool>]),
    Tags {
        sets: &'a [Option<Vec<u32>>],
        levels: &'a [String],
        remap: Vec<Option<u32>>,
    },
}

fn remap(table_levels: &[String], fitted: &[String]) -> Vec<Option<u32>> {
    let index: HashMap<&str, u32> = fitted
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u32))
        .collect();
    table_levels
        .iter()
        .map(|l| index.get(l.as_str()).copied())
        .collect()
}

impl FittedEncoder {
    /// Sets what [`FittedEncoder::transform`] does with levels it was not fitted on (for an
    /// encoder loaded from JSON, say).
    pub fn with_unknown_levels(mut self, policy: UnknownLevels) -> Self {
        self.unknown_levels = policy;
        self
    }

    /// Encodes the customers of `table` with the fitted statistics. Attributes are matched by
    /// name and levels by level name, so the table may have other columns, another column order
    /// and differently numbered levels.
    ///
    /// # Parallelisation
    /// Rows are encoded in blocks of 8192 in parallel on the current rayon pool; the result and
    /// the error reported do not depend on the number of threads.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] when the table lacks an encoded attribute;
    /// [`Error::InvalidSchema`] when it holds an attribute as another kind;
    /// [`Error::UnknownLevel`] (with row and column) for a level or tag the encoder was not
    /// fitted on, under [`UnknownLevels::Error`]; [`Error::WrongType`] for a negative value in a
    /// `log1p` attribute.
    pub fn transform(&self, table: &CustomerTable) -> Result<Array2<f64>> {
        let sources = self
            .attributes
            .iter()
            .map(|a| self.source(a, table))
            .collect::<Result<Vec<_>>>()?;
        let mut out = Array2::zeros((table.n_customers(), self.n_features()));
        let blocks: Vec<_> = out
            .axis_chunks_iter_mut(Axis(0), BLOCK_ROWS)
            .enumerate()
            .collect();
        let results: Vec<Result<()>> = blocks
            .into_par_iter()
            .map(|(b, mut block)| {
                self.attributes
                    .iter()
                    .zip(&sources)
                    .try_for_each(|(a, s)| self.fill(a, s, &mut block, b * BLOCK_ROWS))
            })
            .collect();
        results.into_iter().collect::<Result<()>>()?;
        Ok(out)
    }

    fn source<'a>(&self, a: &FittedAttribute, table: &'a CustomerTable) -> Result<Source<'a>> {
        let Some(column) = table.column(&a.name) else {
            let names: Vec<&str> = table
                .schema()
                .attributes()
                .iter()
                .map(|a| a.name.as_str())
                .collect();
            return Err(Error::MissingColumn {
                column: a.name.clone(),
                found: list_for_message(&names),
            });
        };
        let kind = table.schema().get(&a.name).map(|t| &t.kind);
        let source = match (&a.encoding, column, kind) {
            (Encoding::Numeric { .. }, Column::Numeric(v), _) => Some(Source::Numeric(v)),
            (Encoding::Boolean { .. }, Column::Boolean(v), _) => Some(Source::Boolean(v)),
            (
                Encoding::Categorical { levels: fitted, .. },
                Column::Levels { levels, codes },
                Some(AttributeKind::Categorical { .. }),
            )
            | (
                Encoding::Ordinal { levels: fitted, .. },
                Column::Levels { levels, codes },
                Some(AttributeKind::Ordinal { .. }),
            ) => Some(Source::Levels {
                codes,
                levels,
                remap: remap(levels, fitted),
            }),
            (Encoding::Tags { levels: fitted, .. }, Column::Tags { levels, sets }, _) => {
                Some(Source::Tags {
                    sets,
                    levels,
                    remap: remap(levels, fitted),
                })
            }
            _ => None,
        };
        source.ok_or_else(|| Error::InvalidSchema {
            attribute: a.name.clone(),
            reason: format!(
                "the encoder was fitted on it as a {} feature, but the table holds it as {}",
                a.encoding.kind_name(),
                kind.filter(|_| !matches!(column, Column::Text(_)))
                    .map_or("text (an identifier or ignored column)", |k| k.name())
            ),
        })
    }

    fn unknown(&self, a: &FittedAttribute, row: usize, value: &str, fitted: &[String]) -> Error {
        Error::UnknownLevel {
            row: row + 1,
            column: a.name.clone(),
            value: value.to_string(),
            known: list_for_message(fitted),
        }
    }

    /// Writes attribute `a` into `block`, whose first row is customer `start` (0-based).
    fn fill(
        &self,
        a: &FittedAttribute,
        source: &Source<'_>,
        block: &mut ArrayViewMut2<'_, f64>,
        start: usize,
    ) -> Result<()> {
        let n = block.nrows();
        let rows = start..start + n;
        let w = a.weight;
        let o = a.offset;
        let ignore = self.unknown_levels == UnknownLevels::Ignore;
        match (&a.encoding, source) {
            (
                Encoding::Numeric {
                    log1p,
                    center,
                    scale,
                    impute,
                    missing_column,
                    ..
                },
                Source::Numeric(values),
            ) => {
                let encode = |x: f64| w * (if *log1p { x.ln_1p() } else { x } - center) / scale;
                let fill = encode(*impute);
                for (i, v) in values[rows].iter().enumerate() {
                    match *v {
                        Some(x) if *log1p && x < 0.0 => {
                            return Err(negative_for_log1p(&a.name, start + i, x))
                        }
                        Some(x) => block[[i, o]] = encode(x),
                        None => {
                            block[[i, o]] = fill;
                            if *missing_column {
                                block[[i, o + 1]] = w;
                            }
                        }
                    }
                }
            }
            (
                Encoding::Categorical {
                    levels: fitted,
                    factor,
                    fill,
                    missing_column,
                },
                Source::Levels {
                    codes,
                    levels,
                    remap,
                },
            ) => {
                let on = w * factor;
                for (i, c) in codes[rows].iter().enumerate() {
                    match c.map(|c| (c, remap[c as usize])) {
                        Some((_, Some(k))) => block[[i, o + k as usize]] = on,
                        Some((c, None)) if !ignore => {
                            return Err(self.unknown(a, start + i, &levels[c as usize], fitted))
                        }
                        Some((_, None)) => {}
                        None if *missing_column => block[[i, o + fitted.len()]] = on,
                        None => {
                            for (k, f) in fill.iter().enumerate() {
                                block[[i, o + k]] = on * f;
                            }
                        }
                    }
                }
            }
            (
                Encoding::Ordinal {
                    levels: fitted,
                    fill,
                    missing_column,
                },
                Source::Levels {
                    codes,
                    levels,
                    remap,
                },
            ) => {
                let step = w / (fitted.len() - 1) as f64;
                for (i, c) in codes[rows].iter().enumerate() {
                    match c.map(|c| (c, remap[c as usize])) {
                        Some((_, Some(k))) => block[[i, o]] = step * f64::from(k),
                        Some((c, None)) if !ignore => {
                            return Err(self.unknown(a, start + i, &levels[c as usize], fitted))
                        }
                        Some((_, None)) | None => {
                            block[[i, o]] = w * fill;
                            if *missing_column {
                                block[[i, o + 1]] = w;
                            }
                        }
                    }
                }
            }
            (
                Encoding::Boolean {
                    fill,
                    missing_column,
                },
                Source::Boolean(values),
            ) => {
                for (i, v) in values[rows].iter().enumerate() {
                    match v {
                        Some(true) => block[[i, o]] = w,
                        Some(false) => {}
                        None => {
                            block[[i, o]] = w * fill;
                            if *missing_column {
                                block[[i, o + 1]] = w;
                            }
                        }
                    }
                }
            }
            (
                Encoding::Tags {
                    levels: fitted,
                    fill,
                    missing_column,
                },
                Source::Tags {
                    sets,
                    levels,
                    remap,
                },
            ) => {
                for (i, set) in sets[rows].iter().enumerate() {
                    match set {
                        Some(tags) => {
                            for &t in tags {
                                match remap[t as usize] {
                                    Some(k) => block[[i, o + k as usize]] = w,
                                    None if !ignore => {
                                        return Err(self.unknown(
                                            a,
                                            start + i,
                                            &levels[t as usize],
                                            fitted,
                                        ))
                                    }
                                    None => {}
                                }
                            }
                        }
                        None if *missing_column => block[[i, o + fitted.len()]] = w,
                        None => {
                            for (k, f) in fill.iter().enumerate() {
                                block[[i, o + k]] = w * f;
                            }
                        }
                    }
                }
            }
            // `source` only pairs an encoding with its own kind of column.
            _ => unreachable!("source() pairs each encoding with a matching column"),
        }
        Ok(())
    }

    /// One [`FeatureColumn`] per matrix column, in matrix order.
    pub fn columns(&self) -> &[FeatureColumn] {
        &self.columns
    }

    /// The number of matrix columns.
    pub fn n_features(&self) -> usize {
        self.columns.len()
    }

    /// What the fit reported without failing (attributes dropped for zero variance).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The names of the encoded attributes, in matrix order.
    pub fn encoded_attributes(&self) -> impl Iterator<Item = &str> {
        self.attributes.iter().map(|a| a.name.as_str())
    }

    /// The matrix columns of an encoded attribute.
    pub fn columns_of(&self, attribute: &str) -> Option<Range<usize>> {
        self.attributes
            .iter()
            .find(|a| a.name == attribute)
            .map(FittedAttribute::range)
    }

    /// Maps a point of feature space (a centroid, or any encoded customer) back to each encoded
    /// attribute in original units, dividing the weights out: numeric values through inverse
    /// scaling and `expm1` (for `log1p` attributes); categorical blocks to level shares
    /// (`column / (w · f)`) and the largest; ordinal ranks to the level scale
    /// (`column / w · (L - 1)`) and the nearest level; booleans and tags to shares.
    ///
    /// Decoding is linear in the point except for `expm1`: the mean of encoded customers decodes
    /// to their mean value (or level shares), but for `log1p` attributes to the `expm1` of their
    /// mean `ln(1 + x)`, a geometric-type mean.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the point's length is not [`FittedEncoder::n_features`];
    /// [`Error::NonFiniteFeature`] (row 0) for a NaN or infinite coordinate.
    pub fn decode(&self, point: ArrayView1<'_, f64>) -> Result<Vec<DecodedAttribute>> {
        if point.len() != self.n_features() {
            return Err(Error::ShapeMismatch {
                what: "point length vs encoded features",
                expected: self.n_features(),
                found: point.len(),
            });
        }
        if let Some((column, &value)) = point.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(Error::NonFiniteFeature {
                row: 0,
                column,
                value,
            });
        }
        Ok(self
            .attributes
            .iter()
            .map(|a| DecodedAttribute {
                attribute: a.name.clone(),
                value: decode_attribute(a, point),
            })
            .collect())
    }
}

fn decode_attribute(a: &FittedAttribute, point: ArrayView1<'_, f64>) -> DecodedValue {
    let w = a.weight;
    let o = a.offset;
    let at = |k: usize| point[o + k] / w;
    let missing_share = a
        .encoding
        .has_missing_column()
        .then(|| at(a.encoding.value_width()));
    let shares = |levels: &[String], divisor: f64| -> Vec<DecodedShare> {
        levels
            .iter()
            .enumerate()
            .map(|(k, l)| DecodedShare {
                level: l.clone(),
                share: at(k) / divisor,
            })
            .collect()
    };
    match &a.encoding {
        Encoding::Numeric {
            log1p,
            center,
            scale,
            ..
        } => {
            let t = at(0) * scale + center;
            DecodedValue::Numeric {
                value: if *log1p { t.exp_m1() } else { t },
                missing_share,
            }
        }
        Encoding::Categorical { levels, factor, .. } => {
            let shares = shares(levels, *factor);
            let missing_share = missing_share.map(|m| m / factor);
            let nearest = shares
                .iter()
                .fold(None::<&DecodedShare>, |best, s| match best {
                    Some(b) if b.share >= s.share => Some(b),
                    _ => Some(s),
                })
                .map(|s| s.level.clone())
                .unwrap_or_default();
            DecodedValue::Categorical {
                shares,
                nearest,
                missing_share,
            }
        }
        Encoding::Ordinal { levels, .. } => {
            let top = levels.len() - 1;
            let rank = at(0) * top as f64;
            let index = rank.round().clamp(0.0, top as f64) as usize;
            DecodedValue::Ordinal {
                rank,
                nearest: levels[index].clone(),
                missing_share,
            }
        }
        Encoding::Boolean { .. } => DecodedValue::Boolean {
            share_true: at(0),
            missing_share,
        },
        Encoding::Tags { levels, .. } => DecodedValue::Tags {
            shares: shares(levels, 1.0),
            missing_share,
        },
    }
}

fn negative_for_log1p(column: &str, row: usize, x: f64) -> Error {
    Error::WrongType {
        row: row + 1,
        column: column.to_string(),
        value: x.to_string(),
        expected: "a non-negative number (the attribute uses log1p)",
    }
}

/// The outcome of fitting one attribute.
enum Fit {
    Encoded(Encoding),
    /// Every known value is this one.
    Constant(String),
}

fn fit_attribute(attribute: &Attribute, column: &Column, n: usize) -> Result<Fit> {
    let policy = attribute.missing_policy();
    let all_missing = || Error::AllMissing {
        column: attribute.name.clone(),
    };
    let wrong_column = || Error::InvalidSchema {
        attribute: attribute.name.clone(),
        reason: format!(
            "the table does not hold {} values for this attribute",
            attribute.kind.name()
        ),
    };
    match (&attribute.kind, column) {
        (AttributeKind::Numeric { .. }, Column::Numeric(values)) => {
            fit_numeric(attribute, values, policy).and_then(|f| f.ok_or_else(all_missing))
        }
        (AttributeKind::Categorical { .. }, Column::Levels { levels, codes }) => {
            let counts = level_counts(levels.len(), codes);
            let known: usize = counts.iter().sum();
            if known == 0 {
                return Err(all_missing());
            }
            if let Some(only) = single_level(&counts) {
                return Ok(Fit::Constant(levels[only].clone()));
            }
            let missing = n - known;
            let missing_column = policy == MissingPolicy::OwnLevel;
            let total = if missing_column { n } else { known } as f64;
            let mut sum_sq: f64 = counts.iter().map(|&c| (c as f64 / total).powi(2)).sum();
            if missing_column {
                sum_sq += (missing as f64 / total).powi(2);
            }
            let factor = 1.0 / (1.0 - sum_sq).sqrt();
            let shares: Vec<f64> = counts.iter().map(|&c| c as f64 / known as f64).collect();
            let fill = match policy {
                MissingPolicy::Mean => shares,
                MissingPolicy::OwnLevel => vec![0.0; levels.len()],
                MissingPolicy::Mode | MissingPolicy::Median => {
                    let mode = argmax(&counts);
                    (0..levels.len())
                        .map(|k| f64::from(u8::from(k == mode)))
                        .collect()
                }
            };
            Ok(Fit::Encoded(Encoding::Categorical {
                levels: levels.clone(),
                factor,
                fill,
                missing_column,
            }))
        }
        (AttributeKind::Ordinal { .. }, Column::Levels { levels, codes }) => {
            let counts = level_counts(levels.len(), codes);
            let known: usize = counts.iter().sum();
            if known == 0 {
                return Err(all_missing());
            }
            if let Some(only) = single_level(&counts) {
                return Ok(Fit::Constant(levels[only].clone()));
            }
            let mean_code = counts
                .iter()
                .enumerate()
                .map(|(k, &c)| k as f64 * c as f64)
                .sum::<f64>()
                / known as f64;
            let code = match policy {
                MissingPolicy::Mean | MissingPolicy::OwnLevel => mean_code,
                MissingPolicy::Mode => argmax(&counts) as f64,
                MissingPolicy::Median => {
                    // The lower median: the ((known + 1) / 2)-th smallest code.
                    let target = known.div_ceil(2);
                    let mut cumulative = 0;
                    counts
                        .iter()
                        .position(|&c| {
                            cumulative += c;
                            cumulative >= target
                        })
                        .unwrap_or(0) as f64
                }
            };
            Ok(Fit::Encoded(Encoding::Ordinal {
                levels: levels.clone(),
                fill: code / (levels.len() - 1) as f64,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        (AttributeKind::Boolean, Column::Boolean(values)) => {
            let trues = values.iter().filter(|v| **v == Some(true)).count();
            let known = values.iter().filter(|v| v.is_some()).count();
            if known == 0 {
                return Err(all_missing());
            }
            if trues == 0 || trues == known {
                return Ok(Fit::Constant((trues > 0).to_string()));
            }
            let share = trues as f64 / known as f64;
            let fill = match policy {
                MissingPolicy::Mean => share,
                MissingPolicy::OwnLevel => 0.0,
                MissingPolicy::Mode | MissingPolicy::Median => f64::from(u8::from(share >= 0.5)),
            };
            Ok(Fit::Encoded(Encoding::Boolean {
                fill,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        (AttributeKind::Tags { separator, .. }, Column::Tags { levels, sets }) => {
            let mut counts = vec![0usize; levels.len()];
            let mut known = 0usize;
            let mut first: Option<&Vec<u32>> = None;
            let mut constant = true;
            for set in sets.iter().flatten() {
                known += 1;
                match first {
                    None => first = Some(set),
                    Some(f) => constant &= set == f,
                }
                for &t in set {
                    counts[t as usize] += 1;
                }
            }
            let Some(first) = first else {
                return Err(all_missing());
            };
            if constant {
                let value = if first.is_empty() {
                    "no tags".to_string()
                } else {
                    first
                        .iter()
                        .map(|&t| levels[t as usize].as_str())
                        .collect::<Vec<_>>()
                        .join(separator)
                };
                return Ok(Fit::Constant(value));
            }
            let shares = counts.iter().map(|&c| c as f64 / known as f64);
            let fill = match policy {
                MissingPolicy::Mean => shares.collect(),
                MissingPolicy::OwnLevel => vec![0.0; levels.len()],
                MissingPolicy::Mode | MissingPolicy::Median => {
                    shares.map(|s| f64::from(u8::from(s >= 0.5))).collect()
                }
            };
            Ok(Fit::Encoded(Encoding::Tags {
                levels: levels.clone(),
                fill,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        _ => Err(wrong_column()),
    }
}

fn level_counts(n_levels: usize, codes: &[Option<u32>]) -> Vec<usize> {
    let mut counts = vec![0usize; n_levels];
    for &c in codes.iter().flatten() {
        counts[c as usize] += 1;
    }
    counts
}

/// The only observed level, when exactly one level is observed.
fn single_level(counts: &[usize]) -> Option<usize> {
    let mut observed = counts.iter().enumerate().filter(|(_, &c)| c > 0);
    match (observed.next(), observed.next()) {
        (Some((k, _)), None) => Some(k),
        _ => None,
    }
}

/// The index of the largest count, the first on ties.
fn argmax(counts: &[usize]) -> usize {
    counts
        .iter()
        .enumerate()
        .fold(
            (0, 0),
            |(bk, bc), (k, &c)| if c > bc { (k, c) } else { (bk, bc) },
        )
        .0
}

/// Fits a numeric attribute; `Ok(None)` when every value is missing.
fn fit_numeric(
    attribute: &Attribute,
    values: &[Option<f64>],
    policy: MissingPolicy,
) -> Result<Option<Fit>> {
    let log1p = attribute.log1p;
    let mut known = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        if let Some(x) = *v {
            if log1p && x < 0.0 {
                return Err(negative_for_log1p(&attribute.name, row, x));
            }
            known.push(x);
        }
    }
    if known.is_empty() {
        return Ok(None);
    }
    let (min, max) = known
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if min == max {
        return Ok(Some(Fit::Constant(min.to_string())));
    }
    let t = |x: f64| if log1p { x.ln_1p() } else { x };
    let count = known.len() as f64;
    let mean_of = |f: &dyn Fn(f64) -> f64| known.iter().map(|&x| f(x)).sum::<f64>() / count;
    let mean_t = mean_of(&t);
    let sd_t = (mean_of(&|x| (t(x) - mean_t).powi(2))).sqrt();
    let mean_x = mean_of(&|x| x);
    let needs_sorted = attribute.scaling == Scaling::Robust
        || matches!(policy, MissingPolicy::Median | MissingPolicy::Mode);
    if needs_sorted {
        known.sort_unstable_by(f64::total_cmp);
    }
    let (center, scale) = match attribute.scaling {
        Scaling::ZScore => (mean_t, sd_t),
        Scaling::Robust => {
            let sorted_t: Vec<f64> = known.iter().map(|&x| t(x)).collect();
            let iqr = quantile(&sorted_t, 0.75) - quantile(&sorted_t, 0.25);
            (quantile(&sorted_t, 0.5), if iqr > 0.0 { iqr } else { sd_t })
        }
        Scaling::MinMax => (t(min), t(max) - t(min)),
        Scaling::None => (0.0, 1.0),
    };
    if !(scale > 0.0 && scale.is_finite()) {
        // Distinct values so close that their spread underflows: as good as constant.
        return Ok(Some(Fit::Constant(min.to_string())));
    }
    let impute = match policy {
        MissingPolicy::Mean | MissingPolicy::OwnLevel => mean_x,
        MissingPolicy::Median => quantile(&known, 0.5),
        MissingPolicy::Mode => mode_of_sorted(&known),
    };
    Ok(Some(Fit::Encoded(Encoding::Numeric {
        scaling: attribute.scaling,
        log1p,
        center,
        scale,
        impute,
        missing_column: policy == MissingPolicy::OwnLevel,
    })))
}

/// The `p`-quantile of sorted, non-empty values, interpolating linearly between order
/// statistics (position `p · (n - 1)`).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - below as f64;
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// The most frequent of sorted, non-empty values (the smallest on ties).
fn mode_of_sorted(sorted: &[f64]) -> f64 {
    let mut best = (sorted[0], 0usize);
    let mut run = (sorted[0], 0usize);
    for &x in sorted {
        if x == run.0 {
            run.1 += 1;
        } else {
            run = (x, 1);
        }
        if run.1 > best.1 {
            best = run;
        }
    }
    best.0
}
