//! A stand-in for a HighLevel API on a loopback port, made from the API's normalized OpenAPI
//! document, for testing clients generated on `highlevel-runtime` and the code that uses them.
//!
//! [`SandboxBuilder::start`] binds a free port on `127.0.0.1` and serves every operation of an
//! [`Api`], routed by method and path template (a literal segment wins over a parameter:
//! `/calendars/events` is not calendar `events`). Every request goes through HighLevel's
//! checks, in this order:
//!
//! 1. An unknown path is a 404; a known path with another method a 405 with an `Allow` header.
//! 2. `Authorization: Bearer <token>` is required (any non-empty token, or only those given to
//!    [`SandboxBuilder::token`]); otherwise 401. With [`SandboxBuilder::oauth`] the sandbox
//!    speaks HighLevel's [`oauth`] protocol and takes only the tokens it issued (and those
//!    given to `token`), each for its own sub-account (403) and scopes (401).
//! 3. Past 100 requests in 10 seconds (or the configured limits) per sub-account, or past the
//!    daily limit, the answer is 429 with `Retry-After`.
//! 4. The `Version` header must be the operation's; otherwise 400.
//! 5. Path and query parameters must match the document: required ones given (not empty),
//!    each of its type, within its `enum` and bounds; otherwise 422 naming each.
//! 6. A body must be JSON (else 400) and pass the client's own check (or, for an API given by
//!    its document only, its schema); every problem is listed in a 422, each message starting
//!    with the field path. So is a value of another JSON kind than the document declares, or
//!    a `null` where it does not say `nullable` (serde, more lenient, reads `null` as absent
//!    and an array as a struct).
//!
//! Then the operation answers: a client's [`Resources`] answer the operations they keep state
//! for; every other operation answers its documented success status with a body made from its
//! response schema (the document's examples where they fit). Every answer carries HighLevel's
//! five `X-RateLimit-*` headers, every error body HighLevel's shape with a `traceId`.
//! [`Fault`]s make it misbehave on purpose: delays, 5xx, dropped connections, broken bodies,
//! webhooks twice or late. With [`SandboxBuilder::webhook_url`] it sends signed
//! [`webhooks`] as HighLevel does.
//! [`Sandbox::requests`] shows what reached it, and [`Api::example_request`] gives valid
//! arguments for any operation.
//!
//! ```
//! use highlevel_sandbox::{Api, Sandbox};
//!
//! const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
//!   "paths": {"/things/": {"get": {"operationId": "get-things",
//!     "x-highlevel-version": "2021-07-28",
//!     "responses": {"200": {"description": "ok", "content": {"application/json":
//!       {"schema": {"type": "object", "properties": {"count": {"type": "integer"}}}}}}}}}}}"#;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::builder(Api::from_document(DOCUMENT)?).start().await?;
//! assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
//! assert_eq!(sandbox.requests_received(), 0);
//! # Ok(())
//! # }
//! ```
//!
//! This file holds the handle, its builder and the record of a received request (about 550
//! lines with their tests); what a request is answered with lives in the modules below.

mod api;
mod bearer;
mod check;
mod document;
mod faults;
mod handler;
mod ids;
mod kinds;
mod limits;
pub mod oauth;
mod params;
mod reply;
mod resources;
mod router;
mod schema;
mod served;
mod server;
mod store;
mod synth;
pub mod webhooks;

pub use api::{Api, CheckBody, ExampleBody};
pub use document::Document;
pub use faults::Fault;
/// The status type of [`Reply`] (hyper's).
pub use hyper::StatusCode;

/// The workspace's Calendars document, a real one with HighLevel's examples, for the unit
/// tests.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::{Api, Document};

    pub(crate) fn calendars() -> Api {
        Api::from_document(include_str!("../../../openapi/calendars.json"))
            .expect("the normalized Calendars document")
    }

    pub(crate) fn document() -> &'static Document {
        calendars().document()
    }
}
pub use ids::new_id;
pub use oauth::{OAuthSettings, OAuthStats, Owner, OwnerCounts, RefreshTokenUse, SubAccount};
pub use reply::Reply;
pub use resources::{Call, Resources, Stateless};
pub use schema::json_schema;
pub use store::{Change, Complete, DEFAULT_MAX_RESOURCES, ResourceRules};
pub use webhooks::{WebhookPublicKeys, WebhookTrigger};

