//! What the SDK costs, each figure beside a hand-written baseline measured in the same run:
//! `bench` (criterion, per call), `instructions` (callgrind, per call, independent of load),
//! `build-cost` (clean builds), `main-job-memory` (peak memory of the README's main job) and
//! `sandbox-load` (the sandbox program's throughput beside Prism's).

pub mod bench;
pub mod build_cost;
pub mod cpu_split;
pub mod criterion;
pub mod instructions;
pub mod measure;
pub mod memory;
pub mod sandbox_load;
pub mod table;
pub mod timings;
