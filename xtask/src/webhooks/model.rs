//! From a page's schema to Rust types: a struct per object with properties, an `Option` per
//! field that is not required, and `serde_json::Value` where the schema says too little or
//! where the page's own examples contradict it (so that every example decodes).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A Rust type of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Bool,
    F64,
    I64,
    Json,
    Vec(Box<Ty>),
    Struct(String),
}

/// A generated struct.
#[derive(Debug, Clone)]
pub struct StructDef {
    pub name: String,
    /// Where it sits in the body, for its doc comment (`appointment`, `items[]`); empty for
    /// the event itself.
    pub path: String,
    /// The page that first gave it.
    pub page: String,
    pub fields: Vec<FieldDef>,
}

/// A field of a generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub json_name: String,
    pub rust_name: String,
    pub ty: Ty,
    pub optional: bool,
    /// Why the schema's type was not used, if it was not.
    pub widened: Option<String>,
}

/// The struct names given so far, and the fields of each nested one: an object of the same
/// fields under the same name on several pages (`appointment` of the three appointment
/// events) is one type, so code can handle it once.
pub struct Registry {
    taken: BTreeSet<String>,
    /// For each field name (in Rust, `Appointment`), the structs made for it and their fields.
    shapes: BTreeMap<String, Vec<(String, Vec<FieldDef>)>>,
}

/// Names a struct may not take: the file's own and the ones it uses.
const RESERVED: &[&str] = &[
    "Event",
    "UnknownEvent",
    "Value",
    "Deserialize",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
];

impl Registry {
    /// A registry where the page names (each its event's struct) are taken already.
    pub fn new<'a>(page_names: impl IntoIterator<Item = &'a str>) -> Registry {
        let mut taken: BTreeSet<String> = RESERVED.iter().map(|n| n.to_string()).collect();
        taken.extend(page_names.into_iter().map(str::to_string));
        Registry {
            taken,
            shapes: BTreeMap::new(),
        }
    }
}

/// The structs of the event of page `page` (whose name is its struct's) from `schema`,
/// checked against `examples`: the event's first, then the nested ones new to `registry`.
pub fn build(
    page: &str,
    schema: &Value,
    examples: &[Value],
    registry: &mut Registry,
) -> Vec<StructDef> {
    let mut nested = Vec::new();
    let examples: Vec<&Value> = examples.iter().collect();
    let fields = fields_of(page, "", schema, &examples, true, registry, &mut nested);
    let mut structs = vec![StructDef {
        name: page.to_string(),
        path: String::new(),
        page: page.to_string(),
        fields,
    }];
    structs.extend(nested);
    structs
}

/// The struct for an object at `path` whose field is named `plain` in Rust: the type of
/// that name if it has the same fields, else a new one (named after the page when `plain` is
/// taken).
fn nested_struct(
    page: &str,
    plain: &str,
    path: &str,
    schema: &Value,
    values: &[&Value],
    registry: &mut Registry,
    out: &mut Vec<StructDef>,
) -> String {
    let fields = fields_of(page, path, schema, values, false, registry, out);
    let made = registry.shapes.entry(plain.to_string()).or_default();
    if let Some((name, _)) = made.iter().find(|(_, f)| *f == fields) {
        return name.clone();
    }
    let base = if registry.taken.contains(plain) {
        format!("{page}{plain}")
    } else {
        plain.to_string()
    };
    let name = unique(&base, &mut registry.taken);
    registry
        .shapes
        .entry(plain.to_string())
        .or_default()
        .push((name.clone(), fields.clone()));
    out.push(StructDef {
        name: name.clone(),
        path: path.to_string(),
        page: page.to_string(),
        fields,
    });
    name
}

fn fields_of(
    page: &str,
    path: &str,
    schema: &Value,
    examples: &[&Value],
    top: bool,
    registry: &mut Registry,
    out: &mut Vec<StructDef>,
) -> Vec<FieldDef> {
    let required_list: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut rust_names = BTreeSet::new();
    // Sorted by name whatever serde_json's map order (its `preserve_order` feature may be on
    // in one build and off in another), so the output is the same in every build.
    let mut properties: Vec<(&String, &Value)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    properties.sort_by(|a, b| a.0.cmp(b.0));
    let mut fields = Vec::new();
    for (json_name, property) in properties {
        // The event's `type` is the enum's tag, not a field.
        if top && json_name == "type" {
            continue;
        }
        let values: Vec<&Value> = examples.iter().filter_map(|e| e.get(json_name)).collect();
        let field_path = if path.is_empty() {
            json_name.clone()
        } else {
            format!("{path}.{json_name}")
        };
        let (ty, widened) = field_type(
            page,
            &pascal(json_name),
            &field_path,
            property,
            &values,
            registry,
            out,
        );
        let required = required_list.contains(json_name.as_str())
            || property.get("required") == Some(&Value::Bool(true));
        // Required only when every example has it, not null.
        let always_there = !examples.is_empty()
            && examples
                .iter()
                .all(|e| e.get(json_name).is_some_and(|v| !v.is_null()));
        let optional = !(required && always_there);
        let rust_name = unique_field(&snake(json_name), &mut rust_names);
        fields.push(FieldDef {
            json_name: json_name.clone(),
            rust_name,
            ty,
            optional,
            widened,
        });
    }
    fields
}

