//! Checking a delivery's signatures, over the body exactly as received, against the trusted
//! keys and under the policy.

use crate::error::{ErrorKind, WebhookError};
use crate::headers::{SignatureHeader, SignatureHeaders};
use crate::keys::PublicKey;
use crate::policy::SignaturePolicy;
use crate::scheme::Scheme;
use base64::Engine as _;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard base64, with or without the trailing `=`: either form is the same signature.
const SIGNATURE_BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The longest signature header read: an RSA-8192 signature in base64 is 1,368 bytes.
const MAX_SIGNATURE_HEADER: usize = 2048;

/// Which key accepted a delivery.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub(crate) scheme: Scheme,
    pub(crate) key_id: String,
}

/// Checks `headers` against `keys` under `policy`, over `body` as received.
pub(crate) fn check(
    policy: SignaturePolicy,
    keys: &[PublicKey],
    headers: &SignatureHeaders<'_>,
    body: &[u8],
) -> Result<Accepted, WebhookError> {
    let one = |scheme| check_scheme(scheme, headers.get(scheme), keys, body);
    match policy {
        SignaturePolicy::Ed25519Only => one(Scheme::Ed25519),
        SignaturePolicy::RsaOnly => one(Scheme::Rsa),
        SignaturePolicy::Both => {
            let ed25519 = one(Scheme::Ed25519)?;
            one(Scheme::Rsa)?;
            Ok(ed25519)
        }
        // Whatever the RSA header says, a delivery that has an Ed25519 header stands or
        // falls with it.
        SignaturePolicy::Ed25519OrRsaFallback if headers.ed25519().is_present() => {
            one(Scheme::Ed25519)
        }
        SignaturePolicy::Ed25519OrRsaFallback if headers.rsa().is_present() => one(Scheme::Rsa),
        SignaturePolicy::Ed25519OrRsaFallback => {
            Err(WebhookError::new(ErrorKind::SignatureMissing)
                .with_detail("neither x-ghl-signature nor x-wh-signature came"))
        }
    }
}

fn check_scheme(
    scheme: Scheme,
    header: SignatureHeader<'_>,
    keys: &[PublicKey],
    body: &[u8],
) -> Result<Accepted, WebhookError> {
    let error = |kind| WebhookError::new(kind).with_scheme(scheme);
    let value = match header {
        SignatureHeader::Absent => return Err(error(ErrorKind::SignatureMissing)),
        SignatureHeader::Repeated => {
            return Err(error(ErrorKind::SignatureInvalid).with_detail("the header came twice"));
        }
        SignatureHeader::Once(value) => value.trim_ascii(),
    };
    if value.len() > MAX_SIGNATURE_HEADER {
        return Err(error(ErrorKind::SignatureEncoding).with_detail("the header is too long"));
    }
    let signature = SIGNATURE_BASE64
        .decode(value)
        .map_err(|_| error(ErrorKind::SignatureEncoding))?;
    let mut of_scheme = keys.iter().filter(|k| k.scheme() == scheme).peekable();
    if of_scheme.peek().is_none() {
        return Err(error(ErrorKind::UnknownKey).with_detail("no key of this scheme is trusted"));
    }
    let mut fitting = of_scheme
        .filter(|k| k.fits_signature_len(signature.len()))
        .peekable();
    if fitting.peek().is_none() {
        // An RSA signature is as long as the key's modulus: one that fits no trusted key was
        // made with another key. An Ed25519 signature of the wrong length is just broken.
        let kind = match scheme {
            Scheme::Rsa => ErrorKind::UnknownKey,
            Scheme::Ed25519 => ErrorKind::SignatureInvalid,
        };
        return Err(error(kind));
    }
    fitting
        .find(|key| key.verifies(body, &signature))
        .map(|key| Accepted {
            scheme,
            key_id: key.id().to_string(),
        })
        .ok_or_else(|| error(ErrorKind::SignatureInvalid))
}
