//! Where a clean build's compile time goes, by why each unit is built: for the hand-written
//! baseline too, for the SDK's other dependencies, for `build.rs` alone, or for this
//! workspace's own crates. The goal of `build-cost` is a ratio of wall times; on a machine
//! busy on every core for most of the build, that ratio follows the units' summed time, so
//! the split says which part a change could still move and how far.

use crate::perf::timings::Unit;
use std::collections::BTreeSet;

/// A package as `cargo tree --prefix none` lists it: name and version (without the `v`).
type Package = (String, String);

/// Seconds of compilation (summed over units, so over every core) per group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Split {
    /// Packages the baseline builds too: what any client on reqwest pays.
    pub shared: f64,
    /// The SDK's other normal dependencies (progenitor-client, regress, ...).
    pub dependencies: f64,
    /// Packages only `build.rs` needs (progenitor, typify, syn, ...).
    pub build_only: f64,
    /// This workspace's crates (packages with a path in the tree): the runtime, the
    /// generator, the SDK with its build script.
    pub workspace: f64,
}

impl Split {
    /// Every unit's seconds.
    pub fn total(&self) -> f64 {
        self.shared + self.dependencies + self.build_only + self.workspace
    }

    /// The summed time over `baseline`'s, as it is and as it would be if this workspace's
    /// crates compiled in no time: the second is as low as the ratio can go while `build.rs`
    /// generates the client with progenitor.
    pub fn ratios(&self, baseline: f64) -> (f64, f64) {
        (
            self.total() / baseline,
            (self.total() - self.workspace) / baseline,
        )
    }

    /// One line for the table.
    pub fn describe(&self) -> String {
        format!(
            "{:.0} s: {:.0} s the baseline's crates, {:.0} s the SDK's other dependencies, {:.0} s only `build.rs`'s, {:.0} s this workspace's",
            self.total(),
            self.shared,
            self.dependencies,
            self.build_only,
            self.workspace,
        )
    }
}

/// Groups `units` by the trees `cargo tree -e normal,build --prefix none` printed: the
/// baseline's, and the SDK's with `normal` edges alone and with build edges too.
pub fn split(units: &[Unit], baseline_tree: &str, normal_tree: &str, full_tree: &str) -> Split {
    let baseline = packages(baseline_tree);
    let normal = packages(normal_tree);
    let workspace = path_packages(full_tree);
    let mut split = Split::default();
    for unit in units {
        let package = (unit.name.clone(), unit.version.clone());
        let group = if workspace.contains(&package) {
            &mut split.workspace
        } else if baseline.contains(&package) {
            &mut split.shared
        } else if normal.contains(&package) {
            &mut split.dependencies
        } else {
            &mut split.build_only
        };
        *group += unit.duration;
    }
    split
}

/// The sum of every unit's seconds.
pub fn summed(units: &[Unit]) -> f64 {
    units.iter().map(|u| u.duration).sum()
}

/// Name and version of every line of a tree.
fn packages(tree: &str) -> BTreeSet<Package> {
    tree.lines().filter_map(package).collect()
}

/// The packages of a tree built from a path: this workspace's.
fn path_packages(tree: &str) -> BTreeSet<Package> {
    tree.lines()
        .filter(|line| line.contains(" (/") || line.contains(" (."))
        .filter_map(package)
        .collect()
}

fn package(line: &str) -> Option<Package> {
    let mut words = line.split_whitespace();
    let name = words.next()?;
    let version = words.next()?.strip_prefix('v')?;
    Some((name.to_string(), version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, version: &str, duration: f64) -> Unit {
        Unit {
            name: name.into(),
            version: version.into(),
            target: String::new(),
            duration,
        }
    }

    #[test]
    fn each_unit_counts_once_in_the_group_that_needs_it() {
        let units = [
            unit("serde", "1.0.0", 2.0),
            unit("syn", "2.0.1", 3.0),
            unit("syn", "3.0.1", 4.0),
            unit("regress", "0.12.0", 5.0),
            unit("highlevel-runtime", "0.1.0", 6.0),
            unit("highlevel-calendars", "0.1.0", 7.0),
            unit("highlevel-calendars", "0.1.0", 0.5),
        ];
        let baseline = "hand-written-baseline v0.0.0 (/b)\nserde v1.0.0\nsyn v2.0.1\n";
        let normal = "highlevel-calendars v0.1.0 (/w)\nserde v1.0.0\nregress v0.12.0\n\
            highlevel-runtime v0.1.0 (/w/crates/highlevel-runtime)\n";
        let full = format!("{normal}syn v3.0.1\nsyn v2.0.1 (*)\n");
        let split = split(&units, baseline, normal, &full);
        assert_eq!(
            split,
            Split {
                shared: 5.0,
                dependencies: 5.0,
                build_only: 4.0,
                workspace: 13.5,
            }
        );
        assert_eq!(split.total(), summed(&units));
        let (ratio, floor) = split.ratios(9.0);
        assert_eq!(ratio, 27.5 / 9.0);
        assert_eq!(floor, 14.0 / 9.0);
        assert!(
            split
                .describe()
                .starts_with("28 s: 5 s the baseline's crates")
        );
    }
}
