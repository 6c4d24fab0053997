//! A bearer token that never shows itself, and why one could not be had.

use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A bearer token. Its `Debug` and `Display` never show the secret.
///
/// ```
/// use highlevel_runtime::Token;
/// let token = Token::new("pit-1234");
/// assert_eq!(format!("{token:?}"), "Token(** redacted **)");
/// assert_eq!(token.expose_secret(), "pit-1234");
/// ```
#[derive(Clone)]
pub struct Token(Arc<Secret>);

struct Secret {
    text: Box<str>,
    /// `Bearer <token>`, built the first time a request needs it, then shared by every call
    /// that uses this token.
    header: OnceLock<Result<HeaderValue, TokenError>>,
}

impl Token {
    /// Wraps a token string.
    pub fn new(secret: impl Into<String>) -> Token {
        Token(Arc::new(Secret {
            text: secret.into().into_boxed_str(),
            header: OnceLock::new(),
        }))
    }

    /// The token itself, for code that must send it somewhere else.
    pub fn expose_secret(&self) -> &str {
        &self.0.text
    }

    /// The `Authorization` header value, marked sensitive so that `Debug` and HTTP/2 header
    /// compression leave it out.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, TokenError> {
        self.0
            .header
            .get_or_init(|| {
                if self.0.text.trim().is_empty() {
                    return Err(TokenError::new("the token is empty"));
                }
                let mut value = HeaderValue::try_from(format!("Bearer {}", self.0.text))
                    .map_err(|_| {
                        TokenError::new(
                            "the token contains characters that cannot be sent in an HTTP header (such as a newline)",
                        )
                    })?;
                value.set_sensitive(true);
                Ok(value)
            })
            .clone()
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Token) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.text == other.0.text
    }
}

impl Eq for Token {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(** redacted **)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

impl From<&str> for Token {
    fn from(value: &str) -> Token {
        Token::new(value)
    }
}

impl From<String> for Token {
    fn from(value: String) -> Token {
        Token::new(value)
    }
}

/// Why a token could not be obtained. Its message never contains a token or a secret.
///
/// A provider makes one with [`TokenError::new`]; the runtime's own OAuth tokens
/// ([`OAuthTokens`](crate::oauth::OAuthTokens)) say what failed in an
/// [`OAuthError`](crate::oauth::OAuthError), such as a lost install.
///
/// ```
/// use highlevel_runtime::TokenError;
///
/// let error = TokenError::new("the vault did not answer");
/// assert_eq!(error.to_string(), "the vault did not answer");
/// assert!(error.oauth().is_none());
/// ```
#[derive(Clone, Debug)]
pub struct TokenError {
    pub(crate) message: String,
    /// The [`OAuthError`](crate::oauth::OAuthError) behind it, if any. Held as any error so
    /// that this module (below OAuth) does not name OAuth's types; `oauth()` downcasts it.
    pub(crate) source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl TokenError {
    /// A token error with a message for people (never include the token in it).
    pub fn new(message: impl Into<String>) -> TokenError {
        TokenError {
            message: message.into(),
            source: None,
        }
    }
}

impl PartialEq for TokenError {
    fn eq(&self, other: &TokenError) -> bool {
        self.message == other.message
    }
}

impl Eq for TokenError {}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
