//! HighLevel's OAuth protocol, as a sandbox speaks it once
//! [`SandboxBuilder::oauth`](crate::SandboxBuilder::oauth) turns it on: a Marketplace app can be
//! installed, its tokens exchanged, refreshed and used, with no HighLevel account.
//!
//! # Endpoints
//!
//! - `GET /oauth/chooselocation` (also at `/v2/oauth/chooselocation`, the marketplace's path)
//!   stands in for the consent page: with `response_type=code`, the app's `client_id`, a
//!   `redirect_uri`, space-separated `scope` and optional `state`, it answers 302 to
//!   `redirect_uri?code=…&state=…`. The sandbox-only `locationId` installs the app in that
//!   sub-account; without it the agency installs it in all its sub-accounts (a bulk
//!   installation). A code is single-use and lives 10 minutes. An unknown `client_id`, another
//!   `response_type`, or a `redirect_uri` that is not an absolute URL is a 400.
//! - `POST /oauth/token` (a form): `client_id`, `client_secret`, `grant_type`
//!   (`authorization_code` with `code`, or `refresh_token` with `refresh_token`), `user_type`
//!   (`Location` or `Company`; by default the install's kind) and `redirect_uri` (checked
//!   against the code's when given). The answer has HighLevel's fields (`access_token`,
//!   `token_type`, `expires_in`, `refresh_token`, `scope`, `userType`, `companyId`,
//!   `locationId` for Location tokens, `userId`, and `isBulkInstallation` and
//!   `approvedLocations` for Company tokens). Refresh tokens rotate: each works once, and a
//!   used or unknown one is a 400 `invalid_grant`. A wrong client is a 401 `invalid_client`;
//!   a missing or unknown `grant_type` a 400 `invalid_request` or `unsupported_grant_type`.
//!   These errors carry both OAuth's fields (`error`, `error_description`) and HighLevel's
//!   (`statusCode`, `message`, `traceId`).
//! - `POST /oauth/locationToken` (a form with `companyId` and `locationId`, an agency token and
//!   `Version: 2021-07-28`): a Location token, without a refresh token, for a sub-account the
//!   agency token was approved for.
//! - `GET /oauth/installedLocations` (an agency token, `Version: 2021-07-28`, `companyId` and
//!   `appId`, the client id or its part before the first `-`; optional `isInstalled`,
//!   `locationId`, `query` on the name, `skip`, `limit`): `{"locations": [{"_id", "name",
//!   "address", "isInstalled"}], "count": n}`.
//!
//! # API calls
//!
//! With OAuth on, every operation of the served document takes only access tokens the sandbox
//! issued and has not seen expire (or a static token given to
//! [`SandboxBuilder::token`](crate::SandboxBuilder::token), as a Private Integration Token
//! with no limits); any other token is a 401. An issued token must also:
//!
//! - be of a kind the operation takes, read from the names of its security schemes: agency
//!   (Company) tokens only where an `Agency-Access…` scheme is listed, sub-account (Location)
//!   tokens where any other is (`bearer`, `Location-Access…`). Else 401 with HighLevel's
//!   `This authClass type is not allowed to access this scope…`. The Calendars document lists
//!   sub-account schemes only, so Calendars calls need a Location token.
//! - hold one of the operation's scopes when it lists any; else 401
//!   `The token is not authorized for this scope.`
//! - reach every sub-account the call names (`locationId` in the query, path or at the top of
//!   the body, and the location of what the path names, as the client's
//!   [`Resources`](crate::Resources) know it) and every sub-account of what the state answers
//!   with (its `locationId`, or one of an object it holds such as `{"calendar": {…}}`); else
//!   403 `The token does not have access to this location.` A Location token reaches its own
//!   sub-account; a Company token those it was approved for while the app stays installed.
//!   Answers made from the document alone are not screened: their ids are made up.
//!
//! # For tests
//!
//! [`Sandbox::oauth_stats`](crate::Sandbox::oauth_stats) counts, per owner, code exchanges,
//! refreshes, refresh-token reuses, location-token exchanges and tokens issued, and how often
//! each refresh token was presented; the program serves the same as JSON at
//! `GET /_sandbox/oauth/stats`. [`Sandbox::oauth_revoke`](crate::Sandbox::oauth_revoke),
//! [`oauth_expire`](crate::Sandbox::oauth_expire) and
//! [`oauth_uninstall`](crate::Sandbox::oauth_uninstall) (over HTTP:
//! `POST /_sandbox/oauth/revoke`) end tokens early. Codes and tokens are 32 random bytes from
//! the system's source; the sandbox keeps at most 10,000 codes and 50,000 access and refresh
//! tokens each, forgetting expired and used ones first. No code, token or secret is ever
//! logged or shown by `Debug`.

