//! When a failed request may be sent again, and how long to wait first.
//!
//! What decides is whether the server may already have acted on the request. A request that
//! certainly did not reach it (the connection was never established) or that it refused before
//! doing anything (429) is retried for every method. A request that may have arrived (a timeout
//! once sent, a connection reset, a 502, 503 or 504 from a proxy in front of HighLevel) is
//! retried only when the operation is idempotent (GET, PUT, DELETE): for a POST a second send
//! could create a second resource. A 401 is retried once, and only with a new token from the
//! [`TokenProvider`](crate::TokenProvider).
//!
//! The classification ([`decide`]) is a pure function of the operation, the failure and the
//! policy; the transport (`hooks.rs`) does the waiting.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How many times, and for how long, the client tries a request.
///
/// Retried for every operation, because the server certainly did not act on the request:
///
/// - the connection could not be established ([`Error::Connect`](crate::Error::Connect)):
///   retried with full-jitter exponential backoff;
/// - HighLevel answered 429: retried after the wait its headers give (`Retry-After`, or one
///   burst interval when `X-RateLimit-Remaining` is 0), unless that wait is longer than
///   [`max_rate_limit_wait`](RetryPolicy::max_rate_limit_wait) or the daily limit is used up;
/// - HighLevel answered 401 and the [`TokenProvider`](crate::TokenProvider) gives a new token:
///   sent once more with it (this does not count as an attempt).
///
/// Retried with backoff only for idempotent operations (GET, PUT, DELETE), because the server
/// may have acted on the first request: 502, 503 and 504, a timeout, and a connection that
/// failed after the request was sent. A POST that meets one of those is never sent again; the
/// caller sees the error and can check whether the resource exists.
///
/// ```
/// use highlevel_runtime::RetryPolicy;
/// use std::time::Duration;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(5)
///     .max_rate_limit_wait(Duration::from_secs(30));
/// assert_eq!(patient.attempts(), 5);
/// assert_eq!(RetryPolicy::never().attempts(), 1);
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
    /// The request may have reached the server, but it did not answer (a timeout, a reset
    /// connection, or a 502, 503 or 504 from a gateway). Only an idempotent operation's
    /// failure is classified so.
    Unavailable,
    /// Anything after which the request may have been processed, or retrying cannot help.
    Final,
}

/// What one attempt met, before the operation is taken into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The connection was not established.
    ConnectFailed,
    /// The request was sent (or may have been) and no complete response came.
    NoResponse,
    /// A response with this status arrived.
    Status(u16),
}

/// How the policy sees `outcome` for an operation that is (or is not) idempotent.
/// `rate_limited` is read only for a 429.
pub(crate) fn classify(
    outcome: Outcome,
    idempotent: bool,
    rate_limit: impl FnOnce() -> (Option<Duration>, bool),
) -> Failure {
    match outcome {
        Outcome::ConnectFailed => Failure::Connect,
        Outcome::Status(429) => {
            let (wait, daily_exhausted) = rate_limit();
            Failure::RateLimited {
                wait,
                daily_exhausted,
            }
        }
        Outcome::NoResponse | Outcome::Status(502..=504) if idempotent => Failure::Unavailable,
        _ => Failure::Final,
    }
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
        Failure::Connect | Failure::Unavailable => backoff(policy, attempt, jitter),
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
    fn what_may_have_arrived_is_retried_only_when_idempotent() {
        let none = || (None, false);
        for outcome in [
            Outcome::NoResponse,
            Outcome::Status(502),
            Outcome::Status(503),
            Outcome::Status(504),
        ] {
            assert_eq!(classify(outcome, true, none), Failure::Unavailable);
            assert_eq!(classify(outcome, false, none), Failure::Final);
        }
        for idempotent in [true, false] {
            assert_eq!(
                classify(Outcome::ConnectFailed, idempotent, none),
                Failure::Connect
            );
            assert_eq!(
                classify(Outcome::Status(500), idempotent, none),
                Failure::Final
            );
            assert_eq!(
                classify(Outcome::Status(429), idempotent, || (Some(SECOND), false)),
                Failure::RateLimited {
                    wait: Some(SECOND),
                    daily_exhausted: false
                }
            );
        }
        let p = RetryPolicy::default();
        assert!(matches!(
            decide(&p, Failure::Unavailable, 1, Duration::ZERO, 0.5),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn jitter_is_in_the_unit_interval() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
