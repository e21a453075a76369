//! DBSCAN on 100,000 x 4 and 300,000 x 6 customers with 5% uniform noise, with `eps` from
//! `suggest_eps` (which recovers the planted blobs on these data) and `min_points` about 2 x d.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use personas::sample::Blobs;
use personas::segment::suggest_eps;
use personas::Dbscan;

fn dbscan(c: &mut Criterion) {
    let mut group = c.benchmark_group("dbscan_5pct_noise");
    group.sample_size(10);
    for (n, d, min_points) in [(100_000usize, 4usize, 10usize), (300_000, 6, 12)] {
        let x = Blobs::new(n, d, 6)
            .with_seed(7)
            .with_noise(0.05)
            .generate()
            .features;
        let eps = suggest_eps(x.view(), min_points).expect("eps");
        let db = Dbscan::new(eps, min_points);
        group.bench_with_input(BenchmarkId::new(format!("{d}d"), n), &x, |b, x| {
            b.iter(|| db.fit(x.view()).expect("dbscan"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("dbscan_suggest_eps");
    group.sample_size(10);
    let x = Blobs::new(100_000, 4, 6)
        .with_seed(7)
        .with_noise(0.05)
        .generate()
        .features;
    group.bench_function(BenchmarkId::from_parameter(100_000), |b| {
        b.iter(|| suggest_eps(x.view(), 10).expect("eps"))
    });
    group.finish();
}

criterion_group!(benches, dbscan);
criterion_main!(benches);
