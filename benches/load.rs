//! Sustained load: 100,000 calls at 256 in flight through the SDK (pacing off) to the
//! `highlevel-sandbox` program (limits lifted), with errors, p50/p99 latency, peak RSS of both
//! processes, the client's RSS and held heap over the first, second and last 10,000 calls, and
//! its open descriptors.
//!
//! ```text
//! cargo bench --features sandbox --bench load
//! HIGHLEVEL_LOAD_CALLS=20000 cargo bench --features sandbox --bench load   # a shorter run
//! HIGHLEVEL_LOAD_CURVE=1 cargo bench --features sandbox --bench load      # and every sample
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
    if std::env::var_os("HIGHLEVEL_LOAD_CURVE").is_some() {
        println!("calls rss_kib rss_anon_kib heap_kib fds");
        for s in &figures.samples {
            let (calls, rss, anon, heap, fds) =
                (s.calls, s.rss_kib, s.rss_anon_kib, s.heap_kib, s.fds);
            println!("{calls} {rss} {anon} {heap} {fds}");
        }
    }
    if let Some(error) = &figures.first_error {
        eprintln!("first error: {error}");
    }
    assert_eq!(figures.errors, 0, "calls failed");
    assert!(
        figures.fds_after <= figures.fds_before,
        "descriptors left open: {figures:?}"
    );
}
