//! Draft buyer personas from segment profiles, every statement backed by evidence.
//!
//! A [`Drafter`] turns each [`SegmentProfile`] into a [`Persona`]: a memorable name, a summary,
//! size, share and value share, the outcomes that differ (churn, default, response), demographics
//! and firmographics in human units, the traits that set the segment apart, and goals, pain
//! points, objections, motivations, buying behaviour and channels. Statements come from the
//! signal [`Catalogue`]: a rule fires when its attribute is markedly high or low in the segment
//! (or its level markedly over-represented), and the statement carries that difference as
//! [`Evidence`]. The rules are the `general` pack plus the pack of one [`Domain`] (retail,
//! subscription, finance, B2B), chosen from the attributes' names or set with
//! [`Drafter::with_domain`]; [`Personas::domain`] says which and why.
//!
//! Evidence is only real when it is large and rests on enough customers: a difference counts when
//! its standardised size is at least `min_effect` (0.5 by default, a "medium" effect) and, for
//! levels, its lift is at least `min_lift` (1.25); a segment smaller than `min_segment_size`
//! customers (30) gets no statements at all.
//!
//! Outcomes ([`crate::Role::Outcome`]: churn, default, campaign response) are rates a team
//! tracks, where a few points matter: a segment's outcome counts as different when the rate (or
//! mean) is at least `min_lift` times that of all customers, or at most its inverse, **and** the
//! difference is at least [`OUTCOME_MIN_Z`] standard errors, `|s - p| / sqrt(p (1 - p) / n)` for
//! a rate over the segment's `n` customers with a known value (`sd / sqrt(n)` for a mean), so it
//! is not chance. Churn of 43% against 27% in a segment of 3,000 is stated; in a segment of 40 it
//! is not.
//!
//! ## Words follow the numbers
//! - Intensity: a difference below `min_effect` is never stated; "higher", "more" and "more
//!   common" mean 0.5–1 sd (a lift of 1.25–2); "much higher", "far more" and "far more common"
//!   mean at least 1 sd (a lift of at least 2; for an under-represented level, at most half the
//!   share of all customers).
//! - No contradictions: rules speak about a concept ([`Rule::concept`]); when rules of one
//!   concept fire on both sides (two spend columns going different ways), only the side backed
//!   by a value attribute, else by the strongest difference, is stated.
//! - One-hot repeats: a level that shows up in several attributes the same way ("No internet
//!   service" in six service columns) is one trait, with every column as evidence.
//! - The mainstream: a segment with no strong difference from all customers is compared with the
//!   other customers instead, and its summary says so; that evidence has `versus` set to
//!   `other_customers` (see [`Versus`]).
//! - Outcomes (attributes with role `outcome`) that differ are key facts ([`Persona::outcomes`])
//!   and fire their rules (churn gives pain points about value, default about repayments).
//! - A segment whose share of the value attribute is at least 1.5 times its share of customers
//!   (or at most 1/1.5 of it) says so ([`Persona::value_note`]).
//! - The buyer type is decided only by rates (shares of customers, shares and rates of
//!   purchases) and explicit loyalty signals (tenure, contract, membership), never by raw counts
//!   or calendar fields; [`BuyerTypeFinding::reason`] says what decided it.
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
//! - `domain` (object): `{"domain": "general" | "retail" | "subscription" | "finance" | "b2b",
//!   "reason"}`, the rule pack used and why;
//! - `personas` (array), one object per segment, segment 0 first: `name`, `summary`, `segment`,
//!   `size`, `share` (0..1), `value_share` (0..1 or `null`), `value_attribute` (or `null`),
//!   `value_note` (string or `null`), `mainstream` (boolean), `outcomes`, `demographics`,
//!   `firmographics`, `traits`, `goals`, `pain_points`, `objections`, `motivations`,
//!   `buying_behaviour`, `channels` (arrays of statements), `buyer_type`
//!   (`{"type": "need" | "deal" | "impulse" | "loyalty" | "mixed", "text", "reason",
//!   "evidence"}`) and `notes` (strings: what the persona could not say, and why);
//! - a statement is `{"text": ..., "evidence": [{"attribute", "level", "statistic",
//!   "segment_value", "population_value", "effect", "versus"}]}` (see [`Evidence`]);
//! - `segments` (array): the profiles the personas were drafted from ([`crate::SegmentProfile`]);
//! - `quality` (object or `null`): `silhouette`, `calinski_harabasz`, `davies_bouldin`,
//!   `inertia`;
//! - `selection` (object, present when k was chosen automatically): `k`, `range`, `scores` (one
//!   row per k: silhouette, stability, smallest segment share, combined score, eligibility),
//!   `reason`, `on_edge`, `weak_structure` and `warnings` (see [`crate::segment::KAssessment`]);
//! - `warnings` (array of strings, present when there is one): what to know about the set as a
//!   whole before using it (more personas than a team keeps, segments too small for statements).
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

