//! Realistic synthetic B2C retail customers drawn from planted segments with known labels.
//!
//! [`SampleCustomers`] draws customers of a fictional retailer (groceries, electronics, fashion,
//! home) from the five [`PLANTED_SEGMENTS`]: deal seekers, premium loyalists, busy families,
//! at-risk customers and young digital natives, about 30/25/20/15/10 % of customers. Each segment
//! differs from the others by well over a population standard deviation on several attributes, so
//! k-means should find them again, yet the data keeps what real data has: overlap, skewed money,
//! integer counts, money rounded to cents, and a few percent of missing cells.
//!
//! Every segment lists the [`PlantedSignal`]s that were built into it (which attribute is markedly
//! high or low, and what that means for a persona), so that tests can check that segmentation and
//! persona drafting recover what was planted.
//!
//! ```
//! use personas::SampleCustomers;
//!
//! let sample = SampleCustomers::new(7).with_customers(200).generate();
//! assert_eq!(sample.rows().len(), 200);
//! assert_eq!(sample.header()[0], "customer_id");
//! let deal_seekers = sample.planted().iter().filter(|&&s| s == 0).count();
//! assert_eq!(deal_seekers, 60);
//! ```

use std::io::Write;

use crate::error::Result;
use crate::rng::Rng;
use crate::schema::{Attribute, Facet, Role, Schema};

pub use crate::persona::Direction;

mod draw;
mod extras;
mod planted;
mod recipes;
mod write;

use draw::{customer_id, shuffled_labels, Draws};
use extras::{Extra, EXTRAS};
pub use planted::{PlantedSegment, PlantedSignal, PLANTED_SEGMENTS};
use recipes::{EDUCATION, REGIONS};
use write::{write_planted_rows, write_rows};

/// A seeded generator of synthetic retail customers with planted segments.
///
/// The same seed and size give the same customers, byte for byte. Every value is rounded (to
/// cents, hundredths or whole numbers) and formatted by Rust itself, so the last-bit differences
/// that platform math libraries may show in `exp`, `ln` and `cos` do not reach the output in
/// practice.
///
/// ```
/// use personas::SampleCustomers;
///
/// let sample = SampleCustomers::new(1).with_customers(100).generate();
/// assert_eq!(sample, SampleCustomers::new(1).with_customers(100).generate());
/// let csv = sample.to_csv_string();
/// assert_eq!(csv.lines().count(), 101);
/// ```
///
/// # Width
///
/// By default it writes the [`Self::BUNDLED_ATTRIBUTES`] columns of [`Self::schema`] (the
/// identifier and 21 attributes). [`Self::with_attributes`] asks for another number of columns,
/// counting the identifier as the schema does: fewer keep the identifier and the first attributes
/// in schema order; more add attributes that follow the planted segments (more category spends,
/// order value, return rate, app and store visits, newsletter clicks, reviews, wishlists,
/// referrals, delivery issues, vouchers, mobile and evening orders), up to
/// [`Self::MAX_ATTRIBUTES`]. The columns in common are the same, cell for cell, whatever the
/// width: the added attributes are drawn from a stream of their own.
///
/// # Size
///
/// [`Self::generate`] holds every cell in memory as a `String` (about 1.3 GB for a million
/// customers of 22 columns). For large samples, [`Self::write_csv`] and
/// [`Self::write_planted_csv`] draw and write one customer at a time, with the same bytes, in
/// memory that does not grow with the rows beyond the planted label of each customer.
///
/// ```
/// use personas::SampleCustomers;
///
/// let narrow = SampleCustomers::new(1).with_customers(100).with_attributes(11);
/// assert_eq!(narrow.output_schema().len(), 11);
/// let mut csv = Vec::new();
/// narrow.write_csv(&mut csv)?;
/// assert_eq!(csv, narrow.generate().to_csv_string().into_bytes());
/// # Ok::<(), personas::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleCustomers {
    seed: u64,
    n_customers: usize,
    n_attributes: usize,
}

