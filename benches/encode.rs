//! Encoding throughput: fitting an encoder and transforming customers, over table sizes.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use personas::{CsvOptions, CustomerTable, Encoder, SampleCustomers};

fn sample_table(n: usize) -> CustomerTable {
    let sample = SampleCustomers::new(7).with_customers(n).generate();
    let csv = sample.to_csv_string();
    CustomerTable::from_csv_reader(csv.as_bytes(), sample.schema(), &CsvOptions::new())
        .expect("the generated sample loads")
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    group.sample_size(10);
    for n in [10_000, 100_000] {
        let table = sample_table(n);
        let fitted = Encoder::new().fit(&table).expect("the sample encodes");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("fit", n), &table, |b, t| {
            b.iter(|| Encoder::new().fit(t).expect("the sample encodes"))
        });
        group.bench_with_input(BenchmarkId::new("transform", n), &table, |b, t| {
            b.iter(|| fitted.transform(t).expect("the sample encodes"))
        });
    }
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
