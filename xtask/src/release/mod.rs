//! Release checks: the public-API listing and the minimum supported Rust version.

pub mod msrv;
pub mod public_api;
