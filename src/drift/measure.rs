//! Re-measuring a persona on newer data: how far each attribute's centre moved, in original
//! units, and whether each statement's evidence still points the same way.

use serde::Serialize;

use super::{DESCRIPTIVE_SHARE_DROP, HOLDS_FRACTION};
use crate::persona::{Evidence, Persona, Versus};
use crate::profile::{AttributeProfile, SegmentProfile, Statistic, Summary};
use crate::schema::Role;

/// How far one attribute's centre of a persona moved, in the attribute's original units.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AttributeShift {
    /// The attribute's name.
    pub attribute: String,
    /// Its human label.
    pub label: String,
    /// The level, for a level's share; `None` for a numeric attribute's mean.
    pub level: Option<String>,
    /// The unit, for numeric attributes.
    pub unit: Option<String>,
    /// `mean` for numeric attributes, `share` (0..1) for levels.
    pub statistic: Statistic,
    /// The persona's value then: its training customers' mean or share.
    pub then: f64,
    /// The value now over the newer customers assigned to the persona (`compare`), or over the
    /// matched persona of the newer model (`compare_models`); `None` when there are none.
    pub now: Option<f64>,
    /// The value over the customers of the matched segment of the re-fit (`compare` only).
    pub refit: Option<f64>,
    /// The change (`now` if there is one, else the re-fit value, minus `then`) over the spread
    /// of all training customers: their standard deviation for numbers, `sqrt(p (1 - p))` for a
    /// level with training share `p`. `None` when there is no value now or no spread.
    pub standardised: Option<f64>,
}

/// Whether a statement still holds on the newer data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The evidence, re-measured, still supports the statement.
    Holds,
    /// It does not (see [`StatementCheck`] for the rule).
    NoLonger,
    /// It could not be re-measured: fewer than [`MIN_MEASURED`](super::MIN_MEASURED) newer
    /// customers are assigned to the persona, or the attribute is not in the newer data.
    NotMeasured,
    /// It is about an attribute whose newer values are mostly levels the model never saw (see
    /// [`DriftReport::recoded`](super::DriftReport::recoded)): a change of coding, not of
    /// customers, so it is not judged.
    Recoded,
}

/// One statement of an old persona with its strongest evidence re-measured on the newer data.
///
/// Typical-value statements (the `demographics` and `firmographics` lists: "Age: 31–45 (median
/// 38)", "Region: north (62%)") hold while the median stays within the persona's interquartile
/// range then, or the level stays the most common or loses at most
/// [`DESCRIPTIVE_SHARE_DROP`](super::DESCRIPTIVE_SHARE_DROP) of share. Every other statement
/// claims a difference from all (or the other) customers; it holds while the difference, measured
/// the same way on the newer data, points the same way and keeps at least
/// [`HOLDS_FRACTION`](super::HOLDS_FRACTION) of its standardised size.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StatementCheck {
    /// The persona list the statement is in (`traits`, `goals`, `demographics`, ...).
    pub list: String,
    /// The statement.
    pub text: String,
    /// Its strongest evidence's attribute.
    pub attribute: String,
    /// The level, for levels.
    pub level: Option<String>,
    /// Which statistic the values are.
    pub statistic: Statistic,
    /// What the persona is compared with.
    pub versus: Versus,
    /// The persona's value then.
    pub then_segment: f64,
    /// The compared customers' value then.
    pub then_reference: f64,
    /// The persona's value now.
    pub now_segment: Option<f64>,
    /// The compared customers' value now.
    pub now_reference: Option<f64>,
    /// Whether it still holds.
    pub verdict: Verdict,
}

