//! Seeded synthetic data: realistic customers with planted segments, and Gaussian blobs for
//! benchmarks. The same seed gives the same data on every platform.
