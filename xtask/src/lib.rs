//! Maintenance tasks for the highlevel-calendars workspace: the pipeline from HighLevel's
//! OpenAPI document to the generated client, and the checks that keep its pieces in step.
//!
//! ```text
//! openapi/upstream/      HighLevel's document as published, with PROVENANCE.toml
//!   | normalize (steps in spec/normalize/, each explained in openapi/overlay.toml)
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

pub mod cargo;
pub mod new_client;
pub mod perf;
pub mod release;
pub mod spec;
pub mod testing;
pub mod webhooks;
pub mod workspace;
