//! Turning what a generated operation returns into a [`Response`] or an [`Error`].

use crate::call::{CallState, GeneratedResult, ResponseHead, Stop};
use crate::capped_body::BodyTooLarge;
use crate::error::{ApiError, ApiErrorBody, DecodeError, Error, redact, snippet};
use crate::operation::Operation;
use crate::pacing::Refusal;
use crate::rate_limit::RateLimit;
use crate::response::Response;
use crate::runtime::Runtime;
use crate::validation::{Rule, ValidationError, camel_case, conversion_error};
use progenitor_client::Error as GenError;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// What explaining one call's result needs.
struct Context<'a> {
    operation: &'static Operation,
    /// The base URL called, which error texts name.
    server: &'a str,
    head: Option<ResponseHead>,
    /// The token, to scrub from anything the server echoes back.
    secret: &'a str,
    timeout: Duration,
    max_response_bytes: usize,
}

pub(crate) async fn map_result<T: DeserializeOwned>(
    result: GeneratedResult<T>,
    state: &CallState,
    runtime: &Runtime,
) -> Result<Response<T>, Error> {
    // Why the hooks stopped the call, when they did, is the error: what progenitor made of
    // the refusal says nothing more.
    match state.take_stop() {
        // No token to send, or the 401 stands because the provider could not replace the
        // token it rejected.
        Some(Stop::Token(error)) => return Err(Error::Token(error)),
        Some(Stop::Throttled(refusal)) => return Err(throttled(refusal, state.operation)),
        Some(Stop::Refused(reason)) => return Err(Error::Validation(reason)),
        None => {}
    }
    let token = state.token();
    let context = Context {
        operation: state.operation,
        server: runtime.base_url(),
        head: state.head(),
        secret: token.as_ref().map_or("", |t| t.expose_secret()),
        timeout: runtime.inner.timeout,
        max_response_bytes: runtime.inner.max_response_bytes,
    };
    match result {
        Ok(value) => {
            let status = value.status();
            let rate_limit = state
                .take_rate_limit()
                .unwrap_or_else(|| RateLimit::from_headers(value.headers()));
            Ok(Response::new(value.into_inner(), status, rate_limit))
        }
        Err(GenError::ErrorResponse(value)) => {
            let status = value.status();
            let rate_limit = RateLimit::from_headers(value.headers());
            Err(api_error(
                &context,
                status,
                rate_limit,
                Some(value.into_inner()),
                None,
            ))
        }
        Err(GenError::UnexpectedResponse(response)) => unexpected::<T>(response, &context).await,
        Err(GenError::InvalidResponsePayload(bytes, _)) => {
            let head = context.head.clone().unwrap_or_else(|| ResponseHead {
                status: StatusCode::OK,
                headers: Default::default(),
            });
            // An empty success body is JSON's nothing: a type that accepts `null` (the
            // `serde_json::Value` of an answer the document does not describe) reads it.
            if head.status.is_success()
                && bytes.iter().all(u8::is_ascii_whitespace)
                && let Ok(nothing) = serde_json::from_value::<T>(serde_json::Value::Null)
            {
                let rate_limit = state
                    .take_rate_limit()
                    .unwrap_or_else(|| RateLimit::from_headers(&head.headers));
                return Ok(Response::new(nothing, head.status, rate_limit));
            }
            if head.status.is_success() {
                Err(Error::Decode(decode_error::<T>(
                    &context,
                    head.status,
                    &bytes,
                )))
            } else {
                let rate_limit = RateLimit::from_headers(&head.headers);
                Err(api_error(
                    &context,
                    head.status,
                    rate_limit,
                    None,
                    Some(&bytes),
                ))
            }
        }
        Err(GenError::ResponseBodyError(e)) => Err(body_error(e, &context)),
        Err(GenError::CommunicationError(e)) | Err(GenError::InvalidUpgrade(e)) => {
            Err(transport_error(e, &context))
        }
        Err(GenError::InvalidRequest(message)) | Err(GenError::Custom(message)) => Err(
            Error::Validation(invalid_request(&redact(message, context.secret))),
        ),
    }
}

/// The error for a call pacing stopped before sending.
fn throttled(refusal: Refusal, operation: &'static Operation) -> Error {
    let retry_after = match refusal {
        Refusal::Busy(wait) => Some(wait),
        Refusal::DailyExhausted => None,
        #[cfg(feature = "redis")]
        Refusal::FleetUnavailable => return Error::FleetUnavailable { operation },
    };
    Error::Throttled {
        operation,
        retry_after,
    }
}

/// The generated builder's complaints: `locationId was not initialized` (a required parameter
/// left unset), `conversion to `X` for body failed: no value supplied for name`.
fn invalid_request(message: &str) -> ValidationError {
    if let Some(name) = message.strip_suffix(" was not initialized") {
        // progenitor names a parameter by its Rust name (`location_id`), the document by its
        // wire name (`locationId`).
        return ValidationError::single(&camel_case(name), Rule::REQUIRED, "is required");
    }
    if let Some((_, reason)) = message.split_once(" failed: ") {
        return conversion_error(reason);
    }
    ValidationError::single("", Rule::TYPE, message.to_string())
}

