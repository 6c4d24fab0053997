//! [`Call`]: the context of one call, which the generated code hands to the progenitor hooks
//! explicitly (it is the inner value of a progenitor client made for the call), and what the
//! call's attempts share.
//!
//! A generated client keeps one progenitor client whose call is idle, to make requests with;
//! `send()` moves the request to a client made for the call, so the hooks and the outcome read
//! the same typed state and nothing travels in a task-local or an error string.

use crate::auth::TokenSource;
use crate::error::ApiErrorBody;
use crate::operation::Operation;
use crate::owner::Owner;
use crate::pacing::Refusal;
use crate::rate_limit::RateLimit;
use crate::runtime::Runtime;
use crate::telemetry::CallSpan;
use crate::token::{Token, TokenError};
use crate::validation::ValidationError;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use std::fmt;
use std::sync::Mutex;
use std::time::Instant;

/// The context of one call of a generated client: its runtime and, once started, its
/// operation and the state its attempts share. Generated code makes one per `send()`.
pub struct Call {
    runtime: Runtime,
    /// `None` for the idle call of a generated client's request maker, whose requests are
    /// never sent as they are.
    pub(crate) state: Option<CallState>,
}

impl Call {
    /// The call of a generated client's request maker: requests made with it are moved to a
    /// started call before they are sent; the hooks refuse to send one as it is.
    pub fn idle(runtime: Runtime) -> Call {
        Call {
            runtime,
            state: None,
        }
    }

    /// A call of `operation` starting now.
    pub fn start(runtime: &Runtime, operation: &'static Operation) -> Call {
        Call {
            runtime: runtime.clone(),
            state: Some(CallState {
                operation,
                span: CallSpan::new(operation),
                started: Instant::now(),
                changing: Mutex::new(Changing {
                    // A static token needs no owner: it is set now, and `pre` skips choosing one.
                    token: runtime.inner.tokens.fixed().cloned(),
                    owner: None,
                    head: None,
                    stopped: None,
                    budget_key: None,
                    ticket: None,
                    rate_limit: None,
                }),
            }),
        }
    }

    /// The runtime the call goes through.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("runtime", &self.runtime)
            .field("operation", &self.state.as_ref().map(|s| s.operation.id))
            .finish()
    }
}

/// What the attempts of one started call share.
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

/// The status and headers of a response, kept for error reports.
#[derive(Clone, Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
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
