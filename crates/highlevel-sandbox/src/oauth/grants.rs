//! The sandbox's memory of what it granted: authorization codes, access tokens, refresh tokens
//! and which sub-accounts have the app installed, with the counters tests read. Every method
//! takes the time, so the rules (expiry, single use, rotation) are tested without waiting.

use super::bounded::{Bounded, Expiring};
use super::random;
use super::settings::OAuthSettings;
use super::stats::{OAuthStats, Owner, OwnerCounts, RefreshTokenUse};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How long an authorization code can be exchanged after the consent that made it.
pub(crate) const CODE_TTL: Duration = Duration::from_secs(600);
const MAX_CODES: usize = 10_000;
const MAX_ACCESS_TOKENS: usize = 50_000;
/// Refresh tokens are kept after use, to tell a reuse (`invalid_grant`, counted) from a token
/// never issued; used ones are the first to go past the cap.
const MAX_REFRESH_TOKENS: usize = 50_000;

/// What the user approved on the consent page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Install {
    /// One sub-account.
    Location(String),
    /// The agency, for all its sub-accounts (a bulk installation).
    Agency,
}

/// `user_type` of a token request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UserType {
    Company,
    Location,
}

/// What one token allows: whose it is and which scopes it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) owner: Owner,
    pub(crate) scopes: Vec<String>,
    /// For a Company token: whether the agency approved all its sub-accounts at once.
    pub(crate) bulk: bool,
    /// For a Company token: the sub-accounts approved at install.
    pub(crate) approved: Vec<String>,
}

impl Grant {
    pub(crate) fn has_any_scope(&self, wanted: &[&str]) -> bool {
        wanted.iter().any(|w| self.scopes.iter().any(|s| s == w))
    }
}

struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    install: Install,
    expires: Instant,
}

impl Expiring for CodeGrant {
    fn expired(&self, now: Instant) -> bool {
        now >= self.expires
    }
}

struct AccessEntry {
    grant: Grant,
    expires: Instant,
}

impl Expiring for AccessEntry {
    fn expired(&self, now: Instant) -> bool {
        now >= self.expires
    }
}

struct RefreshEntry {
    grant: Grant,
    serial: u64,
    used: bool,
    presented: u64,
}

impl Expiring for RefreshEntry {
    /// Refresh tokens do not expire in the sandbox; a used one is the cheapest to forget.
    fn expired(&self, _: Instant) -> bool {
        self.used
    }
}

/// Tokens just issued, and what they allow.
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) grant: Grant,
}

impl Issued {
    /// The answer of the token endpoints, in HighLevel's field names.
    pub(crate) fn to_json(&self, settings: &OAuthSettings) -> Value {
        let ttl = settings.ttl();
        // Whole seconds, rounded up so that a sub-second lifetime does not read as expired.
        let expires_in = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
        let mut body = json!({
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": self.grant.scopes.join(" "),
            "userType": self.grant.owner.user_type().as_str(),
            "companyId": settings.company(),
            "userId": settings.user(),
        });
        if let Some(refresh) = &self.refresh_token {
            body["refresh_token"] = refresh.as_str().into();
        }
        match &self.grant.owner {
            Owner::Location(id) => body["locationId"] = id.as_str().into(),
            _ => {
                body["isBulkInstallation"] = self.grant.bulk.into();
                body["approvedLocations"] = self.grant.approved.clone().into();
            }
        }
        body
    }
}

/// Why a code or refresh token was refused, as OAuth names it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The code or refresh token is unknown, used, expired or not this request's.
    InvalidGrant(&'static str),
    /// The request cannot be served as asked.
    InvalidRequest(String),
    /// The system's random source failed.
    Unavailable,
}

pub(crate) struct Grants {
    codes: Bounded<CodeGrant>,
    access: Bounded<AccessEntry>,
    refresh: Bounded<RefreshEntry>,
    installed: BTreeSet<String>,
    counts: BTreeMap<Owner, OwnerCounts>,
    unknown_refresh_tokens: u64,
    refresh_serial: u64,
}

impl Grants {
    pub(crate) fn new() -> Grants {
        Grants {
            codes: Bounded::new(MAX_CODES),
            access: Bounded::new(MAX_ACCESS_TOKENS),
            refresh: Bounded::new(MAX_REFRESH_TOKENS),
            installed: BTreeSet::new(),
            counts: BTreeMap::new(),
            unknown_refresh_tokens: 0,
            refresh_serial: 0,
        }
    }

