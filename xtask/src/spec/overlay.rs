//! `openapi/overlay.toml`: the reviewed list of every way the normalized document differs
//! from HighLevel's, one entry per normalizer step, each with its reason.
//!
//! The overlay and [`crate::spec::normalize::STEPS`] must name the same steps: the normalizer refuses
//! to run a step without an entry, and `spec check` fails on an entry that names no step.

use crate::spec::normalize::{CONFIGURATION_STEPS, OTHER_DOCUMENT_STEPS, STEPS, StepOutcome};
use crate::workspace::Workspace;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The overlay's file name; it sits beside `pipeline.toml`.
pub const OVERLAY_FILE: &str = "overlay.toml";

/// One reviewed divergence from upstream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// What the step changes in the document.
    pub change: String,
    /// Why the SDK needs it.
    pub reason: String,
    /// Completes "obsolete overlay entry: …" when the step changed nothing, i.e. what upstream
    /// must now be doing for the step to have nothing left to do.
    pub obsolete_when: String,
}

/// Every divergence, keyed by the name of the step that applies it.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    entries: BTreeMap<String, Entry>,
}

impl Overlay {
    /// Parses the overlay's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Overlay, String> {
        let entries: BTreeMap<String, Entry> =
            toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        Ok(Overlay { entries })
    }

    /// Reads the overlay file.
    pub fn read(path: &Path) -> Result<Overlay, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Overlay::parse(&text, &path.display().to_string())
    }

    /// The entry of a step.
    pub fn entry(&self, step: &str) -> Option<&Entry> {
        self.entries.get(step)
    }

    /// Fails when an entry names no normalizer step (a divergence documented but not applied).
    pub fn check_against_steps(&self) -> Result<(), String> {
        let unknown: Vec<&str> = self
            .entries
            .keys()
            .map(String::as_str)
            .filter(|name| !STEPS.iter().any(|s| s.name == *name))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{OVERLAY_FILE} lists entries that name no normalizer step: {} (steps: {})",
                unknown.join(", "),
                STEPS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            ))
        }
    }

    /// The entries whose step changed nothing on a document: upstream no longer needs them.
    /// Steps that carry out the configuration ([`CONFIGURATION_STEPS`]) and repairs of other
    /// documents ([`OTHER_DOCUMENT_STEPS`]) are never obsolete.
    pub fn obsolete(&self, outcomes: &[StepOutcome]) -> Vec<ObsoleteEntry> {
        outcomes
            .iter()
            .filter(|o| {
                !o.changed
                    && !CONFIGURATION_STEPS.contains(&o.name)
                    && !OTHER_DOCUMENT_STEPS.contains(&o.name)
            })
            .map(|o| ObsoleteEntry {
                step: o.name.to_string(),
                message: self
                    .entry(o.name)
                    .map(|e| e.obsolete_when.clone())
                    .unwrap_or_else(|| "the step changed nothing".into()),
            })
            .collect()
    }
}

/// An overlay entry whose step had nothing to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObsoleteEntry {
    /// The step's name.
    pub step: String,
    /// What upstream now does (from the entry's `obsolete_when`).
    pub message: String,
}

/// Where a workspace's overlay is.
impl Workspace {
    /// `openapi/overlay.toml`.
    pub fn overlay_path(&self) -> PathBuf {
        self.openapi_dir().join(OVERLAY_FILE)
    }

    /// Reads `overlay.toml`.
    pub fn overlay(&self) -> Result<Overlay, String> {
        Overlay::read(&self.overlay_path())
    }
}
