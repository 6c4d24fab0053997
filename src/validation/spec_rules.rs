//! The spec rules (required, type, ranges, allowed values) over a JSON body.

use super::Report;
use super::schema::{Compiled, Path, compiled, missing};
use serde_json::Value;

pub(super) fn check(body: &Value, report: &mut Report) {
    let schema = compiled();
    walk(schema, body, schema.root, &Path::Root, report);
}

fn walk(schema: &Compiled, value: &Value, node: usize, path: &Path, report: &mut Report) {
    if value.is_null() {
        return; // Absence and null are judged by the parent's `required`.
    }
    let node = &schema.nodes[node];
    let Some(kind) = node.kind else { return };
    if !kind.accepts(value) {
        node.wrong_type(kind, path, report);
        return;
    }
    match value {
        Value::Object(fields) => {
            for name in &node.required {
                let absent = match fields.get(name) {
                    None | Some(Value::Null) => true,
                    Some(Value::String(s)) => s.trim().is_empty(),
                    Some(_) => false,
                };
                if absent {
                    missing(name, path, report);
                }
            }
            for (name, field) in fields {
                if let Some(child) = node.properties.get(name) {
                    walk(schema, field, child, &Path::Key(path, name), report);
                }
            }
        }
        Value::Array(items) => {
            if let Some(child) = node.items {
                for (i, item) in items.iter().enumerate() {
                    walk(schema, item, child, &Path::Index(path, i), report);
                }
            }
        }
        Value::Number(n) => node.check_number(n.as_f64().unwrap_or(f64::NAN), path, report),
        Value::String(s) => node.check_string(s, path, report),
        _ => {}
    }
}
