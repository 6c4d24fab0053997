//! A stand-in for HighLevel's Calendars API that runs inside your process, for tests and demos
//! that cannot or should not touch real calendars. It is the workspace's generic
//! `highlevel-sandbox` serving this crate's document, with calendars kept.
//!
//! [`Sandbox::start`] binds a free port on `127.0.0.1` and serves every operation of
//! [`operations::ALL`], routed by method and path template (a literal segment wins over a
//! parameter: `/calendars/events` is not calendar `events`). Every request
//! goes through HighLevel's checks, in this order:
//!
//! 1. An unknown path is a 404; a known path with another method a 405 with an `Allow` header.
//! 2. `Authorization: Bearer <token>` is required (any non-empty token, or only those given to
//!    [`SandboxBuilder::token`]); otherwise 401. With [`SandboxBuilder::oauth`], only the
//!    tokens it issued through HighLevel's OAuth protocol (and those given to `token`), each
//!    for its own sub-account (another location's calendar is a 403) and scopes (401).
//! 3. Past 100 requests in 10 seconds (or the configured limits) per location, or past the
//!    daily limit, the answer is 429 with `Retry-After`.
//! 4. The `Version` header must be the operation's
//!    ([`Operation::version`](crate::Operation)); otherwise 400.
//! 5. Path and query parameters must match the document: required ones given (not empty),
//!    each of its type, within its `enum` and bounds; otherwise 422 naming each.
//! 6. A body must be JSON (else 400) and pass the very check the client runs before sending
//!    ([`operations::check_body`], with [`Validation::stated`]
//!    unless configured otherwise); every problem is listed in a 422, each message starting
//!    with the field path, like [`Violation::path`](crate::Violation). So is a value of another
//!    JSON kind than the document declares, or a `null` where it does not say `nullable`
//!    (serde, more lenient, reads `null` as absent and an array as a struct).
//!
//! Then the operation answers. Every resource the document's paths describe is kept:
//! calendars, groups, event notifications (under their calendar, and gone with it),
//! appointments, blocked slots, schedules and appointment notes. A create answers its documented
//! status with the resource and a new 20-character id; get, list (within the query's
//! `locationId` and other fields), update (merges the body's fields) and delete act on what was
//! created, and an unknown or deleted id is a 404. Calendars also get the server defaults the
//! document states, and a second calendar with the same `slug` in a location is refused with a
//! 409 Conflict naming `slug` (HighLevel does not document its answer). The operations whose
//! paths are no such collection (free slots, validate slug…;
//! [`example_driven_operations`] lists them) answer their documented success status with a
//! body made from the response schema (the document's examples where they fit). Every answer
//! carries the five `X-RateLimit-*`
//! headers, every error body HighLevel's shape with a `traceId`. [`Fault`]s make it misbehave
//! on purpose: delays, 5xx, dropped connections, broken bodies.
//! [`requests`](highlevel_sandbox::Sandbox::requests) shows what reached it, and
//! [`example_request`] gives valid arguments for any operation.
//!
//! It is behind the `sandbox` cargo feature; enable it for your tests only:
//!
//! ```toml
//! [dev-dependencies]
//! highlevel-calendars = { version = "0.1", features = ["sandbox"] }
//! ```
//!
//! Testing your own code against it:
//!
//! ```
//! use highlevel_calendars::sandbox::{Fault, Sandbox};
//! use highlevel_calendars::{Client, Error, calendar};
//!
//! // The code under test: it only needs to be told where HighLevel is.
//! async fn book_office_hours(client: &Client) -> Result<String, Error> {
//!     let body = calendar::personal("loc_1", "Office hours", "user_1")
//!         .slug(String::from("office-hours"));
//!     Ok(client.create_calendar(body).send().await?.calendar.id.clone())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start().await?;
//! let client = Client::builder()
//!     .base_url(sandbox.base_url())
//!     .token("any-test-token")
//!     .build()?;
//!
//! let id = book_office_hours(&client).await?;
//! let stored = sandbox.calendars_in("loc_1");
//! assert_eq!(stored[0]["id"], id.as_str());
//! assert_eq!(stored[0]["slotDuration"], 30, "a server default");
//! let fetched = client.get_calendar(id.as_str()).send().await?;
//! assert_eq!(fetched.calendar.name, "Office hours");
//!
//! // The same slug again is refused: a conflict with the calendar that has it.
//! let again = book_office_hours(&client).await.unwrap_err();
//! assert_eq!(again.status().map(|s| s.as_u16()), Some(409));
//!
//! // And how does the code cope with an outage?
//! sandbox.inject(Fault::Status(503));
//! let outage = book_office_hours(&client).await.unwrap_err();
//! assert_eq!(outage.status().map(|s| s.as_u16()), Some(503));
//! assert_eq!(sandbox.requests_received(), 4);
//! let last = sandbox.requests().pop().unwrap();
//! assert_eq!((last.method.as_str(), last.path.as_str()), ("POST", "/calendars/"));
//! # Ok(())
//! # }
//! ```
//!
//! With [`SandboxBuilder::webhook_url`] it also sends the webhooks HighLevel would:
//! `AppointmentCreate`, `AppointmentUpdate` and `AppointmentDelete` after each appointment
//! booked, edited or deleted, signed by keys an app under test trusts through
//! [`webhook_public_keys`](highlevel_sandbox::Sandbox::webhook_public_keys)
//! (`examples/webhooks.rs` shows the whole loop).
#![cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]

