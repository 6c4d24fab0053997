//! The kept resources themselves, bounded: each under its scope (the collection path with its
//! parents' ids filled in, such as `/calendars/abc/notifications`) and id, listed in creation
//! order.

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One kept resource.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The index of its collection.
    pub(crate) collection: usize,
    pub(crate) id: String,
    /// The resource as compact JSON, parsed again only when a change or a list needs it: a
    /// calendar takes about 2 KiB so, against about 17 KiB as a `Value` tree.
    json: Box<str>,
    /// Its `locationId`, read on every request that names it (the rate-limit key).
    location: Option<Box<str>>,
    /// The answer last made of it, and the operation that made it: a get answers the same
    /// bytes until the resource changes (a change makes a new record).
    answer: Option<(&'static str, StatusCode, Bytes)>,
}

impl Record {
    pub(crate) fn new(collection: usize, id: String, value: &Value) -> Record {
        Record {
            collection,
            id,
            json: serde_json::to_string(value)
                .unwrap_or_default()
                .into_boxed_str(),
            location: value["locationId"].as_str().map(Box::from),
            answer: None,
        }
    }

    /// The resource.
    pub(crate) fn value(&self) -> Value {
        // Written from a `Value` by `Record::new`, so it reads back.
        serde_json::from_str(&self.json).unwrap_or_default()
    }

    /// The resource as compact JSON.
    pub(crate) fn json(&self) -> &str {
        &self.json
    }

    /// Its `locationId`.
    pub(crate) fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The status and body `operation` answered with it last, if nothing changed it since.
    pub(crate) fn answer(&self, operation: &str) -> Option<(StatusCode, Bytes)> {
        let (by, status, body) = self.answer.as_ref()?;
        (*by == operation).then(|| (*status, body.clone()))
    }

    pub(crate) fn remember_answer(
        &mut self,
        operation: &'static str,
        status: StatusCode,
        body: Bytes,
    ) {
        self.answer = Some((operation, status, body));
    }
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
    by_id: HashMap<(String, String), u64, foldhash::fast::RandomState>,
    /// The fields whose text is indexed: those a rule keeps unique, so that checking a create
    /// looks at the resources with the same text rather than at the whole scope.
    indexed: Vec<String>,
    /// (scope, field, text) -> the creation numbers of the scope's resources with that text.
    by_text: HashMap<(String, String, String), BTreeSet<u64>>,
}

impl Records {
    pub(crate) fn new(max: usize) -> Records {
        Records {
            max,
            next: 0,
            ordered: BTreeMap::new(),
            by_id: HashMap::default(),
            indexed: Vec::new(),
            by_text: HashMap::new(),
        }
    }

    /// Indexes the text of `fields` (see [`Records::with_text`]).
    pub(crate) fn indexing(mut self, fields: Vec<String>) -> Records {
        self.indexed = fields;
        self
    }

    /// Adds (or with `keep` false, removes) the index entries of a resource.
    fn index(&mut self, scope: &str, number: u64, value: &Value, keep: bool) {
        for field in &self.indexed {
            let Some(text) = value.get(field).and_then(Value::as_str) else {
                continue;
            };
            let key = (scope.to_string(), field.clone(), text.to_string());
            if keep {
                self.by_text.entry(key).or_default().insert(number);
            } else if let Some(numbers) = self.by_text.get_mut(&key) {
                numbers.remove(&number);
                if numbers.is_empty() {
                    self.by_text.remove(&key);
                }
            }
        }
    }

    /// Removes the index entries of a removed record (read back only when something is
    /// indexed).
    fn unindex(&mut self, scope: &str, number: u64, record: &Record) {
        if !self.indexed.is_empty() {
            self.index(scope, number, &record.value(), false);
        }
    }

