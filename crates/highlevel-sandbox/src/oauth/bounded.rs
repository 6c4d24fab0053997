//! A map of secrets (codes, tokens) that never holds more than a set number: a hostile or
//! runaway client can make the sandbox issue tokens without end, and each one kept costs
//! memory. Past the cap, the expired go first, then the oldest.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// What a kept entry must say: whether it can be dropped before older live ones.
pub(crate) trait Expiring {
    fn expired(&self, now: Instant) -> bool;
}

pub(crate) struct Bounded<V> {
    cap: usize,
    entries: HashMap<String, V>,
    /// Keys in insertion order; may hold keys removed since, skipped when met.
    order: VecDeque<String>,
}

impl<V: Expiring> Bounded<V> {
    pub(crate) fn new(cap: usize) -> Self {
        Bounded {
            cap: cap.max(1),
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub(crate) fn insert(&mut self, key: String, value: V, now: Instant) {
        if self.entries.len() >= self.cap {
            self.entries.retain(|_, v| !v.expired(now));
        }
        while self.entries.len() >= self.cap {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.entries.remove(&oldest);
                }
                None => break,
            }
        }
        if self.order.len() >= 2 * self.cap {
            let entries = &self.entries;
            self.order.retain(|k| entries.contains_key(k));
        }
        self.order.push_back(key.clone());
        self.entries.insert(key, value);
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.entries.get(key)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.entries.get_mut(key)
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        self.entries.remove(key)
    }

    pub(crate) fn retain(&mut self, keep: impl FnMut(&String, &mut V) -> bool) {
        self.entries.retain(keep);
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    struct Until(Instant);

    impl Expiring for Until {
        fn expired(&self, now: Instant) -> bool {
            now >= self.0
        }
    }

    #[test]
    fn past_the_cap_the_expired_go_first_then_the_oldest() {
        let now = Instant::now();
        let later = now + Duration::from_secs(60);
        let mut map = Bounded::new(3);
        map.insert("old-live".into(), Until(later), now);
        map.insert("expired".into(), Until(now), now);
        map.insert("live".into(), Until(later), now);
        map.insert("new".into(), Until(later), now);
        assert!(map.get("expired").is_none());
        assert!(map.get("old-live").is_some(), "the expired one made room");
        map.insert("newer".into(), Until(later), now);
        assert!(map.get("old-live").is_none(), "then the oldest");
        assert_eq!(map.len(), 3);
        for i in 0..100 {
            map.insert(format!("k{i}"), Until(later), now);
            map.remove(&format!("k{i}"));
        }
        assert!(map.order.len() <= 6, "removed keys do not pile up");
    }
}
