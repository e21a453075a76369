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

/// One difference built into a planted segment, and what it means for the segment's persona.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlantedSignal {
    /// The attribute (CSV column) that carries the signal.
    pub attribute: &'static str,
    /// For categorical and tags attributes, the level whose share is high or low; `None` for
    /// numeric attributes (compared by mean) and booleans (compared by the share of `yes`).
    pub level: Option<&'static str>,
    /// Whether the segment is high or low on it.
    pub direction: Direction,
    /// What the signal means for a persona, as "trait: consequence" (the consequence names the
    /// goal, pain point or objection a persona of this segment should carry).
    pub meaning: &'static str,
}

/// A segment planted in the sample data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlantedSegment {
    /// A short name ("Deal seekers").
    pub name: &'static str,
    /// Who these customers are, in a sentence or two.
    pub description: &'static str,
    /// The intended share of customers (the generator hits it to the nearest customer).
    pub share: f64,
    /// The differences built into the segment. Only differences a profile can find are listed:
    /// each moves the segment's mean at least half a population standard deviation from the
    /// population's mean, or a level's share by a factor of at least 1.3.
    pub signals: &'static [PlantedSignal],
}

const fn sig(
    attribute: &'static str,
    direction: Direction,
    meaning: &'static str,
) -> PlantedSignal {
    PlantedSignal {
        attribute,
        level: None,
        direction,
        meaning,
    }
}

const fn level_sig(
    attribute: &'static str,
    level: &'static str,
    direction: Direction,
    meaning: &'static str,
) -> PlantedSignal {
    PlantedSignal {
        attribute,
        level: Some(level),
        direction,
        meaning,
    }
}

use Direction::{High, Low};

/// The five segments the generator plants, indexed by the labels in [`Sample::planted`].
pub const PLANTED_SEGMENTS: &[PlantedSegment] = &[
    PlantedSegment {
        name: "Deal seekers",
        description: "Budget-conscious shoppers who wait for offers, read every promotional email \
                      and compare prices online before they buy.",
        share: 0.30,
        signals: &[
            sig("income", Low, "lower income: every euro has to count"),
            sig(
                "discount_share",
                High,
                "price-sensitive: doubts value for money at full price",
            ),
            sig(
                "campaign_responses",
                High,
                "responds to promotions: wants to hear about offers first",
            ),
            sig(
                "email_open_rate",
                High,
                "reads marketing email: email is the way to reach them",
            ),
            sig(
                "web_visits_per_month",
                High,
                "researches online: compares prices before buying",
            ),
            level_sig(
                "preferred_channels",
                "email",
                High,
                "prefers email: wants offers delivered to the inbox",
            ),
        ],
    },
    PlantedSegment {
        name: "Premium loyalists",
        description:
            "Established, well-off customers who buy often and recently, spend most on \
                      home and fashion, belong to the loyalty programme and rarely need a discount.",
        share: 0.25,
        signals: &[
            sig(
                "age",
                High,
                "older and established: values quality and service",
            ),
            sig("income", High, "high income: can pay for quality"),
            sig(
                "total_spend",
                High,
                "most valuable customers: expects to be recognised",
            ),
            sig(
                "spend_home",
                High,
                "invests in the home: wants premium home ranges",
            ),
            sig(
                "spend_fashion",
                High,
                "buys fashion: wants quality and new collections",
            ),
            sig(
                "purchase_frequency",
                High,
                "buys often: wants a smooth, familiar experience",
            ),
            // Recency is low too, but the lapsed segment's long tail makes the population's
            // standard deviation so large that the difference stays under half of it: too weak
            // to promise as a signal.
            sig(
                "loyalty_member",
                High,
                "loyalty member: values recognition and rewards",
            ),
            sig(
                "discount_share",
                Low,
                "not price-driven: values quality over deals",
            ),
            level_sig(
                "preferred_channels",
                "store",
                High,
                "prefers the store: wants personal service and advice",
            ),
        ],
    },
    PlantedSegment {
        name: "Busy families",
        description: "Parents with children at home who do the big family shop online or in the \
                      app, spend most on groceries and need quick help when an order goes wrong.",
        share: 0.20,
        signals: &[
            sig(
                "household_size",
                High,
                "large household: buys in bulk for the whole family",
            ),
            sig(
                "has_children",
                High,
                "has children: shops for the whole family",
            ),
            sig(
                "spend_groceries",
                High,
                "weekly family shop: wants convenience and reliable delivery",
            ),
            sig(
                "support_contacts",
                High,
                "time-pressed: needs quick help with orders and deliveries",
            ),
            level_sig(
                "preferred_channels",
                "app",
                High,
                "orders in the app: wants to save time",
            ),
        ],
    },
    PlantedSegment {
        name: "At-risk customers",
        description: "Former regulars who have not bought for months, had problems with orders, \
                      contacted support and complained, and no longer open emails.",
        share: 0.15,
        signals: &[
            sig(
                "recency_days",
                High,
                "has not bought for months: drifting away",
            ),
            sig("purchase_frequency", Low, "buys rarely: no longer a habit"),
            sig("complaints", High, "had problems: doubts reliability"),
            sig(
                "support_contacts",
                High,
                "needed support often: doubts the support will help",
            ),
            sig(
                "email_open_rate",
                Low,
                "ignores email: doubts the messages are relevant",
            ),
            sig(
                "campaign_responses",
                Low,
                "ignores campaigns: doubts the offers are relevant",
            ),
            sig("total_spend", Low, "spends little: low current value"),
        ],
    },
    PlantedSegment {
        name: "Young digital natives",
        description: "Customers under 30, mostly in the capital, who shop in the app, discover \
                      products on social media, buy electronics and switch retailers easily.",
        share: 0.10,
        signals: &[
            sig("age", Low, "young: discovering brands, open to new ones"),
            sig(
                "spend_electronics",
                High,
                "tech enthusiast: wants the latest gadgets",
            ),
            sig("web_visits_per_month", High, "always online: browses often"),
            sig(
                "loyalty_member",
                Low,
                "not loyal: switches for a better offer or experience",
            ),
            level_sig(
                "preferred_channels",
                "app",
                High,
                "mobile-first: expects a good app",
            ),
            level_sig(
                "preferred_channels",
                "social",
                High,
                "discovers products on social media",
            ),
            level_sig("region", "capital", High, "lives in the capital"),
        ],
    },
];

