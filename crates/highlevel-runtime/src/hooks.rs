//! What happens to every request of a generated client, through progenitor's `ClientHooks`.
//!
//! build.rs implements `ClientHooks` for each generated `Client` by calling [`pre`] and
//! [`exec`] with the client's inner value, the [`Call`] it was made for. `pre` sets the headers the runtime owns (`Authorization`, the operation's
//! `Version`, `User-Agent`), removes the `api-version` header progenitor adds on its own, sets
//! the per-attempt timeout, and refuses a path with an empty parameter before anything is sent.
//! `exec` sends the request, and sends it again when the retry policy allows (429, a 401 the
//! token provider can fix, and for idempotent operations a 502/503/504, a timeout or a reset);
//! it remembers the response head and caps how much of the body is read.

use crate::call::{Call, CallState, Stop};
use crate::capped_body::cap_body;
use crate::retry::{self, Decision, Failure, Outcome};
use crate::runtime::Runtime;
use crate::validation::{Rule, ValidationError};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderName, USER_AGENT};

/// progenitor sends `api-version: <info.version>` on every request; HighLevel wants `Version`.
const PROGENITOR_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");
const VERSION: HeaderName = HeaderName::from_static("version");

/// What `pre` answers progenitor when a request must not be sent. Only progenitor reads it: the
/// call keeps why, as a typed [`Stop`], which the outcome reports.
const REFUSED: &str = "request refused before sending";

/// Prepares `request` for sending, and takes a slot of its sub-account's rate budget (see
/// [`Pacing`](crate::Pacing)). An `Err` stops the call before anything is sent.
pub async fn pre(call: &Call, request: &mut reqwest::Request) -> Result<(), String> {
    let runtime = call.runtime();
    let Some(call) = call.state.as_ref() else {
        return Err("a generated client's request must be sent through a started call".into());
    };
    if let Err(refusal) = check_path(call.operation.path, request.url().path()) {
        call.stop(Stop::Refused(refusal));
        return Err(REFUSED.into());
    }
    let inner = &runtime.inner;
    if !call.has_token() {
        // A provider's token: the one of the sub-account or company the request names, else
        // of the one the client was made for.
        let owner =
            crate::owner::named_by(call.operation, request).or_else(|| runtime.owner().cloned());
        match inner.tokens.get(owner.as_ref()).await {
            Ok(token) => call.use_token(owner, token),
            Err(e) => {
                call.stop(Stop::Token(e));
                return Err(REFUSED.into());
            }
        }
    }
    if !inner.pacer.is_off() {
        let key = inner.pacer.key_of(request, || {
            call.token()
                .map(|t| t.expose_secret().to_string())
                .unwrap_or_default()
        });
        let taken = inner.pacer.acquire(&key).await;
        call.set_budget_key(key);
        match taken {
            Ok(ticket) => call.set_ticket(ticket),
            Err(refusal) => {
                call.stop(Stop::Throttled(refusal));
                return Err(REFUSED.into());
            }
        }
    }
    let headers = request.headers_mut();
    headers.remove(PROGENITOR_VERSION_HEADER);
    let version = match &inner.version {
        Some(version) => version.clone(),
        None => reqwest::header::HeaderValue::from_static(call.operation.version),
    };
    headers.insert(VERSION, version);
    headers.insert(USER_AGENT, inner.user_agent.clone());
    if let Some(authorization) = call.authorization() {
        headers.insert(AUTHORIZATION, authorization);
    }
    // A raw body made by `Multipart` goes out as the form it is.
    let form = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .and_then(crate::multipart::content_type_of)
        .and_then(|t| reqwest::header::HeaderValue::from_str(&t).ok());
    if let Some(content_type) = form {
        request
            .headers_mut()
            .insert(reqwest::header::CONTENT_TYPE, content_type);
    }
    // A client the caller supplied may have another timeout; one the runtime built has this
    // one already.
    if inner.timeout_per_request {
        *request.timeout_mut() = Some(inner.timeout);
    }
    Ok(())
}

/// Refuses a path whose parameter is empty (`/contacts/` for `/contacts/{contactId}`),
/// which would reach another endpoint. The template's segments are matched against the end of
/// the URL's path, so a base URL with a path prefix works too.
fn check_path(template: &str, path: &str) -> Result<(), ValidationError> {
    if !template.contains('{') {
        return Ok(());
    }
    let expected: Vec<&str> = template.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    let Some(start) = actual.len().checked_sub(expected.len()) else {
        return Ok(());
    };
    for (want, got) in expected.iter().zip(&actual[start..]) {
        if let Some(name) = want.strip_prefix('{').and_then(|w| w.strip_suffix('}'))
            && got.is_empty()
        {
            return Err(ValidationError::single(
                name,
                Rule::REQUIRED,
                "is a path parameter and must not be empty",
            ));
        }
    }
    Ok(())
}

