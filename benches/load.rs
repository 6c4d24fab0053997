//! Sustained load: 100,000 calls at 256 in flight through the SDK (pacing off) to the
//! `highlevel-sandbox` program (limits lifted), with errors, p50/p99 latency, peak RSS of both
//! processes, the client's RSS over the first and last 10,000 calls and its open descriptors.
//!
//! ```text
//! cargo bench --features sandbox --bench load
//! HIGHLEVEL_LOAD_CALLS=20000 cargo bench --features sandbox --bench load   # a shorter run
//! ```
//!
//! A measurement, not a test: it prints its figures and fails only when a call failed or a
//! descriptor was left open. `tests/load.rs` runs 10,000 calls in the test suite.

#[path = "support/load.rs"]
mod load;

fn main() {
    let calls = std::env::var("HIGHLEVEL_LOAD_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let figures = load::run(calls, 256);
    println!("{figures}");
    if let Some(error) = &figures.first_error {
        eprintln!("first error: {error}");
    }
    assert_eq!(figures.errors, 0, "calls failed");
    assert!(
        figures.fds_after <= figures.fds_before,
        "descriptors left open: {figures:?}"
    );
}
