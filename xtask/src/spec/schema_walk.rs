//! Walking the schemas of an OpenAPI 3.0 document held as `serde_json::Value`.
//!
//! The normalizer's steps work on raw JSON so that nothing the steps do not touch is lost or
//! reformatted; these helpers know where schemas live inside a document.

use serde_json::Value;
use std::collections::BTreeSet;

/// Prefix of a reference to a named schema in the same document.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Calls `f` on `schema` and on every schema nested in it (properties, items, compositions,
/// additional properties), parents before children. Does not follow `$ref`.
pub fn visit_schema_mut(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    f(schema);
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for prop in props.values_mut() {
            visit_schema_mut(prop, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child @ Value::Object(_)) = obj.get_mut(key) {
            visit_schema_mut(child, f);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(children)) = obj.get_mut(key) {
            for child in children {
                visit_schema_mut(child, f);
            }
        }
    }
}

/// Calls `f` on every schema of the document: named components and the schemas inline in
/// operations (parameters, request bodies, responses).
pub fn visit_all_schemas_mut(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for schema in schemas.values_mut() {
            visit_schema_mut(schema, f);
        }
    }
    for op in operations_mut(doc) {
        for schema in operation_schemas_mut(op) {
            visit_schema_mut(schema, f);
        }
    }
}

/// The HTTP methods an OpenAPI path item may hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation object of the document.
pub fn operations_mut(doc: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            if let Value::Object(item) = item {
                for (method, op) in item.iter_mut() {
                    if METHODS.contains(&method.as_str()) {
                        out.push(op);
                    }
                }
            }
        }
    }
    out
}

/// Every operation of the document with its path and method.
pub fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            if let Value::Object(item) = item {
                for (method, op) in item {
                    if METHODS.contains(&method.as_str()) {
                        out.push((path.clone(), method.clone(), op));
                    }
                }
            }
        }
    }
    out
}

fn operation_schemas_mut(op: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    let Some(op) = op.as_object_mut() else {
        return out;
    };
    for (key, value) in op.iter_mut() {
        match key.as_str() {
            "parameters" => {
                if let Value::Array(params) = value {
                    for p in params {
                        if let Some(s) = p.get_mut("schema") {
                            out.push(s);
                        }
                    }
                }
            }
            "requestBody" => out.extend(media_schemas_mut(value)),
            "responses" => {
                if let Value::Object(responses) = value {
                    for r in responses.values_mut() {
                        out.extend(media_schemas_mut(r));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn media_schemas_mut(holder: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    if let Some(Value::Object(content)) = holder.get_mut("content") {
        for media in content.values_mut() {
            if let Some(s) = media.get_mut("schema") {
                out.push(s);
            }
        }
    }
    out
}

/// Names of the components reached, directly or through other components, from `roots`.
pub fn reachable_schema_names(doc: &Value, roots: &[&Value]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&Value> = roots.to_vec();
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(obj) => {
                if let Some(Value::String(r)) = obj.get("$ref")
                    && let Some(name) = r.strip_prefix(SCHEMA_REF_PREFIX)
                    && seen.insert(name.to_string())
                    && let Some(target) = doc.pointer(&format!("/components/schemas/{name}"))
                {
                    stack.push(target);
                }
                stack.extend(obj.values());
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    seen
}

/// Schema names reachable from the request bodies and from the responses of every operation.
pub fn request_and_response_schemas(doc: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let ops = operations(doc);
    let requests: Vec<&Value> = ops
        .iter()
        .filter_map(|(_, _, op)| op.get("requestBody"))
        .collect();
    let responses: Vec<&Value> = ops
        .iter()
        .filter_map(|(_, _, op)| op.get("responses"))
        .collect();
    (
        reachable_schema_names(doc, &requests),
        reachable_schema_names(doc, &responses),
    )
}

/// The names in a schema's `required` list, given as `schema.get("required")` (empty when the
/// schema has none).
pub fn required_names(required: Option<&Value>) -> BTreeSet<String> {
    required
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Appends a sentence to a schema's description, creating the description if needed.
pub fn append_description(schema: &mut Value, sentence: &str) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let text = match obj.get("description").and_then(Value::as_str) {
        Some(existing) if !existing.trim().is_empty() => {
            format!("{}\n\n{sentence}", existing.trim_end())
        }
        _ => sentence.to_string(),
    };
    obj.insert("description".into(), Value::String(text));
}
