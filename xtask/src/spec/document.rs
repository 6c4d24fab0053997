//! Reading a document (raw upstream, or already normalized) into its normalized form in memory.

use crate::spec::config::Config;
use crate::spec::normalize::{self, Context, Normalized, StepOutcome};
use crate::spec::overlay::Overlay;
use crate::spec::schema_walk::operations;
use crate::spec::source::{Source, SourceLoader};
use serde_json::Value;
use std::collections::BTreeMap;

/// A raw upstream document, the files it refers to, and its normalized form.
pub struct Upstream {
    /// The document's bytes as read.
    pub root_bytes: Vec<u8>,
    /// Every external file read, keyed by its path relative to the document's folder.
    pub external: BTreeMap<String, Vec<u8>>,
    /// The normalized document and what each step did.
    pub normalized: Normalized,
}

/// Reads a raw upstream document and normalizes it; every configured operation must be in it.
pub fn read_upstream(
    source: &Source,
    config: &Config,
    overlay: &Overlay,
) -> Result<Upstream, String> {
    let (root_bytes, doc) = source.fetch_root_json()?;
    normalize::check_openapi_version(&doc).map_err(|e| format!("{}: {e}", source.display()))?;
    let mut loader = SourceLoader::new(source);
    let mut ctx = Context {
        config,
        loader: &mut loader,
        overlay,
    };
    let normalized = normalize::normalize(doc, &mut ctx)
        .map_err(|e| format!("normalizing {}: {e}", source.display()))?;
    Ok(Upstream {
        root_bytes,
        external: loader.files,
        normalized,
    })
}

/// One side of `spec diff`: a document in normalized form.
pub struct Compared {
    /// The normalized document (holding those configured operations the input has).
    pub doc: Value,
    /// What each step did, when the input was raw upstream; `None` when it was already
    /// normalized (then no step had anything left to do).
    pub raw_steps: Option<Vec<StepOutcome>>,
}

/// Steps that only select what is kept; they may change an already normalized document made
/// for a different operation set.
const SELECTION_STEPS: [&str; 2] = ["keep_configured_operations", "prune_unreachable_components"];

/// Reads any document for comparison: raw upstream (normalized here, its external references
/// read next to it) or already normalized (which normalizing again leaves as it is). Configured
/// operations the document lacks are left out rather than refused, so that they show up in the
/// report as added or removed; with `every_operation`, every operation of the document is kept.
pub fn read_for_diff(
    source: &Source,
    config: &Config,
    overlay: &Overlay,
    every_operation: bool,
) -> Result<Compared, String> {
    let (_, doc) = source.fetch_root_json()?;
    normalize::check_openapi_version(&doc).map_err(|e| format!("{}: {e}", source.display()))?;
    let ids: Vec<String> = operations(&doc)
        .iter()
        .filter_map(|(_, _, op)| op.get("operationId").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    // The configured operations the document has; with `every_operation`, all of them.
    let present: Vec<String> = if every_operation {
        ids
    } else {
        config
            .operations
            .iter()
            .filter(|id| ids.contains(id))
            .cloned()
            .collect()
    };
    let config = config.with_operations(present);
    let mut loader = SourceLoader::new(source);
    let mut ctx = Context {
        config: &config,
        loader: &mut loader,
        overlay,
    };
    let normalized = normalize::normalize(doc, &mut ctx)
        .map_err(|e| format!("normalizing {}: {e}", source.display()))?;
    let already_normalized = normalized
        .steps
        .iter()
        .all(|s| !s.changed || SELECTION_STEPS.contains(&s.name));
    Ok(Compared {
        doc: normalized.doc,
        raw_steps: (!already_normalized).then_some(normalized.steps),
    })
}