use faults::FaultQueue;
use highlevel_runtime::validation::Rule;
use highlevel_runtime::{ClientBuilder, GeneratedClient, Validation};
use limits::{Limiter, Limits};
use oauth::OAuth;
use router::Router;
use serde_json::Value;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::{Store, StoreSettings};
use tokio::task::JoinHandle;
use webhooks::{WebhookFault, Webhooks};

/// The token [`Sandbox::token`] hands out when no tokens were configured (any non-empty token
/// is accepted then).
pub const DEFAULT_TOKEN: &str = "sandbox-token";

/// A running sandbox. The server stops when this handle is dropped.
///
/// See the [module documentation](self) for what it serves and an example.
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    /// `None` only after [`Sandbox::shutdown`] took it.
    server: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("settings", &self.shared.settings)
            .field("requests_received", &self.requests_received())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts configuring a sandbox serving `api`.
    pub fn builder(api: Api) -> SandboxBuilder {
        SandboxBuilder::new(api)
    }

    /// The API served.
    pub fn api(&self) -> &Api {
        &self.shared.api
    }

    /// The URL to give a client as its base URL, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A token the sandbox accepts: the first one configured, else [`DEFAULT_TOKEN`].
    pub fn token(&self) -> &str {
        self.shared
            .settings
            .tokens
            .as_ref()
            .and_then(|tokens| tokens.first())
            .map_or(DEFAULT_TOKEN, String::as_str)
    }

    /// A client builder aimed at this sandbox with [`token`](Sandbox::token); add your own
    /// settings (timeouts, retries) before building.
    pub fn client_builder<C: GeneratedClient>(&self) -> ClientBuilder<C> {
        ClientBuilder::new()
            .base_url(self.base_url())
            .token(self.token())
    }

    /// Acts out `fault` on the next request (after any faults already waiting).
    pub fn inject(&self, fault: Fault) {
        self.inject_times(fault, 1);
    }

    /// Acts out `fault` on each of the next `times` requests (after any faults already
    /// waiting).
    pub fn inject_times(&self, fault: Fault, times: usize) {
        self.shared.faults().push(fault, times);
    }

    /// Forgets the faults no request has met yet.
    pub fn clear_faults(&self) {
        self.shared.faults().clear();
    }

    /// How many injected faults no request has met yet.
    pub fn pending_faults(&self) -> usize {
        self.shared.faults().len()
    }

    /// The OAuth app the sandbox speaks for, when [`SandboxBuilder::oauth`] turned it on.
    pub fn oauth_settings(&self) -> Option<&OAuthSettings> {
        self.shared.oauth.as_ref().map(|oauth| &oauth.settings)
    }

    /// What the OAuth endpoints did so far (empty with OAuth off).
    pub fn oauth_stats(&self) -> OAuthStats {
        self.shared
            .oauth
            .as_ref()
            .map(|oauth| oauth.grants().stats())
            .unwrap_or_default()
    }

    /// Revokes an access or refresh token the sandbox issued; whether it was one. A revoked
    /// refresh token presented later counts as a reuse.
    pub fn oauth_revoke(&self, token: &str) -> bool {
        self.shared
            .oauth
            .as_ref()
            .is_some_and(|oauth| oauth.grants().revoke(token))
    }

    /// Makes an access token expired now, as if its lifetime had passed; whether it was one.
    pub fn oauth_expire(&self, access_token: &str) -> bool {
        self.shared.oauth.as_ref().is_some_and(|oauth| {
            oauth
                .grants()
                .expire(access_token, std::time::Instant::now())
        })
    }

    /// Uninstalls the app from a sub-account: its tokens stop working and agency tokens no
    /// longer reach it. How many tokens were revoked.
    /// With webhooks on, this sends `UNINSTALL` when the app was installed there.
    pub fn oauth_uninstall(&self, location_id: &str) -> usize {
        let revoked = self
            .shared
            .oauth
            .as_ref()
            .map_or(0, |oauth| oauth.uninstall(location_id));
        self.shared.send_app_events(None);
        revoked
    }

    /// The public keys the sandbox signs its webhooks with, for the app under test to trust
    /// (with `highlevel_webhooks::PublicKey::from_pem` and its verifier builder's `trust`).
    /// The program serves the same at `GET /_sandbox/webhooks/keys`. See [`webhooks`].
    pub fn webhook_public_keys(&self) -> WebhookPublicKeys {
        self.shared.webhooks.public_keys().clone()
    }

    /// Every resource the sandbox keeps in the collection at `collection` (its path as the
    /// document writes it, such as `/calendars/`), in every scope, oldest first, as Get
    /// answers it (updates included). Empty for a path that is no collection.
    pub fn resources(&self, collection: &str) -> Vec<Value> {
        self.shared.store.resources(collection)
    }

    /// How many requests reached the server, whatever their answer (faults included).
    pub fn requests_received(&self) -> usize {
        self.shared.received.load(Ordering::SeqCst)
    }

    /// Every request that reached the server, oldest first, whatever its answer (faults
    /// included), as it arrived: method, path with query, headers (`Authorization` included)
    /// and body.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.requests).clone()
    }
}

