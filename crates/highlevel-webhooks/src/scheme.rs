//! The two signature schemes HighLevel signs webhooks with, and which header carries each.

use std::fmt;

/// The signature scheme a key belongs to, and the header that carries its signatures.
///
/// ```
/// use highlevel_webhooks::Scheme;
///
/// assert_eq!(Scheme::Ed25519.header(), "x-ghl-signature");
/// assert_eq!(Scheme::Rsa.header(), "x-wh-signature");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Ed25519 over the body, in `x-ghl-signature`: HighLevel's current scheme.
    Ed25519,
    /// RSA PKCS#1 v1.5 with SHA-256 over the body, in `x-wh-signature`: the older scheme,
    /// which HighLevel replaces during 2026.
    Rsa,
}

impl Scheme {
    /// The (lower-case) name of the header that carries this scheme's signature.
    ///
    /// ```
    /// assert_eq!(highlevel_webhooks::Scheme::Rsa.header(), "x-wh-signature");
    /// ```
    pub fn header(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "x-ghl-signature",
            Scheme::Rsa => "x-wh-signature",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Ed25519 => "Ed25519",
            Scheme::Rsa => "RSA",
        })
    }
}
