//! The client against the embedded sandbox, the sandbox against raw requests, and the README's
//! main job run as a process. (`tests/every_operation.rs` calls every operation once.)
#![cfg(feature = "sandbox")]

mod common;

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

#[tokio::test]
async fn every_calendar_type_is_created() {
    let (sandbox, client) = sandbox_and_client().await;
    let bodies = [
        (
            "round_robin",
            calendar::round_robin("loc", "RR", [member("a"), member("b")]),
        ),
        ("event", calendar::event("loc", "Event")),
        (
            "class_booking",
            calendar::class_booking("loc", "Class", [member("a")]),
        ),
        (
            "collective",
            calendar::collective("loc", "All hands", "a", [member("b")]),
        ),
        (
            "service_booking",
            calendar::service_booking("loc", "Service", [member("a")]),
        ),
        ("personal", calendar::personal("loc", "Mine", "a")),
    ];
    let mut ids = BTreeSet::new();
    for (i, (kind, body)) in bodies.into_iter().enumerate() {
        let created = create(&client, body.slug(format!("{kind}-calendar")))
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(created.status, StatusCode::CREATED);
        let calendar = &created.calendar;
        assert!(is_calendar_id(&calendar.id), "{}", calendar.id);
        assert_eq!(calendar.calendar_type.as_ref().unwrap().as_str(), kind);
        assert_eq!(
            calendar.slug.as_deref(),
            Some(format!("{kind}-calendar").as_str())
        );
        assert_eq!(
            calendar.slot_duration.map(|n| n.get()),
            Some(30.0),
            "server default"
        );
        assert_eq!(calendar.is_active, Some(true), "server default");
        assert_all_limit_headers(&created.rate_limit);
        assert_eq!(created.rate_limit.remaining, Some(100 - 1 - i as u64));
        ids.insert(calendar.id.clone());
    }
    assert_eq!(ids.len(), 6, "ids are unique");
    let stored = sandbox.calendars_in("loc");
    assert_eq!(stored.len(), 6);
    assert_eq!(
        stored[0]["teamMembers"][1]["priority"],
        json!(0.5),
        "member default"
    );
    assert_eq!(sandbox.requests_received(), 6);
}

#[tokio::test]
async fn the_seed_is_echoed_with_an_id() {
    let (sandbox, client) = sandbox_and_client().await;
    let seed = seed_request();
    let body: CalendarCreateDto = serde_json::from_value(seed.clone()).unwrap();
    let created = create(&client, body).await.unwrap();
    let stored = &sandbox.calendars()[0];
    assert_eq!(stored["id"], created.calendar.id.as_str());
    for (field, sent) in seed.as_object().unwrap() {
        assert!(
            json_eq(sent, &stored[field]),
            "{field}: sent {sent}, stored {}",
            stored[field]
        );
    }
}

#[tokio::test]
async fn conference_locations_get_a_meeting_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({
        "locationId": "loc",
        "name": "Zoom calls",
        "calendarType": "personal",
        "teamMembers": [{"userId": "a", "locationConfigurations": [{"kind": "zoom_conference"}]}]
    });
    let (status, _, body) = post(&sandbox, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let config = &body["calendar"]["teamMembers"][0]["locationConfigurations"][0];
    assert_eq!(config["kind"], "zoom_conference");
    assert!(config["meetingId"].is_string(), "{config}");
}

