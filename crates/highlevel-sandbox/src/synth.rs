//! Values made from the document's schemas: the answers of the operations the sandbox does not
//! keep state for, and an example request for every operation ([`example_request`]).
//!
//! A value is the schema's own `example` (or the first of its `examples`) when that example
//! fits the schema; HighLevel's examples do not always (a boolean given as `"true"`, a date
//! given for an object), and the value must decode into the generated type. Otherwise it is
//! made up: references and `allOf` followed, the first alternative of a `oneOf`/`anyOf`, every
//! property of an object (answers) or its required ones (some request bodies), one item per
//! array, the first value of an enum, a number inside `minimum`/`maximum`, an RFC 3339 string
//! for `format: date-time`.
//!
//! Why one file of about 600 lines: making a value and checking that an example fits walk the
//! same schema keywords (`$ref`, `allOf`, `enum`, bounds) and must agree; a third of it is
//! tests.

use crate::document::Document;
use highlevel_runtime::Example;
use hyper::StatusCode;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// How deep optional properties and array items are still made up (the document has no
/// recursive schema; this only bounds a future one).
const MAX_DEPTH: usize = 12;

/// What a value is made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mode {
    /// Leaves out `readOnly` properties (a request) or `writeOnly` ones (an answer).
    request: bool,
    /// Includes the optional properties of objects too.
    optional: bool,
}

const ANSWER: Mode = Mode {
    request: false,
    optional: true,
};
const FULL_REQUEST: Mode = Mode {
    request: true,
    optional: true,
};
const MINIMAL_REQUEST: Mode = Mode {
    request: true,
    optional: false,
};

/// What an example request's body is chosen by: the client's preferred body for an operation
/// (its documented example), and whether a body passes the API's body check.
pub(crate) trait BodyChoice {
    /// The body the client would send for `operation_id`, when it has one.
    fn preferred_body(&self, operation_id: &str) -> Option<Value>;
    /// Whether `body` passes the body check of `operation_id`.
    fn passes(&self, operation_id: &str, body: &Value) -> bool;
}

/// An example call of `operation_id` (see [`Api::example_request`](crate::Api::example_request)).
pub(crate) fn example_request(
    doc: &'static Document,
    choice: &impl BodyChoice,
    operation_id: &str,
) -> Option<Example> {
    let operation = doc.operation(operation_id)?;
    let mut example = Example::default();
    for parameter in doc.parameters(operation) {
        let Some(name) = parameter["name"].as_str() else {
            continue;
        };
        let wanted = match parameter["in"].as_str() {
            Some("path") => true,
            Some("query") => parameter["required"] == true,
            _ => false,
        };
        if wanted {
            example
                .parameters
                .insert(name.to_string(), parameter_value(doc, parameter, name));
        }
    }
    if let Some(schema) = doc.sent_body_schema(operation) {
        example.body = Some(request_body(doc, choice, operation_id, schema));
    }
    Some(example)
}

/// The status and body of a successful call of `operation`: the status [`success_status`]
/// picks and a body made from that response's schema (`None` when it has no JSON body).
pub(crate) fn answer_of(doc: &'static Document, operation: &Value) -> (StatusCode, Option<Value>) {
    let status = success_status(operation);
    let media = &operation["responses"][status.as_str()]["content"]["application/json"];
    (status, media_value(doc, media))
}

