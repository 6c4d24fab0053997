//! What the client sends always matches HighLevel's document: property tests generate valid
//! create-calendar requests across every field and calendar type, and check each serialized
//! body against the normalized spec's JSON Schema (the `jsonschema` crate, through the
//! sandbox's schema) and the client's own validation; requests that break a documented rule
//! are rejected. Case counts are bounded for CI; raise them with `PROPTEST_CASES`.
#![cfg(feature = "sandbox")]

mod common;

use highlevel_calendars::enums::*;
use highlevel_calendars::rules::{self, validate};
use highlevel_calendars::types::CalendarCreateDto;
use highlevel_calendars::validation::{RuleSource, check as validate_request};
use highlevel_calendars::{Rule, Validation};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::validator_for(highlevel_calendars::sandbox::request_json_schema())
            .expect("the request schema compiles")
    })
}

fn schema_errors(body: &Value) -> Vec<String> {
    schema()
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn one_of(values: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop::sample::select(values).prop_map(|v| json!(v))
}

fn text() -> impl Strategy<Value = Value> {
    "[a-zA-Z0-9_.@#-][a-zA-Z0-9 _.@#-]{0,23}".prop_map(Value::String)
}

fn amount() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u32..500).prop_map(|n| json!(n)),
        (0.0f64..500.0).prop_map(|f| json!(f))
    ]
}

fn hour() -> impl Strategy<Value = Value> {
    // Opens before it closes, within the documented ranges: opening at most at hh:59 and
    // closing in a later hour keeps open < close (minute 60 would equal the next hour's :00).
    (0u32..23, 0u32..60, 0u32..=60).prop_flat_map(|(open, om, cm)| {
        (open + 1..=23).prop_map(move |close| {
            json!({"openHour": open, "openMinute": om, "closeHour": close, "closeMinute": cm})
        })
    })
}

fn date() -> impl Strategy<Value = Value> {
    (2000u32..2100, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}T00:00:00.000Z")))
}

/// A location configuration; conference kinds only where the calendar allows them, and never
/// with a `location`.
fn location(allow_conference: bool) -> impl Strategy<Value = Value> {
    let kinds: Vec<&'static str> = LocationKind::KNOWN
        .iter()
        .copied()
        .filter(|k| allow_conference || !k.ends_with("_conference"))
        .collect();
    (prop::sample::select(kinds), proptest::option::of(text())).prop_map(|(kind, place)| {
        let mut config = json!({"kind": kind});
        if !kind.ends_with("_conference")
            && let Some(place) = place
        {
            config["location"] = place;
        }
        config
    })
}

fn member(
    locations: std::ops::Range<usize>,
    allow_conference: bool,
) -> impl Strategy<Value = Value> {
    (
        text(),
        proptest::option::of(prop::sample::select(&[0.0, 0.5, 1.0][..])),
        prop::collection::vec(location(allow_conference), locations),
    )
        .prop_map(|(user, priority, locations)| {
            let mut m = json!({"userId": user});
            if let Some(p) = priority {
                m["priority"] = json!(p);
            }
            if !locations.is_empty() {
                m["locationConfigurations"] = Value::Array(locations);
            }
            m
        })
}

/// Team members that follow every documented rule for `kind`.
fn team(kind: &'static str) -> BoxedStrategy<Vec<Value>> {
    let conference = kind != "event";
    let one_location_each = kind == "class_booking" || kind == "collective";
    let count = match kind {
        "personal" => 1..2usize,
        "event" => 0..3,
        _ => 1..4,
    };
    count
        .prop_flat_map(move |n| {
            let per_member = if n == 1 && !one_location_each {
                0..3
            } else {
                0..2
            };
            (
                prop::collection::vec(member(per_member, conference), n),
                0..n.max(1),
                any::<bool>(),
            )
        })
        .prop_map(move |(mut members, primary, mark)| {
            if (kind == "collective" || mark) && !members.is_empty() {
                members[primary]["isPrimary"] = json!(true);
            }
            members
        })
        .boxed()
}

