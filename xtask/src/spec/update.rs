//! `cargo xtask spec update --from <path or URL>`: take a new upstream document, report what
//! changes for SDK users, and replace the snapshot, the normalized document and the
//! generated-code snapshot.
//!
//! Everything is read, normalized, generated and compared in memory first; files are written
//! only once all of that succeeded, so a bad document leaves every file as it was.

use crate::spec::diff;
use crate::spec::document;
use crate::spec::normalize;
use crate::spec::provenance::{Provenance, ProvenanceFile, sha256_hex, today_utc};
use crate::spec::report::Report;
use crate::spec::snapshot;
use crate::spec::source::{self, Source};
use crate::workspace::{UPSTREAM_DIR, Workspace, clean_relative, write_file};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The result of an update (or of a dry run).
pub struct Update {
    /// What changes for SDK users, and which overlay entries are obsolete.
    pub report: Report,
    /// Files written (or, in a dry run, that would be written), relative to the root, each with
    /// whether its content changes.
    pub files: Vec<(String, bool)>,
    /// Snapshot files removed (or that would be), because the new document no longer uses them.
    pub removed: Vec<String>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

impl Update {
    /// What to print after the report: the files written (or, in a dry run, that would be).
    pub fn summary(&self) -> String {
        let mut out = String::from(if self.dry_run {
            "dry run, nothing written; an update would write:\n"
        } else {
            "wrote:\n"
        });
        for (path, changed) in &self.files {
            let note = if *changed { "" } else { " (unchanged)" };
            out.push_str(&format!("  {path}{note}\n"));
        }
        if !self.removed.is_empty() {
            out.push_str(if self.dry_run {
                "and remove (no longer referred to):\n"
            } else {
                "removed (no longer referred to):\n"
            });
            for path in &self.removed {
                out.push_str(&format!("  {path}\n"));
            }
        }
        out
    }
}

/// Updates the workspace at `ws` from `from`. With `dry_run`, writes nothing.
///
/// An error before the writing starts (a document that cannot be read, parsed, normalized or
/// generated from) says that no file was changed.
pub fn update(ws: &Workspace, from: &Source, dry_run: bool) -> Result<Update, String> {
    let plan = plan(ws, from).map_err(|e| format!("{e}\n(no file was changed)"))?;
    if !dry_run {
        for (path, bytes) in &plan.writes {
            write_file(path, bytes).map_err(partly_written)?;
        }
        for path in &plan.removed {
            std::fs::remove_file(path)
                .map_err(|e| partly_written(format!("cannot remove {}: {e}", path.display())))?;
        }
    }
    Ok(Update {
        report: plan.report,
        files: plan.files,
        removed: plan.removed.iter().map(|p| ws.display(p)).collect(),
        dry_run,
    })
}

fn partly_written(error: String) -> String {
    format!("{error}\n(the update stopped halfway: `git checkout -- openapi/` restores the files)")
}

/// Everything an update writes, worked out in memory.
struct Plan {
    report: Report,
    writes: Vec<(PathBuf, Vec<u8>)>,
    files: Vec<(String, bool)>,
    removed: Vec<PathBuf>,
}

fn plan(ws: &Workspace, from: &Source) -> Result<Plan, String> {
    let config = ws.config()?;
    let overlay = ws.overlay()?;
    overlay.check_against_steps()?;
    let upstream = document::read_upstream(from, &config, &overlay)?;
    let normalized_text = normalize::to_pretty(&upstream.normalized.doc);
    let snapshot_text = snapshot::generate(&normalized_text)?;

    // The report compares with what the client is generated from today (nothing, the first
    // time: then every operation is new).
    let output_path = ws.output_path(&config);
    let old_doc = match std::fs::read(&output_path) {
        Ok(text) => source::parse_json(&text, &ws.display(&output_path))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => serde_json::json!({}),
        Err(e) => return Err(format!("cannot read {}: {e}", output_path.display())),
    };
    let changes = diff::compare(&old_doc, &upstream.normalized.doc, &config.operations);
    let report = Report::new(
        ws.display(&output_path),
        from.display(),
        changes,
        overlay.obsolete(&upstream.normalized.steps),
    );

    // The new snapshot: the document where pipeline.toml says, its references beside it.
    let root_in_snapshot = snapshot_relative(ws, &config.upstream)?;
    let mut snapshot_files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    snapshot_files.insert(slash_path(&root_in_snapshot), upstream.root_bytes.clone());
    let root_folder = root_in_snapshot.parent().unwrap_or(Path::new(""));
    for (relative, bytes) in &upstream.external {
        let path = clean_relative(&root_folder.join(relative)).map_err(|e| {
            format!("the reference `{relative}` leaves {UPSTREAM_DIR}/ ({e}); only files beside the document can be kept")
        })?;
        snapshot_files.insert(slash_path(&path), bytes.clone());
    }
    let previous = Provenance::read(ws).unwrap_or_default();
    let provenance = Provenance {
        source: Some(from.display()),
        commit: match from {
            Source::Url(url) => crate::spec::http::commit_in(url),
            Source::Path(_) => None,
        },
        commit_date: None,
        retrieved: Some(today_utc()),
        license: previous.license.clone(),
        files: snapshot_files
            .iter()
            .map(|(path, bytes)| ProvenanceFile {
                path: path.clone(),
                sha256: sha256_hex(bytes),
            })
            .collect(),
    };

    let mut writes: Vec<(PathBuf, Vec<u8>)> = snapshot_files
        .iter()
        .map(|(path, bytes)| (ws.upstream_dir().join(path), bytes.clone()))
        .collect();
    writes.push((ws.provenance_path(), provenance.to_toml().into_bytes()));
    writes.push((output_path, normalized_text.into_bytes()));
    writes.push((ws.snapshot_path(), snapshot_text.into_bytes()));
    let removed: Vec<PathBuf> = previous
        .files
        .iter()
        .filter(|f| !snapshot_files.contains_key(&f.path))
        // Only files inside the snapshot folder, whatever the record says.
        .filter_map(|f| clean_relative(Path::new(&f.path)).ok())
        .map(|path| ws.upstream_dir().join(path))
        .filter(|p| p.exists())
        .collect();

    let files = writes
        .iter()
        .map(|(path, bytes)| {
            let changed = std::fs::read(path).ok().as_deref() != Some(bytes.as_slice());
            (ws.display(path), changed)
        })
        .collect();
    Ok(Plan {
        report,
        writes,
        files,
        removed,
    })
}

/// The upstream document's path inside the snapshot folder, from pipeline.toml's `upstream`.
fn snapshot_relative(ws: &Workspace, upstream: &Path) -> Result<PathBuf, String> {
    let upstream_dir = clean_relative(
        ws.upstream_dir()
            .strip_prefix(ws.openapi_dir())
            .map_err(|_| format!("{UPSTREAM_DIR} is not beside pipeline.toml"))?,
    )?;
    clean_relative(upstream)?
        .strip_prefix(&upstream_dir)
        .map(Path::to_path_buf)
        .map_err(|_| {
            format!(
                "pipeline.toml's `upstream` ({}) must be inside {UPSTREAM_DIR}/, where the snapshot and its provenance live",
                upstream.display()
            )
        })
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
