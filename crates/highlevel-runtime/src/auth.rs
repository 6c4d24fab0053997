//! Where a call's token comes from: a static token, or a [`TokenProvider`] that can refresh
//! one (OAuth).

use crate::keyed_lock::KeyedLocks;
use crate::owner::Owner;
use crate::token::{Token, TokenError};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TokenError>> + Send + 'a>>;

/// Supplies access tokens, and new ones when HighLevel rejects the current one.
///
/// The client asks for a token on every call, so a provider can replace its token whenever it
/// likes (before it expires, say); it should answer quickly from memory. `refresh` is called
/// when a request gets 401, and the request is sent once more with the token it gives.
/// Concurrent 401s share one refresh. A static token (the default, see
/// [`ClientBuilder::token`](crate::ClientBuilder::token)) cannot be refreshed. For HighLevel's
/// OAuth, [`OAuthTokens`](crate::oauth::OAuthTokens) is a provider that does all of this for
/// every sub-account an app is installed in.
///
/// `token_for` and `refresh_for` name whose token the call needs: the sub-account or company
/// the request names (see [`Owner`](crate::oauth::Owner)), or the one the client was made for
/// with [`Runtime::for_owner`](crate::Runtime::for_owner). By default they ignore it and call
/// `token` and `refresh`.
///
/// ```
/// use highlevel_runtime::{Token, TokenError, TokenFuture, TokenProvider};
/// use std::sync::Mutex;
///
/// struct Rotating { current: Mutex<Token> }
///
/// impl TokenProvider for Rotating {
///     fn token(&self) -> TokenFuture<'_, Token> {
///         let token = self.current.lock().unwrap().clone();
///         Box::pin(async move { Ok(token) })
///     }
///     fn refresh(&self, _rejected: &Token) -> TokenFuture<'_, Option<Token>> {
///         // Exchange a refresh token here.
///         let fresh = Token::new("new-access-token");
///         *self.current.lock().unwrap() = fresh.clone();
///         Box::pin(async move { Ok(Some(fresh)) })
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

    /// The token to send for a call on behalf of `owner` (`None` when the call names no
    /// sub-account or company and the client was made for none). Calls [`token`](Self::token)
    /// unless overridden.
    fn token_for<'a>(&'a self, owner: Option<&'a Owner>) -> TokenFuture<'a, Token> {
        let _ = owner;
        self.token()
    }

    /// [`refresh`](Self::refresh) for the token of `owner`. Calls `refresh` unless overridden.
    fn refresh_for<'a>(
        &'a self,
        owner: Option<&'a Owner>,
        rejected: &'a Token,
    ) -> TokenFuture<'a, Option<Token>> {
        let _ = owner;
        self.refresh(rejected)
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

/// The client's view of its tokens: one static token, read without a provider call, or a
/// provider asked on every call and refreshed once at a time.
pub(crate) enum TokenSource {
    Static(Token),
    Provider {
        provider: Arc<dyn TokenProvider>,
        /// One refresh at a time per owner (one owner's slow refresh holds up no other's).
        refreshing: KeyedLocks<Option<Owner>>,
    },
}

impl TokenSource {
    pub(crate) fn new(provider: Arc<dyn TokenProvider>) -> TokenSource {
        TokenSource::Provider {
            provider,
            refreshing: Default::default(),
        }
    }

    /// The token of a client built with a static token, which needs no owner.
    pub(crate) fn fixed(&self) -> Option<&Token> {
        match self {
            TokenSource::Static(token) => Some(token),
            TokenSource::Provider { .. } => None,
        }
    }

    /// The token to use for the next request on behalf of `owner`.
    pub(crate) async fn get(&self, owner: Option<&Owner>) -> Result<Token, TokenError> {
        match self {
            TokenSource::Static(token) => Ok(token.clone()),
            TokenSource::Provider { provider, .. } => {
                let token = provider.token_for(owner).await?;
                token.header_value()?;
                Ok(token)
            }
        }
    }

    /// A replacement for `rejected`, refreshing at most once however many calls were rejected
    /// with the same token: a call that waited for another's refresh finds the provider's
    /// token changed and takes it. `None` when the provider cannot refresh.
    pub(crate) async fn refresh(
        &self,
        owner: Option<&Owner>,
        rejected: &Token,
    ) -> Result<Option<Token>, TokenError> {
        let TokenSource::Provider {
            provider,
            refreshing,
        } = self
        else {
            return Ok(None);
        };
        let _one_at_a_time = refreshing.lock(&owner.cloned()).await;
        let current = provider.token_for(owner).await?;
        let fresh = if current != *rejected {
            Some(current)
        } else {
            provider.refresh_for(owner, rejected).await?
        };
        if let Some(token) = &fresh {
            token.header_value()?;
        }
        Ok(fresh)
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSource(** redacted **)")
    }
}
