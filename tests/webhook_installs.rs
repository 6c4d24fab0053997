//! `INSTALL` and `UNINSTALL` events keep an app's stored tokens in step (`webhooks::
//! sync_tokens`), against the sandbox speaking OAuth: an uninstall forgets the sub-account's
//! tokens, and an install of a sub-account whose agency token is stored gets its token at once.
#![cfg(all(feature = "sandbox", feature = "webhooks"))]

mod common;

use common::oauth::{app, consent, install_location};
use highlevel_calendars::oauth::{OAuthError, OAuthTokens, Owner, UserType};
use highlevel_calendars::sandbox::{OAuthSettings, Sandbox};
use highlevel_calendars::webhooks::{Event, TokensChange, sync_tokens};
use highlevel_calendars::{Client, Error};
use serde_json::json;

async fn sandbox() -> Sandbox {
    Sandbox::builder()
        .oauth(OAuthSettings::new(
            common::oauth::CLIENT_ID,
            common::oauth::SECRET,
        ))
        .start()
        .await
        .unwrap()
}

fn event(value: serde_json::Value) -> Event {
    Event::from_json(value.to_string().as_bytes()).unwrap()
}

async fn list(sandbox: &Sandbox, tokens: &OAuthTokens, location: &str) -> Result<(), Error> {
    Client::builder()
        .base_url(sandbox.base_url())
        .token_provider(tokens.clone())
        .build()
        .unwrap()
        .get_calendars(location)
        .send()
        .await
        .map(|_| ())
}

#[tokio::test]
async fn an_uninstall_forgets_the_sub_account_s_tokens() {
    let sandbox = sandbox().await;
    let tokens = OAuthTokens::new(app(sandbox.base_url()));
    install_location(&tokens, "loc_1").await;
    list(&sandbox, &tokens, "loc_1").await.unwrap();

    let uninstall = event(json!({
        "type": "UNINSTALL", "appId": "app", "locationId": "loc_1", "companyId": "sandbox-company"
    }));
    let change = sync_tokens(&uninstall, &tokens).await.unwrap();
    assert_eq!(
        change,
        TokensChange::Removed {
            owner: Owner::location("loc_1"),
            had_tokens: true
        }
    );
    let error = list(&sandbox, &tokens, "loc_1").await.unwrap_err();
    assert!(
        matches!(&error, Error::Token(e) if matches!(e.oauth(), Some(OAuthError::NotInstalled { .. }))),
        "{error:?}"
    );
    let again = sync_tokens(&uninstall, &tokens).await.unwrap();
    assert_eq!(
        again,
        TokensChange::Removed {
            owner: Owner::location("loc_1"),
            had_tokens: false
        }
    );
}

#[tokio::test]
async fn an_install_under_a_stored_agency_gets_the_sub_account_s_token_once() {
    let sandbox = sandbox().await;
    let tokens = OAuthTokens::new(app(sandbox.base_url()));
    let code = consent(tokens.app(), None).await;
    tokens.install(&code, UserType::Company).await.unwrap();

    let install = event(json!({
        "type": "INSTALL", "appId": "app", "locationId": "loc_2", "companyId": "sandbox-company",
        "userId": "u1", "installType": "Location"
    }));
    let change = sync_tokens(&install, &tokens).await.unwrap();
    assert_eq!(
        change,
        TokensChange::Obtained {
            owner: Owner::location("loc_2")
        }
    );
    let exchanges = || {
        sandbox
            .oauth_stats()
            .owner(&Owner::location("loc_2"))
            .location_token_exchanges
    };
    assert_eq!(exchanges(), 1);
    list(&sandbox, &tokens, "loc_2").await.unwrap();
    assert_eq!(exchanges(), 1, "the call found the token the event got");

    // An agency install brings its tokens through the OAuth redirect, not the event.
    let agency = event(json!({"type": "INSTALL", "appId": "app", "companyId": "sandbox-company"}));
    assert_eq!(
        sync_tokens(&agency, &tokens).await.unwrap(),
        TokensChange::AwaitingCallback {
            owner: Some(Owner::company("sandbox-company"))
        }
    );
}

#[tokio::test]
async fn events_of_other_apps_and_sub_accounts_without_an_agency_change_nothing() {
    let sandbox = sandbox().await;
    let tokens = OAuthTokens::new(app(sandbox.base_url()));
    install_location(&tokens, "loc_1").await;

    let other = event(json!({"type": "UNINSTALL", "appId": "someone-else", "locationId": "loc_1"}));
    assert_eq!(
        sync_tokens(&other, &tokens).await.unwrap(),
        TokensChange::OtherApp
    );
    list(&sandbox, &tokens, "loc_1").await.unwrap();

    let install = event(json!({"type": "INSTALL", "appId": "app", "locationId": "loc_3"}));
    assert_eq!(
        sync_tokens(&install, &tokens).await.unwrap(),
        TokensChange::AwaitingCallback {
            owner: Some(Owner::location("loc_3"))
        }
    );
    let booking = event(json!({"type": "AppointmentCreate", "locationId": "loc_1"}));
    assert_eq!(
        sync_tokens(&booking, &tokens).await.unwrap(),
        TokensChange::Ignored
    );
}
