//! The sample-data generator: determinism, planted shares and signals, separability, and the
//! bundled files under `examples/data/` being exactly what the generator produces.

use std::collections::HashSet;

use ndarray::Array2;
use personas::sample::Direction;
use personas::{AttributeKind, Sample, SampleCustomers, PLANTED_SEGMENTS};

const CHANNELS: [&str; 6] = ["web", "app", "store", "email", "phone", "social"];

fn bundled() -> Sample {
    SampleCustomers::default().generate()
}

/// The bundled sample and three more of the same size, so that what the tests check holds for
/// the generator, not just for one lucky seed.
fn bundled_and_other_seeds() -> Vec<Sample> {
    let mut samples = vec![bundled()];
    samples.extend((1..=3).map(|seed| SampleCustomers::new(seed).generate()));
    samples
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (n, s) = xs.fold((0usize, 0.0), |(n, s), x| (n + 1, s + x));
    s / n as f64
}

fn sd(xs: &[f64]) -> f64 {
    let m = mean(xs.iter().copied());
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Known values of a column as numbers (booleans as 0/1), each with its customer's planted label.
fn numeric(sample: &Sample, name: &str) -> Vec<(usize, f64)> {
    let cells = sample.column(name).expect("a generated column");
    cells
        .iter()
        .zip(sample.planted())
        .filter(|(c, _)| !c.is_empty())
        .map(|(c, &s)| {
            let v = match *c {
                "yes" => 1.0,
                "no" => 0.0,
                _ => c
                    .parse()
                    .unwrap_or_else(|_| panic!("`{name}`: `{c}` is not a number")),
            };
            (s, v)
        })
        .collect()
}

/// An encoding like the crate's default: z-scored numbers (log1p where the schema says),
/// mean-imputed; booleans 0/1; ordinal ranks in [0, 1]; one-hot levels scaled by 1/sqrt(levels);
/// multi-hot tags. Returns the matrix and a name per column.
fn encode(sample: &Sample) -> (Array2<f64>, Vec<String>) {
    let mut columns: Vec<Vec<f64>> = Vec::new();
    let mut names = Vec::new();
    for a in sample.schema().features() {
        let cells = sample.column(&a.name).expect("a generated column");
        match &a.kind {
            AttributeKind::Numeric { .. } => {
                let raw: Vec<Option<f64>> = cells
                    .iter()
                    .map(|c| c.parse::<f64>().ok())
                    .map(|x| x.map(|x| if a.log1p { x.ln_1p() } else { x }))
                    .collect();
                let known: Vec<f64> = raw.iter().flatten().copied().collect();
                let (m, s) = (mean(known.iter().copied()), sd(&known));
                columns.push(raw.iter().map(|x| (x.unwrap_or(m) - m) / s).collect());
                names.push(a.name.clone());
            }
            AttributeKind::Boolean => {
                columns.push(cells.iter().map(|c| f64::from(*c == "yes")).collect());
                names.push(a.name.clone());
            }
            AttributeKind::Ordinal { levels } => {
                let top = (levels.len() - 1) as f64;
                let rank = |c: &str| levels.iter().position(|l| l == c).map(|r| r as f64 / top);
                let known: Vec<f64> = cells.iter().filter_map(|c| rank(c)).collect();
                let m = mean(known.iter().copied());
                columns.push(cells.iter().map(|c| rank(c).unwrap_or(m)).collect());
                names.push(a.name.clone());
            }
            AttributeKind::Categorical { levels } => {
                let scale = 1.0 / (levels.len() as f64).sqrt();
                for l in levels {
                    columns.push(cells.iter().map(|c| scale * f64::from(c == l)).collect());
                    names.push(format!("{}={l}", a.name));
                }
            }
            AttributeKind::Tags { separator, .. } => {
                for l in CHANNELS {
                    let has = |c: &&str| c.split(separator.as_str()).any(|t| t == l);
                    columns.push(cells.iter().map(|c| f64::from(has(c))).collect());
                    names.push(format!("{}={l}", a.name));
                }
            }
            other => panic!("the sample data has no {} features", other.name()),
        }
    }
    let matrix = Array2::from_shape_fn((sample.len(), columns.len()), |(i, j)| columns[j][i]);
    (matrix, names)
}

/// Adjusted Rand index of two labellings (Hubert and Arabie).
fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let ka = a.iter().max().map_or(0, |m| m + 1);
    let kb = b.iter().max().map_or(0, |m| m + 1);
    let mut table = vec![vec![0f64; kb]; ka];
    for (&x, &y) in a.iter().zip(b) {
        table[x][y] += 1.0;
    }
    let pairs = |x: f64| x * (x - 1.0) / 2.0;
    let index: f64 = table.iter().flatten().map(|&x| pairs(x)).sum();
    let rows: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let cols: f64 = (0..kb)
        .map(|j| pairs(table.iter().map(|r| r[j]).sum()))
        .sum();
    let expected = rows * cols / pairs(a.len() as f64);
    (index - expected) / ((rows + cols) / 2.0 - expected)
}

