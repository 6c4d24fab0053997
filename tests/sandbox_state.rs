//! `highlevel-sandbox --state FILE`: calendars outlive the process, even a killed one, and
//! without the option nothing is kept. Changes are appended to `FILE.journal`, which is folded
//! into the snapshot at `FILE` at start, when it grows large and on SIGTERM.
#![cfg(all(feature = "sandbox", unix))]

mod common;

use common::program::{raw_call, start_program, stop};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const VERSION: &str = "2021-04-15";

/// Sends `method` to `path` of the program at `url`, as Calendars' `Version`.
async fn call(url: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    raw_call(VERSION, method, format!("{url}{path}"), body).await
}

/// The program started with `args`, and its base URL.
fn start(args: &[&str]) -> (Child, String) {
    start_program(args, Stdio::null())
}

/// `FILE.journal` beside the state file.
fn journal_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// The lines of the journal (none when there is no journal).
fn journal_lines(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(journal_of(file)).unwrap_or_default();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The snapshot's resources.
fn snapshot(file: &Path) -> Vec<Value> {
    let saved: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    saved["resources"].as_array().unwrap().clone()
}

/// A fresh folder for one test's state file.
fn state_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn calendars_outlive_the_process_with_state_and_not_without() {
    highlevel_calendars::install_tls_provider();
    let dir = state_dir("sandbox-state");
    let file = dir.join("calendars.json");
    let state = ["--state", file.to_str().unwrap()];

    let (first, url) = start(&state);
    let calendar =
        json!({"locationId": "loc", "name": "Kept", "calendarType": "event", "slug": "kept"});
    let (status, created) = call(&url, Method::POST, "/calendars/", Some(calendar)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["calendar"]["id"].as_str().unwrap().to_string();
    let renamed = json!({"name": "Renamed"});
    let (status, _) = call(
        &url,
        Method::PUT,
        &format!("/calendars/{id}"),
        Some(renamed),
    )
    .await;
    assert_eq!(status, 200);
    // Killed, not stopped: what was changed is on disk already, a journal line each.
    stop(first, "-KILL");
    let ops: Vec<Value> = journal_lines(&file)
        .into_iter()
        .map(|line| line["op"].clone())
        .collect();
    assert_eq!(ops, [json!("put"), json!("put")], "a create and an update");
    assert!(!file.exists(), "no snapshot until the journal is folded in");

    let (second, url) = start(&state);
    assert!(!journal_of(&file).exists(), "folded in at start");
    assert_eq!(snapshot(&file)[0]["resource"]["name"], "Renamed");
    let (status, fetched) = call(&url, Method::GET, &format!("/calendars/{id}"), None).await;
    assert_eq!(status, 200, "{fetched}");
    assert_eq!(fetched["calendar"]["name"], "Renamed");
    assert_eq!(
        fetched["calendar"]["slotDuration"], 30,
        "stored with its defaults"
    );
    let again =
        json!({"locationId": "loc", "name": "Twin", "calendarType": "event", "slug": "kept"});
    let (status, _) = call(&url, Method::POST, "/calendars/", Some(again)).await;
    assert_eq!(status, 409, "the loaded calendar still holds its slug");
    let (status, _) = call(&url, Method::DELETE, &format!("/calendars/{id}"), None).await;
    assert_eq!(status, 200);
    stop(second, "-TERM");

    let (third, url) = start(&state);
    let (status, _) = call(&url, Method::GET, &format!("/calendars/{id}"), None).await;
    assert_eq!(status, 404, "the deletion was kept too");
    stop(third, "-TERM");
    assert_eq!(snapshot(&file), [] as [Value; 0]);

    // Without --state, a new process knows nothing of the last one.
    let (plain, url) = start(&[]);
    let calendar = json!({"locationId": "loc", "name": "Gone", "calendarType": "event"});
    let (_, created) = call(&url, Method::POST, "/calendars/", Some(calendar)).await;
    let id = created["calendar"]["id"].as_str().unwrap().to_string();
    stop(plain, "-TERM");
    let (plain, url) = start(&[]);
    let (status, _) = call(&url, Method::GET, &format!("/calendars/{id}"), None).await;
    assert_eq!(status, 404);
    stop(plain, "-TERM");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(
        left.len(),
        1,
        "only the state file, no temporary, no journal: {left:?}"
    );
}

#[tokio::test]
async fn a_journal_line_cut_short_by_a_crash_is_ignored() {
    highlevel_calendars::install_tls_provider();
    let dir = state_dir("sandbox-state-torn");
    let file = dir.join("calendars.json");
    let state = ["--state", file.to_str().unwrap()];
    let (first, url) = start(&state);
    let calendar = json!({"locationId": "loc", "name": "Whole", "calendarType": "event"});
    let (status, created) = call(&url, Method::POST, "/calendars/", Some(calendar)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["calendar"]["id"].as_str().unwrap().to_string();
    stop(first, "-KILL");
    // What a power cut mid-write leaves: a last line without its end.
    let mut text = std::fs::read(journal_of(&file)).unwrap();
    text.extend_from_slice(br#"{"op": "put", "collection": "/calendars", "sco"#);
    std::fs::write(journal_of(&file), &text).unwrap();

    let (second, url) = start(&state);
    let (status, fetched) = call(&url, Method::GET, &format!("/calendars/{id}"), None).await;
    assert_eq!(
        (status, &fetched["calendar"]["name"]),
        (200, &json!("Whole"))
    );
    stop(second, "-TERM");
    assert_eq!(snapshot(&file).len(), 1);
    assert!(!journal_of(&file).exists());

    // A bad line that is not the last is no crash's doing: refused, naming file and line.
    std::fs::write(journal_of(&file), b"not a change\n{}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_highlevel-sandbox"))
        .args(state)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("calendars.json.journal: line 1"), "{text}");
}

#[tokio::test]
async fn the_journal_is_folded_in_once_it_outgrows_the_resources() {
    highlevel_calendars::install_tls_provider();
    let dir = state_dir("sandbox-state-fold");
    let file = dir.join("calendars.json");
    let state = ["--state", file.to_str().unwrap()];
    let unlimited = ["--rate-limit", "1000000/1s", "--daily-limit", "1000000"];
    let (program, url) = start(&[&state[..], &unlimited[..]].concat());
    let calendar = json!({"locationId": "loc", "name": "Busy", "calendarType": "event"});
    let (_, created) = call(&url, Method::POST, "/calendars/", Some(calendar)).await;
    let id = created["calendar"]["id"].as_str().unwrap().to_string();
    // One calendar renamed over and over: the journal passes twice the resources kept plus
    // 1,024 lines and is folded into the snapshot while the program runs.
    let renames = 1_100;
    let client = reqwest::Client::new();
    for n in 0..renames {
        let rename = json!({"name": format!("rename {n}")});
        let response = client
            .put(format!("{url}/calendars/{id}"))
            .bearer_auth("any-token")
            .header("Version", VERSION)
            .json(&rename)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let lines = journal_lines(&file).len();
    assert!(lines < renames - 1_000, "folded in: {lines} lines left");
    assert_eq!(snapshot(&file).len(), 1);
    stop(program, "-TERM");
    assert!(!journal_of(&file).exists(), "folded in on SIGTERM");
    let kept = snapshot(&file);
    assert_eq!(
        kept[0]["resource"]["name"],
        format!("rename {}", renames - 1)
    );
}

#[test]
fn a_state_file_that_is_not_calendars_is_refused_at_start() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-bad-state");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("calendars.json");
    std::fs::write(&file, b"{\"calendars\": []}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_highlevel-sandbox"))
        .args(["--state", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no base URL: it never listened");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("calendars.json"), "{text}");
}
