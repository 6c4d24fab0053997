//! The semantic comparison of two normalized documents, as it matters to code using the SDK.
//!
//! Why one file of about 1,100 lines: the comparison is one recursive walk over request and
//! response schemas, and its severity rules, each with the sentence it reports, read best
//! side by side (their tests, one fixture pair per kind of change, are in
//! `xtask/tests/diff_kinds.rs`).
//!
//! The configured operations and every operation of the old document are compared, with
//! everything reachable from them, once for what the client sends (the request: path, method, `Version` header, parameters, body) and
//! once for what it receives (the success responses). Every difference becomes a [`Change`]
//! with a [`Severity`] and a one-line reason written for SDK users:
//!
//! - **breaking**: code using the SDK may stop compiling, or a call that worked may fail;
//! - **needs attention**: code keeps compiling, but what a call does may change: read the reason;
//! - **compatible**: nothing to do.
//!
//! The reasons lean on how the SDK is generated: request bodies are built with builders that
//! fail on a missing required field, a response field is `Option<T>` when it is optional or
//! nullable, string enums are open (`#[non_exhaustive]` with `Unknown(String)`), and number
//! enums are plain numbers whose allowed values the client's validation checks.

use crate::spec::schema_walk::{METHODS, SCHEMA_REF_PREFIX};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// How much a change matters to code using the SDK (ordered: compatible < attention < breaking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Nothing to do.
    Compatible,
    /// Keeps compiling, but behaviour may change.
    Attention,
    /// May stop compiling, or a call that worked may fail.
    Breaking,
}

impl Severity {
    /// The label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Compatible => "compatible",
            Severity::Attention => "needs attention",
            Severity::Breaking => "breaking",
        }
    }
}

/// Which way the changed data travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// What the client sends.
    Request,
    /// What the client receives.
    Response,
}

impl Side {
    /// The label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Response => "response",
        }
    }
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A configured operation appeared.
    OperationAdded,
    /// A configured operation disappeared.
    OperationRemoved,
    /// An operation's path changed.
    PathChanged,
    /// An operation's HTTP method changed.
    MethodChanged,
    /// An operation's documented success statuses changed.
    SuccessStatusChanged,
    /// The `Version` header an operation sends changed.
    VersionChanged,
    /// The security schemes an operation accepts changed.
    SecurityChanged,
    /// The OAuth scopes an operation lists changed.
    ScopesChanged,
    /// A property, parameter or body appeared.
    PropertyAdded,
    /// A property, parameter or body disappeared.
    PropertyRemoved,
    /// A property became required.
    RequiredAdded,
    /// A property stopped being required.
    RequiredRemoved,
    /// A schema's type changed.
    TypeChanged,
    /// A schema's format changed.
    FormatChanged,
    /// An enum gained a value.
    EnumValueAdded,
    /// An enum lost a value.
    EnumValueRemoved,
    /// A schema's nullability changed.
    NullableChanged,
    /// An operation or a property became deprecated.
    DeprecatedAdded,
}

impl Kind {
    /// The label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::OperationAdded => "operation added",
            Kind::OperationRemoved => "operation removed",
            Kind::PathChanged => "path changed",
            Kind::MethodChanged => "method changed",
            Kind::SuccessStatusChanged => "success status changed",
            Kind::VersionChanged => "Version header changed",
            Kind::SecurityChanged => "security scheme changed",
            Kind::ScopesChanged => "scopes changed",
            Kind::PropertyAdded => "added",
            Kind::PropertyRemoved => "removed",
            Kind::RequiredAdded => "now required",
            Kind::RequiredRemoved => "no longer required",
            Kind::TypeChanged => "type changed",
            Kind::FormatChanged => "format changed",
            Kind::EnumValueAdded => "enum value added",
            Kind::EnumValueRemoved => "enum value removed",
            Kind::NullableChanged => "nullable changed",
            Kind::DeprecatedAdded => "deprecated",
        }
    }
}

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// How much it matters.
    pub severity: Severity,
    /// Request or response.
    pub side: Side,
    /// Where: an operationId; `info.version` (the `Version` header); `<operationId> request
    /// body`, `<operationId> response <status>` or `<operationId> <in> parameter `name``; a
    /// component (`CalendarType`), or `Schema.property` (nested `Schema.a.b`, array items `[]`,
    /// map values `{}`, alternatives `<oneOf 0>`).
    pub location: String,
    /// What changed.
    pub kind: Kind,
    /// The old and new values, where there are any (`post -> put`, `` `event` ``).
    pub detail: String,
    /// Why it has its severity, for SDK users.
    pub reason: String,
}

