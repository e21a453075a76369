//! Schema inference on real customer files from `../shared/data`: what must hold on any customer
//! file (ids and codes never averaged, outcomes reported and not clustered, each quantity
//! clustered once, a value measure that varies, durations from dates), checked on every shared
//! data set, and the specific reading of a few well-known columns.

mod common;

use common::shared;
use personas::{
    AttributeKind, CsvOptions, CustomerTable, Derived, Encoder, Inference, Role, Schema,
    ZeroVariance,
};

/// The shared files that hold one row per customer.
const CUSTOMER_FILES: &[&str] = &[
    "telco-churn/Customer_Churn.csv",
    "credit-scoring/credit_data.csv",
    "mall-customers/Mall_Customers.csv",
    "wholesale-customers/Wholesale customers data.csv",
];

/// The raw cells of a CSV, read with the csv crate alone.
fn raw(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(|c| c.trim().to_string()).collect())
        .collect();
    (header, rows)
}

fn numbers(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<Option<f64>> {
    let c = header.iter().position(|h| h == name).unwrap();
    rows.iter().map(|r| r[c].parse::<f64>().ok()).collect()
}

fn correlation(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pairs.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = pairs.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    let syy: f64 = pairs.iter().map(|(_, y)| (y - my).powi(2)).sum();
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn infer(path: &std::path::Path) -> Inference {
    Inference::from_csv_path(path, &CsvOptions::new()).unwrap()
}

#[test]
fn on_every_customer_file_ids_outcomes_duplicates_and_value_are_read_soundly() {
    let mut checked = 0;
    for relative in CUSTOMER_FILES {
        let Some(path) = shared(relative) else {
            continue;
        };
        let inference = infer(&path);
        let schema = inference.schema();
        let (header, rows) = raw(&path);
        assert!(
            inference.repeated_rows().is_none(),
            "{relative}: {inference}"
        );

        // Inference is deterministic: the same file gives the same schema JSON.
        assert_eq!(
            infer(&path).schema().to_json().unwrap(),
            schema.to_json().unwrap()
        );

        // What the encoder clusters on: never the id, never an outcome.
        let table = CustomerTable::from_csv_path(&path, schema, &CsvOptions::new()).unwrap();
        assert_eq!(
            table.n_customers(),
            rows.len(),
            "{relative}: every row is a customer"
        );
        let encoder = Encoder::new()
            .with_zero_variance(ZeroVariance::Error)
            .fit(&table)
            .unwrap_or_else(|e| panic!("{relative}: a constant feature was clustered: {e}"));
        let clustered: Vec<&str> = encoder.encoded_attributes().collect();
        for a in schema.attributes() {
            if matches!(a.role, Role::Identifier | Role::Outcome) {
                assert!(
                    !clustered.contains(&a.name.as_str()),
                    "{relative}: {}",
                    a.name
                );
            }
        }
        // A column whose every value is a distinct whole number in a near-consecutive run is
        // a row number or id, and is never averaged.
        for name in &header {
            let values = numbers(&header, &rows, name);
            let Some(mut whole) = values
                .iter()
                .map(|v| v.filter(|x| x.fract() == 0.0))
                .collect::<Option<Vec<f64>>>()
            else {
                continue;
            };
            whole.sort_by(f64::total_cmp);
            let distinct = whole.windows(2).all(|w| w[0] < w[1]);
            let run = whole.last().unwrap() - whole[0] < 1.5 * whole.len() as f64;
            if distinct && run {
                assert_ne!(
                    schema.get(name).unwrap().role,
                    Role::Feature,
                    "{relative}: {name}"
                );
            }
        }
        // Each quantity is clustered once: no two clustered numeric columns correlate at 0.98.
        let numeric: Vec<&str> = schema
            .features()
            .filter(|a| matches!(a.kind, AttributeKind::Numeric { .. }) && !a.is_derived())
            .map(|a| a.name.as_str())
            .collect();
        for (i, a) in numeric.iter().enumerate() {
            for b in &numeric[i + 1..] {
                let r = correlation(&numbers(&header, &rows, a), &numbers(&header, &rows, b));
                assert!(
                    r.is_none_or(|r| r.abs() < 0.98),
                    "{relative}: {a} ~ {b}: {r:?}"
                );
            }
        }
        // The value measure, when there is one, varies between customers.
        for value in schema.attributes().iter().filter(|a| a.role == Role::Value) {
            let values: Vec<f64> = match &value.derived {
                Some(Derived::Sum { of }) => (0..rows.len())
                    .filter_map(|r| {
                        of.iter()
                            .map(|n| numbers(&header, &rows, n)[r])
                            .sum::<Option<f64>>()
                    })
                    .collect(),
                _ => numbers(&header, &rows, &value.name)
                    .into_iter()
                    .flatten()
                    .collect(),
            };
            let first = values[0];
            assert!(
                values.iter().any(|v| *v != first),
                "{relative}: {} is constant",
                value.name
            );
        }
        checked += 1;
    }
    if std::env::var("PERSONAS_REQUIRE_DATA").is_ok_and(|v| v == "1") {
        assert_eq!(checked, CUSTOMER_FILES.len(), "shared data is required");
    }
}

#[test]
fn known_columns_of_real_files_are_read_for_what_they_are() {
    type Check = dyn Fn(&Schema);
    let cases: &[(&str, &Check)] = &[
        ("telco-churn/Customer_Churn.csv", &|s| {
            assert_eq!(s.get("Churn").unwrap().role, Role::Outcome);
            assert_eq!(s.get("customerID").unwrap().role, Role::Identifier);
            assert_eq!(s.get("TotalCharges").unwrap().role, Role::Value);
        }),
        ("credit-scoring/credit_data.csv", &|s| {
            // "good"/"bad" credit status is the outcome a lender cares about.
            assert_eq!(s.get("Status").unwrap().role, Role::Outcome);
            // A loan amount is not spend: no value measure is invented.
            assert!(s.attributes().iter().all(|a| a.role != Role::Value));
        }),
        ("mall-customers/Mall_Customers.csv", &|s| {
            // A numeric customer id is an id, not a quantity to average.
            assert_eq!(s.get("CustomerID").unwrap().role, Role::Identifier);
        }),
        ("wholesale-customers/Wholesale customers data.csv", &|s| {
            // Channel (1, 2) and Region (1, 2, 3) are codes, not quantities.
            assert_eq!(s.get("Channel").unwrap().kind.name(), "categorical");
            assert_eq!(s.get("Region").unwrap().kind.name(), "categorical");
            // Spend per product category adds up to the value measure.
            let value: Vec<_> = s
                .attributes()
                .iter()
                .filter(|a| a.role == Role::Value)
                .collect();
            assert_eq!(value.len(), 1);
            let Some(Derived::Sum { of }) = &value[0].derived else {
                panic!("the value measure is not a derived total");
            };
            assert_eq!(of.len(), 6);
        }),
    ];
    let mut checked = 0;
    for (relative, check) in cases {
        let Some(path) = shared(relative) else {
            continue;
        };
        check(infer(&path).schema());
        checked += 1;
    }
    if std::env::var("PERSONAS_REQUIRE_DATA").is_ok_and(|v| v == "1") {
        assert_eq!(checked, cases.len(), "shared data is required");
    }
}

#[test]
fn order_lines_are_not_taken_for_customers_and_their_dates_become_durations() {
    let Some(path) = shared("superstore/superstore.csv") else {
        return;
    };
    let inference = infer(&path);
    let repeated = inference
        .repeated_rows()
        .expect("order lines are not customers");
    let (header, rows) = raw(&path);
    let c = header.iter().position(|h| h == &repeated.column).unwrap();
    let mut ids: Vec<&str> = rows.iter().map(|r| r[c].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((repeated.rows, repeated.distinct), (rows.len(), ids.len()));
    assert!(repeated.distinct < repeated.rows);
    // Every date column becomes a duration in days to the newest date in the file.
    let schema = inference.schema();
    let dates: Vec<_> = schema
        .attributes()
        .iter()
        .filter(|a| a.kind.name() == "date")
        .collect();
    assert!(!dates.is_empty());
    for date in dates {
        assert_ne!(date.role, Role::Feature, "a raw date is never clustered");
        let derived = schema.attributes().iter().any(|a| {
            matches!(&a.derived, Some(Derived::DaysSince { of, reference })
                if of == &date.name && Some(reference.as_str()) == inference.reference_date())
        });
        assert!(derived, "{} has no duration", date.name);
    }
    let newest = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.contains("Date"))
        .flat_map(|(c, _)| rows.iter().map(move |r| r[c].clone()))
        .max()
        .unwrap();
    assert_eq!(inference.reference_date(), Some(newest.as_str()));
}
