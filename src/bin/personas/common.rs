//! What several subcommands share: reading CSV options, writing output.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use personas::transactions::{ColumnRole, TransactionOptions};
use personas::CsvOptions;

/// The result of a subcommand: the message of its one error line.
pub type Outcome = Result<(), String>;

/// A library error as the message of the error line.
pub fn text(e: personas::Error) -> String {
    e.to_string()
}

/// How to read a CSV file.
#[derive(Args, Debug, Clone)]
pub struct CsvArgs {
    /// The field delimiter, when detection picks the wrong one (one character, or `tab`).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// The file has no header row: its columns are named `column_1`, `column_2`, ….
    #[arg(long, conflicts_with = "names")]
    pub no_header: bool,

    /// The file has no header row: these are its column names, comma-separated, in order.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub names: Option<Vec<String>>,

    /// Skips every line that starts with this character (a note, a comment), wherever it is in
    /// the file: a data line starting with it is skipped too (for a title above the header,
    /// use --skip-lines).
    #[arg(long, value_name = "CHAR")]
    pub comment: Option<String>,

    /// Skips this many lines at the top of the file, before the header (a title, an export
    /// note).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub skip_lines: usize,
}

impl CsvArgs {
    /// The CSV options these flags ask for.
    pub fn options(&self) -> Result<CsvOptions, String> {
        let mut options = CsvOptions::new();
        if let Some(d) = &self.delimiter {
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
        options = options.with_skip_lines(self.skip_lines);
        if let Some(c) = &self.comment {
            match c.as_bytes() {
                [byte] => options = options.with_comment(*byte),
                _ => return Err(format!("--comment must be one character, not `{c}`")),
            }
        }
        if let Some(names) = &self.names {
            options = options.with_column_names(names.iter().map(|n| n.trim().to_string()));
        } else if self.no_header {
            options = options.without_header();
        }
        Ok(options)
    }
}

/// Order lines instead of (or besides) one row per customer.
#[derive(Args, Debug)]
pub struct OrderArgs {
    /// A file of order lines (one row per order or order line: customer, date, amount, …),
    /// aggregated into one row per customer: recency, orders, total spend, average order value,
    /// tenure, days between orders, and category, channel and discount mix where the columns
    /// exist. Columns are recognised from their names and values, and the report says which.
    #[arg(long, value_name = "ORDERS.csv")]
    pub transactions: Option<PathBuf>,

    /// Order lines: the customer id column.
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub customer_col: Option<String>,

    /// Order lines: the date column.
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub date_col: Option<String>,

    /// Order lines: the amount column (the line's value, not a unit price).
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub amount_col: Option<String>,

    /// Order lines: the order (invoice, basket) id column.
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub order_col: Option<String>,

    /// Order lines: the product category column.
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub category_col: Option<String>,

    /// Order lines: the sales channel column.
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub channel_col: Option<String>,

    /// Order lines: the quantity column.
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub quantity_col: Option<String>,

    /// Order lines: the discount column.
    #[arg(long, value_name = "NAME", requires = "transactions")]
    pub discount_col: Option<String>,
}

impl OrderArgs {
    /// The aggregation options these flags ask for.
    pub fn options(
        &self,
        csv: personas::CsvOptions,
        reference: Option<&String>,
    ) -> TransactionOptions {
        let mut options = TransactionOptions::new().with_csv(csv);
        let columns = [
            (ColumnRole::Customer, &self.customer_col),
            (ColumnRole::Date, &self.date_col),
            (ColumnRole::Amount, &self.amount_col),
            (ColumnRole::OrderId, &self.order_col),
            (ColumnRole::Category, &self.category_col),
            (ColumnRole::Channel, &self.channel_col),
            (ColumnRole::Quantity, &self.quantity_col),
            (ColumnRole::Discount, &self.discount_col),
        ];
        for (role, column) in columns {
            if let Some(column) = column {
                options = options.with_column(role, column.clone());
            }
        }
        if let Some(date) = reference {
            options = options.with_reference_date(date.clone());
        }
        options
    }
}

/// Markdown for people or JSON for pipelines.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Markdown, for people.
    Markdown,
    /// A JSON document, for pipelines.
    Json,
}

/// Whether an error is standard output closed by the reader (`personas assign … | head`): not a
/// failure of ours, so the run ends quietly.
pub fn closed_pipe(e: &personas::Error) -> bool {
    let broken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
    match e {
        personas::Error::Write { source, .. } => broken(source),
        personas::Error::Csv(e) => matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io)),
        _ => false,
    }
}

/// Writes `text` to the file, or to standard output when there is none.
pub fn write_output(path: Option<&PathBuf>, text: &str) -> Outcome {
    match path {
        Some(p) => write_file(p, "the output", |w| w.write_all(text.as_bytes())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write the output to standard output: {e}"))
                }
                _ => Ok(()),
            }
        }
    }
}

/// Creates `path` and writes it with `write`, naming `what` and the file on failure.
pub fn write_file(
    path: &Path,
    what: &str,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Outcome {
    let failed = |e: std::io::Error| format!("cannot write {what} to `{}`: {e}", path.display());
    let mut file = BufWriter::new(File::create(path).map_err(failed)?);
    write(&mut file).and_then(|()| file.flush()).map_err(failed)
}

/// A writer for `path`, for library functions that write CSV themselves, with the message to
/// give when they fail.
pub fn create(path: &Path, what: &str) -> Result<BufWriter<File>, String> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| format!("cannot write {what} to `{}`: {e}", path.display()))
}

/// A library error from writing `what` to `path`, as one message naming both.
pub fn write_error(path: &Path, what: &str, e: personas::Error) -> String {
    match e {
        personas::Error::Write { source, .. } => {
            format!("cannot write {what} to `{}`: {source}", path.display())
        }
        other => format!("cannot write {what} to `{}`: {other}", path.display()),
    }
}
