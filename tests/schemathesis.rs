//! Schemathesis, an OpenAPI tester no one here wrote, against the `highlevel-sandbox` program:
//! every operation of the document the program serves at `/openapi.json` (the normalized
//! document plus what the sandbox enforces), every check, examples, coverage, fuzzing and
//! stateful runs along the links it infers and those served, with the default validation and
//! with `--validation document`. Zero failures allowed. Twice over: for the Calendars sandbox,
//! and for the program serving the Contacts document a `new-client` crate has (`--document`),
//! whose resources it keeps with no code of its own for them.
//!
//! Schemathesis comes from PyPI. `cargo xtask test` installs the pinned version into a virtual
//! environment under `target/` and names its `st` in `HIGHLEVEL_TEST_SCHEMATHESIS`; without
//! that variable the test looks for `st` or `schemathesis` on `PATH`, and fails (never skips)
//! when there is none.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{signal, start_program};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The version `cargo xtask test` installs; another one may judge differently.
const PINNED: &str = "4.32.5";
/// A fixed seed, so that a failure is found again by the same command.
const SEED: &str = "20261128";
const TOKEN: &str = "pit-schemathesis-token";

/// The Schemathesis executable, or why there is none.
fn schemathesis() -> PathBuf {
    if let Some(path) = std::env::var_os("HIGHLEVEL_TEST_SCHEMATHESIS") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .flat_map(|dir| [dir.join("st"), dir.join("schemathesis")])
        .find(|candidate| candidate.is_file());
    on_path.unwrap_or_else(|| {
        panic!(
            "Schemathesis is not installed: run `cargo xtask test`, which installs \
             schemathesis=={PINNED} under target/ and runs the tests with it, or set \
             HIGHLEVEL_TEST_SCHEMATHESIS to an `st` executable"
        )
    })
}

/// The sandbox program, stopped with SIGTERM when dropped (also when the test fails).
struct Server {
    child: Child,
    base_url: String,
    log: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    fn start(api: &Target, validation: &str) -> Server {
        let mut args = vec![
            "--token",
            TOKEN,
            "--validation",
            validation,
            // Schemathesis sends thousands of requests per sub-account; the limits would turn
            // most into 429s and leave the operations untested.
            "--rate-limit",
            "1000000/1s",
            "--daily-limit",
            "1000000000",
        ];
        if api.served {
            args.extend(["--document", api.document]);
        }
        let (mut child, base_url) = start_program(&args, Stdio::piped());
        // One line per request: read it as it comes, or the pipe fills and the server stalls.
        let mut stderr = child.stderr.take().unwrap();
        let log = std::thread::spawn(move || {
            let mut log = String::new();
            let _ = stderr.read_to_string(&mut log);
            log
        });
        Server {
            child,
            base_url,
            log: Some(log),
        }
    }

    /// Stops the server and returns its log.
    fn stop(mut self) -> String {
        self.terminate();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the sandbox stopped with {status}");
        self.log.take().unwrap().join().unwrap()
    }

    fn terminate(&self) {
        signal(&self.child, "-TERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.log.is_some() {
            self.terminate();
            let _ = self.child.wait();
        }
    }
}

/// What the run's event stream (`--report ndjson`) says about the checks.
#[derive(Debug, Default)]
struct Checks {
    run: usize,
    failed: usize,
    names: BTreeSet<String>,
}

fn checks_in(report_dir: &Path) -> Checks {
    let mut checks = Checks::default();
    let reports = std::fs::read_dir(report_dir).expect("Schemathesis wrote its reports");
    for entry in reports.flatten() {
        if entry.path().extension().is_none_or(|e| e != "ndjson") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for line in text.lines() {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            let Some(recorder) = event.pointer("/ScenarioFinished/recorder") else {
                continue;
            };
            let results = recorder["checks"]
                .as_object()
                .into_iter()
                .flat_map(|c| c.values());
            for result in results.filter_map(|r| r.as_array()).flatten() {
                checks.run += 1;
                checks.failed += usize::from(result["status"] == "failure");
                if let Some(name) = result["name"].as_str() {
                    checks.names.insert(name.to_string());
                }
            }
        }
    }
    checks
}

/// An API the program serves, and how hard Schemathesis tries it.
struct Target {
    name: &'static str,
    /// Its normalized document.
    document: &'static str,
    /// Whether the program is given the document (`--document`); else it is the Calendars
    /// sandbox, with the rules its client crate adds.
    served: bool,
    /// Cases per operation and phase: more than 25, which missed a deleted notification still
    /// readable on Calendars, and as many as CI's 25 minutes allow (the README has the times).
    max_examples: &'static str,
    /// `schemathesis.toml` for the default validation, if any.
    config: Option<&'static str>,
}

const CALENDARS: Target = Target {
    name: "calendars",
    document: concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/calendars.json"),
    served: false,
    max_examples: "50",
    config: Some(WORDS_RULES_CONFIG),
};

