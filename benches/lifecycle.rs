//! A saved persona model at work: assigning 1,000,000 new customers of 16 attributes to 8
//! personas straight from CSV, beside reading the same CSV alone; and measuring the stability of
//! the personas on the bundled customers and on a million.
//!
//! ```text
//! cargo bench --bench lifecycle
//! ```

use criterion::{criterion_group, criterion_main, Criterion};
use personas::model::{ModelOptions, PersonaModel};
use personas::segment::stability::Stability;
use personas::{CsvOptions, CustomerTable, KMeans, SampleCustomers};

const NEW_CUSTOMERS: usize = 1_000_000;
/// Columns of the generated customers, the identifier included: 16 attributes.
const COLUMNS: usize = 17;
const PERSONAS: usize = 8;

fn assign_from_csv(c: &mut Criterion) {
    let training = SampleCustomers::new(3)
        .with_customers(20_000)
        .with_attributes(COLUMNS)
        .generate();
    let table = CustomerTable::from_csv_reader(
        training.to_csv_string().as_bytes(),
        training.schema(),
        &CsvOptions::new(),
    )
    .expect("the training sample loads");
    let options = ModelOptions::new(KMeans::new(PERSONAS).with_seed(1).with_n_init(1));
    let model = PersonaModel::fit(&table, &options)
        .expect("the model fits")
        .model;
    let newer = SampleCustomers::new(4)
        .with_customers(NEW_CUSTOMERS)
        .with_attributes(COLUMNS)
        .generate()
        .to_csv_string();
    let schema = model.reading_schema();

    let mut group = c.benchmark_group("assign_1m_x16_k8");
    group.sample_size(10);
    group.bench_function("read_csv_only", |b| {
        b.iter(|| {
            CustomerTable::from_csv_reader(newer.as_bytes(), &schema, &CsvOptions::new())
                .expect("the new customers load")
        })
    });
    group.bench_function("read_csv_and_assign", |b| {
        b.iter(|| {
            let customers =
                CustomerTable::from_csv_reader(newer.as_bytes(), &schema, &CsvOptions::new())
                    .expect("the new customers load");
            model.assign(&customers).expect("assigned")
        })
    });
    group.finish();
}

fn stability(c: &mut Criterion) {
    let mut group = c.benchmark_group("stability");
    group.sample_size(10);
    for customers in [3_000, 1_000_000] {
        let sample = SampleCustomers::new(42)
            .with_customers(customers)
            .generate();
        let table = CustomerTable::from_csv_reader(
            sample.to_csv_string().as_bytes(),
            sample.schema(),
            &CsvOptions::new(),
        )
        .expect("the sample loads");
        let fitted = PersonaModel::fit(
            &table,
            &ModelOptions::new(KMeans::new(5).with_seed(42).with_n_init(1)).with_stability(None),
        )
        .expect("fits");
        let features = fitted.model.encoder().transform(&table).expect("encodes");
        let kmeans = KMeans::new(5).with_seed(42).with_n_init(3).into();
        group.bench_function(format!("5_resamples_{customers}"), |b| {
            b.iter(|| {
                Stability::new()
                    .with_seed(1)
                    .measure(features.view(), &kmeans, fitted.segmentation.labels())
                    .expect("measured")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, assign_from_csv, stability);
criterion_main!(benches);
