//! [`Runtime`]: what every call of one client shares.

use crate::auth::TokenSource;
use crate::retry::RetryPolicy;
use crate::validation::Validation;
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The configured state every call of one client shares: HTTP client, server, token source,
/// headers, limits, retry policy and validation. Cheap to clone (one `Arc`).
///
/// A generated client carries it as progenitor's "inner" value; its hooks and
/// [`Runtime::send`] read it on every call. Build it with [`ClientBuilder`](crate::ClientBuilder).
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<RuntimeInner>,
}

pub(crate) struct RuntimeInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) tokens: TokenSource,
    pub(crate) user_agent: HeaderValue,
    /// The client-wide `Version` override; each operation's own value otherwise.
    pub(crate) version: Option<HeaderValue>,
    pub(crate) max_response_bytes: usize,
    pub(crate) timeout: Duration,
    /// Whether `http` is a client the caller supplied, whose own timeout may differ: then the
    /// timeout is set on every request (reqwest keeps it in the request's extensions, which a
    /// retry copies).
    pub(crate) timeout_per_request: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) validation: Validation,
    /// The pacing mode and every sub-account's rate budget, shared by all clones and tasks.
    pub(crate) pacer: crate::pacing::Pacer,
}

impl Runtime {
    pub(crate) fn new(inner: RuntimeInner) -> Runtime {
        Runtime {
            inner: Arc::new(inner),
        }
    }

    /// The API server, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The HTTP client requests go through.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The rules requests are checked against unless a request says otherwise.
    pub fn validation(&self) -> &Validation {
        &self.inner.validation
    }

    /// When failed requests are sent again.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// How long one attempt may take.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Runtime")
            .field("base_url", &inner.base_url)
            .field("token", &"** redacted **")
            .field("version", &inner.version)
            .field("timeout", &inner.timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("retry", &inner.retry)
            .field("validation", &inner.validation)
            .field("pacing", &inner.pacer)
            .finish_non_exhaustive()
    }
}
