//! Explore a customer CSV: infer or read a schema, find segments, write profiles and labels.
//!
//! ```text
//! cargo run --release --example segment -- INPUT.csv [--schema SCHEMA.json] [--k N] [--seed N]
//!     [--format markdown|json] [--output FILE] [--labels FILE]
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use personas::{
    CsvOptions, CustomerTable, Encoder, Inference, KMeans, Profiles, Schema, Segmenter,
    ZeroVariance,
};

/// Find customer segments in a CSV file and describe them.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// The customer CSV file (header row; the delimiter is detected).
    input: PathBuf,

    /// A schema JSON file describing the columns. Without it, a schema is inferred from the data
    /// and what was guessed is printed to stderr (save it with --write-schema and edit it).
    #[arg(long, value_name = "SCHEMA.json")]
    schema: Option<PathBuf>,

    /// Writes the schema in use (inferred or read) to this file as JSON.
    #[arg(long, value_name = "FILE")]
    write_schema: Option<PathBuf>,

    /// The number of segments.
    #[arg(long, default_value_t = 5)]
    k: usize,

    /// The random seed: the same data and seed give the same segments.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,

    /// Writes the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Writes a `customer,segment` CSV in input row order (customer: the identifier column's
    /// value, else the 1-based row number; segment empty where a customer has none).
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,

    /// The field delimiter, when detection picks the wrong one (e.g. ';' or 'tab').
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,

    /// Stops with an error on a feature with the same value for every customer, instead of
    /// dropping it with a warning.
    #[arg(long)]
    strict: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Readable profiles for people.
    Markdown,
    /// A JSON document for pipelines.
    Json,
}

fn open_output(path: &Option<PathBuf>) -> Result<Box<dyn Write>, String> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).map_err(|e| format!("cannot write `{}`: {e}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    })
}

fn run(args: Args) -> Result<(), String> {
    let mut options = CsvOptions::new();
    if let Some(d) = &args.delimiter {
        let byte = match d.as_str() {
            "tab" | "\\t" => b'\t',
            s if s.len() == 1 => s.as_bytes()[0],
            s => {
                return Err(format!(
                    "--delimiter must be one character or `tab`, not `{s}`"
                ))
            }
        };
        options = options.with_delimiter(byte);
    }
    let schema = match &args.schema {
        Some(path) => Schema::from_json_file(path).map_err(|e| e.to_string())?,
        None => {
            let inference =
                Inference::from_csv_path(&args.input, &options).map_err(|e| e.to_string())?;
            eprint!("{inference}");
            eprintln!("(pass --schema FILE to choose kinds and roles yourself; --write-schema FILE saves this one)\n");
            inference.into_schema()
        }
    };
    if let Some(path) = &args.write_schema {
        let json = schema.to_json().map_err(|e| e.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    let customers =
        CustomerTable::from_csv_path(&args.input, &schema, &options).map_err(|e| e.to_string())?;
    for m in customers.missing_counts().iter().filter(|m| m.missing > 0) {
        eprintln!(
            "note: `{}` is missing for {} customers ({:.1}%)",
            m.attribute,
            m.missing,
            m.share * 100.0
        );
    }
    let zero_variance = if args.strict {
        ZeroVariance::Error
    } else {
        ZeroVariance::Drop
    };
    let encoder = Encoder::new()
        .with_zero_variance(zero_variance)
        .fit(&customers)
        .map_err(|e| e.to_string())?;
    for warning in encoder.warnings() {
        eprintln!("warning: {warning}");
    }
    let features = encoder.transform(&customers).map_err(|e| e.to_string())?;
    let segmentation = KMeans::new(args.k)
        .with_seed(args.seed)
        .segment(features.view())
        .map_err(|e| e.to_string())?;
    let profiles = Profiles::new(&customers, &segmentation).map_err(|e| e.to_string())?;
    let text = match args.format {
        Format::Markdown => profiles.to_markdown(),
        Format::Json => profiles.to_json().map_err(|e| e.to_string())? + "\n",
    };
    let mut out = open_output(&args.output)?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the output: {e}"))?;
    if let Some(path) = &args.labels {
        let file =
            File::create(path).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        segmentation
            .write_labels_csv(customers.ids(), BufWriter::new(file))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
