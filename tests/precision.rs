//! The `f32` feature matrix: a fit on it is the fit on the `f64` matrix of the same rounded
//! values, bit for bit; against the unrounded `f64` fit it stays within the documented
//! tolerance; the pipeline records the precision and the encoder refuses values `f32` cannot
//! hold.

mod common;

use ndarray::Array2;
use personas::model::{ModelOptions, PersonaModel};
use personas::sample::Blobs;
use personas::segment::stability::Stability;
use personas::segment::{adjusted_rand_index, metrics};
use personas::{
    Attribute, AutoK, CsvOptions, CustomerTable, Dbscan, Encoder, Error, FeatureMatrix, Init,
    KMeans, Precision, Scaling, Schema, Segmenter,
};

fn rounded(x: &Array2<f64>) -> (Array2<f32>, Array2<f64>) {
    let narrow = x.mapv(|v| v as f32);
    let wide = narrow.mapv(f64::from);
    (narrow, wide)
}

#[test]
fn every_engine_fits_an_f32_matrix_exactly_as_the_f64_matrix_of_its_values() {
    // Overlapping blobs, so ties and close calls occur; more rows than the sampled seeding's
    // minimum, so that path runs too.
    let x = Blobs::new(70_000, 5, 6)
        .with_seed(3)
        .with_separation(2.5)
        .generate()
        .features;
    let (narrow, wide) = rounded(&x);
    let segmenters: Vec<Segmenter> = vec![
        KMeans::new(6).with_seed(1).with_n_init(2).into(),
        KMeans::new(4)
            .with_seed(2)
            .with_n_init(1)
            .with_init(Init::Random)
            .into(),
        AutoK::new(3..=5).with_seed(4).with_n_init(2).into(),
    ];
    for segmenter in &segmenters {
        let a = segmenter.fit(narrow.view()).unwrap();
        let b = segmenter.fit(wide.view()).unwrap();
        assert_eq!(a.segmentation(), b.segmentation(), "{segmenter:?}");
        assert_eq!(a.model(), b.model(), "{segmenter:?}");
        assert_eq!(a.selection(), b.selection(), "{segmenter:?}");
    }
    // The weighted fit and the metrics.
    let weights: Vec<f64> = (0..x.nrows()).map(|i| 1.0 + (i % 7) as f64).collect();
    let kmeans = KMeans::new(5).with_seed(9).with_n_init(1);
    let a = kmeans.fit_weighted(narrow.view(), &weights).unwrap();
    let b = kmeans.fit_weighted(wide.view(), &weights).unwrap();
    assert_eq!(a.segmentation(), b.segmentation());
    let seg = a.segmentation();
    let small = narrow.slice(ndarray::s![..3_000, ..]).to_owned();
    let small_wide = wide.slice(ndarray::s![..3_000, ..]).to_owned();
    let small_seg = KMeans::new(3).segment(small.view()).unwrap();
    assert_eq!(
        metrics::silhouette(small.view(), &small_seg).unwrap(),
        metrics::silhouette(small_wide.view(), &small_seg).unwrap()
    );
    assert_eq!(
        metrics::silhouette_sampled(narrow.view(), seg, 2_000, 5).unwrap(),
        metrics::silhouette_sampled(wide.view(), seg, 2_000, 5).unwrap()
    );
    assert_eq!(
        metrics::calinski_harabasz(narrow.view(), seg).unwrap(),
        metrics::calinski_harabasz(wide.view(), seg).unwrap()
    );
    assert_eq!(
        metrics::davies_bouldin(narrow.view(), seg).unwrap(),
        metrics::davies_bouldin(wide.view(), seg).unwrap()
    );
    assert_eq!(
        metrics::inertia(narrow.view(), seg).unwrap(),
        metrics::inertia(wide.view(), seg).unwrap()
    );
    let stability = Stability::new().with_seed(3).with_subsamples(3);
    let refit: Segmenter = KMeans::new(5).with_seed(9).with_n_init(1).into();
    assert_eq!(
        stability
            .measure(narrow.view(), &refit, seg.labels())
            .unwrap(),
        stability
            .measure(wide.view(), &refit, seg.labels())
            .unwrap()
    );
    // DBSCAN widens the matrix itself.
    let dbscan = Dbscan::new(0.6, 8);
    let few = small.slice(ndarray::s![..1_000, ..]).to_owned();
    let few_wide = small_wide.slice(ndarray::s![..1_000, ..]).to_owned();
    assert_eq!(
        dbscan.fit(few.view()).unwrap().segmentation(),
        dbscan.fit(few_wide.view()).unwrap().segmentation()
    );
}

