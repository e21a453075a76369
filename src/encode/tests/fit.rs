//! Tests of fitting: the encodings, missing values, zero variance, overflow.

use super::*;
use crate::encode::fit::{fit_attribute, median_unsorted, quantile, Fit};
use crate::table::Column;

#[test]
fn z_score_uses_mean_and_population_sd() {
    let e = encode(vec![Attribute::numeric("x")], "x\n1\n2\n3\n4\n");
    let sd = 1.25f64.sqrt();
    assert_close(
        &column_of(&e, 0),
        &[-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd],
    );
    assert_eq!(
        e.encoder.columns(),
        [FeatureColumn {
            attribute: "x".into(),
            level: None,
            kind: FeatureKind::Numeric
        }]
    );
}

#[test]
fn robust_uses_median_and_iqr_and_falls_back_to_sd() {
    let x = Attribute::numeric("x").with_scaling(Scaling::Robust);
    // Quartiles 2 and 4, median 3: the outlier does not move the scale.
    let e = encode(vec![x.clone()], "x\n1\n2\n3\n4\n100\n");
    assert_close(&column_of(&e, 0), &[-1.0, -0.5, 0.0, 0.5, 48.5]);
    // IQR 0 (quartiles both 1): the population sd (1.6) scales instead, around median 1.
    let e = encode(vec![x], "x\n1\n1\n1\n1\n5\n");
    assert_close(&column_of(&e, 0), &[0.0, 0.0, 0.0, 0.0, 4.0 / 1.6]);
}

#[test]
fn min_max_maps_onto_zero_one_and_none_keeps_units() {
    let e = encode(
        vec![
            Attribute::numeric("a").with_scaling(Scaling::MinMax),
            Attribute::numeric("b").with_scaling(Scaling::None),
        ],
        "a,b\n10,-3\n20,7.5\n30,0\n",
    );
    assert_close(&column_of(&e, 0), &[0.0, 0.5, 1.0]);
    assert_close(&column_of(&e, 1), &[-3.0, 7.5, 0.0]);
}

#[test]
fn log1p_is_applied_before_scaling_and_rejects_negatives() {
    let e1 = std::f64::consts::E - 1.0;
    let e2 = std::f64::consts::E.powi(2) - 1.0;
    let spend = Attribute::numeric("spend").with_log1p(true);
    let e = encode(vec![spend.clone()], &format!("spend\n0\n{e1}\n{e2}\n"));
    // ln(1 + x) = 0, 1, 2: mean 1, population sd sqrt(2/3).
    let sd = (2.0f64 / 3.0).sqrt();
    assert_close(&column_of(&e, 0), &[-1.0 / sd, 0.0, 1.0 / sd]);

    let schema = Schema::new(vec![spend]).unwrap();
    let bad =
        CustomerTable::from_csv_reader("spend\n1\n-0.5\n".as_bytes(), &schema, &CsvOptions::new())
            .unwrap();
    let err = Encoder::new().fit(&bad).unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 2, column, .. } if column == "spend"),
        "{err}"
    );
    let err = e.encoder.transform(&bad).unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 2, column, .. } if column == "spend"),
        "{err}"
    );
}

#[test]
fn one_hot_block_has_total_variance_one() {
    let e = encode(
        vec![learned("c"), Attribute::numeric("x")],
        "c,x\na,1\na,2\na,3\nb,4\nc,5\nc,6\nd,7\n",
    );
    let levels: Vec<_> = e.encoder.columns()[..4]
        .iter()
        .map(|c| (c.level.clone().unwrap(), c.kind))
        .collect();
    assert_eq!(
        levels,
        [
            ("a".to_string(), FeatureKind::Level),
            ("b".to_string(), FeatureKind::Level),
            ("c".to_string(), FeatureKind::Level),
            ("d".to_string(), FeatureKind::Level),
        ]
    );
    let block_variance: f64 = (0..4).map(|j| e.features.column(j).var(0.0)).sum();
    assert_abs_diff_eq!(block_variance, 1.0, epsilon = EPS);
    // The same total variance as the z-scored numeric column beside it.
    assert_abs_diff_eq!(e.features.column(4).var(0.0), 1.0, epsilon = EPS);
    // Rows are a scaled one-hot: a's column is f where the level is a, 0 elsewhere.
    let p = [3.0 / 7.0, 1.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0];
    let f = 1.0 / (1.0 - p.iter().map(|q: &f64| q * q).sum::<f64>()).sqrt();
    assert_close(&column_of(&e, 0), &[f, f, f, 0.0, 0.0, 0.0, 0.0]);
}