    /// The resources of `scope` whose `field` is `text`, oldest first (by a scan of the scope
    /// when the field is not indexed).
    pub(crate) fn with_text<'a>(&'a self, scope: &str, field: &str, text: &str) -> Vec<&'a Record> {
        let has = |r: &&Record| r.value().get(field).and_then(Value::as_str) == Some(text);
        if !self.indexed.iter().any(|f| f == field) {
            let all = self
                .ordered
                .range((scope.to_string(), 0)..=(scope.to_string(), u64::MAX));
            return all.map(|(_, r)| r).filter(has).collect();
        }
        let key = (scope.to_string(), field.to_string(), text.to_string());
        let numbers = self.by_text.get(&key).into_iter().flatten();
        numbers
            .filter_map(|n| self.ordered.get(&(scope.to_string(), *n)))
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.ordered.len()
    }

    /// Keeps `value` in `scope` as a resource of `collection` with `id`, refused when full or
    /// when its id is taken there.
    pub(crate) fn insert(
        &mut self,
        scope: &str,
        collection: usize,
        id: &str,
        value: &Value,
    ) -> Result<(), Refusal> {
        if self.ordered.len() >= self.max {
            return Err(Refusal::Full(self.max));
        }
        self.insert_uncapped(scope, collection, id, value)
    }

    /// [`Records::insert`] whatever the maximum: when replaying a journal, whose intermediate
    /// states may hold what a later line deletes.
    pub(crate) fn insert_uncapped(
        &mut self,
        scope: &str,
        collection: usize,
        id: &str,
        value: &Value,
    ) -> Result<(), Refusal> {
        let key = (scope.to_string(), id.to_string());
        if self.by_id.contains_key(&key) {
            return Err(Refusal::Taken);
        }
        let number = self.next;
        self.next += 1;
        self.by_id.insert(key, number);
        self.index(scope, number, value, true);
        let record = Record::new(collection, id.to_string(), value);
        self.ordered.insert((scope.to_string(), number), record);
        Ok(())
    }

    pub(crate) fn get(&self, scope: &str, id: &str) -> Option<&Record> {
        let number = self.number(scope, id)?;
        self.ordered.get(&(scope.to_string(), number))
    }

    pub(crate) fn get_mut(&mut self, scope: &str, id: &str) -> Option<&mut Record> {
        let number = self.number(scope, id)?;
        self.ordered.get_mut(&(scope.to_string(), number))
    }

    fn number(&self, scope: &str, id: &str) -> Option<u64> {
        self.by_id
            .get(&(scope.to_string(), id.to_string()))
            .copied()
    }

    /// Replaces the value of the resource `id` of `scope`; whether there is one.
    pub(crate) fn replace(&mut self, scope: &str, id: &str, value: &Value) -> bool {
        let Some(number) = self.number(scope, id) else {
            return false;
        };
        let key = (scope.to_string(), number);
        let Some(old) = self.ordered.get(&key) else {
            return false;
        };
        let collection = old.collection;
        if !self.indexed.is_empty() {
            let old = old.value();
            self.index(scope, number, &old, false);
            self.index(scope, number, value, true);
        }
        self.ordered
            .insert(key, Record::new(collection, id.to_string(), value));
        true
    }

    /// Replaces the resource with `id` in `scope`, or keeps `value` as a new one.
    pub(crate) fn put(&mut self, scope: &str, collection: usize, id: &str, value: &Value) {
        if !self.replace(scope, id, value) {
            let _ = self.insert_uncapped(scope, collection, id, value);
        }
    }

    /// Forgets the resource and everything kept under it (the scopes starting with its item
    /// path); returns it.
    pub(crate) fn remove(&mut self, scope: &str, id: &str) -> Option<Record> {
        let number = self.by_id.remove(&(scope.to_string(), id.to_string()))?;
        let removed = self.ordered.remove(&(scope.to_string(), number))?;
        self.unindex(scope, number, &removed);
        let below = format!("{scope}/{}/", escape(id));
        let children: Vec<(String, u64)> = self
            .ordered
            .range((below.clone(), 0)..)
            .take_while(|((s, _), _)| s.starts_with(&below))
            .map(|(key, _)| key.clone())
            .collect();
        for key in children {
            if let Some(child) = self.ordered.remove(&key) {
                self.unindex(&key.0, key.1, &child);
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

    /// Keeps `{"id": id}` in `scope`.
    fn insert(
        records: &mut Records,
        scope: &str,
        collection: usize,
        id: &str,
    ) -> Result<(), Refusal> {
        records.insert(scope, collection, id, &json!({"id": id}))
    }

    #[test]
    fn children_go_with_their_parent_and_the_cap_holds() {
        let mut records = Records::new(4);
        insert(&mut records, "/c", 0, "a").unwrap();
        insert(&mut records, "/c", 0, "b").unwrap();
        insert(&mut records, "/c/a/n", 1, "x").unwrap();
        assert_eq!(insert(&mut records, "/c", 0, "a"), Err(Refusal::Taken));
        insert(&mut records, "/c/b/n", 1, "y").unwrap();
        assert_eq!(insert(&mut records, "/c", 0, "z"), Err(Refusal::Full(4)));
        assert_eq!(records.remove("/c", "a").unwrap().id, "a");
        assert!(records.get("/c/a/n", "x").is_none(), "the child went too");
        assert!(records.get("/c/b/n", "y").is_some(), "not another's");
        assert_eq!(records.len(), 2);
        let ids: Vec<&str> = records.in_scope("/c").map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b"]);
        assert!(records.remove("/c", "a").is_none());
    }

    #[test]
    fn a_record_reads_back_as_kept_and_forgets_its_answer_when_replaced() {
        let mut records = Records::new(4);
        let value = json!({"id": "a", "locationId": "l", "n": 1.5, "list": [null, {"x": "\n"}]});
        records.insert("/c", 0, "a", &value).unwrap();
        let record = records.get_mut("/c", "a").unwrap();
        assert_eq!(record.value(), value);
        assert_eq!(record.location(), Some("l"));
        record.remember_answer("get-c", StatusCode::OK, Bytes::from_static(b"{}"));
        let remembered = records.get("/c", "a").unwrap().answer("get-c");
        assert_eq!(
            remembered,
            Some((StatusCode::OK, Bytes::from_static(b"{}")))
        );
        assert!(records.get("/c", "a").unwrap().answer("other").is_none());
        assert!(records.replace("/c", "a", &json!({"id": "a"})));
        let record = records.get("/c", "a").unwrap();
        assert!(record.answer("get-c").is_none(), "a change forgets it");
        assert_eq!(record.location(), None);
    }

    #[test]
    fn indexed_text_follows_inserts_replacements_and_removals() {
        let mut records = Records::new(10).indexing(vec!["slug".into()]);
        let with = |id: &str, slug: &str| json!({"id": id, "slug": slug});
        records.insert("/c", 0, "a", &with("a", "x")).unwrap();
        records.insert("/c", 0, "b", &with("b", "x")).unwrap();
        records.insert("/c/a/n", 1, "n", &with("n", "x")).unwrap();
        let ids = |records: &Records, scope: &str, text: &str| -> Vec<String> {
            let found = records.with_text(scope, "slug", text);
            found.iter().map(|r| r.id.clone()).collect()
        };
        assert_eq!(ids(&records, "/c", "x"), ["a", "b"]);
        assert!(records.replace("/c", "a", &json!({"id": "a", "slug": "y"})));
        assert_eq!(ids(&records, "/c", "x"), ["b"]);
        assert_eq!(ids(&records, "/c", "y"), ["a"]);
        records.remove("/c", "a");
        assert!(ids(&records, "/c", "y").is_empty());
        assert!(
            ids(&records, "/c/a/n", "x").is_empty(),
            "the child's entry went too"
        );
        assert!(records.by_text.len() == 1, "no empty entries left");
        // A field not indexed is found by a scan.
        let found = records.with_text("/c", "id", "b");
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_slash_in_an_id_makes_no_deeper_scope() {
        assert_eq!(escape("a/b"), "a%2Fb");
        assert_eq!(escape("a%2Fb"), "a%252Fb");
    }
}
