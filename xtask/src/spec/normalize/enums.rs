//! Steps about enums: malformed lists repaired, numeric enums turned into documented rules,
//! and inline string enums named so that build.rs makes open enums of them.

use super::{ATTENTION, Context, Notes, components_schemas, pascal_case};
use crate::spec::schema_walk::{SCHEMA_REF_PREFIX, append_description, visit_all_schemas_mut};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// `repair_enums`: an `enum` whose one value is the list of values becomes that list; an enum
/// of strings under `type: number` or `integer` becomes a string enum; a value listed twice is
/// listed once.
pub(super) fn repair_enums(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let Value::Object(fields) = schema else {
            return;
        };
        let Some(Value::Array(values)) = fields.get_mut("enum") else {
            return;
        };
        if let [Value::Array(inner)] = values.as_slice() {
            *values = inner.clone();
            notes.push("an enum given as a list inside a list is the inner list".into());
        }
        let mut seen = Vec::new();
        let before = values.len();
        values.retain(|v| {
            let fresh = !seen.contains(v);
            if fresh {
                seen.push(v.clone());
            }
            fresh
        });
        if values.len() < before {
            notes.push(format!(
                "{} repeated enum value(s) listed once",
                before - values.len()
            ));
        }
        let all_strings = !values.is_empty() && values.iter().all(Value::is_string);
        let numeric = matches!(
            fields.get("type").and_then(Value::as_str),
            Some("number" | "integer")
        );
        if all_strings && numeric {
            fields.insert("type".into(), json!("string"));
            notes.push("an enum of strings declared as a number is a string enum".into());
        }
    });
    Ok(notes)
}

pub(super) fn number_enums_to_rules(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let numeric = matches!(
            schema.get("type").and_then(Value::as_str),
            Some("number" | "integer")
        );
        if !numeric {
            return;
        }
        if let Some(Value::Array(values)) = schema.as_object_mut().and_then(|o| o.remove("enum")) {
            let list: Vec<String> = values.iter().map(Value::to_string).collect();
            append_description(schema, &format!("Allowed values: {}.", list.join(", ")));
            notes.push(format!(
                "enum [{}] became x-allowed-values",
                list.join(", ")
            ));
            schema["x-allowed-values"] = Value::Array(values);
        }
    });
    Ok(notes)
}

/// `name_inline_enums`: moves each inline string enum of a component's property (or of the
/// items of an array property) into a named component, so build.rs makes it an open enum.
///
/// The name is the one `[enum_names]` of pipeline.toml gives `"Schema.property"`, else the
/// PascalCase of the property (`calendarType` -> `CalendarType`); see [`choose_enum_names`] for
/// what happens when enums with different values would share a name. An enum whose values
/// build.rs cannot turn into distinct Rust variants (see [`variant_problem`]) stays a plain
/// string, its values listed in the description, with a note.
pub(super) fn name_inline_enums(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let schemas = components_schemas(doc);
    let mut found: BTreeMap<EnumSite, Vec<Value>> = BTreeMap::new();
    for (schema_name, schema) in schemas.iter() {
        let Some(Value::Object(props)) = schema.get("properties") else {
            continue;
        };
        for (prop_name, prop) in props {
            if let Some(values) = inline_string_enum(prop).and_then(|t| t.get("enum")) {
                let values = values.as_array().cloned().unwrap_or_default();
                found.insert(EnumSite::new(schema_name, prop_name), values);
            }
        }
    }
    let mut named = BTreeMap::new();
    for (site, values) in found {
        match variant_problem(&values) {
            Some(problem) => {
                let target = enum_target(schemas, &site)?;
                let list: Vec<String> = values.iter().map(|v| format!("`{}`", plain(v))).collect();
                target.as_object_mut().map(|o| o.remove("enum"));
                append_description(target, &format!("Allowed values: {}.", list.join(", ")));
                notes.push(format!(
                    "{ATTENTION}{site}: {problem}, so it cannot be an open enum; it stays a plain string (its values are in the description)"
                ));
            }
            None => {
                named.insert(site, values);
            }
        }
    }
    let existing: BTreeSet<String> = schemas.keys().cloned().collect();
    let (names, clash_notes) = choose_enum_names(&named, &ctx.config.enum_names, &existing)?;
    notes.extend(clash_notes);
    for (site, name) in &names {
        let target = enum_target(schemas, site)?;
        let obj = target
            .as_object_mut()
            .ok_or_else(|| format!("{site} is not an object"))?;
        obj.remove("enum");
        obj.remove("type");
        obj.insert(
            "allOf".into(),
            json!([{"$ref": format!("{SCHEMA_REF_PREFIX}{name}")}]),
        );
        notes.push(format!("{site} is the enum `{name}`"));
    }
    for (site, name) in names {
        schemas.insert(name, json!({"type": "string", "enum": named[&site]}));
    }
    Ok(notes)
}

