//! Property tests large enough to reach the parallel paths (DBSCAN's 32-point kd-tree leaves,
//! the 2,048-row blocks of k-means and the encoder): DBSCAN against brute force on core flags,
//! segments and border customers; k-means' nearest-centroid labels and inertia; the encoder's
//! scaling and decoding; the profiles' sizes, shares and ranges.

use ndarray::{Array1, Array2};
use personas::sample::Blobs;
use personas::segment::inertia;
use personas::{
    Attribute, CsvOptions, CustomerTable, DbscanModel, DecodedValue, Encoder, Fitted, KMeans,
    Profiles, Schema, Segmentation, Summary,
};
use proptest::prelude::*;

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// DBSCAN's textbook definition by brute force: core flags, one segment per connected component
/// of core customers, border customers in a segment of one of their core neighbours, the rest
/// noise.
fn check_dbscan(x: &Array2<f64>, eps: f64, min_points: usize, m: &Fitted<DbscanModel>) {
    let (n, d) = x.dim();
    let v: Vec<f64> = x.iter().copied().collect();
    let row = |i: usize| &v[i * d..(i + 1) * d];
    let neighbours: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| {
                    row(i)
                        .iter()
                        .zip(row(j))
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f64>()
                        <= eps * eps
                })
                .collect()
        })
        .collect();
    let core: Vec<bool> = neighbours.iter().map(|nb| nb.len() >= min_points).collect();
    assert_eq!(m.is_core(), core.as_slice(), "core flags");
    let labels = m.labels();
    let mut parent: Vec<usize> = (0..n).collect();
    for i in (0..n).filter(|&i| core[i]) {
        assert!(labels[i].is_some(), "core customer {i} is noise");
        for &j in neighbours[i].iter().filter(|&&j| core[j]) {
            assert_eq!(labels[i], labels[j], "core neighbours {i} and {j} apart");
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a] = b;
        }
    }
    // Different components, different segments.
    let mut segment_of_component = std::collections::HashMap::new();
    for i in (0..n).filter(|&i| core[i]) {
        let component = find(&mut parent, i);
        let previous = segment_of_component.insert(component, labels[i]);
        assert!(previous.is_none() || previous == Some(labels[i]));
    }
    let distinct: std::collections::HashSet<_> = segment_of_component.values().collect();
    assert_eq!(
        distinct.len(),
        segment_of_component.len(),
        "components merged"
    );
    assert_eq!(m.n_segments(), distinct.len());
    for i in (0..n).filter(|&i| !core[i]) {
        let mut core_neighbours = neighbours[i].iter().filter(|&&j| core[j]);
        match labels[i] {
            None => assert!(core_neighbours.next().is_none(), "border {i} left as noise"),
            Some(l) => assert!(
                core_neighbours.any(|&j| labels[j] == Some(l)),
                "border {i} in segment {l} without a core neighbour there"
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    #[test]
    fn dbscan_matches_brute_force_on_thousands_of_customers(
        n in 40usize..2_500,
        d in 1usize..7,
        k in 1usize..6,
        noise in 0.0f64..0.2,
        eps in 0.2f64..2.0,
        min_points in 2usize..12,
        seed in 0u64..1_000,
    ) {
        let x = Blobs::new(n, d, k).with_seed(seed).with_noise(noise).generate().features;
        let m = personas::Dbscan::new(eps, min_points).fit(x.view()).unwrap();
        check_dbscan(&x, eps, min_points, &m);
    }

    #[test]
    fn kmeans_on_several_blocks_labels_nearest_centroids(
        n in 2_049usize..5_000,
        d in 1usize..6,
        k in 1usize..8,
        seed in 0u64..1_000,
    ) {
        let x = Blobs::new(n, d, 4).with_seed(seed).with_separation(1.5).generate().features;
        let m = KMeans::new(k).with_seed(seed).with_n_init(1).fit(x.view()).unwrap();
        let s = m.segmentation();
        prop_assert_eq!(s.sizes().iter().sum::<usize>(), n);
        prop_assert_eq!(s.n_segments(), k);
        let centroids = m.centroids();
        let mut to_centroids = 0.0;
        for (i, l) in m.labels().iter().enumerate() {
            let l = l.expect("k-means labels every training customer").index();
            let d2 = |c: usize| -> f64 {
                x.row(i).iter().zip(centroids.row(c).iter()).map(|(a, b)| (a - b) * (a - b)).sum()
            };
            let best = (0..k).map(d2).fold(f64::INFINITY, f64::min);
            prop_assert!(d2(l) <= best * (1.0 + 1e-12) + 1e-300, "row {} not at its nearest centroid", i);
            to_centroids += d2(l);
        }
        // The model's inertia is to its centroids; the segment means can only do better (equal
        // once the iteration has settled).
        prop_assert!((to_centroids - m.inertia()).abs() <= 1e-9 * to_centroids.max(1.0));
        let to_means = inertia(x.view(), s).unwrap();
        prop_assert!(to_means <= m.inertia() * (1.0 + 1e-9), "{} > {}", to_means, m.inertia());
    }
}

/// A random customer CSV: an id, two numbers (one continuous, one small integers), a categorical
/// level (sometimes missing) and a yes/no flag.
fn customers() -> impl Strategy<Value = (String, Vec<[f64; 2]>, Vec<Option<usize>>)> {
    (3usize..300, any::<bool>()).prop_flat_map(|(n, large)| {
        let n = if large { n * 10 } else { n };
        prop::collection::vec(
            (
                -1e3f64..1e3,
                0i32..6,
                prop::option::weighted(0.9, 0usize..3),
                any::<bool>(),
            ),
            n,
        )
        .prop_map(|rows| {
            let mut csv = String::from("id,amount,count,plan,member\n");
            let mut numbers = Vec::new();
            let mut plans = Vec::new();
            for (i, (amount, count, plan, member)) in rows.into_iter().enumerate() {
                let level = plan.map_or("", |p| ["basic", "plus", "pro"][p]);
                let flag = if member { "yes" } else { "no" };
                csv.push_str(&format!("c{i},{amount},{count},{level},{flag}\n"));
                numbers.push([amount, f64::from(count)]);
                plans.push(plan);
            }
            (csv, numbers, plans)
        })
    })
}

fn schema() -> Schema {
    Schema::new(vec![
        Attribute::identifier("id"),
        Attribute::numeric("amount"),
        Attribute::numeric("count"),
        Attribute::categorical("plan", ["basic", "plus", "pro"]),
        Attribute::boolean("member"),
    ])
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn encoder_z_scores_and_decodes_back((csv, numbers, plans) in customers()) {
        let table = CustomerTable::from_csv_reader(csv.as_bytes(), &schema(), &CsvOptions::new()).unwrap();
        let Ok(encoder) = Encoder::new().fit(&table) else {
            // Every plan missing: the only fit error these tables can give.
            prop_assert!(plans.iter().all(Option::is_none));
            return Ok(());
        };
        let x = encoder.transform(&table).unwrap();
        let n = numbers.len();
        for (c, name) in ["amount", "count"].iter().enumerate() {
            let Some(range) = encoder.columns_of(name) else {
                // Dropped: every value the same.
                prop_assert!(numbers.iter().all(|r| r[c] == numbers[0][c]));
                continue;
            };
            let column = x.column(range.start);
            let mean = column.sum() / n as f64;
            let var = column.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
            prop_assert!(mean.abs() < 1e-9, "{}: mean {}", name, mean);
            prop_assert!((var - 1.0).abs() < 1e-9, "{}: variance {}", name, var);
        }
        // Decoding an encoded customer gives the customer back.
        for i in [0, n / 2, n - 1] {
            for a in encoder.decode(x.row(i)).unwrap() {
                match (a.attribute.as_str(), a.value) {
                    ("amount", DecodedValue::Numeric { value, .. }) => {
                        prop_assert!((value - numbers[i][0]).abs() <= 1e-9 * numbers[i][0].abs().max(1.0));
                    }
                    ("count", DecodedValue::Numeric { value, .. }) => {
                        prop_assert!((value - numbers[i][1]).abs() <= 1e-9);
                    }
                    ("plan", DecodedValue::Categorical { shares, nearest, .. }) => {
                        if let Some(p) = plans[i] {
                            prop_assert_eq!(&nearest, ["basic", "plus", "pro"][p]);
                            for s in shares {
                                let want = if s.level == nearest { 1.0 } else { 0.0 };
                                prop_assert!((s.share - want).abs() < 1e-9);
                            }
                        }
                    }
                    ("member", DecodedValue::Boolean { share_true, .. }) => {
                        let yes = csv.lines().nth(i + 1).unwrap().ends_with(",yes");
                        prop_assert!((share_true - f64::from(u8::from(yes))).abs() < 1e-12);
                    }
                    (name, value) => prop_assert!(false, "{}: {:?}", name, value),
                }
            }
        }
        // The mean customer decodes to shares in [0, 1] and to the mean amount.
        let centre: Array1<f64> = x.mean_axis(ndarray::Axis(0)).unwrap();
        for a in encoder.decode(centre.view()).unwrap() {
            match a.value {
                DecodedValue::Categorical { shares, .. } => {
                    prop_assert!(shares.iter().all(|s| (-1e-12..=1.0 + 1e-12).contains(&s.share)));
                    let total: f64 = shares.iter().map(|s| s.share).sum();
                    prop_assert!((total - 1.0).abs() < 1e-9, "plan shares sum to {}", total);
                }
                DecodedValue::Boolean { share_true, .. } => {
                    prop_assert!((-1e-12..=1.0 + 1e-12).contains(&share_true));
                }
                DecodedValue::Numeric { value, .. } if a.attribute == "amount" => {
                    let mean = numbers.iter().map(|r| r[0]).sum::<f64>() / n as f64;
                    prop_assert!((value - mean).abs() <= 1e-9 * 1e3);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn profiles_add_up_and_stay_within_their_members(
        (csv, numbers, _) in customers(),
        raw_labels in prop::collection::vec(prop::option::weighted(0.9, 0usize..5), 3_000),
    ) {
        let table = CustomerTable::from_csv_reader(csv.as_bytes(), &schema(), &CsvOptions::new()).unwrap();
        let n = numbers.len();
        let labels: Vec<Option<usize>> = raw_labels.into_iter().cycle().take(n).collect();
        let segmentation = Segmentation::new(labels, None, None).unwrap();
        let profiles = Profiles::new(&table, &segmentation).unwrap();
        let sizes: usize = profiles.segments.iter().map(|s| s.size).sum();
        prop_assert_eq!(sizes, n - segmentation.unassigned());
        prop_assert_eq!(profiles.unassigned, segmentation.unassigned());
        for s in &profiles.segments {
            prop_assert!((0.0..=1.0).contains(&s.share));
            let members: Vec<usize> = (0..n).filter(|&i| segmentation.labels()[i].map(|l| l.index()) == Some(s.segment)).collect();
            prop_assert_eq!(members.len(), s.size);
            for a in &s.attributes {
                match &a.segment {
                    Summary::Numeric { mean: Some(mean), min: Some(min), max: Some(max), .. } => {
                        let c = usize::from(a.attribute == "count");
                        let lo = members.iter().map(|&i| numbers[i][c]).fold(f64::INFINITY, f64::min);
                        let hi = members.iter().map(|&i| numbers[i][c]).fold(f64::NEG_INFINITY, f64::max);
                        prop_assert_eq!((*min, *max), (lo, hi));
                        prop_assert!(lo <= *mean && *mean <= hi, "{}: mean {} outside [{}, {}]", a.attribute, mean, lo, hi);
                    }
                    Summary::Levels { shares, known } => {
                        prop_assert!(shares.iter().all(|l| (0.0..=1.0).contains(&l.share)));
                        if *known > 0 {
                            let total: f64 = shares.iter().map(|l| l.share).sum();
                            prop_assert!((total - 1.0).abs() < 1e-9);
                        }
                    }
                    Summary::Numeric { .. } => prop_assert!(members.is_empty()),
                }
            }
        }
    }
}
