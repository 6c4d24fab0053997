//! Each rule rejects a bad request before anything is sent, naming the field and the rule.

mod common;

use common::*;
use highlevel_calendars::calendar::{self, member, primary_member};
use highlevel_calendars::enums::{CalendarType, FormSubmitType, LocationKind};
use highlevel_calendars::rules::{self, validate};
use highlevel_calendars::types::{self, CalendarCreateDto};
use highlevel_calendars::validation::check as validate_request;
use highlevel_calendars::{Error, Rule, Validation};
use serde_json::json;
use std::fmt::Debug;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn seed() -> CalendarCreateDto {
    serde_json::from_value(seed_request()).unwrap()
}

fn location(kind: LocationKind, place: Option<&str>) -> types::LocationConfiguration {
    types::LocationConfiguration {
        kind,
        location: place.map(str::to_string),
    }
}

fn hour(open: f64, close: f64) -> types::Hour {
    types::Hour {
        open_hour: open.into(),
        open_minute: 0.into(),
        close_hour: close.into(),
        close_minute: 0.into(),
    }
}

/// A server that would accept anything: 201 and the seed calendar to every request.
async fn accepting_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(201).set_body_json(seed_response()))
        .mount(&server)
        .await;
    server
}

/// Sends `body` to a server that would accept anything, expects a validation error naming
/// `path` and `rule`, and checks that nothing reached the server.
async fn rejected(body: impl TryInto<CalendarCreateDto, Error: Debug>, path: &str, rule: Rule) {
    let body = body.try_into().unwrap();
    // The typed check and the JSON check (used by the sandbox) must agree exactly.
    let as_json = serde_json::to_value(&body).unwrap();
    assert_eq!(
        validate_request(&body, &Validation::default()),
        validate(&as_json, &Validation::default()),
        "typed and JSON validation disagree"
    );
    let server = accepting_server().await;
    let err = client_for(&server)
        .create_calendar(body)
        .send()
        .await
        .unwrap_err();
    let problems = validation_problems(&err);
    assert!(
        problems.has(path, rule),
        "expected `{path}` [{rule}], got: {problems}"
    );
    assert!(err.to_string().contains(path), "{err}");
    assert!(err.nothing_sent());
    assert_eq!(received_count(&server).await, 0, "nothing is sent");
}

#[tokio::test]
async fn required_fields_must_not_be_empty() {
    let mut body = seed();
    body.location_id = String::new();
    rejected(body, "locationId", Rule::REQUIRED).await;
    let mut body = seed();
    body.team_members[0].user_id = " ".into();
    rejected(body, "teamMembers[0].userId", Rule::REQUIRED).await;
    let mut body = seed();
    body.availabilities[0].date = String::new();
    rejected(body, "availabilities[0].date", Rule::REQUIRED).await;
}

#[tokio::test]
async fn a_builder_missing_a_required_field_names_it() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .create_calendar(CalendarCreateDto::builder().location_id("loc"))
        .send()
        .await
        .unwrap_err();
    let problems = validation_problems(&err);
    assert!(problems.has("name", Rule::REQUIRED), "{problems}");
    assert_eq!(received_count(&server).await, 0);
}

#[tokio::test]
async fn days_hours_minutes_and_recurrence_count_stay_in_range() {
    let mut body = seed();
    body.open_hours[0].days_of_the_week = vec![7.into()];
    rejected(body, "openHours[0].daysOfTheWeek[0]", Rule::RANGE).await;
    let mut body = seed();
    body.open_hours[0].hours[0].open_hour = 24.into();
    rejected(body, "openHours[0].hours[0].openHour", Rule::RANGE).await;
    let mut body = seed();
    body.availabilities[0].hours[0].close_minute = 61.into();
    rejected(body, "availabilities[0].hours[0].closeMinute", Rule::RANGE).await;
    let mut body = seed();
    body.recurring.as_mut().unwrap().count = Some(25.into());
    rejected(body, "recurring.count", Rule::RANGE).await;
}

#[tokio::test]
async fn priority_and_availability_type_take_only_documented_numbers() {
    let mut body = seed();
    body.team_members[0].priority = Some(0.7.into());
    rejected(body, "teamMembers[0].priority", Rule::ALLOWED_NUMBER).await;
    let mut body = seed();
    body.availability_type = Some(2.into());
    rejected(body, "availabilityType", Rule::ALLOWED_NUMBER).await;
}