const EDUCATION: [&str; 4] = ["basic", "secondary", "bachelor", "master"];
const REGIONS: [&str; 5] = ["north", "south", "east", "west", "capital"];
const CHANNELS: [&str; 6] = ["web", "app", "store", "email", "phone", "social"];

/// How one planted segment's customers are drawn. Kept as data so that the segments can be read
/// side by side and tuned without touching the drawing code.
struct Recipe {
    /// Age: mean, standard deviation, minimum, maximum (years).
    age: [f64; 4],
    /// Annual income: median (EUR) and log-scale spread.
    income: [f64; 2],
    /// Household size = `household[0]` + Poisson(`household[1]`), at most 6.
    household: [f64; 2],
    /// Probability of children at home.
    children: f64,
    /// Weights of the education levels, lowest first.
    education: [f64; 4],
    /// Weights of the regions, in [`REGIONS`] order.
    region: [f64; 5],
    /// Probability of each channel being preferred, in [`CHANNELS`] order.
    channels: [f64; 6],
    /// Median annual spend per category (EUR), groceries, electronics, fashion, home.
    spend: [f64; 4],
    /// Probability of no spend at all in each category.
    spend_none: [f64; 4],
    /// Mean orders per year.
    frequency: f64,
    /// Days since the last purchase: median and log-scale spread.
    recency: [f64; 2],
    /// Mean web visits per month.
    web_visits: f64,
    /// Typical share of orders with a discount.
    discount: f64,
    /// Typical email open rate.
    email_open: f64,
    /// Probability of responding to each of the last six campaigns.
    campaign: f64,
    /// Mean support contacts per year.
    support: f64,
    /// Mean complaints per year.
    complaints: f64,
    /// Probability of loyalty programme membership.
    loyalty: f64,
}

