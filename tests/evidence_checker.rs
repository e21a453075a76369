//! The independent evidence checker itself: its date and formula parsing on tiny inline cases, and
//! proof that it catches a wrong number, a wrong statistic and a claim below the thresholds.

mod common;
use common::evidence::{self, check, parse_date, RawCsv, SchemaJson};
use common::segment_csv;

use serde_json::{json, Value};

fn fails(f: impl FnOnce() + std::panic::UnwindSafe) -> bool {
    std::panic::catch_unwind(f).is_err()
}

#[test]
fn dates_parse_in_every_schema_format() {
    assert_eq!(parse_date("1970-01-01", "ymd"), Some(0.0));
    assert_eq!(parse_date("1970/01/02", "ymd"), Some(1.0));
    assert_eq!(parse_date("1969.12.31", "ymd"), Some(-1.0));
    assert_eq!(parse_date("2000-03-01", "ymd"), Some(11_017.0));
    assert_eq!(parse_date("02-01-1970", "dmy"), Some(1.0));
    assert_eq!(parse_date("02.01.1970 12:00", "dmy"), Some(1.5));
    assert_eq!(parse_date("1/2/1970", "mdy"), Some(1.0));
    assert_eq!(parse_date("19700102", "ymd_compact"), Some(1.0));
    assert_eq!(parse_date("1970-01-01T06:00:00", "ymd"), Some(0.25));
    assert_eq!(
        parse_date("1970-01-01 00:00:30", "ymd"),
        Some(30.0 / 86_400.0)
    );
    // 2014-12-06 minus 2014-12-01 is 5 days; across a leap day 2016-02-28..2016-03-01 is 2.
    let d = |s| parse_date(s, "ymd").unwrap();
    assert_eq!(d("2014-12-06") - d("2014-12-01"), 5.0);
    assert_eq!(d("2016-03-01") - d("2016-02-28"), 2.0);
    assert_eq!(d("1900-03-01") - d("1900-02-28"), 1.0);
    for bad in [
        "1970-02-30",
        "1970-13-01",
        "1970-01",
        "x",
        "1970-01-01 25:00",
    ] {
        assert_eq!(parse_date(bad, "ymd"), None, "{bad}");
    }
    assert_eq!(parse_date("1970010", "ymd_compact"), None);
}

fn schema(attributes: Value) -> SchemaJson {
    SchemaJson::parse(&json!({ "attributes": attributes }).to_string())
}

fn derive(csv: &str, formula: Value) -> Vec<Option<f64>> {
    let raw = RawCsv::parse(csv);
    let s = schema(json!([
        {"name": "D", "kind": "date", "format": "dmy"},
        {"name": "out", "kind": "numeric", "derived": formula.clone()}
    ]));
    assert_eq!(
        s.values(&raw, "out").numbers("out"),
        s.derive(&raw, &formula)
    );
    s.derive(&raw, &formula)
}

#[test]
fn formulas_compute_and_propagate_missing_values() {
    let csv = "A,B,C,X,Y,D,Yr\n\
               1,2,3,yes,no,06-12-2014,2000\n\
               4,,1,true,1,01-12-2014 12:00,NA\n\
               0,0,0,no,0,05.11.2014,2014\n";
    assert_eq!(
        derive(csv, json!({"op": "sum", "of": ["A", "B"]})),
        [Some(3.0), None, Some(0.0)]
    );
    assert_eq!(
        derive(
            csv,
            json!({"op": "share", "part": ["A"], "whole": ["A", "B", "C"]})
        ),
        [Some(1.0 / 6.0), None, None]
    );
    assert_eq!(
        derive(csv, json!({"op": "count_true", "of": ["X", "Y"]})),
        [Some(1.0), Some(2.0), Some(0.0)]
    );
    assert_eq!(
        derive(
            csv,
            json!({"op": "days_since", "of": "D", "reference": "2014-12-06"})
        ),
        [Some(0.0), Some(4.5), Some(31.0)]
    );
    assert_eq!(
        derive(
            csv,
            json!({"op": "years_since", "of": "Yr", "reference": 2014})
        ),
        [Some(14.0), None, Some(0.0)]
    );
    assert_eq!(
        derive(
            csv,
            json!({"op": "age_at", "of": "D", "reference": "2015-12-01"})
        ),
        [Some(0.0), Some(1.0), Some(1.0)]
    );
    // A 29 February birthday is complete on 1 March in a year without one.
    let leap = "D\n29-02-2012\n";
    for (reference, years) in [
        ("2015-02-28", 2.0),
        ("2015-03-01", 3.0),
        ("2016-02-28", 3.0),
    ] {
        assert_eq!(
            derive(
                leap,
                json!({"op": "age_at", "of": "D", "reference": reference})
            ),
            [Some(years)]
        );
    }
}