/// Every centre coordinate of a persona's feature attributes, moved from `then` to `now` (and
/// to `refit`), largest standardised move first.
pub(crate) fn shifts(
    then: &SegmentProfile,
    now: Option<&SegmentProfile>,
    refit: Option<&SegmentProfile>,
) -> Vec<AttributeShift> {
    let mut out = Vec::new();
    for a in then.attributes.iter().filter(|a| a.role == Role::Feature) {
        let (now_a, refit_a) = (find(now, &a.attribute), find(refit, &a.attribute));
        let make = |level: Option<&str>, statistic, then_value: f64, scale: Option<f64>| {
            let value = |b: Option<&AttributeProfile>| b.and_then(|b| value_of(&b.segment, level));
            let (now_v, refit_v) = (value(now_a), value(refit_a));
            AttributeShift {
                attribute: a.attribute.clone(),
                label: a.label.clone(),
                level: level.map(str::to_string),
                unit: a.unit.clone(),
                statistic,
                then: then_value,
                now: now_v,
                refit: refit_v,
                standardised: now_v
                    .or(refit_v)
                    .zip(scale.filter(|s| *s > 0.0 && s.is_finite()))
                    .map(|(v, s)| (v - then_value) / s),
            }
        };
        match (&a.segment, &a.population) {
            (Summary::Numeric { mean: Some(m), .. }, Summary::Numeric { sd, .. }) => {
                out.push(make(None, Statistic::Mean, *m, *sd));
            }
            (Summary::Levels { shares, known, .. }, Summary::Levels { .. }) if *known > 0 => {
                for s in shares {
                    if a.kind == "boolean" && s.level == "false" {
                        continue;
                    }
                    let p = a.population.share(&s.level).unwrap_or(0.0);
                    let scale = (p * (1.0 - p)).sqrt();
                    out.push(make(Some(&s.level), Statistic::Share, s.share, Some(scale)));
                }
            }
            _ => {}
        }
    }
    out.sort_by(|x, y| {
        let size = |s: &AttributeShift| s.standardised.map_or(-1.0, f64::abs);
        size(y).total_cmp(&size(x))
    });
    out
}

fn find<'a>(profile: Option<&'a SegmentProfile>, attribute: &str) -> Option<&'a AttributeProfile> {
    profile.and_then(|p| p.attributes.iter().find(|b| b.attribute == attribute))
}

/// A segment summary's mean (no level) or a level's share (0 when the level is absent but some
/// customer has a value); `None` when no customer has a value.
fn value_of(summary: &Summary, level: Option<&str>) -> Option<f64> {
    match level {
        None => summary.mean(),
        Some(l) if summary.known() > 0 => Some(summary.share(l).unwrap_or(0.0)),
        Some(_) => None,
    }
}

/// The largest absolute standardised move of a persona's centre.
pub(crate) fn largest(shifts: &[AttributeShift]) -> Option<f64> {
    shifts
        .iter()
        .filter_map(|s| s.standardised.map(f64::abs))
        .fold(None, |m, x| Some(m.map_or(x, |m: f64| m.max(x))))
}

/// Re-measures the strongest evidence of every statement of `persona` on `now` (the persona's
/// customers in the newer data, with the newer population beside them).
pub(crate) fn check_statements(
    persona: &Persona,
    then: &SegmentProfile,
    now: Option<&SegmentProfile>,
) -> Vec<StatementCheck> {
    crate::persona::statements(persona)
        .into_iter()
        .filter_map(|(list, statement)| {
            let e = statement.evidence.first()?;
            let attribute = |p: &SegmentProfile| {
                p.attributes
                    .iter()
                    .find(|a| a.attribute == e.attribute)
                    .cloned()
            };
            let then_a = attribute(then);
            let now_a = now.and_then(attribute);
            let descriptive = matches!(list, "demographics" | "firmographics");
            let (now_segment, now_reference, verdict) = match (&then_a, &now_a) {
                (Some(t), Some(n)) if n.segment.known() > 0 => {
                    let m = remeasure(e, n);
                    let verdict = match m {
                        None => Verdict::NotMeasured,
                        Some((s, _, _)) if descriptive => verdict(typical_holds(e, t, n, s)),
                        Some((_, _, size)) => {
                            verdict(difference_holds(standardised_then(e, t), size))
                        }
                    };
                    (m.map(|m| m.0), m.map(|m| m.1), verdict)
                }
                _ => (None, None, Verdict::NotMeasured),
            };
            Some(StatementCheck {
                list: list.to_string(),
                text: statement.text.clone(),
                attribute: e.attribute.clone(),
                level: e.level.clone(),
                statistic: e.statistic,
                versus: e.versus,
                then_segment: e.segment_value,
                then_reference: e.population_value,
                now_segment,
                now_reference,
                verdict,
            })
        })
        .collect()
}

