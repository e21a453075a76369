//! Drift between a saved persona model and newer customers, on data with planted changes: each
//! change reported as such, and no change reported on a fresh sample of the same customers.

mod common;

use ndarray::Array2;
use personas::drift::{
    compare, compare_models, DriftOptions, DriftReport, ShareChange, Status, Verdict,
};
use personas::model::{ModelOptions, PersonaModel};
use personas::rng::Rng;
use personas::{Attribute, CsvOptions, CustomerTable, KMeans, Schema};

/// A planted group of customers: its centre in (spend, visits), spread and share.
#[derive(Clone, Copy)]
struct Group {
    centre: [f64; 2],
    sd: f64,
    share: f64,
}

const fn group(x: f64, y: f64, sd: f64, share: f64) -> Group {
    Group {
        centre: [x, y],
        sd,
        share,
    }
}

/// Four groups far apart: A (40%), B (25%), C (20%), D (15%).
const BASE: [Group; 4] = [
    group(0.0, 0.0, 2.0, 0.40),
    group(12.0, 0.0, 2.0, 0.25),
    group(0.0, 12.0, 2.0, 0.20),
    group(12.0, 12.0, 2.0, 0.15),
];

fn schema() -> Schema {
    // A label with Markdown in it: the report must print it as text.
    Schema::new(vec![
        Attribute::numeric("spend").with_label("Spend | <b>per month</b>"),
        Attribute::numeric("visits"),
    ])
    .unwrap()
}

/// `n` customers from `groups` (exact counts by share, rows interleaved by the seed).
fn customers(groups: &[Group], n: usize, seed: u64) -> CustomerTable {
    let mut rng = Rng::new(seed);
    let mut rows: Vec<[f64; 2]> = Vec::with_capacity(n);
    for g in groups {
        let count = (g.share * n as f64).round() as usize;
        for _ in 0..count {
            rows.push([
                g.centre[0] + g.sd * rng.normal(),
                g.centre[1] + g.sd * rng.normal(),
            ]);
        }
    }
    // Shuffle so that no group sits in one block of rows.
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.below(i + 1));
    }
    let x = Array2::from_shape_fn((rows.len(), 2), |(i, j)| rows[i][j]);
    CustomerTable::from_array(&schema(), x.view()).unwrap()
}

fn model(groups: &[Group], k: usize) -> PersonaModel {
    let options = ModelOptions::new(KMeans::new(k).with_seed(3)).with_stability(None);
    PersonaModel::fit(&customers(groups, 2_000, 1), &options)
        .unwrap()
        .model
}

/// The model's segment whose training centre is nearest to `centre`.
fn segment_near(model: &PersonaModel, centre: [f64; 2]) -> usize {
    let profiles = &model.personas().segments;
    let mean = |p: &personas::SegmentProfile, a: &str| {
        p.attributes
            .iter()
            .find(|x| x.attribute == a)
            .and_then(|x| x.segment.mean())
            .unwrap()
    };
    profiles
        .iter()
        .min_by(|p, q| {
            let d = |p: &personas::SegmentProfile| {
                (mean(p, "spend") - centre[0]).powi(2) + (mean(p, "visits") - centre[1]).powi(2)
            };
            d(p).total_cmp(&d(q))
        })
        .unwrap()
        .segment
}

fn status_of(report: &DriftReport, segment: usize) -> Status {
    report.persona(segment).unwrap().status
}

#[test]
fn a_fresh_sample_of_the_same_customers_shows_no_drift() {
    let model = model(&BASE, 4);
    for seed in [2, 3] {
        let report = compare(&model, &customers(&BASE, 1_500, seed), &DriftOptions::new()).unwrap();
        assert!(!report.has_drift(), "{}", report.to_markdown());
        assert!(report
            .personas
            .iter()
            .all(|p| p.status == Status::Kept && p.share_change == ShareChange::Steady));
        assert!(report.appeared.is_empty());
        assert!(report
            .personas
            .iter()
            .flat_map(|p| &p.statements)
            .all(|s| s.verdict == Verdict::Holds));
        assert!(
            report.summary().starts_with("No drift"),
            "{}",
            report.summary()
        );
    }
}

