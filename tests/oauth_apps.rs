//! An app installed through OAuth, against the sandbox speaking HighLevel's OAuth: installs as
//! a sub-account and as an agency, one client for many sub-accounts, refreshes shared by
//! tasks and by processes (a real `redis-server`), Redis going away, and lost installs. The
//! sandbox counts what its endpoints did; each test holds the client to those counts.
#![cfg(feature = "sandbox")]

mod common;

use common::oauth::{app, consent, install_location};
use highlevel_calendars::oauth::{
    MemoryTokenStore, OAuthError, OAuthTokens, Owner, TokenStore, UserType,
};
use highlevel_calendars::sandbox::{OAuthSettings, OAuthStats, Sandbox};
use highlevel_calendars::{Client, Error, calendar};
use std::time::{Duration, Instant};

const LOCATIONS: [&str; 3] = ["loc_1", "loc_2", "loc_3"];

async fn sandbox(ttl: Duration) -> Sandbox {
    Sandbox::builder()
        .oauth(OAuthSettings::new(common::oauth::CLIENT_ID, common::oauth::SECRET).token_ttl(ttl))
        .rate_limit(1_000_000, Duration::from_secs(10))
        .start()
        .await
        .unwrap()
}

fn client(sandbox: &Sandbox, tokens: &OAuthTokens) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .token_provider(tokens.clone())
        .build()
        .unwrap()
}

/// The OAuth failure inside a call's error.
fn oauth_error(error: &Error) -> &OAuthError {
    match error {
        Error::Token(e) => e
            .oauth()
            .unwrap_or_else(|| panic!("not an OAuth failure: {error:?}")),
        other => panic!("not a token error: {other:?}"),
    }
}

/// No refresh token was ever presented twice (each refresh used the newest), and none the
/// sandbox did not issue.
fn assert_no_refresh_token_reused(stats: &OAuthStats) {
    assert_eq!(stats.totals().refresh_reuses, 0, "{stats:?}");
    assert_eq!(stats.unknown_refresh_tokens, 0, "{stats:?}");
    assert!(stats.most_presentations() <= 1, "{stats:?}");
}

/// At most one refresh per token lifetime: a token is refreshed once it has lived four fifths
/// of `ttl`, so `elapsed` allows `elapsed / (0.8 ttl)` of them, and one more for the edges.
fn assert_refreshes_within(stats: &OAuthStats, owner: &Owner, elapsed: Duration, ttl: Duration) {
    let most = (elapsed.as_secs_f64() / (ttl.as_secs_f64() * 0.8)).ceil() as u64 + 1;
    let refreshes = stats.owner(owner).refreshes;
    assert!(
        refreshes <= most,
        "{owner}: {refreshes} refreshes in {elapsed:?} with {ttl:?} tokens (at most {most})"
    );
}

#[tokio::test]
async fn a_sub_account_install_works_in_its_own_sub_account_only() {
    let sandbox = sandbox(Duration::from_secs(3600)).await;
    let tokens = OAuthTokens::new(app(sandbox.base_url()));
    install_location(&tokens, "loc_1").await;
    let client = client(&sandbox, &tokens);

    let created = client
        .create_calendar(calendar::event("loc_1", "Intro call"))
        .send()
        .await
        .unwrap();
    let fetched = client
        .for_location("loc_1")
        .get_calendar(created.calendar.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.calendar.name, "Intro call");

    let elsewhere = client
        .create_calendar(calendar::event("loc_2", "Not ours"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(oauth_error(&elsewhere), OAuthError::NotInstalled { owner } if owner == &Owner::location("loc_2")),
        "no token for loc_2, and no agency token: {elsewhere:?}"
    );
    assert!(elsewhere.nothing_sent(), "{elsewhere:?}");
    assert_eq!(sandbox.calendars_in("loc_2").len(), 0);
    let counts = sandbox.oauth_stats().owner(&Owner::location("loc_1"));
    assert_eq!((counts.code_exchanges, counts.refreshes), (1, 0));
}

#[tokio::test]
async fn an_agency_install_gets_each_sub_account_s_token_once() {
    let sandbox = sandbox(Duration::from_secs(3600)).await;
    let tokens = OAuthTokens::new(app(sandbox.base_url()));
    let code = consent(tokens.app(), None).await;
    let grant = tokens.install(&code, UserType::Company).await.unwrap();
    assert_eq!(grant.owner(), Some(Owner::company("sandbox-company")));
    assert!(
        grant.approved_locations.iter().any(|l| l == "loc_2"),
        "{grant:?}"
    );
    let client = client(&sandbox, &tokens);

    let calls = (0..16).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .create_calendar(calendar::event("loc_2", format!("Event {i}")))
                .send()
                .await
        })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    client
        .create_calendar(calendar::event("loc_3", "Another"))
        .send()
        .await
        .unwrap();
    let stats = sandbox.oauth_stats();
    assert_eq!(
        stats
            .owner(&Owner::location("loc_2"))
            .location_token_exchanges,
        1,
        "{stats:?}"
    );
    assert_eq!(
        stats
            .owner(&Owner::location("loc_3"))
            .location_token_exchanges,
        1,
        "{stats:?}"
    );
    assert_eq!(sandbox.calendars_in("loc_2").len(), 16);
}

