//! Which operations act on which kept resources, read from the paths and schemas alone.
//!
//! A collection is a path `P` with a `POST` whose success answer holds an object with an id
//! field (`id` or `_id`, at the top, one property down as in `{"calendar": {...}}`, or in an
//! array), and at least one operation on `P/{param}`, the item path. `GET`, `PUT`/`PATCH` and
//! `DELETE` on the item path get, update and delete; `GET P` lists, or else a `GET P/word`
//! whose answer holds an array of the same schema (`/schedules/search`). A collection whose
//! path starts with another's item path (`/calendars/{calendarId}/notifications`) lives under
//! it. A `DELETE X/{param}` where `X` is no collection but has collections one word below it
//! (`/calendars/events/{eventId}` over appointments and block slots) deletes from those.
//! Every other operation is answered from the document's examples.

use crate::document::Document;
use crate::synth;
use highlevel_runtime::Operation;
use serde_json::Value;
use std::collections::HashMap;

/// A kind of resource the sandbox keeps.
#[derive(Debug)]
pub(crate) struct Collection {
    /// The collection path without a trailing `/`, such as `/calendars` or
    /// `/calendars/{calendarId}/notifications`.
    pub(crate) template: String,
    /// The name of the item path's parameter, such as `calendarId`.
    pub(crate) item_param: &'static str,
    /// The resource's id field: `id` or `_id`.
    pub(crate) id_field: &'static str,
    /// The collection this one lives under, if any.
    pub(crate) parent: Option<usize>,
    /// The schema of one resource, as Create answers it.
    pub(crate) schema: &'static Value,
}

impl Collection {
    /// What one resource is called in messages: `calendar` for `calendarId`.
    pub(crate) fn noun(&self) -> String {
        match self.item_param.strip_suffix("Id") {
            Some(noun) if !noun.is_empty() => noun.to_string(),
            _ => "resource".to_string(),
        }
    }
}

/// What an operation does to a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    Create,
    Get,
    Update,
    Delete,
    List,
    /// Deletes the id from each of these collections (see the module documentation).
    DeleteAcross(Vec<usize>),
}

/// The collections of a document and the role of each operation that acts on one.
#[derive(Debug, Default)]
pub(crate) struct Shapes {
    pub(crate) collections: Vec<Collection>,
    pub(crate) roles: HashMap<&'static str, (usize, Role)>,
}

/// A path without its trailing `/` (HighLevel's server ignores it).
pub(crate) fn trimmed(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(rest) if !rest.is_empty() => rest,
        _ => path,
    }
}

/// The parameter name of a `{name}` segment.
pub(crate) fn param_of(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

/// The success answer's JSON schema of an operation object.
pub(crate) fn answer_schema(document: &'static Document, op: &'static Value) -> &'static Value {
    let status = synth::success_status(op);
    document.resolve(&op["responses"][status.as_str()]["content"]["application/json"]["schema"])
}

/// Where resources sit in an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// The answer is the resource.
    Top,
    /// The resource is this property of the answer.
    Wrapped(String),
    /// The answer is an array of resources.
    Array,
    /// This property of the answer is an array of resources.
    ListIn(String),
}

/// The id field of an object schema, if it has one.
fn id_field_of(document: &'static Document, schema: &'static Value) -> Option<&'static str> {
    let properties = document.resolve(schema)["properties"].as_object()?;
    ["id", "_id"]
        .into_iter()
        .find(|f| properties.contains_key(*f))
}

/// Where the resources sit in an answer of `schema`, their schema and id field.
pub(crate) fn placement(
    document: &'static Document,
    schema: &'static Value,
) -> Option<(Placement, &'static Value, &'static str)> {
    let schema = document.resolve(schema);
    if let Some(field) = id_field_of(document, schema) {
        return Some((Placement::Top, schema, field));
    }
    if schema["type"] == "array" || schema.get("items").is_some() {
        let items = document.resolve(&schema["items"]);
        return id_field_of(document, items).map(|f| (Placement::Array, items, f));
    }
    let properties = schema["properties"].as_object()?;
    properties.iter().find_map(|(name, property)| {
        let property = document.resolve(property);
        if let Some(field) = id_field_of(document, property) {
            return Some((Placement::Wrapped(name.clone()), property, field));
        }
        let items = document.resolve(&property["items"]);
        let field = id_field_of(document, items)?;
        Some((Placement::ListIn(name.clone()), items, field))
    })
}

