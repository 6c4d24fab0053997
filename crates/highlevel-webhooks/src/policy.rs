//! Which signatures a delivery must carry.

/// What a delivery must carry to be accepted.
///
/// HighLevel signs with Ed25519 in `x-ghl-signature` and, while it phases that scheme out,
/// with RSA in `x-wh-signature`. The default trusts Ed25519 whenever its header came, and
/// falls back on RSA only for deliveries without one, so that a forged or broken
/// `x-ghl-signature` cannot be bypassed by adding an RSA header.
///
/// ```
/// use highlevel_webhooks::SignaturePolicy;
///
/// assert_eq!(SignaturePolicy::default(), SignaturePolicy::Ed25519OrRsaFallback);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignaturePolicy {
    /// A valid Ed25519 signature when `x-ghl-signature` came (the RSA header is then ignored);
    /// otherwise a valid RSA signature in `x-wh-signature`. Nothing else passes.
    #[default]
    Ed25519OrRsaFallback,
    /// A valid Ed25519 signature; the RSA header is ignored. For when HighLevel has finished
    /// its move away from RSA.
    Ed25519Only,
    /// A valid RSA signature; the Ed25519 header is ignored.
    RsaOnly,
    /// Both signatures, each valid.
    Both,
}
