//! The state file as a whole: the snapshot at `FILE` ([`super::file`]) plus the journal of
//! changes since, at `FILE.journal` ([`super::journal`]).
//!
//! At start the snapshot is read, the journal replayed over it, and both folded into a new
//! snapshot (written beside and renamed over, then the journal removed). While running, each
//! change appends to the journal; when the journal has grown past twice the resources kept
//! (plus [`SLACK`]) — mostly updates and deletes of what the snapshot holds — it is folded in
//! the same way, so folding costs O(1) amortized per change. A graceful stop folds it too.
//!
//! A process killed between the rename and the journal's removal leaves a snapshot that holds
//! the journal's changes already; replaying them again is harmless, as a put replaces the
//! resource with its id and a delete of what is gone does nothing.

use super::file::{self, invalid};
use super::journal::{self, Entry, Journal, Replayed};
use super::records::Records;
use super::shape::Shapes;
use std::io;
use std::path::{Path, PathBuf};

/// Journal lines tolerated beyond twice the resources kept before folding it in.
pub(crate) const SLACK: usize = 1_024;

/// The state file of a store.
#[derive(Debug)]
pub(crate) struct StateFile {
    snapshot: PathBuf,
    journal: Journal,
    /// A journal write failed: its last line may be torn, so the next change folds the journal
    /// into the snapshot instead of appending after it.
    broken: bool,
}

impl StateFile {
    /// Reads the snapshot at `path` and its journal into `records` (refusing more than `max`
    /// resources), then folds the journal in when there was one.
    pub(crate) fn open(
        path: &Path,
        shapes: &Shapes,
        records: &mut Records,
        max: usize,
    ) -> io::Result<StateFile> {
        let journal_path = file::beside(path, ".journal");
        file::load_each(path, |saved| put(path, shapes, records, saved))?;
        let replayed = journal::read(&journal_path)?;
        let had_journal = journal_path.exists();
        for change in replayed {
            match change {
                Replayed::Put(saved) => put(&journal_path, shapes, records, saved)?,
                Replayed::Delete {
                    collection, scope, ..
                } if shapes.collection(&collection).is_none() => {
                    return Err(invalid(
                        &journal_path,
                        format!("no collection {collection} (scope {scope})"),
                    ));
                }
                Replayed::Delete { scope, id, .. } => {
                    records.remove(&scope, &id);
                }
            }
        }
        if records.len() > max {
            let kept = records.len();
            return Err(invalid(
                path,
                format!("{kept} resources, more than the {max} the sandbox may keep"),
            ));
        }
        let mut state = StateFile {
            snapshot: path.to_path_buf(),
            journal: Journal::new(journal_path),
            broken: false,
        };
        if had_journal {
            state.compact(shapes, records)?;
        }
        Ok(state)
    }

    /// Writes `changes`, made to `records` a moment ago; folds the journal in when it is due.
    pub(crate) fn record(&mut self, shapes: &Shapes, records: &Records, changes: &[Entry<'_>]) {
        if changes.is_empty() {
            return;
        }
        let due = self.journal.lines + changes.len() > 2 * records.len() + SLACK;
        let written = match self.broken || due {
            true => self.compact(shapes, records),
            false => self.journal.append(changes),
        };
        if let Err(e) = written {
            self.broken = true;
            // The request did its work; only keeping it failed. Say so where the operator looks.
            eprintln!(
                "sandbox: cannot write the state file {}: {e}",
                self.snapshot.display()
            );
        }
    }

    /// Writes every resource as the new snapshot, then removes the journal.
    pub(crate) fn compact(&mut self, shapes: &Shapes, records: &Records) -> io::Result<()> {
        let all = records.all().into_iter().map(|(scope, record)| {
            let collection = shapes.collections[record.collection].template.as_str();
            (collection, scope, record.json())
        });
        file::save(&self.snapshot, all)?;
        self.journal.clear()?;
        self.broken = false;
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn journal_lines(&self) -> usize {
        self.journal.lines
    }
}

/// Keeps `saved` (read from `path`) in `records`, replacing what has its id.
fn put(path: &Path, shapes: &Shapes, records: &mut Records, saved: file::Saved) -> io::Result<()> {
    let index = shapes
        .collection(&saved.collection)
        .ok_or_else(|| invalid(path, format!("no collection {}", saved.collection)))?;
    let id_field = shapes.collections[index].id_field;
    let id = saved.resource[id_field]
        .as_str()
        .ok_or_else(|| invalid(path, format!("a resource without {id_field}")))?
        .to_string();
    records.put(&saved.scope, index, &id, &saved.resource);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use serde_json::{Value, json};

    fn shapes() -> Shapes {
        let api = fixture::calendars();
        Shapes::infer(api.document(), api.operations())
    }

    /// The collection's index and a resource of it with only its id.
    fn record(shapes: &Shapes, template: &str, id: &str) -> (usize, Value) {
        let collection = shapes.collection(template).unwrap();
        let mut value = json!({});
        value[shapes.collections[collection].id_field] = id.into();
        (collection, value)
    }

    fn put<'a>(collection: &'a str, scope: &'a str, resource: &'a str) -> Entry<'a> {
        Entry::Put {
            collection,
            scope,
            resource,
        }
    }