/// Where an inline enum is: a property of a component schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct EnumSite {
    schema: String,
    property: String,
}

impl EnumSite {
    fn new(schema: &str, property: &str) -> EnumSite {
        EnumSite {
            schema: schema.to_string(),
            property: property.to_string(),
        }
    }

    /// The name PascalCase of schema and property make: `AppointmentSchemaResponse` +
    /// `appointmentStatus` -> `AppointmentSchemaResponseAppointmentStatus`.
    fn qualified_name(&self) -> String {
        format!(
            "{}{}",
            pascal_case(&self.schema),
            pascal_case(&self.property)
        )
    }
}

/// `Schema.property`, the key of `[enum_names]`.
impl std::fmt::Display for EnumSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.property)
    }
}

/// The schema holding an inline string enum: the property itself, or its items for an array.
fn inline_string_enum(prop: &Value) -> Option<&Value> {
    let target = if prop.get("type").and_then(Value::as_str) == Some("array") {
        prop.get("items")?
    } else {
        prop
    };
    (target.get("type").and_then(Value::as_str) == Some("string") && target.get("enum").is_some())
        .then_some(target)
}

/// The mutable counterpart of [`inline_string_enum`] for a site found before.
fn enum_target<'a>(
    schemas: &'a mut Map<String, Value>,
    site: &EnumSite,
) -> Result<&'a mut Value, String> {
    let prop = schemas
        .get_mut(&site.schema)
        .and_then(|s| s.get_mut("properties"))
        .and_then(|p| p.get_mut(&site.property))
        .ok_or_else(|| format!("{site} vanished"))?;
    if prop.get("type").and_then(Value::as_str) == Some("array") {
        prop.get_mut("items")
            .ok_or_else(|| format!("{site} has no items"))
    } else {
        Ok(prop)
    }
}

/// A value as it reads in a note: a string without its quotes, anything else as JSON.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

