//! What goes over the wire for Create Calendar, checked on a loopback server.

mod common;

use common::*;
use highlevel_calendars::types::{CalendarByIdSuccessfulResponseDto, CalendarCreateDto};
use highlevel_calendars::{API_VERSION, enums};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn seed_request_round_trips_through_the_generated_type() {
    let seed = seed_request();
    let typed: CalendarCreateDto = serde_json::from_value(seed.clone()).expect("seed decodes");
    let back = serde_json::to_value(&typed).unwrap();
    // Exactly equal, numbers included: a whole number goes out as `30`, as in the seed.
    assert_eq!(seed, back, "nothing added, lost or reformatted");
    assert_eq!(
        serde_json::to_vec(&typed).unwrap().len(),
        serde_json::to_vec(&seed).unwrap().len(),
        "the same number of bytes as HighLevel's example"
    );
}

#[test]
fn seed_response_decodes_with_deprecated_meeting_fields() {
    let response: CalendarByIdSuccessfulResponseDto =
        serde_json::from_value(seed_response()).expect("seed response decodes");
    let calendar = response.calendar;
    assert_eq!(calendar.id, "0TkCdp9PfvLeWKYRRvIz");
    assert_eq!(calendar.meeting_location.as_deref(), Some("<string>"));
    let members = calendar.team_members.expect("team members present");
    assert_eq!(
        members[0].meeting_location_type,
        Some(enums::MeetingLocationType::Custom)
    );
    assert_eq!(
        calendar.calendar_type,
        Some(enums::CalendarType::RoundRobin)
    );
}

#[test]
fn the_version_header_comes_from_the_document() {
    assert_eq!(API_VERSION, "2021-04-15");
}

#[tokio::test]
async fn sends_post_calendars_with_token_version_content_type_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/calendars/"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("version", "2021-04-15"))
        .and(header("content-type", "application/json"))
        .and(JsonBody(seed_request()))
        .respond_with(ResponseTemplate::new(201).set_body_json(seed_response()))
        .expect(1)
        .mount(&server)
        .await;
    let body: CalendarCreateDto = serde_json::from_value(seed_request()).unwrap();
    let created = client_for(&server)
        .create_calendar(body)
        .send()
        .await
        .expect("201 is a success");
    assert_eq!(created.status, 201);
    assert_eq!(created.calendar.id, "0TkCdp9PfvLeWKYRRvIz");

    let requests = server.received_requests().await.unwrap();
    let headers = &requests[0].headers;
    assert!(
        headers.get("api-version").is_none(),
        "progenitor's api-version header is removed"
    );
    let agent = headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(agent.starts_with("highlevel-calendars/"), "{agent}");
}

#[tokio::test]
async fn a_body_with_only_location_and_name_sends_exactly_those() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(seed_response()))
        .mount(&server)
        .await;
    let body = CalendarCreateDto::builder()
        .location_id("ocQHyuzHvysMo5N5VsXc")
        .name("Minimal");
    client_for(&server)
        .create_calendar(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        received_bodies(&server).await,
        vec![json!({"locationId": "ocQHyuzHvysMo5N5VsXc", "name": "Minimal"})]
    );
}

#[tokio::test]
async fn the_documented_200_is_accepted_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(seed_response()))
        .mount(&server)
        .await;
    let body = CalendarCreateDto::builder().location_id("l").name("n");
    let created = client_for(&server)
        .create_calendar(body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status, 200);
}

#[tokio::test]
async fn the_version_header_can_be_overridden() {
    let server = MockServer::start().await;
    Mock::given(header("version", "2099-01-01"))
        .respond_with(ResponseTemplate::new(201).set_body_json(seed_response()))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder_for(&server)
        .api_version("2099-01-01")
        .build()
        .unwrap();
    let body = CalendarCreateDto::builder().location_id("l").name("n");
    client.create_calendar(body).send().await.unwrap();
}

/// List setters take any iterator of things that convert into the items: string literals for
/// a list of strings, in a query parameter and in a body field alike.
#[tokio::test]
async fn list_setters_take_string_literals() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let _ = client_for(&server)
        .get_slots("calendar_1", 1_700_000_000_000_i64, 1_700_086_400_000_i64)
        .user_ids(vec!["user_a", "user_b"])
        .send()
        .await;
    let requests = server.received_requests().await.unwrap();
    let query: Vec<(String, String)> = requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let users: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "userIds")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(users, ["user_a", "user_b"], "{query:?}");

    let notification = highlevel_calendars::types::CreateCalendarNotificationDto::builder()
        .additional_email_ids(["a@example.com", "b@example.com"]);
    let text = format!("{notification:?}");
    assert!(
        text.contains(r#"additional_email_ids: Ok(["a@example.com", "b@example.com"])"#),
        "{text}"
    );
}
