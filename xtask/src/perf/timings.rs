//! Reading the report of `cargo build --timings` (`cargo-timings/cargo-timing.html`): the
//! compilation units that took longest. The report embeds them as a JSON array assigned to
//! `UNIT_DATA`.

use serde::Deserialize;

/// One compilation unit of the build: a crate's library, a build script's compilation or run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Unit {
    /// The package.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Which target of the package: empty for the library, ` build-script` for compiling the
    /// build script, ` build-script (run)` for running it, and so on.
    #[serde(default)]
    pub target: String,
    /// Seconds the unit took.
    pub duration: f64,
}

impl Unit {
    /// `name vX.Y.Z` followed by the target when it is not the library.
    pub fn label(&self) -> String {
        let target = self.target.trim();
        if target.is_empty() {
            format!("{} v{}", self.name, self.version)
        } else {
            format!("{} v{} ({target})", self.name, self.version)
        }
    }
}

/// The `count` longest units of a timings report, longest first.
pub fn slowest_units(html: &str, count: usize) -> Result<Vec<Unit>, String> {
    const MARKER: &str = "UNIT_DATA = ";
    let start = html
        .find(MARKER)
        .ok_or("the timings report has no UNIT_DATA")?
        + MARKER.len();
    // The array is followed by `;` and more script: read one JSON value and stop.
    let mut units: Vec<Unit> = serde_json::Deserializer::from_str(&html[start..])
        .into_iter::<Vec<Unit>>()
        .next()
        .ok_or("the timings report's UNIT_DATA is empty")?
        .map_err(|e| format!("the timings report's UNIT_DATA is unreadable: {e}"))?;
    units.sort_by(|a, b| b.duration.total_cmp(&a.duration));
    units.truncate(count);
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<script>
const UNIT_DATA = [
  {"i": 1, "name": "syn", "version": "2.0.1", "mode": "todo", "target": "",
   "features": ["full"], "start": 0.4, "duration": 5.55, "unblocked_units": [],
   "unblocked_rmeta_units": [], "sections": null},
  {"i": 2, "name": "highlevel-calendars", "version": "0.1.0", "mode": "run-custom-build",
   "target": " build-script (run)", "start": 9.0, "duration": 1.5},
  {"i": 3, "name": "jsonschema", "version": "0.61.2", "mode": "todo", "target": "",
   "start": 1.0, "duration": 17.54, "sections": [{"start": 1.0, "end": 2.0}]}
];
const CONCURRENCY_DATA = [];
</script>"#;

    #[test]
    fn lists_the_longest_units_first() {
        let units = slowest_units(REPORT, 2).unwrap();
        let labels: Vec<String> = units.iter().map(Unit::label).collect();
        assert_eq!(labels, ["jsonschema v0.61.2", "syn v2.0.1"]);
        let all = slowest_units(REPORT, 10).unwrap();
        assert_eq!(
            all[2].label(),
            "highlevel-calendars v0.1.0 (build-script (run))"
        );
    }

    #[test]
    fn a_page_without_units_is_an_error() {
        assert!(slowest_units("<html></html>", 3).is_err());
        assert!(slowest_units("const UNIT_DATA = {", 3).is_err());
    }
}