#[test]
fn ordinal_rank_is_scaled_to_unit_interval() {
    let e = encode(
        vec![Attribute::ordinal("size", ["S", "M", "L"])],
        "size\nL\nS\nM\nS\n",
    );
    assert_close(&column_of(&e, 0), &[1.0, 0.0, 0.5, 0.0]);
    assert_eq!(e.encoder.columns()[0].kind, FeatureKind::Rank);
}

#[test]
fn boolean_is_zero_one() {
    let e = encode(
        vec![Attribute::boolean("member")],
        "member\nyes\nno\ntrue\n0\n",
    );
    assert_close(&column_of(&e, 0), &[1.0, 0.0, 1.0, 0.0]);
}

#[test]
fn tags_are_multi_hot() {
    let e = encode(
        vec![Attribute::tags("ch", ";")],
        "ch\nweb;email\nshop\nweb\nx\n",
    );
    // Learned tags sorted: email, shop, web, x. An empty cell is missing, so use "x".
    let tags: Vec<_> = e
        .encoder
        .columns()
        .iter()
        .map(|c| c.level.clone().unwrap())
        .collect();
    assert_eq!(tags, ["email", "shop", "web", "x"]);
    assert_eq!(
        e.features,
        array![
            [1.0, 0.0, 1.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0]
        ]
    );
}

#[test]
fn weights_multiply_every_column_of_their_attribute() {
    let one = encode(mixed(1.0), MIXED);
    let two = encode(mixed(2.5), MIXED);
    assert_eq!(one.features.dim(), (4, 1 + 3 + 1 + 1 + 3));
    for (a, b) in one.features.iter().zip(two.features.iter()) {
        assert_abs_diff_eq!(2.5 * a, *b, epsilon = EPS);
    }
    assert!(one.features.iter().any(|x| *x != 0.0));
}

#[test]
fn numeric_missing_values_are_imputed_by_policy() {
    // Known values 1, 2, 2, 7: mean 3, median 2, mode 2. Scaling None shows the imputed value.
    let csv = "x\n1\n2\nNA\n2\n7\n";
    let encode_with = |policy| {
        encode(
            vec![Attribute::numeric("x")
                .with_scaling(Scaling::None)
                .with_missing(policy)],
            csv,
        )
    };
    assert_abs_diff_eq!(encode_with(MissingPolicy::Mean).features[[2, 0]], 3.0);
    assert_abs_diff_eq!(encode_with(MissingPolicy::Median).features[[2, 0]], 2.0);
    let even = encode(
        vec![Attribute::numeric("x")
            .with_scaling(Scaling::None)
            .with_missing(MissingPolicy::Median)],
        "x\n7\n1\nNA\n4\n2\n",
    );
    assert_abs_diff_eq!(even.features[[2, 0]], 3.0);
    let odd = encode(
        vec![Attribute::numeric("x").with_scaling(Scaling::None)],
        "x\n9\nNA\n1\n5\n",
    );
    assert_abs_diff_eq!(odd.features[[1, 0]], 5.0);
    let robust = encode(
        vec![Attribute::numeric("x")
            .with_scaling(Scaling::Robust)
            .with_missing(MissingPolicy::Median)],
        "x\n7\n1\nNA\n4\n2\n",
    );
    // Sorted 1 2 4 7: median 3 (the centre, so 0), quartiles 1.75 and 4.75.
    assert_abs_diff_eq!(robust.features[[2, 0]], 0.0);
    assert_abs_diff_eq!(robust.features[[0, 0]], 4.0 / 3.0, epsilon = EPS);
    let modal = encode(
        vec![Attribute::numeric("x")
            .with_scaling(Scaling::None)
            .with_missing(MissingPolicy::Mode)],
        "x\n1\n5\nNA\n5\n2\n2.5\n",
    );
    assert_abs_diff_eq!(modal.features[[2, 0]], 5.0);
    // The default policy for numeric attributes is the median.
    let default = encode(
        vec![Attribute::numeric("x").with_scaling(Scaling::None)],
        csv,
    );
    assert_abs_diff_eq!(default.features[[2, 0]], 2.0);

    let own = encode_with(MissingPolicy::OwnLevel);
    assert_eq!(own.encoder.n_features(), 2);
    assert_eq!(
        own.encoder.columns()[1],
        FeatureColumn {
            attribute: "x".into(),
            level: Some(MISSING_LEVEL.into()),
            kind: FeatureKind::Missing
        }
    );
    assert_close(&column_of(&own, 0), &[1.0, 2.0, 3.0, 2.0, 7.0]);
    assert_close(&column_of(&own, 1), &[0.0, 0.0, 1.0, 0.0, 0.0]);
    let d = own.encoder.decode(mean_row(&own.features).view()).unwrap();
    assert_eq!(
        d[0].value,
        DecodedValue::Numeric {
            value: 3.0,
            missing_share: Some(0.2)
        }
    );
}