mod buyer;
mod catalogue;
mod descriptor;
mod domain;
mod draft;
mod naming;
mod render;
mod sections;
mod stability;

pub use catalogue::{BuyerType, Catalogue, Direction, Rule};
pub use domain::{Domain, DomainChoice};
pub use stability::{
    PersonaStability, StabilitySummary, StabilityVerdict, DISSOLVED_BELOW, STABLE_FROM,
};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::profile::{Difference, Profiles, SegmentProfile, Statistic};
use naming::{builtin_first_names, FirstName, Namer};

/// What a piece of evidence compares the segment with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Versus {
    /// All customers, the segment included (the profiles' population values).
    #[default]
    AllCustomers,
    /// Every customer not in the segment (other segments and customers in no segment), used
    /// for mainstream personas. `population_value` is then the mean or share over those
    /// customers with a known value; `effect` is `(segment mean - their mean) / sd` with the sd
    /// of all customers for numbers, and the lift `segment share / their share` for levels.
    OtherCustomers,
}

/// The numbers behind a statement: one attribute (and level) in the segment beside all
/// customers (or, see `versus`, beside the other customers), in the attribute's original units.
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
    /// The same statistic over the customers the segment is compared with (`versus`).
    pub population_value: f64,
    /// The standardised mean difference for numeric attributes; the lift (segment share over
    /// population share) for levels.
    pub effect: f64,
    /// What `population_value` is taken over: all customers (the default) or the other
    /// customers.
    #[serde(default)]
    pub versus: Versus,
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
            versus: Versus::AllCustomers,
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
    /// What decided it ("decided by discount use"), or why no type dominates.
    pub reason: String,
    /// The signals that point to it: rates and loyalty signals only.
    pub evidence: Vec<Evidence>,
}

/// A draft buyer persona for one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Persona {
    /// A memorable name, unique within the run ("Deal-Hunting Dana").
    pub name: String,
    /// Two or three sentences in plain words from the strongest signals.
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
    /// When the value share is at least 1.5 times the customer share, or at most 1/1.5 of it:
    /// that fact in words.
    pub value_note: Option<String>,
    /// Whether the segment differs from all customers on nothing strongly, so that it is
    /// described by what sets it apart from the other customers.
    pub mainstream: bool,
    /// Outcomes (attributes with role `outcome`) that differ markedly from all customers.
    pub outcomes: Vec<Statement>,
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
    /// What the persona could not say and why ("no strong signal points to goals").
    pub notes: Vec<String>,
    /// Whether the segment comes back when the data change a little, when measured (see
    /// [`Personas::with_stability`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<PersonaStability>,
}

/// Drafts personas from profiles; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Drafter {
    catalogue: Catalogue,
    domain: Option<Domain>,
    first_names: Vec<FirstName>,
    segment_names: Vec<String>,
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

impl Drafter {
    /// A drafter with the built-in rule packs (domain chosen from the data) and name list,
    /// `min_effect` 0.5, `min_lift` 1.25, `min_segment_size` 30 and at most 6 statements per
    /// list.
    pub fn new() -> Self {
        Drafter {
            catalogue: Catalogue::builtin(),
            domain: None,
            first_names: builtin_first_names(),
            segment_names: Vec::new(),
            min_effect: 0.5,
            min_lift: 1.25,
            min_segment_size: 30,
            max_statements: 6,
        }
    }