mod calendars;
mod defaults;
mod webhooks;
mod words;

pub use highlevel_sandbox::{
    DEFAULT_TOKEN, Fault, OAuthSettings, OAuthStats, Owner, OwnerCounts, ReceivedRequest,
    RefreshTokenUse, SubAccount, WebhookPublicKeys,
};

use crate::validation::Validation;
use crate::{ClientBuilder, Example, operations};
use highlevel_sandbox::Api;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The Calendars API as the generic sandbox serves it: this crate's normalized document, its
/// operations and its body checker.
const API: Api = Api::new(
    include_str!("../../openapi/calendars.json"),
    operations::ALL,
    operations::check_body,
)
.with_example_bodies(example_body);

/// Example bodies where HighLevel's calendar rules make a body made from the schema alone
/// ambiguous (every field at once breaks them): a small event calendar, and a new name and
/// description.
fn example_body(operation_id: &str) -> Option<Value> {
    match operation_id {
        id if id == operations::CREATE_CALENDAR.id => Some(json!({
            "locationId": "example-locationId",
            "name": "example-name",
            "calendarType": "event",
        })),
        id if id == operations::UPDATE_CALENDAR.id => Some(json!({
            "name": "example-name",
            "description": "example-description",
        })),
        _ => None,
    }
}

/// A running sandbox. The server stops when this handle is dropped.
///
/// It dereferences to the generic [`highlevel_sandbox::Sandbox`], whose methods (faults, the
/// requests received, the address) apply; see the [module documentation](self) for what it
/// serves and an example.
#[derive(Debug)]
pub struct Sandbox {
    inner: highlevel_sandbox::Sandbox,
}

