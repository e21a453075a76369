//! Draft buyer personas from segment profiles, every statement backed by evidence.
//!
//! A [`Drafter`] turns each [`SegmentProfile`] into a [`Persona`]: a memorable name, a summary,
//! size, share and value share, demographics and firmographics in human units, the traits that
//! set the segment apart, and goals, pain points, objections, motivations, buying behaviour and
//! channels. Statements come from the signal [`Catalogue`]: a rule fires when its attribute is
//! markedly high or low in the segment (or its level markedly over-represented), and the
//! statement carries that difference as [`Evidence`].
//!
//! Evidence is only real when it is large and rests on enough customers: a difference counts when
//! its standardised size is at least `min_effect` (0.5 by default, a "medium" effect) and, for
//! levels, its lift is at least `min_lift` (1.25); a segment smaller than `min_segment_size`
//! customers (30) gets no statements at all. A segment with no strong signal says so.
//!
//! Everything is deterministic: the same profiles give the same personas, word for word.
//!
//! # JSON document
//!
//! [`Personas::to_json`] writes, field by field:
//!
//! - `schema_version` (integer): the document format, [`crate::SCHEMA_VERSION`];
//! - `generator` (string): the crate and version that wrote it;
//! - `n_customers`, `unassigned` (integers): all customers, and those in no segment;
//! - `personas` (array), one object per segment, segment 0 first: `name`, `summary`, `segment`,
//!   `size`, `share` (0..1), `value_share` (0..1 or `null`), `value_attribute` (or `null`),
//!   `demographics`, `firmographics`, `traits`, `goals`, `pain_points`, `objections`,
//!   `motivations`, `buying_behaviour`, `channels` (arrays of statements), and `buyer_type`
//!   (`{"type": "need" | "deal" | "impulse" | "loyalty" | "mixed", "text", "evidence"}`);
//! - a statement is `{"text": ..., "evidence": [{"attribute", "level", "statistic",
//!   "segment_value", "population_value", "effect"}]}` (see [`Evidence`]);
//! - `segments` (array): the profiles the personas were drafted from ([`crate::SegmentProfile`]);
//! - `quality` (object or `null`): `silhouette`, `calinski_harabasz`, `davies_bouldin`,
//!   `inertia`.
//!
//! ```
//! use personas::persona::Drafter;
//! use personas::{CsvOptions, CustomerTable, Encoder, KMeans, Profiles, Schema, Segmenter};
//!
//! let schema = Schema::from_json_file("examples/data/customers.schema.json")?;
//! let customers =
//!     CustomerTable::from_csv_path("examples/data/customers.csv", &schema, &CsvOptions::new())?;
//! let features = Encoder::new().fit(&customers)?.transform(&customers)?;
//! let segmentation = KMeans::new(5).with_seed(42).segment(features.view())?;
//! let profiles = Profiles::new(&customers, &segmentation)?;
//! let personas = Drafter::new().draft(&profiles)?;
//! assert_eq!(personas.personas.len(), 5);
//! println!("{}", personas.to_markdown());
//! # Ok::<(), personas::Error>(())
//! ```

mod catalogue;
mod naming;
mod render;

pub use catalogue::{BuyerType, Catalogue, Direction, Rule};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::profile::{differences, Difference, Profiles, SegmentProfile, Statistic, Summary};
use crate::schema::{Facet, Role};
use catalogue::match_words;
use naming::{builtin_first_names, title_case, Namer};

/// The numbers behind a statement: one attribute (and level) in the segment beside all
/// customers, in the attribute's original units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The attribute's name in the schema (for CSV input, the column header).
    pub attribute: String,
    /// The level, for categorical, ordinal, boolean (`"true"`) and tag attributes; else `null`.
    pub level: Option<String>,
    /// Which statistic the two values are: `mean`, `median` or `share`.
    pub statistic: Statistic,
    /// The segment's value: a mean or median over its customers with a known value, or the
    /// fraction (0..1) of them whose value is (for tags, includes) `level`.
    pub segment_value: f64,
    /// The same statistic over all customers.
    pub population_value: f64,
    /// The standardised mean difference for numeric attributes; the lift (segment share over
    /// population share) for levels.
    pub effect: f64,
}

