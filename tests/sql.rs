//! The generated assignment SQL, run in a real engine: DuckDB through its Python package. Every
//! persona (or NULL) must equal `KMeansModel::assign`'s, and every distance agree within 1e-9
//! relative. Skipped with a printed reason when `python3` or its `duckdb` package is missing,
//! unless `PERSONAS_REQUIRE_DUCKDB=1`; the shared real data set is skipped when `../shared/data`
//! is absent, unless `PERSONAS_REQUIRE_DATA=1`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use personas::sql::{assignment_query, SqlOptions};
use personas::{
    AttributeKind, Column, CsvOptions, CustomerTable, Encoder, Error, FittedEncoder, Inference,
    KMeans, KMeansModel, Schema, UnknownLevels,
};

/// Whether DuckDB can be run; `false` (with the reason printed) means skip.
fn duckdb() -> bool {
    let required = std::env::var("PERSONAS_REQUIRE_DUCKDB").is_ok_and(|v| v == "1");
    let probe = Command::new("python3")
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output();
    let reason = match probe {
        Ok(out) if out.status.success() => {
            eprintln!("DuckDB {}", String::from_utf8_lossy(&out.stdout).trim());
            return true;
        }
        Ok(out) => format!(
            "the Python package `duckdb` is missing ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => format!("python3 cannot be run ({e})"),
    };
    assert!(
        !required,
        "{reason}, and PERSONAS_REQUIRE_DUCKDB=1 requires it"
    );
    eprintln!("skipped: {reason} (pip install duckdb)");
    false
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("personas-sql-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The column the warehouse copy adds before the customer columns: the row number, a key that
/// is not in the schema (a name that needs quoting).
const ROW: &str = "warehouse row";

/// The first `n` data rows of a CSV file (with its header), as a new file.
fn head(path: &Path, n: usize, out: &Path) -> PathBuf {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().take(n + 1).collect();
    std::fs::write(out, lines.join("\n") + "\n").unwrap();
    out.to_path_buf()
}

/// The CSV as a warehouse would hold it: numbers as the CSV reader reads them (so `$1,200` or
/// ` ` become plain numbers and empty cells), dates as ISO text, every other column as written.
fn warehouse_csv(path: &Path, table: &CustomerTable, out: &Path) {
    let schema = table.schema();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut writer = csv::Writer::from_path(out).unwrap();
    let mut header = vec![ROW.to_string()];
    header.extend(headers.iter().cloned());
    writer.write_record(&header).unwrap();
    for (row, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let cells: Vec<String> = std::iter::once(row.to_string())
            .chain(headers.iter().zip(record.iter()).map(|(name, cell)| {
                let kind = schema.get(name).map(|a| &a.kind);
                match (kind, table.column(name)) {
                    (Some(AttributeKind::Numeric { .. }), Some(Column::Numeric(v))) => {
                        v.get(row).map_or(String::new(), |x| format!("{x:?}"))
                    }
                    (Some(AttributeKind::Date { .. }), Some(Column::Numeric(v))) => {
                        v.get(row).map_or(String::new(), personas::dates::iso)
                    }
                    _ => cell.to_string(),
                }
            }))
            .collect();
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
}

/// DuckDB's type for each input column: numbers as DOUBLE, dates as DATE, the rest as text.
fn duckdb_columns(schema: &Schema) -> String {
    let columns: Vec<String> = std::iter::once(format!("'{ROW}': 'BIGINT'"))
        .chain(schema.inputs().map(|a| {
            let ty = match a.kind {
                AttributeKind::Numeric { .. } => "DOUBLE",
                AttributeKind::Date { .. } => "DATE",
                _ => "VARCHAR",
            };
            format!("'{}': '{ty}'", a.name.replace('\'', "''"))
        }))
        .collect();
    format!("{{{}}}", columns.join(", "))
}

/// Runs `sql` in DuckDB over `csv` loaded as table `table`; per result row, its persona and
/// distance (`None` for NULL), and its first column as text.
type Row = (String, Option<usize>, Option<f64>);

fn run_duckdb(csv: &Path, schema: &Schema, table: &str, sql: &str) -> Vec<Row> {
    let dir = csv.parent().unwrap();
    let sql_path = dir.join("query.sql");
    std::fs::write(&sql_path, sql).unwrap();
    let script = r#"
import duckdb, sys
csv_path, columns, table, sql_path = sys.argv[1:5]
con = duckdb.connect()
con.execute(
    'CREATE TABLE "' + table.replace('"', '""') + '" AS SELECT * FROM read_csv(?, header = true, '
    + 'delim = \',\', quote = \'"\', auto_detect = false, columns = ' + columns + ')',
    [csv_path],
)
cursor = con.execute(open(sql_path).read())
names = [d[0] for d in cursor.description]
assert names[-2:] == ['persona', 'distance'], names
for row in cursor.fetchall():
    persona = '' if row[-2] is None else str(row[-2])
    distance = '' if row[-1] is None else repr(float(row[-1]))
    sys.stdout.write(str(row[0]).replace('\t', ' ') + '\t' + persona + '\t' + distance + '\n')
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(csv)
        .arg(duckdb_columns(schema))
        .arg(table)
        .arg(&sql_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "DuckDB failed:\n{}\nquery:\n{sql}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let mut parts = line.split('\t');
            let key = parts.next().unwrap().to_string();
            let persona = parts.next().unwrap();
            let distance = parts.next().unwrap();
            (
                key,
                (!persona.is_empty()).then(|| persona.parse().unwrap()),
                (!distance.is_empty()).then(|| distance.parse().unwrap()),
            )
        })
        .collect()
}

/// Where the query runs: DuckDB (Python package), or a PostgreSQL server through `psql` when
/// `PERSONAS_POSTGRES` holds a connection string (an opt-in check of the dialect; CI runs
/// DuckDB).
enum Engine {
    DuckDb,
    Postgres(String),
}

impl Engine {
    fn run(&self, csv: &Path, schema: &Schema, table: &str, sql: &str) -> Vec<Row> {
        match self {
            Engine::DuckDb => run_duckdb(csv, schema, table, sql),
            Engine::Postgres(url) => run_postgres(url, csv, schema, table, sql),
        }
    }
}

fn postgres() -> Option<Engine> {
    match std::env::var("PERSONAS_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(Engine::Postgres(url)),
        _ => {
            eprintln!("skipped: set PERSONAS_POSTGRES to a psql connection string to run it");
            None
        }
    }
}

fn run_postgres(url: &str, csv: &Path, schema: &Schema, table: &str, sql: &str) -> Vec<Row> {
    let quoted = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let columns: Vec<String> = std::iter::once(format!("{} BIGINT", quoted(ROW)))
        .chain(schema.inputs().map(|a| {
            let ty = match a.kind {
                AttributeKind::Numeric { .. } => "DOUBLE PRECISION",
                AttributeKind::Date { .. } => "DATE",
                _ => "TEXT",
            };
            format!("{} {ty}", quoted(&a.name))
        }))
        .collect();
    let script = format!(
        "DROP TABLE IF EXISTS {t};\nCREATE TABLE {t} ({});\n\\copy {t} FROM '{}' WITH (FORMAT \
         csv, HEADER true)\n{sql};\nDROP TABLE {t};\n",
        columns.join(", "),
        csv.display(),
        t = quoted(table)
    );
    let script_path = csv.with_extension("psql");
    std::fs::write(&script_path, script).unwrap();
    let out = Command::new("psql")
        .args([
            url,
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "\t",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
        ])
        .arg(&script_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "PostgreSQL failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            let (persona, distance) = (cells[cells.len() - 2], cells[cells.len() - 1]);
            (
                cells[0].to_string(),
                (!persona.is_empty()).then(|| persona.parse().unwrap()),
                (!distance.is_empty()).then(|| distance.parse().unwrap()),
            )
        })
        .collect()
}

struct Outcome {
    rows: usize,
    no_persona: usize,
}

/// Fits encoder and k-means on the first `train` rows of `path`, assigns every row in Rust and
/// in DuckDB, and compares them row by row.
fn compare(name: &str, path: &Path, schema: &Schema, train: usize, k: usize) -> Outcome {
    compare_in(&Engine::DuckDb, name, path, schema, train, k)
}

fn compare_in(
    engine: &Engine,
    name: &str,
    path: &Path,
    schema: &Schema,
    train: usize,
    k: usize,
) -> Outcome {
    let dir = temp_dir(name);
    let options = CsvOptions::new();
    let train_path = head(path, train, &dir.join("train.csv"));
    let train_table = CustomerTable::from_csv_path(&train_path, schema, &options).unwrap();
    let encoded = Encoder::new()
        .with_unknown_levels(UnknownLevels::Ignore)
        .fit_transform(&train_table)
        .unwrap();
    let model = KMeans::new(k)
        .with_seed(11)
        .fit(&encoded)
        .unwrap()
        .model()
        .clone();
    let table = CustomerTable::from_csv_path(path, schema, &options).unwrap();
    let expected = model
        .assign(encoded.encoder.transform(&table).unwrap().view())
        .unwrap();

    let table_name = "customer data";
    // Without an identifier the result keeps every input column, in DuckDB in the table's
    // order; PostgreSQL keeps no order, so there the row number is passed through as the key.
    let mut options = SqlOptions::new().with_table(table_name);
    let by_row = matches!(engine, Engine::Postgres(_)) && schema.identifier().is_none();
    if by_row {
        options = options.with_columns([ROW]);
    }
    let sql = assignment_query(schema, &encoded.encoder, &model, &options).unwrap();
    let csv = dir.join("warehouse.csv");
    warehouse_csv(path, &table, &csv);
    let rows = engine.run(&csv, schema, table_name, &sql);
    let key = match (schema.identifier(), by_row) {
        (Some(_), _) => Key::Id(table.ids()),
        (None, true) => Key::Row,
        (None, false) => Key::Order,
    };
    check(&rows, &expected, key);
    if std::env::var("KEEP").is_err() {
        std::fs::remove_dir_all(&dir).ok();
    }
    Outcome {
        rows: rows.len(),
        no_persona: expected.iter().filter(|a| a.segment.is_none()).count(),
    }
}

/// How a result row is matched with its customer.
enum Key<'a> {
    /// By the identifier in the first column.
    Id(&'a personas::Ids),
    /// By the row number in the first column.
    Row,
    /// By position (DuckDB keeps the table's order).
    Order,
}

fn check(rows: &[Row], expected: &[personas::Assignment], key: Key<'_>) {
    assert_eq!(rows.len(), expected.len(), "one result row per customer");
    let order: Vec<usize> = match key {
        Key::Id(ids) => {
            let index: std::collections::HashMap<&str, usize> =
                ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
            rows.iter().map(|r| index[r.0.as_str()]).collect()
        }
        Key::Row => rows.iter().map(|r| r.0.parse().unwrap()).collect(),
        Key::Order => (0..rows.len()).collect(),
    };
    for (row, &i) in rows.iter().zip(&order) {
        let want = &expected[i];
        assert_eq!(
            row.1,
            want.segment.map(|s| s.index()),
            "customer {i} ({}): persona (distance {:?} in SQL, {:?} in Rust)",
            row.0,
            row.2,
            want.distance
        );
        let (got, want) = (row.2.unwrap(), want.distance.unwrap());
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1e-300),
            "customer {i} ({}): distance {got} in SQL, {want} in Rust",
            row.0
        );
    }
}

