//! k-means: whole fits on 200,000 and 1,000,000 customers x 16 features (k = 8, one
//! initialisation, tolerance 1e-4) with the default sampled seeding and with exact k-means++
//! (1,000,000 only) and on an `f32` copy of the matrix (1,000,000 only: half the memory, the
//! same arithmetic in `f64`), each initialisation alone, and choosing k over the default range
//! 3..=6 (separation, stability and minimum share).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use personas::sample::Blobs;
use personas::segment::AutoK;
use personas::{Init, KMeans};

fn kmeans(c: &mut Criterion) {
    let mut group = c.benchmark_group("kmeans_fit_k8_d16");
    group.sample_size(10);
    for n in [200_000usize, 1_000_000] {
        let x = Blobs::new(n, 16, 8)
            .with_seed(42)
            .with_separation(2.0)
            .generate()
            .features;
        let km = KMeans::new(8).with_seed(1).with_n_init(1);
        group.bench_with_input(BenchmarkId::new("default", n), &x, |b, x| {
            b.iter(|| km.fit(x.view()).expect("fit"))
        });
        if n == 1_000_000 {
            let exact = km.clone().with_init(Init::KMeansPlusPlus);
            group.bench_with_input(BenchmarkId::new("exact_plusplus", n), &x, |b, x| {
                b.iter(|| exact.fit(x.view()).expect("fit"))
            });
            let narrow = x.mapv(|v| v as f32);
            group.bench_with_input(BenchmarkId::new("default_f32", n), &narrow, |b, x| {
                b.iter(|| km.fit(x.view()).expect("fit"))
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("kmeans_init_k8_d16");
    group.sample_size(10);
    let x = Blobs::new(1_000_000, 16, 8)
        .with_seed(42)
        .with_separation(2.0)
        .generate()
        .features;
    let km = KMeans::new(8).with_seed(1);
    group.bench_function(BenchmarkId::new("default", 1_000_000), |b| {
        b.iter(|| km.initial_centroids(x.view()).expect("init"))
    });
    let exact = km.with_init(Init::KMeansPlusPlus);
    group.bench_function(BenchmarkId::new("exact_plusplus", 1_000_000), |b| {
        b.iter(|| exact.initial_centroids(x.view()).expect("init"))
    });
    group.finish();
}

fn auto_k(c: &mut Criterion) {
    let mut group = c.benchmark_group("auto_k_3_to_6_d16");
    group.sample_size(10);
    let n = 200_000;
    let x = Blobs::new(n, 16, 5).with_seed(11).generate().features;
    let auto = AutoK::default().with_seed(1).with_n_init(1);
    group.bench_function(BenchmarkId::from_parameter(n), |b| {
        b.iter(|| auto.fit(x.view()).expect("auto k"))
    });
    // One fit of the k auto-k chooses on the same data, the unit of its cost.
    let one = KMeans::new(5).with_seed(1).with_n_init(1);
    group.bench_function(BenchmarkId::new("one_k5_fit", n), |b| {
        b.iter(|| one.fit(x.view()).expect("fit"))
    });
    group.finish();
}

criterion_group!(benches, kmeans, auto_k);
criterion_main!(benches);
