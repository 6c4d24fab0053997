//! Reading criterion's results: `<dir>/<group>/<function>/<parameter>/new/estimates.json`, of
//! which only the mean's point estimate (nanoseconds per iteration) is used.

use serde::Deserialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where criterion writes its results for a benchmark run from `root`: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else `<root>/target/criterion` (relative settings are taken
/// from `root`, the folder `cargo bench` runs the benchmarks in).
pub fn results_dir(
    root: &Path,
    criterion_home: Option<OsString>,
    target_dir: Option<OsString>,
) -> PathBuf {
    match (criterion_home, target_dir) {
        (Some(home), _) => root.join(home),
        (None, Some(target)) => root.join(target).join("criterion"),
        (None, None) => root.join("target").join("criterion"),
    }
}

/// The results found in one criterion folder.
#[derive(Debug, Clone)]
pub struct Results {
    dir: PathBuf,
    /// When set, results written before this instant are stale and ignored.
    since: Option<SystemTime>,
}

impl Results {
    /// The results under `dir`, ignoring those older than `since` (when given).
    pub fn new(dir: impl Into<PathBuf>, since: Option<SystemTime>) -> Results {
        Results {
            dir: dir.into(),
            since,
        }
    }

    /// The folder read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The mean time per iteration, in nanoseconds, of the benchmark `group/function/parameter`;
    /// `None` when it has no (fresh, readable) result.
    pub fn mean_ns(&self, id: &str) -> Option<f64> {
        let path = self.dir.join(id).join("new").join("estimates.json");
        if let Some(since) = self.since {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
            if modified < since {
                return None;
            }
        }
        let text = std::fs::read_to_string(&path).ok()?;
        parse_mean_ns(&text).ok()
    }
}

/// The `mean.point_estimate` of an `estimates.json`.
pub fn parse_mean_ns(json: &str) -> Result<f64, String> {
    #[derive(Deserialize)]
    struct Estimates {
        mean: Estimate,
    }
    #[derive(Deserialize)]
    struct Estimate {
        point_estimate: f64,
    }
    let estimates: Estimates =
        serde_json::from_str(json).map_err(|e| format!("not criterion estimates: {e}"))?;
    let mean = estimates.mean.point_estimate;
    if mean.is_finite() && mean >= 0.0 {
        Ok(mean)
    } else {
        Err(format!("a mean of {mean} ns is not a duration"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_mean_point_estimate() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,
            "upper_bound":3.0},"point_estimate":2048.5,"standard_error":0.1},
            "median":{"point_estimate":7.0},"slope":null}"#;
        assert_eq!(parse_mean_ns(json), Ok(2048.5));
    }

    #[test]
    fn refuses_what_is_not_an_estimate() {
        assert!(parse_mean_ns("{}").is_err());
        assert!(parse_mean_ns(r#"{"mean":{"point_estimate":-1.0}}"#).is_err());
        assert!(parse_mean_ns("not json").is_err());
    }

    #[test]
    fn the_results_folder_follows_the_environment() {
        let root = Path::new("/ws");
        assert_eq!(
            results_dir(root, None, None),
            Path::new("/ws/target/criterion")
        );
        assert_eq!(
            results_dir(root, None, Some("/t".into())),
            Path::new("/t/criterion")
        );
        assert_eq!(
            results_dir(root, None, Some("tgt".into())),
            Path::new("/ws/tgt/criterion")
        );
        assert_eq!(
            results_dir(root, Some("/c".into()), Some("/t".into())),
            Path::new("/c")
        );
    }
}
