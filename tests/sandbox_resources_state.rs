//! `highlevel-sandbox --state FILE` keeps every kind of resource, not only calendars: what was
//! created survives a killed process, and what was deleted (with what lived under it) stays
//! deleted: the journal's one delete line takes the children along when replayed.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{raw_call, start_program, stop};
use highlevel_calendars::operations;
use highlevel_calendars::sandbox::example_request;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Stdio};

fn start(file: &Path) -> (Child, String) {
    start_program(&["--state", file.to_str().unwrap()], Stdio::null())
}

/// Calls `operation_id` at `path` (its parameters filled in) with `body`: status and JSON.
async fn call(url: &str, operation_id: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let operation = operations::ALL
        .iter()
        .find(|op| op.id == operation_id)
        .unwrap();
    let method = reqwest::Method::from_bytes(operation.method.as_bytes()).unwrap();
    raw_call(operation.version, method, format!("{url}{path}"), body).await
}

fn example_body(operation_id: &str) -> Value {
    example_request(operation_id).unwrap().body.unwrap()
}

#[tokio::test]
async fn every_kind_of_resource_outlives_a_killed_process() {
    highlevel_calendars::install_tls_provider();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-resources-state");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");

    let (first, url) = start(&file);
    let calendar = json!({"locationId": "loc_s", "name": "Kept", "calendarType": "event"});
    let (status, created) = call(&url, "create-calendar", "/calendars/", Some(calendar)).await;
    assert_eq!(status, 201, "{created}");
    let calendar = created["calendar"]["id"].as_str().unwrap().to_string();
    let group_body = example_body("create-calendar-group");
    let (status, created) = call(
        &url,
        "create-calendar-group",
        "/calendars/groups",
        Some(group_body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let group = created["group"]["id"].as_str().unwrap().to_string();
    let notifications = format!("/calendars/{calendar}/notifications");
    let (status, created) = call(
        &url,
        "create-event-notification",
        &notifications,
        Some(example_body("create-event-notification")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let notification = created[0]["_id"].as_str().unwrap().to_string();
    let (status, created) = call(
        &url,
        "createSchedule",
        "/calendars/schedules",
        Some(example_body("createSchedule")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let schedule = created["schedule"]["id"].as_str().unwrap().to_string();
    let notes = "/calendars/appointments/appt_s/notes";
    let (status, created) = call(
        &url,
        "create-appointment-note",
        notes,
        Some(json!({"body": "Bring the contract"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let note = created["note"]["id"].as_str().unwrap().to_string();
    // Killed, not stopped: every change is on disk already.
    stop(first, "-KILL");

    let (second, url) = start(&file);
    let (status, fetched) = call(
        &url,
        "get-calendar",
        &format!("/calendars/{calendar}"),
        None,
    )
    .await;
    assert_eq!(
        (status, &fetched["calendar"]["name"]),
        (200, &json!("Kept"))
    );
    let location = group_body["locationId"].as_str().unwrap();
    let (status, groups) = call(
        &url,
        "get-groups",
        &format!("/calendars/groups?locationId={location}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(groups["groups"][0]["id"], group.as_str(), "{groups}");
    let one = format!("{notifications}/{notification}");
    let (status, found) = call(&url, "find-event-notification", &one, None).await;
    assert_eq!((status, &found["_id"]), (200, &json!(notification)));
    let (status, fetched) = call(
        &url,
        "getScheduleById",
        &format!("/calendars/schedules/{schedule}"),
        None,
    )
    .await;
    assert_eq!(
        (status, &fetched["schedule"]["id"]),
        (200, &json!(schedule))
    );
    let listed_notes = format!("{notes}?limit=10&offset=0");
    let (status, listed) = call(&url, "get-appointment-notes", &listed_notes, None).await;
    assert_eq!((status, &listed["notes"][0]["id"]), (200, &json!(note)));
    let (status, _) = call(
        &url,
        "delete-calendar",
        &format!("/calendars/{calendar}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    // Killed again: the deletion is only in the journal, one line for the calendar and its
    // notification.
    stop(second, "-KILL");
    let mut journal = file.as_os_str().to_owned();
    journal.push(".journal");
    let journal = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<Value> = journal
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{journal}");
    assert_eq!(
        (&lines[0]["op"], &lines[0]["id"]),
        (&json!("delete"), &json!(calendar))
    );

    let (third, url) = start(&file);
    let (status, _) = call(&url, "find-event-notification", &one, None).await;
    assert_eq!(status, 404, "gone with its calendar, after a restart too");
    stop(third, "-TERM");
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let collections: Vec<&str> = saved["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["collection"].as_str().unwrap())
        .collect();
    assert_eq!(
        collections,
        [
            "/calendars/groups",
            "/calendars/schedules",
            "/calendars/appointments/{appointmentId}/notes"
        ]
    );
}
