//! Public keys that webhook signatures are checked against, parsed once.
//!
//! Keys come as a SubjectPublicKeyInfo (SPKI), the form HighLevel publishes both of its keys
//! in: DER, its base64, or PEM (`-----BEGIN PUBLIC KEY-----`). ring verifies with the bare
//! key (32 bytes for Ed25519, a PKCS#1 `RSAPublicKey` for RSA), which is the SPKI's bit
//! string. We read the SPKI with RustCrypto's `spki` crate (with `der` and
//! `pem-rfc7468` under it: small, `no_std`, widely used) rather than slicing DER by hand:
//! `rustls-pki-types`, already in the tree, only carries the SPKI bytes around and does not
//! split them into algorithm and key.

use crate::error::{ErrorKind, WebhookError};
use crate::scheme::Scheme;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{ED25519, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use spki::der::DecodePem as _;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use std::fmt;
use std::sync::Arc;

/// The length of every Ed25519 signature (RFC 8032).
const ED25519_SIGNATURE_LEN: usize = 64;
/// id-Ed25519 (RFC 8410).
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// rsaEncryption (RFC 8017).
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A public key, parsed and ready to verify signatures, with the id that names it in
/// [`Delivery::key_id`](crate::Delivery::key_id) and in logs.
///
/// ```
/// use highlevel_webhooks::{PublicKey, Scheme};
///
/// let key = PublicKey::from_spki_base64(
///     "my-key",
///     "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=",
/// )?;
/// assert_eq!(key.scheme(), Scheme::Ed25519);
/// assert_eq!(key.id(), "my-key");
/// # Ok::<(), highlevel_webhooks::WebhookError>(())
/// ```
#[derive(Clone)]
pub struct PublicKey {
    id: Arc<str>,
    scheme: Scheme,
    /// Ed25519: the 32-byte key; RSA: the PKCS#1 `RSAPublicKey` DER.
    material: Arc<[u8]>,
    /// The RSA modulus length in bytes, which every signature made with the key has.
    rsa_modulus_len: usize,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is public, but it says nothing useful in a log: the id names it.
        f.debug_struct("PublicKey")
            .field("id", &self.id)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// A key from its PEM text (`-----BEGIN PUBLIC KEY-----`, an SPKI), Ed25519 or RSA.
    ///
    /// ```
    /// use highlevel_webhooks::{PublicKey, Scheme};
    ///
    /// let pem = "-----BEGIN PUBLIC KEY-----\n\
    ///            MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=\n\
    ///            -----END PUBLIC KEY-----\n";
    /// assert_eq!(PublicKey::from_pem("ghl", pem)?.scheme(), Scheme::Ed25519);
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn from_pem(id: &str, pem: &str) -> Result<PublicKey, WebhookError> {
        let spki = SubjectPublicKeyInfoOwned::from_pem(pem.trim().as_bytes())
            .map_err(|e| bad_key(id, &format!("not a PEM public key: {e}")))?;
        PublicKey::from_parts(id, spki.algorithm.oid, spki.subject_public_key.as_bytes())
    }

    /// A key from its SPKI in base64 (a PEM body on one line), Ed25519 or RSA.
    ///
    /// ```
    /// use highlevel_webhooks::PublicKey;
    ///
    /// assert!(PublicKey::from_spki_base64("bad", "not base64!").is_err());
    /// ```
    pub fn from_spki_base64(id: &str, base64: &str) -> Result<PublicKey, WebhookError> {
        let compact: String = base64.split_whitespace().collect();
        let der = STANDARD
            .decode(compact)
            .map_err(|_| bad_key(id, "the SPKI is not valid base64"))?;
        PublicKey::from_spki_der(id, &der)
    }

    /// A key from its SPKI in DER, Ed25519 or RSA.
    ///
    /// ```
    /// use highlevel_webhooks::PublicKey;
    ///
    /// assert!(PublicKey::from_spki_der("empty", &[]).is_err());
    /// ```
    pub fn from_spki_der(id: &str, der: &[u8]) -> Result<PublicKey, WebhookError> {
        let spki = SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|e| bad_key(id, &format!("not a DER SubjectPublicKeyInfo: {e}")))?;
        PublicKey::from_parts(id, spki.algorithm.oid, spki.subject_public_key.as_bytes())
    }

    /// An Ed25519 key from its 32 raw bytes (what `ring::signature::Ed25519KeyPair`'s
    /// `public_key()` gives).
    ///
    /// ```
    /// use highlevel_webhooks::{PublicKey, Scheme};
    ///
    /// let key = PublicKey::ed25519_raw("test", [7; 32]);
    /// assert_eq!(key.scheme(), Scheme::Ed25519);
    /// ```
    pub fn ed25519_raw(id: &str, key: [u8; 32]) -> PublicKey {
        PublicKey {
            id: id.into(),
            scheme: Scheme::Ed25519,
            material: Arc::from(&key[..]),
            rsa_modulus_len: 0,
        }
    }

    fn from_parts(
        id: &str,
        oid: ObjectIdentifier,
        key: Option<&[u8]>,
    ) -> Result<PublicKey, WebhookError> {
        let key = key.ok_or_else(|| bad_key(id, "the key's bit string is not whole bytes"))?;
        if oid == OID_ED25519 {
            let raw: [u8; 32] = key
                .try_into()
                .map_err(|_| bad_key(id, "an Ed25519 key is 32 bytes"))?;
            Ok(PublicKey::ed25519_raw(id, raw))
        } else if oid == OID_RSA {
            let modulus_len =
                rsa_modulus_len(key).ok_or_else(|| bad_key(id, "not a PKCS#1 RSAPublicKey"))?;
            if !(256..=1024).contains(&modulus_len) {
                return Err(bad_key(id, "RSA keys of 2048 to 8192 bits are accepted"));
            }
            Ok(PublicKey {
                id: id.into(),
                scheme: Scheme::Rsa,
                material: Arc::from(key),
                rsa_modulus_len: modulus_len,
            })
        } else {
            Err(bad_key(
                id,
                &format!("algorithm {oid} is neither Ed25519 nor RSA"),
            ))
        }
    }

    /// The id given when the key was made.
    ///
    /// ```
    /// let key = highlevel_webhooks::PublicKey::ed25519_raw("2026-rotation", [1; 32]);
    /// assert_eq!(key.id(), "2026-rotation");
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The scheme the key verifies.
    ///
    /// ```
    /// use highlevel_webhooks::{PublicKey, Scheme};
    ///
    /// assert_eq!(PublicKey::ed25519_raw("k", [1; 32]).scheme(), Scheme::Ed25519);
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether a signature of this length could have been made with the key: RSA signatures
    /// are exactly as long as the modulus, Ed25519 ones 64 bytes.
    pub(crate) fn fits_signature_len(&self, len: usize) -> bool {
        match self.scheme {
            Scheme::Ed25519 => len == ED25519_SIGNATURE_LEN,
            Scheme::Rsa => len == self.rsa_modulus_len,
        }
    }

    /// Whether `signature` is this key's over `body`. ring 0.17 has no pre-parsed RSA public
    /// key type for verifying: it reads the few hundred bytes of `RSAPublicKey` DER each time,
    /// which costs little beside the modular exponentiation; the SPKI, PEM and base64 were
    /// read once, when the key was made.
    pub(crate) fn verifies(&self, body: &[u8], signature: &[u8]) -> bool {
        let algorithm: &'static dyn ring::signature::VerificationAlgorithm = match self.scheme {
            Scheme::Ed25519 => &ED25519,
            Scheme::Rsa => &RSA_PKCS1_2048_8192_SHA256,
        };
        UnparsedPublicKey::new(algorithm, &*self.material)
            .verify(body, signature)
            .is_ok()
    }
}

