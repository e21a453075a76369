//! Seeded synthetic data: realistic customers with planted segments, and Gaussian blobs for
//! benchmarks. The same seed gives the same data on every platform.

mod customers;
pub use customers::{
    Direction, PlantedSegment, PlantedSignal, Sample, SampleCustomers, PLANTED_SEGMENTS,
};

mod blobs;
pub use blobs::{BlobData, Blobs};
