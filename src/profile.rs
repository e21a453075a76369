//! Segment profiles: what each segment looks like in the data's own units, beside all customers.
//!
//! [`Profiles::new`] summarises every attribute with role `feature` or `value`, per segment and
//! for the whole population, from the table itself (not from the encoded matrix), so each number
//! is exactly what the data gives:
//!
//! - numeric: the mean and median over customers with a known value (the median of an even
//!   count is the mean of the two middle values), the standard deviation (population, divisor
//!   `n`), minimum and maximum;
//! - categorical, ordinal, boolean (levels `true` and `false`) and tags: per level, the share of
//!   customers with a known value whose value is that level (for tags: whose tags include it).
//!
//! Each segment then lists the attributes that most set it apart, ranked by a standardised
//! difference that puts numbers and levels on one scale:
//!
//! - numeric: the standardised mean difference `(segment mean - population mean) / population sd`;
//! - level: the same for the level's 0/1 indicator,
//!   `(segment share - population share) / sqrt(p (1 - p))` with `p` the population share;
//!   the evidence also carries the lift (`segment share / population share`).
//!
//! ## Parallelisation
//! Attributes are summarised in parallel with rayon; each summary is computed sequentially in a
//! fixed order, so results do not depend on the number of threads.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schema::{Attribute, Facet, Role};
use crate::segment::Segmentation;
use crate::table::{Column, CustomerTable};

/// Which statistic a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// The mean over customers with a known value.
    Mean,
    /// The median over customers with a known value.
    Median,
    /// The fraction (0..1) of customers with a known value whose value is the level.
    Share,
}

/// One level's share of customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelShare {
    /// The level (`"true"`/`"false"` for booleans).
    pub level: String,
    /// Customers with a known value who have this level.
    pub count: usize,
    /// `count` over customers with a known value, 0..1.
    pub share: f64,
}

/// The summary of one attribute over a group of customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Summary {
    /// Numeric statistics in the attribute's units; `None` when no customer has a value.
    Numeric {
        /// Customers with a known value.
        known: usize,
        /// Sum of the known values.
        sum: f64,
        /// Mean of the known values.
        mean: Option<f64>,
        /// Median of the known values.
        median: Option<f64>,
        /// First quartile (linear interpolation between order statistics, as numpy's default).
        q1: Option<f64>,
        /// Third quartile (same definition).
        q3: Option<f64>,
        /// Population standard deviation (divisor `known`).
        sd: Option<f64>,
        /// Smallest known value.
        min: Option<f64>,
        /// Largest known value.
        max: Option<f64>,
    },
    /// Shares of each level (for tags, shares can add up to more than 1).
    Levels {
        /// Customers with a known value.
        known: usize,
        /// One entry per level, in the attribute's level order.
        shares: Vec<LevelShare>,
    },
}

impl Summary {
    /// Customers with a known value.
    pub fn known(&self) -> usize {
        match self {
            Summary::Numeric { known, .. } | Summary::Levels { known, .. } => *known,
        }
    }

    /// The mean, for numeric summaries.
    pub fn mean(&self) -> Option<f64> {
        match self {
            Summary::Numeric { mean, .. } => *mean,
            Summary::Levels { .. } => None,
        }
    }

    /// The median, for numeric summaries.
    pub fn median(&self) -> Option<f64> {
        match self {
            Summary::Numeric { median, .. } => *median,
            Summary::Levels { .. } => None,
        }
    }

    /// The share of a level, for level summaries.
    pub fn share(&self, level: &str) -> Option<f64> {
        match self {
            Summary::Levels { shares, .. } => {
                shares.iter().find(|s| s.level == level).map(|s| s.share)
            }
            Summary::Numeric { .. } => None,
        }
    }
}

/// One attribute of one segment beside the population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeProfile {
    /// The attribute's name.
    pub attribute: String,
    /// Its human label: the schema's `label` when set, else [`crate::text::human_label`] of
    /// the name.
    pub label: String,
    /// Its kind: "numeric", "categorical", "ordinal", "boolean" or "tags".
    pub kind: String,
    /// Its unit, for numeric attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Its facet.
    pub facet: Facet,
    /// Its role (`feature` or `value`).
    pub role: Role,
    /// The segment's summary.
    pub segment: Summary,
    /// All customers' summary.
    pub population: Summary,
}

