//! Hostile and messy customer files through inference and loading: what must hold on any file.
//! Nothing is dropped silently, every bad value is named with its row and column, and the
//! result does not depend on how the file is cut into chunks or on the thread count.

use personas::{
    AttributeKind, Column, CsvOptions, CustomerTable, Encoder, Error, InferOptions, Inference,
    Role, Schema, MAX_LEVEL_BYTES,
};

fn infer(csv: &str) -> Inference {
    Inference::from_csv_reader(csv.as_bytes(), &CsvOptions::new()).expect("inference")
}

/// Loads `csv` with the schema inference wrote for it.
fn load(csv: impl AsRef<str>, inference: &Inference) -> personas::Result<CustomerTable> {
    CustomerTable::from_csv_reader(
        csv.as_ref().as_bytes(),
        inference.schema(),
        &CsvOptions::new(),
    )
}

fn numbers(table: &CustomerTable, name: &str) -> Vec<Option<f64>> {
    match table.column(name) {
        Some(Column::Numeric(v)) => v.iter().collect(),
        other => panic!("{name}: not numeric: {other:?}"),
    }
}

/// A file of `rows` customers whose `spend` is a number except at `stray_row` (1-based).
fn file_with_stray(rows: usize, stray_row: usize, stray: &str) -> String {
    let mut csv = String::from("customer_id,spend,visits\n");
    for r in 1..=rows {
        let spend = if r == stray_row {
            stray.to_string()
        } else {
            format!("{}.5", r % 97)
        };
        csv.push_str(&format!("c{r},{spend},{}\n", r % 13));
    }
    csv
}

#[test]
fn one_stray_text_in_a_numeric_column_is_named_and_read_as_missing() {
    let csv = file_with_stray(2_000, 1_234, "abc");
    let inference = infer(&csv);
    let spend = inference.schema().get("spend").unwrap();
    assert_eq!(spend.kind.name(), "numeric", "the column stays numeric");
    assert_ne!(spend.role, Role::Ignored, "the column is not dropped");
    let guess = inference
        .guesses()
        .iter()
        .find(|g| g.attribute == "spend")
        .unwrap();
    assert!(
        guess.reason.contains("abc") && guess.reason.contains("1234"),
        "{}",
        guess.reason
    );
    let table = load(csv, &inference).unwrap();
    let spend = numbers(&table, "spend");
    assert_eq!(spend.len(), 2_000, "every row is kept");
    assert_eq!(spend[1_233], None);
    assert_eq!(spend.iter().filter(|v| v.is_none()).count(), 1);
}

#[test]
fn a_stray_text_outside_the_sample_stops_the_load_with_its_row() {
    // With a sample of 50 rows, a stray at a row the sample did not draw is met only when the
    // table is loaded: the load stops and names it. If the sample did draw it, the report names
    // it. Either way it is never dropped silently.
    let csv = file_with_stray(3_000, 2_718, "n.a.");
    let options = InferOptions::new().with_sample_rows(50);
    let inference =
        Inference::from_csv_reader_with(csv.as_bytes(), &CsvOptions::new(), &options).unwrap();
    assert_eq!(
        inference.schema().get("spend").unwrap().kind.name(),
        "numeric"
    );
    assert!(
        inference
            .notes()
            .iter()
            .any(|n| n.contains("50 of the 3000")),
        "{:?}",
        inference.notes()
    );
    let reason = &inference
        .guesses()
        .iter()
        .find(|g| g.attribute == "spend")
        .unwrap()
        .reason;
    let loaded = load(csv, &inference);
    if reason.contains("n.a.") {
        let table = loaded.unwrap();
        assert_eq!(numbers(&table, "spend")[2_717], None);
    } else {
        match loaded {
            Err(Error::WrongType {
                row, column, value, ..
            }) => {
                assert_eq!(
                    (row, column.as_str(), value.as_str()),
                    (2_718, "spend", "n.a.")
                );
            }
            other => panic!("expected the stray to stop the load, got {other:?}"),
        }
    }
}

