//! The whole pipeline on real customer data from `../shared/data` (skipped, with a printed reason,
//! when that folder is absent, unless `PERSONAS_REQUIRE_DATA=1`), every number checked by the
//! independent checker of `common::evidence`.

mod common;
use common::{evidence, shared};
use personas::persona::Drafter;

use personas::{
    Attribute, CsvOptions, CustomerTable, Encoder, Facet, Inference, KMeans, Profiles, Role,
    Schema, Segmentation,
};

/// Drafts personas from the profiles and hands the JSON, the labels and the schema JSON to the
/// independent checker, which recomputes every number from the raw CSV.
fn check_evidence(
    path: &std::path::Path,
    schema: &Schema,
    segmentation: &Segmentation,
    table: &CustomerTable,
    profiles: &Profiles,
) -> evidence::Report {
    let personas = Drafter::new().draft(profiles).unwrap();
    let mut labels = Vec::new();
    segmentation
        .write_labels_csv(table.ids(), &mut labels)
        .unwrap();
    let report = evidence::check_run(
        path,
        &schema.to_json().unwrap(),
        &personas.to_json().unwrap(),
        &String::from_utf8(labels).unwrap(),
    );
    assert_eq!(report.personas, segmentation.n_segments());
    assert!(report.numbers > 100, "{report:?}");
    report
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
    let report = check_evidence(&path, schema, &segmentation, &table, &profiles);
    assert!(report.claims > 0, "{report:?}");
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
    let report = check_evidence(&path, &schema, &segmentation, &table, &profiles);
    assert!(report.claims > 0, "{report:?}");
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
    check_evidence(&path, &schema, &segmentation, &table, &profiles);
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
