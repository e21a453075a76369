//! From order lines to customers, RFM cells and personas: on the CDNOW and Superstore order
//! histories of `../shared/data` (skipped, with a printed reason, when that folder is absent,
//! unless `PERSONAS_REQUIRE_DATA=1`), every aggregate number recomputed here with plain code,
//! every persona number by the independent checker of `common::evidence`. The policies and bad
//! input, on small files written for them, are in `transactions_policies.rs`.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use common::evidence::{self, parse_date, RawCsv, SchemaJson};
use common::shared;
use personas::transactions::{names, Aggregate, ColumnRole, Rfm, RfmCells, TransactionOptions};
use personas::Encoder;
use personas::{Column, Drafter, KMeans, Profiles, Schema};

/// A numeric column of the aggregate by customer id.
fn by_id(aggregate: &Aggregate, name: &str) -> HashMap<String, Option<f64>> {
    let Some(Column::Numeric(values)) = aggregate.table().column(name) else {
        panic!("no numeric column {name}");
    };
    aggregate
        .table()
        .ids()
        .iter()
        .map(str::to_string)
        .zip(values.iter())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

// ---------------------------------------------------------------------------------------------
// An independent aggregation: plain code over the raw lines, sharing nothing with the crate.

/// One order line as this test reads it.
struct Line {
    customer: String,
    day: f64,
    amount: f64,
    order: Option<String>,
    category: Option<String>,
    quantity: Option<f64>,
    discount: Option<f64>,
}

/// Per customer, the aggregate's attributes by name, computed from the lines: purchases are lines
/// with a non-negative amount; orders are distinct order ids (else distinct days).
fn aggregate_by_hand(lines: &[Line], reference: f64) -> BTreeMap<String, BTreeMap<String, f64>> {
    #[derive(Default)]
    struct Acc {
        days: Vec<f64>,
        orders: BTreeSet<String>,
        discounted: BTreeSet<String>,
        spend: f64,
        returns: f64,
        items: f64,
        category: BTreeMap<String, f64>,
    }
    let mut accs: BTreeMap<String, Acc> = BTreeMap::new();
    let mut categories = BTreeSet::new();
    for l in lines {
        let a = accs.entry(l.customer.clone()).or_default();
        if l.amount < 0.0 {
            a.returns += l.amount;
            continue;
        }
        a.days.push(l.day);
        let order = l
            .order
            .clone()
            .unwrap_or_else(|| format!("day {}", l.day.floor()));
        if l.discount.is_some_and(|d| d > 0.0) {
            a.discounted.insert(order.clone());
        }
        a.orders.insert(order);
        a.spend += l.amount;
        a.items += l.quantity.unwrap_or(0.0);
        if let Some(c) = &l.category {
            categories.insert(c.clone());
            *a.category.entry(c.clone()).or_default() += l.amount;
        }
    }
    accs.into_iter()
        .map(|(id, a)| {
            let first = a.days.iter().copied().fold(f64::INFINITY, f64::min);
            let last = a.days.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let orders = a.orders.len() as f64;
            let monetary = a.spend + a.returns;
            let mut row = BTreeMap::new();
            row.insert(names::RECENCY.to_string(), reference - last);
            row.insert(names::FREQUENCY.to_string(), orders);
            row.insert(names::MONETARY.to_string(), monetary);
            row.insert(names::AVERAGE_ORDER_VALUE.to_string(), monetary / orders);
            row.insert(names::TENURE.to_string(), reference - first);
            if orders > 1.0 {
                row.insert(names::INTERVAL.to_string(), (last - first) / (orders - 1.0));
            }
            row.insert(names::ITEMS_PER_ORDER.to_string(), a.items / orders);
            row.insert(
                names::DISCOUNT_SHARE.to_string(),
                a.discounted.len() as f64 / orders,
            );
            for c in &categories {
                let slug = c.to_lowercase().replace(' ', "_");
                row.insert(
                    format!("{}{slug}", names::CATEGORY_SHARE_PREFIX),
                    a.category.get(c).copied().unwrap_or(0.0) / a.spend,
                );
            }
            (id, row)
        })
        .collect()
}

/// The hand-made aggregate as the raw customer CSV the evidence checker reads: one row per
/// customer in the crate's table order (the labels follow it), one column per schema attribute.
fn raw_customers(
    schema: &Schema,
    ids: &personas::Ids,
    by_hand: &BTreeMap<String, BTreeMap<String, f64>>,
) -> RawCsv {
    let header: Vec<String> = schema.attributes().iter().map(|a| a.name.clone()).collect();
    let rows = ids
        .iter()
        .map(|id| {
            let row = &by_hand[id];
            header
                .iter()
                .map(|h| {
                    if h == names::CUSTOMER {
                        id.to_string()
                    } else {
                        row.get(h).map_or(String::new(), |x| format!("{x:?}"))
                    }
                })
                .collect()
        })
        .collect();
    RawCsv { header, rows }
}

/// Drafts personas for a segmentation of the aggregate and has the independent checker
/// recompute every number from the hand-made aggregate; returns the personas.
fn draft_and_check(
    aggregate: &Aggregate,
    segmentation: &personas::Segmentation,
    drafter: Drafter,
    by_hand: &BTreeMap<String, BTreeMap<String, f64>>,
) -> personas::Personas {
    let profiles = Profiles::new(aggregate.table(), segmentation).unwrap();
    let personas = drafter.draft(&profiles).unwrap();
    let mut labels = Vec::new();
    segmentation
        .write_labels_csv(aggregate.table().ids(), &mut labels)
        .unwrap();
    let raw = raw_customers(aggregate.schema(), aggregate.table().ids(), by_hand);
    let report = evidence::check(
        &raw,
        &SchemaJson::parse(&aggregate.schema().to_json().unwrap()),
        &personas.to_json().unwrap(),
        &String::from_utf8(labels).unwrap(),
    );
    assert_eq!(report.personas, segmentation.n_segments());
    assert!(report.claims > 10, "{report:?}");
    personas
}

/// Every attribute named by the evidence of any claim of any persona.
fn evidence_attributes(personas: &personas::Personas) -> BTreeSet<String> {
    personas
        .personas
        .iter()
        .flat_map(|p| personas::persona::statements(p))
        .filter(|(list, _)| *list != "demographics" && *list != "firmographics")
        .flat_map(|(_, s)| s.evidence.iter().map(|e| e.attribute.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// CDNOW

/// The CDNOW master file's lines: `customer_id date(yyyymmdd) number_of_cds dollar_value`.
fn cdnow_lines(path: &std::path::Path) -> Vec<Line> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Line {
                customer: f[0].to_string(),
                day: parse_date(f[1], "ymd_compact").unwrap(),
                amount: f[3].parse().unwrap(),
                order: None,
                category: None,
                quantity: Some(f[2].parse().unwrap()),
                discount: None,
            }
        })
        .collect()
}

#[test]
fn cdnow_frequency_recency_and_tenure_agree_with_the_published_summary() {
    let (Some(master), Some(sample), Some(summary)) = (
        shared("cdnow/CDNOW_master.txt"),
        shared("cdnow/CDNOW_sample.txt"),
        shared("cdnow/cdnow_customers_summary.csv"),
    ) else {
        return;
    };
    // `cdnow_customers_summary.csv` is the lifetimes package's summary of the 1/10 sample
    // (`CDNOW_sample.txt`: master id, sample id, date, CDs, dollars), observed up to 1997-09-30
    // (T of the customers who joined on 1997-01-01 is 38.86 weeks = 272 days). Its definitions,
    // against the aggregate's:
    //   frequency = repeat purchase days = distinct purchase days - 1 = frequency_orders - 1
    //               (CDNOW has no order id, so orders are distinct purchase days);
    //   recency   = weeks from the first to the last purchase = (tenure_days - recency_days) / 7;
    //   T         = weeks from the first purchase to the end = tenure_days / 7;
    // recency and T are rounded to two decimals.
    let options = TransactionOptions::new().with_reference_date("1997-09-30");
    let aggregate = Aggregate::from_path(&master, &options).unwrap();
    let report = aggregate.report();
    assert_eq!(report.lines, 69_659);
    let end = parse_date("19970930", "ymd_compact").unwrap();
    let after = cdnow_lines(&master).iter().filter(|l| l.day > end).count();
    assert!(after > 10_000);
    assert_eq!(report.after_reference, after, "{report}");
    let master_of: HashMap<String, String> = std::fs::read_to_string(&sample)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[1].trim_start_matches('0').to_string(), f[0].to_string())
        })
        .collect();
    let frequency = by_id(&aggregate, names::FREQUENCY);
    let recency = by_id(&aggregate, names::RECENCY);
    let tenure = by_id(&aggregate, names::TENURE);
    let summary = RawCsv::read(&summary);
    assert_eq!(summary.header, ["ID", "frequency", "recency", "T"]);
    let mut compared = 0;
    for row in &summary.rows {
        let id = &master_of[&row[0]];
        let f = frequency[id].unwrap();
        let (r, t) = (recency[id].unwrap(), tenure[id].unwrap());
        let want: Vec<f64> = row[1..].iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(f - 1.0, want[0], "customer {id} frequency");
        assert!(
            ((t - r) / 7.0 - want[1]).abs() <= 0.005 + 1e-9,
            "customer {id}: recency {} weeks vs {}",
            (t - r) / 7.0,
            want[1]
        );
        assert!(
            (t / 7.0 - want[2]).abs() <= 0.005 + 1e-9,
            "customer {id}: T {} weeks vs {}",
            t / 7.0,
            want[2]
        );
        compared += 1;
    }
    assert_eq!(compared, 2357);
}

