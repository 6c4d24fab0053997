//! The sandbox's faults on purpose (delays, 5xx, dropped connections, broken bodies) and the
//! typed error each becomes.

use super::*;

#[tokio::test]
async fn a_delay_past_the_client_timeout_is_a_timeout() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.inject(Fault::Delay(Duration::from_secs(30)));
    let client = sandbox
        .client_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = create(&client, event("slow")).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(sandbox.requests_received(), 1, "not retried");
    assert_eq!(
        sandbox.calendars().len(),
        1,
        "the request was handled: the calendar exists although the client timed out"
    );
    assert_eq!(sandbox.pending_faults(), 0);
}

#[tokio::test]
async fn a_short_delay_only_slows_the_answer() {
    let (sandbox, client) = sandbox_and_client().await;
    sandbox.inject(Fault::Delay(Duration::from_millis(50)));
    let started = std::time::Instant::now();
    create(&client, event("late"))
        .await
        .expect("answered after the delay");
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn a_5xx_is_an_api_error_and_not_retried() {
    let (sandbox, client) = sandbox_and_client().await;

    sandbox.inject(Fault::Status(503));
    let error = create(&client, event("n")).await.unwrap_err();
    let api = expect_api(&error);
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        api.messages.is_empty(),
        "an HTML page is not HighLevel's error"
    );
    let page = api.body_snippet.as_deref().unwrap();
    assert!(page.contains("<html>") && page.contains("503"), "{page}");
    // The text names the server called (not HighLevel) and the page, without its markup.
    let server = sandbox.base_url().trim_end_matches('/');
    let text = error.to_string();
    assert!(
        text.contains(&format!("the server at {server} answered 503")),
        "{text}"
    );
    assert!(
        text.contains("an HTML page (\"503 Service Unavailable\")") && !text.contains('<'),
        "{text}"
    );
    assert!(!text.contains("HighLevel answered"), "{text}");
    assert_eq!(sandbox.requests_received(), 1, "not retried");

    sandbox.inject(Fault::Status(500));
    let error = create(&client, event("n")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    let trace = error.trace_id().expect("a JSON error with a traceId");
    let text = error.to_string();
    assert!(
        text.contains(&format!("the server at {server} answered 500"))
            && text.contains("Internal Server Error")
            && text.contains(trace),
        "status, message and traceId: {text}"
    );
    assert_eq!(sandbox.requests_received(), 2);
    assert!(
        sandbox.calendars().is_empty(),
        "a 5xx fault handles nothing"
    );
}

#[tokio::test]
async fn faults_configured_at_start_come_first() {
    let sandbox = Sandbox::builder()
        .fault(Fault::Status(502))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let error = create(&client, event("n")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
    create(&client, event("n"))
        .await
        .expect("the fault was used up");

    sandbox.inject_times(Fault::Status(504), 2);
    sandbox.clear_faults();
    assert_eq!(sandbox.pending_faults(), 0);
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let (sandbox, client) = sandbox_and_client().await;
    sandbox.inject(Fault::DropConnection);
    let error = create(&client, event("n")).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(!error.nothing_sent());
    assert_eq!(sandbox.requests_received(), 1, "not retried");
    assert!(sandbox.calendars().is_empty());
}

#[tokio::test]
async fn broken_json_is_a_decode_error() {
    let (sandbox, client) = sandbox_and_client().await;
    for fault in [Fault::MalformedBody, Fault::TruncatedBody] {
        sandbox.inject(fault.clone());
        let error = create(&client, event("n")).await.unwrap_err();
        match &error {
            Error::Decode(decode) => {
                assert_eq!(decode.status, StatusCode::CREATED, "{fault:?}");
                assert!(!decode.body_snippet.is_empty());
            }
            other => panic!("{fault:?}: expected Decode, got {other:?}"),
        }
    }
    assert_eq!(sandbox.requests_received(), 2, "not retried");
    assert_eq!(sandbox.calendars().len(), 2, "both were handled");
}

#[tokio::test]
async fn after_shutdown_connections_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_without_retries(&sandbox);
    sandbox.shutdown().await;
    let error = create(&client, event("n")).await.unwrap_err();
    assert!(matches!(error, Error::Connect(_)), "{error:?}");
}
