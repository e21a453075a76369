//! The customer table: typed, columnar customer records with first-class missing values.
//!
//! A [`CustomerTable`] holds one [`Column`] per schema attribute and one id per customer. It is
//! built from a CSV file or reader, from rows of [`Value`]s, from the user's own
//! `serde::Serialize` structs (fields matched to attributes by name), or from a numeric array.
//! Every cell is checked against its attribute's kind while loading, so a table that exists is a
//! table whose values are all valid.
//!
//! Categorical and tag attributes declared without levels learn them from the data; the table's
//! [`CustomerTable::schema`] then lists them (sorted), so the levels are known downstream.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use ndarray::ArrayView2;
use serde::Serialize;

use crate::dates::DateFormat;
use crate::error::{list_for_message, Error, Result};
use crate::input::{open, read_records, CsvOptions};
use crate::schema::{AttributeKind, Role, Schema};

/// One cell of customer data handed over in Rust (see [`CustomerTable::from_rows`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Not known.
    Missing,
    /// A number.
    Number(f64),
    /// True or false.
    Bool(bool),
    /// Text: a level, an identifier, or text to be parsed by the attribute's kind.
    Text(String),
    /// Several tags.
    Tags(Vec<String>),
}

macro_rules! value_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(x: $t) -> Self {
                Value::Number(x as f64)
            }
        }
    )*};
}
value_from_number!(f64, f32, i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Missing, Into::into)
    }
}

/// The values of one attribute for every customer; `None` is a missing value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Column {
    /// Numbers in the attribute's original units.
    Numeric(Vec<Option<f64>>),
    /// Categorical or ordinal: an index into `levels` per customer.
    Levels {
        /// The levels (for ordinal attributes, in order).
        levels: Vec<String>,
        /// Each customer's level, as an index into `levels`.
        codes: Vec<Option<u32>>,
    },
    /// True or false.
    Boolean(Vec<Option<bool>>),
    /// Any number of tags per customer, as indices into `levels` (sorted, no repeats).
    Tags {
        /// The tags.
        levels: Vec<String>,
        /// Each customer's tags.
        sets: Vec<Option<Vec<u32>>>,
    },
    /// Unparsed text: identifiers and ignored attributes.
    Text(Vec<Option<String>>),
}

impl Column {
    /// The number of customers.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Levels { codes, .. } => codes.len(),
            Column::Boolean(v) => v.len(),
            Column::Tags { sets, .. } => sets.len(),
            Column::Text(v) => v.len(),
        }
    }

    /// Whether the column has no customers.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether customer `row` (0-based) has no value.
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            Column::Numeric(v) => v[row].is_none(),
            Column::Levels { codes, .. } => codes[row].is_none(),
            Column::Boolean(v) => v[row].is_none(),
            Column::Tags { sets, .. } => sets[row].is_none(),
            Column::Text(v) => v[row].is_none(),
        }
    }

    /// The number of customers with no value.
    pub fn missing_count(&self) -> usize {
        (0..self.len()).filter(|&i| self.is_missing(i)).count()
    }

    /// The levels of a categorical, ordinal or tags column (empty otherwise).
    pub fn levels(&self) -> &[String] {
        match self {
            Column::Levels { levels, .. } | Column::Tags { levels, .. } => levels,
            _ => &[],
        }
    }
}

/// How many values an attribute is missing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingCount {
    /// The attribute.
    pub attribute: String,
    /// Customers with no value.
    pub missing: usize,
    /// `missing` as a fraction of all customers.
    pub share: f64,
}

/// Typed customer records, one column per schema attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerTable {
    schema: Schema,
    columns: Vec<Column>,
    ids: Vec<String>,
}

impl CustomerTable {
    /// Loads customers from a CSV file. Columns are matched to attributes by header name;
    /// columns the schema does not name are skipped.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::EmptyInput`], [`Error::NoRows`],
    /// [`Error::RaggedRow`] for malformed files; [`Error::MissingColumn`] when the schema names a
    /// column the file lacks; [`Error::WrongType`], [`Error::NonFinite`],
    /// [`Error::UnknownLevel`] and [`Error::DuplicateId`] for bad cells, with row and column.
    pub fn from_csv_path(
        path: impl AsRef<Path>,
        schema: &Schema,
        options: &CsvOptions,
    ) -> Result<Self> {
        Self::from_csv_reader(open(path.as_ref())?, schema, options)
    }

