use super::*;
use crate::rng::Rng;
use crate::sample::Blobs;
use ndarray::Array2;

fn blobs(n: usize, d: usize, k: usize, seed: u64) -> Array2<f64> {
    Blobs::new(n, d, k)
        .with_seed(seed)
        .with_separation(15.0)
        .generate()
        .features
}

#[test]
fn empty_or_too_low_ranges_and_bad_settings_are_rejected() {
    let x = Blobs::new(50, 2, 2).generate().features;
    #[allow(clippy::reversed_empty_ranges)]
    let empty = AutoK::new(5..=3).fit(x.view());
    assert!(matches!(
        empty,
        Err(Error::InvalidParameter {
            name: "k range",
            ..
        })
    ));
    let bad = [
        AutoK::new(1..=3),
        AutoK::new(2..=100_000),
        AutoK::new(2..=AutoK::MAX_K + 1),
        AutoK::default().with_min_share(1.0),
        AutoK::default().with_min_share(-0.1),
        AutoK::default().with_weak_silhouette(f64::NAN),
        AutoK::default().with_weak_stability(f64::INFINITY),
        AutoK::default().with_stability(Stability::new().with_subsamples(0)),
    ];
    for auto in bad {
        assert!(
            matches!(auto.fit(x.view()), Err(Error::InvalidParameter { .. })),
            "{auto:?}"
        );
    }
}

#[test]
fn four_separated_blobs_give_four_stable_segments_and_no_warning() {
    let x = blobs(2_000, 5, 4, 2);
    let c = AutoK::default()
        .with_seed(3)
        .with_n_init(2)
        .fit(x.view())
        .unwrap();
    assert_eq!(c.k(), 4, "{}", c.table());
    let ks: Vec<usize> = c.scores().iter().map(|s| s.k).collect();
    assert_eq!(ks, (3..=6).collect::<Vec<_>>());
    let a = c.assessment();
    let chosen = &c.scores()[1];
    assert!(chosen.stability.unwrap() > 0.95, "{}", c.table());
    assert!(!a.weak_structure && !a.on_edge, "{a:?}");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert!(
        c.reason().starts_with("k = 4: combined score"),
        "{}",
        c.reason()
    );
    assert!(c.table().contains("| 4 (chosen) |"));
    let per_segment = &a.stability.as_ref().unwrap().segment_jaccard;
    assert_eq!(per_segment.len(), 4);
    assert!(
        per_segment.iter().all(|j| j.unwrap() > 0.95),
        "{per_segment:?}"
    );
}