/// Recipes in [`PLANTED_SEGMENTS`] order.
const RECIPES: [Recipe; 5] = [
    // Deal seekers
    Recipe {
        age: [38.0, 10.0, 18.0, 75.0],
        income: [27_000.0, 0.28],
        household: [1.0, 1.0],
        children: 0.30,
        education: [0.25, 0.45, 0.22, 0.08],
        region: [0.20, 0.25, 0.25, 0.20, 0.10],
        channels: [0.85, 0.45, 0.35, 0.80, 0.05, 0.30],
        spend: [950.0, 260.0, 340.0, 220.0],
        spend_none: [0.01, 0.06, 0.03, 0.05],
        frequency: 14.0,
        recency: [20.0, 0.6],
        web_visits: 12.0,
        discount: 0.65,
        email_open: 0.55,
        campaign: 0.50,
        support: 1.0,
        complaints: 0.2,
        loyalty: 0.45,
    },
    // Premium loyalists
    Recipe {
        age: [56.0, 9.0, 30.0, 85.0],
        income: [86_000.0, 0.28],
        household: [1.0, 0.8],
        children: 0.20,
        education: [0.03, 0.20, 0.40, 0.37],
        region: [0.15, 0.15, 0.10, 0.20, 0.40],
        channels: [0.30, 0.15, 0.90, 0.35, 0.30, 0.05],
        spend: [1_900.0, 900.0, 2_300.0, 2_500.0],
        spend_none: [0.01, 0.05, 0.01, 0.01],
        frequency: 30.0,
        recency: [8.0, 0.6],
        web_visits: 3.0,
        discount: 0.06,
        email_open: 0.30,
        campaign: 0.15,
        support: 1.0,
        complaints: 0.1,
        loyalty: 0.92,
    },
    // Busy families
    Recipe {
        age: [39.0, 6.0, 24.0, 60.0],
        income: [52_000.0, 0.25],
        household: [3.0, 0.8],
        children: 0.95,
        education: [0.10, 0.40, 0.35, 0.15],
        region: [0.25, 0.20, 0.20, 0.25, 0.10],
        channels: [0.75, 0.80, 0.40, 0.25, 0.10, 0.20],
        spend: [4_300.0, 450.0, 520.0, 600.0],
        spend_none: [0.0, 0.05, 0.02, 0.03],
        frequency: 24.0,
        recency: [9.0, 0.6],
        web_visits: 7.0,
        discount: 0.25,
        email_open: 0.20,
        campaign: 0.15,
        support: 4.5,
        complaints: 0.4,
        loyalty: 0.55,
    },
    // At-risk customers
    Recipe {
        age: [47.0, 12.0, 20.0, 85.0],
        income: [42_000.0, 0.35],
        household: [1.0, 0.9],
        children: 0.30,
        education: [0.15, 0.45, 0.30, 0.10],
        region: [0.20, 0.20, 0.25, 0.20, 0.15],
        channels: [0.35, 0.10, 0.45, 0.10, 0.55, 0.05],
        spend: [420.0, 140.0, 160.0, 130.0],
        spend_none: [0.04, 0.12, 0.08, 0.10],
        frequency: 3.0,
        recency: [220.0, 0.4],
        web_visits: 1.5,
        discount: 0.15,
        email_open: 0.05,
        campaign: 0.02,
        support: 7.0,
        complaints: 2.5,
        loyalty: 0.25,
    },
    // Young digital natives
    Recipe {
        age: [24.0, 3.2, 18.0, 29.0],
        income: [31_000.0, 0.35],
        household: [1.0, 0.4],
        children: 0.05,
        education: [0.10, 0.40, 0.40, 0.10],
        region: [0.12, 0.12, 0.12, 0.14, 0.50],
        channels: [0.50, 0.90, 0.15, 0.05, 0.02, 0.85],
        spend: [380.0, 1_700.0, 700.0, 110.0],
        spend_none: [0.03, 0.0, 0.03, 0.12],
        frequency: 12.0,
        recency: [16.0, 0.6],
        web_visits: 16.0,
        discount: 0.20,
        email_open: 0.10,
        campaign: 0.10,
        support: 0.5,
        complaints: 0.1,
        loyalty: 0.10,
    },
];

/// Probability that a cell is left empty, per column; columns not listed are always known.
const MISSING: [(&str, f64); 5] = [
    ("age", 0.02),
    ("income", 0.03),
    ("education", 0.03),
    ("region", 0.01),
    ("email_open_rate", 0.04),
];

/// How an extra attribute's cells are drawn from its parameter for the customer's segment.
#[derive(Debug, Clone, Copy)]
enum ExtraDraw {
    /// Annual spend in euros: none at all for 5% of customers, else log-normal around the
    /// segment's median, to the cent; `log1p`-transformed in the schema, as the other spends.
    Spend,
    /// An amount in euros: log-normal around the segment's median, to the cent.
    Amount,
    /// An over-dispersed count around the segment's mean.
    Count,
    /// A fraction around the segment's typical value, to two decimals.
    Fraction,
}

