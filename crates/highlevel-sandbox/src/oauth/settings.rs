//! What an OAuth-speaking sandbox is configured with: the one app it knows, how long its access
//! tokens live, and the agency (company) with its sub-accounts (locations).

use std::fmt;
use std::time::Duration;

/// The lifetime of an access token when none is configured: HighLevel's, a day less a second.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(86_399);

/// The agency a sandbox plays when none is configured.
pub const DEFAULT_COMPANY_ID: &str = "sandbox-company";

/// The user every install is made by when none is configured.
pub const DEFAULT_USER_ID: &str = "sandbox-user";

/// The sub-accounts a sandbox's agency has when none are configured: `loc`, the location most
/// tests and examples name, and `loc_1` to `loc_3` for tests that spread calls over several.
pub const DEFAULT_LOCATION_IDS: &[&str] = &["loc", "loc_1", "loc_2", "loc_3"];

/// Turns on HighLevel's OAuth protocol in a sandbox: one Marketplace app (its client id and
/// secret), an agency and its sub-accounts. Give it to
/// [`SandboxBuilder::oauth`](crate::SandboxBuilder::oauth); the [`oauth` module
/// docs](crate::oauth) describe what the sandbox then serves.
///
/// `Debug` never shows the client secret.
///
/// ```
/// use highlevel_sandbox::{OAuthSettings, SubAccount};
/// use std::time::Duration;
///
/// let settings = OAuthSettings::new("app-client", "app-secret")
///     .token_ttl(Duration::from_secs(2))
///     .company_id("agency-1")
///     .locations([SubAccount::new("loc_a").name("Dental"), SubAccount::new("loc_b")]);
/// assert_eq!(settings.client_id(), "app-client");
/// assert_eq!(settings.location_ids().collect::<Vec<_>>(), ["loc_a", "loc_b"]);
/// assert!(!format!("{settings:?}").contains("app-secret"));
/// ```
#[derive(Clone)]
pub struct OAuthSettings {
    client_id: String,
    client_secret: String,
    token_ttl: Duration,
    company_id: String,
    user_id: String,
    locations: Vec<SubAccount>,
}

impl fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("token_ttl", &self.token_ttl)
            .field("company_id", &self.company_id)
            .field("user_id", &self.user_id)
            .field("locations", &self.locations)
            .finish()
    }
}

impl OAuthSettings {
    /// An app with this client id and secret; every other setting at its default
    /// ([`DEFAULT_TOKEN_TTL`], [`DEFAULT_COMPANY_ID`], [`DEFAULT_USER_ID`],
    /// [`DEFAULT_LOCATION_IDS`]).
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> OAuthSettings {
        OAuthSettings {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_ttl: DEFAULT_TOKEN_TTL,
            company_id: DEFAULT_COMPANY_ID.into(),
            user_id: DEFAULT_USER_ID.into(),
            locations: DEFAULT_LOCATION_IDS
                .iter()
                .map(|id| SubAccount::new(*id))
                .collect(),
        }
    }

    /// How long an access token is accepted after it is issued. A short one (a second or
    /// two) lets a test see its client refresh.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// The agency's id (`companyId`).
    pub fn company_id(mut self, company_id: impl Into<String>) -> Self {
        self.company_id = company_id.into();
        self
    }

    /// The `userId` of the user who makes every install.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// The agency's sub-accounts, replacing the default ones.
    pub fn locations(mut self, locations: impl IntoIterator<Item = SubAccount>) -> Self {
        self.locations = locations.into_iter().collect();
        self
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The app id `GET /oauth/installedLocations` wants: the client id up to its first `-`
    /// (HighLevel's client ids are the app id and a suffix).
    pub fn app_id(&self) -> &str {
        self.client_id
            .split_once('-')
            .map_or(self.client_id.as_str(), |(app, _)| app)
    }

    /// The access tokens' lifetime.
    pub fn ttl(&self) -> Duration {
        self.token_ttl
    }

    /// The agency's id.
    pub fn company(&self) -> &str {
        &self.company_id
    }

    /// The installing user's id.
    pub fn user(&self) -> &str {
        &self.user_id
    }

    /// The agency's sub-accounts.
    pub fn sub_accounts(&self) -> &[SubAccount] {
        &self.locations
    }

    /// The ids of the agency's sub-accounts, in order.
    pub fn location_ids(&self) -> impl Iterator<Item = &str> {
        self.locations.iter().map(|l| l.id.as_str())
    }

    /// Whether `location_id` is one of the agency's sub-accounts.
    pub fn has_location(&self, location_id: &str) -> bool {
        self.locations.iter().any(|l| l.id == location_id)
    }

    /// Whether `secret` is the client secret (compared in time independent of where they
    /// differ, as a secret should be).
    pub(crate) fn secret_matches(&self, secret: &str) -> bool {
        let (a, b) = (self.client_secret.as_bytes(), secret.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// One sub-account (location) of the sandbox's agency, as `GET /oauth/installedLocations` lists
/// it.
///
/// ```
/// use highlevel_sandbox::SubAccount;
///
/// let location = SubAccount::new("loc_1").name("Downtown").address("1 Main St");
/// assert_eq!(location.id, "loc_1");
/// assert_eq!(SubAccount::new("loc_2").name, "Sub-account loc_2");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubAccount {
    /// The `locationId`.
    pub id: String,
    /// Its name (`Sub-account <id>` unless given).
    pub name: String,
    /// Its address (empty unless given).
    pub address: String,
}

impl SubAccount {
    /// A sub-account with this id, a name made from it and no address.
    pub fn new(id: impl Into<String>) -> SubAccount {
        let id = id.into();
        SubAccount {
            name: format!("Sub-account {id}"),
            id,
            address: String::new(),
        }
    }

    /// Its name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Its address.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }
}
