//! Keeping an app's stored OAuth tokens in step with its `INSTALL` and `UNINSTALL` events
//! (feature `oauth`).

use crate::Event;
use highlevel_runtime::oauth::{OAuthError, OAuthTokens, Owner};

/// What [`sync_tokens`] did with an event.
///
/// ```
/// use highlevel_webhooks::TokensChange;
/// use highlevel_runtime::oauth::Owner;
///
/// let change = TokensChange::Removed { owner: Owner::location("loc_1"), had_tokens: true };
/// assert_eq!(change.owner(), Some(&Owner::location("loc_1")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokensChange {
    /// An `UNINSTALL`: the owner's tokens were forgotten (`had_tokens` says whether any were
    /// stored).
    Removed {
        /// The sub-account, or the agency when the event names no sub-account.
        owner: Owner,
        /// Whether tokens were stored.
        had_tokens: bool,
    },
    /// An `INSTALL` of a sub-account: its token is stored now, exchanged from its agency's
    /// token (or it was stored already).
    Obtained {
        /// The sub-account.
        owner: Owner,
    },
    /// An `INSTALL` whose tokens only the install's OAuth redirect can bring: an agency
    /// install, or a sub-account with no agency token stored.
    AwaitingCallback {
        /// Whose install it is (`None` when the event names neither).
        owner: Option<Owner>,
    },
    /// An event of another app (its `appId` is not the start of this app's client id).
    OtherApp,
    /// Not an install event.
    Ignored,
}

impl TokensChange {
    /// The sub-account or agency the change is about, when there is one.
    pub fn owner(&self) -> Option<&Owner> {
        match self {
            TokensChange::Removed { owner, .. } | TokensChange::Obtained { owner } => Some(owner),
            TokensChange::AwaitingCallback { owner } => owner.as_ref(),
            _ => None,
        }
    }
}

/// Applies an app event to the tokens `tokens` keeps:
///
/// - `UNINSTALL` forgets the sub-account's tokens (or the agency's, when it names no
///   sub-account), so that no call goes out with them and the store holds no dead credentials;
/// - `INSTALL` of a sub-account whose agency token is stored gets the sub-account's token now
///   (one exchange, stored like any other), so the first call finds it;
/// - any other event changes nothing.
///
/// HighLevel's `appId` is the start of the app's client id (`<appId>-<suffix>`); an event of
/// another app is left alone.
///
/// ```no_run
/// use highlevel_webhooks::{TokensChange, WebhookVerifier, sync_tokens};
/// use highlevel_runtime::oauth::OAuthTokens;
///
/// # async fn handler(verifier: &WebhookVerifier, tokens: &OAuthTokens, headers: &http::HeaderMap, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let delivery = verifier.verify(headers, body).await?;
/// if let TokensChange::Removed { owner, .. } = sync_tokens(delivery.event(), tokens).await? {
///     println!("uninstalled from {owner}");
/// }
/// # Ok(()) }
/// ```
pub async fn sync_tokens(event: &Event, tokens: &OAuthTokens) -> Result<TokensChange, OAuthError> {
    let client_id = tokens.app().client_id();
    let ours = |app_id: &Option<String>| {
        app_id
            .as_deref()
            .is_none_or(|app_id| !app_id.is_empty() && client_id.starts_with(app_id))
    };
    let owner_of = |location: &Option<String>, company: &Option<String>| match (location, company) {
        (Some(location), _) => Some(Owner::location(location.clone())),
        (None, Some(company)) => Some(Owner::company(company.clone())),
        (None, None) => None,
    };
    match event {
        Event::AppUninstall(uninstall) => {
            if !ours(&uninstall.app_id) {
                return Ok(TokensChange::OtherApp);
            }
            let Some(owner) = owner_of(&uninstall.location_id, &uninstall.company_id) else {
                return Ok(TokensChange::Ignored);
            };
            let had_tokens = tokens.remove(&owner).await?;
            Ok(TokensChange::Removed { owner, had_tokens })
        }
        Event::AppInstall(install) => {
            if !ours(&install.app_id) {
                return Ok(TokensChange::OtherApp);
            }
            let owner = owner_of(&install.location_id, &install.company_id);
            let Some(location @ Owner::Location(_)) = owner else {
                return Ok(TokensChange::AwaitingCallback { owner });
            };
            match tokens.access_token(&location).await {
                Ok(_) => Ok(TokensChange::Obtained { owner: location }),
                Err(OAuthError::NotInstalled { .. }) => Ok(TokensChange::AwaitingCallback {
                    owner: Some(location),
                }),
                Err(other) => Err(other),
            }
        }
        _ => Ok(TokensChange::Ignored),
    }
}
