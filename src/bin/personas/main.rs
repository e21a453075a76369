//! `personas`: draft buyer personas from a customer CSV, save them as a model, assign new
//! customers, watch them drift, and measure how stable they are.
//!
//! Every subcommand is a thin layer over the library ([`personas::model::PersonaModel`] and
//! friends); `personas <command> --help` explains each flag. Every failure exits with status 1
//! and one line on stderr that starts with `error:`.

mod common;
mod draft;
mod lifecycle;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Draft buyer personas from customer data, and keep them for months: save the model, assign new
/// customers, compare newer snapshots, measure stability.
#[derive(Parser, Debug)]
#[command(name = "personas", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Find segments in a customer CSV and draft a persona for each (Markdown or JSON); save the
    /// model with --save-model.
    Draft(draft::DraftArgs),
    /// Assign the customers of a CSV to the personas of a saved model: writes
    /// `customer,persona,distance,margin`, one row per input row, persona empty where a customer
    /// fits none.
    Assign(lifecycle::AssignArgs),
    /// Compare a saved model with a newer snapshot of customers: shares, moves, statements that
    /// no longer hold, customers that fit no persona, personas that split, merge, appear or
    /// vanish.
    Compare(lifecycle::CompareArgs),
    /// Draft personas and measure how stable each one is when the data change a little.
    Stability(draft::StabilityArgs),
    /// Print a saved k-means model's assignment as one SQL query (DuckDB, Spark SQL,
    /// PostgreSQL).
    Sql(lifecycle::SqlArgs),
    /// Write the bundled sample customers (3,000 customers with five planted segments), or more
    /// of them.
    Sample(lifecycle::SampleArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Draft(args) => draft::draft(args),
        Command::Assign(args) => lifecycle::assign(args),
        Command::Compare(args) => lifecycle::compare(args),
        Command::Stability(args) => draft::stability(args),
        Command::Sql(args) => lifecycle::sql(args),
        Command::Sample(args) => lifecycle::sample(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
