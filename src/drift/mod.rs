//! Drift: what happened to a saved model's personas in a newer snapshot of customers (or in a
//! newer saved model).
//!
//! [`compare`] reads the newer customers with the model and answers, per persona:
//!
//! - **share then and now**: its share of the training customers, and its share of the newer
//!   customers when [`PersonaModel::assign`] tags them;
//! - **how far its centre moved**, per feature attribute in original units
//!   ([`AttributeShift`]): the persona's profile then (its training customers' mean, or a level's
//!   share) beside the same statistic over the newer customers assigned to it now, and over the
//!   customers of the re-fit segment matched to it. Means of customers, not decoded centroids,
//!   because "customers tagged with this persona now spend 54 EUR a month, against 40 then" is
//!   what a marketer can check; the re-fit value shows where the segment itself went (customers
//!   who moved far fit no persona and are missing from the assigned mean). Each move is also
//!   given in standard deviations of all training customers, so that moves on different
//!   attributes compare; it is measured on the customers assigned now, or on the matched re-fit
//!   segment when fewer than [`MIN_MEASURED`] customers are assigned (then the persona's
//!   statements are not re-measured either);
//! - **which statements no longer hold**: each statement's strongest evidence re-measured on the
//!   customers assigned to the persona now, against all newer customers, by the rule of
//!   [`StatementCheck`] (re-measuring rather than re-drafting: a re-draft words, orders and cuts
//!   statements differently for reasons that are not drift);
//! - **customers that fit no persona** now ([`NoPersona`]), against the share then.
//!
//! It then **re-fits** the newer customers with the model's own segmenter settings
//! ([`PersonaModel::segmenter`], same seed; [`DriftOptions::with_refit`] overrides them), in the
//! model's feature space, and matches the old personas to the re-fit's segments by the Hungarian
//! algorithm on the Euclidean distance between centres (k-means centroids; for DBSCAN, the mean
//! of each segment's core points then and of its customers now). Counting the newer customers by
//! old persona and re-fit segment (a contingency table) then classifies each persona
//! ([`Status`]); the first rule that applies wins:
//!
//! 1. **split**: two or more re-fit segments are each at least [`MOSTLY`] this persona's
//!    customers, each hold at least [`SPLIT_MIN_PART`] of them, and a gap lies between them
//!    ([`SPLIT_DIP`]; without one, the re-fit merely cut one group in two, as k-means does when a
//!    persona vanished and its centre must go somewhere, and the persona counts as matched);
//! 2. **merged**: one re-fit segment holds at least [`MOSTLY`] of the customers of this and
//!    another persona, each at least [`MERGE_MIN_PART`] of the segment;
//! 3. **kept** or **moved**: its Hungarian partner is at least [`MATCH_MIN_OVERLAP`] its
//!    customers; moved when some attribute's centre moved by at least [`MOVED_FROM`] standard
//!    deviations (see [`AttributeShift::standardised`]);
//! 4. **vanished**: no match and a share now below [`VANISHED_BELOW`] times its share then;
//! 5. **unmatched**: none of these (its customers are spread over segments that are mostly
//!    other personas').
//!
//! A re-fit segment that
//! is no persona's match, split part or merge has **appeared** ([`NewSegment`]) when it holds at
//! least [`APPEARED_FROM`] of the newer customers; the report says how many of its customers fit
//! no persona. Shares **grew** or **shrank** ([`ShareChange`]) when they changed by at least
//! [`SHARE_CHANGE_POINTS`] and by a factor of at least [`SHARE_CHANGE_RATIO`].
//!
//! With a fixed `k` the re-fit has as many segments as the model, so a split shows only beside
//! a merge or a vanished persona, and an appeared segment only beside a lost one; a model fitted
//! with [`AutoK`](crate::AutoK) or DBSCAN lets the count change.
//!
//! [`compare_models`] compares two saved models when the customers are not at hand: personas
//! are matched by the Hungarian algorithm on the distance between their profiles (the two models'
//! encoders scale differently, so feature spaces do not compare; profile means and shares in
//! original units, standardised by the older model's training customers, do), a match counting
//! when no attribute moved by more than [`MODELS_MATCH_MAX_SHIFT`] standard deviations. Shares
//! come from the training sizes; statements are re-measured on the matched persona's profile.
//! Splits and merges need customers counted both ways, so they are not reported.
//!
//! [`DriftReport::to_markdown`] is for people (a one-line summary first), and
//! [`DriftReport::to_json`] for pipelines (with `schema_version`, as the crate's other
//! documents).
//!
//! ```
//! use personas::drift::{compare, DriftOptions};
//! use personas::model::{ModelOptions, PersonaModel};
//! use personas::{CsvOptions, CustomerTable, KMeans, Schema};
//!
//! let schema = Schema::from_json_file("examples/data/customers.schema.json")?;
//! let customers =
//!     CustomerTable::from_csv_path("examples/data/customers.csv", &schema, &CsvOptions::new())?;
//! let options = ModelOptions::new(KMeans::new(4).with_seed(42)).with_stability(None);
//! let model = PersonaModel::fit(&customers, &options)?.model;
//!
//! // The training customers again: nothing has drifted.
//! let report = compare(&model, &customers, &DriftOptions::new())?;
//! assert!(!report.has_drift());
//! println!("{}", report.to_markdown());
//! # Ok::<(), personas::Error>(())
//! ```

