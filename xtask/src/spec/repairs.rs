//! Normalizer steps that repair what other HighLevel documents get wrong and the Calendars
//! document does not (found by `cargo xtask every-document`). Like every step, each is listed
//! in [`STEPS`](crate::spec::normalize::STEPS) and explained in `openapi/overlay.toml`.

use crate::spec::normalize::{ATTENTION, Context, Notes, operation_id};
use crate::spec::schema_walk::{operations_mut, visit_all_schemas_mut};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Keywords a parameter object may have (OpenAPI 3.0); anything else upstream puts there
/// (`anyOf` beside `schema`) is not read by any tool and stops openapiv3's parser.
const PARAMETER_KEYWORDS: &[&str] = &[
    "name",
    "in",
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
    "$ref",
];

/// JSON Schema types OpenAPI 3.0 knows.
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// `repair_parameters`: every path parameter required; a query parameter that repeats a path
/// parameter's name dropped (the path carries the value); keywords a parameter cannot have
/// dropped; a parameter or response header without a schema, or with a type OpenAPI does not
/// have (`any`), typed as a string (a query value or a header is text).
pub fn repair_parameters(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    for op in operations_mut(doc) {
        let id = operation_id(op);
        repair_response_headers(op, &id, &mut notes);
        let Some(Value::Array(params)) = op.get_mut("parameters") else {
            continue;
        };
        let in_path: BTreeSet<String> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        params.retain(|p| {
            // The runtime sends the token; a declared header would be one more thing to set.
            let authorization = p["in"] == "header"
                && p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("authorization"));
            if authorization {
                notes.push(format!(
                    "{id}: dropped the Authorization header parameter (the runtime sends it)"
                ));
                return false;
            }
            let repeated =
                p["in"] == "query" && p["name"].as_str().is_some_and(|n| in_path.contains(n));
            if repeated {
                notes.push(format!(
                    "{id}: dropped the query parameter `{}`, which repeats a path parameter",
                    p["name"].as_str().unwrap_or_default()
                ));
            }
            !repeated
        });
        for param in params.iter_mut() {
            let Value::Object(fields) = param else {
                continue;
            };
            if fields.contains_key("$ref") {
                continue;
            }
            let name = fields
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if fields.get("in").and_then(Value::as_str) == Some("path")
                && fields.get("required") != Some(&Value::Bool(true))
            {
                fields.insert("required".into(), Value::Bool(true));
                notes.push(format!("{id}: the path parameter `{name}` is required"));
            }
            let foreign: Vec<String> = fields
                .keys()
                .filter(|k| !PARAMETER_KEYWORDS.contains(&k.as_str()) && !k.starts_with("x-"))
                .cloned()
                .collect();
            for key in foreign {
                fields.remove(&key);
                notes.push(format!("{id}: dropped `{key}` from the parameter `{name}`"));
            }
            if type_as_string(fields) {
                notes.push(format!("{id}: the parameter `{name}` is typed as a string"));
            }
        }
    }
    Ok(notes)
}

/// Gives each response header without a usable schema a string one.
fn repair_response_headers(op: &mut Value, id: &str, notes: &mut Notes) {
    let Some(Value::Object(responses)) = op.get_mut("responses") else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let Some(Value::Object(headers)) = response.get_mut("headers") else {
            continue;
        };
        for (name, header) in headers.iter_mut() {
            if let Value::Object(fields) = header
                && !fields.contains_key("$ref")
                && type_as_string(fields)
            {
                notes.push(format!(
                    "{id}: the {status} header `{name}` is typed as a string"
                ));
            }
        }
    }
}

/// Types a parameter or header object as a string when it has no schema (nor `content`) or a
/// schema with a type OpenAPI does not have; whether it did.
fn type_as_string(fields: &mut serde_json::Map<String, Value>) -> bool {
    if fields.contains_key("content") {
        return false;
    }
    let schema = fields.entry("schema").or_insert_with(|| json!({}));
    let typed = schema
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| TYPES.contains(&t));
    let composed = ["$ref", "allOf", "oneOf", "anyOf", "enum"]
        .iter()
        .any(|k| schema.get(*k).is_some());
    if typed || composed {
        return false;
    }
    if let Value::Object(schema) = schema {
        schema.insert("type".into(), json!("string"));
    }
    true
}