/// Every optional field of the request, each present or absent.
fn optional_fields(
    kind: &'static str,
    members: usize,
) -> impl Strategy<Value = Map<String, Value>> {
    let conference = kind != "event";
    let scalars = (
        proptest::option::of(any::<bool>()),
        proptest::option::of(text()),
        proptest::option::of(one_of(EventType::KNOWN)),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(one_of(WidgetType::KNOWN)),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(amount()),
        proptest::option::of(one_of(SlotDurationUnit::KNOWN)),
        proptest::option::of(amount()),
    );
    let units = (
        proptest::option::of(one_of(SlotIntervalUnit::KNOWN)),
        proptest::option::of(amount()),
        proptest::option::of(one_of(SlotBufferUnit::KNOWN)),
        proptest::option::of(amount()),
        proptest::option::of(one_of(PreBufferUnit::KNOWN)),
        proptest::option::of(amount()),
        proptest::option::of(amount()),
        proptest::option::of(amount()),
        proptest::option::of(one_of(AllowBookingAfterUnit::KNOWN)),
        proptest::option::of(amount()),
        proptest::option::of(one_of(AllowBookingForUnit::KNOWN)),
    );
    let flags = (
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    );
    let strings = (
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(one_of(GuestType::KNOWN)),
        proptest::option::of(prop::sample::select(&[0, 1][..]).prop_map(|n| json!(n))),
    );
    let lists = (
        prop::collection::vec(location(conference), 0..3),
        prop::collection::vec(
            (
                prop::collection::vec(0u32..=6, 1..4),
                prop::collection::vec(hour(), 1..3),
            )
                .prop_map(|(days, hours)| json!({"daysOfTheWeek": days, "hours": hours})),
            0..3,
        ),
        prop::collection::vec(
            (
                date(),
                prop::collection::vec(hour(), 1..3),
                proptest::option::of(any::<bool>()),
            )
                .prop_map(|(date, hours, deleted)| {
                    let mut a = json!({"date": date, "hours": hours});
                    if let Some(d) = deleted {
                        a["deleted"] = json!(d);
                    }
                    a
                }),
            0..3,
        ),
        prop::collection::vec(
            (
                any::<[bool; 4]>(),
                text(),
                proptest::option::of(one_of(NotificationChannel::KNOWN)),
            )
                .prop_map(|(flags, users, channel)| {
                    let mut n = json!({
                        "shouldSendToContact": flags[0],
                        "shouldSendToGuest": flags[1],
                        "shouldSendToUser": flags[2],
                        "shouldSendToSelectedUsers": flags[3],
                        "selectedUsers": users,
                    });
                    if let Some(c) = channel {
                        n["type"] = c;
                    }
                    n
                }),
            0..2,
        ),
        proptest::option::of(
            (
                proptest::option::of(one_of(RecurrenceFrequency::KNOWN)),
                proptest::option::of(0u32..=24),
                proptest::option::of(one_of(RecurringBookingOption::KNOWN)),
                proptest::option::of(one_of(RecurringOverlapStatus::KNOWN)),
            )
                .prop_map(|(freq, count, option, overlap)| {
                    let mut r = Map::new();
                    put(&mut r, "freq", freq);
                    put(&mut r, "count", count.map(|c| json!(c)));
                    put(&mut r, "bookingOption", option);
                    put(&mut r, "bookingOverlapDefaultStatus", overlap);
                    Value::Object(r)
                }),
        ),
        proptest::option::of(
            (any::<bool>(), 0u32..=100)
                .prop_map(|(on, p)| json!({"enabled": on, "LookBusyPercentage": p})),
        ),
        prop::sample::select(FormSubmitType::KNOWN),
    );
    (scalars, units, flags, strings, lists).prop_map(
        move |(scalars, units, flags, strings, lists)| {
            let mut f = Map::new();
            let (
                active,
                group,
                event_type,
                description,
                slug,
                widget_slug,
                widget,
                title,
                color,
                duration,
                duration_unit,
                interval,
            ) = scalars;
            put(&mut f, "isActive", active.map(Value::Bool));
            put(&mut f, "groupId", group);
            put(&mut f, "eventType", event_type);
            put(&mut f, "description", description);
            put(&mut f, "slug", slug);
            put(&mut f, "widgetSlug", widget_slug);
            put(&mut f, "widgetType", widget);
            put(&mut f, "eventTitle", title);
            put(&mut f, "eventColor", color);
            put(&mut f, "slotDuration", duration);
            put(&mut f, "slotDurationUnit", duration_unit);
            put(&mut f, "slotInterval", interval);
            let (
                interval_unit,
                buffer,
                buffer_unit,
                pre,
                pre_unit,
                per_slot,
                per_day,
                after,
                after_unit,
                for_,
                for_unit,
            ) = units;
            put(&mut f, "slotIntervalUnit", interval_unit);
            put(&mut f, "slotBuffer", buffer);
            put(&mut f, "slotBufferUnit", buffer_unit);
            put(&mut f, "preBuffer", pre);
            put(&mut f, "preBufferUnit", pre_unit);
            put(&mut f, "appoinmentPerSlot", per_slot);
            put(&mut f, "appoinmentPerDay", per_day);
            put(&mut f, "allowBookingAfter", after);
            put(&mut f, "allowBookingAfterUnit", after_unit);
            put(&mut f, "allowBookingFor", for_);
            put(&mut f, "allowBookingForUnit", for_unit);
            let names = [
                "stickyContact",
                "isLivePaymentMode",
                "autoConfirm",
                "shouldSendAlertEmailsToAssignedMember",
                "googleInvitationEmails",
                "allowReschedule",
                "allowCancellation",
                "shouldAssignContactToTeamMember",
                "shouldSkipAssigningContactForExisting",
            ];
            let flags = [
                flags.0, flags.1, flags.2, flags.3, flags.4, flags.5, flags.6, flags.7, flags.8,
            ];
            for (name, flag) in names.into_iter().zip(flags) {
                put(&mut f, name, flag.map(Value::Bool));
            }
            // enableRecurring: true only with exactly one team member (documented rule).
            let recurring_flag = flags_last(members);
            put(&mut f, "enableRecurring", recurring_flag);
            let (
                form_id,
                alert,
                notes,
                pixel,
                redirect,
                thanks,
                consent,
                cover,
                guest,
                availability_type,
            ) = strings;
            put(&mut f, "formId", form_id);
            put(&mut f, "alertEmail", alert);
            put(&mut f, "notes", notes);
            put(&mut f, "pixelId", pixel);
            put(&mut f, "formSubmitThanksMessage", thanks);
            put(&mut f, "consentLabel", consent);
            put(&mut f, "calendarCoverImage", cover);
            put(&mut f, "guestType", guest);
            put(&mut f, "availabilityType", availability_type);
            let (
                locations,
                open_hours,
                availabilities,
                notifications,
                recurring,
                look_busy,
                submit,
            ) = lists;
            put_list(&mut f, "locationConfigurations", locations);
            put_list(&mut f, "openHours", open_hours);
            put_list(&mut f, "availabilities", availabilities);
            put_list(&mut f, "notifications", notifications);
            put(&mut f, "recurring", recurring);
            put(&mut f, "lookBusyConfig", look_busy);
            f.insert("formSubmitType".into(), json!(submit));
            // A redirect needs its URL (evident rule); otherwise the URL is optional.
            if submit == "RedirectURL" || redirect.is_some() {
                f.insert(
                    "formSubmitRedirectURL".into(),
                    redirect.unwrap_or_else(|| json!("https://example.com/thanks")),
                );
            }
            f
        },
    )
}

