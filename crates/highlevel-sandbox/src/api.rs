//! The API a sandbox serves: a normalized OpenAPI document, its operations and, for a
//! generated client, the client's own body checker.

use crate::synth;
use highlevel_runtime::{Example, Operation, Validation, ValidationError};
use hyper::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A generated client's body checker: `operations::check_body` (`None` for an operation
/// without a body).
pub type CheckBody = fn(&str, &[u8], &Validation) -> Option<Result<(), ValidationError>>;

/// Example bodies a client prefers to made-up ones (some APIs have rules between fields that a
/// body made from the schema alone breaks); `None` for an operation with none.
pub type ExampleBody = fn(&str) -> Option<Value>;

/// What a sandbox serves. A generated client describes itself with [`Api::new`]; any
/// normalized document can be served with [`Api::from_document`].
///
/// ```
/// use highlevel_runtime::Operation;
/// use highlevel_sandbox::Api;
///
/// const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
///   "paths": {"/things/{thingId}": {"get": {"operationId": "get-thing",
///     "x-highlevel-version": "2021-07-28",
///     "parameters": [{"name": "thingId", "in": "path", "required": true,
///                     "schema": {"type": "string"}}],
///     "responses": {"200": {"description": "ok", "content": {"application/json":
///       {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}}}}"#;
///
/// let api = Api::from_document(DOCUMENT).unwrap();
/// assert_eq!(api.operations()[0].id, "get-thing");
/// assert_eq!(api.operations()[0].version, "2021-07-28");
/// let example = api.example_request("get-thing").unwrap();
/// assert!(example.parameters["thingId"].is_string());
/// ```
#[derive(Clone, Copy)]
pub struct Api {
    document: &'static str,
    operations: Option<&'static [&'static Operation]>,
    check_body: Option<CheckBody>,
    example_body: Option<ExampleBody>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("operations", &self.operations().len())
            .field("check_body", &self.check_body.is_some())
            .finish_non_exhaustive()
    }
}

impl Api {
    /// A generated client's API: its normalized document's text, its `operations::ALL` and
    /// its `operations::check_body`.
    pub const fn new(
        document: &'static str,
        operations: &'static [&'static Operation],
        check_body: CheckBody,
    ) -> Api {
        Api {
            document,
            operations: Some(operations),
            check_body: Some(check_body),
            example_body: None,
        }
    }

    /// The same API, preferring `example_body`'s bodies in [`example_request`](Api::example_request).
    pub const fn with_example_bodies(mut self, example_body: ExampleBody) -> Api {
        self.example_body = Some(example_body);
        self
    }

    /// Any normalized document (the `highlevel-sandbox` program's `--document`; read a file's
    /// text into a `String` and leak it, as the program does). Operations come from the
    /// document itself (`Version` from its `x-highlevel-version`); bodies are checked against
    /// their schemas.
    pub fn from_document(text: &'static str) -> Result<Api, String> {
        let document = Document::of(text)?;
        if document.operations.is_empty() {
            return Err("the document has no operation with an operationId".into());
        }
        Ok(Api {
            document: text,
            operations: None,
            check_body: None,
            example_body: None,
        })
    }

    /// The operations served.
    pub fn operations(&self) -> &'static [&'static Operation] {
        self.operations
            .unwrap_or_else(|| self.document().operations.as_slice())
    }

    /// The document, parsed once per process.
    pub fn document(&self) -> &'static Document {
        Document::of(self.document).expect("the API's document was parsed when it was made")
    }

    /// Checks a body: with the client's checker when there is one, else against the schema.
    /// `Err` lists each problem, starting with the field path.
    pub(crate) fn check(
        &self,
        document: &'static Document,
        operation: &Operation,
        body: &[u8],
        validation: &Validation,
    ) -> Result<(), Vec<String>> {
        if let Some(check) = self.check_body {
            return match check(operation.id, body, validation) {
                Some(Err(error)) => Err(error
                    .violations()
                    .iter()
                    .map(|v| match v.path.as_str() {
                        "" => format!("body {}", v.message),
                        path => format!("{path} {}", v.message),
                    })
                    .collect()),
                _ => Ok(()),
            };
        }
        let schema = document
            .operation(operation.id)
            .and_then(|op| document.body_schema(op));
        match (schema, serde_json::from_slice::<Value>(body)) {
            (Some(schema), Ok(value)) if !synth::fits(document, &value, schema) => {
                Err(vec!["body does not match the operation's schema".into()])
            }
            _ => Ok(()),
        }
    }

    /// An example call of `operation_id`: a value for every path parameter and every required
    /// query parameter, and, when the operation takes a body, a body that passes the body
    /// check. Values come from the document's examples where they fit their schema, else are
    /// made up from the schema. `None` for an operation the document does not have.
    pub fn example_request(&self, operation_id: &str) -> Option<Example> {
        synth::example_request(self, operation_id)
    }

    /// The operations answered from the document's examples whatever was created before:
    /// those whose paths are not a collection's create, get, update, delete or list (see
    /// [`SandboxBuilder::rules`](crate::SandboxBuilder::rules) for what is kept). The
    /// `highlevel-sandbox` program prints them with `--list-stateless`.
    ///
    /// ```
    /// use highlevel_sandbox::Api;
    ///
    /// const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
    ///   "paths": {"/things": {"post": {"operationId": "create-thing",
    ///     "responses": {"201": {"description": "ok", "content": {"application/json":
    ///       {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}},
    ///   "/things/{thingId}": {"get": {"operationId": "get-thing",
    ///     "responses": {"200": {"description": "ok"}}}},
    ///   "/things/{thingId}/audit": {"get": {"operationId": "audit-thing",
    ///     "responses": {"200": {"description": "ok"}}}}}}"#;
    ///
    /// let api = Api::from_document(DOCUMENT).unwrap();
    /// assert_eq!(api.example_driven_operations(), ["audit-thing"]);
    /// ```
    pub fn example_driven_operations(&self) -> Vec<&'static str> {
        crate::store::shape::Shapes::infer(self.document(), self.operations())
            .example_driven(self.operations())
    }

    /// The preferred example body of an operation, if the client gave one.
    pub(crate) fn preferred_body(&self, operation_id: &str) -> Option<Value> {
        self.example_body.and_then(|f| f(operation_id))
    }

    /// Whether a made-up body passes the body check with the default validation.
    pub(crate) fn passes(&self, operation_id: &str, body: &Value) -> bool {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        match self.operations().iter().find(|op| op.id == operation_id) {
            Some(operation) => self
                .check(self.document(), operation, &bytes, &Validation::default())
                .is_ok(),
            None => false,
        }
    }
}

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
    operations: Vec<&'static Operation>,
    by_id: HashMap<&'static str, &'static Value>,
    answers: OnceLock<HashMap<&'static str, (StatusCode, Option<Value>)>>,
}

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
    fn of(text: &'static str) -> Result<&'static Document, String> {
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
        reference
            .strip_prefix('#')
            .and_then(|p| self.value.pointer(p))
            .unwrap_or(&NULL)
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

    /// The status and body the sandbox answers a successful call of `operation_id` with when
    /// no [`Resources`](crate::Resources) keeps it: the documented success status and a body
    /// made from that response's schema (`None` when it has no JSON body). Made once.
    pub fn answer(
        &'static self,
        operation_id: &str,
    ) -> Option<&'static (StatusCode, Option<Value>)> {
        self.answers
            .get_or_init(|| {
                self.by_id
                    .iter()
                    .map(|(id, operation)| (*id, synth::answer_of(self, operation)))
                    .collect()
            })
            .get(operation_id)
    }
}