    /// The (scope, id) of every record, oldest first.
    fn kept(records: &Records) -> Vec<(String, String)> {
        let all = records.all().into_iter();
        all.map(|(s, r)| (s.to_string(), r.id.clone())).collect()
    }

    #[test]
    fn the_journal_is_replayed_at_start_then_folded_into_the_snapshot() {
        let dir = std::env::temp_dir().join(format!("sandbox-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let journal_path = file::beside(&path, ".journal");
        let shapes = shapes();
        let mut records = Records::new(10);
        let mut state = StateFile::open(&path, &shapes, &mut records, 10).unwrap();
        assert!(!path.exists(), "nothing to write yet");

        let notes = "/calendars/{calendarId}/notifications";
        for (template, scope, id) in [
            ("/calendars", "/calendars", "a"),
            ("/calendars", "/calendars", "b"),
            (notes, "/calendars/a/notifications", "n"),
        ] {
            let (collection, value) = record(&shapes, template, id);
            records.insert(scope, collection, id, &value).unwrap();
            let json = value.to_string();
            state.record(&shapes, &records, &[put(template, scope, &json)]);
        }
        records.remove("/calendars", "a");
        let delete = Entry::Delete {
            collection: "/calendars",
            scope: "/calendars",
            id: "a",
        };
        state.record(&shapes, &records, &[delete]);
        assert_eq!(state.journal_lines(), 4);
        assert!(!path.exists(), "changes go to the journal only");
        let expected = kept(&records);
        assert_eq!(expected, [("/calendars".into(), "b".into())]);

        // A killed process: a new one replays the journal (the delete takes the child too)…
        let mut again = Records::new(10);
        StateFile::open(&path, &shapes, &mut again, 10).unwrap();
        assert_eq!(kept(&again), expected);
        // …and folds it in.
        assert!(!journal_path.exists());
        assert_eq!(file::load(&path).unwrap().len(), 1);

        // Killed between the snapshot's rename and the journal's removal: the same lines
        // replayed over a snapshot that holds them change nothing.
        let b = json!({"id": "b", "name": "renamed"});
        let b_json = b.to_string();
        let replay = || {
            let mut journal = Journal::new(journal_path.clone());
            journal
                .append(&[put("/calendars", "/calendars", &b_json)])
                .unwrap();
            journal.append(&[delete]).unwrap();
            let mut records = Records::new(10);
            StateFile::open(&path, &shapes, &mut records, 10).unwrap();
            records
        };
        let once = replay();
        let twice = replay();
        assert_eq!(kept(&twice), kept(&once));
        assert_eq!(twice.get("/calendars", "b").unwrap().value(), b);

        // More than the maximum is refused, naming the file.
        let error = StateFile::open(&path, &shapes, &mut Records::new(0), 0).unwrap_err();
        assert!(error.to_string().contains("state.json"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_journal_grown_past_twice_the_resources_is_folded_in_while_running() {
        let dir = std::env::temp_dir().join(format!("sandbox-fold-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let shapes = shapes();
        let mut records = Records::new(10);
        let mut state = StateFile::open(&path, &shapes, &mut records, 10).unwrap();
        let (collection, value) = record(&shapes, "/calendars", "a");
        records
            .insert("/calendars", collection, "a", &value)
            .unwrap();
        let value = value.to_string();
        // One resource updated over and over: the journal is folded in once it passes 2 + SLACK.
        for _ in 0..2 + SLACK {
            state.record(
                &shapes,
                &records,
                &[put("/calendars", "/calendars", &value)],
            );
        }
        assert_eq!(state.journal_lines(), 2 + SLACK);
        assert!(!path.exists());
        state.record(
            &shapes,
            &records,
            &[put("/calendars", "/calendars", &value)],
        );
        assert_eq!(state.journal_lines(), 0, "folded in");
        assert_eq!(file::load(&path).unwrap().len(), 1);
        assert!(!file::beside(&path, ".journal").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
