//! The sandbox sends webhooks as HighLevel does, and an app checks them with the crate's own
//! verifier trusting the sandbox's keys: appointment events after calls of the generated
//! client, INSTALL and UNINSTALL with OAuth on, the twice and late faults, and the program's
//! `--webhook-url` and key path. The app's endpoint is a real loopback server.
#![cfg(all(feature = "sandbox", feature = "webhooks"))]

mod common;

use common::webhook_receiver::{Received, Receiver};
use highlevel_calendars::sandbox::{Fault, OAuthSettings, Sandbox, WebhookPublicKeys};
use highlevel_calendars::types::{AppointmentCreateSchema, AppointmentEditSchema};
use highlevel_calendars::webhooks::{
    ErrorKind, Event, PublicKey, Scheme, SignaturePolicy, WebhookVerifier,
};
use highlevel_calendars::{Client, types};
use serde_json::json;
use std::time::Duration;

const LOCATION: &str = "loc_webhooks";

/// A verifier trusting only the sandbox's keys, as an app under test configures it.
fn verifier(keys: &WebhookPublicKeys, policy: SignaturePolicy) -> WebhookVerifier {
    verifier_with_window(keys, policy, WebhookVerifier::DEFAULT_WINDOW)
}

fn verifier_with_window(
    keys: &WebhookPublicKeys,
    policy: SignaturePolicy,
    window: Duration,
) -> WebhookVerifier {
    WebhookVerifier::builder()
        .without_highlevel_keys()
        .trust(PublicKey::from_pem("sandbox-ed25519", &keys.ed25519_pem).unwrap())
        .trust(PublicKey::from_pem("sandbox-rsa", &keys.rsa_pem).unwrap())
        .policy(policy)
        .replay_window(window)
        .build()
        .unwrap()
}

async fn sandbox_sending_to(receiver: &Receiver) -> Sandbox {
    Sandbox::builder()
        .webhook_url(&receiver.url)
        .start()
        .await
        .unwrap()
}

fn client(sandbox: &Sandbox) -> Client {
    sandbox.client_builder().build().unwrap()
}

fn booking() -> AppointmentCreateSchema {
    serde_json::from_value(json!({
        "calendarId": "cal_1",
        "contactId": "contact_1",
        "locationId": LOCATION,
        "startTime": "2026-03-02T10:00:00+00:00",
        "endTime": "2026-03-02T10:30:00+00:00",
        "title": "First call"
    }))
    .unwrap()
}

/// Every policy accepts the delivery (each on a fresh verifier: the seen-set is per verifier).
async fn accepted_by_every_policy(keys: &WebhookPublicKeys, delivery: &Received) -> Event {
    for (policy, scheme) in [
        (SignaturePolicy::Ed25519Only, Scheme::Ed25519),
        (SignaturePolicy::RsaOnly, Scheme::Rsa),
        (SignaturePolicy::Both, Scheme::Ed25519),
    ] {
        let verified = verifier(keys, policy)
            .verify(&delivery.headers, &delivery.body)
            .await
            .unwrap_or_else(|e| panic!("{policy:?}: {e}"));
        assert_eq!(verified.scheme(), scheme, "{policy:?}");
    }
    let verified = verifier(keys, SignaturePolicy::default())
        .verify(&delivery.headers, &delivery.body)
        .await
        .unwrap();
    assert_eq!(verified.key_id(), "sandbox-ed25519");
    verified.into_event()
}