/// The success status of an operation: 201 when the document declares it, else 200, else the
/// first 2xx it declares (200 when it declares none).
pub(crate) fn success_status(operation: &Value) -> StatusCode {
    let declared: BTreeSet<u16> = operation["responses"]
        .as_object()
        .into_iter()
        .flat_map(|r| r.keys())
        .filter_map(|code| code.parse().ok())
        .collect();
    let code = [201, 200]
        .into_iter()
        .find(|c| declared.contains(c))
        .or_else(|| declared.iter().copied().find(|c| (200..300).contains(c)))
        .unwrap_or(200);
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

/// The value of a media type object (`{"schema", "example", "examples"}`) of an answer.
fn media_value(doc: &'static Document, media: &Value) -> Option<Value> {
    let schema = &media["schema"];
    if schema.is_null() {
        return None;
    }
    let named = media["examples"]
        .as_object()
        .into_iter()
        .flat_map(|e| e.values())
        .map(|e| &e["value"]);
    let given = std::iter::once(&media["example"])
        .chain(named)
        .find(|e| !e.is_null() && fits(doc, e, schema));
    Some(match given {
        Some(example) => example.clone(),
        None => synthesize(doc, schema, "value", ANSWER, 0),
    })
}

/// Whether a document's example may stand for a value: not `null`, and not blank text (which
/// HighLevel refuses in a required field; a made-up value serves answers as well).
fn usable(example: &Value) -> bool {
    !example.is_null() && example.as_str().is_none_or(|text| !text.trim().is_empty())
}

/// A value for a parameter: its example, one of its named examples, else one from its schema.
fn parameter_value(doc: &'static Document, parameter: &Value, name: &str) -> Value {
    let schema = &parameter["schema"];
    let named = parameter["examples"]
        .as_object()
        .into_iter()
        .flat_map(|e| e.values())
        .map(|e| &e["value"]);
    std::iter::once(&parameter["example"])
        .chain(named)
        .find(|e| usable(e) && fits(doc, e, schema))
        .cloned()
        .unwrap_or_else(|| synthesize(doc, schema, name, MINIMAL_REQUEST, 0))
}

/// A body for `operation_id` that passes the body check: the client's preferred one, else the
/// first made-up candidate that does (every property, then the required ones only).
fn request_body(
    doc: &'static Document,
    choice: &impl BodyChoice,
    operation_id: &str,
    schema: &Value,
) -> Value {
    let candidates = choice.preferred_body(operation_id).into_iter().chain([
        synthesize(doc, schema, "body", FULL_REQUEST, 0),
        synthesize(doc, schema, "body", MINIMAL_REQUEST, 0),
    ]);
    let candidates: Vec<Value> = candidates.collect();
    let fallback = candidates.last().cloned().unwrap_or(Value::Null);
    candidates
        .into_iter()
        .find(|body| choice.passes(operation_id, body))
        .unwrap_or(fallback)
}

/// `schema` with `$ref` followed and `allOf` merged into one object: the outer keywords win,
/// `properties` and `required` are united.
pub(crate) fn flatten(doc: &'static Document, schema: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    merge_into(doc, &mut out, schema, 0);
    out
}

fn merge_into(doc: &'static Document, out: &mut Map<String, Value>, schema: &Value, depth: usize) {
    let Value::Object(fields) = schema else {
        return;
    };
    if depth > 32 {
        return;
    }
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("$ref" | "allOf", _) => {}
            ("properties", Value::Object(properties)) => {
                let merged = out
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(merged) = merged {
                    for (name, property) in properties {
                        merged
                            .entry(name.clone())
                            .or_insert_with(|| property.clone());
                    }
                }
            }
            ("required", Value::Array(names)) => {
                let merged = out
                    .entry("required")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(merged) = merged {
                    for name in names {
                        if !merged.contains(name) {
                            merged.push(name.clone());
                        }
                    }
                }
            }
            _ => {
                out.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    if let Some(target) = fields.get("$ref").and_then(Value::as_str) {
        merge_into(doc, out, doc.pointer(target), depth + 1);
    }
    for part in fields
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        merge_into(doc, out, part, depth + 1);
    }
}

/// `schema` as [`flatten`] makes it, borrowed when there is nothing to merge (no `allOf`, and
/// a `$ref` only alone): every answer is checked against the resource's schema, field by
/// field, and copying each field's schema each time was most of what an answer cost.
fn flat<'a>(doc: &'static Document, schema: &'a Value) -> Cow<'a, Map<String, Value>> {
    let mut current = schema;
    for _ in 0..32 {
        let Value::Object(fields) = current else {
            return Cow::Owned(Map::new());
        };
        if fields.contains_key("allOf") {
            break;
        }
        match fields.get("$ref").and_then(Value::as_str) {
            None => return Cow::Borrowed(fields),
            Some(target) if fields.len() == 1 => current = doc.pointer(target),
            Some(_) => break,
        }
    }
    Cow::Owned(flatten(doc, current))
}

/// Whether `value` is valid against `schema` (the keywords the document uses).
pub(crate) fn fits(doc: &'static Document, value: &Value, schema: &Value) -> bool {
    let s = flat(doc, schema);
    if value.is_null() {
        return s.get("nullable") == Some(&Value::Bool(true));
    }
    if let Some(allowed) = s.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return false;
    }
    if let Some(allowed) = s.get("x-allowed-values").and_then(Value::as_array)
        && !allowed.iter().any(|a| a.as_f64() == value.as_f64())
    {
        return false;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = s.get(key).and_then(Value::as_array)
            && !alternatives.iter().any(|a| fits(doc, value, a))
        {
            return false;
        }
    }
    match s.get("type").and_then(Value::as_str) {
        Some("string") => value.as_str().is_some_and(|text| string_fits(text, &s)),
        Some("number") => value.as_f64().is_some_and(|n| in_range(n, &s)),
        Some("integer") => {
            (value.is_i64() || value.is_u64()) && value.as_f64().is_some_and(|n| in_range(n, &s))
        }
        Some("boolean") => value.is_boolean(),
        Some("array") => value.as_array().is_some_and(|items| {
            let count = items.len() as u64;
            s.get("minItems")
                .and_then(Value::as_u64)
                .is_none_or(|min| count >= min)
                && s.get("maxItems")
                    .and_then(Value::as_u64)
                    .is_none_or(|max| count <= max)
                && items
                    .iter()
                    .all(|item| fits(doc, item, s.get("items").unwrap_or(&Value::Null)))
        }),
        Some("object") => object_fits(doc, value, &s),
        None if s.contains_key("properties") => object_fits(doc, value, &s),
        None => true,
        Some(_) => false,
    }
}

