//! Fitting: the statistics of each feature attribute (level counts and shares, numeric centres,
//! scales and imputed values), learned once by [`Encoder::fit`].

use rayon::prelude::*;

use super::{
    negative_for_log1p, Encoded, Encoder, Encoding, FittedAttribute, FittedEncoder, ZeroVariance,
};
use crate::error::{Error, Result};
use crate::schema::{Attribute, AttributeKind, MissingPolicy, Role, Scaling};
use crate::table::{Codes, Column, CustomerTable, Numbers};

impl Encoder {
    /// Learns the encoding of every feature attribute of `table`.
    ///
    /// # Parallelisation
    /// Attributes are fitted in parallel on the current rayon pool; the result does not depend
    /// on the number of threads.
    ///
    /// # Errors
    /// [`Error::NoFeatures`] when the schema has no feature attribute;
    /// [`Error::AllMissing`] when a feature has no known value; [`Error::ZeroVariance`] for a
    /// constant feature under [`ZeroVariance::Error`], or when every feature is constant;
    /// [`Error::WrongType`] for a negative value in a `log1p` attribute (with row and column);
    /// [`Error::Overflow`] when a numeric feature's statistics overflow;
    /// [`Error::InvalidSchema`] when a feature's column does not hold its kind's values.
    pub fn fit(&self, table: &CustomerTable) -> Result<FittedEncoder> {
        let schema = table.schema();
        let n = table.n_customers();
        let mut attributes = Vec::new();
        let mut columns = Vec::new();
        let mut warnings = Vec::new();
        let mut first_constant = None;
        let features: Vec<(&Attribute, &Column)> = schema
            .attributes()
            .iter()
            .zip(table.columns())
            .filter(|(a, _)| a.role == Role::Feature)
            .collect();
        if features.is_empty() {
            return Err(Error::NoFeatures);
        }
        let fits: Vec<Result<Fit>> = features
            .par_iter()
            .map(|(attribute, column)| fit_attribute(attribute, column, n))
            .collect();
        for ((attribute, _), fit) in features.iter().zip(fits) {
            match fit? {
                Fit::Encoded(encoding) => {
                    let fitted = FittedAttribute {
                        name: attribute.name.clone(),
                        weight: attribute.weight,
                        offset: columns.len(),
                        encoding,
                    };
                    fitted.describe(&mut columns);
                    attributes.push(fitted);
                }
                Fit::Constant(value) => {
                    let error = Error::ZeroVariance {
                        column: attribute.name.clone(),
                        value: crate::error::shorten(&value),
                    };
                    if self.zero_variance == ZeroVariance::Error {
                        return Err(error);
                    }
                    warnings.push(format!(
                        "column `{}` has the same value ({}) for every customer and was dropped",
                        crate::error::shorten(&attribute.name),
                        crate::error::shorten(&value)
                    ));
                    first_constant.get_or_insert(error);
                }
            }
        }
        if attributes.is_empty() {
            if let Some(error) = first_constant {
                return Err(error);
            }
        }
        Ok(FittedEncoder {
            attributes,
            columns,
            warnings,
            unknown_levels: self.unknown_levels,
        })
    }

    /// Fits on `table` and encodes it.
    ///
    /// # Errors
    /// As [`Encoder::fit`].
    pub fn fit_transform(&self, table: &CustomerTable) -> Result<Encoded> {
        let encoder = self.fit(table)?;
        let features = encoder.transform(table)?;
        Ok(Encoded { encoder, features })
    }
}

/// The outcome of fitting one attribute.
pub(super) enum Fit {
    Encoded(Encoding),
    /// Every known value is this one.
    Constant(String),
}

