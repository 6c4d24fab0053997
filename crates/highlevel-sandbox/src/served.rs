//! The document a sandbox serves at `GET /openapi.json`: the normalized document it was made
//! from, plus what the sandbox enforces beyond it, so that an API tester pointed at the sandbox
//! alone knows what to expect:
//!
//! - `404` on every operation that acts on a kept resource by id or under a parent, and `409`
//!   on the creates and updates of a collection with a unique field;
//! - the refusals of the request checks where the document leaves them out: `400` (a missing
//!   or wrong `Version`, a body that is no JSON) and `422` (parameters or body against their
//!   schemas);
//! - `minLength: 1` on required text of request bodies and parameters, when the validation
//!   refuses blank required text (the default);
//! - links from each create's answer to the operations on what it made (see
//!   `Store::links`);
//! - the rules HighLevel states only in words, which JSON Schema cannot say, listed in
//!   `x-highlevel-enforced-rules` (each with its name and what it requires);
//! - the operations answered from examples whatever was created, in
//!   `x-highlevel-example-driven`.

use crate::api::Api;
use crate::document::Document;
use crate::store::Store;
use crate::synth;
use highlevel_runtime::Validation;
use highlevel_runtime::validation::Rule;
use serde_json::{Value, json};

/// Where the served document is.
pub(crate) const PATH: &str = "/openapi.json";

/// A rule the sandbox enforces that the document states only in words.
#[derive(Debug, Clone)]
pub(crate) struct WordsRule {
    pub(crate) rule: Rule,
    pub(crate) says: String,
}

/// The document as served (see the module documentation).
pub(crate) fn document(
    api: &Api,
    store: &Store,
    validation: &Validation,
    words: &[WordsRule],
    example_driven: &[&str],
) -> Value {
    let document = api.document();
    let mut served = document.value().clone();
    let error = error_answer(document);
    let method_keys = ["get", "put", "post", "delete", "patch"];
    let paths: Vec<String> = served["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        for method in method_keys {
            let Some(op) = served["paths"][path.as_str()].get_mut(method) else {
                continue;
            };
            let Some(id) = op["operationId"].as_str().map(str::to_string) else {
                continue;
            };
            let mut answers = store.statuses(&id);
            answers.extend(checked(op));
            let success = synth::success_status(op).as_u16().to_string();
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            let links = store.links(&id);
            let made = responses.get_mut(&success).filter(|_| !links.is_empty());
            if let Some(Value::Object(made)) = made {
                let kept = made.entry("links").or_insert_with(|| json!({}));
                if let Some(kept) = kept.as_object_mut() {
                    // The document's own links first; one link per operation.
                    for (name, link) in links {
                        let linked = kept.values().any(|l| l["operationId"] == name);
                        if !linked {
                            kept.entry(name).or_insert(link);
                        }
                    }
                }
            }
            for (status, why) in answers {
                responses.entry(status.to_string()).or_insert_with(|| {
                    let mut answer = error.clone();
                    answer["description"] = Value::String(why.to_string());
                    answer
                });
            }
        }
    }
    if validation.checks(Rule::REQUIRED) {
        require_text(&mut served, api, validation);
    }
    let enforced: Vec<Value> = words
        .iter()
        .filter(|w| validation.checks(w.rule))
        .map(|w| json!({"rule": w.rule.name(), "says": w.says}))
        .collect();
    served["x-highlevel-enforced-rules"] = Value::Array(enforced);
    served["x-highlevel-example-driven"] = json!(example_driven);
    served
}

/// The statuses the request checks answer `op` with before it is answered (see
/// `handler::checked`), and why.
fn checked(op: &Value) -> Vec<(u16, &'static str)> {
    let body = op.get("requestBody").is_some();
    let mut statuses = vec![(
        400,
        match body {
            true => "Bad Request: the Version header is missing or wrong, or the body is no JSON",
            false => "Bad Request: the Version header is missing or wrong",
        },
    )];
    let parameters = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
    if body || parameters {
        statuses.push((
            422,
            "Unprocessable Entity: a parameter or the body does not fit its schema",
        ));
    }
    statuses
}

