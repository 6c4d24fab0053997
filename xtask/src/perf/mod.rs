//! What the SDK costs, each figure beside a hand-written baseline measured in the same run:
//! `bench` (criterion, per call), `instructions` (callgrind, per call, independent of load),
//! `build-cost` (clean builds) and `main-job-memory` (peak memory of the README's main job).

pub mod bench;
pub mod build_cost;
pub mod criterion;
pub mod instructions;
pub mod measure;
pub mod memory;
pub mod table;
pub mod timings;
