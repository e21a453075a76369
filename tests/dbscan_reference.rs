//! Our DBSCAN against linfa-clustering's and against the textbook definition computed by brute
//! force: the same core customers, the same noise and the same segments on core customers.
//!
//! linfa-clustering's `min_points` counts the point itself, like ours and scikit-learn's, and both
//! take neighbours at a distance of at most `eps`, so the two must agree.

use linfa::traits::Transformer;
use linfa::ParamGuard;
use ndarray::Array2;
use personas::sample::Blobs;
use personas::segment::adjusted_rand_index;
use personas::Dbscan;

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Core flags by brute force from the textbook definition.
fn brute_force_core(x: &Array2<f64>, eps: f64, min_points: usize) -> Vec<bool> {
    let (n, d) = x.dim();
    let v = x.as_standard_layout().iter().copied().collect::<Vec<f64>>();
    (0..n)
        .map(|i| {
            let count = v
                .chunks_exact(d)
                .filter(|r| dist2(&v[i * d..(i + 1) * d], r) <= eps * eps)
                .count();
            count >= min_points
        })
        .collect()
}

fn linfa_labels(x: &Array2<f64>, eps: f64, min_points: usize) -> Vec<Option<usize>> {
    linfa_clustering::Dbscan::params(min_points)
        .tolerance(eps)
        .check()
        .unwrap()
        .transform(x)
        .to_vec()
}

fn cases() -> Vec<(&'static str, Array2<f64>, f64, usize)> {
    vec![
        (
            "2-d blobs",
            Blobs::new(3_000, 2, 3).with_seed(1).generate().features,
            0.5,
            5,
        ),
        (
            "4-d blobs with 5% noise",
            Blobs::new(3_000, 4, 4)
                .with_seed(2)
                .with_noise(0.05)
                .generate()
                .features,
            1.0,
            8,
        ),
        (
            "6-d blobs with 10% noise",
            Blobs::new(2_000, 6, 3)
                .with_seed(3)
                .with_noise(0.10)
                .generate()
                .features,
            1.6,
            6,
        ),
        (
            "8-d overlapping blobs",
            Blobs::new(2_000, 8, 5)
                .with_seed(4)
                .with_separation(2.0)
                .generate()
                .features,
            2.0,
            10,
        ),
    ]
}

#[test]
fn same_core_points_noise_and_segments_as_linfa() {
    for (name, x, eps, min_points) in cases() {
        let ours = Dbscan::new(eps, min_points).fit(x.view()).unwrap();
        let theirs = linfa_labels(&x, eps, min_points);
        let core = brute_force_core(&x, eps, min_points);
        assert_eq!(ours.is_core(), core.as_slice(), "{name}: core customers");
        eprintln!(
            "{name}: {} segments, {} core, {} noise",
            ours.n_segments(),
            ours.n_core(),
            ours.segmentation().unassigned()
        );
        assert!(ours.n_segments() >= 2, "{name}: fewer than two segments");
        let our_noise: Vec<bool> = ours.labels().iter().map(Option::is_none).collect();
        let their_noise: Vec<bool> = theirs.iter().map(Option::is_none).collect();
        assert_eq!(our_noise, their_noise, "{name}: noise");
        let ours_plain: Vec<Option<usize>> =
            ours.labels().iter().map(|l| l.map(|s| s.index())).collect();
        let on_core = |l: &[Option<usize>]| -> Vec<Option<usize>> {
            l.iter()
                .zip(&core)
                .filter(|(_, &c)| c)
                .map(|(l, _)| *l)
                .collect()
        };
        let ari = adjusted_rand_index(&on_core(&ours_plain), &on_core(&theirs)).unwrap();
        assert_eq!(ari, 1.0, "{name}: ARI on core customers");
        // Border customers join a segment of one of their core neighbours.
        for (i, l) in ours.labels().iter().enumerate() {
            if let (Some(l), false) = (l, core[i]) {
                let ok = (0..x.nrows()).any(|j| {
                    core[j]
                        && ours.labels()[j] == Some(*l)
                        && x.row(i)
                            .iter()
                            .zip(x.row(j).iter())
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum::<f64>()
                            <= eps * eps
                });
                assert!(
                    ok,
                    "{name}: border customer {i} has no core neighbour in its segment"
                );
            }
        }
    }
}

#[test]
fn same_result_with_one_and_two_threads() {
    let x = Blobs::new(30_000, 4, 5)
        .with_seed(7)
        .with_noise(0.05)
        .generate()
        .features;
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| Dbscan::new(0.6, 8).fit(x.view()).unwrap())
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a.labels(), b.labels());
    assert_eq!(a.is_core(), b.is_core());
    assert!(a.n_segments() >= 2);
}

#[test]
fn predict_gives_every_training_customer_its_own_segment() {
    let x = Blobs::new(3_000, 3, 3)
        .with_seed(5)
        .with_noise(0.05)
        .generate()
        .features;
    let m = Dbscan::new(0.8, 6).fit(x.view()).unwrap();
    let p = m.predict(x.view()).unwrap();
    assert_eq!(p, m.labels(), "core, border and noise customers alike");
    // The data have border customers (in a segment, not core), so the rule for them is tested.
    let core = m.is_core();
    let border = (0..3_000).filter(|&i| !core[i] && m.labels()[i].is_some());
    assert!(border.count() > 0);
}
