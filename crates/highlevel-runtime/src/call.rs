//! One call: the state its attempts share, and [`Runtime::send`], which every generated
//! operation goes through.
//!
//! progenitor's hooks receive only the generated client (built once per client) and the
//! request, so the state of the call in progress (its operation, token, span, the head of the
//! last response) travels in a task-local value scoped around the generated future.

use crate::auth::{Token, TokenError, TokenSource};
use crate::error::{ApiErrorBody, Error};
use crate::hooks::ResponseHead;
use crate::oauth::Owner;
use crate::operation::Operation;
use crate::outcome;
use crate::pacing::Refusal;
use crate::rate_limit::RateLimit;
use crate::response::Response;
use crate::runtime::Runtime;
use crate::telemetry::CallSpan;
use crate::validation::ValidationError;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

tokio::task_local! {
    static CALL: Arc<CallState>;
}

/// The call in progress on this task, if any.
pub(crate) fn current() -> Option<Arc<CallState>> {
    CALL.try_with(Arc::clone).ok()
}

/// What the attempts of one call share.
pub(crate) struct CallState {
    pub(crate) operation: &'static Operation,
    pub(crate) span: CallSpan,
    pub(crate) started: Instant,
    changing: Mutex<Changing>,
}

/// Why the hooks stopped a call: the runtime's error then says this rather than what progenitor
/// saw (a refused request, or the 401 that stands).
pub(crate) enum Stop {
    /// A check before sending refused the request.
    Refused(ValidationError),
    /// Pacing found no slot: nothing was sent.
    Throttled(Refusal),
    /// The provider gave no token, or failed to refresh a rejected one.
    Token(TokenError),
}

struct Changing {
    /// The token of the latest attempt; chosen by `pre` once it knows whose call this is,
    /// unless the client has one static token.
    token: Option<Token>,
    /// Whose token the call uses, once `pre` found out.
    owner: Option<Owner>,
    head: Option<ResponseHead>,
    /// Why the hooks stopped the call, if they did.
    stopped: Option<Stop>,
    /// The rate budget the call is charged to, once `pre` chose it.
    budget_key: Option<String>,
    /// The fleet budget's ticket for the slot of the latest attempt.
    ticket: Option<u64>,
    /// The rate-limit headers of the last answer, once read for pacing.
    rate_limit: Option<RateLimit>,
}

impl CallState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Changing> {
        self.changing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Bearer <token>` for the next attempt, once the call has a token.
    pub(crate) fn authorization(&self) -> Option<HeaderValue> {
        self.lock()
            .token
            .as_ref()
            .and_then(|token| token.header_value().ok())
    }

    pub(crate) fn has_token(&self) -> bool {
        self.lock().token.is_some()
    }

    /// Sets the token (and whose it is) that the call's attempts send.
    pub(crate) fn use_token(&self, owner: Option<Owner>, token: Token) {
        let mut changing = self.lock();
        changing.owner = owner;
        changing.token = Some(token);
    }

    /// A refreshed token's header after a 401, or `None` when the provider cannot refresh (or
    /// failed to).
    pub(crate) async fn refresh_token(&self, tokens: &TokenSource) -> Option<HeaderValue> {
        let (owner, rejected) = {
            let changing = self.lock();
            (changing.owner.clone(), changing.token.clone()?)
        };
        let fresh = match tokens.refresh(owner.as_ref(), &rejected).await {
            Ok(fresh) => fresh?,
            Err(e) => {
                self.stop(Stop::Token(e));
                return None;
            }
        };
        let authorization = fresh.header_value().ok()?;
        self.lock().token = Some(fresh);
        Some(authorization)
    }

    /// Remembers the head of a response: an error report needs the status and headers after
    /// the generated code consumed the response.
    pub(crate) fn record(&self, status: StatusCode, headers: &HeaderMap) {
        let headers = if status.is_success() {
            // A success keeps its headers in the generated response value.
            HeaderMap::new()
        } else {
            headers.clone()
        };
        self.lock().head = Some(ResponseHead { status, headers });
    }

    /// Records why the call stops (each reason ends the call, so there is one at most).
    pub(crate) fn stop(&self, reason: Stop) {
        self.lock().stopped = Some(reason);
    }

    pub(crate) fn take_stop(&self) -> Option<Stop> {
        self.lock().stopped.take()
    }

    pub(crate) fn head(&self) -> Option<ResponseHead> {
        self.lock().head.clone()
    }

    pub(crate) fn set_budget_key(&self, key: String) {
        self.lock().budget_key = Some(key);
    }

    pub(crate) fn budget_key(&self) -> Option<String> {
        self.lock().budget_key.clone()
    }

    pub(crate) fn set_ticket(&self, ticket: Option<u64>) {
        self.lock().ticket = ticket;
    }

    pub(crate) fn ticket(&self) -> Option<u64> {
        self.lock().ticket
    }

    /// Keeps the rate-limit state pacing read, so that the answer need not be read again.
    pub(crate) fn keep_rate_limit(&self, reported: RateLimit) {
        self.lock().rate_limit = Some(reported);
    }

    pub(crate) fn take_rate_limit(&self) -> Option<RateLimit> {
        self.lock().rate_limit.take()
    }

    /// The token of the latest attempt (set before pacing asks for it).
    pub(crate) fn token(&self) -> Option<Token> {
        self.lock().token.clone()
    }
}

/// What a generated operation's `send()` yields.
pub type GeneratedResult<T> = Result<ResponseValue<T>, progenitor_client::Error<ApiErrorBody>>;

impl Runtime {
    /// Runs one call of `operation`: `request` is the generated builder's `send()` future, not
    /// yet polled (or why the request was refused before it was built). The runtime gets a
    /// token, runs the future with the call's state (the hooks send, retry and cap the body),
    /// and turns its result into a [`Response`] or an [`Error`] that names the operation.
    /// Generated code calls this; it is public for it.
    pub async fn send<T, F>(
        &self,
        operation: &'static Operation,
        request: Result<F, Error>,
    ) -> Result<Response<T>, Error>
    where
        T: DeserializeOwned,
        F: Future<Output = GeneratedResult<T>>,
    {
        let request = request?;
        let span = CallSpan::new(operation);
        let started = Instant::now();
        let result = span
            .run(self.send_in_span(operation, request, &span, started))
            .await;
        span.finish(
            started.elapsed(),
            result
                .as_ref()
                .map(|_| ())
                .map_err(|e| e as &dyn std::fmt::Display),
        );
        result
    }

    async fn send_in_span<T, F>(
        &self,
        operation: &'static Operation,
        request: F,
        span: &CallSpan,
        started: Instant,
    ) -> Result<Response<T>, Error>
    where
        T: DeserializeOwned,
        F: Future<Output = GeneratedResult<T>>,
    {
        // A static token needs no owner: it is set now, and `pre` skips choosing one.
        let token = self.inner.tokens.fixed().cloned();
        let state = Arc::new(CallState {
            operation,
            span: span.clone(),
            started,
            changing: Mutex::new(Changing {
                token,
                owner: None,
                head: None,
                stopped: None,
                budget_key: None,
                ticket: None,
                rate_limit: None,
            }),
        });
        let result = CALL.scope(Arc::clone(&state), request).await;
        let result = outcome::map_result(result, &state, self).await;
        if let Err(error) = &result {
            span.response(error.status().map(|s| s.as_u16()), error.trace_id());
        }
        result
    }
}