/// One process, 32 tasks, three sub-accounts, tokens that last a second: every call
/// succeeds, and each token is refreshed once per lifetime, never with a used refresh token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_tasks_share_each_refresh() {
    let ttl = Duration::from_secs(1);
    let sandbox = sandbox(ttl).await;
    let tokens = OAuthTokens::new(app(sandbox.base_url()));
    for location in LOCATIONS {
        install_location(&tokens, location).await;
    }
    let client = client(&sandbox, &tokens);
    let started = Instant::now();
    let run = Duration::from_millis(3500);
    let tasks = (0..32).map(|task| {
        let client = client.clone();
        tokio::spawn(async move {
            let mut calls = 0;
            // A steady load, not a wait for anything: one call per task every 20 ms.
            let mut every = tokio::time::interval(Duration::from_millis(20));
            while started.elapsed() < run {
                every.tick().await;
                let location = LOCATIONS[(task + calls) % 3];
                client
                    .get_calendars(location)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("task {task}, call {calls}: {e}"));
                calls += 1;
            }
            calls
        })
    });
    let mut calls = 0;
    for task in tasks.collect::<Vec<_>>() {
        calls += task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let stats = sandbox.oauth_stats();
    assert!(calls > 1000, "{calls} calls");
    assert_no_refresh_token_reused(&stats);
    for location in LOCATIONS {
        let owner = Owner::location(location);
        assert!(
            stats.owner(&owner).refreshes >= 2,
            "{owner} was refreshed: {stats:?}"
        );
        assert_refreshes_within(&stats, &owner, elapsed, ttl);
    }
}

#[tokio::test]
async fn a_refresh_token_used_elsewhere_is_a_lost_install() {
    let sandbox = sandbox(Duration::from_secs(3600)).await;
    let store = MemoryTokenStore::new();
    let tokens = OAuthTokens::new(app(sandbox.base_url())).store(store.clone());
    install_location(&tokens, "loc_1").await;
    let client = client(&sandbox, &tokens);
    client.get_calendars("loc_1").send().await.unwrap();

    // Someone else spends the stored refresh token, and the access token expires.
    let owner = Owner::location("loc_1");
    let stored = store
        .get(common::oauth::CLIENT_ID, &owner)
        .await
        .unwrap()
        .unwrap()
        .token;
    tokens
        .app()
        .refresh(stored.refresh_token.as_ref().unwrap(), UserType::Location)
        .await
        .unwrap();
    assert!(sandbox.oauth_expire(stored.access_token.expose_secret()));

    let error = client.get_calendars("loc_1").send().await.unwrap_err();
    let oauth = oauth_error(&error);
    assert!(oauth.is_install_lost(), "{error}");
    assert_eq!(oauth.owner(), Some(&owner));
    assert_eq!(sandbox.oauth_stats().owner(&owner).refresh_reuses, 1);
}

