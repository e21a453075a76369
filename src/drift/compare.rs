//! [`compare`]: a model beside a newer snapshot of customers, with a re-fit in the model's
//! feature space.

use std::path::Path;

use ndarray::{Array2, ArrayView2};

use super::classify::{self, Contingency, Fate};
use super::{
    hungarian, measure, persona_drift, profile_then, share, top_differences, Basis, DriftOptions,
    DriftReport, NewSegment, NoPersona, Refit, Verdict, APPEARED_FROM, MIN_MEASURED, SPLIT_DIP,
};
use crate::error::{Error, Result};
use crate::input::CsvOptions;
use crate::model::{DurationsTo, PersonaModel};
use crate::profile::{LevelShare, Profiles, SegmentProfile, Summary};
use crate::segment::{Features, Precision, SegmentModel, Segmentation};
use crate::table::CustomerTable;

/// Compares `model` with newer customers (read with [`PersonaModel::reading_schema`]); see the
/// [module docs](super).
///
/// # Errors
/// [`Error::NoRows`] for an empty table; the errors of
/// [`FittedEncoder::transform`](crate::FittedEncoder::transform), [`SegmentModel::assign`] and [`Profiles::new`]. A re-fit
/// that fails (too few customers for `k`) is no error: the report says so in
/// [`DriftReport::refit`] and classifies by shares alone.
pub fn compare(
    model: &PersonaModel,
    newer: &CustomerTable,
    options: &DriftOptions,
) -> Result<DriftReport> {
    let n = newer.n_customers();
    if n == 0 {
        return Err(Error::NoRows);
    }
    let recoded: Vec<String> = model
        .unseen_values(newer)
        .into_iter()
        .filter(|u| u.recoded())
        .map(|u| u.attribute)
        .collect();
    let features = model.encoder().transform(newer)?;
    let segment_model = model.segment_model();
    let k = segment_model.n_segments();
    let old: Vec<Option<usize>> = segment_model
        .assign(features.view())?
        .iter()
        .map(|a| a.segment.map(|s| s.index()))
        .collect();
    let mut now_profiles = profiles_by_label(newer, &old, k)?;
    pool_population(&mut now_profiles);

    let segmenter = options
        .refit
        .clone()
        .unwrap_or_else(|| model.segmenter().clone());
    // Re-fitted in the precision the model was fitted in; rounding the f64 encoding to f32 is
    // exactly what `transform_as` does.
    let narrowed = match model.training().precision {
        Precision::F64 => None,
        Precision::F32 => Some(features.mapv(|v| v as f32)),
    };
    let columns = model.encoder().columns();
    let fitted = match &narrowed {
        None => Features::new(features.view(), columns),
        Some(x) => Features::new(x.view(), columns),
    }
    .and_then(|f| segmenter.fit(f));
    drop(narrowed);
    let (refit_labels, m, refit_problem) = match &fitted {
        Ok(f) => (
            f.labels().iter().map(|l| l.map(|s| s.index())).collect(),
            f.segmentation().n_segments(),
            None,
        ),
        Err(e) => (vec![None; n], 0, Some(e.to_string())),
    };
    let refit_profiles = match &fitted {
        Ok(f) if m > 0 => Profiles::new(newer, f.segmentation())?.segments,
        _ => Vec::new(),
    };
    let old_centres = centres_of(segment_model);
    let new_centres = means_by_label(features.view(), &refit_labels, m);
    let cost: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..m)
                .map(|j| distance(old_centres.row(i), new_centres.row(j)))
                .collect()
        })
        .collect();
    let matching = hungarian::hungarian(&cost);
    let table = Contingency::new(k, m, &old, &refit_labels);
    let training = model.training();
    let share_then: Vec<f64> = (0..k)
        .map(|s| {
            share(
                training.sizes.get(s).copied().unwrap_or(0),
                training.customers,
            )
        })
        .collect();
    let separated = |a: usize, b: usize| {
        has_gap(
            features.view(),
            &refit_labels,
            (a, new_centres.row(a)),
            (b, new_centres.row(b)),
        )
    };
    let classified = classify::classify(&table, &matching, &share_then, n, &separated);

    let mut personas = Vec::new();
    for persona in &model.personas().personas {
        let s = persona.segment;
        let Some(then) = profile_then(model, s) else {
            continue;
        };
        let fate = classified.fates.get(s).cloned().unwrap_or(Fate::Unmatched);
        let matched = match fate {
            Fate::Matched(j) => Some(j),
            _ => None,
        };
        let now = now_profiles
            .get(s)
            .and_then(Option::as_ref)
            .filter(|p| p.size >= MIN_MEASURED);
        let shifts = measure::shifts(then, now, matched.and_then(|j| refit_profiles.get(j)));
        let mut statements = measure::check_statements(persona, then, now);
        for s in statements
            .iter_mut()
            .filter(|s| recoded.contains(&s.attribute))
        {
            s.verdict = Verdict::Recoded;
        }
        let customers_now = table.row(s);
        personas.push(persona_drift(
            persona,
            share_then[s],
            customers_now,
            share(customers_now, n),
            fate,
            shifts,
            statements,
        ));
    }
    let appeared = classified
        .appeared
        .iter()
        .filter(|&&j| share(table.column(j), n) >= APPEARED_FROM)
        .map(|&j| NewSegment {
            segment: j,
            name: None,
            customers: table.column(j),
            share: share(table.column(j), n),
            from_no_persona: Some(share(table.at(k, j), table.column(j))),
            nearest: matching.iter().position(|&p| p == Some(j)),
            distinguishing: top_differences(refit_profiles.get(j)),
        })
        .collect();
    let unassigned_now = old.iter().filter(|l| l.is_none()).count();
    Ok(DriftReport {
        basis: Basis::Customers,
        customers_then: training.customers,
        customers_now: n,
        no_persona: NoPersona {
            then: training.unassigned,
            then_share: share(training.unassigned, training.customers),
            now: unassigned_now,
            now_share: share(unassigned_now, n),
        },
        personas,
        appeared,
        refit: Some(Refit {
            segments: m,
            problem: refit_problem,
        }),
        notes: model.assignment_notes(newer),
        recoded,
    })
}

