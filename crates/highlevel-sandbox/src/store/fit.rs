//! Kept resources put into an operation's answer so that the answer still fits its documented
//! schema: a field of the resource the schema types otherwise is left out, and a required field
//! the resource lacks comes from the answer the document's examples make.

use super::shape::Placement;
use crate::check;
use crate::document::Document;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// `schema` with its `$ref` followed and `allOf` merged, made once per process: every answer
/// checks each field of each resource against its property's schema, and the calendar's enums
/// are `allOf` wrappers that would otherwise be merged (copied) again for every field of every
/// answer. Documents live for the whole process, so their schemas' addresses are stable keys
/// and the merged copies (a few hundred at most) are kept as long.
fn flattened(document: &'static Document, schema: &'static Value) -> &'static Value {
    static MERGED: OnceLock<Mutex<HashMap<usize, &'static Value>>> = OnceLock::new();
    let merged = MERGED.get_or_init(Mutex::default);
    let key = schema as *const Value as usize;
    let mut merged = merged.lock().unwrap_or_else(|p| p.into_inner());
    merged.entry(key).or_insert_with(|| {
        let flat = Value::Object(check::flatten(document, schema));
        Box::leak(Box::new(flat))
    })
}

/// `resource` as an answer of `schema` may hold it; `template` is the document's example of
/// such an answer (the source of required fields the resource lacks).
pub(crate) fn fitted(
    document: &'static Document,
    resource: &Value,
    schema: &'static Value,
    template: &Value,
) -> Value {
    let schema = document.resolve(schema);
    let Value::Object(fields) = resource else {
        return template.clone();
    };
    let properties = schema["properties"].as_object();
    let closed = schema["additionalProperties"] == false;
    let mut out = Map::new();
    for (name, value) in fields {
        let keep = match properties.and_then(|p| p.get(name)) {
            Some(property) => check::fits_static(document, value, flattened(document, property)),
            None => !closed,
        };
        if keep {
            out.insert(name.clone(), value.clone());
        }
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let Some(name) = required.as_str() else {
            continue;
        };
        if !out.contains_key(name)
            && let Some(value) = template.get(name)
        {
            out.insert(name.to_string(), value.clone());
        }
    }
    Value::Object(out)
}

/// The answer of an operation whose answer schema holds resources at `placement`: the
/// document's example answer (`template`) with `resources` in their place.
pub(crate) fn answer(
    document: &'static Document,
    placement: &Placement,
    item_schema: &'static Value,
    template: &'static Value,
    resources: &[&Value],
) -> Value {
    static NULL: Value = Value::Null;
    // Borrowed, not copied: the example of a calendar is kilobytes, and each answer replaces
    // it with the kept resource anyway.
    let item_template = |holder: &'static Value| -> &'static Value {
        match holder {
            Value::Array(items) => items.first().unwrap_or(&NULL),
            other => other,
        }
    };
    let fit = |resource: &Value, item: &Value| fitted(document, resource, item_schema, item);
    match placement {
        Placement::Top => {
            let first = resources.first().copied().unwrap_or(&NULL);
            fit(first, template)
        }
        Placement::Array => {
            let item = item_template(template);
            Value::Array(resources.iter().map(|r| fit(r, item)).collect())
        }
        Placement::Wrapped(name) | Placement::ListIn(name) => {
            let inner = item_template(&template[name.as_str()]);
            let placed = match placement {
                Placement::Wrapped(_) => {
                    let first = resources.first().copied().unwrap_or(&NULL);
                    fit(first, inner)
                }
                _ => Value::Array(resources.iter().map(|r| fit(r, inner)).collect()),
            };
            // The rest of the example answer, without the example resource it held.
            let mut whole = match template {
                Value::Object(fields) => fields
                    .iter()
                    .filter(|(field, _)| *field != name)
                    .map(|(field, value)| (field.clone(), value.clone()))
                    .collect(),
                _ => Map::new(),
            };
            whole.insert(name.clone(), placed);
            Value::Object(whole)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use serde_json::json;

    #[test]
    fn what_the_schema_types_otherwise_goes_and_required_fields_come_from_the_example() {
        let document = fixture::document();
        let schema: &'static Value = Box::leak(Box::new(json!({
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "count": {"type": "integer"}
            }
        })));
        let resource = json!({"id": "a", "count": "not a number", "extra": true});
        let template = json!({"id": "x", "name": "example", "count": 1});
        let fitted = fitted(document, &resource, schema, &template);
        assert_eq!(fitted, json!({"id": "a", "name": "example", "extra": true}));
        let listed = answer(
            document,
            &Placement::ListIn("things".into()),
            schema,
            Box::leak(Box::new(json!({"things": [template], "total": 1}))),
            &[&resource, &resource],
        );
        assert_eq!(listed["things"].as_array().unwrap().len(), 2);
        assert_eq!(listed["total"], 1, "the rest of the example stays");
    }
}
