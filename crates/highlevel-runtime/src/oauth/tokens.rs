//! [`OAuthTokens`]: the token provider of an app installed in many sub-accounts.
//!
//! Each call asks for the token of the owner it names. A token found in this process's cache
//! and not yet due is answered at once; everything else goes through `renew`, which runs once
//! per owner at a time in this process (a mutex per owner) and once per owner across a fleet
//! (the store's lock): it re-reads the store first, so that a process that lost the race
//! takes the token the winner stored instead of spending the single-use refresh token again.

use super::store::{Expect, LockId, MemoryTokenStore, StoredToken, TokenStore, Versioned};
use super::{Grant, OAuthApp, OAuthError, Owner, UserType};
use crate::auth::{TokenFuture, TokenProvider};
use crate::keyed_lock::KeyedLocks;
use crate::token::{Token, TokenError};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Gives each call the token of the sub-account (or agency) it names, for an app installed
/// through OAuth, and keeps those tokens fresh.
///
/// - Tokens live in a [`TokenStore`]: in memory by default, in Redis with the `redis` feature
///   so that a fleet shares them, or in your own.
/// - A token is refreshed a little before it expires (five minutes, or a fifth of its
///   lifetime if shorter), and after a 401.
/// - A refresh runs once per owner at a time in a process, and once across every process
///   that shares the store; the others wait and use the token it stored.
/// - A sub-account with no token of its own gets one from its agency's token
///   (`/oauth/locationToken`), once, and it is stored.
/// - A refresh token HighLevel refuses, with no newer token stored by anyone, is
///   [`OAuthError::InstallLost`] naming the owner.
///
/// ```
/// use highlevel_runtime::oauth::{OAuthApp, OAuthTokens, Owner};
/// use highlevel_runtime::{ClientBuilder, Runtime};
///
/// let app = OAuthApp::new("app-id", "app-secret", "https://example.com/oauth/callback")?;
/// let tokens = OAuthTokens::new(app);
/// let runtime: Runtime = ClientBuilder::new().token_provider(tokens.clone()).build()?;
/// // Calls that name no sub-account (`GET /contacts/{id}`) need the client made for one:
/// let in_sub_account = runtime.for_owner(Owner::location("loc_1"));
/// # Ok::<(), highlevel_runtime::BuildError>(())
/// ```
///
/// In the install's callback, [`OAuthTokens::install`] exchanges the code and stores the
/// tokens; on an uninstall, [`OAuthTokens::remove`] forgets them.
#[derive(Clone)]
pub struct OAuthTokens {
    shared: Arc<Shared>,
}

struct Shared {
    app: OAuthApp,
    store: Arc<dyn TokenStore>,
    /// What this process last read or wrote, per owner.
    cache: Mutex<HashMap<Owner, Cached>>,
    /// One renewal at a time per owner in this process.
    flights: KeyedLocks<Owner>,
    margin: Duration,
    lock_ttl: Duration,
    lock_wait: Duration,
    agencies: Vec<String>,
}

#[derive(Clone)]
struct Cached {
    token: StoredToken,
    /// When a token this process got could not be written to the store, the last time it
    /// tried; it tries again at most once a second while calls use the token.
    unsaved_since: Option<Instant>,
}

/// What waiting for another process's refresh ends with.
enum Turn {
    /// This process holds the lock and renews.
    Locked(LockId),
    /// The other process stored a token that can be used.
    Found(StoredToken),
}

impl OAuthTokens {
    /// Tokens of `app`, kept in memory.
    pub fn new(app: OAuthApp) -> OAuthTokens {
        OAuthTokens {
            shared: Arc::new(Shared {
                app,
                store: Arc::new(MemoryTokenStore::new()),
                cache: Mutex::default(),
                flights: KeyedLocks::default(),
                margin: Duration::from_secs(300),
                lock_ttl: Duration::from_secs(20),
                lock_wait: Duration::from_secs(10),
                agencies: Vec::new(),
            }),
        }
    }

    fn configure(mut self, f: impl FnOnce(&mut Shared)) -> Self {
        match Arc::get_mut(&mut self.shared) {
            Some(shared) => f(shared),
            None => {
                // Configured after cloning: the clone keeps what it had.
                let old = &self.shared;
                let mut shared = Shared {
                    app: old.app.clone(),
                    store: Arc::clone(&old.store),
                    cache: Mutex::default(),
                    flights: KeyedLocks::default(),
                    margin: old.margin,
                    lock_ttl: old.lock_ttl,
                    lock_wait: old.lock_wait,
                    agencies: old.agencies.clone(),
                };
                f(&mut shared);
                self.shared = Arc::new(shared);
            }
        }
        self
    }

