//! Why a delivery was refused, as a kind to match on and accessors for the facts that go with
//! it. An error never holds the body, a signature or key material: only ids, lengths and the
//! position of a JSON error.

use crate::scheme::Scheme;
use std::fmt;
use std::time::Duration;

/// What went wrong, to match on (see [`WebhookError::kind`]).
///
/// ```
/// use highlevel_webhooks::ErrorKind;
///
/// assert_eq!(ErrorKind::Duplicate.status(), 200);
/// assert_eq!(ErrorKind::SignatureInvalid.status(), 401);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No signature header that the policy accepts came with the delivery.
    SignatureMissing,
    /// A signature header is not valid base64.
    SignatureEncoding,
    /// The signature does not verify with any trusted key of its scheme (for Ed25519 this
    /// includes signatures made with a key that is not trusted: the two cannot be told apart).
    SignatureInvalid,
    /// The signature was made with a key that is not trusted: an RSA signature whose length
    /// fits no trusted RSA key's modulus.
    UnknownKey,
    /// The body is longer than the verifier's cap; nothing of it was read.
    BodyTooLarge,
    /// The body is not a JSON object.
    MalformedJson,
    /// The body lacks `timestamp` or `webhookId`, or one is not a string. (`type` may be
    /// missing: such a body decodes as [`Event::Unknown`](crate::Event::Unknown).)
    MissingField,
    /// `timestamp` is not an RFC 3339 date-time.
    BadTimestamp,
    /// `timestamp` is further from now than the replay window allows, in the past or the
    /// future.
    Stale,
    /// This `webhookId` was processed already, here or by another process sharing the
    /// seen-set.
    Duplicate,
    /// The seen-set could not be asked (Redis is down, say): the delivery may or may not
    /// have been processed already.
    SeenSetUnavailable,
    /// A key given to the builder could not be read.
    InvalidKey,
}

impl ErrorKind {
    /// The HTTP status an endpoint should answer with: 401 for a signature problem, 413 for
    /// a body too large, 400 for a malformed or stale delivery, 200 for a duplicate (it was
    /// handled; HighLevel need not send it again), 503 when the seen-set is unavailable and
    /// 500 for a bad key (a configuration error).
    ///
    /// ```
    /// assert_eq!(highlevel_webhooks::ErrorKind::BodyTooLarge.status(), 413);
    /// ```
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::SignatureMissing
            | ErrorKind::SignatureEncoding
            | ErrorKind::SignatureInvalid
            | ErrorKind::UnknownKey => 401,
            ErrorKind::BodyTooLarge => 413,
            ErrorKind::MalformedJson
            | ErrorKind::MissingField
            | ErrorKind::BadTimestamp
            | ErrorKind::Stale => 400,
            ErrorKind::Duplicate => 200,
            ErrorKind::SeenSetUnavailable => 503,
            ErrorKind::InvalidKey => 500,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ErrorKind::SignatureMissing => "no accepted signature header",
            ErrorKind::SignatureEncoding => "the signature header is not base64",
            ErrorKind::SignatureInvalid => "the signature does not verify",
            ErrorKind::UnknownKey => "the signature was made with a key that is not trusted",
            ErrorKind::BodyTooLarge => "the body is too large",
            ErrorKind::MalformedJson => "the body is not a JSON object",
            ErrorKind::MissingField => "a required field is missing",
            ErrorKind::BadTimestamp => "the timestamp is not an RFC 3339 date-time",
            ErrorKind::Stale => "the timestamp is outside the replay window",
            ErrorKind::Duplicate => "this webhookId was processed already",
            ErrorKind::SeenSetUnavailable => "the seen-set is unavailable",
            ErrorKind::InvalidKey => "the public key cannot be read",
        }
    }
}

/// A refused delivery (or an unreadable key), with what is known about it.
///
/// ```
/// use highlevel_webhooks::{ErrorKind, WebhookVerifier};
///
/// let verifier = WebhookVerifier::builder().build()?;
/// let error = verifier.authenticate(&http::HeaderMap::new(), b"{}").unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::SignatureMissing);
/// assert_eq!(error.status(), 401);
/// # Ok::<(), highlevel_webhooks::WebhookError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WebhookError {
    kind: ErrorKind,
    scheme: Option<Scheme>,
    key_id: Option<String>,
    webhook_id: Option<String>,
    age: Option<Duration>,
    limit: Option<u64>,
    detail: Option<String>,
}

