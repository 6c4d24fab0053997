//! [`MemoryTokenStore`]: tokens kept in this process.

use super::{Expect, LockId, StoreFuture, StoredToken, TokenStore, Versioned};
use crate::oauth::Owner;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keeps tokens in this process's memory: the default, for one process (they are gone when
/// it ends). Clones share the same tokens.
///
/// ```
/// use highlevel_runtime::oauth::{Expect, MemoryTokenStore, Owner, StoredToken, TokenStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = MemoryTokenStore::new();
/// let owner = Owner::location("l1");
/// let token = StoredToken::from_json(r#"{"access_token":"at","issued_at":0,"expires_at":1,
///     "user_type":"Location","location_id":"l1"}"#)?;
/// let version = store.put("app", &owner, &token, Expect::Absent).await?.unwrap();
/// assert_eq!(store.put("app", &owner, &token, Expect::Absent).await?, None);
/// assert_eq!(store.put("app", &owner, &token, Expect::Version(version)).await?, Some(version + 1));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct MemoryTokenStore {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// Per app and owner: the last version written, and the token unless removed.
    records: HashMap<(String, Owner), (u64, Option<StoredToken>)>,
    locks: HashMap<(String, Owner), (LockId, Instant)>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> MemoryTokenStore {
        MemoryTokenStore::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn key(app: &str, owner: &Owner) -> (String, Owner) {
    (app.to_string(), owner.clone())
}

impl TokenStore for MemoryTokenStore {
    fn get<'a>(&'a self, app: &'a str, owner: &'a Owner) -> StoreFuture<'a, Option<Versioned>> {
        let found = self.with(|s| match s.records.get(&key(app, owner)) {
            Some((version, Some(token))) => Some(Versioned::new(*version, token.clone())),
            _ => None,
        });
        Box::pin(async move { Ok(found) })
    }

    fn put<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        token: &'a StoredToken,
        expect: Expect,
    ) -> StoreFuture<'a, Option<u64>> {
        let written = self.with(|s| {
            let record = s.records.entry(key(app, owner)).or_insert((0, None));
            let allowed = match expect {
                Expect::Any => true,
                Expect::Absent => record.1.is_none(),
                Expect::Version(v) => record.1.is_some() && record.0 == v,
            };
            allowed.then(|| {
                record.0 += 1;
                record.1 = Some(token.clone());
                record.0
            })
        });
        Box::pin(async move { Ok(written) })
    }

    fn remove<'a>(&'a self, app: &'a str, owner: &'a Owner) -> StoreFuture<'a, bool> {
        let removed = self.with(|s| {
            s.records
                .get_mut(&key(app, owner))
                .is_some_and(|record| record.1.take().is_some())
        });
        Box::pin(async move { Ok(removed) })
    }

    fn lock<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<LockId>> {
        let taken = self.with(|s| {
            let now = Instant::now();
            let key = key(app, owner);
            if s.locks.get(&key).is_some_and(|(_, until)| *until > now) {
                return None;
            }
            let id = LockId::unique();
            s.locks.insert(key, (id.clone(), now + ttl));
            Some(id)
        });
        Box::pin(async move { Ok(taken) })
    }

    fn unlock<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        lock: &'a LockId,
    ) -> StoreFuture<'a, ()> {
        self.with(|s| {
            let key = key(app, owner);
            if s.locks.get(&key).is_some_and(|(id, _)| id == lock) {
                s.locks.remove(&key);
            }
        });
        Box::pin(async { Ok(()) })
    }

    fn companies<'a>(&'a self, app: &'a str) -> StoreFuture<'a, Vec<String>> {
        let companies = self.with(|s| {
            let mut companies: Vec<String> = s
                .records
                .iter()
                .filter(|((a, _), (_, token))| a == app && token.is_some())
                .filter_map(|((_, owner), _)| match owner {
                    Owner::Company(id) => Some(id.clone()),
                    Owner::Location(_) => None,
                })
                .collect();
            companies.sort();
            companies
        });
        Box::pin(async move { Ok(companies) })
    }
}

impl std::fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let owners = self.with(|s| s.records.values().filter(|r| r.1.is_some()).count());
        f.debug_struct("MemoryTokenStore")
            .field("owners", &owners)
            .finish_non_exhaustive()
    }
}
