//! The `webhookId`s already processed, so that a delivery sent twice (by HighLevel's retries
//! or by someone replaying it) is processed once.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The future a [`SeenSet`] answers with.
pub type SeenFuture<'a> = Pin<Box<dyn Future<Output = Result<bool, SeenSetError>> + Send + 'a>>;

/// A set of `webhookId`s shared by whatever should process each delivery once: one process
/// ([`MemorySeenSet`]), a fleet through Redis (`RedisSeenSet`, feature `redis`), or a store of
/// your own.
///
/// ```
/// use highlevel_webhooks::{SeenFuture, SeenSet, SeenSetError};
/// use std::collections::HashSet;
/// use std::sync::Mutex;
/// use std::time::Duration;
///
/// /// Remembers forever: fine for a test.
/// #[derive(Default)]
/// struct Forever(Mutex<HashSet<String>>);
///
/// impl SeenSet for Forever {
///     fn first_sighting<'a>(&'a self, webhook_id: &'a str, _ttl: Duration) -> SeenFuture<'a> {
///         let first = self.0.lock().unwrap().insert(webhook_id.to_string());
///         Box::pin(async move { Ok(first) })
///     }
/// }
/// ```
pub trait SeenSet: Send + Sync {
    /// Records `webhook_id` for at least `ttl` and answers whether it is new: `true` the first
    /// time, `false` if it was recorded already and has not expired. Must be atomic: of two
    /// concurrent calls with one id, one alone gets `true`.
    fn first_sighting<'a>(&'a self, webhook_id: &'a str, ttl: Duration) -> SeenFuture<'a>;
}

/// Why a [`SeenSet`] could not answer.
///
/// ```
/// use highlevel_webhooks::SeenSetError;
///
/// let error = SeenSetError::new("connection refused");
/// assert_eq!(error.to_string(), "connection refused");
/// ```
#[derive(Debug, Clone)]
pub struct SeenSetError {
    message: String,
}

impl SeenSetError {
    /// An error with a message for logs (it must not hold secrets: it ends up in
    /// [`WebhookError`](crate::WebhookError)'s text).
    ///
    /// ```
    /// assert_eq!(highlevel_webhooks::SeenSetError::new("down").message(), "down");
    /// ```
    pub fn new(message: impl Into<String>) -> SeenSetError {
        SeenSetError {
            message: message.into(),
        }
    }

    /// The message.
    ///
    /// ```
    /// assert_eq!(highlevel_webhooks::SeenSetError::new("down").message(), "down");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SeenSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SeenSetError {}

/// The `webhookId`s one process has seen, in memory, bounded.
///
/// Entries expire with the replay window (a delivery older than that is refused as stale
/// anyway). When `capacity` unexpired ids are held, the oldest is forgotten to make room:
/// memory stays bounded, at the price of a duplicate going unnoticed if it comes back after
/// more than `capacity` newer deliveries within one window (with the default, 100,000 in five
/// minutes: over 300 a second). Only deliveries with a valid signature reach the set, so no
/// one else can fill it.
///
/// ```
/// use highlevel_webhooks::{MemorySeenSet, SeenSet};
/// use std::time::Duration;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let seen = MemorySeenSet::with_capacity(2);
/// let window = Duration::from_secs(300);
/// assert!(seen.first_sighting("a", window).await.unwrap());
/// assert!(!seen.first_sighting("a", window).await.unwrap());
/// assert_eq!(seen.len(), 1);
/// # });
/// ```
pub struct MemorySeenSet {
    capacity: usize,
    state: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    /// Each id and when it expires.
    expiry: HashMap<String, Instant>,
    /// Ids in the order they were recorded, to expire and evict from the front.
    order: VecDeque<(Instant, String)>,
}

impl MemorySeenSet {
    /// The capacity of [`MemorySeenSet::default`].
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A set holding at most `capacity` ids (at least one).
    ///
    /// ```
    /// let seen = highlevel_webhooks::MemorySeenSet::with_capacity(10);
    /// assert!(seen.is_empty());
    /// ```
    pub fn with_capacity(capacity: usize) -> MemorySeenSet {
        MemorySeenSet {
            capacity: capacity.max(1),
            state: Mutex::new(Entries::default()),
        }
    }

    /// How many ids it holds (expired ones included until the next call sweeps them).
    ///
    /// ```
    /// assert_eq!(highlevel_webhooks::MemorySeenSet::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    /// Whether it holds no id.
    ///
    /// ```
    /// assert!(highlevel_webhooks::MemorySeenSet::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves the maps consistent (each step is one
        // insert or remove), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, webhook_id: &str, ttl: Duration, now: Instant) -> bool {
        let mut entries = self.lock();
        let Entries { expiry, order } = &mut *entries;
        // Sweep what has expired; `order` is by recording time and the ttl is the verifier's
        // window, so expired ids are at the front. An entry of `order` that no longer matches
        // the map (its id was evicted, or recorded again) is dropped on the way.
        while let Some((expires, id)) = order.front() {
            let current = expiry.get(id).copied();
            if current == Some(*expires) && *expires > now {
                break;
            }
            if current == Some(*expires) {
                expiry.remove(id);
            }
            order.pop_front();
        }
        if expiry.get(webhook_id).is_some_and(|expires| *expires > now) {
            return false;
        }
        // Full of live ids: forget the oldest.
        while expiry.len() >= self.capacity {
            let Some((expires, id)) = order.pop_front() else {
                break;
            };
            if expiry.get(&id) == Some(&expires) {
                expiry.remove(&id);
            }
        }
        let expires = now + ttl;
        expiry.insert(webhook_id.to_string(), expires);
        order.push_back((expires, webhook_id.to_string()));
        true
    }
}

impl Default for MemorySeenSet {
    /// A set of [`MemorySeenSet::DEFAULT_CAPACITY`] ids.
    fn default() -> MemorySeenSet {
        MemorySeenSet::with_capacity(MemorySeenSet::DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for MemorySeenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemorySeenSet")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl SeenSet for MemorySeenSet {
    fn first_sighting<'a>(&'a self, webhook_id: &'a str, ttl: Duration) -> SeenFuture<'a> {
        let first = self.record(webhook_id, ttl, Instant::now());
        Box::pin(std::future::ready(Ok(first)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(300);

    #[test]
    fn an_id_is_new_once_until_it_expires() {
        let seen = MemorySeenSet::with_capacity(10);
        let t0 = Instant::now();
        assert!(seen.record("a", WINDOW, t0));
        assert!(!seen.record("a", WINDOW, t0 + Duration::from_secs(299)));
        assert!(seen.record("a", WINDOW, t0 + WINDOW));
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn expired_ids_are_swept_and_capacity_bounds_the_rest() {
        let seen = MemorySeenSet::with_capacity(3);
        let t0 = Instant::now();
        for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
            assert!(seen.record(id, WINDOW, t0 + Duration::from_secs(i as u64)));
        }
        // Full of live ids: the oldest ("a") makes room for "d".
        assert!(seen.record("d", WINDOW, t0 + Duration::from_secs(10)));
        assert_eq!(seen.len(), 3);
        assert!(!seen.record("b", WINDOW, t0 + Duration::from_secs(11)));
        // Far later every id has expired and is swept by the next call.
        assert!(seen.record("e", WINDOW, t0 + Duration::from_secs(1000)));
        assert_eq!(seen.len(), 1);
        assert_eq!(seen.lock().order.len(), 1);
    }
}