#[tokio::test]
async fn an_unknown_enum_value_is_refused_unless_the_rule_is_skipped() {
    let mut body = seed();
    body.calendar_type = Some(CalendarType::Unknown("webinar".into()));
    rejected(body.clone(), "calendarType", Rule::ENUM_VALUE).await;

    let server = accepting_server().await;
    client_for(&server)
        .create_calendar(body)
        .validation(Validation::default().skip(Rule::ENUM_VALUE))
        .send()
        .await
        .expect("the caller opted out");
    assert_eq!(received_bodies(&server).await[0]["calendarType"], "webinar");
}

#[tokio::test]
async fn team_calendars_need_team_members() {
    for kind in [
        CalendarType::RoundRobin,
        CalendarType::Collective,
        CalendarType::ClassBooking,
        CalendarType::ServiceBooking,
    ] {
        let body = CalendarCreateDto::builder()
            .location_id("loc")
            .name("n")
            .calendar_type(kind);
        rejected(body, "teamMembers", rules::TEAM_MEMBERS_REQUIRED).await;
    }
}

#[tokio::test]
async fn a_personal_calendar_has_exactly_one_member() {
    let body = calendar::personal("loc", "n", "a").team_members(vec![member("a"), member("b")]);
    rejected(body, "teamMembers", rules::PERSONAL_HAS_ONE_MEMBER).await;
}

#[tokio::test]
async fn recurring_needs_exactly_one_member() {
    let body = calendar::round_robin("loc", "n", [member("a"), member("b")]).enable_recurring(true);
    rejected(body, "teamMembers", rules::RECURRING_HAS_ONE_MEMBER).await;
}

#[tokio::test]
async fn collective_calendars_need_one_primary_member() {
    let body = calendar::round_robin("loc", "n", [member("a"), member("b")])
        .calendar_type(CalendarType::Collective);
    rejected(body, "teamMembers", rules::COLLECTIVE_NEEDS_PRIMARY).await;
    let body = calendar::collective("loc", "n", "a", [primary_member("b")]);
    rejected(body, "teamMembers[1].isPrimary", rules::ONE_PRIMARY_MEMBER).await;
}

#[tokio::test]
async fn several_locations_only_with_one_member() {
    let mut second = member("b");
    second.location_configurations = vec![
        location(LocationKind::Custom, Some("+1")),
        location(LocationKind::Physical, Some("Main St")),
    ];
    let body = calendar::round_robin("loc", "n", [member("a"), second]);
    rejected(
        body,
        "teamMembers[1].locationConfigurations",
        rules::SEVERAL_LOCATIONS_NEED_ONE_MEMBER,
    )
    .await;
}

#[tokio::test]
async fn class_booking_allows_one_location_per_member() {
    let mut only = member("a");
    only.location_configurations = vec![
        location(LocationKind::Custom, Some("+1")),
        location(LocationKind::Physical, Some("Main St")),
    ];
    let body = calendar::class_booking("loc", "n", [only]);
    rejected(
        body,
        "teamMembers[0].locationConfigurations",
        rules::ONE_LOCATION_PER_MEMBER,
    )
    .await;
}

#[tokio::test]
async fn event_calendars_refuse_conference_kinds_and_conferences_take_no_location() {
    let body = calendar::event("loc", "n")
        .location_configurations(vec![location(LocationKind::ZoomConference, None)]);
    rejected(
        body,
        "locationConfigurations[0].kind",
        rules::NO_CONFERENCE_ON_EVENT,
    )
    .await;
    let body =
        calendar::round_robin("loc", "n", [member("a")]).location_configurations(vec![location(
            LocationKind::GoogleConference,
            Some("https://meet"),
        )]);
    rejected(
        body,
        "locationConfigurations[0].location",
        rules::NO_LOCATION_FOR_CONFERENCE,
    )
    .await;
}

#[tokio::test]
async fn availability_dates_use_the_documented_form() {
    let mut body = seed();
    body.availabilities[0].date = "2023-09-24".into();
    rejected(body, "availabilities[0].date", rules::DATE_FORMAT).await;
}