#[test]
fn numbers_written_with_currency_percent_and_separators_are_numbers() {
    let csv = "id,price,discount,balance\n\
               a,\"$1,200\",12%,(350)\n\
               b,$80,5%,#N/A\n\
               c,\"$2,500.50\",-,1200\n\
               d,$15,0%,75\n";
    let inference = infer(csv);
    for name in ["price", "discount", "balance"] {
        assert_eq!(
            inference.schema().get(name).unwrap().kind.name(),
            "numeric",
            "{name}: {inference}"
        );
    }
    let table = load(csv, &inference).unwrap();
    assert_eq!(
        numbers(&table, "price"),
        [Some(1200.0), Some(80.0), Some(2500.5), Some(15.0)]
    );
    assert_eq!(
        numbers(&table, "discount"),
        [Some(12.0), Some(5.0), None, Some(0.0)]
    );
    assert_eq!(
        numbers(&table, "balance"),
        [Some(-350.0), None, Some(1200.0), Some(75.0)]
    );
}

#[test]
fn decimal_commas_are_read_in_files_not_delimited_by_commas() {
    let csv = "id;income;score\na;16558,0;1,5\nb;1.234,5;2,25\nc;900;3\n";
    let inference = infer(csv);
    let table = load(csv, &inference).unwrap();
    assert_eq!(
        numbers(&table, "income"),
        [Some(16558.0), Some(1234.5), Some(900.0)]
    );
    assert_eq!(numbers(&table, "score"), [Some(1.5), Some(2.25), Some(3.0)]);
    // In a comma-delimited file, `1,5` (quoted) is not a number: it is reported, not misread.
    let schema = Schema::new(vec![personas::Attribute::numeric("x")]).unwrap();
    let err =
        CustomerTable::from_csv_reader("x\n\"1,5\"\n".as_bytes(), &schema, &CsvOptions::new())
            .unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 1, column, .. } if column == "x"),
        "{err}"
    );
}

#[test]
fn a_huge_cell_is_free_text_to_inference_and_a_short_error_to_a_schema() {
    let big = "x".repeat(2_000_000);
    let mut csv = String::from("id,note,spend\n");
    for r in 0..60 {
        let note = if r == 30 {
            big.as_str()
        } else {
            ["hi", "hello"][r % 2]
        };
        csv.push_str(&format!("c{r},{note},{r}\n"));
    }
    let inference = infer(&csv);
    assert_eq!(inference.schema().get("note").unwrap().role, Role::Ignored);
    // Loading it as a category anyway: refused with a short message naming row and column.
    let mut attributes = inference.schema().attributes().to_vec();
    for a in &mut attributes {
        if a.name == "note" {
            a.role = Role::Feature;
            a.kind = AttributeKind::Categorical { levels: Vec::new() };
        }
    }
    let schema = Schema::new(attributes).unwrap();
    let err =
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap_err();
    assert!(
        matches!(&err, Error::WrongType { row: 31, column, .. } if column == "note"),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.len() < 400, "message of {} bytes", message.len());
    assert_eq!(MAX_LEVEL_BYTES, 1_000);
    assert!(message.contains("at most 1,000 bytes"), "{message}");
}

#[test]
fn bytes_that_are_not_utf8_are_named_by_row_and_column() {
    let mut bytes = b"id,city\na,Berlin\nb,".to_vec();
    bytes.extend_from_slice(&[0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]); // Latin-1 "München"
    bytes.extend_from_slice(b"\n");
    let schema = Schema::new(vec![
        personas::Attribute::identifier("id"),
        personas::Attribute::categorical("city", Vec::<String>::new()),
    ])
    .unwrap();
    let err =
        CustomerTable::from_csv_reader(bytes.as_slice(), &schema, &CsvOptions::new()).unwrap_err();
    assert!(
        matches!(&err, Error::NotUtf8 { row: 2, column } if column == "city"),
        "{err}"
    );
}

