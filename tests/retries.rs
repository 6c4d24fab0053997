//! Retries that cannot create a duplicate calendar, and none that could.

mod common;

use common::*;
use highlevel_calendars::{
    Client, Error, RetryPolicy, Token, TokenError, TokenFuture, TokenProvider,
};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn created() -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(seed_response())
}

fn too_many() -> ResponseTemplate {
    ResponseTemplate::new(429).set_body_json(json!({
        "statusCode": 429, "message": "Too many requests", "traceId": "t-429"
    }))
}

/// A server that answers the first POST with `first` and every later one with `then`.
async fn first_then(first: ResponseTemplate, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(then)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn retries_429_with_retry_after_then_succeeds() {
    let server = first_then(too_many().insert_header("retry-after", "0"), created()).await;
    let created = create_minimal(&client_for(&server)).await.unwrap();
    assert_eq!(created.calendar.id, "0TkCdp9PfvLeWKYRRvIz");
    assert_eq!(received_count(&server).await, 2);
}

#[tokio::test]
async fn retries_429_with_interval_headers_then_succeeds() {
    let server = first_then(
        too_many()
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-max", "100")
            .insert_header("x-ratelimit-interval-milliseconds", "30"),
        created()
            .insert_header("x-ratelimit-remaining", "99")
            .insert_header("x-ratelimit-max", "100"),
    )
    .await;
    let created = create_minimal(&client_for(&server)).await.unwrap();
    assert_eq!(created.rate_limit.remaining, Some(99));
    assert_eq!(received_count(&server).await, 2);
}

#[tokio::test]
async fn does_not_retry_when_the_daily_limit_is_used_up() {
    let server = first_then(
        too_many()
            .insert_header("x-ratelimit-daily-remaining", "0")
            .insert_header("x-ratelimit-limit-daily", "200000")
            .insert_header("retry-after", "0"),
        created(),
    )
    .await;
    let err = create_minimal(&client_for(&server)).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert!(err.rate_limit().unwrap().daily_exhausted());
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("daily request limit"), "{err}");
    assert_eq!(received_count(&server).await, 1);
}

#[tokio::test]
async fn does_not_wait_longer_than_the_policy_allows() {
    let server = first_then(too_many().insert_header("retry-after", "3600"), created()).await;
    let err = create_minimal(&client_for(&server)).await.unwrap_err();
    let Error::RateLimited { retry_after, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*retry_after, Some(Duration::from_secs(3600)));
    assert!(err.is_retryable(), "the caller may try again later");
    assert_eq!(received_count(&server).await, 1);
}

#[tokio::test]
async fn gives_up_after_the_configured_attempts() {
    let server = answering_posts(too_many().insert_header("retry-after", "0")).await;
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::default().max_attempts(4))
        .build()
        .unwrap();
    let err = create_minimal(&client).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }));
    assert_eq!(received_count(&server).await, 4);
}

#[tokio::test]
async fn a_stalled_response_times_out_after_exactly_one_request() {
    let server = answering_posts(created().set_delay(Duration::from_secs(3))).await;
    let client = builder_for(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = create_minimal(&client).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("create-calendar may have taken effect")
    );
    assert_eq!(
        received_count(&server).await,
        1,
        "a POST that may have been processed is never resent"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_reported_as_connect() {
    let events = capture_tracing();
    let client = Client::builder()
        .token(TOKEN)
        .base_url(refused_url())
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let _guard = events.install();
    let err = create_minimal(&client).await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    assert!(err.is_retryable() && err.nothing_sent());
    assert_eq!(
        events.text().matches("retrying").count(),
        2,
        "{}",
        events.text()
    );
}

/// A provider whose first token is rejected and whose refresh gives the accepted one, which
/// it then answers with.
struct Rotating {
    refreshes: AtomicUsize,
}

impl TokenProvider for Rotating {
    fn token(&self) -> TokenFuture<'_, Token> {
        let current = if self.refreshes.load(Ordering::SeqCst) == 0 {
            "old-token-1111"
        } else {
            "new-token-2222"
        };
        Box::pin(async move { Ok(Token::new(current)) })
    }
    fn refresh(&self, rejected: &Token) -> TokenFuture<'_, Option<Token>> {
        assert_eq!(rejected.expose_secret(), "old-token-1111");
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(Some(Token::new("new-token-2222"))) })
    }
}

async fn rotating_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer old-token-1111"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"statusCode": 401, "message": "expired"})),
        )
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer new-token-2222"))
        .respond_with(created())
        .mount(&server)
        .await;
    server
}

