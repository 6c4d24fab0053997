//! `cargo xtask spec diff <old> <new>`: the change report between any two documents.

use crate::spec::config::Config;
use crate::spec::diff;
use crate::spec::document;
use crate::spec::overlay::Overlay;
use crate::spec::report::Report;
use crate::spec::source::Source;
use crate::workspace::Workspace;

/// Compares two documents (paths or URLs; raw upstream or normalized) for the operations of the
/// workspace's `pipeline.toml`.
pub fn diff(ws: &Workspace, old: &Source, new: &Source) -> Result<Report, String> {
    diff_with(&ws.config()?, &ws.overlay()?, old, new)
}

/// Compares two documents for the operations of `config`, normalizing raw ones in memory.
/// Obsolete overlay entries are reported for the new document when it is raw upstream.
pub fn diff_with(
    config: &Config,
    overlay: &Overlay,
    old: &Source,
    new: &Source,
) -> Result<Report, String> {
    // Every operation of the old document is compared, configured or not: one that the new
    // document drops is a breaking change whatever pipeline.toml says today.
    let old_doc = document::read_for_diff(old, config, overlay, true)?;
    let mut operations = config.operations.clone();
    for id in diff::operation_ids(&old_doc.doc) {
        if !operations.contains(&id) {
            operations.push(id);
        }
    }
    let compared = config.with_operations(operations.clone());
    let new_doc = document::read_for_diff(new, &compared, overlay, false)?;
    let changes = diff::compare(&old_doc.doc, &new_doc.doc, &operations);
    let obsolete = new_doc
        .raw_steps
        .map(|steps| overlay.obsolete(&steps))
        .unwrap_or_default();
    Ok(Report::new(old.display(), new.display(), changes, obsolete))
}