impl WebhookError {
    pub(crate) fn new(kind: ErrorKind) -> WebhookError {
        WebhookError {
            kind,
            scheme: None,
            key_id: None,
            webhook_id: None,
            age: None,
            limit: None,
            detail: None,
        }
    }

    pub(crate) fn with_scheme(mut self, scheme: Scheme) -> WebhookError {
        self.scheme = Some(scheme);
        self
    }

    pub(crate) fn with_key_id(mut self, id: &str) -> WebhookError {
        self.key_id = Some(id.to_string());
        self
    }

    pub(crate) fn with_webhook_id(mut self, id: &str) -> WebhookError {
        self.webhook_id = Some(id.to_string());
        self
    }

    pub(crate) fn with_age(mut self, age: Duration) -> WebhookError {
        self.age = Some(age);
        self
    }

    pub(crate) fn with_limit(mut self, limit: u64) -> WebhookError {
        self.limit = Some(limit);
        self
    }

    /// Text that never holds the body's content: a field name, a JSON error's position.
    pub(crate) fn with_detail(mut self, detail: &str) -> WebhookError {
        self.detail = Some(detail.to_string());
        self
    }

    /// What went wrong.
    ///
    /// ```
    /// use highlevel_webhooks::{ErrorKind, PublicKey};
    ///
    /// let error = PublicKey::from_spki_der("k", b"junk").unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::InvalidKey);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status to answer with, see [`ErrorKind::status`].
    ///
    /// ```
    /// let error = highlevel_webhooks::PublicKey::from_spki_der("k", b"junk").unwrap_err();
    /// assert_eq!(error.status(), 500);
    /// ```
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The scheme whose signature was refused, for the signature kinds.
    ///
    /// ```
    /// let error = highlevel_webhooks::PublicKey::from_spki_der("k", b"junk").unwrap_err();
    /// assert_eq!(error.scheme(), None);
    /// ```
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// The id of the key that could not be read ([`ErrorKind::InvalidKey`]).
    ///
    /// ```
    /// let error = highlevel_webhooks::PublicKey::from_spki_der("mine", b"junk").unwrap_err();
    /// assert_eq!(error.key_id(), Some("mine"));
    /// ```
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The delivery's `webhookId`, once the body was read ([`ErrorKind::Stale`],
    /// [`ErrorKind::Duplicate`], [`ErrorKind::SeenSetUnavailable`], [`ErrorKind::BadTimestamp`]).
    ///
    /// ```
    /// let error = highlevel_webhooks::PublicKey::from_spki_der("k", b"junk").unwrap_err();
    /// assert_eq!(error.webhook_id(), None);
    /// ```
    pub fn webhook_id(&self) -> Option<&str> {
        self.webhook_id.as_deref()
    }

    /// How far the timestamp is from now ([`ErrorKind::Stale`]), in either direction.
    ///
    /// ```
    /// let error = highlevel_webhooks::PublicKey::from_spki_der("k", b"junk").unwrap_err();
    /// assert_eq!(error.age(), None);
    /// ```
    pub fn age(&self) -> Option<Duration> {
        self.age
    }

    /// The body cap in bytes ([`ErrorKind::BodyTooLarge`]).
    ///
    /// ```
    /// let error = highlevel_webhooks::PublicKey::from_spki_der("k", b"junk").unwrap_err();
    /// assert_eq!(error.limit(), None);
    /// ```
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if let Some(scheme) = self.scheme {
            write!(f, " ({scheme}, {})", scheme.header())?;
        }
        if let Some(id) = &self.key_id {
            write!(f, "; key `{id}`")?;
        }
        if let Some(id) = &self.webhook_id {
            write!(f, "; webhookId `{id}`")?;
        }
        if let Some(age) = self.age {
            write!(f, "; {}s from now", age.as_secs())?;
        }
        if let Some(limit) = self.limit {
            write!(f, "; the cap is {limit} bytes")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WebhookError {}
