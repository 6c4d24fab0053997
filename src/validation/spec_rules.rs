//! Rules read from the normalized OpenAPI document: required, type, ranges, allowed values.
//!
//! The document is embedded at compile time; its create-calendar request schema is walked
//! alongside the body, so a rule HighLevel adds to its document is checked after regeneration
//! without code changes here.

use super::{Report, Rule, join};
use serde_json::Value;
use std::sync::OnceLock;

/// The normalized document build.rs generated the client from.
const SPEC: &str = include_str!("../../openapi/calendars.json");
const OPERATION_ID: &str = "create-calendar";

fn spec() -> &'static Value {
    static SPEC_VALUE: OnceLock<Value> = OnceLock::new();
    SPEC_VALUE.get_or_init(|| {
        serde_json::from_str(SPEC).expect("build.rs already parsed openapi/calendars.json")
    })
}

/// The request body schema of create-calendar in the normalized document.
pub(crate) fn request_schema() -> &'static Value {
    static SCHEMA: OnceLock<&'static Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        spec()["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
            .find(|op| op["operationId"] == OPERATION_ID)
            .map(|op| &op["requestBody"]["content"]["application/json"]["schema"])
            .expect("the normalized document has the create-calendar operation")
    })
}

pub(super) fn check(body: &Value, report: &mut Report) {
    check_value(body, request_schema(), "", report);
}

/// Follows `$ref` and single-element `allOf` to the schema that says something.
fn resolve(mut schema: &'static Value) -> &'static Value {
    loop {
        if let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            schema = &spec()["components"]["schemas"][name];
        } else if let Some([only]) = schema["allOf"].as_array().map(Vec::as_slice) {
            schema = only;
        } else {
            return schema;
        }
    }
}

fn check_value(value: &Value, schema: &'static Value, path: &str, report: &mut Report) {
    let schema = resolve(schema);
    if value.is_null() {
        return; // Absence and null are judged by the parent's `required`.
    }
    let Some(kind) = schema["type"].as_str() else {
        return;
    };
    let type_ok = match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "boolean" => value.is_boolean(),
        _ => true,
    };
    if !type_ok {
        report.add(path, Rule::Type, format!("must be {}", article(kind)));
        return;
    }
    match value {
        Value::Object(fields) => {
            let required = schema["required"].as_array().into_iter().flatten();
            for name in required.filter_map(Value::as_str) {
                let missing = match fields.get(name) {
                    None | Some(Value::Null) => true,
                    Some(Value::String(s)) => s.trim().is_empty(),
                    Some(_) => false,
                };
                if missing {
                    report.add(join(path, name), Rule::Required, "is required");
                }
            }
            if let Some(properties) = schema["properties"].as_object() {
                for (name, field) in fields {
                    if let Some(field_schema) = properties.get(name) {
                        check_value(field, field_schema, &join(path, name), report);
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_value(item, &schema["items"], &format!("{path}[{i}]"), report);
            }
        }
        Value::Number(n) => check_number(n.as_f64().unwrap_or(f64::NAN), schema, path, report),
        Value::String(s) => {
            if let Some(values) = schema["enum"].as_array()
                && report.checks(Rule::EnumValue)
                && !values.iter().any(|v| v == s.as_str())
            {
                report.add(
                    path,
                    Rule::EnumValue,
                    format!("must be one of {}", list(values)),
                );
            }
        }
        _ => {}
    }
}

fn check_number(n: f64, schema: &Value, path: &str, report: &mut Report) {
    let min = schema["minimum"].as_f64();
    let max = schema["maximum"].as_f64();
    let below = min.is_some_and(|min| n < min);
    let above = max.is_some_and(|max| n > max);
    if below || above {
        let message = match (min, max) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (None, None) => unreachable!("a bound was crossed"),
        };
        report.add(path, Rule::Range, message);
    }
    if let Some(allowed) = schema["x-allowed-values"].as_array()
        && !allowed.iter().any(|a| a.as_f64() == Some(n))
    {
        report.add(
            path,
            Rule::AllowedNumber,
            format!("must be one of {}", list(allowed)),
        );
    }
}

fn article(kind: &str) -> String {
    match kind {
        "object" | "array" | "integer" => format!("an {kind}"),
        other => format!("a {other}"),
    }
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
