//! Pacing: staying under HighLevel's rate limits before sending, rather than paying a 429.
//!
//! HighLevel allows each app a number of requests per burst interval (100 per 10 seconds) and
//! per day (200,000) for each sub-account, and reports both in `X-RateLimit-*` headers. Every
//! attempt first takes a slot from the budget of the sub-account it is charged to; the budgets
//! live in the [`Runtime`](crate::Runtime), so every clone of a client and every task shares
//! them.
//!
//! The budget of a sub-account is a sliding window: an attempt may go when fewer than `max`
//! attempts went in the last `interval`. That never exceeds the limit in any window, whether
//! the server counts in fixed windows or sliding ones. It follows what HighLevel reports: the
//! interval and maximum it states, and a remaining count lower than ours (another process
//! spends the same budget) fills our window up to what the server says is used. This is
//! hand-written rather than `governor`'s: governor's quotas are fixed when the limiter is
//! built and cannot take a count the server reports.

use crate::rate_limit::RateLimit;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// HighLevel's published burst limit: requests per interval, per sub-account.
pub const DEFAULT_INTERVAL_MAX: u64 = 100;
/// HighLevel's published burst interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// HighLevel's published daily limit per sub-account.
pub const DEFAULT_DAILY_MAX: u64 = 200_000;

/// The most requests per interval a budget tracks, whatever a server reports.
const MAX_WINDOW: u64 = 10_000;
/// The longest interval a budget takes from a server.
const MAX_INTERVAL: Duration = Duration::from_secs(3_600);

/// What a call does when its sub-account's budget has no slot free.
///
/// ```
/// use highlevel_runtime::Pacing;
/// use std::time::Duration;
///
/// let patient = Pacing::wait(Duration::from_secs(60));
/// let strict = Pacing::fail();
/// assert_ne!(patient, strict);
/// assert_eq!(Pacing::default(), Pacing::wait(Duration::from_secs(15)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pacing {
    mode: Mode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Wait(Duration),
    Fail,
    Off,
}

impl Default for Pacing {
    /// Wait up to 15 seconds for a slot.
    fn default() -> Self {
        Pacing::wait(Duration::from_secs(15))
    }
}

impl Pacing {
    /// Wait for a slot, at most `max_wait`; past that the call fails with
    /// [`Error::Throttled`](crate::Error::Throttled) and nothing is sent.
    pub fn wait(max_wait: Duration) -> Pacing {
        Pacing {
            mode: Mode::Wait(max_wait),
        }
    }

    /// Fail at once with [`Error::Throttled`](crate::Error::Throttled), nothing sent, when no
    /// slot is free.
    pub fn fail() -> Pacing {
        Pacing { mode: Mode::Fail }
    }

    /// No pacing: every attempt is sent at once (a 429 is still retried by the retry policy).
    pub fn off() -> Pacing {
        Pacing { mode: Mode::Off }
    }

    pub(crate) fn is_off(&self) -> bool {
        self.mode == Mode::Off
    }

    /// The longest a call may wait for a slot.
    pub(crate) fn max_wait(&self) -> Duration {
        match self.mode {
            Mode::Wait(max) => max,
            Mode::Fail | Mode::Off => Duration::ZERO,
        }
    }
}

/// The budgets of every sub-account a client has called.
#[derive(Debug, Default)]
pub(crate) struct Budgets {
    by_key: Mutex<HashMap<String, Budget>>,
}

/// One sub-account's budget.
#[derive(Debug)]
struct Budget {
    max: u64,
    interval: Duration,
    /// When recent attempts went (or, after a server's report, are taken to have gone).
    sent: VecDeque<Instant>,
    daily_left: u64,
    /// When the daily count was last set; a day later it is full again.
    day_started: Instant,
}

impl Budget {
    fn new(now: Instant) -> Budget {
        Budget {
            max: DEFAULT_INTERVAL_MAX,
            interval: DEFAULT_INTERVAL,
            sent: VecDeque::new(),
            daily_left: DEFAULT_DAILY_MAX,
            day_started: now,
        }
    }

    fn forget_old(&mut self, now: Instant) {
        while self
            .sent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= self.interval)
        {
            self.sent.pop_front();
        }
        if now.duration_since(self.day_started) >= Duration::from_secs(86_400) {
            self.daily_left = DEFAULT_DAILY_MAX;
            self.day_started = now;
        }
    }

    /// How long until a slot is free (zero: now), or `None` when the day's allowance is gone.
    fn wait(&mut self, now: Instant) -> Option<Duration> {
        self.forget_old(now);
        if self.daily_left == 0 {
            return None;
        }
        if (self.sent.len() as u64) < self.max {
            return Some(Duration::ZERO);
        }
        let oldest = self.sent[self.sent.len() - self.max as usize];
        // A server starts counting when a request arrives, a little after we sent it: keep a
        // margin (2 % of the interval, at most 250 ms) so that our window never ends first.
        let margin = (self.interval / 50).min(Duration::from_millis(250));
        Some((oldest + self.interval + margin).saturating_duration_since(now))
    }
}

/// Why no slot could be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A slot frees up after this wait, longer than the call may wait.
    Busy(Duration),
    /// The day's allowance is used up.
    DailyExhausted,
}

