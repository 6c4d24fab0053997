//! The fleet budget: the same sliding window as the in-process budget, kept in Redis so that
//! every process of a fleet, on any machine, takes its slots from one budget per sub-account.
//!
//! Each reservation is one `EVAL` of `reserve.lua` (one round trip, atomic): it applies what
//! this process last heard from the server for the budget, then takes the earliest slot that
//! keeps the window within the limit, possibly a little in the future, and the caller sleeps
//! until then. Keys are `highlevel:budget:{<app>:<budget key>}:window` and `…:state`, with
//! the app and key in a hash tag so that both land on one Redis Cluster slot; both expire on
//! their own (the window an interval after its latest slot, the state at the end of its day).
//!
//! Redis is a helper, never a dependency of a call: a reservation that does not answer within
//! the timeout leaves the call to the in-process budget (or fails it before anything is sent,
//! if so configured). A slot reserved but not used only costs the fleet one slot.

use super::{
    DEFAULT_DAILY_MAX, DEFAULT_INTERVAL, DEFAULT_INTERVAL_MAX, MAX_INTERVAL, MAX_WINDOW, Refusal,
    SWEEP_FROM,
};
use crate::build_error::BuildError;
use crate::rate_limit::RateLimit;
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;

const SCRIPT: &str = include_str!("reserve.lua");

/// A rate budget shared by every process of a fleet, kept in Redis; set it with
/// [`ClientBuilder::fleet_budget`](crate::ClientBuilder::fleet_budget). Needs the `redis`
/// feature and Redis 5 or later.
///
/// Every client configured with the same Redis server and [`app`](FleetBudget::app) takes its
/// slots from one budget per sub-account, wherever it runs. The budget follows HighLevel's
/// `X-RateLimit-*` headers as the in-process one does; [`Pacing`](crate::Pacing) still says
/// how long a call may wait for a slot.
///
/// ```
/// use highlevel_runtime::{ClientBuilder, FleetBudget, OnUnavailable, Runtime};
/// use std::time::Duration;
///
/// let fleet = FleetBudget::redis("redis://127.0.0.1:6379")?
///     .app("crm-sync")
///     .timeout(Duration::from_millis(100))
///     .on_unavailable(OnUnavailable::Fail);
/// let runtime: Runtime = ClientBuilder::new()
///     .token("pit-xxxxxxxx")
///     .fleet_budget(fleet)
///     .build()?;
/// # Ok::<(), highlevel_runtime::BuildError>(())
/// ```
///
/// Nothing connects until the first call; an unreachable server shows then, as the fallback
/// [`OnUnavailable`] chooses. The connection lives on the tokio runtime of that first call:
/// build one client per runtime.
#[derive(Clone)]
pub struct FleetBudget {
    client: ::redis::Client,
    app: String,
    timeout: Duration,
    on_unavailable: OnUnavailable,
}

/// What a call does when Redis does not answer a reservation within the
/// [timeout](FleetBudget::timeout) (down, unreachable, or slow).
///
/// ```
/// use highlevel_runtime::OnUnavailable;
///
/// assert_eq!(OnUnavailable::default(), OnUnavailable::PaceLocally);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnUnavailable {
    /// Take the slot from this process's own budget instead, and log a warning (with the
    /// `tracing` feature) when that starts and when Redis answers again.
    #[default]
    PaceLocally,
    /// Fail the call with [`Error::FleetUnavailable`](crate::Error::FleetUnavailable); nothing
    /// is sent.
    Fail,
}

impl FleetBudget {
    /// A budget kept in the Redis server at `url` (`redis://[:password@]host:port[/db]`, or
    /// `rediss://` with TLS support compiled into the `redis` crate). Only the URL is checked
    /// here; nothing connects until a call needs a slot.
    pub fn redis(url: &str) -> Result<FleetBudget, BuildError> {
        // The redis crate's message may quote the URL, and with it a password: not repeated.
        let client = ::redis::Client::open(url)
            .map_err(|e| BuildError::InvalidRedisUrl(format!("{:?}", e.kind())))?;
        Ok(FleetBudget {
            client,
            app: "default".into(),
            timeout: Duration::from_millis(200),
            on_unavailable: OnUnavailable::default(),
        })
    }

