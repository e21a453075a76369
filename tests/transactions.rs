//! From order lines to customers, RFM cells and personas: on the CDNOW and Superstore order
//! histories of `../shared/data` (skipped, with a printed reason, when that folder is absent,
//! unless `PERSONAS_REQUIRE_DATA=1`), every aggregate number recomputed here with plain code,
//! every persona number by the independent checker of `common::evidence`; and on small files
//! written here, each policy and each bad input.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use common::evidence::{self, parse_date, RawCsv, SchemaJson};
use common::shared;
use personas::transactions::{names, Aggregate, ColumnRole, Rfm, RfmCells, TransactionOptions};
use personas::Encoder;
use personas::{Column, CsvOptions, CustomerTable, Drafter, Error, KMeans, Profiles, Schema};

/// A numeric column of the aggregate by customer id.
fn by_id(aggregate: &Aggregate, name: &str) -> HashMap<String, Option<f64>> {
    let Some(Column::Numeric(values)) = aggregate.table().column(name) else {
        panic!("no numeric column {name}");
    };
    aggregate
        .table()
        .ids()
        .iter()
        .cloned()
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
    ids: &[String],
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
                        id.clone()
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

fn read(text: &str) -> personas::Result<Aggregate> {
    Aggregate::from_reader(text.as_bytes(), &TransactionOptions::new())
}

fn value(aggregate: &Aggregate, name: &str, id: &str) -> Option<f64> {
    by_id(aggregate, name)[id]
}

#[test]
fn returns_zero_quantities_and_return_only_customers_follow_the_policy() {
    let a = read(
        "customer,date,amount,qty\n\
         ann,2024-01-01,100,2\n\
         ann,2024-01-01,50,1\n\
         ann,2024-01-11,-30,-1\n\
         ann,2024-01-21,20,0\n\
         bob,2024-01-05,-10,1\n\
         ann,2024-01-31,10,1\n\
         cy,2024-01-10,0,1\n",
    )
    .unwrap();
    // bob has only a return: not in the table, counted.
    assert_eq!(a.table().ids(), ["ann", "cy"]);
    let r = a.report();
    assert_eq!(r.return_only_customers, 1);
    assert_eq!((r.return_lines, r.zero_quantity_lines), (2, 1));
    assert_eq!(r.purchase_lines, 4);
    // ann: orders on 01-01 (two lines) and 01-31; the return is subtracted, not an order.
    assert_eq!(value(&a, names::FREQUENCY, "ann"), Some(2.0));
    assert_eq!(value(&a, names::MONETARY, "ann"), Some(130.0));
    assert_eq!(value(&a, names::AVERAGE_ORDER_VALUE, "ann"), Some(65.0));
    assert_eq!(value(&a, names::ITEMS_PER_ORDER, "ann"), Some(2.0));
    assert_eq!(value(&a, names::INTERVAL, "ann"), Some(30.0));
    // The reference is the last date in the file (01-31), returns and skipped lines aside.
    assert_eq!(value(&a, names::RECENCY, "ann"), Some(0.0));
    assert_eq!(value(&a, names::TENURE, "ann"), Some(30.0));
    // cy: one free order; no interval for one order.
    assert_eq!(value(&a, names::MONETARY, "cy"), Some(0.0));
    assert_eq!(value(&a, names::INTERVAL, "cy"), None);
    assert_eq!(value(&a, names::RECENCY, "cy"), Some(21.0));
    let text = r.to_string();
    assert!(text.contains("1 customers with returns only"), "{text}");
    assert!(
        text.contains("Left out 1 lines with a quantity of zero"),
        "{text}"
    );
}

#[test]
fn only_returns_in_the_whole_file_is_an_error() {
    let err = read("customer,date,amount\na,2024-01-01,-5\nb,2024-01-02,-1\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::NoPurchases {
                lines: 2,
                returns: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn orders_are_order_ids_where_there_are_any_else_days() {
    let with_ids = read(
        "invoice,customer,date,amount,discount\n\
         i1,a,2024-01-01,1,0\n\
         i2,a,2024-01-01,1,0.2\n\
         i2,a,2024-01-01,1,0\n\
         ,a,2024-01-03,1,0\n\
         ,a,2024-01-03,1,0\n\
         i3,b,2024-01-01,1,yes\n",
    )
    .unwrap();
    // i1, i2, and the day order of 01-03 for the lines without an id.
    assert_eq!(value(&with_ids, names::FREQUENCY, "a"), Some(3.0));
    assert_eq!(
        value(&with_ids, names::DISCOUNT_SHARE, "a"),
        Some(1.0 / 3.0)
    );
    assert_eq!(value(&with_ids, names::DISCOUNT_SHARE, "b"), Some(1.0));
    assert!(with_ids.report().orders_by_id);
    let by_days =
        read("customer,date,amount\na,2024-01-01 10:00,1\na,2024-01-01 18:00,1\n").unwrap();
    assert_eq!(value(&by_days, names::FREQUENCY, "a"), Some(1.0));
}

#[test]
fn a_reference_date_counts_days_to_it_and_leaves_later_lines_out() {
    let options = TransactionOptions::new().with_reference_date("2024-02-01");
    let a = Aggregate::from_reader(
        "customer,date,amount\na,2024-01-01,1\na,2024-03-01,5\nb,2024-03-02,1\n".as_bytes(),
        &options,
    )
    .unwrap();
    assert_eq!(a.table().ids(), ["a"]);
    assert_eq!(value(&a, names::RECENCY, "a"), Some(31.0));
    assert_eq!(value(&a, names::MONETARY, "a"), Some(1.0));
    assert_eq!(a.report().after_reference, 2);
    let bad = TransactionOptions::new().with_reference_date("yesterday");
    let err = Aggregate::from_reader("customer,date,amount\na,2024-01-01,1\n".as_bytes(), &bad)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
}

#[test]
fn channel_and_category_mixes_are_shares_of_orders_and_of_spend() {
    let a = read(
        "order_id;customer;date;amount;channel;category\n\
         1;a;01/02/2024;10,5;web;Books\n\
         1;a;01/02/2024;9,5;web;Music\n\
         2;a;15/02/2024;20;store;Books\n\
         3;a;16/02/2024;40;web;Books\n\
         4;b;16/02/2024;5;app;Music\n",
    )
    .unwrap();
    let r = a.report();
    assert_eq!(r.delimiter, Some(b';'));
    assert_eq!(r.date_format, personas::DateFormat::Dmy);
    assert_eq!(value(&a, "channel_share_web", "a"), Some(2.0 / 3.0));
    assert_eq!(value(&a, "channel_share_store", "a"), Some(1.0 / 3.0));
    assert_eq!(value(&a, "channel_share_app", "a"), Some(0.0));
    assert_eq!(value(&a, "category_share_books", "a"), Some(70.5 / 80.0));
    assert_eq!(value(&a, "category_share_music", "b"), Some(1.0));
    let label = &a.schema().get("channel_share_web").unwrap().label;
    assert_eq!(label.as_deref(), Some("Share in channel web"));
}

#[test]
fn lines_without_a_customer_date_or_amount_are_left_out_and_counted() {
    let a = read(
        "customer,date,amount\n\
         a,2024-01-01,1\n\
         NA,2024-01-01,1\n\
         b,,1\n\
         c,2024-01-01,\n",
    )
    .unwrap();
    assert_eq!(a.table().ids(), ["a"]);
    assert_eq!(a.report().missing, [1, 1, 1]);
}

#[test]
fn a_customer_attribute_table_joins_on_the_id() {
    let a = read("customer,date,amount\na,2024-01-01,1\nb,2024-01-02,2\nc,2024-01-03,3\n").unwrap();
    let schema = Schema::from_json(
        r#"{"attributes": [
            {"name": "id", "kind": "categorical", "role": "identifier"},
            {"name": "age", "kind": "numeric", "facet": "demographic"},
            {"name": "region", "kind": "categorical", "facet": "geographic"},
            {"name": "joined", "kind": "date", "format": "dmy", "role": "descriptor"}
        ]}"#,
    )
    .unwrap();
    let people = CustomerTable::from_csv_reader(
        "id,age,region,joined\nb,40,north,02-01-2020\na,30,south,\nz,50,north,01-01-2020\n"
            .as_bytes(),
        &schema,
        &CsvOptions::new(),
    )
    .unwrap();
    let joined = a.join(&people).unwrap();
    assert_eq!(joined.table().ids(), ["a", "b", "c"]);
    assert_eq!(value(&joined, "age", "a"), Some(30.0));
    assert_eq!(value(&joined, "age", "c"), None);
    assert_eq!(
        value(&joined, "joined", "b"),
        personas::DateFormat::Ymd.parse("2020-01-02")
    );
    let Some(Column::Levels(region)) = joined.table().column("region") else {
        panic!("region");
    };
    assert_eq!(region.levels()[region.get(1).unwrap() as usize], "north");
    let summary = joined.report().join.unwrap();
    assert_eq!(
        (
            summary.matched,
            summary.without_attributes,
            summary.without_orders
        ),
        (2, 1, 1)
    );
    // A name the aggregate computes cannot be joined.
    let clash = Schema::from_json(
        r#"{"attributes": [{"name": "id", "kind": "categorical", "role": "identifier"},
                           {"name": "tenure_days", "kind": "numeric"}]}"#,
    )
    .unwrap();
    let other = CustomerTable::from_csv_reader(
        "id,tenure_days\na,1\n".as_bytes(),
        &clash,
        &CsvOptions::new(),
    )
    .unwrap();
    let a = read("customer,date,amount\na,2024-01-01,1\n").unwrap();
    assert!(matches!(a.join(&other), Err(Error::InvalidSchema { .. })));
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn a_file_without_a_customer_date_or_amount_column_names_what_is_missing() {
    for (text, role) in [
        ("when,amount\n2024-01-01,1\n", "customer"),
        ("customer,amount\na,1\n", "date"),
        ("customer,date,note\na,2024-01-01,hello\n", "amount"),
    ] {
        let err = read(text).unwrap_err();
        assert!(
            matches!(&err, Error::NoTransactionColumn { role: r, .. } if *r == role),
            "{text}: {err}"
        );
        let message = err.to_string();
        assert!(message.contains(&format!("--{role}-col")), "{message}");
    }
    // A column named by the caller that the file lacks.
    let options = TransactionOptions::new().with_amount_column("price");
    let err = Aggregate::from_reader(
        "customer,date,amount\na,2024-01-01,1\n".as_bytes(),
        &options,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::NamedColumnMissing { role: "amount", ref column, .. } if column == "price")
    );
    assert!(err.to_string().contains("--amount-col"), "{err}");
    let options = TransactionOptions::new()
        .with_column(personas::transactions::ColumnRole::OrderId, "basket");
    let err = Aggregate::from_reader(
        "customer,date,amount
a,2024-01-01,1
"
        .as_bytes(),
        &options,
    )
    .unwrap_err();
    assert!(err.to_string().contains("--order-col"), "{err}");
}

