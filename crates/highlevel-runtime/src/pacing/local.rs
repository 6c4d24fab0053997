//! The in-process budget: a sliding window per sub-account, in memory, shared by every clone
//! of a client and every task.

use super::{DEFAULT_DAILY_MAX, DEFAULT_INTERVAL, DEFAULT_INTERVAL_MAX, MAX_INTERVAL, MAX_WINDOW};
use super::{Pacing, Refusal, margin};
use crate::rate_limit::RateLimit;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

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
        Some((oldest + self.interval + margin(self.interval)).saturating_duration_since(now))
    }
}

impl Budgets {
    fn with<T>(&self, key: &str, now: Instant, f: impl FnOnce(&mut Budget) -> T) -> T {
        let mut budgets = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
        match budgets.get_mut(key) {
            Some(budget) => f(budget),
            None => f(budgets.entry(key.to_string()).or_insert(Budget::new(now))),
        }
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
