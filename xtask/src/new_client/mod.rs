//! `cargo xtask new-client <dir> --from <document>`: a client crate for another HighLevel API
//! document, made by the same pipeline as this workspace's Calendars client and standing on
//! the same runtime: the upstream snapshot and its provenance, `pipeline.toml` listing the
//! operations, the normalized document, a `build.rs` of one call, a `src/lib.rs` of
//! re-exports, a `sandbox` feature, and a test that calls every operation against the
//! schema-driven sandbox. The crate names the workspace's crates by version; a
//! `[patch.crates-io]` section takes them from a local checkout (by default this one).

pub mod every_document;
mod templates;

use crate::spec::diff::operation_ids;
use crate::spec::source::Source;
use crate::spec::update;
use crate::workspace::{CONFIG_PATH, Workspace, write_file};
use std::path::{Path, PathBuf};

/// What `new-client` is asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The crate's folder (created; must be empty or missing).
    pub dir: PathBuf,
    /// The upstream document.
    pub from: Source,
    /// The operations to keep; `None` keeps every operation of the document.
    pub operations: Option<Vec<String>>,
    /// The package name; by default `highlevel-<document name>`.
    pub name: Option<String>,
    /// The checkout of highlevel-calendars whose runtime, codegen and sandbox the crate
    /// builds against (a `[patch.crates-io]` section); `None` leaves the published versions.
    pub checkout: Option<PathBuf>,
}

/// What `new-client` made.
#[derive(Debug)]
pub struct Made {
    /// The package name.
    pub name: String,
    /// The operations the client has.
    pub operations: Vec<String>,
    /// What to print: the normalizer's report and the files written.
    pub report: String,
}

/// Writes the crate `request` describes, on the runtime, generator and sandbox of the version
/// this workspace has.
pub fn run(workspace: &Workspace, request: &Request) -> Result<Made, String> {
    let dir = &request.dir;
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} is not empty; new-client writes a whole crate into a new folder",
            dir.display()
        ));
    }
    let (_, document) = request.from.fetch_root_json()?;
    let file_name = document_file_name(&request.from)?;
    let stem = file_name.trim_end_matches(".json").to_string();
    let all = operation_ids(&document);
    let operations = match &request.operations {
        None => all.clone(),
        Some(wanted) => {
            let unknown: Vec<&String> = wanted.iter().filter(|id| !all.contains(id)).collect();
            if !unknown.is_empty() {
                return Err(format!(
                    "{} has no operation {unknown:?} (it has {} operations)",
                    request.from.display(),
                    all.len()
                ));
            }
            wanted.clone()
        }
    };
    if operations.is_empty() {
        return Err(format!(
            "{} has no operation with an operationId",
            request.from.display()
        ));
    }
    let name = request
        .name
        .clone()
        .unwrap_or_else(|| format!("highlevel-{stem}"));
    let title = document["info"]["title"]
        .as_str()
        .unwrap_or(&stem)
        .to_string();

    let ws = Workspace::at(dir);
    let openapi = ws.openapi_dir();
    let upstream_entry = format!("upstream/apps/{file_name}");
    write_file(
        &ws.config_path(),
        templates::pipeline_toml(&upstream_entry, &format!("{stem}.json"), &operations).as_bytes(),
    )?;
    copy(&workspace.overlay_path(), &ws.overlay_path())?;
    copy(
        &workspace.upstream_dir().join("LICENSE"),
        &ws.upstream_dir().join("LICENSE"),
    )?;
    update::update(&ws, &request.from, false)?;
    // The step lines (with every note that asks for attention, such as enum names chosen for a
    // clash); the files are already up to date.
    let steps = crate::spec::normalize(&ws)?;

    let checkout = request.checkout.as_deref().map(absolute).transpose()?;
    let files = [
        (
            "Cargo.toml",
            templates::cargo_toml(&name, &title, checkout.as_deref()),
        ),
        ("build.rs", templates::build_rs(&stem)),
        ("src/lib.rs", templates::lib_rs(&title)),
        (
            "src/sandbox.rs",
            templates::sandbox_rs(&title, &name, &stem),
        ),
        (
            "tests/every_operation.rs",
            templates::every_operation_test(&name),
        ),
        (
            "README.md",
            templates::readme(&name, &title, &request.from.display(), operations.len()),
        ),
        (".gitignore", "/target\n".to_string()),
    ];
    for (path, text) in &files {
        write_file(&dir.join(path), text.as_bytes())?;
    }
    // The versions this workspace builds and tests with, so the new crate starts from them
    // (and builds without a registry lookup when they are in the local cache).
    copy(&workspace.root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;

    let mut report = format!(
        "new-client: {name} in {} ({} of {} operations of {})\n",
        dir.display(),
        operations.len(),
        all.len(),
        request.from.display()
    );
    // Overlay entries the Calendars pipeline calls obsolete say nothing about this document.
    for line in steps
        .lines()
        .filter(|l| !l.starts_with("obsolete overlay entry"))
    {
        report.push_str(line);
        report.push('\n');
    }
    report.push_str(&format!(
        "wrote {CONFIG_PATH}, {} and {}\nnext: cd {} && cargo test\n",
        openapi
            .join("overlay.toml")
            .strip_prefix(dir)
            .unwrap_or(&openapi)
            .display(),
        files.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", "),
        dir.display()
    ));
    Ok(Made {
        name,
        operations,
        report,
    })
}

/// The document's file name (`contacts.json`), for the snapshot and the crate's name.
fn document_file_name(from: &Source) -> Result<String, String> {
    let text = match from {
        Source::Path(path) => path.to_string_lossy().into_owned(),
        Source::Url(url) => url.split(['?', '#']).next().unwrap_or(url).to_string(),
    };
    let name = text.rsplit('/').next().unwrap_or(&text).to_string();
    if name.ends_with(".json") && name.len() > ".json".len() {
        Ok(name)
    } else {
        Err(format!(
            "{}: expected a JSON document named like `contacts.json`",
            from.display()
        ))
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    let bytes = std::fs::read(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    write_file(to, &bytes)
}

/// `path` made absolute (and free of `..`), for a `[patch]` that holds wherever the crate moves.
fn absolute(path: &Path) -> Result<PathBuf, String> {
    path.canonicalize()
        .map_err(|e| format!("cannot find the checkout {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_names_the_crate() {
        let name = |s: &str| document_file_name(&Source::parse(s));
        assert_eq!(
            name("../upstream/apps/contacts.json").unwrap(),
            "contacts.json"
        );
        assert_eq!(
            name("https://h/x/apps/store.json?raw=1").unwrap(),
            "store.json"
        );
        assert!(name("/srv/document").is_err());
    }
}
