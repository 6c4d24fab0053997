//! The summary `cargo xtask test` prints after `cargo test`: passed, failed and ignored per
//! kind of test (unit, integration, doc), the ignored ones by name with their reason, and the
//! tools it provided. cargo prints one result line per test binary, hundreds of lines apart;
//! this reads them as they stream by.

use std::fmt;

/// The kinds of test `cargo test` runs, in the order cargo runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `#[test]`s inside a crate (`Running unittests src/lib.rs`).
    Unit,
    /// A file of `tests/` (`Running tests/errors.rs`).
    Integration,
    /// Examples in doc comments (`Doc-tests highlevel_runtime`).
    Doc,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Unit, Kind::Integration, Kind::Doc];

    fn label(self) -> &'static str {
        match self {
            Kind::Unit => "unit tests",
            Kind::Integration => "integration tests",
            Kind::Doc => "doc tests",
        }
    }
}

/// What the test binaries of one kind reported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Test binaries (or crates, for doc tests) that ran.
    pub binaries: usize,
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests marked `#[ignore]` (or doc examples marked `ignore`).
    pub ignored: usize,
}

/// The counts of a whole `cargo test` run, read line by line.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    counts: [Counts; 3],
    /// The kind of the binary whose output is being read.
    current: Option<Kind>,
    /// `name (reason)` of each ignored test.
    ignored: Vec<String>,
}

impl Summary {
    /// Reads one line of cargo's output (stdout and stderr merged).
    pub fn read_line(&mut self, line: &str) {
        let line = line.trim();
        if let Some(target) = line.strip_prefix("Running ") {
            self.current = Some(if target.starts_with("unittests ") {
                Kind::Unit
            } else {
                Kind::Integration
            });
        } else if line.starts_with("Doc-tests ") {
            self.current = Some(Kind::Doc);
        } else if let Some(rest) = line.strip_prefix("test result: ") {
            let Some(kind) = self.current.take() else {
                return;
            };
            let counts = &mut self.counts[kind as usize];
            counts.binaries += 1;
            counts.passed += count_before(rest, " passed");
            counts.failed += count_before(rest, " failed");
            counts.ignored += count_before(rest, " ignored");
        } else if let Some(test) = line.strip_prefix("test ")
            && let Some((name, outcome)) = test.split_once(" ... ignored")
        {
            let reason = outcome.trim_start_matches(',').trim();
            self.ignored.push(if reason.is_empty() {
                name.to_string()
            } else {
                format!("{name} ({reason})")
            });
        }
    }

    /// The counts of one kind.
    pub fn counts(&self, kind: Kind) -> &Counts {
        &self.counts[kind as usize]
    }

    /// Whether no result line was read (cargo stopped before running a test).
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|c| c.binaries == 0)
    }
}

/// The number just before `label` in `text` (`"12 passed"`), 0 when absent.
fn count_before(text: &str, label: &str) -> usize {
    let Some(end) = text.find(label) else {
        return 0;
    };
    text[..end]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for kind in Kind::ALL {
            let c = self.counts(kind);
            let noun = match (kind, c.binaries) {
                (Kind::Doc, 1) => "crate",
                (Kind::Doc, _) => "crates",
                (_, 1) => "binary",
                _ => "binaries",
            };
            writeln!(
                f,
                "  {:<18} {:>4} passed, {} failed, {} ignored ({} {noun})",
                kind.label(),
                c.passed,
                c.failed,
                c.ignored,
                c.binaries,
            )?;
        }
        for ignored in &self.ignored {
            writeln!(f, "  ignored: {ignored}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
     Running unittests src/lib.rs (target/debug/deps/highlevel_runtime-1)
running 2 tests
test a ... ok
test b ... ok
test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
     Running tests/fleet.rs (target/debug/deps/fleet-2)
running 3 tests
test worker ... ignored, a worker process started by another test
test shares ... ok
test fails ... FAILED
test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 1.2s
     Running tests/wire.rs (target/debug/deps/wire-3)
test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.3s
   Doc-tests highlevel_runtime
test result: ok. 30 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 4.0s
";

    #[test]
    fn counts_each_kind_and_names_what_was_ignored() {
        let mut summary = Summary::default();
        for line in OUTPUT.lines() {
            summary.read_line(line);
        }
        let counts = |binaries, passed, failed, ignored| Counts {
            binaries,
            passed,
            failed,
            ignored,
        };
        assert_eq!(summary.counts(Kind::Unit), &counts(1, 2, 0, 0));
        assert_eq!(summary.counts(Kind::Integration), &counts(2, 13, 1, 1));
        assert_eq!(summary.counts(Kind::Doc), &counts(1, 30, 0, 0));
        let text = summary.to_string();
        assert!(
            text.contains("integration tests    13 passed, 1 failed, 1 ignored (2 binaries)"),
            "{text}"
        );
        assert!(
            text.contains("doc tests            30 passed, 0 failed, 0 ignored (1 crate)"),
            "{text}"
        );
        assert!(
            text.contains("ignored: worker (a worker process started by another test)"),
            "{text}"
        );
    }
}
