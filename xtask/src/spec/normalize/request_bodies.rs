//! Steps about request bodies: one media type each, multipart uploads as raw bodies, and
//! nothing the client would send without being asked (defaults, read-only fields).

use super::{ATTENTION, Context, Notes, components_schemas, operation_id};
use crate::spec::schema_walk::{
    append_description, operations_mut, request_and_response_schemas, visit_all_schemas_mut,
};
use serde_json::{Value, json};

/// The media type a raw body goes out as; the runtime gives a `Multipart` body its own
/// `multipart/form-data; boundary=…` when it is sent.
const RAW_MEDIA_TYPE: &str = "application/octet-stream";

/// `raw_multipart_bodies`: a request body offered only as `multipart/form-data` (which
/// progenitor cannot generate) becomes a raw body, `application/octet-stream`, that callers
/// fill with `highlevel_runtime::Multipart`; the parts upstream describes stay in the
/// operation's description.
pub(super) fn raw_multipart_bodies(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    for op in operations_mut(doc) {
        let id = operation_id(op);
        let Some(Value::Object(content)) = op.pointer_mut("/requestBody/content") else {
            continue;
        };
        if content.contains_key("application/json") || !content.contains_key("multipart/form-data")
        {
            continue;
        }
        let parts: Vec<String> = content["multipart/form-data"]
            .pointer("/schema/properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        content.clear();
        content.insert(
            RAW_MEDIA_TYPE.into(),
            json!({"schema": {"type": "string", "format": "binary"}}),
        );
        let sentence = if parts.is_empty() {
            "The body is `multipart/form-data`: build it with `highlevel_runtime::Multipart`."
                .to_string()
        } else {
            format!(
                "The body is `multipart/form-data` with the parts {}: build it with `highlevel_runtime::Multipart`.",
                parts
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        crate::spec::schema_walk::append_description(op, &sentence);
        notes.push(format!(
            "{ATTENTION}{id}: its multipart/form-data body is a raw body (highlevel_runtime::Multipart)"
        ));
    }
    Ok(notes)
}

/// Media types of a request body in the order [`one_request_media_type`] prefers them: JSON
/// says everything the others can, and the runtime sends a form or raw bytes too.
const PREFERRED_BODY_TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    RAW_MEDIA_TYPE,
];

/// `one_request_media_type`: a request body offered in several media types keeps one, the
/// first of [`PREFERRED_BODY_TYPES`] it offers (else its first).
///
/// progenitor generates one body per operation and panics (`more media types than expected`)
/// on an operation offering two. HighLevel's v3 OAuth document offers the token request as
/// both a form and JSON.
pub(super) fn one_request_media_type(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    for op in operations_mut(doc) {
        let id = operation_id(op);
        let Some(Value::Object(content)) = op.pointer_mut("/requestBody/content") else {
            continue;
        };
        if content.len() < 2 {
            continue;
        }
        let kept = PREFERRED_BODY_TYPES
            .iter()
            .find(|t| content.contains_key(**t))
            .map(|t| t.to_string())
            .or_else(|| content.keys().next().cloned())
            .unwrap_or_default();
        let dropped: Vec<String> = content.keys().filter(|k| **k != kept).cloned().collect();
        content.retain(|k, _| *k == kept);
        notes.push(format!(
            "{id}: its request body is sent as {kept} (also offered: {})",
            dropped.join(", ")
        ));
    }
    Ok(notes)
}

pub(super) fn drop_defaults(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        if let Some(default) = schema.as_object_mut().and_then(|o| o.remove("default")) {
            append_description(schema, &format!("Server default: `{default}`."));
            notes.push(format!("dropped default `{default}`"));
        }
    });
    Ok(notes)
}

pub(super) fn drop_read_only_request_properties(
    doc: &mut Value,
    _: &mut Context,
) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let (requests, responses) = request_and_response_schemas(doc);
    let schemas = components_schemas(doc);
    for name in requests.difference(&responses) {
        let Some(schema) = schemas.get_mut(name) else {
            continue;
        };
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            continue;
        };
        let dropped: Vec<String> = props
            .iter()
            .filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true)))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &dropped {
            props.remove(key);
            notes.push(format!("dropped {name}.{key}"));
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|r| !dropped.iter().any(|d| Some(d.as_str()) == r.as_str()));
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::normalize::test_support::run;

    #[test]
    fn a_body_offered_twice_keeps_json() {
        let mut doc = json!({"paths": {"/oauth/token": {"post": {
            "operationId": "get-token",
            "requestBody": {"content": {
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}}
            }},
            "responses": {}
        }}}});
        let notes = run(one_request_media_type, &mut doc).unwrap();
        let content = &doc["paths"]["/oauth/token"]["post"]["requestBody"]["content"];
        assert_eq!(
            content.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["application/json"]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(run(one_request_media_type, &mut doc).unwrap().is_empty());
    }
}
