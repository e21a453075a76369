//! The words of personas follow the numbers, on any customer file: no raw column names in names
//! and summaries, no concept stated high and low, intensity words that match effect sizes,
//! outcomes stated with evidence, mainstream personas that still say something, one-hot repeats
//! merged, and buyer types decided only by rates and loyalty signals. Checked on generated data,
//! the bundled sample and the shared real data (skipped when absent).

mod common;
use common::{segment_csv, shared, DATA, SCHEMA};

use std::path::Path;

use personas::persona::{statements, BuyerType, Catalogue, Direction, Drafter, Versus};
use personas::segment::AutoK;
use personas::{
    CsvOptions, CustomerTable, Encoder, Inference, KMeans, Personas, Profiles, Role,
    SampleCustomers, Schema, Statistic, Summary,
};

const MIN_EFFECT: f64 = 0.5;
const MIN_LIFT: f64 = 1.25;
const MIN_SIZE: usize = 30;

/// Words that make a trait or statement "far"/"much".
const FAR_WORDS: &[&str] = &[
    "far more",
    "far less",
    "much higher",
    "much lower",
    "Far more",
    "Far less",
];

struct Run {
    what: String,
    personas: Personas,
    markdown: String,
}

fn draft(what: &str, table: &CustomerTable, k: usize) -> Run {
    let features = Encoder::new().fit(table).unwrap().transform(table).unwrap();
    let segmentation = KMeans::new(k)
        .with_seed(7)
        .segment(features.view())
        .unwrap();
    let profiles = Profiles::new(table, &segmentation).unwrap();
    let personas = Drafter::new().draft(&profiles).unwrap();
    let again = Drafter::new().draft(&profiles).unwrap();
    assert_eq!(
        personas.to_json().unwrap(),
        again.to_json().unwrap(),
        "{what}: same input, same JSON"
    );
    let markdown = personas.to_markdown();
    Run {
        what: what.to_string(),
        personas,
        markdown,
    }
}

fn real(relative: &str, k: Option<usize>) -> Option<Run> {
    let path = shared(relative)?;
    let options = CsvOptions::new();
    // The whole default path: the inferred schema (outcomes, codes, derived totals) and, when
    // `k` is `None`, the automatic choice of k.
    let inferred = Inference::from_csv_path(&path, &options).unwrap();
    let table = CustomerTable::from_csv_path(&path, inferred.schema(), &options).unwrap();
    let k = k.unwrap_or_else(|| {
        let features = Encoder::new()
            .fit(&table)
            .unwrap()
            .transform(&table)
            .unwrap();
        let k = AutoK::default()
            .with_seed(7)
            .fit(features.view())
            .unwrap()
            .k();
        assert!((3..=6).contains(&k), "{relative}: k = {k}");
        k
    });
    Some(draft(relative, &table, k))
}

/// Every run, drafted once for all tests of this file.
fn runs() -> &'static [Run] {
    static RUNS: std::sync::OnceLock<Vec<Run>> = std::sync::OnceLock::new();
    RUNS.get_or_init(all_runs)
}

fn all_runs() -> Vec<Run> {
    let mut out = Vec::new();
    // Generated customers, once as they are and once with a numeric outcome.
    let sample = SampleCustomers::new(11).with_customers(1500).generate();
    let mut csv = Vec::new();
    sample.write_csv(&mut csv).unwrap();
    let table = CustomerTable::from_csv_reader(csv.as_slice(), sample.schema(), &CsvOptions::new())
        .unwrap();
    out.push(draft("generated", &table, 5));
    let outcome_schema = Schema::new(
        sample
            .schema()
            .attributes()
            .iter()
            .cloned()
            .map(|a| {
                if a.name == "complaints" {
                    a.with_role(Role::Outcome)
                } else {
                    a
                }
            })
            .collect(),
    )
    .unwrap();
    let table = CustomerTable::from_csv_reader(csv.as_slice(), &outcome_schema, &CsvOptions::new())
        .unwrap();
    out.push(draft("generated, complaints as outcome", &table, 4));
    let schema = Schema::from_json_file(SCHEMA).unwrap();
    let (table, ..) = segment_csv(Path::new(DATA), &schema, 5, 42);
    out.push(draft("bundled", &table, 5));
    for (file, k) in [
        ("telco-churn/Customer_Churn.csv", Some(4)),
        ("credit-scoring/credit_data.csv", None),
        ("mall-customers/Mall_Customers.csv", Some(5)),
        ("wholesale-customers/Wholesale customers data.csv", None),
    ] {
        out.extend(real(file, k));
    }
    out
}

