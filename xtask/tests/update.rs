//! `spec update`: from a loopback URL (with its external `$ref` served beside it) and from a
//! path, as a dry run, and with broken inputs that must leave `openapi/` byte-identical. Every
//! test works on a temporary copy of the workspace's `openapi/` folder.

mod common;

use common::{FileServer, TempDir, assert_only_change, fixture, hash_tree, temp_workspace};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use xtask::spec::diff::{Kind, Severity, Side};
use xtask::spec::provenance::{Provenance, sha256_hex, today_utc};
use xtask::spec::source::Source;
use xtask::spec::{self, snapshot, update};
use xtask::workspace::Workspace;

const ROOT_DOC: &str = "apps/calendars.json";
const COMMON_DOC: &str = "common/common-schemas.json";

/// The workspace's upstream document with one optional request property added, and the
/// unchanged common file it refers to.
fn changed_upstream(ws: &Workspace) -> (Vec<u8>, Vec<u8>) {
    let dir = ws.upstream_dir();
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join(ROOT_DOC)).unwrap()).unwrap();
    doc["components"]["schemas"]["CalendarCreateDTO"]["properties"]["meetingRoom"] =
        json!({"type": "string", "description": "Room to book with the meeting"});
    let root = serde_json::to_vec_pretty(&doc).unwrap();
    let common = std::fs::read(dir.join(COMMON_DOC)).unwrap();
    (root, common)
}

/// Serves the two files below `/hl/`, the way a repository's raw files are served.
fn serve(root: &[u8], common: &[u8]) -> FileServer {
    serve_under("/hl", root, common)
}

fn serve_under(prefix: &str, root: &[u8], common: &[u8]) -> FileServer {
    FileServer::start(BTreeMap::from([
        (format!("{prefix}/{ROOT_DOC}"), root.to_vec()),
        (format!("{prefix}/{COMMON_DOC}"), common.to_vec()),
    ]))
}

/// A commit hash, as in a raw-file URL pinned to a commit.
const COMMIT: &str = "4c83f3f8fa197e594632d7508a45ec65b2497a15";

fn assert_one_added_request_property(report: &xtask::spec::report::Report) {
    assert_only_change(
        report,
        (
            Side::Request,
            Kind::PropertyAdded,
            Severity::Compatible,
            "CalendarCreateDTO.meetingRoom",
        ),
    );
    assert!(
        report.obsolete_overlay_entries.is_empty(),
        "{:?}",
        report.obsolete_overlay_entries
    );
}

#[test]
fn update_from_a_loopback_url_replaces_snapshot_provenance_document_and_generated_code() {
    let (_dir, ws) = temp_workspace("update-url");
    let (root, common) = changed_upstream(&ws);
    let prefix = format!("/hl/{COMMIT}");
    let server = serve_under(&prefix, &root, &common);
    let url = format!("{}{prefix}/{ROOT_DOC}", server.base);

    let outcome = update::update(&ws, &Source::parse(&url), false).unwrap();
    assert_one_added_request_property(&outcome.report);
    assert!(!outcome.dry_run);

    // Both files came over HTTP, each once; the reference resolved next to the document.
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        [
            format!("{prefix}/{ROOT_DOC}"),
            format!("{prefix}/{COMMON_DOC}")
        ]
    );

    // The snapshot holds exactly what was served, in the same layout.
    let upstream_dir = ws.upstream_dir();
    assert_eq!(std::fs::read(upstream_dir.join(ROOT_DOC)).unwrap(), root);
    assert_eq!(
        std::fs::read(upstream_dir.join(COMMON_DOC)).unwrap(),
        common
    );
    assert!(upstream_dir.join("LICENSE").exists());

    let provenance = Provenance::read(&ws).unwrap();
    assert_eq!(provenance.source.as_deref(), Some(url.as_str()));
    assert_eq!(provenance.retrieved, Some(today_utc()));
    assert_eq!(provenance.commit.as_deref(), Some(COMMIT));
    assert!(provenance.license.unwrap().contains("CC0"));
    let recorded: BTreeMap<String, String> = provenance
        .files
        .into_iter()
        .map(|f| (f.path, f.sha256))
        .collect();
    assert_eq!(
        recorded,
        BTreeMap::from([
            (ROOT_DOC.to_string(), sha256_hex(&root)),
            (COMMON_DOC.to_string(), sha256_hex(&common)),
        ])
    );

    // The normalized document and the generated code follow.
    let config = ws.config().unwrap();
    let normalized = std::fs::read_to_string(ws.output_path(&config)).unwrap();
    assert!(normalized.contains("\"meetingRoom\""));
    let generated = std::fs::read_to_string(ws.snapshot_path()).unwrap();
    assert_eq!(generated, snapshot::generate(&normalized).unwrap());
    assert!(generated.contains("pub meeting_room:"));

    // And everything is consistent again.
    spec::check(&ws).unwrap();
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let (dir, ws) = temp_workspace("update-dry-run");
    let (root, common) = changed_upstream(&ws);
    let server = serve(&root, &common);
    let before = hash_tree(&dir.0);

    let outcome = update::update(
        &ws,
        &Source::parse(&format!("{}/hl/{ROOT_DOC}", server.base)),
        true,
    )
    .unwrap();
    assert_one_added_request_property(&outcome.report);
    assert!(outcome.dry_run);
    let summary = outcome.summary();
    assert!(summary.starts_with("dry run, nothing written"), "{summary}");
    assert!(summary.contains("  openapi/calendars.json\n"), "{summary}");
    assert_eq!(hash_tree(&dir.0), before);
}

