//! Turning what the generated client returns into this crate's [`Error`] or success value.

use crate::call::{BodyTooLarge, ResponseHead};
use crate::error::{ApiError, DecodeError, Error, redact, snippet};
use crate::rate_limit::RateLimit;
use crate::retry::Failure;
use crate::types;
use progenitor_client::{Error as GenError, ResponseValue};
use reqwest::StatusCode;
use std::time::Duration;

/// The response to a successful create.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Created {
    /// The calendar HighLevel created, with its new `id`.
    pub calendar: types::CalendarDto,
    /// The status HighLevel answered (201; 200 is accepted too, as upstream documents it).
    pub status: StatusCode,
    /// The rate-limit state after this request.
    pub rate_limit: RateLimit,
}

/// Decodes the body of a Create Calendar success response (`{"calendar": {...}}`) exactly as
/// the client does, without a server: useful to test code that stores HighLevel's responses.
/// Any input gives a calendar or a [`DecodeError`] naming the failing JSON path; none panics.
///
/// ```
/// let body = br#"{"calendar": {"id": "abc", "locationId": "loc", "name": "Intro", "calendarType": "webinar"}}"#;
/// let calendar = highlevel_calendars::decode_created_calendar(body)?;
/// assert_eq!(calendar.calendar_type.unwrap().as_str(), "webinar");
/// # Ok::<(), highlevel_calendars::DecodeError>(())
/// ```
pub fn decode_created_calendar(body: &[u8]) -> Result<types::CalendarDto, DecodeError> {
    serde_json::from_slice::<types::CalendarByIdSuccessfulResponseDto>(body)
        .map(|response| response.calendar)
        .map_err(|_| decode_error(StatusCode::CREATED, body, ""))
}

/// What one attempt needs to explain its result.
pub(crate) struct AttemptInfo<'a> {
    /// Status and headers of the response, if one arrived.
    pub(crate) head: Option<ResponseHead>,
    /// The token, to scrub from anything the server echoes back.
    pub(crate) secret: &'a str,
    /// The timeout that applied.
    pub(crate) timeout: Duration,
    /// The body-size limit that applied.
    pub(crate) max_response_bytes: usize,
}

type GenResult =
    Result<ResponseValue<types::CalendarByIdSuccessfulResponseDto>, GenError<types::ApiErrorBody>>;

/// Maps the generated client's result.
pub(crate) async fn map_result(result: GenResult, info: AttemptInfo<'_>) -> Result<Created, Error> {
    match result {
        Ok(value) => {
            let status = value.status();
            let rate_limit = RateLimit::from_headers(value.headers());
            Ok(Created {
                calendar: value.into_inner().calendar,
                status,
                rate_limit,
            })
        }
        Err(GenError::ErrorResponse(value)) => {
            let status = value.status();
            let rate_limit = RateLimit::from_headers(value.headers());
            Err(api_error(
                status,
                rate_limit,
                Some(value.into_inner()),
                None,
                info.secret,
            ))
        }
        Err(GenError::UnexpectedResponse(response)) => unexpected(response, &info).await,
        Err(GenError::InvalidResponsePayload(bytes, _)) => {
            let head = info.head.clone().unwrap_or_else(|| ResponseHead {
                status: StatusCode::OK,
                headers: Default::default(),
            });
            let rate_limit = RateLimit::from_headers(&head.headers);
            if head.status.is_success() {
                Err(Error::Decode(decode_error(
                    head.status,
                    &bytes,
                    info.secret,
                )))
            } else {
                Err(api_error(
                    head.status,
                    rate_limit,
                    None,
                    Some(&bytes),
                    info.secret,
                ))
            }
        }
        Err(GenError::ResponseBodyError(e)) => Err(body_error(e, &info)),
        Err(GenError::CommunicationError(e)) | Err(GenError::InvalidUpgrade(e)) => {
            Err(transport_error(e, info.timeout))
        }
        Err(GenError::InvalidRequest(message)) | Err(GenError::Custom(message)) => Err(
            Error::Validation(crate::validation::ValidationError::single(
                "",
                crate::validation::Rule::Type,
                redact(message, info.secret),
            )),
        ),
    }
}