/// Whether a column name is written as code rather than words.
fn is_raw(name: &str) -> bool {
    name.contains('_')
        || name
            .chars()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|p| p[0].is_lowercase() && p[1].is_uppercase())
}

fn is_far(statistic: Statistic, effect: f64, segment: f64, population: f64) -> bool {
    match statistic {
        Statistic::Share if segment >= population => effect >= 2.0,
        Statistic::Share => effect <= 0.5,
        _ => effect.abs() >= 1.0,
    }
}

#[test]
fn names_and_summaries_use_words_not_column_names() {
    for run in runs() {
        let attributes = &run.personas.segments[0].attributes;
        for p in &run.personas.personas {
            for a in attributes.iter().filter(|a| is_raw(&a.attribute)) {
                assert!(
                    !p.name.contains(&a.attribute) && !p.summary.contains(&a.attribute),
                    "{}: `{}` in {:?} / {:?}",
                    run.what,
                    a.attribute,
                    p.name,
                    p.summary
                );
            }
            assert!(
                !p.summary.contains(" and spends little"),
                "{}: {}",
                run.what,
                p.summary
            );
        }
    }
}

#[test]
fn no_persona_states_both_sides_of_a_concept() {
    for run in runs() {
        let catalogue = Catalogue::builtin_for(run.personas.domain.domain);
        for p in &run.personas.personas {
            let texts: Vec<&str> = statements(p).iter().map(|(_, s)| s.text.as_str()).collect();
            // Which numeric rules were stated, by concept and direction.
            let mut stated: Vec<(&str, Direction)> = Vec::new();
            for rule in catalogue.rules().iter().filter(|r| r.levels.is_empty()) {
                let lists = rule
                    .goals
                    .iter()
                    .chain(&rule.pain_points)
                    .chain(&rule.objections)
                    .chain(&rule.motivations)
                    .chain(&rule.buying_behaviour);
                let mut forms = Vec::new();
                for t in lists {
                    for (m, l) in [("more", "less"), ("far more", "far less")] {
                        forms.push(t.replace("{more}", m).replace("{less}", l));
                    }
                }
                if forms.iter().any(|f| texts.contains(&f.as_str())) {
                    stated.push((rule.concept(), rule.direction));
                }
            }
            for (concept, direction) in &stated {
                assert!(
                    !stated.iter().any(|(c, d)| c == concept && d != direction),
                    "{}: {} states both sides of `{concept}`",
                    run.what,
                    p.name
                );
            }
        }
    }
}

#[test]
fn intensity_words_follow_effect_sizes_and_evidence_is_strong() {
    for run in runs() {
        let outcomes: Vec<&str> = run
            .personas
            .segments
            .iter()
            .flat_map(|s| &s.attributes)
            .filter(|a| a.role == Role::Outcome)
            .map(|a| a.attribute.as_str())
            .collect();
        for p in &run.personas.personas {
            for (list, s) in statements(p) {
                if matches!(list, "demographics" | "firmographics") {
                    continue;
                }
                for e in &s.evidence {
                    // Outcomes follow their own rule (a marked ratio, 3 standard errors), checked
                    // in `outcomes_that_differ_are_key_facts_with_evidence`.
                    if outcomes.contains(&e.attribute.as_str()) {
                        continue;
                    }
                    // Every claim of difference rests on a strong difference.
                    match (e.statistic, &e.level) {
                        (Statistic::Share, Some(_)) => {
                            let q = e.population_value;
                            let z = (e.segment_value - q) / (q * (1.0 - q)).sqrt();
                            assert!(z.abs() >= MIN_EFFECT - 1e-9, "{}: {e:?}", run.what);
                            if z > 0.0 {
                                assert!(e.effect >= MIN_LIFT - 1e-9, "{}: {e:?}", run.what);
                            }
                        }
                        _ => assert!(e.effect.abs() >= MIN_EFFECT - 1e-9, "{}: {e:?}", run.what),
                    }
                }
                let far = FAR_WORDS.iter().any(|w| s.text.contains(w));
                let all_far = s
                    .evidence
                    .iter()
                    .all(|e| is_far(e.statistic, e.effect, e.segment_value, e.population_value));
                if far {
                    assert!(all_far, "{}: `{}` but {:?}", run.what, s.text, s.evidence);
                }
                // A plain trait is not far on all of its evidence (merged traits are "far" only
                // when every column is).
                if list == "traits" && !far {
                    assert!(
                        s.evidence.iter().any(|e| !is_far(
                            e.statistic,
                            e.effect,
                            e.segment_value,
                            e.population_value
                        )),
                        "{}: `{}` understates {:?}",
                        run.what,
                        s.text,
                        s.evidence
                    );
                }
            }
        }
    }
}