fn read_bundled(file: &str) -> String {
    let path = format!("{}/examples/data/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {path} ({e}); regenerate it with \
             `cargo run --release --example generate_sample`"
        )
    })
}

#[test]
fn same_seed_gives_identical_output() {
    let a = SampleCustomers::new(9).with_customers(500).generate();
    let b = SampleCustomers::new(9).with_customers(500).generate();
    assert_eq!(a, b);
    assert_eq!(a.to_csv_string(), b.to_csv_string());
    assert_eq!(a.planted_csv_string(), b.planted_csv_string());
}

#[test]
fn different_seeds_give_different_customers() {
    let a = SampleCustomers::new(1).with_customers(200).generate();
    let b = SampleCustomers::new(2).with_customers(200).generate();
    assert_ne!(a.rows(), b.rows());
    assert_ne!(a.planted(), b.planted());
    // Identifiers follow row order whatever the seed.
    assert_eq!(a.column("customer_id"), b.column("customer_id"));
}

#[test]
fn row_count_and_segment_sizes_are_as_planted() {
    for n in [0, 1, 9, 101, 3_000] {
        let sample = SampleCustomers::new(5).with_customers(n).generate();
        assert_eq!(sample.len(), n);
        assert_eq!(sample.planted().len(), n);
        for (s, segment) in PLANTED_SEGMENTS.iter().enumerate() {
            let size = sample.planted().iter().filter(|&&l| l == s).count();
            let expected = segment.share * n as f64;
            assert!(
                (size as f64 - expected).abs() < 1.0,
                "{n} customers: {} has {size}, expected about {expected}",
                segment.name
            );
        }
    }
    let sample = bundled();
    assert_eq!(sample.len(), SampleCustomers::BUNDLED_CUSTOMERS);
    let ids: HashSet<&str> = sample.column("customer_id").unwrap().into_iter().collect();
    assert_eq!(ids.len(), sample.len(), "customer ids are unique");
    assert_eq!(sample.rows()[0][0], "C00001");
}

