//! `cargo xtask public-api [--check]`: the crate's public Rust API, one item per line, checked
//! in as `xtask/public-api.txt`.
//!
//! A spec update changes generated types; a hand-written change changes the rest. Either way
//! the diff of this file tells a reviewer what users see, and [`bump`] says which version bump
//! that change needs under semver. The listing comes from rustdoc's JSON output, which only a
//! nightly toolchain writes; the `public-api` crate turns it into text.

use crate::workspace::Workspace;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The snapshot, relative to the workspace root.
pub const SNAPSHOT_PATH: &str = "xtask/public-api.txt";

/// The features whose API the snapshot covers (all that add public items).
const FEATURES: &str = "sandbox,redis,webhooks";

/// Renders the current public API (builds rustdoc JSON with the nightly toolchain).
pub fn current(ws: &Workspace) -> Result<String, String> {
    let target_dir = ws.root.join("target/public-api");
    let status = Command::new("cargo")
        .args([
            "+nightly",
            "rustdoc",
            "--quiet",
            "-p",
            "highlevel-calendars",
            "--lib",
        ])
        .args(["--features", FEATURES, "--target-dir"])
        .arg(&target_dir)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        .current_dir(&ws.root)
        .status()
        .map_err(|e| format!("cannot run cargo +nightly rustdoc: {e}"))?;
    if !status.success() {
        return Err(
            "cargo +nightly rustdoc failed: the public-API listing needs rustdoc's JSON output, which only the nightly toolchain writes"
                .into(),
        );
    }
    render(&json_path(&target_dir))
}

fn json_path(target_dir: &Path) -> PathBuf {
    target_dir.join("doc").join("highlevel_calendars.json")
}

fn render(json: &Path) -> Result<String, String> {
    let api = public_api::Builder::from_rustdoc_json(json)
        .build()
        .map_err(|e| format!("cannot read {}: {e}", json.display()))?;
    let mut text = api.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// The version bump a public-API change needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// Nothing users can see changed.
    None,
    /// Items were only added.
    Minor,
    /// An item was removed or its signature changed.
    Major,
}

/// Which bump turns `old` into `new` (while the crate is 0.x, cargo reads "minor" as the
/// breaking position: a `Major` here means 0.x -> 0.(x+1)).
pub fn bump(old: &str, new: &str) -> Bump {
    let old_items: std::collections::BTreeSet<&str> = old.lines().collect();
    let new_items: std::collections::BTreeSet<&str> = new.lines().collect();
    if old_items.difference(&new_items).next().is_some() {
        Bump::Major
    } else if new_items.difference(&old_items).next().is_some() {
        Bump::Minor
    } else {
        Bump::None
    }
}

/// `cargo xtask public-api`: rewrites the snapshot and says what bump the change needs.
pub fn update(ws: &Workspace) -> Result<String, String> {
    let path = ws.root.join(SNAPSHOT_PATH);
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let new = current(ws)?;
    std::fs::write(&path, &new).map_err(|e| format!("cannot write {SNAPSHOT_PATH}: {e}"))?;
    Ok(format!(
        "wrote {SNAPSHOT_PATH} ({} items); {}\n",
        new.lines().count(),
        describe(bump(&old, &new))
    ))
}

/// `cargo xtask public-api --check`: fails with a diff when the API differs from the snapshot.
pub fn check(ws: &Workspace) -> Result<String, String> {
    let old = std::fs::read_to_string(ws.root.join(SNAPSHOT_PATH))
        .map_err(|e| format!("cannot read {SNAPSHOT_PATH}: {e}"))?;
    let new = current(ws)?;
    match bump(&old, &new) {
        Bump::None => Ok(format!(
            "public-api: unchanged ({} items)\n",
            new.lines().count()
        )),
        change => Err(format!(
            "the public API differs from {SNAPSHOT_PATH}; {}\n{}\nRun `cargo xtask public-api`, commit the snapshot, and note the change in CHANGELOG.md.",
            describe(change),
            crate::spec::unified_diff(&old, &new, SNAPSHOT_PATH, "current API")
        )),
    }
}

fn describe(bump: Bump) -> &'static str {
    match bump {
        Bump::None => "no public change",
        Bump::Minor => "items were added: release as a minor version (patch while 0.x)",
        Bump::Major => {
            "items were removed or changed: release as a major version (minor while 0.x)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_are_major_additions_minor() {
        let old = "pub fn a()\npub fn b()\n";
        assert_eq!(bump(old, old), Bump::None);
        assert_eq!(
            bump(old, "pub fn a()\npub fn b()\npub fn c()\n"),
            Bump::Minor
        );
        assert_eq!(bump(old, "pub fn a()\n"), Bump::Major);
        assert_eq!(bump(old, "pub fn a(x: u8)\npub fn b()\n"), Bump::Major);
    }
}