#[test]
fn imputed_numeric_values_are_in_original_units_before_log_and_scaling() {
    let e = encode(
        vec![Attribute::numeric("x")
            .with_log1p(true)
            .with_scaling(Scaling::None)
            .with_missing(MissingPolicy::Mean)],
        "x\n0\nNA\n8\n",
    );
    // The mean of 0 and 8 is 4, then ln(1 + 4), not the mean of the logs.
    assert_abs_diff_eq!(e.features[[1, 0]], 5.0f64.ln(), epsilon = EPS);
}

#[test]
fn categorical_missing_values_follow_policy() {
    let csv = "c\na\nb\nNA\na\nc\n";
    let with = |policy| encode(vec![learned("c").with_missing(policy)], csv);
    let shares = [0.5, 0.25, 0.25];
    let f = 1.0 / (1.0 - shares.iter().map(|p| p * p).sum::<f64>()).sqrt();

    let mode = with(MissingPolicy::Mode);
    assert_close(&mode.features.row(2).to_vec(), &[f, 0.0, 0.0]);
    let median = with(MissingPolicy::Median);
    assert_close(&median.features.row(2).to_vec(), &[f, 0.0, 0.0]);
    let mean = with(MissingPolicy::Mean);
    assert_close(
        &mean.features.row(2).to_vec(),
        &[0.5 * f, 0.25 * f, 0.25 * f],
    );

    let own = with(MissingPolicy::OwnLevel);
    // Four columns; shares over all five customers with (missing) as a level.
    let p = [0.4, 0.2, 0.2, 0.2];
    let g = 1.0 / (1.0 - p.iter().map(|q| q * q).sum::<f64>()).sqrt();
    assert_eq!(
        own.encoder.columns()[3].level.as_deref(),
        Some(MISSING_LEVEL)
    );
    assert_close(&own.features.row(2).to_vec(), &[0.0, 0.0, 0.0, g]);
    assert_close(&own.features.row(0).to_vec(), &[g, 0.0, 0.0, 0.0]);
    let total: f64 = (0..4).map(|j| own.features.column(j).var(0.0)).sum();
    assert_abs_diff_eq!(total, 1.0, epsilon = EPS);
    match decoded(&own.encoder, &mean_row(&own.features), "c") {
        DecodedValue::Categorical {
            shares,
            missing_share,
            ..
        } => {
            assert_close(&share_values(&shares), &[0.4, 0.2, 0.2]);
            assert_abs_diff_eq!(missing_share.unwrap(), 0.2, epsilon = EPS);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ordinal_missing_values_follow_policy() {
    // Known ranks 0, 2, 2, 3 of 4 levels: mean 1.75, lower median 2, mode 2.
    let csv = "o\nA\nC\nNA\nC\nD\n";
    let with = |policy| {
        encode(
            vec![Attribute::ordinal("o", ["A", "B", "C", "D"]).with_missing(policy)],
            csv,
        )
    };
    assert_abs_diff_eq!(with(MissingPolicy::Mean).features[[2, 0]], 1.75 / 3.0);
    assert_abs_diff_eq!(with(MissingPolicy::Median).features[[2, 0]], 2.0 / 3.0);
    assert_abs_diff_eq!(with(MissingPolicy::Mode).features[[2, 0]], 2.0 / 3.0);
    let lower = encode(
        vec![Attribute::ordinal("o", ["A", "B", "C", "D"]).with_missing(MissingPolicy::Median)],
        "o\nA\nB\nNA\nC\nD\n",
    );
    assert_abs_diff_eq!(lower.features[[2, 0]], 1.0 / 3.0);
    let own = with(MissingPolicy::OwnLevel);
    assert_close(&own.features.row(2).to_vec(), &[1.75 / 3.0, 1.0]);
    assert_close(&own.features.row(0).to_vec(), &[0.0, 0.0]);
}

#[test]
fn boolean_and_tag_missing_values_follow_policy() {
    // Booleans: 2 true of 3 known. Tags: web 2/3, shop 1/3, email 1/3.
    let csv = "b,t\nyes,web\nno,web;shop\nNA,NA\nyes,email\n";
    let with = |policy| {
        encode(
            vec![
                Attribute::boolean("b").with_missing(policy),
                Attribute::tags("t", ";").with_missing(policy),
            ],
            csv,
        )
    };
    let mode = with(MissingPolicy::Mode);
    assert_close(&mode.features.row(2).to_vec(), &[1.0, 0.0, 0.0, 1.0]);
    let median = with(MissingPolicy::Median);
    assert_close(&median.features.row(2).to_vec(), &[1.0, 0.0, 0.0, 1.0]);
    let mean = with(MissingPolicy::Mean);
    assert_close(
        &mean.features.row(2).to_vec(),
        &[2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0],
    );
    let own = with(MissingPolicy::OwnLevel);
    let kinds: Vec<_> = own.encoder.columns().iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            FeatureKind::Boolean,
            FeatureKind::Missing,
            FeatureKind::Tag,
            FeatureKind::Tag,
            FeatureKind::Tag,
            FeatureKind::Missing
        ]
    );
    assert_close(
        &own.features.row(2).to_vec(),
        &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
    );
    assert_close(
        &own.features.row(0).to_vec(),
        &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
    );
}

#[test]
fn zero_variance_attributes_are_dropped_with_a_warning_or_rejected() {
    let attributes = vec![
        Attribute::numeric("x"),
        Attribute::numeric("flat"),
        learned("c"),
        Attribute::tags("t", ";"),
    ];
    let csv = "x,flat,c,t\n1,3,a,web;shop\n2,3,a,shop;web\n4,NA,NA,web;shop\n";
    let t = table(attributes, csv);
    let fitted = Encoder::new().fit(&t).unwrap();
    assert_eq!(fitted.encoded_attributes().collect::<Vec<_>>(), ["x"]);
    assert_eq!(fitted.n_features(), 1);
    assert_eq!(fitted.transform(&t).unwrap().ncols(), 1);
    assert_eq!(
        fitted.warnings(),
        [
            "column `flat` has the same value (3) for every customer and was dropped",
            "column `c` has the same value (a) for every customer and was dropped",
            "column `t` has the same value (shop;web) for every customer and was dropped",
        ]
    );
    let err = Encoder::new()
        .with_zero_variance(ZeroVariance::Error)
        .fit(&t)
        .unwrap_err();
    assert!(
        matches!(&err, Error::ZeroVariance { column, value } if column == "flat" && value == "3"),
        "{err}"
    );
    // Nothing left to encode: the first constant attribute is the error.
    let only_flat = table(vec![Attribute::boolean("b")], "b\nyes\nyes\n");
    let err = Encoder::new().fit(&only_flat).unwrap_err();
    assert!(matches!(&err, Error::ZeroVariance { column, .. } if column == "b"));
}

#[test]
fn a_column_with_every_value_missing_is_an_error() {
    for attribute in [
        Attribute::numeric("m"),
        learned("m"),
        Attribute::ordinal("m", ["lo", "hi"]),
        Attribute::boolean("m"),
        Attribute::tags("m", ";"),
    ] {
        let t = table(vec![Attribute::numeric("x"), attribute], "x,m\n1,NA\n2,\n");
        let err = Encoder::new().fit(&t).unwrap_err();
        assert!(
            matches!(&err, Error::AllMissing { column } if column == "m"),
            "{err}"
        );
    }
}

#[test]
fn only_feature_attributes_are_encoded() {
    let t = table(
        vec![
            Attribute::identifier("id"),
            Attribute::numeric("x"),
            Attribute::numeric("revenue").with_role(Role::Value),
            Attribute::numeric("skip").with_role(Role::Ignored),
        ],
        "id,x,revenue,skip\na,1,10,q\nb,2,20,r\n",
    );
    let fitted = Encoder::new().fit(&t).unwrap();
    assert_eq!(fitted.encoded_attributes().collect::<Vec<_>>(), ["x"]);
    assert_eq!(fitted.columns_of("x"), Some(0..1));
    assert_eq!(fitted.columns_of("revenue"), None);
    let none = table(vec![Attribute::identifier("id")], "id\na\n");
    assert!(matches!(Encoder::new().fit(&none), Err(Error::NoFeatures)));
}

#[test]
fn statistics_that_overflow_are_an_error_naming_the_column() {
    // Tables may cap magnitudes, so the values go to the attribute fit directly.
    let fit = |scaling, policy, values: &[f64]| {
        let attribute = Attribute::numeric("a")
            .with_scaling(scaling)
            .with_missing(policy);
        let column = Column::Numeric(values.iter().copied().map(Some).collect());
        fit_attribute(&attribute, &column, values.len())
    };
    let big = [1e308, 1.5e308];
    let wide = [-1e308, 1e308];
    for (scaling, policy, values) in [
        // The sum behind the mean (with the default policy, the case once filed as constant).
        (Scaling::ZScore, MissingPolicy::Median, &big),
        (Scaling::MinMax, MissingPolicy::Mean, &big),
        (Scaling::None, MissingPolicy::OwnLevel, &big),
        // The squares behind the variance.
        (Scaling::ZScore, MissingPolicy::Median, &wide),
        // The range.
        (Scaling::MinMax, MissingPolicy::Median, &wide),
    ] {
        let err = match fit(scaling, policy, values) {
            Err(err) => err,
            Ok(_) => panic!("{scaling:?} {policy:?} {values:?} fitted"),
        };
        assert!(
            matches!(&err, Error::Overflow { column } if column == "a"),
            "{scaling:?} {policy:?}: {err}"
        );
        assert!(
            err.to_string()
                .starts_with("column `a`: values are too large to compute with"),
            "{err}"
        );
    }
    // Statistics that stay finite are fine, however large the values: medians, quantiles
    // and ranges that do not overflow.
    for (scaling, values) in [
        (Scaling::Robust, &big),
        (Scaling::Robust, &wide),
        (Scaling::MinMax, &big),
    ] {
        match fit(scaling, MissingPolicy::Median, values) {
            Ok(Fit::Encoded(Encoding::Numeric {
                center,
                scale,
                impute,
                ..
            })) => {
                assert!(center.is_finite() && scale > 0.0 && scale.is_finite());
                assert!(impute.is_finite());
            }
            Ok(_) => panic!("{scaling:?} {values:?} not encoded"),
            Err(err) => panic!("{scaling:?} {values:?}: {err}"),
        }
    }
    assert_eq!(median_unsorted(&mut [1e308, 1.5e308]), 1.25e308);
    assert_eq!(quantile(&[-1e308, 1e308], 0.0), -1e308);
    assert_eq!(quantile(&[-1e308, 1e308], 0.25), -0.5e308);
}