/// The string formats typify turns into another Rust type than `String`.
const TYPED_STRING_FORMATS: &[&str] = &["date-time", "date", "uuid", "ip", "ipv4", "ipv6"];

/// `formats_stay_strings`: a string's `format` that typify would make another Rust type
/// (`date-time`, `date`, `uuid`, `ip`, `ipv4`, `ipv6`) leaves the schema, kept as `x-format`,
/// so the value stays a `String`.
pub fn formats_stay_strings(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let Value::Object(fields) = schema else {
            return;
        };
        let format = fields.get("format").and_then(Value::as_str);
        if let Some(format) = format.filter(|f| TYPED_STRING_FORMATS.contains(f)) {
            *counts.entry(format.to_string()).or_default() += 1;
            if let Some(format) = fields.remove("format") {
                fields.insert("x-format".into(), format);
            }
        }
    });
    Ok(counts
        .into_iter()
        .map(|(format, count)| format!("{count} `{format}` string(s) stay strings"))
        .collect())
}

/// `repair_enums`: an `enum` whose one value is the list of values becomes that list; an enum
/// of strings under `type: number` or `integer` becomes a string enum; a value listed twice is
/// listed once.
pub fn repair_enums(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let Value::Object(fields) = schema else {
            return;
        };
        let Some(Value::Array(values)) = fields.get_mut("enum") else {
            return;
        };
        if let [Value::Array(inner)] = values.as_slice() {
            *values = inner.clone();
            notes.push("an enum given as a list inside a list is the inner list".into());
        }
        let mut seen = Vec::new();
        let before = values.len();
        values.retain(|v| {
            let fresh = !seen.contains(v);
            if fresh {
                seen.push(v.clone());
            }
            fresh
        });
        if values.len() < before {
            notes.push(format!(
                "{} repeated enum value(s) listed once",
                before - values.len()
            ));
        }
        let all_strings = !values.is_empty() && values.iter().all(Value::is_string);
        let numeric = matches!(
            fields.get("type").and_then(Value::as_str),
            Some("number" | "integer")
        );
        if all_strings && numeric {
            fields.insert("type".into(), json!("string"));
            notes.push("an enum of strings declared as a number is a string enum".into());
        }
    });
    Ok(notes)
}

/// `distinct_field_names`: of the names of one object (its properties, and the required names
/// it declares no property for, which typify makes fields too) whose Rust field names would be
/// the same (`id` and `_id` are both `id`), only the first without a leading `_` is kept; the
/// others leave `properties` and `required`.
pub fn distinct_field_names(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let Value::Object(fields) = schema else {
            return;
        };
        let mut names: Vec<String> = fields
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for name in fields
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        // Plain names first, so that `id` is kept over `_id`.
        names.sort_by_key(|n| n.starts_with('_'));
        let mut seen = BTreeSet::new();
        let dropped: Vec<String> = names
            .into_iter()
            .filter(|name| !seen.insert(highlevel_codegen::snake_case(name)))
            .collect();
        for name in dropped {
            if let Some(Value::Object(properties)) = fields.get_mut("properties") {
                properties.remove(&name);
            }
            if let Some(Value::Array(required)) = fields.get_mut("required") {
                required.retain(|r| r.as_str() != Some(name.as_str()));
            }
            let kept = highlevel_codegen::snake_case(&name);
            notes.push(format!(
                "{ATTENTION}the property `{name}` would be the Rust field `{kept}` a sibling already is; it is left out"
            ));
        }
    });
    Ok(notes)
}

