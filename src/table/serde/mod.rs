//! Capturing one user record's top-level fields as [`Value`]s, for
//! [`CustomerTable::from_records`](crate::CustomerTable::from_records).
//!
//! A minimal serde [`Serializer`]: the record must serialise as a struct or a map with string
//! keys (`#[serde(flatten)]` serialises as a map), and each field as a single cell. Unlike a
//! round trip through `serde_json`, non-finite floats stay `Value::Number(NaN)` (and so on), so
//! the table builder reports them as [`Error::NonFinite`] instead of reading them as missing.
//!
//! A field that cannot be a cell (a nested struct or map, bytes) is not an error until the
//! schema asks for it: fields the schema does not name are skipped, whatever their shape.

use std::fmt;

use serde::ser::{self, Impossible, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::table::Value;

/// One record's top-level fields, in the order the record serialised them.
pub(crate) struct Record {
    row: usize,
    fields: Vec<(String, std::result::Result<Value, Problem>)>,
}

impl Record {
    /// Serialises `record` (the `row`th, 1-based) into its fields.
    ///
    /// # Errors
    /// [`Error::Record`] when the record is not a struct or map with string keys, or its own
    /// `Serialize` implementation fails.
    pub(crate) fn capture<T: Serialize + ?Sized>(record: &T, row: usize) -> Result<Self> {
        match record.serialize(RecordSerializer) {
            Ok(fields) => Ok(Record { row, fields }),
            Err(e) => Err(Error::Record {
                row,
                reason: e.to_string(),
            }),
        }
    }

    /// The value of the field called `name` (the last one, should a flattened field repeat a
    /// name), or `None` when the record has no such field.
    ///
    /// # Errors
    /// [`Error::Record`] naming the field when it cannot be a cell; [`Error::NonFinite`] when a
    /// list field holds NaN or infinity.
    pub(crate) fn get(&self, name: &str) -> Option<Result<&Value>> {
        let (_, field) = self.fields.iter().rev().find(|(n, _)| n == name)?;
        Some(field.as_ref().map_err(|problem| match problem {
            Problem::NonFinite(value) => Error::NonFinite {
                row: self.row,
                column: name.to_string(),
                value: value.clone(),
            },
            other => Error::Record {
                row: self.row,
                reason: format!("field `{name}` {other}"),
            },
        }))
    }

    /// The field names, for error messages.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.fields.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// Why a record, or one of its fields, cannot be captured.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    /// The record is not a struct or map.
    NotRecord,
    /// A map key is not a string.
    KeyNotString,
    /// A field is a nested struct, map or data-carrying enum variant.
    Nested,
    /// A field is a byte string.
    Bytes,
    /// A list field has an element that is not a string, number, char or bool.
    BadElement,
    /// A list field has a NaN or infinite element (the value as text).
    NonFinite(String),
    /// The value's own `Serialize` implementation failed.
    Custom(String),
}

impl fmt::Display for Problem {
    /// Record-level problems read as a sentence; field-level ones follow "field `name` ".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotRecord => {
                f.write_str("a record must serialise as a struct or map of fields")
            }
            Problem::KeyNotString => {
                f.write_str("a record serialised as a map must have string keys (field names)")
            }
            Problem::Nested => {
                f.write_str("is a nested structure; flatten it or skip it with #[serde(skip)]")
            }
            Problem::Bytes => f.write_str("is a byte string; skip it with #[serde(skip)]"),
            Problem::BadElement => f.write_str(
                "is a list with an element that is not a string, number, char or bool \
                 (lists may hold only tags)",
            ),
            Problem::NonFinite(value) => write!(f, "holds `{value}`, which is not a finite number"),
            Problem::Custom(message) => write!(f, "could not be serialised: {message}"),
        }
    }
}

/// The serializer's error: a [`Problem`].
#[derive(Debug)]
struct CaptureError(Problem);

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            // At the record level a custom error is the record's own message.
            Problem::Custom(message) => f.write_str(message),
            other => other.fmt(f),
        }
    }
}

impl std::error::Error for CaptureError {}