#[test]
fn an_unparseable_date_names_its_row_column_and_value() {
    let err = read("customer,date,amount\na,2024-01-01,1\nb,2024-13-45,2\n").unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 2, column, value, .. }
            if column == "date" && value == "2024-13-45"),
        "{err}"
    );
    // Beyond the lines read ahead, in the full pass.
    let mut text = String::from("customer,date,amount\n");
    for i in 0..5_000 {
        text.push_str(&format!("c{i},2024-01-02,1\n"));
    }
    text.push_str("late,2024-02-30,1\n");
    let err = read(&text).unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 5_001, column, .. } if column == "date"),
        "{err}"
    );
    assert!(err.to_string().contains("yyyy-mm-dd"), "{err}");
}

#[test]
fn text_in_the_amount_column_names_its_row_and_a_shortened_value() {
    let options = TransactionOptions::new().with_amount_column("amount");
    let err = Aggregate::from_reader(
        "customer,date,amount\na,2024-01-01,12\nb,2024-01-02,twelve\n".as_bytes(),
        &options,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 2, column, value, .. }
            if column == "amount" && value == "twelve"),
        "{err}"
    );
    let mut text = String::from("customer,date,amount\n");
    for i in 0..3_000 {
        text.push_str(&format!("c{i},2024-01-02,1.5\n"));
    }
    text.push_str(&format!("x,2024-01-02,{}\n", "abc".repeat(10_000)));
    let err = read(&text).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("row 3001, column `amount`"),
        "{message}"
    );
    assert!(
        message.contains("(30000 characters)") && message.len() < 400,
        "{message}"
    );
}

