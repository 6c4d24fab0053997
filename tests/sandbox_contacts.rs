//! The sandbox keeps the resources of a document it knows nothing else about: the program
//! serving the Contacts document (`--document`), with no code for contacts, creates, reads,
//! lists, updates and deletes a contact, and its notes go with it.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{signal, start_program};
use serde_json::{Value, json};
use std::process::Stdio;

/// The `Version` the Contacts document leaves unsaid, so the sandbox's default.
const VERSION: &str = "2021-07-28";

async fn call(method: &str, url: String, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
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
async fn a_contact_and_its_notes_are_kept_from_the_document_alone() {
    highlevel_calendars::install_tls_provider();
    let document = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/xtask/tests/fixtures/new-client/apps/contacts.json"
    );
    let (mut child, url) = start_program(&["--document", document], Stdio::null());

    let contact = json!({"locationId": "loc_c", "firstName": "Ada", "lastName": "Lovelace"});
    let (status, created) = call("POST", format!("{url}/contacts/"), Some(contact)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["contact"]["id"].as_str().unwrap().to_string();
    let one = format!("{url}/contacts/{id}");
    let (status, fetched) = call("GET", one.clone(), None).await;
    assert_eq!(
        (status, &fetched["contact"]["firstName"]),
        (200, &json!("Ada"))
    );
    let (status, listed) = call("GET", format!("{url}/contacts/?locationId=loc_c"), None).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["contacts"][0]["id"], id.as_str(), "{listed}");
    let (status, elsewhere) = call("GET", format!("{url}/contacts/?locationId=other"), None).await;
    assert_eq!((status, &elsewhere["contacts"]), (200, &json!([])));

    let (status, updated) = call("PUT", one.clone(), Some(json!({"firstName": "Augusta"}))).await;
    assert_eq!(status, 200, "{updated}");
    let (_, fetched) = call("GET", one.clone(), None).await;
    assert_eq!(fetched["contact"]["firstName"], "Augusta");
    assert_eq!(
        fetched["contact"]["lastName"], "Lovelace",
        "merged, not replaced"
    );

    let (status, note) = call(
        "POST",
        format!("{one}/notes"),
        Some(json!({"body": "Met at the conference"})),
    )
    .await;
    assert_eq!(status, 201, "{note}");
    let note = note["note"]["id"].as_str().unwrap().to_string();
    let (status, _) = call("GET", format!("{one}/notes/{note}"), None).await;
    assert_eq!(status, 200);

    let (status, _) = call("DELETE", one.clone(), None).await;
    assert_eq!(status, 200);
    let (status, _) = call("GET", one.clone(), None).await;
    assert_eq!(status, 404, "deleted");
    let (status, _) = call("GET", format!("{one}/notes/{note}"), None).await;
    assert_eq!(status, 404, "gone with its contact");

    assert!(signal(&child, "-TERM"));
    child.wait().unwrap();
}
