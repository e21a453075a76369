//! The attributes beyond the bundled 22 that [`SampleCustomers::with_attributes`] adds, each
//! following the planted segments.
//!
//! [`SampleCustomers::with_attributes`]: super::SampleCustomers::with_attributes

use super::draw::{cents, count, fraction, log_normal};
use crate::rng::Rng;
use crate::schema::{Attribute, Facet};

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
///
/// [`SampleCustomers::with_attributes`]: super::SampleCustomers::with_attributes
pub(super) struct Extra {
    pub(super) name: &'static str,
    unit: &'static str,
    label: &'static str,
    description: &'static str,
    draw: ExtraDraw,
    /// The draw's parameter (median, mean or typical fraction) per planted segment, in
    /// [`PLANTED_SEGMENTS`] order: deal seekers, premium loyalists, busy families, at-risk
    /// customers, young digital natives.
    ///
    /// [`PLANTED_SEGMENTS`]: super::PLANTED_SEGMENTS
    pub(super) by_segment: [f64; 5],
    /// Probability that a cell is left empty.
    pub(super) missing: f64,
}

/// The extra attributes, in the order they are added.
pub(super) const EXTRAS: [Extra; 18] = {
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
    pub(super) fn attribute(&self) -> Attribute {
        Attribute::numeric(self.name)
            .with_unit(self.unit)
            .with_facet(Facet::Behavioural)
            .with_label(self.label)
            .with_description(self.description)
            .with_log1p(matches!(self.draw, ExtraDraw::Spend))
    }

    /// One customer's cell: empty when missing.
    pub(super) fn draw(&self, segment: usize, rng: &mut Rng) -> String {
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