fn bundled() -> (PathBuf, Schema) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let schema = Schema::from_json_file(root.join("customers.schema.json")).unwrap();
    (root.join("customers.csv"), schema)
}

#[test]
fn bundled_customers_get_the_same_personas_in_duckdb() {
    if !duckdb() {
        return;
    }
    let (path, schema) = bundled();
    let started = std::time::Instant::now();
    let outcome = compare("bundled", &path, &schema, 2000, 5);
    eprintln!(
        "bundled: {} customers, {} with no persona, in {:.2?}",
        outcome.rows,
        outcome.no_persona,
        started.elapsed()
    );
    assert_eq!(outcome.rows, 3000);
    assert!(outcome.no_persona > 0, "the 'no persona' path is compared");
}

#[test]
fn credit_scoring_with_missing_values_and_no_identifier_in_duckdb() {
    if !duckdb() {
        return;
    }
    let Some(path) = common::shared("credit-scoring/credit_data.csv") else {
        return;
    };
    let schema = Inference::from_csv_path(&path, &CsvOptions::new())
        .unwrap()
        .into_schema();
    assert!(schema.identifier().is_none());
    let started = std::time::Instant::now();
    let outcome = compare("credit", &path, &schema, 3000, 4);
    eprintln!(
        "credit-scoring: {} customers, {} with no persona, in {:.2?}",
        outcome.rows,
        outcome.no_persona,
        started.elapsed()
    );
    assert_eq!(outcome.rows, 4454);
    assert!(outcome.no_persona > 0, "the 'no persona' path is compared");
}

