//! One field's value as one cell: a scalar as a [`Value`], a list as tags.

use serde::ser::{self, Impossible, Serialize, Serializer};

use super::{fail, CaptureError, Problem};
use crate::table::Value;

/// Writes a number as a level name would be written: integers without a decimal point.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// One field's value: a single cell.
pub(super) struct ValueSerializer;

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
pub(super) struct TagCollector(Vec<String>);

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
