//! `cargo xtask …`: the project's maintenance commands. `cargo xtask --help` lists them, and
//! every command answers `--help`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::new_client;
use xtask::perf::measure::Outcome;
use xtask::perf::table::Format;
use xtask::perf::{bench, build_cost, instructions, memory, sandbox_load};
use xtask::release::{msrv, public_api};
use xtask::spec::diff::Severity;
use xtask::spec::source::Source;
use xtask::spec::{self, spec_diff, update};
use xtask::testing;
use xtask::webhooks;
use xtask::workspace::Workspace;

/// Exit status when `--fail-on` finds a change of the given severity, or when a measuring
/// command run with `--strict` misses a goal.
const THRESHOLD_REACHED: u8 = 2;

/// Maintenance of the highlevel-calendars workspace: the pipeline from HighLevel's OpenAPI
/// document to the generated client, its measurements and its release checks.
///
/// Exit status: 0 success, 1 error, 2 `--fail-on` threshold reached or, with --strict, a
/// performance goal missed.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every test of the workspace, with the programs some of them drive (redis-server,
    /// Schemathesis) installed first when missing: the README's test command.
    Test {
        /// Arguments for `cargo test`, after `--` (e.g. `-- pacing`).
        #[arg(last = true)]
        passthrough: Vec<String>,
    },
    /// `new-client` for every document of a folder (its `apps/` when it has one), each crate
    /// built and tested, with a table of how far each document got.
    EveryDocument {
        /// The folder of HighLevel documents.
        folder: PathBuf,
        /// Where the crates go (one folder each, and a shared target folder).
        #[arg(long, default_value = "target/every-document")]
        out: PathBuf,
    },
    /// The OpenAPI pipeline: normalize, check, update from upstream, diff two documents.
    Spec {
        /// The folder holding `openapi/pipeline.toml` (a crate made by `new-client`); by
        /// default this workspace.
        #[arg(long, global = true, value_name = "DIR")]
        root: Option<PathBuf>,
        #[command(subcommand)]
        command: SpecCommand,
    },
    /// Write a client crate for another HighLevel API document into a new folder: the
    /// upstream snapshot, pipeline.toml, the normalized document, a build.rs of one call,
    /// re-exports, and a test calling every operation against the schema-driven sandbox.
    NewClient {
        /// The new crate's folder (missing or empty).
        dir: PathBuf,
        /// The HighLevel document: a path or an http(s) URL.
        #[arg(long, value_name = "PATH|URL")]
        from: String,
        /// Keep only these operationIds (comma-separated); by default every operation.
        #[arg(long, value_delimiter = ',', value_name = "ID,...")]
        operations: Option<Vec<String>>,
        /// The package name; by default `highlevel-<document name>`.
        #[arg(long)]
        name: Option<String>,
        /// Name only the published versions of highlevel-runtime, -codegen and -sandbox; by
        /// default a `[patch.crates-io]` section takes them from this checkout (by absolute
        /// path, so the crate builds wherever its folder is moved on this machine).
        #[arg(long, conflicts_with = "local")]
        published: bool,
        /// Take highlevel-runtime, -codegen and -sandbox from this checkout of
        /// highlevel-calendars rather than this one.
        #[arg(long, value_name = "CHECKOUT")]
        local: Option<PathBuf>,
    },
    /// Run the criterion benchmarks (`benches/codec.rs`, `benches/round_trip.rs`) and print
    /// each SDK figure beside its baseline from the same run, with the ratio and goal.
    Bench {
        #[command(flatten)]
        format: FormatArg,
        /// Tabulate the results already in target/criterion; run nothing.
        #[arg(long)]
        report_only: bool,
        /// Exit with status 2 when a goal is missed.
        #[arg(long)]
        strict: bool,
        /// Arguments for the benchmarks, after `--` (e.g. `-- --measurement-time 3`).
        #[arg(last = true)]
        passthrough: Vec<String>,
    },
    /// In target/build-cost (emptied first): a clean debug build beside a hand-written
    /// client's, build.rs on its own, a rebuild after touching src/lib.rs, the dependency
    /// count, feature variants and the main job's peak memory.
    BuildCost {
        #[command(flatten)]
        format: FormatArg,
        /// Exit with status 2 when a goal is missed.
        #[arg(long)]
        strict: bool,
        /// Skip the clean builds with other features (native-tls, sandbox).
        #[arg(long)]
        no_variants: bool,
        /// Skip the main job's peak memory.
        #[arg(long)]
        no_memory: bool,
    },
    /// Count with callgrind the instructions of one Create Calendar round trip (client and
    /// loopback server) for the SDK, the SDK without validation and a hand-written client;
    /// unlike times, the counts do not depend on the machine's load.
    Instructions {
        #[command(flatten)]
        format: FormatArg,
    },
    /// Build the create_calendar example in release and report its peak memory under
    /// /usr/bin/time -v, without HIGHLEVEL_TOKEN (so it uses the sandbox).
    MainJobMemory {
        #[command(flatten)]
        format: FormatArg,
        /// Exit with status 2 when the goal is missed.
        #[arg(long)]
        strict: bool,
    },
    /// The highlevel-sandbox program (release, --state kept, limits lifted) beside Prism
    /// serving the same document: requests/s, p50 and p99 of get-calendar and create-calendar,
    /// then the sandbox's RSS and state files with 100,000 calendars kept. Takes minutes.
    SandboxLoad {
        /// Measured calls per operation against the sandbox.
        #[arg(long, default_value_t = 50_000)]
        calls: usize,
        /// Measured calls per operation against Prism.
        #[arg(long, default_value_t = 5_000)]
        prism_calls: usize,
        /// Calls per operation and server before measuring.
        #[arg(long, default_value_t = 1_000)]
        warm_up: usize,
        /// Requests in flight at once, on one keep-alive client.
        #[arg(long, default_value_t = 64)]
        in_flight: usize,
        /// Calendars the sandbox keeps when its memory is read.
        #[arg(long, default_value_t = 100_000)]
        fill: usize,
        /// The sandbox alone (no Prism to install or run).
        #[arg(long)]
        no_prism: bool,
    },
    /// List the crate's public Rust API (rustdoc JSON, nightly toolchain) into
    /// xtask/public-api.txt and say which semver bump the change needs.
    PublicApi {
        /// Fail with a diff instead of writing.
        #[arg(long)]
        check: bool,
    },
    /// Generate highlevel-webhooks' typed events (src/events/generated.rs) from HighLevel's
    /// event pages in crates/highlevel-webhooks/events/.
    Webhooks {
        /// Fail with a diff when the checked-in file is stale, instead of writing it.
        #[arg(long)]
        check: bool,
    },
    /// Check that no dependency needs a newer Rust than the declared rust-version, then
    /// install that toolchain with rustup and build the library with it (in target/msrv).
    Msrv {
        /// Stop after the dependency check.
        #[arg(long)]
        no_build: bool,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Rewrite openapi/calendars.json and openapi/generated.rs.snap from the upstream
    /// snapshot.
    Normalize,
    /// Exit non-zero with a diff when a checked-in artifact is stale: the upstream snapshot
    /// (against PROVENANCE.toml), openapi/overlay.toml (against the normalizer's steps),
    /// openapi/calendars.json or openapi/generated.rs.snap; and when the client generated
    /// from the normalized document does not compile (cargo check).
    Check,
    /// Take a new upstream document (its relative $refs are read next to it), print what
    /// changes for SDK users, and replace the snapshot, its provenance, the normalized
    /// document and the generated-code snapshot.
    Update {
        /// The new document: a path or an http(s) URL.
        #[arg(long, value_name = "PATH|URL")]
        from: String,
        /// Print the report and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The change report between two documents (paths or URLs, raw upstream or normalized):
    /// the operations in openapi/pipeline.toml and every operation of the old one.
    Diff {
        /// The old document.
        old: String,
        /// The new document.
        new: String,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "text")]
        format: DiffFormat,
        /// Exit with status 2 when a change of this severity or worse exists.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Breaking,
    Attention,
}