mod bounded;
mod control;
mod endpoints;
mod grants;
mod guard;
mod random;
mod settings;
mod stats;
#[cfg(test)]
mod tests;

pub use settings::{
    DEFAULT_COMPANY_ID, DEFAULT_LOCATION_IDS, DEFAULT_TOKEN_TTL, DEFAULT_USER_ID, OAuthSettings,
    SubAccount,
};
pub use stats::{OAuthStats, Owner, OwnerCounts, RefreshTokenUse};

pub(crate) use guard::Access;

use crate::ids;
use crate::reply::Reply;
use endpoints::Form;
use grants::Grants;
use hyper::header::{ALLOW, HeaderValue};
use hyper::http::request;
use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// HighLevel's answer to a token used where its kind (Company or Location) is not taken.
pub(crate) const AUTH_CLASS_DENIED: &str = "This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.";
/// HighLevel's answer to a token without any of the operation's scopes.
pub(crate) const SCOPE_DENIED: &str = "The token is not authorized for this scope.";
/// HighLevel's answer to a token used for another sub-account.
pub(crate) const LOCATION_DENIED: &str = "The token does not have access to this location.";
/// The answer to an agency token used for another agency.
pub(crate) const COMPANY_DENIED: &str = "The token does not have access to this company.";

/// The largest form body the token endpoints read: a token request is a few hundred bytes.
const MAX_FORM_BODY: usize = 16 * 1024;
/// The longest query the OAuth endpoints read. A code keeps its redirect URI and scopes for
/// ten minutes, so this bounds what the 10,000 codes kept at most can cost.
const MAX_QUERY: usize = 8 * 1024;

/// A sandbox's OAuth side: the app's settings and what was granted.
pub(crate) struct OAuth {
    pub(crate) settings: OAuthSettings,
    grants: Mutex<Grants>,
    /// `INSTALL` and `UNINSTALL` events waiting for the webhook sender; `None` when no
    /// webhooks are sent, so that nothing piles up.
    events: Option<Mutex<Vec<Map<String, Value>>>>,
}

impl OAuth {
    /// `events`: whether install and uninstall events are kept for the webhook sender.
    pub(crate) fn new(settings: OAuthSettings, events: bool) -> OAuth {
        OAuth {
            settings,
            grants: Mutex::new(Grants::new()),
            events: events.then(|| Mutex::new(Vec::new())),
        }
    }