fn object_fits(doc: &'static Document, value: &Value, s: &Map<String, Value>) -> bool {
    let Some(fields) = value.as_object() else {
        return false;
    };
    let empty = Map::new();
    let properties = s
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required = s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    for name in required {
        if !fields.contains_key(name) {
            return false;
        }
    }
    fields
        .iter()
        .all(|(name, field)| match properties.get(name) {
            Some(property) => fits(doc, field, property),
            None => match s.get("additionalProperties") {
                Some(Value::Bool(false)) => false,
                Some(extra @ Value::Object(_)) => fits(doc, field, extra),
                _ => true,
            },
        })
}

fn string_fits(text: &str, s: &Map<String, Value>) -> bool {
    let length = text.chars().count() as u64;
    let pattern_ok = match s.get("pattern").and_then(Value::as_str) {
        Some(pattern) => regress::Regex::new(pattern).is_ok_and(|re| re.find(text).is_some()),
        None => true,
    };
    let format_ok = match s.get("format").and_then(Value::as_str) {
        Some("date-time") => looks_like_date_time(text),
        _ => true,
    };
    pattern_ok
        && format_ok
        && s.get("minLength")
            .and_then(Value::as_u64)
            .is_none_or(|min| length >= min)
        && s.get("maxLength")
            .and_then(Value::as_u64)
            .is_none_or(|max| length <= max)
}

/// `2024-01-01T09:00:00Z`, `2024-01-01T09:00:00.000+05:30`: the shape of RFC 3339.
fn looks_like_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (text.ends_with(['Z', 'z']) || text[19..].contains(['+', '-']))
}

fn in_range(n: f64, s: &Map<String, Value>) -> bool {
    let bound = |key: &str| s.get(key).and_then(Value::as_f64);
    bound("minimum").is_none_or(|min| n >= min) && bound("maximum").is_none_or(|max| n <= max)
}

