//! A persona model that lasts: the schema, the fitted encoder, the fitted segmenter and the
//! personas drafted from them, saved as one JSON file, loaded with checks, and used to assign
//! new customers for months.
//!
//! ```
//! use personas::model::{ModelOptions, PersonaModel};
//! use personas::{CsvOptions, CustomerTable, KMeans, Schema};
//!
//! let schema = Schema::from_json_file("examples/data/customers.schema.json")?;
//! let customers =
//!     CustomerTable::from_csv_path("examples/data/customers.csv", &schema, &CsvOptions::new())?;
//! let options = ModelOptions::new(KMeans::new(5).with_seed(42));
//! let draft = PersonaModel::fit(&customers, &options)?;
//! assert_eq!(draft.model.personas().personas.len(), 5);
//!
//! // Save, load, and assign: a training customer gets exactly its training segment.
//! let json = draft.model.to_json()?;
//! let model = PersonaModel::from_json(&json)?;
//! let assigned = model.assign(&customers)?;
//! let labels: Vec<_> = assigned.assignments.iter().map(|a| a.segment).collect();
//! assert_eq!(labels, draft.segmentation.labels());
//! # Ok::<(), personas::Error>(())
//! ```
//!
//! # The file
//!
//! One JSON object: `"format": "personas-model"`, `format_version` ([`FORMAT_VERSION`]), the
//! `crate_version` that wrote it, then `schema`, `encoder`, `segmenter` (the settings it was
//! fitted with), `model` (k-means centroids with each segment's reach, or DBSCAN's core points),
//! `personas` (the personas document, with the segment profiles and population statistics they
//! were drafted against) and `training` (the number of training customers and segment sizes).
//! Loading checks the marker and the version, every component's own invariants (finite numbers,
//! shapes, levels) and that they fit together (the encoder's attributes are in the schema, the
//! model has as many feature columns as the encoder, every persona names a segment of the model),
//! and answers a damaged or foreign file with [`Error::Model`] or a JSON error naming the line.

mod read;

use std::io::Write;
use std::path::Path;

pub use read::{DurationsTo, NewCustomers};

use serde::{Deserialize, Serialize};

use crate::encode::{Encoder, FittedEncoder, UnknownLevels};
use crate::error::{Error, Result};
use crate::input::CsvOptions;
use crate::persona::{Drafter, Personas, Quality};
use crate::profile::Profiles;
use crate::schema::{AttributeKind, Schema};
use crate::segment::stability::{Stability, StabilityScore};
use crate::segment::{
    Assignment, AutoK, FeatureView, Features, Precision, SegmentId, SegmentModel, Segmentation,
    Segmenter,
};
use crate::table::{CustomerTable, Ids};

/// The version of the model file format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The marker that says a JSON file is a persona model.
const FORMAT: &str = "personas-model";

/// How to fit a [`PersonaModel`]: the segmenter, and optionally the encoder, the drafter and the
/// stability measurement.
#[derive(Debug, Clone)]
pub struct ModelOptions {
    segmenter: Segmenter,
    encoder: Encoder,
    drafter: Drafter,
    stability: Option<Stability>,
    precision: Precision,
}

impl ModelOptions {
    /// Fits with `segmenter`; the encoder's defaults except that levels unseen in training are
    /// encoded as "none of the known levels" rather than refused (a model meets new levels over
    /// the months it is used); the default [`Drafter`]; and stability measured with
    /// [`Stability::new`] seeded with the segmenter's seed.
    pub fn new(segmenter: impl Into<Segmenter>) -> Self {
        let segmenter = segmenter.into();
        let seed = segmenter.seed();
        ModelOptions {
            segmenter,
            encoder: Encoder::new().with_unknown_levels(UnknownLevels::Ignore),
            drafter: Drafter::new(),
            stability: Some(Stability::new().with_seed(seed)),
            precision: Precision::F64,
        }
    }

