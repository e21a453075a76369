//! Fuzzing that runs in CI in a few seconds: arbitrary and mutated CSV into inference and the
//! table reader, arbitrary and mutated JSON into the schema, rules, saved-encoder and persona
//! model loaders (a model that loads must assign customers, write its SQL and save as read).
//! Every input ends in `Ok` or `Err`, never a panic. The cargo-fuzz targets in `fuzz/` run the
//! same entry points for hours (see README, "Fuzzing").

mod common;

use std::sync::OnceLock;

use personas::model::{ModelOptions, PersonaModel};
use personas::persona::Catalogue;
use personas::{
    CsvOptions, CustomerTable, Dbscan, Encoder, FittedEncoder, Inference, KMeans, Schema, Segmenter,
};
use proptest::prelude::*;
use serde_json::Value;

/// Cells that have tripped readers before: number formats, missing markers, quotes, separators,
/// line breaks, huge and non-finite numbers, dates, non-ASCII text.
const TRICKY: &[&str] = &[
    "",
    " ",
    "0",
    "1",
    "-1",
    "1.5",
    "1,5",
    "$1,200",
    "12%",
    "#N/A",
    "-",
    "NA",
    "N/A",
    "null",
    "None",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e309",
    "-1e309",
    "1e-320",
    "yes",
    "no",
    "true",
    "FALSE",
    "\"",
    "\"\"",
    "a\"b",
    "\n",
    "\r\n",
    "a;b",
    "a|b;c",
    ",",
    ";",
    "\t",
    "2020-02-30",
    "2020-01-01",
    "01/02/2020",
    "20200101",
    "1900-01-01 12:00",
    "🙂",
    "é",
    "\u{0}",
    "\u{feff}",
    "999999999999999999999",
    "0x10",
    "north",
    "south",
    "Month-to-month",
];

/// Runs the CSV path: inference, its report, then the table with the inferred schema and, when
/// that works, the encoder.
fn csv_pipeline(bytes: &[u8]) {
    let options = CsvOptions::new();
    let Ok(inference) = Inference::from_csv_reader(bytes, &options) else {
        return;
    };
    let _ = inference.to_string();
    let Ok(table) = CustomerTable::from_csv_reader(bytes, inference.schema(), &options) else {
        return;
    };
    if let Ok(encoder) = Encoder::new().fit(&table) {
        let _ = encoder.transform(&table);
    }
}

/// The seeds for mutation: the first rows of the bundled sample, and a small hand-made file.
fn csv_seeds() -> Vec<Vec<u8>> {
    let bundled = std::fs::read_to_string(common::DATA).unwrap();
    let head: String = bundled.lines().take(40).map(|l| format!("{l}\n")).collect();
    vec![
        head.into_bytes(),
        b"id,age,region,joined,tags\nc1,34,north,2020-01-05,web;email\nc2,51,south,2019-11-30,\
          store\nc3,,north,2021-03-01,web\nc4,28,east,2020-07-14,\n"
            .to_vec(),
    ]
}