    /// Loads customers from any reader of CSV text; see [`CustomerTable::from_csv_path`].
    /// Records are typed as they are read, so memory holds the typed columns, not the text.
    ///
    /// # Errors
    /// As [`CustomerTable::from_csv_path`], with [`Error::Csv`] for read failures.
    pub fn from_csv_reader<R: Read>(
        reader: R,
        schema: &Schema,
        options: &CsvOptions,
    ) -> Result<Self> {
        let mut builder = TableBuilder::new(schema, options.clone());
        // Set once from the header, which `read_records` always delivers before any row.
        let positions = std::cell::OnceCell::new();
        read_records(
            reader,
            options,
            |header| {
                let _ = positions.set(column_positions(schema, header)?);
                Ok(())
            },
            |row, record| {
                let positions: &[(usize, usize)] = positions.get().map_or(&[], Vec::as_slice);
                for &(c, p) in positions {
                    builder.push_text(c, row, &record[p])?;
                }
                Ok(())
            },
        )?;
        builder.finish()
    }

    /// Builds a table from rows of values, one value per input attribute (every attribute that
    /// is not derived) in schema order. Text values are parsed by the attribute's kind, as CSV
    /// cells are; derived attributes are computed.
    ///
    /// ```
    /// use personas::{Attribute, CustomerTable, Schema, Value};
    /// let schema = Schema::new(vec![Attribute::numeric("age"), Attribute::boolean("member")])?;
    /// let table = CustomerTable::from_rows(&schema, vec![
    ///     vec![Value::from(34), Value::from(true)],
    ///     vec![Value::Missing, Value::from("no")],
    /// ])?;
    /// assert_eq!(table.n_customers(), 2);
    /// assert_eq!(table.missing_counts()[0].missing, 1);
    /// # Ok::<(), personas::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NoRows`] for no rows, [`Error::RaggedRow`] when a row has the wrong number of
    /// values, and the cell errors of [`CustomerTable::from_csv_path`].
    pub fn from_rows<R, V>(schema: &Schema, rows: R) -> Result<Self>
    where
        R: IntoIterator<Item = V>,
        V: IntoIterator<Item = Value>,
    {
        let mut builder = TableBuilder::new(schema, CsvOptions::new());
        let inputs = builder.inputs.clone();
        for (r, row) in rows.into_iter().enumerate() {
            let mut found = 0;
            for (j, value) in row.into_iter().enumerate() {
                if let Some(&c) = inputs.get(j) {
                    builder.push_value(c, r + 1, &value)?;
                }
                found += 1;
            }
            if found != inputs.len() {
                return Err(Error::RaggedRow {
                    row: r + 1,
                    expected: inputs.len(),
                    found,
                });
            }
        }
        builder.finish()
    }

    /// Builds a table from the user's own records: each record is serialised with serde and its
    /// fields are matched to attributes by name (extra fields are skipped). `Option` fields that
    /// are `None` are missing; `Vec<String>` fields fill tag attributes.
    ///
    /// Non-finite floats (NaN, infinity) are an [`Error::NonFinite`] naming the record and field,
    /// never a missing value; use `Option<f64>` (`None`) to say a value is missing.
    ///
    /// ```
    /// use personas::{Attribute, CustomerTable, Schema};
    /// #[derive(serde::Serialize)]
    /// struct Customer { id: String, age: u32, income: Option<f64>, channels: Vec<String> }
    ///
    /// let schema = Schema::new(vec![
    ///     Attribute::identifier("id"),
    ///     Attribute::numeric("age"),
    ///     Attribute::numeric("income"),
    ///     Attribute::tags("channels", ";"),
    /// ])?;
    /// let customers = vec![
    ///     Customer { id: "a".into(), age: 31, income: Some(42_000.0), channels: vec!["web".into()] },
    ///     Customer { id: "b".into(), age: 58, income: None, channels: vec![] },
    /// ];
    /// let table = CustomerTable::from_records(&schema, &customers)?;
    /// assert_eq!(table.ids(), ["a", "b"]);
    /// # Ok::<(), personas::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Record`] when a record is not a struct or map, or a field the schema names is
    /// a nested structure; [`Error::MissingColumn`] when a record lacks a field the schema
    /// names; the cell errors of [`CustomerTable::from_rows`], including [`Error::NonFinite`].
    pub fn from_records<T: Serialize>(schema: &Schema, records: &[T]) -> Result<Self> {
        let mut builder = TableBuilder::new(schema, CsvOptions::new());
        for (r, record) in records.iter().enumerate() {
            let row = r + 1;
            let fields = crate::record::Record::capture(record, row)?;
            for (c, attribute) in schema.attributes().iter().enumerate() {
                if attribute.is_derived() {
                    continue;
                }
                let Some(value) = fields.get(&attribute.name) else {
                    return Err(Error::MissingColumn {
                        column: attribute.name.clone(),
                        found: list_for_message(&fields.names()),
                    });
                };
                builder.push_value(c, row, value?)?;
            }
        }
        builder.finish()
    }

