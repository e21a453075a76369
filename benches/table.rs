//! The front end of a whole run, step by step, on one generated CSV held in memory: schema
//! inference, loading the typed table with the inferred schema, and fitting an encoder and
//! transforming the table (the steps the `segment` example takes before any clustering).
//! `benches/encode.rs` times fit and transform apart on the generator's own schema.
//!
//! ```text
//! cargo bench --bench table
//! ```

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use personas::{CsvOptions, CustomerTable, Encoder, Inference, SampleCustomers};

/// Customers in the CSV: inference alone takes seconds on this many (most of the bench's minute).
const CUSTOMERS: usize = 100_000;

fn front_end(c: &mut Criterion) {
    let options = CsvOptions::new();
    let mut csv = Vec::new();
    SampleCustomers::new(7)
        .with_customers(CUSTOMERS)
        .write_csv(&mut csv)
        .expect("writing to memory does not fail");
    let schema = Inference::from_csv_reader(csv.as_slice(), &options)
        .expect("the generated sample is read")
        .into_schema();
    let table = CustomerTable::from_csv_reader(csv.as_slice(), &schema, &options)
        .expect("the generated sample loads");

    let mut group = c.benchmark_group("table");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(csv.len() as u64));
    group.bench_with_input(BenchmarkId::new("infer", CUSTOMERS), &csv, |b, csv| {
        b.iter(|| Inference::from_csv_reader(csv.as_slice(), &options).expect("infers"))
    });
    group.bench_with_input(BenchmarkId::new("load", CUSTOMERS), &csv, |b, csv| {
        b.iter(|| CustomerTable::from_csv_reader(csv.as_slice(), &schema, &options).expect("loads"))
    });
    group.throughput(Throughput::Elements(CUSTOMERS as u64));
    group.bench_with_input(
        BenchmarkId::new("encode_fit_transform", CUSTOMERS),
        &table,
        |b, table| {
            b.iter(|| {
                Encoder::new()
                    .fit(table)
                    .and_then(|encoder| encoder.transform(table))
                    .expect("encodes")
            })
        },
    );
    group.finish();
}

criterion_group!(benches, front_end);
criterion_main!(benches);
