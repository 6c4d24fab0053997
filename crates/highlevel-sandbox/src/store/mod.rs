//! The resources a sandbox keeps, for any document: what a `POST` to a collection creates, its
//! item path gets, updates and deletes, and its list returns (see [`shape`] for which
//! operations those are). Only the rules a document cannot state come from the client crate
//! ([`ResourceRules`]).
//!
//! - Create answers the documented success status with the resource: the request's fields,
//!   an id (the request's, else a new one; 409 when that id is taken) and what the rules
//!   complete. Under a parent (`/calendars/{calendarId}/notifications`), the parent must be
//!   kept (else 404). A body that is an array creates one resource per item.
//! - Get, update (the fields the update body declares, merged) and delete answer 404 in
//!   HighLevel's shape for an id not kept; deleting a resource deletes what lives under it.
//! - A list answers its scope's resources (404 under a parent not kept), oldest first; a query parameter that names a field
//!   of the resource keeps those whose field has that value (a field the resource lacks
//!   matches `false` only).
//! - Answers fit their documented schema: a field the schema types otherwise is left out, a
//!   required one the resource lacks comes from the document's example.
//! - At most [`DEFAULT_MAX_RESOURCES`] (or the configured number) are kept: past it a create
//!   is answered 507 Insufficient Storage until something is deleted.

mod file;
mod fit;
mod journal;
mod records;
mod rules;
pub(crate) mod shape;
mod state;

pub use rules::{Change, Complete, ResourceRules};

use crate::document::Document;
use crate::ids;
use crate::reply::Reply;
use crate::resources::Call;
use highlevel_runtime::{ApiErrorMessage, Operation};
use hyper::StatusCode;
use journal::Entry;
use records::{Record, Records, Refusal, escape};
use serde_json::{Map, Value};
use shape::{Collection, Placement, Role, Shapes, answer_schema, param_of, placement, trimmed};
use state::StateFile;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// How many resources a sandbox keeps unless told otherwise.
pub const DEFAULT_MAX_RESOURCES: usize = 100_000;

/// What the builder configures of the store.
#[derive(Debug, Clone)]
pub(crate) struct StoreSettings {
    /// Whether resources are kept at all.
    pub(crate) keep: bool,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) max_resources: usize,
    pub(crate) rules: Vec<(String, ResourceRules)>,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            keep: true,
            state_file: None,
            max_resources: DEFAULT_MAX_RESOURCES,
            rules: Vec::new(),
        }
    }
}

/// The kept resources of one sandbox.
#[derive(Debug)]
pub(crate) struct Store {
    document: &'static Document,
    shapes: Shapes,
    rules: HashMap<usize, ResourceRules>,
    records: Mutex<Records>,
    /// Locked while `records` is, so that the file follows the changes in order.
    state_file: Option<Mutex<StateFile>>,
}

type Answer = Result<Reply, Box<Reply>>;