impl From<&Difference> for Evidence {
    fn from(d: &Difference) -> Self {
        Evidence {
            attribute: d.attribute.clone(),
            level: d.level.clone(),
            statistic: d.statistic,
            segment_value: d.segment_value,
            population_value: d.population_value,
            effect: d.effect,
        }
    }
}

/// A sentence about a persona and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The sentence.
    pub text: String,
    /// The differences that support it, strongest first.
    pub evidence: Vec<Evidence>,
}

/// The dominant motivation type and the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuyerTypeFinding {
    /// The buyer type.
    #[serde(rename = "type")]
    pub kind: BuyerType,
    /// The buyer type in words ("deal-based").
    pub text: String,
    /// The signals that point to it.
    pub evidence: Vec<Evidence>,
}

/// A draft buyer persona for one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Persona {
    /// A memorable name, unique within the run ("Deal-Hunting Dana").
    pub name: String,
    /// One or two sentences from the strongest traits.
    pub summary: String,
    /// The segment number, as in the segmentation labels and the `--labels` file.
    pub segment: usize,
    /// Customers in the segment.
    pub size: usize,
    /// `size` over all customers, 0..1.
    pub share: f64,
    /// The segment's share of the first value attribute's total (revenue, spend), when the schema
    /// has one.
    pub value_share: Option<f64>,
    /// The value attribute `value_share` refers to.
    pub value_attribute: Option<String>,
    /// Typical demographic and geographic values in human units.
    pub demographics: Vec<Statement>,
    /// Typical firmographic values (B2B).
    pub firmographics: Vec<Statement>,
    /// What most sets the segment apart, in plain words.
    pub traits: Vec<Statement>,
    /// What they want to achieve.
    pub goals: Vec<Statement>,
    /// What gets in their way.
    pub pain_points: Vec<Statement>,
    /// Why they might not buy.
    pub objections: Vec<Statement>,
    /// What drives them.
    pub motivations: Vec<Statement>,
    /// How they buy.
    pub buying_behaviour: Vec<Statement>,
    /// Where to reach them.
    pub channels: Vec<Statement>,
    /// The dominant motivation type.
    pub buyer_type: BuyerTypeFinding,
}

/// Drafts personas from profiles; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Drafter {
    catalogue: Catalogue,
    first_names: Vec<String>,
    min_effect: f64,
    min_lift: f64,
    min_segment_size: usize,
    max_statements: usize,
}

impl Default for Drafter {
    fn default() -> Self {
        Self::new()
    }
}

/// How strongly one buyer type must lead the next to be called dominant.
const BUYER_TYPE_LEAD: f64 = 1.5;

/// Words for how far a numeric trait is from average, by standardised difference.
const TRAIT_WORDS: &[(f64, &str, &str)] = &[
    (1.2, "much higher than average", "much lower than average"),
    (0.0, "higher than average", "lower than average"),
];

/// Words that mark a job-title attribute ("job_title", "JobTitle", "title", "position"), whose
/// level names the persona when it is the segment's most common one and over-represented.
const JOB_TITLE_WORDS: &[&str] = &["title", "position"];

impl Drafter {
    /// A drafter with the built-in catalogue and name list, `min_effect` 0.5, `min_lift` 1.25,
    /// `min_segment_size` 30 and at most 6 statements per list.
    pub fn new() -> Self {
        Drafter {
            catalogue: Catalogue::builtin(),
            first_names: builtin_first_names(),
            min_effect: 0.5,
            min_lift: 1.25,
            min_segment_size: 30,
            max_statements: 6,
        }
    }

    /// Uses this catalogue of signal rules.
    pub fn with_catalogue(mut self, catalogue: Catalogue) -> Self {
        self.catalogue = catalogue;
        self
    }