/// Reads newer customers from a CSV file ([`PersonaModel::read_csv`]: columns the model does not
/// need may be absent, and durations are measured to the newest date in the file) and compares;
/// see [`compare`].
///
/// # Errors
/// The errors of [`PersonaModel::read_csv`] and [`compare`].
pub fn compare_csv(
    model: &PersonaModel,
    path: impl AsRef<Path>,
    csv: &CsvOptions,
    options: &DriftOptions,
) -> Result<DriftReport> {
    let newer = model.read_csv(path, csv, &DurationsTo::NewestDate)?;
    let mut report = compare(model, &newer.table, options)?;
    report.notes.splice(0..0, newer.respelled);
    Ok(report)
}

/// Profiles of the customers with each label `0..k` (labels as given, not renumbered), `None`
/// for a label no customer has.
fn profiles_by_label(
    table: &CustomerTable,
    labels: &[Option<usize>],
    k: usize,
) -> Result<Vec<Option<SegmentProfile>>> {
    let mut out = vec![None; k];
    if labels.iter().all(Option::is_none) {
        return Ok(out);
    }
    let segmentation = Segmentation::new(labels.to_vec(), None, None)?;
    let mut raw_of = vec![None; segmentation.n_segments()];
    for (raw, id) in labels.iter().zip(segmentation.labels()) {
        if let (Some(raw), Some(id)) = (raw, id) {
            raw_of[id.index()] = Some(*raw);
        }
    }
    for mut profile in Profiles::new(table, &segmentation)?.segments {
        if let Some(raw) = raw_of[profile.segment].filter(|&r| r < k) {
            profile.segment = raw;
            out[raw] = Some(profile);
        }
    }
    Ok(out)
}

/// Where each of a fitted model's segments sits in feature space.
fn centres_of(model: &SegmentModel) -> Array2<f64> {
    match model {
        SegmentModel::KMeans(m) => m.centroids().clone(),
        SegmentModel::Dbscan(m) => m.core_centres(),
    }
}

/// The mean row of each label `0..m`.
fn means_by_label(x: ArrayView2<'_, f64>, labels: &[Option<usize>], m: usize) -> Array2<f64> {
    let mut sums = Array2::<f64>::zeros((m, x.ncols()));
    let mut counts = vec![0usize; m];
    for (row, label) in x.rows().into_iter().zip(labels) {
        if let Some(l) = label.filter(|&l| l < m) {
            counts[l] += 1;
            let mut target = sums.row_mut(l);
            target += &row;
        }
    }
    for (mut row, &c) in sums.rows_mut().into_iter().zip(&counts) {
        if c > 0 {
            row /= c as f64;
        }
    }
    sums
}