/// Chooses the component name of every inline enum (`enums`, by site, with their values) and
/// returns the names and the notes on names it had to make up.
///
/// Each enum first gets its `[enum_names]` entry (`configured`) or the PascalCase of its
/// property. Enums that land on the same name with the same values share it. When they allow
/// different values, a configured name stays with the configured enums (and with unconfigured
/// ones of the same values), and every other enum of the clash is named after its schema and
/// property ([`EnumSite::qualified_name`]), with a note that says so and how to rename. So is
/// an unconfigured enum whose name is already a schema of the document. Two configured enums of
/// one name and different values, or a configured name that is already a schema, are errors:
/// the configuration contradicts itself. Everything runs in the order of the sites, so the
/// names depend on the document only, never on the order of its maps.
fn choose_enum_names(
    enums: &BTreeMap<EnumSite, Vec<Value>>,
    configured: &BTreeMap<String, String>,
    existing: &BTreeSet<String>,
) -> Result<(BTreeMap<EnumSite, String>, Notes), String> {
    let configured_name = |site: &EnumSite| configured.get(&site.to_string()).cloned();
    let mut groups: BTreeMap<String, Vec<&EnumSite>> = BTreeMap::new();
    for site in enums.keys() {
        let name = configured_name(site).unwrap_or_else(|| pascal_case(&site.property));
        groups.entry(name).or_default().push(site);
    }
    let mut names: BTreeMap<EnumSite, String> = BTreeMap::new();
    let mut taken: BTreeMap<String, &Vec<Value>> = BTreeMap::new();
    let mut to_qualify: Vec<(&String, &EnumSite)> = Vec::new();
    for (name, sites) in &groups {
        let owners: Vec<&EnumSite> = sites
            .iter()
            .copied()
            .filter(|s| configured_name(s).is_some())
            .collect();
        if let Some(first) = owners.first() {
            if let Some(other) = owners.iter().find(|s| enums[**s] != enums[*first]) {
                return Err(format!(
                    "[enum_names] of openapi/pipeline.toml names both `{first}` and `{other}` `{name}`, but they allow different values; give one of them another name"
                ));
            }
            if existing.contains(name) {
                return Err(format!(
                    "enum name `{name}` (for `{first}` in [enum_names]) is already a schema of the document; choose another"
                ));
            }
        }
        let reference = owners.first().map(|s| &enums[*s]);
        let all_equal = sites.iter().all(|s| enums[*s] == enums[sites[0]]);
        for site in sites {
            let keeps = match reference {
                Some(values) => enums[*site] == *values,
                None => all_equal && !existing.contains(name),
            };
            if keeps {
                names.insert((*site).clone(), name.clone());
                taken.insert(name.clone(), &enums[*site]);
            } else {
                to_qualify.push((name, site));
            }
        }
    }
    // Made-up names come last, so that they never take a name chosen above.
    let mut renamed: BTreeMap<&String, Vec<(&EnumSite, String)>> = BTreeMap::new();
    for (name, site) in to_qualify {
        let base = site.qualified_name();
        let mut chosen = base.clone();
        let mut n = 2;
        while existing.contains(&chosen) || taken.get(&chosen).is_some_and(|v| **v != enums[site]) {
            chosen = format!("{base}{n}");
            n += 1;
        }
        taken.insert(chosen.clone(), &enums[site]);
        names.insert(site.clone(), chosen.clone());
        renamed.entry(name).or_default().push((site, chosen));
    }
    let notes = renamed
        .into_iter()
        .map(|(name, sites)| {
            let list: Vec<String> = sites
                .iter()
                .map(|(site, chosen)| format!("{site} -> `{chosen}`"))
                .collect();
            let kept: Vec<String> = names
                .iter()
                .filter(|(_, n)| *n == name)
                .map(|(site, _)| site.to_string())
                .collect();
            let why = if existing.contains(name) {
                format!("`{name}` is already a schema of the document")
            } else {
                format!("enums that would be named `{name}` allow different values")
            };
            let kept = if kept.is_empty() {
                String::new()
            } else {
                let verb = if kept.len() == 1 { "keeps" } else { "keep" };
                format!(" ({} {verb} `{name}`)", kept.join(", "))
            };
            format!(
                "{ATTENTION}{why}: named {}{kept}; a line `\"Schema.property\" = \"Name\"` in [enum_names] of openapi/pipeline.toml names one otherwise",
                list.join(", ")
            )
        })
        .collect();
    Ok((names, notes))
}

