//! The fleet budget against a real `redis-server` (never a fake) and the sandbox: processes
//! that share one budget, the server's headers shrinking it, the daily allowance, and Redis
//! going away in the middle of a run.
#![cfg(all(feature = "sandbox", feature = "redis", unix))]

mod common;

use common::redis_server::RedisServer;
use common::sandbox::{assert_stopped_by_the_daily_allowance, rate_limited};
use common::workers;
use highlevel_calendars::sandbox::Sandbox;
use highlevel_calendars::{Client, Error, FleetBudget, OnUnavailable, Pacing, calendar};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The variables that make the `fleet_worker` test a worker process.
const WORKER_BASE_URL: &str = "FLEET_TEST_BASE_URL";
const WORKER_REDIS: &str = "FLEET_TEST_REDIS";
const WORKER_CALLS: &str = "FLEET_TEST_CALLS";
const WORKER_NAME: &str = "FLEET_TEST_NAME";

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn fleet_client(sandbox: &Sandbox, redis: &str, app: &str) -> Client {
    sandbox
        .client_builder()
        .fleet_budget(FleetBudget::redis(redis).unwrap().app(app))
        .build()
        .unwrap()
}

/// Not a test of its own: the body of each worker process the multi-process test starts (it
/// runs this test binary again, filtered to this test, with the worker variables set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a worker process of `processes_share_one_budget_without_429s`, started by it"]
async fn fleet_worker() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let (base_url, redis, name) = (var(WORKER_BASE_URL), var(WORKER_REDIS), var(WORKER_NAME));
    let calls: usize = var(WORKER_CALLS).parse().unwrap();
    let client = Client::builder()
        .base_url(base_url)
        .token("pit-fleet-test")
        .fleet_budget(FleetBudget::redis(&redis).unwrap().app("fleet-test"))
        .build()
        .unwrap();
    let first = unix_ms();
    for i in 0..calls {
        client
            .create_calendar(calendar::event("loc", format!("{name} {i}")))
            .send()
            .await
            .expect("every call of a worker succeeds");
    }
    println!(
        "worker {name} calls {calls} first_ms {first} last_ms {}",
        unix_ms()
    );
}

/// Three processes, one budget of 20 calls per second kept in Redis: no 429 is paid for, and
/// together they reach at least 90 % of the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_share_one_budget_without_429s() {
    const PROCESSES: usize = 3;
    const CALLS: usize = 20;
    let redis = RedisServer::start();
    let sandbox = rate_limited(20, Duration::from_secs(1)).await;
    let workers = workers::spawn("fleet_worker", PROCESSES, |n| {
        vec![
            (WORKER_BASE_URL, sandbox.base_url().to_string()),
            (WORKER_REDIS, redis.url()),
            (WORKER_CALLS, CALLS.to_string()),
            (WORKER_NAME, format!("w{n}")),
        ]
    });
    let (mut first, mut last) = (u64::MAX, 0);
    for worker in workers {
        let stdout = workers::finish(worker).await;
        let line = stdout
            .lines()
            .find(|l| l.starts_with("worker "))
            .unwrap_or_else(|| panic!("no report: {stdout}"));
        let fields: Vec<&str> = line.split(' ').collect();
        first = first.min(fields[5].parse().unwrap());
        last = last.max(fields[7].parse().unwrap());
    }
    let calls = PROCESSES * CALLS;
    assert_eq!(sandbox.calendars().len(), calls);
    assert_eq!(
        sandbox.requests_received(),
        calls,
        "no request was answered 429 and sent again"
    );
    // The calls spread over the windows they used: from the first to one interval after the
    // last (three windows of 20 here).
    let rate = calls as f64 / ((last - first) as f64 / 1000.0 + 1.0);
    assert!(rate >= 18.0, "{rate:.1} calls/s of 20/s");
    assert!(
        rate <= 20.5,
        "{rate:.1} calls/s of 20/s: faster than the limit allows"
    );
}

/// The budget starts from HighLevel's published 100 per 10 s; the sandbox's headers say 5 per
/// second, and a remaining count lower than the fleet's own (someone outside the fleet
/// spends the same budget) wins. The budget's keys name app and sub-account and expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_s_headers_shrink_the_fleet_budget() {
    let redis = RedisServer::start();
    let sandbox = rate_limited(5, Duration::from_secs(1)).await;
    let a = fleet_client(&sandbox, &redis.url(), "shrink");
    let b = fleet_client(&sandbox, &redis.url(), "shrink");
    let outsider = sandbox
        .client_builder()
        .pacing(Pacing::off())
        .build()
        .unwrap();
    let list = |client: &Client| {
        let client = client.clone();
        async move { client.get_calendars("loc").send().await }
    };
    list(&a).await.unwrap();
    for _ in 0..3 {
        list(&outsider).await.unwrap();
    }
    // The server now holds 4 of 5; the fleet has spent 1 and learns the rest with its next
    // reservation, which takes the last slot.
    list(&a).await.unwrap();
    let started = Instant::now();
    list(&a).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for the server's window: {:?}",
        started.elapsed()
    );
    // Another client of the fleet (another process, as far as the budget knows) shares it:
    // the window now holds a's last call, so b has four slots before it has to wait.
    let started = Instant::now();
    for _ in 0..4 {
        list(&b).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    list(&b).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sandbox.requests_received(), 11, "no 429 was paid for");

    let state = "highlevel:budget:{shrink:loc}:state";
    assert_eq!(redis.command(&["HGET", state, "max"]), "5");
    assert_eq!(redis.command(&["HGET", state, "interval"]), "1000");
    let window = "highlevel:budget:{shrink:loc}:window";
    let ttl: i64 = redis.command(&["PTTL", window]).parse().unwrap();
    assert!((1..=3_000).contains(&ttl), "the window expires: {ttl} ms");
    let ttl: i64 = redis.command(&["PTTL", state]).parse().unwrap();
    assert!(ttl > 0 && ttl <= 86_400_000, "the state expires: {ttl} ms");
}

