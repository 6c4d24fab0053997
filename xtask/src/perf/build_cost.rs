//! `cargo xtask build-cost`: what the crate costs to build, measured in one run in a target
//! folder of its own (`target/build-cost`, emptied first):
//!
//! Why one file of about 650 lines: every measurement shares the target folder, the cargo
//! invocations and the table they fill; it also holds the hand-written baseline crate it
//! writes, and its last hundred lines are tests.
//!
//! * a clean debug build with the default features, and with other feature sets;
//! * the time `build.rs` takes on its own (its compiled binary run again, median of a few runs);
//! * a rebuild after touching a hand-written source file, which must not run `build.rs` again;
//! * the number of crates the library depends on;
//! * where the summed compile time goes, beside the baseline's (see [`crate::perf::cpu_split`]);
//! * the peak memory of the main job (see [`crate::perf::memory`]).
//!
//! Both clean builds run with `--timings`, so the units that take longest are listed and the
//! summed compile times compared.

use crate::perf::cpu_split::{self, Split};
use crate::perf::measure::{self, Outcome, seconds};
use crate::perf::memory;
use crate::perf::table::{Format, Table};
use crate::perf::timings::{self, Unit};
use crate::workspace::Workspace;
use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The package measured.
pub const PACKAGE: &str = "highlevel-calendars";
/// Goal for a clean debug build: at most this many times a hand-written client's.
pub const CLEAN_BUILD_GOAL: f64 = 1.6;
/// Goal for one run of `build.rs`.
pub const GENERATION_GOAL: Duration = Duration::from_secs(1);
/// How many times `build.rs` is run on its own; the median counts.
pub const SCRIPT_RUNS: usize = 5;
/// The hand-written source touched before the incremental rebuild.
pub const TOUCHED: &str = "src/lib.rs";
/// How many of the slowest units of the clean build are listed.
const SLOWEST: usize = 10;
/// The value of a measurement that could not be made.
const MISSING: &str = "-";

/// A feature set whose clean build is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// A short name; also the name of its target folder below `target/build-cost`.
    pub name: &'static str,
    /// The feature arguments given to `cargo build` and `cargo tree`.
    pub args: &'static [&'static str],
}

/// The default features: the build with goals.
pub const DEFAULT: Variant = Variant {
    name: "default",
    args: &[],
};

/// The hand-written alternative the SDK is compared with (as the benchmarks' baseline is):
/// a client written with reqwest and serde alone, with the same TLS stack and versions as our
/// default features and one request function. Its clean build is what any HighLevel client in
/// Rust pays; the difference is what the SDK (progenitor at build time, our layer) adds.
pub const BASELINE_MANIFEST: &str = r#"[package]
name = "hand-written-baseline"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", default-features = false, features = ["sync", "time"] }
"#;

/// The baseline's code: one typed request and response, posted with reqwest.
const BASELINE_LIB: &str = r#"use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCalendar {
    pub location_id: String,
    pub name: String,
}

#[derive(Deserialize)]
pub struct Created {
    pub calendar: serde_json::Value,
}

pub async fn create(
    http: &reqwest::Client,
    token: &str,
    body: &CreateCalendar,
) -> reqwest::Result<Created> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    http.post("https://services.leadconnectorhq.com/calendars/")
        .bearer_auth(token)
        .header("Version", "2021-04-15")
        .json(body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}
"#;

/// The other feature sets the README's feature table states a cost for.
pub const VARIANTS: &[Variant] = &[
    Variant {
        name: "native-tls",
        args: &["--no-default-features", "--features", "native-tls"],
    },
    Variant {
        name: "sandbox",
        args: &["--features", "sandbox"],
    },
];

impl Variant {
    fn label(&self) -> String {
        if self.args.is_empty() {
            "default features".into()
        } else {
            format!("`{}`", self.args.join(" "))
        }
    }
}

/// What `cargo xtask build-cost` was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How to print the table.
    pub format: Format,
    /// Also measure the clean builds of [`VARIANTS`].
    pub variants: bool,
    /// Also measure the main job's peak memory.
    pub memory: bool,
}

/// Whether cargo's verbose output (`cargo build -v`) shows `package`'s build script being run.
pub fn build_script_ran(output: &str, package: &str) -> bool {
    output.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("Running")
            && line.contains("build-script-build")
            && line.contains(&format!("{package}-"))
    })
}

