//! The entry point: headers and body bytes in, a verified typed delivery or a typed error out.

use crate::delivery::Delivery;
use crate::envelope;
use crate::error::{ErrorKind, WebhookError};
use crate::events::Event;
use crate::headers::SignatureHeaders;
use crate::keys::{PublicKey, highlevel_keys};
use crate::policy::SignaturePolicy;
use crate::seen::{MemorySeenSet, SeenSet};
use crate::signature;
use crate::timestamp::parse_rfc3339;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Checks deliveries from HighLevel: size, signature over the bytes received, the replay
/// window and, last, that the `webhookId` is new. Cheap to clone and share: keys were parsed
/// when it was built, and clones share one seen-set.
///
/// ```
/// use highlevel_webhooks::{ErrorKind, WebhookVerifier};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let verifier = WebhookVerifier::builder().build()?;
///
/// // In a handler, with the request's headers and body bytes:
/// let headers = http::HeaderMap::new();
/// let body = br#"{"type":"AppointmentCreate"}"#;
/// match verifier.verify(&headers, body).await {
///     Ok(delivery) => println!("{:?}", delivery.event()),
///     Err(error) => assert_eq!(error.kind(), ErrorKind::SignatureMissing), // answer error.status()
/// }
/// # Ok::<(), highlevel_webhooks::WebhookError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    keys: Arc<[PublicKey]>,
    policy: SignaturePolicy,
    window: Duration,
    max_body_len: usize,
    seen: Arc<dyn SeenSet>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key_ids: Vec<&str> = self.keys.iter().map(PublicKey::id).collect();
        f.debug_struct("WebhookVerifier")
            .field("keys", &key_ids)
            .field("policy", &self.policy)
            .field("window", &self.window)
            .field("max_body_len", &self.max_body_len)
            .finish_non_exhaustive()
    }
}

impl WebhookVerifier {
    /// The replay window of [`WebhookVerifierBuilder::replay_window`] by default: HighLevel
    /// asks apps to refuse deliveries older than about five minutes.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5 * 60);
    /// The body cap of [`WebhookVerifierBuilder::max_body_len`] by default: 1 MiB, far above
    /// any documented event.
    pub const DEFAULT_MAX_BODY_LEN: usize = 1024 * 1024;

    /// A builder with HighLevel's keys, the default policy, a five-minute window, a 1 MiB
    /// cap and an in-memory seen-set.
    ///
    /// ```
    /// let verifier = highlevel_webhooks::WebhookVerifier::builder().build()?;
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn builder() -> WebhookVerifierBuilder {
        WebhookVerifierBuilder {
            highlevel_keys: true,
            keys: Vec::new(),
            policy: SignaturePolicy::default(),
            window: WebhookVerifier::DEFAULT_WINDOW,
            max_body_len: WebhookVerifier::DEFAULT_MAX_BODY_LEN,
            seen: None,
        }
    }