mod classify;
mod hungarian;
mod measure;
mod render;

pub use measure::{AttributeShift, StatementCheck, Verdict};

use std::path::Path;

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::input::CsvOptions;
use crate::model::PersonaModel;
use crate::persona::Persona;
use crate::profile::{Difference, Profiles, SegmentProfile};
use crate::segment::{Features, SegmentModel, Segmentation, Segmenter};
use crate::table::CustomerTable;
use classify::{Contingency, Fate};

/// A re-fit segment is a persona's match when at least this share of its customers are assigned
/// to the persona now.
pub const MATCH_MIN_OVERLAP: f64 = 0.5;

/// "Mostly": the share of a segment's customers (for a split) or of a persona's customers (for
/// a merge) that must come from one side.
pub const MOSTLY: f64 = 0.6;

/// Each part of a split holds at least this share of the persona's customers now.
pub const SPLIT_MIN_PART: f64 = 0.2;

/// Two parts of a persona are a split only when a gap lies between them: near their midpoint
/// lie fewer than this fraction of the customers near the emptier part's centre. Without a gap
/// they are one group the re-fit cut in two, and the persona counts as matched.
pub const SPLIT_DIP: f64 = 0.5;

/// Each persona in a merge makes up at least this share of the merged segment.
pub const MERGE_MIN_PART: f64 = 0.2;

/// A persona without a match vanished when its share now is below this fraction of its share
/// then.
pub const VANISHED_BELOW: f64 = 0.2;

/// A matched persona moved when some attribute's centre moved by at least this many standard
/// deviations of all training customers (for a level's share, of its 0/1 indicator): the
/// drafter's "medium" effect, the size at which a difference becomes a statement.
pub const MOVED_FROM: f64 = 0.5;

/// A share grew or shrank when it changed by at least this much (5 percentage points) ...
pub const SHARE_CHANGE_POINTS: f64 = 0.05;

/// ... and by at least this factor (up by a quarter, or down to 1/1.25 of what it was).
pub const SHARE_CHANGE_RATIO: f64 = 1.25;

/// An unexplained re-fit segment is reported as appeared when it holds at least this share of
/// the newer customers.
pub const APPEARED_FROM: f64 = 0.01;

/// A persona is re-measured (its centre now, its statements) only on at least this many newer
/// customers assigned to it: the drafter's smallest segment that gets statements.
pub const MIN_MEASURED: usize = 30;

/// The share of customers that fit no persona is drift when it rose by at least this much.
pub const NO_PERSONA_RISE: f64 = 0.02;

/// A statement that claims a difference holds while the difference keeps at least this fraction
/// of its standardised size then (and its direction).
pub const HOLDS_FRACTION: f64 = 0.5;

/// A typical-level statement ("Region: north (62%)") holds while the level stays the most common
/// or loses at most this much share.
pub const DESCRIPTIVE_SHARE_DROP: f64 = 0.1;

/// [`compare_models`]: two personas are the same one when no attribute's centre differs by more
/// than this many standard deviations of the older model's training customers.
pub const MODELS_MATCH_MAX_SHIFT: f64 = 2.0;

/// How to compare.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriftOptions {
    refit: Option<Segmenter>,
}

impl DriftOptions {
    /// Re-fits with the model's own segmenter settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Re-fits the newer customers with this segmenter instead (an [`AutoK`](crate::AutoK)
    /// lets the number of segments change from a model fitted with a fixed `k`).
    pub fn with_refit(mut self, segmenter: impl Into<Segmenter>) -> Self {
        self.refit = Some(segmenter.into());
        self
    }
}