/// A response object for the sandbox's errors, in HighLevel's error shape.
fn error_answer(document: &'static Document) -> Value {
    let schema = match document
        .pointer("#/components/schemas/ApiErrorBody")
        .is_null()
    {
        false => json!({"$ref": "#/components/schemas/ApiErrorBody"}),
        true => json!({"type": "object", "properties": {
            "statusCode": {"type": "integer"},
            "message": {},
            "error": {"type": "string"},
            "traceId": {"type": "string"}
        }}),
    };
    json!({"description": "", "content": {"application/json": {"schema": schema}}})
}

/// Adds `minLength: 1` to each required text property of a request body (at its top, or of
/// the items of an array body) that the body check refuses blank: tried on the operation's
/// example body with that property made `""`. Also to required text parameters, which the
/// sandbox refuses blank itself.
fn require_text(served: &mut Value, api: &Api, validation: &Validation) {
    let document = api.document();
    for operation in api.operations() {
        let Some(op) = document.operation(operation.id) else {
            continue;
        };
        let (Some(declared), Some(example)) = (
            document.body_schema(op),
            api.example_request(operation.id).and_then(|e| e.body),
        ) else {
            continue;
        };
        let resolved = document.resolve(declared);
        let is_array = resolved["type"] == "array";
        let object = match is_array {
            true => document.resolve(&resolved["items"]),
            false => resolved,
        };
        let required = object["required"].as_array().into_iter().flatten();
        let blank_refused: Vec<&str> = required
            .filter_map(Value::as_str)
            .filter(|name| document.resolve(&object["properties"][*name])["type"] == "string")
            .filter(|name| {
                let mut blank = example.clone();
                let target = match is_array {
                    true => &mut blank[0],
                    false => &mut blank,
                };
                if target.get(*name).is_none() {
                    return false;
                }
                target[*name] = Value::String(String::new());
                let bytes = serde_json::to_vec(&blank).unwrap_or_default();
                api.check(document, operation, &bytes, validation).is_err()
            })
            .collect();
        if blank_refused.is_empty() {
            continue;
        }
        let Some(target) = schema_in(served, op, is_array) else {
            continue;
        };
        for name in blank_refused {
            set_min_length(&mut target["properties"][name]);
        }
    }
    let paths = served["paths"].as_object_mut();
    for item in paths.into_iter().flat_map(|p| p.values_mut()) {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            for parameter in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if parameter["required"] == true && parameter["schema"]["type"] == "string" {
                    set_min_length(&mut parameter["schema"]);
                }
            }
        }
    }
}

/// The object schema of `op`'s request body inside `served` (the component it refers to, or
/// the inline schema; the items' schema for an array body).
fn schema_in<'a>(served: &'a mut Value, op: &Value, is_array: bool) -> Option<&'a mut Value> {
    let body = &op["requestBody"]["content"]["application/json"]["schema"];
    let mut pointer = match body["$ref"].as_str() {
        Some(reference) => reference.strip_prefix('#')?.to_string(),
        None => {
            let path = find_operation(served, op["operationId"].as_str()?)?;
            format!("{path}/requestBody/content/application~1json/schema")
        }
    };
    if is_array {
        let items = served.pointer(&pointer)?.get("items")?;
        pointer = match items["$ref"].as_str() {
            Some(reference) => reference.strip_prefix('#')?.to_string(),
            None => format!("{pointer}/items"),
        };
    }
    served.pointer_mut(&pointer)
}

/// The JSON pointer of the operation object with `operation_id`.
fn find_operation(served: &Value, operation_id: &str) -> Option<String> {
    let paths = served["paths"].as_object()?;
    paths.iter().find_map(|(path, item)| {
        let (method, _) = item
            .as_object()?
            .iter()
            .find(|(_, op)| op["operationId"] == operation_id)?;
        let escaped = path.replace('~', "~0").replace('/', "~1");
        Some(format!("/paths/{escaped}/{method}"))
    })
}

