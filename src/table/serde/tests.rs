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
    let err =
        CustomerTable::from_records(&schema(vec![Attribute::numeric("1")]), &records).unwrap_err();
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
    let err = CustomerTable::from_records(&s, &[with_address(30), with_address(40)]).unwrap_err();
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