/// What the comparison was made against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A newer snapshot of customers ([`compare`]).
    Customers,
    /// A newer saved model ([`compare_models`]).
    Models,
}

/// What happened to a persona; see the [module docs](self) for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Found again, in about the same place.
    Kept,
    /// Found again, but its centre moved by at least [`MOVED_FROM`] on some attribute.
    Moved,
    /// Its customers now form two or more segments.
    Split,
    /// Its customers now share a segment with another persona's.
    Merged,
    /// Hardly any customer fits it now, and no segment matches it.
    Vanished,
    /// No segment matches it, but its customers are still there, spread over others' segments.
    Unmatched,
}

impl Status {
    /// The status in words ("kept", "moved", ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Kept => "kept",
            Status::Moved => "moved",
            Status::Split => "split",
            Status::Merged => "merged",
            Status::Vanished => "vanished",
            Status::Unmatched => "unmatched",
        }
    }
}

/// Whether a persona's share changed; see [`SHARE_CHANGE_POINTS`] and [`SHARE_CHANGE_RATIO`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareChange {
    /// Within the thresholds.
    Steady,
    /// Up.
    Grew,
    /// Down.
    Shrank,
}

impl ShareChange {
    fn of(then: f64, now: f64) -> Self {
        let ratio_up = if then > 0.0 {
            now / then
        } else {
            f64::INFINITY
        };
        let ratio_down = if now > 0.0 { then / now } else { f64::INFINITY };
        if now - then >= SHARE_CHANGE_POINTS && ratio_up >= SHARE_CHANGE_RATIO {
            ShareChange::Grew
        } else if then - now >= SHARE_CHANGE_POINTS && ratio_down >= SHARE_CHANGE_RATIO {
            ShareChange::Shrank
        } else {
            ShareChange::Steady
        }
    }
}

/// One old persona, then and now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PersonaDrift {
    /// The persona's segment in the model.
    pub segment: usize,
    /// Its name.
    pub name: String,
    /// Its share of the training customers (0..1).
    pub share_then: f64,
    /// Its share now (0..1): of the newer customers assigned to it ([`compare`]), or of the
    /// newer model's training customers in its matched segment ([`compare_models`]; 0 without a
    /// match).
    pub share_now: f64,
    /// The customers counted in `share_now`.
    pub customers_now: usize,
    /// Whether the share grew or shrank.
    pub share_change: ShareChange,
    /// What happened to it.
    pub status: Status,
    /// The re-fit segment (or newer model's segment) matched to it.
    pub matched: Option<usize>,
    /// For a split, the re-fit segments it split into.
    pub split_into: Vec<usize>,
    /// For a merge, the re-fit segment it merged into ...
    pub merged_into: Option<usize>,
    /// ... and the other personas (segments) it merged with.
    pub merged_with: Vec<usize>,
    /// The largest standardised move of its centre (see [`AttributeShift::standardised`]).
    pub largest_move: Option<f64>,
    /// How each feature attribute's centre moved, largest move first.
    pub shifts: Vec<AttributeShift>,
    /// Each statement, re-measured.
    pub statements: Vec<StatementCheck>,
}

impl PersonaDrift {
    /// The statements that no longer hold.
    pub fn broken_statements(&self) -> impl Iterator<Item = &StatementCheck> {
        self.statements
            .iter()
            .filter(|s| s.verdict == Verdict::NoLonger)
    }
}

/// A segment of the re-fit (or a persona of the newer model) that no old persona explains.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NewSegment {
    /// Its number in the re-fit (or the newer model).
    pub segment: usize,
    /// The newer model's persona name ([`compare_models`]); `None` for a re-fit segment.
    pub name: Option<String>,
    /// Its customers.
    pub customers: usize,
    /// Its share of the newer customers.
    pub share: f64,
    /// The share of its customers that fit no old persona ([`compare`] only).
    pub from_no_persona: Option<f64>,
    /// The old persona (segment) the Hungarian matching paired it with, without the overlap
    /// that would make it a match.
    pub nearest: Option<usize>,
    /// What sets it apart from all newer customers, strongest first (at most three).
    pub distinguishing: Vec<Difference>,
}

