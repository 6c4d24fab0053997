//! [`BuildError`]: why a client could not be built. Its own module, as the configuration and
//! the fleet budget (`pacing`) both report it, and neither should import the other for it.

use std::fmt;

/// Why a client could not be built. Messages never contain the token.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// No token or token provider was given.
    MissingToken,
    /// A required environment variable is unset or empty.
    MissingEnv(&'static str),
    /// The token is empty or cannot be sent in a header.
    InvalidToken(String),
    /// The base URL does not parse or has parts a base URL cannot have.
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base URL is plain `http://` to a host that is not loopback.
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
    },
    /// A configured header value cannot be sent (it names the header).
    InvalidHeader(&'static str),
    /// The HTTP client could not be created.
    Http(reqwest::Error),
    /// An OAuth app's settings cannot work (the reason names the setting).
    InvalidOAuth(&'static str),
    /// The fleet budget's Redis URL does not parse (the reason never repeats the URL, which
    /// may hold a password).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    InvalidRedisUrl(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingToken => f.write_str(
                "no access token: call ClientBuilder::token or ClientBuilder::token_provider",
            ),
            BuildError::MissingEnv(name) => write!(f, "the environment variable {name} is not set"),
            BuildError::InvalidToken(reason) => write!(f, "invalid access token: {reason}"),
            BuildError::InvalidBaseUrl { url, reason } => {
                write!(f, "invalid base URL `{url}`: {reason}")
            }
            BuildError::InsecureBaseUrl { url } => write!(
                f,
                "refusing plain http base URL `{url}`: the token would travel in clear; use https (http is allowed for localhost only)"
            ),
            BuildError::InvalidHeader(name) => {
                write!(
                    f,
                    "the configured {name} header value cannot be sent in HTTP"
                )
            }
            BuildError::Http(e) => write!(f, "could not create the HTTP client: {e}"),
            BuildError::InvalidOAuth(reason) => write!(f, "invalid OAuth app: {reason}"),
            #[cfg(feature = "redis")]
            BuildError::InvalidRedisUrl(reason) => {
                write!(f, "invalid Redis URL for the fleet budget: {reason}")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}
