//! What the runtime knows about one operation of an API document.
//!
//! A generated client declares one [`Operation`] per operation of its document (build.rs
//! writes them from the OpenAPI document), and hands it to the runtime with every call. Nothing
//! in the runtime is specific to one operation: retries, error texts, the `Version` header and
//! the scopes named by a 401 all come from here.

use std::fmt;

/// One operation of a HighLevel API document.
///
/// ```
/// use highlevel_runtime::Operation;
///
/// const GET_THING: Operation = Operation::new(
///     "get-thing",
///     "GET",
///     "/things/{thingId}",
///     "2021-07-28",
///     &["things.readonly"],
/// );
/// assert!(GET_THING.is_idempotent());
/// assert_eq!(GET_THING.to_string(), "get-thing (GET /things/{thingId})");
/// ```
///
/// Fields may be added in a minor release (it is `#[non_exhaustive]`): make one with
/// [`Operation::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Operation {
    /// The document's `operationId`, such as `get-contact`.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, such as `/contacts/{contactId}`.
    pub path: &'static str,
    /// The `Version` header the operation wants.
    pub version: &'static str,
    /// The OAuth scopes the document lists for the operation.
    pub scopes: &'static [&'static str],
}

impl Operation {
    /// The operation `id`, sent as `method` to the path template `path` with the `Version`
    /// header `version`; `scopes` are the OAuth scopes its document lists. A `const fn`, so that
    /// generated code declares each operation as a constant.
    pub const fn new(
        id: &'static str,
        method: &'static str,
        path: &'static str,
        version: &'static str,
        scopes: &'static [&'static str],
    ) -> Operation {
        Operation {
            id,
            method,
            path,
            version,
            scopes,
        }
    }

    /// Whether sending the request twice has the same effect as sending it once (GET, HEAD,
    /// OPTIONS, PUT and DELETE, as HTTP defines them). Only such requests are sent again after
    /// they may have reached the server.
    pub fn is_idempotent(&self) -> bool {
        matches!(self.method, "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE")
    }

    /// The path template's parameter names, in order (`["contactId"]` for
    /// `/contacts/{contactId}`).
    pub fn path_parameters(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {})", self.id, self.method, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation::new(
        "update-note",
        "PUT",
        "/items/{itemId}/notes/{noteId}",
        "2021-04-15",
        &[],
    );

    #[test]
    fn path_parameters_in_order() {
        assert_eq!(
            OP.path_parameters().collect::<Vec<_>>(),
            ["itemId", "noteId"]
        );
    }

    #[test]
    fn only_safe_or_idempotent_methods_are_idempotent() {
        assert!(OP.is_idempotent());
        for method in ["POST", "PATCH"] {
            assert!(!Operation::new(OP.id, method, OP.path, OP.version, OP.scopes).is_idempotent());
        }
    }
}