/// Sends `request`, again when the retry policy allows, and returns the last response (with a
/// capped body) or the last transport error.
pub async fn exec(
    call: &Call,
    http: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    match call.state.as_ref() {
        // Boxed: reqwest's request future is large, and the generated future that holds this
        // one would copy it whenever it moves.
        Some(state) => Box::pin(send_with_retries(call.runtime(), http, request, state)).await,
        // `pre` refuses requests of an idle call, so this is not reached; send once, plainly.
        None => http.execute(request).await,
    }
}

async fn send_with_retries(
    runtime: &Runtime,
    http: &reqwest::Client,
    mut request: reqwest::Request,
    call: &CallState,
) -> reqwest::Result<reqwest::Response> {
    let inner = &runtime.inner;
    let idempotent = call.operation.is_idempotent();
    let mut refreshed = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        call.span.attempt(attempt);
        // A body built from bytes clones cheaply; a streamed body cannot be sent twice.
        let spare = request.try_clone();
        let result = http.execute(request).await;
        let (outcome, rate_limit) = match &result {
            Ok(response) => {
                let status = response.status();
                call.span.response(Some(status.as_u16()), None);
                call.record(status, response.headers());
                if let Some(key) = call.budget_key() {
                    let reported = crate::RateLimit::from_headers(response.headers());
                    inner.pacer.observe(&key, call.ticket(), &reported);
                    call.keep_rate_limit(reported);
                }
                (
                    Outcome::Status(status.as_u16()),
                    (status == StatusCode::TOO_MANY_REQUESTS)
                        .then(|| crate::RateLimit::from_headers(response.headers())),
                )
            }
            Err(e) if e.is_connect() => (Outcome::ConnectFailed, None),
            Err(_) => (Outcome::NoResponse, None),
        };
        let Some(mut next) = spare else {
            return finish(result, inner.max_response_bytes);
        };
        if outcome == Outcome::Status(401) && !refreshed {
            refreshed = true;
            match call.refresh_token(&inner.tokens).await {
                Some(authorization) => {
                    call.span
                        .retrying(std::time::Duration::ZERO, &"401 with a refreshed token");
                    next.headers_mut().insert(AUTHORIZATION, authorization);
                    request = next;
                    attempt -= 1; // A refresh does not use up the retry policy's attempts.
                    continue;
                }
                None => return finish(result, inner.max_response_bytes),
            }
        }
        let failure = retry::classify(outcome, idempotent, || {
            let limit = rate_limit.unwrap_or_default();
            (limit.suggested_wait(), limit.daily_exhausted())
        });
        if failure == Failure::Final {
            return finish(result, inner.max_response_bytes);
        }
        match retry::decide(
            &inner.retry,
            failure,
            attempt,
            call.started.elapsed(),
            retry::jitter(),
        ) {
            Decision::RetryAfter(wait) => {
                call.span.retrying(wait, &RetryReason(failure));
                tokio::time::sleep(wait).await;
                // The attempt after the wait takes a slot like the first one; without one the
                // last answer stands.
                if let Some(key) = call.budget_key() {
                    match inner.pacer.acquire(&key).await {
                        Ok(ticket) => call.set_ticket(ticket),
                        Err(_) => return finish(result, inner.max_response_bytes),
                    }
                }
                drop(result);
                request = next;
            }
            Decision::GiveUp => return finish(result, inner.max_response_bytes),
        }
    }
}

fn finish(
    result: reqwest::Result<reqwest::Response>,
    max_response_bytes: usize,
) -> reqwest::Result<reqwest::Response> {
    result.map(|response| cap_body(response, max_response_bytes))
}

/// Why an attempt is retried, for the trace.
struct RetryReason(Failure);

impl std::fmt::Display for RetryReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Failure::Connect => "could not connect",
            Failure::RateLimited { .. } => "429 rate limited",
            Failure::Unavailable => "no answer or a gateway error on an idempotent request",
            Failure::Final => "final",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_path_parameters_are_refused() {
        let template = "/contacts/{contactId}/notes/{noteId}";
        assert!(check_path(template, "/contacts/c1/notes/n1").is_ok());
        assert!(check_path(template, "/prefix/contacts/c1/notes/n1").is_ok());
        let error = check_path(template, "/contacts//notes/n1").unwrap_err();
        assert!(error.has("contactId", Rule::REQUIRED), "{error}");
        let error = check_path(template, "/contacts/c1/notes/").unwrap_err();
        assert!(error.has("noteId", Rule::REQUIRED), "{error}");
        assert!(check_path("/contacts/", "/contacts/").is_ok());
    }
}
