//! Personas from the bundled sample and real data: planted signals become the right statements,
//! every evidence number is recomputed independently from the CSV, and runs are byte-identical.

mod common;
use common::{segment_csv, shared, DATA, PLANTED, SCHEMA};

use std::collections::HashMap;
use std::path::Path;

use personas::persona::{statements, Catalogue, Direction, Drafter, Rule};
use personas::{CsvOptions, Inference, Personas, Profiles, Schema, PLANTED_SEGMENTS};

/// Runs the pipeline and returns the personas JSON and the labels CSV, as a user would get them.
fn run(path: &Path, schema: &Schema, k: usize, seed: u64) -> (Personas, String, String) {
    let (table, _, segmentation) = segment_csv(path, schema, k, seed);
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    let personas = Drafter::new().draft(&profiles).unwrap();
    let json = personas.to_json().unwrap();
    let mut labels = Vec::new();
    segmentation
        .write_labels_csv(table.ids(), &mut labels)
        .unwrap();
    (personas, json, String::from_utf8(labels).unwrap())
}

fn bundled() -> (Personas, String, String) {
    run(
        Path::new(DATA),
        &Schema::from_json_file(SCHEMA).unwrap(),
        5,
        42,
    )
}

#[test]
fn each_planted_segment_yields_a_persona_with_its_planted_statements() {
    let (personas, _, labels) = bundled();
    let planted: HashMap<String, usize> = csv::Reader::from_path(PLANTED)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].parse().unwrap())
        })
        .collect();
    // Match each found segment to the planted segment most of its customers come from.
    let mut votes: HashMap<usize, HashMap<usize, usize>> = HashMap::new();
    for line in labels.lines().skip(1) {
        let (id, segment) = line.split_once(',').unwrap();
        *votes
            .entry(segment.parse().unwrap())
            .or_default()
            .entry(planted[id])
            .or_default() += 1;
    }
    let mut matched = Vec::new();
    for persona in &personas.personas {
        let (&truth, _) = votes[&persona.segment]
            .iter()
            .max_by_key(|(_, n)| **n)
            .unwrap();
        matched.push(truth);
        let segment = &PLANTED_SEGMENTS[truth];
        let all = statements(persona);
        for signal in segment.signals {
            let level = signal.level.map(str::to_string).or_else(|| {
                // Booleans are compared by the share of `true`.
                (signal.attribute == "has_children" || signal.attribute == "loyalty_member")
                    .then(|| "true".to_string())
            });
            // Demographics describe every segment whatever its differences, so they back a
            // signal only when they show the planted level with a real lift (1.25, the
            // drafter's default); otherwise a goal, pain point, objection, motivation,
            // behaviour, channel or trait must.
            let backs = |list: &str| {
                all.iter().any(|(name, s)| {
                    let typical = matches!(*name, "demographics" | "firmographics");
                    (list == "any" || *name == list)
                        && s.evidence.iter().any(|e| {
                            e.attribute == signal.attribute
                                && e.level == level
                                && (!typical || (e.level.is_some() && e.effect >= 1.25))
                                && match signal.direction {
                                    Direction::High => e.segment_value > e.population_value,
                                    Direction::Low => e.segment_value < e.population_value,
                                }
                        })
                })
            };
            assert!(
                backs("any"),
                "{} ({}): no statement backs planted signal {:?}",
                persona.name,
                segment.name,
                signal
            );
            // Signals planted as a doubt must surface as an objection.
            if signal.meaning.contains("doubts") {
                assert!(
                    backs("objections"),
                    "{} ({}): no objection for {:?}",
                    persona.name,
                    segment.name,
                    signal
                );
            }
        }
        // Goals, pain points or objections: every persona of a planted segment has some.
        assert!(
            !persona.goals.is_empty()
                || !persona.pain_points.is_empty()
                || !persona.objections.is_empty(),
            "{}",
            persona.name
        );
    }
    matched.sort_unstable();
    assert_eq!(matched, [0, 1, 2, 3, 4], "one persona per planted segment");
    let deal = &personas.personas[0];
    assert_eq!(deal.buyer_type.text, "deal-based", "{}", deal.name);
}

/// Reads a CSV without this crate's table code, for an independent check.
struct RawCsv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl RawCsv {
    fn read(path: &Path) -> Self {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .unwrap();
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        RawCsv { header, rows }
    }

