//! `highlevel-sandbox`: the crate's sandbox as a server of its own, for tests in other
//! languages and end-to-end tests. It prints its base URL as the first line of standard
//! output, logs one line per request to standard error (method, path, status, traceId; never
//! a token or a body) and stops on SIGTERM or Ctrl-C.
//!
//! ```text
//! cargo run --features sandbox --bin highlevel-sandbox -- --listen 127.0.0.1:8080
//! ```

use highlevel_calendars::sandbox::{Fault, Sandbox};
use highlevel_calendars::validation::Rule;
use highlevel_calendars::{Validation, rules};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "highlevel-sandbox: a stand-in for HighLevel's Calendars API on this machine

Usage: highlevel-sandbox [options]

Options:
  --listen ADDR:PORT    where to listen (default 127.0.0.1:0, a free loopback port)
  --token TOKEN         accept only this bearer token (repeat for several; default: any)
  --rate-limit N/TIME   burst limit per sub-account, e.g. 100/10s or 20/500ms (default 100/10s)
  --daily-limit N       daily limit per sub-account (default 200000)
  --fault FAULT         queue a fault for the next request (repeat for more): a status
                        (503), drop, malformed, truncated or delay:MILLISECONDS
  --validation LEVEL    the rules requests are held to: stated (default: the document's
                        and those HighLevel states in words), document (what the
                        document says in JSON Schema terms: no words-only rules, no
                        x-allowed-values, blank text is text; for API testers such as
                        Schemathesis), strict, or off
  --state FILE          keep calendars in FILE between runs: read at start, written
                        after every change (default: in memory only)
  -h, --help            print this help

The first line of standard output is the base URL; each request is logged to standard error.
SIGTERM or Ctrl-C stops the server.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let builder = match options(&args) {
        Ok(builder) => builder,
        Err(message) => {
            eprintln!("error: {message}\n\n{HELP}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let sandbox = match builder
            .log_requests(true)
            .record_requests(false)
            .start()
            .await
        {
            Ok(sandbox) => sandbox,
            Err(e) => {
                eprintln!("error: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", sandbox.base_url());
        stopped().await;
        sandbox.shutdown().await;
        eprintln!("stopped");
        ExitCode::SUCCESS
    })
}

/// The builder the options describe.
fn options(args: &[String]) -> Result<highlevel_calendars::sandbox::SandboxBuilder, String> {
    let mut builder = Sandbox::builder();
    let mut args = args.iter();
    while let Some(name) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{name} needs a value"));
        builder = match name.as_str() {
            "--listen" => {
                let value = value()?;
                let addr: SocketAddr = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e}"))?;
                builder.addr(addr)
            }
            "--token" => builder.token(value()?.as_str()),
            "--rate-limit" => {
                let value = value()?;
                let (max, interval) = rate(value).ok_or_else(|| {
                    format!("--rate-limit {value}: expected N/TIME such as 100/10s")
                })?;
                builder.rate_limit(max, interval)
            }
            "--daily-limit" => {
                let value = value()?;
                builder.daily_limit(
                    value
                        .parse()
                        .map_err(|e| format!("--daily-limit {value}: {e}"))?,
                )
            }
            "--fault" => {
                let value = value()?;
                builder
                    .fault(fault(value).ok_or_else(|| format!("--fault {value}: unknown fault"))?)
            }
            "--state" => builder.state_file(value()?.as_str()),
            "--validation" => {
                let value = value()?;
                builder.validation(validation(value).ok_or_else(|| {
                    format!("--validation {value}: expected stated, document, strict or off")
                })?)
            }
            other => return Err(format!("unknown option `{other}`")),
        };
    }
    Ok(builder)
}

/// `100/10s` -> (100, 10 s); `20/500ms` -> (20, 500 ms).
fn rate(text: &str) -> Option<(u64, Duration)> {
    let (max, time) = text.split_once('/')?;
    let max = max.parse().ok().filter(|&m| m > 0)?;
    let interval = if let Some(ms) = time.strip_suffix("ms") {
        Duration::from_millis(ms.parse().ok()?)
    } else {
        Duration::from_secs(time.strip_suffix('s')?.parse().ok()?)
    };
    (!interval.is_zero()).then_some((max, interval))
}

fn fault(text: &str) -> Option<Fault> {
    Some(match text {
        "drop" => Fault::DropConnection,
        "malformed" => Fault::MalformedBody,
        "truncated" => Fault::TruncatedBody,
        _ => match text.strip_prefix("delay:") {
            Some(ms) => Fault::Delay(Duration::from_millis(ms.parse().ok()?)),
            None => Fault::Status(text.parse().ok().filter(|s| (100..600).contains(s))?),
        },
    })
}

/// `document` keeps what the document says in JSON Schema terms: the decoding (types, required
/// fields) and the document's ranges, lengths and string enums. It leaves out what an API
/// tester driven by the document cannot know: "required" read as "not blank", the allowed
/// numbers kept in the `x-allowed-values` extension (typify cannot take number enums), and the
/// rules HighLevel states only in words.
fn validation(text: &str) -> Option<Validation> {
    Some(match text {
        "stated" => Validation::stated(),
        "strict" => Validation::strict(),
        "off" => Validation::off(),
        "document" => rules::ALL
            .iter()
            .fold(Validation::stated(), |v, rule| v.skip(*rule))
            .skip(Rule::REQUIRED)
            .skip(Rule::ALLOWED_NUMBER),
        _ => return None,
    })
}

/// Returns on SIGTERM or Ctrl-C (SIGINT).
async fn stopped() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(terminate) => terminate,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
