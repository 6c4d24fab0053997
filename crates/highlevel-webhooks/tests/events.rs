//! Every example of every event page in `events/` decodes to its page's variant, and other
//! types decode as unknown.

use highlevel_webhooks::events::EVENT_TYPES;
use highlevel_webhooks::{Event, UnknownEvent};
use std::path::Path;

/// The `json` blocks of a page after its schema (the first block, or the `json_schema` one),
/// read the simple way: a page's format is the generator's business, this only needs the
/// examples back.
fn examples(text: &str) -> Vec<serde_json::Value> {
    let mut blocks = Vec::new();
    let mut current: Option<(bool, String)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match current.take() {
            Some((is_json, text)) if trimmed.starts_with("```") => {
                if is_json {
                    blocks.push(text);
                }
            }
            Some((is_json, mut text)) => {
                text.push_str(line);
                text.push('\n');
                current = Some((is_json, text));
            }
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let json = info.starts_with("json");
                    let start = info
                        .find('{')
                        .map(|at| info[at..].to_string())
                        .unwrap_or_default();
                    let schema_tag = info.contains("json_schema");
                    current = Some((
                        json,
                        if schema_tag {
                            format!("SCHEMA{start}")
                        } else {
                            start
                        },
                    ));
                }
            }
        }
    }
    // The blocks marked `json_schema` are schemas; a page with none has its schema first.
    let skip = usize::from(!blocks.iter().any(|b| b.starts_with("SCHEMA")));
    blocks[skip..]
        .iter()
        .filter(|b| !b.starts_with("SCHEMA"))
        .map(|b| {
            serde_json::from_str(b).unwrap_or_else(|e| panic!("example does not parse: {e}\n{b}"))
        })
        .collect()
}

#[test]
fn every_example_of_every_page_decodes_to_its_variant() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
    let mut pages = 0;
    let mut decoded = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let page = path.file_stem().unwrap().to_str().unwrap().to_string();
        let (event_type, _) = EVENT_TYPES
            .iter()
            .find(|(_, p)| *p == page)
            .unwrap_or_else(|| panic!("no variant for page {page}"));
        pages += 1;
        let examples = examples(&std::fs::read_to_string(&path).unwrap());
        for mut example in examples {
            // Several pages' examples leave out `type` or copy another event's: a delivery
            // carries the page's.
            example["type"] = serde_json::Value::from(*event_type);
            let body = serde_json::to_vec(&example).unwrap();
            let event = Event::from_json(&body).unwrap();
            if let Event::Unknown(unknown) = &event {
                panic!("{page}: decoded as unknown: {:?}", unknown.mismatch());
            }
            assert_eq!(event.event_type(), Some(*event_type), "{page}");
            assert_eq!(format!("{event:?}").split('(').next(), Some(page.as_str()));
            decoded += 1;
        }
    }
    assert_eq!(pages, 58, "the event pages");
    assert_eq!(EVENT_TYPES.len(), 58);
    assert!(decoded >= 58, "{decoded} examples");
}

#[test]
fn the_calendar_and_app_events_carry_their_fields() {
    let body = br#"{"type":"AppointmentUpdate","locationId":"l","appointment":{"id":"a","users":["u"],"startTime":"2023-09-25T16:00:00+05:30","extra":true},"unlisted":1}"#;
    let Event::AppointmentUpdate(update) = Event::from_json(body).unwrap() else {
        panic!("not an AppointmentUpdate")
    };
    let appointment = update.appointment.unwrap();
    assert_eq!(appointment.id.as_deref(), Some("a"));
    assert_eq!(appointment.users, Some(vec![serde_json::json!("u")]));
    let body = br#"{"type":"INSTALL","appId":"app","companyId":"c","locationId":"l","trial":{"onTrial":true}}"#;
    let Event::AppInstall(install) = Event::from_json(body).unwrap() else {
        panic!("not an INSTALL")
    };
    assert_eq!(install.location_id.as_deref(), Some("l"));
    assert_eq!(install.trial.unwrap().on_trial, Some(true));
}

#[test]
fn an_unknown_type_decodes_as_unknown_with_its_json() {
    let body = br#"{"type":"SomethingNew","webhookId":"w","nested":{"a":[1,2]}}"#;
    let event = Event::from_json(body).unwrap();
    assert_eq!(event.event_type(), Some("SomethingNew"));
    let Event::Unknown(unknown) = event else {
        panic!("known?")
    };
    assert_eq!(unknown.raw()["nested"]["a"][1], 2);
    assert_eq!(unknown.mismatch(), None);
    let no_type = Event::from_json(br#"{"x":1}"#).unwrap();
    assert!(matches!(&no_type, Event::Unknown(u) if u.event_type().is_none()));
    let _: Option<&UnknownEvent> = None;
}

#[test]
fn a_documented_type_whose_body_does_not_fit_is_kept_whole_as_unknown() {
    let body = br#"{"type":"AppointmentCreate","appointment":"not an object"}"#;
    let Event::Unknown(unknown) = Event::from_json(body).unwrap() else {
        panic!("should not fit")
    };
    assert_eq!(unknown.event_type(), Some("AppointmentCreate"));
    assert!(unknown.mismatch().unwrap().contains("invalid type"));
    assert_eq!(unknown.raw()["appointment"], "not an object");
}
