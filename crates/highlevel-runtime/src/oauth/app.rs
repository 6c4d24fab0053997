//! [`OAuthApp`]: a Marketplace app's credentials, its authorization URL and HighLevel's token
//! endpoints.

use super::{Grant, InstalledLocation, OAuthError, Scopes, UserType};
use crate::build_error::BuildError;
use crate::config::{DEFAULT_BASE_URL, check_base_url};
use crate::token::Token;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// HighLevel's page where a user chooses where to install an app.
pub const AUTHORIZATION_PAGE: &str = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation";
/// The same page on HighLevel's white-label domain.
pub const WHITE_LABEL_AUTHORIZATION_PAGE: &str =
    "https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation";

/// The `Version` header of the endpoints that act with an agency token.
const OAUTH_VERSION: &str = "2021-07-28";
/// The most of an endpoint's answer read (a token answer is well under 4 KiB).
const MAX_ANSWER: usize = 64 * 1024;

/// An app's client secret. Its `Debug` and `Display` never show it.
///
/// ```
/// use highlevel_runtime::oauth::ClientSecret;
///
/// let secret = ClientSecret::new("shh-1234");
/// assert_eq!(format!("{secret:?} {secret}"), "ClientSecret(** redacted **) ** redacted **");
/// ```
#[derive(Clone)]
pub struct ClientSecret(Arc<str>);

impl ClientSecret {
    /// Wraps the secret.
    pub fn new(secret: impl Into<String>) -> ClientSecret {
        ClientSecret(Arc::from(secret.into()))
    }

    /// The secret itself, for code that must send it somewhere else.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(** redacted **)")
    }
}

impl fmt::Display for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// A HighLevel Marketplace app: its client id and secret and its redirect URI, and what it
/// can ask HighLevel's OAuth endpoints for.
///
/// ```
/// use highlevel_runtime::oauth::{OAuthApp, Scopes};
///
/// let app = OAuthApp::new("app-id-123", "app-secret", "https://example.com/oauth/callback")?;
/// let url = app.authorization_url(&Scopes::new(["contacts.readonly", "contacts.write"]), Some("xyz"));
/// assert!(url.starts_with("https://marketplace.gohighlevel.com/v2/oauth/chooselocation?response_type=code"));
/// assert!(url.contains("&scope=contacts.readonly+contacts.write&state=xyz"));
/// assert!(!format!("{app:?}").contains("app-secret"));
/// # Ok::<(), highlevel_runtime::BuildError>(())
/// ```
#[derive(Clone)]
pub struct OAuthApp {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: String,
    authorization_page: String,
    base_url: String,
    http: reqwest::Client,
}