impl std::ops::Deref for Sandbox {
    type Target = highlevel_sandbox::Sandbox;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl Sandbox {
    /// Starts a sandbox with the default settings on a free port of `127.0.0.1`.
    ///
    /// Must be called within a Tokio runtime; the server runs as a task on it.
    pub async fn start() -> std::io::Result<Sandbox> {
        SandboxBuilder::default().start().await
    }

    /// Starts configuring a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// A client builder aimed at this sandbox with its [`token`](highlevel_sandbox::Sandbox::token);
    /// add your own settings (timeouts, retries) before building.
    pub fn client_builder(&self) -> ClientBuilder {
        self.inner.client_builder()
    }

    /// Every calendar the sandbox holds (created and not deleted), oldest first, as it answers
    /// Get Calendar with it (updates included).
    pub fn calendars(&self) -> Vec<Value> {
        self.inner.resources(calendars::COLLECTION)
    }

    /// The calendars the sandbox holds in one location (sub-account), oldest first.
    pub fn calendars_in(&self, location_id: &str) -> Vec<Value> {
        let mut calendars = self.calendars();
        calendars.retain(|calendar| calendar["locationId"] == location_id);
        calendars
    }

    /// Stops the server and waits until its port is closed, so that the next connection to it
    /// is refused; with a [state file](SandboxBuilder::state_file), folds its journal into it.
    /// Dropping the handle stops it too, without waiting or folding.
    pub async fn shutdown(self) {
        self.inner.shutdown().await;
    }
}

/// Configures a [`Sandbox`]. Start with [`Sandbox::builder`].
///
/// ```
/// use highlevel_calendars::sandbox::{Fault, Sandbox};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let sandbox = Sandbox::builder()
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
#[derive(Debug)]
#[must_use]
pub struct SandboxBuilder {
    inner: highlevel_sandbox::SandboxBuilder,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        let builder = words::SAYS.iter().fold(
            highlevel_sandbox::Sandbox::builder(API)
                .rules(calendars::COLLECTION, calendars::rules()),
            |b, (rule, says)| b.words_rule(*rule, *says),
        );
        let inner = webhooks::triggers()
            .into_iter()
            .fold(builder, |b, trigger| b.webhook_trigger(trigger));
        SandboxBuilder { inner }
    }
}

impl SandboxBuilder {
    fn map(
        self,
        f: impl FnOnce(highlevel_sandbox::SandboxBuilder) -> highlevel_sandbox::SandboxBuilder,
    ) -> Self {
        SandboxBuilder {
            inner: f(self.inner),
        }
    }

    /// Logs one line per request to stderr: method, path, status and `traceId` (never a token
    /// or a body). The `highlevel-sandbox` program turns it on.
    pub fn log_requests(self, log: bool) -> Self {
        self.map(|b| b.log_requests(log))
    }

    /// Accepts only this token (call again to accept several). By default any non-empty bearer
    /// token is accepted.
    pub fn token(self, token: impl Into<String>) -> Self {
        self.map(|b| b.token(token))
    }

