//! The whole pipeline on the bundled sample data recovers the planted segments.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{segment_csv, DATA, PLANTED, SCHEMA};
use personas::segment::metrics::adjusted_rand_index;
use personas::segment::AutoK;
use personas::{CsvOptions, CustomerTable, Encoder, KMeans, Profiles, Schema};

/// The bundled customers' feature matrix and each customer's planted segment, in row order.
fn bundled_features_and_planted() -> (ndarray::Array2<f64>, Vec<String>) {
    let schema = Schema::from_json_file(SCHEMA).unwrap();
    let table = CustomerTable::from_csv_path(DATA, &schema, &CsvOptions::new()).unwrap();
    let features = Encoder::new()
        .fit(&table)
        .unwrap()
        .transform(&table)
        .unwrap();
    let planted = planted_by_id();
    let truth = table.ids().iter().map(|id| planted[id].clone()).collect();
    (features, truth)
}

fn planted_by_id() -> HashMap<String, String> {
    let mut reader = csv::Reader::from_path(PLANTED).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect()
}

#[test]
fn planted_segments_are_recovered_with_ari_at_least_0_9() {
    let (features, truth) = bundled_features_and_planted();
    for seed in [1, 42] {
        let segmentation = KMeans::new(5)
            .with_seed(seed)
            .segment(features.view())
            .unwrap();
        let found: Vec<usize> = segmentation
            .labels()
            .iter()
            .map(|l| l.unwrap().index())
            .collect();
        let ari = adjusted_rand_index(&truth, &found).unwrap();
        assert!(ari >= 0.9, "seed {seed}: ARI {ari}");
    }
}

#[test]
fn auto_k_finds_the_five_planted_segments() {
    let (features, truth) = bundled_features_and_planted();
    // The seed the `segment` example uses by default.
    let choice = AutoK::default()
        .with_seed(42)
        .with_n_init(3)
        .fit(features.view())
        .unwrap();
    assert_eq!(choice.k(), 5, "{}", choice.table());
    let a = choice.assessment();
    assert!(!a.on_edge, "{:?}", a.warnings);
    assert!(a.scores.iter().all(|s| s.stability.is_some()));
    let found: Vec<usize> = choice
        .segmentation()
        .labels()
        .iter()
        .map(|l| l.unwrap().index())
        .collect();
    let ari = adjusted_rand_index(&truth, &found).unwrap();
    assert!(ari >= 0.9, "ARI {ari}");
}

#[test]
fn the_same_run_twice_gives_identical_json() {
    let run = || {
        let schema = Schema::from_json_file(SCHEMA).unwrap();
        let (table, _, segmentation) = segment_csv(Path::new(DATA), &schema, 5, 9);
        Profiles::new(&table, &segmentation)
            .unwrap()
            .to_json()
            .unwrap()
    };
    assert_eq!(run(), run());
}
