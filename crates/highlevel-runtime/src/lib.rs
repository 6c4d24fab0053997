//! The hand-written runtime under HighLevel API clients generated with progenitor.
//!
//! A generated client (one per HighLevel API document) holds the operations and types build.rs
//! writes from one of HighLevel's OpenAPI documents; everything that is the same for every
//! operation lives here: configuration ([`ClientBuilder`]), tokens ([`TokenProvider`]), the
//! call path (every generated call goes through the runtime's progenitor hooks), retries by method
//! ([`RetryPolicy`]), pacing under the rate limits ([`Pacing`]), rate-limit state ([`RateLimit`]), errors ([`Error`]), validation
//! ([`validation`]) and tracing. It knows no API of its own: what it needs of an operation
//! comes in an [`Operation`] the generated code declares.
//!
//! ```
//! use highlevel_runtime::{ClientBuilder, Runtime};
//!
//! let runtime: Runtime = ClientBuilder::new()
//!     .token("pit-xxxxxxxx")
//!     .base_url("http://127.0.0.1:8080")
//!     .build()?;
//! assert_eq!(runtime.base_url(), "http://127.0.0.1:8080");
//! # Ok::<(), highlevel_runtime::BuildError>(())
//! ```
//!
//! # Cargo features
//!
//! | feature | default | what it gives |
//! | --- | --- | --- |
//! | `rustls` | yes | HTTPS with rustls and the `ring` provider; no system library needed |
//! | `native-tls` | no | HTTPS with the platform's TLS (OpenSSL on Linux) |
//! | `tracing` | yes | one span per call: operation, method, path, status, attempt, duration, traceId (never the token or a body) |
//! | `redis` | no | `FleetBudget`: one rate budget per sub-account shared by every process of a fleet, kept in Redis |
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod build_error;
mod call;
mod capped_body;
mod config;
mod error;
mod error_text;
mod example;
mod hooks;
mod keyed_lock;
mod multipart;
mod number;
pub mod oauth;
mod open_enum;
mod operation;
mod optional;
mod outcome;
mod owner;
mod pacing;
mod rate_limit;
mod response;
mod retry;
mod runtime;
mod send;
mod telemetry;
mod tls;
mod token;
pub mod validation;

pub use auth::{StaticToken, TokenFuture, TokenProvider};
pub use config::{
    BuildError, ClientBuilder, DEFAULT_BASE_URL, ENV_BASE_URL, ENV_LOCATION_ID, ENV_TOKEN,
    EnvSettings, GeneratedClient,
};
pub use error::{ApiError, ApiErrorBody, ApiErrorMessage, DecodeError, Error, SNIPPET_LIMIT};
pub use example::Example;
pub use multipart::Multipart;
pub use number::Number;
pub use operation::Operation;
pub use optional::IntoOptional;
pub use pacing::{DEFAULT_DAILY_MAX, DEFAULT_INTERVAL, DEFAULT_INTERVAL_MAX, Pacing};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use pacing::{FleetBudget, OnUnavailable};
pub use rate_limit::RateLimit;
pub use response::Response;
pub use retry::RetryPolicy;
pub use runtime::Runtime;
pub use tls::install_tls_provider;
pub use token::{Token, TokenError};
pub use validation::{Rule, Validate, Validation, ValidationError, Violation};

/// Decodes the body of a success response of `operation` exactly as a call does, without a
/// server: any input gives a `T` or a [`DecodeError`] naming the failing JSON path; none
/// panics.
///
/// ```
/// use highlevel_runtime::{decode, Operation};
/// use reqwest::StatusCode;
///
/// const GET: Operation = Operation::new("get-note", "GET", "/notes/{id}", "2021-07-28", &[]);
/// #[derive(serde::Deserialize)]
/// struct Note { body: String }
/// let note: Note = decode(&GET, StatusCode::OK, br#"{"body": "hi"}"#)?;
/// assert_eq!(note.body, "hi");
/// let error = decode::<Note>(&GET, StatusCode::OK, br#"{"body": 1}"#).err().unwrap();
/// assert_eq!(error.path, "body");
/// # Ok::<(), highlevel_runtime::DecodeError>(())
/// ```
pub fn decode<T: serde::de::DeserializeOwned>(
    operation: &'static Operation,
    status: reqwest::StatusCode,
    body: &[u8],
) -> Result<T, DecodeError> {
    serde_json::from_slice(body)
        .map_err(|_| outcome::decode_failure::<T>(operation, status, body, ""))
}

/// What generated code needs from the runtime: the progenitor hooks, the call path and the
/// parameter checks, and the runtime's dependencies, so a generated crate does not have to
/// name them itself. Not part of the stable API: it changes with the generator.
#[doc(hidden)]
pub mod __private {
    pub use crate::call::{Call, GeneratedResult};
    pub use crate::hooks::{exec, pre};
    pub use crate::send::run;
    pub use crate::validation::checker::ToF64;
    pub use crate::validation::json::conversion_error;
    pub use crate::validation::parameters::Parameters;
    pub use progenitor_client;
    pub use reqwest;
    pub use serde;
    pub use serde_json;
}