    /// Sets the encoder.
    pub fn with_encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder;
        self
    }

    /// Sets the drafter (its catalogue, domain, names and thresholds).
    pub fn with_drafter(mut self, drafter: Drafter) -> Self {
        self.drafter = drafter;
        self
    }

    /// Sets how stability is measured, or `None` to skip it.
    pub fn with_stability(mut self, stability: Option<Stability>) -> Self {
        self.stability = stability;
        self
    }

    /// Sets the element type of the feature matrix: [`Precision::F32`] halves the largest
    /// allocation of the fit (see [`Precision`] for what it changes in the results). The
    /// model records it, and [`crate::drift::compare`] re-fits with it.
    pub fn with_precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// The segmenter.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The element type of the feature matrix.
    pub fn precision(&self) -> Precision {
        self.precision
    }
}

/// What [`PersonaModel::fit`] returns: the model, and what it learned about the training
/// customers.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The persona model, ready to save and to assign new customers.
    pub model: PersonaModel,
    /// The training customers' segments, in table order.
    pub segmentation: Segmentation,
    /// The profiles the personas were drafted from.
    pub profiles: Profiles,
    /// The stability measurement, when one was made.
    pub stability: Option<StabilityScore>,
}

/// A saved set of personas with everything needed to assign new customers to them; see the
/// [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ModelData")]
pub struct PersonaModel {
    format: String,
    format_version: u32,
    crate_version: String,
    schema: Schema,
    encoder: FittedEncoder,
    segmenter: Segmenter,
    model: SegmentModel,
    personas: Personas,
    training: Training,
}

/// The training customers in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// The number of training customers.
    pub customers: usize,
    /// The number in each segment, segment 0 first.
    pub sizes: Vec<usize>,
    /// The number in no segment.
    pub unassigned: usize,
    /// The element type of the feature matrix the segments were fitted on (absent, and `f64`,
    /// in models from before it was recorded).
    #[serde(default, skip_serializing_if = "is_f64")]
    pub precision: Precision,
}

fn is_f64(p: &Precision) -> bool {
    *p == Precision::F64
}

/// The serialised form of a [`PersonaModel`], checked on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelData {
    format: String,
    format_version: u32,
    crate_version: String,
    schema: Schema,
    encoder: FittedEncoder,
    segmenter: Segmenter,
    model: SegmentModel,
    personas: Personas,
    training: Training,
}

fn damaged(problem: impl Into<String>) -> Error {
    Error::Model {
        problem: problem.into(),
    }
}

/// The largest k-means restarts a saved model's settings may ask for.
pub const MAX_SAVED_N_INIT: usize = 1_000;

/// The largest iteration cap a saved model's settings may ask for.
pub const MAX_SAVED_ITERATIONS: usize = 100_000;

/// The most stability resamples a saved model's settings may ask for.
pub const MAX_SAVED_RESAMPLES: usize = 1_000;

/// Checks the settings a model was fitted with, which a drift comparison fits again: their own
/// checks, and bounds on the work they ask for, so that a damaged or hostile file cannot make a
/// comparison run for days ([`MAX_SAVED_N_INIT`], [`MAX_SAVED_ITERATIONS`],
/// [`MAX_SAVED_RESAMPLES`]; `k` is bounded by the customers, an automatic range by
/// [`AutoK::MAX_K`]).
fn check_settings(segmenter: &Segmenter) -> Result<()> {
    let bounded = |what: &str, value: usize, max: usize| {
        if value > max {
            Err(damaged(format!(
                "the segmenter asks for {value} {what}, more than the {max} a saved model may"
            )))
        } else {
            Ok(())
        }
    };
    let kmeans = match segmenter {
        Segmenter::KMeans(k) => Some(k),
        Segmenter::AutoK(a) => {
            bounded("resamples", a.stability().subsamples(), MAX_SAVED_RESAMPLES)?;
            a.stability().check()?;
            if *a.range().end() > AutoK::MAX_K || a.range().is_empty() {
                return Err(damaged(format!(
                    "the segmenter's range of k {}..={} is not one `personas` searches",
                    a.range().start(),
                    a.range().end()
                )));
            }
            Some(a.kmeans())
        }
        Segmenter::Dbscan(d) => {
            d.check()?;
            None
        }
    };
    if let Some(k) = kmeans {
        k.check()?;
        bounded("restarts", k.n_init(), MAX_SAVED_N_INIT)?;
        bounded("iterations", k.max_iter(), MAX_SAVED_ITERATIONS)?;
    }
    Ok(())
}

impl TryFrom<ModelData> for PersonaModel {
    type Error = Error;

