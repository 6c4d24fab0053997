//! The `xtask` binary's arguments, output formats and exit statuses for `spec diff`.

mod common;

use common::fixture;
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn case(name: &str) -> String {
    fixture(&format!("diff/apps/{name}.json"))
        .display()
        .to_string()
}

#[test]
fn fail_on_breaking_exits_with_2_only_for_breaking_changes() {
    let breaking = xtask(&[
        "spec",
        "diff",
        &case("base"),
        &case("request-property-removed"),
        "--fail-on",
        "breaking",
    ]);
    assert_eq!(breaking.status.code(), Some(2));
    let text = String::from_utf8(breaking.stdout).unwrap();
    assert!(
        text.contains("1 breaking, 0 needs attention, 0 compatible"),
        "{text}"
    );
    assert!(
        text.contains("CreateCalendarDTO.description: removed"),
        "{text}"
    );

    let attention = xtask(&[
        "spec",
        "diff",
        &case("base"),
        &case("method-changed"),
        "--fail-on=breaking",
    ]);
    assert_eq!(attention.status.code(), Some(0));
    let attention = xtask(&[
        "spec",
        "diff",
        &case("base"),
        &case("method-changed"),
        "--fail-on",
        "attention",
    ]);
    assert_eq!(attention.status.code(), Some(2));
}

#[test]
fn json_format_is_machine_readable() {
    let out = xtask(&[
        "spec",
        "diff",
        &case("base"),
        &case("response-enum-value-added"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["changes"][0]["kind"], "enum_value_added");
    assert_eq!(json["changes"][0]["side"], "response");
    assert_eq!(json["changes"][0]["severity"], "compatible");
    assert_eq!(json["summary"]["compatible"], 1);
}

#[test]
fn bad_arguments_exit_with_1_and_say_why() {
    let out = xtask(&["spec", "diff", &case("base")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("required arguments were not provided"));
    let out = xtask(&[
        "spec",
        "diff",
        &case("base"),
        &case("base"),
        "--fail-on",
        "sometimes",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = xtask(&["spec", "update"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
}

#[test]
fn a_dropped_operation_fails_on_breaking() {
    let dropped = xtask(&[
        "spec",
        "diff",
        &case("base"),
        &case("operation-removed"),
        "--fail-on",
        "breaking",
    ]);
    assert_eq!(dropped.status.code(), Some(2));
    let text = String::from_utf8(dropped.stdout).unwrap();
    assert!(
        text.contains("create-calendar: operation removed"),
        "{text}"
    );
}

#[test]
fn every_command_answers_help() {
    for command in [
        &[][..],
        &["spec"],
        &["spec", "normalize"],
        &["spec", "check"],
        &["spec", "update"],
        &["spec", "diff"],
        &["test"],
        &["new-client"],
        &["every-document"],
        &["bench"],
        &["build-cost"],
        &["instructions"],
        &["main-job-memory"],
        &["public-api"],
        &["msrv"],
        &["webhooks"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let out = xtask(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Usage: cargo xtask"), "{args:?}: {text}");
        assert!(
            text.lines().next().is_some_and(|l| l.len() > 20),
            "{args:?} says what it does: {text}"
        );
    }
}
