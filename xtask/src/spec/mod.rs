//! `cargo xtask spec normalize` and `cargo xtask spec check`: keep the normalized document and
//! the generated-code snapshot in step with the upstream snapshot.

pub mod config;
pub mod diff;
pub mod document;
pub mod http;
pub mod normalize;
pub mod overlay;
pub mod provenance;
pub mod report;
pub mod schema_walk;
pub mod snapshot;
pub mod source;
pub mod spec_diff;
pub mod update;

use crate::spec::config::Config;
use crate::spec::overlay::Overlay;
use crate::spec::provenance::Provenance;
use crate::spec::source::Source;
use crate::workspace::{Workspace, write_file};
use document::Upstream;
use normalize::STEPS;

/// Most lines of a diff printed in one message.
const MAX_DIFF_LINES: usize = 400;

/// What the checked-in artifacts must be, computed from the upstream snapshot.
pub struct Artifacts {
    /// The pipeline configuration.
    pub config: Config,
    /// The reviewed divergences.
    pub overlay: Overlay,
    /// The upstream snapshot, read and normalized.
    pub upstream: Upstream,
    /// The text of the normalized document.
    pub normalized_text: String,
    /// The text of the generated-code snapshot.
    pub snapshot_text: String,
}

/// Normalizes the upstream snapshot of `ws` and generates the client from it, in memory.
pub fn artifacts(ws: &Workspace) -> Result<Artifacts, String> {
    let config = ws.config()?;
    let overlay = ws.overlay()?;
    let source = Source::Path(ws.upstream_path(&config));
    let upstream = document::read_upstream(&source, &config, &overlay)?;
    let normalized_text = normalize::to_pretty(&upstream.normalized.doc);
    let snapshot_text = snapshot::generate(&normalized_text)?;
    Ok(Artifacts {
        config,
        overlay,
        upstream,
        normalized_text,
        snapshot_text,
    })
}

/// `spec normalize`: rewrites the normalized document and the generated-code snapshot of `ws`.
/// Returns what to print.
pub fn normalize(ws: &Workspace) -> Result<String, String> {
    let artifacts = artifacts(ws)?;
    let mut out = step_lines(&artifacts);
    for (path, text) in [
        (
            ws.output_path(&artifacts.config),
            &artifacts.normalized_text,
        ),
        (ws.snapshot_path(), &artifacts.snapshot_text),
    ] {
        let before = std::fs::read_to_string(&path).unwrap_or_default();
        if before == *text {
            out.push_str(&format!("{} is up to date\n", ws.display(&path)));
        } else {
            write_file(&path, text.as_bytes())?;
            out.push_str(&format!(
                "wrote {} ({} lines changed)\n",
                ws.display(&path),
                changed_lines(&before, text)
            ));
        }
    }
    Ok(out)
}

/// One line per step: its name, and what it changed (a count and the first notes), followed by
/// each of its notes that asks for attention ([`normalize::ATTENTION`]), in full.
fn step_lines(artifacts: &Artifacts) -> String {
    let mut out = String::from("normalizer steps (each explained in openapi/overlay.toml):\n");
    for outcome in &artifacts.upstream.normalized.steps {
        let (attention, ordinary): (Vec<&String>, Vec<&String>) = outcome
            .notes
            .iter()
            .partition(|n| n.starts_with(normalize::ATTENTION));
        let what = if !outcome.changed {
            "nothing to do".to_string()
        } else if outcome.notes.is_empty() {
            "changed the document".to_string()
        } else {
            let examples: Vec<&str> = ordinary.iter().take(2).map(|n| n.as_str()).collect();
            let more = if ordinary.len() > examples.len() {
                ", …"
            } else {
                ""
            };
            if examples.is_empty() {
                format!("{} change(s), each below", outcome.notes.len())
            } else {
                format!(
                    "{} change(s): {}{more}",
                    outcome.notes.len(),
                    examples.join(", ")
                )
            }
        };
        out.push_str(&format!("  {:<40} {what}\n", outcome.name));
        for note in attention {
            out.push_str(&format!("    {note}\n"));
        }
    }
    let obsolete = artifacts
        .overlay
        .obsolete(&artifacts.upstream.normalized.steps);
    for entry in obsolete {
        out.push_str(&format!(
            "obsolete overlay entry `{}`: {}\n",
            entry.step, entry.message
        ));
    }
    out
}

