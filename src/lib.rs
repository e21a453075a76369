#![warn(missing_docs)]
//! personas (crate docs written below).

pub mod error;
pub mod infer;
pub mod input;
pub mod rng;
pub mod schema;
pub mod sample;
pub mod segment;
pub mod table;

pub use error::{Error, Result};
pub use infer::{Guess, Inference};
pub use input::CsvOptions;
pub use sample::{PlantedSegment, PlantedSignal, Sample, SampleCustomers, PLANTED_SEGMENTS};
pub use schema::{Attribute, AttributeKind, Facet, MissingPolicy, Role, Scaling, Schema};
pub use segment::{KMeans, Segmentation, Segmenter};
pub use table::{Column, CustomerTable, MissingCount, Value};