#[test]
fn an_f32_fit_stays_within_the_documented_tolerance_of_the_f64_fit() {
    // Separated blobs: the rounding of each value by at most 6e-8 (relative) must not move a
    // customer between segments, and the inertia moves by about the same relative amount.
    for (seed, d) in [(1u64, 4usize), (2, 16)] {
        let x = Blobs::new(100_000, d, 8)
            .with_seed(seed)
            .with_separation(6.0)
            .generate()
            .features;
        let (narrow, _) = rounded(&x);
        let kmeans = KMeans::new(8).with_seed(seed).with_n_init(1);
        let exact = kmeans.fit(x.view()).unwrap();
        let single = kmeans.fit(narrow.view()).unwrap();
        let ari = adjusted_rand_index(exact.labels(), single.labels()).unwrap();
        assert!(ari >= 0.999, "seed {seed}, d {d}: ARI {ari}");
        let gap = (single.inertia() - exact.inertia()).abs() / exact.inertia();
        eprintln!("seed {seed}, d {d}: ARI {ari}, relative inertia gap {gap:e}");
        assert!(
            gap <= 1e-6,
            "seed {seed}, d {d}: relative inertia gap {gap:e}"
        );
    }
}

fn bundled() -> CustomerTable {
    let schema = Schema::from_json_file(common::SCHEMA).unwrap();
    CustomerTable::from_csv_path(common::DATA, &schema, &CsvOptions::new()).unwrap()
}

#[test]
fn the_encoder_rounds_to_f32_exactly_as_a_cast_of_its_f64_encoding() {
    let customers = bundled();
    let encoder = Encoder::new().fit(&customers).unwrap();
    let wide = encoder.transform(&customers).unwrap();
    match encoder.transform_as(&customers, Precision::F32).unwrap() {
        FeatureMatrix::F32(narrow) => assert_eq!(narrow, wide.mapv(|v| v as f32)),
        other => panic!("asked for f32, got {:?}", other.view().precision()),
    }
    assert_eq!(
        encoder.transform_as(&customers, Precision::F64).unwrap(),
        FeatureMatrix::F64(wide)
    );
}

#[test]
fn a_value_beyond_f32_is_an_overflow_naming_the_attribute() {
    let schema = Schema::new(vec![
        Attribute::numeric("small"),
        Attribute::numeric("spend").with_scaling(Scaling::None),
    ])
    .unwrap();
    let x = ndarray::array![[1.0, 0.0], [2.0, 1e39], [3.0, 5.0]];
    let customers = CustomerTable::from_array(&schema, x.view()).unwrap();
    let encoder = Encoder::new().fit(&customers).unwrap();
    assert!(encoder.transform_as(&customers, Precision::F64).is_ok());
    match encoder.transform_as(&customers, Precision::F32) {
        Err(Error::Overflow { column }) => assert_eq!(column, "spend"),
        other => panic!("expected an overflow naming `spend`, got {other:?}"),
    }
}

#[test]
fn a_persona_model_fitted_in_f32_records_it_and_round_trips() {
    let customers = bundled();
    let segmenter = KMeans::new(5).with_seed(42);
    let exact = PersonaModel::fit(&customers, &ModelOptions::new(segmenter.clone())).unwrap();
    let options = ModelOptions::new(segmenter).with_precision(Precision::F32);
    let single = PersonaModel::fit(&customers, &options).unwrap();
    assert_eq!(single.model.training().precision, Precision::F32);
    assert_eq!(exact.model.training().precision, Precision::F64);
    // The f64 model's JSON does not mention the precision (files from before it was recorded
    // read the same); the f32 model's does, and reads back equal.
    assert!(!exact.model.to_json().unwrap().contains("precision"));
    let json = single.model.to_json().unwrap();
    assert!(json.contains("\"precision\": \"f32\""), "{json}");
    assert_eq!(PersonaModel::from_json(&json).unwrap(), single.model);
    // On the bundled customers the rounding moves no customer.
    assert_eq!(single.segmentation.labels(), exact.segmentation.labels());
    // Same input, same seed, same bytes.
    let again = PersonaModel::fit(&customers, &options).unwrap();
    assert_eq!(again.model.to_json().unwrap(), json);
}
