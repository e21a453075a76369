//! Explore a customer CSV: infer or read a schema, find segments, draft personas, write labels.
//!
//! ```text
//! cargo run --release --example segment -- INPUT.csv [--schema SCHEMA.json] [--k N|auto]
//!     [--algorithm kmeans|dbscan] [--seed N] [--format markdown|json] [--output FILE]
//!     [--labels FILE] [--rules FILE]
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use personas::persona::{Catalogue, Drafter, Quality};
use personas::segment::{suggest_eps, AutoK, Dbscan, KAssessment};
use personas::{
    CsvOptions, CustomerTable, Encoder, InferOptions, Inference, KMeans, Profiles, Schema,
    Segmentation, ZeroVariance,
};

/// Find customer segments in a CSV file and draft a buyer persona for each.
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

    /// The segmentation algorithm.
    #[arg(long, value_enum, default_value_t = Algorithm::Kmeans)]
    algorithm: Algorithm,

    /// k-means: the number of segments, or `auto` to choose it from --k-range by separation and
    /// stability (the table of scores, the reason and any warnings are printed to stderr).
    #[arg(long, default_value = "auto", value_name = "N|auto")]
    k: String,

    /// k-means with --k auto: the range of k to try, as `A..=B`, with 2 <= A <= B <= 50.
    #[arg(long, default_value = "3..=6", value_name = "A..=B")]
    k_range: String,

    /// k-means: the number of restarts; the one with the lowest inertia is kept.
    #[arg(long, default_value_t = 10, value_name = "N")]
    n_init: usize,

    /// DBSCAN: the neighbourhood radius in feature space (standardised units). Without it, one
    /// is suggested from the knee of the k-distance curve and printed to stderr.
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    eps: Option<f64>,

    /// DBSCAN: the neighbours (counting the customer itself) that make a customer a core point.
    #[arg(long, default_value_t = 10, value_name = "N")]
    min_points: usize,

    /// The random seed: the same data and seed give the same segments and personas.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// A JSON file of signal rules (`{"rules": [...]}`) that add to or replace built-in rules of
    /// the same id.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,

    /// The output format: persona cards, or a JSON document with personas, segment profiles and
    /// quality metrics.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,

    /// Writes the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Writes a `customer,segment` CSV in input row order (customer: the identifier column's
    /// value, else the 1-based row number; segment empty where a customer has none).
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,

    /// The field delimiter, when detection picks the wrong one (one character, or `tab`).
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,

    /// The file has no header row: its columns are named `column_1`, `column_2`, ….
    #[arg(long, conflicts_with = "names")]
    no_header: bool,

    /// The file has no header row: these are its column names, comma-separated, in order.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    names: Option<Vec<String>>,

    /// Stops with an error on a feature with the same value for every customer, instead of
    /// dropping it with a warning.
    #[arg(long)]
    strict: bool,

    /// Inference: measure durations (days as a customer, days since, ages) to this date,
    /// `yyyy-mm-dd`, instead of the newest date in the file.
    #[arg(long, value_name = "DATE")]
    reference_date: Option<String>,

    /// Segment the rows even when an id-like column repeats (rows that look like purchases or
    /// events rather than customers).
    #[arg(long)]
    rows_are_customers: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Algorithm {
    /// k-means: every customer in one of k segments.
    Kmeans,
    /// DBSCAN: dense groups of any shape; outliers are in no segment.
    Dbscan,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Persona cards for people.
    Markdown,
    /// A JSON document for pipelines.
    Json,
}

fn parse_range(text: &str) -> Result<std::ops::RangeInclusive<usize>, String> {
    let (a, b) = text
        .split_once("..=")
        .ok_or_else(|| format!("--k-range must look like 2..=8, not `{text}`"))?;
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("--k-range must look like 2..=8, not `{text}`"))
    };
    Ok(number(a)?..=number(b)?)
}