impl OAuthApp {
    /// The app `client_id` with its secret, whose installs return to `redirect_uri`. Calls
    /// go to HighLevel (`https://services.leadconnectorhq.com`) with a 30 s timeout.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Result<OAuthApp, BuildError> {
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(BuildError::InvalidOAuth("the client id is empty"));
        }
        let client_secret = client_secret.into();
        if client_secret.trim().is_empty() {
            return Err(BuildError::InvalidOAuth("the client secret is empty"));
        }
        crate::tls::install_tls_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(BuildError::Http)?;
        Ok(OAuthApp {
            client_id,
            client_secret: ClientSecret::new(client_secret),
            redirect_uri: redirect_uri.into(),
            authorization_page: AUTHORIZATION_PAGE.into(),
            base_url: DEFAULT_BASE_URL.into(),
            http,
        })
    }

    /// Sends users to HighLevel's white-label domain (`marketplace.leadconnectorhq.com`).
    pub fn white_label(mut self) -> Self {
        self.authorization_page = WHITE_LABEL_AUTHORIZATION_PAGE.into();
        self
    }

    /// Another authorization page, such as a sandbox's `<base>/oauth/chooselocation`.
    pub fn authorization_page(mut self, url: impl Into<String>) -> Self {
        self.authorization_page = url.into();
        self
    }

    /// Another server for the token endpoints (a sandbox's base URL, say). As for API calls,
    /// plain `http://` is accepted only for loopback hosts.
    pub fn base_url(mut self, url: &str) -> Result<Self, BuildError> {
        self.base_url = check_base_url(url)?;
        Ok(self)
    }

    /// Sends through an existing `reqwest::Client`; it should follow no redirects.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = client;
        self
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Where installs return to.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The page to send a user to, to install the app with `scopes`. `state` comes back
    /// unchanged to the redirect URI: pass a value you can check there.
    pub fn authorization_url(&self, scopes: &Scopes, state: Option<&str>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", &scopes.to_string());
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        let separator = if self.authorization_page.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{separator}{}", self.authorization_page, query.finish())
    }

    /// Exchanges the `code` an install sent to the redirect URI for tokens of `user_type`.
    pub async fn exchange_code(
        &self,
        code: &str,
        user_type: UserType,
    ) -> Result<Grant, OAuthError> {
        let form = self.form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("user_type", user_type.as_str()),
            ("redirect_uri", &self.redirect_uri),
        ]);
        let answer = self.post("/oauth/token", form, None, &[code]).await?;
        Grant::parse("/oauth/token", &answer, user_type)
    }

    /// A new access token (and the next refresh token) for `refresh_token`, which stops
    /// working. `invalid_grant` means it was used or revoked already.
    pub async fn refresh(
        &self,
        refresh_token: &Token,
        user_type: UserType,
    ) -> Result<Grant, OAuthError> {
        let secret = refresh_token.expose_secret();
        let form = self.form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", secret),
            ("user_type", user_type.as_str()),
        ]);
        let answer = self.post("/oauth/token", form, None, &[secret]).await?;
        Grant::parse("/oauth/token", &answer, user_type)
    }

    /// A sub-account token for `location_id`, made from the agency token `company_token` of
    /// `company_id`.
    pub async fn location_token(
        &self,
        company_token: &Token,
        company_id: &str,
        location_id: &str,
    ) -> Result<Grant, OAuthError> {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("companyId", company_id)
            .append_pair("locationId", location_id)
            .finish();
        let answer = self
            .post("/oauth/locationToken", form, Some(company_token), &[])
            .await?;
        let mut grant = Grant::parse("/oauth/locationToken", &answer, UserType::Location)?;
        grant
            .company_id
            .get_or_insert_with(|| company_id.to_string());
        grant
            .location_id
            .get_or_insert_with(|| location_id.to_string());
        Ok(grant)
    }

    /// The sub-accounts of `company_id` where the app `app_id` is installed, with the agency
    /// token `company_token`.
    pub async fn installed_locations(
        &self,
        company_token: &Token,
        company_id: &str,
        app_id: &str,
    ) -> Result<Vec<InstalledLocation>, OAuthError> {
        const ENDPOINT: &str = "/oauth/installedLocations";
        let mut url =
            reqwest::Url::parse(&format!("{}{ENDPOINT}", self.base_url)).map_err(|e| {
                OAuthError::Decode {
                    endpoint: ENDPOINT,
                    reason: e.to_string(),
                }
            })?;
        url.query_pairs_mut()
            .append_pair("companyId", company_id)
            .append_pair("appId", app_id)
            .append_pair("isInstalled", "true");
        let request = self
            .http
            .get(url)
            .header(AUTHORIZATION, bearer(company_token)?)
            .header("Version", OAUTH_VERSION)
            .header(ACCEPT, "application/json");
        let answer = self
            .send(ENDPOINT, request, &[company_token.expose_secret()])
            .await?;
        #[derive(serde::Deserialize)]
        struct Listing {
            #[serde(default)]
            locations: Vec<InstalledLocation>,
        }
        serde_json::from_slice::<Listing>(&answer)
            .map(|listing| listing.locations)
            .map_err(|e| OAuthError::Decode {
                endpoint: ENDPOINT,
                reason: e.to_string(),
            })
    }

    /// The form of a token request: the client's credentials and `fields`.
    fn form(&self, fields: &[(&str, &str)]) -> String {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("client_id", &self.client_id)
            .append_pair("client_secret", self.client_secret.expose_secret());
        for (name, value) in fields {
            form.append_pair(name, value);
        }
        form.finish()
    }

    async fn post(
        &self,
        endpoint: &'static str,
        form: String,
        bearer_token: Option<&Token>,
        secrets: &[&str],
    ) -> Result<Vec<u8>, OAuthError> {
        let mut request = self
            .http
            .post(format!("{}{endpoint}", self.base_url))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(form);
        let mut hidden = secrets.to_vec();
        if let Some(token) = bearer_token {
            request = request
                .header(AUTHORIZATION, bearer(token)?)
                .header("Version", OAUTH_VERSION);
            hidden.push(token.expose_secret());
        }
        self.send(endpoint, request, &hidden).await
    }

    /// Sends `request` and reads a success body, or turns the answer into an error with every
    /// secret of ours (`secrets`, the client secret) taken out of what the server said.
    async fn send(
        &self,
        endpoint: &'static str,
        request: reqwest::RequestBuilder,
        secrets: &[&str],
    ) -> Result<Vec<u8>, OAuthError> {
        let transport = |source: reqwest::Error| OAuthError::Transport {
            endpoint,
            source: source.without_url(),
        };
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(OAuthError::Decode {
                    endpoint,
                    reason: format!("the answer is larger than {MAX_ANSWER} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return Ok(body);
        }
        let mut hidden = secrets.to_vec();
        hidden.push(self.client_secret.expose_secret());
        Err(super::refusal::read(endpoint, status, &body, &hidden))
    }
}

fn bearer(token: &Token) -> Result<HeaderValue, OAuthError> {
    token.header_value().map_err(|e| OAuthError::Decode {
        endpoint: "(token)",
        reason: e.to_string(),
    })
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri)
            .field("authorization_page", &self.authorization_page)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}
