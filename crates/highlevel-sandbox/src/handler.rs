//! What the sandbox answers a request, in HighLevel's order: route, token, rate limit,
//! `Version` header, path and query parameters, JSON body and its check, then the operation
//! itself (by the client's [`Resources`](crate::Resources), else made from the document).

use crate::Shared;
use crate::bearer::{INVALID_TOKEN, bearer};
use crate::limits::Verdict;
use crate::oauth::Access;
use crate::reply::Reply;
use crate::resources::Call;
use crate::router::{self, Route};
use crate::webhooks::{self, Answered, WebhookFault};
use crate::{kinds, params};
use highlevel_runtime::ApiErrorMessage;
use highlevel_runtime::validation::Rule;
use hyper::StatusCode;
use hyper::header::{ALLOW, HeaderMap, HeaderValue};
use hyper::http::request;
use serde_json::Value;
use std::time::Instant;

/// The rate-limit key of a request: its sub-account (the body's `locationId`, else the query's,
/// else the location of what the path names, as the client's resources know it), else its
/// token. `body` is the request body parsed, when it is JSON.
pub(crate) fn limit_key(
    headers: &HeaderMap,
    query: &[(String, String)],
    body: Option<&Value>,
    path_location: Option<String>,
) -> String {
    let from_body = body.and_then(|v| v["locationId"].as_str().map(str::to_string));
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
        .or(path_location);
    match location {
        Some(location) => format!("location:{location}"),
        None => format!("token:{}", bearer(headers).unwrap_or_default()),
    }
}

/// The rate-limit key of a request before anything else is known of it (for injected faults
/// and refusals before routing).
pub(crate) fn early_key(head: &request::Parts, body: &[u8]) -> String {
    let query = router::query_pairs(head.uri.query().unwrap_or_default());
    let body = serde_json::from_slice::<Value>(body).ok();
    limit_key(&head.headers, &query, body.as_ref(), None)
}