/// A difference between a segment and all customers, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The attribute.
    pub attribute: String,
    /// The level, for categorical, ordinal, boolean and tag attributes.
    pub level: Option<String>,
    /// Which statistic `segment_value` and `population_value` are.
    pub statistic: Statistic,
    /// The segment's value in the attribute's units (a share 0..1 for levels).
    pub segment_value: f64,
    /// All customers' value.
    pub population_value: f64,
    /// The effect size: standardised mean difference for numeric attributes, lift (segment share
    /// over population share) for levels.
    pub effect: f64,
    /// The standardised difference used to rank differences (equal to `effect` for numeric
    /// attributes; the indicator's standardised difference for levels).
    pub standardised: f64,
}

/// A value attribute's total in a segment and its share of the total over all customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueShare {
    /// The value attribute (revenue, spend, …).
    pub attribute: String,
    /// The segment's sum of known values.
    pub segment_total: f64,
    /// All customers' sum of known values.
    pub population_total: f64,
    /// `segment_total / population_total` (0 when the population total is 0).
    pub share: f64,
}

/// The profile of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentProfile {
    /// The segment number (0 is the largest), as in the segmentation's labels.
    pub segment: usize,
    /// Customers in the segment.
    pub size: usize,
    /// `size` over all customers, 0..1.
    pub share: f64,
    /// Per value attribute, the segment's share of the total.
    pub value_shares: Vec<ValueShare>,
    /// Every profiled attribute, in schema order.
    pub attributes: Vec<AttributeProfile>,
    /// The largest differences from all customers, strongest first.
    pub distinguishing: Vec<Difference>,
}

impl SegmentProfile {
    /// The human label of a profiled attribute (see [`AttributeProfile::label`]; the name itself
    /// when the attribute is not profiled).
    pub fn label<'a>(&'a self, attribute: &'a str) -> &'a str {
        self.attributes
            .iter()
            .find(|a| a.attribute == attribute)
            .map_or(attribute, |a| a.label.as_str())
    }
}

/// How many differences to keep per segment, and how strong they must be.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileOptions {
    top: usize,
    min_standardised: f64,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            top: 8,
            min_standardised: 0.2,
        }
    }
}

impl ProfileOptions {
    /// Defaults: the 8 strongest differences whose standardised size is at least 0.2.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps at most `top` differences per segment.
    pub fn with_top(mut self, top: usize) -> Self {
        self.top = top;
        self
    }

    /// Keeps only differences whose absolute standardised size is at least this.
    pub fn with_min_standardised(mut self, min: f64) -> Self {
        self.min_standardised = min;
        self
    }
}

/// Profiles of every segment of a segmentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profiles {
    /// All customers, including those in no segment.
    pub n_customers: usize,
    /// Customers in no segment.
    pub unassigned: usize,
    /// One profile per segment, segment 0 first.
    pub segments: Vec<SegmentProfile>,
}

impl Profiles {
    /// Profiles the segments of `segmentation`, whose labels follow the table's rows, with
    /// default [`ProfileOptions`].
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the segmentation has a different number of customers from
    /// the table.
    pub fn new(table: &CustomerTable, segmentation: &Segmentation) -> Result<Self> {
        Self::with_options(table, segmentation, &ProfileOptions::default())
    }

