//! Segment quality metrics on 100,000 customers x 16 features: the sampled silhouette (the
//! exact one is `O(n²)` and is benched on 20,000), Calinski-Harabasz and Davies-Bouldin.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use personas::sample::Blobs;
use personas::segment::{calinski_harabasz, davies_bouldin, silhouette, silhouette_sampled};
use personas::KMeans;

fn metrics(c: &mut Criterion) {
    let n = 100_000;
    let x = Blobs::new(n, 16, 6).with_seed(3).generate().features;
    let seg = KMeans::new(6)
        .with_n_init(1)
        .segment(x.view())
        .expect("segments");

    let mut group = c.benchmark_group("silhouette_sampled_d16");
    group.sample_size(10);
    for sample in [2_000usize, 10_000] {
        group.bench_with_input(
            BenchmarkId::new(format!("n{n}"), sample),
            &sample,
            |b, &s| b.iter(|| silhouette_sampled(x.view(), &seg, s, 0).expect("silhouette")),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("silhouette_exact_d16");
    group.sample_size(10);
    let small = x.slice(ndarray::s![..20_000, ..]).to_owned();
    let small_seg = KMeans::new(6)
        .with_n_init(1)
        .segment(small.view())
        .expect("segments");
    group.bench_function(BenchmarkId::from_parameter(20_000), |b| {
        b.iter(|| silhouette(small.view(), &small_seg).expect("silhouette"))
    });
    group.finish();

    let mut group = c.benchmark_group("cheap_metrics_d16");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("calinski_harabasz", n), |b| {
        b.iter(|| calinski_harabasz(x.view(), &seg).expect("ch"))
    });
    group.bench_function(BenchmarkId::new("davies_bouldin", n), |b| {
        b.iter(|| davies_bouldin(x.view(), &seg).expect("db"))
    });
    group.finish();
}

criterion_group!(benches, metrics);
criterion_main!(benches);