/// Customers that fit no persona, then and now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NoPersona {
    /// Training customers in no segment.
    pub then: usize,
    /// Their share of the training customers.
    pub then_share: f64,
    /// Newer customers that fit no persona.
    pub now: usize,
    /// Their share of the newer customers.
    pub now_share: f64,
}

/// The re-fit of the newer customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Refit {
    /// Its number of segments (0 when it failed).
    pub segments: usize,
    /// Why it could not be made (too few customers for `k`, say); the rest of the report stands.
    pub problem: Option<String>,
}

/// The comparison of a model's personas with newer data; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DriftReport {
    /// Newer customers or a newer model.
    pub basis: Basis,
    /// The model's training customers.
    pub customers_then: usize,
    /// The newer customers (or the newer model's training customers).
    pub customers_now: usize,
    /// Customers that fit no persona.
    pub no_persona: NoPersona,
    /// One entry per old persona, segment 0 first.
    pub personas: Vec<PersonaDrift>,
    /// Segments that appeared.
    pub appeared: Vec<NewSegment>,
    /// The re-fit ([`compare`] only).
    pub refit: Option<Refit>,
}

impl DriftReport {
    /// Whether anything drifted: a persona not kept, a share that grew or shrank, a statement
    /// that no longer holds, a segment that appeared, or [`NO_PERSONA_RISE`] more customers
    /// that fit no persona.
    pub fn has_drift(&self) -> bool {
        self.personas.iter().any(|p| {
            p.status != Status::Kept
                || p.share_change != ShareChange::Steady
                || p.broken_statements().next().is_some()
        }) || !self.appeared.is_empty()
            || self.no_persona_rose()
    }

    fn no_persona_rose(&self) -> bool {
        self.no_persona.now_share - self.no_persona.then_share >= NO_PERSONA_RISE
    }

    /// The persona of a segment.
    pub fn persona(&self, segment: usize) -> Option<&PersonaDrift> {
        self.personas.iter().find(|p| p.segment == segment)
    }
}

/// Compares `model` with newer customers (read with [`PersonaModel::reading_schema`]); see the
/// [module docs](self).
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
    let features = model.encoder().transform(newer)?;
    let segment_model = model.segment_model();
    let k = segment_model.n_segments();
    let old: Vec<Option<usize>> = segment_model
        .assign(features.view())?
        .iter()
        .map(|a| a.segment.map(|s| s.index()))
        .collect();
    let now_profiles = profiles_by_label(newer, &old, k)?;

    let segmenter = options
        .refit
        .clone()
        .unwrap_or_else(|| model.segmenter().clone());
    let fitted =
        Features::new(features.view(), model.encoder().columns()).and_then(|f| segmenter.fit(f));
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
        let statements = measure::check_statements(persona, then, now);
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
    })
}

/// Reads newer customers from a CSV file with the model's [reading
/// schema](PersonaModel::reading_schema) and compares; see [`compare`]. This is what
/// `personas compare MODEL.json NEWER.csv` runs.
///
/// # Errors
/// The errors of [`CustomerTable::from_csv_path`] and [`compare`].
pub fn compare_csv(
    model: &PersonaModel,
    path: impl AsRef<Path>,
    csv: &CsvOptions,
    options: &DriftOptions,
) -> Result<DriftReport> {
    let newer = CustomerTable::from_csv_path(path, &model.reading_schema(), csv)?;
    compare(model, &newer, options)
}

