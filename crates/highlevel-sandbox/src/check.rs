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
use std::collections::HashMap;

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
    let mut checker = Checker::new(doc, Fresh, false);
    checker.check(value, schema, &Path::Root);
    checker.found.is_empty()
}

/// [`fits`] for a schema that lives as long as the process (the document's, or one made from
/// it once): what it says is gathered once and kept, as every answer and body is checked
/// against the same few schemas.
pub(crate) fn fits_static(doc: &'static Document, value: &Value, schema: &'static Value) -> bool {
    let mut checker = Checker::new(doc, Kept, false);
    checker.check(value, schema, &Path::Root);
    checker.found.is_empty()
}

/// Every problem of `value` against `schema`; within a value of the wrong kind, nothing more.
pub(crate) fn problems<'s>(
    doc: &'static Document,
    value: &Value,
    schema: &'s Value,
) -> Vec<Problem<'s>> {
    let mut checker = Checker::new(doc, Fresh, true);
    checker.check(value, schema, &Path::Root);
    checker.found
}

/// The problems of [`problems`] that are a value of another kind ([`Wrong::Kind`]) or a
/// `null` ([`Wrong::Null`]), and only those: what the body check adds to the client's own.
pub(crate) fn kind_problems(
    doc: &'static Document,
    value: &Value,
    schema: &'static Value,
) -> Vec<Problem<'static>> {
    let mut checker = Checker::new(doc, Kept, true);
    checker.kinds_only = true;
    checker.check(value, schema, &Path::Root);
    checker.found
}

/// `schema` with `$ref` followed and `allOf` merged into one object: the outer keywords win,
/// `properties` and `required` are united.
pub(crate) fn flatten(doc: &'static Document, schema: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    each_keyword(doc, schema, 0, &mut |key, value| match (key, value) {
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
            out.entry(key).or_insert_with(|| value.clone());
        }
    });
    out
}

/// Hands `visit` each keyword of `schema` in the order merging reads them: the schema's own
/// (but `$ref` and `allOf`), then those of what its `$ref` names, then each `allOf` part's.
/// Where a keyword repeats, the first met is the one that counts.
fn each_keyword<'s>(
    doc: &'static Document,
    schema: &'s Value,
    depth: usize,
    visit: &mut impl FnMut(&'s str, &'s Value),
) {
    let Value::Object(fields) = schema else {
        return;
    };
    if depth > 32 {
        return;
    }
    for (key, value) in fields {
        if key != "$ref" && key != "allOf" {
            visit(key, value);
        }
    }
    if let Some(target) = fields.get("$ref").and_then(Value::as_str) {
        each_keyword(doc, doc.pointer(target), depth + 1, visit);
    }
    let parts = fields.get("allOf").and_then(Value::as_array);
    for part in parts.into_iter().flatten() {
        each_keyword(doc, part, depth + 1, visit);
    }
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

/// What a schema says, gathered once: each keyword as [`flatten`] merges them (the first met
/// wins, following `$ref` and `allOf` with the outer schema first; `required` and `properties`
/// united), each a part of the document rather than a copy.
#[derive(Default)]
struct Compiled<'s> {
    nullable: bool,
    kind: Option<&'s str>,
    enumerated: Option<&'s [Value]>,
    allowed: Option<&'s [Value]>,
    alternatives: Vec<&'s [Value]>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    /// The `pattern`, compiled; `Some(None)` when it does not compile (nothing fits it).
    pattern: Option<Option<regress::Regex>>,
    date_time: bool,
    min_items: Option<u64>,
    max_items: Option<u64>,
    items: Option<&'s Value>,
    required: Vec<&'s str>,
    properties: HashMap<&'s str, &'s Value, foldhash::fast::RandomState>,
    additional: Option<&'s Value>,
}

