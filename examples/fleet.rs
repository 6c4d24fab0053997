//! A fleet of worker processes creating calendars in one sub-account, under one rate limit.
//!
//! Starts a sandbox whose burst limit is `--limit`, then that many copies of itself as worker
//! processes, each creating `--calls` calendars one after another. With `--redis` the workers
//! take their slots from one budget kept in that Redis server; without it each process paces
//! alone, and the 429s show what that costs. The last line sums the run up:
//! `calls 800, 429s 0, rate 19.1/s of 20/s`.
//!
//! ```text
//! cargo run --release --example fleet --features sandbox,redis -- \
//!     --processes 4 --calls 200 --limit 20/1s [--redis redis://127.0.0.1:6379]
//! ```

use highlevel_calendars::sandbox::Sandbox;
use highlevel_calendars::{Client, FleetBudget, calendar};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const USAGE: &str = "usage: fleet [--processes N] [--calls N] [--limit N/TIME] [--redis URL]";
/// The hidden flag that makes a copy of this program a worker.
const WORKER: &str = "--worker";
/// The sub-account every worker creates calendars in, so that they share its budget.
const LOCATION: &str = "fleet-location";

#[derive(Debug)]
struct Options {
    processes: usize,
    calls: usize,
    limit: (u64, Duration),
    redis: Option<String>,
    /// Set in a worker: the sandbox's base URL and the worker's name.
    worker: Option<(String, String)>,
}

fn main() -> ExitCode {
    let options = match options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = match &options.worker {
        Some((base_url, name)) => runtime.block_on(work(&options, base_url, name)),
        None => runtime.block_on(lead(&options)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        processes: 4,
        calls: 200,
        limit: (20, Duration::from_secs(1)),
        redis: None,
        worker: None,
    };
    while let Some(name) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |v: String| v.parse().map_err(|_| format!("{name} {v}: not a number"));
        match name.as_str() {
            "--processes" => options.processes = number(value()?)?,
            "--calls" => options.calls = number(value()?)?,
            "--limit" => {
                let text = value()?;
                options.limit = limit(&text).ok_or(format!("--limit {text}: not like 20/1s"))?;
            }
            "--redis" => options.redis = Some(value()?),
            WORKER => options.worker = Some((value()?, value()?)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

/// `20/1s` -> (20, 1 s); `20/500ms` -> (20, 500 ms).
fn limit(text: &str) -> Option<(u64, Duration)> {
    let (max, time) = text.split_once('/')?;
    let max = max.parse().ok().filter(|&m| m > 0)?;
    let interval = match time.strip_suffix("ms") {
        Some(ms) => Duration::from_millis(ms.parse().ok()?),
        None => Duration::from_secs(time.strip_suffix('s')?.parse().ok()?),
    };
    (!interval.is_zero()).then_some((max, interval))
}

fn unix_ms() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    now.as_millis() as u64
}

/// The lead: a sandbox, the workers, and the sum of their reports.
async fn lead(options: &Options) -> Result<(), String> {
    let (max, interval) = options.limit;
    let sandbox = Sandbox::builder()
        .rate_limit(max, interval)
        .start()
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let program = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut workers = Vec::new();
    for n in 0..options.processes {
        let mut command = Command::new(&program);
        command
            .args([WORKER, sandbox.base_url(), &format!("w{n}")])
            .args(["--calls", &options.calls.to_string()])
            .stdout(Stdio::piped());
        if let Some(redis) = &options.redis {
            command.args(["--redis", redis]);
        }
        workers.push(
            command
                .spawn()
                .map_err(|e| format!("cannot start a worker: {e}"))?,
        );
    }
    let (mut calls, mut failed, mut first, mut last) = (0, 0, u64::MAX, 0);
    for worker in workers {
        // Waiting for a child blocks: off the threads that serve the sandbox.
        let output = tokio::task::spawn_blocking(move || worker.wait_with_output())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let report = String::from_utf8_lossy(&output.stdout);
        let fields: Vec<u64> = report
            .split_whitespace()
            .filter_map(|word| word.parse().ok())
            .collect();
        let [ok, errors, started, ended] = fields[..] else {
            return Err(format!("a worker failed ({}): {report}", output.status));
        };
        print!("{report}");
        calls += ok + errors;
        failed += errors;
        first = first.min(started);
        last = last.max(ended);
    }
    let answered_429 = sandbox.requests_received() - sandbox.calendars().len();
    if failed > 0 {
        println!("{failed} calls failed");
    }
    // The calls spread over the windows they used: from the first request to one interval
    // after the last answer.
    let seconds = (last.saturating_sub(first)) as f64 / 1000.0 + interval.as_secs_f64();
    let created = sandbox.calendars().len();
    println!(
        "calls {calls}, 429s {answered_429}, rate {:.1}/s of {}/s",
        created as f64 / seconds,
        max as f64 / interval.as_secs_f64()
    );
    sandbox.shutdown().await;
    Ok(())
}

/// A worker: creates its calendars one after another and reports
/// `w0: ok 200 failed 0 first_ms … last_ms …`.
async fn work(options: &Options, base_url: &str, name: &str) -> Result<(), String> {
    let mut builder = Client::builder()
        .base_url(base_url)
        .token("pit-fleet-example");
    if let Some(redis) = &options.redis {
        let budget = FleetBudget::redis(redis).map_err(|e| e.to_string())?;
        builder = builder.fleet_budget(budget.app("fleet-example"));
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let (mut ok, mut failed) = (0, 0);
    let first = unix_ms();
    for i in 0..options.calls {
        let body = calendar::event(LOCATION, format!("{name} calendar {i}"));
        match client.create_calendar(body).send().await {
            Ok(_) => ok += 1,
            Err(error) => {
                failed += 1;
                eprintln!("{name}: {error}");
            }
        }
    }
    println!(
        "{name}: ok {ok} failed {failed} first_ms {first} last_ms {}",
        unix_ms()
    );
    Ok(())
}
