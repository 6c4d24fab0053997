//! The `redis-server` the fleet-budget tests start: Debian's package, installed with apt-get
//! when it is not on `PATH`.

use super::{Tool, on_path, run_quietly};
use std::path::PathBuf;

/// The path of `redis-server`, installing Debian's package first when there is none.
pub fn ensure() -> Result<Tool, String> {
    if let Some(found) = on_path("redis-server") {
        return Ok(Tool::found(found));
    }
    eprintln!("cargo xtask test: installing redis-server (apt-get)");
    let install = ["install", "-y", "--no-install-recommends", "redis-server"];
    // A fresh machine may have no package lists yet: update once and try again.
    if run_quietly("apt-get", &install).is_err() {
        run_quietly("apt-get", &["update", "-q"])?;
        run_quietly("apt-get", &install)?;
    }
    on_path("redis-server")
        .or_else(|| Some(PathBuf::from("/usr/bin/redis-server")).filter(|p| p.exists()))
        .map(Tool::installed)
        .ok_or_else(|| "apt-get installed redis-server, but it is not on PATH".to_string())
}
