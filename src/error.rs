//! The crate's one error type.
//!
//! Every failure that user data can cause is a variant of [`Error`], carrying the row, column,
//! attribute or parameter it concerns, so that the message tells the user what to fix. Rows are
//! counted from 1 for the first data record (the CSV header is not a row).
//!
//! Messages never echo a huge input whole: every value taken from the input (a cell, a column or
//! attribute name, a level, an id, a key of a JSON file) is shown with at most 60 characters and,
//! when cut, its length in characters (`` `aaaa…` (1048576 characters)``), however the error was
//! built. The fields keep what the code that raised the error stored.

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
    #[error(
        "the input is empty: expected a header row and at least one customer (lines skipped with \
         `--skip-lines` or `--comment` do not count)"
    )]
    EmptyInput,

    /// The input has a header row but no customers.
    #[error("the input has a header row but no customer rows")]
    NoRows,

    /// A row has a different number of fields from the header.
    #[error(
        "row {row}: expected {} (as many as there are columns), found {found}; a value that holds \
         the delimiter must be in double quotes, and a quote opened must be closed; lines that \
         are not data can be skipped: a title above the header with `--skip-lines N` \
         (`CsvOptions::with_skip_lines`), lines that start with a marker with `--comment CHAR`",
        fields(*.expected)
    )]
    RaggedRow {
        /// The 1-based data row.
        row: usize,
        /// Number of fields in the header.
        expected: usize,
        /// Number of fields in this row.
        found: usize,
    },

    /// A cell's bytes are not UTF-8 text.
    #[error(
        "row {row}, column `{column}`: the cell is not UTF-8 text; save the file as UTF-8 \
         (in a spreadsheet: \"CSV UTF-8\"), or convert it with `iconv -f latin1 -t utf-8`"
    )]
    NotUtf8 {
        /// The 1-based data row.
        row: usize,
        /// The column's name.
        column: String,
    },

    /// A value could not be read as the attribute's kind (a word in a numeric column, say).
    #[error("row {row}, column `{}`: `{}` is not {expected}", shorten(.column), shorten(.value))]
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
        "row {row}, column `{}`: `{}` is not a finite number; \
         leave the cell empty (or write NA) if the value is unknown",
        shorten(.column),
        shorten(.value)
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
    #[error(
        "row {row}, column `{}`: `{}` is not a known level ({})",
        shorten(.column),
        shorten(.value),
        shorten_quoted(.known)
    )]
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
    #[error(
        "column `{}` is in the schema but not in the input (columns found: {})",
        shorten(.column),
        shorten_quoted(.found)
    )]
    MissingColumn {
        /// The attribute the schema names.
        column: String,
        /// The columns the input does have, comma-separated (abbreviated when long).
        found: String,
    },

    /// A column used for segmentation has no known value at all.
    #[error(
        "column `{}`: every value is missing, so it cannot describe customers",
        shorten(.column)
    )]
    AllMissing {
        /// The column (attribute) name.
        column: String,
    },

    /// A feature column has a single value for every customer.
    #[error(
        "column `{}` has the same value ({}) for every customer, so it cannot tell \
         segments apart; remove it from the schema or let the encoder drop constant columns",
        shorten(.column),
        shorten(.value)
    )]
    ZeroVariance {
        /// The column (attribute) name.
        column: String,
        /// The one value it takes.
        value: String,
    },

    /// Two rows share a customer identifier.
    #[error(
        "row {row}, column `{}`: customer id `{}` already appears in row {first_row}",
        shorten(.column),
        shorten(.id)
    )]
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
    #[error("invalid {name} = {}: {reason}", shorten(.value))]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// Its value, as given.
        value: String,
        /// Why it was rejected and what is allowed.
        reason: &'static str,
    },

    /// A schema is inconsistent (duplicate names, bad levels or weights, no features).
    #[error("{}", schema_message(.attribute, .reason))]
    InvalidSchema {
        /// The attribute concerned (empty when the problem is the schema as a whole).
        attribute: String,
        /// What is wrong.
        reason: String,
    },

    /// The schema or table has no attribute to segment on.
    #[error(
        "no attribute to segment on: no attribute has role `feature` (identifiers, values, \
         outcomes, descriptors and ignored attributes are never clustered); mark at least one \
         attribute with role `feature`"
    )]
    NoFeatures,

    /// A schema lists no attributes at all.
    #[error(
        "the schema has no attributes: list the input's columns under `attributes`, or infer a \
         schema from the data (`Inference`, or `personas draft` without --schema)"
    )]
    EmptySchema,

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
    #[error("record {row}: {}", shorten_quoted(.reason))]
    Record {
        /// The 1-based record index.
        row: usize,
        /// What went wrong.
        reason: String,
    },

    /// The CSV reader failed (invalid UTF-8, an I/O error mid-file).
    #[error("CSV input: {}", shorten_quoted(&.0.to_string()))]
    Csv(#[from] csv::Error),

    /// JSON could not be read or written.
    #[error("JSON: {}", shorten_quoted(&.0.to_string()))]
    Json(#[from] serde_json::Error),

    /// A JSON file (a schema or signal rules) could not be read.
    #[error("`{}`: {}", .path.display(), shorten_quoted(&.source.to_string()))]
    JsonFile {
        /// The file.
        path: PathBuf,
        /// What was wrong, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// The header row of a CSV file cannot name a schema's attributes.
    #[error("header column {column}: {}", shorten_quoted(.reason))]
    InvalidHeader {
        /// The 1-based position of the header field.
        column: usize,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// An output (the segment labels CSV, generated sample data) could not be written.
    #[error("cannot write {output}: {source}")]
    Write {
        /// What was being written, in words ("the segment labels CSV").
        output: &'static str,
        /// What the operating system (or the writer) said.
        #[source]
        source: std::io::Error,
    },

    /// A file could not be written.
    #[error("cannot write `{path}`: {source}")]
    WriteFile {
        /// The file that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A persona model file is foreign, of another format version, or its parts do not fit
    /// together.
    #[error("persona model: {}", shorten_quoted(.problem))]
    Model {
        /// What is wrong, and what to do.
        problem: String,
    },

    /// A column named for a part of the order lines (the customer, the date, …) is not in the
    /// file.
    #[error(
        "the {role} column `{}` is not in the order lines (columns found: {}); check the name \
         given to `--{}-col` (`TransactionOptions::with_column`)",
        shorten(.column),
        shorten_quoted(.found),
        .role.split(' ').next().unwrap_or(.role)
    )]
    NamedColumnMissing {
        /// The part the column was named for (`customer`, `date`, `amount`, `order id`, …).
        role: &'static str,
        /// The name given.
        column: String,
        /// The columns the file has, comma-separated (abbreviated when long).
        found: String,
    },

    /// A file of order lines has no column that can play a part the aggregation needs (the
    /// customer, the date or the amount of each line).
    #[error(
        "no {role} column in the order lines: none of the columns ({}) is named like one {hint}; \
         name it with `TransactionOptions::with_{role}_column` (the command-line tool's \
         `--{role}-col`)",
        shorten_quoted(.found),
        hint = role_hint(.role)
    )]
    NoTransactionColumn {
        /// The part that has no column: `customer`, `date` or `amount`.
        role: &'static str,
        /// The columns the file has, comma-separated (abbreviated when long).
        found: String,
    },

    /// A file of order lines holds no purchase to aggregate: every line is a return, has a
    /// quantity of zero, lacks a customer, date or amount, or falls after the reference date.
    #[error(
        "no purchases in {lines} order lines: {returns} are returns (a negative amount or \
         quantity), {zero_quantity} have a quantity of zero, {incomplete} lack a customer, date or \
         amount, {after_reference} fall after the reference date"
    )]
    NoPurchases {
        /// Data lines read.
        lines: usize,
        /// Lines read as returns.
        returns: usize,
        /// Lines with a quantity of zero.
        zero_quantity: usize,
        /// Lines without a customer, date or amount.
        incomplete: usize,
        /// Lines dated after the reference date.
        after_reference: usize,
    },

    /// The clustering back end reported a failure.
    #[error("clustering failed: {}", shorten_quoted(.0))]
    Clustering(String),

    /// A numeric column's values are too large for floating-point arithmetic: a statistic
    /// (sum, variance, interquartile range) or an encoded value overflows.
    #[error(
        "column `{}`: values are too large to compute with (the arithmetic overflows); \
         rescale the column, e.g. to thousands",
        shorten(.column)
    )]
    Overflow {
        /// The column (attribute) name.
        column: String,
    },

    /// A fitted model cannot be written as an SQL query that assigns exactly as the library
    /// does (see [`crate::sql`]).
    #[error(
        "cannot write the assignment as SQL: attribute `{}`: {}",
        shorten(.attribute),
        shorten_quoted(.reason)
    )]
    SqlUnsupported {
        /// The attribute concerned.
        attribute: String,
        /// Why it cannot be written, and what to change.
        reason: String,
    },
}

