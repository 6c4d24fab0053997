//! Choosing the TLS implementation.
//!
//! With the `rustls` feature (the default) the crate uses rustls with the `ring` provider,
//! which builds much faster than reqwest's default `aws-lc-rs` and needs no system library.
//! With `native-tls` it uses the platform's TLS (OpenSSL on Linux).

/// Makes `ring` the process-wide rustls crypto provider unless the application already chose
/// one. [`ClientBuilder::build`](crate::ClientBuilder::build) calls it; call it yourself before
/// building your own `reqwest::Client` for
/// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) when nothing else in your
/// application enables a rustls provider (reqwest panics without one).
///
/// Does nothing without the `rustls` feature.
pub fn install_tls_provider() {
    #[cfg(feature = "rustls")]
    {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: a provider is installed either way.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    }
}