#[test]
fn outcomes_that_differ_are_key_facts_with_evidence() {
    let mut seen = 0;
    for run in runs() {
        for (p, segment) in run.personas.personas.iter().zip(&run.personas.segments) {
            if segment.size < MIN_SIZE {
                continue;
            }
            for a in segment
                .attributes
                .iter()
                .filter(|a| a.role == Role::Outcome)
            {
                // An outcome differs when its rate (or mean) is at least MIN_LIFT times that of
                // all customers, or at most the inverse, and at least 3 standard errors away.
                let marked = |ratio: f64| ratio >= MIN_LIFT || ratio <= 1.0 / MIN_LIFT;
                let differs = match (&a.segment, &a.population) {
                    (
                        Summary::Numeric {
                            mean: Some(m),
                            known,
                            ..
                        },
                        Summary::Numeric {
                            mean: Some(pm),
                            sd: Some(sd),
                            ..
                        },
                    ) => {
                        *sd > 0.0
                            && *pm != 0.0
                            && marked(m / pm)
                            && (m - pm).abs() / (sd / (*known as f64).sqrt()) >= 3.0
                    }
                    (
                        Summary::Levels { shares, known, .. },
                        Summary::Levels { shares: pop, .. },
                    ) if *known > 0 => shares
                        .iter()
                        .zip(pop)
                        .filter(|(s, _)| !(a.kind == "boolean" && s.level == "false"))
                        .any(|(s, q)| {
                            let q = q.share;
                            q > 0.0 && q < 1.0 && marked(s.share / q) && {
                                let se = (q * (1.0 - q) / *known as f64).sqrt();
                                (s.share - q).abs() / se >= 3.0
                            }
                        }),
                    _ => false,
                };
                let stated = p
                    .outcomes
                    .iter()
                    .any(|s| s.evidence.iter().any(|e| e.attribute == a.attribute));
                assert_eq!(
                    differs, stated,
                    "{}: {} on {}",
                    run.what, p.name, a.attribute
                );
                if stated {
                    seen += 1;
                    let card =
                        &run.markdown[run.markdown.find(&format!("## {}\n", p.name)).unwrap()..];
                    let row = format!("| {} ", a.label);
                    assert!(card.contains(&row), "{}: no key-fact row {row}", run.what);
                }
            }
        }
    }
    assert!(
        seen > 0,
        "no outcome differed anywhere: the test checks nothing"
    );
}

#[test]
fn mainstream_personas_are_not_silent() {
    for run in runs() {
        for (p, segment) in run.personas.personas.iter().zip(&run.personas.segments) {
            if segment.size < MIN_SIZE {
                continue;
            }
            // Mainstream exactly when no feature or value differs strongly from all customers.
            let strong = p
                .traits
                .iter()
                .flat_map(|t| &t.evidence)
                .any(|e| e.versus == Versus::AllCustomers);
            assert_eq!(p.mainstream, !strong, "{}: {}", run.what, p.name);
            if p.mainstream {
                assert!(p.summary.contains("close to average"), "{}", p.summary);
                assert!(
                    p.traits
                        .iter()
                        .flat_map(|t| &t.evidence)
                        .all(|e| e.versus == Versus::OtherCustomers),
                    "{}",
                    p.name
                );
                assert!(
                    !p.traits.is_empty() || p.summary.contains("Nothing in the data"),
                    "{}: {}",
                    run.what,
                    p.summary
                );
            }
        }
    }
}

