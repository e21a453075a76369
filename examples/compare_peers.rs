//! Times our k-means and DBSCAN against linfa-clustering's on the same generated data, in one
//! process, with the same settings, and prints a Markdown table.
//!
//! ```text
//! cargo run --release --example compare_peers            # the full run recorded in BENCHMARKS.md
//! cargo run --release --example compare_peers -- --quick # smaller data, one repetition
//! cargo run --release --example compare_peers -- --only kmeans,threads,dbscan,silhouette,autok
//! cargo run --release --example compare_peers -- --write-npy target/peer-data  # for scikit-learn
//! ```
//!
//! Settings shared by both sides: k-means++ initialisation (ours the default, k-means++ on a
//! sample then Lloyd's iteration on it, with rows for our exact k-means++ on every customer as
//! linfa does), the same number of initialisations, an iteration cap of 300 and scikit-learn's tolerance 1e-4 (relative to the mean feature
//! variance; linfa's tolerance is absolute on the centroid movement, so it gets the equivalent
//! absolute value); DBSCAN with the same `eps` (from `suggest_eps`, which recovers the planted
//! blobs on these data) and `min_points`. "ARI" is the adjusted Rand index
//! between the two libraries' labels (for DBSCAN, on customers that both call core or border).

use std::time::Instant;

use linfa::prelude::*;
use linfa::DatasetBase;
use ndarray::Array2;
use personas::sample::Blobs;
use personas::segment::{adjusted_rand_index, silhouette_sampled, suggest_eps};
use personas::{Dbscan, Init, KMeans};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

/// Median wall time in milliseconds of `reps` runs of `f`, and the last result.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(reps);
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        last = Some(out);
    }
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    let median = if times.len() % 2 == 1 {
        times[mid]
    } else {
        0.5 * (times[mid - 1] + times[mid])
    };
    (median, last.expect("at least one repetition"))
}

/// The process's peak resident memory in MB (Linux only).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0 / 1e6)
}

fn mean_variance(x: &Array2<f64>) -> f64 {
    x.var_axis(ndarray::Axis(0), 0.0).mean().unwrap_or(0.0)
}

struct Row {
    case: String,
    ours_ms: f64,
    linfa_ms: Option<f64>,
    iterations: String,
    ari: Option<f64>,
}

fn print_table(rows: &[Row]) {
    println!("| case | ours median ms | linfa median ms | ratio (ours / linfa) | iterations (ours) | ARI ours vs linfa |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let linfa = r.linfa_ms.map_or("-".into(), |v| format!("{v:.1}"));
        let ratio = r
            .linfa_ms
            .map_or("-".into(), |v| format!("{:.3}", r.ours_ms / v));
        let ari = r.ari.map_or("-".into(), |v| format!("{v:.4}"));
        println!(
            "| {} | {:.1} | {} | {} | {} | {} |",
            r.case, r.ours_ms, linfa, ratio, r.iterations, ari
        );
    }
}

