//! A k-means persona model's assignment as one SQL query, to assign personas where the data
//! lives (a warehouse, a Spark cluster) without moving the customers.
//!
//! [`assignment_query`] writes a `SELECT` over a table holding the original columns, as a
//! customer CSV has them, and returns per customer its persona (the segment number, or NULL for
//! "no persona") and the Euclidean distance to the nearest centre, exactly as
//! [`KMeansModel::assign`] gives them for the rows [`FittedEncoder::transform`] encodes:
//!
//! ```
//! use personas::sql::{assignment_query, SqlOptions};
//! use personas::{Attribute, CsvOptions, CustomerTable, Encoder, KMeans, Schema};
//!
//! let schema = Schema::new(vec![
//!     Attribute::identifier("customer id"),
//!     Attribute::numeric("age"),
//!     Attribute::categorical("region", ["north", "south"]),
//! ])?;
//! let csv = "customer id,age,region\nc1,30,north\nc2,52,south\nc3,48,south\nc4,25,north\n";
//! let table = CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new())?;
//! let encoded = Encoder::new().fit_transform(&table)?;
//! let fitted = KMeans::new(2).with_seed(7).fit(&encoded)?;
//! let options = SqlOptions::new().with_table("crm.customers");
//! let sql = assignment_query(&schema, &encoded.encoder, fitted.model(), &options)?;
//! assert!(sql.starts_with("WITH"));
//! assert!(sql.contains(r#"FROM "crm"."customers""#));
//! assert!(sql.contains(r#"k0 AS "customer id""#));
//! assert!(sql.contains("AS persona") && sql.contains("AS distance"));
//! # Ok::<(), personas::Error>(())
//! ```
//!
//! # The table
//! One row per customer, one column per input attribute of the schema, named as the attribute
//! (any name: identifiers are quoted). Only the columns the encoding reads (and the identifier)
//! are read, so a bad cell elsewhere, which the CSV reader would reject, goes unnoticed. The
//! query expects:
//! - **numeric** attributes as numbers (any numeric type; NULL for missing). Cells such as
//!   `$1,200` or `NA`, which the CSV reader cleans, must be cleaned before they reach a numeric
//!   column;
//! - **date** attributes as `DATE` (or ISO `yyyy-mm-dd` text, which `CAST(… AS DATE)` reads);
//!   NULL for missing. A time of day is dropped, so derived durations are whole days;
//! - **categorical, ordinal and tags** attributes as text, as the CSV has them: the query trims
//!   spaces and reads the missing markers (the empty cell, `NA`, `n/a`, `?`, … compared
//!   case-insensitively, with the attribute's `missing_markers` and `not_missing`) as missing,
//!   as the CSV reader does;
//! - **boolean** attributes as `BOOLEAN`, or as text or numbers written as the CSV reader reads
//!   them (`yes`/`no`, `true`/`false`, `y`/`n`, `t`/`f`, `1`/`0`).
//!
//! # The query
//! Common table expressions, one per stage: the columns read into clean values
//! (`personas_input`), derived attributes and numbers (`personas_values`), the feature matrix
//! (`personas_features`: scaling, `log1p`, one-hot, ordinal ranks, booleans, multi-hot tags,
//! imputation and missing indicators, weights, every fitted statistic written as a literal),
//! the squared distance to each centre (`personas_distances`, summed in the library's order),
//! and the nearest centre (`personas_nearest`, ties to the lower index). The result has the
//! identifier column (or, when the schema has none, every input column; or the columns of
//! [`SqlOptions::with_columns`]), then `persona` (an
//! integer, NULL for "no persona": farther from the nearest centre than that centre's reach)
//! and `distance`.
//!
//! # Customers the library refuses
//! Where [`FittedEncoder::transform`] fails for the whole table (a level or tag it was not
//! fitted on under [`UnknownLevels::Error`], a negative number in a `log1p` attribute, a
//! boolean cell it cannot read), a query cannot fail for one row portably; it gives that
//! customer `persona` NULL **and** `distance` NULL (a customer beyond every reach has a
//! distance). A tags cell is read in at most `max(16, 2 × tags)` pieces; a longer cell is
//! refused the same way rather than misread.
//!
//! # Dialect
//! [`Dialect::Standard`] runs on DuckDB and PostgreSQL; [`Dialect::Spark`] on Spark SQL (3.3 or
//! later, for `SPLIT_PART`). Both use only `WITH`, `CASE`, `COALESCE`, `NULLIF`, `CAST`,
//! `TRIM`, `LOWER`, `LENGTH`, `REPLACE`, `SPLIT_PART`, `EXTRACT`, `FLOOR`, `LN` and `SQRT`, and
//! no vendor functions:
//! - numbers are written in scientific notation with the shortest digits that read back as the
//!   same `f64` (`2.5e-1`), which DuckDB and Spark read as doubles; every feature is cast to a
//!   double, so PostgreSQL too computes in doubles rather than exact decimals;
//! - divisions are by fitted scales (positive, checked when the encoder is built or loaded) or
//!   guarded by `NULLIF(…, 0)` (a derived share of a zero whole is missing, as in the library);
//! - days between dates are computed from `EXTRACT(YEAR/MONTH/DAY …)` with calendar arithmetic,
//!   since date subtraction gives an integer in DuckDB and PostgreSQL but an interval in Spark;
//! - identifiers are quoted with `"` (Spark: `` ` ``), doubling the quote character inside;
//!   string literals double `'` (Spark, which reads backslash escapes: `\'` and `\\`);
//! - each stage ends in `OFFSET 0` (not in Spark), which keeps PostgreSQL from merging the
//!   stages into one expression that would compute every feature once per mention (seconds
//!   per thousand customers instead of milliseconds); DuckDB is not slowed by it.
//!
//! `tests/sql.rs` runs the queries in DuckDB (and in PostgreSQL when `PERSONAS_POSTGRES` names a
//! server) on the bundled customers, a real data set and a file with every kind, policy and
//! formula, and compares every persona and distance with [`KMeansModel::assign`]. The Spark
//! dialect is checked by its text only.
//!
//! Logarithms are `LN(1 + x)`, which may differ from the library's `ln_1p` in the last bit;
//! everything else is the same IEEE arithmetic in the same order, so distances agree to the
//! last digits and labels agree except for customers exactly equidistant to the last bit.
//! Text is trimmed of spaces only (the CSV reader trims any Unicode whitespace).

