//! Schema inference: a first schema guessed from a CSV file, read as a data scientist would, with
//! a report of every guess.
//!
//! Inference reads every cell once and decides, per column, in this order:
//!
//! 1. every value missing: **ignored**;
//! 2. named like an identifier (`id`, `*_id`, `CustomerID`, `uuid`, a customer, household,
//!    account or policy number) with unique values: the **identifier**; when its values repeat,
//!    the rows are purchases or events, not customers, and [`Inference::repeated_rows`] says so;
//! 3. the same value for every customer: **ignored** (it can never be the value measure);
//! 4. only `true/false`, `yes/no`, `y/n`, `t/f` or `0/1`: **boolean**;
//! 5. dates (`yyyy-mm-dd`, `dd-mm-yyyy`, `mm/dd/yyyy`, `yyyymmdd`, with or without a time; day-first
//!    or month-first decided from the values): **date**, not clustered itself but turned into a
//!    derived duration (below);
//! 6. whole numbers named like a calendar field (`week`, `month`, `year`, …, not "visits per
//!    month"): **ignored**; named like a code (`code`, `type`, `class`, `group`, `store`, `region`,
//!    `zip`, `channel`, `status`, …): **categorical**; unique and nearly consecutive: a row number,
//!    the **identifier**; named like a birth year: turned into an age;
//! 7. other numbers: **numeric**; non-negative and strongly right-skewed (skewness above 2) also
//!    gets `log1p`; named like a total amount (`revenue`, `sales`, `total_spend`, `clv`, …) gets
//!    role **value**;
//! 8. text, every value different: the **identifier** if there is none yet, else **ignored**;
//! 9. text where at least a tenth of the cells hold `;` or `|` separated lists: **tags**;
//! 10. text with at most 50 distinct values: **categorical**; a missing marker such as `none`
//!     that at least 1% of rows give, among other answers, is kept as an answer;
//! 11. anything else: **ignored** (free text).
//!
//! Booleans and categories named like an outcome (`churn`, `response`, `default`, `approved`,
//! `converted`, `complain`, `target`, …, or a `status` whose two levels read `good`/`bad`,
//! `approved`/`rejected`, …) get role **outcome**: not clustered, reported per segment.
//!
//! Then the table as a whole:
//!
//! - **duplicates**: a numeric feature correlating at |r| >= 0.98 with an earlier one (minutes
//!   and the charge computed from them), or a category grouping customers exactly as an earlier
//!   one, is ignored;
//! - **families** of columns that share a stem: spend per category (`Mnt*`, `spend_*`, or columns
//!   named by product category) add up to a derived total spend, the value measure; counts per
//!   channel (`*Purchases`, `*_minutes`) become their total and the share of each (the mix), with
//!   the deal share where a member counts deals; yes/no flags (`AcceptedCmp*`) become a count
//!   (campaigns accepted, an outcome);
//! - **durations**: a date becomes days as a customer (a start date), days since (other dates), or
//!   an age (a birth date); a birth year becomes an age. Durations are measured to the
//!   reference date of [`InferOptions::with_reference_date`], else to the newest date in the file.
//!
//! Every derived attribute is written into the schema with its formula ([`crate::Derived`]), so
//! the schema JSON says how to recompute it from the file; edit or delete it there. The facet is
//! guessed from words in the name, a unit from a parenthesised suffix ("Annual Income (k$)").
//! Guesses are a starting point: print the report, adjust the schema (it is plain JSON), and pass
//! it back in.

mod column;
mod families;
pub(crate) mod vocab;

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::dates::DateFormat;
use crate::error::{Error, Result};
use crate::input::{CsvOptions, RawCsv};
use crate::schema::{Facet, Role, Schema};
use column::{guess_column, Cells};
use families::Draft;

/// What inference decided about one column (or derived attribute), and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guess {
    /// The column, or the derived attribute.
    pub attribute: String,
    /// The kind chosen ("numeric", "categorical", …).
    pub kind: &'static str,
    /// The role chosen.
    pub role: Role,
    /// The facet chosen.
    pub facet: Facet,
    /// Why, in words.
    pub reason: String,
}

/// How many rows inference reads by default: every row of a smaller file, a uniform sample of
/// this many from a larger one (see [`InferOptions::with_sample_rows`]).
pub const DEFAULT_SAMPLE_ROWS: usize = 100_000;

