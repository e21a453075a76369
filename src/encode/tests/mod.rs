//! Unit tests of the encoder: shared helpers and fixtures, the saved-encoder checks of
//! `mod.rs`, and one file per stage.

use super::*;
use crate::input::CsvOptions;
use crate::schema::{Attribute, MissingPolicy, Role, Schema};
use crate::table::CustomerTable;
use approx::assert_abs_diff_eq;
use ndarray::{array, Array1, Axis};

mod decode;
mod fit;
mod transform;

const EPS: f64 = 1e-9;

fn table(attributes: Vec<Attribute>, csv: &str) -> CustomerTable {
    let schema = Schema::new(attributes).unwrap();
    CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap()
}

fn encode(attributes: Vec<Attribute>, csv: &str) -> Encoded {
    Encoder::new()
        .fit_transform(&table(attributes, csv))
        .unwrap()
}

fn learned(name: &str) -> Attribute {
    Attribute::categorical(name, Vec::<String>::new())
}

fn column_of(e: &Encoded, j: usize) -> Vec<f64> {
    e.features.column(j).to_vec()
}

fn assert_close(found: &[f64], expected: &[f64]) {
    assert_eq!(found.len(), expected.len(), "{found:?} vs {expected:?}");
    for (f, x) in found.iter().zip(expected) {
        assert_abs_diff_eq!(*f, *x, epsilon = EPS);
    }
}

fn mean_row(m: &Array2<f64>) -> Array1<f64> {
    m.mean_axis(Axis(0)).unwrap()
}

fn decoded(e: &FittedEncoder, point: &Array1<f64>, attribute: &str) -> DecodedValue {
    e.decode(point.view())
        .unwrap()
        .into_iter()
        .find(|d| d.attribute == attribute)
        .unwrap()
        .value
}

fn numeric_value(v: &DecodedValue) -> f64 {
    match v {
        DecodedValue::Numeric { value, .. } => *value,
        other => panic!("not numeric: {other:?}"),
    }
}

fn share_values(shares: &[DecodedShare]) -> Vec<f64> {
    shares.iter().map(|s| s.share).collect()
}

const MIXED: &str = "x,c,o,b,t\n\
                     1,a,S,yes,web\n\
                     5,b,M,no,web;shop\n\
                     2,a,L,yes,shop\n\
                     10,c,M,no,email\n";

fn mixed(weight: f64) -> Vec<Attribute> {
    vec![
        Attribute::numeric("x").with_weight(weight),
        learned("c").with_weight(weight),
        Attribute::ordinal("o", ["S", "M", "L"]).with_weight(weight),
        Attribute::boolean("b").with_weight(weight),
        Attribute::tags("t", ";").with_weight(weight),
    ]
}

#[test]
fn json_round_trip_gives_the_same_transform() {
    let mut attributes = mixed(1.3);
    attributes[0] = Attribute::numeric("x")
        .with_log1p(true)
        .with_scaling(Scaling::Robust)
        .with_missing(MissingPolicy::OwnLevel);
    attributes[1] = learned("c").with_missing(MissingPolicy::Mean);
    let t = table(attributes, MIXED);
    let fitted = Encoder::new()
        .with_unknown_levels(UnknownLevels::Ignore)
        .fit(&t)
        .unwrap();
    let json = serde_json::to_string(&fitted).unwrap();
    let back: FittedEncoder = serde_json::from_str(&json).unwrap();
    assert_eq!(back.columns(), fitted.columns());
    assert_eq!(back.unknown_levels, UnknownLevels::Ignore);
    // serde_json parses floats to within one ulp unless its `float_roundtrip` feature is on.
    let (a, b) = (back.transform(&t).unwrap(), fitted.transform(&t).unwrap());
    assert_eq!(a.dim(), b.dim());
    for (x, y) in a.iter().zip(b.iter()) {
        assert_abs_diff_eq!(x, y, epsilon = 1e-12);
    }
}

/// The JSON of an encoder fitted on [`MIXED`]: attributes x (offset 0), c (1..4, levels a b
/// c), o (4), b (5), t (6..9, tags email shop web); 9 columns.
fn mixed_json() -> serde_json::Value {
    let fitted = Encoder::new().fit(&table(mixed(1.0), MIXED)).unwrap();
    assert_eq!(fitted.n_features(), 9);
    serde_json::to_value(&fitted).unwrap()
}

/// Deserialising `json` fails with an [`Error::Json`] whose message has every piece of
/// `expected`.
fn assert_rejected(json: &serde_json::Value, expected: &[&str]) {
    let text = serde_json::to_string(json).unwrap();
    let err = Error::from(serde_json::from_str::<FittedEncoder>(&text).unwrap_err());
    assert!(matches!(err, Error::Json(_)), "{err:?}");
    let message = err.to_string();
    for piece in expected {
        assert!(message.contains(piece), "`{piece}` not in: {message}");
    }
}