    /// Speaks HighLevel's OAuth protocol for the app `settings` describes: an install through
    /// `GET /oauth/chooselocation` (the consent page's stand-in), `POST /oauth/token` (codes and
    /// rotating, single-use refresh tokens), `POST /oauth/locationToken` and
    /// `GET /oauth/installedLocations`; API calls then take only the tokens it issued (and
    /// those given to [`token`](SandboxBuilder::token)), each for its own sub-account and
    /// scopes. [`oauth_stats`](highlevel_sandbox::Sandbox::oauth_stats) counts code exchanges,
    /// refreshes and reused refresh tokens. The whole protocol is in [`highlevel_sandbox::oauth`].
    ///
    /// With OAuth on, `Sandbox::token()` (and so `client_builder()`) works only when a token
    /// was given to `token`: the sandbox no longer takes any token it did not issue.
    ///
    /// ```
    /// use highlevel_calendars::sandbox::{OAuthSettings, Owner, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::builder()
    ///     .oauth(OAuthSettings::new("app-client", "app-secret"))
    ///     .start()
    ///     .await?;
    /// # highlevel_calendars::install_tls_provider();
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// // The user installs the app in sub-account `loc`; the sandbox redirects with a code.
    /// let consent = http
    ///     .get(format!("{}/oauth/chooselocation", sandbox.base_url()))
    ///     .query(&[
    ///         ("response_type", "code"),
    ///         ("client_id", "app-client"),
    ///         ("redirect_uri", "http://127.0.0.1:9/callback"),
    ///         ("scope", "calendars.readonly calendars.write"),
    ///         ("locationId", "loc"),
    ///     ])
    ///     .send()
    ///     .await?;
    /// let callback = reqwest::Url::parse(consent.headers()["location"].to_str()?)?;
    /// let code = callback.query_pairs().find(|(name, _)| name == "code").unwrap().1;
    /// let tokens: serde_json::Value = http
    ///     .post(format!("{}/oauth/token", sandbox.base_url()))
    ///     .form(&[
    ///         ("client_id", "app-client"),
    ///         ("client_secret", "app-secret"),
    ///         ("grant_type", "authorization_code"),
    ///         ("code", &*code),
    ///         ("user_type", "Location"),
    ///     ])
    ///     .send()
    ///     .await?
    ///     .json()
    ///     .await?;
    /// assert_eq!(tokens["locationId"], "loc");
    /// let counts = sandbox.oauth_stats().owner(&Owner::Location("loc".into()));
    /// assert_eq!(counts.code_exchanges, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn oauth(self, settings: OAuthSettings) -> Self {
        self.map(|b| b.oauth(settings))
    }

    /// Allows `max` requests per `interval` per location (100 per 10 seconds by default, as
    /// HighLevel documents). A short interval lets tests provoke a 429 quickly.
    pub fn rate_limit(self, max: u64, interval: Duration) -> Self {
        self.map(|b| b.rate_limit(max, interval))
    }

    /// Allows `max` requests per day per location (200,000 by default).
    pub fn daily_limit(self, max: u64) -> Self {
        self.map(|b| b.daily_limit(max))
    }

    /// Which rules the sandbox checks bodies against, with the client's own checker
    /// ([`Validation::stated`] by default, the rules HighLevel states). Decoding (types,
    /// required fields) is checked whatever this says.
    pub fn validation(self, validation: Validation) -> Self {
        self.map(|b| b.validation(validation))
    }

    /// Queues a fault for the first requests, as [`inject`](highlevel_sandbox::Sandbox::inject)
    /// does later.
    pub fn fault(self, fault: Fault) -> Self {
        self.map(|b| b.fault(fault))
    }

    /// Whether every request is kept for
    /// [`requests`](highlevel_sandbox::Sandbox::requests) (yes by default). A server that runs
    /// long, like the `highlevel-sandbox` program, turns it off: nobody reads them there, and
    /// they would fill its memory. The count of requests received is kept anyway.
    pub fn record_requests(self, record: bool) -> Self {
        self.map(|b| b.record_requests(record))
    }

    /// Keeps every resource (calendars, groups, notifications, appointments…) between runs in
    /// `path` (a snapshot) and `path.journal` (one JSON line appended per create, update and
    /// delete that succeeds, so a change costs the same however many are kept): both read when
    /// the sandbox starts (no file yet is no resource), then the journal folded into a new
    /// snapshot, as it is when it outgrows the resources kept and on
    /// [`shutdown`](Sandbox::shutdown). A server stopped at any moment, even killed, loses
    /// nothing. Without it nothing is written to disk.
    pub fn state_file(self, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        self.map(|b| b.state_file(path))
    }

    /// Keeps at most `max` resources (100,000 by default); past it a create is answered 507
    /// Insufficient Storage until something is deleted.
    pub fn max_resources(self, max: usize) -> Self {
        self.map(|b| b.max_resources(max))
    }

    /// Sends signed webhooks to `url` (an `http://` URL, such as your app's endpoint in a
    /// test): `AppointmentCreate`, `AppointmentUpdate` and `AppointmentDelete` after each
    /// appointment booked, edited or deleted, and with [`oauth`](SandboxBuilder::oauth) on,
    /// `INSTALL` and `UNINSTALL`. Each is signed with both of HighLevel's schemes by the
    /// sandbox's keys, which
    /// [`webhook_public_keys`](highlevel_sandbox::Sandbox::webhook_public_keys) gives your
    /// verifier to trust. See [`highlevel_sandbox::webhooks`].
    ///
    /// ```
    /// use highlevel_calendars::sandbox::Sandbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let sandbox = Sandbox::builder()
    ///     .webhook_url("http://127.0.0.1:9/webhooks/highlevel")
    ///     .start()
    ///     .await?;
    /// assert!(sandbox.webhook_public_keys().ed25519_pem.contains("PUBLIC KEY"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn webhook_url(self, url: impl Into<String>) -> Self {
        self.map(|b| b.webhook_url(url))
    }

    /// Listens on `addr` instead of a free port of `127.0.0.1`.
    pub fn addr(self, addr: SocketAddr) -> Self {
        self.map(|b| b.addr(addr))
    }

    /// Binds the address and starts serving. Must be called within a Tokio runtime.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let inner = self.inner.start().await?;
        Ok(Sandbox { inner })
    }

    /// The generic builder, serving this crate's document with its calendar rules: for code
    /// that configures sandboxes of several documents alike, such as the `highlevel-sandbox`
    /// program. (The state file, if any, is read when it starts.)
    pub fn into_generic(self) -> std::io::Result<highlevel_sandbox::SandboxBuilder> {
        Ok(self.inner)
    }
}