/// The compile half of `spec check`: compiles the SDK's library (every feature that adds
/// code) as `build.rs` makes it from the checked-in normalized document, so a document that
/// normalizes but whose generated code, or the hand-written code around it, does not compile
/// fails the check too (a missing dependency, a type the hand-written rules name that is
/// gone).
pub fn compiles(ws: &Workspace) -> Result<String, String> {
    let this = std::fs::canonicalize(&Workspace::current().root).ok();
    let here = std::fs::canonicalize(&ws.root).ok();
    // This workspace: the SDK's library with every feature that adds code. A crate made by
    // `new-client`: the whole crate, its test included.
    let args: &[&str] = if this == here {
        &[
            "check",
            "--quiet",
            "--locked",
            "-p",
            "highlevel-calendars",
            "--lib",
            "--features",
            "sandbox",
        ]
    } else {
        &["check", "--quiet", "--all-targets"]
    };
    let output = crate::cargo::command(&ws.root)
        .args(args)
        .arg("--message-format=short")
        .output()
        .map_err(|e| format!("cannot run cargo check: {e}"))?;
    if output.status.success() {
        Ok(format!(
            "spec check: the generated client compiles (cargo {})\n",
            args.join(" ")
        ))
    } else {
        Err(format!(
            "the client generated from the normalized document does not compile:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// `spec check`: fails, with a unified diff, when a checked-in artifact of `ws` is stale: the
/// upstream snapshot (against its recorded hashes), the overlay (against the steps), the
/// normalized document or the generated-code snapshot.
pub fn check(ws: &Workspace) -> Result<String, String> {
    let mut problems = Vec::new();
    if let Err(e) = Provenance::read(ws).and_then(|p| p.check(ws)) {
        problems.push(e);
    }
    if let Err(e) = ws.overlay().and_then(|o| o.check_against_steps()) {
        problems.push(e);
    }
    let artifacts = artifacts(ws)?;
    let snapshot_path = ws.snapshot_path();
    for (path, expected, how) in [
        (
            ws.output_path(&artifacts.config),
            &artifacts.normalized_text,
            "what `cargo xtask spec normalize` writes",
        ),
        (
            snapshot_path.clone(),
            &artifacts.snapshot_text,
            "what build.rs generates from the normalized document",
        ),
    ] {
        let name = ws.display(&path);
        let Ok(checked_in) = std::fs::read_to_string(&path) else {
            problems.push(format!("{name} is missing: it must be {how}"));
            continue;
        };
        if checked_in != *expected {
            problems.push(format!(
                "{name} differs from {how}:\n{}",
                unified_diff(
                    &checked_in,
                    expected,
                    &format!("{name} (checked in)"),
                    &format!("{name} (expected)")
                )
            ));
        }
    }
    if problems.is_empty() {
        Ok(format!(
            "spec check: the checked-in artifacts are up to date ({} normalizer steps, each in openapi/overlay.toml)\n",
            STEPS.len()
        ))
    } else {
        Err(format!(
            "{}\n\nRun `cargo xtask spec normalize` and commit the result, or undo the hand edit.",
            problems.join("\n\n")
        ))
    }
}

/// A unified diff of two texts, with three lines of context, cut after `MAX_DIFF_LINES`.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    let total = diff.lines().count();
    if total <= MAX_DIFF_LINES {
        return diff;
    }
    let mut cut: String = diff
        .lines()
        .take(MAX_DIFF_LINES)
        .map(|l| format!("{l}\n"))
        .collect();
    cut.push_str(&format!("… {} more diff lines\n", total - MAX_DIFF_LINES));
    cut
}

fn changed_lines(old: &str, new: &str) -> usize {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count()
}