#[test]
fn all_violations_are_reported_at_once() {
    let mut body = seed();
    body.location_id = String::new();
    body.team_members[0].priority = Some(2.into());
    body.availabilities[0].date = "tomorrow".into();
    let problems = validate_request(&body, &Validation::default()).unwrap_err();
    assert_eq!(problems.violations().len(), 3, "{problems}");
    assert!(problems.to_string().starts_with("3 problems"));
}

#[test]
fn the_seed_follows_every_stated_rule_and_breaks_two_evident_ones() {
    let body = seed();
    validate_request(&body, &Validation::stated()).expect("HighLevel's example is valid");
    let problems = validate_request(&body, &Validation::strict()).unwrap_err();
    let rules: Vec<Rule> = problems.violations().iter().map(|v| v.rule).collect();
    assert!(rules.contains(&rules::PERCENTAGE), "{problems}");
    assert!(rules.contains(&rules::OPEN_BEFORE_CLOSE), "{problems}");
    assert!(
        rules
            .iter()
            .all(|r| r.source() == highlevel_calendars::validation::RuleSource::Evident)
    );
}

#[test]
fn evident_rules_apply_only_when_strict() {
    let body: CalendarCreateDto = calendar::event("loc", "n")
        .form_submit_type(FormSubmitType::RedirectUrl)
        .slot_duration(-5.0)
        .open_hours(vec![types::OpenHour {
            days_of_the_week: vec![1.into()],
            hours: vec![hour(17.0, 9.0)],
        }])
        .try_into()
        .unwrap();
    validate_request(&body, &Validation::stated()).expect("no stated rule is broken");
    let problems = validate_request(&body, &Validation::strict()).unwrap_err();
    assert!(
        problems.has("formSubmitRedirectURL", rules::REDIRECT_NEEDS_URL),
        "{problems}"
    );
    assert!(
        problems.has("slotDuration", rules::NOT_NEGATIVE),
        "{problems}"
    );
    assert!(
        problems.has("openHours[0].hours[0]", rules::OPEN_BEFORE_CLOSE),
        "{problems}"
    );
}

#[test]
fn raw_json_is_checked_for_types_and_missing_nested_fields() {
    // Decoding stops at the first wrong type or missing field, naming its path.
    let cases = [
        (json!({"locationId": "loc", "name": 7}), "name", Rule::TYPE),
        (
            json!({"locationId": "loc", "name": "n", "locationConfigurations": [{"location": "x"}]}),
            "locationConfigurations[0].kind",
            Rule::REQUIRED,
        ),
        (
            json!({"locationId": "loc", "name": "n", "lookBusyConfig": {"enabled": true}}),
            "lookBusyConfig.LookBusyPercentage",
            Rule::REQUIRED,
        ),
    ];
    for (body, path, rule) in cases {
        let problems = validate(&body, &Validation::default()).unwrap_err();
        assert!(problems.has(path, rule), "{path}: {problems}");
    }
}

#[test]
fn validation_off_checks_nothing() {
    let body = json!({"name": 7});
    assert!(validate(&body, &Validation::off()).is_ok());
    assert!(validate(&body, &Validation::default()).is_err());
}

/// Parameters are checked like bodies: a stated range, an empty path parameter; each names the
/// parameter as the document does, and nothing is sent. (A required query parameter is an
/// argument of the client method: leaving it out does not compile.)
#[tokio::test]
async fn parameters_are_checked_before_sending() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let err = client
        .get_appointment_notes("appointment_1", 50, 0)
        .send()
        .await
        .unwrap_err();
    let problems = validation_problems(&err);
    assert!(problems.has("limit", Rule::RANGE), "{problems}");
    assert!(!problems.has("offset", Rule::RANGE), "{problems}");

    let err = client
        .update_appointment_note("appointment_1", "", types::NotesDto::builder().body("x"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(p) if p.has("noteId", Rule::REQUIRED)),
        "{err:?}"
    );

    // The same range, skipped for one request, is sent.
    let lenient = client
        .get_appointment_notes("appointment_1", 50, 0)
        .validation(Validation::default().skip(Rule::RANGE))
        .send()
        .await;
    assert!(
        lenient.is_err(),
        "the loopback server answers nothing useful"
    );
    assert_eq!(
        received_count(&server).await,
        1,
        "only the lenient request was sent"
    );
}
