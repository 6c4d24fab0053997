//! One async lock per key (per owner: one token refresh at a time for each sub-account), kept
//! only while someone holds or waits for it. An app installed in thousands of sub-accounts
//! would otherwise keep a lock for every owner it ever refreshed, for the life of the process.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// Async locks by key.
pub(crate) struct KeyedLocks<K> {
    locks: Mutex<HashMap<K, Arc<AsyncMutex<()>>>>,
}

impl<K> Default for KeyedLocks<K> {
    fn default() -> Self {
        KeyedLocks {
            locks: Mutex::new(HashMap::new()),
        }
    }
}

/// `key`'s lock, held until dropped; the last holder's drop forgets the lock.
pub(crate) struct KeyedGuard<'a, K: Eq + Hash> {
    locks: &'a KeyedLocks<K>,
    key: K,
    lock: Arc<AsyncMutex<()>>,
    held: Option<OwnedMutexGuard<()>>,
}

impl<K: Eq + Hash + Clone> KeyedLocks<K> {
    fn map(&self) -> MutexGuard<'_, HashMap<K, Arc<AsyncMutex<()>>>> {
        self.locks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for `key`'s lock.
    pub(crate) async fn lock(&self, key: &K) -> KeyedGuard<'_, K> {
        let lock = Arc::clone(self.map().entry(key.clone()).or_default());
        let held = Arc::clone(&lock).lock_owned().await;
        KeyedGuard {
            locks: self,
            key: key.clone(),
            lock,
            held: Some(held),
        }
    }

    /// How many keys have a lock now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }
}

impl<K: Eq + Hash> Drop for KeyedGuard<'_, K> {
    fn drop(&mut self) {
        drop(self.held.take());
        let mut map = self.locks.locks.lock().unwrap_or_else(|p| p.into_inner());
        // The map's reference and ours are the only ones: nobody holds or waits. Counted under
        // the map's mutex, where every new waiter takes its reference, so none can slip in.
        if Arc::strong_count(&self.lock) == 2 {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_lock_is_forgotten_once_nobody_holds_or_waits_for_it() {
        let locks = KeyedLocks::default();
        for owner in 0..1_000 {
            let _held = locks.lock(&owner).await;
            assert_eq!(locks.len(), 1);
        }
        assert_eq!(locks.len(), 0, "one lock per owner ever seen was kept");
    }

    #[tokio::test]
    async fn holders_of_one_key_take_turns_and_other_keys_do_not_wait() {
        let locks = Arc::new(KeyedLocks::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (locks, inside, most) = (locks.clone(), inside.clone(), most.clone());
                tokio::spawn(async move {
                    let _held = locks.lock(&"owner").await;
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        let held = locks.lock(&"owner").await;
        // Another key is free while "owner" is held.
        drop(locks.lock(&"other").await);
        drop(held);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "two held one key at once");
        assert_eq!(locks.len(), 0);
    }
}
