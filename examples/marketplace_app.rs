//! A HighLevel Marketplace app in one file: it sends the user to the authorization URL,
//! takes the callback on its redirect URI, stores the sub-account's tokens, and creates the
//! seed's calendar in the sub-account that installed it.
//!
//! With `HIGHLEVEL_CLIENT_ID` and `HIGHLEVEL_CLIENT_SECRET` set it is a real app: register
//! `HIGHLEVEL_REDIRECT_URI` (default `http://127.0.0.1:8917/oauth/callback`) as a redirect URI
//! of the app in HighLevel's Marketplace, open the URL it prints, and choose a sub-account.
//! Without them it starts the crate's sandbox, speaking HighLevel's OAuth, and plays the user
//! itself, so the whole install runs on any machine:
//!
//! ```text
//! cargo run --example marketplace_app --features sandbox
//! ```

use highlevel_calendars::oauth::{OAuthApp, OAuthTokens, Owner, Scopes, UserType};
use highlevel_calendars::sandbox::{OAuthSettings, Sandbox};
use highlevel_calendars::types::CalendarCreateDto;
use highlevel_calendars::{Client, Validation, operations};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

const SEED: &str = include_str!("../tests/fixtures/create-calendar-request.json");
const DEFAULT_REDIRECT: &str = "http://127.0.0.1:8917/oauth/callback";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let real = var("HIGHLEVEL_CLIENT_ID").zip(var("HIGHLEVEL_CLIENT_SECRET"));
    // In sandbox mode the callback listens on a free port; a real app's redirect URI is fixed.
    let redirect = var("HIGHLEVEL_REDIRECT_URI").unwrap_or_else(|| DEFAULT_REDIRECT.into());
    let listener = callback_listener(real.is_some().then_some(redirect.as_str())).await?;
    let redirect = match real {
        Some(_) => redirect,
        None => format!("http://{}/oauth/callback", local_addr(&listener)?),
    };

    // Kept alive until the end of `run`: dropping it stops the server.
    let sandbox;
    let (app, base_url) = match &real {
        Some((id, secret)) => {
            let app = OAuthApp::new(id, secret, &redirect).map_err(|e| e.to_string())?;
            (app, highlevel_calendars::DEFAULT_BASE_URL.to_string())
        }
        None => {
            sandbox = Sandbox::builder()
                .oauth(OAuthSettings::new("demo-app", "demo-secret"))
                .start()
                .await
                .map_err(|e| format!("could not start the sandbox: {e}"))?;
            println!(
                "HIGHLEVEL_CLIENT_ID is not set: installing a demo app in the built-in sandbox at {}, not at HighLevel.",
                sandbox.base_url()
            );
            let app = OAuthApp::new("demo-app", "demo-secret", &redirect)
                .and_then(|app| app.base_url(sandbox.base_url()))
                .map_err(|e| e.to_string())?
                .authorization_page(format!("{}/oauth/chooselocation", sandbox.base_url()));
            (app, sandbox.base_url().to_string())
        }
    };

    // The app asks for exactly the scopes of the operations it calls.
    let scopes = Scopes::of([&operations::CREATE_CALENDAR, &operations::GET_CALENDAR]);
    let state = format!("install-{}", std::process::id());
    let url = app.authorization_url(&scopes, Some(&state));
    let tokens = OAuthTokens::new(app);
    let installed = serve_callback(listener, tokens.clone(), state);
    if real.is_some() {
        println!("Open this page to install the app, then choose a sub-account:\n\n  {url}\n");
    } else {
        play_the_user(&url).await?;
    }
    let owner = installed
        .await
        .map_err(|_| "the callback server stopped".to_string())??;
    println!("installed in {owner}");

    let client = Client::builder()
        .base_url(base_url)
        .token_provider(tokens)
        .build()
        .map_err(|e| e.to_string())?;
    let mut body: CalendarCreateDto =
        serde_json::from_str(SEED).map_err(|e| format!("the seed is not a request: {e}"))?;
    body.location_id = owner.id().to_string();
    let created = client
        .create_calendar(body)
        .validation(Validation::stated())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "created calendar {} ({}) in {owner}",
        created.calendar.id, created.calendar.name
    );
    Ok(())
}

/// The listener of the redirect URI: its own address for a real app, else a free loopback
/// port.
async fn callback_listener(redirect: Option<&str>) -> Result<tokio::net::TcpListener, String> {
    let addr = match redirect {
        Some(uri) => {
            let url =
                reqwest::Url::parse(uri).map_err(|e| format!("HIGHLEVEL_REDIRECT_URI: {e}"))?;
            let port = url.port_or_known_default().unwrap_or(80);
            format!("127.0.0.1:{port}")
        }
        None => "127.0.0.1:0".into(),
    };
    tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr} for the callback: {e}"))
}

fn local_addr(listener: &tokio::net::TcpListener) -> Result<std::net::SocketAddr, String> {
    listener.local_addr().map_err(|e| e.to_string())
}

type Installed = Result<Owner, String>;

/// Answers the redirect: checks `state`, exchanges the code for the sub-account's tokens
/// (stored by `tokens`), and reports whose they are.
fn serve_callback(
    listener: tokio::net::TcpListener,
    tokens: OAuthTokens,
    state: String,
) -> oneshot::Receiver<Installed> {
    let (report, installed) = oneshot::channel();
    let report = Arc::new(Mutex::new(Some(report)));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (tokens, state, report) = (tokens.clone(), state.clone(), Arc::clone(&report));
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (tokens, state, report) =
                        (tokens.clone(), state.clone(), Arc::clone(&report));
                    async move {
                        let outcome = install(&tokens, &state, request.uri().query()).await;
                        let (status, text) = match &outcome {
                            Ok(owner) => (
                                200,
                                format!("Installed in {owner}. You can close this page."),
                            ),
                            Err(e) => (400, format!("The install failed: {e}")),
                        };
                        if let Some(report) = report.lock().unwrap().take() {
                            let _ = report.send(outcome);
                        }
                        hyper::Response::builder()
                            .status(status)
                            .body(Full::new(Bytes::from(text)))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    installed
}

async fn install(tokens: &OAuthTokens, state: &str, query: Option<&str>) -> Installed {
    let pairs: Vec<(String, String)> =
        reqwest::Url::parse(&format!("http://x/?{}", query.unwrap_or("")))
            .map_err(|e| e.to_string())?
            .query_pairs()
            .into_owned()
            .collect();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if value("state") != Some(state) {
        return Err("the state does not match the one this app sent".into());
    }
    let code = value("code").ok_or("the callback carries no code")?;
    let grant = tokens
        .install(code, UserType::Location)
        .await
        .map_err(|e| e.to_string())?;
    grant
        .owner()
        .ok_or_else(|| "the grant names no sub-account".into())
}

/// What a browser does in sandbox mode: opens the authorization page, chooses the sub-account
/// `loc` (the sandbox takes the choice as a query parameter and consents at once), and follows
/// the redirect to the callback.
async fn play_the_user(url: &str) -> Result<(), String> {
    let http = reqwest::Client::new();
    let answer = http
        .get(format!("{url}&locationId=loc"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !answer.status().is_success() {
        return Err(format!("the callback answered {}", answer.status()));
    }
    Ok(())
}