/// The Contacts document as `cargo xtask new-client` normalizes it (`xtask/tests/new_client.rs`
/// checks that the copy here is what it makes).
const CONTACTS: Target = Target {
    name: "contacts",
    document: concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/contacts-normalized.json"
    ),
    served: true,
    max_examples: "30",
    config: None,
};

/// How many operations the document has, and the `Version` they want: one for all, or the
/// `-H` below would be wrong.
fn operations_and_version(document: &str) -> (usize, String) {
    let text = std::fs::read_to_string(document).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let operations: Vec<&serde_json::Value> = document["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(serde_json::Value::as_object)
        .flat_map(|item| item.values())
        .filter(|op| op["operationId"].is_string())
        .collect();
    let versions: BTreeSet<&str> = operations
        .iter()
        .map(|op| op["x-highlevel-version"].as_str().unwrap())
        .collect();
    assert_eq!(versions.len(), 1, "one Version for all: {versions:?}");
    (operations.len(), versions.first().unwrap().to_string())
}

/// With the default validation, Create and Update Calendar also refuse bodies that break the
/// rules HighLevel states only in words (a round-robin calendar needs team members…), which
/// OpenAPI 3.0 cannot state: the served document lists them in `x-highlevel-enforced-rules`.
/// Schemathesis cannot read that list, so for those two operations only it is not told to
/// expect every schema-valid body accepted; every other check runs on them too.
const WORDS_RULES_CONFIG: &str = r#"
[[operations]]
include-operation-id = "create-calendar"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-operation-id = "update-calendar"
checks.positive_data_acceptance.enabled = false
"#;

#[test]
fn schemathesis_finds_no_failure_with_the_default_validation() {
    run_against(&CALENDARS, "stated");
}

#[test]
fn schemathesis_finds_no_failure_with_document_validation() {
    run_against(&CALENDARS, "document");
}

#[test]
fn schemathesis_finds_no_failure_in_contacts_with_the_default_validation() {
    run_against(&CONTACTS, "stated");
}

#[test]
fn schemathesis_finds_no_failure_in_contacts_with_document_validation() {
    run_against(&CONTACTS, "document");
}

/// Runs Schemathesis against the program serving `api`, started with `--validation
/// validation`.
fn run_against(api: &Target, validation: &str) {
    let st = schemathesis();
    let (operations, version) = operations_and_version(api.document);
    let work = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("schemathesis-{}-{validation}", api.name));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let installed = Command::new(&st).arg("--version").output();
    let installed = installed.unwrap_or_else(|e| panic!("{}: {e}", st.display()));
    let installed = String::from_utf8_lossy(&installed.stdout)
        .trim()
        .to_string();
    if !installed.ends_with(PINNED) {
        eprintln!("note: {installed}; `cargo xtask test` pins {PINNED}");
    }

    if let Some(config) = api.config.filter(|_| validation == "stated") {
        std::fs::write(work.join("schemathesis.toml"), config).unwrap();
    }
    let server = Server::start(api, validation);
    let document = format!("{}/openapi.json", server.base_url);
    let output = Command::new(&st)
        .current_dir(&work)
        .arg("run")
        .arg(&document)
        .args(["--url", &server.base_url])
        .args(["--header", &format!("Authorization: Bearer {TOKEN}")])
        .args(["--header", &format!("Version: {version}")])
        // Every check: the default (`--checks all` would also override the file's exceptions).
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", api.max_examples, "--seed", SEED])
        .args(["--generation-database", "none", "--no-color"])
        .args(["--report", "ndjson", "--report-dir"])
        .arg(work.join("reports"))
        .output()
        .expect("Schemathesis runs");
    let log = server.stop();
    let text = String::from_utf8_lossy(&output.stdout);
    let summary = text.find("=== SUMMARY ===").map_or(text.as_ref(), |at| {
        &text[text[..at].rfind('\n').unwrap_or(0)..]
    });

    if !output.status.success() {
        // Everything: the failures, their curl commands and `st replay` ids.
        println!("{text}\n{}", String::from_utf8_lossy(&output.stderr));
        panic!("Schemathesis failed ({}): see above", output.status);
    }
    println!("{summary}");
    let checks = checks_in(&work.join("reports"));
    println!(
        "checks: {} run ({} kinds), {} failed",
        checks.run,
        checks.names.len(),
        checks.failed
    );
    let tested = format!("Tested: {operations}");
    assert!(summary.contains(&tested), "not every operation: {summary}");
    // A warning that some operations kept answering 404 is expected: Schemathesis calls them
    // with ids it made up, which the sandbox does not keep.
    assert!(!summary.contains('❌'), "{summary}");
    for phase in ["Examples", "Coverage", "Fuzzing", "Stateful"] {
        assert!(
            summary.contains(&format!("✅ {phase}")),
            "{phase}: {summary}"
        );
    }
    assert_eq!(checks.failed, 0, "{checks:?}");
    assert!(checks.names.len() >= 10, "all checks: {:?}", checks.names);
    assert!(checks.run > 10_000, "{checks:?}");
    assert!(!log.contains(TOKEN), "the token reached the server's log");
    assert!(log.lines().count() > 1_000, "one log line per request");
}