fn kmeans_case(
    rows: &mut Vec<Row>,
    (n, d, k, n_init): (usize, usize, usize, usize),
    reps: usize,
    report_peak: bool,
) {
    let x = Blobs::new(n, d, k)
        .with_seed(42)
        .with_separation(2.0)
        .generate()
        .features;
    let tol = 1e-4;
    let ours = KMeans::new(k)
        .with_seed(1)
        .with_n_init(n_init)
        .with_tolerance(tol);
    let (ours_ms, model) = time(reps, || ours.fit(x.view()).expect("our k-means"));
    // Peak memory so far: the data (generated in this process) plus our fits, before linfa's
    // copy of the data exists.
    let peak_mb = peak_rss_mb();
    let linfa_tol = (tol * mean_variance(&x)).sqrt();
    let data = DatasetBase::from(x.clone());
    let (linfa_ms, theirs) = time(reps, || {
        linfa_clustering::KMeans::params_with_rng(k, Xoshiro256Plus::seed_from_u64(1))
            .n_runs(n_init)
            .max_n_iterations(300)
            .tolerance(linfa_tol)
            .fit(&data)
            .expect("linfa k-means")
    });
    let their_labels = theirs.predict(&x).to_vec();
    let ari = adjusted_rand_index(model.labels(), &their_labels).ok();
    rows.push(Row {
        case: format!("k-means {n} x {d}, k = {k}, n_init = {n_init}"),
        ours_ms,
        linfa_ms: Some(linfa_ms),
        iterations: model.n_iter().to_string(),
        ari,
    });

    // Per-iteration cost against the memory floor: one plain read pass over the same matrix,
    // split over the same threads.
    let slice = x.as_slice().expect("standard layout");
    let (read_ms, sum) = time(reps.max(5), || {
        use rayon::prelude::*;
        slice
            .par_chunks(1 << 16)
            .map(|c| c.iter().sum::<f64>())
            .sum::<f64>()
    });
    std::hint::black_box(sum);
    let one = KMeans::new(k)
        .with_seed(1)
        .with_n_init(1)
        .with_tolerance(tol);
    let (init_ms, _) = time(reps, || one.initial_centroids(x.view()).expect("init"));
    let (fit1_ms, m1) = time(reps, || one.fit(x.view()).expect("fit"));
    let exact = ours.clone().with_init(Init::KMeansPlusPlus);
    let (exact_ms, exact_model) = time(reps, || exact.fit(x.view()).expect("exact fit"));
    let exact_one = one.clone().with_init(Init::KMeansPlusPlus);
    let (exact_init_ms, _) = time(reps, || {
        exact_one.initial_centroids(x.view()).expect("exact init")
    });
    let per_iter = (fit1_ms - init_ms) / (m1.n_iter() + 1) as f64;
    if let (Some(peak), true) = (peak_mb, report_peak) {
        let matrix_mb = (n * d * 8) as f64 / 1e6;
        rows.push(Row {
            case: format!(
                "peak RSS (MB) after generating the {matrix_mb:.0} MB matrix and our fits \
                 (target <= 1.3 x matrix + 50 = {:.0} MB)",
                1.3 * matrix_mb + 50.0
            ),
            ours_ms: peak,
            linfa_ms: None,
            iterations: "-".into(),
            ari: None,
        });
    }
    rows.push(Row {
        case: format!(
            "k-means {n} x {d}, k = {k}, n_init = {n_init}, exact k-means++ (`Init::KMeansPlusPlus`; \
             inertia / default's {:.5})",
            exact_model.inertia() / model.inertia()
        ),
        ours_ms: exact_ms,
        linfa_ms: Some(linfa_ms),
        iterations: exact_model.n_iter().to_string(),
        ari: adjusted_rand_index(exact_model.labels(), &their_labels).ok(),
    });
    rows.push(Row {
        case: format!(
            "initialisation alone, {n} x {d}, k = {k}: the default (k-means++ and Lloyd on a sample)"
        ),
        ours_ms: init_ms,
        linfa_ms: None,
        iterations: "-".into(),
        ari: None,
    });
    rows.push(Row {
        case: format!("exact k-means++ initialisation alone, {n} x {d}, k = {k}"),
        ours_ms: exact_init_ms,
        linfa_ms: None,
        iterations: "-".into(),
        ari: None,
    });
    rows.push(Row {
        case: format!(
            "k-means {n} x {d}, time per iteration (n_init = 1, {} iterations + final assignment)",
            m1.n_iter()
        ),
        ours_ms: per_iter,
        linfa_ms: None,
        iterations: m1.n_iter().to_string(),
        ari: None,
    });
    rows.push(Row {
        case: format!(
            "memory floor: one read pass over the {n} x {d} matrix (per-iteration / floor = {:.2})",
            per_iter / read_ms
        ),
        ours_ms: read_ms,
        linfa_ms: None,
        iterations: "-".into(),
        ari: None,
    });
}