    pub(crate) fn grants(&self) -> MutexGuard<'_, Grants> {
        crate::lock(&self.grants)
    }

    /// Keeps an app event for the webhook sender (when it runs).
    fn emit(&self, event: Value) {
        if let (Some(events), Value::Object(event)) = (&self.events, event) {
            crate::lock(events).push(event);
        }
    }

    /// The app events kept since the last call, oldest first.
    pub(crate) fn take_events(&self) -> Vec<Map<String, Value>> {
        self.events
            .as_ref()
            .map(|events| std::mem::take(&mut *crate::lock(events)))
            .unwrap_or_default()
    }

    /// Records the `INSTALL` event of a consent: HighLevel's sub-account shape, or its agency
    /// shape (no `locationId`, no `userId`) for a bulk installation.
    pub(crate) fn installed(&self, location_id: Option<&str>) {
        let settings = &self.settings;
        let mut event = json!({
            "type": "INSTALL",
            "appId": settings.app_id(),
            "companyId": settings.company(),
        });
        if let Some(location_id) = location_id {
            event["locationId"] = json!(location_id);
            event["userId"] = json!(settings.user());
        }
        self.emit(event);
    }

    /// Uninstalls the app from `location_id` (see [`Grants::uninstall`]), with an
    /// `UNINSTALL` event when it was installed there. How many tokens were revoked.
    pub(crate) fn uninstall(&self, location_id: &str) -> usize {
        let (was_installed, revoked) = {
            let mut grants = self.grants();
            (grants.installed(location_id), grants.uninstall(location_id))
        };
        if was_installed {
            self.emit(json!({
                "type": "UNINSTALL",
                "appId": self.settings.app_id(),
                "companyId": self.settings.company(),
                "locationId": location_id,
            }));
        }
        revoked
    }

    /// The answer of an OAuth or sandbox-only OAuth endpoint, or `None` for any other path.
    pub(crate) fn serve(&self, head: &request::Parts, body: &[u8], now: Instant) -> Option<Reply> {
        let path = head.uri.path();
        let path = path.strip_suffix('/').unwrap_or(path);
        let query = || Form::parse(head.uri.query().unwrap_or_default().as_bytes());
        let form = || Form::parse(body);
        const CONSENT: &str = "/oauth/chooselocation";
        const MARKETPLACE_CONSENT: &str = "/v2/oauth/chooselocation";
        const TOKEN: &str = "/oauth/token";
        const LOCATION_TOKEN: &str = "/oauth/locationToken";
        const INSTALLED: &str = "/oauth/installedLocations";
        const STATS: &str = "/_sandbox/oauth/stats";
        const REVOKE: &str = "/_sandbox/oauth/revoke";
        let allowed = match path {
            CONSENT | MARKETPLACE_CONSENT | INSTALLED | STATS => Method::GET,
            TOKEN | LOCATION_TOKEN | REVOKE => Method::POST,
            _ => return None,
        };
        if head.method != allowed {
            let message = format!(
                "Cannot {} {path}: the method is not allowed here (allowed: {allowed})",
                head.method
            );
            let mut refusal = Reply::error_one(StatusCode::METHOD_NOT_ALLOWED, message);
            if let Ok(value) = HeaderValue::from_str(allowed.as_str()) {
                refusal.headers.insert(ALLOW, value);
            }
            return Some(refusal);
        }
        if head.uri.query().is_some_and(|q| q.len() > MAX_QUERY) {
            return Some(oauth_error(
                StatusCode::URI_TOO_LONG,
                "invalid_request",
                format!("the query is longer than {MAX_QUERY} bytes"),
            ));
        }
        if matches!(path, TOKEN | LOCATION_TOKEN) && body.len() > MAX_FORM_BODY {
            return Some(oauth_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                format!("the body is larger than {MAX_FORM_BODY} bytes"),
            ));
        }
        Some(match path {
            CONSENT | MARKETPLACE_CONSENT => endpoints::choose_location(self, &query(), now),
            INSTALLED => endpoints::installed_locations(self, head, &query(), now),
            STATS => control::stats(self),
            TOKEN => endpoints::token(self, &form(), now),
            LOCATION_TOKEN => endpoints::location_token(self, head, &form(), now),
            _ => control::revoke(self, body, now),
        })
    }
}

/// An OAuth error: OAuth's `error` code and `error_description` with HighLevel's
/// `statusCode`, `message` and `traceId`.
pub(crate) fn oauth_error(
    status: StatusCode,
    error: &str,
    description: impl Into<String>,
) -> Reply {
    let description = description.into();
    Reply::json(
        status,
        &json!({
            "error": error,
            "error_description": description,
            "statusCode": status.as_u16(),
            "message": description,
            "traceId": ids::trace_id(),
        }),
    )
}
