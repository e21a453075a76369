//! Invariants of our segmenters on random inputs (proptest), and clear errors on bad input.

use ndarray::{Array2, Axis};
use personas::sample::Blobs;
use personas::segment::{adjusted_rand_index, inertia, silhouette, suggest_eps, AutoK};
use personas::{Dbscan, Error, KMeans, Segmentation};
use proptest::prelude::*;

/// A random matrix: small integer coordinates (many exact duplicates) or continuous ones.
fn matrix() -> impl Strategy<Value = Array2<f64>> {
    (1usize..40, 1usize..4, any::<bool>()).prop_flat_map(|(n, d, integer)| {
        let values = if integer {
            prop::collection::vec((-3i32..3).prop_map(f64::from).boxed(), n * d).boxed()
        } else {
            prop::collection::vec((-10.0f64..10.0).boxed(), n * d).boxed()
        };
        values.prop_map(move |v| Array2::from_shape_vec((n, d), v).unwrap())
    })
}

fn check_well_formed(s: &Segmentation, n: usize) {
    assert_eq!(s.n_customers(), n);
    assert!(s
        .labels()
        .iter()
        .flatten()
        .all(|l| l.index() < s.n_segments()));
    assert!(
        s.sizes().iter().all(|&c| c > 0),
        "empty segment: {:?}",
        s.sizes()
    );
    assert!(
        s.sizes().windows(2).all(|w| w[0] >= w[1]),
        "not largest first"
    );
    assert_eq!(s.sizes().iter().sum::<usize>() + s.unassigned(), n);
}

/// The rows of `x` in the order `perm` (row `i` of the result is row `perm[i]` of `x`).
fn permuted(x: &Array2<f64>, perm: &[usize]) -> Array2<f64> {
    x.select(Axis(0), perm)
}

fn permutation(n: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..n).collect::<Vec<_>>()).prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn kmeans_labels_in_range_and_segments_non_empty(x in matrix(), k_frac in 0.0f64..1.0, seed in 0u64..1000) {
        let n = x.nrows();
        let k = 1 + ((n - 1) as f64 * k_frac) as usize;
        let m = KMeans::new(k).with_seed(seed).with_n_init(2).fit(x.view()).unwrap();
        let s = m.segmentation();
        check_well_formed(s, n);
        // Every one of the k segments is used, unless there are fewer distinct customers.
        let distinct: std::collections::HashSet<Vec<u64>> = x
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|v| (v + 0.0).to_bits()).collect()) // -0.0 is 0.0
            .collect();
        prop_assert_eq!(s.n_segments(), k.min(distinct.len()));
        prop_assert_eq!(m.labels().iter().copied().collect::<std::collections::HashSet<_>>().len(), s.n_segments());
        prop_assert_eq!(s.unassigned(), 0);
        // Labels are the nearest centroids, so identical customers share a segment.
        prop_assert_eq!(m.predict(x.view()).unwrap(), m.labels().to_vec());
        let recomputed = inertia(x.view(), s).unwrap();
        prop_assert!((recomputed - m.inertia()).abs() <= 1e-9 * (1.0 + m.inertia()));
    }

    #[test]
    fn dbscan_labels_in_range_and_segments_non_empty(x in matrix(), eps in 0.1f64..5.0, min_points in 1usize..6) {
        let m = Dbscan::new(eps, min_points).fit(x.view()).unwrap();
        check_well_formed(m.segmentation(), x.nrows());
        for (l, core) in m.labels().iter().zip(m.is_core()) {
            prop_assert!(!core || l.is_some(), "a core customer is noise");
        }
    }

    #[test]
    fn duplicated_rows_share_their_segment(x in matrix(), eps in 0.1f64..5.0, min_points in 1usize..6) {
        let n = x.nrows();
        let doubled = ndarray::concatenate(Axis(0), &[x.view(), x.view()]).unwrap();
        let k = n.clamp(1, 3);
        let km = KMeans::new(k).fit(doubled.view()).unwrap();
        let db = Dbscan::new(eps, min_points).fit(doubled.view()).unwrap();
        for i in 0..n {
            prop_assert_eq!(km.labels()[i], km.labels()[i + n]);
            prop_assert_eq!(db.labels()[i], db.labels()[i + n]);
        }
    }

    #[test]
    fn dbscan_permuting_rows_permutes_core_noise_and_segments(
        (x, perm) in matrix().prop_flat_map(|x| { let n = x.nrows(); (Just(x), permutation(n)) }),
        eps in 0.1f64..5.0,
        min_points in 1usize..6,
    ) {
        let db = Dbscan::new(eps, min_points);
        let a = db.fit(x.view()).unwrap();
        let b = db.fit(permuted(&x, &perm).view()).unwrap();
        let (a_core, b_core) = (a.is_core(), b.is_core());
        let core_a: Vec<bool> = perm.iter().map(|&i| a_core[i]).collect();
        prop_assert_eq!(core_a, b_core.clone());
        let noise_a: Vec<bool> = perm.iter().map(|&i| a.labels()[i].is_none()).collect();
        let noise_b: Vec<bool> = b.labels().iter().map(Option::is_none).collect();
        prop_assert_eq!(noise_a, noise_b);
        let on_core_a: Vec<_> = perm.iter().filter(|&&i| a_core[i]).map(|&i| a.labels()[i]).collect();
        let on_core_b: Vec<_> = (0..perm.len()).filter(|&j| b_core[j]).map(|j| b.labels()[j]).collect();
        prop_assert_eq!(adjusted_rand_index(&on_core_a, &on_core_b).unwrap(), 1.0);
    }

    #[test]
    fn kmeans_permuting_rows_permutes_the_partition(
        seed in 0u64..1000,
        perm in permutation(90),
    ) {
        let x = Blobs::new(90, 3, 3).with_seed(seed).with_separation(20.0).generate().features;
        let km = KMeans::new(3).with_seed(5);
        let a = km.segment(x.view()).unwrap();
        let b = km.segment(permuted(&x, &perm).view()).unwrap();
        let a_perm: Vec<_> = perm.iter().map(|&i| a.labels()[i]).collect();
        prop_assert_eq!(adjusted_rand_index(&a_perm, b.labels()).unwrap(), 1.0);
        let sizes_a = a.sizes().to_vec();
        prop_assert_eq!(sizes_a, b.sizes().to_vec());
    }

    #[test]
    fn identical_customers_make_one_segment(n in 1usize..30, d in 1usize..4, v in -5.0f64..5.0, k_frac in 0.0f64..1.0) {
        let x = Array2::from_elem((n, d), v);
        let k = 1 + ((n - 1) as f64 * k_frac) as usize;
        let s = KMeans::new(k).segment(x.view()).unwrap();
        prop_assert_eq!(s.sizes(), &[n][..]);
        // The mean of identical values can be off by an ulp.
        prop_assert!(s.inertia().unwrap() <= 1e-20 * (1.0 + v * v) * n as f64);
        let db = Dbscan::new(0.5, n).fit(x.view()).unwrap();
        prop_assert_eq!(db.segmentation().sizes(), &[n][..]);
        prop_assert_eq!(db.n_core(), n);
        let all_noise = Dbscan::new(0.5, n + 1).fit(x.view()).unwrap();
        prop_assert_eq!(all_noise.segmentation().unassigned(), n);
    }

    #[test]
    fn n_equal_to_k_puts_each_distinct_customer_alone(n in 1usize..30, d in 1usize..4, seed in 0u64..1000) {
        // Distinct points on a grid.
        let x = Array2::from_shape_fn((n, d), |(i, t)| (i * (t + 1)) as f64 + 0.5 * t as f64);
        let s = KMeans::new(n).with_seed(seed).segment(x.view()).unwrap();
        prop_assert_eq!(s.sizes(), &vec![1; n][..]);
        prop_assert_eq!(s.inertia(), Some(0.0));
    }
}

