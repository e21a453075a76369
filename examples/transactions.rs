//! From order lines to RFM cells and personas:
//! `cargo run --release --example transactions -- FILE [--rfm] [--k K] [--reference yyyy-mm-dd]`.

use personas::transactions::{Aggregate, Rfm, RfmCells, TransactionOptions};
use personas::{Drafter, Encoder, KMeans, Profiles};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: transactions FILE [--rfm] [--k K]")?;
    let flag = |name: &str| args.iter().position(|a| a == name);
    let mut options = TransactionOptions::new();
    if let Some(i) = flag("--reference") {
        options = options.with_reference_date(args.get(i + 1).ok_or("--reference DATE")?);
    }
    let aggregate = Aggregate::from_path(path, &options)?;
    println!("{}\n", aggregate.report());
    let profiles;
    let personas = if flag("--rfm").is_some() {
        let rfm = Rfm::new(&aggregate, &RfmCells::builtin())?;
        for cell in rfm.summary() {
            println!(
                "{:<20} {:>7} customers {:>6.1}%   revenue {:>6.1}%",
                cell.name,
                cell.customers,
                100.0 * cell.customer_share,
                100.0 * cell.revenue_share
            );
        }
        println!();
        profiles = Profiles::new(aggregate.table(), rfm.segmentation())?;
        Drafter::new()
            .with_segment_names(rfm.names().iter().cloned())
            .draft(&profiles)?
    } else {
        let k = match flag("--k") {
            Some(i) => args.get(i + 1).ok_or("--k K")?.parse()?,
            None => 4,
        };
        let features = Encoder::new()
            .fit(aggregate.table())?
            .transform(aggregate.table())?;
        let segmentation = KMeans::new(k).with_seed(42).segment(features.view())?;
        profiles = Profiles::new(aggregate.table(), &segmentation)?;
        Drafter::new().draft(&profiles)?
    };
    println!("{}", personas.to_markdown());
    Ok(())
}
