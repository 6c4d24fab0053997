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

/// The collection path a create operation adds to, and the parameter naming one of its items:
/// a `POST P` with operations on `P/{param}` that the sandbox keeps resources for.
fn collection_of(create: &Operation) -> Option<(&'static str, &'static str)> {
    let stateless = highlevel_calendars::sandbox::example_driven_operations();
    if create.method != "POST" || stateless.contains(&create.id) {
        return None;
    }
    let path = create.path.trim_end_matches('/');
    operations::ALL.iter().find_map(|op| {
        let (parent, last) = op.path.rsplit_once('/')?;
        let param = last.strip_prefix('{')?.strip_suffix('}')?;
        (parent == path).then_some((create.path, param))
    })
}

/// The order the walk calls operations in: creates first (parents before children), deletes
/// last (children before parents, Delete Calendar at the very end), the rest in the document's
/// order between them.
fn walk_order() -> Vec<&'static Operation> {
    let depth = |op: &Operation| op.path.matches('/').count();
    let mut creates: Vec<&'static Operation> = operations::ALL
        .iter()
        .copied()
        .filter(|op| collection_of(op).is_some())
        .collect();
    creates.sort_by_key(|op| depth(op));
    let mut deletes: Vec<&'static Operation> = operations::ALL
        .iter()
        .copied()
        .filter(|op| op.method == "DELETE")
        .collect();
    deletes.sort_by_key(|op| std::cmp::Reverse(depth(op)));
    let rest = operations::ALL
        .iter()
        .copied()
        .filter(|op| collection_of(op).is_none() && op.method != "DELETE");
    creates.iter().copied().chain(rest).chain(deletes).collect()
}

/// Calls every operation once. The sandbox keeps what the creates make and answers 404 for an
/// id it does not keep, so the walk creates first and gives every later call the ids the
/// creates got (read back from the sandbox), and deletes last.
#[tokio::test]
async fn every_operation_succeeds_against_the_sandbox_and_reaches_it_as_documented() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let mut created: Option<String> = None;
    // (item path template, its parameter, the id created there), oldest first.
    let mut ids: Vec<(String, &str, String)> = Vec::new();
    let mut called = BTreeSet::new();
    for (count, operation) in walk_order().into_iter().enumerate() {
        let id = operation.id;
        let mut example = example_request(id).unwrap_or_else(|| panic!("{id}: no example"));
        for (param, slot) in example.parameters.iter_mut() {
            // The id created under this very path, else the last one of that name
            // (`/calendars/events/{eventId}` deletes appointments and blocked slots alike).
            let under_path = ids
                .iter()
                .filter(|(item, name, _)| name == param && operation.path.starts_with(item))
                .max_by_key(|(item, _, _)| item.len());
            let by_name = || ids.iter().rev().find(|(_, name, _)| name == param);
            if let Some((_, _, value)) = under_path.or_else(by_name) {
                *slot = Value::String(value.clone());
            }
        }
        match __examples::call(&client, id, &example).await {
            Some(Ok(())) => {}
            Some(Err(error)) => panic!("{id}: {error}\nexample: {example:?}"),
            None => panic!("{id}: the client has no such operation"),
        }

        let requests = sandbox.requests();
        assert_eq!(requests.len(), count + 1, "{id}: one request per call");
        check_wire(operation, &example, sandbox.token(), &requests[count]);

        if let Some((collection, param)) = collection_of(operation) {
            let kept = sandbox.resources(collection);
            let last = kept.last().unwrap_or_else(|| panic!("{id}: nothing kept"));
            let new_id = last["id"].as_str().or(last["_id"].as_str()).unwrap();
            let item = format!("{}/{{{param}}}", collection.trim_end_matches('/'));
            ids.push((item, param, new_id.to_string()));
        }
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
            let notifications = sandbox.resources("/calendars/{calendarId}/notifications");
            assert!(notifications.is_empty(), "gone with their calendar");
        }
        called.insert(id);
    }
    assert_eq!(called.len(), operations::ALL.len());
    assert_eq!(called.len(), 41, "the document has 41 operations");
    assert!(created.is_some(), "create-calendar ran");
    assert_eq!(
        walk_order().last().map(|op| op.id),
        Some(operations::DELETE_CALENDAR.id)
    );
}
