//! Path and query parameters held to their schemas in the document: required ones present,
//! each value of its type (`number`, `integer`, `boolean`, `string`), within its `enum`,
//! `minimum`/`maximum` and length, and given once unless it is an array.
//!
//! The client's types make wrong values unsendable; other clients (and API testers) can send
//! anything, and the document says what the server accepts.

use crate::check::{self, Wrong};
use crate::document::Document;
use serde_json::Value;

/// What is wrong with the parameters of a call to `operation`, one message per problem, each
/// starting with the parameter's name. `blank_is_missing`: an empty required query value counts
/// as missing, as for HighLevel's required text (rule `required`).
pub(crate) fn problems(
    doc: &'static Document,
    operation: &'static Value,
    path: &[(&'static str, String)],
    query: &[(String, String)],
    blank_is_missing: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for parameter in doc.parameters(operation) {
        let Some(name) = parameter["name"].as_str() else {
            continue;
        };
        let values: Vec<&str> = match parameter["in"].as_str() {
            Some("path") => path
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
                .collect(),
            Some("query") => query
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect(),
            _ => continue,
        };
        // Blank text may count as missing; a blank number or boolean is only a wrong value.
        let scalar = doc.resolve(&parameter["schema"])["type"].as_str();
        let typed = matches!(scalar, Some("number" | "integer" | "boolean"));
        let blank_is_missing = blank_is_missing && !typed;
        let given = values.iter().any(|v| !(blank_is_missing && v.is_empty()));
        if !given {
            if parameter["required"] == true && parameter["in"] == "query" {
                problems.push(match blank_is_missing {
                    true => format!("{name} is a required query parameter and must not be empty"),
                    false => format!("{name} is a required query parameter"),
                });
            }
            continue;
        }
        let declared = doc.resolve(&parameter["schema"]);
        let (each, list) = match declared["type"].as_str() {
            Some("array") => (doc.resolve(&declared["items"]), true),
            _ => (declared, false),
        };
        if !list && values.len() > 1 {
            problems.push(format!(
                "{name} is given {} times; it takes one value",
                values.len()
            ));
            continue;
        }
        problems.extend(values.iter().filter_map(|v| problem(doc, name, v, each)));
    }
    problems
}

/// What is wrong with one value of parameter `name`, given as text: read as the type the
/// schema declares, then checked against the schema.
fn problem(doc: &'static Document, name: &str, value: &str, schema: &Value) -> Option<String> {
    let typed = match schema["type"].as_str() {
        Some("number") => match value.parse::<f64>() {
            Ok(n) if n.is_finite() => Value::from(n),
            _ => return Some(format!("{name} must be a number, not {value:?}")),
        },
        Some("integer") => match value.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => return Some(format!("{name} must be an integer, not {value:?}")),
        },
        Some("boolean") => match value {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Some(format!("{name} must be true or false, not {value:?}")),
        },
        _ => Value::String(value.to_string()),
    };
    let first = check::problems(doc, &typed, schema).into_iter().next()?;
    Some(match first.wrong {
        Wrong::NotListed(allowed) => {
            let allowed: Vec<String> = allowed.iter().map(Value::to_string).collect();
            format!(
                "{name} must be one of {}, not {value:?}",
                allowed.join(", ")
            )
        }
        Wrong::Range { min, max } => {
            let bound = |b: Option<f64>| b.map_or_else(String::new, |b| b.to_string());
            let n = typed.as_f64().unwrap_or_default();
            format!("{name} is {n}; allowed: {}..={}", bound(min), bound(max))
        }
        Wrong::Length(length) => {
            format!("{name} has {length} characters, outside its allowed length")
        }
        _ => format!("{name} does not fit its schema: {value:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::fixture::document as doc;

    fn problems(
        operation: &'static Value,
        path: &[(&'static str, String)],
        query: &[(String, String)],
        blank_is_missing: bool,
    ) -> Vec<String> {
        super::problems(doc(), operation, path, query, blank_is_missing)
    }

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn of(id: &str) -> &'static Value {
        doc().operation(id).unwrap()
    }

    #[test]
    fn values_must_have_their_type_range_and_enum() {
        let notes = of("get-appointment-notes");
        let good = query(&[("limit", "10"), ("offset", "0")]);
        assert!(problems(notes, &[], &good, true).is_empty());
        let bad = query(&[("limit", "21"), ("offset", "x")]);
        let found = problems(notes, &[], &bad, true);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("limit is 21"), "{found:?}");
        assert!(found[1].starts_with("offset must be a number"), "{found:?}");
        // Blank is missing text, not a missing number (Schemathesis sent `limit=`).
        let blank_number = query(&[("limit", ""), ("offset", "0")]);
        let found = problems(notes, &[], &blank_number, true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("limit must be"), "{found:?}");

        let resources = of("fetch-calendar-resources");
        let q = query(&[("locationId", "l"), ("limit", "1"), ("skip", "0")]);
        let rooms = [("resourceType", "rooms".to_string())];
        assert!(problems(resources, &rooms, &q, true).is_empty());
        let other = [("resourceType", "null,null".to_string())];
        let found = problems(resources, &other, &q, true);
        assert!(
            found[0].starts_with("resourceType must be one of"),
            "{found:?}"
        );
    }

    #[test]
    fn required_booleans_lists_and_repeats() {
        let list = of("get-calendars");
        let found = problems(list, &[], &query(&[("showDrafted", "null")]), true);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("locationId is a required"),
            "{found:?}"
        );
        assert!(found[1].starts_with("showDrafted must be true or false"));
        let blank = query(&[("locationId", "")]);
        assert_eq!(problems(list, &[], &blank, true).len(), 1);
        assert!(
            problems(list, &[], &blank, false).is_empty(),
            "blank is text"
        );
        let twice = query(&[("locationId", "a"), ("locationId", "b")]);
        assert!(problems(list, &[], &twice, true)[0].contains("given 2 times"));

        let slots = of("get-slots");
        let q = query(&[
            ("startDate", "1"),
            ("endDate", "2e3"),
            ("userIds", "a"),
            ("userIds", "b"),
        ]);
        assert!(
            problems(slots, &[], &q, true).is_empty(),
            "an array repeats"
        );
        assert!(problem(doc(), "n", "inf", &json!({"type": "number"})).is_some());
        assert!(problem(doc(), "n", "1.5", &json!({"type": "integer"})).is_some());
        let listed = json!({"type": "number", "enum": [1, 2]});
        assert_eq!(
            problem(doc(), "n", "2.0", &listed),
            None,
            "2.0 is the listed 2"
        );
    }
}
