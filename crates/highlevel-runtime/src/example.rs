//! [`Example`]: argument values for one call of an operation, given as JSON, so a test (or a
//! sandbox) can call every operation of a generated client without code per operation.

use crate::validation::{Rule, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Values for the path and query parameters and the body of one call, by their names in the
/// document. Generated clients read them in `__examples::call` (hidden, for tests).
///
/// ```
/// use highlevel_runtime::Example;
/// use serde_json::json;
///
/// let example = Example::default()
///     .path("contactId", json!("c_1"))
///     .query("limit", json!(10));
/// assert_eq!(example.value::<String>("contactId").unwrap(), "c_1");
/// assert_eq!(example.value::<f64>("limit").unwrap(), 10.0);
/// assert!(example.value::<String>("missing").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Example {
    /// Path and query parameter values, by name.
    pub parameters: Map<String, Value>,
    /// The body, when the operation takes one.
    pub body: Option<Value>,
}

impl Example {
    /// Sets a path parameter.
    pub fn path(mut self, name: &str, value: Value) -> Self {
        self.parameters.insert(name.to_string(), value);
        self
    }

    /// Sets a query parameter.
    pub fn query(mut self, name: &str, value: Value) -> Self {
        self.parameters.insert(name.to_string(), value);
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Whether a value is given for the parameter `name`.
    pub fn has(&self, name: &str) -> bool {
        self.parameters.contains_key(name)
    }

    /// The parameter `name` as a `T`.
    pub fn value<T: DeserializeOwned>(&self, name: &str) -> Result<T, ValidationError> {
        let value = self
            .parameters
            .get(name)
            .ok_or_else(|| ValidationError::single(name, Rule::REQUIRED, "no example value"))?;
        serde_json::from_value(value.clone())
            .map_err(|e| ValidationError::single(name, Rule::TYPE, e.to_string()))
    }

    /// The body as a `T`.
    pub fn body_as<T: DeserializeOwned>(&self) -> Result<T, ValidationError> {
        let body = self.body.clone().unwrap_or(Value::Null);
        serde_json::from_value(body)
            .map_err(|e| ValidationError::single("", Rule::TYPE, e.to_string()))
    }
}