impl Default for SampleCustomers {
    /// The configuration of the bundled `examples/data/customers.csv`.
    fn default() -> Self {
        SampleCustomers::new(Self::BUNDLED_SEED)
    }
}

impl SampleCustomers {
    /// The seed of the sample data bundled under `examples/data/`.
    pub const BUNDLED_SEED: u64 = 42;
    /// The number of customers in the sample data bundled under `examples/data/`.
    pub const BUNDLED_CUSTOMERS: usize = 3_000;
    /// The number of columns (attributes of [`Self::schema`], the identifier included) of the
    /// sample data bundled under `examples/data/`, and of every sample unless
    /// [`Self::with_attributes`] says otherwise.
    pub const BUNDLED_ATTRIBUTES: usize = 22;
    /// The most columns [`Self::with_attributes`] accepts: the bundled ones and 18 more.
    pub const MAX_ATTRIBUTES: usize = Self::BUNDLED_ATTRIBUTES + EXTRAS.len();

    /// A generator of [`Self::BUNDLED_CUSTOMERS`] customers of [`Self::BUNDLED_ATTRIBUTES`]
    /// columns from this seed.
    pub fn new(seed: u64) -> Self {
        SampleCustomers {
            seed,
            n_customers: Self::BUNDLED_CUSTOMERS,
            n_attributes: Self::BUNDLED_ATTRIBUTES,
        }
    }

    /// Sets the number of customers to generate.
    pub fn with_customers(mut self, n_customers: usize) -> Self {
        self.n_customers = n_customers;
        self
    }

    /// Sets the number of columns, counting the identifier: below
    /// [`Self::BUNDLED_ATTRIBUTES`], the identifier and the first `n_attributes - 1` attributes
    /// of [`Self::schema`]; above it, all of those and `n_attributes - 22` added attributes that
    /// follow the planted segments (see [`Self::output_schema`] for their names and meanings).
    ///
    /// The planted segments' [`PlantedSignal`]s name only bundled attributes; a signal on a
    /// column left out is simply absent from the data.
    ///
    /// # Panics
    /// When `n_attributes` is below 2 (an identifier and one attribute) or above
    /// [`Self::MAX_ATTRIBUTES`].
    pub fn with_attributes(mut self, n_attributes: usize) -> Self {
        assert!(
            (2..=Self::MAX_ATTRIBUTES).contains(&n_attributes),
            "the sample generator writes 2 to {} columns, not {n_attributes}",
            Self::MAX_ATTRIBUTES
        );
        self.n_attributes = n_attributes;
        self
    }