    /// Every check, the seen-set last: a delivery is recorded as seen only once everything
    /// else passed, so a refused one can still come again and pass.
    ///
    /// `headers` is an `&http::HeaderMap` or [`SignatureHeaders`] (from any `(name, value)`
    /// pairs); `body` the bytes exactly as received, before any JSON parsing.
    ///
    /// ```
    /// use highlevel_webhooks::{SignatureHeaders, WebhookVerifier};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let verifier = WebhookVerifier::builder().build().unwrap();
    /// let headers = SignatureHeaders::from_pairs([("x-ghl-signature", "AAAA")]);
    /// let error = verifier.verify(headers, b"{}").await.unwrap_err();
    /// assert_eq!(error.status(), 401);
    /// # });
    /// ```
    pub async fn verify<'h>(
        &self,
        headers: impl Into<SignatureHeaders<'h>>,
        body: &[u8],
    ) -> Result<Delivery, WebhookError> {
        let delivery = self.authenticate(headers, body)?;
        let first = self
            .seen
            .first_sighting(&delivery.webhook_id, self.window)
            .await
            .map_err(|e| {
                WebhookError::new(ErrorKind::SeenSetUnavailable)
                    .with_webhook_id(&delivery.webhook_id)
                    .with_detail(e.message())
            })?;
        if first {
            Ok(delivery)
        } else {
            Err(WebhookError::new(ErrorKind::Duplicate).with_webhook_id(&delivery.webhook_id))
        }
    }

    /// Every check but the seen-set: size, signature, JSON, the fields every delivery has
    /// and the replay window. For apps that refuse duplicates themselves (in the transaction
    /// that applies the event, say), and synchronous code.
    ///
    /// ```
    /// use highlevel_webhooks::{ErrorKind, WebhookVerifier};
    ///
    /// let verifier = WebhookVerifier::builder().max_body_len(16).build()?;
    /// let error = verifier.authenticate(&http::HeaderMap::new(), &[b' '; 17]).unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::BodyTooLarge);
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn authenticate<'h>(
        &self,
        headers: impl Into<SignatureHeaders<'h>>,
        body: &[u8],
    ) -> Result<Delivery, WebhookError> {
        self.authenticate_at(headers.into(), body, SystemTime::now())
    }

    fn authenticate_at(
        &self,
        headers: SignatureHeaders<'_>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Delivery, WebhookError> {
        if body.len() > self.max_body_len {
            return Err(
                WebhookError::new(ErrorKind::BodyTooLarge).with_limit(self.max_body_len as u64)
            );
        }
        let accepted = signature::check(self.policy, &self.keys, &headers, body)?;
        let envelope = envelope::read(body)?;
        let id = &envelope.webhook_id;
        let timestamp = parse_rfc3339(&envelope.timestamp)
            .ok_or_else(|| WebhookError::new(ErrorKind::BadTimestamp).with_webhook_id(id))?;
        let distance = now
            .duration_since(timestamp)
            .unwrap_or_else(|ahead| ahead.duration());
        if distance > self.window {
            return Err(WebhookError::new(ErrorKind::Stale)
                .with_webhook_id(id)
                .with_age(distance));
        }
        let event = Event::decode(envelope.event_type, body);
        Ok(Delivery {
            event,
            body: body.to_vec(),
            webhook_id: envelope.webhook_id,
            timestamp,
            scheme: accepted.scheme,
            key_id: accepted.key_id,
        })
    }

    /// The trusted keys.
    ///
    /// ```
    /// let verifier = highlevel_webhooks::WebhookVerifier::builder().build()?;
    /// assert_eq!(verifier.keys().len(), 2);
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }
}

/// Settings of a [`WebhookVerifier`].
///
/// ```
/// use highlevel_webhooks::{MemorySeenSet, PublicKey, SignaturePolicy, WebhookVerifier};
/// use std::time::Duration;
///
/// let verifier = WebhookVerifier::builder()
///     .policy(SignaturePolicy::Ed25519Only)
///     .trust(PublicKey::ed25519_raw("next-key", [9; 32])) // during a rotation
///     .replay_window(Duration::from_secs(120))
///     .max_body_len(256 * 1024)
///     .seen_set(MemorySeenSet::with_capacity(10_000))
///     .build()?;
/// assert_eq!(verifier.keys().len(), 3);
/// # Ok::<(), highlevel_webhooks::WebhookError>(())
/// ```
#[must_use]
pub struct WebhookVerifierBuilder {
    /// Whether HighLevel's built-in keys are trusted.
    highlevel_keys: bool,
    /// The keys added with `trust`.
    keys: Vec<PublicKey>,
    policy: SignaturePolicy,
    window: Duration,
    max_body_len: usize,
    seen: Option<Arc<dyn SeenSet>>,
}

