//! How an error text names the server that answered and quotes a body that was not JSON.
//!
//! A client pointed at the sandbox, a proxy or a recording server must not blame HighLevel for
//! their answers, and a proxy's HTML page must not land in a log line as a wall of markup.

/// The hosts whose answers are HighLevel's own (`services.leadconnectorhq.com` and the
/// white-label domains under the same names).
const HIGHLEVEL_DOMAINS: &[&str] = &["leadconnectorhq.com", "gohighlevel.com"];

/// How many characters of an HTML page's title an error text quotes.
const TITLE_LIMIT: usize = 100;

/// Who answered, as an error text names it: `HighLevel` for HighLevel's hosts, else
/// `the server at <base URL>` (the sandbox, a proxy, a recording server).
pub(crate) fn answerer(server: &str) -> String {
    if is_highlevel(server) {
        "HighLevel".to_string()
    } else {
        format!("the server at {}", server.trim_end_matches('/'))
    }
}

/// Whether the base URL `server` is one of HighLevel's hosts.
pub(crate) fn is_highlevel(server: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(server) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    HIGHLEVEL_DOMAINS
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

/// A body that is not the JSON expected, as an error text quotes it: an HTML page is named as
/// one, with its title when it has one; other text is put on one line.
pub(crate) fn quoted_body(snippet: &str) -> String {
    if !looks_like_html(snippet) {
        return format!("\"{}\"", one_line(snippet));
    }
    match html_title(snippet) {
        Some(title) => format!("an HTML page (\"{title}\")"),
        None => "an HTML page".to_string(),
    }
}

fn looks_like_html(text: &str) -> bool {
    let start = text.trim_start().to_ascii_lowercase();
    start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || (start.starts_with('<') && (start.contains("<body") || start.contains("<title")))
}

/// The text of the page's `<title>`, else of its first `<h1>`: tags dropped, on one line, cut
/// to [`TITLE_LIMIT`] characters.
fn html_title(page: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let inner = ["title", "h1"].iter().find_map(|tag| {
        let open = lower.find(&format!("<{tag}"))?;
        let start = open + lower[open..].find('>')? + 1;
        let end = lower[start..]
            .find(&format!("</{tag}"))
            .map_or(page.len(), |e| start + e);
        Some(&page[start..end])
    })?;
    let text = one_line(&strip_tags(inner));
    if text.is_empty() {
        return None;
    }
    Some(match text.char_indices().nth(TITLE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    })
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `text` on one line: line breaks and tabs become spaces, runs of spaces one space, other
/// control characters their escapes.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_highlevels_hosts_are_highlevel() {
        assert_eq!(
            answerer("https://services.leadconnectorhq.com"),
            "HighLevel"
        );
        assert_eq!(answerer("https://API.GoHighLevel.com/"), "HighLevel");
        assert_eq!(
            answerer("http://127.0.0.1:1234/"),
            "the server at http://127.0.0.1:1234"
        );
        assert_eq!(
            answerer("https://leadconnectorhq.com.example.net"),
            "the server at https://leadconnectorhq.com.example.net"
        );
        assert_eq!(answerer("not a url"), "the server at not a url");
    }

    #[test]
    fn an_html_page_is_named_by_its_title_without_markup() {
        let page = "<!DOCTYPE html>\r\n<html><head><title>503 Service\n Unavailable</title></head>\
                    <body><h1>503</h1><script>x()</script></body></html>";
        assert_eq!(
            quoted_body(page),
            "an HTML page (\"503 Service Unavailable\")"
        );
        let untitled = "<html><body><h1>502 <b>Bad</b> Gateway</h1></body></html>";
        assert_eq!(quoted_body(untitled), "an HTML page (\"502 Bad Gateway\")");
        assert_eq!(quoted_body("<html><body></body></html>"), "an HTML page");
        let long = format!("<html><title>{}</title></html>", "x".repeat(500));
        assert!(quoted_body(&long).chars().count() < TITLE_LIMIT + 20);
        assert_eq!(
            quoted_body("upstream\r\n  timed out"),
            "\"upstream timed out\""
        );
    }
}
