//! Arbitrary text as a saved persona model (`PersonaModel` JSON). A model that loads must assign
//! customers, write its SQL, compare with a snapshot and save as it was read, without panicking
//! (`Ok` or `Err`).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use personas::model::PersonaModel;
use personas::{CsvOptions, CustomerTable};

/// Forty customers of the bundled sample, as CSV text.
fn csv() -> &'static str {
    static CSV: OnceLock<String> = OnceLock::new();
    CSV.get_or_init(|| {
        include_str!("../../examples/data/customers.csv")
            .lines()
            .take(41)
            .map(|l| format!("{l}\n"))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = PersonaModel::from_json(text) else {
        return;
    };
    let schema = model.reading_schema();
    if let Ok(table) = CustomerTable::from_csv_reader(csv().as_bytes(), &schema, &CsvOptions::new())
    {
        let _ = model.assign(&table);
        let _ = model.assignment_notes(&table);
        let _ = personas::drift::compare(&model, &table, &personas::drift::DriftOptions::new());
    }
    if let Ok(kmeans) = model.k_means() {
        let _ = personas::sql::assignment_query(
            model.schema(),
            model.encoder(),
            kmeans,
            &personas::sql::SqlOptions::new(),
        );
    }
    let json = model.to_json().expect("a loaded model writes");
    let again = PersonaModel::from_json(&json).expect("a written model loads");
    assert_eq!(again, model);
});
