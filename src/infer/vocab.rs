//! The general vocabulary of customer data that inference reads column names with.
//!
//! Every list here is about customer data in general (retail, subscription, banking, insurance,
//! B2B, surveys), never about one file: a word earns its place by being common in customer
//! tables. Names are compared as lower-case words (see [`super::words`]); digits glued to a
//! word (`cmp1`) are dropped before comparing.

use crate::schema::Facet;

/// A word with trailing digits removed (`cmp1` -> `cmp`, `q7` -> `q`).
pub(crate) fn stem_digits(word: &str) -> &str {
    word.trim_end_matches(|c: char| c.is_ascii_digit())
}

fn has_any(words: &[String], list: &[&str]) -> bool {
    words.iter().any(|w| list.contains(&stem_digits(w)))
}

/// Words that name a customer (or the household, account or member standing for one).
const CUSTOMER_WORDS: &[&str] = &[
    "customer",
    "cust",
    "household",
    "hh",
    "account",
    "acct",
    "client",
    "member",
    "user",
    "subscriber",
    "buyer",
    "shopper",
    "patient",
    "guest",
];

/// Named like a customer identifier: `id`, `*_id`, `CustomerID`, `uuid`, or a customer,
/// household, account, client, member, user, policy or contract number or key.
pub(crate) fn is_identifier_name(words: &[String]) -> bool {
    const RECORDS: &[&str] = &["policy", "contract", "card", "loyalty", "row", "record"];
    let joined = words.concat();
    let last = words.last().map(String::as_str);
    let whose = &words[..words.len().saturating_sub(1)];
    matches!(last, Some("id" | "uuid" | "guid" | "key"))
        || ["customerid", "custid", "clientid", "userid", "memberid"].contains(&joined.as_str())
        || (words.len() >= 2
            && matches!(last, Some("number" | "no" | "nr" | "num" | "code" | "ref"))
            && (has_any(whose, CUSTOMER_WORDS) || has_any(whose, RECORDS)))
}

/// Names a customer, household, account, client, member or user (an id of whom, not of what).
pub(crate) fn is_customer_name(words: &[String]) -> bool {
    has_any(words, CUSTOMER_WORDS)
        || words.iter().any(|w| {
            matches!(
                w.as_str(),
                "customerid" | "custid" | "clientid" | "userid" | "memberid"
            )
        })
}

/// Named like a calendar field (a week, month, quarter, weekday, day or hour of something) and
/// not like a quantity per period ("visits per month"): the last word is the calendar word and
/// nothing in the name counts or measures.
pub(crate) fn calendar_field(words: &[String]) -> Option<(&'static str, f64, f64)> {
    const FIELDS: &[(&str, &str, f64, f64)] = &[
        ("week", "week of the year", 1.0, 53.0),
        ("wk", "week of the year", 1.0, 53.0),
        ("month", "month", 1.0, 12.0),
        ("mon", "month", 1.0, 12.0),
        ("quarter", "quarter", 1.0, 4.0),
        ("qtr", "quarter", 1.0, 4.0),
        ("weekday", "weekday", 0.0, 7.0),
        ("dow", "weekday", 0.0, 7.0),
        ("day", "day", 0.0, 366.0),
        ("hour", "hour of the day", 0.0, 24.0),
        ("year", "year", 1900.0, 2100.0),
        ("yr", "year", 1900.0, 2100.0),
    ];
    if has_any(words, QUANTITY_WORDS) {
        return None;
    }
    let last = stem_digits(words.last()?);
    // "week_no", "month_nr": the calendar word may be followed by a word for "number".
    let last = if matches!(last, "no" | "nr" | "num" | "number" | "of") && words.len() >= 2 {
        stem_digits(&words[words.len() - 2])
    } else {
        last
    };
    FIELDS
        .iter()
        .find(|(w, ..)| *w == last)
        .map(|(_, what, lo, hi)| (*what, *lo, *hi))
}

/// Words that say a column counts or measures something (so "visits per month" is a quantity,
/// not a month).
const QUANTITY_WORDS: &[&str] = &[
    "num",
    "number",
    "count",
    "cnt",
    "visits",
    "visit",
    "purchases",
    "purchase",
    "orders",
    "spend",
    "spent",
    "amount",
    "amt",
    "minutes",
    "mins",
    "calls",
    "charge",
    "charges",
    "sessions",
    "per",
    "avg",
    "average",
    "mean",
    "total",
    "days",
    "since",
    "tenure",
    "birth",
    "born",
    "income",
    "salary",
    "sales",
    "revenue",
    "transactions",
    "trips",
];

