//! `cargo xtask sandbox-load`: the `highlevel-sandbox` program (release build, `--state` kept,
//! limits lifted) beside Prism serving the same document, driven alike: get-calendar and
//! create-calendar at 64 in flight, then the sandbox filled to 100,000 calendars for its memory
//! and state files. A benchmark to run by hand (it takes minutes), not a test.

pub mod driver;
pub mod prism;
pub mod process;
pub mod report;

use crate::perf::measure::{self, Outcome};
use crate::workspace::Workspace;
use driver::{MakeRequest, Run, drive};
use process::Server;
use report::{Filled, Measured};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The token the sandbox is started with and both servers are sent.
const TOKEN: &str = "load-token";
/// The calendars operations' `Version` header.
const VERSION: &str = "2021-04-15";
/// The body of each create: the one the README's main job sends, with its own slug and name.
const BODY: &str = "tests/fixtures/create-calendar-request.json";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Measured calls per operation against the sandbox.
    pub calls: usize,
    /// Measured calls per operation against Prism (slower: fewer give a run of similar length).
    pub prism_calls: usize,
    /// Calls per operation and server before measuring, not counted.
    pub warm_up: usize,
    pub in_flight: usize,
    /// How many calendars the sandbox holds when its memory is read.
    pub fill: usize,
    /// Compare with Prism (off: the sandbox alone, for a quick run).
    pub prism: bool,
}

/// The two operations, each made fresh per call.
struct Operations {
    get: MakeRequest,
    create: MakeRequest,
}

impl Operations {
    /// get-calendar of `id` and create-calendar with a new slug per call (`phase` keeps the
    /// slugs of one run of creates apart from another's).
    fn new(base: &str, id: &str, body: &str, phase: &str) -> Operations {
        let get_url = format!("{base}/calendars/{id}");
        let create_url = format!("{base}/calendars/");
        let body = body.to_string();
        let phase = phase.to_string();
        Operations {
            get: Arc::new(move |client, _| {
                client
                    .get(&get_url)
                    .bearer_auth(TOKEN)
                    .header("Version", VERSION)
            }),
            create: Arc::new(move |client, n| {
                client
                    .post(&create_url)
                    .bearer_auth(TOKEN)
                    .header("Version", VERSION)
                    .header("Content-Type", "application/json")
                    .body(body.replace(MARK, &format!("{phase}-{n}")))
            }),
        }
    }
}

/// Where each create's own text goes in the body.
const MARK: &str = "@@N@@";

/// The create body with [`MARK`] in its slug, widget slug and name.
fn body_template(ws: &Workspace) -> Result<String, String> {
    let path = ws.root.join(BODY);
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut body: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    body["slug"] = format!("load-{MARK}").into();
    body["widgetSlug"] = format!("load-{MARK}").into();
    body["name"] = format!("load {MARK}").into();
    serde_json::to_string(&body).map_err(|e| e.to_string())
}

/// Runs this command again from an optimized build of the xtask, when this one is not: a
/// debug build of the HTTP driver (reqwest, hyper, tokio) costs more CPU per call than the
/// sandbox does, and would take it from the server on a small machine. `Ok(None)` when this
/// build is optimized already.
pub fn rerun_optimized(ws: &Workspace) -> Result<Option<std::process::ExitStatus>, String> {
    if !cfg!(debug_assertions) {
        return Ok(None);
    }
    let mut rerun = measure::cargo(&ws.root);
    rerun
        .args(["run", "--release", "--quiet", "--package", "xtask", "--"])
        .args(std::env::args_os().skip(1));
    eprintln!(
        "sandbox-load: {} (an optimized driver)",
        measure::describe(&rerun)
    );
    rerun
        .status()
        .map(Some)
        .map_err(|e| format!("cannot start {}: {e}", measure::describe(&rerun)))
}