/// Whether cargo's output shows `package` itself being compiled.
pub fn package_compiled(output: &str, package: &str) -> bool {
    output.lines().any(|line| {
        line.trim_start()
            .starts_with(&format!("Compiling {package} "))
    })
}

/// How many different crates (name and version) `cargo tree --prefix none` lists, `package`
/// itself not counted.
pub fn unique_crates(tree: &str, package: &str) -> usize {
    tree.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .filter(|(name, _)| *name != package)
        .collect::<BTreeSet<_>>()
        .len()
}

/// The middle of `durations` (the upper middle for an even count).
pub fn median(mut durations: Vec<Duration>) -> Option<Duration> {
    durations.sort();
    durations.get(durations.len() / 2).copied()
}

/// Runs every measurement and tabulates them.
pub fn run(ws: &Workspace, options: Options) -> Result<Outcome, String> {
    let root_dir = ws.root.join("target").join("build-cost");
    remove_dir(&root_dir)?;
    let load_before = measure::load_average();
    let mut errors = Vec::new();
    let mut goal_missed = false;
    let mut table = Table::new(["Measure", "Value", "Goal", "Result"]);
    let mut judge = |met: bool| {
        goal_missed |= !met;
        if met { "pass" } else { "FAIL" }.to_string()
    };

    // The clean build with goals; nothing else means much if it fails.
    let dir = root_dir.join(DEFAULT.name);
    let clean = clean_build(ws, &dir, DEFAULT)?;
    // The goal is relative: the same machine builds a hand-written client right after.
    let baseline = baseline_build(ws, &root_dir.join("baseline"));
    let goal = format!("≤ {CLEAN_BUILD_GOAL:.1}× the hand-written client");
    match &baseline {
        Ok(took) => {
            let ratio = clean.as_secs_f64() / took.as_secs_f64();
            table.push([
                format!("clean debug build, {}", DEFAULT.label()),
                format!("{} ({ratio:.2}×)", seconds(clean)),
                goal,
                judge(ratio <= CLEAN_BUILD_GOAL),
            ]);
        }
        Err(_) => table.push([
            format!("clean debug build, {}", DEFAULT.label()),
            seconds(clean),
            goal,
            MISSING.into(),
        ]),
    }
    let timing_report = dir.join("cargo-timings").join("cargo-timing.html");
    let slowest = std::fs::read_to_string(&timing_report)
        .map_err(|e| format!("cannot read {}: {e}", timing_report.display()))
        .and_then(|html| timings::slowest_units(&html, SLOWEST));

    let name = format!("`build.rs` on its own (median of {SCRIPT_RUNS} runs)");
    let goal = format!("≤ {}", seconds(GENERATION_GOAL));
    match time_build_script(ws, &dir) {
        Ok(generation) => table.push([
            name,
            seconds(generation),
            goal,
            judge(generation <= GENERATION_GOAL),
        ]),
        Err(e) => {
            table.push([name, MISSING.into(), goal, MISSING.into()]);
            errors.push(e);
        }
    }

    let name = format!("rebuild after touching `{TOUCHED}`");
    let goal = "build.rs not run".to_string();
    match touch_rebuild(ws, &dir) {
        Ok((took, reran)) => table.push([
            name,
            format!(
                "{}, build.rs {}",
                seconds(took),
                if reran { "ran again" } else { "not run" }
            ),
            goal,
            judge(!reran),
        ]),
        Err(e) => {
            table.push([name, MISSING.into(), goal, MISSING.into()]);
            errors.push(e);
        }
    }

    let name = "compile time, summed over units";
    match compile_split(ws, &timing_report, &root_dir.join("baseline")) {
        Ok((split, baseline)) => {
            let (ratio, floor) = split.ratios(baseline);
            table.push([name.to_string(), split.describe()]);
            table.push([
                "compile time over the baseline's, summed over units".to_string(),
                format!(
                    "{ratio:.2}× ({:.0} s against {baseline:.0} s); {floor:.2}× if this workspace's crates took no time",
                    split.total()
                ),
            ]);
        }
        Err(e) => {
            table.push([name.to_string(), MISSING.into()]);
            errors.push(e);
        }
    }

    let name = "clean debug build, hand-written baseline (reqwest + rustls/ring + serde)";
    match baseline {
        Ok(took) => table.push([
            name.to_string(),
            format!(
                "{}; the SDK takes {:.2}× that",
                seconds(took),
                clean.as_secs_f64() / took.as_secs_f64()
            ),
        ]),
        Err(e) => {
            table.push([name.to_string(), MISSING.into()]);
            errors.push(e);
        }
    }

    for edges in ["normal", "normal,build"] {
        let counted = dependency_count(ws, DEFAULT, edges);
        table.push([
            format!("dependencies (`cargo tree -e {edges}`), default features"),
            counted
                .as_ref()
                .map_or_else(|_| MISSING.into(), |n| format!("{n} crates")),
        ]);
        errors.extend(counted.err());
    }

    if options.variants {
        for &variant in VARIANTS {
            let measured = clean_build(ws, &root_dir.join(variant.name), variant)
                .and_then(|took| Ok((took, dependency_count(ws, variant, "normal")?)));
            table.push([
                format!("clean debug build, {}", variant.label()),
                measured.as_ref().map_or_else(
                    |_| MISSING.into(),
                    |(took, n)| format!("{}, {n} crates (normal)", seconds(*took)),
                ),
            ]);
            errors.extend(measured.err());
        }
    }

    if options.memory {
        let peak = memory::measure(ws);
        table.push(memory::row(&peak));
        match peak {
            Ok(kib) => goal_missed |= kib > memory::GOAL_KIB,
            Err(e) => errors.push(e),
        }
    }

    let text = report(
        options.format,
        &table,
        load_before.as_deref(),
        &timing_report,
        &slowest,
    );
    Ok(Outcome {
        text,
        goal_missed,
        error: (!errors.is_empty()).then(|| errors.join("\n")),
    })
}

