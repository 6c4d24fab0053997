//! [`Runtime`]: what every call of one client shares.

use crate::auth::TokenSource;
use crate::owner::Owner;
use crate::retry::RetryPolicy;
use crate::validation::Validation;
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The configured state every call of one client shares: HTTP client, server, token source,
/// headers, limits, retry policy and validation. Cheap to clone (one `Arc`).
///
/// Every call of a generated client carries it in the call's context, which progenitor's hooks
/// read. Build it with [`ClientBuilder`](crate::ClientBuilder).
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<RuntimeInner>,
    /// Whose token a call uses when it names no sub-account or company itself.
    owner: Option<Owner>,
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
            owner: None,
        }
    }

    /// The same client, whose calls act for `owner` when they name no sub-account or company
    /// themselves (`GET /contacts/{contactId}` names neither). With
    /// [`OAuthTokens`](crate::oauth::OAuthTokens), that chooses the token; a static token is
    /// sent as it is. It shares everything else, connections and rate budgets included, with
    /// the client it was made from. Generated clients offer it as `for_location` and
    /// `for_company`.
    ///
    /// ```
    /// use highlevel_runtime::{ClientBuilder, Runtime, oauth::Owner};
    ///
    /// let runtime: Runtime = ClientBuilder::new().token("pit-xxxxxxxx").build()?;
    /// let in_sub_account = runtime.for_owner(Owner::location("loc_1"));
    /// assert_eq!(in_sub_account.owner(), Some(&Owner::location("loc_1")));
    /// assert_eq!(runtime.owner(), None);
    /// # Ok::<(), highlevel_runtime::BuildError>(())
    /// ```
    pub fn for_owner(&self, owner: Owner) -> Runtime {
        Runtime {
            inner: Arc::clone(&self.inner),
            owner: Some(owner),
        }
    }

    /// Whose token calls that name no owner use (see [`Runtime::for_owner`]).
    pub fn owner(&self) -> Option<&Owner> {
        self.owner.as_ref()
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
            .field("owner", &self.owner)
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
