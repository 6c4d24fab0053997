//! The peak memory of the README's main job: the `create_calendar` example, built in release
//! and run under `/usr/bin/time -v` without `HIGHLEVEL_TOKEN`, so that it creates the calendar
//! in the in-process sandbox.

use crate::perf::measure::{self, Outcome};
use crate::perf::table::{Format, Table};
use crate::workspace::Workspace;
use std::path::PathBuf;
use std::process::Command;

/// The goal: at most 15 MiB resident at the peak, in KiB.
pub const GOAL_KIB: u64 = 15 * 1024;

/// The arguments given to `cargo` to build the main job.
pub const BUILD_ARGS: &[&str] = &[
    "build",
    "--release",
    "--example",
    "create_calendar",
    "--features",
    "sandbox",
];

const TIME: &str = "/usr/bin/time";

/// The "Maximum resident set size (kbytes)" that `/usr/bin/time -v` reports (the last one, in
/// case the program printed something alike first).
pub fn max_rss_kib(report: &str) -> Option<u64> {
    report
        .lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes):")
        })
        .filter_map(|value| value.trim().parse().ok())
        .next_back()
}

/// The executable of the `create_calendar` example in the messages of
/// `cargo build --message-format json`.
pub fn example_executable(messages: &str) -> Option<PathBuf> {
    measure::executable_of(messages, "create_calendar")
}

/// The peak resident memory of one run of the main job, in KiB. Builds it first (in the usual
/// target folder, where the benchmarks' release build already is).
pub fn measure(ws: &Workspace) -> Result<u64, String> {
    let mut build = measure::cargo(&ws.root);
    build.args(BUILD_ARGS).arg("--message-format=json");
    eprintln!("main-job-memory: {}", measure::describe(&build));
    let (_, output) = measure::run_timed(&mut build)?;
    measure::succeeded(&output, "building the main job")?;
    let executable = example_executable(&String::from_utf8_lossy(&output.stdout))
        .ok_or("cargo did not name the create_calendar executable")?;

    let mut run = Command::new(TIME);
    run.arg("-v")
        .arg(&executable)
        .current_dir(&ws.root)
        .env_remove("HIGHLEVEL_TOKEN");
    eprintln!(
        "main-job-memory: {} (without HIGHLEVEL_TOKEN)",
        measure::describe(&run)
    );
    let (_, output) = measure::run_timed(&mut run)?;
    measure::succeeded(&output, "the main job")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.contains("created calendar") {
        return Err(format!("the main job did not create a calendar:\n{stdout}"));
    }
    max_rss_kib(&String::from_utf8_lossy(&output.stderr))
        .ok_or_else(|| format!("{TIME} -v reported no maximum resident set size"))
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The table row for a measured peak: figure, value, goal, result.
pub fn row(peak: &Result<u64, String>) -> [String; 4] {
    let (value, result) = match peak {
        Ok(kib) => (mib(*kib), if *kib <= GOAL_KIB { "pass" } else { "FAIL" }),
        Err(_) => ("-".to_string(), "-"),
    };
    [
        "main job peak memory (release, sandbox, `/usr/bin/time -v`)".to_string(),
        value,
        format!("≤ {}", mib(GOAL_KIB)),
        result.to_string(),
    ]
}

/// `cargo xtask main-job-memory`.
pub fn run(ws: &Workspace, format: Format) -> Result<Outcome, String> {
    let peak = measure(ws);
    let mut table = Table::new(["Measure", "Value", "Goal", "Result"]);
    table.push(row(&peak));
    Ok(Outcome {
        text: table.render(format),
        goal_missed: matches!(peak, Ok(kib) if kib > GOAL_KIB),
        error: peak.err(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_peak_of_a_time_report() {
        let report = "created calendar abc\n\
            \tCommand being timed: \"create_calendar\"\n\
            \tMaximum resident set size (kbytes): 9876\n\
            \tAverage resident set size (kbytes): 0\n\
            \tExit status: 0\n";
        assert_eq!(max_rss_kib(report), Some(9876));
        assert_eq!(max_rss_kib("Exit status: 0"), None);
    }

    #[test]
    fn finds_the_example_among_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"serde"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"create_calendar"},"executable":"/t/release/examples/create_calendar"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            example_executable(messages),
            Some(PathBuf::from("/t/release/examples/create_calendar"))
        );
    }

    #[test]
    fn the_row_judges_against_15_mib() {
        assert_eq!(row(&Ok(15 * 1024))[1..], ["15.0 MiB", "≤ 15.0 MiB", "pass"]);
        assert_eq!(row(&Ok(15 * 1024 + 1))[3], "FAIL");
        assert_eq!(row(&Err("no build".into()))[1], "-");
    }
}
