//! The sandbox's one checker of values against the document's schemas. Every part that asks
//! "does this fit?" asks it here, so they cannot disagree: the made-up examples and answers
//! (`synth`), the kept resources put into answers (`store::fit`), the kind of each body value
//! (`kinds`) and the path and query parameters (`params`).
//!
//! It knows the keywords HighLevel's documents use: `type`, `nullable`, `enum` (and the
//! normalizer's `x-allowed-values`), `oneOf`/`anyOf`, `allOf` and `$ref` (merged), lengths,
//! `pattern`, `format: date-time`, `minimum`/`maximum`, item counts, `required`, `properties`
//! and `additionalProperties`.

use crate::document::Document;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// What is wrong with one value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Wrong<'s> {
    /// Of another JSON kind: what it must be ("an object", "true or false"…).
    Kind(&'static str),
    /// `null` where the schema is not `nullable`.
    Null,
    /// Not one of the listed values.
    NotListed(&'s [Value]),
    /// Fits none of the `oneOf`/`anyOf` alternatives.
    NoAlternative,
    /// A number outside `minimum..=maximum`.
    Range { min: Option<f64>, max: Option<f64> },
    /// Text of a length outside `minLength..=maxLength`.
    Length(u64),
    /// Text that does not match the `pattern` or the `format`.
    Shape,
    /// An array with too few or too many items.
    Items,
    /// A required field is missing.
    Missing(String),
    /// A field the schema closes out (`additionalProperties: false`).
    Extra(String),
}

/// One problem, where it is: `teamMembers[0].userId`, or empty for the value itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem<'s> {
    pub(crate) path: String,
    pub(crate) wrong: Wrong<'s>,
}

/// Whether `value` is valid against `schema`.
pub(crate) fn fits(doc: &'static Document, value: &Value, schema: &Value) -> bool {
    let mut checker = Checker {
        doc,
        found: Vec::new(),
        all: false,
    };
    checker.check(value, schema, &Path::Root);
    checker.found.is_empty()
}

/// Every problem of `value` against `schema`; within a value of the wrong kind, nothing more.
pub(crate) fn problems<'s>(
    doc: &'static Document,
    value: &Value,
    schema: &'s Value,
) -> Vec<Problem<'s>> {
    let mut checker = Checker {
        doc,
        found: Vec::new(),
        all: true,
    };
    checker.check(value, schema, &Path::Root);
    checker.found
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

/// Where a value is, built into text only when a problem is found there.
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Item(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn text(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Field(parent, name) => match parent.text() {
                parent if parent.is_empty() => name.to_string(),
                parent => format!("{parent}.{name}"),
            },
            Path::Item(parent, index) => format!("{}[{index}]", parent.text()),
        }
    }
}

struct Checker<'s> {
    doc: &'static Document,
    found: Vec<Problem<'s>>,
    /// Every problem, or stop at the first.
    all: bool,
}

impl<'s> Checker<'s> {
    fn done(&self) -> bool {
        !self.all && !self.found.is_empty()
    }

    fn report(&mut self, path: &Path<'_>, wrong: Wrong<'s>) {
        self.found.push(Problem {
            path: path.text(),
            wrong,
        });
    }

