//! An installed Marketplace app against a sandbox that speaks OAuth: the app's settings, and
//! the user's consent played over HTTP.

use highlevel_calendars::oauth::{OAuthApp, OAuthTokens, Scopes, UserType};
use highlevel_calendars::operations;

pub const CLIENT_ID: &str = "app-oauth-client";
pub const SECRET: &str = "oauth-client-secret-4d3c2b1a";
pub const REDIRECT: &str = "http://127.0.0.1:9/oauth/callback";

/// The sandbox program's `--oauth` value for [`app`].
pub fn oauth_flag() -> String {
    format!("{CLIENT_ID}:{SECRET}")
}

/// The app, with its authorization page and token endpoints at the sandbox `base`.
pub fn app(base: &str) -> OAuthApp {
    OAuthApp::new(CLIENT_ID, SECRET, REDIRECT)
        .unwrap()
        .authorization_page(format!("{base}/oauth/chooselocation"))
        .base_url(base)
        .unwrap()
}

/// Plays the user at the authorization URL (every scope of the Calendars operations): a
/// sub-account install of `location`, or an agency install when `None`. The code the
/// redirect carries.
pub async fn consent(app: &OAuthApp, location: Option<&str>) -> String {
    let scopes = Scopes::of(operations::ALL.iter().copied());
    let mut url = app.authorization_url(&scopes, Some("state-1"));
    if let Some(location) = location {
        url.push_str(&format!("&locationId={location}"));
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 302, "{:?}", answer.text().await);
    let to = answer.headers()["location"].to_str().unwrap().to_string();
    let to = reqwest::Url::parse(&to).unwrap();
    assert!(to.as_str().starts_with(REDIRECT), "{to}");
    let pairs: Vec<(String, String)> = to.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("state".into(), "state-1".into())), "{to}");
    pairs
        .into_iter()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code)
        .expect("the redirect carries a code")
}

/// Installs the app in `location` (a sub-account install) through `tokens`.
pub async fn install_location(tokens: &OAuthTokens, location: &str) {
    let code = consent(tokens.app(), Some(location)).await;
    tokens.install(&code, UserType::Location).await.unwrap();
}