/// Two apps sharing a store stand for two processes: when the token both hold is rejected,
/// the second takes the token the first stored instead of refreshing again.
#[tokio::test]
async fn a_token_another_process_stored_is_picked_up() {
    let sandbox = sandbox(Duration::from_secs(3600)).await;
    let store = MemoryTokenStore::new();
    let first = OAuthTokens::new(app(sandbox.base_url())).store(store.clone());
    let second = OAuthTokens::new(app(sandbox.base_url())).store(store.clone());
    install_location(&first, "loc_1").await;
    let (a, b) = (client(&sandbox, &first), client(&sandbox, &second));
    let list = |client: &Client| {
        let client = client.clone();
        async move { client.get_calendars("loc_1").send().await }
    };
    list(&a).await.unwrap();
    list(&b).await.unwrap();
    let owner = Owner::location("loc_1");
    let held = first.access_token(&owner).await.unwrap();
    assert_eq!(second.access_token(&owner).await.unwrap(), held);
    assert!(sandbox.oauth_expire(held.expose_secret()));

    list(&a).await.unwrap();
    list(&b).await.unwrap();
    assert_eq!(sandbox.oauth_stats().owner(&owner).refreshes, 1);
    assert_eq!(
        first.access_token(&owner).await.unwrap(),
        second.access_token(&owner).await.unwrap()
    );
}

#[tokio::test]
async fn an_uninstall_forgets_the_tokens() {
    let sandbox = sandbox(Duration::from_secs(3600)).await;
    let tokens = OAuthTokens::new(app(sandbox.base_url()));
    install_location(&tokens, "loc_1").await;
    let owner = Owner::location("loc_1");
    assert!(tokens.remove(&owner).await.unwrap());
    assert!(!tokens.remove(&owner).await.unwrap());
    let error = client(&sandbox, &tokens)
        .get_calendars("loc_1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(oauth_error(&error), OAuthError::NotInstalled { .. }),
        "{error}"
    );
}

#[cfg(all(feature = "redis", unix))]
mod fleet {
    use super::*;
    use common::program::start_program;
    use common::redis_server::RedisServer;
    use common::workers;
    use highlevel_calendars::oauth::RedisTokenStore;
    use std::process::Stdio;

    const WORKER_BASE_URL: &str = "OAUTH_TEST_BASE_URL";
    const WORKER_REDIS: &str = "OAUTH_TEST_REDIS";
    const WORKER_NAME: &str = "OAUTH_TEST_NAME";
    const CALLS: usize = 200;

    fn tokens(base: &str, redis: &str) -> OAuthTokens {
        let store = RedisTokenStore::new(redis).unwrap();
        OAuthTokens::new(app(base)).store(store)
    }

    /// Not a test of its own: the body of each worker process of
    /// `four_processes_share_each_refresh_through_redis`, which runs this binary again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "a worker process of `four_processes_share_each_refresh_through_redis`"]
    async fn oauth_fleet_worker() {
        let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is unset"));
        let (base, redis, name) = (var(WORKER_BASE_URL), var(WORKER_REDIS), var(WORKER_NAME));
        let client = Client::builder()
            .base_url(&base)
            .token_provider(tokens(&base, &redis))
            .build()
            .unwrap();
        // 200 calls over about three seconds, eight at a time, across the sub-accounts.
        let mut every = tokio::time::interval(Duration::from_millis(15));
        let mut calls = Vec::new();
        for i in 0..CALLS {
            every.tick().await;
            let client = client.clone();
            calls.push(tokio::spawn(async move {
                client
                    .get_calendars(LOCATIONS[i % 3])
                    .send()
                    .await
                    .map(|_| ())
            }));
        }
        let mut failed = Vec::new();
        for call in calls {
            if let Err(e) = call.await.unwrap() {
                failed.push(e.to_string());
            }
        }
        println!("worker {name} failed {} {failed:?}", failed.len());
        assert!(failed.is_empty(), "{failed:?}");
    }