/// The type of a property, and why it was widened to JSON if it was.
fn field_type(
    page: &str,
    hint: &str,
    path: &str,
    schema: &Value,
    values: &[&Value],
    registry: &mut Registry,
    out: &mut Vec<StructDef>,
) -> (Ty, Option<String>) {
    let declared = type_name(schema);
    let fits = |check: fn(&Value) -> bool| values.iter().all(|v| v.is_null() || check(v));
    let contradicted = || {
        Some(format!(
            "the examples contradict the documented `{declared}`"
        ))
    };
    match declared.as_str() {
        "string" | "Date" | "date" | "date-time" => {
            if fits(Value::is_string) {
                (Ty::String, None)
            } else {
                (Ty::Json, contradicted())
            }
        }
        "boolean" => {
            if fits(Value::is_boolean) {
                (Ty::Bool, None)
            } else {
                (Ty::Json, contradicted())
            }
        }
        "number" => {
            if fits(Value::is_number) {
                (Ty::F64, None)
            } else {
                (Ty::Json, contradicted())
            }
        }
        "integer" => {
            if fits(|v| v.is_i64() || v.is_u64()) {
                (Ty::I64, None)
            } else {
                (Ty::Json, contradicted())
            }
        }
        "array" => {
            if !fits(Value::is_array) {
                return (Ty::Json, contradicted());
            }
            let items: Vec<&Value> = values
                .iter()
                .filter_map(|v| v.as_array())
                .flatten()
                .collect();
            match schema.get("items") {
                Some(item_schema) => {
                    let (item, widened) = field_type(
                        page,
                        &format!("{hint}Item"),
                        &format!("{path}[]"),
                        item_schema,
                        &items,
                        registry,
                        out,
                    );
                    (Ty::Vec(Box::new(item)), widened)
                }
                None => (Ty::Vec(Box::new(Ty::Json)), None),
            }
        }
        "object" => {
            if !fits(Value::is_object) {
                return (Ty::Json, contradicted());
            }
            let has_properties = schema
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            if !has_properties {
                return (Ty::Json, None);
            }
            let name = nested_struct(page, hint, path, schema, values, registry, out);
            (Ty::Struct(name), None)
        }
        _ => (Ty::Json, None),
    }
}

/// The schema's `type`, the first that is not `null` when it is a list.
fn type_name(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

fn unique(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}{n}");
        n += 1;
    }
    candidate
}

fn unique_field(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    candidate
}

/// Words of a JSON name: split at non-alphanumerics and before an upper-case letter that
/// follows a lower-case one or a digit.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous = None;
            continue;
        }
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            && !current.is_empty()
        {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
        previous = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `appointmentStatus` → `AppointmentStatus`.
pub fn pascal(name: &str) -> String {
    let mut out: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'F');
    }
    out
}

/// `appointmentStatus` → `appointment_status`, a keyword with `_` after it.
pub fn snake(name: &str) -> String {
    let mut out = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.is_empty() {
        out = "field".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n_");
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names() {
        assert_eq!(snake("appointmentStatus"), "appointment_status");
        assert_eq!(snake("is-authenticated"), "is_authenticated");
        assert_eq!(snake("_id"), "id");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("URL"), "url");
        assert_eq!(snake("dndSettings"), "dnd_settings");
        assert_eq!(pascal("whitelabelDetails"), "WhitelabelDetails");
        assert_eq!(pascal("is-routed"), "IsRouted");
    }

    #[test]
    fn examples_that_contradict_the_schema_widen_the_field() {
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "string"},
            "ok": {"type": "boolean"},
            "inner": {"type": "object", "properties": {"x": {"type": "number"}}},
        }});
        let mut registry = Registry::new(["E"]);
        let structs = build("E", &schema, &[json!({"n": 5, "ok": null})], &mut registry);
        let top = &structs[0];
        assert_eq!(top.fields[0].ty, Ty::Struct("Inner".into()));
        assert_eq!(top.fields[1].ty, Ty::Json);
        assert!(top.fields[1].widened.is_some());
        assert_eq!(top.fields[2].ty, Ty::Bool);
        assert_eq!(structs[1].name, "Inner");
    }

    #[test]
    fn the_same_object_on_two_pages_is_one_type_and_another_shape_gets_its_own() {
        let schema = |field: &str| {
            json!({"type": "object", "properties": {
                "value": {"type": "object", "properties": {field: {"type": "string"}}},
            }})
        };
        let mut registry = Registry::new(["A", "B", "C"]);
        let a = build("A", &schema("x"), &[], &mut registry);
        let b = build("B", &schema("x"), &[], &mut registry);
        let c = build("C", &schema("y"), &[], &mut registry);
        // `Value` is serde_json's: the struct is named after the first page that has it.
        assert_eq!(a[0].fields[0].ty, Ty::Struct("AValue".into()));
        assert_eq!(a.len(), 2);
        assert_eq!(b[0].fields[0].ty, Ty::Struct("AValue".into()));
        assert_eq!(b.len(), 1, "nothing new");
        assert_eq!(c[0].fields[0].ty, Ty::Struct("CValue".into()));
    }
}
