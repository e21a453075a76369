//! The pieces of the query, one encoding at a time. `tests/sql.rs` runs whole queries in DuckDB.

use super::*;
use crate::encode::{Encoder, Encoding, UnknownLevels};
use crate::schema::{Attribute, MissingPolicy, Role};
use crate::segment::KMeans;
use crate::{CsvOptions, CustomerTable, Derived};

/// The query for `schema` fitted on `csv`, with the fitted encoder.
fn query_with(
    schema: &Schema,
    csv: &str,
    unknown: UnknownLevels,
    options: &SqlOptions,
) -> (String, FittedEncoder) {
    let table = CustomerTable::from_csv_reader(csv.as_bytes(), schema, &CsvOptions::new()).unwrap();
    let encoded = Encoder::new()
        .with_unknown_levels(unknown)
        .fit_transform(&table)
        .unwrap();
    let model = KMeans::new(2)
        .with_seed(1)
        .fit(&encoded)
        .unwrap()
        .model()
        .clone();
    let sql = assignment_query(schema, &encoded.encoder, &model, options).unwrap();
    (sql, encoded.encoder)
}

fn query(schema: &Schema, csv: &str) -> (String, FittedEncoder) {
    query_with(schema, csv, UnknownLevels::Error, &SqlOptions::new())
}

fn contains(sql: &str, fragment: &str) {
    assert!(sql.contains(fragment), "missing\n  {fragment}\nin\n{sql}");
}

