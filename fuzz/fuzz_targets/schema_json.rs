//! Arbitrary text as a schema JSON file. A schema that loads must write and load again as the
//! same schema (what `--write-schema` writes is read back).
#![no_main]

use libfuzzer_sys::fuzz_target;
use personas::Schema;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(schema) = Schema::from_json(text) {
        let json = schema.to_json().expect("a loaded schema writes");
        let again = Schema::from_json(&json).expect("a written schema loads");
        assert_eq!(again, schema);
    }
});
