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
//!
//! Storage is columnar: values in flat vectors with one validity bit per customer ([`Numbers`],
//! [`Codes`], [`Flags`], [`TagSets`]); the identifier and ignored attributes are not kept
//! ([`Column::Omitted`]), the ids live once in [`CustomerTable::ids`]. A CSV is read in chunks
//! of whole records, parsed on all threads and joined in file order, so the table, and the first
//! bad cell reported, are the same whatever the thread count.

mod build;
mod column;
pub(crate) mod csv;
mod ids;
pub(crate) mod serde;

pub use ids::{Ids, IdsIter};

use std::io::Read;
use std::path::Path;

use ::serde::Serialize;
use ndarray::ArrayView2;

use crate::error::{list_for_message, Error, Result};
use crate::hash::FastMap;
use crate::input::{open, CsvOptions};
use crate::schema::Schema;
use build::Plan;

pub use build::MAX_LEVEL_BYTES;
pub(crate) use build::{date_expected, parse_bool, MAX_MAGNITUDE};
pub use column::{Codes, Column, Flags, Numbers, TagSets, Validity};

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
    ids: Ids,
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
        let plan = Plan::new(schema, options.clone());
        // Set once from the header, which `read_chunked` delivers before any chunk is parsed.
        let positions = std::sync::OnceLock::new();
        let names = std::sync::OnceLock::new();
        // Each chunk's rows are appended as soon as its batch is parsed, so only one batch of
        // chunk parts is alive beside the table. The table's columns grow in place (large
        // allocations are remapped by the allocator, not copied into a second buffer).
        let mut table = plan.part(0);
        csv::read_chunked(
            reader,
            options,
            |header| {
                let _ = positions.set(column_positions(schema, header)?);
                let _ = names.set(header.to_vec());
                Ok(())
            },
            |chunk| {
                let positions: &[(usize, usize)] = positions.get().map_or(&[], Vec::as_slice);
                let header: &[String] = names.get().map_or(&[], Vec::as_slice);
                let mut part = plan.part(chunk.len_hint());
                chunk.for_each(header, |row, record| {
                    for &(c, p) in positions {
                        part.push_text(&plan, c, row, &record[p])?;
                    }
                    part.end_row();
                    Ok(())
                })?;
                Ok(part)
            },
            |part| {
                table.append(part);
                Ok(())
            },
        )?;
        table.finish(plan)
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
        let plan = Plan::new(schema, CsvOptions::new());
        let mut table = plan.part(0);
        let inputs = &plan.inputs;
        for (r, row) in rows.into_iter().enumerate() {
            let mut found = 0;
            for (j, value) in row.into_iter().enumerate() {
                if let Some(&c) = inputs.get(j) {
                    table.push_value(&plan, c, r + 1, &value)?;
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
            table.end_row();
        }
        table.finish(plan)
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
        let plan = Plan::new(schema, CsvOptions::new());
        let mut table = plan.part(records.len());
        for (r, record) in records.iter().enumerate() {
            let row = r + 1;
            let fields = serde::Record::capture(record, row)?;
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
                table.push_value(&plan, c, row, value?)?;
            }
            table.end_row();
        }
        table.finish(plan)
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
        let plan = Plan::new(schema, CsvOptions::new());
        let mut table = plan.part(array.nrows());
        let inputs = &plan.inputs;
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
                table.push_value(&plan, c, r + 1, &Value::Number(x))?;
            }
            table.end_row();
        }
        table.finish(plan)
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
    pub fn ids(&self) -> &Ids {
        &self.ids
    }

    /// All columns, in schema order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column of the attribute with this name, to change in place (within the crate, which
    /// keeps its length and kind).
    pub(crate) fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.schema.position(name).map(|i| &mut self.columns[i])
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
    // Header names to positions; a name given twice maps to `None`.
    let mut by_name: FastMap<&str, Option<usize>> = FastMap::default();
    for (i, h) in header.iter().enumerate() {
        by_name
            .entry(h.as_str())
            .and_modify(|p| *p = None)
            .or_insert(Some(i));
    }
    let mut positions = Vec::with_capacity(schema.len());
    for (c, attribute) in schema.attributes().iter().enumerate() {
        if attribute.is_derived() {
            continue;
        }
        match by_name.get(attribute.name.as_str()) {
            Some(Some(i)) => positions.push((c, *i)),
            Some(None) => {
                return Err(Error::InvalidSchema {
                    attribute: attribute.name.clone(),
                    reason: "the input has two columns with this name".into(),
                })
            }
            None => {
                return Err(Error::MissingColumn {
                    column: attribute.name.clone(),
                    found: list_for_message(header),
                })
            }
        }
    }
    Ok(positions)
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
            Some(&Column::Numeric(vec![Some(30.0), None, Some(41.5)].into()))
        );
        assert_eq!(
            t.column("region"),
            Some(&Column::Levels(crate::table::Codes::from_options(
                vec!["north".into(), "south".into()],
                vec![Some(1), Some(0), Some(1)]
            )))
        );
        assert_eq!(
            t.schema().get("region").unwrap().kind.levels(),
            ["north", "south"]
        );
        assert_eq!(
            t.column("size"),
            Some(&Column::Levels(crate::table::Codes::from_options(
                vec!["S".into(), "M".into(), "L".into()],
                vec![Some(1), Some(2), Some(0)]
            )))
        );
        assert_eq!(
            t.column("member"),
            Some(&Column::Boolean(
                vec![Some(true), Some(false), Some(true)].into()
            ))
        );
        assert_eq!(
            t.column("channels"),
            Some(&Column::Tags(crate::table::TagSets::from_options(
                vec!["email".into(), "web".into()],
                vec![Some(vec![0, 1]), None, Some(vec![0, 1])]
            )))
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
            Some(&Column::Tags(crate::table::TagSets::from_options(
                vec!["x;y".into(), "z".into()],
                vec![Some(vec![0, 1]), Some(vec![]), None]
            )))
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
            Some(&Column::Levels(crate::table::Codes::from_options(
                vec!["1".into(), "2".into()],
                vec![Some(0), Some(1)]
            )))
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
            Some(&Column::Numeric(vec![Some(40.0), None].into()))
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
