//! The README's main job run as a process: against the sandbox, its settings read like
//! `Client::from_env()`, and its exit status and message on failure.

use super::*;

/// The compiled main job: `cargo test` builds examples next to the test binaries; when only
/// this test target was built, cargo builds the example.
fn main_job() -> std::process::Command {
    let name = format!("create_calendar{}", std::env::consts::EXE_SUFFIX);
    let built = std::env::current_exe()
        .ok()
        .and_then(|test| Some(test.parent()?.parent()?.join("examples").join(name)))
        .filter(|path| path.is_file());
    let mut command = match built {
        Some(path) => std::process::Command::new(path),
        None => {
            let mut cargo = std::process::Command::new(env!("CARGO"));
            cargo.args([
                "run",
                "--quiet",
                "--manifest-path",
                concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
                "--example",
                "create_calendar",
                "--features",
                "sandbox",
                "--",
            ]);
            cargo
        }
    };
    for variable in [
        "HIGHLEVEL_TOKEN",
        "HIGHLEVEL_LOCATION_ID",
        "HIGHLEVEL_BASE_URL",
    ] {
        command.env_remove(variable);
    }
    command
}

#[test]
fn the_main_job_creates_the_seed_in_the_sandbox() {
    let output = main_job().output().expect("the main job runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let mut lines = stdout.lines();
    let notice = lines.next().unwrap_or_default();
    assert!(notice.contains("sandbox"), "{stdout}");
    let id = lines
        .next()
        .and_then(|l| l.strip_prefix("created calendar "))
        .unwrap_or_else(|| panic!("no id in:\n{stdout}"));
    assert!(is_calendar_id(id), "{id}");
    assert!(stdout.contains("name: test calendar"), "{stdout}");
    assert!(stdout.contains("type: round_robin"), "{stdout}");
    assert!(stdout.contains("slug: test1"), "{stdout}");
    assert!(stdout.contains("99/100 left in the interval"), "{stdout}");
}

#[test]
fn the_main_job_reports_a_refused_definition_and_fails() {
    let path = std::env::temp_dir().join(format!("sandbox-test-{}.json", std::process::id()));
    std::fs::write(&path, two_member_personal().to_string()).unwrap();
    let output = main_job().arg(&path).output().expect("the main job runs");
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("teamMembers"), "{stderr}");
}

/// Runs the main job against `sandbox` with `token` and `location` in its environment.
async fn main_job_against(sandbox: &Sandbox, token: &str, location: &str) -> std::process::Output {
    let vars = [
        ("HIGHLEVEL_TOKEN", token.to_string()),
        ("HIGHLEVEL_LOCATION_ID", location.to_string()),
        ("HIGHLEVEL_BASE_URL", sandbox.base_url().to_string()),
    ];
    // Waiting for the process blocks; the sandbox answers on the runtime's other thread.
    tokio::task::spawn_blocking(move || main_job().envs(vars).output().expect("the main job runs"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_job_reads_its_settings_like_client_from_env() {
    let sandbox = accepting_only("env-token").await;
    let output = main_job_against(&sandbox, "env-token", "loc_from_env").await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !stdout.contains("sandbox"),
        "a configured server is used as is: {stdout}"
    );
    let stored = sandbox.calendars_in("loc_from_env");
    assert_eq!(
        stored.len(),
        1,
        "the location comes from HIGHLEVEL_LOCATION_ID"
    );
    assert!(
        stdout.contains(stored[0]["id"].as_str().unwrap()),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_job_prints_status_message_and_trace_id_on_an_api_error() {
    let sandbox = accepting_only("the-right-token").await;
    let output = main_job_against(&sandbox, "a-wrong-token", "loc").await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("401"), "{stderr}");
    assert!(stderr.contains("Invalid token"), "{stderr}");
    assert!(stderr.contains("traceId "), "{stderr}");
    assert!(
        !stderr.contains("a-wrong-token"),
        "the token is never printed: {stderr}"
    );
}