fn flags_last(members: usize) -> Option<Value> {
    Some(Value::Bool(members == 1))
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value);
    }
}

fn put_list(map: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        map.insert(key.to_string(), Value::Array(items));
    }
}

/// A valid create-calendar body of any calendar type, as JSON.
fn valid_body() -> impl Strategy<Value = Value> {
    prop::sample::select(CalendarType::KNOWN).prop_flat_map(|kind| {
        team(kind).prop_flat_map(move |members| {
            let n = members.len();
            (text(), text(), optional_fields(kind, n)).prop_map(move |(location, name, fields)| {
                let mut body = fields;
                body.insert("locationId".into(), location);
                body.insert("name".into(), name);
                body.insert("calendarType".into(), json!(kind));
                put_list(&mut body, "teamMembers", members.clone());
                Value::Object(body)
            })
        })
    })
}

/// A change that breaks one documented or spec rule, with the rule it breaks.
fn breakage() -> impl Strategy<Value = (fn(&mut Value), Rule)> {
    fn personal_with_two(b: &mut Value) {
        b["calendarType"] = json!("personal");
        b["teamMembers"] = json!([{"userId": "a"}, {"userId": "b"}]);
        b["enableRecurring"] = json!(false);
    }
    fn collective_without_primary(b: &mut Value) {
        b["calendarType"] = json!("collective");
        b["teamMembers"] = json!([{"userId": "a"}, {"userId": "b"}]);
        b["enableRecurring"] = json!(false);
    }
    fn zoom_on_event(b: &mut Value) {
        b["calendarType"] = json!("event");
        b["locationConfigurations"] = json!([{"kind": "zoom_conference"}]);
    }
    fn bad_priority(b: &mut Value) {
        b["teamMembers"] = json!([{"userId": "a", "priority": 0.3}]);
        b["calendarType"] = json!("round_robin");
        b["enableRecurring"] = json!(true);
    }
    fn bad_date(b: &mut Value) {
        b["availabilities"] = json!([{"date": "24/09/2023", "hours": []}]);
    }
    fn too_many_recurrences(b: &mut Value) {
        b["recurring"] = json!({"count": 30});
    }
    fn late_hour(b: &mut Value) {
        b["openHours"] = json!([{"daysOfTheWeek": [1], "hours": [{"openHour": 25, "openMinute": 0, "closeHour": 26, "closeMinute": 0}]}]);
    }
    prop_oneof![
        Just((
            personal_with_two as fn(&mut Value),
            rules::PERSONAL_HAS_ONE_MEMBER
        )),
        Just((
            collective_without_primary as fn(&mut Value),
            rules::COLLECTIVE_NEEDS_PRIMARY
        )),
        Just((
            zoom_on_event as fn(&mut Value),
            rules::NO_CONFERENCE_ON_EVENT
        )),
        Just((bad_priority as fn(&mut Value), Rule::ALLOWED_NUMBER)),
        Just((bad_date as fn(&mut Value), rules::DATE_FORMAT)),
        Just((too_many_recurrences as fn(&mut Value), Rule::RANGE)),
        Just((late_hour as fn(&mut Value), Rule::RANGE)),
    ]
}