impl Store {
    /// The store of `document` (its `operations`), with the resources of the state file when
    /// there is one.
    pub(crate) fn open(
        document: &'static Document,
        operations: &[&'static Operation],
        mut settings: StoreSettings,
    ) -> std::io::Result<Store> {
        if !settings.keep {
            // Nothing kept: no collection for rules to apply to, nothing to read or write.
            settings.rules.clear();
            settings.state_file = None;
        }
        let shapes = match settings.keep {
            true => Shapes::infer(document, operations),
            false => Shapes::default(),
        };
        let mut rules = HashMap::new();
        for (template, rule) in settings.rules {
            let Some(index) = shapes.collection(&template) else {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("rules for {template}: the document has no such collection"),
                ));
            };
            rules.insert(index, rule);
        }
        let unique = rules
            .values()
            .flat_map(|r| r.unique.iter().map(|(f, _)| f.clone()));
        let mut records = Records::new(settings.max_resources).indexing(unique.collect());
        let state_file = match &settings.state_file {
            Some(path) => Some(StateFile::open(
                path,
                &shapes,
                &mut records,
                settings.max_resources,
            )?),
            None => None,
        };
        Ok(Store {
            document,
            shapes,
            rules,
            records: Mutex::new(records),
            state_file: state_file.map(Mutex::new),
        })
    }

    fn records(&self) -> MutexGuard<'_, Records> {
        lock(&self.records)
    }

    /// Every kept resource of the collection at `template`, oldest first.
    pub(crate) fn resources(&self, template: &str) -> Vec<Value> {
        let Some(index) = self.shapes.collection(template) else {
            return Vec::new();
        };
        self.records()
            .all()
            .into_iter()
            .filter(|(_, r)| r.collection == index)
            .map(|(_, r)| r.value())
            .collect()
    }

    /// The statuses the store may answer `operation_id` with beyond its documented success,
    /// and why: for the served document.
    pub(crate) fn statuses(&self, operation_id: &str) -> Vec<(u16, &'static str)> {
        let Some((index, role)) = self.shapes.roles.get(operation_id) else {
            return Vec::new();
        };
        let collection = &self.shapes.collections[*index];
        let mut statuses = Vec::new();
        let under_parent = collection.parent.is_some();
        match role {
            Role::Get | Role::Update | Role::Delete | Role::DeleteAcross(_) => {
                statuses.push((404, "Not Found: no resource has the id, or it was deleted"));
            }
            Role::Create | Role::List if under_parent => {
                statuses.push((404, "Not Found: the resource it lives under is not there"));
            }
            _ => {}
        }
        let unique = self.rules.get(index).is_some_and(|r| !r.unique.is_empty());
        if unique && matches!(role, Role::Create | Role::Update) {
            statuses.push((
                409,
                "Conflict: another resource has the value of a unique field",
            ));
        }
        if *role == Role::Create {
            statuses.push((507, "Insufficient Storage: the sandbox keeps its maximum"));
        }
        statuses
    }

    /// OpenAPI links from the answer of the create `operation_id` to the operations on what it
    /// made (its get, update and delete; the create and list of what lives under it), by
    /// operation id: an API tester follows them to kept resources, whose item parameters it
    /// cannot always match to the answer by name (a note's is `{id}`).
    pub(crate) fn links(&self, operation_id: &str) -> Vec<(&'static str, Value)> {
        let Some((index, Role::Create)) = self.shapes.roles.get(operation_id) else {
            return Vec::new();
        };
        let collection = &self.shapes.collections[*index];
        let op = self.document.operation(operation_id);
        let Some((place, _, field)) =
            op.and_then(|op| placement(self.document, answer_schema(self.document, op)))
        else {
            return Vec::new();
        };
        let field = field.replace('~', "~0").replace('/', "~1");
        let made = match place {
            Placement::Top => format!("$response.body#/{field}"),
            Placement::Wrapped(name) => format!("$response.body#/{name}/{field}"),
            Placement::Array => format!("$response.body#/0/{field}"),
            Placement::ListIn(name) => format!("$response.body#/{name}/0/{field}"),
        };
        let mut links: Vec<(&'static str, Value)> = Vec::new();
        for (id, (target, role)) in &self.shapes.roles {
            let follows = match role {
                Role::Get | Role::Update | Role::Delete => target == index,
                Role::Create | Role::List => {
                    self.shapes.collections[*target].parent == Some(*index)
                }
                Role::DeleteAcross(_) => false,
            };
            let Some(op) = self.document.operation(id).filter(|_| follows) else {
                continue;
            };
            let parameters: Map<String, Value> = self
                .document
                .parameters(op)
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .map(|name| {
                    let value = match name == collection.item_param {
                        true => made.clone(),
                        // A parent's id: the same parameter of the create's path.
                        false => format!("$request.path.{name}"),
                    };
                    (name.to_string(), Value::String(value))
                })
                .collect();
            let link = serde_json::json!({"operationId": id, "parameters": parameters});
            links.push((id, link));
        }
        links.sort_by_key(|(id, _)| *id);
        links
    }

    /// The operations answered from the document's examples.
    pub(crate) fn example_driven(&self, operations: &[&'static Operation]) -> Vec<&'static str> {
        self.shapes.example_driven(operations)
    }

    /// The sub-account (`locationId`) of the kept resource `call` names, or of its parent.
    pub(crate) fn location_of(&self, call: &Call<'_>) -> Option<String> {
        let (index, role) = self.shapes.roles.get(call.operation().id)?;
        let collection = &self.shapes.collections[*index];
        let records = self.records();
        let named = match role {
            Role::Get | Role::Update | Role::Delete => {
                records.get(&scope(collection, call), call.param(collection.item_param))
            }
            _ => {
                let parent = &self.shapes.collections[collection.parent?];
                records.get(&scope(parent, call), call.param(parent.item_param))
            }
        };
        named?.location().map(str::to_string)
    }

    /// The answer of `call` when its operation acts on a collection.
    pub(crate) fn answer(&self, call: &Call<'_>) -> Option<Reply> {
        let (index, role) = self.shapes.roles.get(call.operation().id)?;
        let collection = &self.shapes.collections[*index];
        let answered = match role {
            Role::Create => self.create(*index, collection, call),
            Role::Get => self.get(collection, call),
            Role::Update => self.update(*index, collection, call),
            Role::Delete => self.delete(collection, call),
            Role::DeleteAcross(indexes) => self.delete_across(indexes, call),
            Role::List => self.list(collection, call),
        };
        Some(answered.unwrap_or_else(|refusal| *refusal))
    }

    /// A 404 when `collection` lives under a parent that is not kept (never created, or
    /// deleted).
    fn parent_kept(
        &self,
        records: &Records,
        collection: &Collection,
        call: &Call<'_>,
    ) -> Result<(), Box<Reply>> {
        if let Some(parent) = collection.parent.map(|p| &self.shapes.collections[p]) {
            let id = call.param(parent.item_param);
            if records.get(&scope(parent, call), id).is_none() {
                return Err(Box::new(not_found(parent, id)));
            }
        }
        Ok(())
    }

    fn create(&self, index: usize, collection: &Collection, call: &Call<'_>) -> Answer {
        let mut records = self.records();
        self.parent_kept(&records, collection, call)?;
        let items: Vec<&Map<String, Value>> = match call.body() {
            Some(Value::Object(fields)) => vec![fields],
            Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
                items.iter().filter_map(Value::as_object).collect()
            }
            _ => return Err(Box::new(unprocessable("body must be an object"))),
        };
        let scope = scope(collection, call);
        let mut created: Vec<(String, Value)> = Vec::new();
        for fields in items {
            let mut value = Value::Object(fields.clone());
            let id = match fields.get(collection.id_field).and_then(Value::as_str) {
                Some(given) if !given.trim().is_empty() => given.to_string(),
                _ => ids::new_id(),
            };
            value[collection.id_field] = Value::String(id.clone());
            let rules = self.rules.get(&index);
            if let Some(complete) = rules.and_then(|r| r.complete) {
                complete(self.document, &mut value, Change::Create);
            }
            let kept = match rules.map(|r| self.clash(&records, r, collection, &scope, &value, &id))
            {
                Some(Err(refusal)) => Err(refusal),
                _ => records
                    .insert(&scope, index, &id, &value)
                    .map_err(|r| Box::new(refused(collection, &id, r))),
            };
            if let Err(refusal) = kept {
                // All of a body's resources or none.
                for (earlier, _) in &created {
                    records.remove(&scope, earlier);
                }
                return Err(refusal);
            }
            created.push((id, value));
        }
        let template = collection.template.as_str();
        let changes: Vec<Entry<'_>> = created
            .iter()
            .filter_map(|(id, _)| records.get(&scope, id))
            .map(|record| Entry::Put {
                collection: template,
                scope: &scope,
                resource: record.json(),
            })
            .collect();
        self.save(&records, &changes);
        let created: Vec<&Value> = created.iter().map(|(_, value)| value).collect();
        Ok(self.shaped(call, &created))
    }

    /// A get answers the bytes it answered last for the same resource: fitting a resource to
    /// the answer schema is most of what an answer costs, and it only changes with the resource.
    fn get(&self, collection: &Collection, call: &Call<'_>) -> Answer {
        let id = call.param(collection.item_param);
        let operation = call.operation().id;
        let mut records = self.records();
        let record = records
            .get_mut(&scope(collection, call), id)
            .ok_or_else(|| Box::new(not_found(collection, id)))?;
        if let Some((status, body)) = record.answer(operation) {
            return Ok(Reply::json_bytes(status, body));
        }
        let reply = self.shaped(call, &[&record.value()]);
        // An empty body is an answer without content type: not one `json_bytes` makes again.
        if !reply.body.is_empty() {
            record.remember_answer(operation, reply.status, reply.body.clone());
        }
        Ok(reply)
    }

    fn update(&self, index: usize, collection: &Collection, call: &Call<'_>) -> Answer {
        let id = call.param(collection.item_param);
        let scope = scope(collection, call);
        let Some(Value::Object(fields)) = call.body() else {
            return Err(Box::new(unprocessable("body must be an object")));
        };
        let updatable = self.updatable(call);
        let mut records = self.records();
        let mut value = records
            .get(&scope, id)
            .ok_or_else(|| Box::new(not_found(collection, id)))?
            .value();
        for (name, field) in fields {
            let allowed = updatable.as_ref().is_none_or(|names| names.contains(name));
            if allowed && name != collection.id_field {
                value[name.as_str()] = field.clone();
            }
        }
        if let Some(rules) = self.rules.get(&index) {
            if let Some(complete) = rules.complete {
                complete(self.document, &mut value, Change::Update);
            }
            self.clash(&records, rules, collection, &scope, &value, id)?;
        }
        records.replace(&scope, id, &value);
        let changes: Vec<Entry<'_>> = records
            .get(&scope, id)
            .map(|record| Entry::Put {
                collection: &collection.template,
                scope: &scope,
                resource: record.json(),
            })
            .into_iter()
            .collect();
        self.save(&records, &changes);
        Ok(self.shaped(call, &[&value]))
    }

    fn delete(&self, collection: &Collection, call: &Call<'_>) -> Answer {
        let id = call.param(collection.item_param);
        let mut records = self.records();
        let scope = scope(collection, call);
        records
            .remove(&scope, id)
            .ok_or_else(|| Box::new(not_found(collection, id)))?;
        let change = Entry::Delete {
            collection: &collection.template,
            scope: &scope,
            id,
        };
        self.save(&records, &[change]);
        Ok(self.example(call))
    }

    fn delete_across(&self, indexes: &[usize], call: &Call<'_>) -> Answer {
        let param = trimmed(call.operation().path)
            .rsplit('/')
            .next()
            .and_then(param_of)
            .unwrap_or_default();
        let id = call.param(param);
        let mut records = self.records();
        let mut removed = Vec::new();
        for collection in indexes.iter().map(|i| &self.shapes.collections[*i]) {
            let scope = scope(collection, call);
            if records.remove(&scope, id).is_some() {
                removed.push((collection.template.as_str(), scope));
            }
        }
        if removed.is_empty() {
            let first = &self.shapes.collections[indexes[0]];
            return Err(Box::new(not_found(first, id)));
        }
        let changes: Vec<Entry<'_>> = removed
            .iter()
            .map(|(collection, scope)| Entry::Delete {
                collection,
                scope,
                id,
            })
            .collect();
        self.save(&records, &changes);
        Ok(self.example(call))
    }

    fn list(&self, collection: &Collection, call: &Call<'_>) -> Answer {
        let records = self.records();
        self.parent_kept(&records, collection, call)?;
        let declared = self.document.resolve(collection.schema)["properties"].as_object();
        let filters: Vec<&(String, String)> = call
            .query()
            .iter()
            .filter(|(name, _)| declared.is_some_and(|d| d.contains_key(name)))
            .collect();
        let scope = scope(collection, call);
        let listed: Vec<Value> = records
            .in_scope(&scope)
            .map(Record::value)
            .filter(|value| {
                filters
                    .iter()
                    .all(|(name, want)| matches(&value[name], want))
            })
            .collect();
        Ok(self.shaped(call, &listed.iter().collect::<Vec<_>>()))
    }

    /// Refuses `value` when it clashes with another resource of the scope on a unique field.
    fn clash(
        &self,
        records: &Records,
        rules: &ResourceRules,
        collection: &Collection,
        scope: &str,
        value: &Value,
        id: &str,
    ) -> Result<(), Box<Reply>> {
        // Only the resources with the same text in a unique field can clash (found through the
        // index, not by reading the whole scope).
        let others: Vec<Value> = rules
            .unique
            .iter()
            .filter_map(|(field, _)| Some((field, value.get(field)?.as_str()?)))
            .flat_map(|(field, text)| records.with_text(scope, field, text))
            .filter(|r| r.id != id)
            .map(Record::value)
            .collect();
        match rules.clash(value, &others.iter().collect::<Vec<_>>()) {
            Some((why, other)) => {
                let other = other[collection.id_field].as_str().unwrap_or_default();
                let noun = collection.noun();
                Err(Box::new(Reply::error(
                    StatusCode::CONFLICT,
                    ApiErrorMessage::Many(vec![format!("{why} by {noun} {other}")]),
                )))
            }
            None => Ok(()),
        }
    }

    /// The fields an update may set: the properties of its body's schema (`None`: any).
    fn updatable(&self, call: &Call<'_>) -> Option<Vec<String>> {
        let op = self.document.operation(call.operation().id)?;
        let body = self.document.resolve(self.document.body_schema(op)?);
        let properties = body["properties"].as_object()?;
        Some(properties.keys().cloned().collect())
    }

    /// The operation's success answer with `resources` where its schema holds them.
    fn shaped(&self, call: &Call<'_>, resources: &[&Value]) -> Reply {
        static NULL: Value = Value::Null;
        let id = call.operation().id;
        // Borrowed: the example answer is a whole calendar, too much to copy for each answer.
        let (status, template) = match self.document.answer(id) {
            Some((status, template)) => (*status, template.as_ref().unwrap_or(&NULL)),
            None => (StatusCode::OK, &NULL),
        };
        let schema = self
            .document
            .operation(id)
            .map(|op| answer_schema(self.document, op));
        match schema.and_then(|s| placement(self.document, s)) {
            Some((place, item_schema, _)) => {
                let body = fit::answer(self.document, &place, item_schema, template, resources);
                Reply::serialized(status, &body)
            }
            None if template.is_null() => Reply::empty(status),
            None => Reply::json(status, template),
        }
    }

    /// The operation's answer from the document's examples.
    fn example(&self, call: &Call<'_>) -> Reply {
        match self.document.answer(call.operation().id) {
            Some((status, Some(body))) => Reply::json(*status, body),
            Some((status, None)) => Reply::empty(*status),
            None => Reply::empty(StatusCode::OK),
        }
    }

    /// Writes `changes`, just made to `records`, to the state file if there is one, before the
    /// lock on `records` is released (so writes follow changes in order).
    fn save(&self, records: &Records, changes: &[Entry<'_>]) {
        if let Some(state) = &self.state_file {
            lock(state).record(&self.shapes, records, changes);
        }
    }

    /// Folds the state file's journal into its snapshot: for a graceful stop, so that the file
    /// alone holds everything.
    pub(crate) fn compact(&self) -> std::io::Result<()> {
        let records = self.records();
        match &self.state_file {
            Some(state) => lock(state).compact(&self.shapes, &records),
            None => Ok(()),
        }
    }
}

/// A poisoned lock only means a test panicked elsewhere; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The scope of `collection` that `call` names: its path with the call's parameters.
fn scope(collection: &Collection, call: &Call<'_>) -> String {
    collection
        .template
        .split('/')
        .map(|segment| match param_of(segment) {
            Some(name) => escape(call.param(name)),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a resource's field has the value a query asks for (a missing field is `false`).
fn matches(field: &Value, wanted: &str) -> bool {
    match field {
        Value::Null => wanted == "false",
        Value::String(text) => text == wanted,
        Value::Array(items) => items.iter().any(|item| matches(item, wanted)),
        Value::Bool(flag) => wanted == if *flag { "true" } else { "false" },
        Value::Number(number) => number.to_string() == wanted,
        Value::Object(_) => false,
    }
}

/// HighLevel's 404 for an id not kept (never created, or deleted).
fn not_found(collection: &Collection, id: &str) -> Reply {
    let noun = collection.noun();
    let mut title = noun.clone();
    if let Some(first) = title.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Reply::error_one(
        StatusCode::NOT_FOUND,
        format!("{title} not found: no {noun} has the id {id:?}"),
    )
}

fn unprocessable(message: &str) -> Reply {
    Reply::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiErrorMessage::Many(vec![message.to_string()]),
    )
}

fn refused(collection: &Collection, id: &str, refusal: Refusal) -> Reply {
    match refusal {
        Refusal::Full(max) => Reply::error_one(
            StatusCode::INSUFFICIENT_STORAGE,
            format!(
                "the sandbox keeps at most {max} resources: delete some, or start it with a \
                 higher maximum"
            ),
        ),
        Refusal::Taken => Reply::error_one(
            StatusCode::CONFLICT,
            format!("a {} with the id {id:?} exists already", collection.noun()),
        ),
    }
}