#[test]
fn growth_a_move_a_split_and_a_vanished_persona_are_each_reported() {
    let model = model(&BASE, 4);
    let (a, b, c, d) = (
        segment_near(&model, [0.0, 0.0]),
        segment_near(&model, [12.0, 0.0]),
        segment_near(&model, [0.0, 12.0]),
        segment_near(&model, [12.0, 12.0]),
    );
    let newer = [
        group(0.0, 0.0, 2.0, 0.55),   // A grows from 40% to 55%
        group(12.0, -4.0, 2.0, 0.25), // B moves 4 visits down
        group(-4.0, 12.0, 1.2, 0.10), // C splits in two
        group(4.0, 12.0, 1.2, 0.10),
        // D (15%) vanishes
    ];
    let report = compare(&model, &customers(&newer, 2_000, 9), &DriftOptions::new()).unwrap();
    let markdown = report.to_markdown();
    println!("{markdown}");
    assert!(report.has_drift());

    let pa = report.persona(a).unwrap();
    assert_eq!(pa.status, Status::Kept, "{markdown}");
    assert_eq!(pa.share_change, ShareChange::Grew);
    assert!((pa.share_then - 0.40).abs() < 0.02 && (pa.share_now - 0.55).abs() < 0.02);

    let pb = report.persona(b).unwrap();
    assert_eq!(pb.status, Status::Moved, "{markdown}");
    let visits = pb.shifts.iter().find(|s| s.attribute == "visits").unwrap();
    // Measured in original units: about 4 visits down, on the re-fit and on the assigned.
    assert!(
        (visits.refit.unwrap() - visits.then + 4.0).abs() < 0.5,
        "{visits:?}"
    );
    assert!(visits.now.unwrap() < visits.then - 3.0, "{visits:?}");
    assert_eq!(pb.shifts[0].attribute, "visits");

    let pc = report.persona(c).unwrap();
    assert_eq!(pc.status, Status::Split, "{markdown}");
    assert_eq!(pc.split_into.len(), 2);

    let pd = report.persona(d).unwrap();
    assert_eq!(pd.status, Status::Vanished, "{markdown}");
    assert!(pd.share_now < 0.01);
    assert!(pd
        .statements
        .iter()
        .all(|s| s.verdict == Verdict::NotMeasured));
    assert!(report.appeared.is_empty(), "{markdown}");

    // The summary comes first and names every change.
    let summary = report.summary();
    for words in ["grew from 40% to 55%", "1 moved", "1 split", "1 vanished"] {
        assert!(summary.contains(words), "{summary}");
    }
    assert!(markdown.contains(&format!("**{}", summary.split(' ').next().unwrap())));
    // The label's Markdown is escaped, never rendered.
    assert!(!markdown.contains("<b>") && !markdown.contains("Spend |"));
}

#[test]
fn new_customers_unlike_any_fit_no_persona_and_appear_as_a_new_segment() {
    let model = model(&BASE, 4);
    let mut newer: Vec<Group> = BASE
        .iter()
        .map(|g| Group {
            share: g.share * 0.9,
            ..*g
        })
        .collect();
    newer.push(group(30.0, -15.0, 1.5, 0.10));
    // Let the re-fit find a fifth segment.
    let options = DriftOptions::new().with_refit(KMeans::new(5).with_seed(3));
    let report = compare(&model, &customers(&newer, 2_000, 5), &options).unwrap();
    let markdown = report.to_markdown();
    println!("{markdown}");
    assert!(report.has_drift());
    assert!(
        (report.no_persona.now_share - 0.10).abs() < 0.01,
        "{markdown}"
    );
    assert_eq!(report.no_persona.then, 0);
    assert_eq!(report.appeared.len(), 1, "{markdown}");
    let new = &report.appeared[0];
    assert!((new.share - 0.10).abs() < 0.01);
    assert!(new.from_no_persona.unwrap() > 0.95);
    assert!(new.distinguishing.iter().any(|d| d.attribute == "spend"));
    for p in &report.personas {
        assert_eq!(p.status, Status::Kept, "{markdown}");
        assert_eq!(p.share_change, ShareChange::Steady, "{markdown}");
    }
    // The outsiders are reported on their own; they do not bend the personas' statements.
    assert!(report
        .personas
        .iter()
        .flat_map(|p| &p.statements)
        .all(|s| s.verdict == Verdict::Holds));
    assert!(report.summary().contains("1 new segment appeared"));
    assert!(report.summary().contains("10% of customers fit no persona"));
}