fn set_min_length(schema: &mut Value) {
    if let Value::Object(fields) = schema {
        let at_least_one = fields
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|min| min >= 1);
        if !at_least_one && fields.get("enum").is_none() {
            fields.insert("minLength".into(), json!(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use crate::store::StoreSettings;
    use serde_json::Map;

    #[test]
    fn the_served_document_says_what_the_sandbox_enforces() {
        let api = fixture::calendars();
        let store =
            Store::open(api.document(), api.operations(), StoreSettings::default()).unwrap();
        let words = [WordsRule {
            rule: Rule::documented("team_members_required"),
            says: "round robin calendars need team members".into(),
        }];
        let served = document(&api, &store, &Validation::stated(), &words, &["get-slots"]);
        let responses = |path: &str, method: &str| -> Map<String, Value> {
            served["paths"][path][method]["responses"]
                .as_object()
                .unwrap()
                .clone()
        };
        let find = "/calendars/{calendarId}/notifications/{notificationId}";
        assert!(responses(find, "get").contains_key("404"));
        assert!(responses(find, "delete").contains_key("404"));
        assert!(
            responses("/calendars/{calendarId}/notifications", "post").contains_key("404"),
            "under a parent"
        );
        assert!(!responses("/calendars/{calendarId}/free-slots", "get").contains_key("404"));
        assert!(
            served["paths"]["/calendars/{calendarId}/free-slots"]
                .get("post")
                .is_none(),
            "no method made up"
        );
        let create = &served["components"]["schemas"]["CalendarCreateDTO"];
        assert!(
            create["properties"]["name"].get("minLength").is_none(),
            "the schema alone lets blank text through, so the document says nothing: {create}"
        );
        let list = &served["paths"]["/calendars/"]["get"]["parameters"];
        let location = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "locationId")
            .unwrap();
        assert_eq!(location["schema"]["minLength"], 1, "{location}");
        let links = &served["paths"]["/calendars/"]["post"]["responses"]["201"]["links"];
        let notifications = &links["create-event-notification"]["parameters"];
        assert_eq!(
            notifications["calendarId"], "$response.body#/calendar/id",
            "what lives under it: {links}"
        );
        assert!(
            links.get("get-calendar").is_none(),
            "the document links it already"
        );
        assert_eq!(links["GetCalendar"]["operationId"], "get-calendar");
        let notification = &served["paths"]["/calendars/{calendarId}/notifications"]["post"];
        let find = &notification["responses"]["201"]["links"]["find-event-notification"];
        assert_eq!(
            find["parameters"],
            json!({"calendarId": "$request.path.calendarId",
                   "notificationId": "$response.body#/0/_id"}),
            "{find}"
        );
        assert_eq!(
            served["x-highlevel-enforced-rules"][0]["rule"],
            "team_members_required"
        );
        assert_eq!(served["x-highlevel-example-driven"], json!(["get-slots"]));
        let lenient = document(&api, &store, &Validation::off(), &words, &[]);
        assert!(
            lenient["x-highlevel-enforced-rules"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn the_refusals_of_the_checks_are_served_where_the_document_leaves_them_out() {
        let api = Api::from_document(
            r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
              "/things": {"post": {"operationId": "make-thing",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}}}},
              "/ping": {"get": {"operationId": "ping",
                "responses": {"200": {"description": "ok"},
                              "400": {"description": "documented"}}}}}}"#,
        )
        .unwrap();
        let store =
            Store::open(api.document(), api.operations(), StoreSettings::default()).unwrap();
        let served = document(&api, &store, &Validation::stated(), &[], &[]);
        let make = &served["paths"]["/things"]["post"]["responses"];
        assert!(
            make["400"]["description"]
                .as_str()
                .unwrap()
                .contains("no JSON")
        );
        assert!(make.get("422").is_some(), "{make}");
        let ping = &served["paths"]["/ping"]["get"]["responses"];
        assert_eq!(
            ping["400"]["description"], "documented",
            "kept as documented"
        );
        assert!(ping.get("422").is_none(), "nothing to refuse: {ping}");
    }
}
