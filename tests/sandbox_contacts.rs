//! The program keeps the resources of a document it has no code for (`--document`, the
//! normalized Contacts document): a note goes with its contact. The whole life of a contact
//! goes through the generated Contacts client in `xtask/tests/new_client.rs`, and Schemathesis
//! drives this program with every operation (`tests/schemathesis.rs`); this needs neither.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{signal, start_program};
use serde_json::{Value, json};
use std::process::Stdio;

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth("any-token")
        .header("Version", "2021-07-28");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_note_goes_with_its_contact() {
    highlevel_calendars::install_tls_provider();
    let document = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/contacts-normalized.json"
    );
    let (mut child, url) = start_program(&["--document", document], Stdio::null());
    use reqwest::Method;

    let contact = json!({"locationId": "loc_c", "firstName": "Ada"});
    let (status, created) = call(Method::POST, format!("{url}/contacts/"), Some(contact)).await;
    assert_eq!(status, 201, "{created}");
    let one = format!(
        "{url}/contacts/{}",
        created["contact"]["id"].as_str().unwrap()
    );
    let note = Some(json!({"body": "Met at the conference"}));
    let (status, note) = call(Method::POST, format!("{one}/notes"), note).await;
    assert_eq!(status, 201, "{note}");
    let note = format!("{one}/notes/{}", note["note"]["id"].as_str().unwrap());
    assert_eq!(call(Method::GET, note.clone(), None).await.0, 200);

    assert_eq!(call(Method::DELETE, one.clone(), None).await.0, 200);
    assert_eq!(call(Method::GET, one, None).await.0, 404, "deleted");
    assert_eq!(call(Method::GET, note, None).await.0, 404, "gone with it");

    assert!(signal(&child, "-TERM"));
    child.wait().unwrap();
}
