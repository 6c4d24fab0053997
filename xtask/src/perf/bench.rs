//! `cargo xtask bench`: runs the criterion benchmarks (`benches/codec.rs`,
//! `benches/round_trip.rs`) and sets each SDK figure beside its baseline from the same run,
//! with the ratio and, where the project has one, the goal it must meet.

use crate::perf::criterion::{Results, results_dir};
use crate::perf::measure::{self, Outcome};
use crate::perf::table::{Format, Table};
use crate::workspace::Workspace;
use std::time::SystemTime;

/// The arguments given to `cargo` to run every benchmark.
pub const CARGO_ARGS: &[&str] = &[
    "bench",
    "--features",
    "sandbox,redis",
    "--bench",
    "codec",
    "--bench",
    "round_trip",
];

/// How the two sides of a figure are shown and compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// Time per call; the ratio is SDK time / baseline time (lower is better).
    Time,
    /// One iteration runs `calls` calls at once; shown as calls per second, and the ratio is
    /// SDK throughput / baseline throughput (higher is better).
    Throughput {
        /// Calls per iteration.
        calls: u64,
    },
}

/// What a figure must achieve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// The ratio is at most this.
    RatioAtMost(f64),
    /// The ratio is at least this.
    RatioAtLeast(f64),
    /// The SDK's time is at most this many nanoseconds.
    TimeAtMost(f64),
}

impl Goal {
    /// Whether `row`'s numbers meet the goal; `None` when a number it needs is missing.
    fn met(self, sdk_ns: Option<f64>, ratio: Option<f64>) -> Option<bool> {
        match self {
            Goal::RatioAtMost(max) => ratio.map(|r| r <= max),
            Goal::RatioAtLeast(min) => ratio.map(|r| r >= min),
            Goal::TimeAtMost(max) => sdk_ns.map(|t| t <= max),
        }
    }

    fn label(self) -> String {
        match self {
            Goal::RatioAtMost(max) => format!("≤ {max:.2}×"),
            Goal::RatioAtLeast(min) => format!("≥ {min:.2}×"),
            Goal::TimeAtMost(max) => format!("≤ {}", time(max)),
        }
    }
}

/// One line of the table: an SDK benchmark, the baseline it is compared with, and its goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// What is measured, and against what.
    pub name: &'static str,
    /// The SDK's benchmark, `group/function/parameter`.
    pub sdk: &'static str,
    /// The baseline's benchmark.
    pub baseline: &'static str,
    /// How the numbers read.
    pub measure: Measure,
    /// The goal, for the figures that have one; the others inform.
    pub goal: Option<Goal>,
}

/// Every figure, in the order of the table. The ids must match `benches/*.rs`.
pub const FIGURES: &[Figure] = &[
    Figure {
        name: "round trip, sequential (vs reqwest + serde_json)",
        sdk: "round_trip/sdk/sequential",
        baseline: "round_trip/baseline/sequential",
        measure: Measure::Time,
        goal: Some(Goal::RatioAtMost(1.05)),
    },
    Figure {
        name: "round trip, validation off (vs reqwest + serde_json)",
        sdk: "round_trip/sdk_unvalidated/sequential",
        baseline: "round_trip/baseline/sequential",
        measure: Measure::Time,
        goal: None,
    },
    Figure {
        name: "throughput, 32 in flight (vs reqwest + serde_json)",
        sdk: "in_flight_32/sdk/32",
        baseline: "in_flight_32/baseline/32",
        measure: Measure::Throughput { calls: 32 },
        goal: Some(Goal::RatioAtLeast(0.95)),
    },
    Figure {
        name: "serialize + decode the seed (vs `Value`)",
        sdk: "serialize_and_decode/sdk/seed",
        baseline: "serialize_and_decode/value/seed",
        measure: Measure::Time,
        goal: Some(Goal::TimeAtMost(15_000.0)),
    },
    Figure {
        name: "serialize request (vs `Value`)",
        sdk: "serialize_request/sdk/seed",
        baseline: "serialize_request/value/seed",
        measure: Measure::Time,
        goal: None,
    },
    Figure {
        name: "serialize request (vs minimal struct)",
        sdk: "serialize_request/sdk/seed",
        baseline: "serialize_request/minimal/seed",
        measure: Measure::Time,
        goal: None,
    },
    Figure {
        name: "decode response (vs `Value`)",
        sdk: "decode_response/sdk/seed",
        baseline: "decode_response/value/seed",
        measure: Measure::Time,
        goal: None,
    },
    Figure {
        name: "decode response (vs minimal struct)",
        sdk: "decode_response/sdk/seed",
        baseline: "decode_response/minimal/seed",
        measure: Measure::Time,
        goal: None,
    },
    Figure {
        name: "validate request (vs SDK round trip)",
        sdk: "validate_request/sdk/seed",
        baseline: "round_trip/sdk/sequential",
        measure: Measure::Time,
        goal: None,
    },
    Figure {
        name: "round trip, fleet budget in a local redis-server (vs in-process pacing)",
        sdk: "pacing/fleet_redis/sequential",
        baseline: "pacing/local/sequential",
        measure: Measure::Time,
        goal: None,
    },
    Figure {
        name: "round trip via sandbox (vs minimal server)",
        sdk: "sandbox/sdk/sequential",
        baseline: "round_trip/sdk/sequential",
        measure: Measure::Time,
        goal: None,
    },
];

