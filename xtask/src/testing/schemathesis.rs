//! Schemathesis, the OpenAPI tester run against the sandbox: a pinned version from PyPI in a
//! virtual environment of its own under `target/`, made on first use.

use super::{Tool, run_quietly};
use crate::workspace::Workspace;

/// The version the tests were written against; moving it is a deliberate change.
pub const VERSION: &str = "4.32.5";

/// The path of the pinned Schemathesis's `st`, creating its virtual environment when needed.
pub fn ensure(ws: &Workspace) -> Result<Tool, String> {
    let venv = ws
        .root
        .join("target")
        .join("tools")
        .join(format!("schemathesis-{VERSION}"));
    let st = venv.join("bin").join("st");
    if st.exists() {
        return Ok(Tool::found(st));
    }
    eprintln!(
        "cargo xtask test: installing schemathesis {VERSION} into {}",
        venv.display()
    );
    let venv_text = venv.to_string_lossy().into_owned();
    run_quietly("python3", &["-m", "venv", &venv_text])?;
    let pip = venv.join("bin").join("pip");
    let requirement = format!("schemathesis=={VERSION}");
    run_quietly(
        &pip.to_string_lossy(),
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &requirement,
        ],
    )?;
    if st.exists() {
        Ok(Tool::installed(st))
    } else {
        Err(format!(
            "pip installed {requirement}, but {} is missing",
            st.display()
        ))
    }
}
