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
        assert_eq!(assigned.ids, customers.ids());
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
    assert!(e.to_string().contains("centroid"), "{e}");
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
    assert!(e.to_string().contains("segment 17"), "{e}");
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