/// Named like an identity trait (gender, ethnicity, religion, nationality) that describes a
/// persona but should not drive segments.
pub(crate) fn is_identity_name(words: &[String]) -> bool {
    has_any(
        words,
        &[
            "gender",
            "sex",
            "genre",
            "race",
            "ethnicity",
            "ethnic",
            "religion",
            "nationality",
            "female",
            "male",
        ],
    )
}

/// Named like a birth year or birth date.
pub(crate) fn is_birth_name(words: &[String]) -> bool {
    has_any(
        words,
        &["birth", "born", "dob", "birthday", "yob", "birthdate"],
    )
}

/// Named like a category code stored as a number: a code, type, class, group, store, area,
/// postal code, state, region, channel, segment, branch or status.
pub(crate) fn is_code_name(words: &[String]) -> bool {
    has_any(
        words,
        &[
            "code",
            "type",
            "class",
            "group",
            "store",
            "area",
            "zip",
            "zipcode",
            "postal",
            "postcode",
            "plz",
            "state",
            "region",
            "channel",
            "segment",
            "cluster",
            "branch",
            "district",
            "country",
            "county",
            "city",
            "status",
            "category",
            "department",
            "dept",
            "sector",
            "industry",
            "occupation",
            "profession",
            "outlet",
            "territory",
            "province",
            "division",
            "tier",
            "plan",
        ],
    ) && (!has_any(words, QUANTITY_WORDS) || is_code_word_last(words))
}

/// The last word names a code ("Policy_Sales_Channel", "store_region"), whatever comes before.
fn is_code_word_last(words: &[String]) -> bool {
    words.last().is_some_and(|w| {
        matches!(
            stem_digits(w),
            "code" | "channel" | "region" | "type" | "class" | "group" | "segment" | "status"
        )
    })
}

/// Named like a total amount, the value measure reported per segment: revenue, sales, lifetime
/// value, monetary, total spend or charges.
/// Named like a count or a duration, which cannot be negative (an age, a tenure, days since,
/// a number of orders or visits). Words of change (`change`, `delta`, `diff`, `growth`, `net`,
/// `balance`) make any quantity signed, so they never count.
pub(crate) fn is_nonnegative_name(words: &[String]) -> bool {
    let signed = has_any(
        words,
        &[
            "change",
            "delta",
            "diff",
            "difference",
            "growth",
            "net",
            "balance",
            "trend",
            "gain",
            "loss",
            "profit",
            "margin",
            "score",
            "offset",
            "shift",
            "variance",
        ],
    );
    !signed
        && has_any(
            words,
            &[
                "age",
                "tenure",
                "duration",
                "days",
                "months",
                "years",
                "weeks",
                "hours",
                "minutes",
                "mins",
                "count",
                "orders",
                "visits",
                "purchases",
                "quantity",
                "qty",
                "calls",
                "sessions",
                "transactions",
                "trips",
                "children",
                "kids",
                "dependents",
                "recency",
                "frequency",
                "logins",
                "tickets",
                "complaints",
            ],
        )
}

pub(crate) fn is_value_name(words: &[String]) -> bool {
    let has = |w: &str| words.iter().any(|x| x == w);
    // Costs to the business and codes are never the value a customer brings.
    let cost = has_any(
        words,
        &[
            "claim",
            "claims",
            "cost",
            "costs",
            "refund",
            "refunds",
            "return",
            "returns",
            "debt",
            "loan",
            "fee",
            "fees",
            "discount",
            "discounts",
            "tax",
            "loss",
            "losses",
        ],
    );
    if cost || is_code_word_last(words) {
        return false;
    }
    has("revenue")
        || has("premium")
        || has("premiums")
        || has("sales")
        || has("ltv")
        || has("clv")
        || has("monetary")
        || (has("lifetime") && has("value"))
        || (has("total")
            && (has("spend") || has("charges") || has("amount") || has("spent") || has("spending")))
}

