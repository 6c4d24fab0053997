//! A normalized OpenAPI document as the sandbox reads it: parsed once per process, with the
//! lookups it makes per request (operations by id, parameters, references).

use highlevel_runtime::Operation;
use hyper::StatusCode;
use serde_json::Value;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// `Operation` of one operation object of a document read at run time.
fn operation_of(method: &'static str, path: &'static str, op: &'static Value) -> Operation {
    let scopes: Vec<&'static str> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let id = op["operationId"].as_str().unwrap_or_default();
    Operation::new(
        id,
        method,
        path,
        op["x-highlevel-version"].as_str().unwrap_or("2021-07-28"),
        Box::leak(scopes.into_boxed_slice()),
    )
}

/// A parsed document with the lookups the sandbox makes per request.
#[derive(Debug)]
pub struct Document {
    value: &'static Value,
    /// The operations as the document states them (for an API given by its document only).
    pub(crate) operations: Vec<&'static Operation>,
    pub(crate) by_id: HashMap<&'static str, &'static Value>,
    /// The answers [`Document::answer`] made, by operation id.
    pub(crate) answers: OnceLock<HashMap<&'static str, (StatusCode, Option<Value>)>>,
    /// The references [`Document::pointer`] followed: checking an answer follows the same
    /// few dozen for every field of every resource, and walking the path each time (a string
    /// copy per step) was a tenth of what an answer cost.
    pointers: Mutex<HashMap<String, &'static Value, foldhash::fast::RandomState>>,
    /// What [`Document::kept`] worked out of a schema, by its kind and the schema's address.
    kept: Mutex<HashMap<(TypeId, usize), &'static Kept, foldhash::fast::RandomState>>,
}

/// A value worked out of one of the document's schemas (see [`Document::kept`]).
type Kept = dyn Any + Send + Sync;

const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("patch", "PATCH"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
];

impl Document {
    /// The parsed document of `text`, parsed on first use and kept for the process (each
    /// document once, whatever the number of sandboxes serving it).
    pub(crate) fn of(text: &'static str) -> Result<&'static Document, String> {
        static PARSED: OnceLock<Mutex<HashMap<usize, &'static Document>>> = OnceLock::new();
        let parsed = PARSED.get_or_init(Default::default);
        let mut parsed = parsed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(document) = parsed.get(&(text.as_ptr() as usize)) {
            return Ok(document);
        }
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("the document is not JSON: {e}"))?;
        let value: &'static Value = Box::leak(Box::new(value));
        let by_id = Document::objects(value)
            .filter_map(|(_, _, op)| Some((op["operationId"].as_str()?, op)))
            .collect();
        let operations = Document::objects(value)
            .map(|(method, path, op)| &*Box::leak(Box::new(operation_of(method, path, op))))
            .collect();
        let document: &'static Document = Box::leak(Box::new(Document {
            value,
            operations,
            by_id,
            pointers: Mutex::default(),
            kept: Mutex::default(),
            answers: OnceLock::new(),
        }));
        parsed.insert(text.as_ptr() as usize, document);
        Ok(document)
    }

    fn objects(
        value: &'static Value,
    ) -> impl Iterator<Item = (&'static str, &'static str, &'static Value)> {
        value["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(path, item)| {
                METHODS.iter().filter_map(move |(key, method)| {
                    let op = item.get(*key)?;
                    op["operationId"]
                        .is_string()
                        .then_some((*method, path.as_str(), op))
                })
            })
    }

    /// The whole document.
    pub fn value(&'static self) -> &'static Value {
        self.value
    }

    /// The operation object of `operation_id` (`parameters`, `requestBody`, `responses`).
    pub fn operation(&'static self, operation_id: &str) -> Option<&'static Value> {
        self.by_id.get(operation_id).copied()
    }

    /// The JSON schema of an operation's request body, when it takes one.
    pub fn body_schema(&'static self, operation: &'static Value) -> Option<&'static Value> {
        let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
        (!schema.is_null()).then_some(schema)
    }

    /// The schema of the body a client sends: JSON, else a form
    /// (`application/x-www-form-urlencoded`, as OAuth token requests are). The sandbox checks
    /// JSON bodies only ([`body_schema`](Document::body_schema)); examples are made for both.
    pub fn sent_body_schema(&'static self, operation: &'static Value) -> Option<&'static Value> {
        self.body_schema(operation).or_else(|| {
            let schema =
                &operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
            (!schema.is_null()).then_some(schema)
        })
    }

    /// The parameters of an operation (path and query), references followed.
    pub fn parameters(
        &'static self,
        operation: &'static Value,
    ) -> impl Iterator<Item = &'static Value> {
        operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| match p["$ref"].as_str() {
                Some(target) => self.pointer(target),
                None => p,
            })
    }

    /// What a local reference (`#/components/...`) points at; `null` when nothing.
    pub fn pointer(&'static self, reference: &str) -> &'static Value {
        static NULL: Value = Value::Null;
        let mut pointers = self.pointers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(target) = pointers.get(reference) {
            return target;
        }
        let Some(target) = reference
            .strip_prefix('#')
            .and_then(|p| self.value.pointer(p))
        else {
            // Not kept: only references that lead somewhere, so the map stays the document's size.
            return &NULL;
        };
        pointers.insert(reference.to_string(), target);
        target
    }

    /// What `make` works out of `schema`, one of this document's schemas, made once per kind
    /// of value and schema and kept for the process: answers and bodies are checked against
    /// the same few schemas over and over. Documents and their schemas are never freed, so a
    /// schema's address names it. `make` runs without the lock held, so it may ask for more.
    pub(crate) fn kept<T: Any + Send + Sync>(
        &'static self,
        schema: &'static Value,
        make: impl FnOnce() -> T,
    ) -> &'static T {
        let key = (TypeId::of::<T>(), schema as *const Value as usize);
        let lock = || self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let found = lock().get(&key).copied();
        let kept = found.unwrap_or_else(|| {
            let made: &'static Kept = Box::leak(Box::new(make()));
            *lock().entry(key).or_insert(made)
        });
        kept.downcast_ref()
            .expect("each kept value is stored under its own type")
    }

    /// A schema with `$ref` and single-element `allOf` followed.
    pub fn resolve(&'static self, mut schema: &'static Value) -> &'static Value {
        loop {
            if let Some(target) = schema["$ref"].as_str() {
                schema = self.pointer(target);
            } else if let Some([only]) = schema["allOf"].as_array().map(Vec::as_slice) {
                schema = only;
            } else {
                return schema;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_value_is_made_once_per_kind_and_schema_and_may_ask_for_more() {
        let document = Document::of(r#"{"components": {"schemas": {"A": {}, "B": {}}}}"#).unwrap();
        let (a, b) = (
            document.pointer("#/components/schemas/A"),
            document.pointer("#/components/schemas/B"),
        );
        let mut made = 0;
        let first: &u32 = document.kept(a, || {
            made += 1;
            // Asking for another value while making one does not wait on itself.
            *document.kept(b, || 7_u32) + 1
        });
        assert_eq!(*first, 8);
        assert!(
            std::ptr::eq(first, document.kept(a, || 0_u32)),
            "kept, not made again"
        );
        assert_eq!(made, 1);
        assert_eq!(*document.kept(b, || 0_u32), 7);
        assert_eq!(document.kept(a, || "another kind"), &"another kind");
    }
}
