//! With OAuth on, what an API call's token may do: only tokens the sandbox issued (or a static
//! token, as a Private Integration Token), each for its own sub-account (or, for an agency
//! token, the sub-accounts it was approved for), its own scopes and the kind of token the
//! operation takes.

use super::grants::{Grant, Grants};
use super::stats::Owner;
use super::{AUTH_CLASS_DENIED, LOCATION_DENIED, OAuth, SCOPE_DENIED};
use crate::bearer::INVALID_TOKEN;
use crate::reply::Reply;
use crate::resources::Call;
use hyper::StatusCode;
use serde_json::Value;
use std::time::Instant;

/// What a call was let in with.
pub(crate) enum Access {
    /// A static token, or OAuth off: no limit on locations or scopes.
    Unrestricted,
    /// A token the sandbox issued.
    Token(Grant),
}

impl OAuth {
    /// Lets `call` in with `token` (`is_static`: one given to
    /// [`SandboxBuilder::token`](crate::SandboxBuilder::token)), or answers why not: 401 for
    /// an unknown, expired or revoked token, a token of the wrong kind or without any of the
    /// operation's scopes; 403 when the call names a sub-account the token cannot reach (its
    /// query's, path's or body's `locationId`, or the location of what its path names).
    pub(crate) fn admit(
        &self,
        call: &Call<'_>,
        token: Option<&str>,
        is_static: bool,
        path_location: Option<&str>,
        now: Instant,
    ) -> Result<Access, Box<Reply>> {
        let unauthorized =
            |message: &str| Box::new(Reply::error_one(StatusCode::UNAUTHORIZED, message));
        if is_static {
            return Ok(Access::Unrestricted);
        }
        let grants = self.grants();
        let Some(grant) = token.and_then(|t| grants.access(t, now)) else {
            return Err(unauthorized(INVALID_TOKEN));
        };
        if !takes(call, &grant.owner) {
            return Err(unauthorized(AUTH_CLASS_DENIED));
        }
        let wanted = call.operation.scopes;
        if !wanted.is_empty() && !grant.has_any_scope(wanted) {
            return Err(unauthorized(SCOPE_DENIED));
        }
        let reaches_all = named_locations(call)
            .iter()
            .map(String::as_str)
            .chain(path_location)
            .all(|location| reaches(&grants, grant, location));
        if !reaches_all {
            return Err(Box::new(Reply::error_one(
                StatusCode::FORBIDDEN,
                LOCATION_DENIED,
            )));
        }
        Ok(Access::Token(grant.clone()))
    }

    /// The answer a client's state gave, unless it is a resource of a sub-account the token
    /// cannot reach (its `locationId`, or that of an object it holds, such as
    /// `{"calendar": {…}}`): then 403.
    pub(crate) fn screen(&self, access: &Access, reply: Reply) -> Reply {
        let Access::Token(grant) = access else {
            return reply;
        };
        if !reply.status.is_success() {
            return reply;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&reply.body) else {
            return reply;
        };
        let nested = body
            .as_object()
            .into_iter()
            .flat_map(|object| object.values())
            .filter(|value| value.is_object());
        let grants = self.grants();
        let refused = std::iter::once(&body)
            .chain(nested)
            .filter_map(|object| object["locationId"].as_str())
            .any(|location| !reaches(&grants, grant, location));
        match refused {
            true => Reply::error_one(StatusCode::FORBIDDEN, LOCATION_DENIED),
            false => reply,
        }
    }
}

/// Whether the operation takes the owner's kind of token, from the names of its security
/// schemes: HighLevel names agency ones `Agency-Access` (or `Agency-Access-Only`) and
/// sub-account ones `Location-Access…` or `bearer`. An operation that names none takes both.
fn takes(call: &Call<'_>, owner: &Owner) -> bool {
    let schemes: Vec<&str> = call
        .document
        .operation(call.operation.id)
        .and_then(|op| op["security"].as_array())
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys().map(String::as_str))
        .collect();
    if schemes.is_empty() {
        return true;
    }
    let agency = |scheme: &&str| scheme.starts_with("Agency");
    match owner {
        Owner::Location(_) => !schemes.iter().all(agency),
        _ => schemes.iter().any(agency),
    }
}

/// Every `locationId` a call names: in its query, as a path parameter, and at the top of its
/// JSON body (read here: the body is checked only after the token).
fn named_locations(call: &Call<'_>) -> Vec<String> {
    let from_query = call
        .query
        .iter()
        .filter(|(name, _)| name == "locationId")
        .map(|(_, value)| value.clone());
    let from_path = call
        .params
        .iter()
        .filter(|(name, _)| *name == "locationId")
        .map(|(_, value)| value.clone());
    let from_body = serde_json::from_slice::<Value>(call.raw_body)
        .ok()
        .and_then(|body| body["locationId"].as_str().map(str::to_string));
    from_query.chain(from_path).chain(from_body).collect()
}

/// Whether a token with `grant` may act in `location`: its own sub-account, or for an agency
/// token one it was approved for where the app is still installed.
fn reaches(grants: &Grants, grant: &Grant, location: &str) -> bool {
    match &grant.owner {
        Owner::Location(own) => own == location,
        _ => grant.approved.iter().any(|l| l == location) && grants.installed(location),
    }
}