    fn try_from(d: ModelData) -> Result<Self> {
        if d.format != FORMAT {
            return Err(damaged(format!(
                "the file says it is `{}`, not a persona model (`{FORMAT}`)",
                crate::error::shorten(&d.format)
            )));
        }
        if d.format_version != FORMAT_VERSION {
            return Err(damaged(format!(
                "format version {} (written by personas {}); this version of personas reads \
                 format version {FORMAT_VERSION}: re-create the model with `personas draft \
                 --save-model`",
                d.format_version,
                crate::error::shorten(&d.crate_version)
            )));
        }
        for name in d.encoder.encoded_attributes() {
            if d.schema.get(name).is_none() {
                return Err(damaged(format!(
                    "the encoder uses attribute `{}`, which is not in the schema",
                    crate::error::shorten(name)
                )));
            }
        }
        check_settings(&d.segmenter)?;
        if d.encoder.n_features() != d.model.n_features() {
            return Err(damaged(format!(
                "the encoder makes {} feature columns but the segment model expects {}",
                d.encoder.n_features(),
                d.model.n_features()
            )));
        }
        if d.training.sizes.len() != d.model.n_segments()
            && !matches!(d.model, SegmentModel::KMeans(_))
        {
            return Err(damaged(format!(
                "the training sizes list {} segments but the model has {}",
                d.training.sizes.len(),
                d.model.n_segments()
            )));
        }
        if d.training.sizes.len() > d.model.n_segments()
            || d.training.sizes.iter().sum::<usize>() + d.training.unassigned
                != d.training.customers
        {
            return Err(damaged(
                "the training sizes do not add up to the training customers",
            ));
        }
        let mut drafted = vec![0usize; d.training.sizes.len()];
        for p in &d.personas.personas {
            if let Some(n) = drafted.get_mut(p.segment) {
                *n += 1;
            }
        }
        if let Some(segment) = drafted.iter().position(|&n| n != 1) {
            return Err(damaged(format!(
                "segment {segment} has {} personas; a model has exactly one per segment",
                drafted[segment]
            )));
        }
        if let Some(p) = d
            .personas
            .personas
            .iter()
            .find(|p| p.segment >= d.training.sizes.len())
        {
            return Err(damaged(format!(
                "persona `{}` is for segment {}, which the model does not have",
                crate::error::shorten(&p.name),
                p.segment
            )));
        }
        Ok(PersonaModel {
            format: d.format,
            format_version: d.format_version,
            crate_version: d.crate_version,
            schema: d.schema,
            encoder: d.encoder,
            segmenter: d.segmenter,
            model: d.model,
            personas: d.personas,
            training: d.training,
        })
    }
}

