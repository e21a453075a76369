//! The crate's one error type.
//!
//! Every failure that user data can cause is a variant of [`Error`], carrying the row, column,
//! attribute or parameter it concerns, so that the message tells the user what to fix. Rows are
//! counted from 1 for the first data record (the CSV header is not a row).

use std::path::PathBuf;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between customer data and rendered personas.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The input has no header row (the file or reader is empty).
    #[error("the input is empty: expected a header row and at least one customer")]
    EmptyInput,

    /// The input has a header row but no customers.
    #[error("the input has a header row but no customer rows")]
    NoRows,

    /// A row has a different number of fields from the header.
    #[error("row {row}: expected {expected} fields like the header, found {found}")]
    RaggedRow {
        /// The 1-based data row.
        row: usize,
        /// Number of fields in the header.
        expected: usize,
        /// Number of fields in this row.
        found: usize,
    },

    /// A value could not be read as the attribute's kind (a word in a numeric column, say).
    #[error("row {row}, column `{column}`: `{value}` is not {expected}")]
    WrongType {
        /// The 1-based data row.
        row: usize,
        /// The column (attribute) name.
        column: String,
        /// The offending value as it appeared in the input.
        value: String,
        /// What was expected, in words ("a number", "a boolean (true/false, yes/no, 1/0)").
        expected: &'static str,
    },

    /// A numeric value is infinite or NaN where a finite number is required.
    #[error(
        "row {row}, column `{column}`: `{value}` is not a finite number; \
         leave the cell empty (or write NA) if the value is unknown"
    )]
    NonFinite {
        /// The 1-based data row.
        row: usize,
        /// The column (attribute) name.
        column: String,
        /// The offending value as it appeared in the input.
        value: String,
    },

    /// A categorical, ordinal or tag value is not one of the attribute's levels.
    #[error("row {row}, column `{column}`: `{value}` is not a known level ({known})")]
    UnknownLevel {
        /// The 1-based data row.
        row: usize,
        /// The column (attribute) name.
        column: String,
        /// The unknown level.
        value: String,
        /// The known levels, comma-separated (abbreviated when long).
        known: String,
    },

    /// The schema names a column that the input does not have.
    #[error("column `{column}` is in the schema but not in the input (columns found: {found})")]
    MissingColumn {
        /// The attribute the schema names.
        column: String,
        /// The columns the input does have, comma-separated (abbreviated when long).
        found: String,
    },

    /// A column used for segmentation has no known value at all.
    #[error("column `{column}`: every value is missing, so it cannot describe customers")]
    AllMissing {
        /// The column (attribute) name.
        column: String,
    },

    /// A feature column has a single value for every customer.
    #[error(
        "column `{column}` has the same value ({value}) for every customer, so it cannot tell \
         segments apart; remove it from the schema or let the encoder drop constant columns"
    )]
    ZeroVariance {
        /// The column (attribute) name.
        column: String,
        /// The one value it takes.
        value: String,
    },

    /// Two rows share a customer identifier.
    #[error("row {row}, column `{column}`: customer id `{id}` already appears in row {first_row}")]
    DuplicateId {
        /// The 1-based data row of the second occurrence.
        row: usize,
        /// The identifier column.
        column: String,
        /// The repeated identifier.
        id: String,
        /// The 1-based data row of the first occurrence.
        first_row: usize,
    },

    /// The requested number of segments cannot be fitted to this many customers.
    #[error("k = {k} segments is not possible for {n_customers} customers: k must be between 1 and {n_customers}")]
    InvalidK {
        /// The requested number of segments.
        k: usize,
        /// The number of customers.
        n_customers: usize,
    },

    /// A hyperparameter or option is out of range.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// Its value, as given.
        value: String,
        /// Why it was rejected and what is allowed.
        reason: &'static str,
    },

    /// A schema is inconsistent (duplicate names, bad levels or weights, no features).
    #[error("schema: attribute `{attribute}`: {reason}")]
    InvalidSchema {
        /// The attribute concerned (empty when the problem is the schema as a whole).
        attribute: String,
        /// What is wrong.
        reason: String,
    },

    /// The schema or table has no attribute to segment on.
    #[error("no feature attributes: mark at least one attribute with role `feature`")]
    NoFeatures,

    /// The feature matrix has a row or column count that does not fit the fitted model.
    #[error("shape mismatch: {what} (expected {expected}, found {found})")]
    ShapeMismatch {
        /// What was compared.
        what: &'static str,
        /// The expected size.
        expected: usize,
        /// The size found.
        found: usize,
    },

    /// A value in a feature matrix is NaN or infinite.
    #[error("feature matrix row {row}, column {column}: value {value} is not finite")]
    NonFiniteFeature {
        /// The 0-based matrix row.
        row: usize,
        /// The 0-based matrix column.
        column: usize,
        /// The value.
        value: f64,
    },

    /// A value in a feature matrix is too large in magnitude for k-means: squared distances
    /// between customers could overflow (see [`KMeans::MAX_ABS_FEATURE`](crate::KMeans::MAX_ABS_FEATURE)).
    #[error(
        "feature matrix row {row}, column {column}: value {value:e} is beyond ±{limit:e}, the \
         largest magnitude k-means accepts (squared distances could overflow); rescale the \
         column (the encoder's z-score or robust scaling does)"
    )]
    FeatureTooLarge {
        /// The 0-based matrix row.
        row: usize,
        /// The 0-based matrix column.
        column: usize,
        /// The value.
        value: f64,
        /// The largest magnitude accepted.
        limit: f64,
    },

    /// A user struct could not be turned into a customer record.
    #[error("record {row}: {reason}")]
    Record {
        /// The 1-based record index.
        row: usize,
        /// What went wrong.
        reason: String,
    },

    /// The CSV reader failed (invalid UTF-8, an I/O error mid-file).
    #[error("CSV input: {0}")]
    Csv(#[from] csv::Error),

    /// JSON could not be read or written.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),

    /// A JSON file (a schema or signal rules) could not be read.
    #[error("`{path}`: {source}")]
    JsonFile {
        /// The file.
        path: PathBuf,
        /// What was wrong, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// The header row of a CSV file cannot name a schema's attributes.
    #[error("header column {column}: {reason}")]
    InvalidHeader {
        /// The 1-based position of the header field.
        column: usize,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// The clustering back end reported a failure.
    #[error("clustering failed: {0}")]
    Clustering(String),

    /// A numeric column's values are too large for floating-point arithmetic: a statistic
    /// (sum, variance, interquartile range) or an encoded value overflows.
    #[error(
        "column `{column}`: values are too large to compute with (the arithmetic overflows); \
         rescale the column, e.g. to thousands"
    )]
    Overflow {
        /// The column (attribute) name.
        column: String,
    },
}

/// Joins names for an error message, keeping it short when there are many.
pub(crate) fn list_for_message<S: AsRef<str>>(names: &[S]) -> String {
    const SHOWN: usize = 12;
    let mut out = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        out.push_str(&format!(", … ({} in all)", names.len()));
    }
    if out.is_empty() {
        out.push_str("none");
    }
    out
}

/// A value for a message: at most 60 characters, with an ellipsis and the full length when cut.
pub(crate) fn shorten(value: &str) -> String {
    const KEEP: usize = 60;
    let n = value.chars().count();
    if n <= KEEP {
        return value.to_string();
    }
    let head: String = value.chars().take(KEEP).collect();
    format!("{head}… ({n} characters)")
}
