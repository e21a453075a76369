//! Order lines through `transactions`: the documented policies (returns, zero quantities,
//! orders, reference dates, mixes, missing cells, joins), bad input, and thread independence.

use personas::transactions::{names, Aggregate, TransactionOptions};
use personas::{Column, CsvOptions, CustomerTable, Error, Schema};

/// A numeric column of the aggregate by customer id.
fn by_id(aggregate: &Aggregate, name: &str) -> std::collections::HashMap<String, Option<f64>> {
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

#[test]
fn a_lone_last_date_a_year_after_the_rest_is_reported_as_a_possible_typo() {
    let lines = "customer,date,amount\na,2024-01-05,10\nb,2024-02-01,20\na,2024-03-01,5\n";
    let plain = read(lines).unwrap();
    assert_eq!(plain.report().date_before_last, None);
    assert!(!plain.report().to_string().contains("warning"));
    let typo = format!("{lines}b,2099-03-01,7\n");
    let aggregate = read(&typo).unwrap();
    let report = aggregate.report();
    assert_eq!(
        report.date_before_last,
        personas::dates::day_number(2024, 3, 1).map(|d| d as f64)
    );
    let text = report.to_string();
    assert!(
        text.contains("warning: the last date, 2099-03-01"),
        "{text}"
    );
    assert!(text.contains("2024-03-01"), "{text}");
    // Given a reference date, the line falls after it and there is nothing to warn about.
    let options = TransactionOptions::new().with_reference_date("2024-03-31");
    let given = Aggregate::from_reader(typo.as_bytes(), &options).unwrap();
    assert!(
        !given.report().to_string().contains("warning"),
        "{}",
        given.report()
    );
}
