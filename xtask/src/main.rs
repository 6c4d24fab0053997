//! `cargo xtask …`: see [`USAGE`].

use std::process::ExitCode;
use xtask::diff::Severity;
use xtask::source::Source;
use xtask::workspace::Workspace;
use xtask::{spec, spec_diff, update};

const USAGE: &str = "usage: cargo xtask spec <command>

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

Exit status: 0 success, 1 error, 2 `--fail-on` threshold reached.";

/// Exit status when `--fail-on` finds a change of the given severity.
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
