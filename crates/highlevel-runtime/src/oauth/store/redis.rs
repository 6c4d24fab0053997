//! [`RedisTokenStore`]: tokens kept in Redis, shared by every process of a fleet.
//!
//! Each owner's record is a hash `highlevel:oauth:{<app>}:<kind>:<id>` with the fields `v`
//! (the version, which a removal keeps so that it never goes back) and `t` (the token's
//! JSON). The refresh lock is `…:lock`, set with `NX PX`; the agencies with a token are the
//! set `highlevel:oauth:{<app>}:companies`. The app is a hash tag, so that one app's keys
//! share a Redis Cluster slot and a script may touch several.

use super::{Expect, LockId, StoreFuture, StoredToken, TokenStore, Versioned};
use crate::build_error::BuildError;
use crate::oauth::{Owner, StoreError};
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Writes a record if its version is as expected, and notes an agency: the new version, or
/// -1 when the record was not as expected.
const PUT: &str = r"
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
local present = redis.call('HEXISTS', KEYS[1], 't') == 1
local expect = ARGV[1]
if expect == 'absent' then
  if present then return -1 end
elseif expect ~= 'any' then
  if (not present) or tonumber(expect) ~= v then return -1 end
end
v = v + 1
redis.call('HSET', KEYS[1], 'v', v, 't', ARGV[2])
if ARGV[3] ~= '' then redis.call('SADD', KEYS[2], ARGV[3]) end
return v
";

/// Removes a record's token (keeping its version) and forgets an agency: 1 if it had one.
const REMOVE: &str = r"
local removed = redis.call('HDEL', KEYS[1], 't')
if ARGV[1] ~= '' then redis.call('SREM', KEYS[2], ARGV[1]) end
return removed
";

/// Releases a lock only if it is still the caller's.
const UNLOCK: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// Keeps tokens in Redis, so that every process of a fleet uses and refreshes the same ones
/// (needs the `redis` feature). It can be the server the
/// [`FleetBudget`](crate::FleetBudget) uses.
///
/// Every command has a timeout (500 ms by default); past it the store counts as unavailable
/// for that command. Nothing connects until the first command.
///
/// ```
/// use highlevel_runtime::oauth::RedisTokenStore;
/// use std::time::Duration;
///
/// let store = RedisTokenStore::new("redis://127.0.0.1:6379/0")?.timeout(Duration::from_secs(1));
/// assert!(format!("{store:?}").contains("127.0.0.1"));
/// # Ok::<(), highlevel_runtime::BuildError>(())
/// ```
#[derive(Clone)]
pub struct RedisTokenStore {
    client: ::redis::Client,
    timeout: Duration,
    connection: std::sync::Arc<OnceCell<ConnectionManager>>,
}

impl RedisTokenStore {
    /// A store in the Redis server at `url` (`redis://[:password@]host:port[/db]`). Only the
    /// URL is checked here.
    pub fn new(url: &str) -> Result<RedisTokenStore, BuildError> {
        // The redis crate's message may quote the URL, and with it a password: not repeated.
        let client = ::redis::Client::open(url)
            .map_err(|e| BuildError::InvalidRedisUrl(format!("{:?}", e.kind())))?;
        Ok(RedisTokenStore {
            client,
            timeout: Duration::from_millis(500),
            connection: Default::default(),
        })
    }

