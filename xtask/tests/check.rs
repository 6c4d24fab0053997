//! `spec check` and `spec normalize` on temporary copies of `openapi/`: stale or hand-edited
//! artifacts are caught with a diff, the overlay and the steps must agree, and the operation set
//! is configuration.

mod common;

use common::{assert_only_change, real_workspace, temp_workspace};
use xtask::spec::diff::{Kind, Severity, Side};
use xtask::spec::source::Source;
use xtask::spec::{self, snapshot, spec_diff};
use xtask::workspace::Workspace;

fn check_error(ws: &Workspace) -> String {
    match spec::check(ws) {
        Ok(out) => panic!("spec check passed: {out}"),
        Err(e) => e,
    }
}

#[test]
fn the_checked_in_artifacts_are_up_to_date() {
    spec::check(&real_workspace()).unwrap();
}

#[test]
fn the_snapshot_is_what_build_rs_generates_from_the_normalized_document() {
    let ws = real_workspace();
    let config = ws.config().unwrap();
    let normalized = std::fs::read_to_string(ws.output_path(&config)).unwrap();
    let checked_in = std::fs::read_to_string(ws.snapshot_path()).unwrap();
    assert_eq!(checked_in, snapshot::generate(&normalized).unwrap());
}

#[test]
fn every_overlay_entry_is_still_needed_by_the_current_upstream() {
    let artifacts = spec::artifacts(&real_workspace()).unwrap();
    let obsolete = artifacts
        .overlay
        .obsolete(&artifacts.upstream.normalized.steps);
    assert!(obsolete.is_empty(), "{obsolete:?}");
}

#[test]
fn normalizing_the_normalized_document_changes_nothing() {
    // `spec diff` relies on this to accept normalized documents as well as raw ones.
    let ws = real_workspace();
    let config = ws.config().unwrap();
    let path = ws.output_path(&config);
    let again = xtask::spec::document::read_upstream(
        &Source::Path(path.clone()),
        &config,
        &ws.overlay().unwrap(),
    )
    .unwrap();
    assert_eq!(
        xtask::spec::normalize::to_pretty(&again.normalized.doc),
        std::fs::read_to_string(path).unwrap()
    );
    let changed: Vec<&str> = again
        .normalized
        .steps
        .iter()
        .filter(|s| s.changed)
        .map(|s| s.name)
        .collect();
    assert!(changed.is_empty(), "{changed:?}");
}