/// Named like an outcome a team tracks per customer: churn, a campaign response, a default, an
/// approval, a conversion, a complaint, or a generic target or label.
pub(crate) fn is_outcome_name(words: &[String]) -> bool {
    has_any(
        words,
        &[
            "churn",
            "churned",
            "attrition",
            "exited",
            "response",
            "responded",
            "default",
            "defaulted",
            "delinquent",
            "delinquency",
            "fraud",
            "approved",
            "approval",
            "converted",
            "conversion",
            "complain",
            "complained",
            "complaint",
            "target",
            "label",
            "outcome",
            "retained",
            "cancelled",
            "canceled",
            "claimed",
        ],
    )
}

/// A generic name that may hold an outcome when its two levels say so ("Status": good/bad).
pub(crate) fn is_generic_outcome_name(words: &[String]) -> bool {
    words.len() <= 2
        && has_any(
            words,
            &["status", "result", "class", "y", "risk", "flag", "decision"],
        )
}

/// Two levels that read like an outcome (good/bad, approved/rejected, paid/defaulted, ...).
pub(crate) fn is_outcome_levels(levels: &[&str]) -> bool {
    const LEVELS: &[&str] = &[
        "good",
        "bad",
        "approved",
        "rejected",
        "declined",
        "accepted",
        "paid",
        "default",
        "defaulted",
        "churned",
        "retained",
        "stayed",
        "left",
        "active",
        "inactive",
        "cancelled",
        "canceled",
        "converted",
        "won",
        "lost",
        "fraud",
        "legit",
        "yes",
        "no",
    ];
    levels.len() == 2
        && levels
            .iter()
            .all(|l| LEVELS.contains(&l.trim().to_ascii_lowercase().as_str()))
}

/// Words of a money column in a family of per-category or per-channel amounts.
pub(crate) const MONEY_WORDS: &[&str] = &[
    "mnt",
    "amount",
    "amt",
    "spend",
    "spent",
    "spending",
    "sales",
    "revenue",
    "expenditure",
    "expenditures",
    "value",
];

/// Words of a count column in a family of counts per channel or period.
pub(crate) const COUNT_WORDS: &[&str] = &[
    "purchases",
    "purchase",
    "orders",
    "order",
    "transactions",
    "transaction",
    "txn",
    "trips",
    "visits",
    "minutes",
    "mins",
    "calls",
    "sms",
    "messages",
    "sessions",
];

/// Words of a yes/no flag in a family of campaign or offer responses.
pub(crate) const FLAG_WORDS: &[&str] = &[
    "accepted",
    "acceptedcmp",
    "cmp",
    "campaign",
    "response",
    "responded",
    "offer",
    "promo",
    "promotion",
];

/// Words that mark a member of a purchase family as bought on a deal or discount.
pub(crate) const DEAL_WORDS: &[&str] = &[
    "deal",
    "deals",
    "discount",
    "discounts",
    "promo",
    "coupon",
    "coupons",
    "sale",
    "offer",
];

/// Words that mark a column as already an aggregate, never a family member.
pub(crate) const AGGREGATE_WORDS: &[&str] = &[
    "total", "avg", "average", "mean", "per", "ratio", "share", "pct", "percent", "rate", "sum",
];

/// Product categories common in retail and wholesale data: columns named by one of these alone
/// (or with a money word) are spend per category.
pub(crate) const CATEGORY_WORDS: &[&str] = &[
    "fresh",
    "milk",
    "dairy",
    "grocery",
    "groceries",
    "frozen",
    "detergents",
    "paper",
    "delicassen",
    "delicatessen",
    "deli",
    "wines",
    "wine",
    "fruits",
    "fruit",
    "meat",
    "meats",
    "fish",
    "seafood",
    "sweets",
    "sweet",
    "products",
    "gold",
    "bakery",
    "beverages",
    "drinks",
    "snacks",
    "produce",
    "household",
    "cosmetics",
    "beauty",
    "clothing",
    "apparel",
    "fashion",
    "shoes",
    "footwear",
    "electronics",
    "toys",
    "books",
    "music",
    "garden",
    "furniture",
    "sports",
    "jewelry",
    "jewellery",
    "pharmacy",
    "health",
    "pets",
    "pet",
    "baby",
    "alcohol",
    "tobacco",
    "home",
    "kitchen",
    "office",
    "travel",
    "food",
    "grocery",
];