    /// The name of the app whose limits the budget tracks (`default` unless set). HighLevel
    /// counts per app and sub-account: processes that share an app's budget must give the same
    /// name, and different apps different names.
    pub fn app(mut self, name: impl Into<String>) -> Self {
        self.app = name.into();
        self
    }

    /// How long a reservation may take, connecting included, before Redis counts as
    /// unavailable for that call (200 ms by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What a call does when Redis is unavailable ([`OnUnavailable::PaceLocally`] by
    /// default).
    pub fn on_unavailable(mut self, choice: OnUnavailable) -> Self {
        self.on_unavailable = choice;
        self
    }
}

impl fmt::Debug for FleetBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The address and database only: never a username or password.
        let info = self.client.get_connection_info();
        f.debug_struct("FleetBudget")
            .field("redis", &info.addr().to_string())
            .field("db", &info.redis_settings().db())
            .field("app", &self.app)
            .field("timeout", &self.timeout)
            .field("on_unavailable", &self.on_unavailable)
            .finish()
    }
}

/// What the server said about a budget, when, and in answer to which reservation.
type Heard = (Instant, u64, RateLimit);

/// The reports not yet passed on, by budget key. A report older than the longest interval is
/// no longer applied (`reserve.lua`), so such reports are swept out when the table has doubled
/// since the last sweep: a client that calls ever new sub-accounts keeps a bounded table.
#[derive(Debug, Default)]
struct Reports {
    by_key: HashMap<String, Heard>,
    sweep_at: usize,
}

impl Reports {
    fn keep(&mut self, key: &str, report: Heard) {
        if !self.by_key.contains_key(key) && self.by_key.len() >= self.sweep_at.max(SWEEP_FROM) {
            self.by_key
                .retain(|_, (at, ..)| at.elapsed() < MAX_INTERVAL);
            self.sweep_at = 2 * self.by_key.len();
        }
        self.by_key.insert(key.to_string(), report);
    }
}

/// Redis did not answer a reservation in time.
#[derive(Debug)]
pub(crate) struct Unavailable;

/// A fleet budget in use by one client.
pub(crate) struct Fleet {
    config: FleetBudget,
    /// Made on first use: the connection manager needs a tokio runtime, `build()` does not.
    connection: OnceCell<ConnectionManager>,
    /// What this process last heard per budget, for its next reservation to pass on.
    heard: Mutex<Reports>,
    /// Whether the last reservation failed (the warning is logged once per outage).
    degraded: AtomicBool,
}

impl fmt::Debug for Fleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.config.fmt(f)
    }
}

impl Fleet {
    pub(crate) fn new(config: FleetBudget) -> Fleet {
        Fleet {
            config,
            connection: OnceCell::new(),
            heard: Mutex::default(),
            degraded: AtomicBool::new(false),
        }
    }

    pub(crate) fn on_unavailable(&self) -> OnUnavailable {
        self.config.on_unavailable
    }

    /// Keeps the server's report on `key` for the next reservation.
    pub(crate) fn heard(&self, key: &str, ticket: u64, reported: &RateLimit) {
        let mut heard = self.heard.lock().unwrap_or_else(|p| p.into_inner());
        heard.keep(key, (Instant::now(), ticket, reported.clone()));
    }

