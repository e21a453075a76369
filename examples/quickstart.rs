//! The main job on the bundled sample data: load customers, encode them, find five segments and
//! print a draft persona card for each, every statement with its evidence and every persona with
//! how stable it is.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```

use std::process::ExitCode;

use personas::model::{ModelOptions, PersonaModel};
use personas::{CsvOptions, CustomerTable, KMeans, Schema};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/customers.csv");
const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/customers.schema.json"
);

fn run() -> personas::Result<()> {
    let schema = Schema::from_json_file(SCHEMA)?;
    let customers = CustomerTable::from_csv_path(DATA, &schema, &CsvOptions::new())?;
    let options = ModelOptions::new(KMeans::new(5).with_seed(42));
    let draft = PersonaModel::fit(&customers, &options)?;
    println!("{}", draft.model.personas().to_markdown());
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