/// Joins names for an error message, keeping it short when there are many: at most 12 names,
/// each shortened by [`shorten`].
pub(crate) fn list_for_message<S: AsRef<str>>(names: &[S]) -> String {
    const SHOWN: usize = 12;
    let mut out = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("`{}`", shorten(n.as_ref())))
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

/// The most characters of a value shown in a message.
const KEEP: usize = 60;

/// The longest free-text part of a message (a reason, or a parser's message) shown whole; longer
/// ones lose their middle.
const MAX_TEXT: usize = 2_000;

/// A value for a message: at most 60 characters, with an ellipsis and the full length when cut.
/// A value this function already shortened is returned as it is, so shortening twice (once where
/// the error is raised, once when it is displayed) keeps the original length.
pub(crate) fn shorten(value: &str) -> String {
    let n = value.chars().count();
    if n <= KEEP || is_shortened(value) {
        return value.to_string();
    }
    let head: String = value.chars().take(KEEP).collect();
    format!("{head}… ({n} characters)")
}

/// Whether `value` is the output of [`shorten`] for a longer value.
fn is_shortened(value: &str) -> bool {
    let Some((cut, _)) = value.char_indices().nth(KEEP) else {
        return false;
    };
    value[cut..]
        .strip_prefix("… (")
        .and_then(|rest| rest.strip_suffix(" characters)"))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Free text that may quote values from the input (a reason built around names, a JSON or CSV
/// parser's message): every span between backticks or double quotes is shortened by
/// [`shorten`], and text still longer than 2,000 characters keeps its start and end.
pub(crate) fn shorten_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT));
    let mut rest = text;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..=open];
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let close = if quote == "`" {
            inside.find('`')
        } else {
            closing_double_quote(inside)
        };
        match close {
            Some(c) => {
                out.push_str(&shorten(&inside[..c]));
                out.push_str(quote);
                rest = &inside[c + 1..];
            }
            None => {
                out.push_str(&shorten(inside));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let n = out.chars().count();
    if n <= MAX_TEXT {
        return out;
    }
    let head: String = out.chars().take(MAX_TEXT * 2 / 3).collect();
    let tail: String = out.chars().skip(n - MAX_TEXT / 3).collect();
    format!("{head} … ({n} characters in all) … {tail}")
}

/// The byte position of the first double quote not escaped by a backslash.
fn closing_double_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// What a column of each part of an order line is usually called, for
/// [`Error::NoTransactionColumn`].
/// "1 field", "3 fields".
fn fields(n: usize) -> String {
    if n == 1 {
        "1 field".to_string()
    } else {
        format!("{n} fields")
    }
}

fn role_hint(role: &str) -> &'static str {
    match role {
        "customer" => "(`customer_id`, `Customer ID`, `client`, `household_key`, …)",
        "date" => "(`order_date`, `date`, `InvoiceDate`, …) with values that read as dates",
        "amount" => "(`amount`, `sales`, `revenue`, `total`, `dollar_value`, …) with numbers",
        _ => "",
    }
}

