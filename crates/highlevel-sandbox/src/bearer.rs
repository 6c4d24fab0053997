//! The request's bearer token, and HighLevel's answer when it is not a good one: the API
//! handler and the OAuth endpoints both read it.

use hyper::header::{AUTHORIZATION, HeaderMap};

/// HighLevel's answer to a missing, unknown or expired token.
pub(crate) const INVALID_TOKEN: &str = "Invalid token: access token is invalid";

/// The bearer token of a request, if it has a non-empty one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_need_the_scheme_and_a_value() {
        let read = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, value.parse().unwrap());
            bearer(&headers).map(str::to_string)
        };
        assert_eq!(read("Bearer t-1"), Some("t-1".into()));
        assert_eq!(read("bearer  t-1 "), Some("t-1".into()));
        assert_eq!(read("Bearer "), None);
        assert_eq!(read("Basic dXNlcg=="), None);
        assert_eq!(read("t-1"), None);
    }
}
