//! HighLevel's rate limits: a burst allowance per interval and a daily allowance, per
//! sub-account, reported in five `X-RateLimit-*` headers on every response.
//!
//! Each window is fixed: it starts with the first request after the previous one ended, which
//! is simple to reason about in tests (N requests pass, the next is refused until the window
//! ends).

use hyper::header::{HeaderMap, HeaderValue};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The limits in force (HighLevel documents 100 requests per 10 seconds and 200,000 a day per
/// sub-account).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Requests allowed per interval.
    pub(crate) interval_max: u64,
    /// The burst interval.
    pub(crate) interval: Duration,
    /// Requests allowed per day.
    pub(crate) daily: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            interval_max: 100,
            interval: Duration::from_secs(10),
            daily: 200_000,
        }
    }
}

/// Whether a request may go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Within both limits; it was counted.
    Allowed,
    /// The interval's allowance is used up.
    IntervalExhausted,
    /// The day's allowance is used up.
    DailyExhausted,
}

/// The numbers the headers report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Report {
    limits: Limits,
    daily_remaining: u64,
    remaining: u64,
    /// Set when the request was refused: how long until the exhausted window ends.
    pub(crate) retry_after: Option<Duration>,
}

impl Report {
    /// Writes the five `X-RateLimit-*` headers and, on a refusal, `Retry-After` in whole
    /// seconds (rounded up, so a client that honours it is never early).
    pub(crate) fn write(&self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: u64| {
            headers.insert(name, HeaderValue::from(value));
        };
        set("x-ratelimit-limit-daily", self.limits.daily);
        set("x-ratelimit-daily-remaining", self.daily_remaining);
        set(
            "x-ratelimit-interval-milliseconds",
            u64::try_from(self.limits.interval.as_millis()).unwrap_or(u64::MAX),
        );
        set("x-ratelimit-max", self.limits.interval_max);
        set("x-ratelimit-remaining", self.remaining);
        if let Some(wait) = self.retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            set("retry-after", seconds.max(1));
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    window_start: Instant,
    used: u64,
    day_start: Instant,
    daily_used: u64,
}

impl Bucket {
    fn new(now: Instant) -> Bucket {
        Bucket {
            window_start: now,
            used: 0,
            day_start: now,
            daily_used: 0,
        }
    }

    /// The bucket as it stands at `now`, with ended windows started afresh.
    fn at(mut self, now: Instant, limits: &Limits) -> Bucket {
        if now.duration_since(self.window_start) >= limits.interval {
            self.window_start = now;
            self.used = 0;
        }
        if now.duration_since(self.day_start) >= DAY {
            self.day_start = now;
            self.daily_used = 0;
        }
        self
    }
}

/// The allowance of every key (a location, or a token when the location is unknown).
#[derive(Debug)]
pub(crate) struct Limiter {
    limits: Limits,
    buckets: HashMap<String, Bucket>,
}

impl Limiter {
    pub(crate) fn new(limits: Limits) -> Limiter {
        Limiter {
            limits,
            buckets: HashMap::new(),
        }
    }

    /// Counts a request for `key` if both allowances have room.
    pub(crate) fn take(&mut self, key: &str, now: Instant) -> (Verdict, Report) {
        let limits = self.limits;
        let bucket = self
            .buckets
            .entry(key.to_string())
            .or_insert_with(|| Bucket::new(now));
        *bucket = bucket.at(now, &limits);
        let (verdict, retry_after) = if bucket.daily_used >= limits.daily {
            let ends = bucket.day_start + DAY;
            (Verdict::DailyExhausted, Some(ends.duration_since(now)))
        } else if bucket.used >= limits.interval_max {
            let ends = bucket.window_start + limits.interval;
            (Verdict::IntervalExhausted, Some(ends.duration_since(now)))
        } else {
            bucket.used += 1;
            bucket.daily_used += 1;
            (Verdict::Allowed, None)
        };
        (verdict, Self::report(&limits, bucket, retry_after))
    }

    /// The state of `key` without counting a request (for answers that are not counted).
    pub(crate) fn peek(&self, key: &str, now: Instant) -> Report {
        let bucket = self
            .buckets
            .get(key)
            .map_or_else(|| Bucket::new(now), |b| b.at(now, &self.limits));
        Self::report(&self.limits, &bucket, None)
    }

    fn report(limits: &Limits, bucket: &Bucket, retry_after: Option<Duration>) -> Report {
        Report {
            limits: *limits,
            daily_remaining: limits.daily.saturating_sub(bucket.daily_used),
            remaining: limits.interval_max.saturating_sub(bucket.used),
            retry_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use highlevel_runtime::RateLimit;

    fn limiter(interval_max: u64, daily: u64) -> Limiter {
        Limiter::new(Limits {
            interval_max,
            interval: Duration::from_millis(200),
            daily,
        })
    }

    fn headers(report: &Report) -> RateLimit {
        let mut map = HeaderMap::new();
        report.write(&mut map);
        RateLimit::from_headers(&map)
    }

    #[test]
    fn the_interval_allowance_refuses_then_renews() {
        let mut limiter = limiter(2, 100);
        let t0 = Instant::now();
        assert_eq!(limiter.take("a", t0).0, Verdict::Allowed);
        let (verdict, report) = limiter.take("a", t0);
        assert_eq!(verdict, Verdict::Allowed);
        assert_eq!(headers(&report).remaining, Some(0));
        let (verdict, report) = limiter.take("a", t0 + Duration::from_millis(50));
        assert_eq!(verdict, Verdict::IntervalExhausted);
        let read = headers(&report);
        assert_eq!(read.retry_after, Some(Duration::from_secs(1)), "rounded up");
        assert_eq!(read.interval, Some(Duration::from_millis(200)));
        assert_eq!(read.daily_remaining, Some(98), "a refusal is not counted");
        assert_eq!(limiter.take("b", t0).0, Verdict::Allowed, "keys are apart");
        let later = t0 + Duration::from_millis(200);
        assert_eq!(limiter.take("a", later).0, Verdict::Allowed);
        assert_eq!(headers(&limiter.peek("a", later)).remaining, Some(1));
    }

    #[test]
    fn the_daily_allowance_outlasts_intervals() {
        let mut limiter = limiter(10, 1);
        let t0 = Instant::now();
        assert_eq!(limiter.take("a", t0).0, Verdict::Allowed);
        let (verdict, report) = limiter.take("a", t0 + Duration::from_secs(5));
        assert_eq!(verdict, Verdict::DailyExhausted);
        let read = headers(&report);
        assert!(read.daily_exhausted());
        assert!(read.retry_after.unwrap() > Duration::from_secs(60 * 60));
    }

    #[test]
    fn peeking_counts_nothing() {
        let limiter = limiter(3, 5);
        let read = headers(&limiter.peek("a", Instant::now()));
        assert_eq!((read.remaining, read.daily_remaining), (Some(3), Some(5)));
        assert_eq!(read.retry_after, None);
    }
}
