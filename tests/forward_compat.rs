//! Responses from a newer HighLevel still decode: new enum values, new fields, nulls, integers.

mod common;

use common::*;
use highlevel_calendars::enums::{CalendarType, LocationKind, MeetingLocationType};
use highlevel_calendars::types::{CalendarByIdSuccessfulResponseDto, CalendarCreateDto};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn decode(body: serde_json::Value) -> highlevel_calendars::types::CalendarDto {
    serde_json::from_value::<CalendarByIdSuccessfulResponseDto>(body)
        .expect("decodes")
        .calendar
}

#[test]
fn unknown_enum_values_keep_their_text() {
    let mut body = seed_response();
    body["calendar"]["calendarType"] = json!("webinar");
    body["calendar"]["teamMembers"][0]["meetingLocationType"] = json!("whatsapp");
    body["calendar"]["locationConfigurations"][0]["kind"] = json!("hologram");
    let calendar = decode(body);
    assert_eq!(
        calendar.calendar_type,
        Some(CalendarType::Unknown("webinar".into()))
    );
    assert_eq!(
        calendar.team_members.unwrap()[0].meeting_location_type,
        Some(MeetingLocationType::Unknown("whatsapp".into()))
    );
    let kind = &calendar.location_configurations.unwrap()[0].kind;
    assert_eq!(kind, &LocationKind::Unknown("hologram".into()));
    assert_eq!(kind.as_str(), "hologram");
    assert!(!kind.is_known());
    assert_eq!(
        serde_json::to_value(kind).unwrap(),
        json!("hologram"),
        "sent back unchanged"
    );
}

#[test]
fn nulls_for_optional_arrays_objects_and_scalars_decode_as_absent() {
    let mut body = seed_response();
    for field in [
        "teamMembers",
        "notifications",
        "openHours",
        "availabilities",
        "locationConfigurations",
        "recurring",
        "lookBusyConfig",
        "slotDuration",
        "isActive",
        "calendarType",
        "description",
    ] {
        body["calendar"][field] = serde_json::Value::Null;
    }
    let calendar = decode(body);
    assert!(calendar.team_members.is_none());
    assert!(calendar.open_hours.is_none());
    assert!(calendar.recurring.is_none());
    assert!(calendar.slot_duration.is_none());
    assert!(calendar.calendar_type.is_none());
}

#[test]
fn unknown_fields_and_integers_for_numbers_are_accepted() {
    let mut body = seed_response();
    body["calendar"]["brandNewField"] = json!({"nested": [1, 2, 3]});
    body["calendar"]["teamMembers"][0]["newMemberFlag"] = json!(true);
    body["calendar"]["slotDuration"] = json!(45);
    body["calendar"]["teamMembers"][0]["priority"] = json!(1);
    let calendar = decode(body);
    assert_eq!(calendar.slot_duration, Some(45.into()));
    assert_eq!(calendar.team_members.unwrap()[0].priority, Some(1.into()));
}

#[test]
fn a_new_priority_value_in_a_response_is_not_an_error() {
    let mut body = seed_response();
    body["calendar"]["teamMembers"][0]["priority"] = json!(0.75);
    body["calendar"]["availabilityType"] = json!(2);
    let calendar = decode(body);
    assert_eq!(calendar.availability_type, Some(2.into()));
}

#[tokio::test]
async fn the_client_decodes_a_response_with_all_of_the_above() {
    let mut body = seed_response();
    body["calendar"]["calendarType"] = json!("webinar");
    body["calendar"]["openHours"] = serde_json::Value::Null;
    body["calendar"]["somethingNew"] = json!("x");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(body))
        .mount(&server)
        .await;
    let created = client_for(&server)
        .create_calendar(CalendarCreateDto::builder().location_id("l").name("n"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.calendar.calendar_type,
        Some(CalendarType::Unknown("webinar".into()))
    );
}