impl ser::Error for CaptureError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CaptureError(Problem::Custom(msg.to_string()))
    }
}

type Fields = Vec<(String, std::result::Result<Value, Problem>)>;

fn fail<T>(problem: Problem) -> std::result::Result<T, CaptureError> {
    Err(CaptureError(problem))
}

/// Writes a number as a level name would be written: integers without a decimal point.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// Implements the scalar methods whose outcome is just `fail(problem)`.
macro_rules! reject {
    ($problem:expr; $($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> std::result::Result<Self::Ok, Self::Error> {
            fail($problem)
        }
    )*};
}

/// Implements `serialize_{seq,tuple,tuple_struct,tuple_variant,map,struct,struct_variant}` as
/// `fail(problem)`, for serializers whose compound types are all `Impossible`.
macro_rules! reject_compounds {
    ($problem:expr) => {
        fn serialize_seq(
            self,
            _: Option<usize>,
        ) -> std::result::Result<Self::SerializeSeq, Self::Error> {
            fail($problem)
        }
        fn serialize_tuple(
            self,
            _: usize,
        ) -> std::result::Result<Self::SerializeTuple, Self::Error> {
            fail($problem)
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeTupleStruct, Self::Error> {
            fail($problem)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeTupleVariant, Self::Error> {
            fail($problem)
        }
        fn serialize_map(
            self,
            _: Option<usize>,
        ) -> std::result::Result<Self::SerializeMap, Self::Error> {
            fail($problem)
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeStruct, Self::Error> {
            fail($problem)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeStructVariant, Self::Error> {
            fail($problem)
        }
    };
}

/// The top level: a struct or a map of fields.
struct RecordSerializer;

impl Serializer for RecordSerializer {
    type Ok = Fields;
    type Error = CaptureError;
    type SerializeSeq = Impossible<Fields, CaptureError>;
    type SerializeTuple = Impossible<Fields, CaptureError>;
    type SerializeTupleStruct = Impossible<Fields, CaptureError>;
    type SerializeTupleVariant = Impossible<Fields, CaptureError>;
    type SerializeMap = FieldCollector;
    type SerializeStruct = FieldCollector;
    type SerializeStructVariant = Impossible<Fields, CaptureError>;

    reject!(Problem::NotRecord;
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_f32(f32),
        serialize_f64(f64), serialize_char(char), serialize_str(&str), serialize_bytes(&[u8]),
        serialize_none(), serialize_unit(), serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(
        self,
        value: &T,
    ) -> std::result::Result<Fields, CaptureError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> std::result::Result<Fields, CaptureError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> std::result::Result<Fields, CaptureError> {
        fail(Problem::NotRecord)
    }

    fn serialize_seq(
        self,
        _: Option<usize>,
    ) -> std::result::Result<Self::SerializeSeq, CaptureError> {
        fail(Problem::NotRecord)
    }

    fn serialize_tuple(self, _: usize) -> std::result::Result<Self::SerializeTuple, CaptureError> {
        fail(Problem::NotRecord)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleStruct, CaptureError> {
        fail(Problem::NotRecord)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleVariant, CaptureError> {
        fail(Problem::NotRecord)
    }

    fn serialize_map(
        self,
        len: Option<usize>,
    ) -> std::result::Result<FieldCollector, CaptureError> {
        Ok(FieldCollector::new(len.unwrap_or(0)))
    }

    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> std::result::Result<FieldCollector, CaptureError> {
        Ok(FieldCollector::new(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStructVariant, CaptureError> {
        fail(Problem::NotRecord)
    }
}

/// Collects the fields of a struct or map. A field that cannot be a cell is kept with its
/// problem, so that only fields the schema asks for can fail.
struct FieldCollector {
    fields: Fields,
    key: Option<String>,
}

impl FieldCollector {
    fn new(len: usize) -> Self {
        FieldCollector {
            fields: Vec::with_capacity(len),
            key: None,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, name: String, value: &T) {
        let value = value.serialize(ValueSerializer).map_err(|e| e.0);
        self.fields.push((name, value));
    }
}

impl ser::SerializeStruct for FieldCollector {
    type Ok = Fields;
    type Error = CaptureError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> std::result::Result<(), CaptureError> {
        self.push(key.to_string(), value);
        Ok(())
    }

    fn end(self) -> std::result::Result<Fields, CaptureError> {
        Ok(self.fields)
    }
}

impl ser::SerializeMap for FieldCollector {
    type Ok = Fields;
    type Error = CaptureError;

    fn serialize_key<T: Serialize + ?Sized>(
        &mut self,
        key: &T,
    ) -> std::result::Result<(), CaptureError> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> std::result::Result<(), CaptureError> {
        let Some(key) = self.key.take() else {
            return Err(ser::Error::custom(
                "serialize_value called before serialize_key",
            ));
        };
        self.push(key, value);
        Ok(())
    }

    fn end(self) -> std::result::Result<Fields, CaptureError> {
        Ok(self.fields)
    }
}

/// A map key: a field name.
struct KeySerializer;

impl Serializer for KeySerializer {
    type Ok = String;
    type Error = CaptureError;
    type SerializeSeq = Impossible<String, CaptureError>;
    type SerializeTuple = Impossible<String, CaptureError>;
    type SerializeTupleStruct = Impossible<String, CaptureError>;
    type SerializeTupleVariant = Impossible<String, CaptureError>;
    type SerializeMap = Impossible<String, CaptureError>;
    type SerializeStruct = Impossible<String, CaptureError>;
    type SerializeStructVariant = Impossible<String, CaptureError>;

    reject!(Problem::KeyNotString;
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_f32(f32),
        serialize_f64(f64), serialize_bytes(&[u8]), serialize_none(), serialize_unit(),
        serialize_unit_struct(&'static str),
    );
    reject_compounds!(Problem::KeyNotString);

    fn serialize_char(self, v: char) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_str(self, v: &str) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> std::result::Result<String, CaptureError> {
        Ok(variant.to_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(
        self,
        _: &T,
    ) -> std::result::Result<String, CaptureError> {
        fail(Problem::KeyNotString)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> std::result::Result<String, CaptureError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> std::result::Result<String, CaptureError> {
        fail(Problem::KeyNotString)
    }
}

/// One field's value: a single cell.
struct ValueSerializer;

impl Serializer for ValueSerializer {
    type Ok = Value;
    type Error = CaptureError;
    type SerializeSeq = TagCollector;
    type SerializeTuple = TagCollector;
    type SerializeTupleStruct = TagCollector;
    type SerializeTupleVariant = Impossible<Value, CaptureError>;
    type SerializeMap = Impossible<Value, CaptureError>;
    type SerializeStruct = Impossible<Value, CaptureError>;
    type SerializeStructVariant = Impossible<Value, CaptureError>;

    fn serialize_bool(self, v: bool) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(f64::from(v)))
    }

    fn serialize_i16(self, v: i16) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(f64::from(v)))
    }

    fn serialize_i32(self, v: i32) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(f64::from(v)))
    }

    fn serialize_i64(self, v: i64) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(v as f64))
    }

    fn serialize_i128(self, v: i128) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(v as f64))
    }

    fn serialize_u8(self, v: u8) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(f64::from(v)))
    }

    fn serialize_u16(self, v: u16) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(f64::from(v)))
    }

    fn serialize_u32(self, v: u32) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(f64::from(v)))
    }

    fn serialize_u64(self, v: u64) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(v as f64))
    }

    fn serialize_u128(self, v: u128) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(v as f64))
    }

    fn serialize_f32(self, v: f32) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(f64::from(v)))
    }

    fn serialize_f64(self, v: f64) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Number(v))
    }

    fn serialize_char(self, v: char) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Text(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Text(v.to_string()))
    }

    fn serialize_bytes(self, _: &[u8]) -> std::result::Result<Value, CaptureError> {
        fail(Problem::Bytes)
    }

    fn serialize_none(self) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Missing)
    }

    fn serialize_some<T: Serialize + ?Sized>(
        self,
        value: &T,
    ) -> std::result::Result<Value, CaptureError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Missing)
    }

    fn serialize_unit_struct(self, name: &'static str) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Text(name.to_string()))
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Text(variant.to_string()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> std::result::Result<Value, CaptureError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> std::result::Result<Value, CaptureError> {
        value.serialize(self)
    }

    fn serialize_seq(self, len: Option<usize>) -> std::result::Result<TagCollector, CaptureError> {
        Ok(TagCollector(Vec::with_capacity(len.unwrap_or(0))))
    }

    fn serialize_tuple(self, len: usize) -> std::result::Result<TagCollector, CaptureError> {
        Ok(TagCollector(Vec::with_capacity(len)))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> std::result::Result<TagCollector, CaptureError> {
        Ok(TagCollector(Vec::with_capacity(len)))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeTupleVariant, CaptureError> {
        fail(Problem::Nested)
    }

    fn serialize_map(
        self,
        _: Option<usize>,
    ) -> std::result::Result<Self::SerializeMap, CaptureError> {
        fail(Problem::Nested)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStruct, CaptureError> {
        fail(Problem::Nested)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStructVariant, CaptureError> {
        fail(Problem::Nested)
    }
}

/// The elements of a list field: tags.
struct TagCollector(Vec<String>);

impl TagCollector {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> std::result::Result<(), CaptureError> {
        self.0.push(value.serialize(TagSerializer)?);
        Ok(())
    }
}

impl ser::SerializeSeq for TagCollector {
    type Ok = Value;
    type Error = CaptureError;

    fn serialize_element<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> std::result::Result<(), CaptureError> {
        self.push(value)
    }

    fn end(self) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Tags(self.0))
    }
}

impl ser::SerializeTuple for TagCollector {
    type Ok = Value;
    type Error = CaptureError;

    fn serialize_element<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> std::result::Result<(), CaptureError> {
        self.push(value)
    }

    fn end(self) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Tags(self.0))
    }
}

impl ser::SerializeTupleStruct for TagCollector {
    type Ok = Value;
    type Error = CaptureError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> std::result::Result<(), CaptureError> {
        self.push(value)
    }

    fn end(self) -> std::result::Result<Value, CaptureError> {
        Ok(Value::Tags(self.0))
    }
}

/// One element of a list field, as tag text.
struct TagSerializer;

impl Serializer for TagSerializer {
    type Ok = String;
    type Error = CaptureError;
    type SerializeSeq = Impossible<String, CaptureError>;
    type SerializeTuple = Impossible<String, CaptureError>;
    type SerializeTupleStruct = Impossible<String, CaptureError>;
    type SerializeTupleVariant = Impossible<String, CaptureError>;
    type SerializeMap = Impossible<String, CaptureError>;
    type SerializeStruct = Impossible<String, CaptureError>;
    type SerializeStructVariant = Impossible<String, CaptureError>;

    reject!(Problem::BadElement;
        serialize_bytes(&[u8]), serialize_none(), serialize_unit(),
    );
    reject_compounds!(Problem::BadElement);

    fn serialize_bool(self, v: bool) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_i8(self, v: i8) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_i16(self, v: i16) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_i32(self, v: i32) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_i64(self, v: i64) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_i128(self, v: i128) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_u8(self, v: u8) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_u16(self, v: u16) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_u32(self, v: u32) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_u64(self, v: u64) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_u128(self, v: u128) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_f32(self, v: f32) -> std::result::Result<String, CaptureError> {
        if !v.is_finite() {
            return fail(Problem::NonFinite(v.to_string()));
        }
        // Written as an f32 so that 0.1f32 reads "0.1", not its f64 widening.
        Ok(if v.fract() == 0.0 && v.abs() < 1e15 {
            number_text(f64::from(v))
        } else {
            v.to_string()
        })
    }

    fn serialize_f64(self, v: f64) -> std::result::Result<String, CaptureError> {
        if !v.is_finite() {
            return fail(Problem::NonFinite(v.to_string()));
        }
        Ok(number_text(v))
    }

    fn serialize_char(self, v: char) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_str(self, v: &str) -> std::result::Result<String, CaptureError> {
        Ok(v.to_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(
        self,
        value: &T,
    ) -> std::result::Result<String, CaptureError> {
        value.serialize(self)
    }

    fn serialize_unit_struct(
        self,
        name: &'static str,
    ) -> std::result::Result<String, CaptureError> {
        Ok(name.to_string())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> std::result::Result<String, CaptureError> {
        Ok(variant.to_string())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> std::result::Result<String, CaptureError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> std::result::Result<String, CaptureError> {
        value.serialize(self)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Serialize;

    use crate::error::Error;
    use crate::schema::{Attribute, Schema};
    use crate::table::{Column, CustomerTable, Value};

    use super::Record;

    fn schema(attributes: Vec<Attribute>) -> Schema {
        Schema::new(attributes).unwrap()
    }

    fn field<T: Serialize>(record: &T, name: &str) -> Value {
        Record::capture(record, 1)
            .unwrap()
            .get(name)
            .unwrap()
            .unwrap()
            .clone()
    }

    #[derive(Serialize)]
    struct Scored {
        id: &'static str,
        score: f64,
    }

    #[test]
    fn nan_and_infinite_fields_are_non_finite_errors_with_row_and_column() {
        let s = schema(vec![
            Attribute::identifier("id"),
            Attribute::numeric("score"),
        ]);
        for (bad, text) in [
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            let records = [
                Scored {
                    id: "a",
                    score: 1.0,
                },
                Scored {
                    id: "b",
                    score: 2.0,
                },
                Scored {
                    id: "c",
                    score: bad,
                },
            ];
            let err = CustomerTable::from_records(&s, &records).unwrap_err();
            assert!(
                matches!(&err, Error::NonFinite { row: 3, column, value }
                    if column == "score" && value == text),
                "{err}"
            );
        }
        #[derive(Serialize)]
        struct Single {
            weight: f32,
        }
        let err = CustomerTable::from_records(
            &schema(vec![Attribute::numeric("weight")]),
            &[Single {
                weight: f32::INFINITY,
            }],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::NonFinite { row: 1, column, .. } if column == "weight"),
            "{err}"
        );
    }

    #[test]
    fn a_non_finite_number_in_a_list_is_a_non_finite_error() {
        #[derive(Serialize)]
        struct C {
            codes: Vec<f64>,
        }
        let s = schema(vec![Attribute::tags("codes", ";")]);
        let err = CustomerTable::from_records(
            &s,
            &[
                C { codes: vec![1.0] },
                C {
                    codes: vec![2.0, f64::NAN],
                },
            ],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::NonFinite { row: 2, column, value } if column == "codes" && value == "NaN"),
            "{err}"
        );
    }

    #[test]
    fn none_is_missing() {
        #[derive(Serialize)]
        struct C {
            income: Option<f64>,
            region: Option<String>,
        }
        let s = schema(vec![
            Attribute::numeric("income"),
            Attribute::categorical("region", ["n", "s"]),
        ]);
        let t = CustomerTable::from_records(
            &s,
            &[
                C {
                    income: None,
                    region: Some("n".into()),
                },
                C {
                    income: Some(5.0),
                    region: None,
                },
            ],
        )
        .unwrap();
        assert_eq!(
            t.column("income"),
            Some(&Column::Numeric(vec![None, Some(5.0)].into()))
        );
        let none = C {
            income: None,
            region: None,
        };
        assert_eq!(field(&none, "income"), Value::Missing);
        assert_eq!(field(&none, "region"), Value::Missing);
        assert_eq!(
            t.column("region"),
            Some(&Column::Levels(crate::table::Codes::from_options(
                vec!["n".into(), "s".into()],
                vec![Some(0), None]
            )))
        );
    }

    #[test]
    fn unit_variants_are_categorical_levels() {
        #[derive(Serialize)]
        enum Region {
            North,
            South,
        }
        #[derive(Serialize)]
        struct C {
            region: Region,
        }
        let s = schema(vec![Attribute::categorical("region", Vec::<String>::new())]);
        let t = CustomerTable::from_records(
            &s,
            &[
                C {
                    region: Region::South,
                },
                C {
                    region: Region::North,
                },
            ],
        )
        .unwrap();
        assert_eq!(
            t.column("region"),
            Some(&Column::Levels(crate::table::Codes::from_options(
                vec!["North".into(), "South".into()],
                vec![Some(1), Some(0)]
            )))
        );
    }

    #[test]
    fn lists_of_strings_and_strs_are_tags() {
        #[derive(Serialize)]
        struct C {
            owned: Vec<String>,
            borrowed: Vec<&'static str>,
        }
        let s = schema(vec![
            Attribute::tags("owned", ";"),
            Attribute::tags("borrowed", "|"),
        ]);
        let t = CustomerTable::from_records(
            &s,
            &[
                C {
                    owned: vec!["web".into(), "email".into()],
                    borrowed: vec!["x"],
                },
                C {
                    owned: vec![],
                    borrowed: vec!["y", "x"],
                },
            ],
        )
        .unwrap();
        assert_eq!(
            t.column("owned"),
            Some(&Column::Tags(crate::table::TagSets::from_options(
                vec!["email".into(), "web".into()],
                vec![Some(vec![0, 1]), Some(vec![])]
            )))
        );
        assert_eq!(
            t.column("borrowed"),
            Some(&Column::Tags(crate::table::TagSets::from_options(
                vec!["x".into(), "y".into()],
                vec![Some(vec![0]), Some(vec![0, 1])]
            )))
        );
    }

    #[test]
    fn lists_of_numbers_chars_and_bools_are_tags_written_as_levels() {
        #[derive(Serialize)]
        struct C {
            ints: Vec<u32>,
            floats: (f64, f32, f64),
            chars: [char; 2],
            bools: Vec<bool>,
        }
        let c = C {
            ints: vec![3, 10],
            floats: (2.0, 0.1, 2.5),
            chars: ['a', 'b'],
            bools: vec![true, false],
        };
        let tags = |v: &[&str]| Value::Tags(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(field(&c, "ints"), tags(&["3", "10"]));
        assert_eq!(field(&c, "floats"), tags(&["2", "0.1", "2.5"]));
        assert_eq!(field(&c, "chars"), tags(&["a", "b"]));
        assert_eq!(field(&c, "bools"), tags(&["true", "false"]));
    }

    #[test]
    fn integer_float_char_and_bool_fields_are_cells() {
        #[derive(Serialize)]
        struct C {
            visits: u64,
            balance: i128,
            big: u128,
            small: i8,
            weight: f32,
            grade: char,
            member: bool,
        }
        let s = schema(vec![
            Attribute::numeric("visits"),
            Attribute::numeric("balance"),
            Attribute::numeric("big"),
            Attribute::numeric("small"),
            Attribute::numeric("weight"),
            Attribute::categorical("grade", Vec::<String>::new()),
            Attribute::boolean("member"),
        ]);
        let t = CustomerTable::from_records(
            &s,
            &[C {
                visits: u64::MAX,
                balance: -12,
                big: 7,
                small: -3,
                weight: 1.5,
                grade: 'B',
                member: true,
            }],
        )
        .unwrap();
        assert_eq!(
            t.column("visits"),
            Some(&Column::Numeric(vec![Some(u64::MAX as f64)].into()))
        );
        assert_eq!(
            t.column("balance"),
            Some(&Column::Numeric(vec![Some(-12.0)].into()))
        );
        assert_eq!(
            t.column("big"),
            Some(&Column::Numeric(vec![Some(7.0)].into()))
        );
        assert_eq!(
            t.column("small"),
            Some(&Column::Numeric(vec![Some(-3.0)].into()))
        );
        assert_eq!(
            t.column("weight"),
            Some(&Column::Numeric(vec![Some(1.5)].into()))
        );
        assert_eq!(t.column("grade").unwrap().levels(), ["B"]);
        assert_eq!(
            t.column("member"),
            Some(&Column::Boolean(vec![Some(true)].into()))
        );
    }

    #[test]
    fn newtype_fields_are_their_inner_value() {
        #[derive(Serialize)]
        struct Euros(f64);
        #[derive(Serialize)]
        enum Tier {
            Level(u8),
        }
        #[derive(Serialize)]
        struct C {
            income: Euros,
            tier: Tier,
        }
        let s = schema(vec![
            Attribute::numeric("income"),
            Attribute::numeric("tier"),
        ]);
        let t = CustomerTable::from_records(
            &s,
            &[C {
                income: Euros(1200.0),
                tier: Tier::Level(2),
            }],
        )
        .unwrap();
        assert_eq!(
            t.column("income"),
            Some(&Column::Numeric(vec![Some(1200.0)].into()))
        );
        assert_eq!(
            t.column("tier"),
            Some(&Column::Numeric(vec![Some(2.0)].into()))
        );
    }

    #[test]
    fn flattened_fields_are_found() {
        #[derive(Serialize)]
        struct Spend {
            total: f64,
            orders: u32,
        }
        #[derive(Serialize)]
        struct C {
            id: String,
            #[serde(flatten)]
            spend: Spend,
            #[serde(flatten)]
            extra: HashMap<String, bool>,
        }
        let s = schema(vec![
            Attribute::identifier("id"),
            Attribute::numeric("total"),
            Attribute::numeric("orders"),
            Attribute::boolean("member"),
        ]);
        let t = CustomerTable::from_records(
            &s,
            &[C {
                id: "a".into(),
                spend: Spend {
                    total: 99.5,
                    orders: 3,
                },
                extra: HashMap::from([("member".to_string(), true)]),
            }],
        )
        .unwrap();
        assert_eq!(t.ids(), ["a"]);
        assert_eq!(
            t.column("total"),
            Some(&Column::Numeric(vec![Some(99.5)].into()))
        );
        assert_eq!(
            t.column("orders"),
            Some(&Column::Numeric(vec![Some(3.0)].into()))
        );
        assert_eq!(
            t.column("member"),
            Some(&Column::Boolean(vec![Some(true)].into()))
        );
        // A NaN inside a flattened struct is still an error, not a missing value.
        let err = CustomerTable::from_records(
            &s,
            &[C {
                id: "a".into(),
                spend: Spend {
                    total: f64::NAN,
                    orders: 3,
                },
                extra: HashMap::from([("member".to_string(), true)]),
            }],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::NonFinite { row: 1, column, .. } if column == "total"),
            "{err}"
        );
    }

    #[test]
    fn a_repeated_flattened_name_takes_the_last_value_as_json_does() {
        #[derive(Serialize)]
        struct C {
            a: f64,
            #[serde(flatten)]
            more: HashMap<String, f64>,
        }
        let c = C {
            a: 1.0,
            more: HashMap::from([("a".to_string(), 2.0)]),
        };
        assert_eq!(field(&c, "a"), Value::Number(2.0));
        assert_eq!(Record::capture(&c, 1).unwrap().names(), ["a", "a"]);
    }

    #[test]
    fn a_hash_map_record_is_matched_by_key_whatever_its_order() {
        let s = schema(vec![
            Attribute::numeric("b"),
            Attribute::numeric("a"),
            Attribute::numeric("c"),
        ]);
        let records: Vec<HashMap<String, f64>> = vec![
            HashMap::from([("a".into(), 1.0), ("b".into(), 2.0), ("c".into(), 3.0)]),
            HashMap::from([("c".into(), 6.0), ("a".into(), 4.0), ("b".into(), 5.0)]),
        ];
        let t = CustomerTable::from_records(&s, &records).unwrap();
        assert_eq!(
            t.column("a"),
            Some(&Column::Numeric(vec![Some(1.0), Some(4.0)].into()))
        );
        assert_eq!(
            t.column("b"),
            Some(&Column::Numeric(vec![Some(2.0), Some(5.0)].into()))
        );
        assert_eq!(
            t.column("c"),
            Some(&Column::Numeric(vec![Some(3.0), Some(6.0)].into()))
        );
    }

    #[test]
    fn a_map_record_with_non_string_keys_is_a_record_error() {
        let records = [HashMap::from([(1u32, 1.0)])];
        let err = CustomerTable::from_records(&schema(vec![Attribute::numeric("1")]), &records)
            .unwrap_err();
        assert!(
            matches!(&err, Error::Record { row: 1, reason } if reason.contains("string keys")),
            "{err}"
        );
    }

    #[derive(Serialize)]
    struct Address {
        city: String,
    }

    #[derive(Serialize)]
    struct WithAddress {
        age: u32,
        address: Address,
        raw: serde_bytes_like::Bytes,
    }

    /// A field that serialises as bytes, without a new dependency.
    mod serde_bytes_like {
        pub struct Bytes(pub Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    fn with_address(age: u32) -> WithAddress {
        WithAddress {
            age,
            address: Address {
                city: "Oslo".into(),
            },
            raw: serde_bytes_like::Bytes(vec![1, 2]),
        }
    }

    #[test]
    fn a_nested_field_is_a_record_error_naming_the_field() {
        let s = schema(vec![
            Attribute::numeric("age"),
            Attribute::categorical("address", Vec::<String>::new()),
        ]);
        let err =
            CustomerTable::from_records(&s, &[with_address(30), with_address(40)]).unwrap_err();
        assert!(
            matches!(&err, Error::Record { row: 1, reason }
                if reason.contains("field `address` is a nested structure")
                    && reason.contains("#[serde(skip)]")),
            "{err}"
        );
        let s = schema(vec![Attribute::categorical("raw", Vec::<String>::new())]);
        let err = CustomerTable::from_records(&s, &[with_address(30)]).unwrap_err();
        assert!(
            matches!(&err, Error::Record { row: 1, reason } if reason.contains("field `raw`")),
            "{err}"
        );
        #[derive(Serialize)]
        struct C {
            lists: Vec<Vec<String>>,
        }
        let s = schema(vec![Attribute::tags("lists", ";")]);
        let err = CustomerTable::from_records(
            &s,
            &[
                C { lists: vec![] },
                C {
                    lists: vec![vec![]],
                },
            ],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Record { row: 2, reason } if reason.contains("field `lists`")),
            "{err}"
        );
    }

    #[test]
    fn nested_fields_the_schema_does_not_name_are_skipped() {
        let s = schema(vec![Attribute::numeric("age")]);
        let t = CustomerTable::from_records(&s, &[with_address(30)]).unwrap();
        assert_eq!(
            t.column("age"),
            Some(&Column::Numeric(vec![Some(30.0)].into()))
        );
    }

    #[test]
    fn a_record_that_is_not_a_struct_or_map_is_a_record_error() {
        let s = schema(vec![Attribute::numeric("x")]);
        for err in [
            CustomerTable::from_records(&s, &[1, 2]).unwrap_err(),
            CustomerTable::from_records(&s, &["x"]).unwrap_err(),
            CustomerTable::from_records(&s, &[vec![1.0]]).unwrap_err(),
        ] {
            assert!(
                matches!(&err, Error::Record { row: 1, reason }
                    if reason == "a record must serialise as a struct or map of fields"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_field_missing_from_the_record_is_a_missing_column() {
        let s = schema(vec![Attribute::identifier("id"), Attribute::numeric("age")]);
        let err = CustomerTable::from_records(
            &s,
            &[Scored {
                id: "a",
                score: 1.0,
            }],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::MissingColumn { column, found } if column == "age" && found.contains("`score`")),
            "{err}"
        );
    }

    #[test]
    fn a_failing_serialize_impl_is_a_record_error() {
        struct Broken;
        impl Serialize for Broken {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("broken on purpose"))
            }
        }
        let s = schema(vec![Attribute::numeric("x")]);
        let err = CustomerTable::from_records(&s, &[Broken]).unwrap_err();
        assert!(
            matches!(&err, Error::Record { row: 1, reason } if reason == "broken on purpose"),
            "{err}"
        );
    }
}
