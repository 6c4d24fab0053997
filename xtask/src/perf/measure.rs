//! What the measuring commands (`bench`, `build-cost`, `main-job-memory`) share: starting
//! cargo, timing a child process, presenting durations, and the shape of their result.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

// Starting cargo is shared with `spec check`, which measures nothing; it lives in `crate::cargo`.
pub use crate::cargo::{command as cargo, set_by_cargo_run, without_cargo_run_env};

/// What a measuring command hands back to `main`: the text to print, whether a goal was
/// missed (an error only with `--strict`), and whether a step could not be carried out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The table and notes, ready to print.
    pub text: String,
    /// Some figure missed its goal.
    pub goal_missed: bool,
    /// A step failed (a build, a benchmark run); the text still shows what was measured.
    pub error: Option<String>,
}

/// Runs `command` to completion with its output captured, and how long that took (wall clock).
pub fn run_timed(command: &mut Command) -> Result<(Duration, Output), String> {
    let start = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot start {}: {e}", describe(command)))?;
    Ok((start.elapsed(), output))
}

/// `Ok` when `output` reports success; otherwise an error naming `what` with the end of its
/// standard error.
pub fn succeeded(output: &Output, what: &str) -> Result<(), String> {
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let tail = lines[lines.len().saturating_sub(30)..].join("\n");
    Err(format!("{what} failed ({}):\n{tail}", output.status))
}

/// The program and arguments of `command`, for messages.
pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

/// A duration in seconds with one decimal below a minute (`52.3 s`), two below ten seconds.
pub fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.2} s")
    } else {
        format!("{secs:.1} s")
    }
}

/// The machine's load averages over 1, 5 and 15 minutes, as `/proc/loadavg` states them.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let parts: Vec<&str> = text.split_whitespace().take(3).collect();
    (parts.len() == 3).then(|| parts.join(" "))
}

/// How many threads this machine can run at once.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The executable cargo built for target `name`, from the messages of a cargo command run with
/// `--message-format json` (the last one, should the target be listed twice).
pub fn executable_of(messages: &str, name: &str) -> Option<std::path::PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .filter_map(|m| m["executable"].as_str().map(std::path::PathBuf::from))
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_cargo_run_sets_is_dropped() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
        ] {
            assert!(set_by_cargo_run(name), "{name}");
        }
        for name in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CRITERION_HOME",
            "PATH",
        ] {
            assert!(!set_by_cargo_run(name), "{name}");
        }
    }

    #[test]
    fn seconds_keep_what_matters() {
        assert_eq!(seconds(Duration::from_millis(52_340)), "52.3 s");
        assert_eq!(seconds(Duration::from_millis(712)), "0.71 s");
    }

    #[test]
    fn a_failed_command_names_itself_and_its_last_words() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo one >&2; echo two >&2; exit 3"]);
        let (_, output) = run_timed(&mut command).unwrap();
        let error = succeeded(&output, "the test command").unwrap_err();
        assert!(error.starts_with("the test command failed"), "{error}");
        assert!(error.ends_with("one\ntwo"), "{error}");
        assert_eq!(
            describe(&command),
            "sh -c echo one >&2; echo two >&2; exit 3"
        );
    }
}
