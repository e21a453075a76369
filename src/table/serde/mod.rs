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

use cell::ValueSerializer;

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

// After the macros above, which its serializers use.
mod cell;

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

#[cfg(test)]
mod tests;
