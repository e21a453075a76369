//! Persona names on any customer file: a segment whose only distinctive signal is a demographic
//! level is named after that level, an identity trait never names a persona, a code never does
//! while a signal in words exists, no two personas of a set share a descriptor, and "Typical"
//! or "Mainstream" names at most one persona of a set (on planted tables and on the shared real
//! data sets, skipped with a printed reason when those are absent).

mod common;

use common::shared;
use personas::persona::Drafter;
use personas::{
    Attribute, CsvOptions, CustomerTable, Encoder, Facet, Inference, KMeans, Personas, Profiles,
    Role, Schema, Segmentation,
};

/// Words a persona is named with when nothing sets its segment apart.
const GENERIC: &[&str] = &["Typical", "Mainstream", "Everyday", "Ordinary", "Average"];

/// Personas for a table given as CSV text, with segments planted by `labels` (one per row).
fn planted(csv: &str, schema: Vec<Attribute>, labels: &[usize]) -> Personas {
    let schema = Schema::new(schema).unwrap();
    let table =
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap();
    let segmentation =
        Segmentation::new(labels.iter().map(|&l| Some(l)).collect(), None, None).unwrap();
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    let personas = Drafter::new().draft(&profiles).unwrap();
    let again = Drafter::new().draft(&profiles).unwrap();
    let names = |p: &Personas| {
        p.personas
            .iter()
            .map(|x| x.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&personas),
        names(&again),
        "names must be deterministic"
    );
    personas
}

/// The descriptor of a drafted name: the name without its first name and any number after it
/// ("Married Max 2" -> "Married").
fn descriptor(name: &str) -> String {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    if words
        .last()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
    {
        words.pop();
    }
    words.pop();
    words.join(" ")
}

fn is_generic(name: &str) -> bool {
    GENERIC.contains(&descriptor(name).as_str())
}

/// The descriptor's words, lower-case ("Never-Married" -> ["never", "married"]).
fn descriptor_words(name: &str) -> Vec<String> {
    descriptor(name)
        .split(['-', ' '])
        .map(str::to_lowercase)
        .collect()
}

/// No two personas share a descriptor, and none shares a generic one.
fn assert_distinct_descriptors(what: &str, personas: &Personas) {
    let names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            assert_ne!(
                descriptor(a),
                descriptor(b),
                "{what}: two personas share a descriptor: {names:?}"
            );
            for generic in ["Typical", "Mainstream"] {
                assert!(
                    !(a.starts_with(generic) && b.starts_with(generic)),
                    "{what}: two personas called {generic}: {names:?}"
                );
            }
        }
    }
}

#[test]
fn a_segment_set_apart_only_by_a_demographic_level_is_named_after_it() {
    // Segment 0: married (Married-civ-spouse) 90%; segment 1: never married 90%. Visits are
    // spread alike in both, so the marital status is the only thing that sets either apart.
    let mut csv = String::from("Marital status,Visits\n");
    let mut labels = Vec::new();
    for i in 0..400 {
        let seg = i % 2;
        let married = (seg == 0) == (i % 10 != 1);
        let level = if married {
            "Married-civ-spouse"
        } else {
            "Never-married"
        };
        csv.push_str(&format!("{level},{}\n", (i / 2) % 7));
        labels.push(seg);
    }
    let personas = planted(
        &csv,
        vec![
            Attribute::categorical("Marital status", ["Married-civ-spouse", "Never-married"])
                .with_facet(Facet::Demographic),
            Attribute::numeric("Visits"),
        ],
        &labels,
    );
    let names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
    for name in &names {
        assert!(
            !is_generic(name),
            "a generic name despite a signal: {names:?}"
        );
    }
    assert!(
        descriptor_words(names[0]).contains(&"married".to_string()),
        "{names:?}"
    );
    assert!(
        descriptor_words(names[1]).contains(&"never".to_string()),
        "{names:?}"
    );
    // A name, not the raw level: no abbreviation such as "civ".
    assert!(
        !descriptor_words(names[0]).contains(&"civ".to_string()),
        "{names:?}"
    );
    assert_distinct_descriptors("marital status", &personas);
}

