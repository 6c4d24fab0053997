//! The token stores keep their promises, in memory and in a real `redis-server`: a write that
//! names a version lands only on that version, versions never go back (not even across a
//! removal), a lock is held by one taker until released or expired, and the agencies with a
//! token are listed.

mod common;

use highlevel_calendars::oauth::{
    Expect, MemoryTokenStore, Owner, StoredToken, TokenStore, UserType,
};
use std::time::Duration;

fn token(access: &str, owner: &Owner) -> StoredToken {
    let (user_type, company, location) = match owner {
        Owner::Company(id) => ("Company", format!("\"{id}\""), "null".to_string()),
        Owner::Location(id) => ("Location", "\"c1\"".to_string(), format!("\"{id}\"")),
        _ => unreachable!(),
    };
    StoredToken::from_json(&format!(
        r#"{{"access_token":"{access}","refresh_token":"r-{access}","issued_at":1000,
            "expires_at":2000,"scopes":["x.readonly"],"user_type":"{user_type}",
            "company_id":{company},"location_id":{location}}}"#
    ))
    .unwrap()
}

async fn keeps_its_promises(store: impl TokenStore) {
    let app = "app-1";
    let location = Owner::location("l1");
    let company = Owner::company("c1");

    assert!(store.get(app, &location).await.unwrap().is_none());
    let v1 = store
        .put(app, &location, &token("a1", &location), Expect::Absent)
        .await
        .unwrap()
        .expect("an absent record is written");
    assert_eq!(
        store
            .put(app, &location, &token("a2", &location), Expect::Absent)
            .await
            .unwrap(),
        None,
        "a present record is not absent"
    );
    let read = store.get(app, &location).await.unwrap().unwrap();
    assert_eq!(
        (read.version, read.token.access_token.expose_secret()),
        (v1, "a1")
    );
    assert_eq!(read.token.user_type, UserType::Location);

    let v2 = store
        .put(app, &location, &token("a2", &location), Expect::Version(v1))
        .await
        .unwrap()
        .expect("the version read is current");
    assert!(v2 > v1);
    assert_eq!(
        store
            .put(app, &location, &token("a3", &location), Expect::Version(v1))
            .await
            .unwrap(),
        None,
        "a stale version loses"
    );
    assert_eq!(
        store
            .get(app, &location)
            .await
            .unwrap()
            .unwrap()
            .token
            .access_token
            .expose_secret(),
        "a2"
    );

    assert!(store.remove(app, &location).await.unwrap());
    assert!(!store.remove(app, &location).await.unwrap());
    assert!(store.get(app, &location).await.unwrap().is_none());
    assert_eq!(
        store
            .put(app, &location, &token("a4", &location), Expect::Version(v2))
            .await
            .unwrap(),
        None,
        "a removed record matches no version"
    );
    let v3 = store
        .put(app, &location, &token("a4", &location), Expect::Any)
        .await
        .unwrap()
        .unwrap();
    assert!(v3 > v2, "versions never go back: {v3} after {v2}");

    assert!(store.get("another-app", &location).await.unwrap().is_none());
    assert!(store.companies(app).await.unwrap().is_empty());
    store
        .put(app, &company, &token("c", &company), Expect::Any)
        .await
        .unwrap();
    assert_eq!(store.companies(app).await.unwrap(), ["c1"]);
    store.remove(app, &company).await.unwrap();
    assert!(store.companies(app).await.unwrap().is_empty());

    let lock = store
        .lock(app, &location, Duration::from_secs(10))
        .await
        .unwrap()
        .expect("a free lock is taken");
    assert!(
        store
            .lock(app, &location, Duration::from_secs(10))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .lock(app, &company, Duration::from_secs(10))
            .await
            .unwrap()
            .is_some(),
        "locks are per owner"
    );
    store.unlock(app, &location, &lock).await.unwrap();
    let short = store
        .lock(app, &location, Duration::from_millis(50))
        .await
        .unwrap()
        .expect("a released lock is free");
    let started = std::time::Instant::now();
    let again = loop {
        if let Some(again) = store
            .lock(app, &location, Duration::from_secs(10))
            .await
            .unwrap()
        {
            break again;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the lock expires"
        );
        tokio::task::yield_now().await;
    };
    store.unlock(app, &location, &short).await.unwrap();
    assert!(
        store
            .lock(app, &location, Duration::from_secs(10))
            .await
            .unwrap()
            .is_none(),
        "an expired lock's holder cannot release the next holder's"
    );
    store.unlock(app, &location, &again).await.unwrap();
}

#[tokio::test]
async fn the_memory_store_keeps_its_promises() {
    keeps_its_promises(MemoryTokenStore::new()).await;
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn the_redis_store_keeps_its_promises() {
    use highlevel_calendars::oauth::RedisTokenStore;
    let server = common::redis_server::RedisServer::start();
    keeps_its_promises(RedisTokenStore::new(&server.url()).unwrap()).await;
    // The record is the documented hash, the token's JSON in `t`.
    let json = server.command(&["HGET", "highlevel:oauth:{app-1}:location:l1", "t"]);
    assert!(json.contains("\"access_token\":\"a4\""), "{json}");
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn a_redis_store_that_does_not_answer_is_unavailable_in_time() {
    use highlevel_calendars::oauth::RedisTokenStore;
    let server = common::redis_server::RedisServer::start();
    let store = RedisTokenStore::new(&server.url())
        .unwrap()
        .timeout(Duration::from_millis(200));
    let owner = Owner::location("l1");
    assert!(store.get("app", &owner).await.unwrap().is_none());
    server.signal("STOP");
    let started = std::time::Instant::now();
    let error = store.get("app", &owner).await.unwrap_err();
    server.signal("CONT");
    assert!(error.is_unavailable(), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let password = RedisTokenStore::new("redis://:s3cret@127.0.0.1:1").unwrap();
    assert!(!format!("{password:?}").contains("s3cret"));
}
