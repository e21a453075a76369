//! Personas from any customer CSV, in a dozen lines of the library: infer what the columns are,
//! let k-means choose a persona-sized number of segments, and print the persona cards.
//!
//! ```text
//! cargo run --release --example segment -- INPUT.csv
//! ```
//!
//! The `personas` command-line tool does the same with every option (`personas draft --help`),
//! and saves the model for `assign`, `compare` and `sql`.

use std::process::ExitCode;

use personas::model::{ModelOptions, PersonaModel};
use personas::{AutoK, CsvOptions, CustomerTable, Inference};

fn run(path: &str) -> personas::Result<()> {
    let options = CsvOptions::new();
    let inference = Inference::from_csv_path(path, &options)?;
    eprint!("{inference}");
    let customers = CustomerTable::from_csv_path(path, &inference.into_schema(), &options)?;
    let draft = PersonaModel::fit(
        &customers,
        &ModelOptions::new(AutoK::default().with_seed(42)),
    )?;
    println!("{}", draft.model.personas().to_markdown());
    Ok(())
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: segment INPUT.csv");
        return ExitCode::FAILURE;
    };
    match run(&path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
