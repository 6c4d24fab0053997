//! The API a sandbox serves: a normalized OpenAPI document, its operations and, for a
//! generated client, the client's own body checker.

use crate::document::Document;
use crate::synth;
use highlevel_runtime::{Example, Operation, Validation, ValidationError};
use serde_json::Value;

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
            (Some(schema), Ok(value)) if !crate::check::fits_static(document, &value, schema) => {
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
        synth::example_request(self.document(), self, operation_id)
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
}

impl synth::BodyChoice for Api {
    /// The preferred example body of an operation, if the client gave one.
    fn preferred_body(&self, operation_id: &str) -> Option<Value> {
        self.example_body.and_then(|f| f(operation_id))
    }

    /// Whether a made-up body passes the body check with the default validation.
    fn passes(&self, operation_id: &str, body: &Value) -> bool {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        match self.operations().iter().find(|op| op.id == operation_id) {
            Some(operation) => self
                .check(self.document(), operation, &bytes, &Validation::default())
                .is_ok(),
            None => false,
        }
    }
}