#[test]
fn statements_that_no_longer_hold_are_named() {
    let model = model(&BASE, 4);
    let d = segment_near(&model, [12.0, 12.0]);
    // The population moves up in visits past D (A and B move far, out of every persona's
    // reach), while D stays where it was: its "more visits than most" is no longer true.
    let shifted = [
        group(0.0, 14.0, 2.0, 0.40),
        group(12.0, 14.0, 2.0, 0.25),
        group(0.0, 12.0, 2.0, 0.20),
        group(12.0, 12.0, 2.0, 0.15),
    ];
    let report = compare(&model, &customers(&shifted, 2_000, 4), &DriftOptions::new()).unwrap();
    let pd = report.persona(d).unwrap();
    let then = model
        .persona_of(personas::segment::SegmentId::new(d))
        .unwrap();
    let visit_statements: Vec<_> = pd
        .statements
        .iter()
        .filter(|s| s.attribute == "visits" && s.list != "demographics")
        .collect();
    assert!(!visit_statements.is_empty(), "{then:?}");
    for s in visit_statements {
        assert_eq!(s.verdict, Verdict::NoLonger, "{s:?}");
    }
    assert!(report
        .to_markdown()
        .contains("Statements that no longer hold"));
}

#[test]
fn two_models_compare_without_customers() {
    let old = model(&BASE, 4);
    let same = compare_models(&old, &old).unwrap();
    assert!(!same.has_drift(), "{}", same.to_markdown());

    // A newer model fitted where D is gone: D vanished, the others kept.
    let newer = [
        group(0.0, 0.0, 2.0, 0.45),
        group(12.0, 0.0, 2.0, 0.30),
        group(0.0, 12.0, 2.0, 0.25),
    ];
    let options = ModelOptions::new(KMeans::new(3).with_seed(3)).with_stability(None);
    let new = PersonaModel::fit(&customers(&newer, 2_000, 7), &options)
        .unwrap()
        .model;
    let report = compare_models(&old, &new).unwrap();
    let markdown = report.to_markdown();
    println!("{markdown}");
    let d = segment_near(&old, [12.0, 12.0]);
    assert_eq!(status_of(&report, d), Status::Vanished, "{markdown}");
    for p in report.personas.iter().filter(|p| p.segment != d) {
        assert_eq!(p.status, Status::Kept, "{markdown}");
    }
    assert!(report.appeared.is_empty());
    assert!(report.refit.is_none());
}

#[test]
fn the_bundled_customers_compared_with_their_own_model_show_no_drift() {
    let schema = Schema::from_json_file(common::SCHEMA).unwrap();
    let customers =
        CustomerTable::from_csv_path(common::DATA, &schema, &CsvOptions::new()).unwrap();
    let options = ModelOptions::new(KMeans::new(5).with_seed(42)).with_stability(None);
    let model = PersonaModel::fit(&customers, &options).unwrap().model;
    let report = personas::drift::compare_csv(
        &model,
        common::DATA,
        &CsvOptions::new(),
        &DriftOptions::new(),
    )
    .unwrap();
    assert!(!report.has_drift(), "{}", report.to_markdown());
    for p in &report.personas {
        assert_eq!(p.share_then, p.share_now);
        assert_eq!(p.largest_move, Some(0.0));
    }
    let json: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["report"], "persona_drift");
    assert_eq!(json["drift"], false);
    assert_eq!(json["personas"].as_array().unwrap().len(), 5);
}

