//! The change report: the changes between two documents, and the overlay entries upstream has
//! made obsolete, as text for people or JSON for tools.

use crate::spec::diff::{Change, Severity};
use crate::spec::overlay::ObsoleteEntry;
use serde::Serialize;

/// What changed for SDK users between two documents.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The old document, as named on the command line.
    pub old: String,
    /// The new document.
    pub new: String,
    /// How many changes of each severity.
    pub summary: Summary,
    /// Every change, the most severe first.
    pub changes: Vec<Change>,
    /// Overlay entries whose step changed nothing on the new document.
    pub obsolete_overlay_entries: Vec<ObsoleteEntry>,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Changes that may break code using the SDK.
    pub breaking: usize,
    /// Changes to read before upgrading.
    pub attention: usize,
    /// Changes that need nothing.
    pub compatible: usize,
}

impl Report {
    /// A report of `changes` between `old` and `new`.
    pub fn new(
        old: String,
        new: String,
        changes: Vec<Change>,
        obsolete_overlay_entries: Vec<ObsoleteEntry>,
    ) -> Report {
        let count = |s: Severity| changes.iter().filter(|c| c.severity == s).count();
        let summary = Summary {
            breaking: count(Severity::Breaking),
            attention: count(Severity::Attention),
            compatible: count(Severity::Compatible),
        };
        Report {
            old,
            new,
            summary,
            changes,
            obsolete_overlay_entries,
        }
    }

    /// Whether some change is at least as severe as `threshold`.
    pub fn reaches(&self, threshold: Severity) -> bool {
        self.changes.iter().any(|c| c.severity >= threshold)
    }

    /// The report as JSON, for tools.
    pub fn to_json(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(self).expect("a report always serializes to JSON");
        text.push('\n');
        text
    }

    /// The report as text, for people.
    pub fn to_text(&self) -> String {
        let mut out = format!("Changes for SDK users: {} -> {}\n", self.old, self.new);
        if self.changes.is_empty() {
            out.push_str("  none in the configured operations\n");
        } else {
            let s = self.summary;
            out.push_str(&format!(
                "  {} breaking, {} needs attention, {} compatible\n",
                s.breaking, s.attention, s.compatible
            ));
            for severity in [
                Severity::Breaking,
                Severity::Attention,
                Severity::Compatible,
            ] {
                let group: Vec<&Change> = self
                    .changes
                    .iter()
                    .filter(|c| c.severity == severity)
                    .collect();
                if group.is_empty() {
                    continue;
                }
                out.push_str(&format!("\n{}:\n", severity.label().to_uppercase()));
                for c in group {
                    let detail = if c.detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", c.detail)
                    };
                    out.push_str(&format!(
                        "  {:<9} {}: {}{detail}\n  {:<9} {}\n",
                        c.side.label(),
                        c.location,
                        c.kind.label(),
                        "",
                        c.reason,
                    ));
                }
            }
        }
        if !self.obsolete_overlay_entries.is_empty() {
            out.push_str(
                "\nOverlay entries the new document no longer needs (openapi/overlay.toml):\n",
            );
            for entry in &self.obsolete_overlay_entries {
                out.push_str(&format!(
                    "  obsolete overlay entry `{}`: {}\n",
                    entry.step, entry.message
                ));
            }
        }
        out
    }
}