    fn check(&mut self, value: &Value, schema: &'s Value, path: &Path<'_>) {
        let s = flat(self.doc, schema);
        if value.is_null() {
            if s.get("nullable") != Some(&Value::Bool(true)) {
                self.report(path, Wrong::Null);
            }
            return;
        }
        let kind = s.get("type").and_then(Value::as_str);
        if let Some(expected) = wrong_kind(kind, value) {
            return self.report(path, Wrong::Kind(expected));
        }
        // The flattened schema is a copy; the lists it names are the document's own.
        let doc = self.doc;
        let listed = |key: &str| listed(doc, schema, key);
        if let Some(allowed) = listed("enum")
            && !allowed.iter().any(|a| same(a, value))
        {
            self.report(path, Wrong::NotListed(allowed));
        }
        if let Some(allowed) = listed("x-allowed-values")
            && !allowed.iter().any(|a| a.as_f64() == value.as_f64())
        {
            self.report(path, Wrong::NotListed(allowed));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alternatives) = listed(key)
                && !alternatives.iter().any(|a| fits(doc, value, a))
            {
                self.report(path, Wrong::NoAlternative);
            }
        }
        match value {
            Value::String(text) => self.text(text, &s, path),
            Value::Number(n) => {
                let bound = |key: &str| s.get(key).and_then(Value::as_f64);
                let (min, max) = (bound("minimum"), bound("maximum"));
                let n = n.as_f64().unwrap_or(f64::NAN);
                if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
                    self.report(path, Wrong::Range { min, max });
                }
            }
            Value::Array(items) => self.items(items, schema, &s, path),
            Value::Object(fields) => self.object(fields, schema, &s, path),
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn text(&mut self, text: &str, s: &Map<String, Value>, path: &Path<'_>) {
        let length = text.chars().count() as u64;
        let min = s.get("minLength").and_then(Value::as_u64);
        let max = s.get("maxLength").and_then(Value::as_u64);
        if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
            self.report(path, Wrong::Length(length));
        }
        let pattern_ok = match s.get("pattern").and_then(Value::as_str) {
            Some(pattern) => regress::Regex::new(pattern).is_ok_and(|re| re.find(text).is_some()),
            None => true,
        };
        let format_ok = match s.get("format").and_then(Value::as_str) {
            Some("date-time") => looks_like_date_time(text),
            _ => true,
        };
        if !(pattern_ok && format_ok) {
            self.report(path, Wrong::Shape);
        }
    }

    fn items(
        &mut self,
        items: &[Value],
        schema: &'s Value,
        s: &Map<String, Value>,
        path: &Path<'_>,
    ) {
        let count = items.len() as u64;
        let min = s.get("minItems").and_then(Value::as_u64);
        let max = s.get("maxItems").and_then(Value::as_u64);
        if min.is_some_and(|min| count < min) || max.is_some_and(|max| count > max) {
            self.report(path, Wrong::Items);
        }
        let Some(declared) = member(self.doc, schema, |s| s.get("items")) else {
            return;
        };
        for (index, item) in items.iter().enumerate() {
            if self.done() {
                return;
            }
            self.check(item, declared, &Path::Item(path, index));
        }
    }

    fn object(
        &mut self,
        fields: &Map<String, Value>,
        schema: &'s Value,
        s: &Map<String, Value>,
        path: &Path<'_>,
    ) {
        let required = s.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            if !fields.contains_key(name) {
                self.report(path, Wrong::Missing(name.to_string()));
            }
        }
        for (name, field) in fields {
            if self.done() {
                return;
            }
            let declared = member(self.doc, schema, |s| s.get("properties")?.get(name));
            let at = Path::Field(path, name);
            match declared {
                Some(declared) => self.check(field, declared, &at),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => self.report(path, Wrong::Extra(name.clone())),
                    Some(Value::Object(_)) => {
                        let extra = member(self.doc, schema, |s| s.get("additionalProperties"));
                        if let Some(extra) = extra {
                            self.check(field, extra, &at);
                        }
                    }
                    _ => {}
                },
            }
        }
    }
}

/// What `find` finds in `schema` or in what it refers to or merges (as [`flatten`] merges
/// them, the outer one first), as a part of the document rather than of a copy.
fn member<'s>(
    doc: &'static Document,
    schema: &'s Value,
    find: impl Fn(&'s Value) -> Option<&'s Value> + Copy,
) -> Option<&'s Value> {
    fn walk<'s>(
        doc: &'static Document,
        schema: &'s Value,
        find: impl Fn(&'s Value) -> Option<&'s Value> + Copy,
        depth: usize,
    ) -> Option<&'s Value> {
        if depth > 32 {
            return None;
        }
        if let Some(found) = find(schema) {
            return Some(found);
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str)
            && let Some(found) = walk(doc, doc.pointer(target), find, depth + 1)
        {
            return Some(found);
        }
        let parts = schema.get("allOf").and_then(Value::as_array);
        parts
            .into_iter()
            .flatten()
            .find_map(|part| walk(doc, part, find, depth + 1))
    }
    walk(doc, schema, find, 0)
}

