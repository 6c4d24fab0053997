//! The OAuth protocol end to end through the request handler, on the Calendars document
//! (without its state: answers come from the document).

use crate::fixture::calendars;
use crate::{OAuthSettings, Owner, Sandbox, handler};
use hyper::StatusCode;
use hyper::header::HeaderMap;
use serde_json::Value;
use std::time::Duration;

const CLIENT_ID: &str = "app1-client";
const SECRET: &str = "sandbox-secret-4b3a";
const REDIRECT: &str = "http://app.test/callback?tenant=7";

async fn sandbox() -> Sandbox {
    Sandbox::builder(calendars())
        .oauth(OAuthSettings::new(CLIENT_ID, SECRET))
        .token("pit-static")
        .start()
        .await
        .unwrap()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

fn send(
    sandbox: &Sandbox,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut request = hyper::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let (head, ()) = request.body(()).unwrap().into_parts();
    let reply = handler::answer(&sandbox.shared, &head, body, None);
    Answer {
        status: reply.status,
        headers: reply.headers,
        body: serde_json::from_slice(&reply.body).unwrap_or(Value::Null),
    }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Consents with `extra` query pairs and returns the redirect's query pairs.
fn consent(sandbox: &Sandbox, scope: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
    ];
    pairs.extend_from_slice(extra);
    let answer = send(
        sandbox,
        "GET",
        &format!("/oauth/chooselocation?{}", encode(&pairs)),
        &[],
        b"",
    );
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let location = answer.headers["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    assert_eq!(url.path(), "/callback");
    url.query_pairs().into_owned().collect()
}

fn code_of(redirect: &[(String, String)]) -> String {
    redirect
        .iter()
        .find(|(n, _)| n == "code")
        .unwrap()
        .1
        .clone()
}

fn token(sandbox: &Sandbox, pairs: &[(&str, &str)]) -> Answer {
    let mut form = vec![("client_id", CLIENT_ID), ("client_secret", SECRET)];
    form.extend_from_slice(pairs);
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    send(
        sandbox,
        "POST",
        "/oauth/token",
        &headers,
        encode(&form).as_bytes(),
    )
}

/// Installs the app in `loc` (or the agency, with `None`) and returns the token answer.
fn install(sandbox: &Sandbox, location: Option<&str>, scope: &str, user_type: &str) -> Value {
    let extra: Vec<(&str, &str)> = location.map(|l| ("locationId", l)).into_iter().collect();
    let code = code_of(&consent(sandbox, scope, &extra));
    let answer = token(
        sandbox,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("user_type", user_type),
            ("redirect_uri", REDIRECT),
        ],
    );
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

fn version_of(id: &str) -> &'static str {
    calendars()
        .operations()
        .iter()
        .find(|op| op.id == id)
        .unwrap()
        .version
}

/// `GET /calendars/?locationId=…` with `token`.
fn list_calendars(sandbox: &Sandbox, token: &str, location: &str) -> Answer {
    let bearer = format!("Bearer {token}");
    let headers = [
        ("authorization", bearer.as_str()),
        ("version", version_of("get-calendars")),
    ];
    send(
        sandbox,
        "GET",
        &format!("/calendars/?locationId={location}"),
        &headers,
        b"",
    )
}

fn assert_oauth_error(answer: &Answer, status: StatusCode, error: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["error"], error, "{}", answer.body);
    assert_eq!(answer.body["statusCode"], status.as_u16());
    assert!(answer.body["error_description"].is_string());
    assert_eq!(answer.body["message"], answer.body["error_description"]);
    assert!(answer.body["traceId"].is_string());
}