#[test]
fn an_identity_trait_never_names_a_persona() {
    // Gender sets the segments apart most strongly (95% vs 5%), colour less (80% vs 20%).
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for i in 0..400 {
        let seg = i % 2;
        let female = (seg == 0) == (i % 20 != 1);
        let red = (seg == 0) == (i % 10 >= 2);
        rows.push((
            if female { "Female" } else { "Male" },
            if red { "Red" } else { "Blue" },
        ));
        labels.push(seg);
    }
    for (column, role) in [
        ("Sex", Role::Descriptor),
        // Named like an identity trait but clustered on, in a hand-written schema.
        ("Gender", Role::Feature),
    ] {
        for with_colour in [true, false] {
            let mut csv = format!("{column},Colour\n");
            for (g, c) in &rows {
                let colour = if with_colour { c } else { &"Red" };
                csv.push_str(&format!("{g},{colour}\n"));
            }
            let personas = planted(
                &csv,
                vec![
                    Attribute::categorical(column, ["Female", "Male"])
                        .with_facet(Facet::Demographic)
                        .with_role(role),
                    Attribute::categorical("Colour", ["Red", "Blue"]),
                ],
                &labels,
            );
            let names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
            for name in &names {
                let words = descriptor_words(name);
                assert!(
                    !words.iter().any(|w| w == "female" || w == "male"),
                    "{column} ({role:?}) names a persona: {names:?}"
                );
                if with_colour {
                    assert!(
                        words.iter().any(|w| w == "red" || w == "blue"),
                        "{column}: the colour should name {name}: {names:?}"
                    );
                }
            }
            assert_distinct_descriptors(column, &personas);
        }
    }
}

#[test]
fn a_code_never_names_a_persona_while_a_signal_in_words_exists() {
    // Channel (coded 1/2) sets the segments apart most strongly; a number in words (widgets
    // bought) less, and a level made of a number and a letter (">50K") as strongly as the code.
    let mut csv = String::from("Channel,Band,Widgets\n");
    let mut labels = Vec::new();
    for i in 0..400 {
        let seg = i % 2;
        let channel = if (seg == 0) == (i % 20 != 1) { 1 } else { 2 };
        let band = if (seg == 0) == (i % 20 != 3) {
            ">50K"
        } else {
            "<=50K"
        };
        let widgets = (i / 2) % 10 + if seg == 0 { 4 } else { 0 };
        csv.push_str(&format!("{channel},{band},{widgets}\n"));
        labels.push(seg);
    }
    let personas = planted(
        &csv,
        vec![
            Attribute::categorical("Channel", ["1", "2"]),
            Attribute::categorical("Band", [">50K", "<=50K"]),
            Attribute::numeric("Widgets"),
        ],
        &labels,
    );
    let names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
    for name in &names {
        let d = descriptor(name);
        assert!(
            !d.chars().any(|c| c.is_ascii_digit()) && !d.contains("Channel"),
            "a code names a persona although widgets differ: {names:?}"
        );
        assert!(d.contains("Widgets"), "{names:?}");
    }
    assert_distinct_descriptors("channel", &personas);
}

