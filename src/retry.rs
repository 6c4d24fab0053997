//! When a failed create may be sent again, and how long to wait first.
//!
//! Creating a calendar is not idempotent: sending it twice can create two calendars. So the
//! classification here retries only failures where HighLevel certainly did not process the
//! request: the connection was never established, or HighLevel answered 429 (it rejects
//! rate-limited requests before doing anything). A timeout after sending, a reset connection and
//! every 5xx are never retried, because the calendar may exist. A 401 is retried once, and only
//! with a new token from the [`TokenProvider`](crate::TokenProvider).
//!
//! The classification ([`decide`]) is a pure function of the failure and the policy; the client
//! does the waiting.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How many times, and for how long, the client tries a request.
///
/// Creating a calendar is not idempotent, so the client retries only when HighLevel certainly
/// did not process the request:
///
/// - the connection could not be established ([`Error::Connect`](crate::Error::Connect)):
///   retried with full-jitter exponential backoff;
/// - HighLevel answered 429: retried after the wait its headers give (`Retry-After`, or one
///   burst interval when `X-RateLimit-Remaining` is 0), unless that wait is longer than
///   [`max_rate_limit_wait`](RetryPolicy::max_rate_limit_wait) or the daily limit is used up;
/// - HighLevel answered 401 and the [`TokenProvider`](crate::TokenProvider) gives a new token:
///   sent once more with it (this does not count as an attempt).
///
/// Never retried, because the calendar may already exist: a timeout once the request was sent,
/// a connection reset after sending, and every 5xx. The caller sees those errors and can check
/// whether the calendar was created before trying again.
///
/// ```
/// use highlevel_calendars::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .max_rate_limit_wait(Duration::from_secs(30));
/// assert_eq!(policy.attempts(), 5);
/// let never = RetryPolicy::never();
/// assert_eq!(never.attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_rate_limit_wait: Duration,
    max_total_time: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts; connection failures back off from 200 ms up to 5 s with full jitter;
    /// a 429 waits what HighLevel says up to 15 s; no retry starts after 60 s in total.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_rate_limit_wait: Duration::from_secs(15),
            max_total_time: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request once.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Most attempts per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff before the first retry of a connection failure; it doubles each time.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Longest backoff between connection attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Longest wait the client accepts from a 429; a longer one is returned as
    /// [`Error::RateLimited`](crate::Error::RateLimited).
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = wait;
        self
    }

    /// No retry starts once this much time has passed since the call began.
    pub fn max_total_time(mut self, total: Duration) -> Self {
        self.max_total_time = total;
        self
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }
}

/// The failures the policy distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection was not established; nothing was sent.
    Connect,
    /// HighLevel answered 429.
    RateLimited {
        /// The wait HighLevel suggested.
        wait: Option<Duration>,
        /// Whether the daily limit is used up.
        daily_exhausted: bool,
    },
    /// Anything after which the request may have been processed, or retrying cannot help.
    Final,
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send again after this wait.
    RetryAfter(Duration),
    /// Return the error.
    GiveUp,
}

/// Decides whether attempt number `attempt` (1-based) that failed with `failure` is retried,
/// `elapsed` after the call began. `jitter` is a number in `[0, 1)`.
pub(crate) fn decide(
    policy: &RetryPolicy,
    failure: Failure,
    attempt: u32,
    elapsed: Duration,
    jitter: f64,
) -> Decision {
    if attempt >= policy.max_attempts {
        return Decision::GiveUp;
    }
    let wait = match failure {
        Failure::Final => return Decision::GiveUp,
        Failure::RateLimited {
            daily_exhausted: true,
            ..
        } => return Decision::GiveUp,
        Failure::RateLimited { wait, .. } => {
            let wait = wait.unwrap_or_else(|| backoff(policy, attempt, jitter));
            if wait > policy.max_rate_limit_wait {
                return Decision::GiveUp;
            }
            // Spread clients that were limited together by up to 10 %.
            wait + wait.mul_f64(0.1 * jitter)
        }
        Failure::Connect => backoff(policy, attempt, jitter),
    };
    if elapsed + wait > policy.max_total_time {
        return Decision::GiveUp;
    }
    Decision::RetryAfter(wait)
}

/// Full-jitter exponential backoff: uniform in `[0, min(max, initial * 2^(attempt-1))]`.
fn backoff(policy: &RetryPolicy, attempt: u32, jitter: f64) -> Duration {
    let exp = 2u32.saturating_pow(attempt.saturating_sub(1));
    let ceiling = policy
        .initial_backoff
        .saturating_mul(exp)
        .min(policy.max_backoff);
    ceiling.mul_f64(jitter)
}

/// A random number in `[0, 1)` from the standard library's randomly seeded hasher.
pub(crate) fn jitter() -> f64 {
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn final_failures_are_never_retried() {
        let p = RetryPolicy::default();
        assert_eq!(
            decide(&p, Failure::Final, 1, Duration::ZERO, 0.5),
            Decision::GiveUp
        );
    }

    #[test]
    fn connect_failures_back_off_with_jitter_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(
            decide(&p, Failure::Connect, 1, Duration::ZERO, 0.5),
            Decision::RetryAfter(Duration::from_millis(100))
        );
        assert_eq!(
            decide(&p, Failure::Connect, 2, Duration::ZERO, 1.0),
            Decision::RetryAfter(Duration::from_millis(400))
        );
        let p = p.max_attempts(50);
        assert_eq!(
            decide(&p, Failure::Connect, 40, Duration::ZERO, 1.0),
            Decision::RetryAfter(Duration::from_secs(5))
        );
    }

    #[test]
    fn rate_limits_wait_what_the_server_says_within_bounds() {
        let p = RetryPolicy::default();
        let limited = |wait| Failure::RateLimited {
            wait,
            daily_exhausted: false,
        };
        assert_eq!(
            decide(&p, limited(Some(2 * SECOND)), 1, Duration::ZERO, 0.0),
            Decision::RetryAfter(2 * SECOND)
        );
        assert_eq!(
            decide(&p, limited(Some(2 * SECOND)), 1, Duration::ZERO, 0.5),
            Decision::RetryAfter(Duration::from_millis(2100))
        );
        assert_eq!(
            decide(&p, limited(Some(60 * SECOND)), 1, Duration::ZERO, 0.0),
            Decision::GiveUp
        );
        let daily = Failure::RateLimited {
            wait: Some(SECOND),
            daily_exhausted: true,
        };
        assert_eq!(decide(&p, daily, 1, Duration::ZERO, 0.0), Decision::GiveUp);
    }

    #[test]
    fn attempts_and_total_time_are_bounded() {
        let p = RetryPolicy::default().max_attempts(2);
        assert_eq!(
            decide(&p, Failure::Connect, 2, Duration::ZERO, 0.5),
            Decision::GiveUp
        );
        let p = RetryPolicy::default().max_total_time(SECOND);
        let limited = Failure::RateLimited {
            wait: Some(2 * SECOND),
            daily_exhausted: false,
        };
        assert_eq!(
            decide(&p, limited, 1, Duration::ZERO, 0.0),
            Decision::GiveUp
        );
        assert_eq!(RetryPolicy::never().attempts(), 1);
    }

    #[test]
    fn jitter_is_in_the_unit_interval() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