/// Why build.rs cannot make an open enum of these values, if it cannot: a value that is not a
/// string, or one whose Rust variant is empty, reserved (`Unknown` holds the values the crate
/// does not know; `Self` is a keyword) or already that of an earlier value (`CT` and `ct`).
fn variant_problem(values: &[Value]) -> Option<String> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for value in values {
        let Some(text) = value.as_str() else {
            return Some(format!("the value {value} is not a string"));
        };
        let variant = variant_name(text);
        if variant.is_empty() {
            return Some(format!("the value `{text}` gives no Rust variant name"));
        }
        if variant == "Unknown" || variant == "Self" {
            return Some(format!(
                "the value `{text}` gives the Rust variant `{variant}`, which is reserved"
            ));
        }
        if let Some(first) = seen.insert(variant.clone(), text) {
            return Some(format!(
                "the values `{first}` and `{text}` both give the Rust variant `{variant}`"
            ));
        }
    }
    None
}

/// The Rust variant the generator makes of an enum value (`round_robin` -> `RoundRobin`,
/// `RedirectURL` -> `RedirectUrl`, `15` -> `V15`).
fn variant_name(value: &str) -> String {
    highlevel_codegen::pascal_case(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::normalize::test_support::run;

    #[test]
    fn variant_problem_refuses_exactly_what_build_rs_refuses() {
        let cases: [&[&str]; 8] = [
            &["a-b", "a_b"],
            &["CT", "ct"],
            &["unknown"],
            &["-"],
            &["round_robin", "RoundRobin"],
            &["ok", "15", "RedirectURL"],
            &["event", "class_booking"],
            &["RoundRobin_OptimizeForAvailability", "DAILY"],
        ];
        for values in cases {
            let values: Vec<Value> = values.iter().map(|v| json!(v)).collect();
            let doc = json!({
                "openapi": "3.0.0",
                "info": {"title": "t", "version": "1"},
                "paths": {},
                "components": {"schemas": {"E": {"type": "string", "enum": values}}}
            });
            let built = highlevel_codegen::generate(&doc.to_string(), "t.json");
            assert_eq!(
                built.is_err(),
                variant_problem(&values).is_some(),
                "{values:?}: {:?}",
                built.err()
            );
        }
        assert!(variant_problem(&[json!("self")]).is_some());
        assert!(variant_problem(&[json!(1)]).is_some());
    }

    #[test]
    fn a_made_up_enum_name_that_is_taken_gets_a_number() {
        let site = |s: &str, p: &str| EnumSite::new(s, p);
        let enums: BTreeMap<EnumSite, Vec<Value>> = [
            (site("Foo", "barBaz"), vec![json!("a")]),
            (site("X", "barBaz"), vec![json!("b")]),
            (site("FooBar", "baz"), vec![json!("c")]),
            (site("Y", "baz"), vec![json!("d")]),
            (site("Z", "thing"), vec![json!("e")]),
        ]
        .into_iter()
        .collect();
        let existing: BTreeSet<String> = ["Thing".to_string()].into_iter().collect();
        let (names, notes) = choose_enum_names(&enums, &BTreeMap::new(), &existing).unwrap();
        let chosen: Vec<(String, &str)> = names
            .iter()
            .map(|(site, name)| (site.to_string(), name.as_str()))
            .collect();
        assert_eq!(
            chosen,
            [
                ("Foo.barBaz".to_string(), "FooBarBaz"),
                ("FooBar.baz".to_string(), "FooBarBaz2"),
                ("X.barBaz".to_string(), "XBarBaz"),
                ("Y.baz".to_string(), "YBaz"),
                ("Z.thing".to_string(), "ZThing"),
            ]
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(
            notes[2].contains("`Thing` is already a schema of the document"),
            "{}",
            notes[2]
        );
    }

    #[test]
    fn enums_are_flattened_retyped_and_deduplicated() {
        let mut doc = json!({"components": {"schemas": {
            "Country": {"type": "number", "enum": [["US", "CA", "US"]], "example": "US"}
        }}});
        let notes = run(repair_enums, &mut doc).unwrap();
        assert_eq!(
            doc["components"]["schemas"]["Country"],
            json!({"type": "string", "enum": ["US", "CA"], "example": "US"})
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(run(repair_enums, &mut doc).unwrap().is_empty());
    }
}