/// Words that mark a date as the start of the relationship (so the duration is tenure).
pub(crate) fn is_start_date_name(words: &[String]) -> bool {
    has_any(
        words,
        &[
            "customer",
            "registration",
            "registered",
            "signup",
            "sign",
            "joined",
            "join",
            "enrol",
            "enroll",
            "enrolment",
            "enrollment",
            "member",
            "since",
            "start",
            "first",
            "open",
            "opened",
            "created",
            "acquisition",
            "onboarding",
            "activation",
        ],
    )
}

/// Words that mark a date as lying ahead in the relationship (a renewal, an expiry, a due
/// date): not a past event, so neither a duration nor the reference date.
pub(crate) fn is_future_date_name(words: &[String]) -> bool {
    has_any(
        words,
        &[
            "renewal",
            "renew",
            "expiry",
            "expiration",
            "expires",
            "expire",
            "due",
            "next",
            "maturity",
            "until",
            "end",
            "ends",
        ],
    )
}

/// Words that mark a date as the latest event (so the duration is recency).
pub(crate) fn is_last_date_name(words: &[String]) -> bool {
    has_any(words, &["last", "latest", "recent", "previous", "prev"])
}

/// The facet a column's name suggests.
pub(crate) fn guess_facet(words: &[String]) -> Facet {
    const TABLE: &[(Facet, &[&str])] = &[
        (
            Facet::Firmographic,
            &[
                "industry",
                "company",
                "employees",
                "sector",
                "firm",
                "business",
                "organisation",
                "organization",
                "title",
                "department",
            ],
        ),
        (
            Facet::Geographic,
            &[
                "region",
                "country",
                "city",
                "state",
                "zip",
                "postcode",
                "postal",
                "location",
                "area",
                "urban",
                "rural",
                "native",
                "address",
                "district",
                "province",
                "territory",
                "county",
            ],
        ),
        (
            Facet::Demographic,
            &[
                "age",
                "gender",
                "genre",
                "sex",
                "income",
                "salary",
                "education",
                "marital",
                "married",
                "household",
                "children",
                "kids",
                "kid",
                "kidhome",
                "teenhome",
                "teen",
                "dependents",
                "partner",
                "senior",
                "occupation",
                "race",
                "relationship",
                "family",
                "birth",
                "job",
                "home",
            ],
        ),
        (
            Facet::Psychographic,
            &[
                "satisfaction",
                "nps",
                "csat",
                "rating",
                "interest",
                "interests",
                "lifestyle",
                "attitude",
                "hobby",
                "hobbies",
                "preference",
                "personality",
                "opinion",
                "values",
            ],
        ),
        (
            Facet::Behavioural,
            &[
                "spend",
                "spending",
                "spent",
                "purchase",
                "purchases",
                "orders",
                "order",
                "frequency",
                "recency",
                "visits",
                "tenure",
                "contract",
                "payment",
                "charges",
                "sales",
                "quantity",
                "amount",
                "mnt",
                "discount",
                "returns",
                "complaints",
                "complain",
                "support",
                "tickets",
                "churn",
                "usage",
                "calls",
                "minutes",
                "sessions",
                "clicks",
                "opens",
                "campaign",
                "cmp",
                "accepted",
                "response",
                "monetary",
                "transactions",
                "channel",
                "billing",
                "revenue",
                "score",
                "web",
                "store",
                "catalog",
                "catalogue",
                "deals",
                "service",
                "services",
                "internet",
                "streaming",
                "subscription",
                "plan",
                "loyalty",
                "member",
                "membership",
                "days",
                "count",
                "visit",
                "seniority",
                "records",
                "debt",
                "assets",
                "price",
                "expenses",
                "paperless",
                "security",
                "backup",
                "protection",
            ],
        ),
    ];
    let stems: Vec<&str> = words.iter().map(|w| stem_digits(w)).collect();
    if stems.iter().any(|w| CATEGORY_WORDS.contains(w)) && !stems.contains(&"home") {
        return Facet::Behavioural;
    }
    TABLE
        .iter()
        .find(|(_, keys)| stems.iter().any(|w| keys.contains(w)))
        .map_or(Facet::Other, |(facet, _)| *facet)
}
