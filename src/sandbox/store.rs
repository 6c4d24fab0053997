//! The calendars the sandbox keeps, per sub-account (`locationId`).

use serde_json::{Map, Value};
use std::collections::HashMap;

/// Calendars in creation order, with a per-location index of slugs.
#[derive(Debug, Default)]
pub(crate) struct Store {
    calendars: Vec<Value>,
    /// (location, slug) -> id of the calendar that has it.
    slugs: HashMap<(String, String), String>,
}

/// Why an update was not made.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UpdateError {
    /// No calendar has the id.
    NotFound,
    /// The new slug is another calendar's (its id) in the same location.
    SlugTaken(String),
}

fn text<'a>(calendar: &'a Value, field: &str) -> Option<&'a str> {
    calendar.get(field).and_then(Value::as_str)
}

fn slug_key(calendar: &Value) -> Option<(String, String)> {
    let location = text(calendar, "locationId").unwrap_or_default();
    Some((location.to_string(), text(calendar, "slug")?.to_string()))
}

impl Store {
    /// Keeps `calendar` unless another calendar of its location has its `slug`; then returns
    /// that calendar's id. Checking and keeping happen under one borrow, so two concurrent
    /// requests cannot both take a slug.
    pub(crate) fn insert(&mut self, calendar: Value) -> Result<(), String> {
        if let Some(key) = slug_key(&calendar) {
            if let Some(existing) = self.slugs.get(&key) {
                return Err(existing.clone());
            }
            let id = text(&calendar, "id").unwrap_or_default().to_string();
            self.slugs.insert(key, id);
        }
        self.calendars.push(calendar);
        Ok(())
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.calendars
            .iter()
            .position(|c| text(c, "id") == Some(id))
    }

    /// The calendar with `id`.
    pub(crate) fn get(&self, id: &str) -> Option<Value> {
        self.position(id).map(|i| self.calendars[i].clone())
    }

    /// The location of the calendar with `id`.
    pub(crate) fn location_of(&self, id: &str) -> Option<String> {
        let calendar = &self.calendars[self.position(id)?];
        text(calendar, "locationId").map(str::to_string)
    }

    /// Sets each of `changes` on the calendar with `id`, then lets `finish` complete it (meeting
    /// ids); refused when the new slug is another calendar's in the location. Returns the
    /// calendar as stored.
    pub(crate) fn update(
        &mut self,
        id: &str,
        changes: Map<String, Value>,
        finish: impl FnOnce(&mut Value),
    ) -> Result<Value, UpdateError> {
        let index = self.position(id).ok_or(UpdateError::NotFound)?;
        let mut updated = self.calendars[index].clone();
        if let Value::Object(fields) = &mut updated {
            fields.extend(changes);
        }
        finish(&mut updated);
        let old_key = slug_key(&self.calendars[index]);
        let new_key = slug_key(&updated);
        if new_key != old_key {
            if let Some(taken_by) = new_key.as_ref().and_then(|key| self.slugs.get(key)) {
                return Err(UpdateError::SlugTaken(taken_by.clone()));
            }
            if let Some(old) = old_key {
                self.slugs.remove(&old);
            }
            if let Some(new) = new_key {
                self.slugs.insert(new, id.to_string());
            }
        }
        self.calendars[index] = updated.clone();
        Ok(updated)
    }

    /// Forgets the calendar with `id` (and frees its slug); returns it.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Value> {
        let calendar = self.calendars.remove(self.position(id)?);
        if let Some(key) = slug_key(&calendar) {
            self.slugs.remove(&key);
        }
        Some(calendar)
    }

    /// Every calendar, oldest first.
    pub(crate) fn all(&self) -> Vec<Value> {
        self.calendars.clone()
    }

    /// The calendars of one location, oldest first.
    pub(crate) fn in_location(&self, location_id: &str) -> Vec<Value> {
        self.calendars
            .iter()
            .filter(|c| c["locationId"] == location_id)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn calendar(id: &str, location: &str, slug: &str) -> Value {
        json!({"id": id, "locationId": location, "name": "n", "slug": slug})
    }

    fn changes(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_slug_is_unique_within_a_location_only() {
        let mut store = Store::default();
        store.insert(calendar("1", "a", "demo")).unwrap();
        store.insert(calendar("2", "b", "demo")).unwrap();
        assert_eq!(store.insert(calendar("3", "a", "demo")), Err("1".into()));
        store
            .insert(json!({"id": "4", "locationId": "a", "name": "no slug"}))
            .unwrap();
        store
            .insert(json!({"id": "5", "locationId": "a", "name": "no slug"}))
            .unwrap();
        assert_eq!(store.in_location("a").len(), 3);
        assert_eq!(store.all().len(), 4);
        assert_eq!(store.location_of("2").as_deref(), Some("b"));
    }

    #[test]
    fn updates_merge_and_keep_slugs_unique() {
        let mut store = Store::default();
        store.insert(calendar("1", "a", "one")).unwrap();
        store.insert(calendar("2", "a", "two")).unwrap();
        let updated = store
            .update(
                "1",
                changes(json!({"name": "renamed", "slug": "uno"})),
                |_| {},
            )
            .unwrap();
        assert_eq!(updated["name"], "renamed");
        assert_eq!(updated["locationId"], "a", "kept");
        assert_eq!(store.get("1").unwrap(), updated);
        assert_eq!(
            store.update("2", changes(json!({"slug": "uno"})), |_| {}),
            Err(UpdateError::SlugTaken("1".into()))
        );
        assert_eq!(store.get("2").unwrap()["slug"], "two", "unchanged");
        // The old slug is free again.
        store.insert(calendar("3", "a", "one")).unwrap();
        assert_eq!(
            store.update("9", Map::new(), |_| {}),
            Err(UpdateError::NotFound)
        );
    }

    #[test]
    fn removing_frees_the_id_and_the_slug() {
        let mut store = Store::default();
        store.insert(calendar("1", "a", "demo")).unwrap();
        assert_eq!(store.remove("1").unwrap()["id"], "1");
        assert!(store.get("1").is_none());
        assert!(store.remove("1").is_none());
        store.insert(calendar("2", "a", "demo")).unwrap();
        assert!(store.all().len() == 1);
    }
}
