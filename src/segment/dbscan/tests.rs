//! DBSCAN's unit tests.
use super::*;
use crate::segment::labels::indices;
use ndarray::array;

#[test]
fn finds_two_segments_border_and_noise() {
    let x = array![
        [0.0, 0.0],
        [0.0, 0.5],
        [0.5, 0.0],
        [1.4, 0.0], // border: within 1 of [0.5, 0] only
        [9.0, 9.0],
        [9.0, 9.5],
        [9.5, 9.0],
        [50.0, 50.0]
    ];
    let m = Dbscan::new(1.0, 3).fit(x.view()).unwrap();
    assert_eq!(
        indices(m.labels()),
        &[
            Some(0),
            Some(0),
            Some(0),
            Some(0),
            Some(1),
            Some(1),
            Some(1),
            None
        ]
    );
    assert_eq!(
        m.is_core(),
        &[true, true, true, false, true, true, true, false]
    );
    let p = m
        .predict(array![[0.2, 0.2], [9.2, 9.2], [1.4, 0.0], [30.0, 30.0]].view())
        .unwrap();
    assert_eq!(indices(&p), vec![Some(0), Some(1), Some(0), None]);
}

#[test]
fn bad_parameters_are_rejected() {
    let x = array![[0.0], [1.0]];
    for db in [
        Dbscan::new(0.0, 2),
        Dbscan::new(-1.0, 2),
        Dbscan::new(f64::NAN, 2),
        Dbscan::new(f64::INFINITY, 2),
        Dbscan::new(1.0, 0),
    ] {
        assert!(matches!(
            db.fit(x.view()),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert!(matches!(
        suggest_eps(x.view(), 3),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn min_points_one_makes_everyone_core() {
    let x = array![[0.0], [10.0], [20.0]];
    let m = Dbscan::new(1.0, 1).fit(x.view()).unwrap();
    assert_eq!(m.n_segments(), 3);
    assert_eq!(m.n_core(), 3);
}

#[test]
fn suggest_eps_sits_between_cluster_and_noise_distances() {
    // Two tight clusters of 50 points (spacing 0.1) and 10 far outliers.
    let mut rows = Vec::new();
    for c in [0.0, 100.0] {
        for i in 0..50 {
            rows.push([c + 0.1 * i as f64, 0.0]);
        }
    }
    for i in 0..10 {
        rows.push([200.0 + 30.0 * i as f64, 500.0]);
    }
    let x = ndarray::Array2::from_shape_vec((rows.len(), 2), rows.concat()).unwrap();
    let eps = suggest_eps(x.view(), 4).unwrap();
    assert!((0.3 - 1e-9..30.0).contains(&eps), "{eps}");
    // And the clustering that eps gives: the two clusters, the outliers noise.
    let m = Dbscan::new(eps, 4).fit(x.view()).unwrap();
    let expected: Vec<Option<usize>> = (0..110)
        .map(|i| match i {
            0..50 => Some(0),
            50..100 => Some(1),
            _ => None,
        })
        .collect();
    assert_eq!(indices(m.labels()), expected, "eps {eps}");
}