/// Runs the comparison and returns the tables.
pub fn run(ws: &Workspace, options: &Options) -> Result<Outcome, String> {
    let program = build(ws)?;
    let prism = match options.prism {
        true => Some(prism::ensure(ws)?),
        false => None,
    };
    let body = body_template(ws)?;
    let dir = std::env::temp_dir().join(format!("sandbox-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = compare(&program, prism.as_deref(), &dir, &body, options);
    let _ = std::fs::remove_dir_all(&dir);
    let (measured, filled) = result?;

    let mut text = String::new();
    text.push_str(&report::runs(&measured));
    if options.prism {
        text.push('\n');
        text.push_str(&report::ratios(&measured, SANDBOX, PRISM));
    }
    text.push('\n');
    text.push_str(&report::filled(&filled));
    let problems: Vec<String> = measured
        .iter()
        .filter_map(|m| {
            Some(format!(
                "{} {}: {}",
                m.server,
                m.operation,
                m.run.first_problem.as_ref()?
            ))
        })
        .collect();
    if !problems.is_empty() {
        text.push_str(&format!("\nFirst problem seen:\n{}\n", problems.join("\n")));
    }
    text.push_str(&format!(
        "\n{} calls per operation against the sandbox, {} against Prism {}, {} in flight, \
         after {} warm-up calls each; {} cores, load average {}.\n",
        options.calls,
        options.prism_calls,
        prism::VERSION,
        options.in_flight,
        options.warm_up,
        measure::cores(),
        measure::load_average().unwrap_or_else(|| "unknown".into()),
    ));
    Ok(Outcome {
        text,
        goal_missed: false,
        error: None,
    })
}

const SANDBOX: &str = "highlevel-sandbox";
const PRISM: &str = "Prism";

/// The release build of the program; its executable.
fn build(ws: &Workspace) -> Result<PathBuf, String> {
    let mut build = measure::cargo(&ws.root);
    build.args([
        "build",
        "--release",
        "--features",
        "sandbox",
        "--bin",
        "highlevel-sandbox",
        "--message-format=json",
    ]);
    eprintln!("sandbox-load: {}", measure::describe(&build));
    let (_, output) = measure::run_timed(&mut build)?;
    measure::succeeded(&output, "building highlevel-sandbox")?;
    measure::executable_of(
        &String::from_utf8_lossy(&output.stdout),
        "highlevel-sandbox",
    )
    .ok_or_else(|| "cargo did not name the highlevel-sandbox executable".into())
}

/// The program's arguments: `--state` in `dir`, limits lifted, room for every create.
fn sandbox_args(state: &Path, options: &Options) -> Vec<String> {
    let room = options.fill.max(options.calls + options.warm_up) * 2;
    [
        "--state",
        &state.to_string_lossy(),
        "--token",
        TOKEN,
        "--rate-limit",
        "1000000/1s",
        "--daily-limit",
        "1000000000",
        "--max-resources",
        &room.to_string(),
    ]
    .map(String::from)
    .to_vec()
}

fn compare(
    program: &PathBuf,
    prism: Option<&Path>,
    dir: &Path,
    body: &str,
    options: &Options,
) -> Result<(Vec<Measured>, Filled), String> {
    // One thread drives: the sandbox answers on one, and the machine may have only two.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.in_flight)
        .build()
        .map_err(|e| e.to_string())?;
    let state = dir.join("state.json");
    let args = sandbox_args(&state, options);
    let (mut sandbox, url) = process::start_sandbox(program, &args)?;
    eprintln!("sandbox-load: {SANDBOX} at {url} (pid {})", sandbox.pid());
    let mut measured = Vec::new();
    let (runs, created) =
        runtime.block_on(measure_server(&client, &url, body, options, options.calls))?;
    measured.extend(runs.into_iter().map(|(operation, run)| Measured {
        server: SANDBOX,
        operation,
        run,
    }));

    if let Some(prism) = prism {
        // Prism serves what the sandbox serves at /openapi.json: the same document.
        let document = dir.join("openapi.json");
        let served = runtime.block_on(async {
            let response = client.get(format!("{url}/openapi.json")).send().await?;
            response.error_for_status()?.bytes().await
        });
        let served = served.map_err(|e| format!("GET /openapi.json: {e}"))?;
        std::fs::write(&document, &served).map_err(|e| e.to_string())?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, process::free_port()?));
        let command = prism::mock(prism, &document, addr);
        let mut server = process::start_listening(PRISM, command, addr, Duration::from_secs(120))?;
        let base = format!("http://{addr}");
        eprintln!(
            "sandbox-load: {PRISM} {} at {base} (pid {})",
            prism::VERSION,
            server.pid()
        );
        let (runs, _) = runtime.block_on(measure_server(
            &client,
            &base,
            body,
            options,
            options.prism_calls,
        ))?;
        measured.extend(runs.into_iter().map(|(operation, run)| Measured {
            server: PRISM,
            operation,
            run,
        }));
        server.stop()?;
    }

    let driving = Driving {
        runtime: &runtime,
        client: &client,
        body,
        options,
    };
    let mut filled = fill(&driving, &mut sandbox, &url, &state, created)?;
    // Everything kept: how long a start takes to read it back (SIGTERM folded the journal).
    let started = Instant::now();
    let (mut again, _) = process::start_sandbox(program, &args)?;
    filled.restart = Some(started.elapsed());
    again.stop()?;
    Ok((measured, filled))
}