/// The `--format` of a measuring command.
#[derive(clap::Args)]
struct FormatArg {
    /// How to print the table: text, or markdown (as in the README).
    #[arg(long = "format", default_value = "text", value_parser = Format::parse)]
    value: Format,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS // --help and --version
            };
            let _ = e.print();
            return code;
        }
    };
    let ws = Workspace::current();
    let result = match cli.command {
        Command::Test { passthrough } => testing::run(&ws, &passthrough),
        Command::NewClient {
            dir,
            from,
            operations,
            name,
            published,
            local,
        } => {
            let checkout = match (published, local) {
                (true, _) => None,
                (false, local) => Some(local.unwrap_or_else(|| ws.root.clone())),
            };
            let request = new_client::Request {
                dir,
                from: Source::parse(&from),
                operations,
                name,
                checkout,
            };
            new_client::run(&ws, &request).map(|made| print(made.report))
        }
        Command::EveryDocument { folder, out } => {
            new_client::every_document::every_document(&ws, &folder, &out).map(|rows| {
                let passed = rows.iter().filter(|r| r.passed()).count();
                println!("{}", new_client::every_document::HEADER);
                for row in &rows {
                    println!("{}", new_client::every_document::markdown_row(row));
                }
                println!(
                    "\n{passed} of {} documents generated, built and tested",
                    rows.len()
                );
                if passed == rows.len() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            })
        }
        Command::Spec { root, command } => {
            let ws = root.map_or(ws.clone(), Workspace::at);
            spec_command(&ws, command)
        }
        Command::Bench {
            format,
            report_only,
            strict,
            passthrough,
        } => {
            if report_only && !passthrough.is_empty() {
                Err("--report-only runs nothing: benchmark arguments are not used".into())
            } else {
                let options = bench::Options {
                    format: format.value,
                    report_only,
                    passthrough,
                };
                bench::run(&ws, &options).and_then(|o| finish(o, strict))
            }
        }
        Command::BuildCost {
            format,
            strict,
            no_variants,
            no_memory,
        } => {
            let options = build_cost::Options {
                format: format.value,
                variants: !no_variants,
                memory: !no_memory,
            };
            build_cost::run(&ws, options).and_then(|o| finish(o, strict))
        }
        Command::Instructions { format } => {
            instructions::run(&ws, format.value).and_then(|o| finish(o, false))
        }
        Command::MainJobMemory { format, strict } => {
            memory::run(&ws, format.value).and_then(|o| finish(o, strict))
        }
        Command::SandboxLoad {
            calls,
            prism_calls,
            warm_up,
            in_flight,
            fill,
            no_prism,
        } => {
            let options = sandbox_load::Options {
                calls,
                prism_calls,
                warm_up,
                in_flight,
                fill,
                prism: !no_prism,
            };
            match sandbox_load::rerun_optimized(&ws) {
                Ok(Some(status)) if status.success() => Ok(ExitCode::SUCCESS),
                Ok(Some(_)) => Ok(ExitCode::FAILURE),
                Ok(None) => sandbox_load::run(&ws, &options).and_then(|o| finish(o, false)),
                Err(e) => Err(e),
            }
        }
        Command::PublicApi { check: false } => public_api::update(&ws).map(print),
        Command::PublicApi { check: true } => public_api::check(&ws).map(print),
        Command::Webhooks { check: false } => webhooks::write(&ws).map(print),
        Command::Webhooks { check: true } => webhooks::check(&ws).map(print),
        Command::Msrv { no_build } => msrv::check(&ws, !no_build).map(print),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A `spec` subcommand on the pipeline rooted at `ws`.
fn spec_command(ws: &Workspace, command: SpecCommand) -> Result<ExitCode, String> {
    match command {
        SpecCommand::Normalize => spec::normalize(ws).map(print),
        SpecCommand::Check => spec::check(ws)
            .and_then(|report| Ok(report + &spec::compiles(ws)?))
            .map(print),
        SpecCommand::Update { from, dry_run } => update::update(ws, &Source::parse(&from), dry_run)
            .map(|outcome| {
                print!("{}\n{}", outcome.report.to_text(), outcome.summary());
                ExitCode::SUCCESS
            }),
        SpecCommand::Diff {
            old,
            new,
            format,
            fail_on,
        } => diff_command(ws, &old, &new, format, fail_on),
    }
}

fn print(text: String) -> ExitCode {
    print!("{text}");
    ExitCode::SUCCESS
}

fn diff_command(
    ws: &Workspace,
    old: &str,
    new: &str,
    format: DiffFormat,
    fail_on: Option<FailOn>,
) -> Result<ExitCode, String> {
    let report = spec_diff::diff(ws, &Source::parse(old), &Source::parse(new))?;
    match format {
        DiffFormat::Json => print!("{}", report.to_json()),
        DiffFormat::Text => print!("{}", report.to_text()),
    }
    let threshold = fail_on.map(|f| match f {
        FailOn::Breaking => Severity::Breaking,
        FailOn::Attention => Severity::Attention,
    });
    match threshold {
        Some(threshold) if report.reaches(threshold) => {
            eprintln!(
                "spec diff: changes that are {} or worse (--fail-on)",
                threshold.label()
            );
            Ok(ExitCode::from(THRESHOLD_REACHED))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Prints a measuring command's table; a failed step is an error, a missed goal only with
/// `--strict`.
fn finish(outcome: Outcome, strict: bool) -> Result<ExitCode, String> {
    print!("{}", outcome.text);
    if let Some(error) = outcome.error {
        return Err(error);
    }
    if outcome.goal_missed {
        eprintln!("a performance goal was missed (see the Result column)");
        if strict {
            return Ok(ExitCode::from(THRESHOLD_REACHED));
        }
    }
    Ok(ExitCode::SUCCESS)
}