/// The media type a raw body goes out as; the runtime gives a `Multipart` body its own
/// `multipart/form-data; boundary=…` when it is sent.
const RAW_MEDIA_TYPE: &str = "application/octet-stream";

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
pub fn undescribed_answers_are_json(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
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

/// `raw_multipart_bodies`: a request body offered only as `multipart/form-data` (which
/// progenitor cannot generate) becomes a raw body, `application/octet-stream`, that callers
/// fill with `highlevel_runtime::Multipart`; the parts upstream describes stay in the
/// operation's description.
pub fn raw_multipart_bodies(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
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
pub fn one_request_media_type(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::config::Config;
    use crate::spec::overlay::Overlay;

    struct NoFiles;

    impl crate::spec::normalize::Loader for NoFiles {
        fn load(&mut self, relative: &str) -> Result<Value, String> {
            Err(format!("no file {relative}"))
        }
    }

    /// Runs one step on `doc`, as the normalizer would, with a configuration that matters to
    /// none of these steps.
    fn run(
        step: fn(&mut Value, &mut Context) -> Result<Notes, String>,
        doc: &mut Value,
    ) -> Result<Notes, String> {
        let config = Config::parse(
            "upstream = \"u\"\noutput = \"o\"\noperations = [\"x\"]",
            "t",
        )
        .expect("a valid configuration");
        let overlay = Overlay::default();
        let mut loader = NoFiles;
        let mut ctx = Context {
            config: &config,
            loader: &mut loader,
            overlay: &overlay,
        };
        step(doc, &mut ctx)
    }

    #[test]
    fn enums_are_flattened_retyped_and_deduplicated() {
        let mut doc = json!({"components": {"schemas": {
            "Country": {"type": "number", "enum": [["US", "CA", "US"]], "example": "US"}
        }}});
        let notes = run(repair_enums, &mut doc).unwrap();
        assert_eq!(
            doc["components"]["schemas"]["Country"],
            json!({"type": "string", "enum": ["US", "CA"], "example": "US"})
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(run(repair_enums, &mut doc).unwrap().is_empty());
    }

    #[test]
    fn clashing_field_names_keep_the_plain_one() {
        let mut doc = json!({"components": {"schemas": {"S": {
            "type": "object",
            "required": ["id", "_id", "__v"],
            "properties": {"_id": {"type": "string"}, "id": {"type": "string"}, "__v": {}}
        }}}});
        let notes = run(distinct_field_names, &mut doc).unwrap();
        let s = &doc["components"]["schemas"]["S"];
        assert_eq!(s["required"], json!(["id", "__v"]));
        assert!(s["properties"].get("_id").is_none() && s["properties"].get("id").is_some());
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn parameters_are_repaired_and_each_repair_noted() {
        let mut doc = json!({"paths": {"/groups/{groupId}/items/{key}": {"get": {
            "operationId": "get-item",
            "parameters": [
                {"name": "groupId", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "key", "in": "path", "schema": {"type": "string"}},
                {"name": "groupId", "in": "query", "schema": {"type": "string"}},
                {"name": "after", "in": "query", "anyOf": [{"type": "number"}],
                 "schema": {"type": "any", "example": 1}},
                {"name": "limit", "in": "query"}
            ],
            "responses": {"200": {"description": "ok", "headers": {"Content-Type": {"description": "audio/x-wav"}}}}
        }}}});
        let notes = run(repair_parameters, &mut doc).unwrap();
        let params = &doc["paths"]["/groups/{groupId}/items/{key}"]["get"]["parameters"];
        assert_eq!(
            params.as_array().unwrap().len(),
            4,
            "the repeated groupId went"
        );
        assert_eq!(params[1]["required"], true);
        assert!(params[2].get("anyOf").is_none());
        assert_eq!(params[2]["schema"], json!({"type": "string", "example": 1}));
        assert_eq!(params[3]["schema"], json!({"type": "string"}));
        let header = &doc["paths"]["/groups/{groupId}/items/{key}"]["get"]["responses"]["200"]["headers"]
            ["Content-Type"];
        assert_eq!(header["schema"], json!({"type": "string"}));
        assert_eq!(notes.len(), 6, "{notes:?}");
        // Run again: nothing left to do.
        assert!(run(repair_parameters, &mut doc).unwrap().is_empty());
    }

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
