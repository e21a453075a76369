//! One attribute: its kind, facet, role, encoding choices and weight, and its JSON form.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::dates::DateFormat;
use crate::derive::Derived;
use crate::error::{Error, Result};

/// Which part of a persona an attribute describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    /// Who the customer is: age, income, household, education.
    Demographic,
    /// What they value: attitudes, interests, lifestyle, stated preferences.
    Psychographic,
    /// What they do: purchases, visits, recency, channel use, responses.
    Behavioural,
    /// Where they are: region, country, city, urban/rural.
    Geographic,
    /// The customer's organisation (B2B): company size, industry, job title.
    Firmographic,
    /// Anything else.
    #[default]
    Other,
}

impl Facet {
    /// The facet's name as written in JSON and Markdown.
    pub fn as_str(self) -> &'static str {
        match self {
            Facet::Demographic => "demographic",
            Facet::Psychographic => "psychographic",
            Facet::Behavioural => "behavioural",
            Facet::Geographic => "geographic",
            Facet::Firmographic => "firmographic",
            Facet::Other => "other",
        }
    }
}

/// How an attribute takes part in segmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Encoded into the feature matrix and clustered on.
    #[default]
    Feature,
    /// Names the customer (at most one per schema); never clustered on.
    Identifier,
    /// Reported per segment (revenue, spend, lifetime value) but not clustered on.
    Value,
    /// Read (so the column must parse) but otherwise left alone.
    Ignored,
    /// An outcome the team cares about (churned, responded to a campaign, defaulted, was
    /// approved): never clustered on, and reported per segment and per persona as a key fact.
    Outcome,
    /// Described on every persona (its typical value) but never clustered on: identity traits
    /// such as gender or ethnicity, so that segments follow what customers do and need.
    Descriptor,
}

impl Role {
    /// The role's name as written in JSON ("feature", "outcome", …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Identifier => "identifier",
            Role::Value => "value",
            Role::Ignored => "ignored",
            Role::Outcome => "outcome",
            Role::Descriptor => "descriptor",
        }
    }
}

/// How a numeric attribute is scaled before clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// `(x - mean) / standard deviation`.
    #[default]
    ZScore,
    /// `(x - median) / interquartile range`, which outliers do not distort.
    Robust,
    /// `(x - min) / (max - min)`, into `[0, 1]`.
    MinMax,
    /// Left in original units.
    None,
}

/// What to do with a customer whose value for an attribute is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Numeric: the mean of the known values. Levels: each level's share (a soft one-hot).
    Mean,
    /// Numeric: the median of the known values. Ordinal: the median level. Other levels: the mode.
    Median,
    /// The most common known value or level.
    Mode,
    /// Missing is information: categorical attributes gain a `(missing)` level; numeric ones are
    /// imputed with the mean and gain a 0/1 "was missing" column.
    OwnLevel,
}

/// The kind of values an attribute holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttributeKind {
    /// A number, optionally with a unit ("years", "EUR", "visits/month").
    Numeric {
        /// The unit shown beside values in renderings.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// One of a set of unordered levels. Empty `levels` means "learn them from the data".
    Categorical {
        /// The allowed levels; empty to accept and learn whatever the data holds.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levels: Vec<String>,
    },
    /// One of a set of ordered levels, lowest first.
    Ordinal {
        /// The levels in order, lowest first.
        levels: Vec<String>,
    },
    /// True or false (also read from yes/no, y/n, t/f and 1/0).
    Boolean,
    /// Any number of labels from a set, written in one cell with a separator ("web;email").
    Tags {
        /// The separator between tags in a cell.
        separator: String,
        /// The allowed tags; empty to learn them from the data.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levels: Vec<String>,
    },
    /// A calendar date (optionally with a time), held as a day number (see [`crate::dates`]).
    /// A date is rarely clustered on itself: a [`Derived::DaysSince`] attribute turns it into a
    /// duration ("days as a customer").
    Date {
        /// How the dates are written.
        format: DateFormat,
    },
}

impl AttributeKind {
    /// The kind's name as written in JSON ("numeric", "categorical", …).
    pub fn name(&self) -> &'static str {
        match self {
            AttributeKind::Numeric { .. } => "numeric",
            AttributeKind::Categorical { .. } => "categorical",
            AttributeKind::Ordinal { .. } => "ordinal",
            AttributeKind::Boolean => "boolean",
            AttributeKind::Tags { .. } => "tags",
            AttributeKind::Date { .. } => "date",
        }
    }

    /// The declared levels of a categorical, ordinal or tags attribute (empty otherwise).
    pub fn levels(&self) -> &[String] {
        match self {
            AttributeKind::Categorical { levels }
            | AttributeKind::Ordinal { levels }
            | AttributeKind::Tags { levels, .. } => levels,
            _ => &[],
        }
    }
}

