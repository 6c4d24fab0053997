//! The sandbox speaking HighLevel's OAuth over HTTP, in process and as the program: installs,
//! code exchanges, rotating refresh tokens, agency tokens, and API calls held to their token's
//! sub-account, scopes and lifetime.
#![cfg(feature = "sandbox")]

mod common;

use highlevel_calendars::sandbox::{OAuthSettings, Owner, Sandbox};
use highlevel_calendars::{Client, calendar};
use reqwest::{StatusCode, Url};
use serde_json::Value;
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "app77-client";
const SECRET: &str = "oauth-test-secret-0e1f";
const REDIRECT: &str = "http://127.0.0.1:9/callback";
const ALL_SCOPES: &str = "calendars.readonly calendars.write";

/// A Marketplace app speaking to a sandbox at `base`, the way an app speaks to HighLevel.
struct App {
    http: reqwest::Client,
    base: String,
}

impl App {
    fn new(base: &str) -> App {
        highlevel_calendars::install_tls_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        App {
            http,
            base: base.to_string(),
        }
    }

    /// The user's consent: the redirect's query pairs (`code`, `state`).
    async fn consent(
        &self,
        scope: &str,
        location: Option<&str>,
        state: &str,
    ) -> Vec<(String, String)> {
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", state),
        ];
        query.extend(location.map(|l| ("locationId", l)));
        let response = self
            .http
            .get(format!("{}/oauth/chooselocation", self.base))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let target = Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        assert!(target.as_str().starts_with(REDIRECT), "{target}");
        target.query_pairs().into_owned().collect()
    }

    async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut full = vec![("client_id", CLIENT_ID), ("client_secret", SECRET)];
        full.extend_from_slice(form);
        let response = self
            .http
            .post(format!("{}/oauth/token", self.base))
            .form(&full)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// Installs the app (in `location`, else in the whole agency) and exchanges the code.
    async fn install(&self, scope: &str, location: Option<&str>, user_type: &str) -> Value {
        let redirect = self.consent(scope, location, "s").await;
        let code = value_of(&redirect, "code");
        let (status, tokens) = self
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("user_type", user_type),
                ("redirect_uri", REDIRECT),
            ])
            .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        tokens
    }

    async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("user_type", "Location"),
        ])
        .await
    }

    /// `GET /calendars/?locationId=…` with `token`: its status.
    async fn list_calendars(&self, token: &str, location: &str) -> StatusCode {
        self.http
            .get(format!("{}/calendars/", self.base))
            .query(&[("locationId", location)])
            .bearer_auth(token)
            .header("Version", "2021-04-15")
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn stats(&self) -> Value {
        let response = self
            .http
            .get(format!("{}/_sandbox/oauth/stats", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

fn value_of(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {pairs:?}"))
        .1
        .clone()
}

fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {value}"))
}

async fn oauth_sandbox(settings: OAuthSettings) -> Sandbox {
    Sandbox::builder()
        .oauth(settings)
        .token("pit-static-oauth-test")
        .start()
        .await
        .unwrap()
}

fn client(sandbox: &Sandbox, token: &str) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .token(token)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_location_install_works_for_its_own_calendars_only() {
    let sandbox = oauth_sandbox(OAuthSettings::new(CLIENT_ID, SECRET)).await;
    let app = App::new(sandbox.base_url());
    let redirect = app.consent(ALL_SCOPES, Some("loc_1"), "xyz 1/2").await;
    assert_eq!(value_of(&redirect, "state"), "xyz 1/2");
    let code = value_of(&redirect, "code");
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("user_type", "Location"),
    ];
    let (status, tokens) = app.token(&exchange).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["userType"], "Location");
    assert_eq!(tokens["locationId"], "loc_1");
    assert_eq!(tokens["scope"], ALL_SCOPES);
    let (status, reused) = app.token(&exchange).await;
    assert_eq!(
        (status, &reused["error"]),
        (StatusCode::BAD_REQUEST, &"invalid_grant".into())
    );

    // The generated client, with the installed sub-account's token.
    let client = client(&sandbox, text(&tokens, "access_token"));
    let own = client
        .create_calendar(calendar::event("loc_1", "Intro calls"))
        .send()
        .await
        .unwrap();
    let fetched = client
        .get_calendar(own.calendar.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.calendar.name, "Intro calls");
    let elsewhere = client
        .create_calendar(calendar::event("loc_2", "Not mine"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        elsewhere.status().map(|s| s.as_u16()),
        Some(403),
        "{elsewhere}"
    );

    // Another location's calendar, made with the static token (a Private Integration Token).
    let pit = client_for_pit(&sandbox);
    let theirs = pit
        .create_calendar(calendar::event("loc_2", "Theirs"))
        .send()
        .await
        .unwrap();
    let refused = client
        .get_calendar(theirs.calendar.id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(403), "{refused}");
    assert_eq!(sandbox.calendars_in("loc_1").len(), 1);

    let counts = sandbox
        .oauth_stats()
        .owner(&Owner::Location("loc_1".into()));
    assert_eq!((counts.code_exchanges, counts.tokens_issued), (1, 1));
}

fn client_for_pit(sandbox: &Sandbox) -> Client {
    client(sandbox, "pit-static-oauth-test")
}

#[tokio::test]
async fn scopes_and_unknown_tokens_are_refused_with_401() {
    let sandbox = oauth_sandbox(OAuthSettings::new(CLIENT_ID, SECRET)).await;
    let app = App::new(sandbox.base_url());
    let readonly = app
        .install("calendars.readonly", Some("loc"), "Location")
        .await;
    let client = client(&sandbox, text(&readonly, "access_token"));
    let write = client
        .create_calendar(calendar::event("loc", "Needs write"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(write.status().map(|s| s.as_u16()), Some(401), "{write}");
    assert_eq!(
        app.list_calendars(text(&readonly, "access_token"), "loc")
            .await,
        StatusCode::OK
    );
    assert_eq!(
        app.list_calendars("not-issued-here", "loc").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_is_invalid_grant() {
    let sandbox = oauth_sandbox(OAuthSettings::new(CLIENT_ID, SECRET)).await;
    let app = App::new(sandbox.base_url());
    let installed = app.install(ALL_SCOPES, Some("loc_2"), "Location").await;
    let first_refresh = text(&installed, "refresh_token");
    let (status, rotated) = app.refresh(first_refresh).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert_eq!(rotated["locationId"], "loc_2");
    assert_eq!(rotated["scope"], ALL_SCOPES);
    assert_ne!(rotated["refresh_token"], installed["refresh_token"]);
    assert_eq!(
        app.list_calendars(text(&rotated, "access_token"), "loc_2")
            .await,
        StatusCode::OK
    );

    let (status, reused) = app.refresh(first_refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reused["error"], "invalid_grant");
    assert_eq!(reused["statusCode"], 400);
    assert!(reused["error_description"].is_string() && reused["message"].is_string());
    assert!(reused["traceId"].is_string());
    assert!(
        !reused.to_string().contains(first_refresh),
        "the token is not echoed"
    );

    let stats = app.stats().await;
    let owner = &stats["owners"][0];
    assert_eq!(
        (owner["userType"].as_str(), owner["id"].as_str()),
        (Some("Location"), Some("loc_2"))
    );
    assert_eq!(owner["refreshes"], 1);
    assert_eq!(owner["refreshReuses"], 1);
    assert_eq!(owner["tokensIssued"], 2);
    assert_eq!(stats["refreshTokens"][0]["presented"], 2);
    assert_eq!(sandbox.oauth_stats().most_presentations(), 2);
}

#[tokio::test]
async fn an_agency_token_gives_location_tokens_and_lists_installs() {
    let sandbox = oauth_sandbox(OAuthSettings::new(CLIENT_ID, SECRET).company_id("agency-9")).await;
    let app = App::new(sandbox.base_url());
    let agency = app.install(ALL_SCOPES, None, "Company").await;
    assert_eq!(agency["userType"], "Company");
    assert_eq!(agency["companyId"], "agency-9");
    assert_eq!(agency["isBulkInstallation"], true);
    let agency_token = text(&agency, "access_token");
    assert_eq!(
        app.list_calendars(agency_token, "loc").await,
        StatusCode::UNAUTHORIZED,
        "Calendars operations take sub-account tokens"
    );

    let exchange = |location: &'static str| {
        app.http
            .post(format!("{}/oauth/locationToken", app.base))
            .bearer_auth(agency_token)
            .header("Version", "2021-07-28")
            .form(&[("companyId", "agency-9"), ("locationId", location)])
            .send()
    };
    let response = exchange("loc_3").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let location: Value = response.json().await.unwrap();
    assert_eq!(location["locationId"], "loc_3");
    assert!(location.get("refresh_token").is_none());
    let location_token = text(&location, "access_token");
    assert_eq!(
        app.list_calendars(location_token, "loc_3").await,
        StatusCode::OK
    );
    assert_eq!(
        app.list_calendars(location_token, "loc").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        exchange("elsewhere").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    let installed: Value = app
        .http
        .get(format!("{}/oauth/installedLocations", app.base))
        .bearer_auth(agency_token)
        .header("Version", "2021-07-28")
        .query(&[
            ("companyId", "agency-9"),
            ("appId", "app77"),
            ("isInstalled", "true"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(installed["count"], 4, "{installed}");
    assert_eq!(installed["locations"][0]["_id"], "loc");
    assert_eq!(installed["locations"][0]["isInstalled"], true);

    let stats = sandbox.oauth_stats();
    assert_eq!(
        stats
            .owner(&Owner::Location("loc_3".into()))
            .location_token_exchanges,
        1
    );
    assert_eq!(
        stats
            .owner(&Owner::Company("agency-9".into()))
            .code_exchanges,
        1
    );
}

#[tokio::test]
async fn access_tokens_expire_after_their_lifetime() {
    let ttl = Duration::from_millis(300);
    let sandbox = oauth_sandbox(OAuthSettings::new(CLIENT_ID, SECRET).token_ttl(ttl)).await;
    let app = App::new(sandbox.base_url());
    let installed = app.install(ALL_SCOPES, Some("loc"), "Location").await;
    let issued = Instant::now();
    let token = text(&installed, "access_token");
    assert_eq!(installed["expires_in"], 1, "whole seconds, rounded up");
    assert_eq!(app.list_calendars(token, "loc").await, StatusCode::OK);
    // Poll the condition; the sandbox reads the real clock.
    let deadline = issued + Duration::from_secs(10);
    while app.list_calendars(token, "loc").await == StatusCode::OK {
        assert!(Instant::now() < deadline, "the token never expired");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(issued.elapsed() >= ttl, "not before its lifetime");
    assert_eq!(
        app.list_calendars(token, "loc").await,
        StatusCode::UNAUTHORIZED
    );
    let (status, refreshed) = app.refresh(text(&installed, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.list_calendars(text(&refreshed, "access_token"), "loc")
            .await,
        StatusCode::OK
    );
}

/// The program with `--oauth` and `--token-ttl`: an install, a refresh and calls over HTTP,
/// the counters at `/_sandbox/oauth/stats`, and a log without any secret.
#[cfg(unix)]
#[tokio::test]
async fn the_program_speaks_oauth_and_never_logs_a_secret() {
    use common::program::{signal, start_program};
    use std::io::Read;
    use std::process::Stdio;

    let oauth = format!("{CLIENT_ID}:{SECRET}");
    let (mut child, base_url) = start_program(
        &[
            "--oauth",
            &oauth,
            "--token-ttl",
            "2s",
            "--location",
            "loc_a=Downtown",
            "--location",
            "loc_b",
        ],
        Stdio::piped(),
    );
    let app = App::new(&base_url);
    let redirect = app.consent(ALL_SCOPES, Some("loc_a"), "st").await;
    let code = value_of(&redirect, "code");
    let (status, installed) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("user_type", "Location"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{installed}");
    assert_eq!(installed["expires_in"], 2);
    let (status, refreshed) = app.refresh(text(&installed, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.refresh(text(&installed, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let token = text(&refreshed, "access_token");
    assert_eq!(app.list_calendars(token, "loc_a").await, StatusCode::OK);
    assert_eq!(
        app.list_calendars(token, "loc_b").await,
        StatusCode::FORBIDDEN
    );
    let agency_consent = app.consent(ALL_SCOPES, None, "").await;
    assert!(
        agency_consent.iter().all(|(name, _)| name != "state"),
        "no blank state"
    );

    let stats = app.stats().await;
    assert_eq!(stats["totals"]["codeExchanges"], 1, "{stats}");
    assert_eq!(stats["totals"]["refreshes"], 1);
    assert_eq!(stats["totals"]["refreshReuses"], 1);
    assert_eq!(stats["totals"]["tokensIssued"], 2);

    assert!(signal(&child, "-TERM"));
    assert!(child.wait().unwrap().success());
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("POST /oauth/token 200"), "{log}");
    assert!(log.contains("POST /oauth/token 400"), "{log}");
    assert!(log.contains("GET /oauth/chooselocation 302"), "{log}");
    let secrets = [
        SECRET,
        code.as_str(),
        text(&installed, "access_token"),
        text(&installed, "refresh_token"),
        token,
        text(&refreshed, "refresh_token"),
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "the log shows a secret: {log}");
    }
}

#[cfg(unix)]
#[test]
fn oauth_options_are_checked() {
    let refused = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_highlevel-sandbox"))
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let text = refused(&["--oauth", "only-an-id"]);
    assert!(text.contains("CLIENT_ID:SECRET"), "{text}");
    assert!(refused(&["--token-ttl", "2s"]).contains("go with --oauth"));
    assert!(refused(&["--oauth", "a:b", "--token-ttl", "soon"]).contains("--token-ttl soon"));
}