#[test]
fn uniform_noise_is_flagged_as_weak_structure() {
    let mut rng = Rng::new(21);
    let x = Array2::from_shape_fn((2_000, 4), |_| rng.uniform());
    let c = AutoK::default()
        .with_seed(1)
        .with_n_init(2)
        .fit(x.view())
        .unwrap();
    let a = c.assessment();
    assert!(a.weak_structure, "{}", c.table());
    assert!(
        a.warnings.iter().any(|w| w.contains("continuum")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn the_edge_flag_fires_at_either_end_of_the_range_only() {
    let x = blobs(1_500, 3, 3, 5);
    let low = AutoK::default()
        .with_seed(2)
        .with_n_init(2)
        .fit(x.view())
        .unwrap();
    assert_eq!(low.k(), 3, "{}", low.table());
    assert!(low.assessment().on_edge);
    assert!(
        low.warnings().iter().any(|w| w.contains("lowest")),
        "{:?}",
        low.warnings()
    );
    let high = AutoK::new(2..=3)
        .with_seed(2)
        .with_n_init(2)
        .fit(x.view())
        .unwrap();
    assert_eq!(high.k(), 3, "{}", high.table());
    assert!(
        high.warnings().iter().any(|w| w.contains("highest")),
        "{:?}",
        high.warnings()
    );
    let inside = AutoK::new(2..=5)
        .with_seed(2)
        .with_n_init(2)
        .fit(x.view())
        .unwrap();
    assert_eq!(inside.k(), 3, "{}", inside.table());
    assert!(!inside.assessment().on_edge);
    let single = AutoK::new(3..=3).with_seed(2).fit(x.view()).unwrap();
    assert!(!single.assessment().on_edge);
}

/// Three big blobs and a tight one of 2.5% of the customers, near enough to the first that
/// three segments absorb it there.
fn three_big_one_tiny() -> Array2<f64> {
    let mut rng = Rng::new(13);
    let blobs = [
        (0.0, 0.0, 1.0, 650),
        (12.0, 0.0, 1.0, 650),
        (0.0, 12.0, 1.0, 650),
    ];
    let mut rows = Vec::new();
    for (cx, cy, sd, m) in blobs.into_iter().chain([(-7.0, -7.0, 0.5, 50)]) {
        for _ in 0..m {
            rows.extend([cx + sd * rng.normal(), cy + sd * rng.normal()]);
        }
    }
    Array2::from_shape_vec((2_000, 2), rows).unwrap()
}

#[test]
fn a_k_with_a_tiny_segment_is_not_chosen() {
    let x = three_big_one_tiny();
    let auto = AutoK::default().with_seed(4).with_n_init(3);
    let free = auto.clone().with_min_share(0.0).fit(x.view()).unwrap();
    // Without the minimum share, the tiny blob gets its own segment.
    assert_eq!(free.k(), 4, "{}", free.table());
    let c = auto.fit(x.view()).unwrap();
    assert_ne!(c.k(), 4, "{}", c.table());
    let chosen = c.scores().iter().find(|s| s.k == c.k()).unwrap();
    assert!(chosen.min_share >= 0.05, "{}", c.table());
    assert!(!c.scores()[1].eligible);
    assert!(c.reason().contains("not eligible"), "{}", c.reason());
    assert!(c.table().contains("(too small)"));
}

fn row(k: usize, sil: f64, ch: f64, stability: f64, min_share: f64) -> KScore {
    KScore {
        k,
        n_segments: k,
        silhouette: Some(sil),
        calinski_harabasz: Some(ch),
        davies_bouldin: Some(1.0),
        stability: Some(stability),
        min_share,
        separation: None,
        combined: None,
        eligible: false,
        inertia: 1.0,
        n_iter: 1,
    }
}

#[test]
fn the_rule_multiplies_relative_separation_by_stability() {
    // k = 3 separates best, k = 4 is nearly as separated but far more stable.
    let mut rows = vec![row(3, 0.4, 100.0, 0.5, 0.2), row(4, 0.36, 300.0, 0.95, 0.2)];
    assert_eq!(choose(&mut rows, 0.05), Some(1));
    assert_eq!(rows[0].separation, Some(1.0));
    assert!((rows[1].combined.unwrap() - 0.95 * 0.9).abs() < 1e-12);
    // A negative silhouette counts as no separation.
    let mut negative = vec![row(3, -0.1, 100.0, 1.0, 0.2), row(4, 0.2, 100.0, 0.5, 0.2)];
    assert_eq!(choose(&mut negative, 0.05), Some(1));
    assert_eq!(negative[0].combined, Some(0.0));
    // Ties, and scores within NEAR_TIE (5%) of the best, go to the larger k; a larger k further
    // behind does not win.
    let mut tie = vec![row(3, 0.4, 100.0, 0.9, 0.2), row(4, 0.4, 100.0, 0.9, 0.2)];
    assert_eq!(choose(&mut tie, 0.05), Some(1));
    let mut near = vec![
        row(3, 0.4, 100.0, 0.95, 0.2),
        row(4, 0.38, 100.0, 0.97, 0.2),
    ];
    assert_eq!(choose(&mut near, 0.05), Some(1)); // 0.92 vs 0.95: within 5%
    let mut behind = vec![
        row(3, 0.4, 100.0, 0.95, 0.2),
        row(4, 0.36, 100.0, 0.95, 0.2),
    ];
    assert_eq!(choose(&mut behind, 0.05), Some(0)); // 0.855 vs 0.95: 10% behind
                                                    // Ineligible rows are skipped unless none is eligible.
    let mut small = vec![row(3, 0.2, 50.0, 0.9, 0.2), row(4, 0.4, 100.0, 0.9, 0.01)];
    assert_eq!(choose(&mut small, 0.05), Some(0));
    let mut all_small = vec![row(3, 0.2, 50.0, 0.9, 0.02), row(4, 0.4, 100.0, 0.9, 0.01)];
    assert_eq!(choose(&mut all_small, 0.05), Some(1));
    assert!(all_small.iter().all(|s| s.eligible));
}

#[test]
fn same_choice_whatever_the_thread_count() {
    let x = Blobs::new(3_000, 4, 5).with_seed(8).generate().features;
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| AutoK::default().with_seed(6).with_n_init(2).fit(x.view()))
            .unwrap()
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one, two);
    assert_eq!(one.table(), two.table());
}

#[test]
fn the_assessment_round_trips_through_json() {
    let x = blobs(600, 2, 4, 9);
    let c = AutoK::default().with_seed(1).fit(x.view()).unwrap();
    let json = serde_json::to_string(c.assessment()).unwrap();
    let back: KAssessment = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, c.assessment());
}

#[test]
fn k_above_the_number_of_customers_is_skipped() {
    let x = Blobs::new(4, 2, 2).generate().features;
    let c = AutoK::new(2..=8).fit(x.view()).unwrap();
    assert_eq!(c.scores().len(), 3);
}

#[test]
fn k_is_chosen_on_a_sample_of_a_large_population_and_fitted_on_all() {
    let x = blobs(6_000, 4, 4, 11);
    let sampled = AutoK::new(2..=6)
        .with_seed(5)
        .with_selection_sample(1_500)
        .fit(x.view())
        .unwrap();
    let whole = AutoK::new(2..=6).with_seed(5).fit(x.view()).unwrap();
    assert_eq!(sampled.k(), 4, "{}", sampled.table());
    assert_eq!(sampled.k(), whole.k());
    assert_eq!(
        sampled.segmentation().n_customers(),
        6_000,
        "every customer is labelled"
    );
    assert!(
        sampled.reason().contains("sample of 1500 of the 6000"),
        "{}",
        sampled.reason()
    );
    assert!(!whole.reason().contains("sample of"), "{}", whole.reason());
    // Well separated blobs: the fit from the sample's centroids finds the same partition.
    let ari = crate::segment::metrics::adjusted_rand_index(
        sampled.segmentation().labels(),
        whole.segmentation().labels(),
    )
    .unwrap();
    assert!(ari > 0.999, "ARI {ari}");
    // Seeded: the same answer again.
    let again = AutoK::new(2..=6)
        .with_seed(5)
        .with_selection_sample(1_500)
        .fit(x.view())
        .unwrap();
    assert_eq!(
        again.segmentation().labels(),
        sampled.segmentation().labels()
    );
}