impl Sandbox {
    /// Stops the server and waits until its port is closed, so that the next connection to it
    /// is refused; with a [state file](SandboxBuilder::state_file), folds its journal into it.
    /// Dropping the handle stops the server too, without waiting or folding (the next start
    /// folds the journal).
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            // Resolves once the task is gone, with it the listener and every connection.
            let _ = server.await;
        }
        if let Err(e) = self.shared.store.compact() {
            // Nothing is lost: the journal still holds what the snapshot lacks.
            eprintln!("sandbox: cannot fold the state file's journal in: {e}");
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Ends the accept loop, and with it every open connection (they are its subtasks).
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

/// Configures a [`Sandbox`]. Start with [`Sandbox::builder`].
///
/// ```
/// use highlevel_sandbox::{Api, Fault, Sandbox};
/// use std::time::Duration;
///
/// # const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
/// #   "paths": {"/things/": {"get": {"operationId": "get-things",
/// #     "responses": {"200": {"description": "ok"}}}}}}"#;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = Sandbox::builder(Api::from_document(DOCUMENT)?)
///     .token("pit-only-this-one")
///     .rate_limit(5, Duration::from_millis(500))
///     .daily_limit(1_000)
///     .fault(Fault::Status(502))
///     .start()
///     .await?;
/// assert_eq!(sandbox.token(), "pit-only-this-one");
/// assert_eq!(sandbox.pending_faults(), 1);
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct SandboxBuilder {
    api: Api,
    resources: Arc<dyn Resources>,
    addr: SocketAddr,
    settings: Settings,
    store: StoreSettings,
    faults: Vec<Fault>,
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("api", &self.api)
            .field("addr", &self.addr)
            .field("settings", &self.settings)
            .field("store", &self.store)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl SandboxBuilder {
    fn new(api: Api) -> Self {
        SandboxBuilder {
            api,
            resources: Arc::new(Stateless),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            settings: Settings {
                tokens: None,
                limits: Limits::default(),
                validation: Validation::stated(),
                log: false,
                record: true,
                oauth: None,
                webhook_url: None,
                webhook_triggers: Vec::new(),
                words_rules: Vec::new(),
            },
            store: StoreSettings::default(),
            faults: Vec::new(),
        }
    }
}

impl SandboxBuilder {
    /// The API it will serve.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Answers the operations `resources` keeps state for with it (by default every
    /// operation is answered from the document).
    pub fn resources(mut self, resources: Arc<dyn Resources>) -> Self {
        self.resources = resources;
        self
    }

    /// Logs one line per request to stderr: method, path, status and `traceId` (never a token
    /// or a body). The `highlevel-sandbox` program turns it on.
    pub fn log_requests(mut self, log: bool) -> Self {
        self.settings.log = log;
        self
    }

    /// Whether every request is kept for [`Sandbox::requests`] (yes by default). A server
    /// that runs long, like the `highlevel-sandbox` program, turns it off: nobody reads them
    /// there, and they would fill its memory. [`Sandbox::requests_received`] counts anyway.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.settings.record = record;
        self
    }

    /// Accepts only this token (call again to accept several). By default any non-empty bearer
    /// token is accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.settings
            .tokens
            .get_or_insert_with(Vec::new)
            .push(token.into());
        self
    }

    /// Speaks HighLevel's OAuth protocol for the app `settings` describes: the consent,
    /// token, location-token and installed-locations endpoints, and API calls that take only
    /// the tokens it issued (and those given to [`token`](SandboxBuilder::token)), each for
    /// its own sub-account and scopes. Off by default. See the [`oauth`] module for the whole
    /// protocol.
    ///
    /// With OAuth on, `Sandbox::token()` (and so `client_builder()`) works only when a token
    /// was given to `token`: the sandbox no longer takes any token it did not issue.
    ///
    /// ```
    /// use highlevel_sandbox::{Api, OAuthSettings, Sandbox};
    /// use std::time::Duration;
    ///
    /// # const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
    /// #   "paths": {"/things/": {"get": {"operationId": "get-things",
    /// #     "responses": {"200": {"description": "ok"}}}}}}"#;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::builder(Api::from_document(DOCUMENT)?)
    ///     .oauth(OAuthSettings::new("app-client", "app-secret").token_ttl(Duration::from_secs(2)))
    ///     .start()
    ///     .await?;
    /// // A browser (or a test) sent to this URL comes back to the redirect URI with a code.
    /// let consent = format!(
    ///     "{}/oauth/chooselocation?response_type=code&client_id=app-client\
    ///      &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&scope=things.readonly&locationId=loc",
    ///     sandbox.base_url()
    /// );
    /// # let _ = consent;
    /// assert_eq!(sandbox.oauth_stats().totals().tokens_issued, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn oauth(mut self, settings: OAuthSettings) -> Self {
        self.settings.oauth = Some(settings);
        self
    }

    /// Allows `max` requests per `interval` per location (100 per 10 seconds by default, as
    /// HighLevel documents). A short interval lets tests provoke a 429 quickly.
    pub fn rate_limit(mut self, max: u64, interval: Duration) -> Self {
        self.settings.limits.interval_max = max;
        self.settings.limits.interval = interval;
        self
    }

    /// Allows `max` requests per day per location (200,000 by default).
    pub fn daily_limit(mut self, max: u64) -> Self {
        self.settings.limits.daily = max;
        self
    }

    /// Which rules the sandbox checks bodies against, with the client's own checker
    /// (`Validation::stated()` by default, the rules HighLevel states). Decoding (types,
    /// required fields) is checked whatever this says.
    pub fn validation(mut self, validation: Validation) -> Self {
        self.settings.validation = validation;
        self
    }

    /// Queues a fault for the first requests, as [`Sandbox::inject`] does later.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Sends signed webhooks to `url` (an `http://` URL, such as the app's endpoint in a
    /// test): the events of the [`WebhookTrigger`]s and, with OAuth on, `INSTALL` and
    /// `UNINSTALL`. None are sent by default. [`start`](SandboxBuilder::start) refuses a URL
    /// that is not `http`. See [`webhooks`].
    ///
    /// ```
    /// use highlevel_sandbox::{Api, Sandbox};
    ///
    /// # const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
    /// #   "paths": {"/things/": {"get": {"operationId": "get-things",
    /// #     "responses": {"200": {"description": "ok"}}}}}}"#;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::builder(Api::from_document(DOCUMENT)?)
    ///     .webhook_url("http://127.0.0.1:9/webhooks")
    ///     .start()
    ///     .await?;
    /// assert!(sandbox.webhook_public_keys().rsa_pem.contains("PUBLIC KEY"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.settings.webhook_url = Some(url.into());
        self
    }

    /// Sends `trigger`'s event after each successful call of its operation (call again for
    /// more). A client crate's sandbox sets its own; see [`WebhookTrigger`].
    pub fn webhook_trigger(mut self, trigger: WebhookTrigger) -> Self {
        self.settings.webhook_triggers.push(trigger);
        self
    }

    /// Keeps the resources in `path` between runs. `path` holds a snapshot,
    /// `{"resources": [{"collection", "scope", "resource"}, …]}`, and `path.journal` beside it
    /// one JSON line per create, update or delete since (so a change costs the same however
    /// many resources are kept). Both are read when the sandbox starts (no file yet is no
    /// resource; a file that is not one [`start`](SandboxBuilder::start) refuses; a journal
    /// line cut short by a crash is ignored), then the journal is folded into a new snapshot,
    /// as it is when it grows past twice the resources kept and on
    /// [`Sandbox::shutdown`]. Each change reaches the kernel before it is answered, so a
    /// killed server loses nothing (a power cut may lose the last changes); snapshots are
    /// written beside and renamed over, so one is always whole. Without it nothing is written
    /// to disk.
    pub fn state_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.store.state_file = Some(path.into());
        self
    }

    /// Whether resources are kept (yes by default). With `false` every operation is answered
    /// from the document's examples, whatever was created before: for a test that calls each
    /// operation once with made-up ids, such as the one `cargo xtask new-client` writes. The
    /// [`rules`](SandboxBuilder::rules) and the [`state_file`](SandboxBuilder::state_file) are
    /// then ignored.
    pub fn keep_resources(mut self, keep: bool) -> Self {
        self.store.keep = keep;
        self
    }

    /// Keeps at most `max` resources ([`DEFAULT_MAX_RESOURCES`] by default); past it a create
    /// is answered 507 Insufficient Storage until something is deleted.
    pub fn max_resources(mut self, max: usize) -> Self {
        self.store.max_resources = max;
        self
    }

    /// Applies `rules` to the resources of the collection at `collection` (its path as the
    /// document writes it, such as `/calendars/`): what the document cannot state.
    /// [`start`](SandboxBuilder::start) refuses a path that is no collection.
    ///
    /// ```
    /// use highlevel_sandbox::{Api, ResourceRules, Sandbox};
    ///
    /// # const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
    /// #   "paths": {"/things": {"post": {"operationId": "create-thing",
    /// #     "responses": {"201": {"description": "ok", "content": {"application/json":
    /// #       {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}},
    /// #   "/things/{thingId}": {"get": {"operationId": "get-thing",
    /// #     "parameters": [{"name": "thingId", "in": "path", "required": true,
    /// #                     "schema": {"type": "string"}}],
    /// #     "responses": {"200": {"description": "ok"}}}}}}"#;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::builder(Api::from_document(DOCUMENT)?)
    ///     .rules("/things", ResourceRules::new().unique("slug", "locationId"))
    ///     .start()
    ///     .await?;
    /// assert!(sandbox.resources("/things").is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn rules(mut self, collection: impl Into<String>, rules: ResourceRules) -> Self {
        self.store.rules.push((collection.into(), rules));
        self
    }

    /// Lists `rule`, which the body check enforces but the document states only in words,
    /// in the document served at `GET /openapi.json` (under `x-highlevel-enforced-rules`, with
    /// `says`, what it requires), when the validation checks it. Call again for more.
    ///
    /// ```
    /// use highlevel_runtime::validation::Rule;
    /// use highlevel_sandbox::{Api, Sandbox};
    ///
    /// # const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
    /// #   "paths": {"/things/": {"get": {"operationId": "get-things",
    /// #     "responses": {"200": {"description": "ok"}}}}}}"#;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::builder(Api::from_document(DOCUMENT)?)
    ///     .words_rule(Rule::documented("one_owner"), "a thing has exactly one owner")
    ///     .start()
    ///     .await?;
    /// # let _ = sandbox;
    /// # Ok(())
    /// # }
    /// ```
    pub fn words_rule(mut self, rule: Rule, says: impl Into<String>) -> Self {
        self.settings.words_rules.push(served::WordsRule {
            rule,
            says: says.into(),
        });
        self
    }

    /// Listens on `addr` instead of a free port of `127.0.0.1`.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Binds the address and starts serving. Must be called within a Tokio runtime.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let operations = self.api.operations();
        let store = Store::open(self.api.document(), operations, self.store)?;
        let example_driven = store.example_driven(operations);
        let served = served::document(
            &self.api,
            &store,
            &self.settings.validation,
            &self.settings.words_rules,
            &example_driven,
        );
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let mut faults = FaultQueue::default();
        for fault in self.faults {
            faults.push(fault, 1);
        }
        let webhooks = Webhooks::start(
            self.settings.webhook_url.as_deref(),
            self.settings.webhook_triggers.clone(),
        )?;
        let oauth = self
            .settings
            .oauth
            .clone()
            .map(|settings| OAuth::new(settings, webhooks.enabled()));
        let shared = Arc::new(Shared {
            oauth,
            webhooks,
            router: Router::new(self.api.operations()),
            // Looked up once here: every request reads it.
            document: self.api.document(),
            api: self.api,
            resources: self.resources,
            store,
            served: bytes::Bytes::from(served.to_string()),
            limiter: Mutex::new(Limiter::new(self.settings.limits)),
            settings: self.settings,
            faults: Mutex::new(faults),
            received: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let server = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(Sandbox {
            addr,
            base_url: format!("http://{addr}"),
            shared,
            server: Some(server),
        })
    }
}

