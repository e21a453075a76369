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

/// Personas for a table given as CSV text, with segments planted by `label` (one per row).
fn planted(csv: &str, schema: Vec<personas::Attribute>, labels: &[usize]) -> Personas {
    let schema = Schema::new(schema).unwrap();
    let table =
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap();
    let segmentation =
        personas::Segmentation::new(labels.iter().map(|&l| Some(l)).collect(), None, None).unwrap();
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    Drafter::new().draft(&profiles).unwrap()
}

/// Every statement of a persona with the attributes of its evidence.
fn statements_of(p: &personas::Persona) -> Vec<(&str, Vec<&str>)> {
    [
        &p.goals,
        &p.pain_points,
        &p.objections,
        &p.motivations,
        &p.buying_behaviour,
        &p.channels,
    ]
    .into_iter()
    .flatten()
    .map(|s| {
        (
            s.text.as_str(),
            s.evidence.iter().map(|e| e.attribute.as_str()).collect(),
        )
    })
    .collect()
}

#[test]
fn a_code_level_never_names_a_persona() {
    use personas::Attribute;
    // Segment 0 has channel 1 and red; segment 1 channel 2 and blue.
    let mut csv = String::from("Channel,Colour,Visits\n");
    let mut labels = Vec::new();
    for i in 0..200 {
        let seg = i % 2;
        let channel = if (seg == 0) == (i % 10 != 1) { 1 } else { 2 };
        let colour = if (seg == 0) == (i % 10 != 3) {
            "Red"
        } else {
            "Blue"
        };
        csv.push_str(&format!("{channel},{colour},{}\n", i % 7));
        labels.push(seg);
    }
    let with_words = planted(
        &csv,
        vec![
            Attribute::categorical("Channel", ["1", "2"]),
            Attribute::categorical("Colour", ["Red", "Blue"]),
            Attribute::numeric("Visits"),
        ],
        &labels,
    );
    let only_codes = planted(
        &csv.lines()
            .map(|l| l.split(',').next().unwrap_or_default().to_string() + "\n")
            .collect::<String>(),
        vec![Attribute::categorical("Channel", ["1", "2"])],
        &labels,
    );
    for p in with_words.personas.iter().chain(&only_codes.personas) {
        let first = p.name.split(' ').next().unwrap_or_default();
        assert!(
            first.chars().any(char::is_alphabetic),
            "a bare code names a persona: {}",
            p.name
        );
    }
    // With a signal in words, the words name the persona.
    assert!(with_words
        .personas
        .iter()
        .all(|p| p.name.starts_with("Red ") || p.name.starts_with("Blue ")));
}

