//! Aggregates generated order lines streamed from memory (no file, no text held), to measure
//! time and peak memory at scale:
//! `/usr/bin/time -v cargo run --release --example transactions_scale -- LINES CUSTOMERS`.

use std::time::Instant;

use personas::transactions::{Aggregate, Rfm, RfmCells, TransactionOptions};

#[path = "../benches/support/order_lines.rs"]
mod order_lines;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let (lines, customers) = match args[..] {
        [l, c] => (l, c),
        _ => (10_000_000, 1_000_000),
    };
    // The generator alone, so its share of the time is known.
    let start = Instant::now();
    let bytes = std::io::copy(
        &mut order_lines::OrderLines::new(lines, customers, 7),
        &mut std::io::sink(),
    )?;
    let generate = start.elapsed();
    let start = Instant::now();
    let aggregate = Aggregate::from_reader(
        order_lines::OrderLines::new(lines, customers, 7),
        &TransactionOptions::new(),
    )?;
    let total = start.elapsed();
    let start = Instant::now();
    let rfm = Rfm::new(&aggregate, &RfmCells::builtin())?;
    let scored = start.elapsed();
    println!("{}", aggregate.report());
    println!(
        "{lines} lines ({:.0} MB of text), {} customers: generating alone {:.2} s; generating, \
         reading and aggregating {:.2} s; RFM cells {:.3} s ({} cells)",
        bytes as f64 / 1e6,
        aggregate.table().n_customers(),
        generate.as_secs_f64(),
        total.as_secs_f64(),
        scored.as_secs_f64(),
        rfm.names().len()
    );
    Ok(())
}