/// The modulus length in bytes of a PKCS#1 `RSAPublicKey` (SEQUENCE { n INTEGER, e INTEGER }),
/// read with `der` like the SPKI around it. `None` when it is not one.
fn rsa_modulus_len(pkcs1: &[u8]) -> Option<usize> {
    use spki::der::asn1::UintRef;
    use spki::der::{Decode as _, Reader as _, SliceReader};
    let mut reader = SliceReader::new(pkcs1).ok()?;
    let (n, e) = reader
        .sequence(|seq| Ok::<_, spki::der::Error>((UintRef::decode(seq)?, UintRef::decode(seq)?)))
        .ok()?;
    reader.finish().ok()?;
    (!e.as_bytes().is_empty()).then_some(n.as_bytes().len())
}

fn bad_key(id: &str, why: &str) -> WebhookError {
    WebhookError::new(ErrorKind::InvalidKey)
        .with_key_id(id)
        .with_detail(why)
}

/// HighLevel's published keys, built in: what a verifier trusts unless told otherwise.
///
/// ```
/// let keys = highlevel_webhooks::highlevel_keys();
/// assert_eq!(keys.len(), 2);
/// ```
pub fn highlevel_keys() -> Vec<PublicKey> {
    vec![
        PublicKey::from_spki_base64(HIGHLEVEL_ED25519_ID, HIGHLEVEL_ED25519_SPKI)
            .expect("HighLevel's Ed25519 key parses (a test checks it)"),
        PublicKey::from_pem(HIGHLEVEL_RSA_ID, HIGHLEVEL_RSA_PEM)
            .expect("HighLevel's RSA key parses (a test checks it)"),
    ]
}

/// The id of HighLevel's built-in Ed25519 key.
pub const HIGHLEVEL_ED25519_ID: &str = "highlevel-ed25519";
/// The id of HighLevel's built-in RSA key.
pub const HIGHLEVEL_RSA_ID: &str = "highlevel-rsa";

/// HighLevel's Ed25519 key for `x-ghl-signature`, as its webhook integration guide gives it.
const HIGHLEVEL_ED25519_SPKI: &str = "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=";

/// HighLevel's RSA-4096 key for `x-wh-signature`, from its webhook authentication guide.
const HIGHLEVEL_RSA_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----
";