/// A figure with the numbers found for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Which figure.
    pub figure: Figure,
    /// The SDK's mean time per iteration, in nanoseconds.
    pub sdk_ns: Option<f64>,
    /// The baseline's.
    pub baseline_ns: Option<f64>,
}

impl Row {
    /// The ratio the figure is judged by (see [`Measure`]).
    pub fn ratio(&self) -> Option<f64> {
        let (sdk, baseline) = (self.sdk_ns?, self.baseline_ns?);
        let (num, den) = match self.figure.measure {
            Measure::Time => (sdk, baseline),
            Measure::Throughput { .. } => (baseline, sdk),
        };
        (den > 0.0).then(|| num / den)
    }

    /// `Some(true)` when the goal is met, `Some(false)` when missed, `None` without a goal or
    /// without the numbers to judge.
    pub fn verdict(&self) -> Option<bool> {
        self.figure.goal?.met(self.sdk_ns, self.ratio())
    }

    fn show(&self, ns: Option<f64>) -> String {
        match (ns, self.figure.measure) {
            (None, _) => "-".into(),
            (Some(ns), Measure::Time) => time(ns),
            (Some(ns), Measure::Throughput { calls }) => rate(calls as f64 / (ns * 1e-9)),
        }
    }

    fn cells(&self) -> [String; 6] {
        let goal = self.figure.goal;
        let result = match (goal, self.verdict()) {
            (None, _) => "",
            (Some(_), None) => "-",
            (Some(_), Some(true)) => "pass",
            (Some(_), Some(false)) => "FAIL",
        };
        [
            self.figure.name.to_string(),
            self.show(self.sdk_ns),
            self.show(self.baseline_ns),
            self.ratio().map_or_else(|| "-".into(), ratio),
            goal.map(Goal::label).unwrap_or_default(),
            result.to_string(),
        ]
    }
}

/// The numbers `results` holds for every figure.
pub fn rows(results: &Results) -> Vec<Row> {
    FIGURES
        .iter()
        .map(|&figure| Row {
            figure,
            sdk_ns: results.mean_ns(figure.sdk),
            baseline_ns: results.mean_ns(figure.baseline),
        })
        .collect()
}

/// The table of `rows`.
pub fn table(rows: &[Row]) -> Table {
    let mut table = Table::new(["Figure", "SDK", "Baseline", "Ratio", "Goal", "Result"]);
    for row in rows {
        table.push(row.cells());
    }
    table
}

/// A time given in nanoseconds, with three significant digits and a fitting unit.
pub fn time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", significant(value))
}

fn rate(per_second: f64) -> String {
    if per_second >= 1e3 {
        format!("{}k calls/s", significant(per_second / 1e3))
    } else {
        format!("{} calls/s", significant(per_second))
    }
}

fn ratio(value: f64) -> String {
    if value < 0.1 {
        format!("{value:.3}×")
    } else {
        format!("{value:.2}×")
    }
}

/// Three significant digits for values from 1 to 999 (fewer decimals as it grows).
fn significant(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// What `cargo xtask bench` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How to print the table.
    pub format: Format,
    /// Only read the results already on disk; run nothing.
    pub report_only: bool,
    /// Passed to the benchmarks after `--` (criterion's own options, or a filter).
    pub passthrough: Vec<String>,
}

