//! `cargo xtask spec …`: keep the normalized document in step with upstream.

use crate::config::Config;
use crate::normalize::{self, Context, Loader};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The workspace root (the folder holding `openapi/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The pipeline configuration file, relative to the workspace root.
pub const CONFIG_PATH: &str = "openapi/pipeline.toml";

/// Reads JSON documents from a folder on disk.
pub struct DirLoader {
    /// Folder of the root document.
    pub base: PathBuf,
}

impl Loader for DirLoader {
    fn load(&mut self, relative: &str) -> Result<Value, String> {
        read_json(&self.base.join(relative))
    }
}

/// Reads and parses a JSON file, naming it in any error.
pub fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// Normalizes the upstream snapshot named in the configuration; returns the text to check in.
pub fn normalized_text(root: &Path) -> Result<(Config, String), String> {
    let config_path = root.join(CONFIG_PATH);
    let config = Config::read(&config_path)?;
    let openapi_dir = config_path
        .parent()
        .expect("the config file is in a folder");
    let upstream = openapi_dir.join(&config.upstream);
    let doc = read_json(&upstream)?;
    let mut loader = DirLoader {
        base: upstream
            .parent()
            .expect("a file is in a folder")
            .to_path_buf(),
    };
    let mut ctx = Context {
        config: &config,
        loader: &mut loader,
    };
    let normalized = normalize::normalize(doc, &mut ctx)
        .map_err(|e| format!("normalizing {}: {e}", upstream.display()))?;
    Ok((config, normalize::to_pretty(&normalized)))
}

/// `cargo xtask spec normalize`.
pub fn normalize_command() -> Result<(), String> {
    let root = workspace_root();
    let (config, text) = normalized_text(&root)?;
    for step in normalize::STEPS {
        println!("  {:<40} {}", step.name, step.reason);
    }
    let output = root.join("openapi").join(&config.output);
    let before = std::fs::read_to_string(&output).unwrap_or_default();
    if before == text {
        println!("{} is up to date", display_rel(&root, &output));
    } else {
        std::fs::write(&output, &text)
            .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
        println!(
            "wrote {} ({} lines changed)",
            display_rel(&root, &output),
            changed_lines(&before, &text)
        );
    }
    Ok(())
}

/// `cargo xtask spec check`.
pub fn check_command() -> Result<(), String> {
    let root = workspace_root();
    let mut problems = Vec::new();
    if let Err(e) = check_provenance(&root) {
        problems.push(e);
    }
    let (config, text) = normalized_text(&root)?;
    let output = root.join("openapi").join(&config.output);
    let checked_in = std::fs::read_to_string(&output).unwrap_or_default();
    if checked_in != text {
        problems.push(format!(
            "{} differs from what `cargo xtask spec normalize` writes:\n{}",
            display_rel(&root, &output),
            unified_diff(&checked_in, &text, "checked in", "normalized now")
        ));
    }
    if problems.is_empty() {
        println!("spec check: the checked-in artifacts are up to date");
        Ok(())
    } else {
        Err(format!(
            "{}\n\nRun `cargo xtask spec normalize` and commit the result, or undo the hand edit.",
            problems.join("\n\n")
        ))
    }
}

#[derive(Deserialize)]
struct Provenance {
    files: Vec<ProvenanceFile>,
}

#[derive(Deserialize)]
struct ProvenanceFile {
    path: String,
    sha256: String,
}

/// Path of the provenance record of the upstream snapshot, relative to the workspace root.
pub const PROVENANCE_PATH: &str = "openapi/upstream/PROVENANCE.toml";

fn check_provenance(root: &Path) -> Result<(), String> {
    let path = root.join(PROVENANCE_PATH);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let provenance: Provenance =
        toml::from_str(&text).map_err(|e| format!("{PROVENANCE_PATH}: {e}"))?;
    let mut wrong = Vec::new();
    for file in provenance.files {
        let bytes = std::fs::read(root.join("openapi/upstream").join(&file.path))
            .map_err(|e| format!("openapi/upstream/{}: {e}", file.path))?;
        let actual = sha256_hex(&bytes);
        if actual != file.sha256 {
            wrong.push(format!(
                "openapi/upstream/{} has sha256 {actual}, {PROVENANCE_PATH} records {}",
                file.path, file.sha256
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the upstream snapshot was edited (it must stay as published):\n  {}",
            wrong.join("\n  ")
        ))
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A unified diff of two texts, with three lines of context.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

fn changed_lines(old: &str, new: &str) -> usize {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count()
}

fn display_rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