    /// Records a consent: the install takes effect now, and a code for it is returned.
    pub(crate) fn consent(
        &mut self,
        settings: &OAuthSettings,
        redirect_uri: &str,
        scopes: Vec<String>,
        install: Install,
        now: Instant,
    ) -> Option<String> {
        let code = random::secret("sbx_code_")?;
        match &install {
            Install::Location(id) => {
                self.installed.insert(id.clone());
            }
            Install::Agency => self
                .installed
                .extend(settings.location_ids().map(str::to_string)),
        }
        let grant = CodeGrant {
            client_id: settings.client_id().to_string(),
            redirect_uri: redirect_uri.to_string(),
            scopes,
            install,
            expires: now + CODE_TTL,
        };
        self.codes.insert(code.clone(), grant, now);
        Some(code)
    }

    /// `grant_type=authorization_code`. The code is spent whatever the outcome.
    pub(crate) fn exchange_code(
        &mut self,
        settings: &OAuthSettings,
        code: &str,
        redirect_uri: Option<&str>,
        user_type: Option<UserType>,
        now: Instant,
    ) -> Result<Issued, Refusal> {
        let Some(code) = self.codes.remove(code).filter(|c| !c.expired(now)) else {
            return Err(Refusal::InvalidGrant(
                "the authorization code is unknown, expired or already used",
            ));
        };
        if code.client_id != settings.client_id() {
            return Err(Refusal::InvalidGrant(
                "the authorization code was issued to another client",
            ));
        }
        if redirect_uri.is_some_and(|uri| uri != code.redirect_uri) {
            return Err(Refusal::InvalidGrant(
                "redirect_uri differs from the one the code was issued for",
            ));
        }
        let user_type = user_type.unwrap_or(match code.install {
            Install::Location(_) => UserType::Location,
            Install::Agency => UserType::Company,
        });
        let grant = match (user_type, code.install) {
            (UserType::Location, Install::Location(id)) => Grant {
                owner: Owner::Location(id),
                scopes: code.scopes,
                bulk: false,
                approved: Vec::new(),
            },
            (UserType::Location, Install::Agency) => {
                return Err(Refusal::InvalidRequest(
                    "user_type Location needs a sub-account install; this code is of an agency \
                     install: ask for a Company token and exchange it at /oauth/locationToken"
                        .into(),
                ));
            }
            (UserType::Company, install) => Grant {
                owner: Owner::Company(settings.company().to_string()),
                scopes: code.scopes,
                bulk: install == Install::Agency,
                approved: match install {
                    Install::Location(id) => vec![id],
                    Install::Agency => settings.location_ids().map(str::to_string).collect(),
                },
            },
        };
        self.count(&grant.owner).code_exchanges += 1;
        self.issue(settings, grant, true, now)
            .ok_or(Refusal::Unavailable)
    }

    /// `grant_type=refresh_token`: new tokens for the same owner and scopes; the presented
    /// refresh token stops working.
    pub(crate) fn refresh(
        &mut self,
        settings: &OAuthSettings,
        refresh_token: &str,
        now: Instant,
    ) -> Result<Issued, Refusal> {
        let Some(entry) = self.refresh.get_mut(refresh_token) else {
            self.unknown_refresh_tokens += 1;
            return Err(Refusal::InvalidGrant("the refresh token is unknown"));
        };
        entry.presented += 1;
        if entry.used {
            let owner = entry.grant.owner.clone();
            self.count(&owner).refresh_reuses += 1;
            return Err(Refusal::InvalidGrant(
                "the refresh token was already used; each refresh token works once",
            ));
        }
        entry.used = true;
        let grant = entry.grant.clone();
        self.count(&grant.owner).refreshes += 1;
        self.issue(settings, grant, true, now)
            .ok_or(Refusal::Unavailable)
    }

    /// `POST /oauth/locationToken`: a Location token (without a refresh token) for one of the
    /// agency's installed sub-accounts, made from `company`'s grant.
    pub(crate) fn location_token(
        &mut self,
        settings: &OAuthSettings,
        company: &Grant,
        location_id: &str,
        now: Instant,
    ) -> Option<Issued> {
        let grant = Grant {
            owner: Owner::Location(location_id.to_string()),
            scopes: company.scopes.clone(),
            bulk: false,
            approved: Vec::new(),
        };
        self.count(&grant.owner).location_token_exchanges += 1;
        self.issue(settings, grant, false, now)
    }

    fn issue(
        &mut self,
        settings: &OAuthSettings,
        grant: Grant,
        with_refresh: bool,
        now: Instant,
    ) -> Option<Issued> {
        let access_token = random::secret("sbx_at_")?;
        let refresh_token = match with_refresh {
            true => Some(random::secret("sbx_rt_")?),
            false => None,
        };
        let expires = now + settings.ttl();
        self.access.insert(
            access_token.clone(),
            AccessEntry {
                grant: grant.clone(),
                expires,
            },
            now,
        );
        if let Some(token) = &refresh_token {
            self.refresh_serial += 1;
            let entry = RefreshEntry {
                grant: grant.clone(),
                serial: self.refresh_serial,
                used: false,
                presented: 0,
            };
            self.refresh.insert(token.clone(), entry, now);
        }
        self.count(&grant.owner).tokens_issued += 1;
        Some(Issued {
            access_token,
            refresh_token,
            grant,
        })
    }

