//! The snapshot half of the state file ([`SandboxBuilder::state_file`](crate::SandboxBuilder::state_file),
//! the program's `--state FILE`): `FILE` holds `{"resources": [{"collection", "scope",
//! "resource"}, …]}`, oldest first, one resource a line. It is rewritten whole only when the
//! journal beside it is folded in ([`super::state`]); each change in between is one line of
//! the journal ([`super::journal`]), so a change costs the same with ten resources kept or
//! 100,000.

use serde_json::Value;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One saved resource: its collection path (as the document writes it, without a trailing
/// `/`), its scope (that path with the parents' ids) and the resource.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Saved {
    pub(crate) collection: String,
    pub(crate) scope: String,
    pub(crate) resource: Value,
}

/// An `InvalidData` error naming the file.
pub(crate) fn invalid(path: &Path, why: impl std::fmt::Display) -> io::Error {
    let shown = path.display();
    io::Error::new(io::ErrorKind::InvalidData, format!("{shown}: {why}"))
}

/// `path` with `suffix` appended to its file name: `state.json` -> `state.json.journal`.
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A saved resource from its JSON object, or why not.
pub(crate) fn saved_of(mut entry: Value) -> Result<Saved, &'static str> {
    let mut text = |name: &str| match entry.get_mut(name).map(Value::take) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    match (text("collection"), text("scope"), entry["resource"].take()) {
        (Some(collection), Some(scope), resource) if resource.is_object() => Ok(Saved {
            collection,
            scope,
            resource,
        }),
        _ => Err("each resource needs a collection, a scope and an object"),
    }
}

/// The resources saved in `path`; none when the file does not exist yet.
pub(crate) fn load(path: &Path) -> io::Result<Vec<Saved>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut value: Value = serde_json::from_slice(&text).map_err(|e| invalid(path, e))?;
    let Some(Value::Array(entries)) = value.get_mut("resources").map(Value::take) else {
        return Err(invalid(path, "expected {\"resources\": [...]}"));
    };
    entries
        .into_iter()
        .map(|entry| saved_of(entry).map_err(|why| invalid(path, why)))
        .collect()
}

/// Writes `saved` (collection, scope, resource as compact JSON) to `path` through a temporary file beside it,
/// renamed over it, so that a server stopped at any moment (even killed) leaves either the old
/// or the new file whole.
pub(crate) fn save<'a>(
    path: &Path,
    saved: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> io::Result<()> {
    let temporary = beside(path, ".tmp");
    let mut out = io::BufWriter::new(std::fs::File::create(&temporary)?);
    out.write_all(b"{\"resources\": [")?;
    for (n, (collection, scope, resource)) in saved.into_iter().enumerate() {
        out.write_all(if n == 0 { b"\n  " } else { b",\n  " })?;
        write_entry(&mut out, collection, scope, resource)?;
    }
    out.write_all(b"\n]}\n")?;
    out.into_inner().map_err(io::IntoInnerError::into_error)?;
    std::fs::rename(&temporary, path)
}

/// `{"collection": …, "scope": …, "resource": …}`, the resource (compact JSON) as it is.
pub(crate) fn write_entry(
    out: &mut impl Write,
    collection: &str,
    scope: &str,
    resource: &str,
) -> io::Result<()> {
    out.write_all(b"{\"collection\": ")?;
    serde_json::to_writer(&mut *out, collection)?;
    out.write_all(b", \"scope\": ")?;
    serde_json::to_writer(&mut *out, scope)?;
    out.write_all(b", \"resource\": ")?;
    out.write_all(resource.as_bytes())?;
    out.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn saved_resources_load_again_and_bad_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("sandbox-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        assert!(load(&path).unwrap().is_empty(), "no file yet");
        let saved = vec![
            Saved {
                collection: "/things".into(),
                scope: "/things".into(),
                resource: json!({"id": "a"}),
            },
            Saved {
                collection: "/things/{id}/parts".into(),
                scope: "/things/a/parts".into(),
                resource: json!({"id": "b", "name": "x\ny"}),
            },
        ];
        let json: Vec<String> = saved.iter().map(|s| s.resource.to_string()).collect();
        save(
            &path,
            saved
                .iter()
                .zip(&json)
                .map(|(s, json)| (s.collection.as_str(), s.scope.as_str(), json.as_str())),
        )
        .unwrap();
        assert_eq!(load(&path).unwrap(), saved);
        save(&path, []).unwrap();
        assert!(load(&path).unwrap().is_empty(), "an empty store saves too");
        for bad in [
            &b"[]"[..],
            b"{\"resources\": [{\"scope\": \"/x\"}]}",
            b"not json",
        ] {
            std::fs::write(&path, bad).unwrap();
            let error = load(&path).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
            assert!(error.to_string().contains("state.json"), "{error}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
