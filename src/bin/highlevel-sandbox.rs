//! `highlevel-sandbox`: the crate's sandbox as a server of its own, for tests in other
//! languages and end-to-end tests. It prints its base URL as the first line of standard
//! output, logs one line per request to standard error (method, path, status, traceId; never
//! a token or a body) and stops on SIGTERM or Ctrl-C.
//!
//! ```text
//! cargo run --features sandbox --bin highlevel-sandbox -- --listen 127.0.0.1:8080
//! ```
//!
//! Its arguments are read by hand, below, rather than with clap (which the xtask uses): a
//! binary shares its package's dependencies, so clap would be compiled by every user of the
//! `sandbox` feature, most of whom only start the sandbox in their own tests and never run this
//! program. The arguments are flat `--name value` pairs read in one loop (`options`), every
//! refusal naming the flag and its value, and `tests/sandbox_binary.rs` runs the program.

use highlevel_calendars::sandbox::{Fault, OAuthSettings, Sandbox, SubAccount};
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
                        (503), drop, malformed, truncated, delay:MILLISECONDS, or for
                        the request's webhook webhook-twice or webhook-late:MILLISECONDS
  --validation LEVEL    the rules requests are held to: stated (default: the document's
                        and those HighLevel states in words), document (what the
                        document says in JSON Schema terms: no words-only rules, no
                        x-allowed-values, blank text is text; for API testers such as
                        Schemathesis), strict, or off
  --state FILE          keep every resource between runs in FILE (a snapshot) and
                        FILE.journal (one line per change, appended before it is
                        answered, so a killed process loses nothing); the journal is
                        folded into FILE at start, when it grows large and on SIGTERM
                        (default: in memory only)
  --max-resources N     keep at most N resources; past it a create is answered 507
                        (default 100000)
  --list-stateless      print the operations answered from the document's examples
                        (their paths are no collection the sandbox keeps) and exit
  --oauth ID:SECRET     speak HighLevel's OAuth for the app with this client id and
                        secret: consent at GET /oauth/chooselocation (add locationId=ID
                        to install in one sub-account, else the agency installs in all),
                        POST /oauth/token, POST /oauth/locationToken and
                        GET /oauth/installedLocations; API calls then take only tokens
                        issued here (and --token ones), each for its own sub-account
                        and scopes. GET /_sandbox/oauth/stats counts code exchanges,
                        refreshes and reused refresh tokens; POST /_sandbox/oauth/revoke
                        with {\"token\": T}, {\"expire\": T} or {\"locationId\": L} ends them
  --token-ttl TIME      with --oauth: access-token lifetime, e.g. 2s, 500ms, 5m, 1h
                        (default 86399s, HighLevel's)
  --company ID          with --oauth: the agency's companyId (default sandbox-company)
  --location ID[=NAME]  with --oauth: a sub-account of the agency (repeat for more; default
                        loc, loc_1, loc_2 and loc_3)
  --webhook-url URL     send signed webhooks to URL (http://): AppointmentCreate,
                        AppointmentUpdate and AppointmentDelete for each appointment
                        booked, edited or deleted, and with --oauth INSTALL and
                        UNINSTALL. GET /_sandbox/webhooks/keys gives the public keys
                        to trust: {\"ed25519\": PEM, \"rsa\": PEM}
  --document FILE       serve another normalized document (one a crate made by
                        `cargo xtask new-client` has under openapi/): every operation
                        answered from the document, bodies checked against its schemas,
                        its resources kept as the Calendars' are (default: this crate's
                        Calendars document)
  -h, --help            print this help

GET /openapi.json (no token needed) serves the document the sandbox enforces: the normalized
document, 404/409 where it keeps resources, minLength 1 on required text it refuses blank,
and the rules stated only in words under x-highlevel-enforced-rules.

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
    if args.iter().any(|a| a == "--list-stateless") {
        for operation in builder.api().example_driven_operations() {
            println!("{operation}");
        }
        return ExitCode::SUCCESS;
    }
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
    let calendars = Sandbox::builder();
    let mut document: Option<String> = None;
    let mut oauth: Option<OAuthSettings> = None;
    let mut token_ttl: Option<Duration> = None;
    let mut company: Option<String> = None;
    let mut locations: Vec<SubAccount> = Vec::new();
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
                let path = value()?.clone();
                settings.push(Box::new(move |b| b.state_file(path)));
            }
            "--max-resources" => {
                let value = value()?;
                let max: usize = value
                    .parse()
                    .map_err(|e| format!("--max-resources {value}: {e}"))?;
                settings.push(Box::new(move |b| b.max_resources(max)));
            }
            "--list-stateless" => {}
            "--validation" => {
                let value = value()?;
                let validation = validation(value).ok_or_else(|| {
                    format!("--validation {value}: expected stated, document, strict or off")
                })?;
                settings.push(Box::new(move |b| b.validation(validation)));
            }
            "--oauth" => {
                let value = value()?;
                let (id, secret) = value
                    .split_once(':')
                    .filter(|(id, secret)| !id.is_empty() && !secret.is_empty())
                    // Never echo the value: it holds the secret.
                    .ok_or("--oauth: expected CLIENT_ID:SECRET")?;
                oauth = Some(OAuthSettings::new(id, secret));
            }
            "--token-ttl" => {
                let value = value()?;
                let ttl = duration(value)
                    .filter(|ttl| !ttl.is_zero())
                    .ok_or_else(|| {
                        format!("--token-ttl {value}: expected a time such as 2s, 500ms or 1h")
                    })?;
                token_ttl = Some(ttl);
            }
            "--company" => company = Some(value()?.clone()),
            "--location" => {
                let value = value()?;
                locations.push(match value.split_once('=') {
                    Some((id, name)) => SubAccount::new(id).name(name),
                    None => SubAccount::new(value.as_str()),
                });
            }
            "--document" => document = Some(value()?.clone()),
            "--webhook-url" => {
                let url = value()?.clone();
                settings.push(Box::new(move |b| b.webhook_url(url)));
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let with_oauth_only = token_ttl.is_some() || company.is_some() || !locations.is_empty();
    match oauth {
        None if with_oauth_only => {
            return Err("--token-ttl, --company and --location go with --oauth".into());
        }
        None => {}
        Some(mut app) => {
            if let Some(ttl) = token_ttl {
                app = app.token_ttl(ttl);
            }
            if let Some(company) = company {
                app = app.company_id(company);
            }
            if !locations.is_empty() {
                app = app.locations(locations);
            }
            settings.push(Box::new(move |b| b.oauth(app)));
        }
    }
    let builder = match document {
        None => calendars
            .into_generic()
            .map_err(|e| format!("the Calendars sandbox: {e}"))?,
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
    let interval = duration(time)?;
    (!interval.is_zero()).then_some((max, interval))
}

/// `500ms`, `2s`, `5m` or `1h`.
fn duration(text: &str) -> Option<Duration> {
    let number = |digits: &str| digits.parse::<u64>().ok();
    if let Some(ms) = text.strip_suffix("ms") {
        return Some(Duration::from_millis(number(ms)?));
    }
    let (digits, seconds) = [('s', 1), ('m', 60), ('h', 3600)]
        .iter()
        .find_map(|&(unit, seconds)| Some((text.strip_suffix(unit)?, seconds)))?;
    Some(Duration::from_secs(number(digits)?.checked_mul(seconds)?))
}

fn fault(text: &str) -> Option<Fault> {
    Some(match text {
        "drop" => Fault::DropConnection,
        "malformed" => Fault::MalformedBody,
        "truncated" => Fault::TruncatedBody,
        "webhook-twice" => Fault::WebhookTwice,
        _ => {
            let millis = |prefix: &str| -> Option<Option<Duration>> {
                let ms = text.strip_prefix(prefix)?;
                Some(ms.parse().ok().map(Duration::from_millis))
            };
            if let Some(delay) = millis("delay:") {
                Fault::Delay(delay?)
            } else if let Some(delay) = millis("webhook-late:") {
                Fault::WebhookLate(delay?)
            } else {
                Fault::Status(text.parse().ok().filter(|s| (100..600).contains(s))?)
            }
        }
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