/// A value valid against `schema`; `name` (the property's) makes up readable strings.
fn synthesize(
    doc: &'static Document,
    schema: &Value,
    name: &str,
    mode: Mode,
    depth: usize,
) -> Value {
    let s = flatten(doc, schema);
    let listed = s
        .get("examples")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    if let Some(example) = s
        .get("example")
        .into_iter()
        .chain(listed)
        .find(|e| usable(e) && fits(doc, e, schema))
    {
        return example.clone();
    }
    for key in ["enum", "x-allowed-values"] {
        if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|v| v.first()) {
            return first.clone();
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|v| v.first()) {
            return synthesize(doc, first, name, mode, depth + 1);
        }
    }
    match s.get("type").and_then(Value::as_str) {
        Some("object") => object(doc, &s, mode, depth),
        None if s.contains_key("properties") => object(doc, &s, mode, depth),
        Some("array") => {
            let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let max = s
                .get("maxItems")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            let wanted = if depth >= MAX_DEPTH { min } else { min.max(1) };
            let count = wanted.min(max) as usize;
            let item = synthesize(
                doc,
                s.get("items").unwrap_or(&Value::Null),
                name,
                mode,
                depth + 1,
            );
            Value::Array(vec![item; count])
        }
        Some("string") => Value::String(string_value(name, &s)),
        Some("number") => number(pick_number(&s, false)),
        Some("integer") => number(pick_number(&s, true)),
        Some("boolean") => Value::Bool(true),
        _ => Value::Object(Map::new()),
    }
}

fn object(doc: &'static Document, s: &Map<String, Value>, mode: Mode, depth: usize) -> Value {
    let required: BTreeSet<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut out = Map::new();
    if let Some(properties) = s.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let must = required.contains(name.as_str());
            if !must {
                let hidden = if mode.request {
                    "readOnly"
                } else {
                    "writeOnly"
                };
                if !mode.optional
                    || depth >= MAX_DEPTH
                    || flatten(doc, property).get(hidden) == Some(&Value::Bool(true))
                {
                    continue;
                }
            }
            out.insert(
                name.clone(),
                synthesize(doc, property, name, mode, depth + 1),
            );
        }
    } else if let Some(extra @ Value::Object(_)) = s.get("additionalProperties")
        && depth < MAX_DEPTH
    {
        out.insert("key".into(), synthesize(doc, extra, "key", mode, depth + 1));
    }
    // A required name the schema declares no property for (upstream forgets some): any
    // value will do, and a client's type requires it.
    for name in required {
        out.entry(name.to_string())
            .or_insert_with(|| Value::String(format!("example-{name}")));
    }
    Value::Object(out)
}

fn string_value(name: &str, s: &Map<String, Value>) -> String {
    let text = match s.get("format").and_then(Value::as_str) {
        Some("date-time") => "2024-01-01T09:00:00.000Z".to_string(),
        Some("date") => "2024-01-01".to_string(),
        Some("email") => "someone@example.com".to_string(),
        Some("uri" | "url") => "https://example.com/".to_string(),
        _ => format!("example-{name}"),
    };
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX) as usize;
    let mut text: String = text.chars().take(max).collect();
    while text.chars().count() < min {
        text.push('x');
    }
    text
}

/// 1, moved inside `minimum`/`maximum`.
fn pick_number(s: &Map<String, Value>, integer: bool) -> f64 {
    let mut n: f64 = 1.0;
    if let Some(min) = s.get("minimum").and_then(Value::as_f64)
        && n < min
    {
        n = if integer { min.ceil() } else { min };
    }
    if let Some(max) = s.get("maximum").and_then(Value::as_f64)
        && n > max
    {
        n = if integer { max.floor() } else { max };
    }
    n
}

/// A JSON number, written as an integer when it is one.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::Number(Number::from(n as i64))
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

