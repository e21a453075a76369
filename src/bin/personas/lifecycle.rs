//! `personas assign`, `compare`, `sql` and `sample`: using a saved model, and the sample data.

use std::path::PathBuf;

use clap::Args;
use personas::drift::{compare_csv, DriftOptions};
use personas::model::PersonaModel;
use personas::sql::{assignment_query, Dialect, SqlOptions};
use personas::SampleCustomers;

use crate::common::{self, text, CsvArgs, Format, Outcome};

/// `personas assign`.
#[derive(Args, Debug)]
pub struct AssignArgs {
    /// A model saved by `personas draft --save-model`.
    pub model: PathBuf,

    /// The customers to assign: a CSV with the columns the model was drafted from (new
    /// categories are allowed: they count as none of the known ones).
    pub input: PathBuf,

    /// Writes the assignments to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// `personas compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// A model saved by `personas draft --save-model`.
    pub model: PathBuf,

    /// A newer snapshot of customers, with the columns the model was drafted from.
    pub newer: PathBuf,

    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    /// Writes the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// `personas sql`.
#[derive(Args, Debug)]
pub struct SqlArgs {
    /// A k-means model saved by `personas draft --save-model`.
    pub model: PathBuf,

    /// The name of the table that holds the customers, with the columns the model was drafted
    /// from.
    #[arg(long, default_value = "customers", value_name = "NAME")]
    pub table: String,

    /// The SQL dialect: standard (DuckDB, PostgreSQL) or Spark SQL.
    #[arg(long, value_enum, default_value_t = SqlDialect::Standard)]
    pub dialect: SqlDialect,

    /// Writes the query to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The dialects `personas sql` writes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SqlDialect {
    /// Double-quoted identifiers and standard strings: DuckDB, PostgreSQL.
    Standard,
    /// Backtick identifiers and Spark's string escapes: Spark SQL 3.3 or later.
    Spark,
}

/// `personas sample`.
#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Writes the customers to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also writes the schema that describes the sample's columns to this file.
    #[arg(long, value_name = "FILE")]
    pub schema_output: Option<PathBuf>,

    /// The number of customers (the bundled sample has 3,000).
    #[arg(long, default_value_t = SampleCustomers::BUNDLED_CUSTOMERS, value_name = "N")]
    pub customers: usize,

    /// The seed (the bundled sample's is 42).
    #[arg(long, default_value_t = SampleCustomers::BUNDLED_SEED, value_name = "N")]
    pub seed: u64,
}

/// `personas assign`.
pub fn assign(args: AssignArgs) -> Outcome {
    let model = PersonaModel::load(&args.model).map_err(text)?;
    let assigned = model
        .assign_csv(&args.input, &args.csv.options()?)
        .map_err(text)?;
    let unassigned = assigned.unassigned();
    match &args.output {
        Some(path) => {
            let writer = common::create(path, "the assignments")?;
            assigned
                .write_csv(writer)
                .map_err(|e| common::write_error(path, "the assignments", e))?;
        }
        None => match assigned.write_csv(std::io::stdout().lock()) {
            Err(e) if !common::closed_pipe(&e) => {
                return Err(format!(
                    "cannot write the assignments to standard output: {e}"
                ))
            }
            _ => {}
        },
    }
    let n = assigned.ids.len();
    eprintln!(
        "assigned {} of {n} customers to a persona; {unassigned} fit none",
        n - unassigned
    );
    Ok(())
}

/// `personas compare`.
pub fn compare(args: CompareArgs) -> Outcome {
    let model = PersonaModel::load(&args.model).map_err(text)?;
    let report = compare_csv(
        &model,
        &args.newer,
        &args.csv.options()?,
        &DriftOptions::new(),
    )
    .map_err(text)?;
    eprintln!("{}", report.summary());
    let rendered = match args.format {
        Format::Markdown => report.to_markdown().trim_end().to_string() + "\n",
        Format::Json => report.to_json().map_err(text)? + "\n",
    };
    common::write_output(args.output.as_ref(), &rendered)
}

/// `personas sql`.
pub fn sql(args: SqlArgs) -> Outcome {
    let model = PersonaModel::load(&args.model).map_err(text)?;
    let kmeans = model.k_means().map_err(text)?;
    let dialect = match args.dialect {
        SqlDialect::Standard => Dialect::Standard,
        SqlDialect::Spark => Dialect::Spark,
    };
    let options = SqlOptions::new()
        .with_table(args.table.clone())
        .with_dialect(dialect);
    let query =
        assignment_query(model.schema(), model.encoder(), kmeans, &options).map_err(text)?;
    common::write_output(args.output.as_ref(), &(query.trim_end().to_string() + "\n"))
}

/// `personas sample`.
pub fn sample(args: SampleArgs) -> Outcome {
    if args.customers == 0 {
        return Err("--customers must be at least 1".to_string());
    }
    let generator = SampleCustomers::new(args.seed).with_customers(args.customers);
    match &args.output {
        Some(path) => {
            let writer = common::create(path, "the sample customers")?;
            generator
                .write_csv(writer)
                .map_err(|e| common::write_error(path, "the sample customers", e))?;
        }
        None => match generator.write_csv(std::io::stdout().lock()) {
            Err(e) if !common::closed_pipe(&e) => {
                return Err(format!("cannot write the sample to standard output: {e}"))
            }
            _ => {}
        },
    }
    if let Some(path) = &args.schema_output {
        let json = generator.output_schema().to_json().map_err(text)?;
        common::write_file(path, "the sample schema", |w| {
            use std::io::Write;
            w.write_all(json.as_bytes())?;
            w.write_all(b"\n")
        })?;
    }
    Ok(())
}
