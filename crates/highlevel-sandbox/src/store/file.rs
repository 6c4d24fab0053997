//! Kept resources in a file between runs ([`SandboxBuilder::state_file`](crate::SandboxBuilder::state_file),
//! the program's `--state`): `{"resources": [{"collection", "scope", "resource"}, …]}`, oldest
//! first, read at start and written after every change.

use serde_json::{Value, json};
use std::io;
use std::path::Path;

/// One saved resource: its collection path (as the document writes it, without a trailing
/// `/`), its scope (that path with the parents' ids) and the resource.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Saved {
    pub(crate) collection: String,
    pub(crate) scope: String,
    pub(crate) resource: Value,
}

fn invalid(path: &Path, why: impl std::fmt::Display) -> io::Error {
    let shown = path.display();
    io::Error::new(io::ErrorKind::InvalidData, format!("{shown}: {why}"))
}

/// The resources saved in `path`; none when the file does not exist yet.
pub(crate) fn load(path: &Path) -> io::Result<Vec<Saved>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let value: Value = serde_json::from_slice(&text).map_err(|e| invalid(path, e))?;
    let Some(entries) = value.get("resources").and_then(Value::as_array) else {
        return Err(invalid(path, "expected {\"resources\": [...]}"));
    };
    entries
        .iter()
        .map(|entry| {
            let text = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_string);
            match (text("collection"), text("scope"), entry.get("resource")) {
                (Some(collection), Some(scope), Some(resource)) if resource.is_object() => {
                    Ok(Saved {
                        collection,
                        scope,
                        resource: resource.clone(),
                    })
                }
                _ => Err(invalid(
                    path,
                    "each resource needs a collection, a scope and an object",
                )),
            }
        })
        .collect()
}

/// Writes `saved` to `path` through a temporary file beside it, renamed over it, so that a
/// server stopped at any moment (even killed) leaves either the old or the new file whole.
pub(crate) fn save(path: &Path, saved: &[Saved]) -> io::Result<()> {
    let entries: Vec<Value> = saved
        .iter()
        .map(|s| json!({"collection": s.collection, "scope": s.scope, "resource": s.resource}))
        .collect();
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let text =
        serde_json::to_vec_pretty(&json!({ "resources": entries })).map_err(io::Error::other)?;
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_resources_load_again_and_bad_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("sandbox-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        assert!(load(&path).unwrap().is_empty(), "no file yet");
        let saved = vec![Saved {
            collection: "/things".into(),
            scope: "/things".into(),
            resource: json!({"id": "a"}),
        }];
        save(&path, &saved).unwrap();
        assert_eq!(load(&path).unwrap(), saved);
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
