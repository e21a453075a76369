//! From order history to customers: order lines in, one row per customer out, with recency,
//! frequency, monetary value, tenure, purchase interval and (where the file has the columns)
//! category, channel, discount and basket measures; and RFM scores with named cells.
//!
//! Most customer data is a file of orders or order lines, not one row per customer. An
//! [`Aggregate`] reads such a file once ([`Aggregate::from_path`]) and builds the
//! [`CustomerTable`] and [`Schema`] the rest of the crate works on; no schema inference is
//! needed, since the aggregate knows its own attributes. [`Rfm::new`] then scores every customer
//! on recency, frequency and monetary value and names the cells ([`RfmCells`]), a
//! [`Segmentation`](crate::Segmentation) whose segments become personas.
//!
//! ```
//! use personas::transactions::{Aggregate, Rfm, RfmCells, TransactionOptions};
//! use personas::{Drafter, Profiles};
//!
//! let lines = "order,customer,date,amount,category\n\
//!              o1,ann,2024-01-05,30.00,books\n\
//!              o1,ann,2024-01-05,12.50,music\n\
//!              o2,bob,2024-02-10,99.90,books\n\
//!              o3,ann,2024-03-01,-12.50,music\n\
//!              o4,ann,2024-03-20,20.00,books\n";
//! let aggregate = Aggregate::from_reader(lines.as_bytes(), &TransactionOptions::new())?;
//! println!("{}", aggregate.report());
//! assert_eq!(aggregate.table().ids(), ["ann", "bob"]);
//! // Ann's return is no order: she has two (o1 and o4), Bob one.
//! let orders = match aggregate.table().column("frequency_orders") {
//!     Some(personas::Column::Numeric(orders)) => orders.values().to_vec(),
//!     _ => unreachable!("every aggregate has the column"),
//! };
//! assert_eq!(orders, [2.0, 1.0]);
//!
//! let rfm = Rfm::new(&aggregate, &RfmCells::builtin())?;
//! let profiles = Profiles::new(aggregate.table(), rfm.segmentation())?;
//! let personas = Drafter::new()
//!     .with_segment_names(rfm.names().iter().cloned())
//!     .draft(&profiles)?;
//! assert_eq!(personas.personas[0].name, rfm.names()[0]);
//! # Ok::<(), personas::Error>(())
//! ```
//!
//! # Reading
//!
//! A file is comma, semicolon, tab or pipe delimited, read with the customer reader's rules
//! ([`CsvOptions`]: delimiter detection, quoting, trimmed cells, missing markers, the decimal
//! mark decided per column), or whitespace-separated (columns aligned with runs of spaces, such
//! as the CDNOW master file), detected from the first line or set with
//! [`TransactionOptions::with_format`]. The customer, date and amount columns are named by the
//! caller or recognised from their names and checked against the values of the first lines
//! (dates in the formats of [`DateFormat`], amounts as numbers); the optional order-id,
//! category, channel, quantity and discount columns likewise. [`TransactionReport`] says which
//! column plays which part and why.
//!
//! # Policies
//!
//! - **Amount** is the value of the line (a line total, not a unit price).
//! - **Returns**: a line with a negative amount or a negative quantity is a return. Its amount
//!   (as a negative number, whatever its written sign) is subtracted from the customer's
//!   monetary total; it is no order, and changes no date, category, channel, discount or item
//!   measure.
//! - **Zero quantity**: a line with a quantity of exactly zero (a cancelled line) is left out and
//!   counted in the report. A line with a positive quantity and an amount of zero (a free item)
//!   is a purchase.
//! - **Only returns**: a customer whose lines are all returns (or left out) has no order, so no
//!   recency, tenure or frequency; they are not in the table, and the report counts them. A file
//!   without any purchase is [`Error::NoPurchases`].
//! - **Missing cells**: a line whose customer, date or amount is missing (an empty cell or a
//!   missing marker) is left out and counted in the report per column. A missing order id makes
//!   the line part of the customer's order of that day; a missing category, channel, quantity or
//!   discount adds nothing to those measures. A cell that is present but unreadable (text in the
//!   amount, an impossible date) is an error naming the row, the column and the value.
//! - **Reference date**: recency and tenure count days up to the reference date: the one given
//!   ([`TransactionOptions::with_reference_date`]), and then lines dated after it are left out
//!   and counted (the data as it was known on that day); else the last date of any line kept.
//! - **Orders** are the distinct order ids of a customer's purchase lines when the file has an
//!   order-id column, else the distinct calendar days with a purchase.
//!
//! # The aggregate
//!
//! One row per customer that has at least one order, **in the order of each customer's first
//! line in the file**; the table's ids are the customer ids. Every attribute is behavioural:
//!
//! | attribute | unit | meaning |
//! |---|---|---|
//! | `recency_days` | days | reference date minus the last order's date |
//! | `frequency_orders` | orders | orders (see above) |
//! | `monetary_total` | the currency | purchases minus returns; the **value** attribute |
//! | `average_order_value` | the currency | `monetary_total / frequency_orders` |
//! | `tenure_days` | days | reference date minus the first order's date |
//! | `purchase_interval_days` | days | `(last - first) / (orders - 1)`, the mean gap between consecutive orders; missing for one-order customers |
//! | `items_per_order` | items | purchased quantity over orders (with a quantity column) |
//! | `discount_share` | | the share of orders with a discounted line (with a discount column) |
//! | `category_share_<level>` | | each category's share of the customer's purchases (with a category column) |
//! | `channel_share_<level>` | | the share of the customer's orders placed in each channel (with a channel column) |
//!
//! `monetary_total` has [`Role::Value`](crate::Role::Value): it is what each segment's value
//! share is measured in, and is not clustered on; the other attributes are features. Labels
//! use the words the persona rules know ("Days since last order", "Orders", "Total spend",
//! "Days as a customer", "Days between orders", "Items per order", "Discount share", "Share of
//! Furniture", "Share in channel web"), so recency, frequency, monetary, tenure, interval,
//! basket, discount and mix statements fire with their evidence. [`Aggregate::join`] adds a customer attribute
//! table (demographics) by customer id.
//!
//! # Memory and threads
//!
//! The file is read once, in chunks that are parsed in parallel (delimited files) and folded into
//! the per-customer state in file order, so results do not depend on the thread count. Memory
//! holds one record per customer and one 12-byte key per distinct order (orders are counted
//! exactly, so their keys are kept), never the lines.