    /// Keeps the tokens in `store` (a [`MemoryTokenStore`] by default).
    pub fn store(self, store: impl TokenStore) -> Self {
        self.configure(|s| s.store = Arc::new(store))
    }

    /// How long before its expiry a token is refreshed (five minutes by default; never more
    /// than a fifth of the token's lifetime).
    pub fn refresh_margin(self, margin: Duration) -> Self {
        self.configure(|s| s.margin = margin)
    }

    /// How long a call waits for another process's refresh of the same token before it fails
    /// with [`OAuthError::LockTimeout`] (10 s by default). A process that dies while
    /// refreshing holds the lock for 20 s at most.
    pub fn lock_wait(self, wait: Duration) -> Self {
        self.configure(|s| s.lock_wait = wait)
    }

    /// An agency whose token may be exchanged for its sub-accounts' tokens. Without any, every
    /// agency with a stored token is tried.
    pub fn agency(self, company_id: impl Into<String>) -> Self {
        let company_id = company_id.into();
        self.configure(|s| s.agencies.push(company_id))
    }

    /// The app.
    pub fn app(&self) -> &OAuthApp {
        &self.shared.app
    }

    /// Finishes an install: exchanges the `code` HighLevel sent to the redirect URI for
    /// tokens of `user_type`, and stores them under their owner.
    pub async fn install(&self, code: &str, user_type: UserType) -> Result<Grant, OAuthError> {
        let grant = self.shared.app.exchange_code(code, user_type).await?;
        self.keep(&grant).await?;
        Ok(grant)
    }

    /// Stores tokens obtained some other way, replacing the owner's; returns the owner.
    pub async fn keep(&self, grant: &Grant) -> Result<Owner, OAuthError> {
        let owner = grant.owner().ok_or(OAuthError::Decode {
            endpoint: "/oauth/token",
            reason: "the answer names no sub-account or company".into(),
        })?;
        let token = StoredToken::from_grant(grant);
        self.shared.save(&owner, token, Expect::Any).await?;
        Ok(owner)
    }

    /// Forgets the owner's tokens (after an uninstall); whether any were stored.
    pub async fn remove(&self, owner: &Owner) -> Result<bool, OAuthError> {
        self.shared.lock_cache().remove(owner);
        let app = self.shared.app.client_id();
        Ok(self.shared.store.remove(app, owner).await?)
    }

    /// The owner's access token, refreshed or exchanged first if needed.
    pub async fn access_token(&self, owner: &Owner) -> Result<Token, OAuthError> {
        self.shared.access_token(owner).await
    }
}

impl Shared {
    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<Owner, Cached>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn cached(&self, owner: &Owner) -> Option<Cached> {
        self.lock_cache().get(owner).cloned()
    }

    fn remember(&self, owner: &Owner, token: StoredToken, saved: bool) {
        let unsaved_since = (!saved).then(Instant::now);
        self.lock_cache().insert(
            owner.clone(),
            Cached {
                token,
                unsaved_since,
            },
        );
    }

    fn app_id(&self) -> &str {
        self.app.client_id()
    }

    /// Whether `token` can be used instead of renewing: it is not the one rejected, and not
    /// due.
    fn usable(&self, token: &StoredToken, rejected: Option<&Token>) -> bool {
        rejected != Some(&token.access_token) && !token.is_due(SystemTime::now(), self.margin)
    }

    async fn access_token(self: &Arc<Self>, owner: &Owner) -> Result<Token, OAuthError> {
        // The common case, under the cache's lock: a token that is not due, cloned alone.
        let fresh = {
            let cache = self.lock_cache();
            cache
                .get(owner)
                .filter(|cached| self.usable(&cached.token, None))
                .map(|cached| {
                    let retry_save = cached
                        .unsaved_since
                        .is_some_and(|since| since.elapsed() >= Duration::from_secs(1));
                    (
                        cached.token.access_token.clone(),
                        retry_save.then(|| cached.token.clone()),
                    )
                })
        };
        match fresh {
            Some((token, None)) => Ok(token),
            Some((token, Some(unsaved))) => {
                self.save_later(owner, unsaved);
                Ok(token)
            }
            None => self.renew(owner, None).await,
        }
    }

