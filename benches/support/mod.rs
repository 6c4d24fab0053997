//! What the round-trip benchmarks share: the minimal loopback server and the hand-written
//! reqwest + serde_json client the SDK is compared with.

#[cfg(feature = "redis")]
#[path = "../../tests/common/redis_server.rs"]
#[allow(dead_code)]
pub mod redis_server;

use highlevel_calendars::types::{CalendarByIdSuccessfulResponseDto, CalendarCreateDto};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use tokio::net::TcpListener;

pub const REQUEST: &str = include_str!("../../tests/fixtures/create-calendar-request.json");
pub const RESPONSE: &str = include_str!("../../tests/fixtures/create-calendar-response.json");
pub const TOKEN: &str = "pit-bench-token";

/// What every round-trip benchmark starts from: a one-thread runtime (server and clients alike:
/// on a shared 2-core machine, wake-ups across worker threads add more variance than either
/// client costs), HighLevel's example request, and the loopback server's base URL.
pub fn setup() -> (tokio::runtime::Runtime, CalendarCreateDto, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: CalendarCreateDto = serde_json::from_str(REQUEST).unwrap();
    let url = runtime.block_on(start_server());
    highlevel_calendars::install_tls_provider();
    (runtime, body, url)
}

/// OAuth tokens holding a token for `body`'s sub-account that lasts a day, in memory: what a
/// call of an installed app finds.
#[allow(dead_code)]
pub async fn stored_oauth_token(
    body: &CalendarCreateDto,
) -> highlevel_calendars::oauth::OAuthTokens {
    use highlevel_calendars::oauth::{
        Expect, MemoryTokenStore, OAuthApp, OAuthTokens, Owner, StoredToken, TokenStore,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let owner = Owner::location(body.location_id.as_str());
    let token = StoredToken::from_json(&format!(
        r#"{{"access_token":"{TOKEN}","refresh_token":"r","issued_at":{now},
            "expires_at":{},"user_type":"Location","location_id":"{}"}}"#,
        now + 86_400_000,
        owner.id()
    ))
    .unwrap();
    let store = MemoryTokenStore::new();
    store
        .put("bench-app", &owner, &token, Expect::Any)
        .await
        .unwrap();
    let app = OAuthApp::new("bench-app", "bench-secret", "http://127.0.0.1/callback").unwrap();
    OAuthTokens::new(app).store(store)
}

/// Starts a keep-alive HTTP/1 server that reads each request body and answers 201 with
/// HighLevel's example response; returns its base URL.
pub async fn start_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let service = service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        use http_body_util::BodyExt;
                        let _ = request.into_body().collect().await;
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .status(201)
                                .header("content-type", "application/json")
                                // What HighLevel sends with every answer (limits raised so
                                // that pacing never has to wait in a benchmark).
                                .header("x-ratelimit-max", "1000000")
                                .header("x-ratelimit-interval-milliseconds", "10000")
                                .header("x-ratelimit-remaining", "999999")
                                .header("x-ratelimit-limit-daily", "100000000")
                                .header("x-ratelimit-daily-remaining", "99999999")
                                .body(Full::new(Bytes::from_static(RESPONSE.as_bytes())))
                                .unwrap(),
                        )
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

/// The hand-written baseline: what a user would write with reqwest and serde alone.
pub struct Baseline {
    pub http: reqwest::Client,
    pub url: String,
}

impl Baseline {
    /// A baseline posting to the server at `base_url`.
    pub fn new(base_url: &str) -> Baseline {
        Baseline {
            http: reqwest::Client::new(),
            url: format!("{base_url}/calendars/"),
        }
    }

    pub async fn create(&self, body: &CalendarCreateDto) -> CalendarByIdSuccessfulResponseDto {
        let bytes = serde_json::to_vec(body).unwrap();
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(TOKEN)
            .header("Version", "2021-04-15")
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }
}
