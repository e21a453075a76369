//! Unit tests of the k-means model, its parameters and its distance kernels.

use super::*;
use ndarray::array;

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
    assert_eq!(m.labels(), &[1, 1, 1, 0, 0, 0, 0]);
    assert!(m.centroids()[[0, 0]] > 9.0);
    assert_eq!(
        m.predict(array![[9.0, 9.0], [1.0, 0.0]].view()).unwrap(),
        vec![0, 1]
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
    let heavy = m.labels()[6];
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
        assert_eq!(m.labels()[i], j, "customer {i}");
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