/// What a sandbox was configured with.
#[derive(Clone)]
struct Settings {
    /// The accepted tokens; `None` accepts any non-empty token.
    tokens: Option<Vec<String>>,
    limits: Limits,
    validation: Validation,
    /// Whether every request is logged to stderr.
    log: bool,
    /// Whether [`Sandbox::requests`] keeps what arrives.
    record: bool,
    /// The OAuth app, when the sandbox speaks OAuth.
    oauth: Option<OAuthSettings>,
    /// Where webhooks go, if anywhere.
    webhook_url: Option<String>,
    webhook_triggers: Vec<WebhookTrigger>,
    /// The rules stated only in words that the served document lists.
    words_rules: Vec<served::WordsRule>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Test tokens are often copies of real ones; like the client, never print them.
        let tokens = self
            .tokens
            .as_ref()
            .map(|t| format!("{} redacted", t.len()));
        f.debug_struct("Settings")
            .field("tokens", &tokens)
            .field("limits", &self.limits)
            .field("validation", &self.validation)
            .field("oauth", &self.oauth)
            // The URL may carry a secret of the app's (a path token): only whether there is one.
            .field("webhooks", &self.webhook_url.is_some())
            .field("webhook_triggers", &self.webhook_triggers.len())
            .finish()
    }
}

