//! OAuth against token endpoints that misbehave (a loopback wiremock server playing
//! HighLevel's): secrets echoed back, refusals, broken and oversized answers. Whatever they
//! send, the client secret, codes and tokens never show in errors, Debug or logs, and every
//! failure is typed.

mod common;

use common::*;
use highlevel_calendars::oauth::{OAuthApp, OAuthError, OAuthTokens, Owner, Scopes, UserType};
use highlevel_calendars::{Client, Error};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "client-secret-5e6f7a8b";
const CODE: &str = "code-1a2b3c4d";
const ACCESS: &str = "access-token-9a8b7c6d";
const REFRESH: &str = "refresh-token-1f2e3d4c";

fn app(server: &MockServer) -> OAuthApp {
    OAuthApp::new("client-1", SECRET, "http://127.0.0.1:9/callback")
        .unwrap()
        .base_url(&server.uri())
        .unwrap()
}

fn grant(location: &str) -> serde_json::Value {
    json!({
        "access_token": ACCESS, "token_type": "Bearer", "expires_in": 86399,
        "refresh_token": REFRESH, "scope": "calendars.write", "userType": "Location",
        "companyId": "c1", "locationId": location, "userId": "u1"
    })
}

/// Answers with every field set to the form it received, which holds the secret and the
/// code or refresh token.
fn echo_form(status: u16) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync + 'static {
    move |request: &Request| {
        let form = String::from_utf8_lossy(&request.body).into_owned();
        ResponseTemplate::new(status).set_body_json(json!({
            "error": form, "error_description": form, "message": [form], "traceId": form,
        }))
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [SECRET, CODE, ACCESS, REFRESH] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

/// A server whose code exchange works and whose API answers `api_status`.
async fn installed(api_status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(grant("loc")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/calendars/"))
        .respond_with(
            ResponseTemplate::new(api_status)
                .set_body_json(json!({"statusCode": api_status, "message": "Invalid JWT"})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn secrets_echoed_by_a_refusing_token_endpoint_never_show() {
    let events = capture_tracing();
    let _guard = events.install();
    let server = installed(401).await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(echo_form(400))
        .mount(&server)
        .await;
    let tokens = OAuthTokens::new(app(&server));
    let grant = tokens.install(CODE, UserType::Location).await.unwrap();
    let client = Client::builder()
        .token_provider(tokens.clone())
        .base_url(server.uri())
        .build()
        .unwrap();
    let error = create_minimal(&client).await.unwrap_err();
    let Error::Token(token_error) = &error else {
        panic!("a refresh the endpoint refused is a token error: {error:?}");
    };
    assert!(
        matches!(token_error.oauth(), Some(OAuthError::Rejected { status, .. }) if status.as_u16() == 400),
        "{error:?}"
    );
    let text = format!("{error}\n{error:?}");
    assert!(
        text.contains("** redacted **"),
        "the echo was scrubbed: {text}"
    );
    assert_clean("the error", &text);
    assert_clean("the grant", &format!("{grant:?}"));
    assert_clean("the tokens", &format!("{tokens:?} {:?}", tokens.app()));
    assert_clean("the client", &format!("{client:?}"));
    assert_clean("the logs", &events.text());

    let mut refused = Vec::new();
    // A code exchange the endpoint refuses, echoing the form.
    let refusing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(echo_form(401))
        .mount(&refusing)
        .await;
    let error = app(&refusing)
        .exchange_code(CODE, UserType::Location)
        .await
        .unwrap_err();
    refused.push(format!("{error}\n{error:?}"));
    let error = app(&refusing)
        .location_token(&ACCESS.into(), "c1", "loc")
        .await
        .unwrap_err();
    refused.push(format!("{error}\n{error:?}"));
    for text in &refused {
        assert_clean("a refusal", text);
    }
}

#[tokio::test]
async fn a_refused_refresh_token_is_a_lost_install_naming_the_owner() {
    let server = installed(401).await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Invalid grant: refresh token is invalid"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = OAuthTokens::new(app(&server));
    tokens.install(CODE, UserType::Location).await.unwrap();
    let client = Client::builder()
        .token_provider(tokens)
        .base_url(server.uri())
        .build()
        .unwrap();
    let error = create_minimal(&client).await.unwrap_err();
    let oauth = match &error {
        Error::Token(e) => e.oauth().unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(oauth.is_install_lost(), "{error}");
    assert_eq!(oauth.owner(), Some(&Owner::location("loc")));
    assert!(error.to_string().contains("sub-account loc"), "{error}");
    assert!(
        error.nothing_sent() || error.status().is_none(),
        "{error:?}"
    );
}

#[tokio::test]
async fn broken_and_oversized_answers_are_typed_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("code=html"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("code=huge"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(10 * 1024 * 1024)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("code=noaccess"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"userId": "u"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("code=gateway"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    let app = app(&server);
    for code in ["html", "huge", "noaccess"] {
        let error = app
            .exchange_code(code, UserType::Company)
            .await
            .unwrap_err();
        assert!(
            matches!(error, OAuthError::Decode { .. }),
            "{code}: {error:?}"
        );
    }
    let error = app
        .exchange_code("gateway", UserType::Company)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, OAuthError::Rejected { code: None, .. }),
        "{error:?}"
    );
    assert!(!error.to_string().contains("<html>"), "{error}");

    let unreachable = OAuthApp::new("client-1", SECRET, "http://127.0.0.1:9/callback")
        .unwrap()
        .base_url(&refused_url())
        .unwrap();
    let error = unreachable
        .exchange_code(CODE, UserType::Company)
        .await
        .unwrap_err();
    assert!(matches!(error, OAuthError::Transport { .. }), "{error:?}");
    assert_clean("a transport error", &format!("{error}\n{error:?}"));
}

#[tokio::test]
async fn a_call_that_names_no_owner_says_how_to_name_one() {
    let server = installed(200).await;
    let tokens = OAuthTokens::new(app(&server));
    let client = Client::builder()
        .token_provider(tokens)
        .base_url(server.uri())
        .build()
        .unwrap();
    let error = client.get_calendar("cal_1").send().await.unwrap_err();
    assert!(error.to_string().contains("for_location"), "{error}");
    assert!(
        matches!(&error, Error::Token(e) if matches!(e.oauth(), Some(OAuthError::NoOwner))),
        "{error:?}"
    );
    assert_eq!(received_count(&server).await, 0, "nothing was sent");
}

#[tokio::test]
async fn the_client_made_for_a_sub_account_sends_its_token() {
    let server = installed(201).await;
    Mock::given(method("GET"))
        .and(path("/calendars/cal_1"))
        .and(header("authorization", format!("Bearer {ACCESS}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"calendar": seed_response()["calendar"]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let tokens = OAuthTokens::new(app(&server));
    tokens.install(CODE, UserType::Location).await.unwrap();
    let client = Client::builder()
        .token_provider(tokens)
        .base_url(server.uri())
        .build()
        .unwrap();
    client
        .for_location("loc")
        .get_calendar("cal_1")
        .send()
        .await
        .unwrap();
    let error = client
        .for_location("elsewhere")
        .get_calendar("cal_1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Token(e) if matches!(e.oauth(), Some(OAuthError::NotInstalled { .. }))),
        "a sub-account with no token and no agency: {error:?}"
    );
}

#[test]
fn the_authorization_url_asks_for_the_operations_scopes() {
    let app = OAuthApp::new("client 1", SECRET, "https://example.com/cb?x=1").unwrap();
    let scopes = Scopes::of([
        &highlevel_calendars::operations::CREATE_CALENDAR,
        &highlevel_calendars::operations::GET_CALENDAR,
    ]);
    let url = app.authorization_url(&scopes, Some("s t"));
    assert_eq!(
        url,
        "https://marketplace.gohighlevel.com/v2/oauth/chooselocation?response_type=code\
         &redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&client_id=client+1\
         &scope=calendars.readonly+calendars.write&state=s+t"
    );
    let white = app.white_label().authorization_url(&scopes, None);
    assert!(white.starts_with("https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation?"));
    assert!(!white.contains("state="));
    assert!(!url.contains(SECRET));
}