pub(super) fn fit_attribute(attribute: &Attribute, column: &Column, n: usize) -> Result<Fit> {
    let policy = attribute.missing_policy();
    let all_missing = || Error::AllMissing {
        column: attribute.name.clone(),
    };
    let wrong_column = || Error::InvalidSchema {
        attribute: attribute.name.clone(),
        reason: format!(
            "the table does not hold {} values for this attribute",
            attribute.kind.name()
        ),
    };
    match (&attribute.kind, column) {
        (AttributeKind::Numeric { .. } | AttributeKind::Date { .. }, Column::Numeric(values)) => {
            fit_numeric(attribute, values, policy).and_then(|f| f.ok_or_else(all_missing))
        }
        (AttributeKind::Categorical { .. }, Column::Levels(codes)) => {
            let levels = codes.levels();
            let counts = level_counts(levels.len(), codes);
            let known: usize = counts.iter().sum();
            if known == 0 {
                return Err(all_missing());
            }
            if let Some(only) = single_level(&counts) {
                return Ok(Fit::Constant(levels[only].clone()));
            }
            let missing = n - known;
            let missing_column = policy == MissingPolicy::OwnLevel;
            let total = if missing_column { n } else { known } as f64;
            let mut sum_sq: f64 = counts.iter().map(|&c| (c as f64 / total).powi(2)).sum();
            if missing_column {
                sum_sq += (missing as f64 / total).powi(2);
            }
            let factor = 1.0 / (1.0 - sum_sq).sqrt();
            let shares: Vec<f64> = counts.iter().map(|&c| c as f64 / known as f64).collect();
            let fill = match policy {
                MissingPolicy::Mean => shares,
                MissingPolicy::OwnLevel => vec![0.0; levels.len()],
                MissingPolicy::Mode | MissingPolicy::Median => {
                    let mode = argmax(&counts);
                    (0..levels.len())
                        .map(|k| f64::from(u8::from(k == mode)))
                        .collect()
                }
            };
            Ok(Fit::Encoded(Encoding::Categorical {
                levels: levels.to_vec(),
                factor,
                fill,
                missing_column,
            }))
        }
        (AttributeKind::Ordinal { .. }, Column::Levels(codes)) => {
            let levels = codes.levels();
            let counts = level_counts(levels.len(), codes);
            let known: usize = counts.iter().sum();
            if known == 0 {
                return Err(all_missing());
            }
            if let Some(only) = single_level(&counts) {
                return Ok(Fit::Constant(levels[only].clone()));
            }
            let mean_code = counts
                .iter()
                .enumerate()
                .map(|(k, &c)| k as f64 * c as f64)
                .sum::<f64>()
                / known as f64;
            let code = match policy {
                MissingPolicy::Mean | MissingPolicy::OwnLevel => mean_code,
                MissingPolicy::Mode => argmax(&counts) as f64,
                MissingPolicy::Median => {
                    // The lower median: the ((known + 1) / 2)-th smallest code.
                    let target = known.div_ceil(2);
                    let mut cumulative = 0;
                    counts
                        .iter()
                        .position(|&c| {
                            cumulative += c;
                            cumulative >= target
                        })
                        .unwrap_or(0) as f64
                }
            };
            Ok(Fit::Encoded(Encoding::Ordinal {
                levels: levels.to_vec(),
                fill: code / (levels.len() - 1) as f64,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        (AttributeKind::Boolean, Column::Boolean(values)) => {
            let trues = values.iter().filter(|v| *v == Some(true)).count();
            let known = values.len() - values.validity().missing_count();
            if known == 0 {
                return Err(all_missing());
            }
            if trues == 0 || trues == known {
                return Ok(Fit::Constant((trues > 0).to_string()));
            }
            let share = trues as f64 / known as f64;
            let fill = match policy {
                MissingPolicy::Mean => share,
                MissingPolicy::OwnLevel => 0.0,
                MissingPolicy::Mode | MissingPolicy::Median => f64::from(u8::from(share >= 0.5)),
            };
            Ok(Fit::Encoded(Encoding::Boolean {
                fill,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        (AttributeKind::Tags { separator, .. }, Column::Tags(sets)) => {
            let levels = sets.levels();
            let mut counts = vec![0usize; levels.len()];
            let mut known = 0usize;
            let mut first: Option<&[u32]> = None;
            let mut constant = true;
            for set in sets.iter().flatten() {
                known += 1;
                match first {
                    None => first = Some(set),
                    Some(f) => constant &= set == f,
                }
                for &t in set {
                    counts[t as usize] += 1;
                }
            }
            let Some(first) = first else {
                return Err(all_missing());
            };
            if constant {
                let value = if first.is_empty() {
                    "no tags".to_string()
                } else {
                    first
                        .iter()
                        .map(|&t| levels[t as usize].as_str())
                        .collect::<Vec<_>>()
                        .join(separator)
                };
                return Ok(Fit::Constant(value));
            }
            let shares = counts.iter().map(|&c| c as f64 / known as f64);
            let fill = match policy {
                MissingPolicy::Mean => shares.collect(),
                MissingPolicy::OwnLevel => vec![0.0; levels.len()],
                MissingPolicy::Mode | MissingPolicy::Median => {
                    shares.map(|s| f64::from(u8::from(s >= 0.5))).collect()
                }
            };
            Ok(Fit::Encoded(Encoding::Tags {
                levels: levels.to_vec(),
                fill,
                missing_column: policy == MissingPolicy::OwnLevel,
            }))
        }
        _ => Err(wrong_column()),
    }
}

fn level_counts(n_levels: usize, codes: &Codes) -> Vec<usize> {
    let mut counts = vec![0usize; n_levels];
    for c in codes.iter().flatten() {
        counts[c as usize] += 1;
    }
    counts
}

/// The only observed level, when exactly one level is observed.
fn single_level(counts: &[usize]) -> Option<usize> {
    let mut observed = counts.iter().enumerate().filter(|(_, &c)| c > 0);
    match (observed.next(), observed.next()) {
        (Some((k, _)), None) => Some(k),
        _ => None,
    }
}

/// The index of the largest count, the first on ties.
fn argmax(counts: &[usize]) -> usize {
    counts
        .iter()
        .enumerate()
        .fold(
            (0, 0),
            |(bk, bc), (k, &c)| if c > bc { (k, c) } else { (bk, bc) },
        )
        .0
}

/// Fits a numeric attribute; `Ok(None)` when every value is missing.
fn fit_numeric(
    attribute: &Attribute,
    values: &Numbers,
    policy: MissingPolicy,
) -> Result<Option<Fit>> {
    let log1p = attribute.log1p;
    let mut known = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        if let Some(x) = v {
            if log1p && x < 0.0 {
                return Err(negative_for_log1p(&attribute.name, row, x));
            }
            known.push(x);
        }
    }
    if known.is_empty() {
        return Ok(None);
    }
    let (min, max) = known
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if min == max {
        return Ok(Some(Fit::Constant(min.to_string())));
    }
    let t = |x: f64| if log1p { x.ln_1p() } else { x };
    let count = known.len() as f64;
    let mean_of = |f: &dyn Fn(f64) -> f64| known.iter().map(|&x| f(x)).sum::<f64>() / count;
    let mean_t = mean_of(&t);
    let sd_t = (mean_of(&|x| (t(x) - mean_t).powi(2))).sqrt();
    let mean_x = mean_of(&|x| x);
    // A full sort only where order statistics beyond the median are needed.
    let needs_sorted = attribute.scaling == Scaling::Robust || policy == MissingPolicy::Mode;
    if needs_sorted {
        known.sort_unstable_by(f64::total_cmp);
    }
    let (center, scale) = match attribute.scaling {
        Scaling::ZScore => (mean_t, sd_t),
        Scaling::Robust => {
            let sorted_t: Vec<f64> = known.iter().map(|&x| t(x)).collect();
            let iqr = quantile(&sorted_t, 0.75) - quantile(&sorted_t, 0.25);
            (quantile(&sorted_t, 0.5), if iqr > 0.0 { iqr } else { sd_t })
        }
        Scaling::MinMax => (t(min), t(max) - t(min)),
        Scaling::None => (0.0, 1.0),
    };
    // The values are finite, so a non-finite statistic (NaN included) is an overflow: of the
    // sum behind a mean, of the squares behind a variance, or of a difference (IQR, range).
    let overflow = || Error::Overflow {
        column: attribute.name.clone(),
    };
    if !(center.is_finite() && scale.is_finite()) {
        return Err(overflow());
    }
    if scale <= 0.0 {
        // Distinct values so close that their spread underflows: as good as constant.
        return Ok(Some(Fit::Constant(min.to_string())));
    }
    let impute = match policy {
        MissingPolicy::Mean | MissingPolicy::OwnLevel => mean_x,
        MissingPolicy::Median if needs_sorted => quantile(&known, 0.5),
        MissingPolicy::Median => median_unsorted(&mut known),
        MissingPolicy::Mode => mode_of_sorted(&known),
    };
    if !impute.is_finite() {
        return Err(overflow());
    }
    Ok(Some(Fit::Encoded(Encoding::Numeric {
        scaling: attribute.scaling,
        log1p,
        center,
        scale,
        impute,
        missing_column: policy == MissingPolicy::OwnLevel,
    })))
}

/// The `p`-quantile of sorted, non-empty values, interpolating linearly between order
/// statistics (position `p · (n - 1)`).
pub(super) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - below as f64;
    let (low, high) = (sorted[below], sorted[above]);
    let gap = high - low;
    if gap.is_finite() {
        low + fraction * gap
    } else {
        // The gap overflows: interpolate without forming it.
        low * (1.0 - fraction) + high * fraction
    }
}

/// The median of non-empty values (the mean of the two middle ones for an even count), by
/// selection rather than sorting; reorders `values`.
pub(super) fn median_unsorted(values: &mut [f64]) -> f64 {
    let odd = values.len() % 2 == 1;
    let mid = values.len() / 2;
    let (below, &mut upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    if odd {
        return upper;
    }
    let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Halving first cannot overflow, and halving is exact above the subnormal range.
    lower / 2.0 + upper / 2.0
}

/// The most frequent of sorted, non-empty values (the smallest on ties).
fn mode_of_sorted(sorted: &[f64]) -> f64 {
    let mut best = (sorted[0], 0usize);
    let mut run = (sorted[0], 0usize);
    for &x in sorted {
        if x == run.0 {
            run.1 += 1;
        } else {
            run = (x, 1);
        }
        if run.1 > best.1 {
            best = run;
        }
    }
    best.0
}
