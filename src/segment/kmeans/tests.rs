//! Unit tests of the k-means model, its parameters and its distance kernels.

use super::*;
use crate::segment::labels::indices;

use ndarray::array;

fn ids(l: &[usize]) -> Vec<Option<usize>> {
    l.iter().map(|&i| Some(i)).collect()
}

fn two_groups() -> Array2<f64> {
    array![
        [0.0, 0.0],
        [0.2, 0.1],
        [0.1, 0.3],
        [10.0, 10.0],
        [10.2, 10.1],
        [9.9, 10.3],
        [10.1, 9.8]
    ]
}

#[test]
fn separates_two_groups_largest_first() {
    let m = KMeans::new(2)
        .with_seed(3)
        .fit(two_groups().view())
        .unwrap();
    assert_eq!(indices(m.labels()), ids(&[1, 1, 1, 0, 0, 0, 0]));
    assert!(m.centroids()[[0, 0]] > 9.0);
    // New customers within a segment's reach join it; one farther from every centroid than any
    // training customer was from its own fits none.
    let new = array![[10.0, 10.05], [0.1, 0.1], [5.0, 5.0]];
    assert_eq!(
        indices(&m.predict(new.view()).unwrap()),
        vec![Some(0), Some(1), None]
    );
    let a = m.assign(new.view()).unwrap();
    assert!(a[2].distance.unwrap() > m.reach()[0].max(m.reach()[1]));
    let margin = a[0].margin.unwrap();
    let far = ((10.0f64 - 0.1).powi(2) + (10.05f64 - 0.1333).powi(2)).sqrt();
    assert!(
        (a[0].distance.unwrap() + margin - far).abs() < 0.01,
        "{a:?}"
    );
}

#[test]
fn random_init_and_weights_work() {
    let x = two_groups();
    let w = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0];
    let m = KMeans::new(2)
        .with_init(Init::Random)
        .fit_weighted(x.view(), &w)
        .unwrap();
    assert_eq!(m.labels()[6], m.labels()[3]);
    // The centroid is the weighted mean of its customers (9.925 in y, where the plain mean is
    // 10.05): it leans to the heavy customer.
    let heavy = m.labels()[6].unwrap().index();
    for t in 0..2 {
        let mean = (3..7).map(|i| w[i] * x[[i, t]]).sum::<f64>() / 8.0;
        assert!((m.centroids()[[heavy, t]] - mean).abs() < 1e-12);
    }
    assert!((m.centroids()[[heavy, 1]] - 9.925).abs() < 1e-12);
}

#[test]
fn k_zero_and_k_above_n_are_invalid_k() {
    let x = two_groups();
    assert!(matches!(
        KMeans::new(0).fit(x.view()),
        Err(Error::InvalidParameter { name: "k", .. })
    ));
    assert!(matches!(
        KMeans::new(8).fit(x.view()),
        Err(Error::InvalidK {
            k: 8,
            n_customers: 7
        })
    ));
}