/// The segmentation, and how k was chosen when it was chosen automatically.
fn segment(
    args: &Args,
    features: ndarray::ArrayView2<'_, f64>,
) -> Result<(Segmentation, Option<KAssessment>), String> {
    let text = |e: personas::Error| e.to_string();
    match args.algorithm {
        Algorithm::Kmeans if args.k == "auto" => {
            let choice = AutoK::new(parse_range(&args.k_range)?)
                .with_seed(args.seed)
                .with_n_init(args.n_init)
                .fit(features)
                .map_err(text)?;
            eprintln!("Choosing k by separation x stability:\n{}", choice.table());
            for warning in choice.warnings() {
                eprintln!("warning: {warning}");
            }
            eprintln!("chose k = {}\n", choice.k());
            let assessment = choice.assessment().clone();
            Ok((choice.into_segmentation(), Some(assessment)))
        }
        Algorithm::Kmeans => {
            let k = args
                .k
                .parse::<usize>()
                .map_err(|_| format!("--k must be a number or `auto`, not `{}`", args.k))?;
            KMeans::new(k)
                .with_seed(args.seed)
                .with_n_init(args.n_init)
                .segment(features)
                .map(|s| (s, None))
                .map_err(text)
        }
        Algorithm::Dbscan => {
            let eps = match args.eps {
                Some(eps) => eps,
                None => {
                    let eps = suggest_eps(features, args.min_points).map_err(text)?;
                    eprintln!("suggested eps = {eps:.4} (pass --eps to choose it yourself)");
                    eps
                }
            };
            let segmentation = Dbscan::new(eps, args.min_points)
                .segment(features)
                .map_err(text)?;
            let found = segmentation.n_segments();
            eprintln!(
                "DBSCAN found {found} segment{}; {} customers are in none",
                if found == 1 { "" } else { "s" },
                segmentation.unassigned()
            );
            if found < 2 {
                eprintln!(
                    "warning: one dense group or none is no segmentation: try a smaller --eps, a \
                     smaller --min-points, or k-means"
                );
            }
            Ok((segmentation, None))
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let text = |e: personas::Error| e.to_string();
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
    if let Some(names) = &args.names {
        options = options.with_column_names(names.iter().map(|n| n.trim().to_string()));
    } else if args.no_header {
        options = options.without_header();
    }
    let mut catalogue = Catalogue::builtin();
    if let Some(path) = &args.rules {
        catalogue = catalogue.with_rules_file(path).map_err(text)?;
    }
    let schema = match &args.schema {
        Some(path) => Schema::from_json_file(path).map_err(text)?,
        None => {
            let mut infer = InferOptions::new();
            if let Some(date) = &args.reference_date {
                infer = infer.with_reference_date(date);
            }
            let inference =
                Inference::from_csv_path_with(&args.input, &options, &infer).map_err(text)?;
            // One write: stderr is unbuffered, and a wide file's report has a line per column.
            let report = inference.to_string();
            eprint!("{report}");
            if inference.repeated_rows().is_some() && !args.rows_are_customers {
                return Err("the rows are not customers (see the warning above); pass \
                     --rows-are-customers to segment them anyway"
                    .to_string());
            }
            eprintln!(
                "(pass --schema FILE to choose kinds and roles yourself; \
                 --write-schema FILE saves this one)\n"
            );
            inference.into_schema()
        }
    };
    if let Some(path) = &args.write_schema {
        let json = schema.to_json().map_err(text)?;
        std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    let customers = CustomerTable::from_csv_path(&args.input, &schema, &options).map_err(text)?;
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
        .map_err(text)?;
    for warning in encoder.warnings() {
        eprintln!("warning: {warning}");
    }
    let features = encoder.transform(&customers).map_err(text)?;
    let (segmentation, selection) = segment(&args, features.view())?;
    let profiles = Profiles::new(&customers, &segmentation).map_err(text)?;
    let personas = Drafter::new()
        .with_catalogue(catalogue)
        .draft(&profiles)
        .map_err(text)?
        .with_quality(Quality::measure(features.view(), &segmentation, args.seed));
    let personas = match selection {
        Some(selection) => personas.with_selection(selection),
        None => personas,
    };
    let rendered = match args.format {
        Format::Markdown => personas.to_markdown(),
        Format::Json => personas.to_json().map_err(text)? + "\n",
    };
    let (mut out, output): (Box<dyn Write>, String) = match &args.output {
        Some(p) => (
            Box::new(BufWriter::new(File::create(p).map_err(|e| {
                format!("cannot write the output to `{}`: {e}", p.display())
            })?)),
            format!("`{}`", p.display()),
        ),
        None => (
            Box::new(std::io::stdout().lock()),
            "standard output".to_string(),
        ),
    };
    out.write_all(rendered.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the output to {output}: {e}"))?;
    if let Some(path) = &args.labels {
        let failed = |e: &dyn std::fmt::Display| {
            format!("cannot write the labels to `{}`: {e}", path.display())
        };
        let file = File::create(path).map_err(|e| failed(&e))?;
        segmentation
            .write_labels_csv(customers.ids(), BufWriter::new(file))
            .map_err(|e| match e {
                personas::Error::Write { source, .. } => failed(&source),
                other => failed(&other),
            })?;
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