impl Settings {
    fn accepts(&self, token: &str) -> bool {
        self.tokens
            .as_ref()
            .is_none_or(|tokens| tokens.iter().any(|t| t == token))
    }

    /// Whether `token` is one given to [`SandboxBuilder::token`] (with OAuth on, only those
    /// and issued tokens are accepted).
    fn is_static(&self, token: &str) -> bool {
        self.tokens
            .as_ref()
            .is_some_and(|tokens| tokens.iter().any(|t| t == token))
    }
}

/// The state the handle and the server share.
struct Shared {
    api: Api,
    document: &'static Document,
    router: Router,
    resources: Arc<dyn Resources>,
    store: Store,
    /// The document served at `GET /openapi.json`.
    served: bytes::Bytes,
    settings: Settings,
    limiter: Mutex<Limiter>,
    faults: Mutex<FaultQueue>,
    received: AtomicUsize,
    requests: Mutex<Vec<ReceivedRequest>>,
    oauth: Option<OAuth>,
    webhooks: Webhooks,
}

impl Shared {
    /// Sends the `INSTALL` and `UNINSTALL` events OAuth kept.
    fn send_app_events(&self, fault: Option<WebhookFault>) {
        if let Some(oauth) = &self.oauth {
            for event in oauth.take_events() {
                self.webhooks.send(event, fault);
            }
        }
    }

