//! Arbitrary text as a signal rules JSON file, added to the built-in catalogue. Rules that load
//! must write and load again as the same rules, and the catalogue must resolve for a domain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use personas::persona::{Catalogue, Domain};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(catalogue) = Catalogue::builtin().with_rules_json(text) {
        let _ = catalogue.for_domain(Domain::Retail);
        let json = catalogue.to_json().expect("loaded rules write");
        let again = Catalogue::builtin()
            .with_rules_json(&json)
            .expect("written rules load");
        assert_eq!(again.rules(), catalogue.rules());
    }
});