/// Choices for [`Inference`] beyond the CSV format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferOptions {
    reference_date: Option<String>,
    sample_rows: usize,
}

impl Default for InferOptions {
    fn default() -> Self {
        InferOptions {
            reference_date: None,
            sample_rows: DEFAULT_SAMPLE_ROWS,
        }
    }
}

impl InferOptions {
    /// The defaults: durations measured to the newest date in the sample, and a sample of
    /// [`DEFAULT_SAMPLE_ROWS`] rows.
    pub fn new() -> Self {
        Self::default()
    }

    /// Guesses kinds from a uniform sample of at most `rows` rows (at least 1). Inference still
    /// reads every row once, to check its length and to draw the sample, but keeps and studies
    /// only the sample, so its memory and time stay bounded on a file of any size. The rows are
    /// chosen by a fixed hash of their row number: the same file gives the same sample.
    ///
    /// A value outside the sample that contradicts a guess (text in a column guessed numeric)
    /// is reported when the table is loaded, as an error naming its row, column and value;
    /// nothing is dropped silently. Give the schema back with the column's kind changed, or a
    /// missing marker, to go on.
    pub fn with_sample_rows(mut self, rows: usize) -> Self {
        self.sample_rows = rows.max(1);
        self
    }

    /// Measures durations (days as a customer, days since, ages) to this date, written
    /// `yyyy-mm-dd`, instead of the newest date in the file.
    pub fn with_reference_date(mut self, date: impl Into<String>) -> Self {
        self.reference_date = Some(date.into());
        self
    }
}

/// Rows that are purchases or events rather than customers: an id-like column repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepeatedRows {
    /// The id-like column whose values repeat.
    pub column: String,
    /// Rows in the file.
    pub rows: usize,
    /// Distinct values of the column: the customers (or households) the rows belong to.
    pub distinct: usize,
}

impl fmt::Display for RepeatedRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the file has {} rows but only {} distinct `{}` values: its rows are purchases or \
             events, not customers. Aggregate to one row per customer first (one row per `{}`, \
             with totals, counts and dates of last purchase as columns), then segment that",
            self.rows, self.distinct, self.column, self.column
        )
    }
}

/// A schema inferred from data, with the reasons for each choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    schema: Schema,
    guesses: Vec<Guess>,
    notes: Vec<String>,
    repeated_rows: Option<RepeatedRows>,
    reference_date: Option<String>,
}

impl Inference {
    /// Infers a schema from a CSV file.
    ///
    /// # Errors
    /// [`crate::Error::Io`] and the input errors of [`crate::CustomerTable::from_csv_path`]
    /// (empty input, header only, ragged rows).
    pub fn from_csv_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self> {
        Self::from_csv_path_with(path, options, &InferOptions::new())
    }

    /// Infers a schema from a CSV file with [`InferOptions`].
    ///
    /// # Errors
    /// As [`Inference::from_csv_path`], and [`crate::Error::InvalidParameter`] for a reference
    /// date not written `yyyy-mm-dd`.
    pub fn from_csv_path_with(
        path: impl AsRef<Path>,
        options: &CsvOptions,
        infer: &InferOptions,
    ) -> Result<Self> {
        check(infer)?;
        let raw = RawCsv::sample_path(path.as_ref(), options, infer.sample_rows)?;
        Self::from_raw(&raw, options, infer)
    }

    /// Infers a schema from any reader of CSV text.
    ///
    /// ```
    /// use personas::{CsvOptions, Inference, Role};
    /// let csv = "CustomerID,Age,Region,Member\nc1,34,north,yes\nc2,51,south,no\nc3,28,north,yes\n";
    /// let inference = Inference::from_csv_reader(csv.as_bytes(), &CsvOptions::new())?;
    /// let schema = inference.schema();
    /// assert_eq!(schema.get("CustomerID").unwrap().role, Role::Identifier);
    /// assert_eq!(schema.get("Region").unwrap().kind.name(), "categorical");
    /// assert_eq!(schema.get("Member").unwrap().kind.name(), "boolean");
    /// println!("{inference}"); // the report of every guess
    /// # Ok::<(), personas::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Inference::from_csv_path`], with [`crate::Error::Csv`] for read failures.
    pub fn from_csv_reader<R: Read>(reader: R, options: &CsvOptions) -> Result<Self> {
        Self::from_csv_reader_with(reader, options, &InferOptions::new())
    }

