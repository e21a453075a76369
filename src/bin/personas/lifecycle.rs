//! `personas assign`, `compare`, `sql` and `sample`: using a saved model, and the sample data.

use std::path::PathBuf;

use clap::Args;
use personas::drift::{self, DriftOptions};
use personas::model::{DurationsTo, PersonaModel};
use personas::sql::{assignment_query, Dialect, SqlOptions};
use personas::transactions::Aggregate;
use personas::CustomerTable;
use personas::SampleCustomers;

use crate::common::{self, text, CsvArgs, Format, OrderArgs, Outcome};

/// `personas assign`.
#[derive(Args, Debug)]
pub struct AssignArgs {
    /// A model saved by `personas draft --save-model`.
    pub model: PathBuf,

    /// The customers to assign: a CSV with the columns the model clusters on (new categories
    /// are allowed: they count as none of the known ones; outcome, value and descriptor columns
    /// may be absent). With --transactions: order lines instead.
    #[arg(required_unless_present = "transactions")]
    pub input: Option<PathBuf>,

    /// Writes the assignments to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Measure durations (days since, ages) to this date, `yyyy-mm-dd`, instead of the newest
    /// date in the file; `training` for the date the model was drafted with.
    #[arg(long, value_name = "DATE|training")]
    pub reference_date: Option<String>,

    #[command(flatten)]
    pub orders: OrderArgs,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// `personas compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// A model saved by `personas draft --save-model`.
    pub model: PathBuf,

    /// A newer snapshot of customers, with the columns the model clusters on (with
    /// --transactions: order lines).
    #[arg(required_unless_present = "transactions")]
    pub newer: Option<PathBuf>,

    /// Measure durations (days since, ages) to this date, `yyyy-mm-dd`, instead of the newest
    /// date in the file; `training` for the date the model was drafted with.
    #[arg(long, value_name = "DATE|training")]
    pub reference_date: Option<String>,

    #[command(flatten)]
    pub orders: OrderArgs,

    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    /// Writes the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
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
    #[arg(short, long, value_name = "FILE")]
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
    #[arg(short, long, value_name = "FILE")]
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

/// The new customers of `assign` and `compare`: a customer file read for the model, or order
/// lines aggregated the way the model's were.
fn newer_customers(
    model: &PersonaModel,
    input: Option<&PathBuf>,
    orders: &OrderArgs,
    csv: &CsvArgs,
    reference_date: Option<&String>,
) -> Result<(CustomerTable, Vec<String>), String> {
    if let Some(path) = &orders.transactions {
        let reference = reference_date.filter(|d| d.as_str() != "training");
        let options = orders.options(csv.options()?, reference);
        let aggregate = Aggregate::from_path(path, &options).map_err(text)?;
        eprintln!("{}\n", aggregate.report());
        let (_, table, _) = aggregate.into_parts();
        return Ok((table, Vec::new()));
    }
    let input = input.ok_or("give a customer CSV or --transactions")?;
    let durations = match reference_date.map(String::as_str) {
        None => DurationsTo::NewestDate,
        Some("training") => DurationsTo::Training,
        Some(date) => DurationsTo::Date(date.to_string()),
    };
    let newer = model
        .read_csv(input, &csv.options()?, &durations)
        .map_err(text)?;
    if let Some(date) = &newer.reference {
        eprintln!("durations (days since, ages) measured to {date} (--reference-date to choose)");
    }
    if !newer.left_out.is_empty() {
        eprintln!(
            "note: not in the file and not needed to assign: {}",
            newer.left_out.join(", ")
        );
    }
    Ok((newer.table, newer.respelled))
}

/// `personas assign`.
pub fn assign(args: AssignArgs) -> Outcome {
    let model = PersonaModel::load(&args.model).map_err(text)?;
    let (customers, respelled) = newer_customers(
        &model,
        args.input.as_ref(),
        &args.orders,
        &args.csv,
        args.reference_date.as_ref(),
    )?;
    let assigned = model.assign(&customers).map_err(text)?;
    for note in respelled.iter().chain(&model.assignment_notes(&customers)) {
        eprintln!("note: {note}");
    }
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
    let (newer, respelled) = newer_customers(
        &model,
        args.newer.as_ref(),
        &args.orders,
        &args.csv,
        args.reference_date.as_ref(),
    )?;
    let mut report = drift::compare(&model, &newer, &DriftOptions::new()).map_err(text)?;
    report.notes.splice(0..0, respelled);
    for note in &report.notes {
        eprintln!("note: {note}");
    }
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
