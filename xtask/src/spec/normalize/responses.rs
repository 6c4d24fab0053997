//! Steps about answers: one error body for every error status, the statuses HighLevel answers
//! and upstream leaves out, undescribed answers kept as JSON, and optional fields that may be
//! `null`.

use super::{ATTENTION, Context, Notes, components_schemas, operation_id};
use crate::spec::schema_walk::{
    SCHEMA_REF_PREFIX, operations_mut, request_and_response_schemas, required_names,
};
use serde_json::{Value, json};

/// Whether a response status is an error: 4xx or 5xx, or the ranges `4XX` and `5XX`.
fn is_error_status(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

/// Name of the error body schema every error status shares.
pub const ERROR_SCHEMA: &str = "ApiErrorBody";
/// Name of the `message` schema of the error body (a string or a list of strings).
pub const ERROR_MESSAGE_SCHEMA: &str = "ApiErrorMessage";

/// `shared_error_schema`: gives every error response (each 4xx and 5xx status, ranges such as
/// `4XX` included, documented with its own schema, with none, or added here) the one body
/// schema [`ERROR_SCHEMA`], and declares 422 and 429 where they are missing.
///
/// progenitor accepts one error type per operation and panics on two (progenitor#344); the
/// schedule operations, say, document 404 and 422 with bodies of their own or none. HighLevel
/// sends the same body for every error.
pub(super) fn shared_error_schema(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let schemas = components_schemas(doc);
    schemas.insert(
        ERROR_SCHEMA.into(),
        json!({
            "type": "object",
            "description": "The body HighLevel sends with every error status. Every field may be absent or null.",
            "properties": {
                "statusCode": {"type": "integer", "nullable": true, "description": "The HTTP status, repeated."},
                "message": {"allOf": [{"$ref": format!("{SCHEMA_REF_PREFIX}{ERROR_MESSAGE_SCHEMA}")}], "nullable": true, "description": "What went wrong: one message, or one per invalid field."},
                "error": {"type": "string", "nullable": true, "description": "The status text, such as `Unprocessable Entity`."},
                "traceId": {"type": "string", "nullable": true, "description": "HighLevel's identifier of the request; support asks for it."}
            }
        }),
    );
    schemas.insert(
        ERROR_MESSAGE_SCHEMA.into(),
        json!({
            "description": "One message, or a list of messages (HighLevel sends a list for validation errors).",
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        }),
    );
    let error_body = json!({
        "content": {"application/json": {"schema": {"$ref": format!("{SCHEMA_REF_PREFIX}{ERROR_SCHEMA}")}}}
    });
    for op in operations_mut(doc) {
        let id = operation_id(op);
        let responses = op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .ok_or("an operation has no responses")?;
        for (status, description) in [
            (
                "422",
                "Unprocessable Entity: the body breaks a rule (not listed upstream)",
            ),
            (
                "429",
                "Too Many Requests: a rate limit is exhausted (not listed upstream)",
            ),
        ] {
            if !responses.contains_key(status) {
                notes.push(format!("{id}: declared {status}"));
            }
            responses
                .entry(status)
                .or_insert_with(|| json!({"description": description}));
        }
        for (status, response) in responses.iter_mut() {
            if is_error_status(status) {
                let response = response
                    .as_object_mut()
                    .ok_or("a response is not an object")?;
                if response.get("content") != Some(&error_body["content"]) {
                    notes.push(format!("{id}: {status} body is `{ERROR_SCHEMA}`"));
                }
                response.insert("content".into(), error_body["content"].clone());
            }
        }
    }
    Ok(notes)
}

/// `declare_created_status`: for each POST operation whose operationId starts with `create`
/// (in any case: `create-calendar`, `createSchedule`) and that documents 200 but not 201, adds
/// a 201 response that is a copy of the 200.
///
/// The API answers such calls with 201 Created where upstream documents 200; an undocumented
/// status would reach users as an unexpected response. Other operations keep their statuses.
pub(super) fn declare_created_status(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return Ok(notes);
    };
    for item in paths.values_mut() {
        let Some(op) = item.get_mut("post") else {
            continue;
        };
        let id = operation_id(op);
        if !is_create_operation_id(&id) {
            continue;
        }
        let responses = op.get_mut("responses").and_then(Value::as_object_mut);
        let Some(responses) = responses else { continue };
        if let Some(ok) = responses.get("200").cloned()
            && !responses.contains_key("201")
        {
            let mut created = ok;
            created["description"] = Value::String(
                "Created (the status the API answers; upstream documents 200)".into(),
            );
            responses.insert("201".into(), created);
            notes.push(format!("{id}: declared 201 like 200"));
        }
    }
    Ok(notes)
}