impl<'s> Compiled<'s> {
    fn of(doc: &'static Document, schema: &'s Value) -> Compiled<'s> {
        let mut first: HashMap<&'s str, &'s Value> = HashMap::new();
        let mut compiled = Compiled::default();
        compiled.gather(doc, schema, &mut first);
        let list = |key: &str| first.get(key).and_then(|v| v.as_array()).map(Vec::as_slice);
        let number = |key: &str| first.get(key).and_then(|v| v.as_f64());
        let count = |key: &str| first.get(key).and_then(|v| v.as_u64());
        let text = |key: &str| first.get(key).and_then(|v| v.as_str());
        compiled.nullable = first.get("nullable") == Some(&&Value::Bool(true));
        compiled.kind = text("type");
        compiled.enumerated = list("enum");
        compiled.allowed = list("x-allowed-values");
        compiled.alternatives = ["oneOf", "anyOf"].into_iter().filter_map(list).collect();
        compiled.minimum = number("minimum");
        compiled.maximum = number("maximum");
        compiled.min_length = count("minLength");
        compiled.max_length = count("maxLength");
        compiled.pattern = text("pattern").map(|p| regress::Regex::new(p).ok());
        compiled.date_time = text("format") == Some("date-time");
        compiled.min_items = count("minItems");
        compiled.max_items = count("maxItems");
        compiled.items = first.get("items").copied();
        compiled.additional = first.get("additionalProperties").copied();
        compiled
    }

    /// Gathers `schema`'s keywords as [`flatten`] merges them (see [`each_keyword`]).
    fn gather(
        &mut self,
        doc: &'static Document,
        schema: &'s Value,
        first: &mut HashMap<&'s str, &'s Value>,
    ) {
        each_keyword(doc, schema, 0, &mut |key, value| match (key, value) {
            ("properties", Value::Object(properties)) => {
                for (name, property) in properties {
                    self.properties.entry(name).or_insert(property);
                }
            }
            ("required", Value::Array(names)) => {
                for name in names.iter().filter_map(Value::as_str) {
                    if !self.required.contains(&name) {
                        self.required.push(name);
                    }
                }
            }
            (key, value) => {
                first.entry(key).or_insert(value);
            }
        });
    }
}

/// Where a checker finds what a schema says.
trait Schemas<'s>: Copy {
    /// The kept gathering of `schema`, if this source keeps them.
    fn kept(&self, doc: &'static Document, schema: &'s Value) -> Option<&'s Compiled<'s>>;
}

/// Gathered afresh for each value: for schemas that may not outlive the check.
#[derive(Clone, Copy)]
struct Fresh;

impl<'s> Schemas<'s> for Fresh {
    fn kept(&self, _: &'static Document, _: &'s Value) -> Option<&'s Compiled<'s>> {
        None
    }
}

/// Gathered once per schema and process ([`Document::kept`]); a few hundred schemas at most.
#[derive(Clone, Copy)]
struct Kept;

impl Schemas<'static> for Kept {
    fn kept(
        &self,
        doc: &'static Document,
        schema: &'static Value,
    ) -> Option<&'static Compiled<'static>> {
        Some(doc.kept(schema, || Compiled::of(doc, schema)))
    }
}

struct Checker<'s, S> {
    doc: &'static Document,
    schemas: S,
    found: Vec<Problem<'s>>,
    /// Every problem, or stop at the first.
    all: bool,
    /// Only values of another kind and `null`s: the rest is not looked at.
    kinds_only: bool,
}

