//! What the generic sandbox's store cannot read from the document about calendars: a slug is
//! unique within a location, and a calendar is completed with the server defaults and a
//! `meetingId` per conference location. Everything else (create, get, list, update, delete,
//! the state file) is the generic store's.

use super::defaults;
use highlevel_sandbox::{Change, Document, ResourceRules, new_id};
use serde_json::Value;

/// The collection the rules apply to.
pub(crate) const COLLECTION: &str = crate::operations::CREATE_CALENDAR.path;

/// The rules of the calendars the sandbox keeps.
pub(crate) fn rules() -> ResourceRules {
    ResourceRules::new()
        // HighLevel does not document its answer; the request is well-formed and only clashes
        // with the server's state, which is what 409 means (and what the normalized document
        // declares for create and update).
        .unique("slug", "locationId")
        .complete(complete)
}

const CONFERENCE_KINDS: &[&str] = &[
    "zoom_conference",
    "google_conference",
    "ms_teams_conference",
];

/// A new calendar gets the server defaults; every calendar a `meetingId` for each conference
/// location (HighLevel makes the meeting).
fn complete(document: &'static Document, calendar: &mut Value, change: Change) {
    if change == Change::Create {
        defaults::apply(document, calendar);
    }
    assign_meeting_ids(calendar);
}

/// Gives each conference location configuration without a `meetingId` one, at the top and in
/// every team member.
fn assign_meeting_ids(calendar: &mut Value) {
    let mut lists: Vec<&mut Value> = Vec::new();
    let Value::Object(fields) = calendar else {
        return;
    };
    for (name, value) in fields.iter_mut() {
        match (name.as_str(), value) {
            ("locationConfigurations", list) => lists.push(list),
            ("teamMembers", Value::Array(members)) => lists.extend(
                members
                    .iter_mut()
                    .filter_map(|m| m.get_mut("locationConfigurations")),
            ),
            _ => {}
        }
    }
    for config in lists
        .into_iter()
        .filter_map(Value::as_array_mut)
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        let conference = config
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| CONFERENCE_KINDS.contains(&k));
        if conference && !config.contains_key("meetingId") {
            config.insert("meetingId".into(), Value::String(new_id()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conference_locations_get_a_meeting_id_and_new_calendars_the_defaults() {
        let mut calendar = json!({
            "locationId": "l",
            "name": "n",
            "locationConfigurations": [{"kind": "zoom_conference"}, {"kind": "custom"}],
            "teamMembers": [{"userId": "a", "locationConfigurations": [{"kind": "google_conference"}]}]
        });
        complete(super::super::API.document(), &mut calendar, Change::Create);
        assert!(calendar["locationConfigurations"][0]["meetingId"].is_string());
        assert!(
            calendar["locationConfigurations"][1]
                .get("meetingId")
                .is_none()
        );
        assert!(calendar["teamMembers"][0]["locationConfigurations"][0]["meetingId"].is_string());
        assert_eq!(calendar["teamMembers"][0]["priority"], json!(0.5));
        let mut updated = json!({"name": "n"});
        complete(super::super::API.document(), &mut updated, Change::Update);
        assert!(
            updated.get("slotDuration").is_none(),
            "no defaults on update"
        );
    }
}
