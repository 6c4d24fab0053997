//! `cargo xtask test`: the README's test command. Some tests drive real programs rather than
//! stand-ins (a `redis-server` for the fleet budget, Schemathesis against the sandbox); this
//! makes sure they are there, installing what is missing, tells the tests where they are, and
//! then runs every test of the workspace. A test whose program is missing fails; none skips.
//! It ends with a summary of its own: the counts per kind of test and the tools provided.

pub mod redis;
pub mod schemathesis;
pub mod summary;

use crate::workspace::Workspace;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use summary::Summary;

/// The environment variable naming the `redis-server` the tests start.
pub const REDIS_SERVER_VAR: &str = "HIGHLEVEL_TEST_REDIS_SERVER";
/// The environment variable naming the Schemathesis executable the tests run.
pub const SCHEMATHESIS_VAR: &str = "HIGHLEVEL_TEST_SCHEMATHESIS";

/// The features the whole test suite is built with.
pub const TEST_FEATURES: &str = "sandbox,redis,webhooks";

/// A program the tests need, and whether this run installed it.
#[derive(Debug, Clone)]
pub struct Tool {
    /// Its executable.
    pub path: PathBuf,
    /// `true` when this run installed it, `false` when it was there already.
    pub installed: bool,
}

impl Tool {
    fn found(path: PathBuf) -> Tool {
        Tool {
            path,
            installed: false,
        }
    }

    fn installed(path: PathBuf) -> Tool {
        Tool {
            path,
            installed: true,
        }
    }

    /// `<path> (installed now)` or `<path> (already there)`.
    fn describe(&self) -> String {
        let how = if self.installed {
            "installed now"
        } else {
            "already there"
        };
        format!("{} ({how})", self.path.display())
    }
}

/// Provides the tools, then runs `cargo test` over the workspace with `passthrough` appended
/// (e.g. a test name filter, or `-- --nocapture`), echoing its output, and prints a summary.
pub fn run(ws: &Workspace, passthrough: &[String]) -> Result<ExitCode, String> {
    let redis = redis::ensure()?;
    let schemathesis = schemathesis::ensure(ws)?;
    let tools = format!(
        "  tools: redis-server {}, which the fleet tests start (one server per test);\n         \
         schemathesis {} {}, which tests/schemathesis.rs runs against the sandbox program",
        redis.describe(),
        schemathesis::VERSION,
        schemathesis.describe()
    );
    eprintln!("cargo xtask test: redis-server {}", redis.describe());
    eprintln!("cargo xtask test: schemathesis {}", schemathesis.describe());
    // cargo writes which binary runs to stderr and the binary's results to stdout: one pipe
    // for both keeps them in order.
    let (reader, writer) = std::io::pipe().map_err(|e| format!("cannot make a pipe: {e}"))?;
    let writer_too = writer
        .try_clone()
        .map_err(|e| format!("cannot make a pipe: {e}"))?;
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(&ws.root)
        .args(["test", "--workspace", "--features", TEST_FEATURES])
        .args(passthrough)
        .env(REDIS_SERVER_VAR, &redis.path)
        .env(SCHEMATHESIS_VAR, &schemathesis.path)
        .stdout(writer)
        .stderr(writer_too);
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    // The command holds the pipe's writing ends until it is dropped; the reader sees the end
    // of the output only once every writer is gone.
    drop(command);
    let mut summary = Summary::default();
    let mut out = std::io::stdout();
    for line in BufReader::new(reader).lines() {
        let Ok(line) = line else { break };
        summary.read_line(&line);
        let _ = writeln!(out, "{line}");
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for cargo test: {e}"))?;
    let verdict = if status.success() {
        "every test passed"
    } else if summary.is_empty() {
        "cargo test failed before running any test"
    } else {
        "FAILED (the first failing binary stops cargo test; its output is above)"
    };
    println!("\ncargo xtask test: {verdict}\n{summary}{tools}");
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The first `name` on `PATH`.
pub(crate) fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Runs `program args…`, failing with its output when it fails.
pub(crate) fn run_quietly(program: &str, args: &[&str]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed ({}):\n{}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