/// An attribute beyond the bundled 22, written when more attributes are asked for
/// ([`SampleCustomers::with_attributes`]). Each follows the planted segments, so that wide
/// samples carry signal in every column rather than noise.
struct Extra {
    name: &'static str,
    unit: &'static str,
    label: &'static str,
    description: &'static str,
    draw: ExtraDraw,
    /// The draw's parameter (median, mean or typical fraction) per planted segment, in
    /// [`PLANTED_SEGMENTS`] order: deal seekers, premium loyalists, busy families, at-risk
    /// customers, young digital natives.
    by_segment: [f64; 5],
    /// Probability that a cell is left empty.
    missing: f64,
}

/// The extra attributes, in the order they are added.
const EXTRAS: [Extra; 18] = {
    use ExtraDraw::{Amount, Count, Fraction};
    [
        extra_spend(
            "spend_beauty",
            "Beauty spend",
            "Average annual spend on beauty and care over the last two years, in euros",
            [180.0, 650.0, 260.0, 90.0, 420.0],
        ),
        extra_spend(
            "spend_toys",
            "Toys spend",
            "Average annual spend on toys and games over the last two years, in euros",
            [110.0, 150.0, 900.0, 60.0, 40.0],
        ),
        extra_spend(
            "spend_sports",
            "Sports spend",
            "Average annual spend on sports and outdoor over the last two years, in euros",
            [140.0, 420.0, 280.0, 70.0, 520.0],
        ),
        extra_spend(
            "spend_garden",
            "Garden spend",
            "Average annual spend on garden and DIY over the last two years, in euros",
            [90.0, 750.0, 260.0, 80.0, 30.0],
        ),
        extra_spend(
            "spend_books",
            "Books spend",
            "Average annual spend on books and media over the last two years, in euros",
            [70.0, 380.0, 180.0, 60.0, 130.0],
        ),
        extra_spend(
            "spend_pets",
            "Pet spend",
            "Average annual spend on pet supplies over the last two years, in euros",
            [140.0, 320.0, 380.0, 90.0, 70.0],
        ),
        Extra {
            name: "average_order_value",
            unit: "EUR",
            label: "Average order value",
            description: "Average value of an order over the last two years, in euros",
            draw: Amount,
            by_segment: [38.0, 150.0, 95.0, 45.0, 60.0],
            missing: 0.0,
        },
        Extra {
            name: "return_rate",
            unit: "fraction",
            label: "Return rate",
            description: "Fraction of ordered items returned (0 to 1)",
            draw: Fraction,
            by_segment: [0.08, 0.05, 0.06, 0.22, 0.20],
            missing: 0.0,
        },
        Extra {
            name: "app_sessions_per_month",
            unit: "sessions/month",
            label: "App sessions per month",
            description: "Sessions in the mobile app in the last month",
            draw: Count,
            by_segment: [5.0, 2.0, 14.0, 0.5, 26.0],
            missing: 0.0,
        },
        Extra {
            name: "store_visits_per_month",
            unit: "visits/month",
            label: "Store visits per month",
            description: "Visits to a store, counted by loyalty card or receipt, in the last month",
            draw: Count,
            by_segment: [1.5, 4.5, 2.0, 0.4, 0.5],
            missing: 0.0,
        },
        Extra {
            name: "newsletter_click_rate",
            unit: "fraction",
            label: "Newsletter click rate",
            description: "Fraction of newsletters with a click in the last 12 months (0 to 1; \
                          missing where the customer receives no newsletter)",
            draw: Fraction,
            by_segment: [0.30, 0.10, 0.06, 0.02, 0.04],
            missing: 0.04,
        },
        Extra {
            name: "reviews_written",
            unit: "reviews/year",
            label: "Reviews written",
            description: "Product reviews written in the last 12 months",
            draw: Count,
            by_segment: [1.0, 3.0, 1.5, 0.3, 2.5],
            missing: 0.0,
        },
        Extra {
            name: "wishlist_items",
            unit: "items",
            label: "Wishlist items",
            description: "Items on the customer's wishlist",
            draw: Count,
            by_segment: [12.0, 4.0, 6.0, 1.0, 22.0],
            missing: 0.0,
        },
        Extra {
            name: "referrals",
            unit: "referrals/year",
            label: "Referrals",
            description: "New customers referred in the last 12 months",
            draw: Count,
            by_segment: [0.5, 1.5, 0.8, 0.1, 2.0],
            missing: 0.0,
        },
        Extra {
            name: "delivery_issues",
            unit: "issues/year",
            label: "Delivery issues",
            description: "Late, damaged or incomplete deliveries in the last 12 months",
            draw: Count,
            by_segment: [0.3, 0.2, 1.6, 2.2, 0.3],
            missing: 0.0,
        },
        Extra {
            name: "vouchers_redeemed",
            unit: "vouchers/year",
            label: "Vouchers redeemed",
            description: "Vouchers redeemed in the last 12 months",
            draw: Count,
            by_segment: [9.0, 0.5, 3.0, 0.5, 2.0],
            missing: 0.0,
        },
        Extra {
            name: "mobile_order_share",
            unit: "fraction",
            label: "Mobile orders",
            description: "Fraction of orders placed on a phone (0 to 1)",
            draw: Fraction,
            by_segment: [0.35, 0.15, 0.55, 0.20, 0.85],
            missing: 0.0,
        },
        Extra {
            name: "evening_order_share",
            unit: "fraction",
            label: "Evening orders",
            description: "Fraction of orders placed after 8 pm (0 to 1)",
            draw: Fraction,
            by_segment: [0.12, 0.06, 0.30, 0.10, 0.45],
            missing: 0.0,
        },
    ]
};

