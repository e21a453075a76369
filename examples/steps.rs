//! Times each step of a whole run on one CSV and prints the process's peak memory after it, for
//! BENCHMARKS.md: inference, loading, encoding, one k-means fit, profiles, drafting and rendering.
//!
//! ```text
//! cargo run --release --example steps -- FILE [K] [f64|f32]
//! ```
//!
//! The third argument is the element type of the feature matrix (default `f64`). Memory is
//! `VmHWM` (peak) and `VmRSS` (now) from `/proc/self/status` (Linux); elsewhere it prints `-`.

use std::process::ExitCode;
use std::time::Instant;

use personas::{
    CsvOptions, CustomerTable, Drafter, Encoder, Inference, KMeans, Precision, Profiles,
};

/// The process's peak resident memory so far (`VmHWM`) or now (`VmRSS`), as `/proc` words it.
fn memory(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "-".to_string())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: steps FILE [K] [f64|f32]");
        return ExitCode::FAILURE;
    };
    let k = match args.next().map(|k| k.parse::<usize>()) {
        None => 5,
        Some(Ok(k)) => k,
        Some(Err(e)) => {
            eprintln!("error: K: {e}");
            return ExitCode::FAILURE;
        }
    };
    let precision = match args.next().as_deref() {
        None | Some("f64") => Precision::F64,
        Some("f32") => Precision::F32,
        Some(other) => {
            eprintln!("error: the precision is f64 or f32, not `{other}`");
            return ExitCode::FAILURE;
        }
    };
    match run(&path, k, precision) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(path: &str, k: usize, precision: Precision) -> personas::Result<()> {
    let options = CsvOptions::new();
    let step = |name: &str, start: Instant| {
        println!(
            "{name:<10} {:>10.3} s   peak {:>12}   now {:>12}",
            start.elapsed().as_secs_f64(),
            memory("VmHWM"),
            memory("VmRSS")
        );
    };
    let t = Instant::now();
    let inference = Inference::from_csv_path(path, &options)?;
    step("infer", t);
    let t = Instant::now();
    let table = CustomerTable::from_csv_path(path, inference.schema(), &options)?;
    step("load", t);
    let t = Instant::now();
    let encoder = Encoder::new().fit(&table)?;
    let features = encoder.transform_as(&table, precision)?;
    step("encode", t);
    let t = Instant::now();
    let segmentation = KMeans::new(k)
        .with_n_init(1)
        .with_seed(42)
        .segment(&features)?;
    step("k-means", t);
    let t = Instant::now();
    let profiles = Profiles::new(&table, &segmentation)?;
    step("profiles", t);
    let t = Instant::now();
    let personas = Drafter::new().draft(&profiles)?;
    step("draft", t);
    let t = Instant::now();
    let json = personas.to_json()?;
    let markdown = personas.to_markdown();
    step("render", t);
    println!(
        "{} customers x {} features ({}); {} personas; JSON {} bytes, Markdown {} bytes",
        table.n_customers(),
        features.dim().1,
        precision.name(),
        personas.personas.len(),
        json.len(),
        markdown.len()
    );
    Ok(())
}