    /// What an access token allows, while it is unexpired.
    pub(crate) fn access(&self, token: &str, now: Instant) -> Option<&Grant> {
        self.access
            .get(token)
            .filter(|entry| !entry.expired(now))
            .map(|entry| &entry.grant)
    }

    /// Whether the app is installed in `location_id`.
    pub(crate) fn installed(&self, location_id: &str) -> bool {
        self.installed.contains(location_id)
    }

    /// Forgets an access or refresh token; whether it was one.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        let access = self.access.remove(token).is_some();
        // A revoked refresh token is kept as used, so presenting it counts as a reuse.
        let refresh = self.refresh.get_mut(token).map(|entry| entry.used = true);
        access || refresh.is_some()
    }

    /// Makes an access token expired now (it answers 401 from then on, as an old one does);
    /// whether it was one.
    pub(crate) fn expire(&mut self, token: &str, now: Instant) -> bool {
        self.access
            .get_mut(token)
            .map(|entry| entry.expires = now)
            .is_some()
    }

    /// Uninstalls the app from `location_id`: its tokens stop working, and agency tokens can no
    /// longer reach it. How many tokens were revoked.
    pub(crate) fn uninstall(&mut self, location_id: &str) -> usize {
        self.installed.remove(location_id);
        let owner = Owner::Location(location_id.to_string());
        let mut revoked = 0;
        self.access.retain(|_, entry| {
            let keep = entry.grant.owner != owner;
            revoked += usize::from(!keep);
            keep
        });
        self.refresh.retain(|_, entry| {
            let keep = entry.grant.owner != owner;
            revoked += usize::from(!keep && !entry.used);
            keep
        });
        revoked
    }

    pub(crate) fn stats(&self) -> OAuthStats {
        let mut refresh_tokens: Vec<RefreshTokenUse> = self
            .refresh
            .values()
            .map(|entry| RefreshTokenUse {
                serial: entry.serial,
                owner: entry.grant.owner.clone(),
                presented: entry.presented,
            })
            .collect();
        refresh_tokens.sort_by_key(|t| t.serial);
        OAuthStats {
            owners: self.counts.clone(),
            refresh_tokens,
            unknown_refresh_tokens: self.unknown_refresh_tokens,
        }
    }

    fn count(&mut self, owner: &Owner) -> &mut OwnerCounts {
        self.counts.entry(owner.clone()).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> OAuthSettings {
        OAuthSettings::new("app-1", "secret").token_ttl(Duration::from_secs(60))
    }

    fn scopes() -> Vec<String> {
        vec!["calendars.readonly".into()]
    }

    fn location(id: &str) -> Owner {
        Owner::Location(id.into())
    }

    #[test]
    fn a_code_works_once_for_its_redirect_uri() {
        let (settings, now) = (settings(), Instant::now());
        let mut grants = Grants::new();
        let install = Install::Location("loc_1".into());
        let code = grants
            .consent(&settings, "http://app/cb", scopes(), install.clone(), now)
            .unwrap();
        assert!(grants.installed("loc_1") && !grants.installed("loc_2"));
        let issued = grants
            .exchange_code(&settings, &code, Some("http://app/cb"), None, now)
            .unwrap();
        assert_eq!(issued.grant.owner, location("loc_1"));
        assert!(grants.access(&issued.access_token, now).is_some());
        let again = grants.exchange_code(&settings, &code, None, None, now);
        assert!(matches!(again, Err(Refusal::InvalidGrant(_))));

        let code = grants
            .consent(&settings, "http://app/cb", scopes(), install, now)
            .unwrap();
        let wrong_uri = grants.exchange_code(&settings, &code, Some("http://evil/"), None, now);
        assert!(matches!(wrong_uri, Err(Refusal::InvalidGrant(_))));
        let stats = grants.stats();
        assert_eq!(stats.owner(&location("loc_1")).code_exchanges, 1);
    }

    #[test]
    fn codes_and_access_tokens_expire() {
        let (settings, now) = (settings(), Instant::now());
        let mut grants = Grants::new();
        let code = grants
            .consent(&settings, "http://app/cb", scopes(), Install::Agency, now)
            .unwrap();
        let late = grants.exchange_code(&settings, &code, None, None, now + CODE_TTL);
        assert!(matches!(late, Err(Refusal::InvalidGrant(_))));
        let code = grants
            .consent(&settings, "http://app/cb", scopes(), Install::Agency, now)
            .unwrap();
        let issued = grants
            .exchange_code(&settings, &code, None, Some(UserType::Company), now)
            .unwrap();
        assert_eq!(issued.grant.owner, Owner::Company("sandbox-company".into()));
        assert!(issued.grant.bulk);
        assert_eq!(issued.grant.approved.len(), 4);
        let token = &issued.access_token;
        assert!(
            grants
                .access(token, now + Duration::from_secs(59))
                .is_some()
        );
        assert!(
            grants
                .access(token, now + Duration::from_secs(60))
                .is_none()
        );
    }

    #[test]
    fn an_agency_install_gives_no_location_token_by_code() {
        let (settings, now) = (settings(), Instant::now());
        let mut grants = Grants::new();
        let code = grants
            .consent(&settings, "http://app/cb", scopes(), Install::Agency, now)
            .unwrap();
        let refused = grants.exchange_code(&settings, &code, None, Some(UserType::Location), now);
        assert!(matches!(refused, Err(Refusal::InvalidRequest(_))));
    }

    #[test]
    fn refresh_tokens_rotate_and_a_reuse_is_counted() {
        let (settings, now) = (settings(), Instant::now());
        let mut grants = Grants::new();
        let code = grants
            .consent(
                &settings,
                "u",
                scopes(),
                Install::Location("loc".into()),
                now,
            )
            .unwrap();
        let first = grants
            .exchange_code(&settings, &code, None, None, now)
            .unwrap();
        let old = first.refresh_token.unwrap();
        let second = grants.refresh(&settings, &old, now).unwrap();
        assert_eq!(second.grant, first.grant, "same owner and scopes");
        assert_ne!(second.refresh_token.as_deref(), Some(old.as_str()));
        assert!(
            grants.access(&first.access_token, now).is_some(),
            "the old access token lives until it expires"
        );
        assert!(matches!(
            grants.refresh(&settings, &old, now),
            Err(Refusal::InvalidGrant(_))
        ));
        assert!(matches!(
            grants.refresh(&settings, "sbx_rt_never", now),
            Err(Refusal::InvalidGrant(_))
        ));
        let stats = grants.stats();
        let counts = stats.owner(&location("loc"));
        assert_eq!(
            (
                counts.refreshes,
                counts.refresh_reuses,
                counts.tokens_issued
            ),
            (1, 1, 2)
        );
        assert_eq!(stats.refresh_tokens[0].presented, 2);
        assert_eq!(stats.refresh_tokens[1].presented, 0);
        assert_eq!(stats.unknown_refresh_tokens, 1);
    }

    #[test]
    fn revoking_expiring_and_uninstalling_stop_tokens() {
        let (settings, now) = (settings(), Instant::now());
        let mut grants = Grants::new();
        let issue = |grants: &mut Grants| {
            let install = Install::Location("loc".into());
            let code = grants
                .consent(&settings, "u", scopes(), install, now)
                .unwrap();
            grants
                .exchange_code(&settings, &code, None, None, now)
                .unwrap()
        };
        let a = issue(&mut grants);
        assert!(grants.revoke(&a.access_token));
        assert!(grants.access(&a.access_token, now).is_none());
        assert!(!grants.revoke("nothing"));
        let b = issue(&mut grants);
        assert!(grants.expire(&b.access_token, now));
        assert!(grants.access(&b.access_token, now).is_none());
        let c = issue(&mut grants);
        assert!(grants.uninstall("loc") >= 2);
        assert!(!grants.installed("loc"));
        assert!(grants.access(&c.access_token, now).is_none());
        let refresh = c.refresh_token.unwrap();
        assert!(grants.refresh(&settings, &refresh, now).is_err());
    }

    #[test]
    fn the_token_answer_has_highlevels_fields() {
        let settings = settings().token_ttl(Duration::from_millis(500));
        let mut grants = Grants::new();
        let now = Instant::now();
        let code = grants
            .consent(
                &settings,
                "u",
                scopes(),
                Install::Location("loc".into()),
                now,
            )
            .unwrap();
        let issued = grants
            .exchange_code(&settings, &code, None, None, now)
            .unwrap();
        let body = issued.to_json(&settings);
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 1, "rounded up");
        assert_eq!(body["userType"], "Location");
        assert_eq!(body["locationId"], "loc");
        assert_eq!(body["companyId"], "sandbox-company");
        assert_eq!(body["scope"], "calendars.readonly");
        assert!(body["refresh_token"].is_string());
        assert!(body.get("approvedLocations").is_none());
    }
}
