//! Tests that need several processes (a fleet sharing Redis) start copies of their own test
//! binary, each running one `#[ignore]`d worker test chosen by its exact name.

use std::process::{Child, Command, Stdio};

/// Starts `count` workers running the ignored test `test`, worker `n` with the environment
/// `env(n)`; each one's output is captured.
pub fn spawn(
    test: &str,
    count: usize,
    env: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Vec<Child> {
    (0..count)
        .map(|n| {
            Command::new(std::env::current_exe().unwrap())
                .args([test, "--exact", "--ignored", "--nocapture"])
                .envs(env(n))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect()
}

/// Waits for `worker` off the async runtime (the servers it talks to may run on it) and
/// returns its standard output; fails the test, with both outputs, when the worker failed.
pub async fn finish(worker: Child) -> String {
    let output = tokio::task::spawn_blocking(move || worker.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