    /// Profiles with explicit options; see [`Profiles::new`].
    ///
    /// # Errors
    /// As [`Profiles::new`].
    pub fn with_options(
        table: &CustomerTable,
        segmentation: &Segmentation,
        options: &ProfileOptions,
    ) -> Result<Self> {
        let n = table.n_customers();
        if segmentation.n_customers() != n {
            return Err(Error::ShapeMismatch {
                what: "segmentation labels vs table customers",
                expected: n,
                found: segmentation.n_customers(),
            });
        }
        let k = segmentation.n_segments();
        // Every attribute reads the labels once: a compact copy (`NONE` for no segment) quarters
        // the memory traffic, which is what profiling a large table is bound by.
        let labels: Vec<u32> = segmentation
            .labels()
            .iter()
            .map(|l| l.map_or(NONE, |l| l.index() as u32))
            .collect();
        let profiled: Vec<(&Attribute, &Column)> = table
            .schema()
            .attributes()
            .iter()
            .zip(table.columns())
            .filter(|(a, _)| {
                matches!(
                    a.role,
                    Role::Feature | Role::Value | Role::Outcome | Role::Descriptor
                )
            })
            .collect();
        // Per attribute: the population summary, then one summary per segment.
        let summaries: Vec<(Summary, Vec<Summary>)> = profiled
            .par_iter()
            .map(|(_, column)| summarise(column, &labels, k))
            .collect();
        let segments = (0..k)
            .map(|s| {
                let attributes: Vec<AttributeProfile> = profiled
                    .iter()
                    .zip(&summaries)
                    .map(|((a, _), (population, per_segment))| AttributeProfile {
                        attribute: a.name.clone(),
                        label: a
                            .label
                            .clone()
                            .unwrap_or_else(|| crate::text::human_label(&a.name)),
                        kind: a.kind.name().to_string(),
                        unit: a.unit().map(str::to_string),
                        facet: a.facet,
                        role: a.role,
                        segment: per_segment[s].clone(),
                        population: population.clone(),
                    })
                    .collect();
                let value_shares = profiled
                    .iter()
                    .zip(&summaries)
                    .filter(|((a, _), _)| a.role == Role::Value)
                    .filter_map(|((a, _), (population, per_segment))| {
                        let (
                            Summary::Numeric {
                                sum: population_total,
                                ..
                            },
                            Summary::Numeric {
                                sum: segment_total, ..
                            },
                        ) = (population, &per_segment[s])
                        else {
                            return None;
                        };
                        let (segment_total, population_total) = (*segment_total, *population_total);
                        Some(ValueShare {
                            attribute: a.name.clone(),
                            segment_total,
                            population_total,
                            share: if population_total == 0.0 {
                                0.0
                            } else {
                                segment_total / population_total
                            },
                        })
                    })
                    .collect();
                let mut distinguishing: Vec<Difference> = attributes
                    .iter()
                    .flat_map(differences)
                    .filter(|d| d.standardised.abs() >= options.min_standardised)
                    .collect();
                distinguishing.sort_by(|a, b| {
                    b.standardised
                        .abs()
                        .total_cmp(&a.standardised.abs())
                        .then_with(|| a.attribute.cmp(&b.attribute))
                        .then_with(|| a.level.cmp(&b.level))
                });
                distinguishing.truncate(options.top);
                SegmentProfile {
                    segment: s,
                    size: segmentation.sizes()[s],
                    share: segmentation.sizes()[s] as f64 / n as f64,
                    value_shares,
                    attributes,
                    distinguishing,
                }
            })
            .collect();
        Ok(Profiles {
            n_customers: n,
            unassigned: segmentation.unassigned(),
            segments,
        })
    }
}

/// The first quartile, median and third quartile of `v`. The `p`-quantile interpolates linearly
/// between the order statistics at `floor(h)` and `ceil(h)`, `h = (n - 1) p` (numpy's default;
/// the median of an even count is the mean of the two middle values). Each order statistic is
/// selected in the part of `v` not yet partitioned, so the whole costs about two linear passes.
/// Reorders `v`.
fn quartiles_in_place(v: &mut [f64]) -> Option<[f64; 3]> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mut out = [0.0; 3];
    let mut start = 0;
    for (q, p) in out.iter_mut().zip([0.25, 0.5, 0.75]) {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        if lo >= start {
            v[start..].select_nth_unstable_by(lo - start, f64::total_cmp);
            start = lo + 1;
        }
        let below = v[lo];
        let frac = h - lo as f64;
        *q = if frac == 0.0 || lo + 1 >= n {
            below
        } else {
            // Everything after `lo` is at least v[lo]; the next order statistic is their minimum.
            let next = v[lo + 1..].iter().copied().fold(f64::INFINITY, f64::min);
            below + frac * (next - below)
        };
    }
    Some(out)
}

fn numeric_summary(known: &mut [f64]) -> Summary {
    let count = known.len();
    if count == 0 {
        return Summary::Numeric {
            known: 0,
            sum: 0.0,
            mean: None,
            median: None,
            q1: None,
            q3: None,
            sd: None,
            min: None,
            max: None,
        };
    }
    let sum: f64 = known.iter().sum();
    let mean = sum / count as f64;
    let var = known.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / count as f64;
    let min = known.iter().copied().fold(f64::INFINITY, f64::min);
    let max = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let quartiles = quartiles_in_place(known);
    Summary::Numeric {
        known: count,
        sum,
        mean: Some(mean),
        median: quartiles.map(|q| q[1]),
        q1: quartiles.map(|q| q[0]),
        q3: quartiles.map(|q| q[2]),
        sd: Some(var.sqrt()),
        min: Some(min),
        max: Some(max),
    }
}

/// The compact label of a customer in no segment.
const NONE: u32 = u32::MAX;

/// How many customers with a known value have each level.
#[derive(Clone)]
struct LevelCounts {
    counts: Vec<usize>,
    known: usize,
}

impl LevelCounts {
    fn new(n_levels: usize) -> Self {
        LevelCounts {
            counts: vec![0; n_levels],
            known: 0,
        }
    }

    fn add(&mut self, codes: &[u32]) {
        self.known += 1;
        codes.iter().for_each(|&c| self.counts[c as usize] += 1);
    }

