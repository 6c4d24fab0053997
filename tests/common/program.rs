//! The `highlevel-sandbox` program as a process of its own, for the tests that run it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Starts the program with `args`, its standard error going to `stderr`, and returns it with
/// the base URL it prints as its first line (which it does once it listens, so no wait is
/// needed).
pub fn start_program(args: &[&str], stderr: Stdio) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_highlevel-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("the sandbox program starts");
    let mut base_url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut base_url)
        .unwrap();
    (child, base_url.trim().to_string())
}

/// Sends `signal` (`-TERM`, `-KILL`, …) to the program with kill(1); whether it was sent.
pub fn signal(child: &Child, signal: &str) -> bool {
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .is_ok_and(|status| status.success())
}

/// Sends `signal` and waits for the program to end.
pub fn stop(mut child: Child, signal_name: &str) {
    assert!(signal(&child, signal_name), "{signal_name} was not sent");
    child.wait().unwrap();
}

/// Sends `method url` to the program over plain HTTP (no SDK) with a bearer token, `Version:
/// version` and the JSON `body`: the status and the JSON answer (`null` when it is not JSON).
pub async fn raw_call(
    version: &str,
    method: reqwest::Method,
    url: String,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth("any-token")
        .header("Version", version);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// The example `name` as `cargo test` built it beside the test binaries
/// (`target/<profile>/deps/<test>` → `target/<profile>/examples/<name>`); fails the test when it
/// is missing.
pub fn built_example(name: &str) -> PathBuf {
    let profile_dir = std::env::current_exe()
        .ok()
        .and_then(|test| Some(test.parent()?.parent()?.to_path_buf()))
        .expect("the test binary is in target/<profile>/deps");
    let program = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        program.is_file(),
        "cargo test builds the examples: {} is missing",
        program.display()
    );
    program
}
