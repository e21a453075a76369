//! Encoding: a [`CustomerTable`] becomes an `Array2<f64>` feature matrix, and back.
//!
//! An [`Encoder`] holds the options; [`Encoder::fit`] learns every statistic the encoding needs
//! from a table and returns a [`FittedEncoder`], which transforms that table or any later one
//! (new customers are matched by attribute name and level name, and encoded with the fitted
//! statistics, never refitted) and maps a point of feature space, such as a centroid, back to
//! attribute values in original units ([`FittedEncoder::decode`]). A fitted encoder is
//! `serde`-serialisable so a pipeline can save it beside its segments.
//!
//! Only attributes with [`Role::Feature`] are encoded. Every matrix column
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
//!
//! # Overflow
//! A numeric column whose values are so large that a statistic (sum, variance, interquartile
//! range, range) or an encoded value overflows `f64` fails with [`Error::Overflow`], naming the
//! column, rather than being mistaken for a constant column or encoded as infinity.
//!
//! # Saved encoders
//! Deserialising a [`FittedEncoder`] checks it before use, so an edited or corrupted file fails
//! with [`Error::Json`] naming the attribute and the problem instead of making
//! [`FittedEncoder::transform`] or [`FittedEncoder::decode`] misbehave: the attributes' offsets
//! and widths must tile the described columns exactly and in order; attribute names must be
//! unique; levels non-empty and unique (at least two for ordinal attributes); weights and scale
//! factors positive and finite; centres and imputed values finite; fill values shares in
//! `[0, 1]`, one per level.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use ndarray::{Array2, ArrayView1, ArrayViewMut2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{list_for_message, Error, Result};
use crate::schema::{Attribute, AttributeKind, MissingPolicy, Role, Scaling};
use crate::table::{Codes, Column, CustomerTable, Flags, Numbers, TagSets};

/// The level name of the extra column that marks missing values ([`MissingPolicy::OwnLevel`]).
pub const MISSING_LEVEL: &str = "(missing)";

/// Rows per parallel block in [`FittedEncoder::transform`].
const BLOCK_ROWS: usize = 2048;

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
    /// # Parallelisation
    /// Attributes are fitted in parallel on the current rayon pool; the result does not depend
    /// on the number of threads.
    ///
    /// # Errors
    /// [`Error::NoFeatures`] when the schema has no feature attribute;
    /// [`Error::AllMissing`] when a feature has no known value; [`Error::ZeroVariance`] for a
    /// constant feature under [`ZeroVariance::Error`], or when every feature is constant;
    /// [`Error::WrongType`] for a negative value in a `log1p` attribute (with row and column);
    /// [`Error::Overflow`] when a numeric feature's statistics overflow;
    /// [`Error::InvalidSchema`] when a feature's column does not hold its kind's values.
    pub fn fit(&self, table: &CustomerTable) -> Result<FittedEncoder> {
        let schema = table.schema();
        let n = table.n_customers();
        let mut attributes = Vec::new();
        let mut columns = Vec::new();
        let mut warnings = Vec::new();
        let mut first_constant = None;
        let features: Vec<(&Attribute, &Column)> = schema
            .attributes()
            .iter()
            .zip(table.columns())
            .filter(|(a, _)| a.role == Role::Feature)
            .collect();
        if features.is_empty() {
            return Err(Error::NoFeatures);
        }
        let fits: Vec<Result<Fit>> = features
            .par_iter()
            .map(|(attribute, column)| fit_attribute(attribute, column, n))
            .collect();
        for ((attribute, _), fit) in features.iter().zip(fits) {
            match fit? {
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
///
/// Deserialisation validates the encoder (see [Saved encoders](self#saved-encoders)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FittedEncoderData")]
pub struct FittedEncoder {
    attributes: Vec<FittedAttribute>,
    columns: Vec<FeatureColumn>,
    warnings: Vec<String>,
    unknown_levels: UnknownLevels,
}

/// The serialised form of a [`FittedEncoder`], before its checks.
#[derive(Deserialize)]
struct FittedEncoderData {
    attributes: Vec<FittedAttribute>,
    columns: Vec<FeatureColumn>,
    warnings: Vec<String>,
    unknown_levels: UnknownLevels,
}

impl TryFrom<FittedEncoderData> for FittedEncoder {
    type Error = String;

    /// Accepts exactly the encoders that `transform` and `decode` can use without panicking or
    /// dividing by zero; the message names the attribute or column and what is wrong.
    fn try_from(data: FittedEncoderData) -> std::result::Result<Self, String> {
        if data.attributes.is_empty() {
            return Err("fitted encoder: no encoded attributes".to_string());
        }
        let mut expected = Vec::new();
        let mut names = HashSet::new();
        for a in &data.attributes {
            let problem = |what: String| format!("fitted encoder: attribute `{}`: {what}", a.name);
            if !names.insert(a.name.as_str()) {
                return Err(problem("appears more than once".to_string()));
            }
            if a.offset != expected.len() {
                return Err(problem(format!(
                    "offset {} does not follow the columns before it (expected {})",
                    a.offset,
                    expected.len()
                )));
            }
            check_positive("weight", a.weight).map_err(problem)?;
            a.encoding.check(a.weight).map_err(problem)?;
            a.describe(&mut expected);
        }
        if data.columns.len() != expected.len() {
            return Err(format!(
                "fitted encoder: `columns` describes {} matrix columns but the attributes \
                 encode {}",
                data.columns.len(),
                expected.len()
            ));
        }
        if let Some((j, (found, wanted))) = data
            .columns
            .iter()
            .zip(&expected)
            .enumerate()
            .find(|(_, (f, w))| f != w)
        {
            return Err(format!(
                "fitted encoder: column {j} is described as {} but attribute `{}` encodes {} there",
                column_description(found),
                wanted.attribute,
                column_description(wanted)
            ));
        }
        Ok(FittedEncoder {
            attributes: data.attributes,
            columns: data.columns,
            warnings: data.warnings,
            unknown_levels: data.unknown_levels,
        })
    }
}

fn column_description(c: &FeatureColumn) -> String {
    let kind = match c.kind {
        FeatureKind::Numeric => "numeric",
        FeatureKind::Level => "level",
        FeatureKind::Rank => "rank",
        FeatureKind::Boolean => "boolean",
        FeatureKind::Tag => "tag",
        FeatureKind::Missing => "missing",
    };
    match &c.level {
        Some(level) => format!("`{}` {kind} `{level}`", c.attribute),
        None => format!("`{}` {kind}", c.attribute),
    }
}

fn check_positive(what: &str, x: f64) -> std::result::Result<(), String> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(format!("{what} {x} must be a positive finite number"))
    }
}

fn check_finite(what: &str, x: f64) -> std::result::Result<(), String> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(format!("{what} {x} is not a finite number"))
    }
}

fn check_share(what: &str, x: f64) -> std::result::Result<(), String> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(format!("{what} {x} must be a share between 0 and 1"))
    }
}

/// Levels must be unique, and at least `min` of them.
fn check_levels(levels: &[String], min: usize) -> std::result::Result<(), String> {
    if levels.len() < min {
        return Err(format!(
            "needs at least {min} level{}, found {}",
            if min == 1 { "" } else { "s" },
            levels.len()
        ));
    }
    let mut seen = HashSet::new();
    match levels.iter().find(|l| !seen.insert(l.as_str())) {
        Some(l) => Err(format!("level `{l}` appears more than once")),
        None => Ok(()),
    }
}