    /// Uses these first names for persona names (tried in order).
    pub fn with_first_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.first_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// The smallest absolute standardised difference that counts as evidence.
    pub fn with_min_effect(mut self, min_effect: f64) -> Self {
        self.min_effect = min_effect;
        self
    }

    /// The smallest lift (segment share over population share) that makes a level evidence.
    pub fn with_min_lift(mut self, min_lift: f64) -> Self {
        self.min_lift = min_lift;
        self
    }

    /// The smallest segment that gets statements.
    pub fn with_min_segment_size(mut self, min_segment_size: usize) -> Self {
        self.min_segment_size = min_segment_size;
        self
    }

    /// The most statements per list.
    pub fn with_max_statements(mut self, max_statements: usize) -> Self {
        self.max_statements = max_statements;
        self
    }

    fn check(&self) -> Result<()> {
        if !(self.min_effect.is_finite() && self.min_effect >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "min_effect",
                value: self.min_effect.to_string(),
                reason: "must be a finite number >= 0",
            });
        }
        if !(self.min_lift.is_finite() && self.min_lift >= 1.0) {
            return Err(Error::InvalidParameter {
                name: "min_lift",
                value: self.min_lift.to_string(),
                reason: "must be a finite number >= 1",
            });
        }
        if self.first_names.is_empty() {
            return Err(Error::InvalidParameter {
                name: "first_names",
                value: "[]".into(),
                reason: "persona names need at least one first name",
            });
        }
        Ok(())
    }

    /// Drafts one persona per segment.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a negative or non-finite `min_effect`, a `min_lift` below
    /// 1, or an empty first-name list.
    pub fn draft(&self, profiles: &Profiles) -> Result<Personas> {
        self.check()?;
        let mut namer = Namer::new(&self.first_names);
        let mut used_descriptors: Vec<String> = Vec::new();
        let personas = profiles
            .segments
            .iter()
            .map(|segment| self.draft_one(segment, &mut namer, &mut used_descriptors))
            .collect();
        Ok(Personas {
            n_customers: profiles.n_customers,
            unassigned: profiles.unassigned,
            personas,
            segments: profiles.segments.clone(),
            quality: None,
        })
    }

    /// Whether a difference is strong enough to be evidence: a large enough standardised
    /// difference and, for an over-represented level, a large enough lift.
    fn is_evidence(&self, d: &Difference) -> bool {
        let over_represented = d.statistic == Statistic::Share && d.standardised >= 0.0;
        d.standardised.abs() >= self.min_effect && (!over_represented || d.effect >= self.min_lift)
    }

    fn draft_one(
        &self,
        segment: &SegmentProfile,
        namer: &mut Namer<'_>,
        used_descriptors: &mut Vec<String>,
    ) -> Persona {
        let value = segment.value_shares.first();
        let (demographics, firmographics) = typical_values(segment);
        let reliable = segment.size >= self.min_segment_size;
        // Every strong difference, strongest first; ties broken by name for determinism.
        let mut strong: Vec<(Difference, Vec<String>, Option<Vec<String>>)> = if reliable {
            segment
                .attributes
                .iter()
                .filter(|a| matches!(a.role, Role::Feature | Role::Value))
                .flat_map(|a| {
                    let words = match_words(&[&a.attribute, &a.label]);
                    differences(a).into_iter().map(move |d| (d, words.clone()))
                })
                .filter(|(d, _)| self.is_evidence(d))
                .map(|(d, words)| {
                    let level_words = d.level.as_deref().map(|l| match_words(&[l]));
                    (d, words, level_words)
                })
                .collect()
        } else {
            Vec::new()
        };
        strong.sort_by(|a, b| {
            b.0.standardised
                .abs()
                .total_cmp(&a.0.standardised.abs())
                .then_with(|| a.0.attribute.cmp(&b.0.attribute))
                .then_with(|| a.0.level.cmp(&b.0.level))
        });

        let mut sections = Sections::default();
        let mut fired: Vec<(&Rule, &Difference)> = Vec::new();
        for (d, words, level_words) in &strong {
            // Boolean `true` shares behave like numeric highs and lows.
            let is_boolean = d.level.as_deref() == Some("true")
                && segment
                    .attributes
                    .iter()
                    .any(|a| a.attribute == d.attribute && a.kind == "boolean");
            let direction = if d.standardised >= 0.0 {
                Direction::High
            } else {
                Direction::Low
            };
            let levels = if is_boolean {
                None
            } else {
                level_words.as_deref()
            };
            if let Some(rule) = self.catalogue.find(words, levels, direction) {
                sections.add(rule, d);
                fired.push((rule, d));
            }
        }
        let traits: Vec<Statement> = strong
            .iter()
            .take(self.max_statements)
            .map(|(d, ..)| trait_statement(segment, d))
            .collect();

        // Name: the strongest signal whose descriptor no earlier persona uses.
        let title = job_title(segment);
        let descriptor = fired
            .iter()
            .filter_map(|(r, _)| r.descriptor.as_deref())
            .find(|desc| !used_descriptors.iter().any(|u| u == desc))
            .map(str::to_string)
            .or_else(|| {
                // An under-represented level says what the segment is not: no name from it.
                strong
                    .iter()
                    .find(|(d, ..)| d.level.is_none() || d.standardised > 0.0)
                    .map(|(d, ..)| fallback_descriptor(segment, d))
            })
            .unwrap_or_else(|| "Typical".to_string());
        used_descriptors.push(descriptor.clone());
        let name = namer.name(title.as_deref().unwrap_or(&descriptor));

        let summary = summary_text(
            &name,
            segment,
            value.map(|v| v.share),
            &fired,
            &traits,
            reliable,
        );
        let buyer_type = buyer_type(&fired);
        let mut persona = Persona {
            name,
            summary,
            segment: segment.segment,
            size: segment.size,
            share: segment.share,
            value_share: value.map(|v| v.share),
            value_attribute: value.map(|v| v.attribute.clone()),
            demographics,
            firmographics,
            traits,
            goals: sections.goals,
            pain_points: sections.pain_points,
            objections: sections.objections,
            motivations: sections.motivations,
            buying_behaviour: sections.buying_behaviour,
            channels: sections.channels,
            buyer_type,
        };
        for list in [
            &mut persona.goals,
            &mut persona.pain_points,
            &mut persona.objections,
            &mut persona.motivations,
            &mut persona.buying_behaviour,
            &mut persona.channels,
            &mut persona.traits,
        ] {
            list.truncate(self.max_statements);
        }
        persona
    }
}

