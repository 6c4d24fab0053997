//! `cargo xtask msrv`: checks the declared minimum Rust version (`rust-version`).
//!
//! Two steps, cheapest first:
//!
//! 1. no crate in the locked dependency graph declares a newer `rust-version` than ours (a
//!    dependency update that raises it is named, instead of surfacing as a compile error);
//! 2. the library is built with exactly that toolchain (`rustup toolchain install <version>
//!    --profile minimal`, then `cargo +<version> build --locked --lib --features sandbox` in
//!    `target/msrv`), so `build.rs`, progenitor's output and our own code are all compiled by
//!    the oldest compiler we promise. `--no-build` stops after step 1; when rustup cannot
//!    download the toolchain, the report says so in capitals and step 1 stands alone.
//!
//! Only the library is built: tests, benches and examples use dev-dependencies that users never
//! compile. `native-tls` is left out because it needs OpenSSL's headers on the machine.

use crate::workspace::Workspace;
use serde_json::Value;
use std::process::Command;

/// The features the MSRV build turns on (everything that needs no system library).
pub const BUILD_FEATURES: &str = "sandbox";

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

/// Runs the check; with `build`, also compiles the library with the declared toolchain.
///
/// A toolchain that cannot be installed (no route to the Rust distribution server) is reported,
/// not failed: the build machines' documentation says only one toolchain is available, and CI
/// must not depend on a download that may be refused. A build that fails is an error.
pub fn check(ws: &Workspace, build: bool) -> Result<String, String> {
    let ours = check_dependencies(ws)?;
    let mut report = format!("msrv: rust-version {ours}; no dependency needs a newer Rust\n");
    if build {
        match install(&ours) {
            Ok(()) => {
                build_with(ws, &ours)?;
                report.push_str(&format!(
                    "msrv: the library (features: {BUILD_FEATURES}) builds with Rust {ours}\n"
                ));
            }
            Err(e) => report.push_str(&format!(
                "msrv: NOT built with Rust {ours}: the toolchain could not be installed ({e}); \
                 only the dependency check above ran\n"
            )),
        }
    }
    Ok(report)
}

/// Installs toolchain `version` with rustup unless it is there already.
fn install(version: &str) -> Result<(), String> {
    let present = Command::new("rustup")
        .args(["run", version, "rustc", "--version"])
        .env("RUSTUP_AUTO_INSTALL", "0")
        .output()
        .is_ok_and(|output| output.status.success());
    if present {
        return Ok(());
    }
    run(Command::new("rustup").args([
        "toolchain",
        "install",
        version,
        "--profile",
        "minimal",
        "--no-self-update",
    ]))
}

/// Builds the library with toolchain `version`.
fn build_with(ws: &Workspace, version: &str) -> Result<(), String> {
    let target_dir = ws.root.join("target").join("msrv");
    run(Command::new("cargo")
        .arg(format!("+{version}"))
        .args(["build", "--locked", "--lib", "--features", BUILD_FEATURES])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(&ws.root)
        // Set by the outer `cargo xtask`; they would pin the child to the newer toolchain.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("CARGO"))
}

/// Runs `command` with inherited output; an error names the command and its status.
fn run(command: &mut Command) -> Result<(), String> {
    eprintln!("msrv: {command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}

/// Step 1: returns our `rust-version` when no dependency declares a newer one.
fn check_dependencies(ws: &Workspace) -> Result<String, String> {
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
        Ok(ours)
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
