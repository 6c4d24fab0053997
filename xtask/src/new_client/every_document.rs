//! `cargo xtask every-document <folder>`: `new-client` for every document of a folder, each
//! crate built and tested, and a table of how far each got. The crates share one target
//! folder, so the dependencies are compiled once.

use super::{Request, run};
use crate::spec::source::Source;
use crate::workspace::Workspace;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How far one document got.
#[derive(Debug)]
pub struct Row {
    /// The document's file name.
    pub document: String,
    /// Its operations (those with an operationId).
    pub operations: usize,
    /// `Ok` once the crate was written; else why not.
    pub generated: Result<(), String>,
    /// `Ok` once it compiled, tests included; `None` when not tried.
    pub built: Option<Result<(), String>>,
    /// `Ok` once its tests passed; `None` when not tried.
    pub tested: Option<Result<(), String>>,
}

impl Row {
    /// Whether the document went all the way.
    pub fn passed(&self) -> bool {
        matches!(self.tested, Some(Ok(())))
    }
}

/// Makes, builds and tests a crate for each `*.json` of `folder` (its `apps/` subfolder when
/// it has one) in `out/<name>`, printing each row as it is done.
pub fn every_document(
    workspace: &Workspace,
    folder: &Path,
    out: &Path,
) -> Result<Vec<Row>, String> {
    let apps = if folder.join("apps").is_dir() {
        folder.join("apps")
    } else {
        folder.to_path_buf()
    };
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&apps)
        .map_err(|e| format!("cannot read {}: {e}", apps.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    documents.sort();
    // Absolute: cargo runs in each crate's folder, and reads a relative target folder from
    // there.
    let out = &std::env::current_dir()
        .map_err(|e| format!("no current folder: {e}"))?
        .join(out);
    let target = out.join("target");
    let mut rows = Vec::new();
    for path in documents {
        let row = one(workspace, &path, out, &target);
        eprintln!("{}", markdown_row(&row));
        rows.push(row);
    }
    Ok(rows)
}

fn one(workspace: &Workspace, path: &Path, out: &Path, target: &Path) -> Row {
    let document = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let operations = std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map_or(0, |doc| crate::spec::diff::operation_ids(&doc).len());
    let dir = out.join(document.trim_end_matches(".json"));
    let _ = std::fs::remove_dir_all(&dir);
    let request = Request {
        dir: dir.clone(),
        from: Source::Path(path.to_path_buf()),
        operations: None,
        name: None,
        checkout: Some(workspace.root.clone()),
    };
    let mut row = Row {
        document,
        operations,
        generated: run(workspace, &request).map(|_| ()),
        built: None,
        tested: None,
    };
    if row.generated.is_ok() {
        row.built = Some(cargo(&dir, target, &["test", "--no-run"]));
        if matches!(row.built, Some(Ok(()))) {
            row.tested = Some(cargo(&dir, target, &["test"]));
        }
    }
    row
}

/// Runs cargo in `dir`; `Err` holds the first error line of its output.
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Result<(), String> {
    let output = Command::new(env!("CARGO"))
        .current_dir(dir)
        .args(args)
        .arg("--quiet")
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    // The generated test lists its failures after this line; the first says most.
    let lines: Vec<&str> = text.lines().collect();
    if let Some(at) = lines.iter().position(|l| l.contains("operations failed:")) {
        let first = lines.get(at + 1).unwrap_or(&"");
        return Err(format!("{} {first}", lines[at].trim()));
    }
    let first = lines
        .iter()
        .find(|l| l.starts_with("error") || l.contains("panicked"))
        .unwrap_or(&"failed");
    Err(first.to_string())
}

/// The table's header, in Markdown.
pub const HEADER: &str =
    "| document | operations | generated | built | tested |\n| --- | --- | --- | --- | --- |";

/// One row of the table, in Markdown; a failure says its first line.
pub fn markdown_row(row: &Row) -> String {
    let cell = |step: &Option<Result<(), String>>| match step {
        None => "–".to_string(),
        Some(Ok(())) => "yes".to_string(),
        Some(Err(why)) => format!("no: {}", short(why)),
    };
    format!(
        "| {} | {} | {} | {} | {} |",
        row.document,
        row.operations,
        cell(&Some(row.generated.clone())),
        cell(&row.built),
        cell(&row.tested)
    )
}

/// The first line of a reason, cut to a table cell's size, with `|` escaped.
fn short(why: &str) -> String {
    let line = why.lines().next().unwrap_or_default().replace('|', "\\|");
    match line.char_indices().nth(140) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}