/// Statements collected per list, merged by text (one statement, several pieces of evidence).
#[derive(Default)]
struct Sections {
    goals: Vec<Statement>,
    pain_points: Vec<Statement>,
    objections: Vec<Statement>,
    motivations: Vec<Statement>,
    buying_behaviour: Vec<Statement>,
    channels: Vec<Statement>,
}

impl Sections {
    fn add(&mut self, rule: &Rule, d: &Difference) {
        let pairs: [(&mut Vec<Statement>, &[String]); 6] = [
            (&mut self.goals, &rule.goals),
            (&mut self.pain_points, &rule.pain_points),
            (&mut self.objections, &rule.objections),
            (&mut self.motivations, &rule.motivations),
            (&mut self.buying_behaviour, &rule.buying_behaviour),
            (&mut self.channels, &rule.channels),
        ];
        for (list, texts) in pairs {
            for text in texts {
                let evidence = Evidence::from(d);
                match list.iter_mut().find(|s| &s.text == text) {
                    Some(s) => {
                        if !s.evidence.contains(&evidence) {
                            s.evidence.push(evidence);
                        }
                    }
                    None => list.push(Statement {
                        text: text.clone(),
                        evidence: vec![evidence],
                    }),
                }
            }
        }
    }
}

fn trait_statement(segment: &SegmentProfile, d: &Difference) -> Statement {
    let label = segment.label(&d.attribute);
    let strength = d.standardised.abs();
    let text = match &d.level {
        None => {
            let words = TRAIT_WORDS
                .iter()
                .find(|(min, ..)| strength >= *min)
                .map_or("different from average", |(_, high, low)| {
                    if d.standardised >= 0.0 {
                        high
                    } else {
                        low
                    }
                });
            format!("{label}: {words}")
        }
        Some(level) if level == "true" => {
            let more = if d.standardised >= 0.0 {
                "more"
            } else {
                "fewer"
            };
            format!("{label}: {more} customers than average")
        }
        Some(level) => {
            let more = if d.standardised >= 0.0 {
                "more common"
            } else {
                "less common"
            };
            format!("{label}: {level} {more} than average")
        }
    };
    Statement {
        text,
        evidence: vec![Evidence::from(d)],
    }
}