fn is_one(w: &f64) -> bool {
    *w == 1.0
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn one() -> f64 {
    1.0
}

/// The smallest attribute weight allowed: 10^-6.
pub const MIN_WEIGHT: f64 = 1e-6;

/// The largest attribute weight allowed: 10^6. A weight multiplies encoded values, which
/// k-means squares and sums over customers and columns: far larger weights make those sums
/// overflow to infinity, and the segments meaningless.
pub const MAX_WEIGHT: f64 = 1e6;

/// The years a [`Derived::YearsSince`] reference may be: 1 to 9999, as dates are written.
pub const REFERENCE_YEARS: std::ops::RangeInclusive<f64> = 1.0..=9999.0;

/// One customer attribute: a column of the input.
///
/// In JSON, an attribute is an object with the keys of its fields, `kind` naming the
/// [`AttributeKind`] and that kind's own keys (`unit`, `levels`, `separator`, `format`) beside
/// the others. An unknown key, or a key of another kind (`unit` on a categorical attribute), is an
/// error naming the key, so that a typo (`"wieght"`) never passes silently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribute {
    /// The attribute's name; for CSV input, the column header.
    pub name: String,
    /// What values it holds.
    #[serde(flatten)]
    pub kind: AttributeKind,
    /// Which part of a persona it describes.
    #[serde(default)]
    pub facet: Facet,
    /// How it takes part in segmentation.
    #[serde(default)]
    pub role: Role,
    /// Multiplies the attribute's encoded columns: 2.0 makes it count twice as much. Must lie
    /// between [`MIN_WEIGHT`] and [`MAX_WEIGHT`] (10^-6 to 10^6).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: f64,
    /// A human label for renderings ("Annual income"); the name is used when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A longer description for documentation and renderings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How numeric values are scaled (ignored for other kinds).
    #[serde(default, skip_serializing_if = "is_default_scaling")]
    pub scaling: Scaling,
    /// Apply `ln(1 + x)` before scaling, for skewed non-negative amounts such as spend.
    #[serde(default, skip_serializing_if = "is_false")]
    pub log1p: bool,
    /// What to do with missing values; `None` uses the kind's default (median for numeric,
    /// mode otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingPolicy>,
    /// For an attribute computed from others rather than read from the input: the formula. Its
    /// values are computed when a table is built, so a user can read, edit or delete it here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
    /// Cells that the reader's missing markers would read as missing but that are real answers
    /// in this column (`none` in "add-ons: none, basic, premium"), compared like the markers
    /// (case-insensitively, after trimming).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_missing: Vec<String>,
    /// Cells read as missing in this column besides the reader's markers (compared the same
    /// way): inference puts here the few stray texts of a numeric column (`abc` among
    /// numbers), and names them in its report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_markers: Vec<String>,
    /// Numbers in this column are written with a decimal comma and thousands dots (`1.234,5`);
    /// otherwise with a decimal point and thousands commas (`1,234.5`). Inference decides it
    /// from the column's cells and says so in its report.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decimal_comma: bool,
}

fn is_default_scaling(s: &Scaling) -> bool {
    *s == Scaling::ZScore
}

/// A number for a message: plain when it reads well, in scientific notation when it is huge or
/// tiny (`1e300`, not three hundred digits).
fn number_text(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e5).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The JSON form of an [`Attribute`]: every key of every kind, each checked against the kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributeData {
    name: String,
    kind: KindName,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    levels: Option<Vec<String>>,
    #[serde(default)]
    separator: Option<String>,
    #[serde(default)]
    format: Option<DateFormat>,
    #[serde(default)]
    facet: Facet,
    #[serde(default)]
    role: Role,
    #[serde(default = "one")]
    weight: f64,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    scaling: Scaling,
    #[serde(default)]
    log1p: bool,
    #[serde(default)]
    missing: Option<MissingPolicy>,
    #[serde(default)]
    derived: Option<Derived>,
    #[serde(default)]
    not_missing: Vec<String>,
    #[serde(default)]
    missing_markers: Vec<String>,
    #[serde(default)]
    decimal_comma: bool,
}

/// The values of an attribute's `kind` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
    Numeric,
    Categorical,
    Ordinal,
    Boolean,
    Tags,
    Date,
}