/// A byte-level mutation: insert, delete or overwrite bytes at a position.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Overwrite(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            any::<usize>(),
            prop_oneof![
                prop::collection::vec(any::<u8>(), 1..8),
                prop::sample::select(TRICKY).prop_map(|s| s.as_bytes().to_vec()),
            ]
        )
            .prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        (any::<usize>(), 1usize..16).prop_map(|(at, n)| Edit::Delete(at, n)),
        (
            any::<usize>(),
            prop::sample::select(&b",;\"\n\r|\t\\{}[]:0159-.eaZ "[..])
        )
            .prop_map(|(at, b)| Edit::Overwrite(at, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len();
        match e {
            Edit::Insert(at, new) => {
                let at = at % (len + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Edit::Delete(at, n) if len > 0 => {
                let at = at % len;
                let end = (at + n).min(len);
                bytes.drain(at..end);
            }
            Edit::Overwrite(at, b) if len > 0 => bytes[at % len] = *b,
            _ => {}
        }
    }
    bytes
}

/// Quotes a cell for CSV when it needs it.
fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// The bundled sample's first rows with some cells (header included) replaced by tricky ones,
/// so that the file stays well-formed and inference reads every column.
fn cell_mutated_csv() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (any::<usize>(), any::<usize>(), prop::sample::select(TRICKY)),
        1..8,
    )
    .prop_map(|replacements| {
        let seed = String::from_utf8(csv_seeds()[0].clone()).unwrap();
        let mut rows: Vec<Vec<String>> = seed
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        for (r, c, cell) in replacements {
            let n_rows = rows.len();
            let row = &mut rows[r % n_rows];
            let n = row.len();
            row[c % n] = quote(cell);
        }
        rows.iter().map(|r| r.join(",") + "\n").collect()
    })
}

/// A CSV built from tricky cells: a header, then rows as long as it.
fn tricky_csv() -> impl Strategy<Value = String> {
    let cell = prop::sample::select(TRICKY);
    (1usize..6, 0usize..12).prop_flat_map(move |(columns, rows)| {
        let header = prop::collection::vec(
            prop_oneof![
                prop::sample::select(&["id", "age", "spend", "region", "Churn", "joined"][..]),
                cell.clone(),
            ],
            columns,
        );
        // Rows as long as the header: ragged rows stop the reader at once, and the mutation
        // tests make enough of them.
        let body = prop::collection::vec(prop::collection::vec(cell.clone(), columns), rows);
        (header, body).prop_map(|(header, body)| {
            let line = |cells: &[&str]| cells.iter().map(|c| quote(c)).collect::<Vec<_>>();
            let mut out = line(&header).join(",");
            out.push('\n');
            for row in &body {
                out.push_str(&line(row).join(","));
                out.push('\n');
            }
            out
        })
    })
}

/// The JSON seeds: the bundled schema, a rules pack, and an encoder fitted on the sample.
struct JsonSeeds {
    schema: Value,
    rules: Value,
    encoder: Value,
    /// A k-means persona model and a DBSCAN one, fitted on the same customers.
    kmeans_model: Value,
    dbscan_model: Value,
    table: CustomerTable,
    csv: String,
}

fn json_seeds() -> &'static JsonSeeds {
    static SEEDS: OnceLock<JsonSeeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let schema_text = std::fs::read_to_string(common::SCHEMA).unwrap();
        let schema = Schema::from_json(&schema_text).unwrap();
        let bundled = std::fs::read_to_string(common::DATA).unwrap();
        let head: String = bundled
            .lines()
            .take(200)
            .map(|l| format!("{l}\n"))
            .collect();
        let table =
            CustomerTable::from_csv_reader(head.as_bytes(), &schema, &CsvOptions::new()).unwrap();
        let encoder = Encoder::new().fit(&table).unwrap();
        // The rules of a bundled pack, as a user's rules file holds them.
        let pack: Value =
            serde_json::from_str(include_str!("../src/persona/domains/retail.json")).unwrap();
        let rules: Vec<Value> = pack["rules"].as_array().unwrap()[..12].to_vec();
        let model = |segmenter: Segmenter| {
            let options = ModelOptions::new(segmenter).with_stability(None);
            let draft = PersonaModel::fit(&table, &options).unwrap();
            serde_json::from_str(&draft.model.to_json().unwrap()).unwrap()
        };
        JsonSeeds {
            schema: serde_json::from_str(&schema_text).unwrap(),
            rules: serde_json::json!({ "rules": rules }),
            encoder: serde_json::to_value(&encoder).unwrap(),
            kmeans_model: model(KMeans::new(3).with_seed(1).with_n_init(1).into()),
            dbscan_model: model(Dbscan::new(3.0, 5).into()),
            table,
            csv: head,
        }
    })
}