    fn summary(self, names: &[&str]) -> Summary {
        level_summary(names.iter().copied(), self.counts, self.known)
    }
}

/// Level counts for all customers and per segment, in one pass over the labels; the summaries
/// of both.
fn summarise_levels<'a>(
    names: &[&str],
    k: usize,
    values: impl Iterator<Item = Option<&'a [u32]>>,
    labels: &[u32],
) -> (Summary, Vec<Summary>) {
    let mut population = LevelCounts::new(names.len());
    let mut segments = vec![LevelCounts::new(names.len()); k];
    for (value, label) in values.zip(labels) {
        let Some(codes) = value else {
            continue;
        };
        population.add(codes);
        if *label != NONE {
            segments[*label as usize].add(codes);
        }
    }
    (
        population.summary(names),
        segments.into_iter().map(|c| c.summary(names)).collect(),
    )
}

/// The summary of a column over all customers and over each of the `k` segments.
fn summarise(column: &Column, labels: &[u32], k: usize) -> (Summary, Vec<Summary>) {
    match column {
        Column::Numeric(values) => {
            let mut population = Vec::with_capacity(values.len());
            let mut groups: Vec<Vec<f64>> = vec![Vec::new(); k];
            for (value, label) in values.iter().zip(labels) {
                if let Some(x) = value {
                    population.push(x);
                    if *label != NONE {
                        groups[*label as usize].push(x);
                    }
                }
            }
            let mut all: Vec<&mut Vec<f64>> = std::iter::once(&mut population)
                .chain(groups.iter_mut())
                .collect();
            let mut summaries: Vec<Summary> =
                all.par_iter_mut().map(|v| numeric_summary(v)).collect();
            let population = summaries.remove(0);
            (population, summaries)
        }
        Column::Levels(codes) => {
            let names: Vec<&str> = codes.levels().iter().map(String::as_str).collect();
            let values: Vec<Option<u32>> = codes.iter().collect();
            summarise_levels(
                &names,
                k,
                values.iter().map(|c| c.as_ref().map(std::slice::from_ref)),
                labels,
            )
        }
        Column::Boolean(values) => {
            // Level 0 is `true`, level 1 is `false`.
            const CODES: [u32; 2] = [0, 1];
            summarise_levels(
                &["true", "false"],
                k,
                values
                    .iter()
                    .map(|b| b.map(|b| std::slice::from_ref(&CODES[usize::from(!b)]))),
                labels,
            )
        }
        Column::Tags(sets) => {
            let names: Vec<&str> = sets.levels().iter().map(String::as_str).collect();
            summarise_levels(&names, k, sets.iter(), labels)
        }
        _ => {
            let empty = || Summary::Levels {
                known: 0,
                shares: Vec::new(),
            };
            (empty(), (0..k).map(|_| empty()).collect())
        }
    }
}

fn level_summary<'a>(
    levels: impl Iterator<Item = &'a str>,
    counts: Vec<usize>,
    known: usize,
) -> Summary {
    let shares = levels
        .zip(counts)
        .map(|(level, count)| LevelShare {
            level: level.to_string(),
            count,
            share: if known == 0 {
                0.0
            } else {
                count as f64 / known as f64
            },
        })
        .collect();
    Summary::Levels { known, shares }
}

