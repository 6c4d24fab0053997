//! HighLevel's OAuth endpoints as the sandbox serves them: the consent page's stand-in
//! (`GET /oauth/chooselocation`), `POST /oauth/token`, `POST /oauth/locationToken` and
//! `GET /oauth/installedLocations`.

use super::grants::{Install, Refusal, UserType};
use super::stats::Owner;
use super::{AUTH_CLASS_DENIED, COMPANY_DENIED, LOCATION_DENIED, OAuth, oauth_error};
use crate::bearer::{INVALID_TOKEN, bearer};
use crate::reply::Reply;
use hyper::StatusCode;
use hyper::header::{HeaderValue, LOCATION};
use hyper::http::request;
use serde_json::{Value, json};
use std::time::Instant;

/// The `Version` HighLevel wants on its OAuth endpoints that take one.
const OAUTH_VERSION: &str = "2021-07-28";

/// The first value of each name in a query or form body, decoded.
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub(crate) fn parse(text: &[u8]) -> Form {
        Form(form_urlencoded::parse(text).into_owned().collect())
    }

    /// The value of `name`, when given and not blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// `GET /oauth/chooselocation`: what the marketplace page does once the user consents. The
/// sandbox-only `locationId` picks a sub-account install; without it the agency installs the
/// app in all its sub-accounts.
pub(crate) fn choose_location(oauth: &OAuth, query: &Form, now: Instant) -> Reply {
    let bad = |error: &str, text: String| oauth_error(StatusCode::BAD_REQUEST, error, text);
    if query.get("response_type") != Some("code") {
        return bad(
            "unsupported_response_type",
            "response_type must be code".into(),
        );
    }
    if query.get("client_id") != Some(oauth.settings.client_id()) {
        return bad("invalid_client", "client_id is not this app's".into());
    }
    let Some(redirect_uri) = query.get("redirect_uri") else {
        return bad("invalid_request", "redirect_uri is required".into());
    };
    let mut target = match url::Url::parse(redirect_uri) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => {
            return bad(
                "invalid_request",
                "redirect_uri must be an absolute http or https URL".into(),
            );
        }
    };
    let install = match query.get("locationId") {
        Some(id) if oauth.settings.has_location(id) => Install::Location(id.to_string()),
        Some(id) => {
            return bad(
                "invalid_request",
                format!("locationId {id:?} is not a sub-account of this agency"),
            );
        }
        None => Install::Agency,
    };
    let scopes = query
        .get("scope")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let location = match &install {
        Install::Location(id) => Some(id.clone()),
        Install::Agency => None,
    };
    let code = oauth
        .grants()
        .consent(&oauth.settings, redirect_uri, scopes, install, now);
    let Some(code) = code else {
        return unavailable();
    };
    oauth.installed(location.as_deref());
    {
        let mut pairs = target.query_pairs_mut();
        pairs.append_pair("code", &code);
        if let Some(state) = query.get("state") {
            pairs.append_pair("state", state);
        }
    }
    let mut reply = Reply::empty(StatusCode::FOUND);
    match HeaderValue::from_str(target.as_str()) {
        Ok(location) => {
            reply.headers.insert(LOCATION, location);
            reply
        }
        Err(_) => bad("invalid_request", "redirect_uri cannot be a header".into()),
    }
}