/// A hand-made run on 6 customers: a derived `total = A + B`, a level column and a tag column.
fn tiny_run() -> (RawCsv, SchemaJson, Value, String) {
    let raw = RawCsv::parse(
        "id,A,B,region,tags\n\
         c1,1,1,n,web;app\nc2,2,2,n,web\nc3,3,3,s,\nc4,10,10,s,app\nc5,11,11,s,app\nc6,15,15,NA,web\n",
    );
    let s = schema(json!([
        {"name": "id", "kind": "categorical", "role": "identifier"},
        {"name": "A", "kind": "numeric"},
        {"name": "B", "kind": "numeric"},
        {"name": "region", "kind": "categorical"},
        {"name": "tags", "kind": "tags", "separator": ";"},
        {"name": "total", "kind": "numeric", "role": "value",
         "derived": {"op": "sum", "of": ["A", "B"]}}
    ]));
    let labels = "customer,segment\nc1,1\nc2,1\nc3,1\nc4,0\nc5,0\nc6,0\n".to_string();
    // total: 2, 4, 6 | 20, 22, 30; mean 14, population sd sqrt((12²+10²+8²+6²+8²+16²)/6).
    let sd = ((144.0f64 + 100.0 + 64.0 + 36.0 + 64.0 + 256.0) / 6.0).sqrt();
    let statement = |e: Value| json!([{"text": "t", "evidence": [e]}]);
    let persona = |segment: usize, total: f64, evidence: Value| {
        json!({
            "segment": segment, "size": 3, "share": 0.5,
            "value_attribute": "total", "value_share": total / 84.0,
            "outcomes": [], "demographics": [], "firmographics": [], "traits": evidence,
            "goals": [], "pain_points": [], "objections": [], "motivations": [],
            "buying_behaviour": [], "channels": [],
            "buyer_type": {"type": "mixed", "text": "mixed", "evidence": []}
        })
    };
    let doc = json!({
        "schema_version": 1, "n_customers": 6, "unassigned": 0,
        "personas": [
            persona(0, 72.0, statement(json!({"attribute": "total", "level": null,
                "statistic": "mean", "segment_value": 24.0, "population_value": 14.0,
                "effect": 10.0 / sd}))),
            persona(1, 12.0, statement(json!({"attribute": "region", "level": "n",
                "statistic": "share", "segment_value": 2.0 / 3.0, "population_value": 0.4,
                "effect": (2.0 / 3.0) / 0.4}))),
        ]
    });
    (raw, s, doc, labels)
}

/// The tiny run's segments have 3 customers, so claims there must fail the size threshold, while
/// the same evidence as descriptions passes with every number recomputed.
#[test]
fn the_checker_recomputes_derived_values_and_refuses_claims_in_tiny_segments() {
    let (raw, s, doc, labels) = tiny_run();
    // Every number is right, but the traits are claims in a segment of 3 customers.
    let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check(&raw, &s, &doc.to_string(), &labels)
    }))
    .err()
    .and_then(|e| e.downcast::<String>().ok())
    .map(|m| *m)
    .unwrap_or_default();
    assert!(msg.contains("in a segment of 3"), "{msg}");
    // As descriptions (no claim of difference) the same evidence passes: the numbers are exact.
    let mut described = doc.clone();
    for p in described["personas"].as_array_mut().unwrap() {
        p["demographics"] = p["traits"].take();
        p["traits"] = json!([]);
    }
    let report = check(&raw, &s, &described.to_string(), &labels);
    assert_eq!((report.personas, report.claims), (2, 0));
    assert_eq!(report.numbers, 2 * 3 + 2 * 3);
    // Any one wrong number fails.
    for (pointer, wrong) in [
        (
            "/personas/0/traits/0/evidence/0/segment_value",
            json!(24.001),
        ),
        (
            "/personas/0/traits/0/evidence/0/population_value",
            json!(14.5),
        ),
        ("/personas/0/traits/0/evidence/0/effect", json!(1.0)),
        ("/personas/1/traits/0/evidence/0/effect", json!(1.5)),
        (
            "/personas/1/traits/0/evidence/0/population_value",
            json!(0.5),
        ),
        ("/personas/0/size", json!(4)),
        ("/personas/0/share", json!(0.4)),
        ("/personas/1/value_share", json!(0.2)),
        // A median where the JSON says mean, a share of a level nobody has.
        ("/personas/0/traits/0/evidence/0/statistic", json!("median")),
        ("/personas/1/traits/0/evidence/0/level", json!("e")),
    ] {
        let mut bad = described.clone();
        let at = pointer.replace("/traits/", "/demographics/");
        *bad.pointer_mut(&at).unwrap() = wrong;
        let text = bad.to_string();
        assert!(
            fails(|| {
                check(&raw, &s, &text, &labels);
            }),
            "{at} went unnoticed"
        );
    }
    // A wrong label fails too.
    let swapped = labels.replace("c3,1", "c3,0");
    let text = described.to_string();
    assert!(fails(|| {
        check(&raw, &s, &text, &swapped);
    }));
}