/// Compares two saved models without their customers; see the [module docs](self).
///
/// # Errors
/// None today: every model this crate loads can be compared. The `Result` leaves room for
/// checks of models from other versions.
pub fn compare_models(old: &PersonaModel, new: &PersonaModel) -> Result<DriftReport> {
    let old_personas: Vec<(&Persona, &SegmentProfile)> = old
        .personas()
        .personas
        .iter()
        .filter_map(|p| profile_then(old, p.segment).map(|t| (p, t)))
        .collect();
    let new_personas: Vec<(&Persona, &SegmentProfile)> = new
        .personas()
        .personas
        .iter()
        .filter_map(|p| profile_then(new, p.segment).map(|t| (p, t)))
        .collect();
    let moves: Vec<Vec<Vec<AttributeShift>>> = old_personas
        .iter()
        .map(|(_, then)| {
            new_personas
                .iter()
                .map(|(_, now)| measure::shifts(then, Some(now), None))
                .collect()
        })
        .collect();
    let cost: Vec<Vec<f64>> = moves
        .iter()
        .map(|row| {
            row.iter()
                .map(|shifts| {
                    shifts
                        .iter()
                        .filter_map(|s| s.standardised)
                        .map(|x| x * x)
                        .sum::<f64>()
                        .sqrt()
                })
                .collect()
        })
        .collect();
    let matching = hungarian::hungarian(&cost);
    let (then_t, now_t) = (old.training(), new.training());
    let mut explained = vec![false; new_personas.len()];
    let mut personas = Vec::new();
    for (i, (persona, then)) in old_personas.iter().enumerate() {
        let accepted = matching[i].filter(|&j| {
            measure::largest(&moves[i][j]).is_none_or(|m| m <= MODELS_MATCH_MAX_SHIFT)
        });
        let share_then = share(
            then_t.sizes.get(persona.segment).copied().unwrap_or(0),
            then_t.customers,
        );
        let (fate, customers_now, now, shifts) = match accepted {
            Some(j) => {
                explained[j] = true;
                let (p, profile) = new_personas[j];
                let size = now_t.sizes.get(p.segment).copied().unwrap_or(0);
                (
                    Fate::Matched(p.segment),
                    size,
                    Some(profile),
                    moves[i][j].clone(),
                )
            }
            None => (Fate::Vanished, 0, None, measure::shifts(then, None, None)),
        };
        let statements = measure::check_statements(persona, then, now);
        personas.push(persona_drift(
            persona,
            share_then,
            customers_now,
            share(customers_now, now_t.customers),
            fate,
            shifts,
            statements,
        ));
    }
    let appeared = new_personas
        .iter()
        .enumerate()
        .filter(|(j, _)| !explained[*j])
        .map(|(j, (p, profile))| NewSegment {
            segment: p.segment,
            name: Some(p.name.clone()),
            customers: now_t.sizes.get(p.segment).copied().unwrap_or(0),
            share: share(
                now_t.sizes.get(p.segment).copied().unwrap_or(0),
                now_t.customers,
            ),
            from_no_persona: None,
            nearest: matching
                .iter()
                .position(|&m| m == Some(j))
                .map(|i| old_personas[i].0.segment),
            distinguishing: top_differences(Some(profile)),
        })
        .collect();
    Ok(DriftReport {
        basis: Basis::Models,
        customers_then: then_t.customers,
        customers_now: now_t.customers,
        no_persona: NoPersona {
            then: then_t.unassigned,
            then_share: share(then_t.unassigned, then_t.customers),
            now: now_t.unassigned,
            now_share: share(now_t.unassigned, now_t.customers),
        },
        personas,
        appeared,
        refit: None,
    })
}

fn persona_drift(
    persona: &Persona,
    share_then: f64,
    customers_now: usize,
    share_now: f64,
    fate: Fate,
    shifts: Vec<AttributeShift>,
    statements: Vec<StatementCheck>,
) -> PersonaDrift {
    let largest_move = measure::largest(&shifts);
    let (status, matched, split_into, merged_into, merged_with) = match fate {
        Fate::Matched(j) => {
            let moved = largest_move.is_some_and(|m| m >= MOVED_FROM);
            let status = if moved { Status::Moved } else { Status::Kept };
            (status, Some(j), Vec::new(), None, Vec::new())
        }
        Fate::Split(parts) => (Status::Split, None, parts, None, Vec::new()),
        Fate::Merged { into, with } => (Status::Merged, None, Vec::new(), Some(into), with),
        Fate::Vanished => (Status::Vanished, None, Vec::new(), None, Vec::new()),
        Fate::Unmatched => (Status::Unmatched, None, Vec::new(), None, Vec::new()),
    };
    PersonaDrift {
        segment: persona.segment,
        name: persona.name.clone(),
        share_then,
        share_now,
        customers_now,
        share_change: ShareChange::of(share_then, share_now),
        status,
        matched,
        split_into,
        merged_into,
        merged_with,
        largest_move,
        shifts,
        statements,
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The profile a model's persona of segment `s` was drafted from.
fn profile_then(model: &PersonaModel, s: usize) -> Option<&SegmentProfile> {
    model.personas().segments.iter().find(|p| p.segment == s)
}

fn top_differences(profile: Option<&SegmentProfile>) -> Vec<Difference> {
    profile.map_or_else(Vec::new, |p| {
        p.distinguishing.iter().take(3).cloned().collect()
    })
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
    if !(length2 > 0.0) {
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