/// Whether the newer customers of re-fit segments `a` and `b` thin out between them: projected
/// on the line through the two centres, fewer than [`SPLIT_DIP`] as many lie near the midpoint
/// as near the emptier centre (each window a tenth of the distance between the centres either
/// side). A group cut in two without a gap (the halves of one Gaussian) has its most customers
/// at the midpoint.
fn has_gap(
    x: ArrayView2<'_, f64>,
    labels: &[Option<usize>],
    (a, ca): (usize, ndarray::ArrayView1<'_, f64>),
    (b, cb): (usize, ndarray::ArrayView1<'_, f64>),
) -> bool {
    const WINDOW: f64 = 0.1;
    let axis = &cb - &ca;
    let length2 = axis.dot(&axis);
    if length2.is_nan() || length2 <= 0.0 {
        return false;
    }
    let mut near = [0usize; 3];
    for (row, label) in x.rows().into_iter().zip(labels) {
        if *label != Some(a) && *label != Some(b) {
            continue;
        }
        let t = (&row - &ca).dot(&axis) / length2;
        for (count, at) in near.iter_mut().zip([0.0, 0.5, 1.0]) {
            if (t - at).abs() <= WINDOW {
                *count += 1;
            }
        }
    }
    (near[1] as f64) < SPLIT_DIP * near[0].min(near[2]) as f64
}

fn distance(a: ndarray::ArrayView1<'_, f64>, b: ndarray::ArrayView1<'_, f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Replaces every profile's population summary (all newer customers) by the summary of the
/// customers that fit some persona, pooled from the personas' own summaries: statements are
/// re-measured among the customers the personas describe, while customers that fit none are
/// reported on their own. Medians and quartiles cannot be pooled and stay those of all
/// customers (only typical-value statements use them, and not as a reference).
fn pool_population(profiles: &mut [Option<SegmentProfile>]) {
    let Some(first) = profiles.iter().flatten().next() else {
        return;
    };
    let pooled: Vec<Summary> = (0..first.attributes.len())
        .map(|a| {
            let parts: Vec<&Summary> = profiles
                .iter()
                .flatten()
                .filter_map(|p| p.attributes.get(a).map(|x| &x.segment))
                .collect();
            pool(&first.attributes[a].population, &parts)
        })
        .collect();
    for profile in profiles.iter_mut().flatten() {
        for (attribute, population) in profile.attributes.iter_mut().zip(&pooled) {
            attribute.population = population.clone();
        }
    }
}

/// One summary over the customers of `parts` (disjoint groups), keeping `all`'s order
/// statistics.
fn pool(all: &Summary, parts: &[&Summary]) -> Summary {
    match all {
        Summary::Numeric {
            median,
            q1,
            q3,
            min,
            max,
            ..
        } => {
            let (mut known, mut sum) = (0usize, 0.0);
            for p in parts {
                if let Summary::Numeric {
                    known: k, sum: s, ..
                } = p
                {
                    known += k;
                    sum += s;
                }
            }
            let mean = (known > 0).then(|| sum / known as f64);
            let sd = mean.map(|m| {
                let spread: f64 = parts
                    .iter()
                    .filter_map(|p| match p {
                        Summary::Numeric {
                            known: k,
                            mean: Some(pm),
                            sd: Some(ps),
                            ..
                        } => Some(*k as f64 * (ps * ps + (pm - m) * (pm - m))),
                        _ => None,
                    })
                    .sum();
                (spread / known as f64).sqrt()
            });
            Summary::Numeric {
                known,
                sum,
                mean,
                median: *median,
                q1: *q1,
                q3: *q3,
                sd,
                min: *min,
                max: *max,
            }
        }
        Summary::Levels { shares, .. } => {
            let mut known = 0usize;
            let mut counts = vec![0usize; shares.len()];
            for p in parts {
                if let Summary::Levels {
                    known: k,
                    shares: ps,
                } = p
                {
                    known += k;
                    for (c, l) in counts.iter_mut().zip(ps) {
                        *c += l.count;
                    }
                }
            }
            Summary::Levels {
                known,
                shares: shares
                    .iter()
                    .zip(counts)
                    .map(|(l, count)| LevelShare {
                        level: l.level.clone(),
                        count,
                        share: if known > 0 {
                            count as f64 / known as f64
                        } else {
                            0.0
                        },
                    })
                    .collect(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(v: &[f64]) -> Summary {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        Summary::Numeric {
            known: v.len(),
            sum: v.iter().sum(),
            mean: Some(mean),
            median: None,
            q1: None,
            q3: None,
            sd: Some(sd),
            min: None,
            max: None,
        }
    }

    #[test]
    fn pooled_groups_give_the_mean_and_sd_of_all_their_customers() {
        let (a, b) = ([1.0, 2.0, 3.0], [10.0, 14.0]);
        let all: Vec<f64> = a.iter().chain(&b).copied().collect();
        let pooled = pool(&numbers(&[0.0]), &[&numbers(&a), &numbers(&b)]);
        let direct = numbers(&all);
        assert_eq!(pooled.known(), 5);
        assert!((pooled.mean().unwrap() - direct.mean().unwrap()).abs() < 1e-12);
        let sd = |s: &Summary| match s {
            Summary::Numeric { sd, .. } => sd.unwrap(),
            Summary::Levels { .. } => unreachable!(),
        };
        assert!((sd(&pooled) - sd(&direct)).abs() < 1e-12);
    }
}
