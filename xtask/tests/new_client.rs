//! `cargo xtask new-client` on HighLevel's Contacts document (every operation): the crate it
//! writes, moved to another folder, builds and its own test, every operation against the
//! schema-driven sandbox, passes, with nothing edited by hand; an answer the document does not
//! describe reads as JSON; a contact's whole life (`fixtures/new-client/contacts_lifecycle.rs`)
//! goes through the generated client. This is the round CI runs.

mod common;

use common::{TempDir, fixture, real_workspace};
use std::path::Path;
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
        checkout: Some(workspace.root.clone()),
    };
    let made = run(&workspace, &request).expect("new-client succeeds");
    assert_eq!(made.name, "highlevel-contacts");
    assert_eq!(made.operations.len(), 32, "every operation of the document");
    assert!(
        made.report.contains("DndSettingSchemaStatus"),
        "{}",
        made.report
    );
    assert!(
        made.report.contains(
            "attention: search-contacts-advanced: the document describes no answer (200); the client hands it back as `serde_json::Value`"
        ),
        "names the operations whose answer is any JSON:\n{}",
        made.report
    );
    for file in [
        "Cargo.toml",
        "build.rs",
        "src/lib.rs",
        "src/sandbox.rs",
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
    // The normalized document the Contacts runs of tests/schemathesis.rs serve is this one.
    let normalized = std::fs::read(dir.join("openapi/contacts.json")).unwrap();
    let kept = workspace
        .root
        .join("tests/fixtures/contacts-normalized.json");
    assert!(
        std::fs::read(&kept).unwrap() == normalized,
        "{} is not what new-client makes now: copy the openapi/contacts.json of a crate made \
         from xtask/tests/fixtures/new-client/apps/contacts.json over it",
        kept.display()
    );
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(
        lib.lines().count() < 70,
        "src/lib.rs only re-exports:\n{lib}"
    );
    assert!(!lib.contains("fn "), "no hand-written code runs:\n{lib}");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    for krate in ["highlevel-runtime", "highlevel-codegen"] {
        assert!(
            manifest.contains(&format!("{krate} = \"0.1.0\"")),
            "names the published version:\n{manifest}"
        );
    }
    let checkout = workspace.root.canonicalize().unwrap();
    assert!(
        manifest.contains(&format!(
            "[patch.crates-io]\nhighlevel-runtime = {{ path = \"{}/crates/highlevel-runtime\" }}",
            checkout.display()
        )),
        "this checkout only through [patch]:\n{manifest}"
    );

    // A user's own test of the answer HighLevel's document does not describe, through the
    // crate's `sandbox` feature.
    std::fs::write(dir.join("tests/search_answer.rs"), SEARCH_ANSWER_TEST).unwrap();
    // And a user's test of a contact's life, kept by the sandbox from the document alone.
    std::fs::copy(
        fixture("new-client/contacts_lifecycle.rs"),
        dir.join("tests/contacts_lifecycle.rs"),
    )
    .unwrap();

    // The crate moved to another folder, and the one it was made in gone: it depends on
    // nothing there.
    let moved = temp.0.join("elsewhere/deeper/contacts");
    copy_folder(&dir, &moved);
    std::fs::remove_dir_all(&dir).unwrap();

    // Its own workspace and lock file; a target folder of the workspace's, kept between runs
    // so that only the new crate is compiled again.
    let output = Command::new(env!("CARGO"))
        .current_dir(&moved)
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
    assert!(
        text.contains("test the_search_answer_reads_as_json ... ok"),
        "{text}"
    );
    assert!(
        text.contains(
            "test a_contact_is_created_read_listed_updated_and_deleted_with_its_notes ... ok"
        ),
        "{text}"
    );
}

/// `tests/search_answer.rs` of the Contacts crate: `search-contacts-advanced`, whose answer the
/// document does not describe, hands back the JSON the server sent.
const SEARCH_ANSWER_TEST: &str = r#"
use highlevel_contacts::sandbox::{API, Sandbox};
use highlevel_contacts::{Client, types};

#[tokio::test]
async fn the_search_answer_reads_as_json() {
    let sandbox = Sandbox::builder(API).start().await.expect("the sandbox starts");
    let client: Client = sandbox.client_builder().build().expect("a client");
    let body: types::SearchBodyV2dto =
        serde_json::from_value(serde_json::json!({"locationId": "loc_1"})).expect("a body");
    let response = client
        .search_contacts_advanced(body)
        .send()
        .await
        .expect("the sandbox answers");
    let answer: &serde_json::Value = &response.body;
    assert!(answer.is_object(), "the JSON the sandbox sent: {answer}");
}
"#;

/// Copies the files of `from` into `to`, recursively.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
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
        checkout: None,
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