    /// Four processes × 200 calls over three sub-accounts, sharing tokens in Redis, with
    /// tokens that last a second: no call fails, and no refresh token is ever used twice.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn four_processes_share_each_refresh_through_redis() {
        let ttl = Duration::from_secs(1);
        let redis = RedisServer::start();
        let (mut program, base) = start_program(
            &[
                "--oauth",
                &common::oauth::oauth_flag(),
                "--token-ttl",
                "1s",
                "--rate-limit",
                "1000000/10s",
            ],
            Stdio::null(),
        );
        let installer = tokens(&base, &redis.url());
        for location in LOCATIONS {
            install_location(&installer, location).await;
        }
        let started = Instant::now();
        let workers = workers::spawn("fleet::oauth_fleet_worker", 4, |n| {
            vec![
                (WORKER_BASE_URL, base.clone()),
                (WORKER_REDIS, redis.url()),
                (WORKER_NAME, format!("w{n}")),
            ]
        });
        for worker in workers {
            let stdout = workers::finish(worker).await;
            assert!(stdout.contains("failed 0"), "{stdout}");
        }
        let elapsed = started.elapsed();
        let stats: serde_json::Value = reqwest::get(format!("{base}/_sandbox/oauth/stats"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let _ = program.kill();
        let _ = program.wait();
        assert_eq!(stats["totals"]["refreshReuses"], 0, "{stats}");
        assert_eq!(stats["unknownRefreshTokens"], 0, "{stats}");
        let presented = stats["refreshTokens"].as_array().unwrap();
        assert!(
            presented.iter().all(|t| t["presented"].as_u64() <= Some(1)),
            "{stats}"
        );
        let most = (elapsed.as_secs_f64() / (ttl.as_secs_f64() * 0.8)).ceil() as u64 + 1;
        for owner in stats["owners"].as_array().unwrap() {
            let refreshes = owner["refreshes"].as_u64().unwrap();
            assert!(
                refreshes >= 2 && refreshes <= most,
                "{owner} in {elapsed:?}: {stats}"
            );
        }
    }

    /// Redis stops in the middle of a run: calls whose token still works go on; the refresh
    /// that needs Redis fails, typed, within the store's timeout; once Redis is back the token
    /// is refreshed once and stored, and nothing was lost.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn calls_go_on_while_redis_is_away_and_no_token_is_lost() {
        let ttl = Duration::from_secs(1);
        let redis = RedisServer::start();
        let sandbox = sandbox(ttl).await;
        let store = RedisTokenStore::new(&redis.url())
            .unwrap()
            .timeout(Duration::from_millis(200));
        let tokens = OAuthTokens::new(app(sandbox.base_url())).store(store);
        install_location(&tokens, "loc_1").await;
        let client = client(&sandbox, &tokens);
        let list = || client.get_calendars("loc_1").send();
        list().await.unwrap();

        redis.signal("STOP");
        let stopped = Instant::now();
        let mut succeeded = 0;
        let mut every = tokio::time::interval(Duration::from_millis(20));
        let error = loop {
            every.tick().await;
            match list().await {
                Ok(_) => succeeded += 1,
                Err(error) => break error,
            }
            assert!(stopped.elapsed() < Duration::from_secs(5), "no call failed");
        };
        let failed_after = stopped.elapsed();
        redis.signal("CONT");
        assert!(
            succeeded >= 10,
            "calls went on with the token held: {succeeded}"
        );
        assert!(
            failed_after >= Duration::from_millis(700),
            "only an expired token stops calls: {failed_after:?}"
        );
        let OAuthError::Store(store_error) = oauth_error(&error) else {
            panic!("the store's failure: {error:?}");
        };
        assert!(store_error.is_unavailable(), "{error}");
        assert!(error.nothing_sent());

        list().await.unwrap();
        let stats = sandbox.oauth_stats();
        assert_no_refresh_token_reused(&stats);
        assert_eq!(
            stats.owner(&Owner::location("loc_1")).refreshes,
            1,
            "{stats:?}"
        );
        // A process starting now finds the refreshed token in Redis and uses it as it is.
        let fresh = OAuthTokens::new(app(sandbox.base_url()))
            .store(RedisTokenStore::new(&redis.url()).unwrap());
        assert_eq!(
            fresh.access_token(&Owner::location("loc_1")).await.unwrap(),
            tokens
                .access_token(&Owner::location("loc_1"))
                .await
                .unwrap()
        );
        assert_eq!(
            sandbox
                .oauth_stats()
                .owner(&Owner::location("loc_1"))
                .refreshes,
            1
        );
    }
}

/// The README's `marketplace_app` line: the example, as `cargo test` built it, installs a
/// demo app in the sandbox and creates the seed's calendar with the sub-account's token.
#[test]
fn the_marketplace_example_runs_end_to_end() {
    let program = common::program::built_example("marketplace_app");
    let output = std::process::Command::new(&program)
        .env_remove("HIGHLEVEL_CLIENT_ID")
        .env_remove("HIGHLEVEL_CLIENT_SECRET")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("installed in sub-account loc"), "{stdout}");
    assert!(
        stdout.contains("created calendar") && stdout.contains("in sub-account loc"),
        "{stdout}"
    );
    assert!(!stdout.contains("demo-secret"), "{stdout}");
}
