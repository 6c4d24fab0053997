//! The in-process budget: a sliding window per sub-account, in memory, shared by every clone
//! of a client and every task.

use super::{DEFAULT_DAILY_MAX, DEFAULT_INTERVAL, DEFAULT_INTERVAL_MAX, MAX_INTERVAL, MAX_WINDOW};
use super::{Pacing, Refusal, SWEEP_FROM, margin};
use crate::rate_limit::RateLimit;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The budgets of the sub-accounts a client has called. A budget that has nothing left to
/// remember (no attempt within its interval, the day's allowance whole again) is dropped, so a
/// long-running client that calls ever new sub-accounts does not keep one budget per
/// sub-account it ever called.
#[derive(Debug, Default)]
pub(crate) struct Budgets {
    table: Mutex<Table>,
}

/// The budgets by key, and the size at which the next new key first sweeps out the budgets
/// with nothing to remember. Sweeping only when the table has doubled keeps the cost of
/// sweeping to a constant per new key.
#[derive(Debug, Default)]
struct Table {
    by_key: HashMap<String, Budget>,
    sweep_at: usize,
}

impl Table {
    /// `key`'s budget, made new when there is none.
    fn budget(&mut self, key: &str, now: Instant) -> &mut Budget {
        if !self.by_key.contains_key(key) {
            if self.by_key.len() >= self.sweep_at.max(SWEEP_FROM) {
                self.sweep(now);
            }
            self.by_key.insert(key.to_string(), Budget::new(now));
        }
        self.by_key
            .get_mut(key)
            .expect("the budget was just found or made")
    }

    /// Drops the budgets that are the same as new ones and frees the window of idle ones.
    fn sweep(&mut self, now: Instant) {
        self.by_key.retain(|_, budget| {
            budget.forget_old(now);
            if budget.sent.is_empty() {
                budget.sent.shrink_to_fit();
            }
            !budget.remembers_nothing()
        });
        self.sweep_at = 2 * self.by_key.len();
    }
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

    /// Nothing sent within the interval, the day's allowance whole: a new budget would do the
    /// same (apart from an interval and maximum the server reported, which its next answer
    /// reports again).
    fn remembers_nothing(&self) -> bool {
        self.sent.is_empty() && self.daily_left == DEFAULT_DAILY_MAX
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
        Some((oldest + self.interval + margin(self.interval)).saturating_duration_since(now))
    }

    /// Adopts what the server reported (see [`Budgets::observe`]).
    fn adopt(&mut self, reported: &RateLimit, now: Instant) {
        // Bounded, so that a broken or hostile server's headers cannot make the window (one
        // instant per request) grow without limit or a wait last for days.
        if let Some(max) = reported.interval_max.filter(|&m| m > 0) {
            self.max = max.min(MAX_WINDOW);
        }
        if let Some(interval) = reported.interval.filter(|i| !i.is_zero()) {
            self.interval = interval.min(MAX_INTERVAL);
        }
        self.forget_old(now);
        if let Some(remaining) = reported.remaining {
            let ours = self.max.saturating_sub(self.sent.len() as u64);
            // Someone else spends this budget too: take their attempts as sent now.
            for _ in remaining..ours {
                self.sent.push_back(now);
            }
        }
        if let Some(daily) = reported.daily_remaining {
            self.daily_left = self.daily_left.min(daily);
            self.day_started = self.day_started.min(now);
        }
    }
}

impl Budgets {
    fn with<T>(&self, key: &str, now: Instant, f: impl FnOnce(&mut Budget) -> T) -> T {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        f(table.budget(key, now))
    }

    /// Counts an attempt that goes after `wait` on a slot taken elsewhere (the fleet budget),
    /// so that this budget knows of it if it has to take over.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn note(&self, key: &str, wait: Duration) {
        let now = Instant::now();
        self.with(key, now, |budget| {
            budget.forget_old(now);
            budget.sent.push_back(now + wait);
            budget.daily_left = budget.daily_left.saturating_sub(1);
        });
    }

    /// Takes a slot of `key`'s budget, waiting as `pacing` allows.
    pub(crate) async fn acquire(&self, key: &str, pacing: &Pacing) -> Result<(), Refusal> {
        loop {
            let now = Instant::now();
            let wait = self.with(key, now, |budget| match budget.wait(now) {
                None => Err(Refusal::DailyExhausted),
                Some(wait) if wait.is_zero() => {
                    budget.sent.push_back(now);
                    budget.daily_left = budget.daily_left.saturating_sub(1);
                    Ok(None)
                }
                Some(wait) => Ok(Some(wait)),
            })?;
            let Some(wait) = wait else {
                return Ok(());
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
        let now = Instant::now();
        self.with(key, now, |budget| budget.adopt(reported, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Err(Refusal::Busy(Duration::from_millis(1050)))
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
            let table = budgets.table.lock().unwrap();
            let budget = &table.by_key["loc"];
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
    async fn budgets_with_nothing_to_remember_are_dropped_and_the_others_kept() {
        let budgets = Budgets::default();
        let keys = |table: &Budgets| -> Vec<String> {
            let table = table.table.lock().unwrap();
            table.by_key.keys().cloned().collect()
        };
        let exhausted = RateLimit {
            daily_remaining: Some(0),
            ..RateLimit::default()
        };
        budgets.observe("spent", &exhausted);
        for i in 0..2000 {
            budgets
                .acquire(&format!("yesterday {i}"), &Pacing::fail())
                .await
                .unwrap();
        }
        // Each has spent from today's allowance: sweeping drops none of them.
        assert_eq!(keys(&budgets).len(), 2001);

        tokio::time::advance(Duration::from_secs(86_400)).await;
        budgets.observe("spent", &exhausted);
        for i in 0..2000 {
            budgets
                .acquire(&format!("today {i}"), &Pacing::fail())
                .await
                .unwrap();
        }
        let kept = keys(&budgets);
        assert!(
            kept.iter().all(|k| !k.starts_with("yesterday")),
            "a day later, yesterday's budgets remember nothing"
        );
        assert_eq!(kept.len(), 2001, "today's and the spent one stay");
        assert_eq!(
            budgets.acquire("spent", &Pacing::fail()).await,
            Err(Refusal::DailyExhausted)
        );
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
