//! Aggregating order lines per customer: generated lines (see `support/order_lines.rs`) held in
//! memory, read, parsed on all threads and folded into one row per customer, at two sizes.
//!
//! ```text
//! cargo bench --bench transactions
//! ```
//!
//! For ten million lines of a million customers, streamed rather than held, with peak memory:
//! `cargo run --release --example transactions_scale -- 10000000 1000000`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use personas::transactions::{Aggregate, Rfm, RfmCells, TransactionOptions};
use std::io::Read;

#[path = "support/order_lines.rs"]
mod order_lines;

fn aggregate(c: &mut Criterion) {
    let options = TransactionOptions::new();
    let mut group = c.benchmark_group("transactions");
    group.sample_size(10);
    for (lines, customers) in [(100_000, 10_000), (1_000_000, 100_000)] {
        let mut csv = Vec::new();
        order_lines::OrderLines::new(lines, customers, 7)
            .read_to_end(&mut csv)
            .expect("generating in memory does not fail");
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_with_input(BenchmarkId::new("aggregate", lines), &csv, |b, csv| {
            b.iter(|| Aggregate::from_reader(csv.as_slice(), &options).expect("aggregates"))
        });
        let aggregated = Aggregate::from_reader(csv.as_slice(), &options).expect("aggregates");
        group.bench_with_input(BenchmarkId::new("rfm", lines), &aggregated, |b, a| {
            b.iter(|| Rfm::new(a, &RfmCells::builtin()).expect("scores"))
        });
    }
    group.finish();
}

criterion_group!(benches, aggregate);
criterion_main!(benches);
