//! Signing test deliveries the way HighLevel does, with keys of the tests' own: Ed25519 made
//! by ring from a fixed seed, and the checked-in test RSA key (see tests/keys/README.md).

#![allow(dead_code)]

// The workspace's one copy: a real redis-server on a free port, stopped by its process id.
#[path = "../../../../tests/common/redis_server.rs"]
#[allow(dead_code)]
pub mod redis_server;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use highlevel_webhooks::{PublicKey, WebhookVerifier, WebhookVerifierBuilder};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use std::time::{Duration, SystemTime};

const RSA_PRIVATE_PKCS8: &[u8] = include_bytes!("../keys/rsa-test-private.pk8");
pub const RSA_PUBLIC_PEM: &str = include_str!("../keys/rsa-test-public.pem");

/// A signer with both schemes' keys.
pub struct Signer {
    pub ed25519: Ed25519KeyPair,
    pub rsa: RsaKeyPair,
}

impl Signer {
    /// The tests' usual signer (seed 1).
    pub fn new() -> Signer {
        Signer::with_seed(1)
    }

    /// An Ed25519 key of its own per seed; the RSA key is always the checked-in one.
    pub fn with_seed(seed: u8) -> Signer {
        Signer {
            ed25519: Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap(),
            rsa: RsaKeyPair::from_pkcs8(RSA_PRIVATE_PKCS8).unwrap(),
        }
    }

    /// Its public keys, to trust.
    pub fn ed25519_public(&self) -> PublicKey {
        let raw: [u8; 32] = self.ed25519.public_key().as_ref().try_into().unwrap();
        PublicKey::ed25519_raw("test-ed25519", raw)
    }

    pub fn rsa_public(&self) -> PublicKey {
        PublicKey::from_pem("test-rsa", RSA_PUBLIC_PEM).unwrap()
    }

    /// `x-ghl-signature` of `body`.
    pub fn ed25519_header(&self, body: &[u8]) -> String {
        STANDARD.encode(self.ed25519.sign(body))
    }

    /// `x-wh-signature` of `body`.
    pub fn rsa_header(&self, body: &[u8]) -> String {
        let mut signature = vec![0; self.rsa.public().modulus_len()];
        self.rsa
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                body,
                &mut signature,
            )
            .unwrap();
        STANDARD.encode(signature)
    }

    /// Headers with both signatures of `body`.
    pub fn both(&self, body: &[u8]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-ghl-signature",
            self.ed25519_header(body).parse().unwrap(),
        );
        headers.insert("x-wh-signature", self.rsa_header(body).parse().unwrap());
        headers
    }

    pub fn ed25519_only(&self, body: &[u8]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-ghl-signature",
            self.ed25519_header(body).parse().unwrap(),
        );
        headers
    }

    pub fn rsa_only(&self, body: &[u8]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-wh-signature", self.rsa_header(body).parse().unwrap());
        headers
    }

    /// A builder trusting this signer's keys alone.
    pub fn builder(&self) -> WebhookVerifierBuilder {
        WebhookVerifier::builder()
            .without_highlevel_keys()
            .trust(self.ed25519_public())
            .trust(self.rsa_public())
    }

    pub fn verifier(&self) -> WebhookVerifier {
        self.builder().build().unwrap()
    }
}

/// A delivery body of `event_type` with `webhook_id`, stamped `at`.
pub fn body_at(event_type: &str, webhook_id: &str, at: SystemTime) -> Vec<u8> {
    format!(
        r#"{{"type":"{event_type}","locationId":"loc-1","appointment":{{"id":"appt-1","calendarId":"cal-1","users":["u1"]}},"timestamp":"{}","webhookId":"{webhook_id}"}}"#,
        rfc3339(at)
    )
    .into_bytes()
}

/// A fresh `AppointmentCreate` delivery body.
pub fn body(webhook_id: &str) -> Vec<u8> {
    body_at("AppointmentCreate", webhook_id, SystemTime::now())
}

/// `at` as HighLevel writes it: `2025-02-10T08:26:05.961Z`.
pub fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

pub fn minutes(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

impl Signer {
    /// The raw Ed25519 public key.
    pub fn ed25519_public_bytes(&self) -> [u8; 32] {
        self.ed25519.public_key().as_ref().try_into().unwrap()
    }
}