/// An extra category spend, drawn as the bundled spends are.
const fn extra_spend(
    name: &'static str,
    label: &'static str,
    description: &'static str,
    by_segment: [f64; 5],
) -> Extra {
    Extra {
        name,
        unit: "EUR/year",
        label,
        description,
        draw: ExtraDraw::Spend,
        by_segment,
        missing: 0.0,
    }
}

impl Extra {
    fn attribute(&self) -> Attribute {
        Attribute::numeric(self.name)
            .with_unit(self.unit)
            .with_facet(Facet::Behavioural)
            .with_label(self.label)
            .with_description(self.description)
            .with_log1p(matches!(self.draw, ExtraDraw::Spend))
    }

    /// One customer's cell: empty when missing.
    fn draw(&self, segment: usize, rng: &mut Rng) -> String {
        let p = self.by_segment[segment];
        let cell = match self.draw {
            ExtraDraw::Spend if rng.bernoulli(0.05) => cents(0.0),
            ExtraDraw::Spend => cents(log_normal(rng, p, 0.5)),
            ExtraDraw::Amount => cents(log_normal(rng, p, 0.35)),
            ExtraDraw::Count => count(rng, p).to_string(),
            ExtraDraw::Fraction => format!("{:.2}", fraction(rng, p)),
        };
        if self.missing > 0.0 && rng.bernoulli(self.missing) {
            String::new()
        } else {
            cell
        }
    }
}

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

/// The identifier of the `number`th customer (from 1).
fn customer_id(number: usize) -> String {
    format!("C{number:05}")
}

/// The customers of a [`SampleCustomers`], drawn one at a time in row order: what
/// [`SampleCustomers::generate`] collects and [`SampleCustomers::write_csv`] streams.
struct Draws {
    rng: Rng,
    /// The added attributes' own stream, so that the bundled columns stay the same at any width.
    extra_rng: Rng,
    planted: Vec<usize>,
    next: usize,
    /// Positions, in a row without its identifier, of the cells that may be missing.
    missing: Vec<(usize, f64)>,
    /// Bundled cells kept after the identifier.
    n_bundled: usize,
    extras: &'static [Extra],
}

impl Draws {
    /// The offset of the added attributes' stream from the seed: any constant far from small
    /// seeds would do.
    const EXTRA_STREAM: u64 = 0xE7A5_5EED;

    fn new(config: &SampleCustomers) -> Self {
        let schema = SampleCustomers::schema();
        let mut rng = Rng::new(config.seed);
        let planted = shuffled_labels(config.n_customers, &mut rng);
        let missing = MISSING
            .iter()
            .filter_map(|&(column, p)| Some((schema.position(column)? - 1, p)))
            .collect();
        let n_bundled = config.n_attributes.min(SampleCustomers::BUNDLED_ATTRIBUTES) - 1;
        let n_extras = config
            .n_attributes
            .saturating_sub(SampleCustomers::BUNDLED_ATTRIBUTES);
        Draws {
            rng,
            extra_rng: Rng::new(config.seed ^ Self::EXTRA_STREAM),
            planted,
            next: 0,
            missing,
            n_bundled,
            extras: &EXTRAS[..n_extras],
        }
    }
}

impl Iterator for Draws {
    type Item = Vec<String>;

