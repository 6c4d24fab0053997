//! State a client crate keeps in its sandbox: the resources whose operations must agree with
//! each other (a created calendar can be fetched, updated and deleted), where answers made
//! from the document alone would not.

use crate::Reply;
use crate::document::Document;
use highlevel_runtime::Operation;
use serde_json::Value;

/// The operations a client crate answers itself; every other one is answered from the
/// document. Calls reach [`answer`](Resources::answer) authorized, within the rate limits,
/// with the right `Version` and required query parameters, and with a body that passed the
/// body check.
///
/// ```
/// use highlevel_sandbox::{Call, Reply, Resources, StatusCode};
/// use serde_json::json;
///
/// /// Answers `get-thing` for one id only; the rest comes from the document.
/// struct OneThing;
///
/// impl Resources for OneThing {
///     fn answer(&self, call: &Call<'_>) -> Option<Reply> {
///         if call.operation().id != "get-thing" {
///             return None;
///         }
///         Some(match call.param("thingId") {
///             "t1" => Reply::json(StatusCode::OK, &json!({"id": "t1"})),
///             other => Reply::error_one(StatusCode::NOT_FOUND, format!("no thing {other}")),
///         })
///     }
/// }
/// ```
pub trait Resources: Send + Sync + 'static {
    /// The answer to `call`, or `None` to answer it from the document.
    fn answer(&self, call: &Call<'_>) -> Option<Reply>;

    /// The sub-account (`locationId`) of what `call`'s path names, when only this state knows
    /// it; the rate limit of that sub-account then applies. `None` by default.
    fn location_of(&self, call: &Call<'_>) -> Option<String> {
        let _ = call;
        None
    }
}

/// No state: every operation is answered from the document.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stateless;

impl Resources for Stateless {
    fn answer(&self, _: &Call<'_>) -> Option<Reply> {
        None
    }
}

/// One routed request, as [`Resources`] sees it.
#[derive(Debug)]
pub struct Call<'a> {
    pub(crate) document: &'static Document,
    pub(crate) operation: &'static Operation,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) head: &'a hyper::http::request::Parts,
    pub(crate) raw_body: &'a [u8],
    pub(crate) body: Option<Value>,
}

impl Call<'_> {
    /// The operation called.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// The value of path parameter `name` (percent-decoded; empty when there is none).
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The query's `name=value` pairs, percent-decoded, in order.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// The JSON body, once checked (`None` before, and for an operation without one).
    pub fn body(&self) -> Option<&Value> {
        self.body.as_ref()
    }

    /// The document served.
    pub fn document(&self) -> &'static Document {
        self.document
    }
}
