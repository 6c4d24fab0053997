//! Kept resources put into an operation's answer so that the answer still fits its documented
//! schema: a field of the resource the schema types otherwise is left out, and a required field
//! the resource lacks comes from the answer the document's examples make.

use super::shape::Placement;
use crate::check;
use crate::document::Document;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::collections::HashMap;

/// `schema` with its `$ref` followed and `allOf` merged, made once per process: every answer
/// checks each field of each resource against its property's schema, and the calendar's enums
/// are `allOf` wrappers that would otherwise be merged (copied) again for every field of every
/// answer. The merged copies (a few hundred at most) are kept by the document
/// ([`Document::kept`]).
fn flattened(document: &'static Document, schema: &'static Value) -> &'static Value {
    /// The merged schema, as a kind of its own among what the document keeps.
    struct Flat(Value);
    &document
        .kept(schema, || {
            Flat(Value::Object(check::flatten(document, schema)))
        })
        .0
}

/// An answer as it will be serialized, borrowing the resources and examples it holds: an answer
/// is written once, so copying kilobytes of a resource into a new `Value` first is waste.
#[derive(Debug)]
pub(crate) enum Shaped<'a> {
    Value(&'a Value),
    /// Fields in the order a `Value` object writes them (by name).
    Object(Vec<(&'a str, Shaped<'a>)>),
    Array(Vec<Shaped<'a>>),
}

impl Serialize for Shaped<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Shaped::Value(value) => value.serialize(serializer),
            Shaped::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (name, value) in fields {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
            Shaped::Array(items) => serializer.collect_seq(items),
        }
    }
}

impl<'a> Shaped<'a> {
    /// An object of `fields`, in the order a `Value` object keeps them.
    fn object(mut fields: Vec<(&'a str, Shaped<'a>)>) -> Shaped<'a> {
        fields.sort_unstable_by_key(|(name, _)| *name);
        Shaped::Object(fields)
    }
}

/// What fitting a resource to an item schema reads of it, gathered once per schema
/// ([`Document::kept`]): each answer otherwise looked up every field's property and its merged
/// schema again.
struct Plan {
    /// The merged schema of each property.
    properties: HashMap<&'static str, &'static Value, foldhash::fast::RandomState>,
    /// `additionalProperties: false`: a field without a property is left out.
    closed: bool,
    required: Vec<&'static str>,
}

fn plan(document: &'static Document, schema: &'static Value) -> &'static Plan {
    document.kept(schema, || {
        let schema = document.resolve(schema);
        let properties = schema["properties"].as_object().into_iter().flatten();
        let required = schema["required"].as_array().into_iter().flatten();
        Plan {
            properties: properties
                .map(|(name, property)| (name.as_str(), flattened(document, property)))
                .collect(),
            closed: schema["additionalProperties"] == false,
            required: required.filter_map(Value::as_str).collect(),
        }
    })
}

/// `resource` as an answer of `schema` may hold it; `template` is the document's example of
/// such an answer (the source of required fields the resource lacks).
pub(crate) fn fitted<'a>(
    document: &'static Document,
    resource: &'a Value,
    schema: &'static Value,
    template: &'a Value,
) -> Shaped<'a> {
    let Value::Object(fields) = resource else {
        return Shaped::Value(template);
    };
    let plan = plan(document, schema);
    let mut out: Vec<(&'a str, Shaped<'a>)> = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        let keep = match plan.properties.get(name.as_str()) {
            Some(property) => check::fits_static(document, value, property),
            None => !plan.closed,
        };
        if keep {
            out.push((name, Shaped::Value(value)));
        }
    }
    for name in &plan.required {
        let template = template.as_object().and_then(|t| t.get_key_value(*name));
        if let Some((name, value)) = template
            && out.iter().all(|(n, _)| n != name)
        {
            out.push((name, Shaped::Value(value)));
        }
    }
    Shaped::object(out)
}

/// The answer of an operation whose answer schema holds resources at `placement`: the
/// document's example answer (`template`) with `resources` in their place.
pub(crate) fn answer<'a>(
    document: &'static Document,
    placement: &'a Placement,
    item_schema: &'static Value,
    template: &'static Value,
    resources: &[&'a Value],
) -> Shaped<'a> {
    static NULL: Value = Value::Null;
    // Borrowed, not copied: the example of a calendar is kilobytes, and each answer replaces
    // it with the kept resource anyway.
    let item_template = |holder: &'static Value| -> &'static Value {
        match holder {
            Value::Array(items) => items.first().unwrap_or(&NULL),
            other => other,
        }
    };
    let fit = |resource: &'a Value, item: &'a Value| fitted(document, resource, item_schema, item);
    match placement {
        Placement::Top => {
            let first = resources.first().copied().unwrap_or(&NULL);
            fit(first, template)
        }
        Placement::Array => {
            let item = item_template(template);
            Shaped::Array(resources.iter().map(|r| fit(r, item)).collect())
        }
        Placement::Wrapped(name) | Placement::ListIn(name) => {
            let inner = item_template(&template[name.as_str()]);
            let placed = match placement {
                Placement::Wrapped(_) => {
                    let first = resources.first().copied().unwrap_or(&NULL);
                    fit(first, inner)
                }
                _ => Shaped::Array(resources.iter().map(|r| fit(r, inner)).collect()),
            };
            // The rest of the example answer, without the example resource it held.
            let mut whole: Vec<(&'a str, Shaped<'a>)> = match template {
                Value::Object(fields) => fields
                    .iter()
                    .filter(|(field, _)| *field != name)
                    .map(|(field, value)| (field.as_str(), Shaped::Value(value)))
                    .collect(),
                _ => Vec::new(),
            };
            whole.push((name, placed));
            Shaped::object(whole)
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
        let fitted = serde_json::to_value(fitted(document, &resource, schema, &template)).unwrap();
        assert_eq!(fitted, json!({"id": "a", "name": "example", "extra": true}));
        let placement = Placement::ListIn("things".into());
        let listed = answer(
            document,
            &placement,
            schema,
            Box::leak(Box::new(json!({"things": [template], "total": 1}))),
            &[&resource, &resource],
        );
        let listed = serde_json::to_value(listed).unwrap();
        assert_eq!(listed["things"].as_array().unwrap().len(), 2);
        assert_eq!(listed["total"], 1, "the rest of the example stays");
    }
}
