//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A file under `../shared/data`, or `None` (with the reason printed) when it is absent.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}
