//! What can go wrong when calling HighLevel, as values a caller can act on.

use crate::error_text::{answerer, quoted_body};
use crate::operation::Operation;
use crate::rate_limit::RateLimit;
use crate::validation::ValidationError;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// An error from a call to HighLevel.
///
/// For an operation that is not idempotent (a POST), whether HighLevel may have acted on the
/// request matters: only [`Error::Validation`], [`Error::Connect`] and [`Error::Token`]
/// guarantee that nothing reached the server ([`Error::nothing_sent`]). After
/// [`Error::Timeout`] or [`Error::Transport`] a POST may have taken effect; the client never
/// sends a POST again after those (see [`RetryPolicy`](crate::RetryPolicy)).
///
/// ```
/// use highlevel_runtime::{Error, Operation};
/// use std::time::Duration;
///
/// const CREATE: Operation = Operation::new("create-widget", "POST", "/widgets/", "2021-07-28", &["widgets.write"]);
/// let error = Error::Timeout { operation: &CREATE, after: Duration::from_secs(30) };
/// assert!(!error.nothing_sent());
/// assert!(error.to_string().contains("create-widget may have taken effect"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks one or more rules; nothing was sent.
    Validation(ValidationError),
    /// HighLevel answered with an error status (other than 401 and 429).
    Api(ApiError),
    /// HighLevel answered 401: the token is invalid, expired, belongs to another sub-account or
    /// lacks a scope the operation needs ([`ApiError::operation`] lists them). Returned after
    /// one refresh when the token provider can refresh.
    Unauthorized(ApiError),
    /// HighLevel answered 429 and waiting was not allowed: the daily limit is used up, the wait
    /// is longer than the policy's maximum, or the attempts ran out.
    RateLimited {
        /// The error HighLevel sent with the 429.
        error: ApiError,
        /// How long HighLevel asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// No complete response within the configured timeout. The request may have been processed.
    Timeout {
        /// The operation that was called.
        operation: &'static Operation,
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection could not be established (refused, DNS, TLS). Nothing was sent.
    Connect(reqwest::Error),
    /// The connection failed after the request was sent (for example reset before a complete
    /// response). The request may have been processed.
    Transport {
        /// The operation that was called.
        operation: &'static Operation,
        /// What reqwest reported.
        source: reqwest::Error,
    },
    /// A response arrived but its body is not what the API documents.
    Decode(DecodeError),
    /// The response body was larger than the client accepts
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    ResponseTooLarge {
        /// The response status.
        status: StatusCode,
        /// The limit in bytes.
        limit: usize,
    },
    /// The token provider failed; nothing was sent.
    Token(crate::TokenError),
    /// The sub-account's rate budget had no free slot within the wait
    /// [`Pacing`](crate::Pacing) allows (or its day's allowance is used up); nothing was sent.
    Throttled {
        /// The operation that was called.
        operation: &'static Operation,
        /// When a slot frees up; `None` when the day's allowance is used up.
        retry_after: Option<Duration>,
    },
    /// The fleet budget (Redis) did not answer within its timeout, and the client is set to
    /// fail then ([`OnUnavailable::Fail`](crate::OnUnavailable::Fail), with the `redis`
    /// feature); nothing was sent.
    FleetUnavailable {
        /// The operation that was called.
        operation: &'static Operation,
    },
}

impl Error {
    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) | Error::Unauthorized(e) | Error::RateLimited { error: e, .. } => {
                Some(e.status)
            }
            Error::Decode(e) => Some(e.status),
            Error::ResponseTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// HighLevel's `traceId` for the failed request, when it sent one. Quote it to HighLevel's
    /// support.
    pub fn trace_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.trace_id.as_deref())
    }

    /// The error HighLevel sent, for the variants that carry one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::Unauthorized(e) | Error::RateLimited { error: e, .. } => Some(e),
            _ => None,
        }
    }

    /// The rate-limit state of the response, when there was one.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.api_error().map(|e| &e.rate_limit)
    }

    /// Whether sending the same request again later could succeed *and* cannot act twice:
    /// true only when the request was certainly not processed (connection not established, or
    /// 429 short of the daily limit).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Connect(_) => true,
            Error::RateLimited { error, .. } => !error.rate_limit.daily_exhausted(),
            Error::Throttled { retry_after, .. } => retry_after.is_some(),
            Error::FleetUnavailable { .. } => true,
            _ => false,
        }
    }

    /// Whether the request certainly did not reach HighLevel.
    pub fn nothing_sent(&self) -> bool {
        matches!(
            self,
            Error::Validation(_)
                | Error::Connect(_)
                | Error::Token(_)
                | Error::Throttled { .. }
                | Error::FleetUnavailable { .. }
        )
    }
}

