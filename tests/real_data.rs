//! The whole pipeline on real customer data from `../shared/data` (skipped, with a printed reason,
//! when that folder is absent).

mod common;
use common::shared;

use personas::{
    Attribute, Column, CsvOptions, CustomerTable, Encoder, Facet, Inference, KMeans, Profiles,
    Role, Schema, Segmentation, Segmenter, Statistic,
};

/// Recomputes every numeric and level value in every segment's distinguishing differences from
/// the table and the labels, and checks they agree within a relative error of 1e-9.
fn check_evidence(table: &CustomerTable, segmentation: &Segmentation, profiles: &Profiles) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300);
    let mut checked = 0;
    for segment in &profiles.segments {
        let rows: Vec<usize> = segmentation
            .labels()
            .iter()
            .enumerate()
            .filter(|(_, l)| **l == Some(segment.segment))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(rows.len(), segment.size);
        let all: Vec<usize> = (0..table.n_customers()).collect();
        for d in &segment.distinguishing {
            let column = table.column(&d.attribute).unwrap();
            let value = |rows: &[usize]| -> f64 {
                match (column, d.statistic, &d.level) {
                    (Column::Numeric(v), Statistic::Mean, None) => {
                        let known: Vec<f64> = rows.iter().filter_map(|&r| v[r]).collect();
                        known.iter().sum::<f64>() / known.len() as f64
                    }
                    (Column::Levels { levels, codes }, Statistic::Share, Some(level)) => {
                        let code = levels.iter().position(|l| l == level).unwrap() as u32;
                        let known: Vec<u32> = rows.iter().filter_map(|&r| codes[r]).collect();
                        known.iter().filter(|&&c| c == code).count() as f64 / known.len() as f64
                    }
                    (Column::Boolean(v), Statistic::Share, Some(level)) => {
                        let want = level == "true";
                        let known: Vec<bool> = rows.iter().filter_map(|&r| v[r]).collect();
                        known.iter().filter(|&&b| b == want).count() as f64 / known.len() as f64
                    }
                    other => panic!("unexpected evidence shape {other:?}"),
                }
            };
            assert!(close(value(&rows), d.segment_value), "{d:?}");
            assert!(close(value(&all), d.population_value), "{d:?}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no evidence to check");
}

#[test]
fn telco_churn_inferred_schema_segments_and_exact_evidence() {
    let Some(path) = shared("telco-churn/Customer_Churn.csv") else {
        return;
    };
    let options = CsvOptions::new();
    let inference = Inference::from_csv_path(&path, &options).unwrap();
    let schema = inference.schema();
    assert_eq!(schema.identifier().unwrap().name, "customerID");
    assert_eq!(schema.get("TotalCharges").unwrap().role, Role::Value);
    assert_eq!(schema.get("Contract").unwrap().kind.name(), "categorical");
    let table = CustomerTable::from_csv_path(&path, schema, &options).unwrap();
    assert_eq!(table.n_customers(), 7043);
    // The 11 customers with tenure 0 have a single space as TotalCharges: missing, not an error.
    let missing = table.missing_counts();
    let total_charges = missing
        .iter()
        .find(|m| m.attribute == "TotalCharges")
        .unwrap();
    assert_eq!(total_charges.missing, 11);

    let features = Encoder::new()
        .fit(&table)
        .unwrap()
        .transform(&table)
        .unwrap();
    assert_eq!(features.nrows(), 7043);
    let segmentation = KMeans::new(4)
        .with_seed(7)
        .segment(features.view())
        .unwrap();
    assert_eq!(segmentation.n_segments(), 4);
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    assert_eq!(
        profiles.segments.iter().map(|s| s.size).sum::<usize>(),
        7043
    );
    let value_share: f64 = profiles
        .segments
        .iter()
        .map(|s| s.value_shares[0].share)
        .sum();
    assert!((value_share - 1.0).abs() < 1e-12, "{value_share}");
    check_evidence(&table, &segmentation, &profiles);
    // Churn differs between segments: the profiles must surface it somewhere.
    assert!(profiles
        .segments
        .iter()
        .flat_map(|s| &s.distinguishing)
        .any(|d| d.attribute == "Churn"));
}

#[test]
fn credit_scoring_missing_values_are_counted_and_imputed() {
    let Some(path) = shared("credit-scoring/credit_data.csv") else {
        return;
    };
    let options = CsvOptions::new();
    let schema = Inference::from_csv_path(&path, &options)
        .unwrap()
        .into_schema()
        .with_attribute(Attribute::categorical("Status", ["good", "bad"]).with_role(Role::Ignored))
        .unwrap();
    let table = CustomerTable::from_csv_path(&path, &schema, &options).unwrap();
    assert_eq!(table.n_customers(), 4454);
    let missing = |name: &str| {
        table
            .missing_counts()
            .into_iter()
            .find(|m| m.attribute == name)
            .unwrap()
            .missing
    };
    // The counts the data set's provenance documents.
    assert_eq!(
        [
            missing("Income"),
            missing("Assets"),
            missing("Debt"),
            missing("Home"),
            missing("Job"),
            missing("Marital")
        ],
        [381, 47, 18, 6, 2, 1]
    );
    let features = Encoder::new()
        .fit(&table)
        .unwrap()
        .transform(&table)
        .unwrap();
    assert!(features.iter().all(|x| x.is_finite()));
    let segmentation = KMeans::new(4)
        .with_seed(3)
        .segment(features.view())
        .unwrap();
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    check_evidence(&table, &segmentation, &profiles);
}

#[test]
fn mall_customers_yield_the_classic_income_and_spending_segments() {
    let Some(path) = shared("mall-customers/Mall_Customers.csv") else {
        return;
    };
    let schema = Schema::new(vec![
        Attribute::identifier("CustomerID"),
        Attribute::categorical("Genre", ["Male", "Female"]).with_role(Role::Ignored),
        Attribute::numeric("Age").with_role(Role::Value),
        Attribute::numeric("Annual Income (k$)").with_facet(Facet::Demographic),
        Attribute::numeric("Spending Score (1-100)").with_facet(Facet::Behavioural),
    ])
    .unwrap();
    let table = CustomerTable::from_csv_path(&path, &schema, &CsvOptions::new()).unwrap();
    assert_eq!(table.n_customers(), 200);
    let features = Encoder::new()
        .fit(&table)
        .unwrap()
        .transform(&table)
        .unwrap();
    let segmentation = KMeans::new(5)
        .with_seed(1)
        .segment(features.view())
        .unwrap();
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    let means: Vec<(f64, f64)> = profiles
        .segments
        .iter()
        .map(|s| {
            let mean = |name: &str| {
                s.attributes
                    .iter()
                    .find(|a| a.attribute == name)
                    .unwrap()
                    .segment
                    .mean()
                    .unwrap()
            };
            (mean("Annual Income (k$)"), mean("Spending Score (1-100)"))
        })
        .collect();
    // The well-known structure: rich spenders, rich savers, and a large middle.
    assert!(
        means.iter().any(|&(i, s)| i > 75.0 && s > 75.0),
        "{means:?}"
    );
    assert!(
        means.iter().any(|&(i, s)| i > 75.0 && s < 25.0),
        "{means:?}"
    );
    assert!(
        means
            .iter()
            .any(|&(i, s)| (45.0..65.0).contains(&i) && (40.0..60.0).contains(&s)),
        "{means:?}"
    );
}
