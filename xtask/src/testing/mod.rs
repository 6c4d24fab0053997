//! `cargo xtask test`: the README's test command. Some tests drive real programs rather than
//! stand-ins (a `redis-server` for the fleet budget, Schemathesis against the sandbox); this
//! makes sure they are there, installing what is missing, tells the tests where they are, and
//! then runs every test of the workspace. A test whose program is missing fails; none skips.

pub mod redis;
pub mod schemathesis;

use crate::workspace::Workspace;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The environment variable naming the `redis-server` the tests start.
pub const REDIS_SERVER_VAR: &str = "HIGHLEVEL_TEST_REDIS_SERVER";
/// The environment variable naming the Schemathesis executable the tests run.
pub const SCHEMATHESIS_VAR: &str = "HIGHLEVEL_TEST_SCHEMATHESIS";

/// The features the whole test suite is built with.
pub const TEST_FEATURES: &str = "sandbox,redis";

/// Provides the tools, then runs `cargo test` over the workspace with `passthrough` appended
/// (e.g. a test name filter, or `-- --nocapture`).
pub fn run(ws: &Workspace, passthrough: &[String]) -> Result<ExitCode, String> {
    let redis = redis::ensure()?;
    let schemathesis = schemathesis::ensure(ws)?;
    eprintln!(
        "cargo xtask test: redis-server {}, schemathesis {}",
        redis.display(),
        schemathesis.display()
    );
    let status = Command::new(env!("CARGO"))
        .current_dir(&ws.root)
        .args(["test", "--workspace", "--features", TEST_FEATURES])
        .args(passthrough)
        .env(REDIS_SERVER_VAR, &redis)
        .env(SCHEMATHESIS_VAR, &schemathesis)
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
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