fn fallback_descriptor(segment: &SegmentProfile, d: &Difference) -> String {
    match &d.level {
        Some(level) if level != "true" => title_case(level),
        _ => {
            let direction = if d.standardised >= 0.0 { "High" } else { "Low" };
            format!(
                "{direction}-{}",
                title_case(segment.label(&d.attribute)).replace(' ', "-")
            )
        }
    }
}

/// The most common level of a job-title attribute in the segment, when it is also more common
/// there than among all customers (so the title helps tell personas apart).
fn job_title(segment: &SegmentProfile) -> Option<String> {
    segment
        .attributes
        .iter()
        .filter(|a| a.kind == "categorical" && a.role == Role::Feature)
        .find(|a| {
            let words = match_words(&[&a.attribute]);
            JOB_TITLE_WORDS.iter().any(|w| words.iter().any(|x| x == w))
        })
        .and_then(|a| match (&a.segment, &a.population) {
            (Summary::Levels { shares, .. }, Summary::Levels { shares: pop, .. }) => shares
                .iter()
                .zip(pop)
                .filter(|(s, _)| s.count > 0)
                .max_by(|x, y| {
                    x.0.share
                        .total_cmp(&y.0.share)
                        .then_with(|| y.0.level.cmp(&x.0.level))
                })
                .filter(|(s, p)| s.share > p.share)
                .map(|(s, _)| title_case(&s.level)),
            _ => None,
        })
}