    /// Infers a schema from any reader of CSV text with [`InferOptions`].
    ///
    /// # Errors
    /// As [`Inference::from_csv_path_with`], with [`crate::Error::Csv`] for read failures.
    pub fn from_csv_reader_with<R: Read>(
        reader: R,
        options: &CsvOptions,
        infer: &InferOptions,
    ) -> Result<Self> {
        check(infer)?;
        let raw = RawCsv::sample(reader, options, infer.sample_rows)?;
        Self::from_raw(&raw, options, infer)
    }

    pub(crate) fn from_raw(
        raw: &RawCsv,
        options: &CsvOptions,
        infer: &InferOptions,
    ) -> Result<Self> {
        check_header(raw, options)?;
        let mut columns = Vec::with_capacity(raw.header.len());
        let mut have_identifier = false;
        let mut first_of: crate::hash::FastMap<&str, usize> = crate::hash::FastMap::default();
        for (c, name) in raw.header.iter().enumerate() {
            if name.is_empty() {
                return Err(Error::InvalidHeader {
                    column: c + 1,
                    reason: "the column has no name; name it, or remove the trailing delimiter \
                             if the file has one"
                        .into(),
                });
            }
            if let Some(&first) = first_of.get(name.as_str()) {
                return Err(Error::InvalidHeader {
                    column: c + 1,
                    reason: format!(
                        "the name `{name}` is also the name of column {}; rename one of them",
                        first + 1
                    ),
                });
            }
            first_of.insert(name, c);
            let mut known = Vec::with_capacity(raw.n_rows);
            let mut known_rows = Vec::with_capacity(raw.n_rows);
            let mut word_markers: Vec<(&str, usize)> = Vec::new();
            for (cell, &file_row) in raw.columns[c].iter().zip(&raw.row_numbers) {
                if !options.is_missing(cell) {
                    known.push(cell);
                    known_rows.push(file_row);
                } else if cell.trim().chars().any(char::is_alphabetic) {
                    let cell = cell.trim();
                    match word_markers.iter_mut().find(|(m, _)| *m == cell) {
                        Some((_, count)) => *count += 1,
                        None => word_markers.push((cell, 1)),
                    }
                }
            }
            let decimal_comma =
                crate::input::decimal_comma_column(known.iter().copied(), raw.semicolons);
            let cells = Cells {
                known,
                known_rows,
                word_markers,
                rows: raw.n_rows,
                decimal_comma,
            };
            let missing = cells.rows - cells.known.len();
            let mut guess = guess_column(name, &cells, &mut have_identifier);
            if guess.attribute.role == Role::Identifier && missing > 0 {
                // Every customer needs an id: a column that lacks some cannot be the identifier.
                have_identifier = false;
                guess.attribute.role = Role::Ignored;
                guess.reason = format!(
                    "{}, but {} {} no value, so it cannot identify every customer: \
                     ignored, and customers (and the labels file) are numbered by row",
                    guess.reason,
                    crate::text::count_of(missing, "row"),
                    if missing == 1 { "has" } else { "have" }
                );
            }
            columns.push(guess);
        }
        // The customer-like id when several repeat (an order id repeats too, per line).
        let repeated = columns.iter().filter(|g| g.repeated_id.is_some());
        let customer_like =
            |g: &&column::ColumnGuess| vocab::is_customer_name(&words(&g.attribute.name));
        let repeated_rows = repeated
            .clone()
            .find(customer_like)
            .or_else(|| repeated.clone().next())
            .and_then(|g| {
                g.repeated_id.as_ref().map(|(distinct, ..)| RepeatedRows {
                    column: g.attribute.name.clone(),
                    rows: raw.n_rows,
                    distinct: *distinct,
                })
            });
        let mut draft = Draft {
            raw,
            options,
            columns,
            derived: Vec::new(),
            notes: Vec::new(),
        };
        draft.notes = draft
            .columns
            .iter()
            .filter_map(|g| g.note.clone())
            .collect();
        families::drop_duplicates(&mut draft);
        families::derive_families(&mut draft);
        let reference_date =
            families::derive_durations(&mut draft, infer.reference_date.as_deref());
        families::settle_value_measure(&mut draft);
        let mut attributes = Vec::new();
        let mut guesses = Vec::new();
        let all = draft
            .columns
            .into_iter()
            .map(|g| (g.attribute, g.reason))
            .chain(draft.derived.into_iter().map(|g| (g.attribute, g.reason)));
        for (attribute, reason) in all {
            guesses.push(Guess {
                attribute: attribute.name.clone(),
                kind: attribute.kind.name(),
                role: attribute.role,
                facet: attribute.facet,
                reason,
            });
            attributes.push(attribute);
        }
        let mut notes = draft.notes;
        if raw.total_rows > raw.n_rows {
            notes.insert(
                0,
                format!(
                    "kinds were guessed from a uniform sample of {} of the {} rows; every row is \
                     read when the table is loaded, and a value that contradicts a guess stops \
                     the load with its row and column",
                    raw.n_rows, raw.total_rows
                ),
            );
        }
        Ok(Inference {
            schema: Schema::new(attributes)?,
            guesses,
            notes,
            repeated_rows,
            reference_date,
        })
    }

