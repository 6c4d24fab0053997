//! `openapi/pipeline.toml`: which document, which operations, which names.

use crate::workspace::Workspace;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The pipeline configuration.
#[derive(Debug, Clone, Deserialize)]
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
    /// Hand-written checks of request types, keyed by schema name: the Rust path of a
    /// `fn(&T, &mut Checker)` that the generated `Validate` of the type calls.
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    /// Statuses the API answers that upstream does not list: operationId, then status, then
    /// the response's description (`declare_statuses`).
    #[serde(default)]
    pub statuses: BTreeMap<String, BTreeMap<String, String>>,
    /// OpenAPI links from one operation's answer to another operation (`link_operations`).
    #[serde(default)]
    pub links: Vec<Link>,
}

/// One OpenAPI link: the answer `status` of `from` gives `to` its `parameters`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The link's name in the response's `links`.
    pub name: String,
    /// The operationId whose answer is linked.
    pub from: String,
    /// The status of that answer.
    pub status: String,
    /// The operationId the link leads to.
    pub to: String,
    /// Parameter name of `to`, then the runtime expression giving its value
    /// (`$response.body#/calendar/id`).
    pub parameters: BTreeMap<String, String>,
}

impl Config {
    /// Reads and checks the configuration file.
    pub fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Parses and checks the configuration's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        if config.operations.is_empty() {
            return Err(format!("{origin}: `operations` is empty"));
        }
        Ok(config)
    }

    /// A configuration for the same pipeline with only the given operations kept.
    pub fn with_operations(&self, operations: Vec<String>) -> Config {
        Config {
            operations,
            ..self.clone()
        }
    }
}

/// Where a workspace's pipeline configuration and the documents it names are.
impl Workspace {
    /// Reads `pipeline.toml`.
    pub fn config(&self) -> Result<Config, String> {
        Config::read(&self.config_path())
    }

    /// The upstream root document named in the configuration.
    pub fn upstream_path(&self, config: &Config) -> PathBuf {
        self.openapi_dir().join(&config.upstream)
    }

    /// The normalized document named in the configuration.
    pub fn output_path(&self, config: &Config) -> PathBuf {
        self.openapi_dir().join(&config.output)
    }
}
