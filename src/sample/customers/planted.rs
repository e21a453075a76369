//! The segments planted in the sample data and the signals built into each: the answer key
//! that tests hold segmentation and persona drafting against.

use crate::persona::Direction;

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
///
/// [`Sample::planted`]: super::Sample::planted
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