/// The answer to one request whose body was read in full.
/// `webhook` is what a fault does to the webhook the request sends.
pub(crate) fn answer(
    shared: &Shared,
    head: &request::Parts,
    body: &[u8],
    webhook: Option<WebhookFault>,
) -> Reply {
    let now = Instant::now();
    let path = head.uri.path();
    let query = router::query_pairs(head.uri.query().unwrap_or_default());
    // Parsed once: for the rate-limit key, then as the body checked.
    let parsed = serde_json::from_slice::<Value>(body);
    let json = parsed.as_ref().ok();
    if path == crate::served::PATH && head.method == hyper::Method::GET {
        return Reply::json_bytes(StatusCode::OK, shared.served.clone());
    }
    if path == webhooks::KEYS_PATH && head.method == hyper::Method::GET {
        return Reply::json(StatusCode::OK, &shared.webhooks.public_keys().to_json());
    }
    if let Some(reply) = shared.oauth.as_ref().and_then(|o| o.serve(head, body, now)) {
        shared.send_app_events(webhook);
        let report = shared
            .limiter()
            .peek(&limit_key(&head.headers, &query, json, None), now);
        return reply.with_limits(&report);
    }
    let (operation, params) = match shared.router.route(head.method.as_str(), path) {
        Route::Operation { operation, params } => (operation, params),
        Route::NotFound => {
            let report = shared
                .limiter()
                .peek(&limit_key(&head.headers, &query, json, None), now);
            let message = format!("Cannot {} {path}", head.method);
            return Reply::error_one(StatusCode::NOT_FOUND, message).with_limits(&report);
        }
        Route::WrongMethod { allowed } => {
            let report = shared
                .limiter()
                .peek(&limit_key(&head.headers, &query, json, None), now);
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
    let mut call = Call {
        document: shared.document,
        operation,
        params,
        query,
        head,
        raw_body: body,
        body: None,
    };
    let path_location = shared
        .resources
        .location_of(&call)
        .or_else(|| shared.store.location_of(&call));
    let key = limit_key(&head.headers, &call.query, json, path_location.clone());
    let token = bearer(&head.headers);
    let access = match &shared.oauth {
        None if token.is_some_and(|token| shared.settings.accepts(token)) => {
            Ok(Access::Unrestricted)
        }
        None => Err(Box::new(Reply::error_one(
            StatusCode::UNAUTHORIZED,
            INVALID_TOKEN,
        ))),
        Some(oauth) => {
            let is_static = token.is_some_and(|token| shared.settings.is_static(token));
            oauth.admit(&call, token, is_static, path_location.as_deref(), now)
        }
    };
    let access = match access {
        Ok(access) => access,
        Err(refusal) => {
            let report = shared.limiter().peek(&key, now);
            return (*refusal).with_limits(&report);
        }
    };
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
    checked(shared, &mut call, parsed, &access, webhook).with_limits(&report)
}

/// The operation's own checks (`Version`, query, body), then its answer.
fn checked(
    shared: &Shared,
    call: &mut Call<'_>,
    parsed: serde_json::Result<Value>,
    access: &Access,
    webhook: Option<WebhookFault>,
) -> Reply {
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
    let document = call.document;
    let operation = document.operation(call.operation.id);
    let blank_is_missing = shared.settings.validation.checks(Rule::REQUIRED);
    let problems = operation
        .map(|op| params::problems(document, op, &call.params, &call.query, blank_is_missing))
        .unwrap_or_default();
    if !problems.is_empty() {
        return Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorMessage::Many(problems),
        );
    }
    if let Some(declared) = operation.and_then(|op| document.body_schema(op)) {
        match body_of(shared, call, parsed, declared) {
            Ok(body) => call.body = Some(body),
            Err(refusal) => return *refusal,
        }
    }
    respond(shared, call, access, webhook)
}

/// The request body, parsed and checked as the client checks it before sending.
fn body_of(
    shared: &Shared,
    call: &Call<'_>,
    parsed: serde_json::Result<Value>,
    declared: &'static Value,
) -> Result<Value, Box<Reply>> {
    let request: Value = parsed.map_err(|e| {
        Box::new(Reply::error_one(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
        ))
    })?;
    let mut problems = kinds::problems(call.document, declared, &request);
    if let Err(checked) = shared.api.check(
        call.document,
        call.operation,
        call.raw_body,
        &shared.settings.validation,
    ) {
        problems.extend(checked);
    }
    if problems.is_empty() {
        return Ok(request);
    }
    Err(Box::new(Reply::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiErrorMessage::Many(problems),
    )))
}

/// The answer of an authorized, well-formed request; with OAuth on, the state's answer only
/// when the token reaches its sub-account. Its webhook, if any, is queued.
fn respond(
    shared: &Shared,
    call: &Call<'_>,
    access: &Access,
    webhook: Option<WebhookFault>,
) -> Reply {
    let stated = shared
        .resources
        .answer(call)
        .or_else(|| shared.store.answer(call));
    if let Some(reply) = stated {
        let reply = match &shared.oauth {
            Some(oauth) => oauth.screen(access, reply),
            None => reply,
        };
        shared
            .webhooks
            .after_call(call, &reply, Answered::ByState, webhook);
        return reply;
    }
    let id = call.operation.id;
    let reply = match call.document.answer(id) {
        Some((status, Some(value))) => Reply::json(*status, value),
        Some((status, None)) => Reply::empty(*status),
        None => Reply::error_one(StatusCode::NOT_FOUND, format!("no operation {id}")),
    };
    shared
        .webhooks
        .after_call(call, &reply, Answered::FromDocument, webhook);
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::AUTHORIZATION;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn limit_key(
        headers: &HeaderMap,
        query: &[(String, String)],
        body: &[u8],
        path_location: Option<String>,
    ) -> String {
        let body = serde_json::from_slice::<Value>(body).ok();
        super::limit_key(headers, query, body.as_ref(), path_location)
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
}