#[test]
fn update_from_a_path_reads_references_beside_the_file() {
    let (_dir, ws) = temp_workspace("update-path");
    let (root, common) = changed_upstream(&ws);
    let source_dir = TempDir::new("update-path-source");
    std::fs::create_dir_all(source_dir.0.join("apps")).unwrap();
    std::fs::create_dir_all(source_dir.0.join("common")).unwrap();
    let root_path = source_dir.0.join(ROOT_DOC);
    std::fs::write(&root_path, &root).unwrap();
    std::fs::write(source_dir.0.join(COMMON_DOC), &common).unwrap();

    let outcome = update::update(&ws, &Source::Path(root_path.clone()), false).unwrap();
    assert_one_added_request_property(&outcome.report);
    let provenance = Provenance::read(&ws).unwrap();
    assert_eq!(
        provenance.source.as_deref(),
        Some(root_path.display().to_string().as_str())
    );
    spec::check(&ws).unwrap();

    // Updating again from the same document changes nothing (bar the provenance's date, should
    // the day have turned in between).
    let again = update::update(&ws, &Source::Path(root_path), false).unwrap();
    assert!(again.report.changes.is_empty());
    assert!(
        again
            .files
            .iter()
            .all(|(path, changed)| !changed || path.ends_with("PROVENANCE.toml"))
    );
}

/// Runs an update that must fail, and checks that it names the problem and wrote nothing.
fn assert_refused(ws: &Workspace, root: &std::path::Path, from: Source, expected: &str) {
    let before = hash_tree(root);
    let error = match update::update(ws, &from, false) {
        Ok(_) => panic!("updating from {} should fail", from.display()),
        Err(e) => e,
    };
    println!("{error}");
    assert!(
        error.contains(expected),
        "error for {} does not mention `{expected}`: {error}",
        from.display()
    );
    assert!(error.contains("no file was changed"), "{error}");
    assert_eq!(
        hash_tree(root),
        before,
        "a failed update from {} changed files",
        from.display()
    );
}

#[test]
fn broken_inputs_leave_openapi_byte_identical() {
    let (dir, ws) = temp_workspace("update-broken");
    let openapi = dir.0.join("openapi");
    for (name, expected) in [
        ("not-json.json", "is not valid JSON"),
        (
            "openapi-3.1.json",
            "OpenAPI 3.1.0; the pipeline supports 3.0.x only",
        ),
        (
            "missing-operation.json",
            "configured operation(s) not in the document: add-calendar-to-schedule,",
        ),
    ] {
        assert_refused(
            &ws,
            &openapi,
            Source::Path(fixture(&format!("broken/{name}"))),
            expected,
        );
    }
    // A document whose external reference cannot be read.
    let lonely = TempDir::new("update-broken-ref");
    std::fs::create_dir_all(lonely.0.join("apps")).unwrap();
    std::fs::copy(
        ws.upstream_dir().join(ROOT_DOC),
        lonely.0.join("apps/calendars.json"),
    )
    .unwrap();
    assert_refused(
        &ws,
        &openapi,
        Source::Path(lonely.0.join("apps/calendars.json")),
        "common-schemas.json",
    );
}

#[test]
fn broken_inputs_over_http_leave_openapi_byte_identical() {
    let (dir, ws) = temp_workspace("update-broken-http");
    let openapi = dir.0.join("openapi");
    let (root, _) = changed_upstream(&ws);
    let server = FileServer::start(BTreeMap::from([
        (
            "/bad/not-json.json".to_string(),
            std::fs::read(fixture("broken/not-json.json")).unwrap(),
        ),
        // The common file is not served beside this one.
        (format!("/hl/{ROOT_DOC}"), root),
    ]));
    assert_refused(
        &ws,
        &openapi,
        Source::parse(&format!("{}/bad/not-json.json", server.base)),
        "is not valid JSON",
    );
    assert_refused(
        &ws,
        &openapi,
        Source::parse(&format!("{}/missing.json", server.base)),
        "404",
    );
    assert_refused(
        &ws,
        &openapi,
        Source::parse(&format!("{}/hl/{ROOT_DOC}", server.base)),
        "/hl/common/common-schemas.json",
    );
}