mod aggregate;
mod read;
mod rfm;
mod vocab;

use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::dates::DateFormat;
use crate::error::{Error, Result};
use crate::input::{open, CsvOptions};
use crate::schema::Schema;
use crate::table::CustomerTable;

pub use rfm::{quintile_scores, CellSummary, Rfm, RfmCell, RfmCells, RfmScore};

/// Names of the aggregate's attributes, for code that reads its columns.
pub mod names {
    /// The identifier attribute (the customer ids).
    pub const CUSTOMER: &str = "customer_id";
    /// Days since the last order.
    pub const RECENCY: &str = "recency_days";
    /// Orders.
    pub const FREQUENCY: &str = "frequency_orders";
    /// Purchases minus returns.
    pub const MONETARY: &str = "monetary_total";
    /// Monetary total over orders.
    pub const AVERAGE_ORDER_VALUE: &str = "average_order_value";
    /// Days since the first order.
    pub const TENURE: &str = "tenure_days";
    /// Mean days between consecutive orders.
    pub const INTERVAL: &str = "purchase_interval_days";
    /// Items per order.
    pub const ITEMS_PER_ORDER: &str = "items_per_order";
    /// Share of orders with a discount.
    pub const DISCOUNT_SHARE: &str = "discount_share";
    /// Prefix of the category spend shares (`category_share_<level>`).
    pub const CATEGORY_SHARE_PREFIX: &str = "category_share_";
    /// Prefix of the channel order shares (`channel_share_<level>`).
    pub const CHANNEL_SHARE_PREFIX: &str = "channel_share_";
}

/// How a file of order lines separates its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TransactionFormat {
    /// Decided from the first line: whitespace-separated when it has no comma, semicolon, tab or
    /// pipe and splits at spaces into at least three fields; delimited otherwise.
    #[default]
    Auto,
    /// A delimiter between fields, quoting as in CSV (see [`CsvOptions`]).
    Delimited,
    /// Fields separated by runs of spaces or tabs, no quoting.
    Whitespace,
}

/// The part a column plays in an order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnRole {
    /// The customer's id (required).
    Customer,
    /// The date of the line (required).
    Date,
    /// The value of the line (required).
    Amount,
    /// The order (invoice, basket) the line belongs to.
    OrderId,
    /// The product category.
    Category,
    /// The sales channel.
    Channel,
    /// The number of items.
    Quantity,
    /// A discount: a number (discounted when above zero) or a yes/no flag.
    Discount,
}

