//! The token never appears in Debug, Display, errors or logs.

mod common;

use common::*;
use highlevel_calendars::{Client, EnvSettings, Error, Token};
use serde_json::json;
use std::time::Duration;
use wiremock::{Request, ResponseTemplate};

/// The error (Display and Debug) that Create Calendar through `client` fails with.
async fn failure_text(client: &Client) -> String {
    let err = create_minimal(client).await.unwrap_err();
    format!("{err}\n{err:?}")
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} leaks the token: {text}");
}

/// A server that echoes the Authorization header back in every field it can.
fn echoing(status: u16) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync + 'static {
    move |request: &Request| {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        ResponseTemplate::new(status)
            .set_body_json(json!({
                "statusCode": status,
                "message": [format!("bad header {auth}")],
                "error": auth,
                "traceId": auth,
            }))
            .insert_header("x-echo", auth.as_str())
    }
}

#[tokio::test]
async fn every_error_path_and_its_logs_are_free_of_the_token() {
    let events = capture_tracing();
    let _guard = events.install();
    let mut outputs = Vec::new();

    for status in [400u16, 401, 422, 429, 500] {
        let server = answering_posts(echoing(status)).await;
        let client = builder_for(&server)
            .retry_policy(highlevel_calendars::RetryPolicy::never())
            .build()
            .unwrap();
        outputs.push(failure_text(&client).await);
    }

    // A success body that fails to decode and echoes the token.
    let server = answering_posts(|r: &Request| {
        let auth = r
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        ResponseTemplate::new(201)
            .set_body_raw(format!("{{\"calendar\": \"{auth}\""), "application/json")
    })
    .await;
    let err = create_minimal(&client_for(&server)).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)));
    outputs.push(format!("{err}\n{err:?}"));

    // A timeout.
    let server =
        answering_posts(ResponseTemplate::new(201).set_delay(Duration::from_secs(2))).await;
    let client = builder_for(&server)
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    outputs.push(failure_text(&client).await);

    // A refused connection.
    let client = Client::builder()
        .token(TOKEN)
        .base_url(refused_url())
        .retry_policy(highlevel_calendars::RetryPolicy::never())
        .build()
        .unwrap();
    outputs.push(failure_text(&client).await);

    // A success, for the log lines.
    let server = answering_posts(ResponseTemplate::new(201).set_body_json(seed_response())).await;
    let created = create_minimal(&client_for(&server)).await.unwrap();
    outputs.push(format!("{created:?}"));

    for output in &outputs {
        assert_clean("an error", output);
    }
    assert!(
        outputs[0].contains("** redacted **"),
        "the echo was scrubbed: {}",
        outputs[0]
    );
    let logs = events.text();
    assert!(logs.contains("highlevel"), "the call was traced: {logs}");
    assert_clean("the trace log", &logs);
    assert!(
        logs.contains("status=422") && logs.contains("attempt=1"),
        "{logs}"
    );
}

#[test]
fn configuration_types_redact_the_token() {
    let builder = Client::builder().token(TOKEN);
    assert_clean("ClientBuilder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean("Client", &format!("{client:?}"));
    let token = Token::new(TOKEN);
    assert_clean("Token", &format!("{token:?} {token}"));
    let mut env = EnvSettings::default();
    env.token = Some(token);
    assert_clean("EnvSettings", &format!("{env:?}"));
    let request = client.create_calendar(minimal());
    assert_clean("CreateCalendar", &format!("{request:?}"));
}

#[test]
fn a_token_that_cannot_be_a_header_is_refused_without_being_shown() {
    let bad = format!("{TOKEN}\nInjected: yes");
    let err = Client::builder().token(bad.as_str()).build().unwrap_err();
    assert_clean("BuildError", &format!("{err} {err:?}"));
    assert!(err.to_string().contains("invalid access token"));
    let err = Client::builder().token("").build().unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}