#[test]
fn check_detects_a_hand_edited_normalized_document() {
    let (_dir, ws) = temp_workspace("check-hand-edit");
    spec::check(&ws).unwrap();
    let path = ws.output_path(&ws.config().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("\"Create Calendar\"", "\"Create a calendar\"", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();

    let error = check_error(&ws);
    assert!(
        error.contains(
            "openapi/calendars.json differs from what `cargo xtask spec normalize` writes"
        ),
        "{error}"
    );
    assert!(error.contains("@@"), "not a unified diff: {error}");
    assert!(
        error.contains("-        \"summary\": \"Create a calendar\""),
        "{error}"
    );
    assert!(
        error.contains("+        \"summary\": \"Create Calendar\""),
        "{error}"
    );

    // `spec normalize` puts it back.
    let out = spec::normalize(&ws).unwrap();
    assert!(out.contains("wrote openapi/calendars.json"), "{out}");
    spec::check(&ws).unwrap();
}

#[test]
fn check_detects_a_stale_generated_code_snapshot() {
    let (_dir, ws) = temp_workspace("check-stale-snapshot");
    let path = ws.snapshot_path();
    let text = std::fs::read_to_string(&path).unwrap();
    let stale = text.replacen("pub struct CalendarDto {", "pub struct CalendarDTO {", 1);
    assert_ne!(stale, text);
    std::fs::write(&path, stale).unwrap();

    let error = check_error(&ws);
    assert!(
        error.contains("openapi/generated.rs.snap differs from what build.rs generates"),
        "{error}"
    );
    assert!(error.contains("-    pub struct CalendarDTO {"), "{error}");
    assert!(error.contains("+    pub struct CalendarDto {"), "{error}");

    std::fs::remove_file(&path).unwrap();
    assert!(check_error(&ws).contains("openapi/generated.rs.snap is missing"));
    let out = spec::normalize(&ws).unwrap();
    assert!(out.contains("wrote openapi/generated.rs.snap"), "{out}");
    spec::check(&ws).unwrap();
}

#[test]
fn check_detects_an_edited_upstream_snapshot() {
    let (_dir, ws) = temp_workspace("check-upstream-edit");
    let path = ws.upstream_dir().join("common/common-schemas.json");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    let error = check_error(&ws);
    assert!(
        error.contains("the upstream snapshot was edited"),
        "{error}"
    );
    assert!(
        error.contains("common/common-schemas.json has sha256"),
        "{error}"
    );
}

#[test]
fn an_overlay_entry_without_a_step_fails_the_check() {
    let (_dir, ws) = temp_workspace("check-overlay-extra");
    let mut overlay = std::fs::read_to_string(ws.overlay_path()).unwrap();
    overlay
        .push_str("\n[rename_everything]\nchange = \"x\"\nreason = \"y\"\nobsolete_when = \"z\"\n");
    std::fs::write(ws.overlay_path(), overlay).unwrap();
    let error = check_error(&ws);
    assert!(
        error.contains("entries that name no normalizer step: rename_everything"),
        "{error}"
    );
}

#[test]
fn a_step_without_an_overlay_entry_does_not_run() {
    let (_dir, ws) = temp_workspace("check-overlay-missing");
    let overlay = std::fs::read_to_string(ws.overlay_path()).unwrap();
    let start = overlay.find("[drop_defaults]").unwrap();
    let end = start + overlay[start..].find("\n\n").unwrap();
    let mut without = overlay.clone();
    without.replace_range(start..end, "");
    std::fs::write(ws.overlay_path(), without).unwrap();
    let before = std::fs::read(ws.output_path(&ws.config().unwrap())).unwrap();

    let error = spec::normalize(&ws).unwrap_err();
    assert!(
        error.contains("without an entry in overlay.toml: drop_defaults"),
        "{error}"
    );
    assert!(check_error(&ws).contains("drop_defaults"));
    assert_eq!(
        std::fs::read(ws.output_path(&ws.config().unwrap())).unwrap(),
        before
    );
}

/// Sets the `operations` list of the pipeline configuration of `ws`.
fn set_operations(ws: &Workspace, operations: &[&str]) {
    let path = ws.config_path();
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("operations = [").unwrap();
    let end = start + text[start..].find(']').unwrap() + 1;
    let list: Vec<String> = operations.iter().map(|id| format!("\"{id}\"")).collect();
    let mut changed = text.clone();
    changed.replace_range(start..end, &format!("operations = [{}]", list.join(", ")));
    std::fs::write(&path, changed).unwrap();
}

#[test]
fn the_configuration_keeps_every_operation_of_the_document() {
    let ws = real_workspace();
    let config = ws.config().unwrap();
    let upstream: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.upstream_path(&config)).unwrap()).unwrap();
    let normalized: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.output_path(&config)).unwrap()).unwrap();
    let ids = |doc: &serde_json::Value| -> std::collections::BTreeSet<String> {
        xtask::spec::schema_walk::operations(doc)
            .iter()
            .filter_map(|(_, _, op)| op["operationId"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(ids(&upstream).len(), 41);
    assert_eq!(ids(&normalized), ids(&upstream));
    let configured: std::collections::BTreeSet<String> =
        config.operations.iter().cloned().collect();
    assert_eq!(configured, ids(&upstream));
    let generated = std::fs::read_to_string(ws.snapshot_path()).unwrap();
    for id in [
        "get_calendars",
        "update_appointment_note",
        "create_schedule",
    ] {
        assert!(
            generated.contains(&format!("pub fn {id}(")),
            "no {id} in the snapshot"
        );
    }
}

#[test]
fn another_operation_needs_only_a_config_change() {
    let (dir, ws) = temp_workspace("config-get-calendar");
    set_operations(&ws, &["create-calendar"]);
    spec::normalize(&ws).unwrap();
    let old_normalized = dir.0.join("create-calendar-only.json");
    std::fs::copy(ws.output_path(&ws.config().unwrap()), &old_normalized).unwrap();
    set_operations(&ws, &["create-calendar", "get-calendar"]);

    // normalize writes the document and the code build.rs generates from it, so progenitor
    // accepted the document.
    spec::normalize(&ws).unwrap();
    spec::check(&ws).unwrap();
    let normalized = std::fs::read_to_string(ws.output_path(&ws.config().unwrap())).unwrap();
    assert!(normalized.contains("\"operationId\": \"get-calendar\""));
    assert!(!normalized.contains("\"operationId\": \"get-calendars\""));
    let generated = snapshot::generate(&normalized).unwrap();
    assert!(
        generated.contains("pub fn get_calendar(&self)"),
        "no get_calendar"
    );
    assert!(generated.contains("pub fn create_calendar(&self)"));
    assert_eq!(
        generated,
        std::fs::read_to_string(ws.snapshot_path()).unwrap()
    );

    // The report names the new operation, and nothing else changes for create-calendar.
    let new_normalized = ws.output_path(&ws.config().unwrap());
    let report = spec_diff::diff(
        &ws,
        &Source::Path(old_normalized),
        &Source::Path(new_normalized),
    )
    .unwrap();
    assert_only_change(
        &report,
        (
            Side::Request,
            Kind::OperationAdded,
            Severity::Compatible,
            "get-calendar",
        ),
    );
}