    /// Uses this catalogue of signal rules (built on [`Catalogue::builtin`] to keep the
    /// built-in packs, or [`Catalogue::new`] for exactly its own rules).
    pub fn with_catalogue(mut self, catalogue: Catalogue) -> Self {
        self.catalogue = catalogue;
        self
    }

    /// Uses this domain's rule pack instead of choosing one from the attribute names.
    pub fn with_domain(mut self, domain: Domain) -> Self {
        self.domain = Some(domain);
        self
    }

    /// Uses these first names for persona names (tried in order). They carry no gender, so
    /// any of them may name any segment (the bundled names follow a segment's dominant gender).
    pub fn with_first_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.first_names = names
            .into_iter()
            .map(|n| FirstName::any(n.into()))
            .collect();
        self
    }

    /// Names the personas of segments 0, 1, … with these names instead of drafting a name (the
    /// named cells of [`crate::transactions::Rfm`], say); segments beyond the list, or given an
    /// empty name, are named as usual.
    pub fn with_segment_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.segment_names = names.into_iter().map(Into::into).collect();
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

    /// The domain pack to use for these profiles, and why.
    pub fn choose_domain(&self, profiles: &Profiles) -> DomainChoice {
        if let Some(domain) = self.domain {
            return DomainChoice {
                domain,
                reason: "set by the caller".into(),
            };
        }
        let attributes: Vec<(&str, &str)> = profiles
            .segments
            .first()
            .map(|s| {
                s.attributes
                    .iter()
                    .map(|a| (a.attribute.as_str(), a.label.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        domain::choose(&attributes)
    }

    /// Drafts one persona per segment.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a negative or non-finite `min_effect`, a `min_lift` below
    /// 1, or an empty first-name list.
    pub fn draft(&self, profiles: &Profiles) -> Result<Personas> {
        self.check()?;
        let domain = self.choose_domain(profiles);
        let catalogue = self.catalogue.for_domain(domain.domain);
        let mut namer = Namer::new(&self.first_names);
        let mut used_descriptors: Vec<String> = Vec::new();
        let personas = profiles
            .segments
            .iter()
            .map(|segment| {
                draft::Draft {
                    drafter: self,
                    catalogue: &catalogue,
                    segment,
                }
                .persona(&mut namer, &mut used_descriptors)
            })
            .collect();
        Ok(Personas {
            n_customers: profiles.n_customers,
            unassigned: profiles.unassigned,
            domain,
            personas,
            segments: profiles.segments.clone(),
            quality: None,
            selection: None,
            stability: None,
            warnings: self.set_warnings(profiles),
        })
    }

    /// More personas than this draw a warning: companies keep three to five.
    pub const MANY_PERSONAS: usize = 8;

    /// The warnings about a whole set of segments (see [`Personas::warnings`]).
    fn set_warnings(&self, profiles: &Profiles) -> Vec<String> {
        let k = profiles.segments.len();
        let mut warnings = Vec::new();
        if k > Self::MANY_PERSONAS {
            warnings.push(format!(
                "{k} personas are more than a team can keep and tell apart (usually 3-5): fit \
                 fewer segments (a smaller k, or for DBSCAN a larger radius or more points per \
                 core)"
            ));
        }
        let small = profiles
            .segments
            .iter()
            .filter(|s| s.size < self.min_segment_size)
            .count();
        if small > 0 {
            warnings.push(format!(
                "{small} of the {k} segments {} fewer than {} customers: too few to say how \
                 they differ from the others, so {} only typical values{}",
                if small == 1 { "holds" } else { "hold" },
                self.min_segment_size,
                if small == 1 {
                    "its card shows"
                } else {
                    "their cards show"
                },
                if profiles.n_customers < self.min_segment_size * 3 {
                    "; personas need a few hundred customers or more"
                } else {
                    ""
                }
            ));
        }
        warnings
    }

    /// Whether a difference is strong enough to be evidence: a large enough standardised
    /// difference and, for an over-represented level, a large enough lift.
    /// Whether an outcome difference is evidence, for a segment with `known` customers whose
    /// outcome is known and a population spread `sd` (for means); see the module docs.
    pub(crate) fn is_outcome_evidence(&self, d: &Difference, known: usize, sd: f64) -> bool {
        if known == 0 {
            return false;
        }
        let (s, p) = (d.segment_value, d.population_value);
        let error = match d.statistic {
            Statistic::Share => (p * (1.0 - p) / known as f64).sqrt(),
            _ => sd / (known as f64).sqrt(),
        };
        let ratio = if p != 0.0 { s / p } else { f64::INFINITY };
        let marked = ratio >= self.min_lift || (ratio >= 0.0 && ratio <= 1.0 / self.min_lift);
        marked && error > 0.0 && (s - p).abs() / error >= OUTCOME_MIN_Z
    }

    fn is_evidence(&self, d: &Difference) -> bool {
        let over_represented = d.statistic == Statistic::Share && d.standardised >= 0.0;
        d.standardised.abs() >= self.min_effect && (!over_represented || d.effect >= self.min_lift)
    }
}

/// How many standard errors an outcome's difference must reach to be stated (see the module
/// docs): 3, so that chance alone rarely passes.
pub const OUTCOME_MIN_Z: f64 = 3.0;

/// Segment quality metrics reported beside the personas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Mean silhouette (-1..1, higher is better; on a seeded sample above 10,000 customers, or
    /// above the [`SILHOUETTE_BUDGET`](crate::segment::SILHOUETTE_BUDGET) with many feature
    /// columns: see [`Quality::measure`]).
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
    /// customers and on a seeded sample of 10,000 above that, the sample lowered further to
    /// [`silhouette_sample_size`](crate::segment::silhouette_sample_size) for many feature
    /// columns (10,000 fits up to 40 columns; 894 customers for 5,000 columns), so that it costs at
    /// most [`SILHOUETTE_BUDGET`](crate::segment::SILHOUETTE_BUDGET) distance terms; the other
    /// metrics exactly (they cost `O(n d)`). A metric that is undefined (fewer than two segments,
    /// say) is `None`.
    pub fn measure<T: crate::segment::FeatureFloat>(
        features: ndarray::ArrayView2<'_, T>,
        segmentation: &crate::segment::Segmentation,
        seed: u64,
    ) -> Self {
        use crate::segment::metrics;
        const EXACT_UP_TO: usize = 10_000;
        Quality {
            silhouette: metrics::silhouette_sampled(
                features,
                segmentation,
                metrics::silhouette_sample_size(EXACT_UP_TO, features.ncols()),
                seed,
            )
            .ok(),
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
    /// The rule pack used, and why.
    pub domain: DomainChoice,
    /// One persona per segment, segment 0 first.
    pub personas: Vec<Persona>,
    /// The profiles the personas were drafted from.
    pub segments: Vec<SegmentProfile>,
    /// Segment quality metrics, when measured.
    pub quality: Option<Quality>,
    /// How the number of segments was chosen, when it was chosen automatically: the score
    /// table, the reason, and the flags and warnings (k at the edge of the range, weak
    /// structure) a reader should see before trusting the personas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<crate::segment::KAssessment>,
    /// How stable the personas are, when measured (see [`Personas::with_stability`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<StabilitySummary>,
    /// What to know about the set as a whole before using it: more personas than a team keeps
    /// ([`Drafter::MANY_PERSONAS`]), segments too small for any statement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Personas {
    /// Attaches segment quality metrics.
    pub fn with_quality(mut self, quality: Quality) -> Self {
        self.quality = Some(quality);
        self
    }

    /// Attaches how the number of segments was chosen ([`crate::KChoice::assessment`]).
    pub fn with_selection(mut self, selection: crate::segment::KAssessment) -> Self {
        self.selection = Some(selection);
        self
    }

    /// The persona of a segment.
    pub fn for_segment(&self, segment: usize) -> Option<&Persona> {
        self.personas.iter().find(|p| p.segment == segment)
    }
}

/// Every statement of a persona with the list it is in, for checks and custom renderings.
pub fn statements(persona: &Persona) -> Vec<(&'static str, &Statement)> {
    let lists: [(&'static str, &Vec<Statement>); 10] = [
        ("outcomes", &persona.outcomes),
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
mod tests;
