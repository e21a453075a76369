#![warn(missing_docs)]
#![forbid(unsafe_code)]
//! Turn customer data into customer segments and draft buyer personas, with the numbers behind
//! every statement.
//!
//! ```
//! use personas::model::{ModelOptions, PersonaModel};
//! use personas::{CsvOptions, CustomerTable, Drafter, Encoder, KMeans, Profiles, Schema};
//!
//! let schema = Schema::from_json_file("examples/data/customers.schema.json")?;
//! let customers =
//!     CustomerTable::from_csv_path("examples/data/customers.csv", &schema, &CsvOptions::new())?;
//!
//! // Step by step: encode, segment, profile, draft.
//! let encoded = Encoder::new().fit_transform(&customers)?;
//! let fitted = KMeans::new(5).with_seed(42).fit(&encoded)?;
//! let profiles = Profiles::new(&customers, fitted.segmentation())?;
//! let personas = Drafter::new().draft(&profiles)?;
//! assert_eq!(personas.personas.len(), 5);
//! println!("{}", personas.to_markdown());
//!
//! // Or in one call, as a model to save and to assign new customers with for months.
//! let draft = PersonaModel::fit(&customers, &ModelOptions::new(KMeans::new(5).with_seed(42)))?;
//! let assigned = draft.model.assign(&customers)?;
//! assert_eq!(assigned.unassigned(), 0);
//! # Ok::<(), personas::Error>(())
//! ```
//!
//! # The pipeline
//!
//! Data flows one way, one stage per module, in the order a user meets them:
//!
//! 1. [`Schema`] ([`schema`]): what each attribute is — its [`AttributeKind`] (dates included,
//!    [`dates`]), [`Facet`], [`Role`] (feature, identifier, value, outcome, descriptor, ignored),
//!    weight and encoding, and for derived attributes the [`Derived`] formula ([`derive`](mod@derive)) —
//!    written in Rust, read from JSON, or guessed from a CSV by [`Inference`] ([`infer`]), which
//!    reads columns as an analyst would and derives totals, mixes, durations and ages.
//! 2. [`CustomerTable`] ([`table`]): typed, columnar customer records with missing values, from
//!    CSV ([`CsvOptions`], [`input`]), rows of [`Value`]s, your own `serde::Serialize` structs, or
//!    arrays.
//! 3. [`Encoder`] → [`FittedEncoder`] ([`encode`]): the `ndarray` feature matrix, and the way back
//!    from feature space to original units.
//! 4. [`Segmenter`] → [`Fitted`] ([`segment`]): segment discovery with the crate's own
//!    parallel [`KMeans`] and [`Dbscan`], the number of segments chosen by
//!    [`segment::AutoK`], and quality metrics and stability; a fit keeps the [`Segmentation`]
//!    (labels as [`SegmentId`]s) and a [`SegmentModel`] that assigns new customers; [`linfa`]
//!    implements linfa's traits for both engines.
//! 5. [`Profiles`] ([`profile`]): each segment beside all customers, in original units, with what
//!    sets it apart.
//! 6. [`Drafter`] → [`Personas`] ([`persona`]): a draft buyer persona per segment, every statement
//!    backed by [`persona::Evidence`], from a signal [`persona::Catalogue`] that is data.
//! 7. Rendering ([`render`]): JSON with a `schema_version`, and Markdown; [`text`] turns column
//!    names into labels and prints years and codes without thousands separators.
//!
//! Around the pipeline:
//!
//! - [`transactions`]: order lines in, one row per customer out (recency, frequency, monetary,
//!   tenure, mixes), and RFM cells as a segmentation of their own.
//! - [`model`]: a [`PersonaModel`](model::PersonaModel) (schema, encoder, segment model,
//!   personas) saved as one checked JSON file, that assigns new customers to personas.
//! - [`drift`]: a model against a newer snapshot of customers: shares, moves, statements that no
//!   longer hold, personas that split, merge, appear or vanish.
//! - The `personas` command-line tool (the default `cli` feature) does all of it from the shell.
//!
//! Every fallible function returns [`Result`], whose [`Error`] names the row, column, attribute
//! or parameter concerned.
//!
//! # What it is not
//!
//! Not a general machine-learning toolkit (use [linfa](https://docs.rs/linfa)), not a data-frame
//! library, and not a survey or CRM tool: it reads customer records that already exist, and it
//! drafts personas for people to review, not final ones.
//!
//! # Reproducibility and threads
//!
//! Randomness comes from the crate's own seeded generator ([`rng`]); the same data and seed give
//! the same segments and the same rendered output. Sample data with planted segments comes from
//! [`sample`]. Work that runs in parallel uses rayon's global
//! pool; bound it with `rayon::ThreadPoolBuilder::new().num_threads(n).build()?.install(|| ...)`.

pub mod dates;
pub mod derive;
pub mod drift;
pub mod encode;
pub mod error;
mod hash;
pub mod infer;
pub mod input;
pub mod linfa;
pub mod model;
pub mod persona;
pub mod profile;
pub mod render;
pub mod rng;
pub mod sample;
pub mod schema;
pub mod segment;
pub mod sql;
pub mod table;
pub mod text;
pub mod transactions;

pub use dates::DateFormat;
pub use derive::Derived;
pub use encode::{
    DecodedAttribute, DecodedShare, DecodedValue, Encoded, Encoder, FeatureColumn, FeatureKind,
    FittedEncoder, UnknownLevels, ZeroVariance, MISSING_LEVEL,
};
pub use error::{Error, Result};
pub use infer::{Guess, InferOptions, Inference, RepeatedRows};
pub use input::CsvOptions;
pub use persona::{Drafter, Persona, Personas, Statement};
pub use profile::{
    AttributeProfile, Difference, LevelShare, ProfileOptions, Profiles, SegmentProfile, Statistic,
    Summary, ValueShare,
};
pub use render::SCHEMA_VERSION;
pub use sample::{PlantedSegment, PlantedSignal, Sample, SampleCustomers, PLANTED_SEGMENTS};
pub use schema::{Attribute, AttributeKind, Facet, MissingPolicy, Role, Scaling, Schema};
pub use segment::{
    Assignment, AutoK, Dbscan, DbscanModel, FeatureFloat, FeatureMatrix, FeatureView, Features,
    Fitted, Init, KAssessment, KChoice, KMeans, KMeansModel, KScore, Precision, SegmentId,
    SegmentModel, Segmentation, Segmenter,
};
pub use table::{
    Codes, Column, CustomerTable, Flags, Ids, IdsIter, MissingCount, Numbers, TagSets, Validity,
    Value, MAX_LEVEL_BYTES,
};
pub use transactions::{Aggregate, Rfm, RfmCells, TransactionOptions, TransactionReport};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
