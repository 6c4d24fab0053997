//! The calendar operations the sandbox keeps state for: create, get, list, update and delete.
//! Bodies reach these functions already checked by the client's own checker.

use super::reply::Reply;
use super::store::UpdateError;
use super::{Shared, defaults, ids, schema, synth};
use crate::{ApiErrorMessage, operations};
use hyper::StatusCode;
use serde_json::{Map, Value, json};

const CONFERENCE_KINDS: &[&str] = &[
    "zoom_conference",
    "google_conference",
    "ms_teams_conference",
];

/// `create-calendar`: the calendar with a new id and the server defaults, 201; a slug another
/// calendar of the location has is refused with 409 Conflict naming `slug`.
pub(crate) fn create(shared: &Shared, request: Value) -> Reply {
    let Value::Object(_) = request else {
        return Reply::error_one(StatusCode::UNPROCESSABLE_ENTITY, "body must be an object");
    };
    let calendar = calendar_from(request);
    let slug = calendar["slug"].as_str().unwrap_or_default().to_string();
    let stored = shared.change(|store| store.insert(calendar.clone()));
    match stored {
        Ok(()) => Reply::json(StatusCode::CREATED, &json!({ "calendar": calendar })),
        Err(existing) => slug_taken(&slug, &existing),
    }
}

/// `get-calendar`: 200 `{"calendar": …}`, or 404.
pub(crate) fn get(shared: &Shared, id: &str) -> Reply {
    match shared.store().get(id) {
        Some(calendar) => Reply::json(StatusCode::OK, &json!({ "calendar": calendar })),
        None => not_found(id),
    }
}

/// `get-calendars`: 200 `{"calendars": […]}`, the location's calendars (of one group when
/// `groupId` is given), oldest first. The sandbox makes no drafts, so `showDrafted` changes
/// nothing.
pub(crate) fn list(shared: &Shared, query: &[(String, String)]) -> Reply {
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let location = param("locationId").unwrap_or_default();
    let group = param("groupId");
    let calendars: Vec<Value> = shared
        .store()
        .in_location(location)
        .into_iter()
        .filter(|c| group.is_none_or(|g| c["groupId"] == g))
        .collect();
    Reply::json(StatusCode::OK, &json!({ "calendars": calendars }))
}

/// `update-calendar`: the fields of the body that an update may set, set on the stored
/// calendar; 200 `{"calendar": …}`, 404, or 409 for a slug another calendar has.
pub(crate) fn update(shared: &Shared, id: &str, request: Value) -> Reply {
    let updatable = updatable_fields();
    let changes: Map<String, Value> = match request {
        Value::Object(fields) => fields
            .into_iter()
            .filter(|(name, _)| updatable.contains(&name.as_str()))
            .collect(),
        _ => {
            return Reply::error_one(StatusCode::UNPROCESSABLE_ENTITY, "body must be an object");
        }
    };
    let slug = changes
        .get("slug")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let updated = shared.change(|store| store.update(id, changes, assign_meeting_ids));
    match updated {
        Ok(calendar) => Reply::json(StatusCode::OK, &json!({ "calendar": calendar })),
        Err(UpdateError::NotFound) => not_found(id),
        Err(UpdateError::SlugTaken(existing)) => slug_taken(&slug, &existing),
    }
}

/// `delete-calendar`: the document's delete answer (`{"success": true}`), or 404.
pub(crate) fn delete(shared: &Shared, id: &str) -> Reply {
    if shared.change(|store| store.remove(id).ok_or(())).is_err() {
        return not_found(id);
    }
    match synth::answer(operations::DELETE_CALENDAR.id) {
        Some((status, Some(body))) => Reply::json(*status, body),
        _ => Reply::json(StatusCode::OK, &json!({ "success": true })),
    }
}

/// HighLevel's 404 for a calendar id it does not know (never created, or deleted).
fn not_found(id: &str) -> Reply {
    Reply::error_one(
        StatusCode::NOT_FOUND,
        format!("Calendar not found: no calendar has the id {id:?}"),
    )
}

/// A slug is unique per location. HighLevel does not document its answer; the request is
/// well-formed and only clashes with the server's state, which is what 409 means (and what the
/// normalized document declares for create and update).
fn slug_taken(slug: &str, existing: &str) -> Reply {
    Reply::error(
        StatusCode::CONFLICT,
        ApiErrorMessage::Many(vec![format!(
            "slug {slug:?} is already used in this location by calendar {existing}"
        )]),
    )
}

/// The properties of the update body's schema: what an update may change (never `id` or
/// `locationId`).
fn updatable_fields() -> Vec<&'static str> {
    schema::operation(operations::UPDATE_CALENDAR.id)
        .and_then(schema::body_schema)
        .map(schema::resolve)
        .and_then(|body| body["properties"].as_object())
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The stored calendar: the request, the server defaults, a new id, and a `meetingId` for each
/// conference location (HighLevel makes the meeting).
pub(crate) fn calendar_from(mut calendar: Value) -> Value {
    defaults::apply(&mut calendar);
    assign_meeting_ids(&mut calendar);
    if let Value::Object(fields) = &mut calendar {
        fields.insert("id".into(), Value::String(ids::calendar_id()));
    }
    calendar
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
            config.insert("meetingId".into(), Value::String(ids::calendar_id()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conference_locations_get_a_meeting_id_and_the_calendar_an_id() {
        let calendar = calendar_from(json!({
            "locationId": "l",
            "name": "n",
            "locationConfigurations": [{"kind": "zoom_conference"}, {"kind": "custom"}],
            "teamMembers": [{"userId": "a", "locationConfigurations": [{"kind": "google_conference"}]}]
        }));
        assert_eq!(calendar["id"].as_str().unwrap().len(), 20);
        assert!(calendar["locationConfigurations"][0]["meetingId"].is_string());
        assert!(
            calendar["locationConfigurations"][1]
                .get("meetingId")
                .is_none()
        );
        assert!(calendar["teamMembers"][0]["locationConfigurations"][0]["meetingId"].is_string());
        assert_eq!(calendar["teamMembers"][0]["priority"], json!(0.5));
    }

    #[test]
    fn an_update_may_not_change_the_id_or_the_location() {
        let fields = updatable_fields();
        assert!(
            fields.contains(&"name") && fields.contains(&"slug"),
            "{fields:?}"
        );
        assert!(!fields.contains(&"id") && !fields.contains(&"locationId"));
    }
}
