//! Answers in HighLevel's shapes: JSON for success, and
//! `{"statusCode", "message", "error", "traceId"}` for every error.
//!
//! `message` takes the shape HighLevel's documents give it for the status, so a client in any
//! language parses the sandbox's errors as it parses HighLevel's: a list of strings for 422
//! (`UnprocessableDTO`, one entry per problem) and one string for every other status
//! (`BadRequestDTO`, `UnauthorizedDTO`, `NotFoundDTO`).

use crate::ids;
use crate::limits::Report;
use bytes::Bytes;
use highlevel_runtime::ApiErrorMessage;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// An answer before it becomes an HTTP response (so a fault can still spoil its body), in
/// HighLevel's shapes.
///
/// ```
/// use highlevel_sandbox::{Reply, StatusCode};
///
/// let reply = Reply::error_one(StatusCode::NOT_FOUND, "no such thing");
/// assert_eq!(reply.status(), StatusCode::NOT_FOUND);
/// ```
#[derive(Debug)]
pub struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: StatusCode, value: &Value) -> Reply {
        Reply::serialized(status, value)
    }

    /// A JSON answer of anything serde writes.
    pub(crate) fn serialized(status: StatusCode, value: &impl serde::Serialize) -> Reply {
        // `to_vec`, not `Value::to_string`: the latter goes through `fmt` and its many small
        // writes.
        let body = serde_json::to_vec(value).unwrap_or_default();
        Reply::json_bytes(status, Bytes::from(body))
    }

    /// A JSON answer already serialized.
    pub(crate) fn json_bytes(status: StatusCode, body: Bytes) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        Reply {
            status,
            headers,
            body,
        }
    }

    /// An answer without a body.
    pub fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// HighLevel's error body, with a fresh `traceId`. `message` is given the shape HighLevel
    /// documents for `status`: a list for 422, else one string (several messages joined by
    /// `; `).
    ///
    /// ```
    /// use highlevel_runtime::ApiErrorMessage;
    /// use highlevel_sandbox::{Reply, StatusCode};
    ///
    /// let reply = Reply::error(StatusCode::UNPROCESSABLE_ENTITY, ApiErrorMessage::One("bad".into()));
    /// let body: serde_json::Value = serde_json::from_slice(reply.body()).unwrap();
    /// assert_eq!(body["message"], serde_json::json!(["bad"]));
    /// ```
    pub fn error(status: StatusCode, message: ApiErrorMessage) -> Reply {
        Reply::json(
            status,
            &json!({
                "statusCode": status.as_u16(),
                "message": shaped_for(status, message),
                "error": status.canonical_reason().unwrap_or("Error"),
                "traceId": ids::trace_id(),
            }),
        )
    }

    /// An error with one message.
    pub fn error_one(status: StatusCode, message: impl Into<String>) -> Reply {
        Reply::error(status, ApiErrorMessage::One(message.into()))
    }

    /// An HTML page, as a proxy in front of HighLevel sends.
    /// The status answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body answered.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub(crate) fn html(status: StatusCode, page: String) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        Reply {
            status,
            headers,
            body: Bytes::from(page),
        }
    }

    /// Adds the rate-limit headers.
    pub(crate) fn with_limits(mut self, report: &Report) -> Reply {
        report.write(&mut self.headers);
        self
    }

    pub(crate) fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// `message` in the shape HighLevel documents for `status`.
fn shaped_for(status: StatusCode, message: ApiErrorMessage) -> ApiErrorMessage {
    match (status == StatusCode::UNPROCESSABLE_ENTITY, message) {
        (true, ApiErrorMessage::One(one)) => ApiErrorMessage::Many(vec![one]),
        (false, ApiErrorMessage::Many(many)) => ApiErrorMessage::One(many.join("; ")),
        (_, message) => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_highlevels_shape() {
        let reply = Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorMessage::Many(vec!["name is required".into()]),
        );
        let body: Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["statusCode"], 422);
        assert_eq!(body["message"], json!(["name is required"]));
        assert_eq!(body["error"], "Unprocessable Entity");
        assert_eq!(body["traceId"].as_str().unwrap().len(), 36);
        let body: highlevel_runtime::ApiErrorBody = serde_json::from_slice(&reply.body).unwrap();
        assert!(body.trace_id.is_some(), "the client reads it");
    }

    #[test]
    fn the_message_has_the_shape_highlevel_documents_for_the_status() {
        let message =
            |reply: Reply| serde_json::from_slice::<Value>(&reply.body).unwrap()["message"].clone();
        assert_eq!(
            message(Reply::error_one(
                StatusCode::UNPROCESSABLE_ENTITY,
                "body must be an object"
            )),
            json!(["body must be an object"])
        );
        assert_eq!(
            message(Reply::error(
                StatusCode::CONFLICT,
                ApiErrorMessage::Many(vec!["slug taken".into(), "again".into()])
            )),
            json!("slug taken; again")
        );
        assert_eq!(
            message(Reply::error_one(StatusCode::NOT_FOUND, "no such thing")),
            json!("no such thing")
        );
    }
}
