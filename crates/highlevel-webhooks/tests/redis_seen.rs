//! The Redis seen-set against a real redis-server: once per id, keys that expire with the
//! window, separate prefixes, and an unreachable server.

mod support;

use highlevel_webhooks::{ErrorKind, RedisSeenSet, SeenSet};
use std::time::Duration;
use support::redis_server::RedisServer;
use support::{Signer, body};

#[tokio::test]
async fn an_id_is_new_once_and_its_key_expires_with_the_window() {
    let server = RedisServer::start();
    let seen = RedisSeenSet::open(&server.url()).unwrap();
    let window = Duration::from_secs(300);
    assert!(seen.first_sighting("id-1", window).await.unwrap());
    assert!(!seen.first_sighting("id-1", window).await.unwrap());
    assert!(seen.first_sighting("id-2", window).await.unwrap());
    let client = redis::Client::open(server.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("highlevel:webhook:id-1")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((290_000..=300_000).contains(&ttl), "PTTL {ttl}");
    // Another prefix is another set.
    let other = RedisSeenSet::open(&server.url()).unwrap().prefix("app2:");
    assert!(other.first_sighting("id-1", window).await.unwrap());
    // A short window's key is gone once it has passed: Redis expires it, not this crate.
    let short = Duration::from_millis(1);
    assert!(seen.first_sighting("id-3", short).await.unwrap());
    let exists = loop {
        let exists: i64 = redis::cmd("EXISTS")
            .arg("highlevel:webhook:id-3")
            .query_async(&mut connection)
            .await
            .unwrap();
        if exists == 0 {
            break exists;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(exists, 0);
    assert!(seen.first_sighting("id-3", window).await.unwrap());
}

#[tokio::test]
async fn a_verifier_on_redis_refuses_a_duplicate_and_an_unreachable_server_gives_503() {
    let server = RedisServer::start();
    let signer = Signer::new();
    let verifier = signer
        .builder()
        .seen_set(RedisSeenSet::open(&server.url()).unwrap())
        .build()
        .unwrap();
    let body = body("r-1");
    let headers = signer.ed25519_only(&body);
    assert!(verifier.verify(&headers, &body).await.is_ok());
    let error = verifier.verify(&headers, &body).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Duplicate);
    let url = server.url();
    drop(server);
    let down = signer
        .builder()
        .seen_set(
            RedisSeenSet::open(&url)
                .unwrap()
                .timeout(Duration::from_millis(500)),
        )
        .build()
        .unwrap();
    let body = support::body("r-2");
    let error = down
        .verify(&signer.ed25519_only(&body), &body)
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.status()),
        (ErrorKind::SeenSetUnavailable, 503)
    );
    assert!(!error.to_string().contains(&url), "{error}");
}