fn summary_text(
    name: &str,
    segment: &SegmentProfile,
    value_share: Option<f64>,
    fired: &[(&Rule, &Difference)],
    traits: &[Statement],
    reliable: bool,
) -> String {
    use crate::render::percent;
    let mut out = format!("{name} stands for {} of customers", percent(segment.share));
    if let (Some(share), Some(v)) = (value_share, segment.value_shares.first()) {
        out.push_str(&format!(
            " and {} of {}",
            percent(share),
            segment.label(&v.attribute).to_lowercase()
        ));
    }
    if !reliable {
        out.push_str(&format!(
            ". With only {} customers the segment is too small to describe reliably.",
            segment.size
        ));
        return out;
    }
    let mut phrases: Vec<&str> = Vec::new();
    for (rule, _) in fired {
        if let Some(p) = rule.summary.as_deref() {
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
        if phrases.len() == 3 {
            break;
        }
    }
    match phrases.as_slice() {
        // No catalogue rule fired, but strong differences exist: say them plainly.
        [] if !traits.is_empty() => {
            let plain: Vec<&str> = traits.iter().take(2).map(|t| t.text.as_str()).collect();
            out.push_str(&format!(". What sets it apart: {}.", plain.join("; ")));
        }
        [] => out
            .push_str(". Nothing in the data sets this segment clearly apart from all customers."),
        [one] => out.push_str(&format!(": this customer {one}.")),
        [init @ .., last] => {
            out.push_str(&format!(": this customer {} and {last}.", init.join(", ")))
        }
    }
    out
}

fn buyer_type(fired: &[(&Rule, &Difference)]) -> BuyerTypeFinding {
    let mut scores: Vec<(BuyerType, f64, Vec<Evidence>)> = Vec::new();
    for (rule, d) in fired {
        let Some(kind) = rule.buyer_type else {
            continue;
        };
        let evidence = Evidence::from(*d);
        match scores.iter_mut().find(|(k, ..)| *k == kind) {
            Some((_, score, ev)) => {
                *score += d.standardised.abs();
                if !ev.contains(&evidence) {
                    ev.push(evidence);
                }
            }
            None => scores.push((kind, d.standardised.abs(), vec![evidence])),
        }
    }
    // Stable sort keeps first-fired order for equal scores.
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let kind = match scores.as_slice() {
        [] => BuyerType::Mixed,
        [(k, ..)] => *k,
        [(k, top, _), (_, second, _), ..] if *top >= BUYER_TYPE_LEAD * second => *k,
        _ => BuyerType::Mixed,
    };
    let evidence = if kind == BuyerType::Mixed {
        scores
            .iter()
            .take(2)
            .flat_map(|(_, _, e)| e.clone())
            .collect()
    } else {
        scores
            .first()
            .map(|(_, _, e)| e.clone())
            .unwrap_or_default()
    };
    BuyerTypeFinding {
        kind,
        text: kind.as_str().to_string(),
        evidence,
    }
}

/// Typical values of demographic/geographic and firmographic attributes, in human units:
/// the interquartile range and median of numbers, the most common level of the others.
fn typical_values(segment: &SegmentProfile) -> (Vec<Statement>, Vec<Statement>) {
    use crate::render::{number, percent};
    let mut demographics = Vec::new();
    let mut firmographics = Vec::new();
    for a in &segment.attributes {
        let target = match a.facet {
            Facet::Demographic | Facet::Geographic => &mut demographics,
            Facet::Firmographic => &mut firmographics,
            _ => continue,
        };
        let statement = match (&a.segment, &a.population) {
            (
                Summary::Numeric {
                    median: Some(median),
                    q1: Some(q1),
                    q3: Some(q3),
                    mean: Some(mean),
                    ..
                },
                Summary::Numeric {
                    median: Some(pop_median),
                    mean: Some(pop_mean),
                    sd: Some(sd),
                    ..
                },
            ) => {
                let unit = a.unit.as_deref().map_or(String::new(), |u| format!(" {u}"));
                Statement {
                    text: format!(
                        "{}: {}–{}{unit} (median {})",
                        a.label,
                        number(*q1),
                        number(*q3),
                        number(*median)
                    ),
                    evidence: vec![Evidence {
                        attribute: a.attribute.clone(),
                        level: None,
                        statistic: Statistic::Median,
                        segment_value: *median,
                        population_value: *pop_median,
                        effect: if *sd > 0.0 {
                            (mean - pop_mean) / sd
                        } else {
                            0.0
                        },
                    }],
                }
            }
            (Summary::Levels { shares, known, .. }, Summary::Levels { shares: pop, .. })
                if *known > 0 =>
            {
                let Some((top, pop_top)) = shares
                    .iter()
                    .zip(pop)
                    .filter(|(s, _)| s.count > 0)
                    .max_by(|x, y| {
                        x.0.share
                            .total_cmp(&y.0.share)
                            .then_with(|| y.0.level.cmp(&x.0.level))
                    })
                else {
                    continue;
                };
                let level = if a.kind == "boolean" {
                    if top.level == "true" { "yes" } else { "no" }.to_string()
                } else {
                    top.level.clone()
                };
                Statement {
                    text: format!("{}: {level} ({})", a.label, percent(top.share)),
                    evidence: vec![Evidence {
                        attribute: a.attribute.clone(),
                        level: Some(top.level.clone()),
                        statistic: Statistic::Share,
                        segment_value: top.share,
                        population_value: pop_top.share,
                        effect: if pop_top.share > 0.0 {
                            top.share / pop_top.share
                        } else {
                            0.0
                        },
                    }],
                }
            }
            _ => continue,
        };
        target.push(statement);
    }
    (demographics, firmographics)
}

/// Segment quality metrics reported beside the personas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Mean silhouette (-1..1, higher is better; sampled for more than 10,000 customers).
    pub silhouette: Option<f64>,
    /// Calinski-Harabasz index (higher is better).
    pub calinski_harabasz: Option<f64>,
    /// Davies-Bouldin index (lower is better).
    pub davies_bouldin: Option<f64>,
    /// Sum of squared distances to segment centroids.
    pub inertia: Option<f64>,
}

