//! How each planted segment's customers are drawn, as tables: the recipes, the levels they
//! draw from and the share of missing cells per column.

pub(super) const EDUCATION: [&str; 4] = ["basic", "secondary", "bachelor", "master"];
pub(super) const REGIONS: [&str; 5] = ["north", "south", "east", "west", "capital"];
pub(super) const CHANNELS: [&str; 6] = ["web", "app", "store", "email", "phone", "social"];

/// How one planted segment's customers are drawn. Kept as data so that the segments can be read
/// side by side and tuned without touching the drawing code.
pub(super) struct Recipe {
    /// Age: mean, standard deviation, minimum, maximum (years).
    pub(super) age: [f64; 4],
    /// Annual income: median (EUR) and log-scale spread.
    pub(super) income: [f64; 2],
    /// Household size = `household[0]` + Poisson(`household[1]`), at most 6.
    pub(super) household: [f64; 2],
    /// Probability of children at home.
    pub(super) children: f64,
    /// Weights of the education levels, lowest first.
    pub(super) education: [f64; 4],
    /// Weights of the regions, in [`REGIONS`] order.
    pub(super) region: [f64; 5],
    /// Probability of each channel being preferred, in [`CHANNELS`] order.
    pub(super) channels: [f64; 6],
    /// Median annual spend per category (EUR), groceries, electronics, fashion, home.
    pub(super) spend: [f64; 4],
    /// Probability of no spend at all in each category.
    pub(super) spend_none: [f64; 4],
    /// Mean orders per year.
    pub(super) frequency: f64,
    /// Days since the last purchase: median and log-scale spread.
    pub(super) recency: [f64; 2],
    /// Mean web visits per month.
    pub(super) web_visits: f64,
    /// Typical share of orders with a discount.
    pub(super) discount: f64,
    /// Typical email open rate.
    pub(super) email_open: f64,
    /// Probability of responding to each of the last six campaigns.
    pub(super) campaign: f64,
    /// Mean support contacts per year.
    pub(super) support: f64,
    /// Mean complaints per year.
    pub(super) complaints: f64,
    /// Probability of loyalty programme membership.
    pub(super) loyalty: f64,
}

/// Recipes in [`PLANTED_SEGMENTS`] order.
///
/// [`PLANTED_SEGMENTS`]: super::PLANTED_SEGMENTS
pub(super) const RECIPES: [Recipe; 5] = [
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
pub(super) const MISSING: [(&str, f64); 5] = [
    ("age", 0.02),
    ("income", 0.03),
    ("education", 0.03),
    ("region", 0.01),
    ("email_open_rate", 0.04),
];
