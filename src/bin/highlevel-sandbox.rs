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
use highlevel_sandbox::Api;
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
  --document FILE       serve another normalized document (one a crate made by
                        `cargo xtask new-client` has under openapi/): every operation
                        answered from the document, bodies checked against its schemas,
                        nothing kept (default: this crate's Calendars document, with
                        calendars kept)
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

/// The builder the options describe: the Calendars sandbox, or `--document`'s.
fn options(args: &[String]) -> Result<highlevel_sandbox::SandboxBuilder, String> {
    let mut calendars = Sandbox::builder();
    let mut document: Option<String> = None;
    let mut state = false;
    // Options for any document, applied once the document is known.
    let mut settings: Vec<Setting> = Vec::new();
    let mut args = args.iter();
    while let Some(name) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{name} needs a value"));
        match name.as_str() {
            "--listen" => {
                let value = value()?;
                let addr: SocketAddr = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e}"))?;
                settings.push(Box::new(move |b| b.addr(addr)));
            }
            "--token" => {
                let token = value()?.clone();
                settings.push(Box::new(move |b| b.token(token)));
            }
            "--rate-limit" => {
                let value = value()?;
                let (max, interval) = rate(value).ok_or_else(|| {
                    format!("--rate-limit {value}: expected N/TIME such as 100/10s")
                })?;
                settings.push(Box::new(move |b| b.rate_limit(max, interval)));
            }
            "--daily-limit" => {
                let value = value()?;
                let max: u64 = value
                    .parse()
                    .map_err(|e| format!("--daily-limit {value}: {e}"))?;
                settings.push(Box::new(move |b| b.daily_limit(max)));
            }
            "--fault" => {
                let value = value()?;
                let fault =
                    fault(value).ok_or_else(|| format!("--fault {value}: unknown fault"))?;
                settings.push(Box::new(move |b| b.fault(fault)));
            }
            "--state" => {
                calendars = calendars.state_file(value()?.as_str());
                state = true;
            }
            "--validation" => {
                let value = value()?;
                let validation = validation(value).ok_or_else(|| {
                    format!("--validation {value}: expected stated, document, strict or off")
                })?;
                settings.push(Box::new(move |b| b.validation(validation)));
            }
            "--document" => document = Some(value()?.clone()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let builder = match document {
        None => calendars
            .into_generic()
            .map_err(|e| format!("--state: {e}"))?,
        Some(_) if state => {
            return Err("--state keeps calendars; it cannot go with --document".into());
        }
        Some(path) => {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("--document {path}: {e}"))?;
            // Served for the life of the process.
            let text: &'static str = Box::leak(text.into_boxed_str());
            let api = Api::from_document(text).map_err(|e| format!("--document {path}: {e}"))?;
            highlevel_sandbox::Sandbox::builder(api)
        }
    };
    Ok(settings.into_iter().fold(builder, |b, setting| setting(b)))
}

/// One option that applies to any document's sandbox.
type Setting =
    Box<dyn FnOnce(highlevel_sandbox::SandboxBuilder) -> highlevel_sandbox::SandboxBuilder>;

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