/// The message of [`Error::InvalidSchema`]: the attribute named when there is one.
fn schema_message(attribute: &str, reason: &str) -> String {
    if attribute.is_empty() {
        format!("schema: {}", shorten_quoted(reason))
    } else {
        format!(
            "schema: attribute `{}`: {}",
            shorten(attribute),
            shorten_quoted(reason)
        )
    }
}

/// Reads the JSON file at `path` and parses it with `parse`: [`Error::Io`] when it cannot be
/// read, and a JSON error from `parse` becomes [`Error::JsonFile`], naming the file.
pub(crate) fn read_json_file<T>(
    path: &std::path::Path,
    parse: impl FnOnce(&str) -> Result<T>,
) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|e| match e {
        Error::Json(source) => Error::JsonFile {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })
}

/// An [`Error::Write`] for a CSV writer's failure: the I/O error itself when there is one.
pub(crate) fn write_failed(output: &'static str, error: csv::Error) -> Error {
    let source = match error.into_kind() {
        csv::ErrorKind::Io(source) => source,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::Write { output, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_short_values_and_cuts_long_ones_once() {
        assert_eq!(shorten("north"), "north");
        let long = "x".repeat(1_000);
        let short = shorten(&long);
        assert!(short.starts_with(&"x".repeat(60)), "{short}");
        assert!(short.ends_with("… (1000 characters)"), "{short}");
        assert_eq!(shorten(&short), short);
        // Something that only looks similar is still cut.
        let lookalike = format!("{}… (12 characters) and more", "y".repeat(60));
        assert_ne!(shorten(&lookalike), lookalike);
    }

    #[test]
    fn quoted_spans_are_shortened_and_the_rest_kept() {
        let long = "z".repeat(5_000);
        let text = format!("unknown variant `{long}`, expected `numeric` at line 1 column 5020");
        let short = shorten_quoted(&text);
        assert!(short.len() < 200, "{short}");
        assert!(short.contains("(5000 characters)"), "{short}");
        assert!(
            short.ends_with("expected `numeric` at line 1 column 5020"),
            "{short}"
        );
        let debug = format!("invalid type: string \"{long}\\\"x\", expected f64");
        let short = shorten_quoted(&debug);
        assert!(
            short.len() < 200 && short.ends_with(", expected f64"),
            "{short}"
        );
        let unquoted = format!("reason {long} end");
        let short = shorten_quoted(&unquoted);
        assert!(
            short.chars().count() < 2_100 && short.ends_with(" end"),
            "{short}"
        );
        let unterminated = format!("value `{long}");
        assert!(shorten_quoted(&unterminated).len() < 200);
    }

    #[test]
    fn every_message_with_a_huge_value_stays_short() {
        let big = "v".repeat(1 << 20);
        let errors = [
            Error::WrongType {
                row: 1,
                column: big.clone(),
                value: big.clone(),
                expected: "a number",
            },
            Error::NonFinite {
                row: 1,
                column: big.clone(),
                value: big.clone(),
            },
            Error::UnknownLevel {
                row: 1,
                column: big.clone(),
                value: big.clone(),
                known: format!("`{big}`, `{big}`"),
            },
            Error::MissingColumn {
                column: big.clone(),
                found: list_for_message(&[big.as_str(), big.as_str()]),
            },
            Error::AllMissing {
                column: big.clone(),
            },
            Error::ZeroVariance {
                column: big.clone(),
                value: big.clone(),
            },
            Error::DuplicateId {
                row: 2,
                column: big.clone(),
                id: big.clone(),
                first_row: 1,
            },
            Error::InvalidParameter {
                name: "rule",
                value: big.clone(),
                reason: "why",
            },
            Error::InvalidSchema {
                attribute: big.clone(),
                reason: format!("level `{big}` is listed twice"),
            },
            Error::Record {
                row: 1,
                reason: format!("field `{big}`: {big}"),
            },
            Error::InvalidHeader {
                column: 1,
                reason: format!("the name `{big}` is taken"),
            },
            Error::Clustering(big.clone()),
            Error::NoTransactionColumn {
                role: "amount",
                found: list_for_message(&[big.as_str(), big.as_str()]),
            },
            Error::Overflow {
                column: big.clone(),
            },
        ];
        for error in errors {
            let message = error.to_string();
            assert!(message.chars().count() < 2_500, "{:?}", &message[..200]);
            assert!(message.contains("characters"), "{message}");
        }
    }
}