/// Compares the operations `operations` (operationIds) of two normalized documents.
pub fn compare(old: &Value, new: &Value, operations: &[String]) -> Vec<Change> {
    let mut differ = Differ {
        old,
        new,
        seen: BTreeSet::new(),
        out: Vec::new(),
    };
    // The configured operations, and every operation of the old document: one the client had
    // and the new document lacks is removed, whatever the configuration says now.
    let mut ids: Vec<String> = operations.to_vec();
    for id in operation_ids(old) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for id in &ids {
        match (find_operation(old, id), find_operation(new, id)) {
            (None, None) => {}
            (None, Some(_)) => differ.push(
                Side::Request,
                id.clone(),
                Kind::OperationAdded,
                String::new(),
                Severity::Compatible,
                "a new method on the client; existing code is unaffected",
            ),
            (Some(_), None) => differ.push(
                Side::Request,
                id.clone(),
                Kind::OperationRemoved,
                String::new(),
                Severity::Breaking,
                "the method leaves the client: code that calls it no longer compiles",
            ),
            (Some(o), Some(n)) => differ.operation(id, o, n),
        }
    }
    let mut changes = differ.out;
    changes.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then_with(|| {
            (a.side, &a.location, a.kind, &a.detail).cmp(&(b.side, &b.location, b.kind, &b.detail))
        })
    });
    changes.dedup();
    changes
}

/// An operation found in a document.
struct Operation<'a> {
    path: &'a str,
    method: &'a str,
    op: &'a Value,
}

/// Every operationId of `doc`, in the document's order.
pub fn operation_ids(doc: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for item in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            if METHODS.contains(&method.as_str())
                && let Some(id) = op.get("operationId").and_then(Value::as_str)
            {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// The `Version` header an operation sends: `x-highlevel-version` in a normalized document,
/// the `Version` header parameter's one value in HighLevel's, else `info.version`.
fn operation_version<'a>(doc: &'a Value, op: &Operation<'a>) -> Option<&'a str> {
    if let Some(version) = op.op.get("x-highlevel-version").and_then(Value::as_str) {
        return Some(version);
    }
    let item_parameters = doc
        .get("paths")
        .and_then(|p| p.get(op.path))
        .and_then(|item| item.get("parameters"));
    let header = op
        .op
        .get("parameters")
        .into_iter()
        .chain(item_parameters)
        .filter_map(Value::as_array)
        .flatten()
        .find(|p| {
            p.get("in").and_then(Value::as_str) == Some("header")
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("version"))
        });
    if let Some(schema) = header.and_then(|h| h.get("schema")) {
        let single = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|values| values.len() == 1)
            .and_then(|values| values[0].as_str());
        if let Some(version) = single.or_else(|| schema.get("default").and_then(Value::as_str)) {
            return Some(version);
        }
    }
    doc.pointer("/info/version").and_then(Value::as_str)
}

/// The security schemes an operation accepts, each with its scopes (the document's `security`
/// when the operation has none).
fn security(doc: &Value, op: &Operation) -> BTreeMap<String, BTreeSet<String>> {
    let requirements = op.op.get("security").or_else(|| doc.get("security"));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for requirement in requirements.and_then(Value::as_array).into_iter().flatten() {
        for (scheme, scopes) in requirement.as_object().into_iter().flatten() {
            out.entry(scheme.clone()).or_default().extend(
                scopes
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            );
        }
    }
    out
}