impl ColumnRole {
    /// Every role, required ones first.
    pub const ALL: [ColumnRole; 8] = [
        ColumnRole::Customer,
        ColumnRole::Date,
        ColumnRole::Amount,
        ColumnRole::OrderId,
        ColumnRole::Category,
        ColumnRole::Channel,
        ColumnRole::Quantity,
        ColumnRole::Discount,
    ];

    /// The role in words (`customer`, `order id`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnRole::Customer => "customer",
            ColumnRole::Date => "date",
            ColumnRole::Amount => "amount",
            ColumnRole::OrderId => "order id",
            ColumnRole::Category => "category",
            ColumnRole::Channel => "channel",
            ColumnRole::Quantity => "quantity",
            ColumnRole::Discount => "discount",
        }
    }

    fn index(self) -> usize {
        ColumnRole::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or_default()
    }
}

/// How to read a file of order lines; see the [module docs](self) for the policies.
///
/// ```
/// use personas::transactions::TransactionOptions;
/// let options = TransactionOptions::new()
///     .with_customer_column("Customer ID")
///     .with_date_column("Order Date")
///     .with_amount_column("Sales")
///     .with_reference_date("2018-01-01")
///     .with_currency("USD");
/// assert_eq!(options.column(personas::transactions::ColumnRole::Amount), Some("Sales"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionOptions {
    csv: CsvOptions,
    format: TransactionFormat,
    columns: [Option<String>; 8],
    date_format: Option<DateFormat>,
    reference: Option<String>,
    currency: Option<String>,
}

impl Default for TransactionOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl TransactionOptions {
    /// Defaults: the layout detected, every column recognised from its name and values, the
    /// date format detected, the reference date the last date in the file, no currency unit.
    pub fn new() -> Self {
        TransactionOptions {
            csv: CsvOptions::new(),
            format: TransactionFormat::Auto,
            columns: Default::default(),
            date_format: None,
            reference: None,
            currency: None,
        }
    }

    /// Reads delimited files with these options (delimiter, header, missing markers, comment
    /// lines); whitespace-separated files use their header, column names and missing markers.
    pub fn with_csv(mut self, csv: CsvOptions) -> Self {
        self.csv = csv;
        self
    }

    /// Uses this layout instead of detecting it.
    pub fn with_format(mut self, format: TransactionFormat) -> Self {
        self.format = format;
        self
    }

    /// The column that plays `role`, instead of recognising one.
    pub fn with_column(mut self, role: ColumnRole, column: impl Into<String>) -> Self {
        self.columns[role.index()] = Some(column.into());
        self
    }

    /// The customer id column.
    pub fn with_customer_column(self, column: impl Into<String>) -> Self {
        self.with_column(ColumnRole::Customer, column)
    }

    /// The date column.
    pub fn with_date_column(self, column: impl Into<String>) -> Self {
        self.with_column(ColumnRole::Date, column)
    }

    /// The amount column (the value of each line).
    pub fn with_amount_column(self, column: impl Into<String>) -> Self {
        self.with_column(ColumnRole::Amount, column)
    }

    /// Reads dates in this format instead of detecting it from the first lines.
    pub fn with_date_format(mut self, format: DateFormat) -> Self {
        self.date_format = Some(format);
        self
    }

    /// Counts recency and tenure up to this date (`yyyy-mm-dd` or `yyyymmdd`) and leaves out
    /// lines dated after it. Checked when the file is read.
    pub fn with_reference_date(mut self, date: impl Into<String>) -> Self {
        self.reference = Some(date.into());
        self
    }

    /// The unit of amounts ("USD", "EUR"), shown beside monetary values.
    pub fn with_currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// The column named for `role`, if one was.
    pub fn column(&self, role: ColumnRole) -> Option<&str> {
        self.columns[role.index()].as_deref()
    }

    /// The reading options of delimited files.
    pub fn csv(&self) -> &CsvOptions {
        &self.csv
    }

    /// The reference date as a day number.
    fn reference_day(&self) -> Result<Option<f64>> {
        let Some(text) = &self.reference else {
            return Ok(None);
        };
        DateFormat::Ymd
            .parse(text)
            .or_else(|| DateFormat::YmdCompact.parse(text))
            .map(Some)
            .ok_or_else(|| Error::InvalidParameter {
                name: "reference date",
                value: text.clone(),
                reason: "must be a date written yyyy-mm-dd or yyyymmdd",
            })
    }
}