    /// Reserves a slot of `key`'s budget no more than `max_wait` ahead: `Ok(Ok((wait,
    /// ticket)))` to send after `wait`, `Ok(Err(_))` when the budget refuses, `Err` when Redis
    /// did not answer in time.
    pub(crate) async fn reserve(
        &self,
        key: &str,
        max_wait: Duration,
    ) -> Result<Result<(Duration, u64), Refusal>, Unavailable> {
        let heard = self
            .heard
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_key
            .remove(key);
        let answer = tokio::time::timeout(self.config.timeout, self.eval(key, max_wait, &heard));
        match answer.await {
            Ok(Ok((status, wait, ticket))) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    #[cfg(feature = "tracing")]
                    tracing::info!("the fleet budget in Redis answers again");
                }
                let wait = Duration::from_millis(wait.max(0) as u64);
                Ok(match status {
                    0 => Ok((wait, ticket.max(0) as u64)),
                    1 => Err(Refusal::Busy(wait)),
                    _ => Err(Refusal::DailyExhausted),
                })
            }
            failed => {
                // The report was not delivered: keep it for the next try, unless newer came.
                if let Some(old) = heard {
                    let mut heard = self.heard.lock().unwrap_or_else(|p| p.into_inner());
                    if !heard.by_key.contains_key(key) {
                        heard.keep(key, old);
                    }
                }
                let first = !self.degraded.swap(true, Ordering::Relaxed);
                #[cfg(feature = "tracing")]
                if first {
                    let reason = match &failed {
                        Ok(Err(e)) => e.to_string(),
                        _ => format!("no answer within {} ms", self.config.timeout.as_millis()),
                    };
                    tracing::warn!(
                        %reason,
                        fallback = ?self.config.on_unavailable,
                        "the fleet budget in Redis is unavailable"
                    );
                }
                #[cfg(not(feature = "tracing"))]
                let _ = (first, failed);
                Err(Unavailable)
            }
        }
    }

    async fn eval(
        &self,
        key: &str,
        max_wait: Duration,
        heard: &Option<Heard>,
    ) -> ::redis::RedisResult<(i64, i64, i64)> {
        let connection = self
            .connection
            .get_or_try_init(|| async {
                let timeout = Some(self.config.timeout);
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(timeout)
                    .set_response_timeout(timeout)
                    // One attempt per reconnection: the next call tries again, and a call
                    // never waits on a backoff it cannot see.
                    .set_number_of_retries(0);
                ConnectionManager::new_lazy_with_config(self.config.client.clone(), config)
            })
            .await?
            .clone();
        let tag = format!("highlevel:budget:{{{}:{key}}}", self.config.app);
        let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let known = |v: Option<u64>| v.map_or(-1, |v| i64::try_from(v).unwrap_or(i64::MAX));
        let (age, ticket, seen) = match heard {
            Some((at, ticket, seen)) => (millis(at.elapsed()), *ticket as i64, seen.clone()),
            None => (-1, -1, RateLimit::default()),
        };
        let mut eval = ::redis::cmd("EVAL");
        eval.arg(SCRIPT)
            .arg(2)
            .arg(format!("{tag}:window"))
            .arg(format!("{tag}:state"))
            .arg(DEFAULT_INTERVAL_MAX)
            .arg(millis(DEFAULT_INTERVAL))
            .arg(DEFAULT_DAILY_MAX)
            .arg(MAX_WINDOW)
            .arg(millis(MAX_INTERVAL))
            .arg(millis(max_wait))
            .arg(age)
            .arg(known(seen.interval_max))
            .arg(seen.interval.map_or(-1, millis))
            .arg(known(seen.remaining))
            .arg(known(seen.daily_remaining))
            .arg(ticket);
        match eval.query_async(&mut connection.clone()).await {
            // The manager keeps the outcome of its last connection attempt: after an outage
            // that is a refusal, and the failure starts a new attempt. Once more, then: the
            // script was not sent, so it cannot run twice.
            Err(e) if e.is_connection_refusal() => eval.query_async(&mut connection.clone()).await,
            answer => answer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn reports_too_old_to_apply_are_swept_out_and_fresh_ones_kept() {
        let mut reports = Reports::default();
        let report = || (Instant::now(), 1, RateLimit::default());
        for i in 0..SWEEP_FROM {
            reports.keep(&format!("old {i}"), report());
        }
        tokio::time::advance(MAX_INTERVAL).await;
        for i in 0..2000 {
            reports.keep(&format!("new {i}"), report());
        }
        assert!(reports.by_key.keys().all(|k| k.starts_with("new")));
        assert_eq!(reports.by_key.len(), 2000, "fresh reports are never swept");
    }

    #[test]
    fn a_password_never_shows() {
        let budget = FleetBudget::redis("redis://:s3cret-pw@127.0.0.1:6380/3")
            .unwrap()
            .app("sync");
        let shown = format!("{budget:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("127.0.0.1:6380"), "{shown}");
        assert!(shown.contains("db: 3"), "{shown}");

        let error = FleetBudget::redis("http://:s3cret-pw@example.com").unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains("s3cret-pw"), "{text}");
        assert!(matches!(error, BuildError::InvalidRedisUrl(_)), "{text}");
    }
}