    /// How long one command may take, connecting included (500 ms by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, ::redis::RedisError> {
        self.connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.timeout))
                    .set_response_timeout(Some(self.timeout))
                    .set_number_of_retries(0);
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
    }

    /// Runs `command` within the timeout, once more if the connection manager still held the
    /// refusal of an earlier outage (the command was not sent then).
    async fn run<T: ::redis::FromRedisValue>(
        &self,
        command: ::redis::Cmd,
    ) -> Result<T, StoreError> {
        let attempt = async {
            let connection = self.connection().await?;
            match command.query_async(&mut connection.clone()).await {
                Err(e) if e.is_connection_refusal() => {
                    command.query_async(&mut connection.clone()).await
                }
                answer => answer,
            }
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) if e.kind() == ::redis::ErrorKind::UnexpectedReturnType => {
                Err(StoreError::invalid(format!("{:?}", e.kind())))
            }
            Ok(Err(e)) => Err(StoreError::unavailable(format!("Redis: {:?}", e.kind()))),
            Err(_) => Err(StoreError::unavailable(format!(
                "no answer from Redis within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }
}

fn record_key(app: &str, owner: &Owner) -> String {
    format!("highlevel:oauth:{{{app}}}:{}:{}", owner.kind(), owner.id())
}

fn companies_key(app: &str) -> String {
    format!("highlevel:oauth:{{{app}}}:companies")
}

fn company_of(owner: &Owner) -> &str {
    match owner {
        Owner::Company(id) => id,
        Owner::Location(_) => "",
    }
}

fn eval(script: &str, keys: &[String]) -> ::redis::Cmd {
    let mut command = ::redis::cmd("EVAL");
    command.arg(script).arg(keys.len()).arg(keys);
    command
}

impl TokenStore for RedisTokenStore {
    fn get<'a>(&'a self, app: &'a str, owner: &'a Owner) -> StoreFuture<'a, Option<Versioned>> {
        Box::pin(async move {
            let mut command = ::redis::cmd("HMGET");
            command.arg(record_key(app, owner)).arg("v").arg("t");
            let (version, json): (Option<u64>, Option<String>) = self.run(command).await?;
            match json {
                Some(json) => Ok(Some(Versioned::new(
                    version.unwrap_or(0),
                    StoredToken::from_json(&json)?,
                ))),
                None => Ok(None),
            }
        })
    }

    fn put<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        token: &'a StoredToken,
        expect: Expect,
    ) -> StoreFuture<'a, Option<u64>> {
        Box::pin(async move {
            let mut command = eval(PUT, &[record_key(app, owner), companies_key(app)]);
            let expect = match expect {
                Expect::Any => "any".to_string(),
                Expect::Absent => "absent".to_string(),
                Expect::Version(v) => v.to_string(),
            };
            command
                .arg(expect)
                .arg(token.to_json())
                .arg(company_of(owner));
            let version: i64 = self.run(command).await?;
            Ok(u64::try_from(version).ok())
        })
    }

    fn remove<'a>(&'a self, app: &'a str, owner: &'a Owner) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut command = eval(REMOVE, &[record_key(app, owner), companies_key(app)]);
            command.arg(company_of(owner));
            let removed: i64 = self.run(command).await?;
            Ok(removed == 1)
        })
    }

    fn lock<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<LockId>> {
        Box::pin(async move {
            let id = LockId::unique();
            let mut command = ::redis::cmd("SET");
            command
                .arg(format!("{}:lock", record_key(app, owner)))
                .arg(id.as_str())
                .arg("NX")
                .arg("PX")
                .arg(u64::try_from(ttl.as_millis().max(1)).unwrap_or(u64::MAX));
            let answer: Option<String> = self.run(command).await?;
            Ok(answer.map(|_| id))
        })
    }

    fn unlock<'a>(
        &'a self,
        app: &'a str,
        owner: &'a Owner,
        lock: &'a LockId,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut command = eval(UNLOCK, &[format!("{}:lock", record_key(app, owner))]);
            command.arg(lock.as_str());
            let _: i64 = self.run(command).await?;
            Ok(())
        })
    }

    fn companies<'a>(&'a self, app: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut command = ::redis::cmd("SMEMBERS");
            command.arg(companies_key(app));
            let mut companies: Vec<String> = self.run(command).await?;
            companies.sort();
            Ok(companies)
        })
    }
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection info without its password.
        let info = self.client.get_connection_info();
        f.debug_struct("RedisTokenStore")
            .field("addr", &info.addr().to_string())
            .field("db", &info.redis_settings().db())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