#[test]
fn many_columns_load_and_encode() {
    // Name lookups are hashed: thousands of columns cost no more per column than ten. (The time
    // of 100,000 columns is measured in benches/table.rs.)
    let columns = 20_000;
    let mut csv = String::from("id");
    for c in 0..columns {
        csv.push_str(&format!(",c{c}"));
    }
    csv.push('\n');
    for r in 0..5 {
        csv.push_str(&format!("r{r}"));
        for c in 0..columns {
            csv.push_str(&format!(",{}", (r * 7 + c * 3) % 11));
        }
        csv.push('\n');
    }
    let inference = infer(&csv);
    assert_eq!(inference.schema().len(), columns + 1);
    let table = load(csv, &inference).unwrap();
    assert_eq!(table.n_customers(), 5);
    assert_eq!(table.columns().len(), columns + 1);
    let last = format!("c{}", columns - 1);
    assert!(table.column(&last).is_some());
    let encoded = Encoder::new().fit_transform(&table);
    assert!(encoded.is_ok() || matches!(encoded, Err(Error::NoFeatures)));
}

#[test]
fn chunked_reading_gives_the_same_table_on_any_thread_count() {
    // Several chunks' worth of rows with quoted newlines, commas and CRLF line ends.
    let mut csv = String::from("id,note,segment,spend\r\n");
    for r in 0..120_000 {
        csv.push_str(&format!(
            "c{r},\"line {r}\nwith, comma\",{},{}.25\r\n",
            ["a", "b", "c"][r % 3],
            r % 1000
        ));
    }
    let inference = infer(&csv);
    let load = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                CustomerTable::from_csv_reader(
                    csv.as_bytes(),
                    inference.schema(),
                    &CsvOptions::new(),
                )
                .unwrap()
            })
    };
    let one = load(1);
    assert_eq!(one.n_customers(), 120_000);
    assert_eq!(&one.ids()[119_999], "c119999");
    assert_eq!(numbers(&one, "spend")[999], Some(999.25));
    for threads in [2, 3] {
        assert!(load(threads) == one, "{threads} threads");
    }
}

#[test]
fn what_inference_accepts_the_table_loads() {
    // Cells that once made the table refuse the schema inference wrote for it: infinities and
    // numbers beyond what sums can hold, and an id-like column with a missing id.
    let mut base = String::from("customer_id,income,visits\n");
    for r in 0..60 {
        base.push_str(&format!("c{r},{},{}\n", 20_000 + r * 500, r % 7));
    }
    let cases = [
        base.replacen("20500", "inf", 1),
        base.replacen("20500", "1e309", 1),
        base.replacen("20500", "-1e200", 1),
        base.replacen("c1,", ",", 1),
        base.replacen("c1,", "NA,", 1),
    ];
    for (i, csv) in cases.iter().enumerate() {
        let inference = infer(csv);
        let table = load(csv, &inference);
        let table = table.unwrap_or_else(|e| panic!("case {i}: {e}\n{inference}"));
        assert_eq!(table.n_customers(), 60, "case {i}");
    }
    // The missing id leaves the column unused as the identifier, and says why.
    let inference = infer(&cases[3]);
    assert_ne!(
        inference.schema().get("customer_id").unwrap().role,
        Role::Identifier
    );
    let reason = &inference.guesses()[0].reason;
    assert!(reason.contains("1 row has no value"), "{reason}");
}

