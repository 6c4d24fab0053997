//! The per-operation facts the runtime needs, read from the document: one
//! `highlevel_runtime::Operation` constant per operation.

use crate::naming::{screaming_snake_case, snake_case};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// The extension the normalizer leaves on each operation with its `Version` header value.
pub const VERSION_EXTENSION: &str = "x-highlevel-version";

/// One operation of the document.
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub version: String,
    pub scopes: Vec<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Names of the path parameters, in template order.
    pub path_parameters: Vec<String>,
    /// Names of the query parameters, in the document's order.
    pub query_parameters: Vec<String>,
    /// Names of the query parameters the document requires, in its order.
    pub required_query_parameters: Vec<String>,
    /// Whether no success status describes the answer's shape (no schema, or any JSON value):
    /// the build names such operations, whose answer is `serde_json::Value` (or `()`).
    pub undescribed_answer: bool,
    /// `minimum`/`maximum` of the number parameters that state them, by name.
    pub parameter_ranges: Vec<(String, Option<f64>, Option<f64>)>,
    /// The doc line of each path and query parameter, by name.
    pub parameter_docs: Vec<(String, String)>,
}

impl Operation {
    /// progenitor's method name, and ours.
    pub fn method_name(&self) -> String {
        snake_case(&self.id)
    }

    /// The doc line of the parameter `name` (its name in the document).
    pub fn parameter_doc(&self, name: &str) -> Option<&str> {
        self.parameter_docs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, doc)| doc.as_str())
    }

    /// The name of the operation's metadata constant.
    pub fn const_name(&self) -> proc_macro2::Ident {
        format_ident!("{}", screaming_snake_case(&self.id))
    }

    pub fn metadata(&self) -> TokenStream {
        let name = self.const_name();
        let (id, method, path, version) = (&self.id, &self.method, &self.path, &self.version);
        let scopes = &self.scopes;
        let doc = format!("`{method} {path}` ({id}).");
        quote! {
            #[doc = #doc]
            pub const #name: ::highlevel_runtime::Operation =
                ::highlevel_runtime::Operation::new(#id, #method, #path, #version, &[#(#scopes),*]);
        }
    }
}

/// Every operation of the document, in its order.
pub fn operations(spec: &Value) -> Result<Vec<Operation>, String> {
    let default_version = spec
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut out = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{} {path} has no operationId", method.to_uppercase()))?;
            let version = op
                .get(VERSION_EXTENSION)
                .and_then(Value::as_str)
                .unwrap_or(default_version)
                .to_string();
            if version.is_empty() || !version.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!(
                    "{id}: the Version header `{version}` is empty or cannot be sent"
                ));
            }
            let security = op.get("security").or_else(|| spec.get("security"));
            let mut scopes: Vec<String> = Vec::new();
            for requirement in security.and_then(Value::as_array).into_iter().flatten() {
                for list in requirement.as_object().into_iter().flat_map(|o| o.values()) {
                    for scope in list.as_array().into_iter().flatten() {
                        if let Some(scope) = scope.as_str()
                            && !scopes.iter().any(|s| s == scope)
                        {
                            scopes.push(scope.to_string());
                        }
                    }
                }
            }
            let text = |key: &str| op.get(key).and_then(Value::as_str).map(str::to_string);
            let parameter_ranges = item
                .get("parameters")
                .into_iter()
                .chain(op.get("parameters"))
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(|p| {
                    let name = p.get("name")?.as_str()?;
                    let schema = p.get("schema")?;
                    let min = schema.get("minimum").and_then(Value::as_f64);
                    let max = schema.get("maximum").and_then(Value::as_f64);
                    (min.is_some() || max.is_some()).then(|| (name.to_string(), min, max))
                })
                .collect();
            let parameter_docs = item
                .get("parameters")
                .into_iter()
                .chain(op.get("parameters"))
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(|p| Some((p.get("name")?.as_str()?.to_string(), parameter_doc(p))))
                .collect();
            let query: Vec<&Value> = item
                .get("parameters")
                .into_iter()
                .chain(op.get("parameters"))
                .filter_map(Value::as_array)
                .flatten()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                .collect();
            let names = |only_required: bool| -> Vec<String> {
                query
                    .iter()
                    .filter(|p| {
                        !only_required || p.get("required").and_then(Value::as_bool) == Some(true)
                    })
                    .filter_map(|p| p.get("name").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            };
            let (query_parameters, required_query_parameters) = (names(false), names(true));
            out.push(Operation {
                id: id.to_string(),
                method: method.to_uppercase(),
                path: path.clone(),
                version,
                scopes,
                summary: text("summary"),
                description: text("description"),
                deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
                path_parameters: path
                    .split('/')
                    .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                    .map(str::to_string)
                    .collect(),
                query_parameters,
                required_query_parameters,
                undescribed_answer: undescribed_answer(op),
                parameter_ranges,
                parameter_docs,
            });
        }
    }
    Ok(out)
}

