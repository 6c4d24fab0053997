//! The Calendars sandbox, one test binary split by concern: the client against it (`client`),
//! raw requests (`http`), rate limits and pacing (`limits`), faults (`faults`) and the README's
//! main job as a process (`main_job`). This file holds what they share.
//! (`tests/every_operation.rs` calls every operation once.)
#![cfg(feature = "sandbox")]

mod client;
#[path = "../common/mod.rs"]
mod common;
mod faults;
mod http;
mod limits;
mod main_job;

use common::sandbox::{assert_stopped_by_the_daily_allowance, rate_limited};
use common::{json_eq, seed_request};
use highlevel_calendars::calendar::{self, member};
use highlevel_calendars::rules::{self, validate};
use highlevel_calendars::sandbox::{Fault, Sandbox};
use highlevel_calendars::types::builder::CalendarCreateDtoBuilder;
use highlevel_calendars::types::{
    CalendarCreateDto, CalendarUpdateDto, CalendarsGetSuccessfulResponseDto,
};
use highlevel_calendars::validation::Rule;
use highlevel_calendars::{
    API_VERSION, ApiError, Client, Created, Error, Pacing, RateLimit, Response, RetryPolicy,
    Validation, ValidationError,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Display;
use std::time::Duration;

/// A client for `sandbox` with quick connection retries and a timeout that still fails fast.
fn client(sandbox: &Sandbox) -> Client {
    sandbox
        .client_builder()
        .timeout(Duration::from_secs(10))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .expect("a valid client")
}

/// A sandbox with the default settings and a [`client`] for it.
async fn sandbox_and_client() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox);
    (sandbox, client)
}

/// A sandbox that accepts only `token`.
async fn accepting_only(token: &str) -> Sandbox {
    Sandbox::builder().token(token).start().await.unwrap()
}

/// A client for `sandbox` that paces its calls by `pacing`.
fn client_with_pacing(sandbox: &Sandbox, pacing: Pacing) -> Client {
    sandbox.client_builder().pacing(pacing).build().unwrap()
}

/// A client for `sandbox` that never sends a request twice.
fn client_without_retries(sandbox: &Sandbox) -> Client {
    sandbox
        .client_builder()
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

/// An event calendar named `name` in location `loc`.
fn event(name: impl Into<String>) -> CalendarCreateDtoBuilder {
    calendar::event("loc", name)
}

/// Sends Create Calendar with `body`.
async fn create(
    client: &Client,
    body: impl TryInto<CalendarCreateDto, Error: Display>,
) -> Result<Created, Error> {
    client.create_calendar(body).send().await
}

/// Sends Get Calendars for location `loc`.
async fn list(client: &Client) -> Result<Response<CalendarsGetSuccessfulResponseDto>, Error> {
    client.get_calendars("loc").send().await
}

/// The error HighLevel sent, from an [`Error::Api`] and no other kind.
fn expect_api(error: &Error) -> &ApiError {
    match error {
        Error::Api(api) => api,
        other => panic!("expected Api, got {other:?}"),
    }
}

/// An update body from its JSON.
fn changes(body: Value) -> CalendarUpdateDto {
    serde_json::from_value(body).unwrap()
}

/// A personal calendar with two members: it breaks only [`rules::PERSONAL_HAS_ONE_MEMBER`].
fn two_member_personal() -> Value {
    json!({
        "locationId": "loc", "name": "Mine", "calendarType": "personal",
        "teamMembers": [{"userId": "a"}, {"userId": "b"}]
    })
}

/// A plain HTTP client, for requests the SDK would refuse or shape differently.
fn raw() -> reqwest::Client {
    // reqwest is built here with `rustls-no-provider`: it panics unless a crypto provider is
    // installed, which the crate does when it builds its first client.
    Client::builder()
        .token("t")
        .build()
        .expect("a valid client");
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a plain client")
}

/// A raw `method` request to `path` on `sandbox` with a token and no other header.
fn request(sandbox: &Sandbox, method: Method, path: &str) -> reqwest::RequestBuilder {
    raw()
        .request(method, format!("{}{path}", sandbox.base_url()))
        .bearer_auth("t")
}

/// Posts `body` as HighLevel expects it (token, Version, JSON) and reads the answer.
async fn post(sandbox: &Sandbox, body: &Value) -> (StatusCode, RateLimit, Value) {
    answer(
        raw()
            .post(format!("{}/calendars/", sandbox.base_url()))
            .bearer_auth(sandbox.token())
            .header("Version", API_VERSION)
            .json(body),
    )
    .await
}

/// Sends `request` and reads the answer.
async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, RateLimit, Value) {
    read(request.send().await.expect("the sandbox answers")).await
}

/// Status, rate-limit headers and JSON body of a response.
async fn read(response: reqwest::Response) -> (StatusCode, RateLimit, Value) {
    let status = response.status();
    let limit = RateLimit::from_headers(response.headers());
    let body = response.json().await.expect("a JSON body");
    (status, limit, body)
}

/// The field path each message of a 422 starts with.
fn named_paths(error_body: &Value) -> BTreeSet<String> {
    error_body["message"]
        .as_array()
        .expect("a list of messages")
        .iter()
        .map(|m| m.as_str().unwrap().split(' ').next().unwrap().to_string())
        .collect()
}

/// The field paths the client's violations name.
fn violation_paths(error: &ValidationError) -> BTreeSet<String> {
    error.violations().iter().map(|v| v.path.clone()).collect()
}

/// A set of field paths, to compare with [`named_paths`].
fn paths<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.map(String::from).into()
}

fn assert_error_shape(body: &Value, status: u16, error: &str) {
    assert_eq!(body["statusCode"], status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    let trace = body["traceId"].as_str().expect("a traceId");
    assert_eq!(trace.len(), 36, "uuid-like: {trace}");
}

fn assert_all_limit_headers(limit: &RateLimit) {
    assert!(limit.daily_limit.is_some(), "{limit:?}");
    assert!(limit.daily_remaining.is_some(), "{limit:?}");
    assert!(limit.interval.is_some(), "{limit:?}");
    assert!(limit.interval_max.is_some(), "{limit:?}");
    assert!(limit.remaining.is_some(), "{limit:?}");
}

fn is_calendar_id(id: &str) -> bool {
    id.len() == 20 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}
