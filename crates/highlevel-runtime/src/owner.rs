//! Whose token a call needs: [`Owner`] (of a [`UserType`]), and how the runtime finds it in a
//! request. OAuth stores and refreshes tokens per owner, but the call path picks one by it too,
//! so it lives below both.

use crate::operation::Operation;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of token asked for and held: an agency's (`Company`) or a sub-account's
/// (`Location`).
///
/// ```
/// use highlevel_runtime::oauth::UserType;
///
/// assert_eq!(UserType::Location.as_str(), "Location");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum UserType {
    /// An agency token.
    Company,
    /// A sub-account token.
    Location,
}

impl UserType {
    /// The value HighLevel's form fields and answers use.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Company => "Company",
            UserType::Location => "Location",
        }
    }
}

/// Whose token a call needs: a sub-account (HighLevel's `Location`) or an agency (`Company`).
///
/// The runtime finds it in the request (a `locationId`, else a `companyId`, in the query, the
/// path or the JSON body), else takes the one a client was made for
/// ([`Runtime::for_owner`](crate::Runtime::for_owner)).
///
/// ```
/// use highlevel_runtime::oauth::Owner;
///
/// let owner = Owner::location("loc_1");
/// assert_eq!(owner.id(), "loc_1");
/// assert_eq!(owner.to_string(), "sub-account loc_1");
/// assert_eq!(Owner::company("c_9").to_string(), "company c_9");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id")]
#[non_exhaustive]
pub enum Owner {
    /// A sub-account, by its location id.
    Location(String),
    /// An agency, by its company id.
    Company(String),
}

impl Owner {
    /// The sub-account `location_id`.
    pub fn location(location_id: impl Into<String>) -> Owner {
        Owner::Location(location_id.into())
    }

    /// The agency `company_id`.
    pub fn company(company_id: impl Into<String>) -> Owner {
        Owner::Company(company_id.into())
    }

    /// The location or company id.
    pub fn id(&self) -> &str {
        match self {
            Owner::Location(id) | Owner::Company(id) => id,
        }
    }

    /// The kind of token the owner holds: [`UserType::Location`] or [`UserType::Company`].
    pub fn user_type(&self) -> UserType {
        match self {
            Owner::Location(_) => UserType::Location,
            Owner::Company(_) => UserType::Company,
        }
    }

    /// `location` or `company`, as the stores name keys.
    pub fn kind(&self) -> &'static str {
        match self {
            Owner::Location(_) => "location",
            Owner::Company(_) => "company",
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Location(id) => write!(f, "sub-account {id}"),
            Owner::Company(id) => write!(f, "company {id}"),
        }
    }
}

/// The owner `request` names: its `locationId`, else its `companyId`, each looked for in the
/// query, then the path (by `operation`'s template), then the top level of a JSON body.
pub(crate) fn named_by(operation: &Operation, request: &reqwest::Request) -> Option<Owner> {
    find(operation, request, &LOCATION)
        .map(Owner::Location)
        .or_else(|| find(operation, request, &COMPANY).map(Owner::Company))
}

/// A field that names an owner, as a query parameter, a path parameter and a JSON body
/// writes it (spelled out once, so that a call allocates nothing to look for it).
struct Field {
    name: &'static str,
    in_path: &'static str,
    in_body: &'static [u8],
}

const LOCATION: Field = Field {
    name: "locationId",
    in_path: "{locationId}",
    in_body: b"\"locationId\":\"",
};

const COMPANY: Field = Field {
    name: "companyId",
    in_path: "{companyId}",
    in_body: b"\"companyId\":\"",
};

fn find(operation: &Operation, request: &reqwest::Request, field: &Field) -> Option<String> {
    let url = request.url();
    if url.query().is_some()
        && let Some((_, value)) = url.query_pairs().find(|(n, _)| n == field.name)
    {
        return Some(value.into_owned()).filter(|v| !v.is_empty());
    }
    if let Some(value) = path_parameter(operation.path, url.path(), field.in_path) {
        return Some(value);
    }
    request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .and_then(|body| body_field(body, field.in_body))
}

/// The value of the parameter `wanted` (`{name}`) in `path`, matching `template`'s segments
/// against the end of the path (a base URL may add a prefix). Percent-escapes are decoded.
fn path_parameter(template: &str, path: &str, wanted: &str) -> Option<String> {
    if !template.contains(wanted) {
        return None;
    }
    let position = template.split('/').position(|s| s == wanted)?;
    let template_len = template.split('/').count();
    let segments: Vec<&str> = path.split('/').collect();
    let start = segments.len().checked_sub(template_len)?;
    let raw = segments.get(start + position)?;
    let value = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?
        .into_owned();
    Some(value).filter(|v| !v.is_empty())
}

/// The text of the first top-level-looking `"<name>":"…"` of a JSON body as serde_json writes
/// it, found without parsing the body (the same shortcut the rate budget takes).
fn body_field(body: &[u8], needle: &[u8]) -> Option<String> {
    let start = memchr::memmem::find(body, needle)? + needle.len();
    let rest = &body[start..];
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    (rest[end] == b'"')
        .then(|| String::from_utf8(rest[..end].to_vec()).ok())
        .flatten()
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: Operation = Operation::new(
        "get-location",
        "GET",
        "/locations/{locationId}",
        "2021-07-28",
        &[],
    );

    fn request(method: &str, url: &str, body: Option<&'static str>) -> reqwest::Request {
        let mut request = reqwest::Request::new(method.parse().unwrap(), url.parse().unwrap());
        if let Some(body) = body {
            *request.body_mut() = Some(reqwest::Body::from(body));
        }
        request
    }

    #[test]
    fn the_location_wins_over_the_company_wherever_it_is() {
        let query = request("GET", "http://h/x/?companyId=c1&locationId=l1", None);
        assert_eq!(named_by(&GET, &query), Some(Owner::location("l1")));
        let path = request("GET", "http://h/prefix/locations/l%202", None);
        assert_eq!(named_by(&GET, &path), Some(Owner::location("l 2")));
        let body = request(
            "POST",
            "http://h/contacts/",
            Some(r#"{"companyId":"c1","locationId":"l3"}"#),
        );
        assert_eq!(named_by(&GET, &body), Some(Owner::location("l3")));
        let company = request("GET", "http://h/x/?companyId=c1", None);
        assert_eq!(named_by(&GET, &company), Some(Owner::company("c1")));
    }

    #[test]
    fn nothing_named_is_none() {
        let empty = request("GET", "http://h/x/?locationId=", None);
        assert_eq!(named_by(&GET, &empty), None);
        let other = request("GET", "http://h/contacts/abc", None);
        let op = Operation::new(
            GET.id,
            GET.method,
            "/contacts/{contactId}",
            GET.version,
            GET.scopes,
        );
        assert_eq!(named_by(&op, &other), None);
        let escaped = request("POST", "http://h/x", Some(r#"{"locationId":"a\"b"}"#));
        assert_eq!(named_by(&op, &escaped), None);
    }
}
