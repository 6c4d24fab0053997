//! The `highlevel-sandbox` program: it prints its base URL first, answers like the
//! in-process sandbox, logs each request without the token, and stops on SIGTERM.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{signal, start_program};
use std::io::Read;
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_program_serves_logs_and_stops_on_sigterm() {
    let token = "pit-sandbox-binary-secret";
    let (mut child, base_url) = start_program(
        &[
            "--listen",
            "127.0.0.1:0",
            "--token",
            token,
            "--fault",
            "503",
        ],
        Stdio::piped(),
    );
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");

    highlevel_calendars::install_tls_provider();
    let http = reqwest::Client::new();
    let post = || {
        http.post(format!("{base_url}/calendars/"))
            .bearer_auth(token)
            .header("Version", "2021-04-15")
            .json(
                &serde_json::json!({"locationId": "loc", "name": "Demo", "calendarType": "event"}),
            )
            .send()
    };
    assert_eq!(post().await.unwrap().status(), 503, "the queued fault");
    assert_eq!(post().await.unwrap().status(), 201);
    let other = http
        .get(format!("{base_url}/calendars/"))
        .bearer_auth("another-token")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 401, "only the given token is accepted");

    assert!(signal(&child, "-TERM"));
    let status = child.wait().unwrap();
    assert!(status.success(), "a clean stop: {status}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("POST /calendars/ 503"), "{log}");
    assert!(log.contains("POST /calendars/ 201 -"), "{log}");
    assert!(log.contains("GET /calendars/ 401 "), "{log}");
    assert!(log.trim_end().ends_with("stopped"), "{log}");
    assert!(!log.contains(token), "the token is never logged: {log}");
}

#[test]
fn bad_options_are_refused_with_the_help() {
    let out = Command::new(env!("CARGO_BIN_EXE_highlevel-sandbox"))
        .args(["--rate-limit", "many"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("--rate-limit many"), "{text}");
    assert!(text.contains("Usage: highlevel-sandbox"), "{text}");
}

/// `--document` serves another document, answered from its schemas with nothing kept: a
/// calendar created there cannot be fetched back as the created one, and an operation the
/// document does not have is a 404.
#[tokio::test]
async fn another_document_is_served_from_its_schemas() {
    let document =
        std::env::temp_dir().join(format!("sandbox-document-{}.json", std::process::id()));
    let text = r#"{"openapi": "3.0.0", "info": {"title": "Things", "version": "1"},
      "paths": {"/things/": {"post": {"operationId": "create-thing",
        "x-highlevel-version": "2021-07-28",
        "requestBody": {"required": true, "content": {"application/json": {"schema":
          {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
        "responses": {"201": {"description": "made", "content": {"application/json": {"schema":
          {"type": "object", "properties": {"id": {"type": "string", "example": "t-1"}}}}}}}}}}}"#;
    std::fs::write(&document, text).unwrap();
    let (mut child, base_url) =
        start_program(&["--document", document.to_str().unwrap()], Stdio::null());

    highlevel_calendars::install_tls_provider();
    let http = reqwest::Client::new();
    let post = |body: serde_json::Value| {
        http.post(format!("{base_url}/things/"))
            .bearer_auth("any")
            .header("Version", "2021-07-28")
            .json(&body)
            .send()
    };
    let made = post(serde_json::json!({"name": "a"})).await.unwrap();
    assert_eq!(made.status(), 201);
    assert_eq!(
        made.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"id": "t-1"}),
        "the document's example"
    );
    let refused = post(serde_json::json!({"name": 1})).await.unwrap();
    assert_eq!(refused.status(), 422, "checked against the schema");
    let calendars = http
        .post(format!("{base_url}/calendars/"))
        .bearer_auth("any")
        .send()
        .await
        .unwrap();
    assert_eq!(calendars.status(), 404, "only the document's operations");
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_file(&document).unwrap();
}