#[test]
fn bad_hyperparameters_are_invalid_parameters() {
    let x = two_groups();
    for km in [
        KMeans::new(2).with_n_init(0),
        KMeans::new(2).with_max_iter(0),
        KMeans::new(2).with_tolerance(-1.0),
        KMeans::new(2).with_tolerance(f64::NAN),
    ] {
        assert!(matches!(
            km.fit(x.view()),
            Err(Error::InvalidParameter { .. })
        ));
    }
    let r = KMeans::new(2).fit_weighted(x.view(), &[1.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
    let r = KMeans::new(2).fit_weighted(x.view(), &[-1.0; 7]);
    assert!(matches!(r, Err(Error::InvalidParameter { .. })));
}

#[test]
fn identical_points_give_one_segment() {
    let x = Array2::from_elem((6, 3), 1.5);
    let s = KMeans::new(3).segment(x.view()).unwrap();
    assert_eq!(s.n_segments(), 1);
    assert_eq!(s.inertia(), Some(0.0));
}

#[test]
fn n_equals_k_puts_each_customer_alone() {
    let x = two_groups();
    let s = KMeans::new(7).segment(x.view()).unwrap();
    assert_eq!(s.sizes(), &[1; 7]);
    assert_eq!(s.inertia(), Some(0.0));
}

/// The saved proptest case (`tests/segment_properties.proptest-regressions`): 27 integer
/// points, k = 13, seed 532, two restarts. Every training label must be the nearest centroid
/// of the returned centroids, ties to the lower index, exactly as `predict` finds it.
#[test]
fn training_labels_are_the_nearest_centroids_on_the_saved_case() {
    let pts: [[f64; 2]; 27] = [
        [1.0, -3.0],
        [-2.0, -1.0],
        [1.0, 2.0],
        [1.0, 0.0],
        [-3.0, -3.0],
        [1.0, 2.0],
        [2.0, 1.0],
        [0.0, 1.0],
        [0.0, -1.0],
        [-2.0, 0.0],
        [2.0, 0.0],
        [2.0, 2.0],
        [-1.0, 0.0],
        [0.0, 2.0],
        [-2.0, -1.0],
        [2.0, -1.0],
        [1.0, 2.0],
        [1.0, -3.0],
        [-1.0, -3.0],
        [1.0, -1.0],
        [1.0, -3.0],
        [1.0, 2.0],
        [-3.0, -1.0],
        [2.0, -1.0],
        [-3.0, 1.0],
        [-2.0, 2.0],
        [2.0, -3.0],
    ];
    let x = Array2::from_shape_fn((27, 2), |(i, j)| pts[i][j]);
    let m = KMeans::new(13)
        .with_seed(532)
        .with_n_init(2)
        .fit(x.view())
        .unwrap();
    assert_eq!(m.predict(x.view()).unwrap(), m.labels());
    let c = m.centroids().as_standard_layout();
    let c = c.as_slice().unwrap();
    let mut inertia = 0.0;
    for (i, row) in x.rows().into_iter().enumerate() {
        let (j, best, _) = nearest(row.as_slice().unwrap(), c, 2);
        assert_eq!(m.labels()[i].map(|s| s.index()), Some(j), "customer {i}");
        inertia += best;
    }
    assert!((inertia - m.inertia()).abs() <= 1e-9 * (1.0 + inertia));
}

#[test]
fn sq_dist_matches_naive_for_odd_lengths() {
    let a: Vec<f64> = (0..7).map(|i| i as f64 * 0.5).collect();
    let b: Vec<f64> = (0..7).map(|i| (i * i) as f64 * 0.1).collect();
    let naive: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
    assert!((sq_dist(&a, &b) - naive).abs() < 1e-12);
}

#[test]
fn the_sampled_default_is_exact_kmeans_plus_plus_up_to_the_sample_size() {
    let x = crate::sample::Blobs::new(3_000, 3, 4)
        .with_seed(2)
        .generate()
        .features;
    let exact = KMeans::new(4)
        .with_seed(5)
        .with_n_init(2)
        .with_init(Init::KMeansPlusPlus);
    let exact = exact.fit(x.view()).unwrap();
    for rows in [3_000, KMeans::SAMPLE_MIN_ROWS] {
        let sampled = KMeans::new(4)
            .with_seed(5)
            .with_n_init(2)
            .with_sample_rows(rows)
            .fit(x.view())
            .unwrap();
        assert_eq!(sampled, exact, "sample of {rows}");
    }
}

/// Blobs of 6,000 customers seeded from samples of 500: the planted blobs are found and the
/// inertia matches the exact seeding's, weighted or not.
#[test]
fn a_sampled_seeding_finds_the_planted_blobs() {
    let blobs = crate::sample::Blobs::new(6_000, 4, 5)
        .with_seed(8)
        .generate();
    let x = blobs.features;
    let planted: Vec<usize> = blobs.labels.iter().map(|l| l.unwrap()).collect();
    let w: Vec<f64> = (0..x.nrows()).map(|i| 0.5 + (i % 5) as f64).collect();
    for weights in [None, Some(&w[..])] {
        let fit = |km: KMeans| match weights {
            Some(w) => km.fit_weighted(x.view(), w).unwrap(),
            None => km.fit(x.view()).unwrap(),
        };
        let base = KMeans::new(5).with_seed(3).with_n_init(1);
        let sampled = fit(base.clone().with_sample_rows(500));
        let exact = fit(base.clone().with_init(Init::KMeansPlusPlus));
        let ari = crate::segment::adjusted_rand_index(sampled.labels(), &planted).unwrap();
        assert!(ari >= 0.99, "weighted {}: ARI {ari}", weights.is_some());
        assert!(
            sampled.inertia() <= exact.inertia() * 1.005,
            "weighted {}: {} vs exact {}",
            weights.is_some(),
            sampled.inertia(),
            exact.inertia()
        );
    }
    // The sampled path ran: its starting centroids are means of the sample, not customers.
    let start = KMeans::new(5).with_seed(3).with_sample_rows(500);
    let start = start.initial_centroids(x.view()).unwrap();
    let is_customer = |c: ndarray::ArrayView1<'_, f64>| x.rows().into_iter().any(|r| r == c);
    assert!(start.rows().into_iter().all(|c| !is_customer(c)));
}

#[test]
fn a_sampled_fit_is_the_same_on_any_number_of_threads() {
    let x = crate::sample::Blobs::new(9_000, 3, 4)
        .with_seed(6)
        .with_separation(2.0)
        .generate()
        .features;
    let w: Vec<f64> = (0..x.nrows()).map(|i| (i % 4) as f64).collect();
    let km = KMeans::new(6)
        .with_seed(11)
        .with_n_init(2)
        .with_sample_rows(1_000);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                (
                    km.fit(x.view()).unwrap(),
                    km.fit_weighted(x.view(), &w).unwrap(),
                    km.initial_centroids(x.view()).unwrap(),
                )
            })
    };
    let one = run(1);
    for threads in [2, 3, 8] {
        assert!(run(threads) == one, "{threads} threads differ from 1");
    }
}

