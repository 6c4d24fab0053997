//! Shared helpers for the integration tests: fixtures, the smallest request, a server and a
//! client on loopback, and JSON comparison; [`sandbox`] for the tests against the sandbox.
#![allow(dead_code)]

#[cfg(feature = "sandbox")]
pub mod oauth;
#[cfg(all(feature = "sandbox", unix))]
pub mod program;
pub mod redis_server;
#[cfg(feature = "sandbox")]
pub mod sandbox;
#[cfg(all(feature = "sandbox", feature = "webhooks"))]
pub mod webhook_receiver;
pub mod workers;

use highlevel_calendars::types::CalendarCreateDto;
use highlevel_calendars::types::builder::CalendarCreateDtoBuilder;
use highlevel_calendars::{Client, ClientBuilder, Created, Error, RetryPolicy, ValidationError};
use serde_json::Value;
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Respond};

/// A token that must never show up in any output.
pub const TOKEN: &str = "pit-test-9f8e7d6c5b4a";

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn seed_request() -> Value {
    fixture("create-calendar-request.json")
}

pub fn seed_response() -> Value {
    fixture("create-calendar-response.json")
}

/// The smallest Create Calendar body: a location and a name.
pub fn minimal() -> CalendarCreateDtoBuilder {
    CalendarCreateDto::builder()
        .location_id("loc")
        .name("Calendar")
}

/// Sends Create Calendar with the [`minimal`] body.
pub async fn create_minimal(client: &Client) -> Result<Created, Error> {
    client.create_calendar(minimal()).send().await
}

/// A server that answers every POST with `response`.
pub async fn answering_posts(response: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// The problems of an [`Error::Validation`]; any other error fails the test.
pub fn validation_problems(err: &Error) -> &ValidationError {
    let Error::Validation(problems) = err else {
        panic!("{err:?}")
    };
    problems
}

/// A builder aimed at `server`, with fast retries so tests do not wait.
pub fn builder_for(server: &MockServer) -> ClientBuilder {
    keep_callsites_interested();
    Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_secs(5))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20)),
        )
}

/// A loopback URL where nothing listens (a port that was free a moment ago), so connecting is
/// refused.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("a bound address").port();
    format!("http://127.0.0.1:{port}")
}

pub fn client_for(server: &MockServer) -> Client {
    builder_for(server).build().expect("valid test client")
}

/// JSON equality where numbers compare by value (`30` equals `30.0`), as a JSON reader such as
/// HighLevel's JavaScript server sees them.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The JSON bodies the server received.
pub async fn received_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("the client sends JSON"))
        .collect()
}

pub async fn received_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

/// Matches a request whose JSON body equals `expected` by [`json_eq`].
pub struct JsonBody(pub Value);

impl wiremock::Match for JsonBody {
    fn matches(&self, request: &wiremock::Request) -> bool {
        serde_json::from_slice::<Value>(&request.body).is_ok_and(|body| json_eq(&body, &self.0))
    }
}

/// Everything tracing prints while installed, at TRACE level.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Makes this capture the thread's default subscriber until the guard drops (tests run on
    /// a current-thread runtime, so the whole call is on this thread).
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        keep_callsites_interested();
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        guard
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn capture_tracing() -> Captured {
    Captured::default()
}

/// tracing caches, per event site, whether any subscriber wants it. A test without a
/// subscriber that reaches a site first, on another thread, can make it "never" for the test
/// that captures. A global subscriber that answers "sometimes" (and then takes nothing)
/// keeps every site asking the current thread's subscriber.
fn keep_callsites_interested() {
    struct Sometimes;
    impl tracing::Subscriber for Sometimes {
        fn register_callsite(
            &self,
            _: &'static tracing::Metadata<'static>,
        ) -> tracing::subscriber::Interest {
            tracing::subscriber::Interest::sometimes()
        }
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            false
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, _: &tracing::Event<'_>) {}
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing::subscriber::set_global_default(Sometimes);
    });
}