    fn limiter(&self) -> MutexGuard<'_, Limiter> {
        lock(&self.limiter)
    }

    fn faults(&self) -> MutexGuard<'_, FaultQueue> {
        lock(&self.faults)
    }

    fn record(&self, request: impl FnOnce() -> ReceivedRequest) {
        if self.settings.record {
            lock(&self.requests).push(request());
        }
    }
}

/// A poisoned lock only means a test panicked elsewhere; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// A request as the sandbox received it, from [`Sandbox::requests`].
///
/// The `Authorization` header is kept as sent, so a test can check that its token reached the
/// server (`request.header("authorization")`); `Debug` shows it redacted, as the client never
/// prints a token either.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The method, such as `POST`.
    pub method: String,
    /// The path with the query as sent, such as `/calendars/?locationId=loc_1`.
    pub path: String,
    /// Every header in the order received, names in lower case; values that are not text are
    /// read lossily.
    pub headers: Vec<(String, String)>,
    /// The body as received (empty when there was none or it was too large to read).
    pub body: Vec<u8>,
}

impl ReceivedRequest {
    fn of(head: &hyper::http::request::Parts, body: bytes::Bytes) -> ReceivedRequest {
        ReceivedRequest {
            method: head.method.to_string(),
            path: head
                .uri
                .path_and_query()
                .map_or_else(|| head.uri.path().to_string(), |p| p.as_str().to_string()),
            headers: head
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_string(), value)
                })
                .collect(),
            body: body.to_vec(),
        }
    }

    /// The first value of the header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path_only(&self) -> &str {
        self.path
            .split_once('?')
            .map_or(&self.path, |(path, _)| path)
    }

    /// The query's `name=value` pairs, percent-decoded, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        self.path
            .split_once('?')
            .map(|(_, query)| router::query_pairs(query))
            .unwrap_or_default()
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| match name.as_str() {
                "authorization" => (name.as_str(), "[redacted]"),
                _ => (name.as_str(), value.as_str()),
            })
            .collect();
        // Form bodies are OAuth's token requests: secrets, codes and tokens.
        let form = self
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        let body = match form {
            true => "[redacted form]".into(),
            false => String::from_utf8_lossy(&self.body),
        };
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &headers)
            .field("body", &body)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_received_request_reads_and_hides_the_token_when_printed() {
        let request = hyper::Request::builder()
            .method("GET")
            .uri("/calendars/?locationId=l%201&groupId=g")
            .header("Authorization", "Bearer secret-token")
            .header("Version", "2021-04-15")
            .body(())
            .unwrap();
        let (head, ()) = request.into_parts();
        let received = ReceivedRequest::of(&head, bytes::Bytes::from_static(b"{\"a\":1}"));
        assert_eq!(
            received.header("AUTHORIZATION"),
            Some("Bearer secret-token")
        );
        assert_eq!(received.header("version"), Some("2021-04-15"));
        assert_eq!(received.path_only(), "/calendars/");
        assert_eq!(received.query()[0], ("locationId".into(), "l 1".into()));
        assert_eq!(received.json(), Some(serde_json::json!({"a": 1})));
        let printed = format!("{received:?}");
        assert!(!printed.contains("secret-token"), "{printed}");
        assert!(printed.contains("2021-04-15"), "{printed}");
    }
}
