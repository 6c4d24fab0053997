//! The program keeps the resources of a document it has no code for (`--document`, the
//! normalized Contacts document): a note goes with its contact. The whole life of a contact
//! goes through the generated Contacts client in `xtask/tests/new_client.rs`, and Schemathesis
//! drives this program with every operation (`tests/schemathesis.rs`); this needs neither.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{raw_call, start_program, stop};
use serde_json::json;
use std::process::Stdio;

/// The `Version` the Contacts document leaves unsaid, so the sandbox's default.
const VERSION: &str = "2021-07-28";

#[tokio::test]
async fn a_note_goes_with_its_contact() {
    highlevel_calendars::install_tls_provider();
    let document = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/contacts-normalized.json"
    );
    let (child, url) = start_program(&["--document", document], Stdio::null());
    use reqwest::Method;

    let contact = json!({"locationId": "loc_c", "firstName": "Ada"});
    let (status, created) = raw_call(
        VERSION,
        Method::POST,
        format!("{url}/contacts/"),
        Some(contact),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let one = format!(
        "{url}/contacts/{}",
        created["contact"]["id"].as_str().unwrap()
    );
    let note = Some(json!({"body": "Met at the conference"}));
    let (status, note) = raw_call(VERSION, Method::POST, format!("{one}/notes"), note).await;
    assert_eq!(status, 201, "{note}");
    let note = format!("{one}/notes/{}", note["note"]["id"].as_str().unwrap());
    assert_eq!(
        raw_call(VERSION, Method::GET, note.clone(), None).await.0,
        200
    );

    assert_eq!(
        raw_call(VERSION, Method::DELETE, one.clone(), None).await.0,
        200
    );
    assert_eq!(
        raw_call(VERSION, Method::GET, one, None).await.0,
        404,
        "deleted"
    );
    assert_eq!(
        raw_call(VERSION, Method::GET, note, None).await.0,
        404,
        "gone with it"
    );

    stop(child, "-TERM");
}