/// Bodies the client's stated rules refuse, each with a different rule broken.
fn invalid_bodies() -> Vec<Value> {
    vec![
        json!({
            "locationId": "loc", "name": "Mine", "calendarType": "personal",
            "teamMembers": [
                {"userId": "a", "locationConfigurations": [{"kind": "custom"}, {"kind": "physical"}]},
                {"userId": "b", "locationConfigurations": [{"kind": "custom"}, {"kind": "booker"}]}
            ]
        }),
        json!({
            "locationId": "loc", "name": "All", "calendarType": "collective",
            "teamMembers": [{"userId": "a"}, {"userId": "b", "priority": 0.7}]
        }),
        json!({
            "locationId": "loc", "name": "Webinar", "calendarType": "event",
            "locationConfigurations": [{"kind": "zoom_conference", "location": "https://zoom.us/j/1"}],
            "availabilities": [{"date": "2023-09-24", "hours": []}]
        }),
        json!({
            "locationId": "loc", "name": "Weekly", "calendarType": "weekly",
            "openHours": [{"daysOfTheWeek": [9], "hours": [{"openHour": 25, "openMinute": 0, "closeHour": 1, "closeMinute": 0}]}],
            "enableRecurring": true
        }),
        json!({"calendarType": "round_robin", "teamMembers": [{"priority": 1}]}),
    ]
}

