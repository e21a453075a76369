//! Every kind of bad input named in the foundation issue gets a typed error that says where.

use std::io::Write;

use personas::{
    Attribute, CsvOptions, CustomerTable, Encoder, Error, Inference, KMeans, Schema, ZeroVariance,
};

fn schema() -> Schema {
    Schema::new(vec![
        Attribute::identifier("id"),
        Attribute::numeric("age"),
        Attribute::categorical("region", Vec::<String>::new()),
    ])
    .unwrap()
}

fn load(csv: &str) -> personas::Result<CustomerTable> {
    CustomerTable::from_csv_reader(csv.as_bytes(), &schema(), &CsvOptions::new())
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("personas-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(contents.as_bytes())
        .unwrap();
    path
}

#[test]
fn a_missing_file_names_the_path() {
    let err = CustomerTable::from_csv_path("no/such/file.csv", &schema(), &CsvOptions::new())
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("no/such/file.csv"), "{err}");
    let err = Inference::from_csv_path("no/such/file.csv", &CsvOptions::new()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}

#[test]
fn an_empty_file_is_an_error() {
    let path = temp_file("empty.csv", "");
    let err = CustomerTable::from_csv_path(&path, &schema(), &CsvOptions::new()).unwrap_err();
    assert!(matches!(err, Error::EmptyInput), "{err:?}");
    let err = Inference::from_csv_path(&path, &CsvOptions::new()).unwrap_err();
    assert!(matches!(err, Error::EmptyInput), "{err:?}");
}

#[test]
fn a_header_only_file_is_an_error() {
    let err = load("id,age,region\n").unwrap_err();
    assert!(matches!(err, Error::NoRows), "{err:?}");
    assert!(err.to_string().contains("no customer rows"));
}

#[test]
fn ragged_rows_name_the_row() {
    let err = load("id,age,region\na,1,n\nb,2\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::RaggedRow {
                row: 2,
                expected: 3,
                found: 2
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("row 2:"), "{err}");
}

#[test]
fn text_in_a_numeric_column_names_row_and_column() {
    let err = load("id,age,region\na,1,n\nb,forty,s\n").unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 2, column, value, .. } if column == "age" && value == "forty"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("row 2, column `age`: `forty` is not a number"),
        "{message}"
    );
    // And it says what to do about it.
    assert!(message.contains("missing_markers"), "{message}");
}

#[test]
fn infinity_is_rejected_and_nan_text_is_missing() {
    for bad in ["inf", "-Infinity", "1e999"] {
        let err = load(&format!("id,age,region\na,{bad},n\n")).unwrap_err();
        assert!(
            matches!(&err, Error::NonFinite { row: 1, column, .. } if column == "age"),
            "{bad}: {err:?}"
        );
    }
    // "NaN" in a CSV cell is one of the missing markers, as are NA, null and "?".
    let t = load("id,age,region\na,NaN,n\nb,3,s\n").unwrap();
    assert_eq!(t.missing_counts()[1].missing, 1);
    // In arrays, NaN is not a value: it is rejected with its position.
    let s = Schema::new(vec![Attribute::numeric("x"), Attribute::numeric("y")]).unwrap();
    let err = CustomerTable::from_array(&s, ndarray::array![[1.0, 2.0], [3.0, f64::NAN]].view())
        .unwrap_err();
    assert!(
        matches!(&err, Error::NonFinite { row: 2, column, .. } if column == "y"),
        "{err:?}"
    );
}

#[test]
fn a_schema_column_absent_from_the_csv_is_named() {
    let err = load("id,age\na,1\n").unwrap_err();
    assert!(
        matches!(&err, Error::MissingColumn { column, .. } if column == "region"),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .contains("`region` is in the schema but not in the input"));
}

#[test]
fn a_feature_with_every_value_missing_is_an_error() {
    let t = load("id,age,region\na,,n\nb,NA,s\n").unwrap();
    let err = Encoder::new().fit(&t).unwrap_err();
    assert!(
        matches!(&err, Error::AllMissing { column } if column == "age"),
        "{err:?}"
    );
}

#[test]
fn a_zero_variance_column_is_dropped_with_a_warning_or_an_error_by_option() {
    let t = load("id,age,region\na,30,n\nb,30,s\nc,30,n\n").unwrap();
    let encoder = Encoder::new().fit(&t).unwrap();
    assert!(
        encoder.warnings().iter().any(|w| w.contains("age")),
        "{:?}",
        encoder.warnings()
    );
    assert!(encoder.columns().iter().all(|c| c.attribute != "age"));
    let err = Encoder::new()
        .with_zero_variance(ZeroVariance::Error)
        .fit(&t)
        .unwrap_err();
    assert!(
        matches!(&err, Error::ZeroVariance { column, .. } if column == "age"),
        "{err:?}"
    );
    // Categorical columns with one level count too.
    let t = load("id,age,region\na,30,n\nb,31,n\n").unwrap();
    let err = Encoder::new()
        .with_zero_variance(ZeroVariance::Error)
        .fit(&t)
        .unwrap_err();
    assert!(matches!(&err, Error::ZeroVariance { column, .. } if column == "region"));
}

#[test]
fn k_of_zero_or_more_than_the_customers_is_an_error() {
    let t = load("id,age,region\na,30,n\nb,40,s\nc,50,n\n").unwrap();
    let features = Encoder::new().fit(&t).unwrap().transform(&t).unwrap();
    let err = KMeans::new(0).segment(features.view()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "k", .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid k = 0: at least one segment is needed"
    );
    let err = KMeans::new(4).segment(features.view()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidK {
                k: 4,
                n_customers: 3
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("k must be between 1 and 3"),
        "{err}"
    );
    // k = n is possible: every customer alone in a segment.
    let s = KMeans::new(3).segment(features.view()).unwrap();
    assert_eq!(s.n_segments(), 3);
    assert_eq!(s.sizes(), [1, 1, 1]);
}

#[test]
fn duplicate_customer_ids_name_both_rows() {
    let err = load("id,age,region\na,1,n\nb,2,s\na,3,n\n").unwrap_err();
    assert!(
        matches!(&err, Error::DuplicateId { row: 3, first_row: 1, id, column } if id == "a" && column == "id"),
        "{err:?}"
    );
}
