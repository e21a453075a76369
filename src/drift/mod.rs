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
//!   customers assigned to the persona now, against the newer customers that fit some persona
//!   (those that fit none are reported on their own, below, rather than bending every
//!   persona's comparison), by the rule of
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
mod compare;
mod hungarian;
mod measure;
mod models;
mod render;

pub use compare::{compare, compare_csv};
pub use measure::{AttributeShift, StatementCheck, Verdict};
pub use models::compare_models;

use serde::Serialize;

use crate::model::PersonaModel;
use crate::persona::Persona;
use crate::profile::{Difference, SegmentProfile};
use crate::segment::Segmenter;
use classify::Fate;

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
    /// What to know about the newer customers before reading on ([`compare`] only): missing
    /// values and values the model never saw, per clustered attribute (as
    /// [`PersonaModel::assignment_notes`](crate::model::PersonaModel::assignment_notes)).
    pub notes: Vec<String>,
    /// Clustered attributes whose newer values are mostly levels the model never saw: their
    /// coding changed (a renamed level, a trailing dot), so the statements about them are
    /// [`Verdict::Recoded`] and every move they cause is suspect ([`compare`] only).
    pub recoded: Vec<String>,
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
            || !self.recoded.is_empty()
    }

    fn no_persona_rose(&self) -> bool {
        self.no_persona.now_share - self.no_persona.then_share >= NO_PERSONA_RISE
    }

    /// The persona of a segment.
    pub fn persona(&self, segment: usize) -> Option<&PersonaDrift> {
        self.personas.iter().find(|p| p.segment == segment)
    }
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
