//! The persona model over time: fit, save, load, assign; damaged files; stability per persona.

mod common;

use ndarray::Array2;
use personas::model::{ModelOptions, PersonaModel, FORMAT_VERSION};
use personas::persona::StabilityVerdict;
use personas::sample::Blobs;
use personas::segment::stability::Stability;
use personas::{
    Attribute, AutoK, CsvOptions, CustomerTable, Dbscan, Error, KMeans, Schema, SegmentModel,
};

fn bundled() -> CustomerTable {
    let schema = Schema::from_json_file(common::SCHEMA).unwrap();
    CustomerTable::from_csv_path(common::DATA, &schema, &CsvOptions::new()).unwrap()
}

fn numeric_table(x: &Array2<f64>) -> CustomerTable {
    let schema = Schema::new(
        (0..x.ncols())
            .map(|j| Attribute::numeric(format!("x{j}")))
            .collect(),
    )
    .unwrap();
    CustomerTable::from_array(&schema, x.view()).unwrap()
}

#[test]
fn a_saved_model_assigns_its_training_customers_their_training_segments() {
    let customers = bundled();
    for segmenter in [
        personas::Segmenter::from(KMeans::new(5).with_seed(42)),
        AutoK::new(3..=6).with_seed(7).with_n_init(3).into(),
    ] {
        let draft = PersonaModel::fit(&customers, &ModelOptions::new(segmenter.clone())).unwrap();
        let dir = std::env::temp_dir().join(format!("personas-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.json");
        draft.model.save(&path).unwrap();
        let loaded = PersonaModel::load(&path).unwrap();
        assert_eq!(loaded, draft.model, "{segmenter:?}");
        let assigned = loaded.assign(&customers).unwrap();
        let labels: Vec<_> = assigned.assignments.iter().map(|a| a.segment).collect();
        assert_eq!(labels, draft.segmentation.labels(), "{segmenter:?}");
        assert_eq!(&assigned.ids, customers.ids());
        assert_eq!(assigned.unassigned(), 0);
        // The same input and seed give the same bytes.
        let again = PersonaModel::fit(&customers, &ModelOptions::new(segmenter)).unwrap();
        assert_eq!(
            again.model.to_json().unwrap(),
            draft.model.to_json().unwrap()
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn a_dbscan_model_round_trips_with_its_core_points_and_noise() {
    let blobs = Blobs::new(600, 2, 3)
        .with_seed(4)
        .with_separation(12.0)
        .with_noise(0.03)
        .generate();
    let customers = numeric_table(&blobs.features);
    let options = ModelOptions::new(Dbscan::new(0.35, 8));
    let draft = PersonaModel::fit(&customers, &options).unwrap();
    assert!(draft.segmentation.n_segments() >= 2);
    assert!(
        draft.segmentation.unassigned() > 0,
        "the noise is in no segment"
    );
    let json = draft.model.to_json().unwrap();
    assert!(json.contains("core_points") && !json.contains("\"labels\""));
    // A segment count read from the file is checked before anything is allocated for it.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["model"]["n_segments"] = serde_json::json!(6_664_039_464_525_221_163u64);
    let e = PersonaModel::from_json(&value.to_string()).unwrap_err();
    assert!(e.to_string().contains("core point"), "{e}");
    let loaded = PersonaModel::from_json(&json).unwrap();
    let assigned = loaded.assign(&customers).unwrap();
    let labels: Vec<_> = assigned.assignments.iter().map(|a| a.segment).collect();
    assert_eq!(labels, draft.segmentation.labels());
    // Each assigned customer names the core point that admitted it, within eps of it.
    let SegmentModel::Dbscan(m) = loaded.segment_model() else {
        panic!("a DBSCAN model")
    };
    for a in assigned.assignments.iter().filter(|a| a.segment.is_some()) {
        assert!(m.core_rows().contains(&a.core.unwrap()));
        assert!(a.distance.unwrap() <= m.eps());
    }
}

#[test]
fn new_customers_unlike_any_fit_no_persona_and_unknown_levels_do_not_stop_assignment() {
    let customers = bundled();
    let draft =
        PersonaModel::fit(&customers, &ModelOptions::new(KMeans::new(5).with_seed(1))).unwrap();
    let text = std::fs::read_to_string(common::DATA).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let first = lines.next().unwrap();
    // The same customer, with every number multiplied by a thousand: far from every persona.
    let far: Vec<String> = first
        .split(',')
        .map(|cell| match cell.parse::<f64>() {
            Ok(v) if !cell.contains('-') => format!("{}", v * 1000.0 + 1e6),
            _ => cell.to_string(),
        })
        .collect();
    let mut far = far;
    far[0] = "NEW-1".into();
    // The same customer again, in a region the model never saw.
    let region = header.split(',').position(|h| h == "region").unwrap();
    let mut unseen: Vec<String> = first.split(',').map(str::to_string).collect();
    unseen[0] = "NEW-2".into();
    unseen[region] = "atlantis".into();
    let csv = format!(
        "{header}\n{first}\n{}\n{}\n",
        far.join(","),
        unseen.join(",")
    );
    let table = CustomerTable::from_csv_reader(
        csv.as_bytes(),
        &draft.model.reading_schema(),
        &CsvOptions::new(),
    )
    .unwrap();
    let assigned = draft.model.assign(&table).unwrap();
    assert_eq!(
        assigned.assignments[0].segment,
        draft.segmentation.labels()[0]
    );
    assert_eq!(
        assigned.assignments[1].segment, None,
        "{:?}",
        assigned.assignments[1]
    );
    assert!(assigned.assignments[1].distance.unwrap() > 10.0);
    // An unseen level is "none of the known regions": the customer is still placed, at another
    // distance than the same customer with its real region.
    let unseen = assigned.assignments[2];
    assert_ne!(unseen.distance, assigned.assignments[0].distance);
    let mut out = Vec::new();
    assigned.write_csv(&mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "customer,persona,distance,margin");
    assert_eq!(rows.len(), 4);
    assert!(rows[2].split(',').nth(1) == Some(""), "{}", rows[2]);
}

fn damaged(json: &str) -> Error {
    PersonaModel::from_json(json).expect_err("a damaged model must be refused")
}

#[test]
fn a_damaged_or_foreign_model_file_is_refused_with_what_is_wrong() {
    let draft =
        PersonaModel::fit(&bundled(), &ModelOptions::new(KMeans::new(4).with_seed(3))).unwrap();
    let json = draft.model.to_json().unwrap();
    // Truncated.
    let e = damaged(&json[..json.len() / 2]);
    assert!(matches!(e, Error::Json(_)), "{e}");
    // Foreign: the schema JSON, or any object.
    let e = damaged(&draft.model.schema().to_json().unwrap());
    assert!(e.to_string().contains("not a persona model"), "{e}");
    let e = damaged("[1, 2, 3]");
    assert!(matches!(e, Error::Json(_)), "{e}");
    // Another format version.
    let newer = json.replacen(
        &format!("\"format_version\": {FORMAT_VERSION}"),
        "\"format_version\": 99",
        1,
    );
    let e = damaged(&newer);
    assert!(e.to_string().contains("format version 99"), "{e}");
    // A centroid edited to NaN (JSON has no NaN: a string, or a number beyond range).
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["model"]["centroids"][0][0] = serde_json::json!("NaN");
    let e = damaged(&value.to_string());
    assert!(
        e.to_string().contains("centroids") || e.to_string().contains("invalid type"),
        "{e}"
    );
    value["model"]["centroids"][0][0] = serde_json::json!(1e200);
    let e = damaged(&value.to_string());
    assert!(
        e.to_string().contains("centroid values must be finite"),
        "{e}"
    );
    // Wrong dimensions: a centroid one value short, or a centre too many for the encoder.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["model"]["centroids"][1].as_array_mut().unwrap().pop();
    let e = damaged(&value.to_string());
    assert!(e.to_string().contains("row 2 of"), "{e}");
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for row in value["model"]["centroids"].as_array_mut().unwrap() {
        row.as_array_mut().unwrap().push(serde_json::json!(0.0));
    }
    let e = damaged(&value.to_string());
    assert!(e.to_string().contains("feature columns"), "{e}");
    // A persona for a segment the model lacks.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["personas"]["personas"][0]["segment"] = serde_json::json!(17);
    let e = damaged(&value.to_string());
    assert!(e.to_string().contains("segment 0 has 0 personas"), "{e}");
    // No personas at all.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["personas"]["personas"] = serde_json::json!([]);
    let e = damaged(&value.to_string());
    assert!(e.to_string().contains("one per segment"), "{e}");
    // Settings that would make a drift comparison's re-fit run for days.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["segmenter"]["n_init"] = serde_json::json!(1_000_000_000_000u64);
    let e = damaged(&value.to_string());
    assert!(e.to_string().contains("restarts"), "{e}");
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["segmenter"]["max_iter"] = serde_json::json!(0);
    let e = damaged(&value.to_string());
    assert!(e.to_string().contains("max_iter"), "{e}");
    // An unknown key.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["extra"] = serde_json::json!(1);
    let e = damaged(&value.to_string());
    assert!(e.to_string().contains("extra"), "{e}");
    // A missing file names the file.
    let e = PersonaModel::load("/nonexistent/model.json").unwrap_err();
    assert!(e.to_string().contains("/nonexistent/model.json"), "{e}");
}

#[test]
fn planted_segments_are_stable_and_one_gaussian_is_flagged() {
    let planted = Blobs::new(2_000, 3, 4)
        .with_seed(9)
        .with_separation(14.0)
        .generate()
        .features;
    let draft = PersonaModel::fit(
        &numeric_table(&planted),
        &ModelOptions::new(KMeans::new(4).with_seed(2)),
    )
    .unwrap();
    let personas = draft.model.personas();
    assert_eq!(personas.personas.len(), 4);
    for p in &personas.personas {
        let s = p
            .stability
            .as_ref()
            .expect("stability is measured by default");
        assert!(s.jaccard >= 0.9, "{}: {}", p.name, s.jaccard);
        assert_eq!(s.verdict, StabilityVerdict::Stable);
    }
    assert_eq!(personas.stability.as_ref().unwrap().flagged, 0);

    // One round Gaussian cut into five: the cuts fall wherever the start falls.
    let one = Blobs::new(2_000, 3, 1).with_seed(9).generate().features;
    let draft = PersonaModel::fit(
        &numeric_table(&one),
        &ModelOptions::new(KMeans::new(5).with_seed(2).with_n_init(1))
            .with_stability(Some(Stability::new().with_seed(3).with_subsamples(8))),
    )
    .unwrap();
    let personas = draft.model.personas();
    let flagged = personas
        .personas
        .iter()
        .filter(|p| p.stability.as_ref().unwrap().verdict != StabilityVerdict::Stable)
        .count();
    assert!(flagged >= 1, "{:?}", personas.stability);
    let markdown = personas.to_markdown();
    assert!(markdown.contains("| Stability |"));
    assert!(
        markdown.contains("> **Note:**"),
        "a flagged persona carries a note"
    );
    let json = personas.to_json().unwrap();
    assert!(json.contains("\"verdict\""));
}

/// Three kinds of customers: recent sign-ups who bought lately, old customers who bought lately,
/// old customers who lapsed; dated to a quarter ending at `end` (a day number).
fn dated_snapshot(end: i64, seed: u64) -> String {
    let mut rng = personas::rng::Rng::new(seed);
    let date = |day: i64| personas::dates::iso(day as f64);
    let mut csv = String::from("customer_id,signup_date,last_purchase_date,spend,visits\n");
    for i in 0..300 {
        let jitter = |rng: &mut personas::rng::Rng, width: usize| rng.below(width) as i64;
        let (signup, last, spend, visits) = match i % 3 {
            0 => (
                end - 60 - jitter(&mut rng, 60),
                end - jitter(&mut rng, 10),
                90.0,
                5,
            ),
            1 => (
                end - 900 - jitter(&mut rng, 300),
                end - jitter(&mut rng, 20),
                280.0,
                8,
            ),
            _ => (
                end - 900 - jitter(&mut rng, 300),
                end - 200 - jitter(&mut rng, 60),
                500.0,
                14,
            ),
        };
        let spend = spend + rng.uniform_in(-10.0, 10.0);
        csv.push_str(&format!(
            "C{i},{},{},{spend:.2},{visits}\n",
            date(signup),
            date(last)
        ));
    }
    csv
}

#[test]
fn a_newer_snapshot_is_measured_to_its_own_newest_date_and_may_lack_unused_columns() {
    let dir = std::env::temp_dir().join(format!("personas-dates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let march = personas::dates::day_number(2024, 3, 30).unwrap();
    let june = personas::dates::day_number(2024, 6, 28).unwrap();
    let (q1, q2) = (dir.join("q1.csv"), dir.join("q2.csv"));
    std::fs::write(&q1, dated_snapshot(march, 1)).unwrap();
    // The same kinds of customers a quarter later, without the identifier column.
    let later = dated_snapshot(june, 2);
    let no_id: String = later
        .lines()
        .map(|l| l.split_once(',').unwrap().1.to_string() + "\n")
        .collect();
    std::fs::write(&q2, no_id).unwrap();
    let inference = personas::Inference::from_csv_path(&q1, &CsvOptions::new()).unwrap();
    let customers =
        CustomerTable::from_csv_path(&q1, &inference.into_schema(), &CsvOptions::new()).unwrap();
    let draft =
        PersonaModel::fit(&customers, &ModelOptions::new(KMeans::new(3).with_seed(1))).unwrap();
    let model = &draft.model;
    use personas::model::DurationsTo;
    let newest = model
        .read_csv(&q2, &CsvOptions::new(), &DurationsTo::NewestDate)
        .unwrap();
    assert_eq!(newest.reference.as_deref(), Some("2024-06-28"));
    assert_eq!(newest.left_out, vec!["customer_id".to_string()]);
    assert_eq!(
        &newest.table.ids()[0],
        "1",
        "rows are numbered without an identifier"
    );
    let fresh = model.assign(&newest.table).unwrap();
    assert!(fresh.unassigned() <= 3, "{} fit none", fresh.unassigned());
    // Measured to the training date instead, everyone looks a quarter off: most fit nobody.
    let stale = model
        .read_csv(&q2, &CsvOptions::new(), &DurationsTo::Training)
        .unwrap();
    assert_eq!(stale.reference.as_deref(), Some("2024-03-30"));
    let stale = model.assign(&stale.table).unwrap();
    assert!(
        stale.unassigned() > fresh.unassigned(),
        "{}",
        stale.unassigned()
    );
    // The training file read the default way gives the training segments back.
    let again = model
        .read_csv(&q1, &CsvOptions::new(), &DurationsTo::NewestDate)
        .unwrap();
    let labels: Vec<_> = model
        .assign(&again.table)
        .unwrap()
        .assignments
        .iter()
        .map(|a| a.segment)
        .collect();
    assert_eq!(labels, draft.segmentation.labels());
    let bad = model.read_csv(&q2, &CsvOptions::new(), &DurationsTo::Date("June".into()));
    assert!(matches!(bad, Err(Error::InvalidParameter { .. })));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn assignment_notes_name_unseen_levels_and_missing_values() {
    let customers = bundled();
    let draft =
        PersonaModel::fit(&customers, &ModelOptions::new(KMeans::new(5).with_seed(1))).unwrap();
    assert!(
        draft
            .model
            .assignment_notes(&customers)
            .iter()
            .all(|n| !n.contains("never saw")),
        "the training customers hold no unseen level"
    );
    let text = std::fs::read_to_string(common::DATA).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let region = header.split(',').position(|h| h == "region").unwrap();
    let income = header.split(',').position(|h| h == "income").unwrap();
    let mut csv = format!("{header}\n");
    for (i, line) in lines.take(10).enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if i < 4 {
            cells[region] = "atlantis".into();
        }
        cells[income] = String::new();
        csv.push_str(&(cells.join(",") + "\n"));
    }
    let table = CustomerTable::from_csv_reader(
        csv.as_bytes(),
        &draft.model.reading_schema(),
        &CsvOptions::new(),
    )
    .unwrap();
    let notes = draft.model.assignment_notes(&table);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`region`") && n.contains("4 customers") && n.contains("atlantis")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`income`") && n.contains("no value for any customer")),
        "{notes:?}"
    );
}

#[test]
fn a_chosen_k_reports_one_stability_for_the_choice_and_the_personas() {
    let draft = PersonaModel::fit(
        &bundled(),
        &ModelOptions::new(AutoK::new(3..=6).with_seed(11).with_n_init(4)),
    )
    .unwrap();
    let personas = draft.model.personas();
    let chosen = personas
        .selection
        .as_ref()
        .unwrap()
        .stability
        .as_ref()
        .unwrap();
    let measured = draft.stability.as_ref().unwrap();
    assert_eq!(chosen, measured, "the same resamples, fits and reference");
    assert_eq!(
        personas.stability.as_ref().unwrap().mean_ari,
        chosen.mean_ari
    );
}

#[test]
fn sql_is_refused_for_more_centres_than_it_is_written_for() {
    let x = Blobs::new(600, 2, 3).with_seed(2).generate().features;
    let customers = numeric_table(&x);
    let options = ModelOptions::new(KMeans::new(personas::sql::MAX_CENTRES + 1).with_n_init(1))
        .with_stability(None);
    let model = PersonaModel::fit(&customers, &options).unwrap().model;
    let query = personas::sql::assignment_query(
        model.schema(),
        model.encoder(),
        model.k_means().unwrap(),
        &personas::sql::SqlOptions::new(),
    );
    assert!(
        matches!(query, Err(Error::InvalidParameter { name: "k", .. })),
        "{query:?}"
    );
}
