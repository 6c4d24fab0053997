//! Values of another JSON kind than the document declares, and `null` where it does not allow
//! it. The client's checker decodes bodies into its types, and serde is lenient where the
//! document is not: an optional field takes `null` as "absent", and a struct decodes from an
//! array of its fields in order. The server holds requests to the document.

use crate::document::Document;
use serde_json::Value;

/// Every value of `body` whose kind its schema does not allow, as `path must be an object`
/// or `path must not be null` (paths as in a violation: `teamMembers[0].userId`).
pub(crate) fn problems(
    doc: &'static Document,
    body_schema: &'static Value,
    body: &Value,
) -> Vec<String> {
    let mut found = Vec::new();
    walk(doc, body_schema, body, String::new(), &mut found);
    found
}

/// What a value of `kind` must be, when `value` is not one; `None` when it may be.
fn wrong_kind(kind: &str, value: &Value) -> Option<&'static str> {
    let fits = match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => true,
    };
    match kind {
        _ if fits => None,
        "object" => Some("an object"),
        "array" => Some("an array"),
        "string" => Some("a string"),
        "boolean" => Some("true or false"),
        "number" => Some("a number"),
        _ => Some("an integer"),
    }
}

fn walk(
    doc: &'static Document,
    declared: &'static Value,
    value: &Value,
    path: String,
    found: &mut Vec<String>,
) {
    let resolved = doc.resolve(declared);
    let kind = resolved["type"].as_str().unwrap_or_default();
    if !value.is_null()
        && let Some(expected) = wrong_kind(kind, value)
    {
        let at = if path.is_empty() { "body" } else { &path };
        found.push(format!("{at} must be {expected}"));
        return;
    }
    match value {
        Value::Object(fields) => {
            let Some(properties) = resolved["properties"].as_object() else {
                return;
            };
            for (name, field) in fields {
                let Some(declared) = properties.get(name) else {
                    continue;
                };
                let path = match path.as_str() {
                    "" => name.clone(),
                    parent => format!("{parent}.{name}"),
                };
                if field.is_null() && !nullable(doc, declared) {
                    found.push(format!("{path} must not be null"));
                } else {
                    walk(doc, declared, field, path, found);
                }
            }
        }
        Value::Array(items) => {
            let declared = &resolved["items"];
            for (i, item) in items.iter().enumerate() {
                let path = format!("{path}[{i}]");
                if item.is_null() && !declared.is_null() && !nullable(doc, declared) {
                    found.push(format!("{path} must not be null"));
                } else if !declared.is_null() {
                    walk(doc, declared, item, path, found);
                }
            }
        }
        _ => {}
    }
}

/// Whether `nullable: true` stands on the schema or on anything it refers to.
fn nullable(doc: &'static Document, mut declared: &'static Value) -> bool {
    loop {
        if declared["nullable"] == true {
            return true;
        }
        declared = match (declared["$ref"].as_str(), declared["allOf"].as_array()) {
            (Some(target), _) => doc.pointer(target),
            (None, Some(parts)) if parts.len() == 1 => &parts[0],
            _ => return false,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::fixture::document as doc;

    fn body_of(id: &str) -> &'static Value {
        let doc = doc();
        doc.operation(id)
            .and_then(|op| doc.body_schema(op))
            .unwrap()
    }

    fn problems(body_schema: &'static Value, body: &Value) -> Vec<String> {
        super::problems(doc(), body_schema, body)
    }

    #[test]
    fn nulls_are_refused_where_the_document_does_not_allow_them() {
        let note = body_of("create-appointment-note");
        let found = problems(note, &json!({"body": "b", "userId": null}));
        assert_eq!(found, ["userId must not be null"]);
        assert!(problems(note, &json!({"body": "b", "userId": "u"})).is_empty());

        let create = body_of("create-calendar");
        let found = problems(
            create,
            &json!({"name": "n", "teamMembers": [{"userId": null}, null]}),
        );
        assert_eq!(
            found,
            [
                "teamMembers[0].userId must not be null",
                "teamMembers[1] must not be null"
            ]
        );
        let unknown = json!({"name": "n", "notInTheDocument": null});
        assert!(
            problems(create, &unknown).is_empty(),
            "extra fields are free"
        );
    }

    #[test]
    fn values_of_another_kind_are_refused() {
        let notification = body_of("update-event-notification");
        let found = problems(notification, &json!({"beforeTime": [[null, null]]}));
        assert_eq!(found, ["beforeTime[0] must be an object"]);
        let found = problems(notification, &json!({"beforeTime": {"timeOffset": 1}}));
        assert_eq!(found, ["beforeTime must be an array"]);
        let list = body_of("create-event-notification");
        assert_eq!(problems(list, &json!({})), ["body must be an array"]);
        assert!(wrong_kind("integer", &json!(1.5)).is_some());
        assert!(wrong_kind("number", &json!(1)).is_none());
    }

    #[test]
    fn nullable_is_followed_through_references() {
        let leaf: &'static Value = Box::leak(Box::new(json!({"nullable": true})));
        assert!(nullable(doc(), leaf));
        let wrapped: &'static Value = Box::leak(Box::new(
            json!({"allOf": [{"type": "string", "nullable": true}]}),
        ));
        assert!(nullable(doc(), wrapped));
        let plain: &'static Value = Box::leak(Box::new(json!({"type": "string"})));
        assert!(!nullable(doc(), plain));
    }
}