/// What every run of calls shares.
#[derive(Clone, Copy)]
struct Driving<'a> {
    runtime: &'a tokio::runtime::Runtime,
    client: &'a reqwest::Client,
    body: &'a str,
    options: &'a Options,
}

/// Warm-up and measured runs of get-calendar then create-calendar against `base`; the runs and
/// how many calendars were created.
async fn measure_server(
    client: &reqwest::Client,
    base: &str,
    body: &str,
    options: &Options,
    calls: usize,
) -> Result<(Vec<(&'static str, Run)>, usize), String> {
    let seed = Operations::new(base, "-", body, "seed");
    let response = (seed.create)(client, 0)
        .send()
        .await
        .map_err(|e| format!("{base}: the first create: {e}"))?;
    let status = response.status();
    let created = response.bytes().await.map_err(|e| e.to_string())?;
    let created: serde_json::Value = serde_json::from_slice(&created).unwrap_or_default();
    let id = created["calendar"]["id"]
        .as_str()
        .filter(|_| status.is_success())
        .ok_or_else(|| format!("{base}: the first create answered {status}: {created}"))?;
    let warm = Operations::new(base, id, body, "warm");
    let measured = Operations::new(base, id, body, "load");
    let mut runs = Vec::new();
    for (operation, warm, measured) in [
        ("get-calendar", &warm.get, &measured.get),
        ("create-calendar", &warm.create, &measured.create),
    ] {
        drive(client, warm, options.warm_up, options.in_flight).await;
        eprintln!("sandbox-load: {base} {operation}: {calls} calls");
        runs.push((
            operation,
            drive(client, measured, calls, options.in_flight).await,
        ));
    }
    Ok((runs, 1 + options.warm_up + calls))
}

/// Creates calendars until the sandbox keeps `options.fill`, then reads its memory and state
/// files and stops it (folding the journal in).
fn fill(
    driving: &Driving<'_>,
    sandbox: &mut Server,
    base: &str,
    state: &Path,
    created: usize,
) -> Result<Filled, String> {
    let Driving {
        runtime,
        client,
        body,
        options,
    } = *driving;
    let creates = options.fill.saturating_sub(created);
    eprintln!("sandbox-load: filling the sandbox with {creates} more calendars");
    let operations = Operations::new(base, "-", body, "fill");
    let run = runtime.block_on(drive(
        client,
        &operations.create,
        creates,
        options.in_flight,
    ));
    if run.non_2xx + run.failed > 0 {
        return Err(format!(
            "filling the sandbox: {} non-2xx, {} unanswered; first: {}",
            run.non_2xx,
            run.failed,
            run.first_problem.unwrap_or_default()
        ));
    }
    let pid = sandbox.pid();
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
    let mut journal = state.as_os_str().to_owned();
    journal.push(".journal");
    let mut filled = Filled {
        calendars: created + creates,
        creates,
        elapsed: run.elapsed,
        rss_kib: process::status_kib(pid, "VmRSS:").unwrap_or(0),
        peak_rss_kib: process::status_kib(pid, "VmHWM:").unwrap_or(0),
        journal_bytes: size(Path::new(&journal)),
        ..Filled::default()
    };
    filled.stop = Some(sandbox.stop()?);
    filled.snapshot_bytes = size(state);
    Ok(filled)
}
