//! Drafting one persona: the signals of a segment, the rules they fire, contradictions resolved
//! per concept, the mainstream comparison, outcomes, value and the summary.

use super::buyer::buyer_type;
use super::catalogue::match_words;
use super::descriptor::{generic_descriptor, signal_descriptor};
use super::naming::{segment_gender, title_case, Namer};
use super::sections::{
    fill, join, most_common_level, outcome_statement, traits, typical_values, Sections, Signal,
};
use super::{Catalogue, Direction, Drafter, Persona, Rule, Statement, Versus};
use crate::profile::{
    differences, AttributeProfile, Difference, SegmentProfile, Statistic, Summary,
};
use crate::schema::Role;
use crate::text::{in_sentence, percent};

/// Words that mark a job-title attribute ("job_title", "JobTitle", "title", "position"), whose
/// level names the persona when it is the segment's most common one and over-represented.
const JOB_TITLE_WORDS: &[&str] = &["title", "position"];

/// How far the value share must be from the customer share to be stated (1.5x either way).
const VALUE_RATIO: f64 = 1.5;

/// The share of customers from which an average segment is called "the mainstream".
const MAINSTREAM_SHARE: f64 = 0.25;

pub(crate) struct Draft<'a> {
    pub(crate) drafter: &'a Drafter,
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) segment: &'a SegmentProfile,
}

fn strongest_first(a: &Signal, b: &Signal) -> std::cmp::Ordering {
    b.d.standardised
        .abs()
        .total_cmp(&a.d.standardised.abs())
        .then_with(|| a.d.attribute.cmp(&b.d.attribute))
        .then_with(|| a.d.level.cmp(&b.d.level))
}

