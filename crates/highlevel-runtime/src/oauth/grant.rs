//! What HighLevel's token endpoints answer: a [`Grant`], for a [`UserType`].

use super::OAuthError;
use crate::owner::{Owner, UserType};
use crate::token::Token;
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, SystemTime};

/// The tokens and facts an OAuth endpoint handed out: after an install (code exchange), a
/// refresh, or an agency's exchange for a sub-account token.
///
/// Its `Debug` never shows the tokens.
#[derive(Clone)]
#[non_exhaustive]
pub struct Grant {
    /// The access token.
    pub access_token: Token,
    /// The refresh token (single use: each refresh hands out the next one). HighLevel's
    /// document gives none for a sub-account token made from an agency token.
    pub refresh_token: Option<Token>,
    /// How long the access token lasts from when it was handed out (about a day).
    pub expires_in: Duration,
    /// When it was handed out, by this machine's clock.
    pub issued_at: SystemTime,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// Whose token it is: `Company` or `Location`.
    pub user_type: UserType,
    /// The agency.
    pub company_id: Option<String>,
    /// The sub-account, for a `Location` token.
    pub location_id: Option<String>,
    /// Who installed the app.
    pub user_id: Option<String>,
    /// Whether an agency installed the app into many sub-accounts at once.
    pub is_bulk_installation: bool,
    /// The sub-accounts an agency approved (a bulk install).
    pub approved_locations: Vec<String>,
}

impl Grant {
    /// Whose token this is: the sub-account for a `Location` token, else the agency. `None`
    /// when the answer named neither.
    pub fn owner(&self) -> Option<Owner> {
        match (self.user_type, &self.location_id, &self.company_id) {
            (UserType::Location, Some(location), _) => Some(Owner::location(location.clone())),
            (UserType::Company, _, Some(company)) => Some(Owner::company(company.clone())),
            _ => None,
        }
    }

    /// When the access token stops working.
    pub fn expires_at(&self) -> SystemTime {
        self.issued_at + self.expires_in
    }

    /// Reads an endpoint's success body. `user_type` is what was asked for, used when the
    /// answer does not say (the sub-account exchange does not).
    pub(crate) fn parse(
        endpoint: &'static str,
        body: &[u8],
        user_type: UserType,
    ) -> Result<Grant, OAuthError> {
        let answer: Answer = serde_json::from_slice(body).map_err(|e| OAuthError::Decode {
            endpoint,
            // serde's message names the field and the line, never a value.
            reason: e.to_string(),
        })?;
        let access_token = answer
            .access_token
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| OAuthError::Decode {
                endpoint,
                reason: "no access_token".into(),
            })?;
        let user_type = match answer.user_type.as_deref() {
            Some("Company") => UserType::Company,
            Some("Location") => UserType::Location,
            _ => user_type,
        };
        let expires_in = answer
            .expires_in
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(Duration::from_secs(86_399), |s| {
                Duration::from_secs_f64(s.min(366.0 * 86_400.0))
            });
        Ok(Grant {
            access_token: Token::new(access_token),
            refresh_token: answer
                .refresh_token
                .filter(|t| !t.trim().is_empty())
                .map(Token::new),
            expires_in,
            issued_at: SystemTime::now(),
            scopes: answer
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            user_type,
            company_id: answer.company_id,
            location_id: answer.location_id,
            user_id: answer.user_id,
            is_bulk_installation: answer.is_bulk_installation.unwrap_or(false),
            approved_locations: answer.approved_locations.unwrap_or_default(),
        })
    }
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grant")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_in", &self.expires_in)
            .field("scopes", &self.scopes)
            .field("user_type", &self.user_type)
            .field("company_id", &self.company_id)
            .field("location_id", &self.location_id)
            .field("user_id", &self.user_id)
            .field("is_bulk_installation", &self.is_bulk_installation)
            .field("approved_locations", &self.approved_locations)
            .finish()
    }
}

/// The fields of HighLevel's token answers this crate reads; the rest are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    #[serde(rename = "access_token")]
    access_token: Option<String>,
    #[serde(rename = "refresh_token")]
    refresh_token: Option<String>,
    #[serde(rename = "expires_in")]
    expires_in: Option<f64>,
    scope: Option<String>,
    user_type: Option<String>,
    company_id: Option<String>,
    location_id: Option<String>,
    user_id: Option<String>,
    is_bulk_installation: Option<bool>,
    approved_locations: Option<Vec<String>>,
}

/// A sub-account the app is installed in, as `GET /oauth/installedLocations` lists it.
///
/// ```
/// use highlevel_runtime::oauth::InstalledLocation;
///
/// let location: InstalledLocation = serde_json::from_str(
///     r#"{"_id": "loc_1", "name": "Dental", "address": "1 Main St", "isInstalled": true}"#,
/// )?;
/// assert_eq!(location.id, "loc_1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InstalledLocation {
    /// The location id.
    #[serde(rename = "_id")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its address.
    #[serde(default)]
    pub address: String,
    /// Whether the app is installed there.
    #[serde(default, rename = "isInstalled")]
    pub is_installed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_answer_is_read() {
        let body = br#"{"access_token":"at","token_type":"Bearer","expires_in":86399,
            "refresh_token":"rt","scope":"contacts.readonly contacts.write",
            "userType":"Location","companyId":"c1","locationId":"l1","userId":"u1"}"#;
        let grant = Grant::parse("/oauth/token", body, UserType::Company).unwrap();
        assert_eq!(grant.owner(), Some(Owner::location("l1")));
        assert_eq!(grant.scopes, ["contacts.readonly", "contacts.write"]);
        assert_eq!(grant.expires_in, Duration::from_secs(86_399));
        assert_eq!(grant.refresh_token.unwrap().expose_secret(), "rt");
        let shown = format!("{:?}", Grant::parse("/x", body, UserType::Company).unwrap());
        assert!(
            !shown.contains("\"at\"") && !shown.contains("\"rt\""),
            "{shown}"
        );
    }

    #[test]
    fn a_broken_answer_is_a_decode_error_without_values() {
        let error = Grant::parse(
            "/oauth/token",
            br#"{"refresh_token":"rt"}"#,
            UserType::Company,
        )
        .unwrap_err();
        assert!(matches!(error, OAuthError::Decode { .. }), "{error}");
        let error =
            Grant::parse("/oauth/token", br#"{"access_token":7}"#, UserType::Company).unwrap_err();
        assert!(error.to_string().contains("/oauth/token"), "{error}");
    }
}
