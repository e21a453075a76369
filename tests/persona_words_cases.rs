//! The words of personas on small planted cases: a code level never names a persona, first
//! names follow a dominant gender, balances and premiums are not debts, retail labels read as
//! words, a categorical outcome is shown once, and levels implied by a dominant one are not
//! traits. The properties checked on every run are in `persona_words.rs`.

mod common;

use personas::persona::Drafter;
use personas::{CsvOptions, CustomerTable, Personas, Profiles, Role, Schema, Summary};

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
