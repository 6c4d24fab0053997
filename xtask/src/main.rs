//! Maintenance tasks for the highlevel-calendars workspace.
//!
//! ```text
//! cargo xtask spec normalize   rewrite openapi/calendars.json from the upstream snapshot
//! cargo xtask spec check       fail with a diff when a checked-in artifact is stale
//! ```

mod config;
mod normalize;
mod schema_walk;
mod spec;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask spec <normalize|check>

  spec normalize   rewrite openapi/calendars.json from the upstream snapshot in openapi/upstream/
  spec check       exit non-zero with a diff when openapi/calendars.json is not what normalize writes";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["spec", "normalize"] => spec::normalize_command(),
        ["spec", "check"] => spec::check_command(),
        ["help" | "--help" | "-h"] | [] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(format!("unknown command `{}`\n\n{USAGE}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