#[test]
fn malformed_files_are_errors_not_panics() {
    assert!(matches!(read(""), Err(Error::EmptyInput)));
    assert!(matches!(read("customer,date,amount\n"), Err(Error::NoRows)));
    assert!(matches!(
        read("customer,date,amount\na,2024-01-01,1\nb,2024-01-01\n"),
        Err(Error::RaggedRow { row: 2, .. })
    ));
    let ragged = " customer_id date number_of_cds dollar_value\n 1 19970101 1 2.5\n 2 19970101 1\n";
    assert!(matches!(
        read(ragged),
        Err(Error::RaggedRow {
            row: 2,
            expected: 4,
            found: 3
        })
    ));
    let quantity =
        read("customer,date,amount,quantity\na,2024-01-01,1,2\nb,2024-01-01,1,many\n").unwrap_err();
    assert!(matches!(quantity, Error::WrongType { .. }), "{quantity}");
    // Bytes that are not UTF-8 in a cell.
    let mut bytes = b"customer,date,amount\n".to_vec();
    bytes.extend_from_slice(b"\xff\xfe,2024-01-01,1\n");
    let err = Aggregate::from_reader(bytes.as_slice(), &TransactionOptions::new()).unwrap_err();
    assert!(matches!(err, Error::NotUtf8 { row: 1, .. }), "{err}");
}

#[test]
fn aggregation_is_the_same_whatever_the_thread_count() {
    let mut text = String::from("order,customer,date,amount,category\n");
    for i in 0..300_000u64 {
        let c = (i * 7919) % 5_000;
        text.push_str(&format!(
            "o{},{c},2024-{:02}-{:02},{}.{:02},cat{}\n",
            i / 3,
            1 + i % 12,
            1 + i % 28,
            i % 97,
            i % 100,
            i % 4
        ));
    }
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| read(&text).unwrap())
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.table(), two.table());
    assert_eq!(one.table().n_customers(), 5_000);
    assert_eq!(one.report(), two.report());
}
