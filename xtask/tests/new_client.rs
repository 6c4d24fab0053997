//! `cargo xtask new-client` on HighLevel's Contacts document (every operation): the crate it
//! writes builds and its own test, every operation against the schema-driven sandbox, passes,
//! with nothing edited by hand. This is the round CI runs.

mod common;

use common::{TempDir, fixture, real_workspace};
use std::process::Command;
use xtask::new_client::{Request, run};
use xtask::spec::source::Source;

fn contacts() -> Source {
    Source::Path(fixture("new-client/apps/contacts.json"))
}

#[test]
fn a_contacts_client_is_generated_built_and_passes_its_tests() {
    let temp = TempDir::new("new-client-contacts");
    let dir = temp.0.join("contacts");
    let workspace = real_workspace();
    let request = Request {
        dir: dir.clone(),
        from: contacts(),
        operations: None,
        name: None,
    };
    let made = run(&workspace, &request).expect("new-client succeeds");
    assert_eq!(made.name, "highlevel-contacts");
    assert_eq!(made.operations.len(), 32, "every operation of the document");
    assert!(
        made.report.contains("DndSettingSchemaStatus"),
        "{}",
        made.report
    );
    for file in [
        "Cargo.toml",
        "build.rs",
        "src/lib.rs",
        "tests/every_operation.rs",
        "openapi/pipeline.toml",
        "openapi/overlay.toml",
        "openapi/contacts.json",
        "openapi/upstream/apps/contacts.json",
        "openapi/upstream/common/common-schemas.json",
        "openapi/upstream/PROVENANCE.toml",
    ] {
        assert!(dir.join(file).is_file(), "{file} is missing");
    }
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(
        lib.lines().count() < 70,
        "src/lib.rs only re-exports:\n{lib}"
    );
    assert!(!lib.contains("fn "), "no hand-written code runs:\n{lib}");

    // Its own workspace and lock file; a target folder of the workspace's, kept between runs
    // so that only the new crate is compiled again.
    let output = Command::new(env!("CARGO"))
        .current_dir(&dir)
        .arg("test")
        .env("CARGO_TARGET_DIR", workspace.root.join("target/new-client"))
        .output()
        .expect("cargo runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "cargo test failed:\n{text}");
    assert!(
        text.contains("test every_operation_succeeds_against_the_sandbox ... ok"),
        "{text}"
    );
}

#[test]
fn unknown_operations_and_a_used_folder_are_refused_before_anything_is_written() {
    let temp = TempDir::new("new-client-refusals");
    let dir = temp.0.join("contacts");
    let request = Request {
        dir: dir.clone(),
        from: contacts(),
        operations: Some(vec!["get-contact".into(), "no-such-operation".into()]),
        name: None,
    };
    let error = run(&real_workspace(), &request).unwrap_err();
    assert!(error.contains("no-such-operation"), "{error}");
    assert!(!dir.exists(), "nothing written");

    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    let request = Request {
        operations: None,
        ..request
    };
    let error = run(&real_workspace(), &request).unwrap_err();
    assert!(error.contains("not empty"), "{error}");
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).unwrap(),
        "mine"
    );
}