impl PersonaModel {
    /// Encodes the customers, fits the segmenter, profiles the segments, drafts a persona for
    /// each, measures segment quality and (unless switched off) each persona's stability, and
    /// keeps it all as one model.
    ///
    /// Stability re-fits the segmenter on seeded resamples (see [`Stability`]); for a `k` chosen
    /// automatically it re-fits k-means with that `k` and the restarts the choice used
    /// ([`AutoK::STABILITY_RESTARTS`]), so it measures the personas, not the choice of `k`, and
    /// with the default [`Stability`] it is the measurement the choice reported. It is skipped when a resample would hold no more customers than there are
    /// segments.
    ///
    /// # Errors
    /// The errors of [`Encoder::fit`], [`Segmenter::fit`], [`Profiles::new`],
    /// [`Drafter::draft`] and [`Stability::measure`].
    pub fn fit(customers: &CustomerTable, options: &ModelOptions) -> Result<Draft> {
        let encoder = options.encoder.fit(customers)?;
        let matrix = encoder.transform_as(customers, options.precision)?;
        let fitted = options
            .segmenter
            .fit(Features::new(&matrix, encoder.columns())?)?;
        let (model, segmentation, selection) = fitted.into_parts();
        let profiles = Profiles::new(customers, &segmentation)?;
        let seed = options.segmenter.seed();
        let mut personas = options
            .drafter
            .draft(&profiles)?
            .with_quality(match matrix.view() {
                FeatureView::F64(m) => Quality::measure(m, &segmentation, seed),
                FeatureView::F32(m) => Quality::measure(m, &segmentation, seed),
            });
        if let Some(selection) = selection {
            personas = personas.with_selection(selection);
        }
        let refit = match (&options.segmenter, &model) {
            // The re-fits the choice of k measured its stability with, so that a persona's
            // stability and the choice's agree.
            (Segmenter::AutoK(auto), SegmentModel::KMeans(m)) => Segmenter::KMeans(
                auto.kmeans()
                    .clone()
                    .with_k(m.k())
                    .with_n_init(auto.kmeans().n_init().min(AutoK::STABILITY_RESTARTS)),
            ),
            (other, _) => other.clone(),
        };
        // Resamples must hold more customers than k-means has segments; with fewer customers
        // than that there is nothing to measure, and the personas say nothing about stability.
        let n = segmentation.n_customers();
        let measurable = |s: &Stability| match &refit {
            Segmenter::KMeans(k) => s.subsample_size(n) > k.k(),
            _ => segmentation.n_segments() > 0,
        };
        let stability = match &options.stability {
            Some(stability) if measurable(stability) => {
                let labels = segmentation.labels();
                let score = match matrix.view() {
                    FeatureView::F64(m) => stability.measure(m, &refit, labels)?,
                    FeatureView::F32(m) => stability.measure(m, &refit, labels)?,
                };
                personas = personas.with_stability(&score);
                Some(score)
            }
            _ => None,
        };
        let training = Training {
            customers: segmentation.n_customers(),
            sizes: segmentation.sizes().to_vec(),
            unassigned: segmentation.unassigned(),
            precision: options.precision,
        };
        let model = PersonaModel {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            schema: customers.schema().clone(),
            encoder,
            segmenter: options.segmenter.clone(),
            model,
            personas,
            training,
        };
        Ok(Draft {
            model,
            segmentation,
            profiles,
            stability,
        })
    }

    /// The schema new customers are read with.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The fitted encoder.
    pub fn encoder(&self) -> &FittedEncoder {
        &self.encoder
    }

    /// The settings the segments were fitted with (to re-fit on newer data the same way).
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The fitted segment model.
    pub fn segment_model(&self) -> &SegmentModel {
        &self.model
    }

    /// The personas, with the profiles and population statistics they were drafted against.
    pub fn personas(&self) -> &Personas {
        &self.personas
    }

    /// The training customers in numbers.
    pub fn training(&self) -> &Training {
        &self.training
    }

    /// The version of personas that wrote the model.
    pub fn crate_version(&self) -> &str {
        &self.crate_version
    }

