//! Starting the cargo that runs this xtask, for a build or check of its own, as if the user had
//! started it from their shell.

use std::path::Path;
use std::process::Command;

/// The cargo that runs this xtask (`$CARGO`, else `cargo` from `PATH`), working in `root`,
/// with the environment of the shell that started the xtask (see [`without_cargo_run_env`]).
pub fn command(root: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(root);
    without_cargo_run_env(&mut command);
    command
}

/// Whether `name` is one of the variables `cargo run` sets for the xtask itself (its manifest
/// folder, package name and version, …) rather than one the user set.
pub fn set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
        )
}

/// Removes from `command` the variables `cargo run` set for the xtask. A child cargo must not
/// inherit them: some build scripts (ring's) watch `CARGO_MANIFEST_DIR`, so a build started
/// from here would otherwise look different from the user's own builds in the same target
/// folder, and each would rebuild what the other built.
pub fn without_cargo_run_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if set_by_cargo_run(&name.to_string_lossy()) {
            command.env_remove(name);
        }
    }
}