/// Runs the benchmarks (unless `report_only`) and tabulates the results of this run; results
/// left from earlier runs are ignored, so a benchmark that did not run shows as `-`.
pub fn run(ws: &Workspace, options: &Options) -> Result<Outcome, String> {
    let dir = results_dir(
        &ws.root,
        std::env::var_os("CRITERION_HOME"),
        std::env::var_os("CARGO_TARGET_DIR"),
    );
    let mut error = None;
    let since = if options.report_only {
        None
    } else {
        let started = SystemTime::now();
        let mut command = measure::cargo(&ws.root);
        command.args(CARGO_ARGS);
        if !options.passthrough.is_empty() {
            command.arg("--").args(&options.passthrough);
        }
        eprintln!("bench: {}", measure::describe(&command));
        let status = command
            .status()
            .map_err(|e| format!("cannot start cargo bench: {e}"))?;
        if !status.success() {
            error = Some(format!(
                "cargo bench failed ({status}); the table shows what finished"
            ));
        }
        Some(started)
    };
    let rows = rows(&Results::new(&dir, since));
    let mut text = String::new();
    if options.format == Format::Text {
        let scope = if since.is_some() {
            "this run only, so each ratio compares numbers of the same run"
        } else {
            "whatever is on disk, possibly from several runs"
        };
        text.push_str(&format!(
            "Mean time per iteration from {} ({scope}).\n\n",
            dir.display(),
        ));
    }
    text.push_str(&table(&rows).render(options.format));
    Ok(Outcome {
        text,
        goal_missed: rows.iter().any(|r| r.verdict() == Some(false)),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(name: &str) -> Figure {
        *FIGURES.iter().find(|f| f.name.starts_with(name)).unwrap()
    }

    fn row(name: &str, sdk_ns: Option<f64>, baseline_ns: Option<f64>) -> Row {
        Row {
            figure: figure(name),
            sdk_ns,
            baseline_ns,
        }
    }

    #[test]
    fn a_time_ratio_is_sdk_over_baseline() {
        let slower = row("round trip", Some(106.0), Some(100.0));
        assert!((slower.ratio().unwrap() - 1.06).abs() < 1e-9);
        assert_eq!(slower.verdict(), Some(false));
        assert_eq!(
            row("round trip", Some(105.0), Some(100.0)).verdict(),
            Some(true)
        );
    }

    #[test]
    fn a_throughput_ratio_is_baseline_time_over_sdk_time() {
        let row = row("throughput", Some(200.0), Some(180.0));
        assert!((row.ratio().unwrap() - 0.9).abs() < 1e-9);
        assert_eq!(row.verdict(), Some(false));
        let cells = row.cells();
        assert_eq!(cells[1], "160000k calls/s");
        assert_eq!(cells[4], "≥ 0.95×");
        assert_eq!(cells[5], "FAIL");
    }

    #[test]
    fn an_absolute_goal_ignores_the_baseline() {
        let fast = row("serialize + decode", Some(14_999.0), None);
        assert_eq!(fast.verdict(), Some(true));
        assert_eq!(fast.cells()[3], "-");
        let slow = row("serialize + decode", Some(15_001.0), Some(1.0));
        assert_eq!(slow.verdict(), Some(false));
        assert_eq!(slow.cells()[4], "≤ 15.0 µs");
    }

    #[test]
    fn missing_numbers_show_as_dashes() {
        let missing = row("round trip via sandbox", None, Some(100.0));
        assert_eq!(missing.cells()[1..], ["-", "100 ns", "-", "", ""]);
        let unjudged = row("round trip,", Some(1.0), None);
        assert_eq!(unjudged.verdict(), None);
        assert_eq!(unjudged.cells()[5], "-");
    }

    #[test]
    fn times_read_naturally() {
        assert_eq!(time(850.0), "850 ns");
        assert_eq!(time(12_345.0), "12.3 µs");
        assert_eq!(time(1_234_567.0), "1.23 ms");
        assert_eq!(time(2.5e9), "2.50 s");
        assert_eq!(ratio(0.0123), "0.012×");
        assert_eq!(ratio(1.034), "1.03×");
    }

    #[test]
    fn every_figure_names_a_full_benchmark_id() {
        for figure in FIGURES {
            for id in [figure.sdk, figure.baseline] {
                assert_eq!(id.split('/').count(), 3, "{id}");
            }
        }
    }
}
