//! Unit tests of schemas and attributes: JSON round trips, defaults and validation.

use super::*;
use crate::dates::DateFormat;

#[test]
fn json_round_trip_keeps_every_field() {
    let schema = Schema::new(vec![
        Attribute::identifier("id"),
        Attribute::numeric("spend")
            .with_unit("EUR")
            .with_log1p(true)
            .with_scaling(Scaling::Robust)
            .with_role(Role::Value)
            .with_facet(Facet::Behavioural)
            .with_weight(2.0)
            .with_label("Annual spend")
            .with_description("Spend over the last 12 months")
            .with_missing(MissingPolicy::OwnLevel),
        Attribute::ordinal("size", ["S", "M", "L"]).with_facet(Facet::Firmographic),
        Attribute::boolean("member"),
        Attribute::tags("channels", ";"),
    ])
    .unwrap();
    let json = schema.to_json().unwrap();
    assert!(json.contains("\"kind\": \"numeric\""), "{json}");
    assert_eq!(Schema::from_json(&json).unwrap(), schema);
}

#[test]
fn minimal_json_gets_defaults() {
    let s = Schema::from_json(r#"{"attributes":[{"name":"age","kind":"numeric"}]}"#).unwrap();
    let a = &s.attributes()[0];
    assert_eq!(a.role, Role::Feature);
    assert_eq!(a.facet, Facet::Other);
    assert_eq!(a.weight, 1.0);
    assert_eq!(a.missing_policy(), MissingPolicy::Median);
}

#[test]
fn invalid_schemas_are_rejected_with_the_attribute_named() {
    let dup = Schema::new(vec![Attribute::numeric("a"), Attribute::boolean("a")]);
    assert!(matches!(dup, Err(Error::InvalidSchema { attribute, .. }) if attribute == "a"));
    let weight = Schema::new(vec![Attribute::numeric("w").with_weight(0.0)]);
    assert!(matches!(weight, Err(Error::InvalidSchema { attribute, .. }) if attribute == "w"));
    let nan = Schema::new(vec![Attribute::numeric("w").with_weight(f64::NAN)]);
    assert!(nan.is_err());
    let ord = Schema::new(vec![Attribute::ordinal("o", ["only"])]);
    assert!(ord.is_err());
    let two_ids = Schema::new(vec![Attribute::identifier("a"), Attribute::identifier("b")]);
    assert!(matches!(two_ids, Err(Error::InvalidSchema { attribute, .. }) if attribute == "b"));
    let levels = Schema::new(vec![Attribute::categorical("c", ["x", "x"])]);
    assert!(levels.is_err());
    let log = Schema::new(vec![Attribute::boolean("b").with_log1p(true)]);
    assert!(log.is_err());
    let bad_json = Schema::from_json(r#"{"attributes":[{"name":"a","kind":"colour"}]}"#);
    assert!(matches!(bad_json, Err(Error::Json(_))));
}

#[test]
fn weights_are_bounded_so_distances_stay_finite() {
    for weight in [1e300, 1e7, 1e-7, 0.0, -1.0, f64::INFINITY, f64::NAN] {
        let schema = Schema::new(vec![Attribute::numeric("spend").with_weight(weight)]);
        match schema {
            Err(Error::InvalidSchema { attribute, reason }) => {
                assert_eq!(attribute, "spend");
                assert!(reason.contains("weight"), "{reason}");
                assert!(reason.len() < 300, "{reason}");
            }
            other => panic!("weight {weight}: {other:?}"),
        }
    }
    for weight in [MIN_WEIGHT, 0.5, 1.0, 250.0, MAX_WEIGHT] {
        assert!(Schema::new(vec![Attribute::numeric("spend").with_weight(weight)]).is_ok());
    }
    let message =
        Schema::from_json(r#"{"attributes":[{"name":"spend","kind":"numeric","weight":1e300}]}"#)
            .unwrap_err()
            .to_string();
    assert!(
        message.contains("spend") && message.contains("1e300"),
        "{message}"
    );
    assert!(
        message.contains("1e6"),
        "the allowed range is named: {message}"
    );
    let year = Derived::YearsSince {
        of: "born".into(),
        reference: 1e300,
    };
    let schema = Schema::new(vec![
        Attribute::numeric("born"),
        Attribute::derived("age", year),
    ]);
    assert!(
        matches!(&schema, Err(Error::InvalidSchema { attribute, .. }) if attribute == "age"),
        "{schema:?}"
    );
}

#[test]
fn a_schema_without_attributes_is_its_own_error() {
    assert!(matches!(Schema::new(Vec::new()), Err(Error::EmptySchema)));
    assert!(matches!(
        Schema::from_json(r#"{"attributes": []}"#),
        Err(Error::EmptySchema)
    ));
}

#[test]
fn unknown_keys_are_errors_naming_the_key() {
    let cases = [
        (
            r#"{"attributes":[{"name":"a","kind":"numeric","wieght":2}]}"#,
            "wieght",
        ),
        (r#"{"attributes":[],"version":2}"#, "version"),
        (
            r#"{"attributes":[{"name":"a","kind":"categorical","unit":"EUR"}]}"#,
            "unit",
        ),
        (
            r#"{"attributes":[{"name":"a","kind":"numeric","levels":["x"]}]}"#,
            "levels",
        ),
        (
            r#"{"attributes":[{"name":"a","kind":"boolean","separator":";"}]}"#,
            "separator",
        ),
        (
            r#"{"attributes":[{"name":"a","kind":"numeric","format":"ymd"}]}"#,
            "format",
        ),
        (
            r#"{"attributes":[{"name":"a","kind":"ordinal"}]}"#,
            "levels",
        ),
        (
            r#"{"attributes":[{"name":"a","kind":"tags"}]}"#,
            "separator",
        ),
        (r#"{"attributes":[{"name":"a","kind":"date"}]}"#, "format"),
    ];
    for (json, key) in cases {
        let err = Schema::from_json(json).unwrap_err();
        assert!(matches!(err, Error::Json(_)), "{json}: {err:?}");
        assert!(err.to_string().contains(key), "{json}: {err}");
    }
}

#[test]
fn every_kind_round_trips_through_json() {
    let schema = Schema::new(vec![
        Attribute::identifier("id"),
        Attribute::numeric("n"),
        Attribute::categorical("c", ["x", "y"]),
        Attribute::categorical("learned", Vec::<String>::new()),
        Attribute::ordinal("o", ["low", "high"]),
        Attribute::boolean("b"),
        Attribute::tags("t", "|").with_not_missing("none"),
        Attribute::date("d", DateFormat::Dmy),
        Attribute::derived(
            "days",
            Derived::DaysSince {
                of: "d".into(),
                reference: "2020-01-01".into(),
            },
        )
        .with_weight(MAX_WEIGHT),
    ])
    .unwrap();
    assert_eq!(
        Schema::from_json(&schema.to_json().unwrap()).unwrap(),
        schema
    );
}