#[test]
fn values_beyond_the_bound_are_located() {
    let mut x = two_groups();
    x[[4, 1]] = 1e300;
    x[[5, 0]] = f64::INFINITY;
    // Non-finite values first (as every engine reports them), then values too large.
    assert!(matches!(
        KMeans::new(2).fit(x.view()),
        Err(Error::NonFiniteFeature {
            row: 5,
            column: 0,
            ..
        })
    ));
    x[[5, 0]] = 0.0;
    assert!(matches!(
        KMeans::new(2).fit(x.view()),
        Err(Error::FeatureTooLarge {
            row: 4,
            column: 1,
            ..
        })
    ));
    // The same in a matrix that is not in standard layout (the slow path).
    let t = x.t().to_owned();
    assert!(matches!(
        KMeans::new(2).fit(t.t()),
        Err(Error::FeatureTooLarge {
            row: 4,
            column: 1,
            ..
        })
    ));
    assert!(matches!(
        KMeans::new(2).fit(Array2::<f64>::zeros((0, 2)).view()),
        Err(Error::NoRows)
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// The model invariants hold when the seeding samples: every training label is the nearest
    /// centroid (as `predict` finds it), the inertia is the labels' own, every segment is used
    /// unless there are fewer distinct customers.
    #[test]
    fn sampled_fits_keep_the_model_invariants(
        n in 4usize..80,
        d in 1usize..4,
        integer in proptest::prelude::any::<bool>(),
        k_frac in 0.0f64..1.0,
        rows_frac in 0.0f64..1.0,
        seed in 0u64..1000,
    ) {
        let mut rng = crate::rng::Rng::new(seed);
        let x = Array2::from_shape_fn((n, d), |_| {
            if integer { (rng.below(6) as f64) - 3.0 } else { rng.uniform_in(-10.0, 10.0) }
        });
        let k = 1 + ((n - 1) as f64 * k_frac) as usize;
        let rows = 1 + ((n - 1) as f64 * rows_frac) as usize;
        let m = KMeans::new(k)
            .with_seed(seed)
            .with_n_init(2)
            .with_sample_rows(rows)
            .fit(x.view())
            .unwrap();
        proptest::prop_assert_eq!(m.predict(x.view()).unwrap(), m.labels().to_vec());
        let recomputed = crate::segment::inertia(x.view(), m.segmentation()).unwrap();
        proptest::prop_assert!((recomputed - m.inertia()).abs() <= 1e-9 * (1.0 + m.inertia()));
        let distinct: std::collections::HashSet<Vec<u64>> = x
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|v| (v + 0.0).to_bits()).collect())
            .collect();
        proptest::prop_assert_eq!(m.segmentation().n_segments(), k.min(distinct.len()));
    }
}
