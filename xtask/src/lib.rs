//! Maintenance tasks for the highlevel-calendars workspace: the pipeline from HighLevel's
//! OpenAPI document to the generated client, and the checks that keep its pieces in step.
//!
//! ```text
//! openapi/upstream/      HighLevel's document as published, with PROVENANCE.toml
//!   | normalize (steps in normalize.rs, each explained in openapi/overlay.toml)
//!   v
//! openapi/calendars.json        what build.rs reads
//!   | highlevel_codegen::generate (what build.rs runs)
//!   v
//! openapi/generated.rs.snap     the generated code, checked in for review
//! ```
//!
//! It also measures what the SDK costs: `bench` (per call, against hand-written baselines),
//! `instructions` (per call, in instructions, which do not depend on the machine's load),
//! `build-cost` (per build, beside a hand-written client's) and `main-job-memory` (peak memory
//! of the README's main job).

pub mod bench;
pub mod build_cost;
pub mod config;
pub mod criterion;
pub mod diff;
pub mod document;
pub mod http;
pub mod instructions;
pub mod measure;
pub mod memory;
pub mod msrv;
pub mod normalize;
pub mod overlay;
pub mod provenance;
pub mod public_api;
pub mod report;
pub mod schema_walk;
pub mod snapshot;
pub mod source;
pub mod spec;
pub mod spec_diff;
pub mod table;
pub mod timings;
pub mod update;
pub mod workspace;
