//! HighLevel apps: OAuth installs, tokens per sub-account, and refreshes a fleet can share.
//!
//! A Marketplace app ([`OAuthApp`]) sends a user to its [authorization
//! URL](OAuthApp::authorization_url), asking for the [`Scopes`] of the operations it calls;
//! HighLevel sends the user back with a code, which [`OAuthTokens::install`] exchanges for
//! tokens and keeps in a [`TokenStore`]. Given to a client as its token provider,
//! [`OAuthTokens`] then gives each call the token of the sub-account the call names
//! ([`Owner`]), refreshing it before it expires and after a 401, once per token however many
//! calls and processes need it.
//!
//! ```no_run
//! use highlevel_runtime::oauth::{OAuthApp, OAuthTokens, Scopes, UserType};
//! use highlevel_runtime::{ClientBuilder, Runtime};
//!
//! # async fn run(code_from_callback: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let app = OAuthApp::new("app-id", "app-secret", "https://example.com/oauth/callback")?;
//! let url = app.authorization_url(&Scopes::new(["contacts.write"]), Some("csrf-state"));
//! // … the user installs the app at `url`; the callback receives `code` …
//! let tokens = OAuthTokens::new(app);
//! let grant = tokens.install(code_from_callback, UserType::Location).await?;
//! let runtime: Runtime = ClientBuilder::new().token_provider(tokens).build()?;
//! # Ok(())
//! # }
//! ```

mod app;
mod error;
mod grant;
mod refusal;
mod scopes;
mod store;
mod tokens;

pub use crate::owner::{Owner, UserType};
pub use app::{AUTHORIZATION_PAGE, ClientSecret, OAuthApp, WHITE_LABEL_AUTHORIZATION_PAGE};
pub use error::{OAuthError, StoreError};
pub use grant::{Grant, InstalledLocation};
pub use scopes::Scopes;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use store::RedisTokenStore;
pub use store::{
    Expect, LockId, MemoryTokenStore, StoreFuture, StoredToken, TokenStore, Versioned,
};
pub use tokens::OAuthTokens;
