//! `cargo xtask …`: see [`USAGE`].

use std::process::ExitCode;
use xtask::diff::Severity;
use xtask::measure::Outcome;
use xtask::source::Source;
use xtask::table::Format;
use xtask::workspace::Workspace;
use xtask::{bench, build_cost, instructions, memory, msrv, public_api, spec, spec_diff, update};

const USAGE: &str = "usage: cargo xtask spec <command>
       cargo xtask bench | build-cost | main-job-memory | instructions [options]
       cargo xtask public-api [--check] | msrv [--no-build]

  spec normalize
      rewrite openapi/calendars.json and openapi/generated.rs.snap from the upstream snapshot
  spec check
      exit non-zero with a diff when a checked-in artifact is stale: the upstream snapshot
      (against PROVENANCE.toml), openapi/overlay.toml (against the normalizer's steps),
      openapi/calendars.json or openapi/generated.rs.snap
  spec update --from <path|URL> [--dry-run]
      take a new upstream document (its relative $refs are read next to it), print what
      changes for SDK users, and replace the snapshot, its provenance, the normalized document
      and the generated-code snapshot; --dry-run prints the report and writes nothing
  spec diff <old> <new> [--format text|json] [--fail-on breaking|attention]
      the change report between two documents (paths or URLs, raw upstream or normalized) for
      the operations in openapi/pipeline.toml; --fail-on exits with status 2 when a change of
      that severity or worse exists

  bench [--format text|markdown] [--report-only] [--strict] [-- <benchmark args>]
      run `cargo bench --features sandbox --bench codec --bench round_trip` (arguments after
      `--` go to the benchmarks, e.g. `-- --measurement-time 3`) and print each SDK figure
      beside its baseline from the same run, with the ratio and goal; --report-only tabulates
      the results already in target/criterion without running anything
  build-cost [--format text|markdown] [--strict] [--no-variants] [--no-memory]
      in target/build-cost (emptied first): a clean debug build (default features, then
      native-tls and sandbox unless --no-variants), build.rs on its own, a rebuild after
      touching src/lib.rs, the dependency count, and the main job's peak memory (unless
      --no-memory); lists the slowest units of the clean build
  instructions [--format text|markdown]
      count with callgrind the instructions of one create-calendar round trip (client and
      loopback server) for the SDK, the SDK without validation and the hand-written baseline:
      unlike times, the counts do not depend on the machine's load
  main-job-memory [--format text|markdown] [--strict]
      build the create_calendar example in release and report its peak memory under
      /usr/bin/time -v, without HIGHLEVEL_TOKEN (so it uses the sandbox)

  public-api [--check]
      list the crate's public Rust API (rustdoc JSON, nightly toolchain) into
      xtask/public-api.txt and say which semver bump the change needs; --check fails with a
      diff instead of writing
  msrv [--no-build]
      check that no dependency needs a newer Rust than the declared rust-version, then install
      that toolchain with rustup and build the library with it (in target/msrv);
      --no-build stops after the dependency check

Exit status: 0 success, 1 error, 2 `--fail-on` threshold reached or, with --strict, a
performance goal missed.";

/// Exit status when `--fail-on` finds a change of the given severity, or when a measuring
/// command run with `--strict` misses a goal.
const THRESHOLD_REACHED: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ws = Workspace::current();
    let result = match args.as_slice() {
        ["spec", "normalize"] => spec::normalize(&ws).map(print),
        ["spec", "check"] => spec::check(&ws).map(print),
        ["spec", "update", rest @ ..] => update_command(&ws, rest),
        ["spec", "diff", rest @ ..] => diff_command(&ws, rest),
        ["bench", rest @ ..] => bench_command(&ws, rest),
        ["build-cost", rest @ ..] => build_cost_command(&ws, rest),
        ["main-job-memory", rest @ ..] => memory_command(&ws, rest),
        ["instructions", rest @ ..] => instructions_command(&ws, rest),
        ["public-api"] => public_api::update(&ws).map(print),
        ["public-api", "--check"] => public_api::check(&ws).map(print),
        ["msrv"] => msrv::check(&ws, true).map(print),
        ["msrv", "--no-build"] => msrv::check(&ws, false).map(print),
        ["help" | "--help" | "-h"] | ["spec"] | [] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(format!("unknown command `{}`\n\n{USAGE}", args.join(" "))),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print(text: String) -> ExitCode {
    print!("{text}");
    ExitCode::SUCCESS
}

/// Splits `--name value` / `--name=value` options and switches from positional arguments.
struct Args<'a> {
    positional: Vec<&'a str>,
    options: Vec<(&'a str, Option<&'a str>)>,
}

