//! `cargo xtask instructions`: what one create-calendar round trip costs in instructions,
//! counted by callgrind, for the SDK, the SDK with validation off and the hand-written
//! baseline. Unlike the timings of `cargo xtask bench`, the counts do not move with the load of
//! a shared machine, so they show a small change in the SDK's per-call cost reliably.
//!
//! Each mode of `benches/instructions.rs` runs twice, with [`FEW`] and [`MANY`] sequential calls;
//! the difference divided by the difference in calls is the cost of one call (client and
//! loopback server together), with start-up and client construction cancelled out.

use crate::perf::measure::{self, Outcome};
use crate::perf::table::{Format, Table};
use crate::workspace::Workspace;
use std::path::PathBuf;
use std::process::Command;

/// Calls in the shorter run.
pub const FEW: u64 = 100;
/// Calls in the longer run.
pub const MANY: u64 = 300;

/// The most a call with a stored OAuth token may cost, relative to one with a static token.
pub const OAUTH_GOAL: f64 = 1.02;

/// The modes of the harness, with how each is labelled.
const MODES: [(&str, &str); 5] = [
    ("sdk", "SDK"),
    ("oauth", "SDK, stored OAuth token"),
    ("unpaced", "SDK, pacing off"),
    ("unvalidated", "SDK, validation off"),
    ("baseline", "reqwest + serde_json by hand"),
];

/// The number callgrind prints as `Collected : N` at exit.
pub fn collected(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .filter_map(|line| line.split("Collected :").nth(1))
        .filter_map(|n| n.trim().parse().ok())
        .next_back()
}

/// Instructions per call from the totals of a run of `few` calls and one of `many`.
pub fn per_call(few_total: u64, many_total: u64, few: u64, many: u64) -> Option<f64> {
    (many > few && many_total >= few_total)
        .then(|| (many_total - few_total) as f64 / (many - few) as f64)
}

/// The executable of the `instructions` bench in `cargo bench --no-run --message-format json`.
pub fn harness_executable(messages: &str) -> Option<PathBuf> {
    measure::executable_of(messages, "instructions")
}

/// Builds the harness (release, like the benchmarks) and counts every mode.
pub fn run(ws: &Workspace, format: Format) -> Result<Outcome, String> {
    let mut build = measure::cargo(&ws.root);
    build.args([
        "bench",
        "--no-run",
        "--features",
        "sandbox",
        "--bench",
        "instructions",
        "--message-format=json",
    ]);
    eprintln!("instructions: {}", measure::describe(&build));
    let (_, output) = measure::run_timed(&mut build)?;
    measure::succeeded(&output, "building the instructions harness")?;
    let harness = harness_executable(&String::from_utf8_lossy(&output.stdout))
        .ok_or("cargo did not name the instructions executable")?;

    let mut counts = Vec::new();
    for (mode, label) in MODES {
        let few = count(&harness, mode, FEW)?;
        let many = count(&harness, mode, MANY)?;
        let call = per_call(few, many, FEW, MANY)
            .ok_or_else(|| format!("{mode}: {MANY} calls counted fewer instructions than {FEW}"))?;
        counts.push((label, call));
    }
    let baseline = counts.last().map_or(f64::NAN, |(_, n)| *n);
    let mut table = Table::new(["Round trip", "Instructions per call", "Ratio to baseline"]);
    for (label, call) in &counts {
        table.push([
            label.to_string(),
            format!("{:.1}k", call / 1000.0),
            format!("{:.2}×", call / baseline),
        ]);
    }
    let of = |mode: &str| {
        MODES
            .iter()
            .zip(&counts)
            .find(|((m, _), _)| *m == mode)
            .map_or(f64::NAN, |(_, (_, n))| *n)
    };
    let oauth = of("oauth") / of("sdk");
    Ok(Outcome {
        text: format!(
            "Instructions per create-calendar round trip (client and loopback server, one thread; \
             callgrind, ({MANY} calls − {FEW} calls) / {}):\n\n{}\n\
             A call with a stored OAuth token costs {oauth:.3}× a call with a static token \
             (goal ≤ {OAUTH_GOAL}×).",
            MANY - FEW,
            table.render(format)
        ),
        goal_missed: oauth.is_nan() || oauth > OAUTH_GOAL,
        error: None,
    })
}

/// Runs `calls` calls of `mode` under callgrind; the instructions it counted.
fn count(harness: &PathBuf, mode: &str, calls: u64) -> Result<u64, String> {
    let mut command = Command::new("valgrind");
    command
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(harness)
        .args([mode, &calls.to_string()]);
    eprintln!("instructions: {}", measure::describe(&command));
    let (_, output) = measure::run_timed(&mut command)?;
    measure::succeeded(&output, &format!("callgrind on `{mode}`"))?;
    collected(&String::from_utf8_lossy(&output.stderr))
        .ok_or_else(|| format!("callgrind printed no instruction count for `{mode}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_callgrinds_total() {
        let stderr = "==12== Callgrind, a call-graph generating cache profiler\n\
            ==12== Events    : Ir\n==12== Collected : 65743165\n==12==\n==12== I   refs:      65,743,165\n";
        assert_eq!(collected(stderr), Some(65_743_165));
        assert_eq!(collected("no count"), None);
    }

    #[test]
    fn one_call_is_the_difference_over_the_extra_calls() {
        assert_eq!(per_call(1_000, 5_000, 100, 300), Some(20.0));
        assert_eq!(per_call(5_000, 1_000, 100, 300), None);
        assert_eq!(per_call(1_000, 5_000, 300, 300), None);
    }

    #[test]
    fn finds_the_harness_among_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"round_trip"},"executable":"/t/release/deps/round_trip-1"}
{"reason":"compiler-artifact","target":{"name":"instructions"},"executable":"/t/release/deps/instructions-2"}"#;
        assert_eq!(
            harness_executable(messages),
            Some(PathBuf::from("/t/release/deps/instructions-2"))
        );
    }
}