/// One fill share per level.
fn check_fill(fill: &[f64], levels: &[String]) -> std::result::Result<(), String> {
    if fill.len() != levels.len() {
        return Err(format!(
            "has {} fill values for {} levels",
            fill.len(),
            levels.len()
        ));
    }
    match fill
        .iter()
        .zip(levels)
        .find(|(f, _)| !(0.0..=1.0).contains(*f))
    {
        Some((f, l)) => Err(format!(
            "fill value {f} for `{l}` must be a share between 0 and 1"
        )),
        None => Ok(()),
    }
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
    /// The checks of a deserialised encoding with weight `weight` (see [`FittedEncoder`]).
    fn check(&self, weight: f64) -> std::result::Result<(), String> {
        match self {
            Encoding::Numeric {
                log1p,
                center,
                scale,
                impute,
                ..
            } => {
                check_finite("center", *center)?;
                check_positive("scale", *scale)?;
                check_finite("imputed value", *impute)?;
                if *log1p && *impute < 0.0 {
                    return Err(format!(
                        "imputed value {impute} must be non-negative (the attribute uses log1p)"
                    ));
                }
                Ok(())
            }
            Encoding::Categorical {
                levels,
                factor,
                fill,
                ..
            } => {
                check_levels(levels, 1)?;
                check_positive("factor", *factor)?;
                check_positive("weight × factor", weight * factor)?;
                check_fill(fill, levels)
            }
            Encoding::Ordinal { levels, fill, .. } => {
                check_levels(levels, 2)?;
                check_share("fill value", *fill)
            }
            Encoding::Boolean { fill, .. } => check_share("fill value", *fill),
            Encoding::Tags { levels, fill, .. } => {
                check_levels(levels, 1)?;
                check_fill(fill, levels)
            }
        }
    }

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
    Numeric(&'a Numbers),
    Levels {
        codes: &'a Codes,
        levels: &'a [String],
        /// Table code -> fitted level index (`None`: unknown).
        remap: Vec<Option<u32>>,
    },
    Boolean(&'a Flags),
    Tags {
        sets: &'a TagSets,
        levels: &'a [String],
        remap: Vec<Option<u32>>,
    },
}

/// A categorical or tags attribute's block, as [`FittedEncoder::fill_indicators`] writes it.
#[derive(Clone, Copy)]
struct Indicators<'a> {
    /// The fitted levels, one column each from the attribute's offset.
    fitted: &'a [String],
    /// The unweighted encoding of a missing value, per fitted level.
    fill: &'a [f64],
    /// Whether a `(missing)` column follows the level columns.
    missing_column: bool,
    /// The value of a set indicator: the weight, times `f` for categorical attributes.
    on: f64,
    /// The table's levels.
    levels: &'a [String],
    /// Table code -> fitted level index.
    remap: &'a [Option<u32>],
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
    /// Rows are encoded in blocks of 2048 in parallel on the current rayon pool; the result and
    /// the error reported do not depend on the number of threads.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] when the table lacks an encoded attribute;
    /// [`Error::InvalidSchema`] when it holds an attribute as another kind;
    /// [`Error::UnknownLevel`] (with row and column) for a level or tag the encoder was not
    /// fitted on, under [`UnknownLevels::Error`]; [`Error::WrongType`] for a negative value in a
    /// `log1p` attribute; [`Error::Overflow`] when a numeric value is so far from the fitted
    /// statistics that its encoding overflows.
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
                Column::Levels(codes),
                Some(AttributeKind::Categorical { .. }),
            )
            | (
                Encoding::Ordinal { levels: fitted, .. },
                Column::Levels(codes),
                Some(AttributeKind::Ordinal { .. }),
            ) => Some(Source::Levels {
                codes,
                levels: codes.levels(),
                remap: remap(codes.levels(), fitted),
            }),
            (Encoding::Tags { levels: fitted, .. }, Column::Tags(sets), _) => Some(Source::Tags {
                sets,
                levels: sets.levels(),
                remap: remap(sets.levels(), fitted),
            }),
            _ => None,
        };
        source.ok_or_else(|| Error::InvalidSchema {
            attribute: a.name.clone(),
            reason: format!(
                "the encoder was fitted on it as a {} feature, but the table holds it as {}",
                a.encoding.kind_name(),
                kind.filter(|_| !matches!(column, Column::Omitted { .. }))
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
                let encode = |x: f64| {
                    let value = w * (if *log1p { x.ln_1p() } else { x } - center) / scale;
                    if value.is_finite() {
                        Ok(value)
                    } else {
                        Err(Error::Overflow {
                            column: a.name.clone(),
                        })
                    }
                };
                for (i, v) in rows.map(|r| values.get(r)).enumerate() {
                    match v {
                        Some(x) if *log1p && x < 0.0 => {
                            return Err(negative_for_log1p(&a.name, start + i, x))
                        }
                        Some(x) => block[[i, o]] = encode(x)?,
                        None => {
                            block[[i, o]] = encode(*impute)?;
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
                let indicators = Indicators {
                    fitted,
                    fill,
                    missing_column: *missing_column,
                    on: w * factor,
                    levels,
                    remap,
                };
                let values = rows.map(|r| codes.get(r).map(std::iter::once));
                self.fill_indicators(a, &indicators, values, block, start)?;
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
                for (i, c) in rows.map(|r| codes.get(r)).enumerate() {
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
                for (i, v) in rows.map(|r| values.get(r)).enumerate() {
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
                let indicators = Indicators {
                    fitted,
                    fill,
                    missing_column: *missing_column,
                    on: w,
                    levels,
                    remap,
                };
                let values = rows.map(|r| sets.get(r).map(|t| t.iter().copied()));
                self.fill_indicators(a, &indicators, values, block, start)?;
            }
            // `source` only pairs an encoding with its own kind of column.
            _ => unreachable!("source() pairs each encoding with a matching column"),
        }
        Ok(())
    }

    /// Writes a one-hot (categorical) or multi-hot (tags) block: `values` holds each customer's
    /// level codes in the table's numbering (one for a categorical value, any number of tags),
    /// `None` when missing.
    fn fill_indicators<C: IntoIterator<Item = u32>>(
        &self,
        a: &FittedAttribute,
        indicators: &Indicators<'_>,
        values: impl Iterator<Item = Option<C>>,
        block: &mut ArrayViewMut2<'_, f64>,
        start: usize,
    ) -> Result<()> {
        let Indicators {
            fitted,
            fill,
            missing_column,
            on,
            levels,
            remap,
        } = *indicators;
        let o = a.offset;
        let ignore = self.unknown_levels == UnknownLevels::Ignore;
        for (i, value) in values.enumerate() {
            match value {
                Some(codes) => {
                    for c in codes {
                        match remap[c as usize] {
                            Some(k) => block[[i, o + k as usize]] = on,
                            None if !ignore => {
                                return Err(self.unknown(a, start + i, &levels[c as usize], fitted))
                            }
                            None => {}
                        }
                    }
                }
                None if missing_column => block[[i, o + fitted.len()]] = on,
                None => {
                    for (k, f) in fill.iter().enumerate() {
                        block[[i, o + k]] = on * f;
                    }
                }
            }
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
        (AttributeKind::Numeric { .. } | AttributeKind::Date { .. }, Column::Numeric(values)) => {
            fit_numeric(attribute, values, policy).and_then(|f| f.ok_or_else(all_missing))
        }
        (AttributeKind::Categorical { .. }, Column::Levels(codes)) => {
            let levels = codes.levels();
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
                levels: levels.to_vec(),
                factor,
                fill,
                missing_column,
            }))
        }
        (AttributeKind::Ordinal { .. }, Column::Levels(codes)) => {
            let levels = codes.levels();
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
                levels: levels.to_vec(),
                fill: code / (levels.len() - 1) as f64,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        (AttributeKind::Boolean, Column::Boolean(values)) => {
            let trues = values.iter().filter(|v| *v == Some(true)).count();
            let known = values.len() - values.validity().missing_count();
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
        (AttributeKind::Tags { separator, .. }, Column::Tags(sets)) => {
            let levels = sets.levels();
            let mut counts = vec![0usize; levels.len()];
            let mut known = 0usize;
            let mut first: Option<&[u32]> = None;
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
                levels: levels.to_vec(),
                fill,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        _ => Err(wrong_column()),
    }
}

fn level_counts(n_levels: usize, codes: &Codes) -> Vec<usize> {
    let mut counts = vec![0usize; n_levels];
    for c in codes.iter().flatten() {
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
    values: &Numbers,
    policy: MissingPolicy,
) -> Result<Option<Fit>> {
    let log1p = attribute.log1p;
    let mut known = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        if let Some(x) = v {
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
    // A full sort only where order statistics beyond the median are needed.
    let needs_sorted = attribute.scaling == Scaling::Robust || policy == MissingPolicy::Mode;
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
    // The values are finite, so a non-finite statistic (NaN included) is an overflow: of the
    // sum behind a mean, of the squares behind a variance, or of a difference (IQR, range).
    let overflow = || Error::Overflow {
        column: attribute.name.clone(),
    };
    if !(center.is_finite() && scale.is_finite()) {
        return Err(overflow());
    }
    if scale <= 0.0 {
        // Distinct values so close that their spread underflows: as good as constant.
        return Ok(Some(Fit::Constant(min.to_string())));
    }
    let impute = match policy {
        MissingPolicy::Mean | MissingPolicy::OwnLevel => mean_x,
        MissingPolicy::Median if needs_sorted => quantile(&known, 0.5),
        MissingPolicy::Median => median_unsorted(&mut known),
        MissingPolicy::Mode => mode_of_sorted(&known),
    };
    if !impute.is_finite() {
        return Err(overflow());
    }
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
    let (low, high) = (sorted[below], sorted[above]);
    let gap = high - low;
    if gap.is_finite() {
        low + fraction * gap
    } else {
        // The gap overflows: interpolate without forming it.
        low * (1.0 - fraction) + high * fraction
    }
}

/// The median of non-empty values (the mean of the two middle ones for an even count), by
/// selection rather than sorting; reorders `values`.
fn median_unsorted(values: &mut [f64]) -> f64 {
    let odd = values.len() % 2 == 1;
    let mid = values.len() / 2;
    let (below, &mut upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    if odd {
        return upper;
    }
    let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Halving first cannot overflow, and halving is exact above the subnormal range.
    lower / 2.0 + upper / 2.0
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::CsvOptions;
    use crate::schema::Schema;
    use approx::assert_abs_diff_eq;
    use ndarray::{array, Array1};

    const EPS: f64 = 1e-9;

    fn table(attributes: Vec<Attribute>, csv: &str) -> CustomerTable {
        let schema = Schema::new(attributes).unwrap();
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap()
    }

    fn encode(attributes: Vec<Attribute>, csv: &str) -> Encoded {
        Encoder::new()
            .fit_transform(&table(attributes, csv))
            .unwrap()
    }

    fn learned(name: &str) -> Attribute {
        Attribute::categorical(name, Vec::<String>::new())
    }

    fn column_of(e: &Encoded, j: usize) -> Vec<f64> {
        e.features.column(j).to_vec()
    }

    fn assert_close(found: &[f64], expected: &[f64]) {
        assert_eq!(found.len(), expected.len(), "{found:?} vs {expected:?}");
        for (f, x) in found.iter().zip(expected) {
            assert_abs_diff_eq!(*f, *x, epsilon = EPS);
        }
    }

    fn mean_row(m: &Array2<f64>) -> Array1<f64> {
        m.mean_axis(Axis(0)).unwrap()
    }

    fn decoded(e: &FittedEncoder, point: &Array1<f64>, attribute: &str) -> DecodedValue {
        e.decode(point.view())
            .unwrap()
            .into_iter()
            .find(|d| d.attribute == attribute)
            .unwrap()
            .value
    }

    fn numeric_value(v: &DecodedValue) -> f64 {
        match v {
            DecodedValue::Numeric { value, .. } => *value,
            other => panic!("not numeric: {other:?}"),
        }
    }

    fn share_values(shares: &[DecodedShare]) -> Vec<f64> {
        shares.iter().map(|s| s.share).collect()
    }

    #[test]
    fn z_score_uses_mean_and_population_sd() {
        let e = encode(vec![Attribute::numeric("x")], "x\n1\n2\n3\n4\n");
        let sd = 1.25f64.sqrt();
        assert_close(
            &column_of(&e, 0),
            &[-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd],
        );
        assert_eq!(
            e.encoder.columns(),
            [FeatureColumn {
                attribute: "x".into(),
                level: None,
                kind: FeatureKind::Numeric
            }]
        );
    }

    #[test]
    fn robust_uses_median_and_iqr_and_falls_back_to_sd() {
        let x = Attribute::numeric("x").with_scaling(Scaling::Robust);
        // Quartiles 2 and 4, median 3: the outlier does not move the scale.
        let e = encode(vec![x.clone()], "x\n1\n2\n3\n4\n100\n");
        assert_close(&column_of(&e, 0), &[-1.0, -0.5, 0.0, 0.5, 48.5]);
        // IQR 0 (quartiles both 1): the population sd (1.6) scales instead, around median 1.
        let e = encode(vec![x], "x\n1\n1\n1\n1\n5\n");
        assert_close(&column_of(&e, 0), &[0.0, 0.0, 0.0, 0.0, 4.0 / 1.6]);
    }

    #[test]
    fn min_max_maps_onto_zero_one_and_none_keeps_units() {
        let e = encode(
            vec![
                Attribute::numeric("a").with_scaling(Scaling::MinMax),
                Attribute::numeric("b").with_scaling(Scaling::None),
            ],
            "a,b\n10,-3\n20,7.5\n30,0\n",
        );
        assert_close(&column_of(&e, 0), &[0.0, 0.5, 1.0]);
        assert_close(&column_of(&e, 1), &[-3.0, 7.5, 0.0]);
    }

    #[test]
    fn log1p_is_applied_before_scaling_and_rejects_negatives() {
        let e1 = std::f64::consts::E - 1.0;
        let e2 = std::f64::consts::E.powi(2) - 1.0;
        let spend = Attribute::numeric("spend").with_log1p(true);
        let e = encode(vec![spend.clone()], &format!("spend\n0\n{e1}\n{e2}\n"));
        // ln(1 + x) = 0, 1, 2: mean 1, population sd sqrt(2/3).
        let sd = (2.0f64 / 3.0).sqrt();
        assert_close(&column_of(&e, 0), &[-1.0 / sd, 0.0, 1.0 / sd]);

        let schema = Schema::new(vec![spend]).unwrap();
        let bad = CustomerTable::from_csv_reader(
            "spend\n1\n-0.5\n".as_bytes(),
            &schema,
            &CsvOptions::new(),
        )
        .unwrap();
        let err = Encoder::new().fit(&bad).unwrap_err();
        assert!(
            matches!(&err, Error::WrongType { row: 2, column, .. } if column == "spend"),
            "{err}"
        );
        let err = e.encoder.transform(&bad).unwrap_err();
        assert!(
            matches!(&err, Error::WrongType { row: 2, column, .. } if column == "spend"),
            "{err}"
        );
    }

    #[test]
    fn one_hot_block_has_total_variance_one() {
        let e = encode(
            vec![learned("c"), Attribute::numeric("x")],
            "c,x\na,1\na,2\na,3\nb,4\nc,5\nc,6\nd,7\n",
        );
        let levels: Vec<_> = e.encoder.columns()[..4]
            .iter()
            .map(|c| (c.level.clone().unwrap(), c.kind))
            .collect();
        assert_eq!(
            levels,
            [
                ("a".to_string(), FeatureKind::Level),
                ("b".to_string(), FeatureKind::Level),
                ("c".to_string(), FeatureKind::Level),
                ("d".to_string(), FeatureKind::Level),
            ]
        );
        let block_variance: f64 = (0..4).map(|j| e.features.column(j).var(0.0)).sum();
        assert_abs_diff_eq!(block_variance, 1.0, epsilon = EPS);
        // The same total variance as the z-scored numeric column beside it.
        assert_abs_diff_eq!(e.features.column(4).var(0.0), 1.0, epsilon = EPS);
        // Rows are a scaled one-hot: a's column is f where the level is a, 0 elsewhere.
        let p = [3.0 / 7.0, 1.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0];
        let f = 1.0 / (1.0 - p.iter().map(|q: &f64| q * q).sum::<f64>()).sqrt();
        assert_close(&column_of(&e, 0), &[f, f, f, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn ordinal_rank_is_scaled_to_unit_interval() {
        let e = encode(
            vec![Attribute::ordinal("size", ["S", "M", "L"])],
            "size\nL\nS\nM\nS\n",
        );
        assert_close(&column_of(&e, 0), &[1.0, 0.0, 0.5, 0.0]);
        assert_eq!(e.encoder.columns()[0].kind, FeatureKind::Rank);
    }

    #[test]
    fn boolean_is_zero_one() {
        let e = encode(
            vec![Attribute::boolean("member")],
            "member\nyes\nno\ntrue\n0\n",
        );
        assert_close(&column_of(&e, 0), &[1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn tags_are_multi_hot() {
        let e = encode(
            vec![Attribute::tags("ch", ";")],
            "ch\nweb;email\nshop\nweb\nx\n",
        );
        // Learned tags sorted: email, shop, web, x. An empty cell is missing, so use "x".
        let tags: Vec<_> = e
            .encoder
            .columns()
            .iter()
            .map(|c| c.level.clone().unwrap())
            .collect();
        assert_eq!(tags, ["email", "shop", "web", "x"]);
        assert_eq!(
            e.features,
            array![
                [1.0, 0.0, 1.0, 0.0],
                [0.0, 1.0, 0.0, 0.0],
                [0.0, 0.0, 1.0, 0.0],
                [0.0, 0.0, 0.0, 1.0]
            ]
        );
    }

    const MIXED: &str = "x,c,o,b,t\n\
                         1,a,S,yes,web\n\
                         5,b,M,no,web;shop\n\
                         2,a,L,yes,shop\n\
                         10,c,M,no,email\n";

    fn mixed(weight: f64) -> Vec<Attribute> {
        vec![
            Attribute::numeric("x").with_weight(weight),
            learned("c").with_weight(weight),
            Attribute::ordinal("o", ["S", "M", "L"]).with_weight(weight),
            Attribute::boolean("b").with_weight(weight),
            Attribute::tags("t", ";").with_weight(weight),
        ]
    }

    #[test]
    fn weights_multiply_every_column_of_their_attribute() {
        let one = encode(mixed(1.0), MIXED);
        let two = encode(mixed(2.5), MIXED);
        assert_eq!(one.features.dim(), (4, 1 + 3 + 1 + 1 + 3));
        for (a, b) in one.features.iter().zip(two.features.iter()) {
            assert_abs_diff_eq!(2.5 * a, *b, epsilon = EPS);
        }
        assert!(one.features.iter().any(|x| *x != 0.0));
    }

    #[test]
    fn decoding_the_mean_of_encoded_rows_gives_original_unit_means_and_shares() {
        for scaling in [
            Scaling::ZScore,
            Scaling::Robust,
            Scaling::MinMax,
            Scaling::None,
        ] {
            let mut attributes = mixed(1.7);
            attributes[0] = Attribute::numeric("x")
                .with_scaling(scaling)
                .with_weight(3.0);
            let e = encode(attributes, MIXED);
            let centroid = mean_row(&e.features);
            let d = e.encoder.decode(centroid.view()).unwrap();
            let names: Vec<_> = d.iter().map(|a| a.attribute.as_str()).collect();
            assert_eq!(names, ["x", "c", "o", "b", "t"]);
            assert_abs_diff_eq!(numeric_value(&d[0].value), 4.5, epsilon = EPS);
            match &d[1].value {
                DecodedValue::Categorical {
                    shares,
                    nearest,
                    missing_share: None,
                } => {
                    assert_close(&share_values(shares), &[0.5, 0.25, 0.25]);
                    assert_eq!(nearest, "a");
                }
                other => panic!("{other:?}"),
            }
            match &d[2].value {
                // Ranks 0, 1, 2, 1: mean 1.
                DecodedValue::Ordinal { rank, nearest, .. } => {
                    assert_abs_diff_eq!(*rank, 1.0, epsilon = EPS);
                    assert_eq!(nearest, "M");
                }
                other => panic!("{other:?}"),
            }
            match &d[3].value {
                DecodedValue::Boolean { share_true, .. } => {
                    assert_abs_diff_eq!(*share_true, 0.5, epsilon = EPS)
                }
                other => panic!("{other:?}"),
            }
            match &d[4].value {
                DecodedValue::Tags { shares, .. } => {
                    let levels: Vec<_> = shares.iter().map(|s| s.level.as_str()).collect();
                    assert_eq!(levels, ["email", "shop", "web"]);
                    assert_close(&share_values(shares), &[0.25, 0.5, 0.5]);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn decoding_log1p_inverts_a_row_exactly_and_a_mean_to_the_log_mean() {
        let attributes = vec![Attribute::numeric("spend")
            .with_log1p(true)
            .with_weight(2.0)];
        let values: [f64; 4] = [0.0, 12.5, 99.0, 1234.5];
        let csv = format!("spend\n{}\n", values.map(|v| v.to_string()).join("\n"));
        let e = encode(attributes, &csv);
        for (i, v) in values.iter().enumerate() {
            let row = e.features.row(i).to_owned();
            let back = numeric_value(&decoded(&e.encoder, &row, "spend"));
            assert_abs_diff_eq!(back, *v, epsilon = EPS * v.max(1.0));
        }
        let log_mean = values.iter().map(|v| v.ln_1p()).sum::<f64>() / 4.0;
        let back = numeric_value(&decoded(&e.encoder, &mean_row(&e.features), "spend"));
        assert_abs_diff_eq!(back, log_mean.exp_m1(), epsilon = EPS);
    }

    #[test]
    fn decode_rejects_a_point_of_the_wrong_length() {
        let e = encode(mixed(1.0), MIXED);
        let err = e.encoder.decode(Array1::zeros(3).view()).unwrap_err();
        assert!(matches!(
            err,
            Error::ShapeMismatch {
                expected: 9,
                found: 3,
                ..
            }
        ));
        let mut nan = Array1::zeros(9);
        nan[4] = f64::NAN;
        let err = e.encoder.decode(nan.view()).unwrap_err();
        assert!(matches!(err, Error::NonFiniteFeature { column: 4, .. }));
    }

    #[test]
    fn numeric_missing_values_are_imputed_by_policy() {
        // Known values 1, 2, 2, 7: mean 3, median 2, mode 2. Scaling None shows the imputed value.
        let csv = "x\n1\n2\nNA\n2\n7\n";
        let encode_with = |policy| {
            encode(
                vec![Attribute::numeric("x")
                    .with_scaling(Scaling::None)
                    .with_missing(policy)],
                csv,
            )
        };
        assert_abs_diff_eq!(encode_with(MissingPolicy::Mean).features[[2, 0]], 3.0);
        assert_abs_diff_eq!(encode_with(MissingPolicy::Median).features[[2, 0]], 2.0);
        let even = encode(
            vec![Attribute::numeric("x")
                .with_scaling(Scaling::None)
                .with_missing(MissingPolicy::Median)],
            "x\n7\n1\nNA\n4\n2\n",
        );
        assert_abs_diff_eq!(even.features[[2, 0]], 3.0);
        let odd = encode(
            vec![Attribute::numeric("x").with_scaling(Scaling::None)],
            "x\n9\nNA\n1\n5\n",
        );
        assert_abs_diff_eq!(odd.features[[1, 0]], 5.0);
        let robust = encode(
            vec![Attribute::numeric("x")
                .with_scaling(Scaling::Robust)
                .with_missing(MissingPolicy::Median)],
            "x\n7\n1\nNA\n4\n2\n",
        );
        // Sorted 1 2 4 7: median 3 (the centre, so 0), quartiles 1.75 and 4.75.
        assert_abs_diff_eq!(robust.features[[2, 0]], 0.0);
        assert_abs_diff_eq!(robust.features[[0, 0]], 4.0 / 3.0, epsilon = EPS);
        let modal = encode(
            vec![Attribute::numeric("x")
                .with_scaling(Scaling::None)
                .with_missing(MissingPolicy::Mode)],
            "x\n1\n5\nNA\n5\n2\n2.5\n",
        );
        assert_abs_diff_eq!(modal.features[[2, 0]], 5.0);
        // The default policy for numeric attributes is the median.
        let default = encode(
            vec![Attribute::numeric("x").with_scaling(Scaling::None)],
            csv,
        );
        assert_abs_diff_eq!(default.features[[2, 0]], 2.0);

        let own = encode_with(MissingPolicy::OwnLevel);
        assert_eq!(own.encoder.n_features(), 2);
        assert_eq!(
            own.encoder.columns()[1],
            FeatureColumn {
                attribute: "x".into(),
                level: Some(MISSING_LEVEL.into()),
                kind: FeatureKind::Missing
            }
        );
        assert_close(&column_of(&own, 0), &[1.0, 2.0, 3.0, 2.0, 7.0]);
        assert_close(&column_of(&own, 1), &[0.0, 0.0, 1.0, 0.0, 0.0]);
        let d = own.encoder.decode(mean_row(&own.features).view()).unwrap();
        assert_eq!(
            d[0].value,
            DecodedValue::Numeric {
                value: 3.0,
                missing_share: Some(0.2)
            }
        );
    }

    #[test]
    fn imputed_numeric_values_are_in_original_units_before_log_and_scaling() {
        let e = encode(
            vec![Attribute::numeric("x")
                .with_log1p(true)
                .with_scaling(Scaling::None)
                .with_missing(MissingPolicy::Mean)],
            "x\n0\nNA\n8\n",
        );
        // The mean of 0 and 8 is 4, then ln(1 + 4), not the mean of the logs.
        assert_abs_diff_eq!(e.features[[1, 0]], 5.0f64.ln(), epsilon = EPS);
    }

    #[test]
    fn categorical_missing_values_follow_policy() {
        let csv = "c\na\nb\nNA\na\nc\n";
        let with = |policy| encode(vec![learned("c").with_missing(policy)], csv);
        let shares = [0.5, 0.25, 0.25];
        let f = 1.0 / (1.0 - shares.iter().map(|p| p * p).sum::<f64>()).sqrt();

        let mode = with(MissingPolicy::Mode);
        assert_close(&mode.features.row(2).to_vec(), &[f, 0.0, 0.0]);
        let median = with(MissingPolicy::Median);
        assert_close(&median.features.row(2).to_vec(), &[f, 0.0, 0.0]);
        let mean = with(MissingPolicy::Mean);
        assert_close(
            &mean.features.row(2).to_vec(),
            &[0.5 * f, 0.25 * f, 0.25 * f],
        );

        let own = with(MissingPolicy::OwnLevel);
        // Four columns; shares over all five customers with (missing) as a level.
        let p = [0.4, 0.2, 0.2, 0.2];
        let g = 1.0 / (1.0 - p.iter().map(|q| q * q).sum::<f64>()).sqrt();
        assert_eq!(
            own.encoder.columns()[3].level.as_deref(),
            Some(MISSING_LEVEL)
        );
        assert_close(&own.features.row(2).to_vec(), &[0.0, 0.0, 0.0, g]);
        assert_close(&own.features.row(0).to_vec(), &[g, 0.0, 0.0, 0.0]);
        let total: f64 = (0..4).map(|j| own.features.column(j).var(0.0)).sum();
        assert_abs_diff_eq!(total, 1.0, epsilon = EPS);
        match decoded(&own.encoder, &mean_row(&own.features), "c") {
            DecodedValue::Categorical {
                shares,
                missing_share,
                ..
            } => {
                assert_close(&share_values(&shares), &[0.4, 0.2, 0.2]);
                assert_abs_diff_eq!(missing_share.unwrap(), 0.2, epsilon = EPS);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ordinal_missing_values_follow_policy() {
        // Known ranks 0, 2, 2, 3 of 4 levels: mean 1.75, lower median 2, mode 2.
        let csv = "o\nA\nC\nNA\nC\nD\n";
        let with = |policy| {
            encode(
                vec![Attribute::ordinal("o", ["A", "B", "C", "D"]).with_missing(policy)],
                csv,
            )
        };
        assert_abs_diff_eq!(with(MissingPolicy::Mean).features[[2, 0]], 1.75 / 3.0);
        assert_abs_diff_eq!(with(MissingPolicy::Median).features[[2, 0]], 2.0 / 3.0);
        assert_abs_diff_eq!(with(MissingPolicy::Mode).features[[2, 0]], 2.0 / 3.0);
        let lower = encode(
            vec![Attribute::ordinal("o", ["A", "B", "C", "D"]).with_missing(MissingPolicy::Median)],
            "o\nA\nB\nNA\nC\nD\n",
        );
        assert_abs_diff_eq!(lower.features[[2, 0]], 1.0 / 3.0);
        let own = with(MissingPolicy::OwnLevel);
        assert_close(&own.features.row(2).to_vec(), &[1.75 / 3.0, 1.0]);
        assert_close(&own.features.row(0).to_vec(), &[0.0, 0.0]);
    }

    #[test]
    fn boolean_and_tag_missing_values_follow_policy() {
        // Booleans: 2 true of 3 known. Tags: web 2/3, shop 1/3, email 1/3.
        let csv = "b,t\nyes,web\nno,web;shop\nNA,NA\nyes,email\n";
        let with = |policy| {
            encode(
                vec![
                    Attribute::boolean("b").with_missing(policy),
                    Attribute::tags("t", ";").with_missing(policy),
                ],
                csv,
            )
        };
        let mode = with(MissingPolicy::Mode);
        assert_close(&mode.features.row(2).to_vec(), &[1.0, 0.0, 0.0, 1.0]);
        let median = with(MissingPolicy::Median);
        assert_close(&median.features.row(2).to_vec(), &[1.0, 0.0, 0.0, 1.0]);
        let mean = with(MissingPolicy::Mean);
        assert_close(
            &mean.features.row(2).to_vec(),
            &[2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0],
        );
        let own = with(MissingPolicy::OwnLevel);
        let kinds: Vec<_> = own.encoder.columns().iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                FeatureKind::Boolean,
                FeatureKind::Missing,
                FeatureKind::Tag,
                FeatureKind::Tag,
                FeatureKind::Tag,
                FeatureKind::Missing
            ]
        );
        assert_close(
            &own.features.row(2).to_vec(),
            &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        );
        assert_close(
            &own.features.row(0).to_vec(),
            &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        );
    }

    #[test]
    fn zero_variance_attributes_are_dropped_with_a_warning_or_rejected() {
        let attributes = vec![
            Attribute::numeric("x"),
            Attribute::numeric("flat"),
            learned("c"),
            Attribute::tags("t", ";"),
        ];
        let csv = "x,flat,c,t\n1,3,a,web;shop\n2,3,a,shop;web\n4,NA,NA,web;shop\n";
        let t = table(attributes, csv);
        let fitted = Encoder::new().fit(&t).unwrap();
        assert_eq!(fitted.encoded_attributes().collect::<Vec<_>>(), ["x"]);
        assert_eq!(fitted.n_features(), 1);
        assert_eq!(fitted.transform(&t).unwrap().ncols(), 1);
        assert_eq!(
            fitted.warnings(),
            [
                "column `flat` has the same value (3) for every customer and was dropped",
                "column `c` has the same value (a) for every customer and was dropped",
                "column `t` has the same value (shop;web) for every customer and was dropped",
            ]
        );
        let err = Encoder::new()
            .with_zero_variance(ZeroVariance::Error)
            .fit(&t)
            .unwrap_err();
        assert!(
            matches!(&err, Error::ZeroVariance { column, value } if column == "flat" && value == "3"),
            "{err}"
        );
        // Nothing left to encode: the first constant attribute is the error.
        let only_flat = table(vec![Attribute::boolean("b")], "b\nyes\nyes\n");
        let err = Encoder::new().fit(&only_flat).unwrap_err();
        assert!(matches!(&err, Error::ZeroVariance { column, .. } if column == "b"));
    }

    #[test]
    fn a_column_with_every_value_missing_is_an_error() {
        for attribute in [
            Attribute::numeric("m"),
            learned("m"),
            Attribute::ordinal("m", ["lo", "hi"]),
            Attribute::boolean("m"),
            Attribute::tags("m", ";"),
        ] {
            let t = table(vec![Attribute::numeric("x"), attribute], "x,m\n1,NA\n2,\n");
            let err = Encoder::new().fit(&t).unwrap_err();
            assert!(
                matches!(&err, Error::AllMissing { column } if column == "m"),
                "{err}"
            );
        }
    }

    #[test]
    fn only_feature_attributes_are_encoded() {
        let t = table(
            vec![
                Attribute::identifier("id"),
                Attribute::numeric("x"),
                Attribute::numeric("revenue").with_role(Role::Value),
                Attribute::numeric("skip").with_role(Role::Ignored),
            ],
            "id,x,revenue,skip\na,1,10,q\nb,2,20,r\n",
        );
        let fitted = Encoder::new().fit(&t).unwrap();
        assert_eq!(fitted.encoded_attributes().collect::<Vec<_>>(), ["x"]);
        assert_eq!(fitted.columns_of("x"), Some(0..1));
        assert_eq!(fitted.columns_of("revenue"), None);
        let none = table(vec![Attribute::identifier("id")], "id\na\n");
        assert!(matches!(Encoder::new().fit(&none), Err(Error::NoFeatures)));
    }

    #[test]
    fn unknown_levels_are_an_error_with_row_and_column_or_ignored() {
        let attributes = || vec![learned("c"), Attribute::tags("t", ";")];
        let train = table(attributes(), "c,t\na,web\nb,shop\n");
        let new = table(attributes(), "c,t\nb,web\nz,shop\na,web;fax\n");
        let fitted = Encoder::new().fit(&train).unwrap();
        let err = fitted.transform(&new).unwrap_err();
        assert!(
            matches!(&err, Error::UnknownLevel { row: 2, column, value, .. } if column == "c" && value == "z"),
            "{err}"
        );
        assert!(err.to_string().contains("row 2, column `c`"), "{err}");
        let tag_only = table(attributes(), "c,t\nb,web\na,web;fax\n");
        let err = fitted.transform(&tag_only).unwrap_err();
        assert!(
            matches!(&err, Error::UnknownLevel { row: 2, column, value, .. } if column == "t" && value == "fax"),
            "{err}"
        );

        let lenient = Encoder::new()
            .with_unknown_levels(UnknownLevels::Ignore)
            .fit(&train)
            .unwrap();
        let m = lenient.transform(&new).unwrap();
        assert_close(&m.row(1).to_vec()[..2], &[0.0, 0.0]);
        // The unknown tag is skipped, the known one kept.
        assert_close(&m.row(2).to_vec()[2..], &[0.0, 1.0]);
        // A saved strict encoder can be relaxed after loading.
        assert!(fitted
            .with_unknown_levels(UnknownLevels::Ignore)
            .transform(&new)
            .is_ok());
    }

    #[test]
    fn new_customers_are_encoded_with_the_fitted_statistics() {
        let attributes = || {
            vec![
                Attribute::numeric("x").with_missing(MissingPolicy::Mean),
                learned("c"),
            ]
        };
        let train = table(attributes(), "x,c\n1,a\n2,b\n3,a\n4,b\n");
        let fitted = Encoder::new().fit(&train).unwrap();
        // Other order of levels and values far from the training data: nothing is refitted.
        let new = table(attributes(), "c,x\nb,100\nb,NA\n");
        let m = fitted.transform(&new).unwrap();
        let sd = 1.25f64.sqrt();
        let f = 2f64.sqrt();
        assert_close(&m.row(0).to_vec(), &[97.5 / sd, 0.0, f]);
        assert_close(&m.row(1).to_vec(), &[0.0, 0.0, f]);
    }

    #[test]
    fn transform_names_a_missing_or_retyped_attribute() {
        let train = table(
            vec![Attribute::numeric("x"), learned("c")],
            "x,c\n1,a\n2,b\n",
        );
        let fitted = Encoder::new().fit(&train).unwrap();
        let missing = table(vec![Attribute::numeric("x")], "x\n1\n");
        let err = fitted.transform(&missing).unwrap_err();
        assert!(matches!(&err, Error::MissingColumn { column, .. } if column == "c"));
        let retyped = table(
            vec![Attribute::numeric("x"), Attribute::numeric("c")],
            "x,c\n1,2\n",
        );
        let err = fitted.transform(&retyped).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSchema { attribute, .. } if attribute == "c"),
            "{err}"
        );
    }

    #[test]
    fn json_round_trip_gives_the_same_transform() {
        let mut attributes = mixed(1.3);
        attributes[0] = Attribute::numeric("x")
            .with_log1p(true)
            .with_scaling(Scaling::Robust)
            .with_missing(MissingPolicy::OwnLevel);
        attributes[1] = learned("c").with_missing(MissingPolicy::Mean);
        let t = table(attributes, MIXED);
        let fitted = Encoder::new()
            .with_unknown_levels(UnknownLevels::Ignore)
            .fit(&t)
            .unwrap();
        let json = serde_json::to_string(&fitted).unwrap();
        let back: FittedEncoder = serde_json::from_str(&json).unwrap();
        assert_eq!(back.columns(), fitted.columns());
        assert_eq!(back.unknown_levels, UnknownLevels::Ignore);
        // serde_json parses floats to within one ulp unless its `float_roundtrip` feature is on.
        let (a, b) = (back.transform(&t).unwrap(), fitted.transform(&t).unwrap());
        assert_eq!(a.dim(), b.dim());
        for (x, y) in a.iter().zip(b.iter()) {
            assert_abs_diff_eq!(x, y, epsilon = 1e-12);
        }
    }

    #[test]
    fn large_tables_are_encoded_in_blocks_like_row_by_row() {
        let n = 3 * BLOCK_ROWS + 17;
        let schema = Schema::new(vec![Attribute::numeric("x"), learned("c")]).unwrap();
        let rows = (0..n).map(|i| {
            vec![
                crate::table::Value::from(i as f64),
                crate::table::Value::from(["a", "b", "c"][i % 3]),
            ]
        });
        let t = CustomerTable::from_rows(&schema, rows).unwrap();
        let e = Encoder::new().fit_transform(&t).unwrap();
        let mean = (n - 1) as f64 / 2.0;
        let sd = (((n * n) as f64 - 1.0) / 12.0).sqrt();
        let counts = [n.div_ceil(3), (n + 1) / 3, n / 3];
        let sum_sq: f64 = counts.iter().map(|&c| (c as f64 / n as f64).powi(2)).sum();
        let f = 1.0 / (1.0 - sum_sq).sqrt();
        for i in [0, BLOCK_ROWS - 1, BLOCK_ROWS, 2 * BLOCK_ROWS + 5, n - 1] {
            let mut expected = [(i as f64 - mean) / sd, 0.0, 0.0, 0.0];
            expected[1 + i % 3] = f;
            assert_close(&e.features.row(i).to_vec(), &expected);
        }
        // The first bad row is reported whichever block finds an error first.
        let train = table(vec![learned("c")], "c\na\nb\n");
        let fitted = Encoder::new().fit(&train).unwrap();
        let c_only = Schema::new(vec![learned("c")]).unwrap();
        let rows = (0..n).map(|i| {
            let level = if i == BLOCK_ROWS + 3 || i == 3 * BLOCK_ROWS + 1 {
                "z"
            } else {
                "a"
            };
            vec![crate::table::Value::from(level)]
        });
        let new = CustomerTable::from_rows(&c_only, rows).unwrap();
        let err = fitted.transform(&new).unwrap_err();
        assert!(matches!(err, Error::UnknownLevel { row, .. } if row == BLOCK_ROWS + 4));
    }

    /// The JSON of an encoder fitted on [`MIXED`]: attributes x (offset 0), c (1..4, levels a b
    /// c), o (4), b (5), t (6..9, tags email shop web); 9 columns.
    fn mixed_json() -> serde_json::Value {
        let fitted = Encoder::new().fit(&table(mixed(1.0), MIXED)).unwrap();
        assert_eq!(fitted.n_features(), 9);
        serde_json::to_value(&fitted).unwrap()
    }

    /// Deserialising `json` fails with an [`Error::Json`] whose message has every piece of
    /// `expected`.
    fn assert_rejected(json: &serde_json::Value, expected: &[&str]) {
        let text = serde_json::to_string(json).unwrap();
        let err = Error::from(serde_json::from_str::<FittedEncoder>(&text).unwrap_err());
        assert!(matches!(err, Error::Json(_)), "{err:?}");
        let message = err.to_string();
        for piece in expected {
            assert!(message.contains(piece), "`{piece}` not in: {message}");
        }
    }

    #[test]
    fn a_valid_encoder_survives_a_json_round_trip_for_every_kind_and_policy() {
        for policy in [
            MissingPolicy::Mean,
            MissingPolicy::Median,
            MissingPolicy::Mode,
            MissingPolicy::OwnLevel,
        ] {
            let attributes = mixed(1.5)
                .into_iter()
                .map(|a| a.with_missing(policy))
                .collect();
            let t = table(attributes, &format!("{MIXED}NA,NA,NA,NA,NA\n"));
            let fitted = Encoder::new().fit(&t).unwrap();
            let json = serde_json::to_string(&fitted).unwrap();
            let back: FittedEncoder = serde_json::from_str(&json).unwrap();
            assert_eq!(back, fitted);
            assert_eq!(back.transform(&t).unwrap(), fitted.transform(&t).unwrap());
        }
    }

    #[test]
    fn corrupted_encoder_json_is_an_error_naming_the_attribute_not_a_panic() {
        type Corruption = fn(&mut serde_json::Value);
        let cases: &[(Corruption, &[&str])] = &[
            (
                |j| j["attributes"][2]["encoding"]["levels"] = serde_json::json!([]),
                &["attribute `o`", "at least 2 levels, found 0"],
            ),
            (
                |j| j["attributes"][2]["encoding"]["levels"] = serde_json::json!(["S"]),
                &["attribute `o`", "at least 2 levels, found 1"],
            ),
            (
                |j| j["attributes"][2]["encoding"]["levels"] = serde_json::json!(["S", "S", "L"]),
                &["attribute `o`", "level `S` appears more than once"],
            ),
            (
                |j| j["attributes"][4]["offset"] = 99.into(),
                &["attribute `t`", "offset 99", "expected 6"],
            ),
            (
                |j| j["attributes"][2]["offset"] = 1.into(),
                &["attribute `o`", "offset 1", "expected 4"],
            ),
            (
                |j| {
                    let columns = j["columns"].as_array_mut().unwrap();
                    columns.pop();
                },
                &["`columns` describes 8", "encode 9"],
            ),
            (
                |j| j["columns"][2]["level"] = "zz".into(),
                &[
                    "column 2",
                    "`c` level `zz`",
                    "attribute `c`",
                    "`c` level `b`",
                ],
            ),
            (
                |j| j["columns"][4]["kind"] = "numeric".into(),
                &["column 4", "`o` numeric", "`o` rank"],
            ),
            (
                |j| j["attributes"][1]["encoding"]["levels"] = serde_json::json!([]),
                &["attribute `c`", "at least 1 level, found 0"],
            ),
            (
                |j| j["attributes"][1]["encoding"]["levels"] = serde_json::json!(["a", "b", "a"]),
                &["attribute `c`", "level `a` appears more than once"],
            ),
            (
                |j| j["attributes"][4]["encoding"]["levels"][1] = "web".into(),
                &["attribute `t`", "level `web` appears more than once"],
            ),
            (
                |j| j["attributes"][1]["encoding"]["fill"] = serde_json::json!([1.0]),
                &["attribute `c`", "1 fill values for 3 levels"],
            ),
            (
                |j| j["attributes"][4]["encoding"]["fill"][0] = 1.5.into(),
                &[
                    "attribute `t`",
                    "fill value 1.5 for `email`",
                    "between 0 and 1",
                ],
            ),
            (
                |j| j["attributes"][2]["encoding"]["fill"] = (-0.25).into(),
                &["attribute `o`", "fill value -0.25"],
            ),
            (
                |j| j["attributes"][3]["encoding"]["fill"] = 2.into(),
                &["attribute `b`", "fill value 2"],
            ),
            (
                |j| j["attributes"][0]["encoding"]["scale"] = 0.into(),
                &["attribute `x`", "scale 0 must be a positive finite number"],
            ),
            (
                |j| j["attributes"][0]["encoding"]["scale"] = (-2.0).into(),
                &["attribute `x`", "scale -2"],
            ),
            (
                |j| {
                    j["attributes"][0]["encoding"]["log1p"] = true.into();
                    j["attributes"][0]["encoding"]["impute"] = (-3.0).into();
                },
                &["attribute `x`", "imputed value -3 must be non-negative"],
            ),
            (
                |j| j["attributes"][1]["encoding"]["factor"] = 0.into(),
                &["attribute `c`", "factor 0"],
            ),
            (
                |j| {
                    j["attributes"][1]["weight"] = 1e10.into();
                    j["attributes"][1]["encoding"]["factor"] = 1e300.into();
                },
                &["attribute `c`", "weight × factor inf"],
            ),
            (
                |j| j["attributes"][3]["weight"] = 0.into(),
                &["attribute `b`", "weight 0 must be a positive finite number"],
            ),
            (
                |j| j["attributes"][3]["weight"] = (-1.0).into(),
                &["attribute `b`", "weight -1"],
            ),
            (
                |j| j["attributes"][3]["name"] = "x".into(),
                &["attribute `x`", "appears more than once"],
            ),
            (
                |j| {
                    j["attributes"] = serde_json::json!([]);
                    j["columns"] = serde_json::json!([]);
                },
                &["no encoded attributes"],
            ),
        ];
        for (corrupt, expected) in cases {
            let mut json = mixed_json();
            corrupt(&mut json);
            assert_rejected(&json, expected);
        }
        // Non-finite numbers cannot even be written in JSON.
        let text = serde_json::to_string(&mixed_json()).unwrap().replacen(
            "\"center\":",
            "\"center\":1e999,\"was\":",
            1,
        );
        assert!(serde_json::from_str::<FittedEncoder>(&text).is_err());
    }

    #[test]
    fn statistics_that_overflow_are_an_error_naming_the_column() {
        // Tables may cap magnitudes, so the values go to the attribute fit directly.
        let fit = |scaling, policy, values: &[f64]| {
            let attribute = Attribute::numeric("a")
                .with_scaling(scaling)
                .with_missing(policy);
            let column = Column::Numeric(values.iter().copied().map(Some).collect());
            fit_attribute(&attribute, &column, values.len())
        };
        let big = [1e308, 1.5e308];
        let wide = [-1e308, 1e308];
        for (scaling, policy, values) in [
            // The sum behind the mean (with the default policy, the case once filed as constant).
            (Scaling::ZScore, MissingPolicy::Median, &big),
            (Scaling::MinMax, MissingPolicy::Mean, &big),
            (Scaling::None, MissingPolicy::OwnLevel, &big),
            // The squares behind the variance.
            (Scaling::ZScore, MissingPolicy::Median, &wide),
            // The range.
            (Scaling::MinMax, MissingPolicy::Median, &wide),
        ] {
            let err = match fit(scaling, policy, values) {
                Err(err) => err,
                Ok(_) => panic!("{scaling:?} {policy:?} {values:?} fitted"),
            };
            assert!(
                matches!(&err, Error::Overflow { column } if column == "a"),
                "{scaling:?} {policy:?}: {err}"
            );
            assert!(
                err.to_string()
                    .starts_with("column `a`: values are too large to compute with"),
                "{err}"
            );
        }
        // Statistics that stay finite are fine, however large the values: medians, quantiles
        // and ranges that do not overflow.
        for (scaling, values) in [
            (Scaling::Robust, &big),
            (Scaling::Robust, &wide),
            (Scaling::MinMax, &big),
        ] {
            match fit(scaling, MissingPolicy::Median, values) {
                Ok(Fit::Encoded(Encoding::Numeric {
                    center,
                    scale,
                    impute,
                    ..
                })) => {
                    assert!(center.is_finite() && scale > 0.0 && scale.is_finite());
                    assert!(impute.is_finite());
                }
                Ok(_) => panic!("{scaling:?} {values:?} not encoded"),
                Err(err) => panic!("{scaling:?} {values:?}: {err}"),
            }
        }
        assert_eq!(median_unsorted(&mut [1e308, 1.5e308]), 1.25e308);
        assert_eq!(quantile(&[-1e308, 1e308], 0.0), -1e308);
        assert_eq!(quantile(&[-1e308, 1e308], 0.25), -0.5e308);
    }

    #[test]
    fn a_new_value_whose_encoding_overflows_is_an_error() {
        let attributes = || vec![Attribute::numeric("a").with_scaling(Scaling::MinMax)];
        let fitted = Encoder::new()
            .fit(&table(attributes(), "a\n0\n1e-300\n"))
            .unwrap();
        let err = fitted
            .transform(&table(attributes(), "a\n1e-300\n1e10\n"))
            .unwrap_err();
        assert!(
            matches!(&err, Error::Overflow { column } if column == "a"),
            "{err}"
        );
    }

    #[test]
    fn a_table_holding_an_attribute_as_another_kind_is_an_error_for_every_kind() {
        let fitted = Encoder::new().fit(&table(mixed(1.0), MIXED)).unwrap();
        let retyped = |position: usize, replacement: Attribute, name: &str| {
            let mut attributes = mixed(1.0);
            attributes[position] = replacement;
            let t = table(attributes, MIXED);
            let err = fitted.transform(&t).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidSchema { attribute, .. } if attribute == name),
                "{err}"
            );
            err.to_string()
        };
        // Same levels, same column type, other kind.
        let message = retyped(2, learned("o"), "o");
        assert!(
            message.contains("fitted on it as a ordinal feature"),
            "{message}"
        );
        retyped(1, Attribute::ordinal("c", ["a", "b", "c"]), "c");
        retyped(0, learned("x"), "x");
        retyped(3, Attribute::tags("b", ";"), "b");
        retyped(4, learned("t"), "t");
        let message = retyped(4, Attribute::identifier("t"), "t");
        assert!(message.contains("text"), "{message}");
        let message = retyped(0, Attribute::numeric("x").with_role(Role::Ignored), "x");
        assert!(message.contains("text"), "{message}");
    }
}