fn thread_scaling(rows: &mut Vec<Row>, n: usize, d: usize, k: usize, reps: usize) {
    let x = Blobs::new(n, d, k)
        .with_seed(42)
        .with_separation(2.0)
        .generate()
        .features;
    let km = KMeans::new(k).with_seed(1).with_n_init(1);
    let mut ms = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let (t, m) = pool.install(|| time(reps, || km.fit(x.view()).expect("fit")));
        ms.push((t, m.n_iter()));
    }
    rows.push(Row {
        case: format!(
            "k-means {n} x {d}, k = {k}, ours on 2 threads vs ours on 1 thread (speed-up {:.2}x; this row's linfa column holds our 1-thread time)",
            ms[0].0 / ms[1].0
        ),
        ours_ms: ms[1].0,
        linfa_ms: Some(ms[0].0),
        iterations: ms[1].1.to_string(),
        ari: None,
    });
}

fn dbscan_case(
    rows: &mut Vec<Row>,
    n: usize,
    d: usize,
    min_points: usize,
    reps: usize,
    linfa_reps: usize,
) {
    let blobs = Blobs::new(n, d, 6).with_seed(7).with_noise(0.05).generate();
    let x = blobs.features;
    let eps = suggest_eps(x.view(), min_points).expect("eps");
    let eps = (eps * 1000.0).round() / 1000.0;
    let db = Dbscan::new(eps, min_points);
    let (ours_ms, model) = time(reps, || db.fit(x.view()).expect("our DBSCAN"));
    let truth_ari = {
        let both: Vec<_> = model
            .labels()
            .iter()
            .zip(&blobs.labels)
            .filter(|(a, b)| a.is_some() && b.is_some())
            .map(|(a, b)| (*a, *b))
            .collect();
        let (a, b): (Vec<_>, Vec<_>) = both.into_iter().unzip();
        adjusted_rand_index(&a, &b).unwrap_or(f64::NAN)
    };
    let (linfa_ms, ari) = if linfa_reps > 0 {
        let params = linfa_clustering::Dbscan::params(min_points)
            .tolerance(eps)
            .check()
            .expect("linfa params");
        let (t, theirs) = time(linfa_reps, || params.transform(&x));
        let (a, b): (Vec<_>, Vec<_>) = model
            .labels()
            .iter()
            .zip(theirs.iter())
            .filter(|(a, b)| a.is_some() && b.is_some())
            .map(|(a, b)| (*a, *b))
            .unzip();
        (Some(t), adjusted_rand_index(&a, &b).ok())
    } else {
        (None, None)
    };
    rows.push(Row {
        case: format!(
            "DBSCAN {n} x {d}, 5% noise, eps = {eps}, min_points = {min_points} \
             ({} segments, {} noise; ARI vs planted blobs {truth_ari:.4})",
            model.n_segments(),
            model.segmentation().unassigned()
        ),
        ours_ms,
        linfa_ms,
        iterations: "-".into(),
        ari,
    });
}

fn silhouette_case(rows: &mut Vec<Row>, n: usize, d: usize, reps: usize) {
    let x = Blobs::new(n, d, 6).with_seed(3).generate().features;
    let seg = KMeans::new(6)
        .with_n_init(1)
        .segment(x.view())
        .expect("segments");
    let (ms, s) = time(reps, || {
        silhouette_sampled(x.view(), &seg, 5_000, 0).expect("silhouette")
    });
    rows.push(Row {
        case: format!("sampled silhouette (5,000 of {n} x {d}), value {s:.4}"),
        ours_ms: ms,
        linfa_ms: None,
        iterations: "-".into(),
        ari: None,
    });
}

fn auto_k_case(rows: &mut Vec<Row>, n: usize, d: usize, reps: usize) {
    let x = Blobs::new(n, d, 5).with_seed(11).generate().features;
    let one = KMeans::new(8).with_seed(1).with_n_init(1);
    let (one_ms, _) = time(reps, || one.fit(x.view()).expect("fit"));
    let auto = personas::segment::AutoK::new(2..=8)
        .with_n_init(1)
        .with_seed(1);
    let (auto_ms, choice) = time(reps, || auto.fit(x.view()).expect("auto k"));
    rows.push(Row {
        case: format!(
            "auto k over 2..=8, {n} x {d} (chose k = {}; {:.2}x one k = 8 fit of {one_ms:.1} ms)",
            choice.k(),
            auto_ms / one_ms
        ),
        ours_ms: auto_ms,
        linfa_ms: None,
        iterations: "-".into(),
        ari: None,
    });
}

