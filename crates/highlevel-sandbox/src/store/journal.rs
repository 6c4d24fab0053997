//! The journal half of the state file: `FILE.journal`, JSON Lines, one line per change since
//! the snapshot at `FILE` was written:
//!
//! - `{"op": "put", "collection": C, "scope": S, "resource": R}`: R created or updated (the
//!   whole resource, so that replaying it needs nothing else);
//! - `{"op": "delete", "collection": C, "scope": S, "id": I}`: I deleted, and with it what
//!   lived under it (replaying it removes the same children, so one line is enough).
//!
//! Each line goes to the kernel in one `write(2)` as the change is answered, without fsync: a
//! killed process loses nothing, a machine that loses power may lose the last lines. A line
//! cut short that way is the file's last and has no newline; reading ignores it. Any other
//! line that is not a change is an error naming the file and line.

use super::file::{Saved, invalid, saved_of};
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One change, as written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entry<'a> {
    Put {
        collection: &'a str,
        scope: &'a str,
        /// As compact JSON.
        resource: &'a str,
    },
    Delete {
        collection: &'a str,
        scope: &'a str,
        id: &'a str,
    },
}

impl Entry<'_> {
    /// The entry's line, newline included.
    fn write_line(&self, out: &mut Vec<u8>) -> io::Result<()> {
        match *self {
            Entry::Put {
                collection,
                scope,
                resource,
            } => {
                out.extend_from_slice(b"{\"op\": \"put\", ");
                // The snapshot's entry, less its opening brace.
                let mut entry = Vec::new();
                super::file::write_entry(&mut entry, collection, scope, resource)?;
                out.extend_from_slice(&entry[1..]);
            }
            Entry::Delete {
                collection,
                scope,
                id,
            } => {
                let line = serde_json::json!({
                    "op": "delete", "collection": collection, "scope": scope, "id": id,
                });
                serde_json::to_writer(&mut *out, &line)?;
            }
        }
        out.push(b'\n');
        Ok(())
    }
}

/// One change, as read back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Replayed {
    Put(Saved),
    Delete {
        collection: String,
        scope: String,
        id: String,
    },
}

/// The changes in the journal at `path` (none when there is no journal), oldest first.
pub(crate) fn read(path: &Path) -> io::Result<Vec<Replayed>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut changes = Vec::new();
    let mut lines = text.split_inclusive(|&b| b == b'\n').enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let whole = line.ends_with(b"\n");
        match parse(line) {
            Ok(change) => changes.push(change),
            // Cut short by a crash: the change was never answered as kept.
            Err(_) if !whole && lines.peek().is_none() => {}
            Err(why) => return Err(invalid(path, format!("line {}: {why}", n + 1))),
        }
    }
    Ok(changes)
}

fn parse(line: &[u8]) -> Result<Replayed, String> {
    let mut value: Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    let mut text = |name: &str| match value.get_mut(name).map(Value::take) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    match text("op").as_deref() {
        Some("put") => saved_of(value).map(Replayed::Put).map_err(String::from),
        Some("delete") => match (text("collection"), text("scope"), text("id")) {
            (Some(collection), Some(scope), Some(id)) => Ok(Replayed::Delete {
                collection,
                scope,
                id,
            }),
            _ => Err("a delete needs a collection, a scope and an id".into()),
        },
        _ => Err("expected \"op\": \"put\" or \"delete\"".into()),
    }
}

/// The journal being written.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    /// Opened on the first change, so that a run that changes nothing writes nothing.
    file: Option<File>,
    /// Lines written since the journal was last emptied.
    pub(crate) lines: usize,
}

impl Journal {
    pub(crate) fn new(path: PathBuf) -> Journal {
        Journal {
            path,
            file: None,
            lines: 0,
        }
    }

    /// Appends `entries`, all in one write.
    pub(crate) fn append(&mut self, entries: &[Entry<'_>]) -> io::Result<()> {
        let mut lines = Vec::new();
        for entry in entries {
            entry.write_line(&mut lines)?;
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)?,
            ),
        };
        file.write_all(&lines)?;
        self.lines += entries.len();
        Ok(())
    }

    /// Removes the journal, once a snapshot holds what it said.
    pub(crate) fn clear(&mut self) -> io::Result<()> {
        self.file = None;
        self.lines = 0;
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sandbox-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn changes_read_back_in_order_and_a_torn_last_line_is_ignored() {
        let dir = dir("journal");
        let path = dir.join("state.json.journal");
        assert!(read(&path).unwrap().is_empty(), "no journal yet");
        let mut journal = Journal::new(path.clone());
        let resource = json!({"id": "a", "name": "line\nbreak"});
        journal
            .append(&[
                Entry::Put {
                    collection: "/things",
                    scope: "/things",
                    resource: &resource.to_string(),
                },
                Entry::Delete {
                    collection: "/things",
                    scope: "/things",
                    id: "a",
                },
            ])
            .unwrap();
        assert_eq!(journal.lines, 2);
        let read_back = read(&path).unwrap();
        assert_eq!(
            read_back,
            [
                Replayed::Put(Saved {
                    collection: "/things".into(),
                    scope: "/things".into(),
                    resource,
                }),
                Replayed::Delete {
                    collection: "/things".into(),
                    scope: "/things".into(),
                    id: "a".into(),
                }
            ]
        );
        // A crash mid-write: the last line is cut short.
        let mut text = std::fs::read(&path).unwrap();
        text.extend_from_slice(b"{\"op\": \"put\", \"collec");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read(&path).unwrap(), read_back);

        journal.clear().unwrap();
        assert!(!path.exists());
        assert_eq!(journal.lines, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_line_before_the_last_is_refused_with_its_number() {
        let dir = dir("bad-journal");
        let path = dir.join("state.json.journal");
        let put = r#"{"op": "put", "collection": "/t", "scope": "/t", "resource": {"id": "a"}}"#;
        for (text, line) in [
            (format!("{put}\nnot json\n{put}\n"), "line 2"),
            (format!("{put}\n{{\"op\": \"move\"}}\n"), "line 2"),
            (
                format!("{{\"op\": \"delete\", \"id\": \"a\"}}\n{put}"),
                "line 1",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let error = read(&path).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
            let message = error.to_string();
            assert!(message.contains("state.json.journal"), "{message}");
            assert!(message.contains(line), "{message}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