fn verdict(holds: bool) -> Verdict {
    if holds {
        Verdict::Holds
    } else {
        Verdict::NoLonger
    }
}

/// A typical-value statement holds while the median stays within the interquartile range then,
/// or the level stays the most common or loses at most [`DESCRIPTIVE_SHARE_DROP`].
fn typical_holds(
    e: &Evidence,
    then: &AttributeProfile,
    now: &AttributeProfile,
    value: f64,
) -> bool {
    match (&then.segment, e.level.as_deref()) {
        (
            Summary::Numeric {
                q1: Some(q1),
                q3: Some(q3),
                ..
            },
            None,
        ) => (*q1..=*q3).contains(&value),
        (_, Some(_)) => {
            let top = match &now.segment {
                Summary::Levels { shares, .. } => {
                    shares.iter().map(|s| s.share).fold(0.0_f64, f64::max)
                }
                Summary::Numeric { .. } => return false,
            };
            value >= top || value >= e.segment_value - DESCRIPTIVE_SHARE_DROP
        }
        _ => true,
    }
}

/// A difference holds while it points the same way and keeps [`HOLDS_FRACTION`] of its size.
fn difference_holds(then: f64, now: f64) -> bool {
    if then == 0.0 {
        return true;
    }
    then.signum() == now.signum() && now.abs() >= HOLDS_FRACTION * then.abs()
}

/// The evidence's standardised size then, from its own values and the spread then.
fn standardised_then(e: &Evidence, then: &AttributeProfile) -> f64 {
    match e.statistic {
        Statistic::Share => level_size(e.segment_value, e.population_value),
        Statistic::Mean | Statistic::Median => match then.population {
            Summary::Numeric { sd: Some(sd), .. } if sd > 0.0 => {
                (e.segment_value - e.population_value) / sd
            }
            _ => 0.0,
        },
    }
}

fn level_size(segment: f64, reference: f64) -> f64 {
    let spread = (reference * (1.0 - reference)).sqrt();
    if spread > 0.0 {
        (segment - reference) / spread
    } else {
        0.0
    }
}

/// The evidence's statistic re-measured on `now`: the persona's value, the compared customers'
/// value, and the standardised difference between them.
fn remeasure(e: &Evidence, now: &AttributeProfile) -> Option<(f64, f64, f64)> {
    let others = e.versus == Versus::OtherCustomers;
    match (&now.segment, &now.population, e.level.as_deref()) {
        (
            Summary::Numeric {
                known: sk,
                sum: ss,
                mean: Some(mean),
                median,
                ..
            },
            Summary::Numeric {
                known: pk,
                sum: ps,
                mean: Some(pop_mean),
                median: pop_median,
                sd,
                ..
            },
            None,
        ) => {
            let (segment, reference) = match e.statistic {
                Statistic::Median => ((*median)?, (*pop_median)?),
                _ if others => {
                    if pk <= sk {
                        return None;
                    }
                    (*mean, (ps - ss) / (pk - sk) as f64)
                }
                _ => (*mean, *pop_mean),
            };
            let size = match sd {
                Some(sd) if *sd > 0.0 => (segment - reference) / sd,
                _ => 0.0,
            };
            Some((segment, reference, size))
        }
        (
            Summary::Levels { known: sk, shares },
            Summary::Levels {
                known: pk,
                shares: pop,
            },
            Some(level),
        ) => {
            let find =
                |v: &[crate::profile::LevelShare]| v.iter().find(|s| s.level == level).cloned();
            let (s, p) = (find(shares), find(pop));
            let segment = s.as_ref().map_or(0.0, |s| s.share);
            let reference = if others {
                if pk <= sk {
                    return None;
                }
                let (sc, pc) = (s.map_or(0, |s| s.count), p.map_or(0, |p| p.count));
                pc.saturating_sub(sc) as f64 / (pk - sk) as f64
            } else {
                p.map_or(0.0, |p| p.share)
            };
            Some((segment, reference, level_size(segment, reference)))
        }
        _ => None,
    }
}
