//! Unit tests of the sample generator: planted segments, widths and streaming.

use super::recipes::{CHANNELS, MISSING, RECIPES};
use super::*;

#[test]
fn recipes_match_planted_segments_and_shares_sum_to_one() {
    assert_eq!(RECIPES.len(), PLANTED_SEGMENTS.len());
    let total: f64 = PLANTED_SEGMENTS.iter().map(|s| s.share).sum();
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
fn segment_sizes_add_up_for_any_count() {
    for n in [0, 1, 2, 7, 13, 101, 3000] {
        let labels = shuffled_labels(n, &mut Rng::new(1));
        assert_eq!(labels.len(), n);
    }
    let labels = shuffled_labels(3000, &mut Rng::new(1));
    let sizes: Vec<usize> = (0..5)
        .map(|s| labels.iter().filter(|&&l| l == s).count())
        .collect();
    assert_eq!(sizes, [900, 750, 600, 450, 300]);
}

#[test]
fn every_signal_names_a_schema_column_and_a_declared_level() {
    let schema = SampleCustomers::schema();
    for segment in PLANTED_SEGMENTS {
        for s in segment.signals {
            let a = schema
                .get(s.attribute)
                .unwrap_or_else(|| panic!("{}: no column `{}`", segment.name, s.attribute));
            if let Some(level) = s.level {
                let known = a.kind.levels().iter().any(|l| l == level)
                    || (s.attribute == "preferred_channels" && CHANNELS.contains(&level));
                assert!(
                    known,
                    "{}: `{level}` is not a level of `{}`",
                    segment.name, a.name
                );
            }
        }
    }
}

#[test]
fn columns_with_missing_cells_are_features_of_the_schema() {
    let schema = SampleCustomers::schema();
    for (column, _) in MISSING {
        let position = schema.position(column);
        assert!(position.is_some_and(|p| p > 0), "`{column}`");
    }
}

#[test]
fn every_row_has_a_cell_per_column() {
    for width in [2, 11, 22, 32, SampleCustomers::MAX_ATTRIBUTES] {
        let sample = SampleCustomers::new(3)
            .with_customers(50)
            .with_attributes(width)
            .generate();
        assert_eq!(sample.header().len(), width);
        assert!(sample.rows().iter().all(|r| r.len() == width));
    }
}

#[test]
fn bundled_attributes_is_the_width_of_the_schema() {
    assert_eq!(
        SampleCustomers::schema().len(),
        SampleCustomers::BUNDLED_ATTRIBUTES
    );
    assert_eq!(
        SampleCustomers::new(1).output_schema(),
        SampleCustomers::schema()
    );
}

#[test]
fn streamed_csv_is_the_generated_csv_at_every_width() {
    for width in [2, 11, 21, 22, 23, 32, SampleCustomers::MAX_ATTRIBUTES] {
        let config = SampleCustomers::new(5)
            .with_customers(300)
            .with_attributes(width);
        let sample = config.generate();
        let mut streamed = Vec::new();
        config.write_csv(&mut streamed).unwrap();
        assert_eq!(streamed, sample.to_csv_string().into_bytes(), "{width}");
        let mut planted = Vec::new();
        config.write_planted_csv(&mut planted).unwrap();
        assert_eq!(planted, sample.planted_csv_string().into_bytes());
        assert_eq!(config.planted(), sample.planted());
    }
}

#[test]
fn columns_in_common_are_the_same_at_every_width() {
    let bundled = SampleCustomers::new(9).with_customers(200).generate();
    for width in [2, 11, 32, SampleCustomers::MAX_ATTRIBUTES] {
        let sample = SampleCustomers::new(9)
            .with_customers(200)
            .with_attributes(width)
            .generate();
        let common = width.min(SampleCustomers::BUNDLED_ATTRIBUTES);
        assert_eq!(sample.header()[..common], bundled.header()[..common]);
        assert_eq!(sample.planted(), bundled.planted());
        for (row, full) in sample.rows().iter().zip(bundled.rows()) {
            assert_eq!(row[..common], full[..common]);
        }
    }
}

#[test]
fn added_attributes_are_named_once_and_follow_the_planted_segments() {
    let config = SampleCustomers::new(11)
        .with_customers(5000)
        .with_attributes(SampleCustomers::MAX_ATTRIBUTES);
    let schema = config.output_schema();
    assert_eq!(schema.len(), SampleCustomers::MAX_ATTRIBUTES);
    let sample = config.generate();
    for extra in &EXTRAS {
        let cells = sample.column(extra.name).expect("an added column");
        let known: Vec<(usize, f64)> = cells
            .iter()
            .zip(sample.planted())
            .filter(|(c, _)| !c.is_empty())
            .map(|(c, &s)| (s, c.parse::<f64>().expect("a number")))
            .collect();
        let n = known.len() as f64;
        let mean = known.iter().map(|(_, x)| x).sum::<f64>() / n;
        let sd = (known.iter().map(|(_, x)| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        let segment_mean = |s: usize| {
            let xs: Vec<f64> = known.iter().filter(|k| k.0 == s).map(|k| k.1).collect();
            xs.iter().sum::<f64>() / xs.len() as f64
        };
        let means: Vec<f64> = (0..PLANTED_SEGMENTS.len()).map(segment_mean).collect();
        // The segment with the largest parameter has the largest mean, at least half a
        // standard deviation above the population's: a signal a profile can find.
        let top = (0..5)
            .max_by(|&a, &b| extra.by_segment[a].total_cmp(&extra.by_segment[b]))
            .unwrap();
        let highest = (0..5)
            .max_by(|&a, &b| means[a].total_cmp(&means[b]))
            .unwrap();
        assert_eq!(top, highest, "`{}`: means {means:?}", extra.name);
        assert!(
            means[top] - mean >= 0.5 * sd,
            "`{}`: {} against {mean} (sd {sd})",
            extra.name,
            means[top]
        );
        let missing = cells.iter().filter(|c| c.is_empty()).count() as f64 / 5000.0;
        assert!((missing - extra.missing).abs() < 0.02, "`{}`", extra.name);
    }
}

#[test]
#[should_panic(expected = "2 to 40 columns, not 41")]
fn more_attributes_than_the_generator_has_panics() {
    let _ = SampleCustomers::new(1).with_attributes(SampleCustomers::MAX_ATTRIBUTES + 1);
}

#[test]
#[should_panic(expected = "not 1")]
fn an_identifier_alone_panics() {
    let _ = SampleCustomers::new(1).with_attributes(1);
}