/// Whether an operationId names an operation that creates something: it starts with `create`
/// in any case (`create-calendar`, `createSchedule`; not `validate-groups-slug`).
fn is_create_operation_id(id: &str) -> bool {
    id.get(..6)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("create"))
}

/// The schema an answer the document does not describe is given: any JSON value, which the
/// generated client hands back as `serde_json::Value`.
fn any_json() -> Value {
    json!({
        "description": "Not described by HighLevel's document: any JSON value (`serde_json::Value`)."
    })
}

/// `undescribed_answers_are_json`: an operation none of whose success statuses describes its
/// body (no `content`, or JSON without a schema) is given an `application/json` answer of any
/// value on each of them (204 No Content excepted), with an attention note naming it.
///
/// progenitor types an answer without a schema `()` and throws the body away, so a caller
/// could not read what HighLevel sent (Contacts' `search-contacts-advanced`). An operation
/// with one described success status is left alone: its other statuses must keep its type.
pub(super) fn undescribed_answers_are_json(
    doc: &mut Value,
    _: &mut Context,
) -> Result<Notes, String> {
    let mut notes = Notes::new();
    for op in operations_mut(doc) {
        let id = operation_id(op);
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            continue;
        };
        let successes: Vec<String> = responses
            .keys()
            .filter(|code| code.starts_with('2') && code.as_str() != "204")
            .cloned()
            .collect();
        let described = |response: &Value| {
            response
                .get("content")
                .and_then(Value::as_object)
                .is_some_and(|content| {
                    content
                        .iter()
                        .any(|(media, m)| media != "application/json" || m.get("schema").is_some())
                })
        };
        if successes.is_empty() || successes.iter().any(|code| described(&responses[code])) {
            continue;
        }
        for code in &successes {
            let response = &mut responses[code];
            if !response.is_object() {
                continue;
            }
            response["content"] = json!({"application/json": {"schema": any_json()}});
        }
        notes.push(format!(
            "{ATTENTION}{id}: the document describes no answer ({}); the client hands it back as `serde_json::Value`",
            successes.join(", ")
        ));
    }
    Ok(notes)
}

pub(super) fn nullable_optional_response_properties(
    doc: &mut Value,
    _: &mut Context,
) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let (_, responses) = request_and_response_schemas(doc);
    let schemas = components_schemas(doc);
    for name in &responses {
        let Some(schema) = schemas.get_mut(name) else {
            continue;
        };
        let required = required_names(schema.get("required"));
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            continue;
        };
        for (key, prop) in props.iter_mut() {
            if !required.contains(key) && prop.get("$ref").is_none() {
                if prop.get("nullable") != Some(&Value::Bool(true)) {
                    notes.push(format!("{name}.{key}"));
                }
                prop["nullable"] = Value::Bool(true);
            }
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_operations_are_recognised_by_their_operation_id() {
        for id in ["create-calendar", "createSchedule", "CreateGroup", "create"] {
            assert!(is_create_operation_id(id), "{id}");
        }
        for id in [
            "validate-groups-slug",
            "get-create",
            "creat",
            "",
            "?",
            "é-create",
        ] {
            assert!(!is_create_operation_id(id), "{id}");
        }
    }
}