#[test]
fn telco_churn_in_duckdb() {
    if !duckdb() {
        return;
    }
    let Some(path) = common::shared("telco-churn/Customer_Churn.csv") else {
        return;
    };
    let schema = Inference::from_csv_path(&path, &CsvOptions::new())
        .unwrap()
        .into_schema();
    let outcome = compare("telco", &path, &schema, 5000, 6);
    assert_eq!(outcome.rows, 7043);
    assert!(outcome.no_persona > 0, "the 'no persona' path is compared");
}

/// Customers the library refuses (an unknown level under `UnknownLevels::Error`, a negative
/// amount in a `log1p` attribute, an unreadable boolean) get persona and distance NULL; the
/// others are assigned as in Rust.
#[test]
fn refused_customers_get_no_persona_and_no_distance() {
    if !duckdb() {
        return;
    }
    let (path, schema) = bundled();
    let dir = temp_dir("refused");
    let options = CsvOptions::new();
    let table = CustomerTable::from_csv_path(&path, &schema, &options).unwrap();
    let encoded = Encoder::new().fit_transform(&table).unwrap();
    let encoder: &FittedEncoder = &encoded.encoder;
    let model: KMeansModel = KMeans::new(4)
        .with_seed(3)
        .fit(&encoded)
        .unwrap()
        .model()
        .clone();
    let expected = model.assign(encoded.features.view()).unwrap();
    let sql = assignment_query(&schema, encoder, &model, &SqlOptions::new()).unwrap();

    // The warehouse copy, with three customers spoiled in three ways.
    let csv = dir.join("warehouse.csv");
    warehouse_csv(&path, &table, &csv);
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let spend = header.iter().position(|h| *h == "spend_groceries").unwrap();
    let spoiled: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(n, line)| match n {
            1 => line.replacen(",west,", ",atlantis,", 1),
            2 => line.replacen(",no,", ",perhaps,", 1),
            3 => {
                let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
                cells[spend] = "-5.0".into();
                cells.join(",")
            }
            _ => line.to_string(),
        })
        .collect();
    for (spoiled, line) in spoiled[1..4].iter().zip(text.lines().skip(1)) {
        assert_ne!(spoiled, line, "every one of the three is spoiled");
    }
    std::fs::write(&csv, spoiled.join("\n") + "\n").unwrap();
    let rows = run_duckdb(&csv, &schema, "customers", &sql);
    assert_eq!(rows.len(), 3000);
    for row in &rows {
        let i = table.ids().iter().position(|id| *id == row.0).unwrap();
        if i < 3 {
            assert_eq!((row.1, row.2), (None, None), "customer {i} is refused");
        } else {
            assert_eq!(
                row.1,
                expected[i].segment.map(|s| s.index()),
                "customer {i}"
            );
            let (got, want) = (row.2.unwrap(), expected[i].distance.unwrap());
            assert!((got - want).abs() <= 1e-9 * want.abs().max(1e-300));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_model_of_another_width_is_refused() {
    let (path, schema) = bundled();
    let table = CustomerTable::from_csv_path(&path, &schema, &CsvOptions::new()).unwrap();
    let encoded = Encoder::new().fit_transform(&table).unwrap();
    let narrow = ndarray::Array2::from_shape_fn((30, 2), |(i, j)| (i * (j + 1)) as f64);
    let model = KMeans::new(2).fit(&narrow).unwrap().model().clone();
    let err = assignment_query(&schema, &encoded.encoder, &model, &SqlOptions::new()).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
}

/// A small seeded generator, so the synthetic file is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// The cell, or a missing marker one time in nine.
    fn maybe(&mut self, cell: impl FnOnce(&mut Self) -> String) -> String {
        let cell = cell(self);
        if self.below(9) == 0 {
            self.pick(&["", "NA", " n/a ", "?"]).to_string()
        } else {
            cell
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Every kind, scaling, missing policy and derived formula, with names that need quoting,
/// levels with quotes, missing markers, a constant column (dropped), levels and tags the
/// training rows lack (ignored), and tags with spaces around the separator.
fn every_encoding() -> (String, Schema) {
    use personas::{Attribute, Derived, MissingPolicy, Role, Scaling};
    let schema = Schema::new(vec![
        Attribute::identifier("customer \"id\""),
        Attribute::numeric("Annual income")
            .with_log1p(true)
            .with_missing(MissingPolicy::Mean)
            .with_weight(2.0),
        Attribute::numeric("age")
            .with_scaling(Scaling::Robust)
            .with_missing(MissingPolicy::OwnLevel),
        Attribute::numeric("score")
            .with_scaling(Scaling::MinMax)
            .with_missing(MissingPolicy::Mode),
        Attribute::numeric("raw").with_scaling(Scaling::None),
        Attribute::numeric("constant"),
        Attribute::categorical("plan's", Vec::<String>::new())
            .with_missing(MissingPolicy::Mean)
            .with_not_missing("none"),
        Attribute::categorical("city", Vec::<String>::new())
            .with_missing(MissingPolicy::OwnLevel)
            .with_weight(0.5)
            .with_missing_marker("unknown"),
        Attribute::ordinal("tier", ["low", "mid", "high"]).with_missing(MissingPolicy::OwnLevel),
        Attribute::ordinal("size", ["s", "m", "l", "xl"]).with_missing(MissingPolicy::Mean),
        Attribute::boolean("member").with_missing(MissingPolicy::OwnLevel),
        Attribute::boolean("opt in").with_missing(MissingPolicy::Mean),
        Attribute::tags("channels", "|").with_missing(MissingPolicy::OwnLevel),
        Attribute::tags("topics", ";").with_missing(MissingPolicy::Mean),
        Attribute::date("joined", personas::DateFormat::Dmy).with_role(Role::Ignored),
        Attribute::date("born", personas::DateFormat::Ymd).with_role(Role::Ignored),
        Attribute::date("last order", personas::DateFormat::Ymd),
        Attribute::numeric("birth_year").with_role(Role::Ignored),
        Attribute::numeric("web").with_role(Role::Value),
        Attribute::numeric("store").with_role(Role::Value),
        Attribute::boolean("c1").with_role(Role::Ignored),
        Attribute::boolean("c2").with_role(Role::Ignored),
        Attribute::derived(
            "tenure",
            Derived::DaysSince {
                of: "joined".into(),
                reference: "2024-06-30".into(),
            },
        ),
        Attribute::derived(
            "age_now",
            Derived::AgeAt {
                of: "born".into(),
                reference: "2024-02-29".into(),
            },
        ),
        Attribute::derived(
            "years",
            Derived::YearsSince {
                of: "birth_year".into(),
                reference: 2024.0,
            },
        ),
        Attribute::derived(
            "total",
            Derived::Sum {
                of: vec!["web".into(), "store".into()],
            },
        )
        .with_missing(MissingPolicy::OwnLevel),
        Attribute::derived(
            "web share",
            Derived::Share {
                part: vec!["web".into()],
                whole: vec!["web".into(), "store".into()],
            },
        ),
        Attribute::derived(
            "campaigns",
            Derived::CountTrue {
                of: vec!["c1".into(), "c2".into()],
            },
        ),
    ])
    .unwrap();
    let mut rng = Lcg(42);
    let mut csv = String::from(
        "\"customer \"\"id\"\"\",Annual income,age,score,raw,constant,plan's,city,tier,size,\
         member,opt in,channels,topics,joined,born,last order,birth_year,web,store,c1,c2\n",
    );
    for i in 0..600 {
        let late = i >= 450;
        let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let income = rng.maybe(|rng| format!("{}", 20_000 + rng.below(90_000)));
        let age = rng.maybe(|rng| format!("{}.5", 18 + rng.below(60)));
        let score = rng.maybe(|rng| format!("{}", rng.below(7)));
        // The last customers lie far from every centre: no persona.
        let raw = if i >= 595 {
            format!("{}", 1e5 + f64::from(i))
        } else {
            format!("{}", rng.below(1000) as f64 / 7.0)
        };
        let plans: &[&str] = if late {
            &["basic", "o'hare", "none", "zeta"]
        } else {
            &["basic", "o'hare", "none", "pro \"max\""]
        };
        let plan = rng.maybe(|rng| rng.pick(plans).to_string());
        let city = rng.maybe(|rng| {
            rng.pick(&["Paris", "Lyon", "unknown", " Nice "])
                .to_string()
        });
        let tier = rng.maybe(|rng| rng.pick(&["low", "mid", "high"]).to_string());
        let size = rng.maybe(|rng| rng.pick(&["s", "m", "l", "xl"]).to_string());
        let member = rng.maybe(|rng| rng.pick(&["yes", "no", "Y", "0", "TRUE"]).to_string());
        let opt_in = rng.maybe(|rng| rng.pick(&["t", "f", "false"]).to_string());
        let tags: &[&str] = if late {
            &["web", "app", "fax", "store"]
        } else {
            &["web", "app", "email", "store"]
        };
        let n_tags = rng.below(4);
        let mut channels: Vec<&str> = (0..n_tags).map(|_| rng.pick(tags)).collect();
        channels.dedup();
        let channels = rng.maybe(|rng| channels.join(rng.pick(&["|", " | ", "| "])));
        let topics = rng.maybe(|rng| {
            rng.pick(&["news;deals", "deals", "news ; tips", ";", "tips;;news"])
                .to_string()
        });
        let joined = rng.maybe(|rng| {
            format!(
                "{:02}-{:02}-{}",
                1 + rng.below(28),
                1 + rng.below(12),
                2010 + rng.below(14)
            )
        });
        let born = rng.maybe(|rng| {
            let y = 1950 + rng.below(50);
            let (m, d) = if rng.below(5) == 0 {
                (2, if y % 4 == 0 { 29 } else { 28 })
            } else {
                (1 + rng.below(12), 1 + rng.below(28))
            };
            format!("{y}-{m:02}-{d:02}")
        });
        let last =
            rng.maybe(|rng| format!("2024-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)));
        let birth_year = rng.maybe(|rng| format!("{}", 1940 + rng.below(60)));
        let web = rng.maybe(|rng| format!("{}", rng.below(3) * rng.below(100)));
        let store = rng.maybe(|rng| format!("{}", rng.below(3) * rng.below(100)));
        let c1 = rng.maybe(|rng| rng.pick(&["yes", "no"]).to_string());
        let c2 = rng.maybe(|rng| rng.pick(&["1", "0"]).to_string());
        let cells = [
            quoted(&format!("c\"{i}")),
            quoted(&income),
            age,
            score,
            raw,
            "7".into(),
            quoted(&plan),
            quoted(&city),
            tier,
            size,
            member,
            quoted(&opt_in),
            quoted(&channels),
            quoted(&topics),
            joined,
            born,
            last,
            birth_year,
            web,
            store,
            c1,
            c2,
        ];
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    (csv, schema)
}

#[test]
fn every_encoding_and_formula_gets_the_same_personas_in_duckdb() {
    if !duckdb() {
        return;
    }
    let (csv, schema) = every_encoding();
    let dir = temp_dir("every");
    let path = dir.join("every.csv");
    std::fs::write(&path, &csv).unwrap();
    let outcome = compare("every-run", &path, &schema, 450, 5);
    assert_eq!(outcome.rows, 600);
    assert!(outcome.no_persona > 0, "the 'no persona' path is compared");
    std::fs::remove_dir_all(&dir).ok();
}

/// The same comparisons in PostgreSQL, when `PERSONAS_POSTGRES` names a server.
#[test]
fn the_standard_dialect_runs_in_postgres_too() {
    let Some(engine) = postgres() else {
        return;
    };
    let (path, schema) = bundled();
    let outcome = compare_in(&engine, "pg-bundled", &path, &schema, 2000, 5);
    assert!(outcome.no_persona > 0);
    let (csv, schema) = every_encoding();
    let dir = temp_dir("pg-every");
    let path = dir.join("every.csv");
    std::fs::write(&path, &csv).unwrap();
    let outcome = compare_in(&engine, "pg-every-run", &path, &schema, 450, 5);
    assert!(outcome.no_persona > 0);
    std::fs::remove_dir_all(&dir).ok();
    if let Some(path) = common::shared("credit-scoring/credit_data.csv") {
        let schema = Inference::from_csv_path(&path, &CsvOptions::new())
            .unwrap()
            .into_schema();
        compare_in(&engine, "pg-credit", &path, &schema, 3000, 4);
    }
}
