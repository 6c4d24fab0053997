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

/// `value` as a request body of the generated type `T`.
pub fn body_of<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a body of the generated type")
}

/// An answer of the generated client as JSON, as the server sent its fields.
pub fn json_of<T: serde::Serialize>(answer: &T) -> serde_json::Value {
    serde_json::to_value(answer).expect("the answer as JSON")
}

/// The HTTP status of a failed call, if the server answered.
pub fn status_of(error: &Error) -> Option<u16> {
    error.status().map(|s| s.as_u16())
}