#[tokio::test]
async fn the_sandbox_names_the_fields_the_client_names() {
    let (sandbox, client) = sandbox_and_client().await;
    for body in invalid_bodies() {
        let client_error =
            validate(&body, &Validation::stated()).expect_err("the client refuses it");
        let client_paths = violation_paths(&client_error);

        // Where the body fits the generated types, the SDK itself refuses to send it.
        if let Ok(typed) = serde_json::from_value::<CalendarCreateDto>(body.clone()) {
            let before = sandbox.requests_received();
            match create(&client, typed).await {
                Err(Error::Validation(e)) => assert_eq!(violation_paths(&e), client_paths),
                other => panic!("expected a validation error, got {other:?}"),
            }
            assert_eq!(sandbox.requests_received(), before, "nothing sent");
        }

        let (status, limit, error) = post(&sandbox, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_error_shape(&error, 422, "Unprocessable Entity");
        assert_all_limit_headers(&limit);
        assert_eq!(
            named_paths(&error),
            client_paths,
            "sandbox: {error}\nclient: {client_error}"
        );
    }
    assert!(sandbox.calendars().is_empty());
}

#[tokio::test]
async fn with_the_rules_off_only_decoding_problems_are_refused() {
    let sandbox = Sandbox::builder()
        .validation(Validation::off())
        .start()
        .await
        .unwrap();
    // A wrong type is still refused: the body does not decode into the request type (which
    // a typed client cannot send anyway).
    let body = json!({"locationId": "loc", "name": 7, "calendarType": "weekly"});
    let client_error = validate(&body, &Validation::stated()).unwrap_err();
    assert!(client_error.has("name", Rule::TYPE), "{client_error}");
    let (status, _, error) = post(&sandbox, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(named_paths(&error), paths(["name"]));

    // A body that breaks only a rule is accepted, as the client would send it.
    let two_members = two_member_personal();
    let stated = validate(&two_members, &Validation::stated()).unwrap_err();
    assert!(
        stated.has("teamMembers", rules::PERSONAL_HAS_ONE_MEMBER),
        "{stated}"
    );
    let (status, _, created) = post(&sandbox, &two_members).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(sandbox.calendars().len(), 1);
}

#[tokio::test]
async fn a_skipped_rule_is_not_enforced_by_the_sandbox_either() {
    let sandbox = Sandbox::builder()
        .validation(Validation::stated().skip(rules::PERSONAL_HAS_ONE_MEMBER))
        .start()
        .await
        .unwrap();
    let (status, _, body) = post(&sandbox, &two_member_personal()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, error) = post(&sandbox, &json!({"locationId": "loc"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(named_paths(&error), paths(["name"]));
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_401() {
    let sandbox = accepting_only("pit-right").await;
    let url = format!("{}/calendars/", sandbox.base_url());
    let body = json!({"locationId": "loc", "name": "n"});
    let attempts = [
        raw().post(&url),
        raw().post(&url).header("Authorization", "Bearer "),
        raw().post(&url).header("Authorization", "pit-right"),
        raw().post(&url).bearer_auth("pit-wrong"),
    ];
    for request in attempts {
        let (status, limit, error) =
            answer(request.header("Version", API_VERSION).json(&body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error_shape(&error, 401, "Unauthorized");
        assert_eq!(error["message"], "Invalid token: access token is invalid");
        assert_all_limit_headers(&limit);
        assert_eq!(
            limit.remaining,
            Some(100),
            "refused requests are not counted"
        );
    }

    let wrong = Client::builder()
        .base_url(sandbox.base_url())
        .token("pit-wrong")
        .build()
        .unwrap();
    let error = create(&wrong, event("n")).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    assert!(error.trace_id().is_some());

    let right = sandbox.client_builder().build().unwrap();
    create(&right, event("n"))
        .await
        .expect("the configured token is accepted");
    assert_eq!(sandbox.requests_received(), 6);
}

#[tokio::test]
async fn the_version_header_is_required_and_checked() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({"locationId": "loc", "name": "n"});
    for version in [None, Some("2020-01-01")] {
        let mut attempt = request(&sandbox, Method::POST, "/calendars").json(&body);
        if let Some(version) = version {
            attempt = attempt.header("Version", version);
        }
        let (status, limit, error) = answer(attempt).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_shape(&error, 400, "Bad Request");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with("Version header"), "{message}");
        assert!(message.contains(API_VERSION), "{message}");
        assert_all_limit_headers(&limit);
    }

    let outdated = sandbox
        .client_builder()
        .api_version("2020-01-01")
        .build()
        .unwrap();
    let error = create(&outdated, event("n")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST), "{error}");
    assert!(error.to_string().contains("Version header"), "{error}");
    assert!(sandbox.calendars().is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let sandbox = Sandbox::start().await.unwrap();
    let (status, _, error) = answer(
        request(&sandbox, Method::POST, "/calendars/")
            .header("Version", API_VERSION)
            .header("Content-Type", "application/json")
            .body(r#"{"locationId": "loc", "name": "#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&error, 400, "Bad Request");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_paths_are_404_and_other_methods_405_with_allow() {
    let sandbox = Sandbox::start().await.unwrap();
    let (status, limit, error) = answer(request(&sandbox, Method::GET, "/contacts/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&error, 404, "Not Found");
    assert_eq!(error["message"], "Cannot GET /contacts/");
    assert_all_limit_headers(&limit);

    // `/calendars/abc` is Get, Update and Delete Calendar; PATCH is none of them.
    let response = request(&sandbox, Method::PATCH, "/calendars/abc")
        .header("Version", API_VERSION)
        .json(&json!({"name": "n"}))
        .send()
        .await
        .unwrap();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    let (status, limit, error) = read(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allow.as_deref(), Some("GET, PUT, DELETE"));
    assert_error_shape(&error, 405, "Method Not Allowed");
    assert_all_limit_headers(&limit);

    // A literal segment wins over a parameter: this is Get Calendar Events, not calendar
    // `events`, and it needs its query parameters.
    let events = request(&sandbox, Method::GET, "/calendars/events?locationId=loc")
        .header("Version", API_VERSION);
    let (status, _, error) = answer(events).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(named_paths(&error), paths(["startTime", "endTime"]));
    assert_eq!(sandbox.requests_received(), 3);
}

#[tokio::test]
async fn a_calendar_is_created_read_updated_listed_and_deleted() {
    let (sandbox, client) = sandbox_and_client().await;
    let webinar = event("Webinar").slug(String::from("webinar"));
    let created = create(&client, webinar).await.unwrap();
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.calendar.id.clone();
    create(&client, calendar::event("other-loc", "Elsewhere"))
        .await
        .unwrap();

    let fetched = client.get_calendar(id.as_str()).send().await.unwrap();
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.calendar.id, id);
    assert_eq!(fetched.calendar.name, "Webinar");
    assert_eq!(
        fetched.calendar.slot_duration.map(|n| n.get()),
        Some(30.0),
        "server default"
    );
    assert_all_limit_headers(&fetched.rate_limit);

    let renamed = changes(json!({"name": "Webinar (new)", "slotDuration": 45}));
    let updated = client
        .update_calendar(id.as_str(), renamed)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.calendar.id, id, "the id stays");
    assert_eq!(updated.calendar.name, "Webinar (new)");
    assert_eq!(updated.calendar.slot_duration.map(|n| n.get()), Some(45.0));
    assert_eq!(updated.calendar.slug.as_deref(), Some("webinar"), "kept");
    assert_eq!(updated.calendar.location_id, "loc", "kept");

    let listed = list(&client).await.unwrap();
    let calendars = listed.calendars.as_ref().expect("a list");
    assert_eq!(calendars.len(), 1, "only the location's calendars");
    assert_eq!(calendars[0].id, id);
    assert_eq!(calendars[0].name, "Webinar (new)");

    let deleted = client.delete_calendar(id.as_str()).send().await.unwrap();
    assert_eq!(deleted.status, StatusCode::OK);
    assert!(deleted.success, "the document's delete answer");
    assert!(sandbox.calendars_in("loc").is_empty());

    let error = client.get_calendar(id.as_str()).send().await.unwrap_err();
    let api = expect_api(&error);
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.messages[0].contains(&id), "{api:?}");
    assert!(api.trace_id.is_some());
    let error = client
        .update_calendar(id.as_str(), changes(json!({"name": "x"})))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND), "{error}");
    let error = client
        .delete_calendar(id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND), "{error}");

    // The slug was freed with the calendar.
    create(&client, event("Again").slug(String::from("webinar")))
        .await
        .expect("the slug is free again");
    assert_eq!(sandbox.requests_received(), 10);
}

#[tokio::test]
async fn an_update_cannot_take_another_calendars_slug() {
    let (sandbox, client) = sandbox_and_client().await;
    let slugged = |name: &str, slug: &str| event(name).slug(slug.to_string());
    let first = create(&client, slugged("One", "one")).await.unwrap();
    let second = create(&client, slugged("Two", "two")).await.unwrap();
    let error = client
        .update_calendar(second.calendar.id.as_str(), changes(json!({"slug": "one"})))
        .send()
        .await
        .unwrap_err();
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status, StatusCode::CONFLICT);
    assert!(api.messages[0].starts_with("slug "), "{api:?}");
    assert!(api.messages[0].contains(&first.calendar.id), "{api:?}");
    assert_eq!(sandbox.calendars()[1]["slug"], "two", "unchanged");
}

#[tokio::test]
async fn an_update_body_is_checked_like_the_client_checks_it() {
    let (sandbox, client) = sandbox_and_client().await;
    let created = create(&client, event("Webinar")).await.unwrap();
    let path = format!("/calendars/{}", created.calendar.id);
    let body = json!({"slotDuration": "long", "teamMembers": [{"priority": 1}]});
    let (status, limit, error) = answer(
        request(&sandbox, Method::PUT, &path)
            .header("Version", API_VERSION)
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_error_shape(&error, 422, "Unprocessable Entity");
    assert_all_limit_headers(&limit);
    let refused = highlevel_calendars::operations::check_body(
        highlevel_calendars::operations::UPDATE_CALENDAR.id,
        body.to_string().as_bytes(),
        &Validation::stated(),
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(named_paths(&error), violation_paths(&refused));
    assert_eq!(sandbox.calendars()[0]["name"], "Webinar", "unchanged");
}

#[tokio::test]
async fn other_operations_check_their_version_and_query_too() {
    let sandbox = Sandbox::start().await.unwrap();
    let groups = |version: &str, location: &str| {
        request(&sandbox, Method::GET, "/calendars/groups")
            .header("Version", version)
            .query(&[("locationId", location)])
    };
    let (status, _, error) = answer(groups("2021-07-28", "loc")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("Version header must be 2021-04-15"),
        "{message}"
    );

    let (status, _, error) = answer(groups(API_VERSION, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(named_paths(&error), paths(["locationId"]));

    let groups = client(&sandbox)
        .get_groups("loc")
        .send()
        .await
        .expect("an answer made from the document");
    assert_eq!(groups.status, StatusCode::OK);
    assert_all_limit_headers(&groups.rate_limit);
}

#[tokio::test]
async fn the_sandbox_records_what_reached_it() {
    let sandbox = accepting_only("pit-recorded").await;
    let client = client(&sandbox);
    create(&client, event("Recorded")).await.unwrap();
    client
        .get_calendars("loc")
        .group_id("g 1")
        .send()
        .await
        .unwrap();
    // A GET is sent again after a dropped connection: both attempts reached the server.
    sandbox.inject(Fault::DropConnection);
    let listed = list(&client).await;
    assert!(listed.is_ok(), "{listed:?}");

    let requests = sandbox.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert_eq!(requests.len(), sandbox.requests_received());
    let create = &requests[0];
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/calendars/");
    assert_eq!(create.header("authorization"), Some("Bearer pit-recorded"));
    assert_eq!(create.header("Version"), Some(API_VERSION));
    assert_eq!(
        create.json(),
        Some(json!({"locationId": "loc", "name": "Recorded", "calendarType": "event"}))
    );
    let list = &requests[1];
    assert_eq!(
        (list.method.as_str(), list.path_only()),
        ("GET", "/calendars/")
    );
    let mut query = list.query();
    query.sort();
    assert_eq!(
        query,
        [
            ("groupId".to_string(), "g 1".to_string()),
            ("locationId".into(), "loc".into())
        ]
    );
    assert!(list.body.is_empty());
    assert_eq!(
        requests[2].path_only(),
        "/calendars/",
        "a dropped request is recorded"
    );
    let printed = format!("{requests:?}");
    assert!(!printed.contains("pit-recorded"), "{printed}");
}

#[tokio::test]
async fn past_the_interval_limit_429_then_success_after_the_window() {
    // Two seconds leaves room for a slow machine to send the first requests within the
    // window; Retry-After, in whole seconds, is then 1 or 2.
    let sandbox = rate_limited(2, Duration::from_secs(2)).await;
    // The sandbox's 429s and the retry policy, not the client's pacing, are under test here.
    let client = client_with_pacing(&sandbox, Pacing::off());
    for name in ["one", "two"] {
        create(&client, event(name)).await.unwrap();
    }

    let (status, limit, error) =
        post(&sandbox, &json!({"locationId": "loc", "name": "three"})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_error_shape(&error, 429, "Too Many Requests");
    assert_eq!(limit.remaining, Some(0));
    assert_eq!(limit.interval, Some(Duration::from_secs(2)));
    let wait = limit.retry_after.expect("Retry-After");
    assert!(
        wait >= Duration::from_secs(1) && wait <= Duration::from_secs(2),
        "{wait:?}"
    );

    let impatient = client_without_retries(&sandbox);
    let error = create(&impatient, event("four")).await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert!(error.is_retryable());

    // Another location has its own allowance.
    create(&client, calendar::event("elsewhere", "five"))
        .await
        .expect("a separate allowance");

    // The default policy waits what Retry-After says and then succeeds.
    let created = create(&client, event("six"))
        .await
        .expect("accepted after the window");
    assert_eq!(created.calendar.name, "six");
    assert_eq!(created.rate_limit.remaining, Some(1));
    assert_eq!(sandbox.requests_received(), 7, "six was sent twice");
    assert_eq!(sandbox.calendars_in("loc").len(), 3);
}

#[tokio::test]
async fn without_a_location_the_token_is_limited() {
    let sandbox = rate_limited(1, Duration::from_secs(60)).await;
    let send = |token: &'static str| {
        raw()
            .post(format!("{}/calendars/", sandbox.base_url()))
            .bearer_auth(token)
            .header("Version", API_VERSION)
            .json(&json!({"name": "no location"}))
            .send()
    };
    assert_eq!(
        send("a").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        send("a").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send("b").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn an_exhausted_daily_limit_is_not_retried() {
    let sandbox = Sandbox::builder().daily_limit(1).start().await.unwrap();
    let client = client_with_pacing(&sandbox, Pacing::off());
    let created = create(&client, event("first")).await.unwrap();
    assert_eq!(created.rate_limit.daily_remaining, Some(0));
    assert_eq!(created.rate_limit.daily_limit, Some(1));

    let error = create(&client, event("second")).await.unwrap_err();
    match &error {
        Error::RateLimited { error: api, .. } => {
            assert!(api.rate_limit.daily_exhausted(), "{api:?}");
            assert!(api.messages[0].contains("daily"), "{api:?}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(sandbox.requests_received(), 2, "not retried");
}

#[tokio::test]
async fn a_slug_is_unique_per_location() {
    let (sandbox, client) = sandbox_and_client().await;
    let demo = |location: &str| calendar::event(location, "Demo").slug(String::from("demo"));
    let first = create(&client, demo("loc")).await.unwrap();

    let error = create(&client, demo("loc")).await.unwrap_err();
    let api = expect_api(&error);
    assert_eq!(api.status, StatusCode::CONFLICT);
    assert!(api.messages[0].starts_with("slug "), "{api:?}");
    assert!(api.messages[0].contains(&first.calendar.id), "{api:?}");

    create(&client, demo("other-loc"))
        .await
        .expect("another location may use the slug");
    assert_eq!(sandbox.calendars_in("loc").len(), 1);
    assert_eq!(sandbox.calendars().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_take_a_slug_once() {
    let (sandbox, client) = sandbox_and_client().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let client = client.clone();
        tasks.spawn(async move {
            let body = event(format!("race {i}")).slug(String::from("race"));
            create(&client, body).await.is_ok()
        });
    }
    let successes = tasks.join_all().await.into_iter().filter(|ok| *ok).count();
    assert_eq!(successes, 1);
    assert_eq!(sandbox.calendars().len(), 1);
    assert_eq!(sandbox.requests_received(), 8);
}

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

/// The compiled main job: `cargo test` builds examples next to the test binaries; when only
/// this test target was built, cargo builds the example.
fn main_job() -> std::process::Command {
    let name = format!("create_calendar{}", std::env::consts::EXE_SUFFIX);
    let built = std::env::current_exe()
        .ok()
        .and_then(|test| Some(test.parent()?.parent()?.join("examples").join(name)))
        .filter(|path| path.is_file());
    let mut command = match built {
        Some(path) => std::process::Command::new(path),
        None => {
            let mut cargo = std::process::Command::new(env!("CARGO"));
            cargo.args([
                "run",
                "--quiet",
                "--manifest-path",
                concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
                "--example",
                "create_calendar",
                "--features",
                "sandbox",
                "--",
            ]);
            cargo
        }
    };
    for variable in [
        "HIGHLEVEL_TOKEN",
        "HIGHLEVEL_LOCATION_ID",
        "HIGHLEVEL_BASE_URL",
    ] {
        command.env_remove(variable);
    }
    command
}

#[test]
fn the_main_job_creates_the_seed_in_the_sandbox() {
    let output = main_job().output().expect("the main job runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let mut lines = stdout.lines();
    let notice = lines.next().unwrap_or_default();
    assert!(notice.contains("sandbox"), "{stdout}");
    let id = lines
        .next()
        .and_then(|l| l.strip_prefix("created calendar "))
        .unwrap_or_else(|| panic!("no id in:\n{stdout}"));
    assert!(is_calendar_id(id), "{id}");
    assert!(stdout.contains("name: test calendar"), "{stdout}");
    assert!(stdout.contains("type: round_robin"), "{stdout}");
    assert!(stdout.contains("slug: test1"), "{stdout}");
    assert!(stdout.contains("99/100 left in the interval"), "{stdout}");
}

#[test]
fn the_main_job_reports_a_refused_definition_and_fails() {
    let path = std::env::temp_dir().join(format!("sandbox-test-{}.json", std::process::id()));
    std::fs::write(&path, two_member_personal().to_string()).unwrap();
    let output = main_job().arg(&path).output().expect("the main job runs");
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("teamMembers"), "{stderr}");
}

/// Runs the main job against `sandbox` with `token` and `location` in its environment.
async fn main_job_against(sandbox: &Sandbox, token: &str, location: &str) -> std::process::Output {
    let vars = [
        ("HIGHLEVEL_TOKEN", token.to_string()),
        ("HIGHLEVEL_LOCATION_ID", location.to_string()),
        ("HIGHLEVEL_BASE_URL", sandbox.base_url().to_string()),
    ];
    // Waiting for the process blocks; the sandbox answers on the runtime's other thread.
    tokio::task::spawn_blocking(move || main_job().envs(vars).output().expect("the main job runs"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_job_reads_its_settings_like_client_from_env() {
    let sandbox = accepting_only("env-token").await;
    let output = main_job_against(&sandbox, "env-token", "loc_from_env").await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !stdout.contains("sandbox"),
        "a configured server is used as is: {stdout}"
    );
    let stored = sandbox.calendars_in("loc_from_env");
    assert_eq!(
        stored.len(),
        1,
        "the location comes from HIGHLEVEL_LOCATION_ID"
    );
    assert!(
        stdout.contains(stored[0]["id"].as_str().unwrap()),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_job_prints_status_message_and_trace_id_on_an_api_error() {
    let sandbox = accepting_only("the-right-token").await;
    let output = main_job_against(&sandbox, "a-wrong-token", "loc").await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("401"), "{stderr}");
    assert!(stderr.contains("Invalid token"), "{stderr}");
    assert!(stderr.contains("traceId "), "{stderr}");
    assert!(
        !stderr.contains("a-wrong-token"),
        "the token is never printed: {stderr}"
    );
}

/// With pacing (the default) the client takes the sandbox's reported budget and waits for a
/// free slot instead of spending a request on a 429; the daily allowance it has seen used up
/// stops calls before they are sent.
#[tokio::test]
async fn pacing_avoids_the_429s_and_stops_at_the_daily_allowance() {
    let sandbox = rate_limited(3, Duration::from_millis(300)).await;
    let client = sandbox.client_builder().build().unwrap();
    let started = std::time::Instant::now();
    for i in 0..9 {
        create(&client, event(format!("paced {i}")))
            .await
            .expect("paced, never limited");
    }
    assert_eq!(sandbox.requests_received(), 9, "no 429 was paid for");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "three windows of three"
    );

    let daily = Sandbox::builder().daily_limit(1).start().await.unwrap();
    let client = daily.client_builder().build().unwrap();
    create(&client, event("first")).await.unwrap();
    assert_stopped_by_the_daily_allowance(&client, "second", &daily, 1).await;

    // Failing fast instead of waiting: nothing is sent either.
    let busy = rate_limited(1, Duration::from_secs(5)).await;
    let client = client_with_pacing(&busy, Pacing::fail());
    list(&client).await.unwrap();
    let error = list(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Throttled {
                retry_after: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("get-calendars: not sent"),
        "{error}"
    );
    assert_eq!(busy.requests_received(), 1);
}

/// One process, sixteen tasks, one shared budget of 20 calls per second: no 429 is paid for
/// (every request the sandbox received was a success) and the rate stays near the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_tasks_share_one_budget_without_429s() {
    const CALLS: usize = 100;
    let sandbox = rate_limited(20, Duration::from_secs(1)).await;
    let client = sandbox.client_builder().build().unwrap();
    // The first answer tells the client the budget (HighLevel's default is 100 per 10 s).
    list(&client).await.unwrap();
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in (task..CALLS).step_by(16) {
                    list(&client).await?;
                }
                Ok::<(), Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every call succeeds");
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(
        sandbox.requests_received(),
        CALLS + 1,
        "no request was answered 429 and sent again"
    );
    // 101 calls in windows of 20 take at least four more seconds; 90 % of the limit is 18/s
    // over the windows the calls needed.
    let windows = (CALLS + 1).div_ceil(20) as f64 - 1.0;
    assert!(elapsed >= windows * 0.95, "paced: {elapsed:.2} s");
    let rate = CALLS as f64 / elapsed.max(windows);
    assert!(rate >= 18.0, "{rate:.1} calls/s of 20/s ({elapsed:.2} s)");
}