/// A client for `server` with a new [`Rotating`] provider, which the test keeps to count its
/// refreshes.
fn client_with_rotating_token(server: &MockServer) -> (Arc<Rotating>, Client) {
    let provider = Arc::new(Rotating {
        refreshes: AtomicUsize::new(0),
    });
    let client = Client::builder()
        .token_provider(SharedProvider(provider.clone()))
        .base_url(server.uri())
        .build()
        .unwrap();
    (provider, client)
}

/// The client owns its provider; this one shares a [`Rotating`] with the test, which counts
/// its refreshes.
struct SharedProvider(Arc<Rotating>);

impl TokenProvider for SharedProvider {
    fn token(&self) -> TokenFuture<'_, Token> {
        self.0.token()
    }
    fn refresh(&self, rejected: &Token) -> TokenFuture<'_, Option<Token>> {
        self.0.refresh(rejected)
    }
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries_once() {
    let server = rotating_server().await;
    let (provider, client) = client_with_rotating_token(&server);
    create_minimal(&client).await.unwrap();
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(received_count(&server).await, 2);
}

#[tokio::test]
async fn concurrent_401s_share_one_refresh() {
    let server = rotating_server().await;
    let (provider, client) = client_with_rotating_token(&server);
    let calls = (0..8).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { create_minimal(&client).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failing_refresh_is_a_token_error() {
    struct Broken;
    impl TokenProvider for Broken {
        fn token(&self) -> TokenFuture<'_, Token> {
            Box::pin(async { Ok(Token::new("old-token-1111")) })
        }
        fn refresh(&self, _: &Token) -> TokenFuture<'_, Option<Token>> {
            Box::pin(async { Err(TokenError::new("the refresh token was revoked")) })
        }
    }
    let server = rotating_server().await;
    let client = Client::builder()
        .token_provider(Broken)
        .base_url(server.uri())
        .build()
        .unwrap();
    let err = create_minimal(&client).await.unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
    assert!(err.to_string().contains("revoked"));
    assert_eq!(received_count(&server).await, 1);
}

#[tokio::test]
async fn the_timeout_applies_to_a_caller_supplied_http_client() {
    let server = answering_posts(created().set_delay(Duration::from_secs(3))).await;
    let client = builder_for(&server)
        .http_client({
            highlevel_calendars::install_tls_provider();
            reqwest::Client::new()
        })
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = create_minimal(&client).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(received_count(&server).await, 1);
}

/// A 503 (a gateway in front of HighLevel) is retried for GET, PUT and DELETE, which cannot act
/// twice, and never for a POST, which could create a second calendar.
#[tokio::test]
async fn a_503_is_retried_by_method() {
    let server = MockServer::start().await;
    let unavailable = || ResponseTemplate::new(503).set_body_string("<html>busy</html>");
    Mock::given(method("GET"))
        .respond_with(unavailable())
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(seed_response()))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(unavailable())
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(unavailable())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(unavailable())
        .mount(&server)
        .await;
    let client = builder_for(&server).build().unwrap();

    let got = client.get_calendar("cal_1").send().await.unwrap();
    assert_eq!(got.calendar.id, seed_response()["calendar"]["id"]);
    let update = highlevel_calendars::types::CalendarUpdateDto::builder().name("Renamed");
    let put = client
        .update_calendar("cal_1", update)
        .send()
        .await
        .unwrap_err();
    assert_eq!(put.status().map(|s| s.as_u16()), Some(503), "{put}");
    client.delete_calendar("cal_1").send().await.unwrap();
    let post = create_minimal(&client).await.unwrap_err();
    assert_eq!(post.status().map(|s| s.as_u16()), Some(503), "{post}");

    let count = |m: &'static str| {
        let server = &server;
        async move {
            server
                .received_requests()
                .await
                .unwrap()
                .iter()
                .filter(|r| r.method.as_str() == m)
                .count()
        }
    };
    assert_eq!(count("GET").await, 3, "two 503s, then the answer");
    assert_eq!(count("PUT").await, 3, "every attempt of the policy");
    assert_eq!(count("DELETE").await, 2);
    assert_eq!(count("POST").await, 1, "a POST is never sent twice");
}

#[tokio::test]
async fn a_401_names_the_scopes_the_operation_needs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "statusCode": 401, "message": "Unauthorized", "traceId": "t-401"
        })))
        .mount(&server)
        .await;
    let err = client_for(&server)
        .get_calendar("cal_1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("calendars.readonly"), "{text}");
    assert!(!text.contains("calendars.write"), "{text}");
    assert!(text.contains("t-401"), "{text}");
}

#[tokio::test]
async fn an_empty_path_parameter_is_refused_before_sending() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .get_calendar("")
        .send()
        .await
        .unwrap_err();
    let problems = validation_problems(&err);
    assert!(
        problems.has("calendarId", highlevel_calendars::Rule::REQUIRED),
        "{problems}"
    );
    assert_eq!(received_count(&server).await, 0);
}
