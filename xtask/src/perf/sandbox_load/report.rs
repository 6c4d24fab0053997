//! The tables `sandbox-load` prints: per server and operation, the ratio of the sandbox's rate
//! to Prism's, and what 100,000 kept calendars cost.

use super::driver::Run;
use crate::perf::table::{Format, Table};
use std::time::Duration;

/// The goal of issue 24: at least this many times Prism's requests per second.
pub const GOAL_RATIO: f64 = 20.0;

/// One server's run of one operation.
#[derive(Debug, Clone)]
pub struct Measured {
    pub server: &'static str,
    pub operation: &'static str,
    pub run: Run,
}

/// What the sandbox holds once filled.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    pub calendars: usize,
    /// The creates that filled it (those of the measured runs come on top), and how long they
    /// took.
    pub creates: usize,
    pub elapsed: Duration,
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
    /// The journal while running (a fresh state file: every create is a line of it).
    pub journal_bytes: u64,
    /// The snapshot once SIGTERM folded the journal in.
    pub snapshot_bytes: u64,
    /// SIGTERM to exit, folding the journal into the snapshot.
    pub stop: Option<Duration>,
    /// Start to listening again with everything kept.
    pub restart: Option<Duration>,
}

fn millis(duration: Option<Duration>) -> String {
    duration.map_or("–".into(), |d| {
        format!("{:.2} ms", d.as_secs_f64() * 1000.0)
    })
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Requests/s, p50, p99 and failures per server and operation.
pub fn runs(measured: &[Measured]) -> String {
    let mut table = Table::new([
        "server",
        "operation",
        "calls",
        "requests/s (2xx)",
        "p50",
        "p99",
        "non-2xx",
        "no answer",
    ]);
    for m in measured {
        table.push([
            m.server.to_string(),
            m.operation.to_string(),
            thousands(m.run.calls as u64),
            thousands(m.run.rate().round() as u64),
            millis(m.run.quantile(0.50)),
            millis(m.run.quantile(0.99)),
            m.run.non_2xx.to_string(),
            m.run.failed.to_string(),
        ]);
    }
    table.render(Format::Markdown)
}

/// The sandbox's rate over Prism's, per operation both ran.
pub fn ratios(measured: &[Measured], sandbox: &str, prism: &str) -> String {
    let mut table = Table::new(["operation", "sandbox / Prism, requests/s", "goal"]);
    let rate = |server: &str, operation: &str| {
        measured
            .iter()
            .find(|m| m.server == server && m.operation == operation)
            .map(|m| m.run.rate())
    };
    let mut operations: Vec<&str> = Vec::new();
    for m in measured {
        if !operations.contains(&m.operation) {
            operations.push(m.operation);
        }
    }
    for operation in operations {
        if let (Some(ours), Some(theirs)) = (rate(sandbox, operation), rate(prism, operation)) {
            let ratio = ours / theirs.max(1e-9);
            let verdict = match ratio >= GOAL_RATIO {
                true => "met",
                false => "missed",
            };
            table.push([
                operation.to_string(),
                format!("{ratio:.1}×"),
                format!("≥ {GOAL_RATIO:.0}×: {verdict}"),
            ]);
        }
    }
    table.render(Format::Markdown)
}

/// The sandbox filled with calendars: memory, state files, stop and restart.
pub fn filled(filled: &Filled) -> String {
    let mut table = Table::new(["measure", "value"]);
    let rate = filled.creates as f64 / filled.elapsed.as_secs_f64().max(1e-9);
    table.push([
        "calendars kept".to_string(),
        thousands(filled.calendars as u64),
    ]);
    table.push([
        "creates to fill it".to_string(),
        format!(
            "{} in {:.1} s ({} requests/s)",
            thousands(filled.creates as u64),
            filled.elapsed.as_secs_f64(),
            thousands(rate.round() as u64)
        ),
    ]);
    table.push([
        "RSS now / peak (VmRSS / VmHWM)".to_string(),
        format!(
            "{} / {}",
            mib(filled.rss_kib * 1024),
            mib(filled.peak_rss_kib * 1024)
        ),
    ]);
    table.push([
        "state files: journal while running / snapshot after SIGTERM".to_string(),
        format!(
            "{} / {}",
            mib(filled.journal_bytes),
            mib(filled.snapshot_bytes)
        ),
    ]);
    let seconds =
        |d: Option<Duration>| d.map_or("–".into(), |d| format!("{:.2} s", d.as_secs_f64()));
    table.push([
        "SIGTERM to exit (folds the journal in)".to_string(),
        seconds(filled.stop),
    ]);
    table.push([
        "restart to listening, everything kept".to_string(),
        seconds(filled.restart),
    ]);
    table.render(Format::Markdown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(server: &'static str, per_call: u64, calls: usize) -> Measured {
        let latencies: Vec<Duration> = (1..=calls as u64)
            .map(|n| Duration::from_micros(n * per_call))
            .collect();
        let elapsed = Duration::from_micros(per_call * calls as u64);
        Measured {
            server,
            operation: "get-calendar",
            run: Run {
                calls,
                elapsed,
                latencies,
                non_2xx: 1,
                failed: 0,
                first_problem: None,
            },
        }
    }

    #[test]
    fn the_tables_show_rates_quantiles_and_the_ratio() {
        let both = [measured("sandbox", 10, 100), measured("Prism", 500, 100)];
        let text = runs(&both);
        assert!(
            text.contains("| sandbox | get-calendar | 100 | 100,000 | 0.50 ms | 0.99 ms | 1 | 0 |"),
            "{text}"
        );
        let text = ratios(&both, "sandbox", "Prism");
        assert!(
            text.contains("| get-calendar | 50.0× | ≥ 20×: met |"),
            "{text}"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        let text = filled(&Filled {
            calendars: 100_000,
            creates: 50_000,
            elapsed: Duration::from_secs(5),
            rss_kib: 2048,
            peak_rss_kib: 4096,
            snapshot_bytes: 0,
            journal_bytes: 3 * 1024 * 1024,
            stop: Some(Duration::from_millis(1500)),
            restart: None,
        });
        assert!(
            text.contains("| 50,000 in 5.0 s (10,000 requests/s) |"),
            "{text}"
        );
        assert!(text.contains("| 2.0 MiB / 4.0 MiB |"), "{text}");
        assert!(text.contains("| 3.0 MiB / 0.0 MiB |"), "{text}");
        assert!(text.contains("| 1.50 s |"), "{text}");
    }
}