/// Every difference between a segment and all customers on one attribute: the mean of a numeric
/// attribute, the share of each level (for booleans, of `true` only, since `false` mirrors it).
/// Levels that every or no customer has are skipped: they cannot set a segment apart.
pub(crate) fn differences(profile: &AttributeProfile) -> Vec<Difference> {
    match (&profile.segment, &profile.population) {
        (
            Summary::Numeric {
                mean: Some(seg), ..
            },
            Summary::Numeric {
                mean: Some(pop),
                sd: Some(sd),
                ..
            },
        ) => {
            let smd = if *sd > 0.0 { (seg - pop) / sd } else { 0.0 };
            vec![Difference {
                attribute: profile.attribute.clone(),
                level: None,
                statistic: Statistic::Mean,
                segment_value: *seg,
                population_value: *pop,
                effect: smd,
                standardised: smd,
            }]
        }
        (
            Summary::Levels {
                known: seg_known,
                shares: seg,
            },
            Summary::Levels { shares: pop, .. },
        ) if *seg_known > 0 => seg
            .iter()
            .zip(pop)
            // A boolean's `false` level mirrors its `true` level.
            .filter(|(s, _)| !(profile.kind == "boolean" && s.level == "false"))
            .filter(|(_, p)| p.share > 0.0 && p.share < 1.0)
            .map(|(s, p)| Difference {
                attribute: profile.attribute.clone(),
                level: Some(s.level.clone()),
                statistic: Statistic::Share,
                segment_value: s.share,
                population_value: p.share,
                effect: s.share / p.share,
                standardised: (s.share - p.share) / (p.share * (1.0 - p.share)).sqrt(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::CsvOptions;
    use crate::schema::Schema;
    use approx::assert_abs_diff_eq;

    fn table() -> CustomerTable {
        let schema = Schema::new(vec![
            Attribute::numeric("spend"),
            Attribute::categorical("region", ["n", "s"]),
            Attribute::boolean("member"),
            Attribute::tags("channels", ";"),
            Attribute::numeric("revenue").with_role(Role::Value),
        ])
        .unwrap();
        let csv = "spend,region,member,channels,revenue\n\
                   10,n,yes,web;app,100\n\
                   20,n,yes,web,100\n\
                   ,n,no,app,100\n\
                   100,s,no,store,300\n\
                   120,s,no,,400\n";
        CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap()
    }

    #[test]
    fn summaries_are_exact_in_original_units() {
        let t = table();
        let seg = Segmentation::new(
            vec![Some(0), Some(0), Some(0), Some(1), Some(1)],
            None,
            None,
        )
        .unwrap();
        let p = Profiles::new(&t, &seg).unwrap();
        assert_eq!(p.segments.len(), 2);
        let s0 = &p.segments[0];
        assert_eq!((s0.size, s0.share), (3, 0.6));
        let spend = &s0.attributes[0];
        assert_eq!(spend.segment.mean(), Some(15.0));
        assert_eq!(spend.segment.median(), Some(15.0));
        assert_eq!(spend.segment.known(), 2);
        assert_eq!(spend.population.mean(), Some(62.5));
        assert_eq!(spend.population.median(), Some(60.0));
        assert_eq!(s0.attributes[1].segment.share("n"), Some(1.0));
        assert_eq!(s0.attributes[2].segment.share("true"), Some(2.0 / 3.0));
        // Tags: shares over customers with known tags (4 of 5), and they may exceed 1 in sum.
        assert_eq!(s0.attributes[3].population.share("app"), Some(0.5));
        assert_eq!(s0.attributes[3].segment.share("web"), Some(2.0 / 3.0));
        assert_eq!(s0.value_shares[0].segment_total, 300.0);
        assert_eq!(s0.value_shares[0].share, 300.0 / 1000.0);
    }

    #[test]
    fn distinguishing_differences_carry_effects() {
        let t = table();
        let seg = Segmentation::new(
            vec![Some(0), Some(0), Some(0), Some(1), Some(1)],
            None,
            None,
        )
        .unwrap();
        let p = Profiles::new(&t, &seg).unwrap();
        let d = &p.segments[1].distinguishing;
        let spend = d.iter().find(|d| d.attribute == "spend").unwrap();
        let sd = (((10.0f64 - 62.5).powi(2)
            + (20.0f64 - 62.5).powi(2)
            + (100.0f64 - 62.5).powi(2)
            + (120.0f64 - 62.5).powi(2))
            / 4.0)
            .sqrt();
        assert_abs_diff_eq!(spend.effect, (110.0 - 62.5) / sd, epsilon = 1e-12);
        let south = d
            .iter()
            .find(|d| d.attribute == "region" && d.level.as_deref() == Some("s"))
            .unwrap();
        assert_abs_diff_eq!(south.effect, 1.0 / 0.4, epsilon = 1e-12);
        assert!(d.iter().all(|x| x.level.as_deref() != Some("false")));
        let mut sorted = d.clone();
        sorted.sort_by(|a, b| b.standardised.abs().total_cmp(&a.standardised.abs()));
        assert_eq!(&sorted, d);
    }

    #[test]
    fn quartiles_interpolate_like_numpy() {
        assert_eq!(
            quartiles_in_place(&mut [3.0, 1.0, 2.0]),
            Some([1.5, 2.0, 2.5])
        );
        assert_eq!(
            quartiles_in_place(&mut [4.0, 1.0, 3.0, 2.0]),
            Some([1.75, 2.5, 3.25])
        );
        assert_eq!(quartiles_in_place(&mut [7.0]), Some([7.0, 7.0, 7.0]));
        assert_eq!(quartiles_in_place(&mut []), None);
    }

    #[test]
    fn a_segmentation_of_another_size_is_rejected() {
        let seg = Segmentation::new(vec![Some(0)], None, None).unwrap();
        assert!(matches!(
            Profiles::new(&table(), &seg),
            Err(Error::ShapeMismatch { .. })
        ));
    }
}