#[test]
fn values_are_plausible_and_consistent() {
    let sample = bundled();
    let schema = sample.schema();
    let header: Vec<&str> = schema
        .attributes()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(sample.header(), header.as_slice());
    let col = |name: &str| sample.column(name).unwrap();
    let num = |c: &str| c.parse::<f64>().unwrap();
    let in_range = |name: &str, lo: f64, hi: f64| {
        for c in col(name).into_iter().filter(|c| !c.is_empty()) {
            let v = num(c);
            assert!((lo..=hi).contains(&v), "{name} = {v} outside {lo}..={hi}");
        }
    };
    in_range("age", 18.0, 90.0);
    in_range("income", 1_000.0, 1_000_000.0);
    in_range("household_size", 1.0, 6.0);
    in_range("discount_share", 0.0, 1.0);
    in_range("email_open_rate", 0.0, 1.0);
    in_range("campaign_responses", 0.0, 6.0);
    in_range("recency_days", 0.0, 729.0);
    in_range("purchase_frequency", 0.5, 500.0);
    for name in [
        "age",
        "household_size",
        "recency_days",
        "web_visits_per_month",
        "campaign_responses",
        "support_contacts",
        "complaints",
    ] {
        for c in col(name).into_iter().filter(|c| !c.is_empty()) {
            assert!(
                c.bytes().all(|b| b.is_ascii_digit()),
                "{name} = `{c}` is a count"
            );
        }
    }
    for (i, row) in sample.rows().iter().enumerate() {
        let cell =
            |name: &str| row[sample.header().iter().position(|h| h == name).unwrap()].as_str();
        let spends: f64 = [
            "spend_groceries",
            "spend_electronics",
            "spend_fashion",
            "spend_home",
        ]
        .iter()
        .map(|n| num(cell(n)))
        .sum();
        assert!(
            (num(cell("total_spend")) - spends).abs() < 0.005,
            "row {i}: total"
        );
        assert!(cell("total_spend")
            .split('.')
            .nth(1)
            .is_some_and(|d| d.len() == 2));
        if cell("has_children") == "yes" {
            assert!(
                num(cell("household_size")) >= 2.0,
                "row {i}: children, household of 1"
            );
        }
        let tags: Vec<&str> = cell("preferred_channels").split(';').collect();
        assert!(
            tags.iter().all(|t| CHANNELS.contains(t)),
            "row {i}: {tags:?}"
        );
        for (name, levels) in [
            (
                "education",
                &["basic", "secondary", "bachelor", "master"][..],
            ),
            ("region", &["north", "south", "east", "west", "capital"][..]),
            ("has_children", &["yes", "no"][..]),
            ("loyalty_member", &["yes", "no"][..]),
        ] {
            let c = cell(name);
            assert!(c.is_empty() || levels.contains(&c), "row {i}: {name} = {c}");
        }
    }
    // A few percent missing where planned, nothing missing elsewhere.
    for a in schema.attributes() {
        let missing = col(&a.name).iter().filter(|c| c.is_empty()).count() as f64;
        let share = missing / sample.len() as f64;
        match a.name.as_str() {
            "age" | "income" | "education" | "region" | "email_open_rate" => {
                assert!(
                    (0.005..0.06).contains(&share),
                    "{}: {share} missing",
                    a.name
                )
            }
            _ => assert_eq!(missing, 0.0, "{} has missing cells", a.name),
        }
    }
}

#[test]
fn every_planted_signal_holds_in_the_data() {
    for sample in bundled_and_other_seeds() {
        check_every_planted_signal_holds_in_the_data(&sample);
    }
}

fn check_every_planted_signal_holds_in_the_data(sample: &Sample) {
    for (s, segment) in PLANTED_SEGMENTS.iter().enumerate() {
        for signal in segment.signals {
            let up = signal.direction == Direction::High;
            match signal.level {
                None => {
                    let values = numeric(sample, signal.attribute);
                    let all: Vec<f64> = values.iter().map(|&(_, v)| v).collect();
                    let seg = mean(values.iter().filter(|p| p.0 == s).map(|p| p.1));
                    let effect = (seg - mean(all.iter().copied())) / sd(&all);
                    let signed = if up { effect } else { -effect };
                    assert!(
                        signed >= 0.5,
                        "{}: {} {:?} has standardised difference {effect:.2}",
                        segment.name,
                        signal.attribute,
                        signal.direction
                    );
                }
                Some(level) => {
                    let cells = sample.column(signal.attribute).unwrap();
                    let has = |c: &str| c.split(';').any(|t| t == level);
                    let known: Vec<(usize, bool)> = cells
                        .iter()
                        .zip(sample.planted())
                        .filter(|(c, _)| !c.is_empty())
                        .map(|(c, &l)| (l, has(c)))
                        .collect();
                    let share = |it: &mut dyn Iterator<Item = bool>| mean(it.map(f64::from));
                    let population = share(&mut known.iter().map(|p| p.1));
                    let in_segment = share(&mut known.iter().filter(|p| p.0 == s).map(|p| p.1));
                    let lift = in_segment / population;
                    let ok = if up { lift >= 1.3 } else { lift <= 1.0 / 1.3 };
                    assert!(
                        ok,
                        "{}: {}={level} {:?} has lift {lift:.2}",
                        segment.name, signal.attribute, signal.direction
                    );
                }
            }
        }
    }
}