#[test]
fn an_empty_snapshot_is_an_error_and_a_tiny_one_still_reports() {
    let model = model(&BASE, 4);
    let empty = CustomerTable::from_array(&schema(), Array2::<f64>::zeros((0, 2)).view());
    if let Ok(empty) = empty {
        assert!(compare(&model, &empty, &DriftOptions::new()).is_err());
    }
    // Three customers cannot be re-fitted with k = 4: the report says so and still stands.
    let tiny = customers(&BASE, 3, 1);
    let report = compare(&model, &tiny, &DriftOptions::new()).unwrap();
    assert!(report.refit.as_ref().unwrap().problem.is_some());
    assert!(report.to_markdown().contains("could not be re-fitted"));
}

#[test]
fn two_personas_that_move_together_are_reported_merged() {
    let model = model(&BASE, 4);
    let (b, d) = (
        segment_near(&model, [12.0, 0.0]),
        segment_near(&model, [12.0, 12.0]),
    );
    // B and D meet half-way; C splits, so that four segments are still there to find.
    let newer = [
        BASE[0],
        group(12.0, 6.0, 1.5, 0.40),
        group(-4.0, 12.0, 1.2, 0.10),
        group(4.0, 12.0, 1.2, 0.10),
    ];
    let report = compare(&model, &customers(&newer, 2_000, 13), &DriftOptions::new()).unwrap();
    let markdown = report.to_markdown();
    let (pb, pd) = (report.persona(b).unwrap(), report.persona(d).unwrap());
    assert_eq!(pb.status, Status::Merged, "{markdown}");
    assert_eq!(pd.status, Status::Merged, "{markdown}");
    assert_eq!(pb.merged_with, vec![d]);
    assert_eq!(pb.merged_into, pd.merged_into);
    assert!(
        report.summary().contains("2 merged"),
        "{}",
        report.summary()
    );
}

#[test]
fn a_dbscan_model_compares_by_its_core_points() {
    let dbscan = personas::Dbscan::new(0.2, 15);
    let options = ModelOptions::new(dbscan).with_stability(None);
    let model = PersonaModel::fit(&customers(&BASE, 2_000, 1), &options)
        .unwrap()
        .model;
    assert_eq!(model.personas().personas.len(), 4);
    let same = compare(&model, &customers(&BASE, 2_000, 2), &DriftOptions::new()).unwrap();
    assert!(
        same.personas.iter().all(|p| p.status == Status::Kept),
        "{}",
        same.to_markdown()
    );
    // D gone: vanished.
    let d = segment_near(&model, [12.0, 12.0]);
    let report = compare(
        &model,
        &customers(&BASE[..3], 2_000, 2),
        &DriftOptions::new(),
    )
    .unwrap();
    assert_eq!(
        status_of(&report, d),
        Status::Vanished,
        "{}",
        report.to_markdown()
    );
}

#[test]
fn a_group_the_refit_cuts_in_two_without_a_gap_is_no_split() {
    // D vanishes, so k-means with k = 4 must put its fourth centre somewhere: it cuts one of
    // the remaining groups in half. No gap lies between the halves, so nothing split.
    let model = model(&BASE, 4);
    let d = segment_near(&model, [12.0, 12.0]);
    let newer = [BASE[0], group(12.0, -4.0, 2.0, 0.25), BASE[2]];
    let report = compare(&model, &customers(&newer, 1_000, 9), &DriftOptions::new()).unwrap();
    let markdown = report.to_markdown();
    assert_eq!(status_of(&report, d), Status::Vanished, "{markdown}");
    for p in report.personas.iter().filter(|p| p.segment != d) {
        assert!(
            matches!(p.status, Status::Kept | Status::Moved),
            "{markdown}"
        );
    }
    assert!(report.appeared.is_empty(), "{markdown}");
    let json: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(json["personas"][d]["status"], "vanished");
}