#[tokio::test]
async fn consent_redirects_with_a_code_and_the_state() {
    let sandbox = sandbox().await;
    let redirect = consent(&sandbox, "calendars.readonly", &[("state", "a b&c=d")]);
    let names: Vec<&str> = redirect.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["tenant", "code", "state"], "appended with &");
    assert_eq!(redirect[2].1, "a b&c=d");
    assert!(code_of(&redirect).len() > 40);
    let again = consent(&sandbox, "calendars.readonly", &[]);
    assert_ne!(code_of(&again), code_of(&redirect));
    assert!(again.iter().all(|(n, _)| n != "state"));

    let refused = |query: &str| {
        send(
            &sandbox,
            "GET",
            &format!("/oauth/chooselocation?{query}"),
            &[],
            b"",
        )
    };
    let base = format!("client_id={CLIENT_ID}&redirect_uri=http%3A%2F%2Fa.test%2F");
    assert_oauth_error(
        &refused(&format!("response_type=token&{base}")),
        StatusCode::BAD_REQUEST,
        "unsupported_response_type",
    );
    assert_oauth_error(
        &refused("response_type=code&client_id=other&redirect_uri=http%3A%2F%2Fa.test%2F"),
        StatusCode::BAD_REQUEST,
        "invalid_client",
    );
    assert_oauth_error(
        &refused(&format!("response_type=code&{base}&locationId=nowhere")),
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_oauth_error(
        &refused(&format!(
            "response_type=code&client_id={CLIENT_ID}&redirect_uri=not-a-url"
        )),
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let long_scope = "calendars.readonly ".repeat(500);
    let too_long = refused(&format!(
        "{base}&response_type=code&{}",
        encode(&[("scope", &long_scope)])
    ));
    assert_eq!(too_long.status, StatusCode::URI_TOO_LONG);
    let marketplace_path = format!(
        "/v2/oauth/chooselocation?response_type=code&client_id={CLIENT_ID}&redirect_uri=http%3A%2F%2Fa.test%2F"
    );
    let answer = send(&sandbox, "GET", &marketplace_path, &[], b"");
    assert_eq!(
        answer.status,
        StatusCode::FOUND,
        "the marketplace's path too"
    );
    let wrong_method = send(&sandbox, "POST", "/oauth/chooselocation", &[], b"");
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn codes_exchange_once_for_location_or_company_tokens() {
    let sandbox = sandbox().await;
    let location = install(&sandbox, Some("loc_1"), "calendars.readonly", "Location");
    assert_eq!(location["userType"], "Location");
    assert_eq!(location["locationId"], "loc_1");
    assert_eq!(location["companyId"], "sandbox-company");
    assert_eq!(location["expires_in"], 86_399);
    assert_eq!(location["scope"], "calendars.readonly");
    assert!(location["refresh_token"].is_string());

    let company = install(
        &sandbox,
        None,
        "calendars.readonly calendars.write",
        "Company",
    );
    assert_eq!(company["userType"], "Company");
    assert_eq!(company["isBulkInstallation"], true);
    assert_eq!(company["approvedLocations"].as_array().unwrap().len(), 4);
    assert!(company.get("locationId").is_none());

    let code = code_of(&consent(
        &sandbox,
        "calendars.readonly",
        &[("locationId", "loc")],
    ));
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
    ];
    assert_eq!(token(&sandbox, &exchange).status, StatusCode::OK);
    assert_oauth_error(
        &token(&sandbox, &exchange),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );

    let code = code_of(&consent(&sandbox, "calendars.readonly", &[]));
    let as_location = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("user_type", "Location"),
    ];
    assert_oauth_error(
        &token(&sandbox, &as_location),
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let stats = sandbox.oauth_stats();
    assert_eq!(
        stats.owner(&Owner::Location("loc_1".into())).code_exchanges,
        1
    );
    assert_eq!(
        stats.owner(&Owner::Location("loc".into())).code_exchanges,
        1
    );
    assert_eq!(
        stats
            .owner(&Owner::Company("sandbox-company".into()))
            .code_exchanges,
        1
    );
}

#[tokio::test]
async fn the_token_endpoint_refuses_bad_clients_and_grants() {
    let sandbox = sandbox().await;
    let form = |pairs: &[(&str, &str)]| {
        let headers = [("content-type", "application/x-www-form-urlencoded")];
        send(
            &sandbox,
            "POST",
            "/oauth/token",
            &headers,
            encode(pairs).as_bytes(),
        )
    };
    let wrong_secret = form(&[
        ("client_id", CLIENT_ID),
        ("client_secret", "nope"),
        ("grant_type", "refresh_token"),
        ("refresh_token", "x"),
    ]);
    assert_oauth_error(&wrong_secret, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_oauth_error(
        &token(&sandbox, &[]),
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_oauth_error(
        &token(&sandbox, &[("grant_type", "password")]),
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
    );
    assert_oauth_error(
        &token(&sandbox, &[("grant_type", "authorization_code")]),
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_oauth_error(
        &token(
            &sandbox,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "made-up"),
            ],
        ),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    let huge = vec![b'a'; 20 * 1024];
    let too_large = send(&sandbox, "POST", "/oauth/token", &[], &huge);
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(sandbox.oauth_stats().unknown_refresh_tokens, 1);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_is_invalid_grant() {
    let sandbox = sandbox().await;
    let first = install(&sandbox, Some("loc"), "calendars.readonly", "Location");
    let old = first["refresh_token"].as_str().unwrap();
    let refresh = |refresh_token: &str| {
        token(
            &sandbox,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("user_type", "Location"),
            ],
        )
    };
    let second = refresh(old);
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["locationId"], "loc");
    assert_eq!(second.body["scope"], "calendars.readonly");
    assert_ne!(second.body["refresh_token"], first["refresh_token"]);
    assert_ne!(second.body["access_token"], first["access_token"]);
    assert_oauth_error(&refresh(old), StatusCode::BAD_REQUEST, "invalid_grant");
    let newest = second.body["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(newest).status, StatusCode::OK);

    let stats = sandbox.oauth_stats();
    let counts = stats.owner(&Owner::Location("loc".into()));
    assert_eq!(counts.code_exchanges, 1);
    assert_eq!(counts.refreshes, 2);
    assert_eq!(counts.refresh_reuses, 1);
    assert_eq!(counts.tokens_issued, 3);
    let presented: Vec<u64> = stats.refresh_tokens.iter().map(|t| t.presented).collect();
    assert_eq!(presented, [2, 1, 0]);
}

#[tokio::test]
async fn api_calls_take_only_issued_tokens_for_their_location_and_scopes() {
    let sandbox = sandbox().await;
    let readonly = install(&sandbox, Some("loc"), "calendars.readonly", "Location");
    let token = readonly["access_token"].as_str().unwrap();
    assert_eq!(
        list_calendars(&sandbox, token, "loc").status,
        StatusCode::OK
    );

    let elsewhere = list_calendars(&sandbox, token, "loc_2");
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(
        elsewhere.body["message"],
        "The token does not have access to this location."
    );

    let no_scope = install(
        &sandbox,
        Some("loc"),
        "calendars/events.readonly",
        "Location",
    );
    let answer = list_calendars(&sandbox, no_scope["access_token"].as_str().unwrap(), "loc");
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.body["message"],
        "The token is not authorized for this scope."
    );

    let company = install(&sandbox, None, "calendars.readonly", "Company");
    let answer = list_calendars(&sandbox, company["access_token"].as_str().unwrap(), "loc");
    assert_eq!(
        answer.status,
        StatusCode::UNAUTHORIZED,
        "Calendars takes Location tokens"
    );
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .starts_with("This authClass type")
    );

    for rejected in ["sandbox-token", "made-up", ""] {
        assert_eq!(
            list_calendars(&sandbox, rejected, "loc").status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        list_calendars(&sandbox, "pit-static", "loc_3").status,
        StatusCode::OK,
        "a static token is a PIT"
    );

    assert!(sandbox.oauth_expire(token));
    assert_eq!(
        list_calendars(&sandbox, token, "loc").status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn access_tokens_expire_after_their_lifetime() {
    let sandbox = Sandbox::builder(calendars())
        .oauth(OAuthSettings::new(CLIENT_ID, SECRET).token_ttl(Duration::from_millis(150)))
        .start()
        .await
        .unwrap();
    let installed = install(&sandbox, Some("loc"), "calendars.readonly", "Location");
    assert_eq!(installed["expires_in"], 1, "rounded up to a whole second");
    let token = installed["access_token"].as_str().unwrap();
    assert_eq!(
        list_calendars(&sandbox, token, "loc").status,
        StatusCode::OK
    );
    // The handler reads the clock itself; poll until the lifetime has passed.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while list_calendars(&sandbox, token, "loc").status == StatusCode::OK {
        assert!(
            std::time::Instant::now() < deadline,
            "the token never expired"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let expired = list_calendars(&sandbox, token, "loc");
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.body["message"], crate::bearer::INVALID_TOKEN);
}

#[tokio::test]
async fn agency_tokens_give_location_tokens_and_list_installed_locations() {
    let sandbox = Sandbox::builder(calendars())
        .oauth(
            OAuthSettings::new(CLIENT_ID, SECRET).locations([
                crate::SubAccount::new("loc_a")
                    .name("Dental Downtown")
                    .address("1 Main St"),
                crate::SubAccount::new("loc_b").name("Dental Uptown"),
                crate::SubAccount::new("loc_c").name("Bakery"),
            ]),
        )
        .start()
        .await
        .unwrap();
    // One sub-account installs the app, then the agency installs it everywhere.
    install(&sandbox, Some("loc_a"), "calendars.readonly", "Location");
    let company = install(&sandbox, None, "calendars.readonly", "Company");
    let agency_token = company["access_token"].as_str().unwrap();
    let bearer = format!("Bearer {agency_token}");
    let form_headers = [
        ("authorization", bearer.as_str()),
        ("version", "2021-07-28"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let exchange = |location: &str| {
        let form = encode(&[("companyId", "sandbox-company"), ("locationId", location)]);
        send(
            &sandbox,
            "POST",
            "/oauth/locationToken",
            &form_headers,
            form.as_bytes(),
        )
    };
    let location = exchange("loc_b");
    assert_eq!(location.status, StatusCode::OK, "{}", location.body);
    assert_eq!(location.body["locationId"], "loc_b");
    assert_eq!(location.body["token_type"], "Bearer");
    assert!(location.body.get("refresh_token").is_none());
    let location_token = location.body["access_token"].as_str().unwrap();
    assert_eq!(
        list_calendars(&sandbox, location_token, "loc_b").status,
        StatusCode::OK
    );
    assert_eq!(exchange("loc_z").status, StatusCode::FORBIDDEN);
    let counts = sandbox
        .oauth_stats()
        .owner(&Owner::Location("loc_b".into()));
    assert_eq!(
        (counts.location_token_exchanges, counts.tokens_issued),
        (1, 1)
    );

    // A location token cannot be exchanged again; nor can a request without Version.
    let with_location_token = format!("Bearer {location_token}");
    let form = encode(&[("companyId", "sandbox-company"), ("locationId", "loc_b")]);
    let refused = send(
        &sandbox,
        "POST",
        "/oauth/locationToken",
        &[
            ("authorization", with_location_token.as_str()),
            ("version", "2021-07-28"),
        ],
        form.as_bytes(),
    );
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let no_version = send(
        &sandbox,
        "POST",
        "/oauth/locationToken",
        &form_headers[..1],
        form.as_bytes(),
    );
    assert_eq!(no_version.status, StatusCode::BAD_REQUEST);

    let list = |query: &str| {
        send(
            &sandbox,
            "GET",
            &format!("/oauth/installedLocations?companyId=sandbox-company&appId=app1&{query}"),
            &form_headers[..2],
            b"",
        )
    };
    let all = list("");
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.body["count"], 3);
    assert_eq!(all.body["locations"][0]["_id"], "loc_a");
    assert_eq!(all.body["locations"][0]["address"], "1 Main St");
    assert_eq!(all.body["locations"][0]["isInstalled"], true);
    assert_eq!(
        list("query=dental&limit=1").body["locations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(list("query=dental&limit=1").body["count"], 2);
    assert_eq!(list("skip=2").body["locations"][0]["_id"], "loc_c");

    assert_eq!(sandbox.oauth_uninstall("loc_b"), 1);
    assert_eq!(
        list("isInstalled=false").body["locations"][0]["_id"],
        "loc_b"
    );
    assert_eq!(
        list_calendars(&sandbox, location_token, "loc_b").status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        exchange("loc_b").status,
        StatusCode::FORBIDDEN,
        "not installed any more"
    );
    assert_eq!(
        list("isInstalled=maybe").status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(list("").body["count"], 3);
    let other_company = send(
        &sandbox,
        "GET",
        "/oauth/installedLocations?companyId=other&appId=app1",
        &form_headers[..2],
        b"",
    );
    assert_eq!(other_company.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_sandbox_only_endpoints_count_and_revoke() {
    let sandbox = sandbox().await;
    let installed = install(&sandbox, Some("loc"), "calendars.readonly", "Location");
    let stats = send(&sandbox, "GET", "/_sandbox/oauth/stats", &[], b"");
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(stats.body["totals"]["codeExchanges"], 1);
    assert_eq!(stats.body["owners"][0]["id"], "loc");
    let token = installed["access_token"].as_str().unwrap();
    let body = serde_json::json!({ "token": token }).to_string();
    let revoked = send(
        &sandbox,
        "POST",
        "/_sandbox/oauth/revoke",
        &[],
        body.as_bytes(),
    );
    assert_eq!(revoked.body["affected"], 1);
    assert_eq!(
        list_calendars(&sandbox, token, "loc").status,
        StatusCode::UNAUTHORIZED
    );
    let nonsense = send(&sandbox, "POST", "/_sandbox/oauth/revoke", &[], b"[1]");
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn without_oauth_nothing_changes() {
    let sandbox = Sandbox::builder(calendars()).start().await.unwrap();
    assert_eq!(
        send(&sandbox, "POST", "/oauth/token", &[], b"").status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&sandbox, "GET", "/_sandbox/oauth/stats", &[], b"").status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        list_calendars(&sandbox, "any-token", "loc_9").status,
        StatusCode::OK
    );
    assert_eq!(sandbox.oauth_stats(), crate::OAuthStats::default());
}

#[tokio::test]
async fn no_secret_shows_in_debug() {
    let sandbox = sandbox().await;
    let installed = install(&sandbox, Some("loc"), "calendars.readonly", "Location");
    let refresh_form = encode(&[
        ("client_secret", SECRET),
        (
            "refresh_token",
            installed["refresh_token"].as_str().unwrap(),
        ),
    ]);
    let (head, ()) = hyper::Request::builder()
        .method("POST")
        .uri("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(())
        .unwrap()
        .into_parts();
    let received = crate::ReceivedRequest::of(&head, refresh_form.into());
    let printed = format!("{sandbox:?} {:?} {received:?}", sandbox.oauth_stats());
    for secret in [
        SECRET,
        installed["access_token"].as_str().unwrap(),
        installed["refresh_token"].as_str().unwrap(),
    ] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(printed.contains("[redacted form]"), "{printed}");
}

/// State that answers Get Calendar with a calendar of `loc_2` whatever the id, and does not
/// say where its calendars live: only the answer tells.
struct ForeignCalendar;

impl crate::Resources for ForeignCalendar {
    fn answer(&self, call: &crate::Call<'_>) -> Option<crate::Reply> {
        (call.operation().id == "get-calendar").then(|| {
            let calendar = serde_json::json!({"calendar": {"id": "c1", "locationId": "loc_2"}});
            crate::Reply::json(StatusCode::OK, &calendar)
        })
    }
}

#[tokio::test]
async fn an_answer_of_another_location_is_refused() {
    let sandbox = Sandbox::builder(calendars())
        .oauth(OAuthSettings::new(CLIENT_ID, SECRET))
        .resources(std::sync::Arc::new(ForeignCalendar))
        .start()
        .await
        .unwrap();
    let get = |token: &str| {
        let bearer = format!("Bearer {token}");
        let version = version_of("get-calendar");
        let headers = [("authorization", bearer.as_str()), ("version", version)];
        send(&sandbox, "GET", "/calendars/c1", &headers, b"")
    };
    let own = install(&sandbox, Some("loc_2"), "calendars.readonly", "Location");
    let answer = get(own["access_token"].as_str().unwrap());
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let other = install(&sandbox, Some("loc"), "calendars.readonly", "Location");
    let answer = get(other["access_token"].as_str().unwrap());
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(
        answer.body["message"],
        "The token does not have access to this location."
    );
}
