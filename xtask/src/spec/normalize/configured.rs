//! Steps that carry out `openapi/pipeline.toml` rather than repair upstream: which operations
//! are kept, which statuses and links are declared, and which schemas get hand-written rules.

use super::{ATTENTION, Context, Notes, components_schemas, operation_id};
use crate::spec::schema_walk::{METHODS, operations, operations_mut};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub(super) fn keep_configured_operations(
    doc: &mut Value,
    ctx: &mut Context,
) -> Result<Notes, String> {
    let wanted: BTreeSet<&str> = ctx.config.operations.iter().map(String::as_str).collect();
    let found: BTreeSet<String> = operations(doc)
        .iter()
        .filter_map(|(_, _, op)| op.get("operationId")?.as_str().map(str::to_string))
        .filter(|id| wanted.contains(id.as_str()))
        .collect();
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|id| !found.contains(**id))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "configured operation(s) not in the document: {}",
            missing.join(", ")
        ));
    }
    let notes: Notes = operations(doc)
        .iter()
        .filter(|(_, _, op)| {
            !op.get("operationId")
                .and_then(Value::as_str)
                .is_some_and(|id| wanted.contains(id))
        })
        .map(|(path, method, _)| format!("dropped {} {path}", method.to_uppercase()))
        .collect();
    let paths = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the document has no paths")?;
    for item in paths.values_mut() {
        if let Value::Object(item) = item {
            item.retain(|key, op| {
                !METHODS.contains(&key.as_str())
                    || op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .is_some_and(|id| wanted.contains(id))
            });
        }
    }
    paths.retain(|_, item| {
        item.as_object()
            .is_some_and(|item| item.keys().any(|k| METHODS.contains(&k.as_str())))
    });
    Ok(notes)
}

/// `declare_statuses`: declares the statuses pipeline.toml's `[statuses]` lists for an
/// operation (the Calendars pipeline: 404 for an unknown calendar id, 409 for a slug another
/// calendar of the location has), each with its description. Runs before
/// [`shared_error_schema`], which gives them the error body.
///
/// A status the document leaves out is one a conformance tester (Schemathesis) reports as
/// undocumented, and that users of the document cannot plan for. A status upstream already
/// documents is left as it is, with a note that its entry can go.
pub(super) fn declare_statuses(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let mut unused: BTreeSet<&String> = ctx.config.statuses.keys().collect();
    for op in operations_mut(doc) {
        let id = operation_id(op);
        let Some(wanted) = ctx.config.statuses.get(&id) else {
            continue;
        };
        unused.remove(&id);
        let responses = op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("{id} has no responses"))?;
        for (status, description) in wanted {
            if responses.contains_key(status) {
                notes.push(format!(
                    "{ATTENTION}{id} documents {status} upstream now; its [statuses] entry can go"
                ));
            } else {
                responses.insert(status.clone(), json!({ "description": description }));
                notes.push(format!("{id}: declared {status}"));
            }
        }
    }
    for id in unused {
        notes.push(format!(
            "[statuses] names {id}, which is not kept; nothing declared"
        ));
    }
    Ok(notes)
}

/// `link_operations`: adds the OpenAPI `links` pipeline.toml's `[[links]]` lists (the
/// Calendars pipeline: create-calendar's 201 gives get, update and delete calendar their
/// `calendarId`). A link between operations that are not both kept is left out, with a note.
///
/// Stateful API testers (Schemathesis) follow links to chain calls; without them they guess,
/// and operations on one resource mostly meet unknown ids. Code generation ignores links.
pub(super) fn link_operations(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let kept: BTreeSet<String> = operations(doc)
        .into_iter()
        .map(|(_, _, op)| operation_id(op))
        .collect();
    let mut notes = Notes::new();
    for link in &ctx.config.links {
        let name = &link.name;
        if !kept.contains(&link.from) || !kept.contains(&link.to) {
            notes.push(format!(
                "link {name} ({} to {}) left out: both operations must be kept",
                link.from, link.to
            ));
            continue;
        }
        let Some(op) = operations_mut(doc)
            .into_iter()
            .find(|op| operation_id(op) == link.from)
        else {
            continue;
        };
        let status = &link.status;
        let answer = op
            .pointer_mut(&format!("/responses/{status}"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("link {name}: {} documents no {status}", link.from))?;
        let links = answer
            .entry("links")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| format!("{}'s {status} `links` is not an object", link.from))?;
        if links.contains_key(name) {
            notes.push(format!(
                "{ATTENTION}{} links {name} upstream now; its [[links]] entry can go",
                link.from
            ));
            continue;
        }
        links.insert(
            name.clone(),
            json!({ "operationId": link.to, "parameters": link.parameters }),
        );
        notes.push(format!("{}: linked to {}", link.from, link.to));
    }
    Ok(notes)
}

/// Names, on each schema listed in pipeline.toml's `[rules]`, the hand-written function that
/// checks what HighLevel states only in words (`x-highlevel-rules`); the generated `Validate`
/// of the schema's type calls it after the checks the document states.
pub(super) fn attach_rules(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let schemas = components_schemas(doc);
    for (schema, path) in &ctx.config.rules {
        let Some(target) = schemas.get_mut(schema).and_then(Value::as_object_mut) else {
            notes.push(format!(
                "attention: [rules] names the schema `{schema}`, which the kept operations do not use; {path} is not attached"
            ));
            continue;
        };
        target.insert(
            highlevel_codegen::RULES_EXTENSION.into(),
            Value::String(path.clone()),
        );
        notes.push(format!("{schema}: checked by {path}"));
    }
    Ok(notes)
}