/// The list `key` names in `schema` (or what it refers to or merges).
fn listed<'s>(doc: &'static Document, schema: &'s Value, key: &str) -> Option<&'s [Value]> {
    member(doc, schema, |s| s.get(key))?
        .as_array()
        .map(Vec::as_slice)
}

/// JSON equality, with numbers compared by value (`1` is `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => a == b,
    }
}

/// What a value of `kind` must be, when `value` is not one.
fn wrong_kind(kind: Option<&str>, value: &Value) -> Option<&'static str> {
    let (fits, expected) = match kind {
        Some("object") => (value.is_object(), "an object"),
        Some("array") => (value.is_array(), "an array"),
        Some("string") => (value.is_string(), "a string"),
        Some("boolean") => (value.is_boolean(), "true or false"),
        Some("number") => (value.is_number(), "a number"),
        Some("integer") => (value.is_i64() || value.is_u64(), "an integer"),
        // Untyped (any value), or a type the document never uses.
        _ => (true, ""),
    };
    (!fits).then_some(expected)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::document as doc;
    use serde_json::json;

    fn leak(value: Value) -> &'static Value {
        Box::leak(Box::new(value))
    }

    #[test]
    fn every_problem_is_found_where_it_is() {
        let schema = leak(json!({
            "type": "object",
            "required": ["id"],
            "additionalProperties": false,
            "properties": {
                "id": {},
                "n": {"type": "integer", "minimum": 1, "maximum": 3},
                "tags": {"type": "array", "maxItems": 1, "items": {"type": "string", "minLength": 2}},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "when": {"type": "string", "format": "date-time"},
                "maybe": {"type": "string", "nullable": true}
            }
        }));
        let value = json!({"n": 4, "tags": ["x", 1], "kind": "c", "when": "today", "maybe": null, "other": 1});
        let found: Vec<(String, Wrong)> = problems(doc(), &value, schema)
            .into_iter()
            .map(|p| (p.path, p.wrong))
            .collect();
        assert_eq!(
            found,
            [
                (String::new(), Wrong::Missing("id".into())),
                (
                    "kind".into(),
                    Wrong::NotListed(schema["properties"]["kind"]["enum"].as_array().unwrap())
                ),
                (
                    "n".into(),
                    Wrong::Range {
                        min: Some(1.0),
                        max: Some(3.0)
                    }
                ),
                (String::new(), Wrong::Extra("other".into())),
                ("tags".into(), Wrong::Items),
                ("tags[0]".into(), Wrong::Length(1)),
                ("tags[1]".into(), Wrong::Kind("a string")),
                ("when".into(), Wrong::Shape),
            ]
        );
        assert!(!fits(doc(), &value, schema));
        assert!(fits(
            doc(),
            &json!({"id": 1, "n": 2, "maybe": null}),
            schema
        ));
    }

    #[test]
    fn references_all_of_and_alternatives_are_followed() {
        let doc = doc();
        let note = doc
            .operation("create-appointment-note")
            .and_then(|op| doc.body_schema(op))
            .unwrap();
        assert!(fits(doc, &json!({"body": "b"}), note));
        assert_eq!(
            problems(doc, &json!({"body": "b", "userId": null}), note),
            [Problem {
                path: "userId".into(),
                wrong: Wrong::Null
            }]
        );
        let merged = leak(json!({"allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "number", "enum": [1, 2]}}},
            {"properties": {"b": {"oneOf": [{"type": "string"}, {"type": "boolean"}]}}}
        ]}));
        assert!(
            fits(doc, &json!({"a": 1.0, "b": true}), merged),
            "1.0 is the listed 1"
        );
        assert!(!fits(doc, &json!({"a": 1, "b": 5}), merged));
        assert!(!fits(doc, &json!({"b": "x"}), merged), "a is required");
    }
}