    /// Builds a table from a numeric array with one column per input attribute (every attribute
    /// that is not derived), in schema order. Categorical levels are matched against the numbers
    /// written as text ("2"); derived attributes are computed.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the column count differs from the schema's length,
    /// [`Error::NonFinite`] for NaN or infinite entries, and the cell errors of
    /// [`CustomerTable::from_rows`].
    pub fn from_array(schema: &Schema, array: ArrayView2<'_, f64>) -> Result<Self> {
        let mut builder = TableBuilder::new(schema, CsvOptions::new());
        let inputs = builder.inputs.clone();
        if array.ncols() != inputs.len() {
            return Err(Error::ShapeMismatch {
                what: "array columns vs schema input attributes",
                expected: inputs.len(),
                found: array.ncols(),
            });
        }
        for (r, row) in array.rows().into_iter().enumerate() {
            for (&c, &x) in inputs.iter().zip(row.iter()) {
                if !x.is_finite() {
                    return Err(Error::NonFinite {
                        row: r + 1,
                        column: schema.attributes()[c].name.clone(),
                        value: x.to_string(),
                    });
                }
                builder.push_value(c, r + 1, &Value::Number(x))?;
            }
        }
        builder.finish()
    }

    /// The schema, with learned levels filled in.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The number of customers.
    pub fn n_customers(&self) -> usize {
        self.ids.len()
    }

    /// The customer ids: the identifier attribute's values, or the 1-based row numbers when the
    /// schema has no identifier.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// All columns, in schema order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column of the attribute with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.schema.position(name).map(|i| &self.columns[i])
    }

    /// Missing values per attribute, in schema order.
    pub fn missing_counts(&self) -> Vec<MissingCount> {
        let n = self.n_customers().max(1) as f64;
        self.schema
            .attributes()
            .iter()
            .zip(&self.columns)
            .map(|(a, c)| {
                let missing = c.missing_count();
                MissingCount {
                    attribute: a.name.clone(),
                    missing,
                    share: missing as f64 / n,
                }
            })
            .collect()
    }
}

/// Where each input attribute is in a header: `(schema position, header position)` pairs.
fn column_positions(schema: &Schema, header: &[String]) -> Result<Vec<(usize, usize)>> {
    let mut positions = Vec::with_capacity(schema.len());
    for (c, attribute) in schema.attributes().iter().enumerate() {
        if attribute.is_derived() {
            continue;
        }
        let mut found = header
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == attribute.name);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => positions.push((c, i)),
            (Some(_), Some(_)) => {
                return Err(Error::InvalidSchema {
                    attribute: attribute.name.clone(),
                    reason: "the input has two columns with this name".into(),
                })
            }
            (None, _) => {
                return Err(Error::MissingColumn {
                    column: attribute.name.clone(),
                    found: list_for_message(header),
                })
            }
        }
    }
    Ok(positions)
}

/// The largest magnitude a numeric value may have: sums and squares of customer values must stay
/// finite for means, spreads and scaling to be computed.
const MAX_MAGNITUDE: f64 = 1e150;
const TOO_LARGE: &str = "a number no larger than 1e150 in magnitude";

