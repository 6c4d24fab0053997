//! `cargo xtask bench`'s table, read from hand-written criterion results in a temporary folder.

mod common;

use common::TempDir;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};
use xtask::perf::bench::{self, Row};
use xtask::perf::criterion::Results;

/// Writes a criterion result with the given mean for `group/function/parameter`.
fn estimate(dir: &Path, id: &str, mean_ns: f64) {
    let folder = dir.join(id).join("new");
    std::fs::create_dir_all(&folder).unwrap();
    let json = format!(
        r#"{{"mean":{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":{mean_ns},"upper_bound":{mean_ns}}},"point_estimate":{mean_ns},"standard_error":1.0}},"median":{{"point_estimate":{mean_ns}}},"slope":null}}"#
    );
    std::fs::write(folder.join("estimates.json"), json).unwrap();
}

/// A run in which the round trip misses its goal and a few benchmarks did not run.
fn partial_run() -> TempDir {
    let dir = TempDir::new("bench-table");
    estimate(&dir.0, "round_trip/sdk/sequential", 110_000.0);
    estimate(&dir.0, "round_trip/baseline/sequential", 100_000.0);
    estimate(&dir.0, "in_flight_32/sdk/32", 1_000_000.0);
    estimate(&dir.0, "in_flight_32/baseline/32", 980_000.0);
    estimate(&dir.0, "serialize_and_decode/sdk/seed", 9_000.0);
    estimate(&dir.0, "serialize_and_decode/value/seed", 6_000.0);
    estimate(&dir.0, "validate_request/sdk/seed", 2_200.0);
    dir
}

fn row<'a>(rows: &'a [Row], name: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.figure.name.starts_with(name))
        .unwrap()
}

#[test]
fn ratios_and_goals_come_from_the_files() {
    let dir = partial_run();
    let rows = bench::rows(&Results::new(&dir.0, None));
    assert_eq!(rows.len(), bench::FIGURES.len());

    let round_trip = row(&rows, "round trip, sequential");
    assert!((round_trip.ratio().unwrap() - 1.1).abs() < 1e-9);
    assert_eq!(round_trip.verdict(), Some(false));

    let throughput = row(&rows, "throughput");
    assert!((throughput.ratio().unwrap() - 0.98).abs() < 1e-9);
    assert_eq!(throughput.verdict(), Some(true));

    assert_eq!(row(&rows, "serialize + decode").verdict(), Some(true));
    let validation = row(&rows, "validate request");
    assert!((validation.ratio().unwrap() - 0.02).abs() < 1e-9);
    let sandbox = row(&rows, "round trip via sandbox");
    assert_eq!((sandbox.sdk_ns, sandbox.ratio()), (None, None));
}

#[test]
fn the_table_shows_missing_results_as_dashes() {
    let dir = partial_run();
    let text = bench::table(&bench::rows(&Results::new(&dir.0, None))).to_markdown();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "| Figure | SDK | Baseline | Ratio | Goal | Result |"
    );
    assert_eq!(
        lines[2],
        "| round trip, sequential (vs reqwest + serde_json) | 110 µs | 100 µs | 1.10× | ≤ 1.05× | FAIL |"
    );
    assert_eq!(
        lines[3],
        "| round trip, validation off (vs reqwest + serde_json) | - | 100 µs | - |  |  |"
    );
    assert_eq!(
        lines[4],
        "| throughput, 32 in flight (vs reqwest + serde_json) | 32.0k calls/s | 32.7k calls/s | 0.98× | ≥ 0.95× | pass |"
    );
    assert_eq!(
        lines[5],
        "| serialize + decode the seed (vs `Value`) | 9.00 µs | 6.00 µs | 1.50× | ≤ 15.0 µs | pass |"
    );
    assert_eq!(
        lines[6],
        "| serialize request (vs `Value`) | - | - | - |  |  |"
    );
}

#[test]
fn results_older_than_the_run_are_ignored() {
    let dir = partial_run();
    let later = SystemTime::now() + Duration::from_secs(3600);
    let rows = bench::rows(&Results::new(&dir.0, Some(later)));
    assert!(
        rows.iter()
            .all(|r| r.sdk_ns.is_none() && r.baseline_ns.is_none())
    );
    assert!(rows.iter().all(|r| r.verdict().is_none()));
}

fn report_only(dir: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--report-only"])
        .args(extra)
        .env("CRITERION_HOME", dir)
        .output()
        .expect("the xtask binary runs")
}

#[test]
fn report_only_prints_the_table_and_fails_only_when_strict() {
    let dir = partial_run();
    let relaxed = report_only(&dir.0, &["--format", "markdown"]);
    assert_eq!(relaxed.status.code(), Some(0));
    let text = String::from_utf8(relaxed.stdout).unwrap();
    assert!(text.starts_with("| Figure |"), "{text}");
    assert!(text.contains("| FAIL |"), "{text}");

    let strict = report_only(&dir.0, &["--strict"]);
    assert_eq!(strict.status.code(), Some(2));
    let text = String::from_utf8(strict.stdout).unwrap();
    assert!(text.contains("Figure"), "{text}");
}

#[test]
fn an_empty_results_folder_is_not_an_error() {
    let dir = TempDir::new("bench-empty");
    let output = report_only(&dir.0, &["--strict", "--format", "markdown"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("| -"), "{text}");
}

#[test]
fn bad_arguments_are_refused() {
    let dir = TempDir::new("bench-args");
    let output = report_only(&dir.0, &["--format", "html"]);
    assert_eq!(output.status.code(), Some(1));
    let output = report_only(&dir.0, &["--", "--measurement-time", "3"]);
    assert_eq!(output.status.code(), Some(1));
}