fn report(
    format: Format,
    table: &Table,
    load: Option<&str>,
    timing_report: &Path,
    slowest: &Result<Vec<Unit>, String>,
) -> String {
    let mut text = format!(
        "Build cost of {PACKAGE}, one run on {} cores (load average {} before), in target/build-cost.\n\n",
        measure::cores(),
        load.unwrap_or("unknown"),
    );
    text.push_str(&table.render(format));
    text.push_str(&format!(
        "\nSlowest units of the default clean build ({}):\n",
        timing_report.display()
    ));
    match slowest {
        Ok(units) => {
            for unit in units {
                let took = seconds(Duration::from_secs_f64(unit.duration));
                text.push_str(&match format {
                    Format::Markdown => format!("- {took} `{}`\n", unit.label()),
                    Format::Text => format!("  {took:>8}  {}\n", unit.label()),
                });
            }
        }
        Err(e) => text.push_str(&format!("  ({e})\n")),
    }
    text
}

fn remove_dir(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("cannot empty {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Empties `dir`, then times `cargo build -p highlevel-calendars --timings` into it.
fn clean_build(ws: &Workspace, dir: &Path, variant: Variant) -> Result<Duration, String> {
    remove_dir(dir)?;
    let mut command = measure::cargo(&ws.root);
    command
        .args(["build", "-p", PACKAGE, "--timings"])
        .args(variant.args)
        .env("CARGO_TARGET_DIR", dir);
    eprintln!("build-cost: {} (clean)", measure::describe(&command));
    let (took, output) = measure::run_timed(&mut command)?;
    measure::succeeded(&output, &format!("the clean build ({})", variant.name))?;
    Ok(took)
}

/// Writes the hand-written baseline crate into `dir` (with our `Cargo.lock`, so it resolves the
/// same versions) and times its clean build there.
fn baseline_build(ws: &Workspace, dir: &Path) -> Result<Duration, String> {
    remove_dir(dir)?;
    let src = dir.join("src");
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(&src).map_err(|e| format!("cannot create {}: {e}", src.display()))?;
    write(dir.join("Cargo.toml"), BASELINE_MANIFEST)?;
    write(src.join("lib.rs"), BASELINE_LIB)?;
    std::fs::copy(ws.root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    let mut command = measure::cargo(dir);
    command
        .args(["build", "--offline", "--timings"])
        .env("CARGO_TARGET_DIR", dir.join("target"));
    eprintln!(
        "build-cost: {} (clean, in {})",
        measure::describe(&command),
        dir.display()
    );
    let (took, output) = measure::run_timed(&mut command)?;
    measure::succeeded(&output, "the baseline's clean build")?;
    Ok(took)
}

/// The compiled build script of the package in a target folder.
fn find_build_script(dir: &Path) -> Result<PathBuf, String> {
    let build = dir.join("debug").join("build");
    let entries =
        std::fs::read_dir(&build).map_err(|e| format!("cannot list {}: {e}", build.display()))?;
    let mut found: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{PACKAGE}-"))
        })
        .map(|e| e.path().join("build-script-build"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, path)| path)
        .ok_or_else(|| format!("no {PACKAGE} build script in {}", build.display()))
}

/// Runs the compiled build script [`SCRIPT_RUNS`] times, as cargo would, into a scratch
/// `OUT_DIR`; the median wall time.
fn time_build_script(ws: &Workspace, dir: &Path) -> Result<Duration, String> {
    let script = find_build_script(dir)?;
    let out_dir = std::env::temp_dir().join(format!("xtask-build-cost-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let mut runs = Vec::new();
    for _ in 0..SCRIPT_RUNS {
        let mut command = std::process::Command::new(&script);
        measure::without_cargo_run_env(&mut command);
        command
            .current_dir(&ws.root)
            .env("OUT_DIR", &out_dir)
            .env("CARGO_MANIFEST_DIR", &ws.root);
        let (took, output) = measure::run_timed(&mut command)?;
        measure::succeeded(&output, "the build script")?;
        runs.push(took);
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    eprintln!(
        "build-cost: {} ran {SCRIPT_RUNS} times: {}",
        script.display(),
        runs.iter()
            .map(|d| seconds(*d))
            .collect::<Vec<_>>()
            .join(", ")
    );
    median(runs).ok_or_else(|| "the build script never ran".into())
}

/// Marks `path` as modified now, leaving its contents alone (as `touch` does).
fn touch(path: &Path) -> Result<(), String> {
    File::options()
        .append(true)
        .open(path)
        .and_then(|file| file.set_modified(SystemTime::now()))
        .map_err(|e| format!("cannot touch {}: {e}", path.display()))
}

/// Touches [`TOUCHED`] and times `cargo build -v`; also whether the build script ran.
fn touch_rebuild(ws: &Workspace, dir: &Path) -> Result<(Duration, bool), String> {
    touch(&ws.root.join(TOUCHED))?;
    let mut command = measure::cargo(&ws.root);
    command
        .args(["build", "-p", PACKAGE, "-v"])
        .env("CARGO_TARGET_DIR", dir);
    eprintln!(
        "build-cost: {} (after touching {TOUCHED})",
        measure::describe(&command)
    );
    let (took, output) = measure::run_timed(&mut command)?;
    measure::succeeded(&output, "the rebuild")?;
    let log = String::from_utf8_lossy(&output.stderr);
    if !package_compiled(&log, PACKAGE) {
        return Err(format!(
            "touching {TOUCHED} did not make cargo recompile {PACKAGE}: nothing was measured"
        ));
    }
    Ok((took, build_script_ran(&log, PACKAGE)))
}

/// `cargo tree -p highlevel-calendars -e <edges> --prefix none`, counted.
fn dependency_count(ws: &Workspace, variant: Variant, edges: &str) -> Result<usize, String> {
    Ok(unique_crates(
        &dependency_tree(ws, variant, edges)?,
        PACKAGE,
    ))
}

/// `cargo tree -p highlevel-calendars -e <edges> --prefix none`.
fn dependency_tree(ws: &Workspace, variant: Variant, edges: &str) -> Result<String, String> {
    let mut command = measure::cargo(&ws.root);
    command
        .args(["tree", "-p", PACKAGE, "-e", edges, "--prefix", "none"])
        .args(variant.args);
    let (_, output) = measure::run_timed(&mut command)?;
    measure::succeeded(&output, "cargo tree")?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The default clean build's units split by who needs them (see [`cpu_split`]), and the
/// baseline's summed seconds; both builds ran with `--timings`.
fn compile_split(
    ws: &Workspace,
    timing_report: &Path,
    baseline_dir: &Path,
) -> Result<(Split, f64), String> {
    let read = |path: &Path| {
        let html = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        timings::slowest_units(&html, usize::MAX)
    };
    let units = read(timing_report)?;
    let baseline_units = read(
        &baseline_dir
            .join("target")
            .join("cargo-timings")
            .join("cargo-timing.html"),
    )?;
    let mut command = measure::cargo(baseline_dir);
    command.args([
        "tree",
        "--offline",
        "-e",
        "normal,build",
        "--prefix",
        "none",
    ]);
    let (_, output) = measure::run_timed(&mut command)?;
    measure::succeeded(&output, "cargo tree (baseline)")?;
    let baseline_tree = String::from_utf8_lossy(&output.stdout);
    let split = cpu_split::split(
        &units,
        &baseline_tree,
        &dependency_tree(ws, DEFAULT, "normal")?,
        &dependency_tree(ws, DEFAULT, "normal,build")?,
    );
    Ok((split, cpu_split::summed(&baseline_units)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_asks_for_the_versions_the_sdk_uses() {
        let root: toml::Table =
            toml::from_str(include_str!("../../../Cargo.toml")).expect("the root manifest parses");
        let runtime: toml::Table =
            toml::from_str(include_str!("../../../crates/highlevel-runtime/Cargo.toml"))
                .expect("the runtime's manifest parses");
        let baseline: toml::Table = toml::from_str(BASELINE_MANIFEST).expect("the baseline parses");
        let version = |deps: &toml::Value, name: &str| -> String {
            match &deps[name] {
                toml::Value::String(v) => v.clone(),
                table => table["version"].as_str().unwrap_or_default().to_string(),
            }
        };
        for name in baseline["dependencies"].as_table().unwrap().keys() {
            // The SDK's dependencies are its own and its runtime's.
            let ours = [&root, &runtime]
                .into_iter()
                .find(|m| m["dependencies"].get(name).is_some())
                .unwrap_or_else(|| panic!("neither the SDK nor its runtime depends on {name}"));
            assert_eq!(
                version(&baseline["dependencies"], name),
                version(&ours["dependencies"], name),
                "{name}"
            );
        }
    }

    #[test]
    fn sees_the_build_script_run_in_verbose_output() {
        let reran = "       Dirty highlevel-calendars v0.1.0 (/w): the file `build.rs` has changed\n\
            \x20  Compiling highlevel-calendars v0.1.0 (/w)\n\
            \x20    Running `/w/target/debug/build/highlevel-calendars-0f3c/build-script-build`\n\
            \x20    Running `/usr/bin/rustc --crate-name highlevel_calendars ...`\n";
        assert!(build_script_ran(reran, PACKAGE));
    }

    #[test]
    fn a_fresh_build_script_and_other_packages_scripts_do_not_count() {
        let fresh = "       Fresh serde v1.0.228\n\
            \x20      Fresh highlevel-calendars v0.1.0 (/w)\n\
            \x20      Dirty highlevel-calendars v0.1.0 (/w): the file `src/lib.rs` has changed\n\
            \x20  Compiling highlevel-calendars v0.1.0 (/w)\n\
            \x20    Running `/usr/bin/rustc --crate-name highlevel_calendars --out-dir /w/target/debug/deps -L /w/target/debug/build/highlevel-calendars-0f3c/out`\n\
            \x20    Running `/w/target/debug/build/ring-1a2b/build-script-build`\n\
            \x20   Finished `dev` profile [unoptimized + debuginfo] target(s) in 3.10s\n";
        assert!(!build_script_ran(fresh, PACKAGE));
    }

    #[test]
    fn sees_whether_the_package_itself_was_compiled() {
        let log = "   Compiling highlevel-calendars-extra v0.1.0\n       Fresh highlevel-calendars v0.1.0 (/w)\n";
        assert!(!package_compiled(log, PACKAGE));
        assert!(package_compiled(
            "   Compiling highlevel-calendars v0.1.0 (/w)\n",
            PACKAGE
        ));
    }

    #[test]
    fn counts_each_crate_version_once_without_the_package() {
        let tree = "highlevel-calendars v0.1.0 (/src/highlevel-calendars)\n\
            bytes v1.10.1\n\
            serde v1.0.228\n\
            serde_derive v1.0.228 (proc-macro)\n\
            bytes v1.10.1 (*)\n\
            syn v2.0.100\n\
            syn v1.0.109\n\
            \n";
        assert_eq!(unique_crates(tree, PACKAGE), 5);
    }

    #[test]
    fn the_median_is_the_middle_run() {
        let ms = |v: &[u64]| v.iter().map(|&m| Duration::from_millis(m)).collect();
        assert_eq!(
            median(ms(&[900, 100, 500])),
            Some(Duration::from_millis(500))
        );
        assert_eq!(median(ms(&[4, 1, 3, 2])), Some(Duration::from_millis(3)));
        assert_eq!(median(Vec::new()), None);
    }

    #[test]
    fn variants_read_as_their_cargo_flags() {
        assert_eq!(DEFAULT.label(), "default features");
        assert_eq!(
            VARIANTS[0].label(),
            "`--no-default-features --features native-tls`"
        );
    }
}
