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

use std::collections::HashSet;
use std::ops::Range;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::schema::Scaling;
// Named by the docs only.
#[cfg(doc)]
use crate::{
    schema::{MissingPolicy, Role},
    table::CustomerTable,
};

mod decode;
mod fit;
mod transform;

/// The level name of the extra column that marks missing values ([`MissingPolicy::OwnLevel`]).
pub const MISSING_LEVEL: &str = "(missing)";

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

/// The serialised form of a [`FittedEncoder`], before its checks. Unknown keys are errors naming
/// the key, as in schema and rules JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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
            if !(crate::schema::MIN_WEIGHT..=crate::schema::MAX_WEIGHT).contains(&a.weight) {
                return Err(problem(format!(
                    "weight {} is outside {} to {}",
                    a.weight,
                    crate::schema::MIN_WEIGHT,
                    crate::schema::MAX_WEIGHT
                )));
            }
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

/// One encoded attribute of a [`FittedEncoder`]: its weight, first matrix column and fitted
/// statistics (read by `crate::sql` to write the encoding out as SQL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FittedAttribute {
    pub(crate) name: String,
    pub(crate) weight: f64,
    /// The first matrix column of the attribute.
    pub(crate) offset: usize,
    pub(crate) encoding: Encoding,
}

/// Fitted statistics per kind. Fill values are the unweighted encoding of a missing value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Encoding {
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

    pub(crate) fn kind_name(&self) -> &'static str {
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

    /// The fitted levels of a categorical, ordinal or tags encoding.
    pub(crate) fn levels(&self) -> Option<&[String]> {
        match self {
            Encoding::Categorical { levels, .. }
            | Encoding::Ordinal { levels, .. }
            | Encoding::Tags { levels, .. } => Some(levels),
            Encoding::Numeric { .. } | Encoding::Boolean { .. } => None,
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
    pub(super) fn range(&self) -> Range<usize> {
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

impl FittedEncoder {
    /// Sets what [`FittedEncoder::transform`] does with levels it was not fitted on (for an
    /// encoder loaded from JSON, say).
    pub fn with_unknown_levels(mut self, policy: UnknownLevels) -> Self {
        self.unknown_levels = policy;
        self
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

    /// The encoded attributes with their fitted statistics, in matrix order.
    pub(crate) fn fitted_attributes(&self) -> &[FittedAttribute] {
        &self.attributes
    }

    /// What [`FittedEncoder::transform`] does with levels it was not fitted on.
    pub(crate) fn unknown_levels(&self) -> UnknownLevels {
        self.unknown_levels
    }

    /// The matrix columns of an encoded attribute.
    pub fn columns_of(&self, attribute: &str) -> Option<Range<usize>> {
        self.attributes
            .iter()
            .find(|a| a.name == attribute)
            .map(FittedAttribute::range)
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

#[cfg(test)]
mod tests;
