//! The `personas` tool over time: sample data, draft and save, assign, stability, order lines.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("personas-life-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `personas` with these arguments: exit code, stdout, stderr.
fn personas(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_personas"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> (String, String) {
    let (code, stdout, stderr) = personas(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, stderr)
}

fn fails(args: &[&str], expected: &str) {
    let (code, _, stderr) = personas(args);
    assert_eq!(code, 1, "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("");
    assert!(error.contains(expected), "{args:?}: {stderr}");
}

#[test]
fn the_sample_command_writes_the_bundled_customers_and_schema() {
    let dir = scratch_dir();
    let (csv, schema) = (dir.join("sample.csv"), dir.join("sample.schema.json"));
    ok(&[
        "sample",
        "--output",
        csv.to_str().unwrap(),
        "--schema-output",
        schema.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        std::fs::read(common::DATA).unwrap()
    );
    assert_eq!(
        std::fs::read(&schema).unwrap(),
        std::fs::read(common::SCHEMA).unwrap()
    );
    let (stdout, _) = ok(&["sample", "--customers", "10", "--seed", "3"]);
    assert_eq!(stdout.lines().count(), 11);
    fails(&["sample", "--customers", "0"], "--customers");
}

#[test]
fn draft_save_assign_gives_every_training_customer_its_label() {
    let dir = scratch_dir();
    let (model, labels, assigned) = (
        dir.join("model.json"),
        dir.join("labels.csv"),
        dir.join("assigned.csv"),
    );
    let path = |p: &PathBuf| p.to_str().unwrap().to_string();
    ok(&[
        "draft",
        common::DATA,
        "--schema",
        common::SCHEMA,
        "--k",
        "5",
        "--output",
        &path(&dir.join("personas.md")),
        "--labels",
        &path(&labels),
        "--save-model",
        &path(&model),
    ]);
    let (_, stderr) = ok(&[
        "assign",
        &path(&model),
        common::DATA,
        "--output",
        &path(&assigned),
    ]);
    assert!(stderr.contains("assigned 3000 of 3000"), "{stderr}");
    let labels = std::fs::read_to_string(&labels).unwrap();
    let assigned = std::fs::read_to_string(&assigned).unwrap();
    let mut rows = assigned.lines();
    assert_eq!(rows.next(), Some("customer,persona,distance,margin"));
    let mut n = 0;
    for (a, l) in rows.zip(labels.lines().skip(1)) {
        let a: Vec<&str> = a.split(',').collect();
        let l: Vec<&str> = l.split(',').collect();
        assert_eq!(
            (a[0], a[1]),
            (l[0], l[1]),
            "the same customer, the same persona"
        );
        assert!(a[2].parse::<f64>().unwrap() >= 0.0 && a[3].parse::<f64>().unwrap() >= 0.0);
        n += 1;
    }
    assert_eq!(n, 3000);
    // The model's personas are the ones printed.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(json["format"], "personas-model");
    assert_eq!(json["personas"]["personas"].as_array().unwrap().len(), 5);

    // Assigning a file without a column of the model names it; a damaged model names the file.
    let short = dir.join("short.csv");
    std::fs::write(&short, "customer_id,age\nC1,30\n").unwrap();
    fails(&["assign", &path(&model), &path(&short)], "income");
    let damaged = dir.join("damaged.json");
    let text = std::fs::read_to_string(&model).unwrap();
    std::fs::write(&damaged, &text[..text.len() / 3]).unwrap();
    fails(&["assign", &path(&damaged), common::DATA], "damaged.json");
    fails(
        &["assign", common::SCHEMA, common::DATA],
        "not a persona model",
    );
}

#[test]
fn stability_reports_every_persona_with_a_verdict() {
    let (stdout, _) = ok(&[
        "stability",
        common::DATA,
        "--schema",
        common::SCHEMA,
        "--k",
        "5",
        "--resamples",
        "6",
    ]);
    let rows = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Segment"));
    assert_eq!(rows.count(), 5, "{stdout}");
    assert!(stdout.contains("6 resamples"), "{stdout}");
    let (json, _) = ok(&[
        "stability",
        common::DATA,
        "--schema",
        common::SCHEMA,
        "--k",
        "5",
        "--resamples",
        "3",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["ari"].as_array().unwrap().len(), 3);
    for p in json["personas"].as_array().unwrap() {
        let j = p["stability"]["jaccard"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&j), "{p}");
    }
    fails(
        &["stability", common::DATA, "--resamples", "0"],
        "--resamples",
    );
}

#[test]
fn order_lines_become_customers_and_rfm_cells_become_personas() {
    let dir = scratch_dir();
    let orders = dir.join("orders.csv");
    let mut text = String::from("order_id,customer,order_date,amount\n");
    for c in 0..60 {
        // Customers 0..20 buy often and much, the rest rarely and little.
        let (orders, amount) = if c < 20 { (6, 120.0) } else { (1, 15.0) };
        for o in 0..orders {
            let day = 1 + (c * 7 + o * 13) % 28;
            let month = 1 + (c + o * 2) % 12;
            text.push_str(&format!(
                "o{c}-{o},c{c},2024-{month:02}-{day:02},{amount}\n"
            ));
        }
    }
    std::fs::write(&orders, text).unwrap();
    let orders = orders.to_str().unwrap();
    let (stdout, stderr) = ok(&["draft", "--transactions", orders, "--k", "2"]);
    assert!(stderr.contains("60 customers"), "{stderr}");
    assert!(
        stdout.contains("2 personas drafted from 60 customers"),
        "{stdout}"
    );
    let (stdout, stderr) = ok(&["draft", "--transactions", orders, "--rfm"]);
    assert!(
        stderr.contains("customers") && stderr.contains("revenue"),
        "{stderr}"
    );
    assert!(
        stdout.contains("personas drafted from 60 customers"),
        "{stdout}"
    );
    // Named columns that are not there, and flags that need --transactions, are refused.
    fails(
        &["draft", "--transactions", orders, "--amount-col", "price"],
        "price",
    );
    let (code, _, stderr) = personas(&["draft", common::DATA, "--rfm"]);
    assert_eq!(
        code, 2,
        "clap refuses --rfm without --transactions: {stderr}"
    );
    let (code, _, _) = personas(&[
        "draft",
        "--transactions",
        orders,
        "--rfm",
        "--save-model",
        "m.json",
    ]);
    assert_eq!(code, 2, "RFM cells are rules, not a model to save");
}

#[test]
fn compare_reports_no_drift_on_the_training_customers_and_drift_when_a_persona_goes() {
    let dir = scratch_dir();
    let model = dir.join("compare-model.json");
    let path = |p: &PathBuf| p.to_str().unwrap().to_string();
    ok(&[
        "draft",
        common::DATA,
        "--schema",
        common::SCHEMA,
        "--k",
        "5",
        "--output",
        &path(&dir.join("compare.md")),
        "--save-model",
        &path(&model),
    ]);
    let (same, _) = ok(&["compare", &path(&model), common::DATA]);
    assert!(same.contains("No drift"), "{same}");
    // Keep every customer but those of the persona the model put first: it must be reported as
    // gone (vanished or shrunk) and the others as grown.
    let labels = dir.join("compare-labels.csv");
    ok(&[
        "draft",
        common::DATA,
        "--schema",
        common::SCHEMA,
        "--k",
        "5",
        "--output",
        &path(&dir.join("compare2.md")),
        "--labels",
        &path(&labels),
    ]);
    let labels = std::fs::read_to_string(&labels).unwrap();
    let data = std::fs::read_to_string(common::DATA).unwrap();
    let mut lines = data.lines();
    let mut kept = vec![lines.next().unwrap().to_string()];
    for (row, label) in lines.zip(labels.lines().skip(1)) {
        if !label.ends_with(",0") {
            kept.push(row.to_string());
        }
    }
    let newer = dir.join("without-segment-0.csv");
    std::fs::write(&newer, kept.join("\n") + "\n").unwrap();
    let (report, stderr) = ok(&["compare", &path(&model), &path(&newer)]);
    assert!(!report.contains("No drift"), "{report}");
    assert!(report.contains("vanished"), "{report}");
    assert!(
        stderr.contains("vanished"),
        "the summary goes to stderr too: {stderr}"
    );
    let (json, _) = ok(&["compare", &path(&model), &path(&newer), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["personas"][0]["status"], "vanished", "{json}");
}

#[test]
fn sql_writes_one_query_for_a_k_means_model_and_refuses_dbscan() {
    let dir = scratch_dir();
    let path = |p: &PathBuf| p.to_str().unwrap().to_string();
    let (kmeans, dbscan) = (dir.join("sql-kmeans.json"), dir.join("sql-dbscan.json"));
    for (model, algorithm) in [(&kmeans, "kmeans"), (&dbscan, "dbscan")] {
        ok(&[
            "draft",
            common::DATA,
            "--schema",
            common::SCHEMA,
            "--k",
            "3",
            "--algorithm",
            algorithm,
            "--eps",
            "3",
            "--output",
            &path(&dir.join("sql.md")),
            "--save-model",
            &path(model),
        ]);
    }
    let (query, _) = ok(&["sql", &path(&kmeans), "--table", "crm.customers"]);
    assert!(query.starts_with("WITH "), "{query}");
    assert!(query.contains("FROM \"crm\".\"customers\""), "{query}");
    assert!(query.trim_end().ends_with("personas_nearest"), "{query}");
    let (spark, _) = ok(&["sql", &path(&kmeans), "--dialect", "spark"]);
    assert!(spark.contains("`customers`"), "{spark}");
    fails(&["sql", &path(&dbscan)], "DBSCAN");
}