/// The differences between a segment and every customer not in it, on one attribute; see
/// [`Versus::OtherCustomers`].
fn differences_from_others(a: &AttributeProfile) -> Vec<Difference> {
    match (&a.segment, &a.population) {
        (
            Summary::Numeric {
                known: sk,
                sum: ss,
                mean: Some(seg),
                ..
            },
            Summary::Numeric {
                known: pk,
                sum: ps,
                sd: Some(sd),
                ..
            },
        ) if pk > sk && *sd > 0.0 => {
            let other = (ps - ss) / (pk - sk) as f64;
            let smd = (seg - other) / sd;
            vec![Difference {
                attribute: a.attribute.clone(),
                level: None,
                statistic: Statistic::Mean,
                segment_value: *seg,
                population_value: other,
                effect: smd,
                standardised: smd,
            }]
        }
        (
            Summary::Levels {
                known: sk,
                shares: seg,
            },
            Summary::Levels {
                known: pk,
                shares: pop,
            },
        ) if *sk > 0 && pk > sk => seg
            .iter()
            .zip(pop)
            .filter(|(s, _)| !(a.kind == "boolean" && s.level == "false"))
            .filter_map(|(s, p)| {
                let other = (p.count - s.count) as f64 / (pk - sk) as f64;
                (other > 0.0 && other < 1.0).then(|| Difference {
                    attribute: a.attribute.clone(),
                    level: Some(s.level.clone()),
                    statistic: Statistic::Share,
                    segment_value: s.share,
                    population_value: other,
                    effect: s.share / other,
                    standardised: (s.share - other) / (other * (1.0 - other)).sqrt(),
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Draft<'_> {
    /// Every strong difference of the segment on attributes with these roles, strongest first.
    fn signals(&self, others: bool, roles: &[Role]) -> Vec<Signal> {
        let mut out: Vec<Signal> = self
            .segment
            .attributes
            .iter()
            .filter(|a| roles.contains(&a.role))
            .flat_map(|a| {
                let words = match_words(&[&a.attribute, &a.label]);
                let diffs = if others {
                    differences_from_others(a)
                } else {
                    differences(a)
                };
                let known = a.segment.known();
                let sd = match &a.population {
                    Summary::Numeric { sd: Some(sd), .. } => *sd,
                    _ => 0.0,
                };
                let outcome = a.role == Role::Outcome;
                let drafter = self.drafter;
                diffs
                    .into_iter()
                    .filter(move |d| {
                        if outcome && !others {
                            drafter.is_outcome_evidence(d, known, sd)
                        } else {
                            drafter.is_evidence(d)
                        }
                    })
                    .map(move |d| {
                        let level_words = d
                            .level
                            .as_deref()
                            .filter(|l| !(a.kind == "boolean" && *l == "true"))
                            .map(|l| match_words(&[l]));
                        Signal {
                            d,
                            versus: if others {
                                Versus::OtherCustomers
                            } else {
                                Versus::AllCustomers
                            },
                            words: words.clone(),
                            level_words,
                            is_value: a.role == Role::Value,
                            is_outcome: a.role == Role::Outcome,
                        }
                    })
            })
            .collect();
        out.sort_by(strongest_first);
        out
    }

    pub(crate) fn persona(
        &self,
        namer: &mut Namer<'_>,
        used_descriptors: &mut Vec<String>,
    ) -> Persona {
        let segment = self.segment;
        let drafter = self.drafter;
        let value = segment.value_shares.first();
        let (mut demographics, mut firmographics) = typical_values(segment);
        let reliable = segment.size >= drafter.min_segment_size;
        let features = [Role::Feature, Role::Value];
        let (mut signals, outcome_signals) = if reliable {
            (
                self.signals(false, &features),
                self.signals(false, &[Role::Outcome]),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        // The other customers must be enough to compare with (a DBSCAN segment of 97% beside
        // 6 outliers is not "different from the others").
        let everyone = if segment.share > 0.0 {
            (segment.size as f64 / segment.share).round() as usize
        } else {
            segment.size
        };
        let others = everyone.saturating_sub(segment.size);
        let mainstream = reliable && signals.is_empty() && others >= drafter.min_segment_size;
        if mainstream {
            signals = self.signals(true, &features);
        }

        // Rules fired by every signal, outcomes first (they are what the team cares about most),
        // then one side per concept.
        let mut fired: Vec<(&Rule, &Signal)> = outcome_signals
            .iter()
            .chain(&signals)
            .filter_map(|s| {
                let direction = if s.d.standardised >= 0.0 {
                    Direction::High
                } else {
                    Direction::Low
                };
                self.catalogue
                    .find(&s.words, s.level_words.as_deref(), direction)
                    .filter(|r| ratio_holds(r, s))
                    .map(|r| (r, s))
            })
            .collect();
        fired = resolve_concepts(fired);
        let ids: Vec<&str> = fired.iter().map(|(r, _)| r.id.as_str()).collect();
        fired.retain(|(rule, _)| !rule.not_with.iter().any(|id| ids.contains(&id.as_str())));

        let mut sections = Sections::default();
        for (rule, signal) in &fired {
            sections.add(rule, signal);
        }
        let feature_refs: Vec<&Signal> = signals.iter().collect();
        let traits = traits(segment, &feature_refs, drafter.max_statements);
        let outcomes = outcome_list(segment, &outcome_signals);
        // An outcome stated as such is not repeated as a typical value.
        let stated = |s: &Statement| {
            s.evidence.iter().any(|e| {
                outcomes
                    .iter()
                    .any(|o| o.evidence.iter().any(|oe| oe.attribute == e.attribute))
            })
        };
        demographics.retain(|s| !stated(s));
        firmographics.retain(|s| !stated(s));

        // Name: the first fired rule (an outcome's, else the strongest signal's) whose descriptor
        // no earlier persona uses; else the strongest unused signal in words, then a code; a
        // generic word only when no signal is left.
        let title = job_title(segment);
        let descriptor = fired
            .iter()
            .filter_map(|(r, _)| r.descriptor.as_deref())
            .find(|desc| !used_descriptors.iter().any(|u| u == desc))
            .map(str::to_string)
            .or_else(|| signal_descriptor(segment, &signals, used_descriptors))
            .unwrap_or_else(|| generic_descriptor(mainstream, used_descriptors));
        used_descriptors.push(descriptor.clone());
        let name = match drafter.segment_names.get(segment.segment) {
            Some(given) if !given.trim().is_empty() => given.clone(),
            _ => namer.name(
                title.as_deref().unwrap_or(&descriptor),
                segment_gender(segment),
            ),
        };

        let value_note = value.and_then(|v| {
            let label = in_sentence(segment.label(&v.attribute));
            let ratio = if segment.share > 0.0 {
                v.share / segment.share
            } else {
                1.0
            };
            if ratio >= VALUE_RATIO {
                Some(format!(
                    "{} of customers bring in {} of {label}, {ratio:.1}x their share",
                    percent(segment.share),
                    percent(v.share)
                ))
            } else if ratio <= 1.0 / VALUE_RATIO {
                Some(format!(
                    "{} of customers bring in only {} of {label}",
                    percent(segment.share),
                    percent(v.share)
                ))
            } else {
                None
            }
        });

        let summary = summary_text(
            &name,
            segment,
            value.map(|v| v.share),
            &fired,
            &traits,
            &outcomes,
            value_note.as_deref(),
            reliable,
            mainstream,
        );
        let mut buyer_type = buyer_type(segment, &fired);
        if !reliable {
            buyer_type.reason = "too few customers to decide".into();
        }
        let mut persona = Persona {
            name,
            summary,
            segment: segment.segment,
            size: segment.size,
            share: segment.share,
            value_share: value.map(|v| v.share),
            value_attribute: value.map(|v| v.attribute.clone()),
            value_note,
            mainstream,
            outcomes,
            demographics,
            firmographics,
            traits,
            goals: sections.goals,
            pain_points: sections.pain_points,
            objections: sections.objections,
            motivations: sections.motivations,
            buying_behaviour: sections.buying_behaviour,
            channels: sections.channels,
            buyer_type,
            notes: Vec::new(),
            stability: None,
        };
        for list in [
            &mut persona.goals,
            &mut persona.pain_points,
            &mut persona.objections,
            &mut persona.motivations,
            &mut persona.buying_behaviour,
            &mut persona.channels,
            &mut persona.traits,
            &mut persona.outcomes,
        ] {
            list.truncate(drafter.max_statements);
        }
        persona.notes = notes(&persona, reliable);
        persona
    }
}

/// Whether a rule's [`Rule::min_ratio`] holds for a signal: the segment's value at least that
/// many times all customers' (at most its inverse for a `low` rule); always for level rules.
fn ratio_holds(rule: &Rule, signal: &Signal) -> bool {
    let Some(min) = rule.min_ratio.filter(|_| rule.levels.is_empty()) else {
        return true;
    };
    let (s, p) = (signal.d.segment_value, signal.d.population_value);
    if !(s.is_finite() && p.is_finite() && p > 0.0 && s >= 0.0) {
        return true;
    }
    match rule.direction {
        Direction::High => s >= min * p,
        Direction::Low => s * min <= p,
    }
}

/// Keeps one side of each concept: the side backed by a value attribute, else by the strongest
/// difference. A side is the direction for rules on numbers and the rule itself for levels.
fn resolve_concepts<'a>(fired: Vec<(&'a Rule, &'a Signal)>) -> Vec<(&'a Rule, &'a Signal)> {
    let side = |r: &Rule| -> String {
        if r.levels.is_empty() {
            format!("{:?}", r.direction)
        } else {
            r.id.clone()
        }
    };
    let mut winners: Vec<(String, String, bool, f64)> = Vec::new();
    for (rule, signal) in &fired {
        let concept = rule.concept().to_string();
        let strength = signal.d.standardised.abs();
        match winners.iter_mut().find(|(c, ..)| *c == concept) {
            Some((_, best_side, best_value, best_strength)) => {
                let better = (signal.is_value && !*best_value)
                    || (signal.is_value == *best_value && strength > *best_strength);
                if better {
                    *best_side = side(rule);
                    *best_value = signal.is_value;
                    *best_strength = strength;
                }
            }
            None => winners.push((concept, side(rule), signal.is_value, strength)),
        }
    }
    fired
        .into_iter()
        .filter(|(rule, _)| {
            winners
                .iter()
                .any(|(c, s, ..)| c == rule.concept() && *s == side(rule))
        })
        .collect()
}

/// Outcome statements: for a boolean or number, its difference; for levels, those markedly
/// more common, or the markedly less common ones when none is.
fn outcome_list(segment: &SegmentProfile, signals: &[Signal]) -> Vec<Statement> {
    signals
        .iter()
        .filter(|s| {
            s.d.level.as_deref().is_none_or(|l| l == "true")
                || s.d.standardised > 0.0
                || !signals
                    .iter()
                    .any(|t| t.d.attribute == s.d.attribute && t.d.standardised > 0.0)
        })
        .map(|s| outcome_statement(segment, s))
        .collect()
}

/// Why a reliable persona has no goals, pain points or objections, or why it has nothing at all.
fn notes(p: &Persona, reliable: bool) -> Vec<String> {
    if !reliable {
        return vec![format!(
            "With {} customers the segment is too small to describe reliably",
            p.size
        )];
    }
    let missing: Vec<String> = [
        ("goals", &p.goals),
        ("pain points", &p.pain_points),
        ("objections", &p.objections),
    ]
    .iter()
    .filter(|(_, l)| l.is_empty())
    .map(|(n, _)| n.to_string())
    .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "No {}: no strong signal in the data points to them",
        join(&missing)
    )]
}

/// The most common level of a job-title attribute in the segment, when it is also more common
/// there than among all customers (so the title helps tell personas apart).
fn job_title(segment: &SegmentProfile) -> Option<String> {
    segment
        .attributes
        .iter()
        .filter(|a| a.kind == "categorical" && a.role == Role::Feature)
        .find(|a| {
            let words = match_words(&[&a.attribute]);
            JOB_TITLE_WORDS.iter().any(|w| words.iter().any(|x| x == w))
        })
        .and_then(|a| match (&a.segment, &a.population) {
            (Summary::Levels { shares, .. }, Summary::Levels { shares: pop, .. }) => {
                most_common_level(shares, pop)
                    .filter(|(s, p)| s.share > p.share)
                    .map(|(s, _)| title_case(&s.level))
            }
            _ => None,
        })
}

#[allow(clippy::too_many_arguments)]
fn summary_text(
    name: &str,
    segment: &SegmentProfile,
    value_share: Option<f64>,
    fired: &[(&Rule, &Signal)],
    traits: &[Statement],
    outcomes: &[Statement],
    value_note: Option<&str>,
    reliable: bool,
    mainstream: bool,
) -> String {
    let share = percent(segment.share);
    let mut out = if mainstream && segment.share >= MAINSTREAM_SHARE {
        format!("{name} is the mainstream: {share} of customers")
    } else {
        format!("{name} stands for {share} of customers")
    };
    if let (Some(v_share), Some(v)) = (value_share, segment.value_shares.first()) {
        out.push_str(&format!(
            " and {} of {}",
            percent(v_share),
            in_sentence(segment.label(&v.attribute))
        ));
    }
    if !reliable {
        out.push_str(&format!(
            ". With only {} customers the segment is too small to describe reliably.",
            segment.size
        ));
        return out;
    }
    if mainstream {
        out.push_str(", close to average on every measure");
    }
    let mut phrases: Vec<String> = Vec::new();
    for (rule, signal) in fired.iter().filter(|(_, s)| !s.is_outcome) {
        if let Some(p) = rule.summary.as_deref() {
            let p = fill(p, &signal.d);
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
        if phrases.len() == 3 {
            break;
        }
    }
    let lead = if mainstream {
        "; compared with the other customers, this customer"
    } else {
        ": this customer"
    };
    if phrases.is_empty() {
        if traits.is_empty() {
            out.push_str(if mainstream {
                ". Nothing in the data sets this segment clearly apart from all customers or from \
                 the other customers."
            } else {
                ". Nothing in the data sets this segment clearly apart from all customers."
            });
        } else {
            let plain: Vec<String> = traits
                .iter()
                .take(2)
                .map(|t| in_sentence(&t.text))
                .collect();
            let what = if mainstream {
                "; compared with the other customers"
            } else {
                ". What sets it apart"
            };
            out.push_str(&format!("{what}: {}.", plain.join("; ")));
        }
    } else {
        out.push_str(&format!("{lead} {}.", join(&phrases)));
    }
    if let Some(first) = outcomes.first() {
        out.push_str(&format!(" {}.", first.text));
    }
    if let Some(note) = value_note {
        out.push_str(&format!(" {}.", crate::text::sentence_case(note)));
    }
    out
}
