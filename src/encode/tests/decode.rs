//! Tests of decoding back to original units.

use super::*;

#[test]
fn decoding_the_mean_of_encoded_rows_gives_original_unit_means_and_shares() {
    for scaling in [
        Scaling::ZScore,
        Scaling::Robust,
        Scaling::MinMax,
        Scaling::None,
    ] {
        let mut attributes = mixed(1.7);
        attributes[0] = Attribute::numeric("x")
            .with_scaling(scaling)
            .with_weight(3.0);
        let e = encode(attributes, MIXED);
        let centroid = mean_row(&e.features);
        let d = e.encoder.decode(centroid.view()).unwrap();
        let names: Vec<_> = d.iter().map(|a| a.attribute.as_str()).collect();
        assert_eq!(names, ["x", "c", "o", "b", "t"]);
        assert_abs_diff_eq!(numeric_value(&d[0].value), 4.5, epsilon = EPS);
        match &d[1].value {
            DecodedValue::Categorical {
                shares,
                nearest,
                missing_share: None,
            } => {
                assert_close(&share_values(shares), &[0.5, 0.25, 0.25]);
                assert_eq!(nearest, "a");
            }
            other => panic!("{other:?}"),
        }
        match &d[2].value {
            // Ranks 0, 1, 2, 1: mean 1.
            DecodedValue::Ordinal { rank, nearest, .. } => {
                assert_abs_diff_eq!(*rank, 1.0, epsilon = EPS);
                assert_eq!(nearest, "M");
            }
            other => panic!("{other:?}"),
        }
        match &d[3].value {
            DecodedValue::Boolean { share_true, .. } => {
                assert_abs_diff_eq!(*share_true, 0.5, epsilon = EPS)
            }
            other => panic!("{other:?}"),
        }
        match &d[4].value {
            DecodedValue::Tags { shares, .. } => {
                let levels: Vec<_> = shares.iter().map(|s| s.level.as_str()).collect();
                assert_eq!(levels, ["email", "shop", "web"]);
                assert_close(&share_values(shares), &[0.25, 0.5, 0.5]);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn decoding_log1p_inverts_a_row_exactly_and_a_mean_to_the_log_mean() {
    let attributes = vec![Attribute::numeric("spend")
        .with_log1p(true)
        .with_weight(2.0)];
    let values: [f64; 4] = [0.0, 12.5, 99.0, 1234.5];
    let csv = format!("spend\n{}\n", values.map(|v| v.to_string()).join("\n"));
    let e = encode(attributes, &csv);
    for (i, v) in values.iter().enumerate() {
        let row = e.features.row(i).to_owned();
        let back = numeric_value(&decoded(&e.encoder, &row, "spend"));
        assert_abs_diff_eq!(back, *v, epsilon = EPS * v.max(1.0));
    }
    let log_mean = values.iter().map(|v| v.ln_1p()).sum::<f64>() / 4.0;
    let back = numeric_value(&decoded(&e.encoder, &mean_row(&e.features), "spend"));
    assert_abs_diff_eq!(back, log_mean.exp_m1(), epsilon = EPS);
}

#[test]
fn decode_rejects_a_point_of_the_wrong_length() {
    let e = encode(mixed(1.0), MIXED);
    let err = e.encoder.decode(Array1::zeros(3).view()).unwrap_err();
    assert!(matches!(
        err,
        Error::ShapeMismatch {
            expected: 9,
            found: 3,
            ..
        }
    ));
    let mut nan = Array1::zeros(9);
    nan[4] = f64::NAN;
    let err = e.encoder.decode(nan.view()).unwrap_err();
    assert!(matches!(err, Error::NonFiniteFeature { column: 4, .. }));
}
