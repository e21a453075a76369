//! The front end of a whole run, step by step, on one generated CSV held in memory: schema
//! inference, loading the typed table with the inferred schema, and fitting an encoder and
//! transforming the table (the steps the `segment` example takes before any clustering).
//! `benches/encode.rs` times fit and transform apart on the generator's own schema. A second group
//! reads a file of 100,000 columns x 40 rows (inference and loading), where any lookup by name
//! that scans the columns would make the time grow with the square of the columns.
//!
//! ```text
//! cargo bench --bench table
//! ```

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use personas::{CsvOptions, CustomerTable, Encoder, Inference, SampleCustomers};

/// Customers in the CSV.
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

/// A file of `columns` small-integer columns (and an id) by `rows` rows.
fn wide_csv(columns: usize, rows: usize) -> Vec<u8> {
    let mut csv = String::from("id");
    for c in 0..columns {
        csv.push_str(&format!(",c{c}"));
    }
    csv.push('\n');
    for r in 0..rows {
        csv.push_str(&format!("r{r}"));
        for c in 0..columns {
            csv.push_str(&format!(",{}", (r * 31 + c * 17) % 100));
        }
        csv.push('\n');
    }
    csv.into_bytes()
}

fn wide(c: &mut Criterion) {
    let options = CsvOptions::new();
    let (columns, rows) = (100_000, 40);
    let csv = wide_csv(columns, rows);
    let schema = Inference::from_csv_reader(csv.as_slice(), &options)
        .expect("the wide file is read")
        .into_schema();
    let mut group = c.benchmark_group("wide");
    group.sample_size(10);
    group.bench_with_input(BenchmarkId::new("infer", columns), &csv, |b, csv| {
        b.iter(|| Inference::from_csv_reader(csv.as_slice(), &options).expect("infers"))
    });
    group.bench_with_input(BenchmarkId::new("load", columns), &csv, |b, csv| {
        b.iter(|| CustomerTable::from_csv_reader(csv.as_slice(), &schema, &options).expect("loads"))
    });
    group.finish();
}

criterion_group!(benches, front_end, wide);
criterion_main!(benches);
