//! A typed async client for HighLevel's (LeadConnector's) Calendars API, generated from
//! HighLevel's own OpenAPI document: every operation of the document is a method of
//! [`Client`], named after its operationId.
//!
//! ```no_run
//! use highlevel_calendars::{calendar, Client, Error};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder().token("pit-xxxxxxxx").build()?;
//! let body = calendar::personal("ocQHyuzHvysMo5N5VsXc", "Office hours", "user_1")
//!     .slot_duration(30);
//! match client.create_calendar(body).send().await {
//!     Ok(created) => {
//!         let id = &created.calendar.id;
//!         let fetched = client.get_calendar(id.as_str()).send().await?;
//!         println!("created {} ({})", fetched.calendar.name, created.rate_limit);
//!     }
//!     Err(Error::Validation(problems)) => eprintln!("not sent: {problems}"),
//!     Err(e) => eprintln!("{e} (traceId {:?})", e.trace_id()),
//! }
//! # Ok(()) }
//! ```
//!
//! The crate is thin: `build.rs` generates the operations ([`Client`], [`requests`]), the
//! request and response types ([`types`]), the open enums ([`enums`]), the operation
//! metadata ([`operations`]) and the checks the document states, from
//! `openapi/calendars.json`. Everything that is the same for every HighLevel API
//! (configuration, tokens, retries, rate limits, errors, tracing) is `highlevel-runtime`,
//! re-exported here. Written by hand here: the [`calendar`] starting points and the
//! [`rules`] HighLevel states only in words.
//!
//! # Cargo features
//!
//! | feature | default | what it gives | what it pulls in |
//! | --- | --- | --- | --- |
//! | `rustls` | yes | HTTPS with rustls and the `ring` provider; no system library needed | rustls, ring, rustls-platform-verifier |
//! | `native-tls` | no | HTTPS with the platform's TLS (OpenSSL on Linux, which needs its headers to build) | native-tls, openssl-sys |
//! | `tracing` | yes | one span per call: operation, method, path, status, attempt, duration, traceId (never the token or a body) | tracing |
//! | `sandbox` | no | `highlevel_calendars::sandbox`, an in-process stand-in for every operation of the API, for tests | hyper's server side |
//! | `redis` | no | `FleetBudget`: one rate budget per sub-account shared by every process of a fleet, kept in Redis, and `oauth::RedisTokenStore`, the tokens a fleet shares | redis (tokio, connection manager), sha1_smol |
//!
//! The README measures what each costs to build.
//!
//! Without a TLS feature the client can only reach `http://` loopback servers (the sandbox).
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88, the version progenitor 0.15 needs; CI builds the library with it. Raising it is
//! a minor-version change.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calendar;
mod generated;
pub mod rules;
#[cfg(feature = "sandbox")]
pub mod sandbox;

#[cfg(feature = "sandbox")]
#[doc(hidden)]
pub use generated::api::__examples;
pub use generated::api::Client;
pub use highlevel_runtime::{
    ApiError, ApiErrorBody, ApiErrorMessage, BuildError, DEFAULT_BASE_URL, DecodeError,
    ENV_BASE_URL, ENV_LOCATION_ID, ENV_TOKEN, EnvSettings, Error, Example, Number, Operation,
    Pacing, RateLimit, Response, RetryPolicy, Rule, SNIPPET_LIMIT, StaticToken, Token, TokenError,
    TokenFuture, TokenProvider, Validation, ValidationError, Violation, install_tls_provider,
};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use highlevel_runtime::{FleetBudget, OnUnavailable};

/// HighLevel apps: OAuth installs, a token per sub-account, and refreshes a fleet shares
/// (the runtime's [`highlevel_runtime::oauth`]). Give [`oauth::OAuthTokens`] to
/// [`ClientBuilder::token_provider`](highlevel_runtime::ClientBuilder::token_provider); the
/// scopes an app needs are [`oauth::Scopes::of`] the operations it calls
/// ([`operations::ALL`] for all).
///
/// ```
/// use highlevel_calendars::{oauth::Scopes, operations};
///
/// let scopes = Scopes::of(operations::ALL.iter().copied());
/// assert!(scopes.contains("calendars.write"));
/// ```
pub mod oauth {
    pub use highlevel_runtime::oauth::*;
}

/// Checking requests before they are sent: the runtime's rules and checker; the calendar
/// rules HighLevel states in words are in [`rules`].
pub mod validation {
    pub use highlevel_runtime::validation::*;
}

/// Configures and builds a [`Client`]; start with [`Client::builder`].
pub type ClientBuilder = highlevel_runtime::ClientBuilder<Client>;

/// The answer to Create Calendar: the new calendar (`created.calendar`), the status and the
/// rate-limit state.
pub type Created = Response<types::CalendarByIdSuccessfulResponseDto>;

/// One request type per operation, as the [`Client`] methods return them.
pub mod requests {
    pub use crate::generated::api::requests::*;
}

/// Request and response types generated from HighLevel's document.
pub mod types {
    pub use crate::generated::types::*;
}

/// The string enums of HighLevel's document, open to values added later (`Unknown`).
pub mod enums {
    pub use crate::generated::enums::*;
}

/// What the runtime knows of each operation (id, method, path, `Version`, scopes), generated
/// from the document; [`operations::ALL`] lists every one.
pub mod operations {
    pub use crate::generated::operations::*;
}

/// Webhooks from HighLevel, verified over the bytes received, deduplicated and typed: the
/// `highlevel-webhooks` crate (feature `webhooks`).
///
/// ```
/// let verifier = highlevel_calendars::webhooks::WebhookVerifier::builder().build()?;
/// # Ok::<(), highlevel_calendars::webhooks::WebhookError>(())
/// ```
#[cfg(feature = "webhooks")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhooks")))]
pub use highlevel_webhooks as webhooks;

/// The `Version` header of Create Calendar, as HighLevel's document gives it.
pub const API_VERSION: &str = operations::CREATE_CALENDAR.version;

/// Decodes the body of a Create Calendar success response (`{"calendar": {...}}`) exactly as
/// the client does, without a server: useful to test code that stores HighLevel's responses.
/// Any input gives a calendar or a [`DecodeError`] naming the failing JSON path; none panics.
///
/// ```
/// let body = br#"{"calendar": {"id": "abc", "locationId": "loc", "name": "Intro", "calendarType": "webinar"}}"#;
/// let calendar = highlevel_calendars::decode_created_calendar(body)?;
/// assert_eq!(calendar.calendar_type.unwrap().as_str(), "webinar");
/// # Ok::<(), highlevel_calendars::DecodeError>(())
/// ```
pub fn decode_created_calendar(body: &[u8]) -> Result<types::CalendarDto, DecodeError> {
    highlevel_runtime::decode::<types::CalendarByIdSuccessfulResponseDto>(
        &operations::CREATE_CALENDAR,
        reqwest::StatusCode::CREATED,
        body,
    )
    .map(|response| response.calendar)
}

/// The README's Rust examples, compiled (and, where not marked `no_run`, run) as doc tests.
#[cfg(all(doctest, feature = "sandbox"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
