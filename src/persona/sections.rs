//! Statement lists, trait sentences and typical values: the wording of a persona from its
//! differences, with intensity words that follow the effect size.

use super::{Evidence, Rule, Statement, Versus};
use crate::profile::{Difference, LevelShare, SegmentProfile, Statistic, Summary};
use crate::schema::Facet;
use crate::text::{in_sentence, number_for, percent};

/// A difference used by the drafter, with what it is compared with.
#[derive(Debug, Clone)]
pub(crate) struct Signal {
    pub(crate) d: Difference,
    pub(crate) versus: Versus,
    /// The attribute's name and label words, stemmed.
    pub(crate) words: Vec<String>,
    /// The level's words, for level differences that are not a boolean's `true`.
    pub(crate) level_words: Option<Vec<String>>,
    /// Whether the attribute is a value attribute (revenue, spend).
    pub(crate) is_value: bool,
    /// Whether the attribute is an outcome.
    pub(crate) is_outcome: bool,
}

impl Signal {
    pub(crate) fn evidence(&self) -> Evidence {
        Evidence {
            versus: self.versus,
            ..Evidence::from(&self.d)
        }
    }
}

/// Whether a difference is large enough for "far", "much": at least 1 sd for numbers; a lift of
/// at least 2 for an over-represented level, at most 0.5 for an under-represented one.
pub(crate) fn is_far(d: &Difference) -> bool {
    match d.statistic {
        Statistic::Share if d.standardised >= 0.0 => d.effect >= 2.0,
        Statistic::Share => d.effect <= 0.5,
        _ => d.standardised.abs() >= 1.0,
    }
}

/// Fills `{more}` and `{less}` with "more"/"less" or, for far differences, "far more"/"far less".
pub(crate) fn fill(text: &str, d: &Difference) -> String {
    let (more, less) = if is_far(d) {
        ("far more", "far less")
    } else {
        ("more", "less")
    };
    text.replace("{more}", more).replace("{less}", less)
}

/// Statements collected per list, merged by text (one statement, several pieces of evidence).
#[derive(Default)]
pub(crate) struct Sections {
    pub(crate) goals: Vec<Statement>,
    pub(crate) pain_points: Vec<Statement>,
    pub(crate) objections: Vec<Statement>,
    pub(crate) motivations: Vec<Statement>,
    pub(crate) buying_behaviour: Vec<Statement>,
    pub(crate) channels: Vec<Statement>,
}

/// Adds a statement to a list, or the evidence to the statement with the same text.
pub(crate) fn push(list: &mut Vec<Statement>, text: String, evidence: Evidence) {
    match list.iter_mut().find(|s| s.text == text) {
        Some(s) => {
            if !s.evidence.contains(&evidence) {
                s.evidence.push(evidence);
            }
        }
        None => list.push(Statement {
            text,
            evidence: vec![evidence],
        }),
    }
}

impl Sections {
    pub(crate) fn add(&mut self, rule: &Rule, signal: &Signal) {
        let pairs: [(&mut Vec<Statement>, &[String]); 6] = [
            (&mut self.goals, &rule.goals),
            (&mut self.pain_points, &rule.pain_points),
            (&mut self.objections, &rule.objections),
            (&mut self.motivations, &rule.motivations),
            (&mut self.buying_behaviour, &rule.buying_behaviour),
            (&mut self.channels, &rule.channels),
        ];
        for (list, texts) in pairs {
            for text in texts {
                push(list, fill(text, &signal.d), signal.evidence());
            }
        }
    }
}

fn compared(versus: Versus) -> &'static str {
    match versus {
        Versus::AllCustomers => "than average",
        Versus::OtherCustomers => "than other customers",
    }
}

fn is_yes_no(level: &str) -> Option<bool> {
    match level.to_lowercase().as_str() {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ => None,
    }
}

