//! HighLevel's document as the sandbox reads it: the operations, their parameters and body
//! schemas, and a JSON Schema rendering of the create-calendar body for anyone who wants to
//! check bodies with a JSON Schema validator of their own.
//!
//! OpenAPI 3.0 schemas are close to JSON Schema but not quite: `nullable` is not a JSON Schema
//! keyword, references point into `#/components/schemas`, and `x-…`, `example`, `readOnly` and
//! friends mean nothing to a validator. [`json_schema`] rewrites the schema of one component and
//! everything it references into a draft 2020-12 document with a `$defs` section. The sandbox
//! itself does not check requests with it: it runs the client's own checker
//! ([`operations::check_body`](crate::operations::check_body)).

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// The document the client was generated from, so the sandbox answers by the same schemas the
/// client's types come from.
const SPEC: &str = include_str!("../../openapi/calendars.json");

const COMPONENTS: &str = "#/components/schemas/";

/// OpenAPI keywords that are not JSON Schema validation keywords (besides `nullable` and
/// `x-…`, handled apart).
const OPENAPI_ONLY: &[&str] = &[
    "discriminator",
    "example",
    "externalDocs",
    "readOnly",
    "writeOnly",
    "xml",
];

/// The normalized document, parsed once.
pub(crate) fn spec() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| {
        serde_json::from_str(SPEC).expect("build.rs already parsed openapi/calendars.json")
    })
}

/// The operation object of `operation_id` in the document (`parameters`, `requestBody`,
/// `responses`).
pub(crate) fn operation(operation_id: &str) -> Option<&'static Value> {
    static BY_ID: OnceLock<HashMap<&'static str, &'static Value>> = OnceLock::new();
    BY_ID
        .get_or_init(|| {
            let items = spec()["paths"]
                .as_object()
                .into_iter()
                .flat_map(|p| p.values());
            items
                .filter_map(Value::as_object)
                .flat_map(|item| item.values())
                .filter_map(|op| Some((op["operationId"].as_str()?, op)))
                .collect()
        })
        .get(operation_id)
        .copied()
}

/// The JSON schema of an operation's request body, when it takes one.
pub(crate) fn body_schema(operation: &'static Value) -> Option<&'static Value> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    (!schema.is_null()).then_some(schema)
}

/// The parameters of an operation (path and query), references followed.
pub(crate) fn parameters(operation: &'static Value) -> impl Iterator<Item = &'static Value> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| match p["$ref"].as_str() {
            Some(target) => pointer(target),
            None => p,
        })
}

/// What a local reference (`#/components/...`) points at; `null` when nothing.
pub(crate) fn pointer(reference: &str) -> &'static Value {
    static NULL: Value = Value::Null;
    reference
        .strip_prefix('#')
        .and_then(|p| spec().pointer(p))
        .unwrap_or(&NULL)
}

/// The name of the component that is create-calendar's request body (`CalendarCreateDTO`).
pub(crate) fn request_component() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        operation(crate::operations::CREATE_CALENDAR.id)
            .and_then(body_schema)
            .and_then(|schema| schema["$ref"].as_str())
            .and_then(|r| r.strip_prefix(COMPONENTS))
            .expect("create-calendar's body is a component reference")
            .to_string()
    })
}

/// A component schema of the document, following `$ref` and single-element `allOf`.
pub(crate) fn resolve(mut schema: &'static Value) -> &'static Value {
    loop {
        if let Some(target) = schema["$ref"].as_str() {
            schema = pointer(target);
        } else if let Some([only]) = schema["allOf"].as_array().map(Vec::as_slice) {
            schema = only;
        } else {
            return schema;
        }
    }
}

/// The JSON Schema (draft 2020-12) of component `root` of an OpenAPI 3.0 document.
pub(crate) fn json_schema(document: &Value, root: &str) -> Value {
    let components = &document["components"]["schemas"];
    let mut defs = BTreeMap::new();
    let mut pending = vec![root.to_string()];
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let converted = convert(&components[&name], &mut pending);
        defs.insert(name, converted);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{root}"),
        "$defs": defs,
    })
}