impl Quality {
    /// Measures a segmentation of these features: the silhouette exactly up to 10,000 segmented
    /// customers and on a seeded sample of 10,000 above that; the other metrics exactly. A metric
    /// that is undefined (fewer than two segments, say) is `None`.
    pub fn measure(
        features: ndarray::ArrayView2<'_, f64>,
        segmentation: &crate::segment::Segmentation,
        seed: u64,
    ) -> Self {
        use crate::segment::metrics;
        const EXACT_UP_TO: usize = 10_000;
        Quality {
            silhouette: metrics::silhouette_sampled(features, segmentation, EXACT_UP_TO, seed).ok(),
            calinski_harabasz: metrics::calinski_harabasz(features, segmentation).ok(),
            davies_bouldin: metrics::davies_bouldin(features, segmentation).ok(),
            inertia: metrics::inertia(features, segmentation).ok(),
        }
    }
}

/// Personas with the segment profiles they were drafted from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Personas {
    /// All customers, including those in no segment.
    pub n_customers: usize,
    /// Customers in no segment.
    pub unassigned: usize,
    /// One persona per segment, segment 0 first.
    pub personas: Vec<Persona>,
    /// The profiles the personas were drafted from.
    pub segments: Vec<SegmentProfile>,
    /// Segment quality metrics, when measured.
    pub quality: Option<Quality>,
}

impl Personas {
    /// Attaches segment quality metrics.
    pub fn with_quality(mut self, quality: Quality) -> Self {
        self.quality = Some(quality);
        self
    }

    /// The persona of a segment.
    pub fn for_segment(&self, segment: usize) -> Option<&Persona> {
        self.personas.iter().find(|p| p.segment == segment)
    }
}