/// One trait sentence for a single difference: "Tenure: much lower than average",
/// "Contract: month-to-month far more common than average".
pub(crate) fn trait_statement(segment: &SegmentProfile, signal: &Signal) -> Statement {
    let d = &signal.d;
    let label = segment.label(&d.attribute);
    let up = d.standardised >= 0.0;
    let far = is_far(d);
    let than = compared(signal.versus);
    let text = match &d.level {
        None => {
            let word = match (up, far) {
                (true, true) => "much higher",
                (true, false) => "higher",
                (false, true) => "much lower",
                (false, false) => "lower",
            };
            format!("{label}: {word} {than}")
        }
        Some(level) => {
            let word = match (up, far) {
                (true, true) => "far more common",
                (true, false) => "more common",
                (false, true) => "far less common",
                (false, false) => "less common",
            };
            if level == "true" {
                format!("{label}: {word} {than}")
            } else {
                format!("{label}: {level} {word} {than}")
            }
        }
    };
    Statement {
        text,
        evidence: vec![signal.evidence()],
    }
}

/// Traits for the strongest signals, with one statement for a level that several attributes
/// share the same way (one-hot repeats such as "No internet service" in six service columns).
pub(crate) fn traits(segment: &SegmentProfile, signals: &[&Signal], max: usize) -> Vec<Statement> {
    // A level markedly more common that most of the segment has says what the segment is; the
    // other levels of the same attribute being rarer follows from it ("Internet service: Fiber
    // optic" at 100% implies "DSL less common"), so they are not traits of their own.
    let implied = |s: &Signal| {
        s.d.level.is_some()
            && s.d.standardised < 0.0
            && signals.iter().any(|o| {
                o.d.attribute == s.d.attribute
                    && o.d.level.is_some()
                    && o.d.standardised > 0.0
                    && o.d.segment_value >= 0.5
                    && o.versus == s.versus
            })
    };
    let signals: Vec<&Signal> = signals.iter().copied().filter(|s| !implied(s)).collect();
    let mut out: Vec<Statement> = Vec::new();
    let mut done = vec![false; signals.len()];
    for i in 0..signals.len() {
        if done[i] || out.len() >= max {
            continue;
        }
        let s = signals[i];
        let group: Vec<usize> = match &s.d.level {
            Some(level) if level != "true" => (i..signals.len())
                .filter(|&j| {
                    !done[j]
                        && signals[j].d.level.as_deref().map(str::to_lowercase)
                            == Some(level.to_lowercase())
                        && (signals[j].d.standardised >= 0.0) == (s.d.standardised >= 0.0)
                        && signals[j].versus == s.versus
                })
                .collect(),
            _ => vec![i],
        };
        group.iter().for_each(|&j| done[j] = true);
        if group.len() < 2 {
            out.push(trait_statement(segment, s));
            continue;
        }
        let labels: Vec<String> = group
            .iter()
            .map(|&j| in_sentence(segment.label(&signals[j].d.attribute)))
            .collect();
        let up = s.d.standardised >= 0.0;
        let far = group.iter().all(|&j| is_far(&signals[j].d));
        let level = s.d.level.as_deref().unwrap_or_default();
        let text = match is_yes_no(level) {
            Some(yes) => {
                let how = match (up, far) {
                    (true, true) => "Far more often",
                    (true, false) => "More often",
                    (false, true) => "Far less often",
                    (false, false) => "Less often",
                };
                let with = if yes { "with" } else { "without" };
                format!("{how} {} {with}: {}", compared(s.versus), join(&labels))
            }
            None => {
                let word = match (up, far) {
                    (true, true) => "far more common",
                    (true, false) => "more common",
                    (false, true) => "far less common",
                    (false, false) => "less common",
                };
                format!("{level} ({}): {word} {}", join(&labels), compared(s.versus))
            }
        };
        out.push(Statement {
            text,
            evidence: group.iter().map(|&j| signals[j].evidence()).collect(),
        });
    }
    out
}