/// An example call of `operation_id`: a value for every path parameter and every required
/// query parameter, and, when the operation takes a body, a body that passes the client's own
/// check ([`operations::check_body`] with [`Validation::default`]). `None` for an operation the
/// document does not have.
///
/// Values come from the document's examples where they fit their schema, else are made up from
/// the schema. Create Calendar gets a small event calendar (`locationId`, `name`,
/// `calendarType: event`) and Update Calendar a new `name` and `description`, since HighLevel's
/// calendar rules make a body with every field ambiguous. Give the example to
/// [`__examples::call`](crate::__examples::call) to call the operation with it.
///
/// ```
/// use highlevel_calendars::{operations, sandbox, Validation};
///
/// for operation in operations::ALL {
///     let example = sandbox::example_request(operation.id).unwrap();
///     if let Some(body) = &example.body {
///         let bytes = serde_json::to_vec(body).unwrap();
///         let checked = operations::check_body(operation.id, &bytes, &Validation::default());
///         assert!(checked.unwrap().is_ok(), "{}", operation.id);
///     }
/// }
/// let example = sandbox::example_request("get-calendar").unwrap();
/// assert!(example.parameters["calendarId"].is_string());
/// assert!(sandbox::example_request("no-such-operation").is_none());
/// ```
pub fn example_request(operation_id: &str) -> Option<Example> {
    API.example_request(operation_id)
}

/// The operations the sandbox answers from the document's examples whatever was created
/// before: those whose paths are no collection it keeps (free slots, validate slug, the
/// calendar resources, whose answers carry no id…). Every other operation acts on the kept
/// resources. The `highlevel-sandbox` program prints them with `--list-stateless`.
///
/// ```
/// let stateless = highlevel_calendars::sandbox::example_driven_operations();
/// assert!(stateless.contains(&"get-slots"));
/// assert!(!stateless.contains(&"get-calendar"));
/// ```
pub fn example_driven_operations() -> Vec<&'static str> {
    API.example_driven_operations()
}

/// The create-calendar request body as a JSON Schema (draft 2020-12), made from the document
/// the client was generated from. Use it to check bodies your own code builds with any JSON
/// Schema validator; the sandbox itself checks bodies with the client's checker.
///
/// ```
/// let schema = highlevel_calendars::sandbox::request_json_schema();
/// assert_eq!(schema["$ref"], "#/$defs/CalendarCreateDTO");
/// assert!(schema["$defs"]["CalendarCreateDTO"]["required"].is_array());
/// ```
pub fn request_json_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let document = API.document();
        let component = document
            .operation(operations::CREATE_CALENDAR.id)
            .and_then(|op| document.body_schema(op))
            .and_then(|schema| schema["$ref"].as_str())
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .unwrap_or_default();
        highlevel_sandbox::json_schema(document.value(), component)
    })
}