impl<'s, S: Schemas<'s>> Checker<'s, S> {
    fn new(doc: &'static Document, schemas: S, all: bool) -> Self {
        Checker {
            doc,
            schemas,
            found: Vec::new(),
            all,
            kinds_only: false,
        }
    }

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
        let fresh;
        let s = match self.schemas.kept(self.doc, schema) {
            Some(kept) => kept,
            None => {
                fresh = Compiled::of(self.doc, schema);
                &fresh
            }
        };
        if value.is_null() {
            if !s.nullable {
                self.report(path, Wrong::Null);
            }
            return;
        }
        if let Some(expected) = wrong_kind(s.kind, value) {
            return self.report(path, Wrong::Kind(expected));
        }
        if !self.kinds_only {
            self.listed(value, s, path);
        }
        match value {
            Value::String(text) if !self.kinds_only => self.text(text, s, path),
            Value::Number(n) if !self.kinds_only => {
                let (min, max) = (s.minimum, s.maximum);
                let n = n.as_f64().unwrap_or(f64::NAN);
                if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
                    self.report(path, Wrong::Range { min, max });
                }
            }
            Value::Array(items) => self.items(items, s, path),
            Value::Object(fields) => self.object(fields, s, path),
            _ => {}
        }
    }

    /// `enum`, `x-allowed-values`, `oneOf` and `anyOf`.
    fn listed(&mut self, value: &Value, s: &Compiled<'s>, path: &Path<'_>) {
        if let Some(allowed) = s.enumerated
            && !allowed.iter().any(|a| same(a, value))
        {
            self.report(path, Wrong::NotListed(allowed));
        }
        if let Some(allowed) = s.allowed
            && !allowed.iter().any(|a| a.as_f64() == value.as_f64())
        {
            self.report(path, Wrong::NotListed(allowed));
        }
        for alternatives in &s.alternatives {
            if !alternatives.iter().any(|a| self.fits(value, a)) {
                self.report(path, Wrong::NoAlternative);
            }
        }
    }

    /// Whether `value` fits `schema`, looked up as this checker looks schemas up.
    fn fits(&self, value: &Value, schema: &'s Value) -> bool {
        let mut checker = Checker::new(self.doc, self.schemas, false);
        checker.check(value, schema, &Path::Root);
        checker.found.is_empty()
    }

    fn text(&mut self, text: &str, s: &Compiled<'s>, path: &Path<'_>) {
        let length = text.chars().count() as u64;
        let (min, max) = (s.min_length, s.max_length);
        if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
            self.report(path, Wrong::Length(length));
        }
        let pattern_ok = match &s.pattern {
            Some(pattern) => pattern.as_ref().is_some_and(|re| re.find(text).is_some()),
            None => true,
        };
        let format_ok = !s.date_time || looks_like_date_time(text);
        if !(pattern_ok && format_ok) {
            self.report(path, Wrong::Shape);
        }
    }

    fn items(&mut self, items: &[Value], s: &Compiled<'s>, path: &Path<'_>) {
        if !self.kinds_only {
            let count = items.len() as u64;
            let (min, max) = (s.min_items, s.max_items);
            if min.is_some_and(|min| count < min) || max.is_some_and(|max| count > max) {
                self.report(path, Wrong::Items);
            }
        }
        let Some(declared) = s.items else {
            return;
        };
        for (index, item) in items.iter().enumerate() {
            if self.done() {
                return;
            }
            self.check(item, declared, &Path::Item(path, index));
        }
    }

    fn object(&mut self, fields: &Map<String, Value>, s: &Compiled<'s>, path: &Path<'_>) {
        if !self.kinds_only {
            for name in &s.required {
                if !fields.contains_key(*name) {
                    self.report(path, Wrong::Missing(name.to_string()));
                }
            }
        }
        for (name, field) in fields {
            if self.done() {
                return;
            }
            let at = Path::Field(path, name);
            match (s.properties.get(name.as_str()), s.additional) {
                (Some(declared), _) => self.check(field, declared, &at),
                (None, Some(Value::Bool(false))) if !self.kinds_only => {
                    self.report(path, Wrong::Extra(name.clone()))
                }
                (None, Some(extra @ Value::Object(_))) => self.check(field, extra, &at),
                _ => {}
            }
        }
    }
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
    fn kept_schemas_check_as_fresh_ones_and_kinds_are_the_kind_problems() {
        let doc = doc();
        let create = doc
            .operation("create-calendar")
            .and_then(|op| doc.body_schema(op))
            .unwrap();
        let bodies = [
            json!({"name": "n", "locationId": "l"}),
            json!({"name": 5, "teamMembers": [{"userId": null}, null, 3], "slotDuration": "x"}),
            json!({"name": "n", "eventType": "nope", "notInTheDocument": [1]}),
            json!([]),
        ];
        for body in &bodies {
            assert_eq!(fits(doc, body, create), fits_static(doc, body, create));
            let kinds: Vec<Problem> = problems(doc, body, create)
                .into_iter()
                .filter(|p| matches!(p.wrong, Wrong::Kind(_) | Wrong::Null))
                .collect();
            assert_eq!(kind_problems(doc, body, create), kinds, "{body}");
        }
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