fn parse_args<'a>(
    args: &[&'a str],
    with_value: &[&str],
    switches: &[&str],
) -> Result<Args<'a>, String> {
    let mut out = Args {
        positional: Vec::new(),
        options: Vec::new(),
    };
    let mut iter = args.iter();
    while let Some(&arg) = iter.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value)),
            _ => (arg, None),
        };
        if with_value.contains(&name) {
            let value = match inline {
                Some(v) => v,
                None => *iter
                    .next()
                    .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))?,
            };
            out.options.push((name, Some(value)));
        } else if switches.contains(&name) && inline.is_none() {
            out.options.push((name, None));
        } else if arg.starts_with("--") {
            return Err(format!("unknown option `{arg}`\n\n{USAGE}"));
        } else {
            out.positional.push(arg);
        }
    }
    Ok(out)
}

impl<'a> Args<'a> {
    fn value(&self, name: &str) -> Option<&'a str> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| *v)
    }

    fn switch(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| *n == name)
    }
}

fn update_command(ws: &Workspace, args: &[&str]) -> Result<ExitCode, String> {
    let args = parse_args(args, &["--from"], &["--dry-run"])?;
    if !args.positional.is_empty() {
        return Err(format!(
            "unexpected argument `{}`\n\n{USAGE}",
            args.positional[0]
        ));
    }
    let from = args
        .value("--from")
        .ok_or_else(|| format!("spec update needs --from <path|URL>\n\n{USAGE}"))?;
    let outcome = update::update(ws, &Source::parse(from), args.switch("--dry-run"))?;
    print!("{}\n{}", outcome.report.to_text(), outcome.summary());
    Ok(ExitCode::SUCCESS)
}

fn diff_command(ws: &Workspace, args: &[&str]) -> Result<ExitCode, String> {
    let args = parse_args(args, &["--format", "--fail-on"], &[])?;
    let [old, new] = args.positional.as_slice() else {
        return Err(format!("spec diff needs two documents\n\n{USAGE}"));
    };
    let json = match args.value("--format").unwrap_or("text") {
        "text" => false,
        "json" => true,
        other => return Err(format!("--format must be text or json, not `{other}`")),
    };
    let fail_on = match args.value("--fail-on") {
        None => None,
        Some("breaking") => Some(Severity::Breaking),
        Some("attention") => Some(Severity::Attention),
        Some(other) => {
            return Err(format!(
                "--fail-on must be breaking or attention, not `{other}`"
            ));
        }
    };
    let report = spec_diff::diff(ws, &Source::parse(old), &Source::parse(new))?;
    if json {
        print!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    match fail_on {
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

fn no_positional(args: &Args) -> Result<(), String> {
    match args.positional.first() {
        Some(arg) => Err(format!("unexpected argument `{arg}`\n\n{USAGE}")),
        None => Ok(()),
    }
}

fn format_option(args: &Args) -> Result<Format, String> {
    Format::parse(args.value("--format").unwrap_or("text"))
}

fn bench_command(ws: &Workspace, args: &[&str]) -> Result<ExitCode, String> {
    let (own, passthrough) = match args.iter().position(|&a| a == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (args, &[][..]),
    };
    let parsed = parse_args(own, &["--format"], &["--report-only", "--strict"])?;
    no_positional(&parsed)?;
    let options = bench::Options {
        format: format_option(&parsed)?,
        report_only: parsed.switch("--report-only"),
        passthrough: passthrough.iter().map(|a| a.to_string()).collect(),
    };
    if options.report_only && !options.passthrough.is_empty() {
        return Err("--report-only runs nothing: benchmark arguments are not used".into());
    }
    finish(bench::run(ws, &options)?, parsed.switch("--strict"))
}

fn build_cost_command(ws: &Workspace, args: &[&str]) -> Result<ExitCode, String> {
    let parsed = parse_args(
        args,
        &["--format"],
        &["--strict", "--no-variants", "--no-memory"],
    )?;
    no_positional(&parsed)?;
    let options = build_cost::Options {
        format: format_option(&parsed)?,
        variants: !parsed.switch("--no-variants"),
        memory: !parsed.switch("--no-memory"),
    };
    finish(build_cost::run(ws, options)?, parsed.switch("--strict"))
}

fn instructions_command(ws: &Workspace, args: &[&str]) -> Result<ExitCode, String> {
    let parsed = parse_args(args, &["--format"], &[])?;
    no_positional(&parsed)?;
    finish(instructions::run(ws, format_option(&parsed)?)?, false)
}

fn memory_command(ws: &Workspace, args: &[&str]) -> Result<ExitCode, String> {
    let parsed = parse_args(args, &["--format"], &["--strict"])?;
    no_positional(&parsed)?;
    finish(
        memory::run(ws, format_option(&parsed)?)?,
        parsed.switch("--strict"),
    )
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
