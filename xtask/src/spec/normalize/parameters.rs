//! Steps about parameters: malformed ones repaired, undeclared path variables declared, and
//! the `Version` header turned into what the runtime sends by itself.

use super::{ATTENTION, Context, Notes, operation_id};
use crate::spec::schema_walk::{METHODS, operations_mut};
use serde_json::{Map, Value, json};
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
pub(super) fn repair_parameters(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
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

/// `declare_path_parameters`: declares every `{name}` of a path template that neither the
/// operation nor its path item declares, as a required string path parameter
/// (`{"name": name, "in": "path", "required": true, "schema": {"type": "string"}}`).
///
/// progenitor maps each variable of the template to a declared parameter and panics
/// (`missing path name mapping`) on one it cannot find. Upstream leaves `{noteId}` undeclared on
/// the update and delete note operations.
pub(super) fn declare_path_parameters(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let components = doc
        .pointer("/components/parameters")
        .cloned()
        .unwrap_or(Value::Null);
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return Ok(notes);
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        let template = path_template_names(path);
        let declared_by_item = declared_path_names(item.get("parameters"), &components);
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let declared = declared_path_names(op.get("parameters"), &components);
            let missing: Vec<&String> = template
                .iter()
                .filter(|name| !declared.contains(*name) && !declared_by_item.contains(*name))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let id = operation_id(op);
            let params = op
                .as_object_mut()
                .ok_or_else(|| format!("{id}: the operation is not an object"))?
                .entry("parameters")
                .or_insert_with(|| json!([]));
            let Value::Array(params) = params else {
                return Err(format!("{id}: `parameters` is not a list"));
            };
            for name in missing {
                params.push(json!({
                    "name": name,
                    "in": "path",
                    "required": true,
                    "schema": {"type": "string"}
                }));
                notes.push(format!(
                    "{id}: declared the path parameter `{name}` of {path}"
                ));
            }
        }
    }
    Ok(notes)
}

/// The variables of a path template, in order, each once: `/a/{x}/b/{y}` -> `x`, `y`.
fn path_template_names(path: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start + 1..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + 1 + len];
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        rest = &rest[start + 1 + len + 1..];
    }
    names
}

/// The names of the path parameters in a `parameters` list, following references into
/// `components/parameters` (given as `components`).
fn declared_path_names(params: Option<&Value>, components: &Value) -> BTreeSet<String> {
    let Some(Value::Array(params)) = params else {
        return BTreeSet::new();
    };
    params
        .iter()
        .filter_map(|param| {
            let param = match param.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    components.get(reference.strip_prefix("#/components/parameters/")?)?
                }
                None => param,
            };
            (param.get("in").and_then(Value::as_str) == Some("path"))
                .then(|| {
                    param
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .flatten()
        })
        .collect()
}

/// The operation extension that records the `Version` header value an operation wants.
pub const VERSION_EXTENSION: &str = "x-highlevel-version";

/// `version_header_to_extension`: removes the `Version` header parameter (declared by an
/// operation or by its path item) and records its value on each operation as
/// `x-highlevel-version`. When every operation that wants a version wants the same one, it
/// becomes `info.version`; otherwise `info.version` stays as upstream has it, with a note.
///
/// The client sends the header by itself, so callers never pass it; progenitor makes
/// `info.version` `Client::api_version()` and build.rs `API_VERSION`. The value is read from a
/// one-value enum or else from the default; a header with neither is an error, since the client
/// could not know what to send.
pub(super) fn version_header_to_extension(
    doc: &mut Value,
    _: &mut Context,
) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let mut values = BTreeSet::new();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            let for_item = take_version_header(item).map_err(|e| format!("{path}: {e}"))?;
            for (method, op) in item.iter_mut() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let id = operation_id(op);
                let op = op
                    .as_object_mut()
                    .ok_or_else(|| format!("{id}: the operation is not an object"))?;
                let own = take_version_header(op).map_err(|e| format!("{id}: {e}"))?;
                if let Some(version) = own.or_else(|| for_item.clone()) {
                    notes.push(format!(
                        "{id}: the Version header ({version}) is now {VERSION_EXTENSION}"
                    ));
                    op.insert(VERSION_EXTENSION.into(), Value::String(version));
                }
                if let Some(version) = op.get(VERSION_EXTENSION).and_then(Value::as_str) {
                    values.insert(version.to_string());
                }
            }
        }
    }
    match values.len() {
        0 => {}
        1 => {
            let version = values.pop_first().unwrap_or_default();
            if doc.pointer("/info/version").and_then(Value::as_str) != Some(version.as_str()) {
                notes.push(format!("info.version is {version}"));
            }
            doc["info"]["version"] = Value::String(version);
        }
        _ => notes.push(format!(
            "{ATTENTION}the operations want different Version headers ({}), so info.version stays {}; each operation's is in {VERSION_EXTENSION}",
            values.into_iter().collect::<Vec<_>>().join(", "),
            doc.pointer("/info/version").unwrap_or(&Value::Null)
        )),
    }
    Ok(notes)
}

/// Removes the `Version` header parameters from the `parameters` of `holder` (an operation or a
/// path item), dropping the list once empty, and returns the value they ask for.
fn take_version_header(holder: &mut Map<String, Value>) -> Result<Option<String>, String> {
    let params = match holder.remove("parameters") {
        Some(Value::Array(params)) => params,
        Some(other) => {
            holder.insert("parameters".into(), other);
            return Ok(None);
        }
        None => return Ok(None),
    };
    let mut kept = Vec::new();
    let mut version = None;
    for param in params {
        let is_version = param.get("in").and_then(Value::as_str) == Some("header")
            && param
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("version"));
        if !is_version {
            kept.push(param);
            continue;
        }
        let schema = param.get("schema").cloned().unwrap_or(Value::Null);
        let value = match schema.get("enum").and_then(Value::as_array) {
            Some(values) if values.len() == 1 => values[0].as_str().map(str::to_string),
            _ => schema
                .get("default")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        version =
            Some(value.ok_or(
                "the Version header has no single value (one-value enum or default) to send",
            )?);
    }
    if !kept.is_empty() {
        holder.insert("parameters".into(), Value::Array(kept));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::normalize::test_support::run;

    #[test]
    fn path_templates_name_their_variables_once_in_order() {
        assert_eq!(
            path_template_names("/a/{x}/b/{y}/{x}"),
            ["x".to_string(), "y".to_string()]
        );
        assert!(path_template_names("/calendars/").is_empty());
        assert!(path_template_names("/a/{unclosed").is_empty());
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
}
