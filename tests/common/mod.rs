//! Helpers shared by the integration tests (each test file uses some of them).
#![allow(dead_code)]

use std::path::PathBuf;

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

/// A file under `../shared/data`, or `None` (with the reason printed) when it is absent; with
/// `PERSONAS_REQUIRE_DATA=1` in the environment an absent file fails the test instead.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else if std::env::var("PERSONAS_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("{} is absent and PERSONAS_REQUIRE_DATA=1", path.display());
    } else {
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
    use personas::Segmenter;
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
