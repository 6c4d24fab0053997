//! Access tokens: a static token, or a [`TokenProvider`] that can refresh one (OAuth).

use reqwest::header::HeaderValue;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// A bearer token. Its `Debug` and `Display` never show the secret.
///
/// ```
/// use highlevel_runtime::Token;
/// let token = Token::new("pit-1234");
/// assert_eq!(format!("{token:?}"), "Token(** redacted **)");
/// assert_eq!(token.expose_secret(), "pit-1234");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Arc<str>);

impl Token {
    /// Wraps a token string.
    pub fn new(secret: impl Into<String>) -> Token {
        Token(Arc::from(secret.into()))
    }

    /// The token itself, for code that must send it somewhere else.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The `Authorization` header value, marked sensitive so that `Debug` and HTTP/2 header
    /// compression leave it out.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, TokenError> {
        if self.0.trim().is_empty() {
            return Err(TokenError::new("the token is empty"));
        }
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0)).map_err(|_| {
            TokenError::new(
                "the token contains characters that cannot be sent in an HTTP header (such as a newline)",
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

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

/// Why a token could not be obtained. Its message must never contain the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError {
    message: String,
}

impl TokenError {
    /// A token error with a message for people (never include the token in it).
    pub fn new(message: impl Into<String>) -> TokenError {
        TokenError {
            message: message.into(),
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {}

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TokenError>> + Send + 'a>>;

/// Supplies access tokens, and new ones when HighLevel rejects the current one.
///
/// Implement it for OAuth access tokens, which expire: `refresh` is called once when a request
/// gets 401, and the request is retried once with the new token. Concurrent 401s share one
/// refresh. A static token (the default, see [`ClientBuilder::token`](crate::ClientBuilder::token))
/// cannot be refreshed.
///
/// ```
/// use highlevel_runtime::{Token, TokenError, TokenFuture, TokenProvider};
///
/// struct OAuth { /* refresh token, HTTP client, ... */ }
///
/// impl TokenProvider for OAuth {
///     fn token(&self) -> TokenFuture<'_, Token> {
///         Box::pin(async { Ok(Token::new("current-access-token")) })
///     }
///     fn refresh(&self, _rejected: &Token) -> TokenFuture<'_, Option<Token>> {
///         // Exchange the refresh token here.
///         Box::pin(async { Ok(Some(Token::new("new-access-token"))) })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to send now.
    fn token(&self) -> TokenFuture<'_, Token>;

    /// A new token after HighLevel rejected `rejected` with 401, or `None` when this provider
    /// cannot refresh (the 401 is then returned to the caller).
    fn refresh(&self, rejected: &Token) -> TokenFuture<'_, Option<Token>> {
        let _ = rejected;
        Box::pin(async { Ok(None) })
    }
}

/// A token that never changes (a Private Integration Token or a short script's access token).
#[derive(Clone, Debug)]
pub struct StaticToken(pub Token);

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_, Token> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}

/// The client's view of its provider: the current token, and one refresh at a time.
pub(crate) struct TokenSource {
    provider: Arc<dyn TokenProvider>,
    current: Mutex<Option<IssuedToken>>,
    refreshing: tokio::sync::Mutex<()>,
}

/// A token with the generation it belongs to, so a refresh knows whether someone else already
/// replaced the token that was rejected.
#[derive(Clone)]
pub(crate) struct IssuedToken {
    pub(crate) generation: u64,
    pub(crate) token: Token,
    /// `Bearer <token>`, built once per token rather than once per request.
    pub(crate) authorization: HeaderValue,
}

impl IssuedToken {
    fn new(generation: u64, token: Token) -> Result<IssuedToken, TokenError> {
        let authorization = token.header_value()?;
        Ok(IssuedToken {
            generation,
            token,
            authorization,
        })
    }
}

impl TokenSource {
    pub(crate) fn new(provider: Arc<dyn TokenProvider>) -> TokenSource {
        TokenSource {
            provider,
            current: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    fn cached(&self) -> Option<IssuedToken> {
        self.current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn store(&self, issued: &IssuedToken) {
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(issued.clone());
    }

    /// The token to use for the next request.
    pub(crate) async fn get(&self) -> Result<IssuedToken, TokenError> {
        if let Some(issued) = self.cached() {
            return Ok(issued);
        }
        let issued = IssuedToken::new(0, self.provider.token().await?)?;
        self.store(&issued);
        Ok(issued)
    }

    /// A replacement for `rejected`, refreshing at most once however many calls were rejected
    /// with the same token. `None` when the provider cannot refresh.
    pub(crate) async fn refresh(
        &self,
        rejected: &IssuedToken,
    ) -> Result<Option<IssuedToken>, TokenError> {
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some(current) = self.cached()
            && current.generation > rejected.generation
        {
            return Ok(Some(current));
        }
        let Some(token) = self.provider.refresh(&rejected.token).await? else {
            return Ok(None);
        };
        let issued = IssuedToken::new(rejected.generation + 1, token)?;
        self.store(&issued);
        Ok(Some(issued))
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSource(** redacted **)")
    }
}
