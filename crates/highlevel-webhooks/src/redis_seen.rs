//! A seen-set in Redis, shared by every process of a fleet: `SET key 1 NX PX <window>` is
//! atomic, so of all the processes handed one delivery exactly one gets to process it.

use crate::seen::{SeenFuture, SeenSet, SeenSetError};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::time::Duration;
use tokio::sync::OnceCell;

/// `webhookId`s kept in Redis, each under `<prefix><webhookId>` until the replay window
/// has passed.
///
/// The connection is made on first use (it needs a tokio runtime) and remade after an
/// outage. A call that gets no answer within the timeout fails with
/// [`ErrorKind::SeenSetUnavailable`](crate::ErrorKind::SeenSetUnavailable): the delivery is
/// refused (503) rather than maybe processed twice.
///
/// ```no_run
/// use highlevel_webhooks::{RedisSeenSet, WebhookVerifier};
///
/// let seen = RedisSeenSet::open("redis://127.0.0.1:6379")?.prefix("my-app:webhook:");
/// let verifier = WebhookVerifier::builder().seen_set(seen).build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RedisSeenSet {
    client: redis::Client,
    prefix: String,
    timeout: Duration,
    connection: OnceCell<ConnectionManager>,
}

impl fmt::Debug for RedisSeenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client's connection info may hold a password: leave it out.
        f.debug_struct("RedisSeenSet")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisSeenSet {
    /// The key prefix by default.
    pub const DEFAULT_PREFIX: &'static str = "highlevel:webhook:";
    /// How long a call waits for Redis by default.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

    /// A set in the Redis server at `url` (`redis://host:port/db`); nothing is connected yet.
    ///
    /// ```
    /// assert!(highlevel_webhooks::RedisSeenSet::open("not a url").is_err());
    /// ```
    pub fn open(url: &str) -> redis::RedisResult<RedisSeenSet> {
        Ok(RedisSeenSet::new(redis::Client::open(url)?))
    }

    /// A set reached through `client`.
    ///
    /// ```
    /// let client = redis::Client::open("redis://127.0.0.1:6379")?;
    /// let seen = highlevel_webhooks::RedisSeenSet::new(client);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn new(client: redis::Client) -> RedisSeenSet {
        RedisSeenSet {
            client,
            prefix: RedisSeenSet::DEFAULT_PREFIX.to_string(),
            timeout: RedisSeenSet::DEFAULT_TIMEOUT,
            connection: OnceCell::new(),
        }
    }

    /// The prefix of its keys (by default `highlevel:webhook:`): one per app sharing a
    /// server.
    ///
    /// ```
    /// let seen = highlevel_webhooks::RedisSeenSet::open("redis://127.0.0.1")?.prefix("app2:");
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> RedisSeenSet {
        self.prefix = prefix.into();
        self
    }

    /// How long to wait for a connection and for each answer (by default two seconds).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let seen = highlevel_webhooks::RedisSeenSet::open("redis://127.0.0.1")?
    ///     .timeout(Duration::from_millis(500));
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> RedisSeenSet {
        self.timeout = timeout;
        self
    }

    async fn set_if_new(&self, webhook_id: &str, ttl: Duration) -> redis::RedisResult<bool> {
        let connection = self
            .connection
            .get_or_try_init(|| async {
                let timeout = Some(self.timeout);
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(timeout)
                    .set_response_timeout(timeout)
                    // One attempt per reconnection: the next call tries again.
                    .set_number_of_retries(0);
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await?;
        let mut set = redis::cmd("SET");
        set.arg(format!("{}{webhook_id}", self.prefix))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1));
        let answer: redis::RedisResult<Option<String>> = match set
            .query_async(&mut connection.clone())
            .await
        {
            // After an outage the manager first reports its last failed attempt and
            // reconnects: once more. The command was not sent, so it cannot apply twice.
            Err(e) if e.is_connection_refusal() => set.query_async(&mut connection.clone()).await,
            answer => answer,
        };
        Ok(answer?.is_some())
    }
}

impl SeenSet for RedisSeenSet {
    fn first_sighting<'a>(&'a self, webhook_id: &'a str, ttl: Duration) -> SeenFuture<'a> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, self.set_if_new(webhook_id, ttl)).await {
                Ok(Ok(first)) => Ok(first),
                Ok(Err(e)) => Err(SeenSetError::new(format!("Redis: {}", e.category()))),
                Err(_) => Err(SeenSetError::new(format!(
                    "Redis did not answer within {} ms",
                    self.timeout.as_millis()
                ))),
            }
        })
    }
}