#[test]
fn fresh_samples_of_the_bundled_kind_of_customers_show_no_drift() {
    use personas::SampleCustomers;
    // Overlapping segments of mixed attributes (numbers, categories, tags, missing values): the
    // realistic case for false alarms.
    let table = |seed: u64| {
        let mut csv = Vec::new();
        SampleCustomers::new(seed)
            .with_customers(3_000)
            .write_csv(&mut csv)
            .unwrap();
        CustomerTable::from_csv_reader(
            csv.as_slice(),
            &SampleCustomers::schema(),
            &CsvOptions::new(),
        )
        .unwrap()
    };
    let options = ModelOptions::new(KMeans::new(5).with_seed(42)).with_stability(None);
    let model = PersonaModel::fit(&table(1), &options).unwrap().model;
    for seed in [2, 3] {
        let report = compare(&model, &table(seed), &DriftOptions::new()).unwrap();
        assert!(!report.has_drift(), "{}", report.to_markdown());
    }
}

/// The bundled customers with `region` rewritten row by row by `recode` (given the 0-based row
/// and the value), written to a scratch file.
fn bundled_with_region(name: &str, recode: impl Fn(usize, &str) -> String) -> std::path::PathBuf {
    let text = std::fs::read_to_string(common::DATA).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let column = header.split(',').position(|c| c == "region").unwrap();
    let mut out = format!("{header}\n");
    for (i, line) in lines.enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells[column] = recode(i, &cells[column]);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let path = std::env::temp_dir().join(format!("personas-drift-{}-{name}", std::process::id()));
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn a_recoded_category_is_named_and_its_statements_are_not_judged() {
    let schema = Schema::from_json_file(common::SCHEMA).unwrap();
    let customers =
        CustomerTable::from_csv_path(common::DATA, &schema, &CsvOptions::new()).unwrap();
    let options = ModelOptions::new(KMeans::new(5).with_seed(42)).with_stability(None);
    let model = PersonaModel::fit(&customers, &options).unwrap().model;
    // Every region written with a trailing dot and in capitals: read as the model's spelling,
    // with a note, and no drift.
    let dotted = bundled_with_region("dotted.csv", |_, v| format!("{}.", v.to_uppercase()));
    let report =
        personas::drift::compare_csv(&model, &dotted, &CsvOptions::new(), &DriftOptions::new())
            .unwrap();
    assert!(report.recoded.is_empty());
    assert!(!report.has_drift(), "{}", report.to_markdown());
    assert!(
        report.notes[0].starts_with("`region`: read") && report.notes[0].contains("spelling"),
        "{:?}",
        report.notes
    );
    // Every region renamed: the coding changed, the customers did not.
    let renamed = bundled_with_region("renamed.csv", |_, v| format!("R-{v}"));
    let report =
        personas::drift::compare_csv(&model, &renamed, &CsvOptions::new(), &DriftOptions::new())
            .unwrap();
    assert_eq!(report.recoded, ["region"]);
    let on_region = report
        .personas
        .iter()
        .flat_map(|p| &p.statements)
        .filter(|s| s.attribute == "region")
        .count();
    assert!(on_region > 0, "the test needs a statement about region");
    assert!(report
        .notes
        .iter()
        .any(|n| n.contains("`region`") && n.contains("coding")));
    for p in &report.personas {
        for s in p.statements.iter().filter(|s| s.attribute == "region") {
            assert_eq!(s.verdict, Verdict::Recoded, "{}", s.text);
        }
        assert!(p.broken_statements().all(|s| s.attribute != "region"));
    }
    assert!(report.has_drift());
    assert!(report.summary().starts_with("The coding of region changed"));
    let markdown = report.to_markdown();
    assert!(markdown.contains("Before reading on"), "{markdown}");
    // One customer in ten in a new region is new customers, not a new coding: noted, not
    // recoded.
    let some = bundled_with_region("some.csv", |i, v| {
        if i % 10 == 0 {
            "central".to_string()
        } else {
            v.to_string()
        }
    });
    let report =
        personas::drift::compare_csv(&model, &some, &CsvOptions::new(), &DriftOptions::new())
            .unwrap();
    assert!(report.recoded.is_empty());
    assert!(
        report.notes.iter().any(|n| n.contains("`central`")),
        "{:?}",
        report.notes
    );
    for file in [dotted, renamed, some] {
        std::fs::remove_file(file).ok();
    }
}
