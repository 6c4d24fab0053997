//! The replay window, the seen-set, the body cap and bodies that are not deliveries.

mod support;

use highlevel_webhooks::{ErrorKind, MemorySeenSet, SeenFuture, SeenSet, SeenSetError};
use std::time::{Duration, SystemTime};
use support::{Signer, body, body_at, minutes};

#[tokio::test]
async fn a_delivery_is_processed_once_and_its_duplicate_refused() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("dup-1");
    let headers = signer.ed25519_only(&body);
    assert_eq!(
        verifier.verify(&headers, &body).await.unwrap().webhook_id(),
        "dup-1"
    );
    let error = verifier.verify(&headers, &body).await.unwrap_err();
    assert_eq!(
        (error.kind(), error.webhook_id()),
        (ErrorKind::Duplicate, Some("dup-1"))
    );
    assert_eq!(error.status(), 200);
    // Signed with the other scheme, it is still the same delivery.
    let error = verifier
        .verify(&signer.rsa_only(&body), &body)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Duplicate);
    // A clone shares the seen-set.
    let error = verifier.clone().verify(&headers, &body).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Duplicate);
}

#[tokio::test]
async fn a_refused_delivery_is_not_recorded_as_seen() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("later-good");
    let error = verifier
        .verify(&signer.ed25519_only(b"x"), &body)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::SignatureInvalid);
    assert!(
        verifier
            .verify(&signer.ed25519_only(&body), &body)
            .await
            .is_ok()
    );
}

#[test]
fn a_stale_or_future_timestamp_is_refused_within_the_window_accepted() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let now = SystemTime::now();
    for (at, ok) in [
        (now - minutes(6), false),
        (now + minutes(6), false),
        (now - minutes(4), true),
        (now + minutes(1), true),
    ] {
        let body = body_at("AppointmentCreate", "w", at);
        let result = verifier.authenticate(&signer.ed25519_only(&body), &body);
        match result {
            Ok(_) => assert!(ok),
            Err(error) => {
                assert!(!ok, "{error}");
                assert_eq!(error.kind(), ErrorKind::Stale);
                assert!(error.age().unwrap() > minutes(5));
            }
        }
    }
    // A shorter window.
    let strict = signer
        .builder()
        .replay_window(Duration::from_secs(60))
        .build()
        .unwrap();
    let body = body_at("AppointmentCreate", "w", now - minutes(2));
    let error = strict
        .authenticate(&signer.ed25519_only(&body), &body)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Stale);
}

#[test]
fn a_body_over_the_cap_is_refused_before_anything_is_read() {
    let signer = Signer::new();
    let body = body("big");
    let verifier = signer
        .builder()
        .max_body_len(body.len() - 1)
        .build()
        .unwrap();
    // Not even the (valid) signature is looked at: a missing one gives the same answer.
    let error = verifier
        .authenticate(&http::HeaderMap::new(), &body)
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.limit()),
        (ErrorKind::BodyTooLarge, Some(body.len() as u64 - 1))
    );
    assert_eq!(error.status(), 413);
    let fits = signer.builder().max_body_len(body.len()).build().unwrap();
    assert!(
        fits.authenticate(&signer.ed25519_only(&body), &body)
            .is_ok()
    );
}

#[test]
fn signed_bodies_that_are_not_deliveries() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let now = support::rfc3339(SystemTime::now());
    let cases: [(String, ErrorKind); 6] = [
        ("{\"type\":".into(), ErrorKind::MalformedJson),
        ("[1,2]".into(), ErrorKind::MalformedJson),
        (
            format!(r#"{{"timestamp":"{now}"}}"#),
            ErrorKind::MissingField,
        ),
        (r#"{"webhookId":"w"}"#.into(), ErrorKind::MissingField),
        (
            r#"{"webhookId":"w","timestamp":1714032441}"#.into(),
            ErrorKind::MissingField,
        ),
        (
            r#"{"webhookId":"w","timestamp":"yesterday"}"#.into(),
            ErrorKind::BadTimestamp,
        ),
    ];
    for (body, expected) in cases {
        let body = body.into_bytes();
        let error = verifier
            .authenticate(&signer.ed25519_only(&body), &body)
            .unwrap_err();
        assert_eq!(error.kind(), expected, "{error}");
        assert_eq!(error.status(), 400);
    }
}

#[tokio::test]
async fn the_memory_seen_set_is_bounded() {
    let signer = Signer::new();
    let verifier = signer
        .builder()
        .seen_set(MemorySeenSet::with_capacity(2))
        .build()
        .unwrap();
    for id in ["a", "b", "c"] {
        let body = body(id);
        verifier
            .verify(&signer.ed25519_only(&body), &body)
            .await
            .unwrap();
    }
    // "a" was forgotten to make room for "c"; "c" is remembered.
    let again = |id: &str| {
        let body = body(id);
        let headers = signer.ed25519_only(&body);
        let verifier = verifier.clone();
        async move {
            verifier
                .verify(&headers, &body)
                .await
                .map(|_| ())
                .map_err(|e| e.kind())
        }
    };
    assert_eq!(again("c").await, Err(ErrorKind::Duplicate));
    assert_eq!(again("a").await, Ok(()));
}

/// A seen-set that is down.
struct Down;

impl SeenSet for Down {
    fn first_sighting<'a>(&'a self, _: &'a str, _: Duration) -> SeenFuture<'a> {
        Box::pin(async { Err(SeenSetError::new("store is down")) })
    }
}

#[tokio::test]
async fn an_unavailable_seen_set_refuses_with_503() {
    let signer = Signer::new();
    let verifier = signer.builder().seen_set(Down).build().unwrap();
    let body = body("w");
    let error = verifier
        .verify(&signer.ed25519_only(&body), &body)
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.status()),
        (ErrorKind::SeenSetUnavailable, 503)
    );
    assert!(error.to_string().contains("store is down"), "{error}");
    // `authenticate` does not ask it.
    assert!(
        verifier
            .authenticate(&signer.ed25519_only(&body), &body)
            .is_ok()
    );
}

#[test]
fn the_verifier_and_its_future_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: T) {}
    let signer = Signer::new();
    let verifier = signer.verifier();
    send_sync(&verifier);
    let body = body("w");
    let headers = signer.ed25519_only(&body);
    // What an axum or actix handler awaits must be `Send`.
    send(verifier.verify(&headers, &body));
    let debug = format!("{verifier:?}");
    assert!(
        debug.contains("test-ed25519") && !debug.contains("BEGIN"),
        "{debug}"
    );
}