/// The gender of each bundled first name.
fn name_genders() -> Vec<(String, Option<String>)> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../src/persona/names.json")).unwrap();
    json["first_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_string(),
                n["gender"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn first_names_agree_with_a_dominant_gender() {
    use personas::Attribute;
    let genders = name_genders();
    for (column, female, male) in [
        ("Gender", "Female", "Male"),
        ("sex", "f", "m"),
        ("Genre", "FEMALE", "MALE"),
    ] {
        // Segments: 95% female big spenders, 95% male small spenders, a 50/50 middle, and
        // 80% male big spenders.
        let mut csv = format!("{column},Spend,Visits\n");
        let mut labels = Vec::new();
        for i in 0..400 {
            let seg = i % 4;
            let is_female = match seg {
                0 => i % 20 != 0,
                1 => i % 20 == 1,
                2 => i % 8 < 4,
                _ => i % 5 == 3,
            };
            let spend = [900, 50, 300, 800][seg] + (i % 13) * 5;
            let g = if is_female { female } else { male };
            csv.push_str(&format!("{g},{spend},{}\n", (i % 11) + seg));
            labels.push(seg);
        }
        let personas = planted(
            &csv,
            vec![
                Attribute::categorical(column, [female, male])
                    .with_facet(personas::Facet::Demographic),
                Attribute::numeric("Spend"),
                Attribute::numeric("Visits"),
            ],
            &labels,
        );
        for (p, segment) in personas.personas.iter().zip(&personas.segments) {
            let first = p.name.split(' ').nth(1).unwrap_or_default();
            let gender = genders
                .iter()
                .find(|(n, _)| n == first)
                .and_then(|(_, g)| g.clone());
            let Some(Summary::Levels { shares, .. }) =
                segment.attributes.first().map(|a| &a.segment)
            else {
                panic!("no gender levels");
            };
            let female_share = shares
                .iter()
                .find(|s| s.level == female)
                .map_or(0.0, |s| s.share);
            if female_share >= 0.7 {
                assert_ne!(gender.as_deref(), Some("male"), "{column}: {}", p.name);
            }
            if female_share <= 0.3 {
                assert_ne!(gender.as_deref(), Some("female"), "{column}: {}", p.name);
            }
        }
        let names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }
}

#[test]
fn bank_balances_and_premiums_are_not_debt_or_loans() {
    use personas::Attribute;
    // Segment 0: large balances, active, older; 1: small balances, large premiums, dormant;
    // 2: small premiums, long terms.
    let mut csv = String::from("Age,Balance,IsActiveMember,Premium Amount,Time,Exited\n");
    let mut labels = Vec::new();
    for i in 0..300 {
        let seg = i % 3;
        let j = (i % 17) as f64;
        let (age, balance, active, premium, time) = match seg {
            0 => (
                60.0 + j,
                120_000.0 + j * 1000.0,
                i % 10 != 0,
                300.0 + j,
                24.0,
            ),
            1 => (
                30.0 + j,
                500.0 + j * 10.0,
                i % 10 == 0,
                1500.0 + j * 10.0,
                36.0,
            ),
            _ => (40.0 + j, 20_000.0 + j * 100.0, i % 2 == 0, 50.0 + j, 60.0),
        };
        let exited = (i % 7 == 0) as u8;
        csv.push_str(&format!(
            "{age},{balance},{active},{premium},{time},{exited}\n"
        ));
        labels.push(seg);
    }
    let personas = planted(
        &csv,
        vec![
            Attribute::numeric("Age"),
            Attribute::numeric("Balance"),
            Attribute::boolean("IsActiveMember"),
            Attribute::numeric("Premium Amount"),
            Attribute::numeric("Time"),
            Attribute::boolean("Exited"),
        ],
        &labels,
    );
    let mut balance_seen = false;
    for p in &personas.personas {
        let summary = p.summary.to_lowercase();
        for word in ["debt", "borrow", "loan", "loyalty programme"] {
            assert!(!summary.contains(word), "{}: {}", p.name, p.summary);
        }
        for (text, attributes) in statements_of(p) {
            let lower = text.to_lowercase();
            if attributes.contains(&"Balance") {
                balance_seen = true;
                assert!(!lower.contains("debt"), "{}: {text}", p.name);
            }
            if attributes.contains(&"Premium Amount") {
                assert!(
                    !lower.contains("loan") && !lower.contains("borrow"),
                    "{}: {text}",
                    p.name
                );
            }
            for cliche in [
                "younger customers",
                "new brands",
                "what is new",
                "loyalty programme",
            ] {
                assert!(!lower.contains(cliche), "{}: {text}", p.name);
            }
        }
    }
    assert!(
        balance_seen,
        "no statement on balances: the test checks nothing"
    );
}

#[test]
fn retail_labels_read_as_words_and_gold_is_not_fashion() {
    use personas::text::human_label;
    assert_eq!(human_label("Kidhome"), "Children at home");
    assert_eq!(human_label("Teenhome"), "Teenagers at home");
    assert_eq!(
        human_label("NumWebVisitsMonth"),
        "Number of web visits per month"
    );
    use personas::Attribute;
    let mut csv = String::from("MntGoldProds,MntWines,Kidhome\n");
    let mut labels = Vec::new();
    for i in 0..200 {
        let seg = i % 2;
        let gold = if seg == 0 { 150 + i % 9 } else { 5 + i % 7 };
        csv.push_str(&format!(
            "{gold},{},{}\n",
            100 + i % 13,
            (i % 3 == 0) as u8 + seg as u8
        ));
        labels.push(seg);
    }
    let personas = planted(
        &csv,
        vec![
            Attribute::numeric("MntGoldProds"),
            Attribute::numeric("MntWines"),
            Attribute::numeric("Kidhome"),
        ],
        &labels,
    );
    let markdown = personas.to_markdown();
    assert!(!markdown.to_lowercase().contains("kidhome"), "{markdown}");
    for p in &personas.personas {
        for (text, attributes) in statements_of(p) {
            if attributes.contains(&"MntGoldProds") {
                assert!(
                    !text.to_lowercase().contains("fashion"),
                    "{}: {text}",
                    p.name
                );
            }
        }
    }
}

#[test]
fn a_categorical_outcome_is_shown_once() {
    use personas::Attribute;
    let mut csv = String::from("Income,Age,Hours\n");
    let mut labels = Vec::new();
    for i in 0..400 {
        let seg = i % 2;
        let rich = if seg == 0 { i % 10 < 8 } else { i % 10 == 0 };
        let income = if rich { ">50K" } else { "<=50K" };
        csv.push_str(&format!(
            "{income},{},{}\n",
            30 + seg * 15 + i % 9,
            40 - seg * 5 + i % 4
        ));
        labels.push(seg);
    }
    let personas = planted(
        &csv,
        vec![
            Attribute::categorical("Income", ["<=50K", ">50K"])
                .with_role(Role::Outcome)
                .with_facet(personas::Facet::Demographic),
            Attribute::numeric("Age"),
            Attribute::numeric("Hours"),
        ],
        &labels,
    );
    let markdown = personas.to_markdown();
    let mut stated = 0;
    for p in &personas.personas {
        let start = markdown.find(&format!("## {}\n", p.name)).unwrap();
        let end = markdown[start + 3..]
            .find("\n## ")
            .map_or(markdown.len(), |e| start + 3 + e);
        let card = &markdown[start..end];
        let rows = card.lines().filter(|l| l.starts_with("| Income")).count();
        assert!(rows <= 1, "{card}");
        if !p.outcomes.is_empty() {
            stated += 1;
            assert_eq!(rows, 1, "{card}");
        }
    }
    assert!(stated > 0, "no outcome stated: the test checks nothing");
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
