//! Webhooks from HighLevel (LeadConnector), verified, deduplicated and typed.
//!
//! [`WebhookVerifier::verify`] takes a request's headers and its body exactly as received
//! and gives a [`Delivery`] holding the typed [`Event`], or a [`WebhookError`] whose
//! [`kind`](WebhookError::kind) says why it was refused and whose
//! [`status`](WebhookError::status) is the HTTP status to answer with. In turn it checks:
//!
//! 1. the body's size, against a cap, before reading it;
//! 2. the signature over those bytes: Ed25519 in `x-ghl-signature`, or RSA (PKCS#1 v1.5,
//!    SHA-256) in `x-wh-signature`, against HighLevel's published keys and any added, under
//!    a [`SignaturePolicy`];
//! 3. the body's `timestamp`, within a replay window of now (five minutes by default);
//! 4. its `webhookId`, new to a [`SeenSet`]: in memory ([`MemorySeenSet`]) or, with the
//!    `redis` feature, in Redis, shared by a fleet (`RedisSeenSet`).
//!
//! ```
//! use highlevel_webhooks::{Event, WebhookVerifier};
//!
//! # async fn handler(verifier: &WebhookVerifier, headers: &http::HeaderMap, body: &[u8]) -> u16 {
//! match verifier.verify(headers, body).await {
//!     Ok(delivery) => {
//!         if let Event::AppointmentCreate(created) = delivery.event() {
//!             println!("{:?}", created.appointment);
//!         }
//!         200
//!     }
//!     Err(error) => error.status(),
//! }
//! # }
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod delivery;
mod envelope;
mod error;
pub mod events;
mod headers;
#[cfg(feature = "oauth")]
mod installs;
mod keys;
mod policy;
#[cfg(feature = "redis")]
mod redis_seen;
mod scheme;
mod seen;
mod signature;
mod timestamp;
mod verifier;

pub use delivery::Delivery;
pub use error::{ErrorKind, WebhookError};
pub use events::{Event, UnknownEvent};
pub use headers::{SignatureHeader, SignatureHeaders};
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub use installs::{TokensChange, sync_tokens};
pub use keys::{HIGHLEVEL_ED25519_ID, HIGHLEVEL_RSA_ID, PublicKey, highlevel_keys};
pub use policy::SignaturePolicy;
#[cfg(feature = "redis")]
pub use redis_seen::RedisSeenSet;
pub use scheme::Scheme;
pub use seen::{MemorySeenSet, SeenFuture, SeenSet, SeenSetError};
pub use verifier::{WebhookVerifier, WebhookVerifierBuilder};

/// The README's example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;
