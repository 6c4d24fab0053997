//! Building a client: token, server, timeouts, headers, retries, validation.
//!
//! The builder is generic over the generated client it builds ([`GeneratedClient`]), so every
//! HighLevel client generated on this runtime is configured the same way.

use crate::auth::{TokenProvider, TokenSource};
pub use crate::build_error::BuildError;
use crate::pacing::Pacing;
use crate::retry::RetryPolicy;
use crate::runtime::{Runtime, RuntimeInner};
use crate::token::Token;
use crate::validation::Validation;
use reqwest::Url;
use reqwest::header::HeaderValue;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// HighLevel's API server.
pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";

/// The environment variable holding the access token.
pub const ENV_TOKEN: &str = "HIGHLEVEL_TOKEN";
/// The environment variable holding the base URL (optional).
pub const ENV_BASE_URL: &str = "HIGHLEVEL_BASE_URL";
/// The environment variable holding the sub-account (location) id (optional).
pub const ENV_LOCATION_ID: &str = "HIGHLEVEL_LOCATION_ID";

/// A client generated on this runtime: what [`ClientBuilder::build`] makes from a
/// [`Runtime`]. build.rs implements it for each generated `Client`.
pub trait GeneratedClient: Sized {
    /// The `User-Agent` sent unless one is configured: the generated crate's name and version.
    const USER_AGENT: &'static str;

    /// Wraps the configured runtime.
    fn from_runtime(runtime: Runtime) -> Self;
}

impl GeneratedClient for Runtime {
    const USER_AGENT: &'static str = concat!("highlevel-runtime/", env!("CARGO_PKG_VERSION"));

    fn from_runtime(runtime: Runtime) -> Self {
        runtime
    }
}

/// Configures and builds a client; start with the generated client's `Client::builder()`.
///
/// ```
/// use highlevel_runtime::{ClientBuilder, RetryPolicy, Runtime};
/// use std::time::Duration;
///
/// let runtime = ClientBuilder::<Runtime>::new()
///     .token("pit-xxxxxxxx")
///     .timeout(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::default().max_attempts(5))
///     .build()?;
/// assert_eq!(runtime.base_url(), "https://services.leadconnectorhq.com");
/// # Ok::<(), highlevel_runtime::BuildError>(())
/// ```
#[must_use]
pub struct ClientBuilder<C = Runtime> {
    tokens: Option<Result<TokenSource, BuildError>>,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: Option<String>,
    api_version: Option<String>,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    max_response_bytes: usize,
    validation: Validation,
    pacing: Pacing,
    #[cfg(feature = "redis")]
    fleet: Option<crate::pacing::FleetBudget>,
    client: PhantomData<fn() -> C>,
}

impl<C: GeneratedClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("ClientBuilder");
        f.field("token", &self.tokens.as_ref().map(|_| "** redacted **"))
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("validation", &self.validation)
            .field("pacing", &self.pacing);
        #[cfg(feature = "redis")]
        f.field("fleet_budget", &self.fleet);
        f.finish_non_exhaustive()
    }
}

impl<C: GeneratedClient> ClientBuilder<C> {
    /// The defaults: HighLevel's server, 10 s to connect, 30 s per attempt, a 1 MiB response
    /// cap, [`RetryPolicy::default`] and [`Validation::default`].
    pub fn new() -> Self {
        ClientBuilder {
            tokens: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: None,
            api_version: None,
            retry: RetryPolicy::default(),
            http: None,
            max_response_bytes: 1024 * 1024,
            validation: Validation::default(),
            pacing: Pacing::default(),
            #[cfg(feature = "redis")]
            fleet: None,
            client: PhantomData,
        }
    }

