//! Steps about how a value is typed: string formats that stay strings, field names that
//! would clash in Rust, and untyped objects that are texts.

use super::{ATTENTION, Context, Notes};
use crate::spec::schema_walk::visit_all_schemas_mut;
use serde_json::Value;
use std::collections::BTreeSet;

/// The string formats typify turns into another Rust type than `String`.
const TYPED_STRING_FORMATS: &[&str] = &["date-time", "date", "uuid", "ip", "ipv4", "ipv6"];

/// `formats_stay_strings`: a string's `format` that typify would make another Rust type
/// (`date-time`, `date`, `uuid`, `ip`, `ipv4`, `ipv6`) leaves the schema, kept as `x-format`,
/// so the value stays a `String`.
pub(super) fn formats_stay_strings(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
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

/// `distinct_field_names`: of the names of one object (its properties, and the required names
/// it declares no property for, which typify makes fields too) whose Rust field names would be
/// the same (`id` and `_id` are both `id`), only the first without a leading `_` is kept; the
/// others leave `properties` and `required`.
pub(super) fn distinct_field_names(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
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

/// A schema typed `object` with no properties at all but a text `example` (upstream's
/// `startTime: {type: object, example: "2023-09-25T16:00:00+05:30"}`) describes a text: it
/// becomes `type: string`. Left as it is, the generated type is a map, and every real answer
/// carrying the date fails to decode.
pub(super) fn string_examples_type_untyped_objects(
    doc: &mut Value,
    _: &mut Context,
) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        let untyped_object = object.get("type").and_then(Value::as_str) == Some("object")
            && !object.contains_key("properties")
            && !object.contains_key("additionalProperties");
        if let Some(example) = object.get("example").and_then(Value::as_str)
            && untyped_object
        {
            notes.push(format!(
                "an object with the example {example:?} is a string"
            ));
            object.insert("type".into(), Value::String("string".into()));
        }
    });
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::normalize::test_support::run;
    use serde_json::json;

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
}
