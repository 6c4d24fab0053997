//! Every operation of the document, called through the generated client against the sandbox
//! with the sandbox's example arguments: each must succeed (the answer decodes into the
//! generated type) and reach the server as the document describes it.
#![cfg(feature = "sandbox")]

mod common;

use common::json_eq;
use highlevel_calendars::sandbox::{ReceivedRequest, Sandbox, example_request};
use highlevel_calendars::{__examples, Operation, operations};
use serde_json::Value;
use std::collections::BTreeSet;

/// The path `template` names once each `{name}` is replaced by the example's value.
fn expected_path(template: &str, parameters: &serde_json::Map<String, Value>) -> String {
    template
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => match &parameters[name] {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                },
                None => segment.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

fn check_wire(
    operation: &Operation,
    example: &highlevel_runtime::Example,
    token: &str,
    seen: &ReceivedRequest,
) {
    let id = operation.id;
    assert_eq!(seen.method, operation.method, "{id}");
    assert_eq!(
        seen.path_only(),
        expected_path(operation.path, &example.parameters),
        "{id}"
    );
    assert_eq!(seen.header("version"), Some(operation.version), "{id}");
    let bearer = format!("Bearer {token}");
    assert_eq!(seen.header("authorization"), Some(bearer.as_str()), "{id}");
    // Every example value that is not in the path went in the query.
    let in_path: BTreeSet<&str> = operation
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    let query: BTreeSet<String> = seen.query().into_iter().map(|(name, _)| name).collect();
    for name in example.parameters.keys() {
        if !in_path.contains(name.as_str()) {
            assert!(query.contains(name), "{id}: {name} not in {}", seen.path);
        }
    }
    match &example.body {
        Some(body) => {
            let sent = seen
                .json()
                .unwrap_or_else(|| panic!("{id}: the body is not JSON"));
            assert!(json_eq(&sent, body), "{id}: sent {sent}\nexample {body}");
            let content_type = seen.header("content-type").unwrap_or_default();
            assert!(
                content_type.starts_with("application/json"),
                "{id}: {content_type}"
            );
        }
        None => assert!(seen.body.is_empty(), "{id}: a body was sent"),
    }
}

/// Walks `operations::ALL` in the document's order. Create Calendar comes before Get, Update
/// and Delete Calendar, so the calendar it creates is the one those three act on: the example's
/// `calendarId` is replaced by the created id for every operation after it (the others do not
/// look it up). Delete Calendar is the last of the three.
#[tokio::test]
async fn every_operation_succeeds_against_the_sandbox_and_reaches_it_as_documented() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let mut created: Option<String> = None;
    let mut called = BTreeSet::new();
    for (count, operation) in operations::ALL.iter().enumerate() {
        let id = operation.id;
        let mut example = example_request(id).unwrap_or_else(|| panic!("{id}: no example"));
        if let Some(calendar) = &created
            && operation.path.contains("{calendarId}")
        {
            example
                .parameters
                .insert("calendarId".into(), Value::String(calendar.clone()));
        }
        match __examples::call(&client, id, &example).await {
            Some(Ok(())) => {}
            Some(Err(error)) => panic!("{id}: {error}\nexample: {example:?}"),
            None => panic!("{id}: the client has no such operation"),
        }

        let requests = sandbox.requests();
        assert_eq!(requests.len(), count + 1, "{id}: one request per call");
        check_wire(operation, &example, sandbox.token(), &requests[count]);

        if id == operations::CREATE_CALENDAR.id {
            let stored = sandbox.calendars();
            assert_eq!(stored.len(), 1);
            let body = example.body.as_ref().unwrap();
            assert_eq!(stored[0]["name"], body["name"]);
            created = stored[0]["id"].as_str().map(str::to_string);
        }
        if id == operations::UPDATE_CALENDAR.id {
            let body = example.body.as_ref().unwrap();
            assert_eq!(sandbox.calendars()[0]["name"], body["name"], "updated");
        }
        if id == operations::DELETE_CALENDAR.id {
            assert!(sandbox.calendars().is_empty(), "deleted");
        }
        called.insert(id);
    }
    assert_eq!(called.len(), operations::ALL.len());
    assert_eq!(called.len(), 41, "the document has 41 operations");
    assert!(created.is_some(), "create-calendar ran");
}