/// Reads a boolean written as true/false, yes/no, y/n, t/f or 1/0 (any case).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "t" | "1" | "1.0" => Some(true),
        "false" | "no" | "n" | "f" | "0" | "0.0" => Some(false),
        _ => None,
    }
}

/// Writes a number as a level name would be written: integers without a decimal point.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// A set of levels, fixed by the schema or learned from the data.
struct LevelSet {
    levels: Vec<String>,
    index: HashMap<String, u32>,
    learn: bool,
}

impl LevelSet {
    fn new(declared: &[String]) -> Self {
        LevelSet {
            levels: declared.to_vec(),
            index: declared
                .iter()
                .enumerate()
                .map(|(i, l)| (l.clone(), i as u32))
                .collect(),
            learn: declared.is_empty(),
        }
    }

    fn code(&mut self, level: &str) -> Option<u32> {
        if let Some(&c) = self.index.get(level) {
            return Some(c);
        }
        if !self.learn {
            return None;
        }
        let c = self.levels.len() as u32;
        self.levels.push(level.to_string());
        self.index.insert(level.to_string(), c);
        Some(c)
    }

    /// Sorts learned levels and returns the old-code -> new-code map.
    fn sort_learned(&mut self) -> Option<Vec<u32>> {
        if !self.learn {
            return None;
        }
        let mut order: Vec<usize> = (0..self.levels.len()).collect();
        order.sort_by(|&a, &b| self.levels[a].cmp(&self.levels[b]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old] = new as u32;
        }
        self.levels = order.iter().map(|&i| self.levels[i].clone()).collect();
        Some(remap)
    }
}

enum Builder {
    Numeric(Vec<Option<f64>>),
    Date(DateFormat, Vec<Option<f64>>),
    /// Computed in `finish` from the other columns.
    Derived,
    Levels(LevelSet, Vec<Option<u32>>),
    Boolean(Vec<Option<bool>>),
    Tags(String, LevelSet, Vec<Option<Vec<u32>>>),
    Text(Vec<Option<String>>),
}

struct TableBuilder {
    schema: Schema,
    /// Schema positions of the attributes read from the input (not derived).
    inputs: Vec<usize>,
    options: CsvOptions,
    columns: Vec<Builder>,
    id_column: Option<usize>,
    seen_ids: HashMap<String, usize>,
}

impl TableBuilder {
    fn new(schema: &Schema, options: CsvOptions) -> Self {
        // An ignored attribute that a formula reads is typed all the same.
        let read_by_formula = |name: &str| {
            schema
                .attributes()
                .iter()
                .filter_map(|a| a.derived.as_ref())
                .any(|f| f.inputs().contains(&name))
        };
        let columns = schema
            .attributes()
            .iter()
            .map(|a| match (&a.role, &a.kind) {
                _ if a.is_derived() => Builder::Derived,
                (Role::Identifier, _) => Builder::Text(Vec::new()),
                (Role::Ignored, _) if !read_by_formula(&a.name) => Builder::Text(Vec::new()),
                (_, AttributeKind::Numeric { .. }) => Builder::Numeric(Vec::new()),
                (_, AttributeKind::Date { format }) => Builder::Date(*format, Vec::new()),
                (_, AttributeKind::Boolean) => Builder::Boolean(Vec::new()),
                (_, AttributeKind::Categorical { levels } | AttributeKind::Ordinal { levels }) => {
                    Builder::Levels(LevelSet::new(levels), Vec::new())
                }
                (_, AttributeKind::Tags { separator, levels }) => {
                    Builder::Tags(separator.clone(), LevelSet::new(levels), Vec::new())
                }
            })
            .collect();
        TableBuilder {
            inputs: schema
                .attributes()
                .iter()
                .enumerate()
                .filter(|(_, a)| !a.is_derived())
                .map(|(c, _)| c)
                .collect(),
            id_column: schema.position(schema.identifier().map_or("", |a| a.name.as_str())),
            schema: schema.clone(),
            options,
            columns,
            seen_ids: HashMap::new(),
        }
    }

    fn column_name(&self, c: usize) -> String {
        self.schema.attributes()[c].name.clone()
    }

    fn wrong_type(&self, c: usize, row: usize, value: &str, expected: &'static str) -> Error {
        Error::WrongType {
            row,
            column: self.column_name(c),
            value: value.to_string(),
            expected,
        }
    }