    /// Tries again, in the background, to store a token only this process holds.
    fn save_later(self: &Arc<Self>, owner: &Owner, token: StoredToken) {
        self.remember(owner, token.clone(), false);
        let shared = Arc::clone(self);
        let owner = owner.clone();
        tokio::spawn(async move {
            if let Ok(Some(_)) = shared
                .store
                .put(shared.app_id(), &owner, &token, Expect::Any)
                .await
            {
                let mut cache = shared.lock_cache();
                if let Some(cached) = cache.get_mut(&owner)
                    && cached.token.access_token == token.access_token
                {
                    cached.unsaved_since = None;
                }
            }
        });
    }

    /// A token for `owner` other than `rejected` (and not due), renewing it if nobody else
    /// has.
    fn renew<'a>(
        self: &'a Arc<Self>,
        owner: &'a Owner,
        rejected: Option<&'a Token>,
    ) -> Pin<Box<dyn Future<Output = Result<Token, OAuthError>> + Send + 'a>> {
        // Boxed: renewing a sub-account's token may renew its agency's first.
        Box::pin(async move {
            let _one_per_owner = self.flights.lock(owner).await;
            let cached = self.cached(owner);
            if let Some(cached) = &cached
                && self.usable(&cached.token, rejected)
            {
                return Ok(cached.token.access_token.clone());
            }
            let stored = match self.store.get(self.app_id(), owner).await {
                Ok(stored) => stored,
                Err(e) => {
                    // The store is away: a token that still works goes on being used.
                    if rejected.is_none()
                        && let Some(cached) = cached
                        && !cached.token.is_expired(SystemTime::now())
                    {
                        return Ok(cached.token.access_token);
                    }
                    return Err(e.into());
                }
            };
            if let Some(stored) = stored
                && self.usable(&stored.token, rejected)
            {
                let token = stored.token.access_token.clone();
                self.remember(owner, stored.token, true);
                return Ok(token);
            }
            let turn = match self.take_turn(owner, rejected).await {
                Ok(turn) => turn,
                // The store went away between the read and the lock: as above.
                Err(OAuthError::Store(e)) => {
                    if rejected.is_none()
                        && let Some(cached) = self.cached(owner)
                        && !cached.token.is_expired(SystemTime::now())
                    {
                        return Ok(cached.token.access_token);
                    }
                    return Err(OAuthError::Store(e));
                }
                Err(other) => return Err(other),
            };
            let lock = match turn {
                Turn::Locked(lock) => lock,
                Turn::Found(token) => {
                    let access = token.access_token.clone();
                    self.remember(owner, token, true);
                    return Ok(access);
                }
            };
            let renewed = self.renew_locked(owner, rejected).await;
            // Best effort: a lock left behind expires on its own.
            let _ = self.store.unlock(self.app_id(), owner, &lock).await;
            renewed
        })
    }

    /// Takes the owner's lock in the store, or waits for whoever holds it to store a token.
    async fn take_turn(&self, owner: &Owner, rejected: Option<&Token>) -> Result<Turn, OAuthError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            if let Some(lock) = self.store.lock(self.app_id(), owner, self.lock_ttl).await? {
                return Ok(Turn::Locked(lock));
            }
            if started.elapsed() >= self.lock_wait {
                return Err(OAuthError::LockTimeout {
                    owner: owner.clone(),
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
            if let Some(stored) = self.store.get(self.app_id(), owner).await?
                && self.usable(&stored.token, rejected)
            {
                return Ok(Turn::Found(stored.token));
            }
        }
    }

    /// Renews the owner's token while holding its lock.
    async fn renew_locked(
        self: &Arc<Self>,
        owner: &Owner,
        rejected: Option<&Token>,
    ) -> Result<Token, OAuthError> {
        // Whoever held the lock before may have stored a token since it was last read.
        let current = self.store.get(self.app_id(), owner).await?;
        if let Some(current) = &current
            && self.usable(&current.token, rejected)
        {
            let token = current.token.access_token.clone();
            self.remember(owner, current.token.clone(), true);
            return Ok(token);
        }
        let Some(Versioned {
            version,
            token: old,
        }) = current
        else {
            return self.from_agency(owner, None).await;
        };
        let Some(refresh_token) = old.refresh_token.clone() else {
            // A sub-account token made from an agency's comes without a refresh token.
            return self.from_agency(owner, Some(&old)).await;
        };
        match self.app.refresh(&refresh_token, old.user_type).await {
            Ok(grant) => {
                #[cfg(feature = "tracing")]
                tracing::debug!(%owner, "refreshed an OAuth access token");
                let mut fresh = StoredToken::from_grant(&grant);
                fresh.company_id = fresh.company_id.or(old.company_id);
                fresh.location_id = fresh.location_id.or(old.location_id);
                if fresh.refresh_token.is_none() {
                    // HighLevel always rotates; an answer without one leaves the old in use.
                    fresh.refresh_token = Some(refresh_token);
                }
                self.save(owner, fresh, Expect::Version(version)).await
            }
            Err(error) if error.is_invalid_grant() => {
                // Another process may have refreshed after all (a lock that expired under it).
                if let Ok(Some(again)) = self.store.get(self.app_id(), owner).await
                    && again.token.refresh_token.as_ref() != Some(&refresh_token)
                {
                    let token = again.token.access_token.clone();
                    self.remember(owner, again.token, true);
                    return Ok(token);
                }
                if matches!(owner, Owner::Location(_))
                    && let Ok(token) = self.from_agency(owner, Some(&old)).await
                {
                    return Ok(token);
                }
                #[cfg(feature = "tracing")]
                tracing::warn!(%owner, "HighLevel refused the refresh token: the install is lost");
                Err(OAuthError::InstallLost {
                    owner: owner.clone(),
                })
            }
            Err(error) => Err(error),
        }
    }

    /// A sub-account token exchanged from an agency's: `old`'s agency first, then the
    /// configured ones, then every agency in the store.
    async fn from_agency(
        self: &Arc<Self>,
        owner: &Owner,
        old: Option<&StoredToken>,
    ) -> Result<Token, OAuthError> {
        let Owner::Location(location_id) = owner else {
            return Err(if old.is_some() {
                OAuthError::InstallLost {
                    owner: owner.clone(),
                }
            } else {
                OAuthError::NotInstalled {
                    owner: owner.clone(),
                }
            });
        };
        let mut agencies: Vec<String> =
            old.and_then(|o| o.company_id.clone()).into_iter().collect();
        agencies.extend(self.agencies.iter().cloned());
        if self.agencies.is_empty() {
            agencies.extend(self.store.companies(self.app_id()).await?);
        }
        let mut tried = Vec::new();
        for company_id in agencies {
            if tried.contains(&company_id) {
                continue;
            }
            tried.push(company_id.clone());
            let agency = Owner::Company(company_id.clone());
            let Ok(company_token) = self.access_token(&agency).await else {
                continue;
            };
            match self
                .app
                .location_token(&company_token, &company_id, location_id)
                .await
            {
                Ok(grant) => {
                    #[cfg(feature = "tracing")]
                    tracing::debug!(%owner, %agency, "exchanged an agency token for a sub-account token");
                    return self
                        .save(owner, StoredToken::from_grant(&grant), Expect::Any)
                        .await;
                }
                // Not this agency's sub-account, or its token no longer works: the next.
                Err(OAuthError::Rejected { .. }) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(OAuthError::NotInstalled {
            owner: owner.clone(),
        })
    }

    /// Stores a token this process got and keeps it; a store that fails does not fail the
    /// call (the token works, and is stored later), and a record someone else wrote first is
    /// left as it is.
    async fn save(
        &self,
        owner: &Owner,
        token: StoredToken,
        expect: Expect,
    ) -> Result<Token, OAuthError> {
        let access = token.access_token.clone();
        match self.store.put(self.app_id(), owner, &token, expect).await {
            // Written, or someone else wrote first (their record stays; this token works too
            // until it expires, and is not written over theirs later).
            Ok(_) => self.remember(owner, token, true),
            Err(_error) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(%owner, error = %_error, "could not store a new OAuth token; keeping it in memory");
                self.remember(owner, token, false);
            }
        }
        Ok(access)
    }
}

impl TokenProvider for OAuthTokens {
    fn token(&self) -> TokenFuture<'_, Token> {
        Box::pin(async { Err(TokenError::from(OAuthError::NoOwner)) })
    }

    fn token_for<'a>(&'a self, owner: Option<&'a Owner>) -> TokenFuture<'a, Token> {
        Box::pin(async move {
            let owner = owner.ok_or(OAuthError::NoOwner)?;
            Ok(self.shared.access_token(owner).await?)
        })
    }

    fn refresh_for<'a>(
        &'a self,
        owner: Option<&'a Owner>,
        rejected: &'a Token,
    ) -> TokenFuture<'a, Option<Token>> {
        Box::pin(async move {
            let owner = owner.ok_or(OAuthError::NoOwner)?;
            Ok(Some(self.shared.renew(owner, Some(rejected)).await?))
        })
    }
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = &self.shared;
        f.debug_struct("OAuthTokens")
            .field("app", &shared.app)
            .field("owners_cached", &shared.lock_cache().len())
            .field("refresh_margin", &shared.margin)
            .field("lock_wait", &shared.lock_wait)
            .field("agencies", &shared.agencies)
            .finish_non_exhaustive()
    }
}
