//! What the OAuth endpoints did, counted per owner of the tokens involved, so tests can assert
//! that a client refreshed once per expiry, never reused a refresh token, and exchanged an
//! agency token for a sub-account token once.

use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Whose a token is: the runtime's [`Owner`](highlevel_runtime::oauth::Owner), the same type
/// a client names owners with.
pub use highlevel_runtime::oauth::Owner;

/// The counts of one owner, in [`OAuthStats::owners`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OwnerCounts {
    /// Authorization codes exchanged for one of the owner's tokens.
    pub code_exchanges: u64,
    /// Successful refreshes (`grant_type=refresh_token`).
    pub refreshes: u64,
    /// Refresh tokens of the owner presented again after they were used, each answered
    /// `invalid_grant`.
    pub refresh_reuses: u64,
    /// Location tokens made from an agency token (`POST /oauth/locationToken`) for this
    /// sub-account.
    pub location_token_exchanges: u64,
    /// Access tokens issued, by any of the three ways.
    pub tokens_issued: u64,
}

impl OwnerCounts {
    fn add(&mut self, other: &OwnerCounts) {
        self.code_exchanges += other.code_exchanges;
        self.refreshes += other.refreshes;
        self.refresh_reuses += other.refresh_reuses;
        self.location_token_exchanges += other.location_token_exchanges;
        self.tokens_issued += other.tokens_issued;
    }

    fn to_json(self) -> Value {
        json!({
            "codeExchanges": self.code_exchanges,
            "refreshes": self.refreshes,
            "refreshReuses": self.refresh_reuses,
            "locationTokenExchanges": self.location_token_exchanges,
            "tokensIssued": self.tokens_issued,
        })
    }
}

/// How often one refresh token was presented, in [`OAuthStats::refresh_tokens`]. The token
/// itself is not shown: `serial` numbers refresh tokens in the order they were issued.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefreshTokenUse {
    /// The token's number, from 1, in the order refresh tokens were issued.
    pub serial: u64,
    /// Whose token it is.
    pub owner: Owner,
    /// How many times it was presented to `POST /oauth/token`: 1 for a token used once, more
    /// when it was reused (every presentation after the first was refused).
    pub presented: u64,
}

/// A snapshot of the OAuth counters, from
/// [`Sandbox::oauth_stats`](crate::Sandbox::oauth_stats) or, for the program,
/// `GET /_sandbox/oauth/stats` ([`to_json`](OAuthStats::to_json)'s shape).
///
/// ```
/// use highlevel_sandbox::{OAuthStats, Owner};
///
/// let stats = OAuthStats::default();
/// assert_eq!(stats.owner(&Owner::Location("loc".into())).refreshes, 0);
/// assert_eq!(stats.to_json()["totals"]["refreshReuses"], 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthStats {
    /// The counts of each owner that has any.
    pub owners: BTreeMap<Owner, OwnerCounts>,
    /// Every refresh token the sandbox still remembers (the newest 50,000), oldest first.
    pub refresh_tokens: Vec<RefreshTokenUse>,
    /// Refresh tokens presented that the sandbox never issued (or no longer remembers), each
    /// answered `invalid_grant`.
    pub unknown_refresh_tokens: u64,
}

impl OAuthStats {
    /// The counts of `owner` (all zero when it has none).
    pub fn owner(&self, owner: &Owner) -> OwnerCounts {
        self.owners.get(owner).copied().unwrap_or_default()
    }

    /// The counts of every owner added up.
    pub fn totals(&self) -> OwnerCounts {
        let mut totals = OwnerCounts::default();
        for counts in self.owners.values() {
            totals.add(counts);
        }
        totals
    }

    /// The most times any refresh token was presented (0 when none was).
    pub fn most_presentations(&self) -> u64 {
        self.refresh_tokens
            .iter()
            .map(|t| t.presented)
            .max()
            .unwrap_or(0)
    }

    /// The snapshot as the program serves it at `GET /_sandbox/oauth/stats`:
    ///
    /// ```json
    /// {"owners": [{"userType": "Location", "id": "loc", "codeExchanges": 1, "refreshes": 2,
    ///              "refreshReuses": 0, "locationTokenExchanges": 0, "tokensIssued": 3}],
    ///  "totals": {"codeExchanges": 1, …},
    ///  "refreshTokens": [{"serial": 1, "userType": "Location", "id": "loc", "presented": 1}],
    ///  "unknownRefreshTokens": 0}
    /// ```
    pub fn to_json(&self) -> Value {
        let owners: Vec<Value> = self
            .owners
            .iter()
            .map(|(owner, counts)| {
                let mut entry = counts.to_json();
                entry["userType"] = owner.user_type().as_str().into();
                entry["id"] = owner.id().into();
                entry
            })
            .collect();
        let refresh_tokens: Vec<Value> = self
            .refresh_tokens
            .iter()
            .map(|t| {
                json!({
                    "serial": t.serial,
                    "userType": t.owner.user_type().as_str(),
                    "id": t.owner.id(),
                    "presented": t.presented,
                })
            })
            .collect();
        json!({
            "owners": owners,
            "totals": self.totals().to_json(),
            "refreshTokens": refresh_tokens,
            "unknownRefreshTokens": self.unknown_refresh_tokens,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_and_the_json_names_each_owner() {
        let mut stats = OAuthStats::default();
        let location = Owner::Location("loc".into());
        let company = Owner::Company("co".into());
        stats.owners.insert(
            location.clone(),
            OwnerCounts {
                refreshes: 2,
                tokens_issued: 3,
                ..OwnerCounts::default()
            },
        );
        stats.owners.insert(
            company.clone(),
            OwnerCounts {
                code_exchanges: 1,
                tokens_issued: 1,
                ..OwnerCounts::default()
            },
        );
        stats.refresh_tokens.push(RefreshTokenUse {
            serial: 1,
            owner: location.clone(),
            presented: 2,
        });
        assert_eq!(stats.totals().tokens_issued, 4);
        assert_eq!(stats.most_presentations(), 2);
        let json = stats.to_json();
        // Sub-accounts sort before agencies, as the runtime's `Owner` orders them.
        assert_eq!(json["owners"][0]["userType"], "Location");
        assert_eq!(json["owners"][0]["id"], "loc");
        assert_eq!(json["owners"][0]["refreshes"], 2);
        assert_eq!(json["owners"][1]["userType"], "Company");
        assert_eq!(json["refreshTokens"][0]["presented"], 2);
        assert_eq!(location.to_string(), "sub-account loc");
    }
}
