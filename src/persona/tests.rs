//! Unit tests of drafting: evidence thresholds, buyer types, loyalty and tenure wording.

use super::*;
use crate::input::CsvOptions;
use crate::schema::{Attribute, Schema};
use crate::segment::Segmentation;
use crate::table::CustomerTable;

/// 40 customers: the first 20 buy on discount and rarely, the last 20 the opposite.
fn profiles(labels: Vec<Option<usize>>) -> Profiles {
    let schema = Schema::new(vec![
        Attribute::numeric("discount_share"),
        Attribute::numeric("purchase_frequency"),
        Attribute::numeric("shoe_size"),
    ])
    .unwrap();
    let mut csv = String::from("discount_share,purchase_frequency,shoe_size\n");
    for i in 0..40 {
        let deal = i < 20;
        let noise = (i % 5) as f64 * 0.01;
        csv.push_str(&format!(
            "{},{},{}\n",
            if deal { 0.8 + noise } else { 0.1 + noise },
            if deal { 2 + i % 3 } else { 20 + i % 3 },
            38 + i % 2
        ));
    }
    profiles_of(&schema, &csv, labels)
}

/// The profiles of the customers in `csv` under `labels`.
fn profiles_of(schema: &Schema, csv: &str, labels: Vec<Option<usize>>) -> Profiles {
    let table = CustomerTable::from_csv_reader(csv.as_bytes(), schema, &CsvOptions::new()).unwrap();
    Profiles::new(&table, &Segmentation::new(labels, None, None).unwrap()).unwrap()
}

#[test]
fn a_long_tenure_reads_as_loyalty_except_where_customers_stopped_buying() {
    let schema = Schema::new(vec![
        Attribute::numeric("tenure_days"),
        Attribute::numeric("days_since_last_order"),
    ])
    .unwrap();
    // Customers 0..20: long tenure, bought recently; 20..40: short tenure, recent; 40..60:
    // long tenure, lapsed.
    let mut csv = String::from("tenure_days,days_since_last_order\n");
    for i in 0..60 {
        let noise = (i % 5) as f64;
        let (tenure, since) = match i / 20 {
            0 => (900.0, 10.0),
            1 => (100.0, 12.0),
            _ => (900.0, 400.0),
        };
        csv.push_str(&format!("{},{}\n", tenure + noise, since + noise));
    }
    let profiles = profiles_of(&schema, &csv, (0..60).map(|i| Some(i / 20)).collect());
    let p = Drafter::new()
        .with_min_segment_size(10)
        .draft(&profiles)
        .unwrap();
    let loyal_words = |persona: &Persona| {
        statements(persona)
            .iter()
            .any(|(_, s)| s.text.contains("loyalty goes unrewarded"))
    };
    let active = p.personas.iter().find(|x| x.segment == 0).unwrap();
    let lapsed = p.personas.iter().find(|x| x.segment == 2).unwrap();
    assert!(loyal_words(active), "{active:#?}");
    assert_eq!(active.buyer_type.kind, BuyerType::Loyalty);
    assert!(!loyal_words(lapsed), "{lapsed:#?}");
    assert_ne!(lapsed.buyer_type.kind, BuyerType::Loyalty);
}

#[test]
fn customers_who_all_joined_together_are_not_called_new_for_a_month() {
    // Everyone has been a customer for 16 to 18 months; half of them a month less.
    let schema = Schema::new(vec![Attribute::numeric("tenure_days")]).unwrap();
    let mut csv = String::from("tenure_days\n");
    for i in 0..60 {
        let base = if i < 30 { 470.0 } else { 530.0 };
        csv.push_str(&format!("{}\n", base + (i % 5) as f64));
    }
    let profiles = profiles_of(
        &schema,
        &csv,
        (0..60).map(|i| Some(usize::from(i >= 30))).collect(),
    );
    let p = Drafter::new()
        .with_min_segment_size(10)
        .draft(&profiles)
        .unwrap();
    for persona in &p.personas {
        let said: Vec<&str> = statements(persona)
            .iter()
            .map(|(_, s)| s.text.as_str())
            .collect();
        assert!(
            !said
                .iter()
                .any(|t| t.contains("Still learning") || t.contains("new customer")),
            "{said:?}"
        );
        // The difference itself is still shown as a trait, with its numbers.
        assert!(!persona.traits.is_empty());
    }
}

fn split_labels() -> Vec<Option<usize>> {
    (0..40).map(|i| Some(usize::from(i >= 20))).collect()
}