/// Two clients (two processes, as far as the budget knows) share the day's allowance the
/// sandbox reports: five calls go, the sixth stops before it is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_allowance_is_shared_by_the_fleet() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::builder().daily_limit(5).start().await.unwrap();
    let clients = [
        fleet_client(&sandbox, &redis.url(), "daily"),
        fleet_client(&sandbox, &redis.url(), "daily"),
    ];
    for i in 0..5 {
        clients[i % 2]
            .create_calendar(calendar::event("loc", format!("day {i}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("call {i}: {e}"));
    }
    assert_stopped_by_the_daily_allowance(&clients[1], "one too many", &sandbox, 5).await;
    let left = redis.command(&["HGET", "highlevel:budget:{daily:loc}:state", "daily"]);
    assert_eq!(left, "0");
}

/// Redis stops in the middle of a run, then answers slowly, then comes back. The default
/// client paces alone meanwhile and every one of its calls succeeds, each exactly once; a
/// client set to fail gets [`Error::FleetUnavailable`] with nothing sent. No call waits
/// longer than the configured timeout for Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_and_started_again() {
    const TIMEOUT: Duration = Duration::from_millis(300);
    // The calls run on this thread (awaited, not spawned): its subscriber sees their events.
    let logs = common::capture_tracing();
    let _logging = logs.install();
    let redis = RedisServer::start();
    let port = redis.port();
    let sandbox = rate_limited(1_000, Duration::from_secs(1)).await;
    let budget = FleetBudget::redis(&redis.url())
        .unwrap()
        .app("outage")
        .timeout(TIMEOUT);
    let patient = sandbox
        .client_builder()
        .fleet_budget(budget.clone())
        .build()
        .unwrap();
    let strict = sandbox
        .client_builder()
        .fleet_budget(budget.on_unavailable(OnUnavailable::Fail))
        .build()
        .unwrap();
    let mut made = 0;
    let mut call = async |client: &Client| {
        made += 1;
        let started = Instant::now();
        let result = client
            .create_calendar(calendar::event("loc", format!("outage {made}")))
            .send()
            .await;
        // A reservation that fails or stalls costs at most the timeout.
        assert!(
            started.elapsed() < TIMEOUT + Duration::from_millis(700),
            "call {made} took {:?}",
            started.elapsed()
        );
        result.map(|_| ())
    };
    let window = "highlevel:budget:{outage:loc}:window";
    for _ in 0..4 {
        call(&patient).await.unwrap();
    }
    assert_eq!(
        redis.command(&["ZCARD", window]),
        "4",
        "slots came from Redis"
    );

    redis.stop();
    for _ in 0..4 {
        call(&patient)
            .await
            .expect("paced locally while Redis is down");
    }
    for _ in 0..3 {
        let error = call(&strict).await.unwrap_err();
        assert!(matches!(error, Error::FleetUnavailable { .. }), "{error:?}");
        assert!(error.nothing_sent() && error.is_retryable());
        assert!(error.to_string().contains("not sent"), "{error}");
    }

    let redis = RedisServer::start_on(port);
    call(&patient).await.unwrap();
    call(&strict).await.unwrap();
    let state = "highlevel:budget:{outage:loc}:state";
    assert_eq!(
        redis.command(&["HGET", state, "reserved"]),
        "2",
        "both took their slots from Redis again"
    );

    // A Redis that accepts but does not answer: each call waits out the timeout, then paces
    // locally (or fails, nothing sent).
    redis.signal("STOP");
    let started = Instant::now();
    call(&patient)
        .await
        .expect("paced locally while Redis stalls");
    assert!(started.elapsed() >= TIMEOUT, "{:?}", started.elapsed());
    let error = call(&strict).await.unwrap_err();
    assert!(matches!(error, Error::FleetUnavailable { .. }), "{error:?}");
    redis.signal("CONT");

    // One warning per client and outage (down, then stalled), and a word when Redis is back.
    let logs = logs.text();
    assert_eq!(
        logs.matches("the fleet budget in Redis is unavailable")
            .count(),
        4,
        "{logs}"
    );
    assert_eq!(
        logs.matches("the fleet budget in Redis answers again")
            .count(),
        2,
        "{logs}"
    );
    assert!(
        logs.contains("fallback=PaceLocally") && logs.contains("fallback=Fail"),
        "{logs}"
    );

    // Every call that succeeded was sent exactly once; none that failed was sent.
    let succeeded = 4 + 4 + 2 + 1;
    let mut names: Vec<String> = sandbox
        .calendars()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), succeeded, "{names:?}");
    assert_eq!(sandbox.requests_received(), succeeded);
}