#[test]
fn cdnow_rfm_cells_have_the_expected_shape_and_personas_pass_the_checker() {
    let Some(master) = shared("cdnow/CDNOW_master.txt") else {
        return;
    };
    let aggregate = Aggregate::from_path(&master, &TransactionOptions::new()).unwrap();
    let report = aggregate.report().to_string();
    println!("{report}");
    assert_eq!(aggregate.table().n_customers(), 23_570);
    assert!(report.contains("whitespace-separated"), "{report}");
    assert!(report.contains("customer  `customer_id`"), "{report}");
    assert!(report.contains("dates read as yyyymmdd"), "{report}");
    let lines = cdnow_lines(&master);
    let reference = lines
        .iter()
        .map(|l| l.day)
        .fold(f64::NEG_INFINITY, f64::max);
    let by_hand = aggregate_by_hand(&lines, reference);
    assert_eq!(by_hand.len(), 23_570);

    let rfm = Rfm::new(&aggregate, &RfmCells::builtin()).unwrap();
    let summary = rfm.summary();
    for cell in summary {
        println!(
            "{:<20} {:>6} customers ({:>5.1}%), {:>5.1}% of revenue",
            cell.name,
            cell.customers,
            cell.customer_share * 100.0,
            cell.revenue_share * 100.0
        );
    }
    assert_eq!(
        summary.iter().map(|c| c.customers).sum::<usize>(),
        23_570,
        "every customer is in a cell"
    );
    let champions = summary.iter().find(|c| c.name == "Champions").unwrap();
    assert!(champions.customer_share < 0.15, "{champions:?}");
    assert!(champions.revenue_share > 0.4, "{champions:?}");
    assert!(champions.revenue_share > 3.0 * champions.customer_share);
    // The customers and revenue of each cell, recomputed from the lines and the cell table.
    let cells = RfmCells::builtin();
    let mut per_name: HashMap<&str, (usize, f64)> = HashMap::new();
    for (id, score) in aggregate.table().ids().iter().zip(rfm.scores()) {
        let name = cells.cells()[cells.cell_of(*score).unwrap()].name.as_str();
        let entry = per_name.entry(name).or_default();
        entry.0 += 1;
        entry.1 += by_hand[id][names::MONETARY];
    }
    for (i, cell) in summary.iter().enumerate() {
        assert_eq!(cell.segment, i);
        let (customers, revenue) = per_name[cell.name.as_str()];
        assert_eq!(customers, cell.customers, "{}", cell.name);
        assert!(
            close(revenue, cell.revenue),
            "{}: {revenue} vs {}",
            cell.name,
            cell.revenue
        );
    }
    assert_eq!(per_name.len(), summary.len());

    let drafter = Drafter::new().with_segment_names(rfm.names().iter().cloned());
    let personas = draft_and_check(&aggregate, rfm.segmentation(), drafter, &by_hand);
    assert_eq!(personas.domain.domain.as_str(), "retail");
    for (persona, name) in personas.personas.iter().zip(rfm.names()) {
        assert_eq!(&persona.name, name);
    }
    let champions = personas
        .personas
        .iter()
        .find(|p| p.name == "Champions")
        .unwrap();
    assert!(champions.value_share.unwrap() > 0.4);
    assert!(champions.value_note.is_some(), "{champions:?}");
    let used = evidence_attributes(&personas);
    for attribute in [
        names::RECENCY,
        names::FREQUENCY,
        names::MONETARY,
        names::TENURE,
    ] {
        assert!(
            used.contains(attribute),
            "no statement on {attribute}: {used:?}"
        );
    }
    let texts: Vec<String> = personas
        .personas
        .iter()
        .flat_map(|p| personas::persona::statements(p))
        .map(|(_, s)| s.text.clone())
        .collect();
    for wanted in [
        "Has not bought for longer than most customers",
        "Bought recently: still an active customer",
    ] {
        assert!(texts.iter().any(|t| t == wanted), "{wanted}: {texts:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Superstore

fn superstore_lines(path: &std::path::Path) -> Vec<Line> {
    let raw = RawCsv::read(path);
    let col = |name: &str| raw.header.iter().position(|h| h == name).unwrap();
    let (order, date, customer, category, sales, quantity, discount) = (
        col("Order ID"),
        col("Order Date"),
        col("Customer ID"),
        col("Category"),
        col("Sales"),
        col("Quantity"),
        col("Discount"),
    );
    raw.rows
        .iter()
        .map(|r| Line {
            customer: r[customer].clone(),
            day: parse_date(&r[date], "ymd").unwrap(),
            amount: r[sales].parse().unwrap(),
            order: Some(r[order].clone()),
            category: Some(r[category].clone()),
            quantity: Some(r[quantity].parse().unwrap()),
            discount: Some(r[discount].parse().unwrap()),
        })
        .collect()
}

#[test]
fn superstore_aggregate_agrees_with_an_independent_computation_and_personas_pass_the_checker() {
    let Some(path) = shared("superstore/superstore.csv") else {
        return;
    };
    let aggregate = Aggregate::from_path(&path, &TransactionOptions::new()).unwrap();
    let report = aggregate.report();
    println!("{report}");
    let chosen: Vec<(ColumnRole, &str)> = report
        .columns
        .iter()
        .map(|c| (c.role, c.column.as_str()))
        .collect();
    assert_eq!(
        chosen,
        [
            (ColumnRole::Customer, "Customer ID"),
            (ColumnRole::Date, "Order Date"),
            (ColumnRole::Amount, "Sales"),
            (ColumnRole::OrderId, "Order ID"),
            (ColumnRole::Category, "Category"),
            (ColumnRole::Quantity, "Quantity"),
            (ColumnRole::Discount, "Discount"),
        ]
    );
    assert_eq!((report.lines, report.purchase_lines), (9_994, 9_994));
    let lines = superstore_lines(&path);
    let reference = lines
        .iter()
        .map(|l| l.day)
        .fold(f64::NEG_INFINITY, f64::max);
    let by_hand = aggregate_by_hand(&lines, reference);
    assert_eq!(aggregate.table().n_customers(), 793);
    assert_eq!(by_hand.len(), 793);
    // First appearance order.
    let mut first_seen: Vec<&str> = Vec::new();
    for l in &lines {
        if !first_seen.contains(&l.customer.as_str()) {
            first_seen.push(&l.customer);
        }
    }
    assert_eq!(aggregate.table().ids(), first_seen.as_slice());
    let mut compared = 0;
    for attribute in aggregate.schema().attributes().iter().skip(1) {
        let mine = by_id(&aggregate, &attribute.name);
        for (id, row) in &by_hand {
            match (mine[id], row.get(&attribute.name)) {
                (Some(a), Some(&b)) => {
                    assert!(close(a, b), "{id} {}: {a} vs {b}", attribute.name)
                }
                (None, None) => {}
                (a, b) => panic!("{id} {}: {a:?} vs {b:?}", attribute.name),
            }
            compared += 1;
        }
    }
    assert_eq!(
        compared,
        793 * 11,
        "7 measures, items, discount, 3 categories"
    );

    // Personas of k-means segments on the aggregate: mix and discount statements, exact evidence.
    let features = Encoder::new()
        .fit(aggregate.table())
        .unwrap()
        .transform(aggregate.table())
        .unwrap();
    let segmentation = KMeans::new(4)
        .with_seed(11)
        .segment(features.view())
        .unwrap();
    let personas = draft_and_check(&aggregate, &segmentation, Drafter::new(), &by_hand);
    let used = evidence_attributes(&personas);
    assert!(
        used.iter()
            .any(|a| a.starts_with(names::CATEGORY_SHARE_PREFIX)),
        "no category mix statement: {used:?}"
    );
    // RFM cells on the same aggregate.
    let rfm = Rfm::new(&aggregate, &RfmCells::builtin()).unwrap();
    let drafter = Drafter::new().with_segment_names(rfm.names().iter().cloned());
    let personas = draft_and_check(&aggregate, rfm.segmentation(), drafter, &by_hand);
    let used_rfm = evidence_attributes(&personas);
    for attribute in [names::RECENCY, names::FREQUENCY, names::MONETARY] {
        assert!(
            used_rfm.contains(attribute) || used.contains(attribute),
            "no statement on {attribute}: {used_rfm:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Policies on small files