#[tokio::test]
async fn appointments_booked_edited_and_deleted_send_their_signed_events() {
    let mut receiver = Receiver::start().await;
    let sandbox = sandbox_sending_to(&receiver).await;
    let keys = sandbox.webhook_public_keys();
    let client = client(&sandbox);

    let booked = client.create_appointment(booking()).send().await.unwrap();
    let created = receiver.next().await;
    assert_eq!(
        created.headers["content-type"], "application/json",
        "{created:?}"
    );
    let body = created.json();
    assert!(
        body["webhookId"].as_str().is_some_and(|id| id.len() == 36),
        "{body}"
    );
    let timestamp = body["timestamp"].as_str().unwrap();
    assert!(
        timestamp.ends_with('Z') && timestamp.len() == 24,
        "{timestamp}"
    );
    let Event::AppointmentCreate(event) = accepted_by_every_policy(&keys, &created).await else {
        panic!("not AppointmentCreate: {body}");
    };
    assert_eq!(event.location_id.as_deref(), Some(LOCATION));
    let appointment = event.appointment.unwrap();
    assert_eq!(appointment.id.as_deref(), Some(booked.id.as_str()));
    assert_eq!(appointment.calendar_id.as_deref(), Some("cal_1"));
    assert_eq!(appointment.contact_id.as_deref(), Some("contact_1"));
    assert_eq!(appointment.title.as_deref(), Some("First call"));

    let edit: AppointmentEditSchema = serde_json::from_value(json!({"title": "Moved"})).unwrap();
    client
        .edit_appointment(booked.id.as_str(), edit)
        .send()
        .await
        .unwrap();
    let updated = receiver.next().await;
    let Event::AppointmentUpdate(event) = accepted_by_every_policy(&keys, &updated).await else {
        panic!("not AppointmentUpdate: {}", updated.json());
    };
    assert_eq!(event.location_id.as_deref(), Some(LOCATION));
    let appointment = event.appointment.unwrap();
    assert_eq!(appointment.id.as_deref(), Some(booked.id.as_str()));
    assert_eq!(appointment.title.as_deref(), Some("Moved"));
    assert_eq!(
        appointment.contact_id.as_deref(),
        Some("contact_1"),
        "kept from the create"
    );

    client
        .delete_event(
            booked.id.as_str(),
            serde_json::from_value::<types::DeleteAppointmentSchema>(json!({})).unwrap(),
        )
        .send()
        .await
        .unwrap();
    let deleted = receiver.next().await;
    let Event::AppointmentDelete(event) = accepted_by_every_policy(&keys, &deleted).await else {
        panic!("not AppointmentDelete: {}", deleted.json());
    };
    assert_eq!(event.location_id.as_deref(), Some(LOCATION));
    assert_eq!(
        event.appointment.unwrap().id.as_deref(),
        Some(booked.id.as_str())
    );
    let ids: Vec<_> = [&created, &updated, &deleted]
        .iter()
        .map(|d| d.json()["webhookId"].clone())
        .collect();
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}"
    );
}

#[tokio::test]
async fn a_verifier_without_the_sandbox_keys_refuses_its_webhooks() {
    let mut receiver = Receiver::start().await;
    let sandbox = sandbox_sending_to(&receiver).await;
    client(&sandbox)
        .create_appointment(booking())
        .send()
        .await
        .unwrap();
    let delivery = receiver.next().await;
    // HighLevel's keys only: the sandbox's signatures are not HighLevel's.
    let error = WebhookVerifier::builder()
        .build()
        .unwrap()
        .verify(&delivery.headers, &delivery.body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            ErrorKind::SignatureInvalid | ErrorKind::UnknownKey
        ),
        "{error}"
    );
}

#[tokio::test]
async fn the_twice_fault_delivers_the_same_webhook_again_and_the_verifier_calls_it_a_duplicate() {
    let mut receiver = Receiver::start().await;
    let sandbox = sandbox_sending_to(&receiver).await;
    sandbox.inject(Fault::WebhookTwice);
    client(&sandbox)
        .create_appointment(booking())
        .send()
        .await
        .unwrap();
    let (first, second) = (receiver.next().await, receiver.next().await);
    assert_eq!(first.body, second.body);
    assert_eq!(
        first.headers["x-ghl-signature"],
        second.headers["x-ghl-signature"]
    );
    let verifier = verifier(&sandbox.webhook_public_keys(), SignaturePolicy::default());
    verifier.verify(&first.headers, &first.body).await.unwrap();
    let error = verifier
        .verify(&second.headers, &second.body)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Duplicate, "{error}");
}

#[tokio::test]
async fn the_late_fault_delivers_after_the_window_and_the_verifier_calls_it_stale() {
    let mut receiver = Receiver::start().await;
    let sandbox = sandbox_sending_to(&receiver).await;
    let late = Duration::from_millis(1500);
    sandbox.inject(Fault::WebhookLate(late));
    let sent = std::time::Instant::now();
    client(&sandbox)
        .create_appointment(booking())
        .send()
        .await
        .unwrap();
    let delivery = receiver.next().await;
    assert!(sent.elapsed() >= late, "{:?}", sent.elapsed());
    let keys = sandbox.webhook_public_keys();
    let strict = verifier_with_window(&keys, SignaturePolicy::default(), Duration::from_secs(1));
    let error = strict
        .verify(&delivery.headers, &delivery.body)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Stale, "{error}");
    // The default window takes it: only its age is wrong, not its signature.
    verifier(&keys, SignaturePolicy::default())
        .verify(&delivery.headers, &delivery.body)
        .await
        .unwrap();
}

