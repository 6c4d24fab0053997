//! [`StoredToken`]: what a store keeps of one owner's tokens.

use super::StoreError;
use crate::oauth::{Grant, Owner, UserType};
use crate::token::Token;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{Duration, SystemTime};

/// One owner's tokens, as a [`TokenStore`](super::TokenStore) keeps them.
///
/// Stores that keep text use [`StoredToken::to_json`] and [`StoredToken::from_json`]. The JSON
/// holds the tokens in clear; `Debug` never shows them.
///
/// ```
/// use highlevel_runtime::oauth::StoredToken;
///
/// let json = r#"{"access_token":"at-1","refresh_token":"rt-1","issued_at":1700000000000,
///   "expires_at":1700086399000,"scopes":["contacts.write"],"user_type":"Location",
///   "company_id":"c1","location_id":"l1"}"#;
/// let token = StoredToken::from_json(json)?;
/// assert_eq!(token.location_id.as_deref(), Some("l1"));
/// assert_eq!(StoredToken::from_json(&token.to_json())?.access_token, token.access_token);
/// assert!(!format!("{token:?}").contains("at-1"));
/// # Ok::<(), highlevel_runtime::oauth::StoreError>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredToken {
    /// The access token.
    #[serde(with = "secret")]
    pub access_token: Token,
    /// The refresh token, when the grant came with one.
    #[serde(with = "optional_secret", default)]
    pub refresh_token: Option<Token>,
    /// When the access token was handed out.
    #[serde(with = "unix_millis")]
    pub issued_at: SystemTime,
    /// When the access token stops working.
    #[serde(with = "unix_millis")]
    pub expires_at: SystemTime,
    /// The scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `Company` or `Location`.
    pub user_type: UserType,
    /// The agency.
    #[serde(default)]
    pub company_id: Option<String>,
    /// The sub-account, for a `Location` token.
    #[serde(default)]
    pub location_id: Option<String>,
}

impl StoredToken {
    /// What to store of `grant`.
    pub fn from_grant(grant: &Grant) -> StoredToken {
        StoredToken {
            access_token: grant.access_token.clone(),
            refresh_token: grant.refresh_token.clone(),
            issued_at: grant.issued_at,
            expires_at: grant.expires_at(),
            scopes: grant.scopes.clone(),
            user_type: grant.user_type,
            company_id: grant.company_id.clone(),
            location_id: grant.location_id.clone(),
        }
    }

    /// The record as JSON (tokens in clear).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a stored token always serializes")
    }

    /// Reads a record [`to_json`](StoredToken::to_json) wrote.
    pub fn from_json(json: &str) -> Result<StoredToken, StoreError> {
        serde_json::from_str(json)
            .map_err(|e| StoreError::invalid(format!("a stored token does not read: {e}")))
    }

    /// Whose token this is.
    pub fn owner(&self) -> Option<Owner> {
        match (self.user_type, &self.location_id, &self.company_id) {
            (UserType::Location, Some(location), _) => Some(Owner::location(location.clone())),
            (UserType::Company, _, Some(company)) => Some(Owner::company(company.clone())),
            _ => None,
        }
    }

    /// Whether the token should be replaced at `now`: it expires within `margin`, or within
    /// a fifth of its lifetime when that is shorter (so a token that lasts seconds in a test
    /// is not always due).
    pub(crate) fn is_due(&self, now: SystemTime, margin: Duration) -> bool {
        let lifetime = self
            .expires_at
            .duration_since(self.issued_at)
            .unwrap_or_default();
        let margin = margin.min(lifetime / 5);
        now + margin >= self.expires_at
    }

    /// Whether the access token has expired at `now`.
    pub(crate) fn is_expired(&self, now: SystemTime) -> bool {
        now >= self.expires_at
    }
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("user_type", &self.user_type)
            .field("company_id", &self.company_id)
            .field("location_id", &self.location_id)
            .finish()
    }
}

mod secret {
    use crate::token::Token;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(token: &Token, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(token.expose_secret())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Token, D::Error> {
        String::deserialize(d).map(Token::new)
    }
}

mod optional_secret {
    use crate::token::Token;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(token: &Option<Token>, s: S) -> Result<S::Ok, S::Error> {
        match token {
            Some(token) => s.serialize_some(token.expose_secret()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Token>, D::Error> {
        Option::<String>::deserialize(d).map(|t| t.map(Token::new))
    }
}

mod unix_millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    pub(super) fn serialize<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        let millis = time
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        s.serialize_u64(u64::try_from(millis).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        u64::deserialize(d).map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn lasting(lifetime: Duration) -> StoredToken {
        let issued_at = UNIX_EPOCH + Duration::from_secs(1_000_000);
        StoredToken {
            access_token: Token::new("a"),
            refresh_token: None,
            issued_at,
            expires_at: issued_at + lifetime,
            scopes: vec![],
            user_type: UserType::Location,
            company_id: None,
            location_id: Some("l".into()),
        }
    }

    #[test]
    fn a_token_is_due_within_the_margin_or_a_fifth_of_its_life() {
        let day = lasting(Duration::from_secs(86_400));
        let margin = Duration::from_secs(300);
        assert!(!day.is_due(day.expires_at - Duration::from_secs(301), margin));
        assert!(day.is_due(day.expires_at - Duration::from_secs(299), margin));
        let second = lasting(Duration::from_secs(1));
        assert!(!second.is_due(second.issued_at + Duration::from_millis(700), margin));
        assert!(second.is_due(second.issued_at + Duration::from_millis(850), margin));
        assert!(!second.is_expired(second.issued_at + Duration::from_millis(999)));
        assert!(second.is_expired(second.expires_at));
    }
}
