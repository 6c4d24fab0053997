//! `cargo xtask msrv`: checks the declared minimum Rust version (`rust-version`).
//!
//! Only one stable toolchain exists on the build machines, so the check cannot compile with the
//! declared version itself. It does the two things that can be checked here: no crate in the
//! resolved dependency graph declares a newer `rust-version` than ours, and (in `.ci/run`)
//! clippy's `incompatible_msrv` lint, which reads `rust-version`, rejects standard-library APIs
//! newer than it in our own code.

use crate::workspace::Workspace;
use serde_json::Value;
use std::process::Command;

/// A `major.minor` Rust version.
fn parse(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// The crates (name, version, rust-version) in `metadata` that need a newer Rust than `msrv`.
pub fn too_new(metadata: &Value, msrv: (u64, u64)) -> Vec<(String, String, String)> {
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let wanted = p["rust_version"].as_str()?;
            (parse(wanted)? > msrv).then(|| {
                (
                    p["name"].as_str().unwrap_or("?").to_string(),
                    p["version"].as_str().unwrap_or("?").to_string(),
                    wanted.to_string(),
                )
            })
        })
        .collect()
}

/// Runs the check.
pub fn check(ws: &Workspace) -> Result<String, String> {
    let output = Command::new("cargo")
        .args([
            "metadata",
            "--format-version",
            "1",
            "--all-features",
            "--locked",
        ])
        .current_dir(&ws.root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed something that is not JSON: {e}"))?;
    let ours = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "highlevel-calendars")
        .and_then(|p| p["rust_version"].as_str())
        .ok_or("the root package declares no rust-version")?
        .to_string();
    let msrv = parse(&ours).ok_or_else(|| format!("cannot read rust-version `{ours}`"))?;
    let offenders = too_new(&metadata, msrv);
    if offenders.is_empty() {
        Ok(format!(
            "msrv: rust-version {ours}; no dependency needs a newer Rust (clippy's incompatible_msrv lint covers our own code)\n"
        ))
    } else {
        let list: Vec<String> = offenders
            .iter()
            .map(|(name, version, wanted)| format!("  {name} {version} needs Rust {wanted}"))
            .collect();
        Err(format!(
            "rust-version is {ours}, but these dependencies need a newer Rust:\n{}\nRaise rust-version (and say so in CHANGELOG.md) or pin older versions.",
            list.join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_dependencies_that_need_a_newer_rust() {
        let metadata = json!({"packages": [
            {"name": "old", "version": "1.0.0", "rust_version": "1.70"},
            {"name": "same", "version": "1.0.0", "rust_version": "1.88"},
            {"name": "new", "version": "2.0.0", "rust_version": "1.90.1"},
            {"name": "none", "version": "1.0.0", "rust_version": null}
        ]});
        let found = too_new(&metadata, (1, 88));
        assert_eq!(found, vec![("new".into(), "2.0.0".into(), "1.90.1".into())]);
    }
}
