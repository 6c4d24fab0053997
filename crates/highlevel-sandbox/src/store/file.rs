//! The snapshot half of the state file ([`SandboxBuilder::state_file`](crate::SandboxBuilder::state_file),
//! the program's `--state FILE`): `FILE` holds `{"resources": [{"collection", "scope",
//! "resource"}, …]}`, oldest first, one resource a line. It is rewritten whole only when the
//! journal beside it is folded in ([`super::state`]); each change in between is one line of
//! the journal ([`super::journal`]), so a change costs the same with ten resources kept or
//! 100,000.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
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
#[cfg(test)]
pub(crate) fn load(path: &Path) -> io::Result<Vec<Saved>> {
    let mut saved = Vec::new();
    load_each(path, |one| {
        saved.push(one);
        Ok(())
    })?;
    Ok(saved)
}

/// Hands each resource saved in `path` to `each`, oldest first, as it is read: 100,000
/// calendars read into one `Value` tree first took gigabytes and most of a start's time.
/// Nothing when the file does not exist yet; the first error `each` returns ends the reading.
pub(crate) fn load_each(
    path: &Path,
    mut each: impl FnMut(Saved) -> io::Result<()>,
) -> io::Result<()> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut failed: Option<io::Error> = None;
    let mut deserializer = serde_json::Deserializer::from_slice(&text);
    let read = Snapshot {
        path,
        each: &mut each,
        failed: &mut failed,
    }
    .deserialize(&mut deserializer)
    .and_then(|found| deserializer.end().map(|()| found));
    match (failed, read) {
        (Some(error), _) => Err(error),
        (None, Err(e)) => Err(invalid(path, e)),
        (None, Ok(false)) => Err(invalid(path, EXPECTED)),
        (None, Ok(true)) => Ok(()),
    }
}

const EXPECTED: &str = "expected {\"resources\": [...]}";

/// The snapshot's top object: whether it had its `resources` list.
struct Snapshot<'a, F> {
    path: &'a Path,
    each: &'a mut F,
    /// Why `each` stopped the reading.
    failed: &'a mut Option<io::Error>,
}

impl<'de, F: FnMut(Saved) -> io::Result<()>> DeserializeSeed<'de> for Snapshot<'_, F> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(Saved) -> io::Result<()>> Visitor<'de> for Snapshot<'_, F> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != "resources" || found {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            found = true;
            map.next_value_seed(Entries {
                path: self.path,
                each: &mut *self.each,
                failed: &mut *self.failed,
            })?;
        }
        Ok(found)
    }
}

/// The `resources` list, each entry handed on as it is read.
struct Entries<'a, F> {
    path: &'a Path,
    each: &'a mut F,
    failed: &'a mut Option<io::Error>,
}

impl<'de, F: FnMut(Saved) -> io::Result<()>> DeserializeSeed<'de> for Entries<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Saved) -> io::Result<()>> Visitor<'de> for Entries<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Value>()? {
            let handed = saved_of(entry)
                .map_err(|why| invalid(self.path, why))
                .and_then(|saved| (self.each)(saved));
            if let Err(error) = handed {
                let message = error.to_string();
                *self.failed = Some(error);
                return Err(de::Error::custom(message));
            }
        }
        Ok(())
    }
}

/// Writes `saved` (collection, scope, resource as compact JSON) to `path` through a temporary
/// file beside it, renamed over it, so that a server stopped at any moment (even killed) leaves
/// either the old or the new file whole.
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
        let mut handed = 0;
        let stopped = load_each(&path, |_| {
            handed += 1;
            Err(io::Error::other("stop here"))
        });
        assert_eq!(stopped.unwrap_err().to_string(), "stop here");
        assert_eq!(handed, 1, "the first error ends the reading");
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