impl Document {
    /// The status and body the sandbox answers a successful call of `operation_id` with when
    /// no [`Resources`](crate::Resources) keeps it: the documented success status and a body
    /// made from that response's schema (`None` when it has no JSON body). Made once.
    pub fn answer(
        &'static self,
        operation_id: &str,
    ) -> Option<&'static (StatusCode, Option<Value>)> {
        self.answers
            .get_or_init(|| {
                self.by_id
                    .iter()
                    .map(|(id, operation)| (*id, answer_of(self, operation)))
                    .collect()
            })
            .get(operation_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::fixture::{calendars, document as doc};

    #[test]
    fn examples_are_used_only_when_they_fit() {
        // The document's example of `success` is the string "true".
        let doc = doc();
        let (status, body) = doc.answer("delete-calendar").unwrap();
        assert_eq!(*status, StatusCode::OK);
        assert_eq!(body.as_ref().unwrap(), &json!({"success": true}));
        let schema = json!({"type": "number", "example": "10", "minimum": 5});
        assert_eq!(synthesize(doc, &schema, "n", ANSWER, 0), json!(5));
        let schema = json!({"type": "string", "example": "09:00", "pattern": "^\\d\\d:\\d\\d$"});
        assert_eq!(synthesize(doc, &schema, "from", ANSWER, 0), json!("09:00"));
        let schema = json!({"type": "string", "example": "9 am", "pattern": "^\\d\\d:\\d\\d$"});
        assert!(!fits(doc, &json!("9 am"), &schema));
    }

    #[test]
    fn made_up_values_follow_the_schema() {
        let doc = doc();
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "when": {"type": "string", "format": "date-time"},
                "count": {"type": "integer", "minimum": 3, "maximum": 9},
                "ratio": {"type": "number", "maximum": 0.5},
                "kind": {"allOf": [{"type": "string", "enum": ["a", "b"]}], "nullable": true},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                "either": {"oneOf": [{"type": "boolean"}, {"type": "string"}]},
                "hidden": {"type": "string", "writeOnly": true}
            }
        });
        let value = synthesize(doc, &schema, "value", ANSWER, 0);
        assert_eq!(
            value,
            json!({
                "id": "example-id",
                "when": "2024-01-01T09:00:00.000Z",
                "count": 3,
                "ratio": 0.5,
                "kind": "a",
                "tags": ["example-tags"],
                "either": true
            })
        );
        assert!(fits(doc, &value, &schema));
        assert!(looks_like_date_time(value["when"].as_str().unwrap()));
        assert_eq!(
            synthesize(doc, &schema, "value", MINIMAL_REQUEST, 0),
            json!({"id": "example-id"})
        );
    }

    #[test]
    fn a_required_name_without_a_property_still_gets_a_value() {
        let schema = json!({"type": "object", "required": ["name"], "properties": {}});
        let value = synthesize(doc(), &schema, "value", ANSWER, 0);
        assert_eq!(value, json!({"name": "example-name"}));
    }

    #[test]
    fn blank_examples_are_not_used_for_requests() {
        let schema = json!({"type": "string", "example": ""});
        assert_eq!(
            synthesize(doc(), &schema, "html", ANSWER, 0),
            json!("example-html")
        );
    }

    #[test]
    fn an_array_without_items_takes_any_item() {
        let doc = doc();
        let schema = json!({"type": "array"});
        assert!(fits(doc, &json!([1, "a"]), &schema));
        assert_eq!(synthesize(doc, &schema, "list", ANSWER, 0), json!([{}]));
    }

    #[test]
    fn the_success_status_prefers_201_then_200() {
        let status = |codes: &[&str]| {
            let responses: Map<String, Value> =
                codes.iter().map(|c| (c.to_string(), json!({}))).collect();
            success_status(&json!({ "responses": responses })).as_u16()
        };
        assert_eq!(status(&["200", "201", "400"]), 201);
        assert_eq!(status(&["200", "422"]), 200);
        assert_eq!(status(&["204", "400"]), 204);
        assert_eq!(status(&["400"]), 200);
    }

    #[test]
    fn every_answer_fits_its_schema_and_every_example_request_passes_the_check() {
        let api = calendars();
        let doc = api.document();
        for op in api.operations() {
            let operation = doc.operation(op.id).unwrap();
            let (status, body) = doc.answer(op.id).unwrap();
            let media = &operation["responses"][status.as_str()]["content"]["application/json"];
            assert!(
                fits(doc, body.as_ref().unwrap(), &media["schema"]),
                "{}",
                op.id
            );

            let example = api.example_request(op.id).unwrap();
            for parameter in doc.parameters(operation) {
                let name = parameter["name"].as_str().unwrap();
                if parameter["in"] == "path" || parameter["required"] == true {
                    let value = &example.parameters[name];
                    assert!(fits(doc, value, &parameter["schema"]), "{}: {name}", op.id);
                }
            }
            if let Some(body) = &example.body {
                assert!(api.passes(op.id, body), "{}", op.id);
            }
        }
    }
}