    /// A static bearer token: a sub-account access token or a Private Integration Token.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        let token = token.into();
        self.tokens = Some(
            token
                .header_value()
                .map(|_| TokenSource::Static(token))
                .map_err(|e| BuildError::InvalidToken(e.to_string())),
        );
        self
    }

    /// A provider of refreshable tokens, used instead of a static token. For HighLevel's OAuth
    /// give [`OAuthTokens`](crate::oauth::OAuthTokens): each call then uses the token of the
    /// sub-account it names.
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.tokens = Some(Ok(TokenSource::new(Arc::new(provider))));
        self
    }

    /// The API server, `https://services.leadconnectorhq.com` by default. Plain `http://` is
    /// accepted only for loopback hosts (a local sandbox), since the token would travel in clear.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How long establishing a connection may take (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, from connecting to the end of the body (30 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header (the generated crate's `<name>/<version>` by default).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// One `Version` header for every operation. By default each operation sends the value
    /// HighLevel's document gives for it (documents mix `2021-04-15` and `2021-07-28`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// When failed calls are sent again (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends through an existing `reqwest::Client` (to share its connection pool).
    /// `timeout` is still applied per request; `connect_timeout` and the redirect policy are
    /// that client's (this crate's own client follows no redirect). With the `rustls` feature,
    /// call [`install_tls_provider`](crate::install_tls_provider) before building it unless your
    /// application enables a rustls crypto provider itself.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The most bytes of a response body the client reads (1 MiB by default); a larger body is
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Which rules requests are checked against before sending (see [`Validation`]).
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// What a call does when its sub-account's rate budget has no slot free: wait for one
    /// (up to 15 s by default), fail at once, or send anyway (see [`Pacing`]).
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Takes rate-budget slots from a budget that every process of a fleet shares, kept in
    /// Redis (see [`FleetBudget`](crate::FleetBudget)), instead of this process's own. The
    /// [pacing](ClientBuilder::pacing) mode still applies; [`Pacing::off`] sends without
    /// asking either budget.
    ///
    /// ```
    /// use highlevel_runtime::{ClientBuilder, FleetBudget, Runtime};
    ///
    /// let runtime: Runtime = ClientBuilder::new()
    ///     .token("pit-xxxxxxxx")
    ///     .fleet_budget(FleetBudget::redis("redis://10.0.0.5:6379/2")?.app("sync-workers"))
    ///     .build()?;
    /// assert!(format!("{runtime:?}").contains("10.0.0.5:6379"));
    /// # Ok::<(), highlevel_runtime::BuildError>(())
    /// ```
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn fleet_budget(mut self, fleet: crate::pacing::FleetBudget) -> Self {
        self.fleet = Some(fleet);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<C, BuildError> {
        let tokens = self.tokens.ok_or(BuildError::MissingToken)??;
        let base_url = check_base_url(&self.base_url)?;
        let header = |value: &str, name: &'static str| {
            HeaderValue::from_str(value).map_err(|_| BuildError::InvalidHeader(name))
        };
        let user_agent = header(
            self.user_agent.as_deref().unwrap_or(C::USER_AGENT),
            "User-Agent",
        )?;
        let version = match &self.api_version {
            Some(version) => Some(header(version, "Version")?),
            None => None,
        };
        let timeout_per_request = self.http.is_some();
        let http = match self.http {
            Some(http) => http,
            None => {
                crate::tls::install_tls_provider();
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(BuildError::Http)?
            }
        };
        Ok(C::from_runtime(Runtime::new(RuntimeInner {
            http,
            base_url,
            tokens,
            user_agent,
            version,
            max_response_bytes: self.max_response_bytes,
            timeout: self.timeout,
            timeout_per_request,
            retry: self.retry,
            validation: self.validation,
            pacer: {
                let pacer = crate::pacing::Pacer::new(self.pacing);
                #[cfg(feature = "redis")]
                let pacer = pacer.with_fleet(self.fleet);
                pacer
            },
        })))
    }
}

/// Parses the base URL and refuses plain HTTP to anything but loopback. Returns it without a
/// trailing slash, as the generated client appends each operation's path (`/contacts/`).
pub(crate) fn check_base_url(raw: &str) -> Result<String, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidBaseUrl {
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    let url = Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a base URL cannot have a query or a fragment"));
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(BuildError::InsecureBaseUrl {
                    url: raw.to_string(),
                });
            }
        }
        other => return Err(invalid(&format!("the scheme must be https, not `{other}`"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("a base URL cannot carry credentials"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Settings read from the environment: `HIGHLEVEL_TOKEN`, `HIGHLEVEL_BASE_URL` and
/// `HIGHLEVEL_LOCATION_ID`. Empty variables count as unset.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct EnvSettings {
    /// `HIGHLEVEL_TOKEN`.
    pub token: Option<Token>,
    /// `HIGHLEVEL_BASE_URL`.
    pub base_url: Option<String>,
    /// `HIGHLEVEL_LOCATION_ID`: the sub-account to work in.
    pub location_id: Option<String>,
}

impl fmt::Debug for EnvSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvSettings")
            .field("token", &self.token)
            .field("base_url", &self.base_url)
            .field("location_id", &self.location_id)
            .finish()
    }
}

impl EnvSettings {
    /// Reads the variables.
    pub fn from_env() -> EnvSettings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        EnvSettings {
            token: var(ENV_TOKEN).map(Token::new),
            base_url: var(ENV_BASE_URL),
            location_id: var(ENV_LOCATION_ID),
        }
    }

    /// A builder with the token and base URL set from these settings.
    pub fn client_builder<C: GeneratedClient>(&self) -> Result<ClientBuilder<C>, BuildError> {
        let token = self
            .token
            .clone()
            .ok_or(BuildError::MissingEnv(ENV_TOKEN))?;
        let mut builder = ClientBuilder::new().token(token);
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert_eq!(
            check_base_url("https://services.leadconnectorhq.com/").unwrap(),
            "https://services.leadconnectorhq.com"
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(check_base_url("http://localhost:1/prefix/").is_ok());
        assert!(check_base_url("http://[::1]:1").is_ok());
        assert!(matches!(
            check_base_url("http://example.com"),
            Err(BuildError::InsecureBaseUrl { .. })
        ));
        assert!(matches!(
            check_base_url("not a url"),
            Err(BuildError::InvalidBaseUrl { .. })
        ));
        assert!(matches!(
            check_base_url("ftp://example.com"),
            Err(BuildError::InvalidBaseUrl { .. })
        ));
        assert!(check_base_url("https://user:pw@example.com").is_err());
    }
}