/// "a, b and c".
pub(crate) fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// An outcome in words with its numbers: "Churn: 41% vs 15% of all customers".
pub(crate) fn outcome_statement(segment: &SegmentProfile, signal: &Signal) -> Statement {
    let d = &signal.d;
    let label = segment.label(&d.attribute);
    let text = match (&d.level, d.statistic) {
        (Some(level), _) if level == "true" => format!(
            "{label}: {} vs {} of all customers",
            percent(d.segment_value),
            percent(d.population_value)
        ),
        (Some(level), _) => format!(
            "{label} {level}: {} vs {} of all customers",
            percent(d.segment_value),
            percent(d.population_value)
        ),
        (None, _) => format!(
            "{label}: {} on average vs {} for all customers",
            number_for(label, d.segment_value),
            number_for(label, d.population_value)
        ),
    };
    Statement {
        text,
        evidence: vec![signal.evidence()],
    }
}

/// Typical values of demographic/geographic and firmographic attributes, in human units:
/// the interquartile range and median of numbers, the most common level of the others.
pub(crate) fn typical_values(segment: &SegmentProfile) -> (Vec<Statement>, Vec<Statement>) {
    let mut demographics = Vec::new();
    let mut firmographics = Vec::new();
    for a in &segment.attributes {
        let target = match a.facet {
            Facet::Demographic | Facet::Geographic => &mut demographics,
            Facet::Firmographic => &mut firmographics,
            _ => continue,
        };
        let statement = match (&a.segment, &a.population) {
            (
                Summary::Numeric {
                    median: Some(median),
                    q1: Some(q1),
                    q3: Some(q3),
                    mean: Some(mean),
                    ..
                },
                Summary::Numeric {
                    median: Some(pop_median),
                    mean: Some(pop_mean),
                    sd: Some(sd),
                    ..
                },
            ) => {
                let unit = a.unit.as_deref().map_or(String::new(), |u| format!(" {u}"));
                Statement {
                    text: format!(
                        "{}: {}–{}{unit} (median {})",
                        a.label,
                        number_for(&a.label, *q1),
                        number_for(&a.label, *q3),
                        number_for(&a.label, *median)
                    ),
                    evidence: vec![Evidence {
                        attribute: a.attribute.clone(),
                        level: None,
                        statistic: Statistic::Median,
                        segment_value: *median,
                        population_value: *pop_median,
                        effect: if *sd > 0.0 {
                            (mean - pop_mean) / sd
                        } else {
                            0.0
                        },
                        versus: Versus::AllCustomers,
                    }],
                }
            }
            (Summary::Levels { shares, known, .. }, Summary::Levels { shares: pop, .. })
                if *known > 0 =>
            {
                let Some((top, pop_top)) = most_common_level(shares, pop) else {
                    continue;
                };
                let level = if a.kind == "boolean" {
                    if top.level == "true" { "yes" } else { "no" }.to_string()
                } else {
                    top.level.clone()
                };
                Statement {
                    text: format!("{}: {level} ({})", a.label, percent(top.share)),
                    evidence: vec![Evidence {
                        attribute: a.attribute.clone(),
                        level: Some(top.level.clone()),
                        statistic: Statistic::Share,
                        segment_value: top.share,
                        population_value: pop_top.share,
                        effect: if pop_top.share > 0.0 {
                            top.share / pop_top.share
                        } else {
                            0.0
                        },
                        versus: Versus::AllCustomers,
                    }],
                }
            }
            _ => continue,
        };
        target.push(statement);
    }
    (demographics, firmographics)
}

/// The segment's most common level (ties to the first in level order) beside the same level's
/// share among all customers; `None` when no customer of the segment has a level.
pub(crate) fn most_common_level<'a>(
    segment: &'a [LevelShare],
    population: &'a [LevelShare],
) -> Option<(&'a LevelShare, &'a LevelShare)> {
    segment
        .iter()
        .zip(population)
        .filter(|(s, _)| s.count > 0)
        .max_by(|x, y| {
            x.0.share
                .total_cmp(&y.0.share)
                .then_with(|| y.0.level.cmp(&x.0.level))
        })
}