/// Loads `text` every way JSON comes in, using what loads.
fn json_loaders(text: &str) {
    if let Ok(schema) = Schema::from_json(text) {
        // What loads must write and load again as the same schema.
        let again = Schema::from_json(&schema.to_json().unwrap()).unwrap();
        assert_eq!(again, schema);
    }
    let _ = Catalogue::builtin().with_rules_json(text);
    if let Ok(encoder) = serde_json::from_str::<FittedEncoder>(text) {
        let seeds = json_seeds();
        let _ = encoder.transform(&seeds.table);
        let zeros = ndarray::Array1::<f64>::zeros(encoder.n_features());
        let _ = encoder.decode(zeros.view());
    }
    if let Ok(model) = PersonaModel::from_json(text) {
        // A model that loads assigns customers, writes its SQL and saves as it was read.
        let seeds = json_seeds();
        let schema = model.reading_schema();
        if let Ok(table) =
            CustomerTable::from_csv_reader(seeds.csv.as_bytes(), &schema, &CsvOptions::new())
        {
            let _ = model.assign(&table);
            let _ = model.assignment_notes(&table);
        }
        if let Ok(kmeans) = model.k_means() {
            let _ = personas::sql::assignment_query(
                model.schema(),
                model.encoder(),
                kmeans,
                &personas::sql::SqlOptions::new(),
            );
        }
        let again = PersonaModel::from_json(&model.to_json().unwrap()).unwrap();
        assert_eq!(again, model);
    }
}

/// A JSON value to put anywhere: scalars that break assumptions, and small containers.
fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(
            &[0.0, -1.0, 1.0, 0.5, 1e-300, 1e300, -1e300, 1e6, 1e-6, 2.0, 1e308][..]
        )
        .prop_map(|x| serde_json::json!(x)),
        any::<i64>().prop_map(|x| serde_json::json!(x)),
        any::<u64>().prop_map(|x| serde_json::json!(x)),
        prop::sample::select(TRICKY).prop_map(|s| Value::String(s.to_string())),
        prop::sample::select(
            &[
                "numeric",
                "categorical",
                "ordinal",
                "boolean",
                "tags",
                "date",
                "feature",
                "identifier",
                "value",
                "ignored",
                "outcome",
                "descriptor",
                "high",
                "low",
                "ymd",
                "dmy",
                "z_score",
                "robust",
                "min_max",
                "none",
                "mean",
                "median",
                "mode",
                "own_level",
                "sum",
                "share",
                "count_true",
                "days_since",
                "age_at",
                "years_since",
            ][..]
        )
        .prop_map(|s| Value::String(s.to_string())),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!(["a", "a"])),
    ]
}

/// A structural mutation of a JSON value at a path chosen by the numbers in `path`.
#[derive(Debug, Clone)]
enum JsonEdit {
    Replace(Vec<usize>, Value),
    Remove(Vec<usize>),
    AddKey(Vec<usize>, String, Value),
    Duplicate(Vec<usize>),
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    let path = prop::collection::vec(any::<usize>(), 0..6);
    let key = prop_oneof![
        prop::sample::select(
            &[
                "name",
                "kind",
                "levels",
                "unit",
                "separator",
                "format",
                "role",
                "weight",
                "derived",
                "op",
                "of",
                "reference",
                "id",
                "attributes",
                "direction",
                "offset",
                "encoding",
                "columns",
                "level",
                "extra",
            ][..]
        )
        .prop_map(str::to_string),
        "[a-z_]{1,8}",
    ];
    prop_oneof![
        (path.clone(), json_leaf()).prop_map(|(p, v)| JsonEdit::Replace(p, v)),
        path.clone().prop_map(JsonEdit::Remove),
        (path.clone(), key, json_leaf()).prop_map(|(p, k, v)| JsonEdit::AddKey(p, k, v)),
        path.prop_map(JsonEdit::Duplicate),
    ]
}