#[test]
fn strong_signals_become_statements_with_their_evidence() {
    let p = Drafter::new()
        .with_min_segment_size(10)
        .draft(&profiles(split_labels()))
        .unwrap();
    let deal = &p.personas[0];
    assert!(deal.name.starts_with("Deal-Hunting "), "{}", deal.name);
    let objection = deal
        .objections
        .iter()
        .find(|o| o.text == "Doubts the product is worth it at full price")
        .expect("price objection");
    assert_eq!(objection.evidence[0].attribute, "discount_share");
    assert!(objection.evidence[0].segment_value > objection.evidence[0].population_value);
    // The discount share is a rate and decides the buyer type.
    assert_eq!(deal.buyer_type.kind, BuyerType::Deal);
    assert_eq!(deal.buyer_type.evidence[0].attribute, "discount_share");
    assert!(deal.buyer_type.reason.contains("discount share"));
    // shoe_size does not differ: it must not appear anywhere.
    assert!(statements(deal)
        .iter()
        .all(|(_, s)| s.evidence.iter().all(|e| e.attribute != "shoe_size")));
    let other = &p.personas[1];
    assert_ne!(deal.name, other.name);
    assert!(other
        .buying_behaviour
        .iter()
        .any(|s| s.text == "Buys more often than most customers"));
}

#[test]
fn small_segments_get_no_statements() {
    let p = Drafter::new()
        .with_min_segment_size(30)
        .draft(&profiles(split_labels()))
        .unwrap();
    for persona in &p.personas {
        assert!(persona.traits.is_empty() && persona.objections.is_empty());
        assert!(
            persona.summary.contains("too small to describe reliably"),
            "{}",
            persona.summary
        );
    }
}

#[test]
fn a_segment_without_strong_signals_says_so() {
    // Alternate pairs of customers: both segments look like the population.
    let labels = (0..40).map(|i| Some((i / 2) % 2)).collect();
    let p = Drafter::new()
        .with_min_segment_size(10)
        .draft(&profiles(labels))
        .unwrap();
    for persona in &p.personas {
        assert!(persona.goals.is_empty() && persona.objections.is_empty());
        assert!(persona.mainstream);
        assert!(persona
            .summary
            .contains("Nothing in the data sets this segment clearly apart"));
        assert_eq!(persona.buyer_type.kind, BuyerType::Mixed);
        assert!(persona
            .buyer_type
            .reason
            .contains("no rate or loyalty signal"));
        assert!(!persona.notes.is_empty());
    }
    assert!(p
        .to_markdown()
        .contains("No difference from all customers is strong enough"));
}

#[test]
fn an_average_segment_is_the_mainstream_compared_with_the_others() {
    // 90 customers near 10, 10 customers at 30: the large segment is within 0.5 sd of all
    // customers, but far below the other ten.
    let schema = Schema::new(vec![Attribute::numeric("monthly_spend")]).unwrap();
    let mut csv = String::from("monthly_spend\n");
    let values: Vec<f64> = (0..100)
        .map(|i| if i < 90 { 10.0 + (i % 3) as f64 } else { 30.0 })
        .collect();
    values.iter().for_each(|v| csv.push_str(&format!("{v}\n")));
    let profiles = profiles_of(
        &schema,
        &csv,
        (0..100).map(|i| Some(usize::from(i >= 90))).collect(),
    );
    let p = Drafter::new()
        .with_min_segment_size(10)
        .draft(&profiles)
        .unwrap();
    let main = &p.personas[0];
    assert!(main.mainstream && !p.personas[1].mainstream);
    assert!(
        main.summary.contains("is the mainstream: 90% of customers"),
        "{}",
        main.summary
    );
    assert!(
        main.summary.contains("compared with the other customers"),
        "{}",
        main.summary
    );
    let e = &main.traits[0].evidence[0];
    assert_eq!(e.versus, Versus::OtherCustomers);
    let own: f64 = values[..90].iter().sum::<f64>() / 90.0;
    assert!((e.segment_value - own).abs() < 1e-9);
    assert!((e.population_value - 30.0).abs() < 1e-9, "{e:?}");
    assert!(e.effect < -0.5);
}

#[test]
fn bad_options_are_rejected() {
    let pr = profiles(split_labels());
    assert!(Drafter::new().with_min_effect(-1.0).draft(&pr).is_err());
    assert!(Drafter::new().with_min_lift(0.5).draft(&pr).is_err());
    assert!(Drafter::new()
        .with_first_names(Vec::<String>::new())
        .draft(&pr)
        .is_err());
}