#[test]
fn every_pair_of_segments_differs_markedly_on_several_attributes() {
    for sample in bundled_and_other_seeds() {
        check_every_pair_of_segments_differs_markedly_on_several_attributes(&sample);
    }
}

fn check_every_pair_of_segments_differs_markedly_on_several_attributes(sample: &Sample) {
    let (x, names) = encode(sample);
    let seg_mean = |s: usize, j: usize| {
        mean(
            (0..x.nrows())
                .filter(|&i| sample.planted()[i] == s)
                .map(|i| x[[i, j]]),
        )
    };
    let sds: Vec<f64> = (0..x.ncols()).map(|j| sd(&x.column(j).to_vec())).collect();
    for (a, first) in PLANTED_SEGMENTS.iter().enumerate() {
        for (b, second) in PLANTED_SEGMENTS.iter().enumerate().skip(a + 1) {
            let mut gaps: Vec<(f64, &str)> = (0..x.ncols())
                .map(|j| {
                    let gap = ((seg_mean(a, j) - seg_mean(b, j)) / sds[j]).abs();
                    (gap, names[j].as_str())
                })
                .collect();
            gaps.sort_by(|p, q| q.0.total_cmp(&p.0));
            assert!(
                gaps[0].0 >= 1.5 && gaps[1].0 >= 1.4 && gaps[2].0 >= 1.2,
                "{} vs {}: the largest gaps in population standard deviations are only {:?}",
                first.name,
                second.name,
                &gaps[..3]
            );
        }
    }
}

#[test]
fn kmeans_recovers_the_planted_segments() {
    for sample in bundled_and_other_seeds() {
        check_kmeans_recovers_the_planted_segments(&sample);
    }
}

fn check_kmeans_recovers_the_planted_segments(sample: &Sample) {
    let (x, _) = encode(sample);
    let segmentation = personas::KMeans::new(PLANTED_SEGMENTS.len())
        .with_seed(1)
        .segment(x.view())
        .expect("k-means runs on the sample");
    let labels: Vec<usize> = segmentation
        .labels()
        .iter()
        .map(|l| l.expect("k-means assigns every customer").index())
        .collect();
    let ari = adjusted_rand_index(&labels, sample.planted());
    assert!(ari >= 0.9, "adjusted Rand index {ari:.3}");
}

#[test]
fn csv_has_a_header_and_a_line_per_customer() {
    let sample = SampleCustomers::new(3).with_customers(25).generate();
    let csv = sample.to_csv_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 26);
    assert_eq!(lines[0], sample.header().join(","));
    assert!(!csv.contains('\r'));
    let planted = sample.planted_csv_string();
    let first = planted.lines().nth(1).unwrap();
    let segment = sample.planted()[0];
    assert_eq!(
        first,
        format!("C00001,{segment},{}", PLANTED_SEGMENTS[segment].name)
    );
    let mut written = Vec::new();
    sample.write_csv(&mut written).unwrap();
    assert_eq!(written, csv.as_bytes());
}

#[test]
fn bundled_customers_are_exactly_a_fresh_generation() {
    let sample = bundled();
    assert!(
        read_bundled("customers.csv") == sample.to_csv_string(),
        "examples/data/customers.csv differs from the generator's output; regenerate it with \
         `cargo run --release --example generate_sample`"
    );
    assert!(
        read_bundled("planted_segments.csv") == sample.planted_csv_string(),
        "examples/data/planted_segments.csv differs from the generator's output; regenerate it \
         with `cargo run --release --example generate_sample`"
    );
}

#[test]
fn bundled_schema_is_exactly_the_generator_schema() {
    let json = SampleCustomers::schema().to_json().unwrap();
    assert_eq!(read_bundled("customers.schema.json"), format!("{json}\n"));
    let read = personas::Schema::from_json(&json).unwrap();
    assert_eq!(read, SampleCustomers::schema());
}