/// Whether every success status of `op` (204 excepted) leaves the answer's shape open: no
/// JSON schema, or a schema of nothing but words (any JSON value).
fn undescribed_answer(op: &Value) -> bool {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return false;
    };
    let mut successes = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2') && code.as_str() != "204")
        .peekable();
    successes.peek().is_some()
        && successes.all(|(_, response)| {
            match response.pointer("/content/application~1json/schema") {
                None => response.get("content").is_none_or(|c| {
                    c.as_object()
                        .is_some_and(|c| c.is_empty() || c.contains_key("application/json"))
                }),
                Some(Value::Object(schema)) => schema
                    .keys()
                    .all(|k| matches!(k.as_str(), "description" | "title" | "example")),
                Some(_) => false,
            }
        })
}

/// One line on a parameter: the document's description, else its name; then where it goes and
/// what the document states of its values (type, format, range, allowed values).
fn parameter_doc(parameter: &Value) -> String {
    let name = parameter
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let place = parameter
        .get("in")
        .and_then(Value::as_str)
        .unwrap_or("query");
    let schema = parameter.get("schema").unwrap_or(&Value::Null);
    let mut facts = Vec::new();
    let mut kind = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("any value")
        .to_string();
    if let Some(item) = schema.pointer("/items/type").and_then(Value::as_str) {
        kind = format!("{kind} of {item}");
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        kind = format!("{kind} ({format})");
    }
    facts.push(kind);
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        facts.push(format!("at least {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        facts.push(format!("at most {max}"));
    }
    let allowed = schema
        .get("enum")
        .or_else(|| schema.pointer("/items/enum"))
        .and_then(Value::as_array);
    if let Some(values) = allowed {
        let values: Vec<String> = values
            .iter()
            .map(|v| {
                format!(
                    "`{}`",
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                )
            })
            .collect();
        facts.push(format!("one of {}", values.join(", ")));
    }
    let description = parameter
        .get("description")
        .and_then(Value::as_str)
        .map(|d| {
            crate::setters::plain(d)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|d| !d.is_empty());
    let lead = match description {
        Some(text) => format!("{}.", text.trim_end_matches('.')),
        None => format!("Sets `{name}`."),
    };
    format!(
        " {lead} The {place} parameter `{name}`: {}.",
        facts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::parameter_doc;
    use serde_json::json;

    #[test]
    fn a_parameter_doc_says_what_the_document_states() {
        let described = json!({"name": "limit", "in": "query", "description": "Limit of notes",
            "schema": {"type": "number", "maximum": 20}});
        assert_eq!(
            parameter_doc(&described),
            " Limit of notes. The query parameter `limit`: number, at most 20."
        );
        let bare = json!({"name": "kind", "in": "query",
            "schema": {"type": "string", "enum": ["a", "b"]}});
        assert_eq!(
            parameter_doc(&bare),
            " Sets `kind`. The query parameter `kind`: string, one of `a`, `b`."
        );
    }
}