#[test]
fn a_share_on_a_numeric_code_column_needs_a_raw_value_and_a_mean_needs_numbers() {
    let raw = RawCsv::parse("Channel,name\n1,a\n2,b\n1,c\n");
    let s = schema(json!([]));
    let (hits, occurs) = s.values(&raw, "Channel").has_level("1");
    assert!(occurs);
    assert_eq!(hits, [Some(true), Some(false), Some(true)]);
    assert!(!s.values(&raw, "Channel").has_level("3").1);
    assert!(fails(|| {
        let raw = RawCsv::parse("name\na\nb\n");
        schema(json!([])).values(&raw, "name").numbers("name");
    }));
    // A yes/no column's `true` is every spelling of yes.
    let raw = RawCsv::parse("member\nyes\nNo\nY\n?\n");
    let (hits, occurs) = s.values(&raw, "member").has_level("true");
    assert!(occurs);
    assert_eq!(hits, [Some(true), Some(false), Some(true), None]);
}

#[test]
fn the_checker_catches_a_changed_number_in_a_real_run() {
    let schema = personas::Schema::from_json_file(common::SCHEMA).unwrap();
    let (table, _, segmentation) = segment_csv(std::path::Path::new(common::DATA), &schema, 4, 3);
    let profiles = personas::Profiles::new(&table, &segmentation).unwrap();
    let personas = personas::persona::Drafter::new().draft(&profiles).unwrap();
    let json = personas.to_json().unwrap();
    let mut labels = Vec::new();
    segmentation
        .write_labels_csv(table.ids(), &mut labels)
        .unwrap();
    let labels = String::from_utf8(labels).unwrap();
    let raw = RawCsv::read(std::path::Path::new(common::DATA));
    let s = SchemaJson::parse(&schema.to_json().unwrap());
    let report = check(&raw, &s, &json, &labels);
    assert!(report.claims > 10, "{report:?}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let first_claim = evidence::CLAIMS
        .iter()
        .find_map(|list| {
            let p = format!("/personas/0/{list}/0/evidence/0/effect");
            doc.pointer(&p).map(|_| p)
        })
        .expect("a claim in persona 0");
    for pointer in [
        first_claim.as_str(),
        "/segments/1/attributes/0/segment/q3",
        "/segments/0/distinguishing/0/standardised",
    ] {
        let mut bad = doc.clone();
        let v = bad.pointer_mut(pointer).unwrap();
        *v = json!(v.as_f64().unwrap() * 1.001 + 1e-6);
        let text = bad.to_string();
        assert!(
            fails(|| {
                check(&raw, &s, &text, &labels);
            }),
            "{pointer} went unnoticed"
        );
    }
}

#[test]
fn a_missing_data_set_skips_or_fails_as_personas_require_data_says() {
    let absent = "no/such/data-set.csv";
    if common::data_required() {
        // CI: a missing data set fails the test that needs it.
        assert!(fails(|| {
            common::shared(absent);
        }));
    } else {
        assert_eq!(common::shared(absent), None);
    }
}