#[test]
fn unknown_keys_in_a_saved_encoder_or_a_formula_are_errors_naming_them() {
    let csv = "id,spend,visits,member\na,10,1,yes\nb,20,3,no\nc,35,2,yes\nd,5,7,no\n";
    let inference = infer(csv);
    let table = load(csv, &inference).unwrap();
    let fitted = Encoder::new().fit(&table).unwrap();
    let json = serde_json::to_string(&fitted).unwrap();
    let back: personas::FittedEncoder = serde_json::from_str(&json).unwrap();
    assert_eq!(back, fitted, "a saved encoder round-trips");
    for (from, to) in [
        ("{\"attributes\"", "{\"colour\":1,\"attributes\""),
        ("\"offset\"", "\"colour\":1,\"offset\""),
        ("\"center\"", "\"colour\":1,\"center\""),
    ] {
        assert!(json.contains(from), "{from}");
        let bad = json.replacen(from, to, 1);
        let err = serde_json::from_str::<personas::FittedEncoder>(&bad).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
    let schema = r#"{"attributes": [
        {"name": "a", "kind": "numeric"}, {"name": "b", "kind": "numeric"},
        {"name": "t", "kind": "numeric", "derived": {"op": "sum", "of": ["a", "b"], "colour": 1}}
    ]}"#;
    let err = Schema::from_json(schema).unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
}

#[test]
fn the_decimal_mark_is_read_per_column_never_a_thousand_times_off() {
    // A US tab-separated export: commas group thousands.
    let us = "id\tspend\tvisits\n1\t52,092\t3\n2\t129\t4\n3\t1,500\t7\n4\t980\t2\n";
    let inference = infer(us);
    let table = load(us, &inference).unwrap();
    assert_eq!(
        numbers(&table, "spend"),
        [Some(52_092.0), Some(129.0), Some(1_500.0), Some(980.0)]
    );
    // A European export: dots group thousands, the comma is the decimal mark, whichever cell
    // shows it; the report says which mark it read.
    let eu = "id;spend;visits\n1;6.142,13;3\n2;9.879;4\n3;1.500;7\n4;980,50;2\n";
    let inference = infer(eu);
    assert!(inference.schema().get("spend").unwrap().decimal_comma);
    let reason = &inference
        .guesses()
        .iter()
        .find(|g| g.attribute == "spend")
        .unwrap()
        .reason;
    assert!(reason.contains("decimal comma"), "{reason}");
    let table = load(eu, &inference).unwrap();
    assert_eq!(
        numbers(&table, "spend"),
        [Some(6_142.13), Some(9_879.0), Some(1_500.0), Some(980.5)]
    );
    // The mark survives the schema JSON.
    let back = Schema::from_json(&inference.schema().to_json().unwrap()).unwrap();
    assert!(back.get("spend").unwrap().decimal_comma);
}

#[test]
fn a_header_that_is_not_utf8_and_a_utf16_file_are_named_as_such() {
    let latin1 = b"id,r\xe9gion,spend\n1,a,5\n2,b,6\n".to_vec();
    let err = Inference::from_csv_reader(latin1.as_slice(), &CsvOptions::new()).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidHeader { column: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("UTF-8"), "{err}");
    let text = "id\tspend\r\n1\t5\r\n2\t6\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let err = Inference::from_csv_reader(utf16.as_slice(), &CsvOptions::new()).unwrap_err();
    assert!(err.to_string().contains("UTF-16"), "{err}");
    // Without the byte-order mark too.
    let err = Inference::from_csv_reader(&utf16[2..], &CsvOptions::new()).unwrap_err();
    assert!(err.to_string().contains("UTF-16"), "{err}");
}

#[test]
fn a_directory_or_an_unquoted_delimiter_gets_an_error_that_says_what_to_do() {
    let dir = std::env::temp_dir();
    let err = Inference::from_csv_path(&dir, &CsvOptions::new()).unwrap_err();
    assert!(err.to_string().contains("directory"), "{err}");
    let err =
        Inference::from_csv_reader("id,price\na,5\nb,$1,200\n".as_bytes(), &CsvOptions::new())
            .unwrap_err();
    assert!(matches!(err, Error::RaggedRow { row: 2, .. }), "{err}");
    assert!(err.to_string().contains("quotes"), "{err}");
}