    fn unknown_level(&self, c: usize, row: usize, value: &str, levels: &[String]) -> Error {
        Error::UnknownLevel {
            row,
            column: self.column_name(c),
            value: value.to_string(),
            known: list_for_message(levels),
        }
    }

    /// Adds one cell given as text, parsed by the attribute's kind. `row` is 1-based.
    fn push_text(&mut self, c: usize, row: usize, text: &str) -> Result<()> {
        let text = text.trim();
        let missing = self.options.is_missing(text)
            && !self.schema.attributes()[c]
                .not_missing
                .iter()
                .any(|m| m.trim().eq_ignore_ascii_case(text));
        if Some(c) == self.id_column {
            return self.push_id(c, row, text, missing);
        }
        let error = match &mut self.columns[c] {
            Builder::Text(v) => {
                v.push((!missing).then(|| text.to_string()));
                return Ok(());
            }
            _ if missing => {
                self.push_missing(c);
                return Ok(());
            }
            Builder::Numeric(v) => match text.parse::<f64>() {
                Ok(x) if x.abs() <= MAX_MAGNITUDE => {
                    v.push(Some(x));
                    return Ok(());
                }
                Ok(x) if x.is_finite() => self.wrong_type(c, row, text, TOO_LARGE),
                Ok(_) => Error::NonFinite {
                    row,
                    column: String::new(),
                    value: text.to_string(),
                },
                Err(_) => self.wrong_type(c, row, text, "a number"),
            },
            Builder::Date(format, v) => match format.parse(text) {
                Some(day) => {
                    v.push(Some(day));
                    return Ok(());
                }
                None => {
                    let expected = match format {
                        DateFormat::Ymd => "a date written yyyy-mm-dd",
                        DateFormat::Dmy => "a date written dd-mm-yyyy",
                        DateFormat::Mdy => "a date written mm/dd/yyyy",
                        DateFormat::YmdCompact => "a date written yyyymmdd",
                    };
                    self.wrong_type(c, row, text, expected)
                }
            },
            Builder::Derived => return Ok(()),
            Builder::Boolean(v) => match parse_bool(text) {
                Some(b) => {
                    v.push(Some(b));
                    return Ok(());
                }
                None => self.wrong_type(c, row, text, "a boolean (true/false, yes/no, 1/0)"),
            },
            Builder::Levels(set, codes) => match set.code(text) {
                Some(code) => {
                    codes.push(Some(code));
                    return Ok(());
                }
                None => {
                    let levels = set.levels.clone();
                    self.unknown_level(c, row, text, &levels)
                }
            },
            Builder::Tags(separator, ..) => {
                let separator = separator.clone();
                return self.push_tags(c, row, text.split(separator.as_str()));
            }
        };
        Err(match error {
            Error::NonFinite { row, value, .. } => Error::NonFinite {
                row,
                column: self.column_name(c),
                value,
            },
            other => other,
        })
    }

    fn push_id(&mut self, c: usize, row: usize, text: &str, missing: bool) -> Result<()> {
        if missing {
            return Err(self.wrong_type(c, row, text, "a customer id (ids cannot be missing)"));
        }
        if let Some(&first_row) = self.seen_ids.get(text) {
            return Err(Error::DuplicateId {
                row,
                column: self.column_name(c),
                id: text.to_string(),
                first_row,
            });
        }
        self.seen_ids.insert(text.to_string(), row);
        if let Builder::Text(v) = &mut self.columns[c] {
            v.push(Some(text.to_string()));
        }
        Ok(())
    }