/// What the caller should know when a request may or may not have arrived.
fn may_have_landed(f: &mut fmt::Formatter<'_>, operation: &Operation) -> fmt::Result {
    if operation.is_idempotent() {
        write!(f, "; {} is safe to send again", operation.id)
    } else {
        write!(
            f,
            "; {} may have taken effect, check before sending it again",
            operation.id
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(e) => write!(f, "the request was not sent: {e}"),
            Error::Api(e) => write!(f, "{e}"),
            Error::Unauthorized(e) => {
                write!(
                    f,
                    "{e}; check that the token is valid and belongs to the sub-account"
                )?;
                match e.operation.scopes {
                    [] => Ok(()),
                    [one] => write!(f, ", and that it has the {one} scope"),
                    many => write!(f, ", and that it has one of the scopes {}", many.join(", ")),
                }
            }
            Error::RateLimited { error, retry_after } => {
                write!(f, "{error}")?;
                if error.rate_limit.daily_exhausted() {
                    write!(f, "; the daily request limit is used up")?;
                }
                if let Some(wait) = retry_after {
                    write!(f, "; the server asks to wait {} ms", wait.as_millis())?;
                }
                Ok(())
            }
            Error::Timeout { operation, after } => {
                write!(
                    f,
                    "{operation}: no complete response from the server within {} ms",
                    after.as_millis()
                )?;
                may_have_landed(f, operation)
            }
            Error::Connect(e) => write!(
                f,
                "could not connect to the server ({}); nothing was sent",
                describe_reqwest(e)
            ),
            Error::Transport { operation, source } => {
                write!(
                    f,
                    "{operation}: the connection to the server failed after the request was sent ({})",
                    describe_reqwest(source)
                )?;
                may_have_landed(f, operation)
            }
            Error::Decode(e) => write!(f, "{e}"),
            Error::ResponseTooLarge { status, limit } => write!(
                f,
                "the server's {status} response is larger than the {limit} bytes this client accepts; it was not read"
            ),
            Error::Token(e) => write!(f, "could not get an access token: {e}; nothing was sent"),
            Error::Throttled {
                operation,
                retry_after: Some(wait),
            } => write!(
                f,
                "{}: not sent, the sub-account's rate budget has no free slot for {} ms (longer than the pacing allows)",
                operation.id,
                wait.as_millis()
            ),
            Error::Throttled {
                operation,
                retry_after: None,
            } => write!(
                f,
                "{}: not sent, the sub-account's daily request allowance is used up",
                operation.id
            ),
            Error::FleetUnavailable { operation } => write!(
                f,
                "{}: not sent, the fleet rate budget (Redis) did not answer in time",
                operation.id
            ),
        }
    }
}

/// The innermost cause of a reqwest error, which is the part that says what happened.
fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    // reqwest's own Display names the URL; the innermost cause names the problem.
    source.to_string()
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Validation(e) => Some(e),
            Error::Connect(e) | Error::Transport { source: e, .. } => Some(e),
            Error::Decode(e) => Some(e),
            Error::Token(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Error {
        Error::Validation(e)
    }
}

/// An error status from HighLevel with what it said about it.
///
/// Its text names the status, HighLevel's message(s) and `traceId`, and who answered:
/// "HighLevel" for HighLevel's hosts, else the server's base URL (the sandbox, a proxy).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that was called.
    pub operation: &'static Operation,
    /// The base URL of the server that answered (the client's base URL).
    pub server: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// HighLevel's message(s): one, or one per problem for validation errors. Empty when the body
    /// was not HighLevel's JSON error (see `body_snippet`).
    pub messages: Vec<String>,
    /// HighLevel's `error` field (the status text, such as `Unprocessable Entity`).
    pub error: Option<String>,
    /// HighLevel's `traceId`; quote it to HighLevel's support.
    pub trace_id: Option<String>,
    /// The rate-limit headers of the response.
    pub rate_limit: RateLimit,
    /// The start of the body when it was not HighLevel's JSON error (an HTML page from a proxy,
    /// say), at most [`SNIPPET_LIMIT`] bytes.
    pub body_snippet: Option<String>,
}

/// The most bytes of a response body an error keeps.
pub const SNIPPET_LIMIT: usize = 512;

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} answered {}",
            self.operation.id,
            answerer(&self.server),
            self.status
        )?;
        if !self.messages.is_empty() {
            write!(f, ": {}", self.messages.join("; "))?;
        } else if let Some(snippet) = &self.body_snippet {
            write!(f, " with {} rather than a JSON error", quoted_body(snippet))?;
        }
        match &self.trace_id {
            Some(trace) => write!(f, " (traceId {trace})"),
            None => write!(f, " (no traceId)"),
        }
    }
}

impl std::error::Error for ApiError {}

