//! Regenerates the bundled sample data under `examples/data/`: synthetic retail customers drawn
//! from five planted segments (see `personas::PLANTED_SEGMENTS`).
//!
//! ```text
//! cargo run --release --example generate_sample -- [--rows N] [--seed N] [--attributes N]
//!     [--out-dir DIR]
//! ```
//!
//! Writes `customers.csv`, `customers.schema.json` and `planted_segments.csv` (the planted
//! segment of each customer). With the defaults it reproduces the bundled files byte for byte,
//! which `tests/sample_data.rs` checks.
//!
//! `--attributes N` sets the number of columns, counting the identifier (22 by default): fewer
//! keep the identifier and the first attributes of the bundled schema, more (up to 40) add
//! attributes that follow the planted segments (see `SampleCustomers::with_attributes`). The
//! customers are drawn and written one at a time, so memory stays flat: 10,000,000 customers of
//! 32 columns are fine.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use personas::{SampleCustomers, PLANTED_SEGMENTS};

/// Generate synthetic retail customers with planted segments.
#[derive(Debug, Parser)]
#[command(name = "generate_sample")]
struct Args {
    /// Number of customers to generate.
    #[arg(long, default_value_t = SampleCustomers::BUNDLED_CUSTOMERS)]
    rows: usize,
    /// Seed of the generator; the same seed and rows give the same files.
    #[arg(long, default_value_t = SampleCustomers::BUNDLED_SEED)]
    seed: u64,
    /// Number of columns, the identifier included: fewer than 22 keep the first ones, more add
    /// attributes that follow the planted segments.
    #[arg(
        long,
        default_value_t = SampleCustomers::BUNDLED_ATTRIBUTES as u64,
        value_parser = clap::value_parser!(u64).range(2..=SampleCustomers::MAX_ATTRIBUTES as u64),
    )]
    attributes: u64,
    /// Directory to write the three files to (created if absent).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data"))]
    out_dir: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let dir = &args.out_dir;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let attributes =
        usize::try_from(args.attributes).expect("--attributes is checked to be at most 40");
    let sample = SampleCustomers::new(args.seed)
        .with_customers(args.rows)
        .with_attributes(attributes);

    let customers = dir.join("customers.csv");
    sample
        .write_csv(create(&customers)?)
        .map_err(|e| format!("cannot write `{}`: {e}", customers.display()))?;

    let planted = dir.join("planted_segments.csv");
    sample
        .write_planted_csv(create(&planted)?)
        .map_err(|e| format!("cannot write `{}`: {e}", planted.display()))?;

    let schema = dir.join("customers.schema.json");
    let json = sample
        .output_schema()
        .to_json()
        .map_err(|e| e.to_string())?;
    std::fs::write(&schema, format!("{json}\n"))
        .map_err(|e| format!("cannot write `{}`: {e}", schema.display()))?;

    eprintln!(
        "wrote {} customers of {attributes} columns (seed {}) to {}",
        args.rows,
        args.seed,
        dir.display()
    );
    let planted = sample.planted();
    for (s, segment) in PLANTED_SEGMENTS.iter().enumerate() {
        let size = planted.iter().filter(|&&l| l == s).count();
        eprintln!("  segment {s}: {:<22} {size:>7} customers", segment.name);
    }
    Ok(())
}

fn create(path: &Path) -> Result<BufWriter<File>, String> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| format!("cannot create `{}`: {e}", path.display()))
}
