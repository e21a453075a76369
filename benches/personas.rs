//! Drafting personas for a million customers in eight segments, beside one k-means fit on the
//! same customers: drafting should cost a small fraction of the fit.
//!
//! ```text
//! cargo bench --bench personas
//! ```

use criterion::{criterion_group, criterion_main, Criterion};
use personas::persona::Drafter;
use personas::{CsvOptions, CustomerTable, Encoder, KMeans, Profiles, SampleCustomers};

const CUSTOMERS: usize = 1_000_000;
const SEGMENTS: usize = 8;

fn drafting_vs_fitting(c: &mut Criterion) {
    let sample = SampleCustomers::new(7).with_customers(CUSTOMERS).generate();
    let table = CustomerTable::from_csv_reader(
        sample.to_csv_string().as_bytes(),
        sample.schema(),
        &CsvOptions::new(),
    )
    .expect("the generated sample loads");
    drop(sample);
    let features = Encoder::new()
        .fit(&table)
        .and_then(|e| e.transform(&table))
        .expect("the generated sample encodes");
    let kmeans = KMeans::new(SEGMENTS).with_seed(1).with_n_init(1);
    let segmentation = kmeans
        .segment(features.view())
        .expect("k-means fits the sample");

    let mut group = c.benchmark_group("personas_1m_k8");
    group.sample_size(10);
    group.bench_function("profiles_and_personas", |b| {
        b.iter(|| {
            let profiles = Profiles::new(&table, &segmentation).expect("profiles");
            Drafter::new().draft(&profiles).expect("personas")
        })
    });
    group.bench_function("kmeans_fit_one_init", |b| {
        b.iter(|| kmeans.segment(features.view()).expect("k-means"))
    });
    group.finish();
}

criterion_group!(benches, drafting_vs_fitting);
criterion_main!(benches);
