//! The sandbox's two signing keys and the public keys an app under test trusts.
//!
//! HighLevel signs each delivery twice: Ed25519 in `x-ghl-signature` and RSA PKCS#1 v1.5
//! SHA-256 in `x-wh-signature`, both base64 over the exact body bytes. The Ed25519 key is made
//! fresh at every start; ring cannot make RSA keys, so the RSA one is checked in (see
//! `keys/README.md`: public, never to be trusted outside tests).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use std::fmt;

/// The sandbox's RSA-2048 key (PKCS#8 DER). Public test material, not a secret.
const RSA_PRIVATE_PKCS8: &[u8] = include_bytes!("../../keys/webhook-rsa-private.pk8");
/// Its public half, as `openssl pkey -pubout` wrote it.
const RSA_PUBLIC_PEM: &str = include_str!("../../keys/webhook-rsa-public.pem");
/// The DER an Ed25519 SubjectPublicKeyInfo starts with (RFC 8410), before the 32-byte key.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The public keys of the webhooks a sandbox sends, as SubjectPublicKeyInfo PEM: what
/// `highlevel_webhooks::PublicKey::from_pem` reads, to give its verifier's `trust`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
/// #   "paths": {"/things/": {"get": {"operationId": "get-things",
/// #     "responses": {"200": {"description": "ok"}}}}}}"#;
/// # let api = highlevel_sandbox::Api::from_document(DOCUMENT)?;
/// # let sandbox = highlevel_sandbox::Sandbox::builder(api).start().await?;
/// let keys = sandbox.webhook_public_keys();
/// assert!(keys.ed25519_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
/// assert!(keys.rsa_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookPublicKeys {
    /// The key of `x-ghl-signature` (Ed25519), new at every start.
    pub ed25519_pem: String,
    /// The key of `x-wh-signature` (RSA-2048), the same in every sandbox.
    pub rsa_pem: String,
}

impl WebhookPublicKeys {
    /// Both keys as `{"ed25519": PEM, "rsa": PEM}`, what `GET /_sandbox/webhooks/keys`
    /// answers.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "ed25519": self.ed25519_pem, "rsa": self.rsa_pem })
    }

    /// The keys from what [`to_json`](WebhookPublicKeys::to_json) made (an app reads them so
    /// from the program's `GET /_sandbox/webhooks/keys`); `None` when either is missing.
    ///
    /// ```
    /// use highlevel_sandbox::WebhookPublicKeys;
    ///
    /// let keys = WebhookPublicKeys::from_json(&serde_json::json!({"ed25519": "E", "rsa": "R"}));
    /// assert_eq!(keys.map(|k| k.rsa_pem), Some("R".to_string()));
    /// assert!(WebhookPublicKeys::from_json(&serde_json::json!({"rsa": "R"})).is_none());
    /// ```
    pub fn from_json(value: &serde_json::Value) -> Option<WebhookPublicKeys> {
        let text = |name: &str| value.get(name)?.as_str().map(str::to_string);
        Some(WebhookPublicKeys {
            ed25519_pem: text("ed25519")?,
            rsa_pem: text("rsa")?,
        })
    }
}

/// Signs bodies with both schemes.
pub(crate) struct Signer {
    ed25519: Ed25519KeyPair,
    rsa: RsaKeyPair,
    random: SystemRandom,
    public: WebhookPublicKeys,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

/// The two header values of one delivery.
#[derive(Clone, Debug)]
pub(crate) struct Signatures {
    /// base64 of the Ed25519 signature, for `x-ghl-signature`.
    pub(crate) ed25519: String,
    /// base64 of the RSA signature, for `x-wh-signature`.
    pub(crate) rsa: String,
}

impl Signer {
    /// A fresh Ed25519 key and the checked-in RSA key; `None` when the system's random source
    /// fails.
    pub(crate) fn new() -> Option<Signer> {
        let random = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&random).ok()?;
        let ed25519 = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).ok()?;
        let rsa = RsaKeyPair::from_pkcs8(RSA_PRIVATE_PKCS8).ok()?;
        let mut spki = ED25519_SPKI_PREFIX.to_vec();
        spki.extend_from_slice(ed25519.public_key().as_ref());
        let public = WebhookPublicKeys {
            ed25519_pem: pem(&spki),
            rsa_pem: RSA_PUBLIC_PEM.to_string(),
        };
        Some(Signer {
            ed25519,
            rsa,
            random,
            public,
        })
    }

    pub(crate) fn public_keys(&self) -> &WebhookPublicKeys {
        &self.public
    }

    /// Both signatures of `body`, or `None` if RSA signing fails (it only fails when the
    /// random source does, for blinding).
    pub(crate) fn sign(&self, body: &[u8]) -> Option<Signatures> {
        let ed25519 = STANDARD.encode(self.ed25519.sign(body));
        let mut rsa = vec![0; self.rsa.public().modulus_len()];
        self.rsa
            .sign(&RSA_PKCS1_SHA256, &self.random, body, &mut rsa)
            .ok()?;
        Some(Signatures {
            ed25519,
            rsa: STANDARD.encode(rsa),
        })
    }
}

/// `der` as a `PUBLIC KEY` PEM block, 64 characters a line.
fn pem(der: &[u8]) -> String {
    let text = STANDARD.encode(der);
    let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END PUBLIC KEY-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use highlevel_webhooks::PublicKey;

    #[test]
    fn the_checked_in_public_key_is_the_private_keys() {
        let signer = Signer::new().unwrap();
        let body = b"{\"type\":\"INSTALL\"}";
        let signatures = signer.sign(body).unwrap();
        let rsa = PublicKey::from_pem("rsa", &signer.public_keys().rsa_pem).unwrap();
        let ed = PublicKey::from_pem("ed", &signer.public_keys().ed25519_pem).unwrap();
        assert_eq!(ed.scheme(), highlevel_webhooks::Scheme::Ed25519);
        assert_eq!(rsa.scheme(), highlevel_webhooks::Scheme::Rsa);
        // The PKCS#1 key ring signs with ends the SPKI the PEM holds.
        let spki: String = RSA_PUBLIC_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let spki = STANDARD.decode(spki).unwrap();
        assert!(spki.ends_with(signer.rsa.public().as_ref()));
        assert_eq!(STANDARD.decode(&signatures.ed25519).unwrap().len(), 64);
        assert_eq!(STANDARD.decode(&signatures.rsa).unwrap().len(), 256);
    }

    #[test]
    fn every_start_makes_another_ed25519_key() {
        let (a, b) = (Signer::new().unwrap(), Signer::new().unwrap());
        assert_ne!(a.public_keys().ed25519_pem, b.public_keys().ed25519_pem);
        assert_eq!(a.public_keys().rsa_pem, b.public_keys().rsa_pem);
    }
}