#[test]
fn a_level_repeated_across_columns_is_one_trait() {
    for run in runs() {
        for p in &run.personas.personas {
            let mut keys: Vec<(String, bool)> = Vec::new();
            for t in &p.traits {
                let Some(e) = t.evidence.first() else {
                    continue;
                };
                let Some(level) = e.level.as_deref().filter(|l| *l != "true") else {
                    continue;
                };
                let key = (level.to_lowercase(), e.segment_value >= e.population_value);
                assert!(
                    !keys.contains(&key),
                    "{}: {} repeats {key:?}",
                    run.what,
                    p.name
                );
                keys.push(key);
            }
        }
    }
}

#[test]
fn buyer_types_come_from_rates_and_loyalty_signals_only() {
    const CALENDAR: &[&str] = &["week", "weekday", "month", "year", "day", "date", "quarter"];
    const COUNTS: &[&str] = &["num", "number", "count", "cnt", "nr"];
    const RATES: &[&str] = &["share", "rate", "ratio", "percent", "frequency"];
    for run in runs() {
        for p in &run.personas.personas {
            let b = &p.buyer_type;
            assert!(!b.reason.is_empty(), "{}: {}", run.what, p.name);
            if p.size < MIN_SIZE {
                assert!(b.reason.contains("too few customers"), "{}", b.reason);
            } else if b.kind == BuyerType::Mixed && b.evidence.is_empty() {
                assert!(
                    b.reason.contains("no rate or loyalty signal"),
                    "{}",
                    b.reason
                );
            } else {
                assert!(!b.evidence.is_empty(), "{}: {}", run.what, p.name);
            }
            for e in &b.evidence {
                let words = personas::text::words(&e.attribute);
                let has = |l: &[&str]| words.iter().any(|w| l.contains(&w.as_str()));
                assert!(
                    !(has(CALENDAR) && words.len() == 1),
                    "{}: calendar field {} decided {}",
                    run.what,
                    e.attribute,
                    p.name
                );
                assert!(
                    e.level.is_some() || !has(COUNTS) || has(RATES),
                    "{}: raw count {} decided {}",
                    run.what,
                    e.attribute,
                    p.name
                );
            }
        }
    }
}

#[test]
fn most_personas_carry_goals_pain_points_and_objections_or_say_why() {
    for run in runs() {
        let reliable: Vec<_> = run
            .personas
            .personas
            .iter()
            .filter(|p| p.size >= MIN_SIZE)
            .collect();
        let full = reliable
            .iter()
            .filter(|p| {
                !p.goals.is_empty() && !p.pain_points.is_empty() && !p.objections.is_empty()
            })
            .count();
        for p in &reliable {
            if p.goals.is_empty() || p.pain_points.is_empty() || p.objections.is_empty() {
                assert!(
                    !p.notes.is_empty(),
                    "{}: {} is silent about why",
                    run.what,
                    p.name
                );
            }
        }
        if run.what.contains('/') {
            assert!(
                full * 10 >= reliable.len() * 6,
                "{}: only {full} of {} personas have a goal, a pain point and an objection",
                run.what,
                reliable.len()
            );
        }
    }
}

/// When most of a segment has one level of an attribute ("Fiber optic" at 100%), the other
/// levels being rarer follows, and is not stated as traits of its own.
#[test]
fn rarer_levels_implied_by_a_dominant_level_are_not_traits() {
    let mut checked = 0;
    for run in runs() {
        for p in &run.personas.personas {
            let evidence: Vec<_> = p.traits.iter().flat_map(|t| &t.evidence).collect();
            for dominant in evidence.iter().filter(|e| {
                e.level.is_some()
                    && e.segment_value >= 0.5
                    && e.effect > 1.0
                    && e.level.as_deref() != Some("true")
            }) {
                checked += 1;
                let implied = evidence.iter().find(|e| {
                    e.attribute == dominant.attribute
                        && e.level.is_some()
                        && e.effect < 1.0
                        && e.versus == dominant.versus
                });
                assert!(
                    implied.is_none(),
                    "{}: {} states {dominant:?} and also {implied:?}",
                    run.what,
                    p.name
                );
            }
        }
    }
    assert!(
        checked > 0,
        "no dominant level anywhere: the test checks nothing"
    );
}