    /// The inferred schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The inferred schema, by value.
    pub fn into_schema(self) -> Schema {
        self.schema
    }

    /// One guess per column, in column order, then one per derived attribute.
    pub fn guesses(&self) -> &[Guess] {
        &self.guesses
    }

    /// Findings about the table as a whole: duplicates, families and what was derived.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Set when an id-like column repeats: the rows are purchases or events, not customers, and
    /// segmenting them as customers would be wrong.
    pub fn repeated_rows(&self) -> Option<&RepeatedRows> {
        self.repeated_rows.as_ref()
    }

    /// The date durations were measured to (`yyyy-mm-dd`), when the file has dates or birth
    /// years.
    pub fn reference_date(&self) -> Option<&str> {
        self.reference_date.as_deref()
    }
}

/// A header row whose names are mostly numbers is a row of data: the file has no header, and
/// reading on would lose a customer and name columns after their first values.
fn check_header(raw: &RawCsv, options: &CsvOptions) -> Result<()> {
    if !options.has_header() {
        return Ok(());
    }
    let numbers: Vec<(usize, &String)> = raw
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.trim().parse::<f64>().is_ok())
        .collect();
    if numbers.len() >= 2 && numbers.len() * 3 >= raw.header.len() {
        let shown: Vec<String> = numbers
            .iter()
            .take(3)
            .map(|(_, h)| format!("`{}`", crate::error::shorten(h)))
            .collect();
        return Err(Error::InvalidHeader {
            column: numbers[0].0 + 1,
            reason: format!(
                "the first row looks like data, not a header ({} of {} names are numbers: {}); \
                 if the file has no header, give the column names (CsvOptions::with_column_names, \
                 or --names on the command line) or read it without one \
                 (CsvOptions::without_header, --no-header)",
                numbers.len(),
                raw.header.len(),
                shown.join(", ")
            ),
        });
    }
    Ok(())
}

fn check(infer: &InferOptions) -> Result<()> {
    match &infer.reference_date {
        Some(date) if DateFormat::Ymd.parse(date).is_none() => Err(Error::InvalidParameter {
            name: "reference_date",
            value: crate::error::shorten(date),
            reason: "must be a date written yyyy-mm-dd",
        }),
        _ => Ok(()),
    }
}

/// The report of every guess, one line per column. Names are shortened to 60 characters and
/// their length (and names quoted in reasons and notes likewise), so a huge header stays one
/// readable line; the name column is padded to at most 40 characters.
impl fmt::Display for Inference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::error::{shorten, shorten_quoted};
        writeln!(f, "Inferred schema ({} columns):", self.guesses.len())?;
        let names: Vec<String> = self.guesses.iter().map(|g| shorten(&g.attribute)).collect();
        // A width from the data is capped: the formatter's width is a u16 and panics above it.
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        for (g, name) in self.guesses.iter().zip(&names) {
            let role = match g.role {
                Role::Feature => "",
                other => other.as_str(),
            };
            writeln!(
                f,
                "  {name:width$}  {:<11} {:<13} {role:<10}: {}",
                g.kind,
                g.facet.as_str(),
                shorten_quoted(&g.reason)
            )?;
        }
        if let Some(date) = &self.reference_date {
            writeln!(f, "Durations are measured to {date}.")?;
        }
        for note in &self.notes {
            writeln!(f, "note: {}", shorten_quoted(note))?;
        }
        if let Some(repeated) = &self.repeated_rows {
            writeln!(f, "warning: {}", shorten_quoted(&repeated.to_string()))?;
        }
        Ok(())
    }
}

/// Splits a column name into lower-case words at punctuation, spaces and camelCase boundaries.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests;
