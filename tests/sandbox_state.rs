//! `highlevel-sandbox --state FILE`: calendars outlive the process, even a killed one, and
//! without the option nothing is kept.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{signal, start_program};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const VERSION: &str = "2021-04-15";

/// The program started with `args`, and its base URL.
fn start(args: &[&str]) -> (Child, String) {
    start_program(args, Stdio::null())
}

/// Sends `signal` and waits for the program to end.
fn stop(mut child: Child, how: &str) {
    assert!(signal(&child, how));
    child.wait().unwrap();
}

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth("any-token")
        .header("Version", VERSION);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn calendars_outlive_the_process_with_state_and_not_without() {
    highlevel_calendars::install_tls_provider();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-state");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("calendars.json");
    let state = ["--state", file.to_str().unwrap()];

    let (first, url) = start(&state);
    let calendar =
        json!({"locationId": "loc", "name": "Kept", "calendarType": "event", "slug": "kept"});
    let (status, created) = call(
        reqwest::Method::POST,
        format!("{url}/calendars/"),
        Some(calendar),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["calendar"]["id"].as_str().unwrap().to_string();
    let renamed = json!({"name": "Renamed"});
    let (status, _) = call(
        reqwest::Method::PUT,
        format!("{url}/calendars/{id}"),
        Some(renamed),
    )
    .await;
    assert_eq!(status, 200);
    // Killed, not stopped: what was changed is on disk already.
    stop(first, "-KILL");

    let (second, url) = start(&state);
    let (status, fetched) = call(reqwest::Method::GET, format!("{url}/calendars/{id}"), None).await;
    assert_eq!(status, 200, "{fetched}");
    assert_eq!(fetched["calendar"]["name"], "Renamed");
    assert_eq!(
        fetched["calendar"]["slotDuration"], 30,
        "stored with its defaults"
    );
    let again =
        json!({"locationId": "loc", "name": "Twin", "calendarType": "event", "slug": "kept"});
    let (status, _) = call(
        reqwest::Method::POST,
        format!("{url}/calendars/"),
        Some(again),
    )
    .await;
    assert_eq!(status, 409, "the loaded calendar still holds its slug");
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{url}/calendars/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    stop(second, "-TERM");

    let (third, url) = start(&state);
    let (status, _) = call(reqwest::Method::GET, format!("{url}/calendars/{id}"), None).await;
    assert_eq!(status, 404, "the deletion was kept too");
    stop(third, "-TERM");
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["resources"], json!([]));

    // Without --state, a new process knows nothing of the last one.
    let (plain, url) = start(&[]);
    let calendar = json!({"locationId": "loc", "name": "Gone", "calendarType": "event"});
    let (_, created) = call(
        reqwest::Method::POST,
        format!("{url}/calendars/"),
        Some(calendar),
    )
    .await;
    let id = created["calendar"]["id"].as_str().unwrap().to_string();
    stop(plain, "-TERM");
    let (plain, url) = start(&[]);
    let (status, _) = call(reqwest::Method::GET, format!("{url}/calendars/{id}"), None).await;
    assert_eq!(status, 404);
    stop(plain, "-TERM");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "only the state file, no temporary: {left:?}");
}

#[test]
fn a_state_file_that_is_not_calendars_is_refused_at_start() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-bad-state");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("calendars.json");
    std::fs::write(&file, b"{\"calendars\": []}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_highlevel-sandbox"))
        .args(["--state", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no base URL: it never listened");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("calendars.json"), "{text}");
}