/// The body HighLevel sends with an error status. Every field may be absent or null; the
/// generated clients decode every documented error status into it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// The HTTP status, repeated.
    #[serde(
        rename = "statusCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub status_code: Option<serde_json::Number>,
    /// What went wrong: one message, or one per invalid field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<ApiErrorMessage>,
    /// The status text, such as `Unprocessable Entity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// HighLevel's identifier of the request; its support asks for it.
    #[serde(rename = "traceId", default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

/// The `message` of HighLevel's error body: one message, or one per problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ApiErrorMessage {
    /// A single message.
    One(String),
    /// Several messages, such as one per invalid field.
    Many(Vec<String>),
}

impl ApiErrorMessage {
    /// The messages as a list.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            ApiErrorMessage::One(m) => vec![m],
            ApiErrorMessage::Many(ms) => ms,
        }
    }
}

/// A response body that does not match the API's schema.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation whose answer could not be read.
    pub operation: &'static Operation,
    /// The base URL of the server that answered; `None` when there was no call
    /// ([`decode`](crate::decode)).
    pub server: Option<String>,
    /// The response status.
    pub status: StatusCode,
    /// Where in the body decoding failed, such as `contact.tags[0]`; empty when
    /// the body is not JSON at all.
    pub path: String,
    /// What was wrong there.
    pub reason: String,
    /// The start of the body, at most [`SNIPPET_LIMIT`] bytes.
    pub body_snippet: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.server {
            Some(server) => write!(
                f,
                "{}: the {} response of {} could not be decoded",
                self.operation.id,
                self.status,
                answerer(server)
            )?,
            None => write!(
                f,
                "{}: the {} response could not be decoded",
                self.operation.id, self.status
            )?,
        }
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        let body = quoted_body(&self.body_snippet);
        if body.starts_with('"') {
            write!(f, ": {} (body starts {body})", self.reason)?;
        } else {
            write!(f, ": {} (the body is {body})", self.reason)?;
        }
        if self.status == StatusCode::CREATED {
            f.write_str("; the resource was created, but its answer could not be read")?;
        } else if self.status.is_success() && !self.operation.is_idempotent() {
            f.write_str("; the request succeeded, but its answer could not be read")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// The first `SNIPPET_LIMIT` bytes of `body` as text, cut at a character boundary, with every
/// occurrence of `secret` removed (a hostile server could echo the token back).
pub(crate) fn snippet(body: &[u8], secret: &str) -> String {
    let end = body.len().min(SNIPPET_LIMIT);
    let lossy = String::from_utf8_lossy(&body[..end]);
    // Invalid bytes widen to three-byte replacement characters: cut again to the limit.
    let mut cut = lossy.len().min(SNIPPET_LIMIT);
    while !lossy.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut text = lossy[..cut].trim_end_matches('\u{FFFD}').to_string();
    if body.len() > SNIPPET_LIMIT {
        text.push('…');
    }
    redact(text, secret)
}

/// Replaces every occurrence of `secret` in `text`.
pub(crate) fn redact(text: String, secret: &str) -> String {
    if secret.len() >= 4 && text.contains(secret) {
        text.replace(secret, "** redacted **")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_is_bounded_and_redacted() {
        let body = format!("echo: secret-token {}", "x".repeat(2000));
        let s = snippet(body.as_bytes(), "secret-token");
        assert!(!s.contains("secret-token"));
        assert!(s.len() <= SNIPPET_LIMIT + "** redacted **".len() + 4);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn api_error_display_names_status_message_and_trace() {
        const OP: Operation =
            Operation::new("create-widget", "POST", "/widgets/", "2021-07-28", &[]);
        let e = ApiError {
            operation: &OP,
            server: "https://services.leadconnectorhq.com".into(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            messages: vec!["name must be a string".into(), "slug is taken".into()],
            error: Some("Unprocessable Entity".into()),
            trace_id: Some("trace-123".into()),
            rate_limit: RateLimit::default(),
            body_snippet: None,
        };
        let text = e.to_string();
        assert!(text.contains("422"), "{text}");
        assert!(
            text.contains("name must be a string; slug is taken"),
            "{text}"
        );
        assert!(text.contains("traceId trace-123"), "{text}");
        assert!(
            text.starts_with("create-widget: HighLevel answered 422"),
            "{text}"
        );

        let html = ApiError {
            server: "http://127.0.0.1:1234/".into(),
            messages: Vec::new(),
            body_snippet: Some("<html>\r\n  <h1>502</h1>\r\n</html>".into()),
            ..e
        };
        let text = html.to_string();
        assert!(
            text.starts_with("create-widget: the server at http://127.0.0.1:1234 answered 422 Unprocessable Entity with an HTML page (\"502\")"),
            "{text}"
        );
        assert!(!text.contains('<'), "{text}");
    }
}
