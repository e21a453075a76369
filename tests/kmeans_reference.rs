//! Our k-means against linfa-clustering's on well-separated blobs, plus the iteration's own
//! guarantees: inertia never increases and the thread count does not change the result.

use linfa::prelude::*;
use linfa::DatasetBase;
use ndarray::Array2;
use personas::sample::Blobs;
use personas::segment::{adjusted_rand_index, inertia};
use personas::{Init, KMeans, Segmentation};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

fn blobs(n: usize, d: usize, k: usize, seed: u64) -> Array2<f64> {
    Blobs::new(n, d, k).with_seed(seed).generate().features
}

fn as_segmentation(labels: &[usize]) -> Segmentation {
    Segmentation::new(labels.iter().map(|&l| Some(l)).collect(), None, None).unwrap()
}

fn linfa_labels(x: &Array2<f64>, k: usize, n_runs: usize, seed: u64) -> Vec<usize> {
    let model = linfa_clustering::KMeans::params_with_rng(k, Xoshiro256Plus::seed_from_u64(seed))
        .n_runs(n_runs)
        .max_n_iterations(300)
        .tolerance(1e-6)
        .fit(&DatasetBase::from(x.clone()))
        .unwrap();
    model.predict(x).to_vec()
}

#[test]
fn agrees_with_linfa_on_well_separated_blobs() {
    for (n, d, k, seed) in [(8_000, 8, 5, 1), (5_000, 2, 3, 2), (8_000, 16, 8, 3)] {
        let x = blobs(n, d, k, seed);
        let ours = KMeans::new(k)
            .with_seed(seed)
            .with_n_init(3)
            .fit(x.view())
            .unwrap();
        let theirs = linfa_labels(&x, k, 3, seed);
        let ari = adjusted_rand_index(ours.labels(), &theirs).unwrap();
        assert!(ari >= 0.99, "case {n}x{d} k={k}: ARI {ari}");
        let our_inertia = inertia(x.view(), ours.segmentation()).unwrap();
        let their_inertia = inertia(x.view(), &as_segmentation(&theirs)).unwrap();
        assert!(
            our_inertia <= their_inertia * 1.005,
            "case {n}x{d} k={k}: ours {our_inertia}, linfa {their_inertia}"
        );
        // The model's own inertia is the same quantity, up to rounding.
        assert!((ours.inertia() - our_inertia).abs() <= 1e-9 * our_inertia.max(1.0));
    }
}

/// Above `KMeans::SAMPLE_MIN_ROWS` customers the default seeds from a sample (k-means++ and
/// Lloyd's iteration on it): the same agreement with linfa, which seeds on every customer, and
/// the same inertia as our exact k-means++ within 0.5%.
#[test]
fn the_sampled_default_agrees_with_linfa_and_with_exact_kmeans_plus_plus() {
    let (n, d, k, seed) = (100_000, 8, 6, 4);
    assert!(n > KMeans::SAMPLE_MIN_ROWS);
    let x = blobs(n, d, k, seed);
    let km = KMeans::new(k).with_seed(seed).with_n_init(3);
    let ours = km.fit(x.view()).unwrap();
    let theirs = linfa_labels(&x, k, 3, seed);
    let ari = adjusted_rand_index(ours.labels(), &theirs).unwrap();
    assert!(ari >= 0.99, "ARI {ari}");
    let their_inertia = inertia(x.view(), &as_segmentation(&theirs)).unwrap();
    assert!(
        ours.inertia() <= their_inertia * 1.005,
        "ours {}, linfa {their_inertia}",
        ours.inertia()
    );
    let exact = km.with_init(Init::KMeansPlusPlus).fit(x.view()).unwrap();
    assert!(
        ours.inertia() <= exact.inertia() * 1.005,
        "sampled {}, exact {}",
        ours.inertia(),
        exact.inertia()
    );
}

#[test]
fn inertia_never_increases_between_iterations() {
    for (seed, init) in [
        (1, Init::KMeansPlusPlus),
        (2, Init::Random),
        (3, Init::Random),
    ] {
        // Overlapping blobs and a k that does not match them make for long runs.
        let x = Blobs::new(5_000, 3, 6)
            .with_seed(seed)
            .with_separation(1.0)
            .generate()
            .features;
        let m = KMeans::new(9)
            .with_seed(seed)
            .with_n_init(1)
            .with_init(init)
            .with_tolerance(0.0)
            .fit(x.view())
            .unwrap();
        let h = m.inertia_history();
        assert!(h.len() >= 3, "{h:?}");
        for w in h.windows(2) {
            assert!(w[1] <= w[0] * (1.0 + 1e-12), "inertia rose: {h:?}");
        }
        assert_eq!(*h.last().unwrap(), m.inertia());
    }
}

#[test]
fn same_result_with_one_and_two_threads() {
    let x = Blobs::new(20_000, 5, 4)
        .with_seed(9)
        .with_separation(2.0)
        .generate()
        .features;
    let w: Vec<f64> = (0..x.nrows()).map(|i| 1.0 + (i % 7) as f64).collect();
    let fit = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let km = KMeans::new(6).with_seed(4).with_n_init(2);
                (
                    km.fit(x.view()).unwrap(),
                    km.fit_weighted(x.view(), &w).unwrap(),
                )
            })
    };
    let (a, aw) = fit(1);
    let (b, bw) = fit(2);
    assert_eq!(a, b);
    assert_eq!(aw, bw);
    assert_eq!(a.inertia().to_bits(), b.inertia().to_bits());
}

#[test]
fn predict_on_training_data_gives_the_training_labels() {
    let x = blobs(5_000, 4, 4, 11);
    let m = KMeans::new(4).with_seed(1).fit(x.view()).unwrap();
    assert_eq!(m.predict(x.view()).unwrap(), m.labels());
}
