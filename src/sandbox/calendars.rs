//! The calendar operations the sandbox keeps state for: create, get, list, update and delete.
//! Bodies reach these functions already checked by the client's own checker.

use super::store::{Store, UpdateError};
use super::{defaults, state};
use crate::{ApiErrorMessage, operations};
use highlevel_sandbox::{Call, Document, Reply, Resources, StatusCode, new_id};
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// The calendars a sandbox keeps, answering the five calendar operations.
#[derive(Debug, Default)]
pub(crate) struct Calendars {
    store: Mutex<Store>,
    /// Where calendars are kept between runs, if anywhere.
    state_file: Option<PathBuf>,
}

impl Calendars {
    /// The calendars of `state_file` (none without one, or before it exists).
    pub(crate) fn new(state_file: Option<PathBuf>) -> std::io::Result<Calendars> {
        let mut store = Store::default();
        if let Some(path) = &state_file {
            for calendar in state::load(path)? {
                // A slug saved twice (a hand-edited file) keeps its first calendar.
                let _ = store.insert(calendar);
            }
        }
        Ok(Calendars {
            store: Mutex::new(store),
            state_file,
        })
    }

    /// The store (a poisoned lock only means a test panicked elsewhere).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes a change to the calendars and, when it succeeds and a state file is configured,
    /// writes them all to it before the lock is released (so writes follow changes in order).
    fn change<T, E>(&self, make: impl FnOnce(&mut Store) -> Result<T, E>) -> Result<T, E> {
        let mut store = self.store();
        let changed = make(&mut store)?;
        if let Some(path) = &self.state_file
            && let Err(e) = state::save(path, &store.all())
        {
            // The request did its work; only keeping it failed. Say so where the operator looks.
            eprintln!(
                "sandbox: cannot write the state file {}: {e}",
                path.display()
            );
        }
        Ok(changed)
    }
}

impl Resources for Calendars {
    fn answer(&self, call: &Call<'_>) -> Option<Reply> {
        let body = || call.body().cloned().unwrap_or(Value::Null);
        let id = call.param("calendarId");
        let document = call.document();
        Some(match call.operation().id {
            CREATE => create(self, document, body()),
            GET => get(self, id),
            LIST => list(self, call.query()),
            UPDATE => update(self, document, id, body()),
            DELETE => delete(self, document, id),
            _ => return None,
        })
    }

    fn location_of(&self, call: &Call<'_>) -> Option<String> {
        match call.param("calendarId") {
            "" => None,
            id => self.store().location_of(id),
        }
    }
}

const CREATE: &str = operations::CREATE_CALENDAR.id;
const GET: &str = operations::GET_CALENDAR.id;
const LIST: &str = operations::GET_CALENDARS.id;
const UPDATE: &str = operations::UPDATE_CALENDAR.id;
const DELETE: &str = operations::DELETE_CALENDAR.id;

const CONFERENCE_KINDS: &[&str] = &[
    "zoom_conference",
    "google_conference",
    "ms_teams_conference",
];

/// `create-calendar`: the calendar with a new id and the server defaults, 201; a slug another
/// calendar of the location has is refused with 409 Conflict naming `slug`.
fn create(shared: &Calendars, document: &'static Document, request: Value) -> Reply {
    let Value::Object(_) = request else {
        return Reply::error_one(StatusCode::UNPROCESSABLE_ENTITY, "body must be an object");
    };
    let calendar = calendar_from(document, request);
    let slug = calendar["slug"].as_str().unwrap_or_default().to_string();
    let stored = shared.change(|store| store.insert(calendar.clone()));
    match stored {
        Ok(()) => Reply::json(StatusCode::CREATED, &json!({ "calendar": calendar })),
        Err(existing) => slug_taken(&slug, &existing),
    }
}

/// `get-calendar`: 200 `{"calendar": …}`, or 404.
fn get(shared: &Calendars, id: &str) -> Reply {
    match shared.store().get(id) {
        Some(calendar) => Reply::json(StatusCode::OK, &json!({ "calendar": calendar })),
        None => not_found(id),
    }
}

/// `get-calendars`: 200 `{"calendars": […]}`, the location's calendars (of one group when
/// `groupId` is given), oldest first. The sandbox makes no drafts, so `showDrafted` changes
/// nothing.
fn list(shared: &Calendars, query: &[(String, String)]) -> Reply {
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
fn update(shared: &Calendars, document: &'static Document, id: &str, request: Value) -> Reply {
    let updatable = updatable_fields(document);
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
fn delete(shared: &Calendars, document: &'static Document, id: &str) -> Reply {
    if shared.change(|store| store.remove(id).ok_or(())).is_err() {
        return not_found(id);
    }
    match document.answer(DELETE) {
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
fn updatable_fields(document: &'static Document) -> Vec<&'static str> {
    document
        .operation(UPDATE)
        .and_then(|op| document.body_schema(op))
        .map(|schema| document.resolve(schema))
        .and_then(|body| body["properties"].as_object())
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The stored calendar: the request, the server defaults, a new id, and a `meetingId` for each
/// conference location (HighLevel makes the meeting).
fn calendar_from(document: &'static Document, mut calendar: Value) -> Value {
    defaults::apply(document, &mut calendar);
    assign_meeting_ids(&mut calendar);
    if let Value::Object(fields) = &mut calendar {
        fields.insert("id".into(), Value::String(new_id()));
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
            config.insert("meetingId".into(), Value::String(new_id()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> &'static Document {
        super::super::API.document()
    }

    #[test]
    fn conference_locations_get_a_meeting_id_and_the_calendar_an_id() {
        let calendar = calendar_from(
            document(),
            json!({
                "locationId": "l",
                "name": "n",
                "locationConfigurations": [{"kind": "zoom_conference"}, {"kind": "custom"}],
                "teamMembers": [{"userId": "a", "locationConfigurations": [{"kind": "google_conference"}]}]
            }),
        );
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
        let fields = updatable_fields(document());
        assert!(
            fields.contains(&"name") && fields.contains(&"slug"),
            "{fields:?}"
        );
        assert!(!fields.contains(&"id") && !fields.contains(&"locationId"));
    }
}