    fn next(&mut self) -> Option<Vec<String>> {
        let segment = *self.planted.get(self.next)?;
        self.next += 1;
        // Every bundled cell is drawn whatever the width, so that the stream, and with it every
        // column in common, is the same at any width.
        let mut row = draw_customer(&RECIPES[segment], &mut self.rng);
        for &(j, p) in &self.missing {
            if self.rng.bernoulli(p) {
                row[j].clear();
            }
        }
        row.truncate(self.n_bundled);
        let mut cells = Vec::with_capacity(1 + self.n_bundled + self.extras.len());
        cells.push(customer_id(self.next));
        cells.extend(row);
        for extra in self.extras {
            cells.push(extra.draw(segment, &mut self.extra_rng));
        }
        Some(cells)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.planted.len() - self.next;
        (left, Some(left))
    }
}

/// Exact planted segment sizes (largest remainder), then a Fisher-Yates shuffle.
fn shuffled_labels(n: usize, rng: &mut Rng) -> Vec<usize> {
    let exact: Vec<f64> = PLANTED_SEGMENTS
        .iter()
        .map(|s| s.share * n as f64)
        .collect();
    let mut sizes: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    // Stable sort: ties in the remainder go to the earlier (larger) segment.
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra)
    });
    let short = n - sizes.iter().sum::<usize>();
    for &s in order.iter().take(short) {
        sizes[s] += 1;
    }
    let mut labels: Vec<usize> = sizes
        .iter()
        .enumerate()
        .flat_map(|(s, &size)| std::iter::repeat_n(s, size))
        .collect();
    for i in (1..labels.len()).rev() {
        let j = rng.below(i + 1);
        labels.swap(i, j);
    }
    labels
}

/// A normal draw within `[min, max]` (redrawn when outside, clamped after a few tries).
fn bounded_normal(rng: &mut Rng, mean: f64, sd: f64, min: f64, max: f64) -> f64 {
    for _ in 0..16 {
        let x = mean + sd * rng.normal();
        if (min..=max).contains(&x) {
            return x;
        }
    }
    mean.clamp(min, max)
}

/// A log-normal draw with this median and log-scale spread.
fn log_normal(rng: &mut Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * rng.normal()).exp()
}

/// An over-dispersed count (Poisson with a log-normal rate), as real counts are.
fn count(rng: &mut Rng, mean: f64) -> u64 {
    let rate = mean * (0.3 * rng.normal() - 0.045).exp();
    rng.poisson(rate)
}

