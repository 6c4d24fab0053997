//! What the sandbox answers a request, in HighLevel's order: route, token, rate limit,
//! `Version` header, path and query parameters, JSON body and the client's checks, then the
//! operation itself (stateful for calendars, made from the document for the rest).

use super::limits::Verdict;
use super::reply::Reply;
use super::router::{self, Route};
use super::{Shared, calendars, kinds, params, schema, synth};
use crate::validation::Rule;
use crate::{ApiErrorMessage, Operation, operations};
use hyper::StatusCode;
use hyper::header::{ALLOW, AUTHORIZATION, HeaderMap, HeaderValue};
use hyper::http::request;
use serde_json::Value;
use std::time::Instant;

/// HighLevel's answer to a missing, unknown or expired token.
pub(crate) const INVALID_TOKEN: &str = "Invalid token: access token is invalid";

const CREATE_CALENDAR: &str = operations::CREATE_CALENDAR.id;
const GET_CALENDAR: &str = operations::GET_CALENDAR.id;
const GET_CALENDARS: &str = operations::GET_CALENDARS.id;
const UPDATE_CALENDAR: &str = operations::UPDATE_CALENDAR.id;
const DELETE_CALENDAR: &str = operations::DELETE_CALENDAR.id;

/// One routed request.
struct Call<'a> {
    operation: &'static Operation,
    params: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    head: &'a request::Parts,
    body: &'a [u8],
}

impl Call<'_> {
    fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The rate-limit key of a request: its sub-account (the body's `locationId`, else the query's,
/// else the location of the calendar the path names), else its token.
pub(crate) fn limit_key(
    headers: &HeaderMap,
    query: &[(String, String)],
    body: &[u8],
    calendar_location: Option<String>,
) -> String {
    let from_body = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["locationId"].as_str().map(str::to_string));
    let from_query = || {
        query
            .iter()
            .find(|(name, _)| name == "locationId")
            .map(|(_, v)| v.clone())
    };
    let location = from_body
        .filter(|l| !l.trim().is_empty())
        .or_else(from_query)
        .filter(|l| !l.trim().is_empty())
        .or(calendar_location);
    match location {
        Some(location) => format!("location:{location}"),
        None => format!("token:{}", bearer(headers).unwrap_or_default()),
    }
}

/// The bearer token of a request, if it has a non-empty one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The rate-limit key of a request before anything else is known of it (for injected faults
/// and refusals before routing).
pub(crate) fn early_key(head: &request::Parts, body: &[u8]) -> String {
    let query = router::query_pairs(head.uri.query().unwrap_or_default());
    limit_key(&head.headers, &query, body, None)
}

/// The answer to one request whose body was read in full.
pub(crate) fn answer(shared: &Shared, head: &request::Parts, body: &[u8]) -> Reply {
    let now = Instant::now();
    let path = head.uri.path();
    let query = router::query_pairs(head.uri.query().unwrap_or_default());
    let (operation, params) = match router::route(head.method.as_str(), path) {
        Route::Operation { operation, params } => (operation, params),
        Route::NotFound => {
            let report = shared
                .limiter()
                .peek(&limit_key(&head.headers, &query, body, None), now);
            let message = format!("Cannot {} {path}", head.method);
            return Reply::error_one(StatusCode::NOT_FOUND, message).with_limits(&report);
        }
        Route::WrongMethod { allowed } => {
            let report = shared
                .limiter()
                .peek(&limit_key(&head.headers, &query, body, None), now);
            let allow = allowed.join(", ");
            let message = format!(
                "Cannot {} {path}: the method is not allowed here (allowed: {allow})",
                head.method
            );
            let mut reply =
                Reply::error_one(StatusCode::METHOD_NOT_ALLOWED, message).with_limits(&report);
            if let Ok(value) = HeaderValue::from_str(&allow) {
                reply.headers.insert(ALLOW, value);
            }
            return reply;
        }
    };
    let call = Call {
        operation,
        params,
        query,
        head,
        body,
    };
    let calendar_location = match call.param("calendarId") {
        "" => None,
        id => shared.store().location_of(id),
    };
    let key = limit_key(&head.headers, &call.query, body, calendar_location);
    if !bearer(&head.headers).is_some_and(|token| shared.settings.accepts(token)) {
        let report = shared.limiter().peek(&key, now);
        return Reply::error_one(StatusCode::UNAUTHORIZED, INVALID_TOKEN).with_limits(&report);
    }
    let (verdict, report) = shared.limiter().take(&key, now);
    let limits = shared.settings.limits;
    let refusal = match verdict {
        Verdict::Allowed => None,
        Verdict::IntervalExhausted => Some(format!(
            "Too many requests: {} per {} ms allowed for this sub-account",
            limits.interval_max,
            limits.interval.as_millis()
        )),
        Verdict::DailyExhausted => Some(format!(
            "Too many requests: the daily limit of {} requests for this sub-account is used up",
            limits.daily
        )),
    };
    if let Some(message) = refusal {
        return Reply::error_one(StatusCode::TOO_MANY_REQUESTS, message).with_limits(&report);
    }
    checked(shared, &call).with_limits(&report)
}

