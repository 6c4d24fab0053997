//! A shortened sustained-load run (`benches/load.rs` sends 100,000): 10,000 calls at 256 in
//! flight through the SDK to the `highlevel-sandbox` program. No call may fail, and the
//! client's descriptors and the memory it held must be back to their starting figures once it
//! is dropped.
#![cfg(all(feature = "sandbox", target_os = "linux"))]

#[path = "../benches/support/load.rs"]
mod load;

#[test]
fn ten_thousand_calls_at_256_in_flight_fail_none_and_leak_no_descriptor() {
    let figures = load::run(10_000, 256);
    println!("{figures}");
    assert_eq!(figures.calls, 10_000);
    assert_eq!(figures.errors, 0, "first error: {:?}", figures.first_error);
    assert!(
        figures.fds_during > figures.fds_before,
        "the pool held connections while it ran: {figures:?}"
    );
    assert!(
        figures.fds_after <= figures.fds_before,
        "descriptors left open: {figures:?}"
    );
    assert!(figures.server_peak_rss_kib > 0 && figures.client_peak_rss_kib > 0);
    // Once the client and its runtime are gone, the process holds what it held before they
    // were built (some kiB of one-time statics aside): the client keeps nothing per call.
    assert!(
        figures.heap_after_kib <= figures.heap_before_kib + 64,
        "the client's memory was not all freed: {figures}"
    );
}