/// A status the document does not list (5xx, 3xx, 404, a 2xx other than 200/201...).
async fn unexpected(response: reqwest::Response, info: &AttemptInfo<'_>) -> Result<Created, Error> {
    let status = response.status();
    let rate_limit = RateLimit::from_headers(response.headers());
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return Err(body_error(e, info)),
    };
    if status.is_success() {
        return Err(Error::Decode(DecodeError {
            status,
            path: String::new(),
            reason: format!("status {status} is not a documented success (201 or 200)"),
            body_snippet: snippet(&bytes, info.secret),
        }));
    }
    let body = serde_json::from_slice::<types::ApiErrorBody>(&bytes).ok();
    let raw = if body.is_some() {
        None
    } else {
        Some(&bytes[..])
    };
    Err(api_error(status, rate_limit, body, raw, info.secret))
}

/// An error status, with HighLevel's body when it was readable, else a snippet of the raw body.
fn api_error(
    status: StatusCode,
    rate_limit: RateLimit,
    body: Option<types::ApiErrorBody>,
    raw: Option<&[u8]>,
    secret: &str,
) -> Error {
    let (messages, error, trace_id) = match body {
        Some(body) => (
            body.message.map(|m| m.into_vec()).unwrap_or_default(),
            body.error,
            body.trace_id,
        ),
        None => (Vec::new(), None, None),
    };
    let api = ApiError {
        status,
        messages: messages.into_iter().map(|m| redact(m, secret)).collect(),
        error: error.map(|e| redact(e, secret)),
        trace_id: trace_id.map(|t| redact(t, secret)),
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
fn decode_error(status: StatusCode, bytes: &[u8], secret: &str) -> DecodeError {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (path, reason) =
        match serde_path_to_error::deserialize::<_, types::CalendarByIdSuccessfulResponseDto>(
            &mut deserializer,
        ) {
            Err(e) => {
                let path = e.path().to_string();
                let path = if path == "." { String::new() } else { path };
                (path, e.into_inner().to_string())
            }
            Ok(_) => (String::new(), "the body has trailing data".to_string()),
        };
    DecodeError {
        status,
        path,
        reason: redact(reason, secret),
        body_snippet: snippet(bytes, secret),
    }
}

/// An error while reading a body: over the size cap, a timeout, or a broken connection.
fn body_error(e: reqwest::Error, info: &AttemptInfo<'_>) -> Error {
    let status = info.head.as_ref().map_or(StatusCode::OK, |h| h.status);
    if source_chain(&e).any(|s| s.is::<BodyTooLarge>()) {
        return Error::ResponseTooLarge {
            status,
            limit: info.max_response_bytes,
        };
    }
    let timed_out = source_chain(&e).any(|s| {
        s.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
    });
    if timed_out || e.is_timeout() {
        return Error::Timeout {
            after: info.timeout,
        };
    }
    Error::Transport(e)
}

/// A failure before any response: connecting, sending, or waiting for the status line.
fn transport_error(e: reqwest::Error, timeout: Duration) -> Error {
    if e.is_connect() {
        Error::Connect(e)
    } else if e.is_timeout() {
        Error::Timeout { after: timeout }
    } else {
        Error::Transport(e)
    }
}

fn source_chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| e.source())
}

/// How the retry policy sees an error.
pub(crate) fn failure_of(error: &Error) -> Failure {
    match error {
        Error::Connect(_) => Failure::Connect,
        Error::RateLimited { error, retry_after } => Failure::RateLimited {
            wait: *retry_after,
            daily_exhausted: error.rate_limit.daily_exhausted(),
        },
        _ => Failure::Final,
    }
}