/// A status the document does not list (5xx, 3xx, 404, an unlisted 2xx...).
async fn unexpected<T: DeserializeOwned>(
    response: reqwest::Response,
    context: &Context<'_>,
) -> Result<Response<T>, Error> {
    let status = response.status();
    let rate_limit = RateLimit::from_headers(response.headers());
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return Err(body_error(e, context)),
    };
    if status.is_success() {
        return Err(Error::Decode(DecodeError {
            operation: context.operation,
            server: Some(context.server.to_string()),
            status,
            path: String::new(),
            reason: format!("status {status} is not a success the document lists"),
            body_snippet: snippet(&bytes, context.secret),
        }));
    }
    let body = serde_json::from_slice::<ApiErrorBody>(&bytes).ok();
    let raw = if body.is_some() {
        None
    } else {
        Some(&bytes[..])
    };
    Err(api_error(context, status, rate_limit, body, raw))
}

/// An error status, with HighLevel's body when it was readable, else a snippet of the raw body.
fn api_error(
    context: &Context<'_>,
    status: StatusCode,
    rate_limit: RateLimit,
    body: Option<ApiErrorBody>,
    raw: Option<&[u8]>,
) -> Error {
    let secret = context.secret;
    let body = body.unwrap_or_default();
    let api = ApiError {
        operation: context.operation,
        server: context.server.to_string(),
        status,
        messages: body
            .message
            .map(|m| m.into_vec())
            .unwrap_or_default()
            .into_iter()
            .map(|m| redact(m, secret))
            .collect(),
        error: body.error.map(|e| redact(e, secret)),
        trace_id: body.trace_id.map(|t| redact(t, secret)),
        body_snippet: raw.filter(|r| !r.is_empty()).map(|r| snippet(r, secret)),
        rate_limit,
    };
    match status {
        StatusCode::UNAUTHORIZED => Error::Unauthorized(api),
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
            retry_after: api.rate_limit.suggested_wait(),
            error: api,
        },
        _ => Error::Api(api),
    }
}

/// Re-decodes a success body that failed, to name the JSON path of the failing field.
fn decode_error<T: DeserializeOwned>(
    context: &Context<'_>,
    status: StatusCode,
    bytes: &[u8],
) -> DecodeError {
    DecodeError {
        server: Some(context.server.to_string()),
        ..decode_failure::<T>(context.operation, status, bytes, context.secret)
    }
}

/// Why `bytes` do not decode as `T`, with the JSON path of the failing field.
pub(crate) fn decode_failure<T: DeserializeOwned>(
    operation: &'static Operation,
    status: StatusCode,
    bytes: &[u8],
    secret: &str,
) -> DecodeError {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (path, reason) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer)
        .map(|_| deserializer.end())
    {
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            (path, e.into_inner().to_string())
        }
        Ok(Err(e)) => (String::new(), e.to_string()),
        Ok(Ok(())) => (String::new(), "the body does not decode".to_string()),
    };
    DecodeError {
        operation,
        server: None,
        status,
        path,
        reason: redact(reason, secret),
        body_snippet: snippet(bytes, secret),
    }
}

/// An error while reading a body: over the size cap, a timeout, or a broken connection.
fn body_error(e: reqwest::Error, context: &Context<'_>) -> Error {
    let status = context.head.as_ref().map_or(StatusCode::OK, |h| h.status);
    if source_chain(&e).any(|s| s.is::<BodyTooLarge>()) {
        return Error::ResponseTooLarge {
            status,
            limit: context.max_response_bytes,
        };
    }
    let timed_out = source_chain(&e).any(|s| {
        s.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
    });
    if timed_out || e.is_timeout() {
        return Error::Timeout {
            operation: context.operation,
            after: context.timeout,
        };
    }
    Error::Transport {
        operation: context.operation,
        source: e,
    }
}

/// A failure before any response: connecting, sending, or waiting for the status line.
fn transport_error(e: reqwest::Error, context: &Context<'_>) -> Error {
    if e.is_connect() {
        Error::Connect(e)
    } else if e.is_timeout() {
        Error::Timeout {
            operation: context.operation,
            after: context.timeout,
        }
    } else {
        Error::Transport {
            operation: context.operation,
            source: e,
        }
    }
}

fn source_chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| e.source())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_complaints_name_the_wire_field() {
        let e = invalid_request("location_id was not initialized");
        assert!(e.has("locationId", Rule::REQUIRED), "{e}");
        let e = invalid_request(
            "conversion to `ContactCreateDto` for body failed: no value supplied for location_id",
        );
        assert!(e.has("locationId", Rule::REQUIRED), "{e}");
    }
}
