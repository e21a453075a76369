//! The buyer type, from rates and explicit loyalty signals only.
//!
//! A fired rule with a buyer type votes for it with the size of its difference, but only when the
//! attribute is a rate or a loyalty signal:
//!
//! - a level or boolean (the share of customers with it: on a long contract, a loyalty member);
//! - a number named as a rate or share (`share`, `rate`, `ratio`, `percent`, `frequency`, …),
//!   with a unit per something (`%`, `/month`), or whose values all lie in 0..1;
//! - a number named as a loyalty signal (`tenure`, `member`, `loyalty`, `contract`, `repeat`, …).
//!
//! Raw counts (`NumDealsPurchases`: more purchases of every kind also means more deal purchases)
//! and calendar fields (a week, month, year or day, unless it is a duration such as "days since")
//! never vote. A recent purchase supports an impulse vote but never makes one. One type must lead
//! the next by half again to dominate; otherwise the persona is "mixed", with the reason.

use super::sections::Signal;
use super::{BuyerType, BuyerTypeFinding, Evidence, Rule};
use crate::profile::{AttributeProfile, SegmentProfile, Summary};
use crate::text::{in_sentence, words};

/// How strongly one buyer type must lead the next to be called dominant.
const BUYER_TYPE_LEAD: f64 = 1.5;

const RATE_WORDS: &[&str] = &[
    "share",
    "rate",
    "ratio",
    "percent",
    "pct",
    "percentage",
    "proportion",
    "fraction",
    "frequency",
    "freq",
    "mix",
];
const LOYALTY_WORDS: &[&str] = &[
    "tenure",
    "member",
    "membership",
    "loyalty",
    "contract",
    "repeat",
    "retention",
    "subscription",
    "since",
    "customer",
];
const COUNT_WORDS: &[&str] = &[
    "num", "number", "count", "cnt", "nr", "qty", "quantity", "total", "tot", "n",
];
const CALENDAR_WORDS: &[&str] = &[
    "week", "weekday", "weekend", "month", "year", "day", "date", "quarter", "hour", "dt", "yr",
    "mo", "mth", "dob", "birth",
];
const DURATION_WORDS: &[&str] = &[
    "since", "tenure", "duration", "length", "ago", "days", "months", "years", "per", "age",
];

/// Whether the attribute may decide a buyer type; see the [module docs](self).
pub(crate) fn decides(attribute: &AttributeProfile, is_level: bool) -> bool {
    let mut w = words(&attribute.attribute);
    w.extend(words(&attribute.label));
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    let calendar = has(CALENDAR_WORDS) && !has(DURATION_WORDS) && !has(LOYALTY_WORDS);
    if calendar {
        return false;
    }
    if is_level {
        return true;
    }
    let unit_rate = attribute
        .unit
        .as_deref()
        .is_some_and(|u| u.contains('%') || u.contains('/') || u.contains(" per "));
    let in_unit_range = match &attribute.population {
        Summary::Numeric {
            min: Some(min),
            max: Some(max),
            ..
        } => *min >= 0.0 && *max <= 1.0,
        _ => false,
    };
    let rate = has(RATE_WORDS) || unit_rate || in_unit_range;
    let loyalty = has(LOYALTY_WORDS);
    if has(COUNT_WORDS) && !rate {
        return false;
    }
    rate || loyalty
}

/// The buyer type of a segment from its fired rules.
pub(crate) fn buyer_type(segment: &SegmentProfile, fired: &[(&Rule, &Signal)]) -> BuyerTypeFinding {
    let mut scores: Vec<(BuyerType, f64, Vec<Evidence>, Vec<String>)> = Vec::new();
    let mut recent: Option<(f64, Evidence)> = None;
    for (rule, signal) in fired {
        let Some(attribute) = segment
            .attributes
            .iter()
            .find(|a| a.attribute == signal.d.attribute)
        else {
            continue;
        };
        if rule.id == "recency_low" {
            recent = Some((signal.d.standardised.abs(), signal.evidence()));
        }
        let Some(kind) = rule.buyer_type else {
            continue;
        };
        if !decides(attribute, signal.d.level.is_some()) {
            continue;
        }
        let evidence = signal.evidence();
        let label = in_sentence(&attribute.label);
        let size = signal.d.standardised.abs();
        match scores.iter_mut().find(|(k, ..)| *k == kind) {
            Some((_, score, ev, labels)) => {
                *score += size;
                if !ev.contains(&evidence) {
                    ev.push(evidence);
                }
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
            None => scores.push((kind, size, vec![evidence], vec![label])),
        }
    }
    // A recent purchase makes an impulse vote stronger; it never makes one on its own.
    if let (Some((size, evidence)), Some(impulse)) = (
        recent,
        scores.iter_mut().find(|(k, ..)| *k == BuyerType::Impulse),
    ) {
        impulse.1 += size;
        impulse.2.push(evidence);
        impulse.3.push("a recent purchase".into());
    }
    // Stable sort keeps first-fired order for equal scores.
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (kind, reason, evidence) = match scores.as_slice() {
        [] => (
            BuyerType::Mixed,
            "no rate or loyalty signal decides it".to_string(),
            Vec::new(),
        ),
        [(k, _, ev, labels)] => (*k, format!("decided by {}", labels.join(", ")), ev.clone()),
        [(k, top, ev, labels), (_, second, ..), ..] if *top >= BUYER_TYPE_LEAD * second => {
            (*k, format!("decided by {}", labels.join(", ")), ev.clone())
        }
        [(k1, _, e1, l1), (k2, _, e2, l2), ..] => (
            BuyerType::Mixed,
            format!(
                "{} ({}) and {} ({}) point about equally strongly",
                k1.as_str(),
                l1.join(", "),
                k2.as_str(),
                l2.join(", ")
            ),
            e1.iter().chain(e2).cloned().collect(),
        ),
    };
    BuyerTypeFinding {
        kind,
        text: kind.as_str().to_string(),
        reason,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Facet, Role};

    fn numeric(name: &str, min: f64, max: f64) -> AttributeProfile {
        let summary = Summary::Numeric {
            known: 2,
            sum: min + max,
            mean: Some((min + max) / 2.0),
            median: Some((min + max) / 2.0),
            q1: Some(min),
            q3: Some(max),
            sd: Some((max - min) / 2.0),
            min: Some(min),
            max: Some(max),
        };
        AttributeProfile {
            attribute: name.into(),
            label: crate::text::human_label(name),
            kind: "numeric".into(),
            unit: None,
            facet: Facet::Behavioural,
            role: Role::Feature,
            segment: summary.clone(),
            population: summary,
        }
    }

    #[test]
    fn only_rates_and_loyalty_signals_decide() {
        assert!(decides(&numeric("discount_share", 0.0, 0.9), false));
        assert!(decides(&numeric("deal_rate", 0.0, 40.0), false));
        assert!(decides(&numeric("tenure", 0.0, 72.0), false));
        assert!(decides(
            &numeric("days_since_last_purchase", 0.0, 300.0),
            false
        ));
        assert!(!decides(&numeric("NumDealsPurchases", 0.0, 15.0), false));
        assert!(!decides(&numeric("week", 1.0, 52.0), false));
        assert!(!decides(&numeric("Year_Birth", 1940.0, 1996.0), false));
        assert!(!decides(&numeric("income", 0.0, 90_000.0), false));
        assert!(decides(&numeric("Contract", 0.0, 0.0), true));
        assert!(!decides(&numeric("signup_month", 0.0, 0.0), true));
    }
}