    fn column(&self, name: &str) -> Vec<Option<&str>> {
        let c = self.header.iter().position(|h| h == name).unwrap();
        self.rows
            .iter()
            .map(|r| {
                let v = r[c].as_str();
                let missing = ["", "na", "n/a", "null", "none", "nan", "?"]
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(v));
                (!missing).then_some(v)
            })
            .collect()
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Recomputes every `segment_value` and `population_value` in the personas JSON from the CSV and
/// the labels CSV, and returns how many numbers it checked.
fn check_evidence(csv_path: &Path, schema: &Schema, json: &str, labels: &str) -> usize {
    let raw = RawCsv::read(csv_path);
    let segment_of: Vec<Option<usize>> = labels
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1.parse().ok())
        .collect();
    assert_eq!(segment_of.len(), raw.rows.len());
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let mut checked = 0;
    for persona in doc["personas"].as_array().unwrap() {
        let segment = persona["segment"].as_u64().unwrap() as usize;
        let mut all_evidence = Vec::new();
        for list in [
            "outcomes",
            "demographics",
            "firmographics",
            "traits",
            "goals",
            "pain_points",
            "objections",
            "motivations",
            "buying_behaviour",
            "channels",
        ] {
            for statement in persona[list].as_array().unwrap() {
                assert!(!statement["text"].as_str().unwrap().is_empty());
                all_evidence.extend(statement["evidence"].as_array().unwrap().iter().cloned());
            }
        }
        all_evidence.extend(
            persona["buyer_type"]["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        for e in all_evidence {
            let attribute = e["attribute"].as_str().unwrap();
            let values = raw.column(attribute);
            let kind = schema.get(attribute).unwrap().kind.clone();
            let compute = |in_group: &dyn Fn(usize) -> bool| -> f64 {
                let known: Vec<(usize, &str)> = values
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| in_group(*i))
                    .filter_map(|(i, v)| v.map(|v| (i, v)))
                    .collect();
                match e["statistic"].as_str().unwrap() {
                    "mean" | "median" => {
                        let numbers: Vec<f64> =
                            known.iter().map(|(_, v)| v.parse().unwrap()).collect();
                        if e["statistic"] == "mean" {
                            mean(&numbers)
                        } else {
                            median(&numbers)
                        }
                    }
                    "share" => {
                        let level = e["level"].as_str().unwrap();
                        let hits = known
                            .iter()
                            .filter(|(_, v)| match &kind {
                                personas::AttributeKind::Boolean => {
                                    let truthy = ["true", "yes", "y", "t", "1"]
                                        .iter()
                                        .any(|t| t.eq_ignore_ascii_case(v));
                                    truthy == (level == "true")
                                }
                                personas::AttributeKind::Tags { separator, .. } => {
                                    v.split(separator.as_str()).any(|t| t.trim() == level)
                                }
                                _ => *v == level,
                            })
                            .count();
                        hits as f64 / known.len() as f64
                    }
                    other => panic!("unknown statistic {other}"),
                }
            };
            let seg = compute(&|i| segment_of[i] == Some(segment));
            // Mainstream personas compare with every customer not in the segment.
            let pop = match e["versus"].as_str().unwrap() {
                "all_customers" => compute(&|_| true),
                "other_customers" => compute(&|i| segment_of[i] != Some(segment)),
                other => panic!("unknown comparison {other}"),
            };
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12);
            let (sv, pv) = (
                e["segment_value"].as_f64().unwrap(),
                e["population_value"].as_f64().unwrap(),
            );
            assert!(
                close(seg, sv),
                "{attribute}: segment {seg} vs JSON {sv} ({e})"
            );
            assert!(
                close(pop, pv),
                "{attribute}: population {pop} vs JSON {pv} ({e})"
            );
            checked += 2;
        }
    }
    checked
}

#[test]
fn every_evidence_number_in_the_bundled_json_is_exact() {
    let (_, json, labels) = bundled();
    let schema = Schema::from_json_file(SCHEMA).unwrap();
    let checked = check_evidence(Path::new(DATA), &schema, &json, &labels);
    assert!(checked > 200, "only {checked} numbers checked");
}

#[test]
fn every_evidence_number_is_exact_on_real_data() {
    for (relative, k) in [
        ("telco-churn/Customer_Churn.csv", 4),
        ("credit-scoring/credit_data.csv", 4),
        ("mall-customers/Mall_Customers.csv", 5),
    ] {
        let Some(path) = shared(relative) else {
            continue;
        };
        let schema = Inference::from_csv_path(&path, &CsvOptions::new())
            .unwrap()
            .into_schema();
        let (personas, json, labels) = run(&path, &schema, k, 11);
        let checked = check_evidence(&path, &schema, &json, &labels);
        assert!(checked > 20, "{relative}: only {checked} numbers checked");
        let mut names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), k, "{relative}: persona names must be unique");
    }
}

#[test]
fn the_same_run_twice_gives_byte_identical_json_whatever_the_threads() {
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(bundled)
            .1
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert_eq!(one, bundled().1);
}

#[test]
fn user_rules_change_the_wording() {
    let schema = Schema::from_json_file(SCHEMA).unwrap();
    let (table, _, segmentation) = segment_csv(Path::new(DATA), &schema, 5, 42);
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    let catalogue = Catalogue::builtin()
        .with_rule(
            Rule::new("discount_high", "discount", Direction::High)
                .with_descriptor("Coupon-Clipping")
                .with_objection("Will wait for the next sale"),
        )
        .unwrap();
    let personas = Drafter::new()
        .with_catalogue(catalogue)
        .draft(&profiles)
        .unwrap();
    let deal = &personas.personas[0];
    assert!(deal.name.starts_with("Coupon-Clipping "), "{}", deal.name);
    assert!(deal
        .objections
        .iter()
        .any(|o| o.text == "Will wait for the next sale"));
    assert!(!deal
        .objections
        .iter()
        .any(|o| o.text == "Doubts the product is worth it at full price"));
}
