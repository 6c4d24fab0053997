//! `openapi/pipeline.toml`: which document, which operations, which names.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The pipeline configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Upstream document, relative to the config file.
    pub upstream: PathBuf,
    /// Normalized document, relative to the config file.
    pub output: PathBuf,
    /// operationIds to keep.
    pub operations: Vec<String>,
    /// Rust names for inline enums, keyed by `Schema.property`.
    #[serde(default)]
    pub enum_names: BTreeMap<String, String>,
}

impl Config {
    /// Reads and checks the configuration file.
    pub fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let config: Config =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if config.operations.is_empty() {
            return Err(format!("{}: `operations` is empty", path.display()));
        }
        Ok(config)
    }
}