impl AttributeData {
    /// The kind with its own keys; a key of another kind is an error naming it.
    fn kind(&mut self) -> std::result::Result<AttributeKind, String> {
        let kind = self.kind;
        let name = format!("{kind:?}").to_lowercase();
        let only_for = |key: &str, present: bool, wanted: bool| {
            if present && !wanted {
                Err(format!(
                    "attribute `{}`: the key `{key}` does not apply to a {name} attribute; \
                     remove it",
                    crate::error::shorten(&self.name)
                ))
            } else {
                Ok(())
            }
        };
        use KindName as K;
        only_for("unit", self.unit.is_some(), kind == K::Numeric)?;
        only_for(
            "levels",
            self.levels.is_some(),
            matches!(kind, K::Categorical | K::Ordinal | K::Tags),
        )?;
        only_for("separator", self.separator.is_some(), kind == K::Tags)?;
        only_for("format", self.format.is_some(), kind == K::Date)?;
        let needs = |key: &str| {
            format!(
                "attribute `{}`: a {name} attribute needs the key `{key}`",
                crate::error::shorten(&self.name)
            )
        };
        Ok(match kind {
            K::Numeric => AttributeKind::Numeric {
                unit: self.unit.take(),
            },
            K::Categorical => AttributeKind::Categorical {
                levels: self.levels.take().unwrap_or_default(),
            },
            K::Ordinal => AttributeKind::Ordinal {
                levels: self.levels.take().ok_or_else(|| needs("levels"))?,
            },
            K::Boolean => AttributeKind::Boolean,
            K::Tags => AttributeKind::Tags {
                separator: self.separator.take().ok_or_else(|| needs("separator"))?,
                levels: self.levels.take().unwrap_or_default(),
            },
            K::Date => AttributeKind::Date {
                format: self.format.ok_or_else(|| needs("format"))?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for Attribute {
    /// Reads an attribute from its JSON form (see [`Attribute`]); unknown keys and keys of
    /// another kind are errors naming the key. The values are checked when the schema is.
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let mut data = AttributeData::deserialize(deserializer)?;
        let kind = data.kind().map_err(serde::de::Error::custom)?;
        Ok(Attribute {
            name: data.name,
            kind,
            facet: data.facet,
            role: data.role,
            weight: data.weight,
            label: data.label,
            description: data.description,
            scaling: data.scaling,
            log1p: data.log1p,
            missing: data.missing,
            derived: data.derived,
            not_missing: data.not_missing,
            missing_markers: data.missing_markers,
            decimal_comma: data.decimal_comma,
        })
    }
}

impl Attribute {
    /// An attribute of any kind, with the defaults: facet `other`, role `feature`, weight 1.
    pub fn new(name: impl Into<String>, kind: AttributeKind) -> Self {
        Attribute {
            name: name.into(),
            kind,
            facet: Facet::Other,
            role: Role::Feature,
            weight: 1.0,
            label: None,
            description: None,
            scaling: Scaling::ZScore,
            log1p: false,
            missing: None,
            derived: None,
            not_missing: Vec::new(),
            missing_markers: Vec::new(),
            decimal_comma: false,
        }
    }

    /// A numeric feature.
    pub fn numeric(name: impl Into<String>) -> Self {
        Self::new(name, AttributeKind::Numeric { unit: None })
    }

    /// A categorical feature with the given levels (pass an empty list to learn them from data).
    pub fn categorical<I, S>(name: impl Into<String>, levels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let levels = levels.into_iter().map(Into::into).collect();
        Self::new(name, AttributeKind::Categorical { levels })
    }

    /// An ordinal feature with its levels in order, lowest first.
    pub fn ordinal<I, S>(name: impl Into<String>, levels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let levels = levels.into_iter().map(Into::into).collect();
        Self::new(name, AttributeKind::Ordinal { levels })
    }

    /// A boolean feature.
    pub fn boolean(name: impl Into<String>) -> Self {
        Self::new(name, AttributeKind::Boolean)
    }

    /// A multi-valued tags feature whose cells list tags separated by `separator`; the tags are
    /// learned from the data. In CSV input an empty cell is missing (unknown), like any other
    /// empty cell; write a level such as `none` to say "no tags". From Rust, an empty list is
    /// "no tags".
    pub fn tags(name: impl Into<String>, separator: impl Into<String>) -> Self {
        Self::new(
            name,
            AttributeKind::Tags {
                separator: separator.into(),
                levels: Vec::new(),
            },
        )
    }

    /// A date attribute written in `format`.
    pub fn date(name: impl Into<String>, format: DateFormat) -> Self {
        Self::new(name, AttributeKind::Date { format })
    }

    /// A numeric attribute computed from others by `formula` (see [`Derived`]).
    pub fn derived(name: impl Into<String>, formula: Derived) -> Self {
        let mut attribute = Self::numeric(name);
        attribute.derived = Some(formula);
        attribute
    }

    /// Reads `marker` as an ordinary value of this attribute, not as missing.
    pub fn with_not_missing(mut self, marker: impl Into<String>) -> Self {
        self.not_missing.push(marker.into());
        self
    }

    /// Reads `marker` as missing in this column (besides the reader's missing markers).
    pub fn with_missing_marker(mut self, marker: impl Into<String>) -> Self {
        self.missing_markers.push(marker.into());
        self
    }

    /// Whether the attribute is computed from others rather than read from the input.
    pub fn is_derived(&self) -> bool {
        self.derived.is_some()
    }

    /// The customer identifier column (categorical kind, role `identifier`).
    pub fn identifier(name: impl Into<String>) -> Self {
        Self::new(name, AttributeKind::Categorical { levels: Vec::new() })
            .with_role(Role::Identifier)
    }

    /// Sets the unit of a numeric attribute (no effect on other kinds).
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        if let AttributeKind::Numeric { unit: u } = &mut self.kind {
            *u = Some(unit.into());
        }
        self
    }

    /// Sets the facet.
    pub fn with_facet(mut self, facet: Facet) -> Self {
        self.facet = facet;
        self
    }

    /// Sets the role.
    pub fn with_role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    /// Sets the weight that multiplies the attribute's encoded columns.
    pub fn with_weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the human label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the scaling of a numeric attribute.
    pub fn with_scaling(mut self, scaling: Scaling) -> Self {
        self.scaling = scaling;
        self
    }

    /// Applies `ln(1 + x)` before scaling (for skewed, non-negative amounts).
    pub fn with_log1p(mut self, log1p: bool) -> Self {
        self.log1p = log1p;
        self
    }

    /// Sets the missing-value policy.
    pub fn with_missing(mut self, policy: MissingPolicy) -> Self {
        self.missing = Some(policy);
        self
    }

    /// The label if set, else the name.
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// The unit of a numeric attribute.
    pub fn unit(&self) -> Option<&str> {
        match &self.kind {
            AttributeKind::Numeric { unit } => unit.as_deref(),
            _ => None,
        }
    }

    /// The missing-value policy in force: the explicit one, else the kind's default.
    pub fn missing_policy(&self) -> MissingPolicy {
        self.missing.unwrap_or(match self.kind {
            AttributeKind::Numeric { .. } => MissingPolicy::Median,
            _ => MissingPolicy::Mode,
        })
    }

    pub(super) fn validate(&self) -> Result<()> {
        let bad = |reason: String| Error::InvalidSchema {
            attribute: self.name.clone(),
            reason,
        };
        if self.name.trim().is_empty() {
            return Err(bad("the name is empty".into()));
        }
        if !(MIN_WEIGHT..=MAX_WEIGHT).contains(&self.weight) {
            return Err(bad(format!(
                "weight {} is outside the allowed range: give a weight from {} to {} (a \
                 weight multiplies the attribute's encoded columns, and distances between \
                 customers overflow far above that)",
                number_text(self.weight),
                number_text(MIN_WEIGHT),
                number_text(MAX_WEIGHT)
            )));
        }
        if let Some(Derived::YearsSince { reference, .. }) = &self.derived {
            if !REFERENCE_YEARS.contains(reference) {
                return Err(bad(format!(
                    "the reference year {} of `years_since` is not a year from {} to {}",
                    number_text(*reference),
                    REFERENCE_YEARS.start(),
                    REFERENCE_YEARS.end()
                )));
            }
        }
        let mut seen = HashSet::new();
        for level in self.kind.levels() {
            if !seen.insert(level.as_str()) {
                return Err(bad(format!(
                    "level `{}` is listed twice",
                    crate::error::shorten(level)
                )));
            }
        }
        match &self.kind {
            AttributeKind::Ordinal { levels } if levels.len() < 2 => {
                Err(bad("an ordinal attribute needs at least two levels".into()))
            }
            AttributeKind::Tags { separator, .. } if separator.is_empty() => {
                Err(bad("the tag separator is empty".into()))
            }
            _ if self.log1p && !matches!(self.kind, AttributeKind::Numeric { .. }) => {
                Err(bad("log1p applies to numeric attributes only".into()))
            }
            _ if self.derived.is_some() && !matches!(self.kind, AttributeKind::Numeric { .. }) => {
                Err(bad("a derived attribute is numeric".into()))
            }
            _ if self.derived.is_some() && self.role == Role::Identifier => {
                Err(bad("a derived attribute cannot be the identifier".into()))
            }
            _ => Ok(()),
        }
    }
}
