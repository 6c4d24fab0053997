//! A JSON Schema rendering of a document's schemas, for anyone who wants to check bodies with
//! a JSON Schema validator of their own.
//!
//! OpenAPI 3.0 schemas are close to JSON Schema but not quite: `nullable` is not a JSON Schema
//! keyword, references point into `#/components/schemas`, and `x-…`, `example`, `readOnly` and
//! friends mean nothing to a validator. [`json_schema`] rewrites the schema of one component and
//! everything it references into a draft 2020-12 document with a `$defs` section. The sandbox
//! itself does not check requests with it: it runs the client's own checker.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

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

/// The JSON Schema (draft 2020-12) of component `root` of an OpenAPI 3.0 document, with
/// every component it references under `$defs`: for checking bodies with any JSON Schema
/// validator.
///
/// ```
/// use serde_json::json;
///
/// let document = json!({"components": {"schemas": {
///     "Thing": {"type": "object", "required": ["name"],
///               "properties": {"name": {"type": "string", "nullable": true}}}
/// }}});
/// let schema = highlevel_sandbox::json_schema(&document, "Thing");
/// assert_eq!(schema["$ref"], "#/$defs/Thing");
/// assert_eq!(schema["$defs"]["Thing"]["properties"]["name"]["type"], json!(["string", "null"]));
/// ```
pub fn json_schema(document: &Value, root: &str) -> Value {
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
