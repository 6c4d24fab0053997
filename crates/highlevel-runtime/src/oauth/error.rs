//! [`OAuthError`]: what can go wrong installing an app, or getting or refreshing its tokens.

use crate::owner::Owner;
use crate::token::TokenError;
use reqwest::StatusCode;
use std::fmt;
use std::time::Duration;

/// What went wrong with HighLevel's OAuth: an exchange the token endpoint refused, a lost
/// install, a store that did not answer. No variant ever holds a token, a code or the client
/// secret; text the server sent is kept only after they are taken out of it.
///
/// A call fails with [`Error::Token`](crate::Error::Token) holding one of these (see
/// [`TokenError::oauth`](crate::TokenError::oauth)); nothing was sent then.
///
/// ```
/// use highlevel_runtime::oauth::{OAuthError, Owner};
///
/// let error = OAuthError::InstallLost { owner: Owner::location("loc_1") };
/// assert_eq!(error.owner(), Some(&Owner::location("loc_1")));
/// assert!(error.to_string().contains("install the app again"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum OAuthError {
    /// HighLevel refused the stored refresh token (`invalid_grant`: used already, revoked, or
    /// the app was uninstalled), and no newer token was stored by anyone else. The owner has
    /// to install the app again.
    InstallLost {
        /// Whose install it was.
        owner: Owner,
    },
    /// No token is stored for the owner, and no agency token could be exchanged for one.
    NotInstalled {
        /// Whose token was asked for.
        owner: Owner,
    },
    /// The call names no sub-account or company, and the client was made for none; make one
    /// with `for_location` or `for_company`.
    NoOwner,
    /// An OAuth endpoint answered with an error.
    Rejected {
        /// The endpoint's path, such as `/oauth/token`.
        endpoint: &'static str,
        /// The status it answered.
        status: StatusCode,
        /// The OAuth error code (`invalid_grant`, `invalid_client`, …), when it sent one.
        code: Option<String>,
        /// What it said, with any secret of ours taken out.
        message: String,
        /// HighLevel's `traceId`, when it sent one.
        trace_id: Option<String>,
    },
    /// An OAuth endpoint could not be reached, or its answer did not arrive.
    Transport {
        /// The endpoint's path.
        endpoint: &'static str,
        /// What reqwest reported (it never holds a request's form).
        source: reqwest::Error,
    },
    /// An OAuth endpoint answered success with a body that is not what HighLevel documents.
    Decode {
        /// The endpoint's path.
        endpoint: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The token store failed or did not answer in time.
    Store(StoreError),
    /// Another process held the owner's refresh lock for longer than the wait allowed, and
    /// stored no new token meanwhile.
    LockTimeout {
        /// Whose token was being refreshed.
        owner: Owner,
        /// How long this process waited.
        waited: Duration,
    },
}

impl OAuthError {
    /// The sub-account or company the error is about, when it is about one.
    pub fn owner(&self) -> Option<&Owner> {
        match self {
            OAuthError::InstallLost { owner }
            | OAuthError::NotInstalled { owner }
            | OAuthError::LockTimeout { owner, .. } => Some(owner),
            _ => None,
        }
    }

    /// Whether the owner must install the app again ([`OAuthError::InstallLost`]).
    pub fn is_install_lost(&self) -> bool {
        matches!(self, OAuthError::InstallLost { .. })
    }

    /// Whether the endpoint answered `invalid_grant`.
    pub(crate) fn is_invalid_grant(&self) -> bool {
        matches!(self, OAuthError::Rejected { code: Some(code), .. } if code == "invalid_grant")
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::InstallLost { owner } => write!(
                f,
                "HighLevel refused the refresh token of {owner} and no newer one is stored: the \
                 install is lost; ask the {} to install the app again",
                match owner {
                    Owner::Location(_) => "sub-account",
                    Owner::Company(_) => "agency",
                }
            ),
            OAuthError::NotInstalled { owner } => write!(
                f,
                "no token is stored for {owner}, and no agency token could be exchanged for one"
            ),
            OAuthError::NoOwner => f.write_str(
                "the call names no sub-account or company: make the client for one with \
                 for_location or for_company",
            ),
            OAuthError::Rejected {
                endpoint,
                status,
                code,
                message,
                trace_id,
            } => {
                write!(f, "{endpoint} answered {status}")?;
                if let Some(code) = code {
                    write!(f, " ({code})")?;
                }
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                if let Some(trace_id) = trace_id {
                    write!(f, " [traceId {trace_id}]")?;
                }
                Ok(())
            }
            OAuthError::Transport { endpoint, source } => {
                write!(f, "{endpoint} could not be reached: {source}")
            }
            OAuthError::Decode { endpoint, reason } => {
                write!(
                    f,
                    "{endpoint} answered a body this client cannot read: {reason}"
                )
            }
            OAuthError::Store(e) => write!(f, "the token store failed: {e}"),
            OAuthError::LockTimeout { owner, waited } => write!(
                f,
                "another process has been refreshing the token of {owner} for over {} ms",
                waited.as_millis()
            ),
        }
    }
}

impl std::error::Error for OAuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OAuthError::Transport { source, .. } => Some(source),
            OAuthError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for OAuthError {
    fn from(error: StoreError) -> OAuthError {
        OAuthError::Store(error)
    }
}

/// Why a [`TokenStore`](super::TokenStore) could not do what it was asked.
///
/// ```
/// use highlevel_runtime::oauth::StoreError;
///
/// let error = StoreError::unavailable("no answer within 200 ms");
/// assert!(error.is_unavailable());
/// assert_eq!(error.to_string(), "the store is unavailable: no answer within 200 ms");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    unavailable: bool,
    message: String,
}

impl StoreError {
    /// The store could not be reached or did not answer in time.
    pub fn unavailable(reason: impl Into<String>) -> StoreError {
        StoreError {
            unavailable: true,
            message: reason.into(),
        }
    }

    /// The store answered, but with something it should not hold (a corrupt record, say).
    pub fn invalid(reason: impl Into<String>) -> StoreError {
        StoreError {
            unavailable: false,
            message: reason.into(),
        }
    }

    /// Whether the store could not be reached (rather than answering wrongly).
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unavailable {
            write!(f, "the store is unavailable: {}", self.message)
        } else {
            write!(f, "the store holds something unreadable: {}", self.message)
        }
    }
}

impl std::error::Error for StoreError {}

impl TokenError {
    /// What failed, when the token came from [`OAuthTokens`](crate::oauth::OAuthTokens).
    pub fn oauth(&self) -> Option<&OAuthError> {
        self.source.as_deref()?.downcast_ref()
    }
}

impl From<OAuthError> for TokenError {
    fn from(error: OAuthError) -> TokenError {
        TokenError {
            message: error.to_string(),
            source: Some(std::sync::Arc::new(error)),
        }
    }
}