/// `POST /oauth/token`: a code or a refresh token for new tokens.
pub(crate) fn token(oauth: &OAuth, form: &Form, now: Instant) -> Reply {
    let settings = &oauth.settings;
    let client_ok = form.get("client_id") == Some(settings.client_id())
        && form
            .get("client_secret")
            .is_some_and(|s| settings.secret_matches(s));
    if !client_ok {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id or client_secret is wrong",
        );
    }
    let bad = |error: &str, text: &str| oauth_error(StatusCode::BAD_REQUEST, error, text);
    let user_type = match form.get("user_type") {
        None => None,
        Some("Location") => Some(UserType::Location),
        Some("Company") => Some(UserType::Company),
        Some(_) => return bad("invalid_request", "user_type must be Company or Location"),
    };
    let issued = match form.get("grant_type") {
        None => return bad("invalid_request", "grant_type is required"),
        Some("authorization_code") => {
            let Some(code) = form.get("code") else {
                return bad("invalid_request", "code is required");
            };
            let redirect_uri = form.get("redirect_uri");
            oauth
                .grants()
                .exchange_code(settings, code, redirect_uri, user_type, now)
        }
        Some("refresh_token") => {
            let Some(refresh_token) = form.get("refresh_token") else {
                return bad("invalid_request", "refresh_token is required");
            };
            oauth.grants().refresh(settings, refresh_token, now)
        }
        Some(_) => {
            return bad(
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    match issued {
        Ok(issued) => Reply::json(StatusCode::OK, &issued.to_json(settings)),
        Err(Refusal::InvalidGrant(why)) => bad("invalid_grant", why),
        Err(Refusal::InvalidRequest(why)) => bad("invalid_request", &why),
        Err(Refusal::Unavailable) => unavailable(),
    }
}

/// `POST /oauth/locationToken`: an agency token for one of its sub-accounts' tokens.
pub(crate) fn location_token(
    oauth: &OAuth,
    head: &request::Parts,
    form: &Form,
    now: Instant,
) -> Reply {
    let company = match company_grant(oauth, head, now) {
        Ok(company) => company,
        Err(reply) => return *reply,
    };
    let missing: Vec<String> = ["companyId", "locationId"]
        .iter()
        .filter(|name| form.get(name).is_none())
        .map(|name| format!("{name} should not be empty"))
        .collect();
    if !missing.is_empty() {
        return unprocessable(missing);
    }
    let (company_id, location_id) = (
        form.get("companyId").unwrap_or_default(),
        form.get("locationId").unwrap_or_default(),
    );
    if company_id != company.owner.id() {
        return Reply::error_one(StatusCode::FORBIDDEN, COMPANY_DENIED);
    }
    let mut grants = oauth.grants();
    if !company.approved.iter().any(|l| l == location_id) || !grants.installed(location_id) {
        return Reply::error_one(StatusCode::FORBIDDEN, LOCATION_DENIED);
    }
    match grants.location_token(&oauth.settings, &company, location_id, now) {
        Some(issued) => Reply::json(StatusCode::OK, &issued.to_json(&oauth.settings)),
        None => unavailable(),
    }
}

/// `GET /oauth/installedLocations`: the agency's sub-accounts and whether the app is installed
/// in each, filtered and paged.
pub(crate) fn installed_locations(
    oauth: &OAuth,
    head: &request::Parts,
    query: &Form,
    now: Instant,
) -> Reply {
    let company = match company_grant(oauth, head, now) {
        Ok(company) => company,
        Err(reply) => return *reply,
    };
    let mut problems: Vec<String> = ["companyId", "appId"]
        .iter()
        .filter(|name| query.get(name).is_none())
        .map(|name| format!("{name} should not be empty"))
        .collect();
    let number = |name: &str, default: usize, problems: &mut Vec<String>| match query.get(name) {
        None => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            problems.push(format!("{name} must be a non-negative whole number"));
            default
        }),
    };
    let skip = number("skip", 0, &mut problems);
    let limit = number("limit", 20, &mut problems);
    let installed_filter = match query.get("isInstalled") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            problems.push("isInstalled must be a boolean value".into());
            None
        }
    };
    if !problems.is_empty() {
        return unprocessable(problems);
    }
    if query.get("companyId") != Some(company.owner.id()) {
        return Reply::error_one(StatusCode::FORBIDDEN, COMPANY_DENIED);
    }
    let app_id = query.get("appId").unwrap_or_default();
    if app_id != oauth.settings.app_id() && app_id != oauth.settings.client_id() {
        return Reply::error_one(StatusCode::BAD_REQUEST, "appId is not this app's id");
    }
    let name_query = query.get("query").map(str::to_lowercase);
    let grants = oauth.grants();
    let matching: Vec<Value> = oauth
        .settings
        .sub_accounts()
        .iter()
        .map(|location| (location, grants.installed(&location.id)))
        .filter(|(_, installed)| installed_filter.is_none_or(|want| want == *installed))
        .filter(|(location, _)| query.get("locationId").is_none_or(|id| id == location.id))
        .filter(|(location, _)| {
            name_query
                .as_ref()
                .is_none_or(|q| location.name.to_lowercase().contains(q))
        })
        .map(|(location, installed)| {
            json!({
                "_id": location.id,
                "name": location.name,
                "address": location.address,
                "isInstalled": installed,
            })
        })
        .collect();
    let count = matching.len();
    let page: Vec<Value> = matching.into_iter().skip(skip).take(limit).collect();
    Reply::json(StatusCode::OK, &json!({"locations": page, "count": count}))
}

/// The grant of the request's agency token, after the `Version` header: 400 without the
/// right `Version`, 401 without a valid token or with a sub-account's.
fn company_grant(
    oauth: &OAuth,
    head: &request::Parts,
    now: Instant,
) -> Result<super::grants::Grant, Box<Reply>> {
    match head.headers.get("version").and_then(|v| v.to_str().ok()) {
        Some(version) if version.trim() == OAUTH_VERSION => {}
        _ => {
            return Err(Box::new(Reply::error_one(
                StatusCode::BAD_REQUEST,
                format!("Version header must be {OAUTH_VERSION}"),
            )));
        }
    }
    let grants = oauth.grants();
    let grant = bearer(&head.headers).and_then(|token| grants.access(token, now));
    match grant {
        None => Err(Box::new(Reply::error_one(
            StatusCode::UNAUTHORIZED,
            INVALID_TOKEN,
        ))),
        Some(grant) if matches!(grant.owner, Owner::Company(_)) => Ok(grant.clone()),
        Some(_) => Err(Box::new(Reply::error_one(
            StatusCode::UNAUTHORIZED,
            AUTH_CLASS_DENIED,
        ))),
    }
}

fn unprocessable(problems: Vec<String>) -> Reply {
    Reply::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        highlevel_runtime::ApiErrorMessage::Many(problems),
    )
}

fn unavailable() -> Reply {
    Reply::error_one(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the sandbox's random source failed",
    )
}