    /// The model as pretty-printed JSON. The same input and seed give the same bytes.
    ///
    /// # Errors
    /// [`Error::Json`] if serialisation fails (it does not for models this crate made).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Reads a model from JSON, with the checks of the [module docs](self).
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, a missing or unknown key or a component that fails
    /// its own checks (the message names it), [`Error::Model`] for a foreign file, another
    /// format version or components that do not fit together.
    pub fn from_json(json: &str) -> Result<Self> {
        // Check the marker and version first, so that a foreign or newer file gets that answer
        // rather than a complaint about its first unexpected key.
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            format_version: Option<u32>,
            crate_version: Option<String>,
        }
        let header: Header = serde_json::from_str(json)?;
        let version = header.crate_version.unwrap_or_else(|| "?".into());
        match (header.format.as_deref(), header.format_version) {
            (Some(FORMAT), Some(FORMAT_VERSION)) => {}
            (Some(FORMAT), Some(v)) => {
                return Err(damaged(format!(
                    "format version {v} (written by personas {}); this version of personas reads \
                     format version {FORMAT_VERSION}: re-create the model with `personas draft \
                     --save-model`",
                    crate::error::shorten(&version)
                )))
            }
            _ => {
                return Err(damaged(
                    "this JSON is not a persona model (it has no `\"format\": \"personas-model\"`)",
                ))
            }
        }
        let data: ModelData = serde_json::from_str(json)?;
        PersonaModel::try_from(data)
    }

    /// Saves the model as JSON to `path`.
    ///
    /// # Errors
    /// [`Error::WriteFile`] naming the file when it cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let write = || -> std::io::Result<()> {
            let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
            file.write_all(self.to_json().map_err(std::io::Error::other)?.as_bytes())?;
            file.write_all(b"\n")?;
            file.flush()
        };
        write().map_err(|source| Error::WriteFile {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Loads a model saved with [`PersonaModel::save`].
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::JsonFile`] (naming the file, line
    /// and column) for malformed JSON or a component that fails its checks, and
    /// [`Error::Model`] as [`PersonaModel::from_json`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        crate::error::read_json_file(path.as_ref(), Self::from_json)
    }

    /// Assigns each customer of `customers` (read with [`PersonaModel::reading_schema`]) to a persona's
    /// segment; see [`SegmentModel::assign`]. Unknown levels and missing values follow the
    /// encoder's policies. A training customer gets exactly its training segment.
    ///
    /// # Errors
    /// The errors of [`FittedEncoder::transform`] and of the model's `assign`.
    pub fn assign(&self, customers: &CustomerTable) -> Result<Assigned> {
        let features = self.encoder.transform(customers)?;
        let assignments = self.model.assign(features.view())?;
        Ok(Assigned {
            ids: customers.ids().clone(),
            assignments,
        })
    }

    /// Reads a customer CSV for the model ([`PersonaModel::read_csv`], durations measured to
    /// the training reference date, so a training customer gets its training segment) and
    /// assigns every row; see [`PersonaModel::assign`].
    ///
    /// # Errors
    /// The errors of [`PersonaModel::read_csv`] and [`PersonaModel::assign`].
    pub fn assign_csv(&self, path: impl AsRef<Path>, options: &CsvOptions) -> Result<Assigned> {
        let customers = self.read_csv(path, options, &DurationsTo::Training)?;
        self.assign(&customers.table)
    }

    /// The schema to read new customers with: the model's, with the categories and tags open to
    /// levels the training data did not have (the encoder decides what they mean). Ordinal
    /// levels stay fixed: their order is their meaning.
    pub fn reading_schema(&self) -> Schema {
        let mut schema = self.schema.clone();
        for a in schema.attributes_mut() {
            match &mut a.kind {
                AttributeKind::Categorical { levels } | AttributeKind::Tags { levels, .. } => {
                    levels.clear()
                }
                _ => {}
            }
        }
        schema
    }

    /// The persona of a segment, if the model drafted one.
    pub fn persona_of(&self, segment: SegmentId) -> Option<&crate::persona::Persona> {
        self.personas.for_segment(segment.index())
    }

    /// The k-means model, for what only k-means can do (writing the assignment as SQL).
    ///
    /// # Errors
    /// [`Error::Model`] for a DBSCAN model.
    pub fn k_means(&self) -> Result<&crate::segment::KMeansModel> {
        match &self.model {
            SegmentModel::KMeans(m) => Ok(m),
            SegmentModel::Dbscan(_) => Err(damaged(
                "this is a DBSCAN model; only k-means models can be written as SQL",
            )),
        }
    }
}

/// New customers with their assignments, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    /// Each customer's id (the identifier column's value, else the 1-based row number).
    pub ids: Ids,
    /// Each customer's assignment.
    pub assignments: Vec<Assignment>,
}

impl Assigned {
    /// The number of customers that fit no persona.
    pub fn unassigned(&self) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.segment.is_none())
            .count()
    }

    /// Writes `customer,persona,distance,margin`, one row per customer in input order:
    /// `persona` is the segment number (empty where the customer fits none), `distance` the
    /// distance in feature space to the persona's centre or admitting core point (empty when
    /// there is none), `margin` how much farther the second-nearest centre is (k-means; empty
    /// otherwise). Numbers are written in full precision.
    ///
    /// # Errors
    /// [`Error::Write`] when writing fails.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<()> {
        let failed = |e| crate::error::write_failed("the assignments CSV", e);
        let mut out = csv::Writer::from_writer(writer);
        out.write_record(["customer", "persona", "distance", "margin"])
            .map_err(failed)?;
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        for (id, a) in self.ids.iter().zip(&self.assignments) {
            let persona = a.segment.map(|s| s.to_string()).unwrap_or_default();
            out.write_record([
                id,
                persona.as_str(),
                number(a.distance).as_str(),
                number(a.margin).as_str(),
            ])
            .map_err(failed)?;
        }
        out.flush().map_err(|e| failed(csv::Error::from(e)))?;
        Ok(())
    }
}