#[test]
fn numeric_scaling_log1p_imputation_and_missing_indicator() {
    let schema = Schema::new(vec![
        Attribute::identifier("id"),
        Attribute::numeric("spend")
            .with_log1p(true)
            .with_weight(2.0)
            .with_missing(MissingPolicy::OwnLevel),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let (sql, encoder) = query(&schema, "id,spend,age\na,10,30\nb,,40\nc,30,\nd,0,50\n");
    let Encoding::Numeric {
        center,
        scale,
        impute,
        ..
    } = &encoder.fitted_attributes()[0].encoding
    else {
        panic!("spend is numeric")
    };
    let x = format!("COALESCE(x1, {})", number(*impute));
    contains(
        &sql,
        &format!(
            "CAST((2e0 * (LN(1e0 + CASE WHEN {x} >= 0e0 THEN {x} END) - {})) / {} AS DOUBLE \
             PRECISION) AS f0",
            number(*center),
            number(*scale)
        ),
    );
    contains(
        &sql,
        "CAST(CASE WHEN x1 IS NULL THEN 2e0 ELSE 0e0 END AS DOUBLE PRECISION) AS f1",
    );
    contains(&sql, "x1 < 0e0");
    // The median of 30, 40, 50 imputes age; no missing indicator.
    contains(&sql, "COALESCE(x2, 4e1)");
    assert!(!sql.contains("f3"), "{sql}");
}

#[test]
fn categorical_one_hot_with_shares_for_missing_and_unknown_levels_refused() {
    let schema = Schema::new(vec![
        Attribute::identifier("id"),
        Attribute::categorical("region", ["north", "south"]).with_missing(MissingPolicy::Mean),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let csv = "id,region,age\na,north,1\nb,south,2\nc,north,3\nd,,4\n";
    let (sql, encoder) = query(&schema, csv);
    let Encoding::Categorical { factor, fill, .. } = &encoder.fitted_attributes()[0].encoding
    else {
        panic!("region is categorical")
    };
    let on = number(*factor);
    contains(
        &sql,
        &format!(
            "CASE WHEN v1 IS NULL THEN {} WHEN v1 = 'north' THEN {on} ELSE 0e0 END",
            number(factor * fill[0])
        ),
    );
    contains(
        &sql,
        &format!(
            "CASE WHEN v1 IS NULL THEN {} WHEN v1 = 'south' THEN {on} ELSE 0e0 END",
            number(factor * fill[1])
        ),
    );
    contains(&sql, "v1 NOT IN ('north', 'south')");
    // The cell is trimmed, and the reader's missing markers read as missing.
    contains(&sql, "TRIM(CAST(\"region\" AS VARCHAR))");
    contains(&sql, "IN ('', 'na', 'n/a', 'null', 'none'");

    let (ignoring, _) = query_with(&schema, csv, UnknownLevels::Ignore, &SqlOptions::new());
    assert!(!ignoring.contains("NOT IN"), "{ignoring}");
}

#[test]
fn missing_markers_follow_the_attribute_and_the_options() {
    let schema = Schema::new(vec![
        Attribute::categorical("plan", Vec::<String>::new())
            .with_not_missing("none")
            .with_missing_marker("Unknown"),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let csv = "plan,age\nnone,1\nbasic,2\nunknown,3\n";
    let options = SqlOptions::new().with_missing_markers(["NA", "none"]);
    let (sql, _) = query_with(&schema, csv, UnknownLevels::Error, &options);
    contains(&sql, "IN ('', 'unknown', 'na') THEN NULL");
}

#[test]
fn ordinal_ranks_fill_and_missing_indicator() {
    let schema = Schema::new(vec![
        Attribute::ordinal("size", ["s", "m", "l"])
            .with_weight(4.0)
            .with_missing(MissingPolicy::OwnLevel),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let (sql, encoder) = query(&schema, "size,age\ns,1\nl,2\n,3\nm,4\n");
    let Encoding::Ordinal { fill, .. } = &encoder.fitted_attributes()[0].encoding else {
        panic!("size is ordinal")
    };
    contains(
        &sql,
        &format!(
            "CASE WHEN v0 = 's' THEN 0e0 WHEN v0 = 'm' THEN 2e0 WHEN v0 = 'l' THEN 4e0 ELSE {} END",
            number(4.0 * fill)
        ),
    );
    contains(
        &sql,
        "CASE WHEN v0 IN ('s', 'm', 'l') THEN 0e0 ELSE 4e0 END",
    );
}

#[test]
fn booleans_read_the_readers_words_and_refuse_others() {
    let schema = Schema::new(vec![
        Attribute::boolean("member").with_missing(MissingPolicy::Mean),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let (sql, _) = query(&schema, "member,age\nyes,1\nno,2\n,3\nyes,4\n");
    contains(
        &sql,
        "IN ('true', 'yes', 'y', 't', '1', '1.0') THEN 1 WHEN LOWER(TRIM(CAST(\"member\" AS \
         VARCHAR))) IN ('false', 'no', 'n', 'f', '0', '0.0') THEN 0 ELSE -1 END AS v0",
    );
    // Two of three known values are true: a missing value is 2/3.
    contains(
        &sql,
        &format!(
            "CASE WHEN v0 = 1 THEN 1e0 WHEN v0 = 0 THEN 0e0 ELSE {} END",
            number(2.0 / 3.0)
        ),
    );
    contains(&sql, "v0 = -1");
}

#[test]
fn tags_are_read_in_trimmed_pieces() {
    let schema = Schema::new(vec![
        Attribute::tags("channels", " | "),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let (sql, _) = query(&schema, "channels,age\nweb | app,1\napp,2\nweb,3\n");
    contains(
        &sql,
        "TRIM(SPLIT_PART(TRIM(CAST(\"channels\" AS VARCHAR)), ' | ', 16)) AS t0_16",
    );
    assert!(!sql.contains("t0_17"), "{sql}");
    contains(&sql, "WHEN 'app' IN (t0_1, t0_2, t0_3");
    // 15 separators of 3 characters at most.
    contains(&sql, "LENGTH(v0) - LENGTH(REPLACE(v0, ' | ', '')) > 45");
    contains(
        &sql,
        "(v0 IS NOT NULL AND (t0_1 NOT IN ('app', 'web', '') OR t0_2 NOT IN",
    );
}

#[test]
fn derived_formulas_are_written_out() {
    let names = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let schema = Schema::new(vec![
        Attribute::numeric("web").with_role(Role::Value),
        Attribute::numeric("store").with_role(Role::Value),
        Attribute::boolean("c1").with_role(Role::Ignored),
        Attribute::boolean("c2").with_role(Role::Ignored),
        Attribute::date("joined", crate::DateFormat::Ymd).with_role(Role::Ignored),
        Attribute::numeric("born").with_role(Role::Ignored),
        Attribute::derived(
            "total",
            Derived::Sum {
                of: names(&["web", "store"]),
            },
        ),
        Attribute::derived(
            "share",
            Derived::Share {
                part: names(&["web"]),
                whole: names(&["web", "store"]),
            },
        ),
        Attribute::derived(
            "count",
            Derived::CountTrue {
                of: names(&["c1", "c2"]),
            },
        ),
        Attribute::derived(
            "days",
            Derived::DaysSince {
                of: "joined".into(),
                reference: "1970-01-11".into(),
            },
        ),
        Attribute::derived(
            "years",
            Derived::AgeAt {
                of: "joined".into(),
                reference: "2000-03-01".into(),
            },
        ),
        Attribute::derived(
            "age",
            Derived::YearsSince {
                of: "born".into(),
                reference: 2000.0,
            },
        ),
    ])
    .unwrap();
    let csv =
        "web,store,c1,c2,joined,born\n1,2,yes,no,1990-05-01,1950\n3,0,no,no,1991-01-01,1960\n\
               0,5,yes,yes,1999-12-31,1970\n";
    let (sql, _) = query(&schema, csv);
    contains(&sql, "(v0 + v1) AS x6");
    contains(&sql, "((v0) / NULLIF((v0 + v1), 0e0)) AS x7");
    contains(&sql, "CAST((v2 + v3) AS DOUBLE PRECISION) AS x8");
    contains(&sql, "(1e1 - (FLOOR(");
    contains(
        &sql,
        "(2e3 - y4 - CASE WHEN m4 > 3 OR (m4 = 3 AND d4 > 1) THEN 1 ELSE 0 END) AS x10",
    );
    contains(&sql, "(2e3 - v5) AS x11");
    contains(
        &sql,
        "CAST(EXTRACT(MONTH FROM CAST(\"joined\" AS DATE)) AS DOUBLE PRECISION) AS m4",
    );
    // Inputs that are not features are read, not output: no identifier, so every input is kept.
    contains(&sql, "\"web\" AS k0");
    contains(&sql, "k5 AS \"born\"");
}

#[test]
fn squared_distances_sum_in_the_librarys_order() {
    assert_eq!(squared_distance(&[1.0]), "((f0 - 1e0) * (f0 - 1e0))");
    assert_eq!(
        squared_distance(&[0.0, 0.0, 0.0, 0.0]),
        "((((f0 - 0e0) * (f0 - 0e0)) + ((f1 - 0e0) * (f1 - 0e0))) + (((f2 - 0e0) * (f2 - 0e0)) + \
         ((f3 - 0e0) * (f3 - 0e0))))"
    );
    let six = squared_distance(&[0.0, 0.0, 0.0, 0.0, 0.0, -2.0]);
    assert!(
        six.ends_with(" + ((f4 - 0e0) * (f4 - 0e0) + (f5 - (-2e0)) * (f5 - (-2e0))))"),
        "{six}"
    );
    let nine = squared_distance(&[0.0; 9]);
    assert!(
        nine.starts_with("(((((f0 - 0e0) * (f0 - 0e0) + (f4 - 0e0) * (f4 - 0e0)) + "),
        "{nine}"
    );
}

#[test]
fn the_nearest_centre_breaks_ties_to_the_lower_index() {
    assert_eq!(nearest(1), ("0".to_string(), "s0".to_string()));
    let (index, best) = nearest(3);
    assert_eq!(
        index,
        "CASE WHEN s0 <= s1 AND s0 <= s2 THEN 0 WHEN s1 <= s2 THEN 1 ELSE 2 END"
    );
    assert_eq!(
        best,
        "CASE WHEN s0 <= s1 AND s0 <= s2 THEN s0 WHEN s1 <= s2 THEN s1 ELSE s2 END"
    );
}

#[test]
fn the_result_has_the_identifier_persona_and_distance() {
    let schema = Schema::new(vec![
        Attribute::identifier("customer id"),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let (sql, _) = query(&schema, "customer id,age\na,1\nb,5\nc,9\n");
    contains(&sql, "\"customer id\" AS k0");
    contains(
        &sql,
        "  k0 AS \"customer id\",\n  CASE WHEN refused = 0 AND SQRT(best) <= CASE j",
    );
    contains(
        &sql,
        "THEN j END AS persona,\n  CASE WHEN refused = 0 THEN SQRT(best) END AS distance",
    );
    contains(&sql, "FROM \"customers\"\n");
}

#[test]
fn spark_quotes_with_backticks_and_escapes_with_backslashes() {
    let schema = Schema::new(vec![
        Attribute::identifier("id`x"),
        Attribute::categorical("plan's", ["a'b", "c\\d"]),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let options = SqlOptions::new()
        .with_dialect(Dialect::Spark)
        .with_table("sales.customer list");
    let csv = "id`x,plan's,age\n1,a'b,3\n2,c\\d,4\n";
    let (sql, _) = query_with(&schema, csv, UnknownLevels::Error, &options);
    contains(&sql, "`id``x` AS k0");
    contains(&sql, "TRIM(CAST(`plan's` AS STRING))");
    contains(&sql, "WHEN v1 = 'a\\'b' THEN");
    contains(&sql, "WHEN v1 = 'c\\\\d' THEN");
    contains(&sql, "AS DOUBLE) AS f0");
    contains(&sql, "FROM `sales`.`customer list`\n");
    assert!(!sql.contains('"'), "{sql}");
}

#[test]
fn wrong_models_schemas_and_tables_are_errors() {
    let schema = Schema::new(vec![Attribute::numeric("age"), Attribute::numeric("x")]).unwrap();
    let csv = "age,x\n1,2\n3,5\n4,4\n";
    let table =
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap();
    let encoded = Encoder::new().fit_transform(&table).unwrap();
    let model = KMeans::new(2).fit(&encoded).unwrap().model().clone();
    for table in ["", "a..b", "sales."] {
        let err = assignment_query(
            &schema,
            &encoded.encoder,
            &model,
            &SqlOptions::new().with_table(table),
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::InvalidParameter { name: "table", .. }),
            "{err}"
        );
    }
    let other = Schema::new(vec![Attribute::numeric("age")]).unwrap();
    let err = assignment_query(&other, &encoded.encoder, &model, &SqlOptions::new()).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidSchema { attribute, .. } if attribute == "x"),
        "{err}"
    );
    let recast = Schema::new(vec![
        Attribute::numeric("age"),
        Attribute::categorical("x", Vec::<String>::new()),
    ])
    .unwrap();
    let err = assignment_query(&recast, &encoded.encoder, &model, &SqlOptions::new()).unwrap_err();
    assert!(err.to_string().contains("as a numeric feature"), "{err}");
}

#[test]
fn a_level_sql_text_cannot_hold_is_refused() {
    let schema = Schema::new(vec![
        Attribute::categorical("plan", ["a\0b", "c"]),
        Attribute::numeric("age"),
    ])
    .unwrap();
    let table = CustomerTable::from_rows(
        &schema,
        vec![
            vec!["a\0b".into(), 1.into()],
            vec!["c".into(), 2.into()],
            vec!["c".into(), 7.into()],
        ],
    )
    .unwrap();
    let encoded = Encoder::new().fit_transform(&table).unwrap();
    let model = KMeans::new(2).fit(&encoded).unwrap().model().clone();
    let err = assignment_query(&schema, &encoded.encoder, &model, &SqlOptions::new()).unwrap_err();
    assert!(
        matches!(&err, Error::SqlUnsupported { attribute, .. } if attribute == "plan"),
        "{err}"
    );
    assert!(err.to_string().contains("NUL"), "{err}");
}

#[test]
fn the_columns_passed_through_can_be_chosen() {
    let schema = Schema::new(vec![Attribute::identifier("id"), Attribute::numeric("age")]).unwrap();
    let csv = "id,age\na,1\nb,5\nc,9\n";
    let options = SqlOptions::new().with_columns(["warehouse key", "id"]);
    let (sql, _) = query_with(&schema, csv, UnknownLevels::Error, &options);
    contains(&sql, "\"warehouse key\" AS k0,\n    \"id\" AS k1,");
    contains(&sql, "SELECT\n    k0,\n    k1,\n    0 AS refused,");
    contains(
        &sql,
        "SELECT\n  k0 AS \"warehouse key\",\n  k1 AS \"id\",\n  CASE",
    );

    let (bare, _) = query_with(
        &schema,
        csv,
        UnknownLevels::Error,
        &SqlOptions::new().with_columns(Vec::<String>::new()),
    );
    contains(&bare, "personas_distances AS (\n  SELECT\n    refused,");
    contains(&bare, "SELECT\n  CASE WHEN refused = 0 AND SQRT(best)");
    assert!(!bare.contains("k0"), "{bare}");
}
