//! A full `create_calendar` round trip against a minimal loopback server that answers 201 with
//! HighLevel's example response, beside a hand-written reqwest + serde_json client that
//! serializes the same body, posts it with the same headers and decodes into the same type.
//! The difference is what the SDK layer costs: validation, hooks, retry bookkeeping.
//! With the `sandbox` feature, the same call through the sandbox shows the sandbox's overhead.

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::future::join_all;
use highlevel_calendars::Client;
use highlevel_calendars::types::CalendarCreateDto;
use support::{Baseline, TOKEN};

const IN_FLIGHT: usize = 32;

async fn sdk_create(client: &Client, body: &CalendarCreateDto) {
    let created = client.create_calendar(body).send().await.unwrap();
    assert_eq!(created.status, 201);
}

fn round_trip(c: &mut Criterion) {
    let (runtime, body, url) = support::setup();
    let sdk = Client::builder()
        .token(TOKEN)
        .base_url(&url)
        .build()
        .unwrap();
    let unvalidated = Client::builder()
        .token(TOKEN)
        .base_url(&url)
        .validation(highlevel_calendars::Validation::off())
        .build()
        .unwrap();
    let baseline = Baseline::new(&url);

    let mut group = c.benchmark_group("round_trip");
    group.bench_function(BenchmarkId::new("sdk", "sequential"), |b| {
        b.to_async(&runtime).iter(|| sdk_create(&sdk, &body))
    });
    group.bench_function(BenchmarkId::new("sdk_unvalidated", "sequential"), |b| {
        b.to_async(&runtime)
            .iter(|| sdk_create(&unvalidated, &body))
    });
    group.bench_function(BenchmarkId::new("baseline", "sequential"), |b| {
        b.to_async(&runtime).iter(|| baseline.create(&body))
    });
    group.finish();

    let mut group = c.benchmark_group("in_flight_32");
    group.throughput(Throughput::Elements(IN_FLIGHT as u64));
    group.bench_function(BenchmarkId::new("sdk", "32"), |b| {
        b.to_async(&runtime)
            .iter(|| join_all((0..IN_FLIGHT).map(|_| sdk_create(&sdk, &body))))
    });
    group.bench_function(BenchmarkId::new("baseline", "32"), |b| {
        b.to_async(&runtime)
            .iter(|| join_all((0..IN_FLIGHT).map(|_| baseline.create(&body))))
    });
    group.finish();

    #[cfg(feature = "sandbox")]
    {
        // The sandbox allows 100 requests per 10 s per location, as HighLevel does; a benchmark
        // sends far more, so both allowances are lifted.
        let sandbox = runtime
            .block_on(
                highlevel_calendars::sandbox::Sandbox::builder()
                    .rate_limit(u64::MAX, std::time::Duration::from_secs(10))
                    .daily_limit(u64::MAX)
                    // Every create is kept; a benchmark makes more than the default cap.
                    .max_resources(usize::MAX)
                    .start(),
            )
            .unwrap();
        let through_sandbox = Client::builder()
            .token(TOKEN)
            .base_url(sandbox.base_url())
            .build()
            .unwrap();
        let mut group = c.benchmark_group("sandbox");
        let mut n = 0u64;
        group.bench_function(BenchmarkId::new("sdk", "sequential"), |b| {
            b.to_async(&runtime).iter(|| {
                // A fresh slug each time: the sandbox rejects duplicates, as HighLevel does.
                n += 1;
                let mut body = body.clone();
                body.slug = Some(format!("bench-{n}"));
                let client = through_sandbox.clone();
                async move { client.create_calendar(body).send().await.unwrap() }
            })
        });
        group.finish();
    }
}

/// Pacing through a fleet budget in a local `redis-server` (one `EVAL` per call) beside the
/// in-process budget, on the same calls. The location changes with each call, among 1,000, so
/// that no budget ever fills and both rows measure taking a slot, not waiting for one.
#[cfg(feature = "redis")]
fn fleet_pacing(c: &mut Criterion) {
    use highlevel_calendars::FleetBudget;
    let Some(_) = support::redis_server::find() else {
        eprintln!("fleet pacing: no redis-server (set HIGHLEVEL_TEST_REDIS_SERVER); skipped");
        return;
    };
    let redis = support::redis_server::RedisServer::start();
    let (runtime, body, url) = support::setup();
    let local = Client::builder()
        .token(TOKEN)
        .base_url(&url)
        .build()
        .unwrap();
    let fleet = Client::builder()
        .token(TOKEN)
        .base_url(&url)
        .fleet_budget(FleetBudget::redis(&redis.url()).unwrap().app("bench"))
        .build()
        .unwrap();
    let mut group = c.benchmark_group("pacing");
    let mut calls = [0u64; 2];
    for (i, (name, client)) in [("local", &local), ("fleet_redis", &fleet)]
        .into_iter()
        .enumerate()
    {
        let mut n = 0u32;
        let calls = &mut calls[i];
        group.bench_function(BenchmarkId::new(name, "sequential"), |b| {
            b.to_async(&runtime).iter(|| {
                n = (n + 1) % 1_000;
                *calls += 1;
                let mut body = body.clone();
                body.location_id = format!("bench-{n}");
                async move { sdk_create(client, &body).await }
            })
        });
    }
    group.finish();
    // One round trip per call: Redis saw exactly one EVAL per fleet call.
    let stats = redis.command(&["INFO", "commandstats"]);
    let evals: u64 = stats
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_eval:calls="))
        .and_then(|rest| rest.split(',').next()?.parse().ok())
        .unwrap_or(0);
    assert_eq!(evals, calls[1], "one EVAL per call\n{stats}");
    eprintln!("fleet pacing: {} calls, {evals} EVALs", calls[1]);
}

#[cfg(not(feature = "redis"))]
fn fleet_pacing(_: &mut Criterion) {}

criterion_group!(benches, round_trip, fleet_pacing);
criterion_main!(benches);