    /// The number of columns written, the identifier included.
    pub fn n_attributes(&self) -> usize {
        self.n_attributes
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of customers generated.
    pub fn n_customers(&self) -> usize {
        self.n_customers
    }

    /// The schema of the bundled data (and of any sample of the default width): facets, roles,
    /// units, labels and descriptions for every column. `total_spend` has role [`Role::Value`]
    /// (reported, not clustered on); the four category spends are `log1p`-transformed before
    /// scaling because money is skewed. [`Self::output_schema`] gives the schema of another
    /// width.
    pub fn schema() -> Schema {
        use Facet::{Behavioural, Demographic, Geographic};
        let num = |name: &str, unit: &str, facet: Facet, label: &str, description: &str| {
            Attribute::numeric(name)
                .with_unit(unit)
                .with_facet(facet)
                .with_label(label)
                .with_description(description)
        };
        let spend = |name: &str, label: &str, what: &str| {
            num(
                name,
                "EUR/year",
                Behavioural,
                label,
                &format!("Average annual spend on {what} over the last two years, in euros"),
            )
            .with_log1p(true)
        };
        let attributes = vec![
            Attribute::identifier("customer_id")
                .with_label("Customer ID")
                .with_description("The customer's number in the CRM"),
            num(
                "age",
                "years",
                Demographic,
                "Age",
                "Age in years (missing where the customer did not give it)",
            ),
            num(
                "income",
                "EUR/year",
                Demographic,
                "Annual income",
                "Estimated annual household income in euros, rounded to 100 \
                 (missing where unknown)",
            ),
            num(
                "household_size",
                "people",
                Demographic,
                "Household size",
                "Number of people in the household",
            ),
            Attribute::boolean("has_children")
                .with_facet(Demographic)
                .with_label("Children at home")
                .with_description("Whether children live in the household"),
            Attribute::ordinal("education", EDUCATION)
                .with_facet(Demographic)
                .with_label("Education")
                .with_description("Highest completed education (missing where unknown)"),
            Attribute::categorical("region", REGIONS)
                .with_facet(Geographic)
                .with_label("Region")
                .with_description("Region of the delivery address; `capital` is the capital city"),
            Attribute::tags("preferred_channels", ";")
                .with_facet(Behavioural)
                .with_label("Preferred channels")
                .with_description(
                    "Channels the customer uses or opted into: web, app, store, email, phone, \
                     social",
                ),
            spend("spend_groceries", "Grocery spend", "groceries"),
            spend("spend_electronics", "Electronics spend", "electronics"),
            spend("spend_fashion", "Fashion spend", "fashion"),
            spend("spend_home", "Home spend", "home and living"),
            num(
                "purchase_frequency",
                "orders/year",
                Behavioural,
                "Purchase frequency",
                "Average orders per year over the last two years",
            ),
            num(
                "recency_days",
                "days",
                Behavioural,
                "Days since last purchase",
                "Days since the customer's last order (recency)",
            ),
            num(
                "web_visits_per_month",
                "visits/month",
                Behavioural,
                "Web visits per month",
                "Visits to the web shop or app in the last month",
            ),
            num(
                "discount_share",
                "fraction",
                Behavioural,
                "Discount use",
                "Fraction of orders that used a discount or voucher (0 to 1)",
            ),
            num(
                "email_open_rate",
                "fraction",
                Behavioural,
                "Email open rate",
                "Fraction of marketing emails opened in the last 12 months (0 to 1; missing \
                 where the customer receives no email)",
            ),
            num(
                "campaign_responses",
                "campaigns",
                Behavioural,
                "Campaign responses",
                "Of the last 6 marketing campaigns, how many the customer responded to",
            ),
            num(
                "support_contacts",
                "contacts/year",
                Behavioural,
                "Support contacts",
                "Contacts with customer support in the last 12 months",
            ),
            num(
                "complaints",
                "complaints/year",
                Behavioural,
                "Complaints",
                "Complaints filed in the last 12 months",
            ),
            Attribute::boolean("loyalty_member")
                .with_facet(Behavioural)
                .with_label("Loyalty member")
                .with_description("Whether the customer is in the loyalty programme"),
            num(
                "total_spend",
                "EUR/year",
                Behavioural,
                "Total spend",
                "Average annual spend over the last two years, all categories, in euros",
            )
            .with_role(Role::Value),
        ];
        Schema::new(attributes).expect("the built-in sample schema is valid")
    }

    /// The schema of the columns this generator writes: [`Self::schema`] cut to
    /// [`Self::n_attributes`] columns, or extended by the added attributes (all numeric and
    /// behavioural; the added spends `log1p`-transformed, as the bundled ones are).
    pub fn output_schema(&self) -> Schema {
        let mut attributes = Self::schema().attributes().to_vec();
        attributes.truncate(self.n_attributes);
        let n_extras = self.n_attributes.saturating_sub(Self::BUNDLED_ATTRIBUTES);
        attributes.extend(EXTRAS[..n_extras].iter().map(Extra::attribute));
        Schema::new(attributes).expect("the built-in sample schema is valid")
    }

    /// Generates the customers, every cell held in memory (see [`Self::write_csv`] to stream).
    ///
    /// Segment sizes are the planted shares of `n_customers`, rounded so that they add up
    /// (largest remainder); customers of all segments are shuffled together and numbered
    /// `C00001`, `C00002`, … in row order.
    pub fn generate(&self) -> Sample {
        let schema = self.output_schema();
        let header: Vec<String> = schema.attributes().iter().map(|a| a.name.clone()).collect();
        let mut draws = Draws::new(self);
        let rows = draws.by_ref().collect();
        Sample {
            schema,
            header,
            rows,
            planted: draws.planted,
        }
    }

    /// The planted segment of each customer, in row order, as [`Sample::planted`] gives it,
    /// without drawing the customers.
    pub fn planted(&self) -> Vec<usize> {
        shuffled_labels(self.n_customers, &mut Rng::new(self.seed))
    }

    /// Draws the customers one at a time and writes them as CSV, byte for byte what
    /// `self.generate().write_csv(writer)` writes, without holding them in memory: use it for
    /// millions of customers.
    ///
    /// # Errors
    /// [`crate::Error::Csv`] when the writer fails.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        let schema = self.output_schema();
        let header = schema.attributes().iter().map(|a| a.name.as_str());
        write_rows(writer, header, Draws::new(self))
    }