/// Which column plays a part, and why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ColumnChoice {
    /// The part.
    pub role: ColumnRole,
    /// The column's name in the file.
    pub column: String,
    /// Why it was chosen ("named by the caller", "named like a customer id").
    pub reason: String,
}

/// What reading and aggregating a file of order lines did: the layout, the columns chosen and
/// why, and how many lines each policy took.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TransactionReport {
    /// The layout read (`Delimited` or `Whitespace`).
    pub format: TransactionFormat,
    /// The delimiter of a delimited file.
    pub delimiter: Option<u8>,
    /// The columns chosen, required ones first.
    pub columns: Vec<ColumnChoice>,
    /// The date format used.
    pub date_format: DateFormat,
    /// Whether the first lines fit both day-first and month-first dates, so that day-first was
    /// assumed (set the format to be sure).
    pub date_format_ambiguous: bool,
    /// Data lines read.
    pub lines: usize,
    /// Purchase lines aggregated.
    pub purchase_lines: usize,
    /// Return lines (negative amount or quantity) subtracted from monetary totals.
    pub return_lines: usize,
    /// Lines with a quantity of zero, left out.
    pub zero_quantity_lines: usize,
    /// Lines left out for a missing customer, date or amount, in that order.
    pub missing: [usize; 3],
    /// Lines dated after the reference date, left out.
    pub after_reference: usize,
    /// Customers in the table (with at least one order).
    pub customers: usize,
    /// Customers seen only in returns (or left-out lines), not in the table.
    pub return_only_customers: usize,
    /// Orders counted over all customers.
    pub orders: usize,
    /// Whether orders are distinct order ids (else distinct purchase days).
    pub orders_by_id: bool,
    /// The first and the last purchase day (day numbers, see [`crate::dates`]).
    pub first_day: f64,
    /// The last purchase day.
    pub last_day: f64,
    /// The day recency and tenure are counted to.
    pub reference_day: f64,
    /// Whether the reference date was given (else it is the last date in the file).
    pub reference_given: bool,
    /// When the last date is more than [`LONE_LAST_DATE_GAP`] days after every other date (a
    /// typo such as 2099 for 2019?): the date before it. Recency and tenure are still counted to
    /// the last date; the report warns.
    pub date_before_last: Option<f64>,
    /// What [`Aggregate::join`] matched, once it has run.
    pub join: Option<JoinSummary>,
}

/// The gap in days after which a lone last date is reported as a possible typo: a year.
pub const LONE_LAST_DATE_GAP: f64 = 366.0;

/// What joining a customer attribute table found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct JoinSummary {
    /// Customers of the aggregate found in the attribute table.
    pub matched: usize,
    /// Customers of the aggregate not in it (their attributes are missing).
    pub without_attributes: usize,
    /// Rows of the attribute table without any order (left out).
    pub without_orders: usize,
}