#[tokio::test]
async fn installs_and_uninstalls_send_install_and_uninstall() {
    let mut receiver = Receiver::start().await;
    let sandbox = Sandbox::builder()
        .oauth(OAuthSettings::new(
            common::oauth::CLIENT_ID,
            common::oauth::SECRET,
        ))
        .webhook_url(&receiver.url)
        .start()
        .await
        .unwrap();
    let keys = sandbox.webhook_public_keys();
    let verifier = verifier(&keys, SignaturePolicy::Both);
    let app = common::oauth::app(sandbox.base_url());
    common::oauth::consent(&app, Some("loc_2")).await;
    let delivery = receiver.next().await;
    let verified = verifier
        .verify(&delivery.headers, &delivery.body)
        .await
        .unwrap();
    let Event::AppInstall(install) = verified.event() else {
        panic!("not INSTALL: {}", delivery.json());
    };
    assert_eq!(install.location_id.as_deref(), Some("loc_2"));
    assert_eq!(
        install.app_id.as_deref(),
        Some("app"),
        "the client id before its first -"
    );
    assert!(install.company_id.is_some());

    assert_eq!(sandbox.oauth_uninstall("loc_2"), 0, "no token was issued");
    let delivery = receiver.next().await;
    let verified = verifier
        .verify(&delivery.headers, &delivery.body)
        .await
        .unwrap();
    let Event::AppUninstall(uninstall) = verified.event() else {
        panic!("not UNINSTALL: {}", delivery.json());
    };
    assert_eq!(uninstall.location_id.as_deref(), Some("loc_2"));
    assert_eq!(uninstall.app_id, install.app_id);

    // Not installed any more: no second UNINSTALL.
    sandbox.oauth_uninstall("loc_2");
    assert!(
        receiver
            .another_within(Duration::from_millis(300))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn no_url_sends_nothing_and_a_url_that_is_not_http_is_refused() {
    let error = Sandbox::builder()
        .webhook_url("https://127.0.0.1:9/webhooks")
        .start()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    let sandbox = Sandbox::start().await.unwrap();
    client(&sandbox)
        .create_appointment(booking())
        .send()
        .await
        .unwrap();
    // The keys are there all the same, for an app configured before any URL is.
    assert!(
        sandbox
            .webhook_public_keys()
            .ed25519_pem
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_program_sends_to_its_webhook_url_and_serves_its_keys() {
    let mut receiver = Receiver::start().await;
    let (mut child, base_url) = common::program::start_program(
        &["--webhook-url", &receiver.url, "--fault", "webhook-twice"],
        std::process::Stdio::null(),
    );
    let client = Client::builder()
        .base_url(&base_url)
        .token("any-token")
        .build()
        .unwrap();
    // The first request meets the fault.
    let booked = client.create_appointment(booking()).send().await.unwrap();
    let keys: serde_json::Value = reqwest::get(format!("{base_url}/_sandbox/webhooks/keys"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = WebhookPublicKeys::from_json(&keys).expect("both keys");
    let (first, second) = (receiver.next().await, receiver.next().await);
    let verifier = verifier(&keys, SignaturePolicy::Both);
    let verified = verifier.verify(&first.headers, &first.body).await.unwrap();
    let Event::AppointmentCreate(event) = verified.event() else {
        panic!("not AppointmentCreate: {}", first.json());
    };
    let appointment = event.appointment.as_ref().unwrap();
    assert_eq!(appointment.id.as_deref(), Some(booked.id.as_str()));
    let error = verifier
        .verify(&second.headers, &second.body)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Duplicate);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_webhooks_example_runs_end_to_end() {
    let program = common::program::built_example("webhooks");
    let output = std::process::Command::new(&program).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for event in [
        "AppointmentCreate",
        "AppointmentUpdate",
        "AppointmentDelete",
    ] {
        assert!(
            stdout.contains(&format!("webhook {event}: appointment")),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("all three events arrived verified"),
        "{stdout}"
    );
}
