//! Tests of transforming: new tables, unknown levels, blocks of rows.

use super::*;
use crate::encode::transform::BLOCK_ROWS;

#[test]
fn unknown_levels_are_an_error_with_row_and_column_or_ignored() {
    let attributes = || vec![learned("c"), Attribute::tags("t", ";")];
    let train = table(attributes(), "c,t\na,web\nb,shop\n");
    let new = table(attributes(), "c,t\nb,web\nz,shop\na,web;fax\n");
    let fitted = Encoder::new().fit(&train).unwrap();
    let err = fitted.transform(&new).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownLevel { row: 2, column, value, .. } if column == "c" && value == "z"),
        "{err}"
    );
    assert!(err.to_string().contains("row 2, column `c`"), "{err}");
    let tag_only = table(attributes(), "c,t\nb,web\na,web;fax\n");
    let err = fitted.transform(&tag_only).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownLevel { row: 2, column, value, .. } if column == "t" && value == "fax"),
        "{err}"
    );

    let lenient = Encoder::new()
        .with_unknown_levels(UnknownLevels::Ignore)
        .fit(&train)
        .unwrap();
    let m = lenient.transform(&new).unwrap();
    assert_close(&m.row(1).to_vec()[..2], &[0.0, 0.0]);
    // The unknown tag is skipped, the known one kept.
    assert_close(&m.row(2).to_vec()[2..], &[0.0, 1.0]);
    // A saved strict encoder can be relaxed after loading.
    assert!(fitted
        .with_unknown_levels(UnknownLevels::Ignore)
        .transform(&new)
        .is_ok());
}

#[test]
fn new_customers_are_encoded_with_the_fitted_statistics() {
    let attributes = || {
        vec![
            Attribute::numeric("x").with_missing(MissingPolicy::Mean),
            learned("c"),
        ]
    };
    let train = table(attributes(), "x,c\n1,a\n2,b\n3,a\n4,b\n");
    let fitted = Encoder::new().fit(&train).unwrap();
    // Other order of levels and values far from the training data: nothing is refitted.
    let new = table(attributes(), "c,x\nb,100\nb,NA\n");
    let m = fitted.transform(&new).unwrap();
    let sd = 1.25f64.sqrt();
    let f = 2f64.sqrt();
    assert_close(&m.row(0).to_vec(), &[97.5 / sd, 0.0, f]);
    assert_close(&m.row(1).to_vec(), &[0.0, 0.0, f]);
}

#[test]
fn transform_names_a_missing_or_retyped_attribute() {
    let train = table(
        vec![Attribute::numeric("x"), learned("c")],
        "x,c\n1,a\n2,b\n",
    );
    let fitted = Encoder::new().fit(&train).unwrap();
    let missing = table(vec![Attribute::numeric("x")], "x\n1\n");
    let err = fitted.transform(&missing).unwrap_err();
    assert!(matches!(&err, Error::MissingColumn { column, .. } if column == "c"));
    let retyped = table(
        vec![Attribute::numeric("x"), Attribute::numeric("c")],
        "x,c\n1,2\n",
    );
    let err = fitted.transform(&retyped).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidSchema { attribute, .. } if attribute == "c"),
        "{err}"
    );
}

#[test]
fn large_tables_are_encoded_in_blocks_like_row_by_row() {
    let n = 3 * BLOCK_ROWS + 17;
    let schema = Schema::new(vec![Attribute::numeric("x"), learned("c")]).unwrap();
    let rows = (0..n).map(|i| {
        vec![
            crate::table::Value::from(i as f64),
            crate::table::Value::from(["a", "b", "c"][i % 3]),
        ]
    });
    let t = CustomerTable::from_rows(&schema, rows).unwrap();
    let e = Encoder::new().fit_transform(&t).unwrap();
    let mean = (n - 1) as f64 / 2.0;
    let sd = (((n * n) as f64 - 1.0) / 12.0).sqrt();
    let counts = [n.div_ceil(3), (n + 1) / 3, n / 3];
    let sum_sq: f64 = counts.iter().map(|&c| (c as f64 / n as f64).powi(2)).sum();
    let f = 1.0 / (1.0 - sum_sq).sqrt();
    for i in [0, BLOCK_ROWS - 1, BLOCK_ROWS, 2 * BLOCK_ROWS + 5, n - 1] {
        let mut expected = [(i as f64 - mean) / sd, 0.0, 0.0, 0.0];
        expected[1 + i % 3] = f;
        assert_close(&e.features.row(i).to_vec(), &expected);
    }
    // The first bad row is reported whichever block finds an error first.
    let train = table(vec![learned("c")], "c\na\nb\n");
    let fitted = Encoder::new().fit(&train).unwrap();
    let c_only = Schema::new(vec![learned("c")]).unwrap();
    let rows = (0..n).map(|i| {
        let level = if i == BLOCK_ROWS + 3 || i == 3 * BLOCK_ROWS + 1 {
            "z"
        } else {
            "a"
        };
        vec![crate::table::Value::from(level)]
    });
    let new = CustomerTable::from_rows(&c_only, rows).unwrap();
    let err = fitted.transform(&new).unwrap_err();
    assert!(matches!(err, Error::UnknownLevel { row, .. } if row == BLOCK_ROWS + 4));
}

#[test]
fn a_new_value_whose_encoding_overflows_is_an_error() {
    let attributes = || vec![Attribute::numeric("a").with_scaling(Scaling::MinMax)];
    let fitted = Encoder::new()
        .fit(&table(attributes(), "a\n0\n1e-300\n"))
        .unwrap();
    let err = fitted
        .transform(&table(attributes(), "a\n1e-300\n1e10\n"))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Overflow { column } if column == "a"),
        "{err}"
    );
}

#[test]
fn a_table_holding_an_attribute_as_another_kind_is_an_error_for_every_kind() {
    let fitted = Encoder::new().fit(&table(mixed(1.0), MIXED)).unwrap();
    let retyped = |position: usize, replacement: Attribute, name: &str| {
        let mut attributes = mixed(1.0);
        attributes[position] = replacement;
        let t = table(attributes, MIXED);
        let err = fitted.transform(&t).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSchema { attribute, .. } if attribute == name),
            "{err}"
        );
        err.to_string()
    };
    // Same levels, same column type, other kind.
    let message = retyped(2, learned("o"), "o");
    assert!(
        message.contains("fitted on it as a ordinal feature"),
        "{message}"
    );
    retyped(1, Attribute::ordinal("c", ["a", "b", "c"]), "c");
    retyped(0, learned("x"), "x");
    retyped(3, Attribute::tags("b", ";"), "b");
    retyped(4, learned("t"), "t");
    let message = retyped(4, Attribute::identifier("t"), "t");
    assert!(message.contains("text"), "{message}");
    let message = retyped(0, Attribute::numeric("x").with_role(Role::Ignored), "x");
    assert!(message.contains("text"), "{message}");
}