/// Runs a property on a thread with a large stack: the generator's nested strategies need more
/// than a test thread's default in debug builds.
fn check_property<S, F>(strategy: S, test: F)
where
    S: Strategy + Send + 'static,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let mut runner = proptest::test_runner::TestRunner::new(config());
            if let Err(failure) = runner.run(&strategy, test) {
                panic!("{failure}");
            }
        })
        .expect("spawn the property thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

#[test]
fn valid_requests_match_the_schema_and_pass_validation() {
    check_property(valid_body(), |body| {
        let typed: CalendarCreateDto = serde_json::from_value(body.clone())
            .map_err(|e| TestCaseError::fail(format!("does not decode: {e}\n{body:#}")))?;
        let sent = serde_json::to_value(&typed).unwrap();
        prop_assert!(common::json_eq(&body, &sent), "nothing added or lost");
        let errors = schema_errors(&sent);
        prop_assert!(errors.is_empty(), "schema: {errors:?}\n{sent:#}");
        let checked = validate_request(&typed, &Validation::strict());
        prop_assert!(checked.is_ok(), "{checked:?}\n{sent:#}");
        Ok(())
    });
}

#[test]
fn breaking_a_rule_is_rejected_by_both_checks() {
    check_property((valid_body(), breakage()), |(body, (breaks, rule))| {
        let mut body = body;
        breaks(&mut body);
        let typed: CalendarCreateDto = serde_json::from_value(body.clone()).unwrap();
        let by_type = validate_request(&typed, &Validation::default());
        let by_json = validate(
            &serde_json::to_value(&typed).unwrap(),
            &Validation::default(),
        );
        prop_assert_eq!(&by_type, &by_json, "typed and JSON validation agree");
        let problems = by_type.expect_err("the rule is broken");
        prop_assert!(
            problems.violations().iter().any(|v| v.rule == rule),
            "{rule}: {problems}"
        );
        if rule.source() == RuleSource::Spec {
            prop_assert!(
                !schema_errors(&body).is_empty(),
                "the JSON Schema agrees on {rule}"
            );
        }
        Ok(())
    });
}

#[test]
fn the_seed_example_validates() {
    let seed = common::seed_request();
    assert!(
        schema_errors(&seed).is_empty(),
        "{:?}",
        schema_errors(&seed)
    );
    let typed: CalendarCreateDto = serde_json::from_value(seed).unwrap();
    validate_request(&typed, &Validation::stated()).unwrap();
}

#[test]
fn the_generator_covers_every_request_field() {
    let spec: Value = serde_json::from_str(include_str!("../openapi/calendars.json")).unwrap();
    let documented: BTreeSet<String> =
        spec["components"]["schemas"]["CalendarCreateDTO"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
    let seen = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(|| {
            let mut seen = BTreeSet::new();
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            for _ in 0..300 {
                let body = valid_body().new_tree(&mut runner).unwrap().current();
                seen.extend(body.as_object().unwrap().keys().cloned());
            }
            seen
        })
        .unwrap()
        .join()
        .unwrap();
    let missing: Vec<_> = documented.difference(&seen).collect();
    assert!(missing.is_empty(), "fields never generated: {missing:?}");
}