impl Budgets {
    /// Takes a slot of `key`'s budget, waiting as `pacing` allows.
    pub(crate) async fn acquire(&self, key: &str, pacing: &Pacing) -> Result<(), Refusal> {
        loop {
            let wait = {
                let mut budgets = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                if !budgets.contains_key(key) {
                    budgets.insert(key.to_string(), Budget::new(now));
                }
                let Some(budget) = budgets.get_mut(key) else {
                    continue;
                };
                match budget.wait(now) {
                    None => return Err(Refusal::DailyExhausted),
                    Some(wait) if wait.is_zero() => {
                        budget.sent.push_back(now);
                        budget.daily_left = budget.daily_left.saturating_sub(1);
                        return Ok(());
                    }
                    Some(wait) => wait,
                }
            };
            if wait > pacing.max_wait() {
                return Err(Refusal::Busy(wait));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Adopts what the server reported with an answer: its interval and maximum, and a
    /// remaining count lower than ours.
    pub(crate) fn observe(&self, key: &str, reported: &RateLimit) {
        if reported.is_empty() {
            return;
        }
        let mut budgets = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if !budgets.contains_key(key) {
            budgets.insert(key.to_string(), Budget::new(now));
        }
        let Some(budget) = budgets.get_mut(key) else {
            return;
        };
        // Bounded, so that a broken or hostile server's headers cannot make the window (one
        // instant per request) grow without limit or a wait last for days.
        if let Some(max) = reported.interval_max.filter(|&m| m > 0) {
            budget.max = max.min(MAX_WINDOW);
        }
        if let Some(interval) = reported.interval.filter(|i| !i.is_zero()) {
            budget.interval = interval.min(MAX_INTERVAL);
        }
        budget.forget_old(now);
        if let Some(remaining) = reported.remaining {
            let ours = budget.max.saturating_sub(budget.sent.len() as u64);
            // Someone else spends this budget too: take their attempts as sent now.
            for _ in remaining..ours {
                budget.sent.push_back(now);
            }
        }
        if let Some(daily) = reported.daily_remaining {
            budget.daily_left = budget.daily_left.min(daily);
            budget.day_started = budget.day_started.min(now);
        }
    }
}

/// The budget an attempt is charged to: the sub-account (`locationId`) the request names in
/// its query or at the top of its JSON body, else the token (a sub-account token or Private
/// Integration Token belongs to one sub-account). The token is represented by a hash, never
/// by itself.
pub(crate) fn key_of(request: &reqwest::Request, token: impl FnOnce() -> String) -> String {
    if let Some(location) = request
        .url()
        .query_pairs()
        .find(|(name, _)| name == "locationId")
        .map(|(_, value)| value.into_owned())
    {
        return location;
    }
    if let Some(location) = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .and_then(body_location)
    {
        return location;
    }
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(token());
    format!("token:{hash:016x}")
}

/// The text of the first `"locationId":"…"` of a JSON body as serde_json writes it (no space
/// around the colon), found without parsing the body: a body of HighLevel's names the
/// sub-account at its top level.
fn body_location(body: &[u8]) -> Option<String> {
    const NAME: &[u8] = b"\"locationId\":\"";
    let start = memchr::memmem::find(body, NAME)? + NAME.len();
    let rest = &body[start..];
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    (rest[end] == b'"')
        .then(|| String::from_utf8(rest[..end].to_vec()).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_is_read_from_a_body() {
        let body = br#"{"name":"x","locationId":"loc_1","slug":"y"}"#;
        assert_eq!(body_location(body).as_deref(), Some("loc_1"));
        assert_eq!(body_location(br#"{"name":"locationId"}"#), None);
        assert_eq!(
            body_location(br#"{"locationId":"a\"b"}"#),
            None,
            "escapes are not read"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_waits_for_its_oldest_attempt() {
        let budgets = Budgets::default();
        let reported = RateLimit {
            interval_max: Some(2),
            interval: Some(Duration::from_secs(1)),
            ..RateLimit::default()
        };
        budgets.observe("loc", &reported);
        let pacing = Pacing::wait(Duration::from_secs(5));
        let start = Instant::now();
        for _ in 0..4 {
            budgets.acquire("loc", &pacing).await.unwrap();
        }
        assert!(start.elapsed() >= Duration::from_secs(1));
        assert_eq!(
            budgets.acquire("loc", &Pacing::fail()).await,
            Err(Refusal::Busy(Duration::from_millis(1020)))
        );
        // Another sub-account has a budget of its own.
        budgets.acquire("other", &Pacing::fail()).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn hostile_headers_stay_bounded() {
        let budgets = Budgets::default();
        let reported = RateLimit {
            interval_max: Some(u64::MAX),
            interval: Some(Duration::from_secs(u64::MAX / 4)),
            remaining: Some(0),
            ..RateLimit::default()
        };
        budgets.observe("loc", &reported);
        {
            let budgets = budgets.by_key.lock().unwrap();
            let budget = &budgets["loc"];
            assert_eq!(budget.max, MAX_WINDOW);
            assert_eq!(
                budget.sent.len() as u64,
                MAX_WINDOW,
                "filled up to the bound only"
            );
            assert_eq!(budget.interval, MAX_INTERVAL);
        }
        assert!(matches!(
            budgets.acquire("loc", &Pacing::fail()).await,
            Err(Refusal::Busy(wait)) if wait <= MAX_INTERVAL + Duration::from_millis(250)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn the_server_s_lower_remaining_count_wins() {
        let budgets = Budgets::default();
        let mut reported = RateLimit {
            interval_max: Some(10),
            interval: Some(Duration::from_secs(1)),
            remaining: Some(1),
            ..RateLimit::default()
        };
        budgets.observe("loc", &reported);
        budgets.acquire("loc", &Pacing::fail()).await.unwrap();
        assert!(matches!(
            budgets.acquire("loc", &Pacing::fail()).await,
            Err(Refusal::Busy(_))
        ));
        reported.daily_remaining = Some(0);
        budgets.observe("day", &reported);
        assert_eq!(
            budgets
                .acquire("day", &Pacing::wait(Duration::from_secs(60)))
                .await,
            Err(Refusal::DailyExhausted)
        );
    }
}