/// Follows `path` from `value` down to a container (each step picks a child by index modulo
/// the number of children) and applies `edit` there.
fn apply_json(value: &mut Value, edit: &JsonEdit) {
    let path = match edit {
        JsonEdit::Replace(p, _)
        | JsonEdit::Remove(p)
        | JsonEdit::AddKey(p, _, _)
        | JsonEdit::Duplicate(p) => p,
    };
    let mut node = value;
    for &step in path {
        let children = match &node {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if children == 0 {
            break;
        }
        let i = step % children;
        let next_is_leaf = match &node {
            Value::Array(a) => !matches!(a[i], Value::Array(_) | Value::Object(_)),
            Value::Object(o) => {
                !matches!(o.values().nth(i), Some(Value::Array(_) | Value::Object(_)))
            }
            _ => true,
        };
        if next_is_leaf {
            break;
        }
        node = match node {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => o.values_mut().nth(i).unwrap_or_else(|| unreachable!()),
            _ => unreachable!(),
        };
    }
    let pick = path.last().copied().unwrap_or(0);
    match (edit, node) {
        (JsonEdit::Replace(_, v), Value::Array(a)) if !a.is_empty() => {
            let i = pick % a.len();
            a[i] = v.clone();
        }
        (JsonEdit::Replace(_, v), Value::Object(o)) if !o.is_empty() => {
            let key = o.keys().nth(pick % o.len()).cloned().unwrap_or_default();
            o.insert(key, v.clone());
        }
        (JsonEdit::Remove(_), Value::Array(a)) if !a.is_empty() => {
            a.remove(pick % a.len());
        }
        (JsonEdit::Remove(_), Value::Object(o)) if !o.is_empty() => {
            let key = o.keys().nth(pick % o.len()).cloned().unwrap_or_default();
            o.remove(&key);
        }
        (JsonEdit::AddKey(_, k, v), Value::Object(o)) => {
            o.insert(k.clone(), v.clone());
        }
        (JsonEdit::AddKey(_, _, v), Value::Array(a)) => a.push(v.clone()),
        (JsonEdit::Duplicate(_), Value::Array(a)) if !a.is_empty() => {
            let copy = a[pick % a.len()].clone();
            a.push(copy);
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic_the_csv_path(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        csv_pipeline(&bytes);
    }

    #[test]
    fn mutated_csv_never_panics(
        seed in 0usize..2,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let bytes = apply(csv_seeds()[seed].clone(), &edits);
        csv_pipeline(&bytes);
    }

    #[test]
    fn csv_with_tricky_cells_in_place_never_panics(csv in cell_mutated_csv()) {
        csv_pipeline(csv.as_bytes());
    }

    #[test]
    fn csv_of_tricky_cells_never_panics(csv in tricky_csv()) {
        csv_pipeline(csv.as_bytes());
    }

    #[test]
    fn arbitrary_text_never_panics_the_json_loaders(text in "\\PC{0,200}") {
        json_loaders(&text);
    }

    #[test]
    fn mutated_json_never_panics_the_loaders(
        which in 0usize..5,
        edits in prop::collection::vec(json_edit(), 1..4),
    ) {
        let seeds = json_seeds();
        let all = [&seeds.schema, &seeds.rules, &seeds.encoder, &seeds.kmeans_model, &seeds.dbscan_model];
        let mut value = all[which].clone();
        for e in &edits {
            apply_json(&mut value, e);
        }
        json_loaders(&value.to_string());
    }

    #[test]
    fn byte_mutated_json_never_panics_the_loaders(
        which in 0usize..5,
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let seeds = json_seeds();
        let all = [&seeds.schema, &seeds.rules, &seeds.encoder, &seeds.kmeans_model, &seeds.dbscan_model];
        let text = all[which].to_string();
        let bytes = apply(text.into_bytes(), &edits);
        json_loaders(&String::from_utf8_lossy(&bytes));
    }
}