    /// Writes the planted labels as CSV, byte for byte what
    /// `self.generate().write_planted_csv(writer)` writes, without drawing the customers.
    ///
    /// # Errors
    /// [`crate::Error::Csv`] when the writer fails.
    pub fn write_planted_csv<W: Write>(&self, writer: W) -> Result<()> {
        let planted = self.planted();
        let ids = (1..=planted.len()).map(customer_id);
        write_planted_rows(writer, ids.zip(planted))
    }
}

/// Generated customers: the rows as CSV cells, their schema and the planted segment of each.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    schema: Schema,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    planted: Vec<usize>,
}

impl Sample {
    /// The schema of the columns.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The column names, in schema order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The customers, one row of cells per customer in header order; an empty cell is missing.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The planted segment of each customer, in row order: an index into [`PLANTED_SEGMENTS`].
    pub fn planted(&self) -> &[usize] {
        &self.planted
    }

    /// The number of customers.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no customers.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The cells of one column, in row order, or `None` when no column has this name.
    pub fn column(&self, name: &str) -> Option<Vec<&str>> {
        let j = self.header.iter().position(|h| h == name)?;
        Some(self.rows.iter().map(|row| row[j].as_str()).collect())
    }

    /// Writes the customers as CSV: a header row, then one row per customer, `\n` line ends.
    ///
    /// # Errors
    /// [`crate::Error::Write`] (naming the sample customers CSV) when the writer fails.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        write_rows(writer, &self.header, &self.rows)
    }

    /// The customers as a CSV string, as [`Sample::write_csv`] writes them.
    pub fn to_csv_string(&self) -> String {
        let mut out = Vec::new();
        self.write_csv(&mut out)
            .expect("writing CSV to memory does not fail");
        String::from_utf8(out).expect("generated cells are UTF-8")
    }

    /// Writes the planted labels as CSV with the header `customer,segment,segment_name`, one row
    /// per customer in row order (the same shape as the `segment` example's `--labels` file,
    /// plus the segment's name).
    ///
    /// # Errors
    /// [`crate::Error::Write`] (naming the planted labels CSV) when the writer fails.
    pub fn write_planted_csv<W: Write>(&self, writer: W) -> Result<()> {
        let ids = self.rows.iter().map(|row| row[0].as_str());
        write_planted_rows(writer, ids.zip(self.planted.iter().copied()))
    }

    /// The planted labels as a CSV string, as [`Sample::write_planted_csv`] writes them.
    pub fn planted_csv_string(&self) -> String {
        let mut out = Vec::new();
        self.write_planted_csv(&mut out)
            .expect("writing CSV to memory does not fail");
        String::from_utf8(out).expect("generated cells are UTF-8")
    }
}

#[cfg(test)]
mod tests;