impl fmt::Display for TransactionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::text::group_thousands as n;
        let layout = match (self.format, self.delimiter) {
            (TransactionFormat::Whitespace, _) => "whitespace-separated columns".to_string(),
            (_, Some(b'\t')) => "tab-delimited".to_string(),
            (_, Some(d)) => format!("`{}`-delimited", char::from(d)),
            _ => "delimited".to_string(),
        };
        writeln!(f, "Order lines: {} lines, {layout}", n(self.lines as f64))?;
        for c in &self.columns {
            writeln!(
                f,
                "  {:<9} `{}`: {}",
                c.role.as_str(),
                crate::error::shorten(&c.column),
                c.reason
            )?;
        }
        writeln!(
            f,
            "  dates read as {}{}",
            self.date_format.pattern(),
            if self.date_format_ambiguous {
                " (day-first assumed: the first lines also read month-first; set the date \
                 format to be sure)"
            } else {
                ""
            }
        )?;
        writeln!(
            f,
            "Kept {} purchase lines and {} returns (subtracted from the monetary total)",
            n(self.purchase_lines as f64),
            n(self.return_lines as f64)
        )?;
        let [customer, date, amount] = self.missing;
        let left_out = [
            (self.zero_quantity_lines, "with a quantity of zero"),
            (customer, "without a customer"),
            (date, "without a date"),
            (amount, "without an amount"),
            (self.after_reference, "after the reference date"),
        ];
        for (count, why) in left_out.iter().filter(|(c, _)| *c > 0) {
            writeln!(f, "Left out {} lines {why}", n(*count as f64))?;
        }
        writeln!(
            f,
            "{} customers with {} orders ({}), first purchase {}, last {}",
            n(self.customers as f64),
            n(self.orders as f64),
            if self.orders_by_id {
                "distinct order ids"
            } else {
                "distinct purchase days: no order-id column"
            },
            crate::dates::iso(self.first_day),
            crate::dates::iso(self.last_day)
        )?;
        if self.return_only_customers > 0 {
            writeln!(
                f,
                "{} customers with returns only are not in the table",
                n(self.return_only_customers as f64)
            )?;
        }
        write!(
            f,
            "Recency and tenure counted in days to {} ({})",
            crate::dates::iso(self.reference_day),
            if self.reference_given {
                "the reference date given"
            } else {
                "the last date in the file"
            }
        )?;
        if let (Some(before), false) = (self.date_before_last, self.reference_given) {
            write!(
                f,
                "\nwarning: the last date, {}, is {} days after any other date ({}): if it is a \
                 typo, give a reference date (`--reference-date`, \
                 `TransactionOptions::with_reference_date`)",
                crate::dates::iso(self.reference_day),
                n((self.reference_day - before).round()),
                crate::dates::iso(before)
            )?;
        }
        if let Some(j) = &self.join {
            write!(
                f,
                "\nJoined customer attributes: {} matched, {} without attributes, {} attribute \
                 rows without orders left out",
                n(j.matched as f64),
                n(j.without_attributes as f64),
                n(j.without_orders as f64)
            )?;
        }
        Ok(())
    }
}

/// Customers aggregated from order lines: the schema, the table (one row per customer) and the
/// report of how it was read.
#[derive(Debug, Clone)]
pub struct Aggregate {
    schema: Schema,
    table: CustomerTable,
    report: TransactionReport,
}

impl Aggregate {
    /// Reads a file of order lines and aggregates it per customer: the library's one call from
    /// a transactions file to a customer table; see the [module docs](self).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::EmptyInput`], [`Error::NoRows`],
    /// [`Error::RaggedRow`], [`Error::NotUtf8`] for malformed files; [`Error::MissingColumn`]
    /// for a column named in the options that the file lacks; [`Error::NoTransactionColumn`]
    /// when no column can be recognised as the customer, date or amount; [`Error::WrongType`]
    /// for an unreadable date, amount, quantity or discount (row, column and value);
    /// [`Error::NoPurchases`] when no line is a purchase; [`Error::InvalidParameter`] for a bad
    /// reference date.
    pub fn from_path(path: impl AsRef<Path>, options: &TransactionOptions) -> Result<Self> {
        Self::from_reader(open(path.as_ref())?, options)
    }

    /// Reads order lines from any reader; see [`Aggregate::from_path`].
    ///
    /// # Errors
    /// As [`Aggregate::from_path`], with [`Error::Csv`] for read failures.
    pub fn from_reader<R: Read>(reader: R, options: &TransactionOptions) -> Result<Self> {
        let reference = options.reference_day()?;
        let (layout, lines) = read::Layout::open(reader, options)?;
        let mut folder = aggregate::Folder::new(&layout, reference);
        layout.read(lines, options, |chunk| folder.add(chunk))?;
        let (schema, table, report) = folder.finish(layout, options)?;
        Ok(Aggregate {
            schema,
            table,
            report,
        })
    }

    /// The aggregate's schema (see the table in the [module docs](self)).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// One row per customer, ids the customer ids.
    pub fn table(&self) -> &CustomerTable {
        &self.table
    }

    /// How the file was read and aggregated.
    pub fn report(&self) -> &TransactionReport {
        &self.report
    }

    /// The schema, the table and the report.
    pub fn into_parts(self) -> (Schema, CustomerTable, TransactionReport) {
        (self.schema, self.table, self.report)
    }

    /// Adds a customer attribute table (demographics, say) by customer id: its attributes (all
    /// but its identifier and ignored ones) follow the aggregate's, with their roles and
    /// facets. Aggregate customers not in it get missing values; its customers without orders
    /// are left out. [`TransactionReport::join`] counts both.
    ///
    /// # Errors
    /// [`Error::InvalidSchema`] when an attribute name is taken by the aggregate (rename it in
    /// the attribute table's schema).
    pub fn join(self, attributes: &CustomerTable) -> Result<Self> {
        aggregate::join(self, attributes)
    }
}
