#![warn(missing_docs)]
//! personas (crate docs written below).

pub mod error;
pub mod rng;
pub mod schema;
pub mod sample;
pub mod segment;

pub use error::{Error, Result};
pub use schema::{Attribute, AttributeKind, Facet, MissingPolicy, Role, Scaling, Schema};
pub use segment::{KMeans, Segmentation, Segmenter};
