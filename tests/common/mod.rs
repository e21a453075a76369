//! Helpers shared by the integration tests (each test file uses some of them).
#![allow(dead_code)]

use std::path::PathBuf;

pub mod evidence;

/// The bundled sample customers, their schema, and the segments planted in them.
pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/customers.csv");
pub const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/customers.schema.json"
);
pub const PLANTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/planted_segments.csv"
);

/// Whether a missing shared data set must fail the test (`PERSONAS_REQUIRE_DATA=1`, as CI sets
/// it) instead of being skipped.
pub fn data_required() -> bool {
    std::env::var("PERSONAS_REQUIRE_DATA").is_ok_and(|v| v == "1")
}

/// A file under `../shared/data`, or `None` (with the reason printed) when it is absent; with
/// `PERSONAS_REQUIRE_DATA=1` an absent file fails the test instead.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        assert!(
            !data_required(),
            "{} is absent and PERSONAS_REQUIRE_DATA=1 requires it",
            path.display()
        );
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

/// Loads a CSV with a schema, encodes it and segments it with seeded k-means: the pipeline every
/// whole-path test starts from.
pub fn segment_csv(
    path: &std::path::Path,
    schema: &personas::Schema,
    k: usize,
    seed: u64,
) -> (
    personas::CustomerTable,
    ndarray::Array2<f64>,
    personas::Segmentation,
) {
    let table =
        personas::CustomerTable::from_csv_path(path, schema, &personas::CsvOptions::new()).unwrap();
    let features = personas::Encoder::new()
        .fit(&table)
        .unwrap()
        .transform(&table)
        .unwrap();
    let segmentation = personas::KMeans::new(k)
        .with_seed(seed)
        .segment(features.view())
        .unwrap();
    (table, features, segmentation)
}
