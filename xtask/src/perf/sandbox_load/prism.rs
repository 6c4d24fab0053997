//! Prism, Stoplight's mock server, as the comparison: a pinned version from npm installed
//! under `target/tools/` on first use, run as `prism mock DOCUMENT`.

use crate::perf::measure;
use crate::workspace::Workspace;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The version the README's figures were measured with; moving it is a deliberate change.
pub const VERSION: &str = "5.16.0";

/// The package.
const PACKAGE: &str = "@stoplight/prism-cli";

/// The pinned Prism's executable, installed with npm when missing.
pub fn ensure(ws: &Workspace) -> Result<PathBuf, String> {
    let prefix = ws
        .root
        .join("target")
        .join("tools")
        .join(format!("prism-{VERSION}"));
    let prism = prefix.join("node_modules").join(".bin").join("prism");
    if prism.exists() {
        return Ok(prism);
    }
    eprintln!(
        "sandbox-load: installing {PACKAGE}@{VERSION} into {}",
        prefix.display()
    );
    let mut npm = Command::new("npm");
    npm.arg("install")
        .arg("--prefix")
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--silent"])
        .arg(format!("{PACKAGE}@{VERSION}"));
    let (_, output) = measure::run_timed(&mut npm)?;
    measure::succeeded(&output, "npm install")?;
    match prism.exists() {
        true => Ok(prism),
        false => Err(format!(
            "npm installed {PACKAGE}@{VERSION}, but {} is missing",
            prism.display()
        )),
    }
}

/// `prism mock DOCUMENT` on `addr`. Prism checks each request against the document and answers
/// from its examples; it keeps no state.
pub fn mock(prism: &Path, document: &Path, addr: SocketAddr) -> Command {
    let mut command = Command::new(prism);
    command.arg("mock").arg(document).args([
        "-h",
        &addr.ip().to_string(),
        "-p",
        &addr.port().to_string(),
    ]);
    command
}