/// Every statement of a persona with the list it is in, for checks and custom renderings.
pub fn statements(persona: &Persona) -> Vec<(&'static str, &Statement)> {
    let lists: [(&'static str, &Vec<Statement>); 9] = [
        ("demographics", &persona.demographics),
        ("firmographics", &persona.firmographics),
        ("traits", &persona.traits),
        ("goals", &persona.goals),
        ("pain_points", &persona.pain_points),
        ("objections", &persona.objections),
        ("motivations", &persona.motivations),
        ("buying_behaviour", &persona.buying_behaviour),
        ("channels", &persona.channels),
    ];
    lists
        .into_iter()
        .flat_map(|(name, list)| list.iter().map(move |s| (name, s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::CsvOptions;
    use crate::schema::{Attribute, Schema};
    use crate::segment::Segmentation;
    use crate::table::CustomerTable;

    /// 40 customers: the first 20 buy on discount and rarely, the last 20 the opposite.
    fn profiles(labels: Vec<Option<usize>>) -> Profiles {
        let schema = Schema::new(vec![
            Attribute::numeric("discount_share"),
            Attribute::numeric("purchase_frequency"),
            Attribute::numeric("shoe_size"),
        ])
        .unwrap();
        let mut csv = String::from("discount_share,purchase_frequency,shoe_size\n");
        for i in 0..40 {
            let deal = i < 20;
            let noise = (i % 5) as f64 * 0.01;
            csv.push_str(&format!(
                "{},{},{}\n",
                if deal { 0.8 + noise } else { 0.1 + noise },
                if deal { 2 + i % 3 } else { 20 + i % 3 },
                38 + i % 2
            ));
        }
        let table =
            CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new()).unwrap();
        let segmentation = Segmentation::new(labels, None, None).unwrap();
        Profiles::new(&table, &segmentation).unwrap()
    }

    fn split_labels() -> Vec<Option<usize>> {
        (0..40).map(|i| Some(usize::from(i >= 20))).collect()
    }

    #[test]
    fn strong_signals_become_statements_with_their_evidence() {
        let p = Drafter::new()
            .with_min_segment_size(10)
            .draft(&profiles(split_labels()))
            .unwrap();
        let deal = &p.personas[0];
        assert!(deal.name.starts_with("Deal-Hunting "), "{}", deal.name);
        let objection = deal
            .objections
            .iter()
            .find(|o| o.text == "Doubts the product is worth it at full price")
            .expect("price objection");
        assert_eq!(objection.evidence[0].attribute, "discount_share");
        assert!(objection.evidence[0].segment_value > objection.evidence[0].population_value);
        // Discounts point to deal-based, rare purchases to need-based buying, equally strongly.
        assert_eq!(deal.buyer_type.kind, BuyerType::Mixed);
        let types: Vec<&str> = deal
            .buyer_type
            .evidence
            .iter()
            .map(|e| e.attribute.as_str())
            .collect();
        assert!(types.contains(&"discount_share") && types.contains(&"purchase_frequency"));
        // shoe_size does not differ: it must not appear anywhere.
        assert!(statements(deal)
            .iter()
            .all(|(_, s)| s.evidence.iter().all(|e| e.attribute != "shoe_size")));
        let other = &p.personas[1];
        assert_ne!(deal.name, other.name);
        assert!(other
            .buying_behaviour
            .iter()
            .any(|s| s.text == "Buys more often than most customers"));
    }

    #[test]
    fn small_segments_get_no_statements() {
        let p = Drafter::new()
            .with_min_segment_size(30)
            .draft(&profiles(split_labels()))
            .unwrap();
        for persona in &p.personas {
            assert!(persona.traits.is_empty() && persona.objections.is_empty());
            assert!(
                persona.summary.contains("too small to describe reliably"),
                "{}",
                persona.summary
            );
        }
    }

    #[test]
    fn a_segment_without_strong_signals_says_so() {
        // Alternate pairs of customers: both segments look like the population.
        let labels = (0..40).map(|i| Some((i / 2) % 2)).collect();
        let p = Drafter::new()
            .with_min_segment_size(10)
            .draft(&profiles(labels))
            .unwrap();
        for persona in &p.personas {
            assert!(persona.goals.is_empty() && persona.objections.is_empty());
            assert!(persona
                .summary
                .contains("Nothing in the data sets this segment clearly apart"));
            assert_eq!(persona.buyer_type.kind, BuyerType::Mixed);
        }
        assert!(p
            .to_markdown()
            .contains("No difference from all customers is strong enough"));
    }

    #[test]
    fn bad_options_are_rejected() {
        let pr = profiles(split_labels());
        assert!(Drafter::new().with_min_effect(-1.0).draft(&pr).is_err());
        assert!(Drafter::new().with_min_lift(0.5).draft(&pr).is_err());
        assert!(Drafter::new()
            .with_first_names(Vec::<String>::new())
            .draft(&pr)
            .is_err());
    }

    #[test]
    fn buyer_type_needs_a_clear_lead() {
        let rule = |t| Rule::new("r", "x", Direction::High).with_buyer_type(t);
        let diff = |s: f64| Difference {
            attribute: "x".into(),
            level: None,
            statistic: Statistic::Mean,
            segment_value: 1.0,
            population_value: 0.0,
            effect: s,
            standardised: s,
        };
        let (deal, loyal) = (rule(BuyerType::Deal), rule(BuyerType::Loyalty));
        let (strong, weak, close) = (diff(2.0), diff(1.0), diff(1.8));
        assert_eq!(
            buyer_type(&[(&deal, &strong), (&loyal, &weak)]).kind,
            BuyerType::Deal
        );
        let mixed = buyer_type(&[(&deal, &strong), (&loyal, &close)]);
        assert_eq!(mixed.kind, BuyerType::Mixed);
        assert_eq!(mixed.evidence.len(), 2);
        assert_eq!(buyer_type(&[]).kind, BuyerType::Mixed);
    }
}
