//! Fetching upstream documents over HTTP(S), and resolving references next to a URL.

use std::time::Duration;

/// Largest document accepted (HighLevel's largest API documents are a few megabytes).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Whether `text` is an `http://` or `https://` URL.
pub fn is_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// GETs `url` and returns the body as sent. A status other than 2xx is an error.
pub fn get(url: &str) -> Result<Vec<u8>, String> {
    let mut config = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(120)));
    if is_loopback(url) {
        // A proxy from the environment cannot reach this machine's own servers.
        config = config.proxy(None);
    }
    let agent: ureq::Agent = config.build().into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| format!("GET {url}: reading the body: {e}"))
}

fn is_loopback(url: &str) -> bool {
    let host = authority(url).map(|(_, authority)| {
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.starts_with('[') {
            host.split_once(']')
                .map_or(host, |(h, _)| h)
                .trim_start_matches('[')
        } else {
            host.split_once(':').map_or(host, |(h, _)| h)
        }
    });
    matches!(host, Some(h) if h == "localhost" || h == "::1" || h.starts_with("127."))
}

/// Splits `scheme://authority/path…` into its `scheme://` prefix and its authority.
fn authority(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some((&url[..scheme_end], &rest[..end]))
}

/// Resolves `relative` (a path such as `../common/x.json`) against the folder of `base`
/// (the URL of the document that refers to it). The base's query and fragment are dropped.
pub fn resolve(base: &str, relative: &str) -> Result<String, String> {
    let (scheme, host) = authority(base).ok_or_else(|| format!("`{base}` is not a URL"))?;
    let path_start = scheme.len() + host.len();
    let path = &base[path_start..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segments: Vec<&str> = path.split('/').skip(1).collect();
    segments.pop(); // the document's own name
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Err(format!(
                        "`{relative}` climbs above the root of `{scheme}{host}`"
                    ));
                }
            }
            other => segments.push(other),
        }
    }
    Ok(format!("{scheme}{host}/{}", segments.join("/")))
}

/// A commit hash in the URL's path (as in a raw-file URL pinned to a commit), if there is one.
pub fn commit_in(url: &str) -> Option<String> {
    let (scheme, host) = authority(url)?;
    let path = url[scheme.len() + host.len()..].split(['?', '#']).next()?;
    path.split('/')
        .find(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_next_to_the_document() {
        let base = "https://example.test/docs/apps/calendars.json?ref=main";
        assert_eq!(
            resolve(base, "../common/common-schemas.json").unwrap(),
            "https://example.test/docs/common/common-schemas.json"
        );
        assert_eq!(
            resolve(base, "extra.json").unwrap(),
            "https://example.test/docs/apps/extra.json"
        );
        assert!(resolve("http://h/a.json", "../../x.json").is_err());
    }

    #[test]
    fn loopback_hosts_are_recognized() {
        assert!(is_loopback("http://127.0.0.1:8080/a.json"));
        assert!(is_loopback("http://localhost/a.json"));
        assert!(is_loopback("http://[::1]:80/a.json"));
        assert!(!is_loopback("https://raw.example.test/a.json"));
    }

    #[test]
    fn pinned_commits_are_found_in_urls() {
        let commit = "0af86a4cbd48c66a4071c7e509d1079f9f10ed17";
        assert_eq!(
            commit_in(&format!(
                "https://example.test/org/repo/{commit}/apps/calendars.json"
            )),
            Some(commit.to_string())
        );
        assert_eq!(
            commit_in("https://example.test/org/repo/main/apps/calendars.json"),
            None
        );
        assert_eq!(commit_in(&format!("https://{commit}.test/a.json")), None);
    }
}