/// Rewrites one OpenAPI schema; names of the components it references are pushed to `refs`.
fn convert(schema: &Value, refs: &mut Vec<String>) -> Value {
    match schema {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (key, value) in fields {
                // The normalizer keeps a number enum as `x-allowed-values` (the client checks
                // it); for a validator it is an `enum` again.
                if key == "x-allowed-values" {
                    out.insert("enum".into(), value.clone());
                    continue;
                }
                if key.starts_with("x-")
                    || key == "nullable"
                    || OPENAPI_ONLY.contains(&key.as_str())
                {
                    continue;
                }
                let value = match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => match target.strip_prefix(COMPONENTS) {
                        Some(name) => {
                            refs.push(name.to_string());
                            Value::String(format!("#/$defs/{name}"))
                        }
                        None => value.clone(),
                    },
                    // Property names are data, not keywords: keep them, convert their schemas.
                    ("properties", Value::Object(properties)) => Value::Object(
                        properties
                            .iter()
                            .map(|(name, s)| (name.clone(), convert(s, refs)))
                            .collect(),
                    ),
                    // `enum`, `required`, `examples`: values, not schemas.
                    ("enum" | "required" | "examples" | "default", _) => value.clone(),
                    _ => convert(value, refs),
                };
                out.insert(key.clone(), value);
            }
            if schema["nullable"] == Value::Bool(true) {
                allow_null(&mut out);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|s| convert(s, refs)).collect()),
        other => other.clone(),
    }
}

/// `nullable: true` in JSON Schema terms: `null` joins the type, or, when the schema is not a
/// plain typed one (a reference, an enum), the schema becomes "this or null".
fn allow_null(schema: &mut Map<String, Value>) {
    if let (Some(Value::String(kind)), false) = (schema.get("type"), schema.contains_key("enum")) {
        let kind = kind.clone();
        schema.insert("type".into(), json!([kind, "null"]));
        return;
    }
    let annotations = ["description", "deprecated", "examples", "title"];
    let mut kept = Map::new();
    for key in annotations {
        if let Some(value) = schema.remove(key) {
            kept.insert(key.to_string(), value);
        }
    }
    let rest = std::mem::take(schema);
    *schema = kept;
    schema.insert(
        "anyOf".into(),
        json!([Value::Object(rest), {"type": "null"}]),
    );
}

/// The create-calendar request body as a JSON Schema (draft 2020-12), made from the document
/// the client was generated from. Use it to check bodies your own code builds with any JSON
/// Schema validator; the sandbox itself checks bodies with the client's checker.
///
/// ```
/// let schema = highlevel_calendars::sandbox::request_json_schema();
/// assert_eq!(schema["$ref"], "#/$defs/CalendarCreateDTO");
/// assert!(schema["$defs"]["CalendarCreateDTO"]["required"].is_array());
/// ```
pub fn request_json_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| json_schema(spec(), request_component()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_become_defs_and_openapi_keywords_go() {
        let document = json!({"components": {"schemas": {
            "A": {
                "type": "object",
                "x-internal": true,
                "example": {"b": "x"},
                "properties": {
                    "b": {"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true,
                          "description": "a B"},
                    "n": {"type": "number", "nullable": true, "x-allowed-values": [0, 1]},
                    "example": {"type": "string", "readOnly": true}
                }
            },
            "B": {"type": "string", "enum": ["x", "y"]},
            "Unused": {"type": "string"}
        }}});
        let schema = json_schema(&document, "A");
        assert_eq!(schema["$ref"], "#/$defs/A");
        let defs = schema["$defs"].as_object().unwrap();
        assert_eq!(defs.keys().collect::<Vec<_>>(), ["A", "B"]);
        let a = &defs["A"];
        assert!(a.get("x-internal").is_none() && a.get("example").is_none());
        // Allowed numbers are an enum again; with an enum, null joins through anyOf.
        assert_eq!(
            a["properties"]["n"],
            json!({"anyOf": [{"type": "number", "enum": [0, 1]}, {"type": "null"}]})
        );
        assert_eq!(
            a["properties"]["b"],
            json!({"description": "a B", "anyOf": [
                {"allOf": [{"$ref": "#/$defs/B"}]}, {"type": "null"}
            ]})
        );
        // A property may be called like a dropped keyword.
        assert_eq!(a["properties"]["example"], json!({"type": "string"}));
    }
}
