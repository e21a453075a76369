//! The main job on the bundled sample data: load customers, encode them, find five segments and
//! print a draft persona card for each, every statement with its evidence.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```

use std::process::ExitCode;

use personas::{CsvOptions, CustomerTable, Drafter, Encoder, KMeans, Profiles, Schema};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/customers.csv");
const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/customers.schema.json"
);

fn run() -> personas::Result<()> {
    let schema = Schema::from_json_file(SCHEMA)?;
    let customers = CustomerTable::from_csv_path(DATA, &schema, &CsvOptions::new())?;
    let encoder = Encoder::new().fit(&customers)?;
    let features = encoder.transform(&customers)?;
    let segmentation = KMeans::new(5).with_seed(42).segment(features.view())?;
    let profiles = Profiles::new(&customers, &segmentation)?;
    let personas = Drafter::new().draft(&profiles)?;
    println!("{}", personas.to_markdown());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
