//! Arbitrary text as a saved encoder (`FittedEncoder` JSON). An encoder that loads must
//! transform a table and decode a point without panicking (`Ok` or `Err`).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use personas::{CsvOptions, CustomerTable, FittedEncoder, Schema};

/// Forty customers of the bundled sample, read with its schema.
fn table() -> &'static CustomerTable {
    static TABLE: OnceLock<CustomerTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let schema = Schema::from_json(include_str!("../../examples/data/customers.schema.json"))
            .expect("the bundled schema loads");
        let csv: String = include_str!("../../examples/data/customers.csv")
            .lines()
            .take(41)
            .map(|l| format!("{l}\n"))
            .collect();
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new())
            .expect("the bundled sample reads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(encoder) = serde_json::from_str::<FittedEncoder>(text) {
        let _ = encoder.transform(table());
        let point = vec![0.5; encoder.n_features()];
        let _ = encoder.decode(point.as_slice().into());
    }
});