/// Writes a matrix as a NumPy `.npy` file (format 1.0, little-endian f64, C order), so
/// `scripts/sklearn_peer.py` can run scikit-learn on exactly the same data.
fn write_npy(path: &std::path::Path, x: &Array2<f64>) -> std::io::Result<()> {
    use std::io::Write;
    let dict = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}",
        x.nrows(),
        x.ncols()
    );
    // Magic (6) + version (2) + length (2) + dict + padding + newline, a multiple of 64.
    let unpadded = 10 + dict.len() + 1;
    let header = format!("{dict}{}\n", " ".repeat((64 - unpadded % 64) % 64));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    out.write_all(b"\x93NUMPY\x01\x00")?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    for v in x.iter() {
        out.write_all(&v.to_le_bytes())?;
    }
    out.flush()
}

/// `--write-npy DIR`: the k-means and DBSCAN matrices of the cases above, and the DBSCAN
/// settings, for the scikit-learn script.
fn write_peer_data(dir: &str) -> std::io::Result<()> {
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let x = Blobs::new(1_000_000, 16, 8)
        .with_seed(42)
        .with_separation(2.0)
        .generate()
        .features;
    write_npy(&dir.join("kmeans_1000000x16.npy"), &x)?;
    let mut settings = String::from("case,eps,min_points\n");
    for (n, d, min_points) in [(100_000, 4, 10), (300_000, 6, 12)] {
        let x = Blobs::new(n, d, 6)
            .with_seed(7)
            .with_noise(0.05)
            .generate()
            .features;
        let eps = suggest_eps(x.view(), min_points).expect("eps");
        let eps = (eps * 1000.0).round() / 1000.0;
        let name = format!("dbscan_{n}x{d}");
        write_npy(&dir.join(format!("{name}.npy")), &x)?;
        settings.push_str(&format!("{name},{eps},{min_points}\n"));
    }
    std::fs::write(dir.join("dbscan_settings.csv"), settings)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(dir) = args
        .iter()
        .position(|a| a == "--write-npy")
        .and_then(|i| args.get(i + 1))
    {
        write_peer_data(dir).expect("write the .npy files");
        println!("wrote the peer data to {dir}");
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    // `--only kmeans,dbscan,...` runs some cases only; `--linfa-dbscan-large` also times linfa's
    // DBSCAN on the 300,000 x 6 case (minutes).
    let only: Option<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let wants = |case: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|c| c == case))
    };
    let linfa_large = args.iter().any(|a| a == "--linfa-dbscan-large");
    let (scale, reps) = if quick { (10, 1) } else { (1, 5) };
    let threads = rayon::current_num_threads();
    println!("threads: {threads}; repetitions: {reps} (median reported)\n");
    let mut rows = Vec::new();
    if wants("kmeans") {
        kmeans_case(&mut rows, (1_000_000 / scale, 16, 8, 1), reps, true);
        kmeans_case(&mut rows, (200_000 / scale, 16, 8, 3), reps, false);
    }
    if wants("threads") {
        thread_scaling(&mut rows, 1_000_000 / scale, 16, 8, reps);
    }
    if wants("dbscan") {
        dbscan_case(&mut rows, 100_000 / scale, 4, 10, reps, 3);
        let large_linfa = if quick || linfa_large { 1 } else { 0 };
        dbscan_case(&mut rows, 300_000 / scale, 6, 12, reps, large_linfa);
    }
    if wants("silhouette") {
        silhouette_case(&mut rows, 100_000 / scale, 16, reps);
    }
    if wants("autok") {
        auto_k_case(&mut rows, 200_000 / scale, 16, if quick { 1 } else { 3 });
    }
    print_table(&rows);
}