impl Shapes {
    /// The collections of `operations` as the document describes them.
    pub(crate) fn infer(document: &'static Document, operations: &[&'static Operation]) -> Shapes {
        let mut shapes = Shapes::default();
        let at = |path: &str| -> Vec<&'static Operation> {
            operations
                .iter()
                .copied()
                .filter(|op| trimmed(op.path) == path)
                .collect()
        };
        let schema_of = |op: &Operation| {
            document
                .operation(op.id)
                .map(|value| answer_schema(document, value))
        };
        // Collections first: a POST with an id in its answer and an item path below it.
        for create in operations.iter().filter(|op| op.method == "POST") {
            let path = trimmed(create.path);
            let Some((_, resource, id_field)) =
                schema_of(create).and_then(|s| placement(document, s))
            else {
                continue;
            };
            let items: Vec<(&'static Operation, &'static str)> = operations
                .iter()
                .filter_map(|op| {
                    let (parent, last) = trimmed(op.path).rsplit_once('/')?;
                    Some((*op, param_of(last)?)).filter(|_| parent == path)
                })
                .collect();
            let Some(&(_, item_param)) = items.first() else {
                continue;
            };
            if items.iter().any(|(_, p)| *p != item_param) {
                continue;
            }
            let index = shapes.collections.len();
            shapes.collections.push(Collection {
                template: path.to_string(),
                item_param,
                id_field,
                parent: None,
                schema: resource,
            });
            shapes.roles.insert(create.id, (index, Role::Create));
            for (op, _) in items {
                let role = match op.method {
                    "GET" => Role::Get,
                    "PUT" | "PATCH" => Role::Update,
                    "DELETE" => Role::Delete,
                    _ => continue,
                };
                shapes.roles.insert(op.id, (index, role));
            }
            let listed = at(path)
                .into_iter()
                .find(|op| op.method == "GET")
                .or_else(|| {
                    // A `GET P/word` whose answer lists the same schema.
                    operations.iter().copied().find(|op| {
                        let lists_it = schema_of(op)
                            .and_then(|s| placement(document, s))
                            .is_some_and(|(_, listed, _)| std::ptr::eq(listed, resource));
                        op.method == "GET"
                            && trimmed(op.path)
                                .rsplit_once('/')
                                .is_some_and(|(p, last)| p == path && param_of(last).is_none())
                            && lists_it
                    })
                });
            if let Some(list) = listed {
                shapes.roles.entry(list.id).or_insert((index, Role::List));
            }
        }
        shapes.link_parents();
        shapes.delete_across(operations);
        shapes
    }

    /// Gives each collection the collection whose item path its path starts with (the
    /// longest such).
    fn link_parents(&mut self) {
        let items: Vec<String> = self
            .collections
            .iter()
            .map(|c| format!("{}/{{{}}}/", c.template, c.item_param))
            .collect();
        for collection in &mut self.collections {
            let own = format!("{}/", collection.template);
            collection.parent = items
                .iter()
                .enumerate()
                .filter(|(_, item)| own.starts_with(item.as_str()))
                .max_by_key(|(_, item)| item.len())
                .map(|(i, _)| i);
        }
    }

    /// The `DELETE X/{param}` operations over the collections one word below `X`.
    fn delete_across(&mut self, operations: &[&'static Operation]) {
        for op in operations.iter().filter(|op| op.method == "DELETE") {
            if self.roles.contains_key(op.id) {
                continue;
            }
            let Some((base, last)) = trimmed(op.path).rsplit_once('/') else {
                continue;
            };
            if param_of(last).is_none() || self.collections.iter().any(|c| c.template == base) {
                continue;
            }
            let below: Vec<usize> = (0..self.collections.len())
                .filter(|&i| {
                    let template = &self.collections[i].template;
                    template
                        .strip_prefix(base)
                        .and_then(|rest| rest.strip_prefix('/'))
                        .is_some_and(|word| !word.contains('/') && param_of(word).is_none())
                })
                .collect();
            if let Some(&first) = below.first() {
                self.roles
                    .insert(op.id, (first, Role::DeleteAcross(below.clone())));
            }
        }
    }

    /// The operations no collection answers, in the order given.
    pub(crate) fn example_driven(&self, operations: &[&'static Operation]) -> Vec<&'static str> {
        operations
            .iter()
            .map(|op| op.id)
            .filter(|id| !self.roles.contains_key(id))
            .collect()
    }

    /// The collection whose path is `template` (with or without a trailing `/`).
    pub(crate) fn collection(&self, template: &str) -> Option<usize> {
        let template = trimmed(template);
        self.collections.iter().position(|c| c.template == template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn shapes() -> Shapes {
        let api = fixture::calendars();
        Shapes::infer(api.document(), api.operations())
    }

    fn role(shapes: &Shapes, id: &str) -> Option<(String, Role)> {
        let (index, role) = shapes.roles.get(id)?;
        Some((shapes.collections[*index].template.clone(), role.clone()))
    }

    #[test]
    fn the_calendars_document_has_its_collections_found() {
        let shapes = shapes();
        let templates: Vec<&str> = shapes
            .collections
            .iter()
            .map(|c| c.template.as_str())
            .collect();
        for expected in [
            "/calendars",
            "/calendars/groups",
            "/calendars/{calendarId}/notifications",
            "/calendars/events/appointments",
            "/calendars/events/block-slots",
            "/calendars/schedules",
            "/calendars/appointments/{appointmentId}/notes",
        ] {
            assert!(templates.contains(&expected), "{expected} in {templates:?}");
        }
        let notifications = &shapes.collections[shapes
            .collection("/calendars/{calendarId}/notifications")
            .unwrap()];
        assert_eq!(notifications.id_field, "_id");
        assert_eq!(
            notifications.parent,
            shapes.collection("/calendars"),
            "notifications live under their calendar"
        );
        assert_eq!(
            role(&shapes, "getAllSchedules"),
            Some(("/calendars/schedules".into(), Role::List))
        );
        assert_eq!(
            role(&shapes, "get-calendars"),
            Some(("/calendars".into(), Role::List))
        );
        assert_eq!(
            role(&shapes, "find-event-notification").map(|r| r.1),
            Some(Role::Get)
        );
        assert!(matches!(
            role(&shapes, "delete-event"),
            Some((_, Role::DeleteAcross(below))) if below.len() == 2
        ));
    }

    #[test]
    fn paths_that_do_not_fit_stay_example_driven() {
        let api = fixture::calendars();
        let stateless = shapes().example_driven(api.operations());
        for id in [
            "get-slots",
            "validate-groups-slug",
            "disable-group",
            "get-calendar-events",
            "add-calendar-to-schedule",
            // Its answers carry no id.
            "create-calendar-resource",
        ] {
            assert!(stateless.contains(&id), "{id} in {stateless:?}");
        }
        assert!(!stateless.contains(&"create-calendar"));
    }
}