/// The operation's own checks (`Version`, query, body), then its answer.
fn checked(shared: &Shared, call: &Call<'_>) -> Reply {
    let version = call.operation.version;
    let bad_request = |message: String| Reply::error_one(StatusCode::BAD_REQUEST, message);
    match call.head.headers.get("version").map(|v| v.to_str()) {
        None => {
            return bad_request(format!(
                "Version header is required; this API expects Version: {version}"
            ));
        }
        Some(Ok(sent)) if sent.trim() == version => {}
        Some(sent) => {
            return bad_request(format!(
                "Version header must be {version}, not {:?}",
                sent.unwrap_or("(not text)")
            ));
        }
    }
    let document = schema::operation(call.operation.id);
    let blank_is_missing = shared.settings.validation.checks(Rule::REQUIRED);
    let problems = document
        .map(|op| params::problems(op, &call.params, &call.query, blank_is_missing))
        .unwrap_or_default();
    if !problems.is_empty() {
        return Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorMessage::Many(problems),
        );
    }
    let body = match document.and_then(schema::body_schema) {
        None => None,
        Some(declared) => match body_of(shared, call, declared) {
            Ok(body) => Some(body),
            Err(refusal) => return *refusal,
        },
    };
    respond(shared, call, body)
}

/// The request body, parsed and checked as the client checks it before sending.
fn body_of(
    shared: &Shared,
    call: &Call<'_>,
    declared: &'static Value,
) -> Result<Value, Box<Reply>> {
    let request: Value = serde_json::from_slice(call.body).map_err(|e| {
        Box::new(Reply::error_one(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
        ))
    })?;
    let mut problems = kinds::problems(declared, &request);
    let checked = operations::check_body(call.operation.id, call.body, &shared.settings.validation);
    if let Some(Err(error)) = checked {
        problems.extend(error.violations().iter().map(|v| match v.path.as_str() {
            "" => format!("body {}", v.message),
            path => format!("{path} {}", v.message),
        }));
    }
    if problems.is_empty() {
        return Ok(request);
    }
    Err(Box::new(Reply::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiErrorMessage::Many(problems),
    )))
}

/// The answer of an authorized, well-formed request.
fn respond(shared: &Shared, call: &Call<'_>, body: Option<Value>) -> Reply {
    let body = body.unwrap_or(Value::Null);
    match call.operation.id {
        CREATE_CALENDAR => calendars::create(shared, body),
        GET_CALENDAR => calendars::get(shared, call.param("calendarId")),
        GET_CALENDARS => calendars::list(shared, &call.query),
        UPDATE_CALENDAR => calendars::update(shared, call.param("calendarId"), body),
        DELETE_CALENDAR => calendars::delete(shared, call.param("calendarId")),
        id => match synth::answer(id) {
            Some((status, Some(value))) => Reply::json(*status, value),
            Some((status, None)) => Reply::empty(*status),
            None => Reply::error_one(StatusCode::NOT_FOUND, format!("no operation {id}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_key_is_the_location_else_the_token() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        let none = query(&[]);
        assert_eq!(
            limit_key(&headers, &none, br#"{"locationId":"loc"}"#, None),
            "location:loc"
        );
        let in_query = query(&[("locationId", "q")]);
        assert_eq!(limit_key(&headers, &in_query, b"", None), "location:q");
        assert_eq!(
            limit_key(&headers, &in_query, br#"{"locationId":"b"}"#, None),
            "location:b",
            "the body first"
        );
        assert_eq!(
            limit_key(&headers, &none, b"", Some("stored".into())),
            "location:stored"
        );
        assert_eq!(limit_key(&headers, &none, b"not json", None), "token:abc");
        assert_eq!(limit_key(&HeaderMap::new(), &none, b"{}", None), "token:");
    }

    #[test]
    fn bearer_tokens_need_the_scheme_and_a_value() {
        let read = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, value.parse().unwrap());
            bearer(&headers).map(str::to_string)
        };
        assert_eq!(read("Bearer t-1"), Some("t-1".into()));
        assert_eq!(read("bearer  t-1 "), Some("t-1".into()));
        assert_eq!(read("Bearer "), None);
        assert_eq!(read("Basic dXNlcg=="), None);
        assert_eq!(read("t-1"), None);
    }
}