#[test]
fn dbscan_rejects_bad_eps_and_min_points() {
    let x = Array2::from_shape_vec((3, 1), vec![0.0, 1.0, 2.0]).unwrap();
    for eps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = Dbscan::new(eps, 2).segment(x.view()).unwrap_err();
        assert!(
            matches!(e, Error::InvalidParameter { name: "eps", .. }),
            "{e}"
        );
    }
    let e = Dbscan::new(1.0, 0).segment(x.view()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidParameter {
                name: "min_points",
                ..
            }
        ),
        "{e}"
    );
    assert!(suggest_eps(x.view(), 0).is_err());
}

#[test]
fn empty_k_range_is_an_error() {
    let x = Blobs::new(30, 2, 2).generate().features;
    #[allow(clippy::reversed_empty_ranges)]
    let e = AutoK::new(4..=2).fit(x.view()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidParameter {
                name: "k range",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn nan_data_is_located_by_every_engine() {
    let mut x = Blobs::new(20, 3, 2).generate().features;
    x[[7, 2]] = f64::NAN;
    let located = |e: Error| {
        matches!(
            e,
            Error::NonFiniteFeature {
                row: 7,
                column: 2,
                ..
            }
        )
    };
    assert!(located(KMeans::new(2).segment(x.view()).unwrap_err()));
    assert!(located(Dbscan::new(1.0, 3).segment(x.view()).unwrap_err()));
    assert!(located(AutoK::default().segment(x.view()).unwrap_err()));
    assert!(located(suggest_eps(x.view(), 3).unwrap_err()));
    let s = Segmentation::new((0..20).map(|i| Some(i % 2)).collect(), None, None).unwrap();
    assert!(located(silhouette(x.view(), &s).unwrap_err()));
}

#[test]
fn values_whose_squared_distances_overflow_are_rejected_by_kmeans() {
    // Values near 1e300 make every squared distance infinite: k-means used to return one segment
    // with infinite inertia and no error.
    let mut x = Blobs::new(20, 3, 2).with_seed(4).generate().features;
    x.mapv_inplace(|v| 1e300 + v * 1e298);
    let e = KMeans::new(3).segment(x.view()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::FeatureTooLarge {
                row: 0,
                column: 0,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("rescale the column"), "{e}");
    assert!(matches!(
        AutoK::default().segment(x.view()).unwrap_err(),
        Error::FeatureTooLarge { .. }
    ));
    // The first value beyond the bound is named, with either sign.
    let mut y = Blobs::new(20, 3, 2).with_seed(4).generate().features;
    y[[5, 1]] = -2.0 * KMeans::MAX_ABS_FEATURE;
    y[[9, 0]] = f64::MAX;
    assert!(matches!(
        KMeans::new(2).fit(y.view()).unwrap_err(),
        Error::FeatureTooLarge {
            row: 5,
            column: 1,
            ..
        }
    ));
    // Values at the bound are accepted and give a finite inertia; the fitted model rejects
    // customers beyond it too.
    y.mapv_inplace(|v| v.signum() * KMeans::MAX_ABS_FEATURE);
    let m = KMeans::new(2).fit(y.view()).unwrap();
    assert!(m.inertia().is_finite());
    assert!(matches!(
        m.predict(x.view()).unwrap_err(),
        Error::FeatureTooLarge { .. }
    ));
}

#[test]
fn k_outside_one_to_n_is_rejected() {
    let x = Blobs::new(5, 2, 2).generate().features;
    let e = KMeans::new(0).segment(x.view()).unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { name: "k", .. }),
        "{e}"
    );
    let e = KMeans::new(6).segment(x.view()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidK {
                k: 6,
                n_customers: 5
            }
        ),
        "{e}"
    );
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<KMeans>();
    check::<personas::KMeansModel>();
    check::<Dbscan>();
    check::<personas::DbscanModel>();
    check::<AutoK>();
    check::<personas::segment::KChoice>();
}

#[test]
fn auto_k_on_too_few_customers_says_what_is_needed() {
    let x = ndarray::array![[0.0, 0.0], [1.0, 1.0]];
    let e = personas::segment::AutoK::default()
        .fit(x.view())
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidParameter {
                name: "k range",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string().contains("fewer segments than customers"),
        "{e}"
    );
}

#[test]
fn dbscan_with_more_min_points_than_customers_is_all_noise_at_once() {
    let x = ndarray::Array2::<f64>::zeros((20_000, 3));
    let model = Dbscan::new(0.5, 20_001).fit(x.view()).unwrap();
    assert_eq!(model.n_segments(), 0);
    assert_eq!(model.segmentation().unassigned(), 20_000);
    assert_eq!(model.n_core(), 0);
    assert_eq!(model.predict(x.view()).unwrap(), vec![None; 20_000]);
}

#[test]
fn auto_k_whose_range_starts_above_the_customers_says_so() {
    let x = ndarray::array![[0.0], [1.0], [2.0]];
    let e = personas::segment::AutoK::new(5..=8)
        .fit(x.view())
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidParameter {
                name: "k range",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn huge_or_tiny_weights_give_the_same_segments_as_unit_weights() {
    let x = Blobs::new(1_000, 2, 3)
        .with_seed(5)
        .with_separation(10.0)
        .generate()
        .features;
    let kmeans = KMeans::new(3).with_seed(2);
    let plain = kmeans.fit_weighted(x.view(), &vec![1.0; 1_000]).unwrap();
    for w in [1e308, 1e-310] {
        let model = kmeans.fit_weighted(x.view(), &vec![w; 1_000]).unwrap();
        assert_eq!(model.labels(), plain.labels(), "weights {w}");
        assert!(
            model.centroids().iter().all(|c| c.is_finite()),
            "weights {w}"
        );
        assert_eq!(model.centroids(), plain.centroids(), "weights {w}");
    }
}

#[test]
fn sampled_silhouette_is_within_two_hundredths_of_the_exact_one_where_it_samples() {
    let x = Blobs::new(5_000, 4, 4)
        .with_seed(21)
        .with_separation(3.0)
        .generate()
        .features;
    let s = KMeans::new(4).with_seed(1).segment(x.view()).unwrap();
    let exact = silhouette(x.view(), &s).unwrap();
    let mut differs = false;
    for seed in [1, 2, 3] {
        let sampled = personas::segment::silhouette_sampled(x.view(), &s, 2_000, seed).unwrap();
        assert!(
            (sampled - exact).abs() < 0.02,
            "seed {seed}: sampled {sampled}, exact {exact}"
        );
        differs |= sampled != exact;
    }
    // A sample of 2,000 of 5,000 customers really is a sample.
    assert!(differs, "the sampled silhouette equals the exact one");
}