#[test]
fn a_valid_encoder_survives_a_json_round_trip_for_every_kind_and_policy() {
    for policy in [
        MissingPolicy::Mean,
        MissingPolicy::Median,
        MissingPolicy::Mode,
        MissingPolicy::OwnLevel,
    ] {
        let attributes = mixed(1.5)
            .into_iter()
            .map(|a| a.with_missing(policy))
            .collect();
        let t = table(attributes, &format!("{MIXED}NA,NA,NA,NA,NA\n"));
        let fitted = Encoder::new().fit(&t).unwrap();
        let json = serde_json::to_string(&fitted).unwrap();
        let back: FittedEncoder = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fitted);
        assert_eq!(back.transform(&t).unwrap(), fitted.transform(&t).unwrap());
    }
}

#[test]
fn corrupted_encoder_json_is_an_error_naming_the_attribute_not_a_panic() {
    type Corruption = fn(&mut serde_json::Value);
    let cases: &[(Corruption, &[&str])] = &[
        (
            |j| j["attributes"][2]["encoding"]["levels"] = serde_json::json!([]),
            &["attribute `o`", "at least 2 levels, found 0"],
        ),
        (
            |j| j["attributes"][2]["encoding"]["levels"] = serde_json::json!(["S"]),
            &["attribute `o`", "at least 2 levels, found 1"],
        ),
        (
            |j| j["attributes"][2]["encoding"]["levels"] = serde_json::json!(["S", "S", "L"]),
            &["attribute `o`", "level `S` appears more than once"],
        ),
        (
            |j| j["attributes"][4]["offset"] = 99.into(),
            &["attribute `t`", "offset 99", "expected 6"],
        ),
        (
            |j| j["attributes"][2]["offset"] = 1.into(),
            &["attribute `o`", "offset 1", "expected 4"],
        ),
        (
            |j| {
                let columns = j["columns"].as_array_mut().unwrap();
                columns.pop();
            },
            &["`columns` describes 8", "encode 9"],
        ),
        (
            |j| j["columns"][2]["level"] = "zz".into(),
            &[
                "column 2",
                "`c` level `zz`",
                "attribute `c`",
                "`c` level `b`",
            ],
        ),
        (
            |j| j["columns"][4]["kind"] = "numeric".into(),
            &["column 4", "`o` numeric", "`o` rank"],
        ),
        (
            |j| j["attributes"][1]["encoding"]["levels"] = serde_json::json!([]),
            &["attribute `c`", "at least 1 level, found 0"],
        ),
        (
            |j| j["attributes"][1]["encoding"]["levels"] = serde_json::json!(["a", "b", "a"]),
            &["attribute `c`", "level `a` appears more than once"],
        ),
        (
            |j| j["attributes"][4]["encoding"]["levels"][1] = "web".into(),
            &["attribute `t`", "level `web` appears more than once"],
        ),
        (
            |j| j["attributes"][1]["encoding"]["fill"] = serde_json::json!([1.0]),
            &["attribute `c`", "1 fill values for 3 levels"],
        ),
        (
            |j| j["attributes"][4]["encoding"]["fill"][0] = 1.5.into(),
            &[
                "attribute `t`",
                "fill value 1.5 for `email`",
                "between 0 and 1",
            ],
        ),
        (
            |j| j["attributes"][2]["encoding"]["fill"] = (-0.25).into(),
            &["attribute `o`", "fill value -0.25"],
        ),
        (
            |j| j["attributes"][3]["encoding"]["fill"] = 2.into(),
            &["attribute `b`", "fill value 2"],
        ),
        (
            |j| j["attributes"][0]["encoding"]["scale"] = 0.into(),
            &["attribute `x`", "scale 0 must be a positive finite number"],
        ),
        (
            |j| j["attributes"][0]["encoding"]["scale"] = (-2.0).into(),
            &["attribute `x`", "scale -2"],
        ),
        (
            |j| {
                j["attributes"][0]["encoding"]["log1p"] = true.into();
                j["attributes"][0]["encoding"]["impute"] = (-3.0).into();
            },
            &["attribute `x`", "imputed value -3 must be non-negative"],
        ),
        (
            |j| j["attributes"][1]["encoding"]["factor"] = 0.into(),
            &["attribute `c`", "factor 0"],
        ),
        (
            |j| {
                // Within the weight bounds, but the product overflows.
                j["attributes"][1]["weight"] = 1e5.into();
                j["attributes"][1]["encoding"]["factor"] = 1e304.into();
            },
            &["attribute `c`", "weight × factor inf"],
        ),
        (
            |j| j["attributes"][3]["weight"] = 0.into(),
            &["attribute `b`", "weight 0 must be a positive finite number"],
        ),
        (
            |j| j["attributes"][3]["weight"] = (-1.0).into(),
            &["attribute `b`", "weight -1"],
        ),
        (
            |j| j["attributes"][3]["name"] = "x".into(),
            &["attribute `x`", "appears more than once"],
        ),
        (
            |j| {
                j["attributes"] = serde_json::json!([]);
                j["columns"] = serde_json::json!([]);
            },
            &["no encoded attributes"],
        ),
    ];
    for (corrupt, expected) in cases {
        let mut json = mixed_json();
        corrupt(&mut json);
        assert_rejected(&json, expected);
    }
    // Non-finite numbers cannot even be written in JSON.
    let text = serde_json::to_string(&mixed_json()).unwrap().replacen(
        "\"center\":",
        "\"center\":1e999,\"was\":",
        1,
    );
    assert!(serde_json::from_str::<FittedEncoder>(&text).is_err());
}
