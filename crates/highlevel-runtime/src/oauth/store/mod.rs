//! Where an app's tokens live between calls and processes: the [`TokenStore`] trait, what it
//! holds ([`StoredToken`]), and two stores: [`MemoryTokenStore`] and, with the `redis`
//! feature, [`RedisTokenStore`].
//!
//! A store must make two things atomic, because refresh tokens are single-use: a write that
//! happens only if the record is still the version read ([`Expect`]), and a short lock per
//! owner, so that one process of a fleet refreshes while the others wait and then read what it
//! wrote.

mod memory;
#[cfg(feature = "redis")]
mod redis;
mod stored;

pub use memory::MemoryTokenStore;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisTokenStore;
pub use stored::StoredToken;

use super::{Owner, StoreError};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The future a [`TokenStore`] returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A stored token and the version of its record, which a conditional write names.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Versioned {
    /// Grows by one with every write of the owner's record, and never goes back (not even
    /// when the record is removed and written again).
    pub version: u64,
    /// The token.
    pub token: StoredToken,
}

impl Versioned {
    /// A record at `version`.
    pub fn new(version: u64, token: StoredToken) -> Versioned {
        Versioned { version, token }
    }
}

/// What a [`TokenStore::put`] expects of the record it replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expect {
    /// Write whatever is there (an install replaces what an earlier one left).
    Any,
    /// Write only if the owner has no token.
    Absent,
    /// Write only if the record is still at this version.
    Version(u64),
}

/// Who holds an owner's refresh lock, so that only the holder releases it.
#[derive(Clone, PartialEq, Eq)]
pub struct LockId(String);

impl LockId {
    /// A lock id no other process or call will make: this process's random hasher seed, its
    /// id, the time and a counter.
    pub fn unique() -> LockId {
        use std::hash::BuildHasher;
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let seed = std::collections::hash_map::RandomState::new().hash_one(count);
        LockId(format!(
            "{:x}-{:x}-{nanos:x}-{count:x}",
            std::process::id(),
            seed
        ))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LockId({})", self.0)
    }
}

/// Keeps an app's tokens, per owner (a sub-account or an agency).
///
/// Implement it to keep tokens in your own database; every method names the app (its client
/// id) and the owner. [`put`](TokenStore::put) and [`lock`](TokenStore::lock) must be atomic
/// across every process that shares the store: a compare-and-swap on a version column and a
/// row lock with an expiry, in SQL terms. The store holds live credentials: keep it as
/// private as the client secret.
///
/// ```
/// use highlevel_runtime::oauth::{MemoryTokenStore, Owner, TokenStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), highlevel_runtime::oauth::StoreError> {
/// let store = MemoryTokenStore::new();
/// assert!(store.get("app", &Owner::location("loc_1")).await?.is_none());
/// # Ok(())
/// # }
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// The owner's token, if one is stored.
    fn get<'a>(&'a self, app: &'a str, owner: &'a Owner) -> StoreFuture<'a, Option<Versioned>>;

    /// Writes the owner's token if the record is as `expect` says: the new version, or `None`
    /// when it was not (someone else wrote first).
    fn put<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        token: &'a StoredToken,
        expect: Expect,
    ) -> StoreFuture<'a, Option<u64>>;

    /// Removes the owner's token (an uninstall); whether there was one.
    fn remove<'a>(&'a self, app: &'a str, owner: &'a Owner) -> StoreFuture<'a, bool>;

    /// Takes the owner's refresh lock for at most `ttl`, unless someone holds it: the lock's
    /// id, or `None` when it is held.
    fn lock<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<LockId>>;

    /// Releases the lock `lock`, if it is still the one held.
    fn unlock<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        lock: &'a LockId,
    ) -> StoreFuture<'a, ()>;

    /// The agencies (company ids) with a stored token, whose tokens can be exchanged for a
    /// sub-account's.
    fn companies<'a>(&'a self, app: &'a str) -> StoreFuture<'a, Vec<String>>;
}
