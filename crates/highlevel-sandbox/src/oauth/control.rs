//! The sandbox-only OAuth endpoints, for tests that run the sandbox as a separate program:
//! `GET /_sandbox/oauth/stats` (the counters) and `POST /_sandbox/oauth/revoke` (revoke or
//! expire a token, or uninstall a sub-account). HighLevel has neither.

use super::OAuth;
use crate::reply::Reply;
use hyper::StatusCode;
use serde_json::{Value, json};
use std::time::Instant;

/// `GET /_sandbox/oauth/stats`: [`OAuthStats::to_json`](crate::OAuthStats::to_json).
pub(crate) fn stats(oauth: &OAuth) -> Reply {
    Reply::json(StatusCode::OK, &oauth.grants().stats().to_json())
}

/// `POST /_sandbox/oauth/revoke` with one of these JSON bodies:
///
/// - `{"token": "…"}` revokes an access or refresh token (a revoked refresh token then counts
///   as reused when presented);
/// - `{"expire": "…"}` makes an access token expired now;
/// - `{"locationId": "…"}` uninstalls the app from a sub-account, revoking its tokens (and
///   sending `UNINSTALL` when it was installed and webhooks are on).
///
/// Answers 200 `{"affected": n}`, the number of tokens changed (0 when the token was unknown);
/// 400 for any other body.
pub(crate) fn revoke(oauth: &OAuth, body: &[u8], now: Instant) -> Reply {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |name: &str| request.get(name).and_then(Value::as_str);
    let affected = if let Some(token) = text("token") {
        usize::from(oauth.grants().revoke(token))
    } else if let Some(token) = text("expire") {
        usize::from(oauth.grants().expire(token, now))
    } else if let Some(location) = text("locationId") {
        oauth.uninstall(location)
    } else {
        return Reply::error_one(
            StatusCode::BAD_REQUEST,
            r#"the body must be {"token": …}, {"expire": …} or {"locationId": …}"#,
        );
    };
    Reply::json(StatusCode::OK, &json!({ "affected": affected }))
}
