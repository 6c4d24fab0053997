//! The kept resources themselves, bounded: each under its scope (the collection path with its
//! parents' ids filled in, such as `/calendars/abc/notifications`) and id, listed in creation
//! order.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One kept resource.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The index of its collection.
    pub(crate) collection: usize,
    pub(crate) id: String,
    pub(crate) value: Value,
}

/// Why a resource was not kept.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The store holds its maximum already.
    Full(usize),
    /// The id is taken in that scope.
    Taken,
}

/// Every kept resource.
#[derive(Debug)]
pub(crate) struct Records {
    max: usize,
    next: u64,
    /// (scope, creation number) -> resource: a scope's resources in order, and a parent's
    /// children as one range of scopes.
    ordered: BTreeMap<(String, u64), Record>,
    /// (scope, id) -> creation number.
    by_id: HashMap<(String, String), u64>,
}

impl Records {
    pub(crate) fn new(max: usize) -> Records {
        Records {
            max,
            next: 0,
            ordered: BTreeMap::new(),
            by_id: HashMap::new(),
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ordered.len()
    }

    /// Keeps `record` in `scope`, refused when full or when its id is taken there.
    pub(crate) fn insert(&mut self, scope: &str, record: Record) -> Result<(), Refusal> {
        if self.ordered.len() >= self.max {
            return Err(Refusal::Full(self.max));
        }
        let key = (scope.to_string(), record.id.clone());
        if self.by_id.contains_key(&key) {
            return Err(Refusal::Taken);
        }
        let number = self.next;
        self.next += 1;
        self.by_id.insert(key, number);
        self.ordered.insert((scope.to_string(), number), record);
        Ok(())
    }

    pub(crate) fn get(&self, scope: &str, id: &str) -> Option<&Record> {
        let number = self.by_id.get(&(scope.to_string(), id.to_string()))?;
        self.ordered.get(&(scope.to_string(), *number))
    }

    pub(crate) fn get_mut(&mut self, scope: &str, id: &str) -> Option<&mut Record> {
        let number = self.by_id.get(&(scope.to_string(), id.to_string()))?;
        self.ordered.get_mut(&(scope.to_string(), *number))
    }

    /// Forgets the resource and everything kept under it (the scopes starting with its item
    /// path); returns it.
    pub(crate) fn remove(&mut self, scope: &str, id: &str) -> Option<Record> {
        let number = self.by_id.remove(&(scope.to_string(), id.to_string()))?;
        let removed = self.ordered.remove(&(scope.to_string(), number))?;
        let below = format!("{scope}/{}/", escape(id));
        let children: Vec<(String, u64)> = self
            .ordered
            .range((below.clone(), 0)..)
            .take_while(|((s, _), _)| s.starts_with(&below))
            .map(|(key, _)| key.clone())
            .collect();
        for key in children {
            if let Some(child) = self.ordered.remove(&key) {
                self.by_id.remove(&(key.0, child.id));
            }
        }
        Some(removed)
    }

    /// The resources of one scope, oldest first.
    pub(crate) fn in_scope<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a Record> {
        self.ordered
            .range((scope.to_string(), 0)..=(scope.to_string(), u64::MAX))
            .map(|(_, record)| record)
    }

    /// Every resource with its scope, oldest first.
    pub(crate) fn all(&self) -> Vec<(&str, &Record)> {
        let mut all: Vec<(u64, &str, &Record)> = self
            .ordered
            .iter()
            .map(|((scope, number), record)| (*number, scope.as_str(), record))
            .collect();
        all.sort_by_key(|(number, _, _)| *number);
        all.into_iter().map(|(_, s, r)| (s, r)).collect()
    }
}

/// A path parameter's value as a scope segment: a `/` in it must not make a deeper scope.
pub(crate) fn escape(value: &str) -> String {
    value.replace('%', "%25").replace('/', "%2F")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(collection: usize, id: &str) -> Record {
        Record {
            collection,
            id: id.into(),
            value: json!({"id": id}),
        }
    }

    #[test]
    fn children_go_with_their_parent_and_the_cap_holds() {
        let mut records = Records::new(4);
        records.insert("/c", record(0, "a")).unwrap();
        records.insert("/c", record(0, "b")).unwrap();
        records.insert("/c/a/n", record(1, "x")).unwrap();
        assert_eq!(records.insert("/c", record(0, "a")), Err(Refusal::Taken));
        records.insert("/c/b/n", record(1, "y")).unwrap();
        assert_eq!(records.insert("/c", record(0, "z")), Err(Refusal::Full(4)));
        assert_eq!(records.remove("/c", "a").unwrap().id, "a");
        assert!(records.get("/c/a/n", "x").is_none(), "the child went too");
        assert!(records.get("/c/b/n", "y").is_some(), "not another's");
        assert_eq!(records.len(), 2);
        let ids: Vec<&str> = records.in_scope("/c").map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b"]);
        assert!(records.remove("/c", "a").is_none());
    }

    #[test]
    fn a_slash_in_an_id_makes_no_deeper_scope() {
        assert_eq!(escape("a/b"), "a%2Fb");
        assert_eq!(escape("a%2Fb"), "a%252Fb");
    }
}