    /// Adds one customer's tags (blank ones are skipped, repeats kept once).
    fn push_tags<'t>(
        &mut self,
        c: usize,
        row: usize,
        tags: impl Iterator<Item = &'t str>,
    ) -> Result<()> {
        let Builder::Tags(_, set, sets) = &mut self.columns[c] else {
            return Ok(());
        };
        let mut codes = Vec::new();
        for tag in tags.map(str::trim).filter(|t| !t.is_empty()) {
            match set.code(tag) {
                Some(code) => codes.push(code),
                None => {
                    let levels = set.levels.clone();
                    return Err(self.unknown_level(c, row, tag, &levels));
                }
            }
        }
        codes.sort_unstable();
        codes.dedup();
        sets.push(Some(codes));
        Ok(())
    }

    fn push_missing(&mut self, c: usize) {
        match &mut self.columns[c] {
            Builder::Numeric(v) | Builder::Date(_, v) => v.push(None),
            Builder::Derived => {}
            Builder::Levels(_, v) => v.push(None),
            Builder::Boolean(v) => v.push(None),
            Builder::Tags(_, _, v) => v.push(None),
            Builder::Text(v) => v.push(None),
        }
    }

    /// Adds one typed cell. `row` is 1-based.
    fn push_value(&mut self, c: usize, row: usize, value: &Value) -> Result<()> {
        match value {
            Value::Missing => {
                if Some(c) == self.id_column {
                    return self.push_id(c, row, "", true);
                }
                self.push_missing(c);
                Ok(())
            }
            Value::Text(s) => self.push_text(c, row, s),
            Value::Number(x) if !x.is_finite() => Err(Error::NonFinite {
                row,
                column: self.column_name(c),
                value: x.to_string(),
            }),
            Value::Number(x) => match &mut self.columns[c] {
                Builder::Numeric(v) if x.abs() <= MAX_MAGNITUDE => {
                    v.push(Some(*x));
                    Ok(())
                }
                Builder::Numeric(_) => Err(self.wrong_type(c, row, &x.to_string(), TOO_LARGE)),
                _ => self.push_text(c, row, &number_text(*x)),
            },
            Value::Bool(b) => match &mut self.columns[c] {
                Builder::Boolean(v) => {
                    v.push(Some(*b));
                    Ok(())
                }
                Builder::Numeric(v) => {
                    v.push(Some(f64::from(u8::from(*b))));
                    Ok(())
                }
                _ => self.push_text(c, row, if *b { "true" } else { "false" }),
            },
            Value::Tags(tags) => match &self.columns[c] {
                // Each element is one tag, taken as it is (an empty list is "no tags").
                Builder::Tags(..) => self.push_tags(c, row, tags.iter().map(String::as_str)),
                Builder::Text(_) => self.push_text(c, row, &tags.join(";")),
                _ if tags.len() == 1 => self.push_text(c, row, &tags[0]),
                _ => Err(self.wrong_type(c, row, &tags.join(";"), "a single value, not a list")),
            },
        }
    }

    fn finish(self) -> Result<CustomerTable> {
        let mut schema = self.schema;
        let mut columns = Vec::with_capacity(self.columns.len());
        for (attribute, builder) in schema.attributes_mut().iter_mut().zip(self.columns) {
            let column = match builder {
                Builder::Numeric(v) | Builder::Date(_, v) => Column::Numeric(v),
                Builder::Derived => Column::Numeric(Vec::new()),
                Builder::Boolean(v) => Column::Boolean(v),
                Builder::Text(v) => Column::Text(v),
                Builder::Levels(mut set, mut codes) => {
                    if let Some(remap) = set.sort_learned() {
                        codes
                            .iter_mut()
                            .flatten()
                            .for_each(|c| *c = remap[*c as usize]);
                    }
                    if let AttributeKind::Categorical { levels } = &mut attribute.kind {
                        levels.clone_from(&set.levels);
                    }
                    Column::Levels {
                        levels: set.levels,
                        codes,
                    }
                }
                Builder::Tags(_, mut set, mut sets) => {
                    if let Some(remap) = set.sort_learned() {
                        for tags in sets.iter_mut().flatten() {
                            tags.iter_mut().for_each(|c| *c = remap[*c as usize]);
                            tags.sort_unstable();
                        }
                    }
                    if let AttributeKind::Tags { levels, .. } = &mut attribute.kind {
                        levels.clone_from(&set.levels);
                    }
                    Column::Tags {
                        levels: set.levels,
                        sets,
                    }
                }
            };
            columns.push(column);
        }
        let n = self
            .inputs
            .first()
            .map_or(0, |&c| columns.get(c).map_or(0, Column::len));
        if n == 0 {
            return Err(Error::NoRows);
        }
        let derived: Vec<(usize, Vec<Option<f64>>)> = schema
            .attributes()
            .iter()
            .enumerate()
            .filter_map(|(c, a)| {
                let formula = a.derived.as_ref()?;
                let values =
                    formula.compute(n, |name| schema.position(name).and_then(|i| columns.get(i)));
                Some((c, values))
            })
            .collect();
        for (c, values) in derived {
            columns[c] = Column::Numeric(values);
        }
        let ids = match schema.identifier().and_then(|a| schema.position(&a.name)) {
            Some(i) => match &columns[i] {
                Column::Text(v) => v.iter().map(|s| s.clone().unwrap_or_default()).collect(),
                _ => (1..=n).map(|r| r.to_string()).collect(),
            },
            None => (1..=n).map(|r| r.to_string()).collect(),
        };
        Ok(CustomerTable {
            schema,
            columns,
            ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;

    fn schema() -> Schema {
        Schema::new(vec![
            Attribute::identifier("id"),
            Attribute::numeric("age"),
            Attribute::categorical("region", Vec::<String>::new()),
            Attribute::ordinal("size", ["S", "M", "L"]),
            Attribute::boolean("member"),
            Attribute::tags("channels", ";"),
        ])
        .unwrap()
    }

    fn load(csv: &str) -> Result<CustomerTable> {
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema(), &CsvOptions::new())
    }

    #[test]
    fn csv_values_are_typed_and_levels_learned_sorted() {
        let t = load(
            "id,age,region,size,member,channels,extra\n\
             a,30,south,M,yes,web;email,x\n\
             b,NA,north,L,0,,y\n\
             c,41.5,south,S,TRUE,email;web;web,z\n",
        )
        .unwrap();
        assert_eq!(t.n_customers(), 3);
        assert_eq!(t.ids(), ["a", "b", "c"]);
        assert_eq!(
            t.column("age"),
            Some(&Column::Numeric(vec![Some(30.0), None, Some(41.5)]))
        );
        assert_eq!(
            t.column("region"),
            Some(&Column::Levels {
                levels: vec!["north".into(), "south".into()],
                codes: vec![Some(1), Some(0), Some(1)]
            })
        );
        assert_eq!(
            t.schema().get("region").unwrap().kind.levels(),
            ["north", "south"]
        );
        assert_eq!(
            t.column("size"),
            Some(&Column::Levels {
                levels: vec!["S".into(), "M".into(), "L".into()],
                codes: vec![Some(1), Some(2), Some(0)]
            })
        );
        assert_eq!(
            t.column("member"),
            Some(&Column::Boolean(vec![Some(true), Some(false), Some(true)]))
        );
        assert_eq!(
            t.column("channels"),
            Some(&Column::Tags {
                levels: vec!["email".into(), "web".into()],
                sets: vec![Some(vec![0, 1]), None, Some(vec![0, 1])]
            })
        );
        let missing: Vec<usize> = t.missing_counts().iter().map(|m| m.missing).collect();
        assert_eq!(missing, [0, 1, 0, 0, 0, 1]);
    }

    #[test]
    fn bad_cells_name_row_and_column() {
        let head = "id,age,region,size,member,channels\n";
        let err = load(&format!("{head}a,30,n,S,yes,web\nb,old,n,S,yes,web\n")).unwrap_err();
        assert!(
            matches!(&err, Error::WrongType { row: 2, column, value, .. } if column == "age" && value == "old"),
            "{err}"
        );
        assert!(err.to_string().contains("row 2, column `age`"));
        let err = load(&format!("{head}a,inf,n,S,yes,web\n")).unwrap_err();
        assert!(matches!(&err, Error::NonFinite { row: 1, column, .. } if column == "age"));
        let err = load(&format!("{head}a,1,n,XL,yes,web\n")).unwrap_err();
        assert!(
            matches!(&err, Error::UnknownLevel { row: 1, column, value, .. } if column == "size" && value == "XL")
        );
        let err = load(&format!("{head}a,1,n,S,maybe,web\n")).unwrap_err();
        assert!(matches!(&err, Error::WrongType { column, .. } if column == "member"));
        let err = load(&format!(
            "{head}a,1,n,S,y,web\nb,1,n,S,y,web\na,2,n,S,y,web\n"
        ))
        .unwrap_err();
        assert!(matches!(&err, Error::DuplicateId { row: 3, first_row: 1, id, .. } if id == "a"));
        let err = load(&format!("{head}NA,1,n,S,y,web\n")).unwrap_err();
        assert!(matches!(&err, Error::WrongType { row: 1, column, .. } if column == "id"));
    }

    #[test]
    fn tags_from_rust_are_taken_one_per_element() {
        let s = Schema::new(vec![Attribute::tags("t", ";")]).unwrap();
        let t = CustomerTable::from_rows(
            &s,
            vec![
                vec![Value::Tags(vec!["x;y".into(), "z".into(), "z".into()])],
                vec![Value::Tags(Vec::new())],
                vec![Value::Missing],
            ],
        )
        .unwrap();
        assert_eq!(
            t.column("t"),
            Some(&Column::Tags {
                levels: vec!["x;y".into(), "z".into()],
                sets: vec![Some(vec![0, 1]), Some(vec![]), None]
            })
        );
    }

    #[test]
    fn numbers_too_large_to_compute_with_are_refused() {
        let err = load("id,age,region,size,member,channels\na,1e200,n,S,y,web\n").unwrap_err();
        assert!(
            matches!(&err, Error::WrongType { row: 1, column, .. } if column == "age"),
            "{err}"
        );
        assert!(err.to_string().contains("no larger than 1e150"), "{err}");
        let s = Schema::new(vec![Attribute::numeric("x")]).unwrap();
        let err = CustomerTable::from_rows(&s, vec![vec![Value::from(-1e300)]]).unwrap_err();
        assert!(matches!(err, Error::WrongType { .. }), "{err}");
    }

    #[test]
    fn a_schema_column_absent_from_the_csv_is_named() {
        let err = load("id,age\na,1\n").unwrap_err();
        assert!(matches!(&err, Error::MissingColumn { column, .. } if column == "region"));
        assert!(err.to_string().contains("`age`"), "{err}");
    }

    #[test]
    fn rows_and_arrays_build_tables() {
        let s = Schema::new(vec![
            Attribute::numeric("x"),
            Attribute::categorical("c", ["1", "2"]),
        ])
        .unwrap();
        let t =
            CustomerTable::from_array(&s, ndarray::array![[0.5, 1.0], [1.5, 2.0]].view()).unwrap();
        assert_eq!(t.ids(), ["1", "2"]);
        assert_eq!(
            t.column("c"),
            Some(&Column::Levels {
                levels: vec!["1".into(), "2".into()],
                codes: vec![Some(0), Some(1)]
            })
        );
        let nan = CustomerTable::from_array(&s, ndarray::array![[f64::NAN, 1.0]].view());
        assert!(matches!(nan, Err(Error::NonFinite { row: 1, .. })));
        let ragged = CustomerTable::from_rows(&s, vec![vec![Value::from(1.0)]]);
        assert!(matches!(
            ragged,
            Err(Error::RaggedRow {
                row: 1,
                expected: 2,
                found: 1
            })
        ));
        let empty = CustomerTable::from_rows(&s, Vec::<Vec<Value>>::new());
        assert!(matches!(empty, Err(Error::NoRows)));
    }

    #[test]
    fn records_are_matched_by_field_name() {
        #[derive(Serialize)]
        struct C {
            age: Option<u8>,
            member: bool,
            unused: &'static str,
        }
        let s = Schema::new(vec![
            Attribute::boolean("member"),
            Attribute::numeric("age"),
        ])
        .unwrap();
        let t = CustomerTable::from_records(
            &s,
            &[
                C {
                    age: Some(40),
                    member: true,
                    unused: "x",
                },
                C {
                    age: None,
                    member: false,
                    unused: "y",
                },
            ],
        )
        .unwrap();
        assert_eq!(
            t.column("age"),
            Some(&Column::Numeric(vec![Some(40.0), None]))
        );
        let s2 = Schema::new(vec![Attribute::numeric("income")]).unwrap();
        let err = CustomerTable::from_records(
            &s2,
            &[C {
                age: None,
                member: true,
                unused: "",
            }],
        );
        assert!(matches!(err, Err(Error::MissingColumn { column, .. }) if column == "income"));
        let err = CustomerTable::from_records(&s2, &[1, 2]);
        assert!(matches!(err, Err(Error::Record { row: 1, .. })));
    }
}
