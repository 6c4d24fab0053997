//! The calendars the sandbox created, kept per sub-account (`locationId`).

use serde_json::Value;
use std::collections::HashMap;

/// Created calendars, in creation order, with a per-location index for slug checks.
#[derive(Debug, Default)]
pub(crate) struct Store {
    calendars: Vec<Value>,
    /// (location, slug) -> id of the calendar that has it.
    slugs: HashMap<(String, String), String>,
}

impl Store {
    /// Keeps `calendar` unless another calendar of its location has its `slug`; then returns
    /// that calendar's id. Checking and keeping happen under one borrow, so two concurrent
    /// requests cannot both take a slug.
    pub(crate) fn insert(&mut self, calendar: Value) -> Result<(), String> {
        let location = calendar["locationId"].as_str().unwrap_or_default();
        if let Some(slug) = calendar["slug"].as_str() {
            let key = (location.to_string(), slug.to_string());
            if let Some(existing) = self.slugs.get(&key) {
                return Err(existing.clone());
            }
            let id = calendar["id"].as_str().unwrap_or_default().to_string();
            self.slugs.insert(key, id);
        }
        self.calendars.push(calendar);
        Ok(())
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
    }
}
