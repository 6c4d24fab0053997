//! Helpers for the tests against the embedded sandbox (the `sandbox` feature).

use highlevel_calendars::sandbox::Sandbox;
use highlevel_calendars::{Client, Error, calendar};
use std::time::Duration;

/// A sandbox that allows `max` calls per `interval`.
pub async fn rate_limited(max: u64, interval: Duration) -> Sandbox {
    Sandbox::builder()
        .rate_limit(max, interval)
        .start()
        .await
        .unwrap()
}

/// Sends Create Calendar for one more event calendar, `name`, after the day's allowance is
/// used up, and checks that the client stopped it itself: [`Error::Throttled`] with no time
/// to retry after (the allowance renews the next day), nothing sent, and `sandbox` still at
/// `received` requests.
pub async fn assert_stopped_by_the_daily_allowance(
    client: &Client,
    name: &str,
    sandbox: &Sandbox,
    received: usize,
) {
    let error = client
        .create_calendar(calendar::event("loc", name))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Throttled {
                retry_after: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.nothing_sent());
    assert_eq!(sandbox.requests_received(), received, "{name} was not sent");
}
