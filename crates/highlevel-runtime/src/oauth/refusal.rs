//! Reading an OAuth endpoint's error answer into [`OAuthError::Rejected`].

use super::OAuthError;
use reqwest::StatusCode;

/// The most of the server's message kept in an error.
const MESSAGE_LIMIT: usize = 300;

/// The error for an answer of `status` with `body`: the OAuth `error` code (RFC 6749) or,
/// failing that, one HighLevel's message implies, and the message with every string of
/// `secrets` taken out.
pub(crate) fn read(
    endpoint: &'static str,
    status: StatusCode,
    body: &[u8],
    secrets: &[&str],
) -> OAuthError {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |name: &str| match json.get(name) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(serde_json::Value::as_str)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => None,
    };
    let message = text("error_description")
        .or_else(|| text("message"))
        .unwrap_or_else(|| {
            if json.is_null() {
                "(no JSON body)".into()
            } else {
                String::new()
            }
        });
    let code = text("error")
        .filter(|code| is_oauth_code(code))
        .or_else(|| implied_code(&message));
    OAuthError::Rejected {
        endpoint,
        status,
        code,
        message: clean(&message, secrets),
        trace_id: text("traceId").map(|t| clean(&t, secrets)),
    }
}

/// Whether `code` looks like an OAuth error code (`invalid_grant`), rather than HighLevel's
/// status phrase (`Bad Request`).
fn is_oauth_code(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// `invalid_grant` when HighLevel's message says so in words.
fn implied_code(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    (lower.contains("invalid_grant") || lower.contains("invalid grant"))
        .then(|| "invalid_grant".to_string())
}

/// `text`, bounded, with each secret replaced.
fn clean(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(secret, "** redacted **");
    }
    if text.len() > MESSAGE_LIMIT {
        let mut end = MESSAGE_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oauth_code_and_message_are_kept_and_secrets_dropped() {
        let body = br#"{"error":"invalid_grant","error_description":"refresh token rt-9999 was used","traceId":"t-1"}"#;
        let error = read("/oauth/token", StatusCode::BAD_REQUEST, body, &["rt-9999"]);
        assert!(error.is_invalid_grant());
        let text = error.to_string();
        assert!(!text.contains("rt-9999"), "{text}");
        assert!(text.contains("400") && text.contains("t-1"), "{text}");
    }

    #[test]
    fn highlevel_s_own_shape_is_read_too() {
        let body = br#"{"statusCode":401,"error":"Unauthorized","message":["Invalid grant: refresh token is invalid"]}"#;
        let error = read("/oauth/token", StatusCode::UNAUTHORIZED, body, &[]);
        assert!(error.is_invalid_grant(), "{error}");
        let other = read("/oauth/token", StatusCode::BAD_GATEWAY, b"<html>", &[]);
        assert!(!other.is_invalid_grant());
        assert!(other.to_string().contains("no JSON body"), "{other}");
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(5000));
        assert!(
            read("/x", StatusCode::BAD_REQUEST, long.as_bytes(), &[])
                .to_string()
                .len()
                < 400
        );
    }
}