impl fmt::Debug for WebhookVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifierBuilder")
            .field("highlevel_keys", &self.highlevel_keys)
            .field("keys", &self.keys)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl WebhookVerifierBuilder {
    /// Trusts `key` too, beside those already trusted (several of a scheme are tried in
    /// turn: during a rotation, the old key and the new).
    ///
    /// ```
    /// use highlevel_webhooks::{PublicKey, WebhookVerifier};
    ///
    /// let builder = WebhookVerifier::builder().trust(PublicKey::ed25519_raw("mine", [3; 32]));
    /// assert_eq!(builder.build()?.keys().len(), 3);
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn trust(mut self, key: PublicKey) -> WebhookVerifierBuilder {
        self.keys.push(key);
        self
    }

    /// Stops trusting HighLevel's built-in keys (after a rotation, or in tests that sign
    /// deliveries with their own keys).
    ///
    /// ```
    /// use highlevel_webhooks::{PublicKey, WebhookVerifier};
    ///
    /// let verifier = WebhookVerifier::builder()
    ///     .without_highlevel_keys()
    ///     .trust(PublicKey::ed25519_raw("test", [3; 32]))
    ///     .build()?;
    /// assert_eq!(verifier.keys()[0].id(), "test");
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn without_highlevel_keys(mut self) -> WebhookVerifierBuilder {
        self.highlevel_keys = false;
        self
    }

    /// Which signatures are required (by default [`SignaturePolicy::Ed25519OrRsaFallback`]).
    ///
    /// ```
    /// use highlevel_webhooks::{SignaturePolicy, WebhookVerifier};
    ///
    /// let verifier = WebhookVerifier::builder().policy(SignaturePolicy::Both).build()?;
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn policy(mut self, policy: SignaturePolicy) -> WebhookVerifierBuilder {
        self.policy = policy;
        self
    }

    /// How far from now a `timestamp` may be, either way (by default five minutes). Ids are
    /// remembered for as long.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = highlevel_webhooks::WebhookVerifier::builder()
    ///     .replay_window(Duration::from_secs(60));
    /// ```
    pub fn replay_window(mut self, window: Duration) -> WebhookVerifierBuilder {
        self.window = window;
        self
    }

    /// The longest body accepted, checked before anything is read (by default 1 MiB).
    ///
    /// ```
    /// let builder = highlevel_webhooks::WebhookVerifier::builder().max_body_len(64 * 1024);
    /// ```
    pub fn max_body_len(mut self, bytes: usize) -> WebhookVerifierBuilder {
        self.max_body_len = bytes;
        self
    }

    /// Where processed `webhookId`s are kept (by default a [`MemorySeenSet`] of its default
    /// capacity, for this process alone).
    ///
    /// ```
    /// use highlevel_webhooks::{MemorySeenSet, WebhookVerifier};
    ///
    /// let builder = WebhookVerifier::builder().seen_set(MemorySeenSet::with_capacity(1000));
    /// ```
    pub fn seen_set(self, seen: impl SeenSet + 'static) -> WebhookVerifierBuilder {
        self.shared_seen_set(Arc::new(seen))
    }

    /// Like [`seen_set`](Self::seen_set), with a set shared with other code (several
    /// verifiers, say).
    ///
    /// ```
    /// use highlevel_webhooks::{MemorySeenSet, SeenSet, WebhookVerifier};
    /// use std::sync::Arc;
    ///
    /// let shared: Arc<dyn SeenSet> = Arc::new(MemorySeenSet::default());
    /// let a = WebhookVerifier::builder().shared_seen_set(shared.clone()).build()?;
    /// let b = WebhookVerifier::builder().shared_seen_set(shared).build()?;
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn shared_seen_set(mut self, seen: Arc<dyn SeenSet>) -> WebhookVerifierBuilder {
        self.seen = Some(seen);
        self
    }

    /// The verifier; fails when no trusted key can verify a signature the policy requires.
    ///
    /// ```
    /// use highlevel_webhooks::{ErrorKind, WebhookVerifier};
    ///
    /// let error = WebhookVerifier::builder().without_highlevel_keys().build().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::InvalidKey);
    /// ```
    pub fn build(self) -> Result<WebhookVerifier, WebhookError> {
        use crate::scheme::Scheme;
        let mut keys = if self.highlevel_keys {
            highlevel_keys()
        } else {
            Vec::new()
        };
        keys.extend(self.keys);
        let has = |scheme: Scheme| keys.iter().any(|k| k.scheme() == scheme);
        let usable = match self.policy {
            SignaturePolicy::Ed25519Only => has(Scheme::Ed25519),
            SignaturePolicy::RsaOnly => has(Scheme::Rsa),
            SignaturePolicy::Both => has(Scheme::Ed25519) && has(Scheme::Rsa),
            SignaturePolicy::Ed25519OrRsaFallback => has(Scheme::Ed25519) || has(Scheme::Rsa),
        };
        if !usable {
            return Err(WebhookError::new(ErrorKind::InvalidKey)
                .with_detail("no trusted key can verify the signatures the policy requires"));
        }
        Ok(WebhookVerifier {
            keys: keys.into(),
            policy: self.policy,
            window: self.window,
            max_body_len: self.max_body_len,
            seen: self
                .seen
                .unwrap_or_else(|| Arc::new(MemorySeenSet::default())),
        })
    }
}