fn find_operation<'a>(doc: &'a Value, id: &str) -> Option<Operation<'a>> {
    let paths = doc.get("paths")?.as_object()?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if METHODS.contains(&method.as_str())
                && op.get("operationId").and_then(Value::as_str) == Some(id)
            {
                return Some(Operation { path, method, op });
            }
        }
    }
    None
}

/// A schema with its `$ref`s and `allOf`s merged into one object, and the component it is.
#[derive(Debug, Default)]
struct View {
    /// The component the schema is (through a `$ref`, or an `allOf` of a single `$ref`).
    name: Option<String>,
    schema: Map<String, Value>,
}

impl View {
    fn flag(&self, key: &str) -> bool {
        self.schema.get(key) == Some(&Value::Bool(true))
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.schema.get(key).and_then(Value::as_str)
    }

    /// The type, inferred from the keywords when it is not written.
    fn kind(&self) -> Option<&str> {
        self.str("type").or_else(|| {
            if self.schema.contains_key("properties") {
                Some("object")
            } else if self.schema.contains_key("items") {
                Some("array")
            } else {
                None
            }
        })
    }

    fn required(&self) -> BTreeSet<String> {
        crate::spec::schema_walk::required_names(self.schema.get("required"))
    }

    fn properties(&self) -> BTreeMap<String, Value> {
        self.schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    fn values(&self, key: &str) -> Vec<Value> {
        self.schema
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }
}

/// How deep `$ref`/`allOf` chains are followed (a guard against a schema that contains itself).
const MAX_DEPTH: usize = 32;

fn view(doc: &Value, schema: &Value, depth: usize) -> View {
    let Some(obj) = schema.as_object() else {
        return View::default();
    };
    if depth > MAX_DEPTH {
        return View::default();
    }
    if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
        let Some(name) = reference.strip_prefix(SCHEMA_REF_PREFIX) else {
            return View::default();
        };
        let target = doc
            .pointer(&format!("/components/schemas/{name}"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut inner = view(doc, &target, depth + 1);
        inner.name = Some(name.to_string());
        return inner;
    }
    let mut merged = View::default();
    if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
        for part in parts {
            let part = view(doc, part, depth + 1);
            if parts.len() == 1 {
                merged.name = part.name.clone();
            }
            merge(&mut merged.schema, part.schema, false);
        }
    }
    let mut own = obj.clone();
    own.remove("allOf");
    merge(&mut merged.schema, own, true);
    merged
}

/// Merges `from` into `into`: properties and required lists are united; other keywords are
/// taken from `from` when `overwrite` or when `into` lacks them.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>, overwrite: bool) {
    for (key, value) in from {
        match (key.as_str(), into.get_mut(&key), value) {
            ("properties", Some(Value::Object(existing)), Value::Object(more)) => {
                existing.extend(more);
            }
            ("required", Some(Value::Array(existing)), Value::Array(more)) => {
                for item in more {
                    if !existing.contains(&item) {
                        existing.push(item);
                    }
                }
            }
            (_, Some(slot), value) => {
                if overwrite {
                    *slot = value;
                }
            }
            (_, None, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// The Rust type typify gives a scalar of this type and format (integer ranges aside), where
/// the format decides it; `None` when it is not a scalar typify knows.
fn rust_scalar(kind: Option<&str>, format: Option<&str>) -> Option<&'static str> {
    Some(match (kind?, format) {
        ("string", Some("date-time")) => "chrono::DateTime<Utc>",
        ("string", Some("date")) => "chrono::NaiveDate",
        ("string", Some("uuid")) => "uuid::Uuid",
        ("string", Some("ip")) => "std::net::IpAddr",
        ("string", Some("ipv4")) => "std::net::Ipv4Addr",
        ("string", Some("ipv6")) => "std::net::Ipv6Addr",
        ("string", _) => "String",
        ("integer", Some("int8")) => "i8",
        ("integer", Some("uint8")) => "u8",
        ("integer", Some("int16")) => "i16",
        ("integer", Some("uint16")) => "u16",
        ("integer", Some("int" | "int32")) => "i32",
        ("integer", Some("uint" | "uint32")) => "u32",
        ("integer", Some("uint64")) => "u64",
        ("integer", _) => "i64",
        ("number", Some("float")) => "f32",
        ("number", _) => "f64",
        ("boolean", _) => "bool",
        _ => return None,
    })
}

fn quoted(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => format!("`{s}`"),
            other => format!("`{other}`"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Brace-delimited parameter names of a path (`/a/{id}` -> {"id"}).
fn path_params(path: &str) -> BTreeSet<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

fn success_statuses(op: &Value) -> BTreeSet<String> {
    op.get("responses")
        .and_then(Value::as_object)
        .map(|r| r.keys().filter(|s| s.starts_with('2')).cloned().collect())
        .unwrap_or_default()
}

/// The schema of an operation's request body, and whether the body is required.
fn request_body(op: &Value) -> (Option<&Value>, bool) {
    let body = op.get("requestBody");
    let required = body.and_then(|b| b.get("required")) == Some(&Value::Bool(true));
    (body.and_then(body_schema), required)
}

/// The JSON schema of a request body or a response (`application/json`, else the first).
fn body_schema(holder: &Value) -> Option<&Value> {
    let content = holder.get("content")?.as_object()?;
    content
        .get("application/json")
        .or_else(|| content.values().next())?
        .get("schema")
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    /// Pairs of components already compared, per side.
    seen: BTreeSet<(Side, String, String)>,
    out: Vec<Change>,
}

impl Differ<'_> {
    fn push(
        &mut self,
        side: Side,
        location: String,
        kind: Kind,
        detail: String,
        severity: Severity,
        reason: &str,
    ) {
        self.out.push(Change {
            severity,
            side,
            location,
            kind,
            detail,
            reason: reason.to_string(),
        });
    }

    /// The `Version` header and the security of an operation: a change to either can make a
    /// call that worked fail.
    fn version_and_security(&mut self, id: &str, old: &Operation, new: &Operation) {
        let (old_version, new_version) = (
            operation_version(self.old, old),
            operation_version(self.new, new),
        );
        if old_version != new_version {
            self.push(
                Side::Request,
                id.to_string(),
                Kind::VersionChanged,
                format!("{} -> {}", old_version.unwrap_or("-"), new_version.unwrap_or("-")),
                Severity::Breaking,
                "the operation is sent with another Version header: HighLevel may validate and answer it differently, so a call that worked may fail",
            );
        }
        let (old_security, new_security) = (security(self.old, old), security(self.new, new));
        let schemes =
            |s: &BTreeMap<String, BTreeSet<String>>| s.keys().cloned().collect::<Vec<_>>();
        if schemes(&old_security) != schemes(&new_security) {
            self.push(
                Side::Request,
                id.to_string(),
                Kind::SecurityChanged,
                format!(
                    "{} -> {}",
                    schemes(&old_security).join(", "),
                    schemes(&new_security).join(", ")
                ),
                Severity::Breaking,
                "the operation accepts other kinds of token: a token that worked may be refused",
            );
        } else {
            let scopes = |s: &BTreeMap<String, BTreeSet<String>>| {
                s.values().flatten().cloned().collect::<BTreeSet<_>>()
            };
            let (old_scopes, new_scopes) = (scopes(&old_security), scopes(&new_security));
            if old_scopes != new_scopes {
                let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
                self.push(
                    Side::Request,
                    id.to_string(),
                    Kind::ScopesChanged,
                    format!("{} -> {}", join(&old_scopes), join(&new_scopes)),
                    Severity::Attention,
                    "the operation lists other scopes: a token without them may be refused with 401",
                );
            }
        }
    }

    fn operation(&mut self, id: &str, old: Operation, new: Operation) {
        self.version_and_security(id, &old, &new);
        if old.path != new.path {
            let (severity, reason) = if path_params(old.path) == path_params(new.path) {
                (
                    Severity::Attention,
                    "the method keeps its name and arguments and calls the new path; a release built from the old document keeps calling the old one",
                )
            } else {
                (
                    Severity::Breaking,
                    "the path's parameters change, and with them the method's arguments: calls no longer compile",
                )
            };
            self.push(
                Side::Request,
                id.to_string(),
                Kind::PathChanged,
                format!("{} -> {}", old.path, new.path),
                severity,
                reason,
            );
        }
        if old.method != new.method {
            self.push(
                Side::Request,
                id.to_string(),
                Kind::MethodChanged,
                format!(
                    "{} -> {}",
                    old.method.to_uppercase(),
                    new.method.to_uppercase()
                ),
                Severity::Attention,
                "the method keeps its name and sends the new HTTP method; a release built from the old document keeps sending the old one",
            );
        }
        let deprecated = |op: &Value| op.get("deprecated") == Some(&Value::Bool(true));
        if !deprecated(old.op) && deprecated(new.op) {
            self.push(
                Side::Request,
                id.to_string(),
                Kind::DeprecatedAdded,
                String::new(),
                Severity::Attention,
                "the operation still works, but HighLevel plans to remove it: look for its replacement",
            );
        }
        self.parameters(id, old.op, new.op);
        let ((old_body, old_required), (new_body, new_required)) =
            (request_body(old.op), request_body(new.op));
        self.property(
            Side::Request,
            format!("{id} request body"),
            old_body,
            new_body,
            (old_required, new_required),
        );
        self.responses(id, old.op, new.op);
    }

    fn parameters(&mut self, id: &str, old: &Value, new: &Value) {
        let params = |op: &Value| -> BTreeMap<(String, String), (Option<Value>, bool)> {
            op.get("parameters")
                .and_then(Value::as_array)
                .map(|params| {
                    params
                        .iter()
                        .filter_map(|p| {
                            let name = p.get("name")?.as_str()?.to_string();
                            let place = p.get("in")?.as_str()?.to_string();
                            let required = p.get("required") == Some(&Value::Bool(true));
                            Some(((place, name), (p.get("schema").cloned(), required)))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (old, new) = (params(old), params(new));
        let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
        for key @ (place, name) in keys {
            let location = format!("{id} {place} parameter `{name}`");
            let o = old.get(key);
            let n = new.get(key);
            let schema = |p: Option<&(Option<Value>, bool)>| match p {
                Some((Some(schema), _)) => Some(schema.clone()),
                Some((None, _)) => Some(Value::Object(Map::new())),
                None => None,
            };
            let (os, ns) = (schema(o), schema(n));
            self.property(
                Side::Request,
                location,
                os.as_ref(),
                ns.as_ref(),
                (o.is_some_and(|p| p.1), n.is_some_and(|p| p.1)),
            );
        }
    }

    fn responses(&mut self, id: &str, old: &Value, new: &Value) {
        let (old_statuses, new_statuses) = (success_statuses(old), success_statuses(new));
        if old_statuses != new_statuses {
            let list = |s: &BTreeSet<String>| {
                if s.is_empty() {
                    "none".to_string()
                } else {
                    s.iter().cloned().collect::<Vec<_>>().join(", ")
                }
            };
            let (severity, reason) = if new_statuses.is_superset(&old_statuses) {
                (
                    Severity::Compatible,
                    "the client accepts every status it accepted before, and the new one too",
                )
            } else {
                (
                    Severity::Attention,
                    "the client treats a success status the document does not list as an unexpected response: check which status the API really answers",
                )
            };
            self.push(
                Side::Response,
                id.to_string(),
                Kind::SuccessStatusChanged,
                format!("{} -> {}", list(&old_statuses), list(&new_statuses)),
                severity,
                reason,
            );
        }
        let common: Vec<&String> = old_statuses.intersection(&new_statuses).collect();
        let pairs: Vec<(&String, &String)> = if common.is_empty() {
            old_statuses
                .iter()
                .next()
                .zip(new_statuses.iter().next())
                .into_iter()
                .collect()
        } else {
            common.into_iter().map(|s| (s, s)).collect()
        };
        for (o, n) in pairs {
            let location = if o == n {
                format!("{id} response {o}")
            } else {
                format!("{id} response {o}/{n}")
            };
            let old_body = old
                .pointer(&format!("/responses/{o}"))
                .and_then(body_schema);
            let new_body = new
                .pointer(&format!("/responses/{n}"))
                .and_then(body_schema);
            self.property(Side::Response, location, old_body, new_body, (true, true));
        }
    }

    /// Compares a property (or parameter, or body) that is `required` (old, new) in its parent.
    fn property(
        &mut self,
        side: Side,
        location: String,
        old: Option<&Value>,
        new: Option<&Value>,
        required: (bool, bool),
    ) {
        let (old, new) = match (old, new) {
            (None, None) => return,
            (None, Some(_)) => {
                let (severity, reason) = match side {
                    Side::Request if required.1 => (
                        Severity::Breaking,
                        "a new required request field: a request built without it now fails; set it",
                    ),
                    Side::Request => (
                        Severity::Compatible,
                        "a new optional request field: existing calls are unaffected",
                    ),
                    Side::Response => (
                        Severity::Compatible,
                        "a new field on the response type: existing code is unaffected",
                    ),
                };
                let detail = if required.1 { "required" } else { "optional" };
                self.push(
                    side,
                    location,
                    Kind::PropertyAdded,
                    detail.into(),
                    severity,
                    reason,
                );
                return;
            }
            (Some(_), None) => {
                let reason = match side {
                    Side::Request => {
                        "its setter leaves the request builder: code that sets it no longer compiles"
                    }
                    Side::Response => {
                        "it leaves the response type: code that reads it no longer compiles"
                    }
                };
                self.push(
                    side,
                    location,
                    Kind::PropertyRemoved,
                    String::new(),
                    Severity::Breaking,
                    reason,
                );
                return;
            }
            (Some(o), Some(n)) => (view(self.old, o, 0), view(self.new, n, 0)),
        };
        let nullable = (old.flag("nullable"), new.flag("nullable"));
        // In Rust, a field is an `Option` when it may be left out or may be null.
        let optional = (!required.0 || nullable.0, !required.1 || nullable.1);
        if required.0 != required.1 {
            let (kind, severity, reason) = match (side, required.1) {
                (Side::Request, true) => (
                    Kind::RequiredAdded,
                    Severity::Breaking,
                    "a request built without it fails; set it",
                ),
                (Side::Request, false) => (
                    Kind::RequiredRemoved,
                    Severity::Compatible,
                    "you may leave it out; calls that set it are unaffected",
                ),
                (Side::Response, true) if optional.0 && !optional.1 => (
                    Kind::RequiredAdded,
                    Severity::Breaking,
                    "HighLevel now always sends it: the field changes from Option<T> to T, so code that reads it must drop its None handling",
                ),
                (Side::Response, true) => (
                    Kind::RequiredAdded,
                    Severity::Compatible,
                    "HighLevel now always sends it; it may still be null, so the field stays an Option",
                ),
                (Side::Response, false) if !optional.0 && optional.1 => (
                    Kind::RequiredRemoved,
                    Severity::Breaking,
                    "HighLevel may now leave it out: the field changes from T to Option<T>, so code that reads it must handle None",
                ),
                (Side::Response, false) => (
                    Kind::RequiredRemoved,
                    Severity::Compatible,
                    "HighLevel may now leave it out; the field was already an Option",
                ),
            };
            self.push(
                side,
                location.clone(),
                kind,
                String::new(),
                severity,
                reason,
            );
        }
        // On responses, the normalizer makes optional fields nullable: a required change
        // already says what happened to the field's Option.
        let nullable_follows_required = side == Side::Response && required.0 != required.1;
        if nullable.0 != nullable.1 && !nullable_follows_required {
            let (severity, reason) = match (side, nullable.1) {
                (Side::Request, true) => (
                    Severity::Compatible,
                    "null is now accepted; calls that send a value are unaffected",
                ),
                (Side::Request, false) if required.1 => (
                    Severity::Breaking,
                    "null is no longer accepted: the field changes from Option<T> to T, so code that passes None or Some(..) no longer compiles",
                ),
                (Side::Request, false) => (
                    Severity::Compatible,
                    "null is no longer accepted; an unset optional field is left out of the request, so calls are unaffected",
                ),
                (Side::Response, true) if !optional.0 => (
                    Severity::Breaking,
                    "HighLevel may now send null: the field changes from T to Option<T>, so code that reads it must handle None",
                ),
                (Side::Response, false) if !optional.1 => (
                    Severity::Breaking,
                    "HighLevel no longer sends null: the field changes from Option<T> to T, so code that reads it must drop its None handling",
                ),
                (Side::Response, _) => (
                    Severity::Compatible,
                    "the field is an Option either way (it is optional), so code that reads it is unaffected",
                ),
            };
            self.push(
                side,
                location.clone(),
                Kind::NullableChanged,
                format!("{} -> {}", nullable.0, nullable.1),
                severity,
                reason,
            );
        }
        if !old.flag("deprecated") && new.flag("deprecated") {
            let reason = match side {
                Side::Request => {
                    "still accepted, but HighLevel plans to drop it: stop sending it when you can"
                }
                Side::Response => {
                    "still sent, but HighLevel plans to drop it: stop relying on it when you can"
                }
            };
            self.push(
                side,
                location.clone(),
                Kind::DeprecatedAdded,
                String::new(),
                Severity::Attention,
                reason,
            );
        }
        self.schema(side, location, &old, &new);
    }

    /// Compares what two schemas hold: type, format, enum values, properties, items.
    fn schema(&mut self, side: Side, location: String, old: &View, new: &View) {
        let location = match (&old.name, &new.name) {
            (Some(o), Some(n)) => {
                if !self.seen.insert((side, o.clone(), n.clone())) {
                    return;
                }
                n.clone()
            }
            (Some(name), None) | (None, Some(name)) => name.clone(),
            (None, None) => location,
        };
        if old.kind() != new.kind() {
            let reason = match side {
                Side::Request => {
                    "the field's Rust type changes: code that sets it must pass the new type"
                }
                Side::Response => {
                    "the field's Rust type changes: code that reads it must handle the new type"
                }
            };
            self.push(
                side,
                location,
                Kind::TypeChanged,
                format!(
                    "{} -> {}",
                    old.kind().unwrap_or("any"),
                    new.kind().unwrap_or("any")
                ),
                Severity::Breaking,
                reason,
            );
            return;
        }
        if old.str("format") != new.str("format") {
            let before = rust_scalar(old.kind(), old.str("format"));
            let after = rust_scalar(new.kind(), new.str("format"));
            let (severity, reason) = match (before, after) {
                (Some(b), Some(a)) if a == b => (
                    Severity::Compatible,
                    format!("the Rust type stays {a}; the format only documents the values"),
                ),
                (Some(b), Some(a)) => (
                    Severity::Breaking,
                    format!("the Rust type changes from {b} to {a}"),
                ),
                _ => (
                    Severity::Attention,
                    "the Rust type may change with the format: look at the generated-code snapshot"
                        .to_string(),
                ),
            };
            self.push(
                side,
                location.clone(),
                Kind::FormatChanged,
                format!(
                    "{} -> {}",
                    old.str("format").unwrap_or("none"),
                    new.str("format").unwrap_or("none")
                ),
                severity,
                &reason,
            );
        }
        self.enum_values(side, &location, old, new);
        let (old_props, new_props) = (old.properties(), new.properties());
        let (old_required, new_required) = (old.required(), new.required());
        let names: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
        for name in names {
            self.property(
                side,
                format!("{location}.{name}"),
                old_props.get(name),
                new_props.get(name),
                (old_required.contains(name), new_required.contains(name)),
            );
        }
        for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
            if let (Some(o @ Value::Object(_)), Some(n @ Value::Object(_))) =
                (old.schema.get(key), new.schema.get(key))
            {
                self.property(
                    side,
                    format!("{location}{suffix}"),
                    Some(o),
                    Some(n),
                    (true, true),
                );
            }
        }
        for key in ["oneOf", "anyOf"] {
            let (o, n) = (old.values(key), new.values(key));
            for i in 0..o.len().max(n.len()) {
                self.property(
                    side,
                    format!("{location}<{key} {i}>"),
                    o.get(i),
                    n.get(i),
                    (true, true),
                );
            }
        }
    }

    fn enum_values(&mut self, side: Side, location: &str, old: &View, new: &View) {
        for (key, numbers) in [("enum", false), ("x-allowed-values", true)] {
            let (o, n) = (old.values(key), new.values(key));
            if o == n {
                continue;
            }
            let added: Vec<Value> = n.iter().filter(|v| !o.contains(v)).cloned().collect();
            let removed: Vec<Value> = o.iter().filter(|v| !n.contains(v)).cloned().collect();
            for (values, kind) in [
                (added, Kind::EnumValueAdded),
                (removed, Kind::EnumValueRemoved),
            ] {
                if values.is_empty() {
                    continue;
                }
                let (severity, reason) = match (numbers, side, kind) {
                    (false, Side::Request, Kind::EnumValueAdded) => (
                        Severity::Compatible,
                        "a new variant you may send; existing calls are unaffected",
                    ),
                    (false, Side::Request, _) => (
                        Severity::Breaking,
                        "the variant leaves the enum: code that names it no longer compiles, and HighLevel no longer accepts the value",
                    ),
                    (false, Side::Response, Kind::EnumValueAdded) => (
                        Severity::Compatible,
                        "compatible only because the SDK's enums are open (#[non_exhaustive], Unknown(String)): today the value decodes as Unknown, after regenerating it gets its own variant",
                    ),
                    (false, Side::Response, _) => (
                        Severity::Breaking,
                        "the variant leaves the enum: code that names it no longer compiles (should HighLevel still send the value, it decodes as Unknown)",
                    ),
                    (true, Side::Request, Kind::EnumValueAdded) => (
                        Severity::Compatible,
                        "the client's validation now lets the value through",
                    ),
                    (true, Side::Request, _) => (
                        Severity::Breaking,
                        "the client's validation now refuses the value before sending: calls that send it fail",
                    ),
                    (true, Side::Response, _) => (
                        Severity::Compatible,
                        "the field is a plain number in Rust: any value decodes",
                    ),
                };
                self.push(
                    side,
                    location.to_string(),
                    kind,
                    quoted(&values),
                    severity,
                    reason,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn views_merge_references_and_all_of() {
        let doc = json!({"components": {"schemas": {
            "Kind": {"type": "string", "enum": ["a"]},
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
        }}});
        let wrapped = view(
            &doc,
            &json!({"allOf": [{"$ref": "#/components/schemas/Kind"}], "nullable": true}),
            0,
        );
        assert_eq!(wrapped.name.as_deref(), Some("Kind"));
        assert_eq!(wrapped.kind(), Some("string"));
        assert!(wrapped.flag("nullable"));
        let extended = view(
            &doc,
            &json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"x": {"type": "number"}}, "required": ["x"]}]}),
            0,
        );
        assert_eq!(extended.name, None);
        assert_eq!(
            extended.properties().keys().cloned().collect::<Vec<_>>(),
            ["id", "x"]
        );
        assert_eq!(extended.required().len(), 2);
    }

    #[test]
    fn rust_types_follow_formats() {
        assert_eq!(rust_scalar(Some("string"), Some("email")), Some("String"));
        assert_eq!(
            rust_scalar(Some("string"), Some("date-time")),
            Some("chrono::DateTime<Utc>")
        );
        assert_eq!(rust_scalar(Some("integer"), None), Some("i64"));
    }

    #[test]
    fn path_parameters_are_named() {
        assert_eq!(
            path_params("/calendars/{calendarId}/x/{id}"),
            BTreeSet::from(["calendarId", "id"])
        );
    }
}