/// A fraction around `typical`: logistic of a normal on the logit scale, to two decimals.
fn fraction(rng: &mut Rng, typical: f64) -> f64 {
    let logit = (typical / (1.0 - typical)).ln() + 0.6 * rng.normal();
    let p = 1.0 / (1.0 + (-logit).exp());
    (p * 100.0).round() / 100.0
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn cents(x: f64) -> String {
    format!("{:.2}", (x * 100.0).round() / 100.0)
}

/// One customer's cells after the identifier, in schema order.
fn draw_customer(r: &Recipe, rng: &mut Rng) -> Vec<String> {
    let [age_mean, age_sd, age_min, age_max] = r.age;
    let age = bounded_normal(rng, age_mean, age_sd, age_min, age_max).round();
    let income = (log_normal(rng, r.income[0], r.income[1]) / 100.0).round() * 100.0;
    let children = rng.bernoulli(r.children);
    let mut household = (r.household[0] as u64 + rng.poisson(r.household[1])).min(6);
    if children {
        household = household.max(2);
    }
    let education = EDUCATION[rng.weighted(&r.education)];
    let region = REGIONS[rng.weighted(&r.region)];
    let mut chosen: Vec<bool> = r.channels.iter().map(|&p| rng.bernoulli(p)).collect();
    if !chosen.contains(&true) {
        chosen[rng.weighted(&r.channels)] = true;
    }
    let channels: Vec<&str> = CHANNELS
        .iter()
        .zip(&chosen)
        .filter(|(_, &c)| c)
        .map(|(name, _)| *name)
        .collect();

    // Days since the last order, capped at the two-year window the other behaviour covers.
    let recency = log_normal(rng, r.recency[0], r.recency[1])
        .round()
        .min(729.0);
    // Orders over the last two years: at least the last one.
    let orders = count(rng, 2.0 * r.frequency).max(1);
    let wallet = (0.25 * rng.normal()).exp();
    let spends: Vec<f64> = r
        .spend
        .iter()
        .zip(&r.spend_none)
        .map(|(&median, &none)| {
            if rng.bernoulli(none) {
                0.0
            } else {
                ((wallet * log_normal(rng, median, 0.45)) * 100.0).round() / 100.0
            }
        })
        .collect();
    let total: f64 = spends.iter().sum();
    let web_visits = count(rng, r.web_visits);
    let discount = fraction(rng, r.discount);
    let email_open = fraction(rng, r.email_open);
    let campaigns = (0..6).filter(|_| rng.bernoulli(r.campaign)).count();
    let support = count(rng, r.support);
    let complaints = count(rng, r.complaints);
    let loyalty = rng.bernoulli(r.loyalty);

    let mut cells = vec![
        format!("{age:.0}"),
        format!("{income:.0}"),
        household.to_string(),
        yes_no(children),
        education.to_string(),
        region.to_string(),
        channels.join(";"),
    ];
    cells.extend(spends.iter().map(|&s| cents(s)));
    cells.extend([
        format!("{:.1}", orders as f64 / 2.0),
        format!("{recency:.0}"),
        web_visits.to_string(),
        format!("{discount:.2}"),
        format!("{email_open:.2}"),
        campaigns.to_string(),
        support.to_string(),
        complaints.to_string(),
        yes_no(loyalty),
        cents(total),
    ]);
    cells
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

fn csv_writer<W: Write>(writer: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(writer)
}

/// A header row, then the rows, `\n` line ends.
fn write_rows<W, H, R>(writer: W, header: H, rows: impl IntoIterator<Item = R>) -> Result<()>
where
    W: Write,
    H: IntoIterator,
    H::Item: AsRef<[u8]>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let failed = |e| crate::error::write_failed("the sample customers CSV", e);
    let mut csv = csv_writer(writer);
    csv.write_record(header).map_err(failed)?;
    for row in rows {
        csv.write_record(row).map_err(failed)?;
    }
    csv.flush().map_err(|e| failed(csv::Error::from(e)))?;
    Ok(())
}

/// `customer,segment,segment_name`, then one row per customer.
fn write_planted_rows<W: Write>(
    writer: W,
    rows: impl Iterator<Item = (impl AsRef<str>, usize)>,
) -> Result<()> {
    let failed = |e| crate::error::write_failed("the planted labels CSV", e);
    let mut csv = csv_writer(writer);
    csv.write_record(["customer", "segment", "segment_name"])
        .map_err(failed)?;
    for (id, segment) in rows {
        let segment_index = segment.to_string();
        csv.write_record([
            id.as_ref(),
            segment_index.as_str(),
            PLANTED_SEGMENTS[segment].name,
        ])
        .map_err(failed)?;
    }
    csv.flush().map_err(|e| failed(csv::Error::from(e)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipes_match_planted_segments_and_shares_sum_to_one() {
        assert_eq!(RECIPES.len(), PLANTED_SEGMENTS.len());
        let total: f64 = PLANTED_SEGMENTS.iter().map(|s| s.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn segment_sizes_add_up_for_any_count() {
        for n in [0, 1, 2, 7, 13, 101, 3000] {
            let labels = shuffled_labels(n, &mut Rng::new(1));
            assert_eq!(labels.len(), n);
        }
        let labels = shuffled_labels(3000, &mut Rng::new(1));
        let sizes: Vec<usize> = (0..5)
            .map(|s| labels.iter().filter(|&&l| l == s).count())
            .collect();
        assert_eq!(sizes, [900, 750, 600, 450, 300]);
    }

    #[test]
    fn every_signal_names_a_schema_column_and_a_declared_level() {
        let schema = SampleCustomers::schema();
        for segment in PLANTED_SEGMENTS {
            for s in segment.signals {
                let a = schema
                    .get(s.attribute)
                    .unwrap_or_else(|| panic!("{}: no column `{}`", segment.name, s.attribute));
                if let Some(level) = s.level {
                    let known = a.kind.levels().iter().any(|l| l == level)
                        || (s.attribute == "preferred_channels" && CHANNELS.contains(&level));
                    assert!(
                        known,
                        "{}: `{level}` is not a level of `{}`",
                        segment.name, a.name
                    );
                }
            }
        }
    }

    #[test]
    fn columns_with_missing_cells_are_features_of_the_schema() {
        let schema = SampleCustomers::schema();
        for (column, _) in MISSING {
            let position = schema.position(column);
            assert!(position.is_some_and(|p| p > 0), "`{column}`");
        }
    }

    #[test]
    fn every_row_has_a_cell_per_column() {
        for width in [2, 11, 22, 32, SampleCustomers::MAX_ATTRIBUTES] {
            let sample = SampleCustomers::new(3)
                .with_customers(50)
                .with_attributes(width)
                .generate();
            assert_eq!(sample.header().len(), width);
            assert!(sample.rows().iter().all(|r| r.len() == width));
        }
    }

    #[test]
    fn bundled_attributes_is_the_width_of_the_schema() {
        assert_eq!(
            SampleCustomers::schema().len(),
            SampleCustomers::BUNDLED_ATTRIBUTES
        );
        assert_eq!(
            SampleCustomers::new(1).output_schema(),
            SampleCustomers::schema()
        );
    }

    #[test]
    fn streamed_csv_is_the_generated_csv_at_every_width() {
        for width in [2, 11, 21, 22, 23, 32, SampleCustomers::MAX_ATTRIBUTES] {
            let config = SampleCustomers::new(5)
                .with_customers(300)
                .with_attributes(width);
            let sample = config.generate();
            let mut streamed = Vec::new();
            config.write_csv(&mut streamed).unwrap();
            assert_eq!(streamed, sample.to_csv_string().into_bytes(), "{width}");
            let mut planted = Vec::new();
            config.write_planted_csv(&mut planted).unwrap();
            assert_eq!(planted, sample.planted_csv_string().into_bytes());
            assert_eq!(config.planted(), sample.planted());
        }
    }

    #[test]
    fn columns_in_common_are_the_same_at_every_width() {
        let bundled = SampleCustomers::new(9).with_customers(200).generate();
        for width in [2, 11, 32, SampleCustomers::MAX_ATTRIBUTES] {
            let sample = SampleCustomers::new(9)
                .with_customers(200)
                .with_attributes(width)
                .generate();
            let common = width.min(SampleCustomers::BUNDLED_ATTRIBUTES);
            assert_eq!(sample.header()[..common], bundled.header()[..common]);
            assert_eq!(sample.planted(), bundled.planted());
            for (row, full) in sample.rows().iter().zip(bundled.rows()) {
                assert_eq!(row[..common], full[..common]);
            }
        }
    }

    #[test]
    fn added_attributes_are_named_once_and_follow_the_planted_segments() {
        let config = SampleCustomers::new(11)
            .with_customers(5000)
            .with_attributes(SampleCustomers::MAX_ATTRIBUTES);
        let schema = config.output_schema();
        assert_eq!(schema.len(), SampleCustomers::MAX_ATTRIBUTES);
        let sample = config.generate();
        for extra in &EXTRAS {
            let cells = sample.column(extra.name).expect("an added column");
            let known: Vec<(usize, f64)> = cells
                .iter()
                .zip(sample.planted())
                .filter(|(c, _)| !c.is_empty())
                .map(|(c, &s)| (s, c.parse::<f64>().expect("a number")))
                .collect();
            let n = known.len() as f64;
            let mean = known.iter().map(|(_, x)| x).sum::<f64>() / n;
            let sd = (known.iter().map(|(_, x)| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
            let segment_mean = |s: usize| {
                let xs: Vec<f64> = known.iter().filter(|k| k.0 == s).map(|k| k.1).collect();
                xs.iter().sum::<f64>() / xs.len() as f64
            };
            let means: Vec<f64> = (0..PLANTED_SEGMENTS.len()).map(segment_mean).collect();
            // The segment with the largest parameter has the largest mean, at least half a
            // standard deviation above the population's: a signal a profile can find.
            let top = (0..5)
                .max_by(|&a, &b| extra.by_segment[a].total_cmp(&extra.by_segment[b]))
                .unwrap();
            let highest = (0..5)
                .max_by(|&a, &b| means[a].total_cmp(&means[b]))
                .unwrap();
            assert_eq!(top, highest, "`{}`: means {means:?}", extra.name);
            assert!(
                means[top] - mean >= 0.5 * sd,
                "`{}`: {} against {mean} (sd {sd})",
                extra.name,
                means[top]
            );
            let missing = cells.iter().filter(|c| c.is_empty()).count() as f64 / 5000.0;
            assert!((missing - extra.missing).abs() < 0.02, "`{}`", extra.name);
        }
    }

    #[test]
    #[should_panic(expected = "2 to 40 columns, not 41")]
    fn more_attributes_than_the_generator_has_panics() {
        let _ = SampleCustomers::new(1).with_attributes(SampleCustomers::MAX_ATTRIBUTES + 1);
    }

    #[test]
    #[should_panic(expected = "not 1")]
    fn an_identifier_alone_panics() {
        let _ = SampleCustomers::new(1).with_attributes(1);
    }
}