#[test]
fn personas_sharing_their_strongest_signal_get_distinct_descriptors() {
    // Segments 0-2 (100 customers each) are all married, segment 3 (300) never married; segment
    // 0 is also all red, segment 2 buys more widgets (more weakly than it is married), segment 1
    // has nothing but its marital status.
    let mut csv = String::from("Marital status,Colour,Widgets\n");
    let mut labels = Vec::new();
    let colours = ["Red", "Blue", "Green"];
    for i in 0..600 {
        let seg = if i < 300 { i / 100 } else { 3 };
        let marital = if seg < 3 {
            "Married-civ-spouse"
        } else {
            "Never-married"
        };
        let colour = if seg == 0 { "Red" } else { colours[i % 3] };
        let widgets = (i * 7) % 20 + if seg == 2 { 5 } else { 0 };
        csv.push_str(&format!("{marital},{colour},{widgets}\n"));
        labels.push(seg);
    }
    let personas = planted(
        &csv,
        vec![
            Attribute::categorical("Marital status", ["Married-civ-spouse", "Never-married"])
                .with_facet(Facet::Demographic),
            Attribute::categorical("Colour", colours),
            Attribute::numeric("Widgets"),
        ],
        &labels,
    );
    let names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
    assert_distinct_descriptors("shared signals", &personas);
    // Every segment has a signal in words no other persona took: none is generic.
    for name in &names {
        assert!(!is_generic(name), "{names:?}");
    }
    // Segments are numbered largest first, so each is found by its words: red, married only,
    // widgets (its strongest signal, married, taken), never married.
    let descriptors: Vec<Vec<String>> = names.iter().map(|n| descriptor_words(n)).collect();
    let named = |word: &str, not: &str| {
        descriptors
            .iter()
            .any(|d| d.iter().any(|w| w == word) && !d.iter().any(|w| w == not))
    };
    assert!(named("red", "married"), "{names:?}");
    assert!(named("married", "never"), "{names:?}");
    assert!(named("widgets", "married"), "{names:?}");
    assert!(named("never", "-"), "{names:?}");
}

/// Drafts the personas of a shared data set with its inferred schema and seeded k-means.
fn draft_shared(relative: &str, options: &CsvOptions, k: usize) -> Option<Personas> {
    let path = shared(relative)?;
    let inferred = Inference::from_csv_path(&path, options).unwrap();
    let table = CustomerTable::from_csv_path(&path, inferred.schema(), options).unwrap();
    let features = Encoder::new()
        .fit(&table)
        .unwrap()
        .transform(&table)
        .unwrap();
    let segmentation = KMeans::new(k)
        .with_seed(42)
        .segment(features.view())
        .unwrap();
    let profiles = Profiles::new(&table, &segmentation).unwrap();
    Some(Drafter::new().draft(&profiles).unwrap())
}

#[test]
fn no_two_personas_of_a_real_set_share_a_descriptor() {
    let adult = CsvOptions::new().with_column_names([
        "age",
        "workclass",
        "fnlwgt",
        "education",
        "education-num",
        "marital-status",
        "occupation",
        "relationship",
        "race",
        "sex",
        "capital-gain",
        "capital-loss",
        "hours-per-week",
        "native-country",
        "income",
    ]);
    let mut checked = 0;
    for (relative, options, k) in [
        ("adult/adult.data", adult, 6),
        ("telco-churn/Customer_Churn.csv", CsvOptions::new(), 4),
        ("credit-scoring/credit_data.csv", CsvOptions::new(), 4),
        ("mall-customers/Mall_Customers.csv", CsvOptions::new(), 5),
        (
            "wholesale-customers/Wholesale customers data.csv",
            CsvOptions::new(),
            3,
        ),
        ("cdnow/cdnow_customers_summary.csv", CsvOptions::new(), 5),
    ] {
        let Some(personas) = draft_shared(relative, &options, k) else {
            continue;
        };
        let names: Vec<&str> = personas.personas.iter().map(|p| p.name.as_str()).collect();
        eprintln!("{relative}: {names:?}");
        assert_eq!(names.len(), k, "{relative}");
        assert_distinct_descriptors(relative, &personas);
        // An identity trait inferred as a descriptor (sex, race, gender) never names one.
        for p in &personas.personas {
            let words = descriptor_words(&p.name);
            for identity in ["male", "female", "white", "black"] {
                assert!(
                    !words.iter().any(|w| w == identity),
                    "{relative}: {}",
                    p.name
                );
            }
        }
        checked += 1;
    }
    assert!(
        checked > 0 || !common::data_required(),
        "no data set checked"
    );
    if checked == 0 {
        eprintln!("skipped: no shared data set present under ../shared/data");
    }
}
