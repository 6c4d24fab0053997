//! `cargo xtask webhooks [--check]`: the typed webhook events of `highlevel-webhooks`,
//! generated from HighLevel's event pages (one Markdown page per event, each with a JSON
//! Schema and examples), checked in as a Rust file.

pub mod model;
pub mod page;
pub mod render;

use crate::spec::unified_diff;
use crate::workspace::{Workspace, write_file};
use std::io::Write as _;
use std::process::{Command, Stdio};

/// The event pages, relative to the workspace root.
pub const PAGES_DIR: &str = "crates/highlevel-webhooks/events";
/// The generated file, relative to the workspace root.
pub const GENERATED_PATH: &str = "crates/highlevel-webhooks/src/events/generated.rs";

/// The generated file's text, formatted by rustfmt.
pub fn generate(ws: &Workspace) -> Result<String, String> {
    let pages = page::read_dir(&ws.root.join(PAGES_DIR))?;
    if pages.is_empty() {
        return Err(format!("no event page in {PAGES_DIR}"));
    }
    let events = render::events(pages)?;
    rustfmt(&render::render(&events, PAGES_DIR))
}

/// `cargo xtask webhooks`: writes the generated file. Returns what to print.
pub fn write(ws: &Workspace) -> Result<String, String> {
    let text = generate(ws)?;
    let path = ws.root.join(GENERATED_PATH);
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(format!("{GENERATED_PATH} is up to date\n"));
    }
    write_file(&path, text.as_bytes())?;
    Ok(format!("wrote {GENERATED_PATH}\n"))
}

/// `cargo xtask webhooks --check`: fails with a diff when the checked-in file is not what
/// the pages give.
pub fn check(ws: &Workspace) -> Result<String, String> {
    let expected = generate(ws)?;
    let checked_in = std::fs::read_to_string(ws.root.join(GENERATED_PATH))
        .map_err(|e| format!("cannot read {GENERATED_PATH}: {e}"))?;
    if checked_in == expected {
        return Ok(format!(
            "webhooks check: {GENERATED_PATH} is up to date with {PAGES_DIR}\n"
        ));
    }
    Err(format!(
        "{GENERATED_PATH} differs from what its event pages give:\n{}\n\
         Run `cargo xtask webhooks` and commit the result, or undo the hand edit.",
        unified_diff(
            &checked_in,
            &expected,
            &format!("{GENERATED_PATH} (checked in)"),
            &format!("{GENERATED_PATH} (expected)"),
        )
    ))
}

/// `text` as `cargo fmt` leaves it (the file is checked by `cargo fmt --check` too).
fn rustfmt(text: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(format!(
            "rustfmt refused the generated code:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt wrote non-UTF-8: {e}"))
}