use crate::encode::FittedEncoder;
use crate::error::{Error, Result};
use crate::input::DEFAULT_MISSING_MARKERS;
use crate::schema::Schema;
use crate::segment::KMeansModel;
// Named by the docs only.
#[cfg(doc)]
use crate::encode::UnknownLevels;

mod encoding;
mod text;

pub use text::Dialect;

use encoding::Stages;
use text::number;

/// Where the customers are and how to write the query: the table (default `customers`), the
/// [`Dialect`] (default [`Dialect::Standard`]) and the cells read as missing in text columns
/// (default [`DEFAULT_MISSING_MARKERS`], as [`crate::CsvOptions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlOptions {
    table: String,
    dialect: Dialect,
    missing_markers: Vec<String>,
    columns: Option<Vec<String>>,
}

impl Default for SqlOptions {
    fn default() -> Self {
        SqlOptions {
            table: "customers".into(),
            dialect: Dialect::Standard,
            missing_markers: DEFAULT_MISSING_MARKERS
                .iter()
                .map(|m| m.to_string())
                .collect(),
            columns: None,
        }
    }
}

impl SqlOptions {
    /// The defaults: table `customers`, [`Dialect::Standard`], the default missing markers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the table. A dotted name (`sales.customers`, `catalog.db.customers`) is a path:
    /// each part is quoted on its own, so it is matched exactly, case included (PostgreSQL
    /// stores unquoted names in lower case).
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// Sets the dialect.
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// Replaces the cells read as missing in text columns (the empty cell always is), as
    /// [`crate::CsvOptions::with_missing_markers`] does for the CSV reader.
    pub fn with_missing_markers<I, S>(mut self, markers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.missing_markers = markers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the columns of the table passed through to the result, before `persona` and
    /// `distance` (a warehouse key, say, which need not be in the schema). By default, the
    /// schema's identifier, or every input column when the schema has none.
    pub fn with_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// The table.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

/// The most centres [`assignment_query`] writes a query for: 256. The nearest centre is chosen
/// by comparing every pair, so the query grows with k squared; persona models have a handful.
pub const MAX_CENTRES: usize = 256;

/// The SQL query that assigns each customer of a table a persona of a k-means model; see the
/// [module docs](self) for the table it expects, the query and the dialects.
///
/// `schema` is the schema the encoder was fitted with (it names the columns and says how to read
/// them), `encoder` the fitted encoder and `model` the k-means model fitted on its features.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the model's centres do not have one value per encoder column;
/// [`Error::InvalidSchema`] when the schema lacks an encoded attribute, holds it as another kind,
/// or a derived formula reads an attribute it lacks; [`Error::SqlUnsupported`] when a name or
/// level holds a character SQL text cannot hold (NUL); [`Error::InvalidParameter`] for an empty
/// table name or a model of more than [`MAX_CENTRES`] centres.
pub fn assignment_query(
    schema: &Schema,
    encoder: &FittedEncoder,
    model: &KMeansModel,
    options: &SqlOptions,
) -> Result<String> {
    let centroids = model.centroids();
    if centroids.ncols() != encoder.n_features() {
        return Err(Error::ShapeMismatch {
            what: "centre values of the k-means model, one per encoder column",
            expected: encoder.n_features(),
            found: centroids.ncols(),
        });
    }
    if centroids.nrows() > MAX_CENTRES {
        return Err(Error::InvalidParameter {
            name: "k",
            value: centroids.nrows().to_string(),
            reason: "the query picks the nearest centre by comparing every pair of centres, \
                     which grows with k squared; it is written for at most sql::MAX_CENTRES \
                     (256) centres",
        });
    }
    let d = options.dialect;
    let table = table_path(options)?;
    let mut stages = Stages::new(d, schema, &options.missing_markers);
    for a in encoder.fitted_attributes() {
        stages.encode(a, encoder.unknown_levels())?;
    }
    debug_assert_eq!(stages.features.len(), encoder.n_features());

    // The columns passed through: as asked, else the identifier, else every input column.
    let kept: Vec<&str> = match (&options.columns, schema.identifier()) {
        (Some(columns), _) => columns.iter().map(String::as_str).collect(),
        (None, Some(id)) => vec![id.name.as_str()],
        (None, None) => schema.inputs().map(|a| a.name.as_str()).collect(),
    };
    let mut keep_in = Vec::new();
    let mut keep_out = Vec::new();
    for (n, name) in kept.iter().enumerate() {
        keep_in.push(format!("{} AS k{n}", d.ident(name)?));
        keep_out.push(format!("k{n} AS {}", d.ident(name)?));
    }
    let keep: Vec<String> = (0..kept.len()).map(|n| format!("k{n}")).collect();
    // The kept columns and a separator, or nothing when no column is kept.
    let keep: String = keep.iter().map(|k| format!("{k},\n    ")).collect();

    let fence = d.fence();
    let mut sql = String::new();
    let lines = |items: &[String]| items.join(",\n    ");
    let input: Vec<String> = keep_in.into_iter().chain(stages.input).collect();
    sql.push_str(&format!(
        "WITH personas_input AS (\n  SELECT\n    {}\n  FROM {table}{fence}\n),\n",
        lines(&input)
    ));
    let refused = if stages.refusals.is_empty() {
        "0".to_string()
    } else {
        format!(
            "CASE WHEN {} THEN 1 ELSE 0 END",
            stages.refusals.join("\n      OR ")
        )
    };
    // Each stage reads only the columns of the stage before (PostgreSQL, unlike DuckDB, does
    // not let a column of a SELECT name another one of the same SELECT).
    let mut values = vec!["*".to_string()];
    values.extend(stages.values);
    sql.push_str(&format!(
        "personas_values AS (\n  SELECT\n    {}\n  FROM personas_input{fence}\n),\n",
        lines(&values)
    ));
    sql.push_str(&format!(
        "personas_features AS (\n  SELECT\n    {keep}{refused} AS refused,\n    {}\n  \
         FROM personas_values{fence}\n),\n",
        lines(&stages.features)
    ));
    let distances: Vec<String> = centroids
        .rows()
        .into_iter()
        .enumerate()
        .map(|(j, c)| format!("{} AS s{j}", squared_distance(&c.to_vec())))
        .collect();
    sql.push_str(&format!(
        "personas_distances AS (\n  SELECT\n    {keep}refused,\n    {}\n  FROM \
         personas_features{fence}\n),\n",
        lines(&distances)
    ));
    let k = centroids.nrows();
    let (nearest, best) = nearest(k);
    sql.push_str(&format!(
        "personas_nearest AS (\n  SELECT\n    {keep}refused,\n    {nearest} AS j,\n    \
         {best} AS best\n  FROM personas_distances{fence}\n)\n"
    ));
    let reach: Vec<String> = model
        .reach()
        .iter()
        .enumerate()
        .map(|(j, r)| format!("WHEN {j} THEN {}", number(*r)))
        .collect();
    let mut out = keep_out;
    out.push(format!(
        "CASE WHEN refused = 0 AND SQRT(best) <= CASE j {} END THEN j END AS persona",
        reach.join(" ")
    ));
    out.push("CASE WHEN refused = 0 THEN SQRT(best) END AS distance".into());
    sql.push_str(&format!(
        "SELECT\n  {}\nFROM personas_nearest\n",
        out.join(",\n  ")
    ));
    Ok(sql)
}

/// The table reference: each dot-separated part quoted.
fn table_path(options: &SqlOptions) -> Result<String> {
    if options.table.trim().is_empty() || options.table.split('.').any(str::is_empty) {
        return Err(Error::InvalidParameter {
            name: "table",
            value: options.table.clone(),
            reason: "give a table name, or a dotted path such as `sales.customers`",
        });
    }
    let parts = options
        .table
        .split('.')
        .map(|p| options.dialect.ident(p))
        .collect::<Result<Vec<_>>>()?;
    Ok(parts.join("."))
}

/// The squared distance from the features `f0…` to centre `c`, summed in the order of the
/// library's `sq_dist`: four running sums over columns `l, l + 4, l + 8, …` of the whole groups
/// of four, added as `(s0 + s1) + (s2 + s3)`, then the remaining columns one by one.
fn squared_distance(c: &[f64]) -> String {
    let term = |i: usize| {
        let diff = format!("(f{i} - {})", number(c[i]));
        format!("{diff} * {diff}")
    };
    let d = c.len();
    let whole = d / 4 * 4;
    let rest: Vec<String> = (whole..d).map(term).collect();
    if whole == 0 {
        return format!("({})", rest.join(" + "));
    }
    let lane = |l: usize| {
        let terms: Vec<String> = (l..whole).step_by(4).map(term).collect();
        format!("({})", terms.join(" + "))
    };
    let lanes = format!(
        "(({} + {}) + ({} + {}))",
        lane(0),
        lane(1),
        lane(2),
        lane(3)
    );
    if rest.is_empty() {
        lanes
    } else {
        // Adding the remainder's sum to the lanes, not each term to them, is the library's order.
        format!("({lanes} + ({}))", rest.join(" + "))
    }
}

/// The nearest centre of `s0…s{k-1}` with ties to the lower index, and its squared distance:
/// centre `j` is the first whose squared distance is at most every later one's (an earlier
/// centre at the same distance came first).
fn nearest(k: usize) -> (String, String) {
    if k == 1 {
        return ("0".into(), "s0".into());
    }
    let mut index = String::from("CASE");
    let mut best = String::from("CASE");
    for j in 0..k - 1 {
        let wins: Vec<String> = (j + 1..k).map(|i| format!("s{j} <= s{i}")).collect();
        let wins = wins.join(" AND ");
        index.push_str(&format!(" WHEN {wins} THEN {j}"));
        best.push_str(&format!(" WHEN {wins} THEN s{j}"));
    }
    index.push_str(&format!(" ELSE {} END", k - 1));
    best.push_str(&format!(" ELSE s{} END", k - 1));
    (index, best)
}

#[cfg(test)]
mod tests;
