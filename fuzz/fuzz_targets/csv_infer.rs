//! Arbitrary bytes as a CSV file: schema inference, its report, the table read with the inferred
//! schema, and the encoder fitted on it. Every input must end in `Ok` or `Err`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use personas::{CsvOptions, CustomerTable, Encoder, Inference};

fuzz_target!(|data: &[u8]| {
    let options = CsvOptions::new();
    let Ok(inference) = Inference::from_csv_reader(data, &options) else {
        return;
    };
    let _ = inference.to_string();
    let Ok(table) = CustomerTable::from_csv_reader(data, inference.schema(), &options) else {
        return;
    };
    if let Ok(encoder) = Encoder::new().fit(&table) {
        let _ = encoder.transform(&table);
    }
});
