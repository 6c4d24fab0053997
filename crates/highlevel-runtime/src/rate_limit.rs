//! HighLevel's rate-limit headers, read from every response.

use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};
use std::time::Duration;

// Named once: a lookup by `&str` would parse the name again on every response.
const DAILY_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit-daily");
const DAILY_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-daily-remaining");
const INTERVAL_MILLISECONDS: HeaderName =
    HeaderName::from_static("x-ratelimit-interval-milliseconds");
const INTERVAL_MAX: HeaderName = HeaderName::from_static("x-ratelimit-max");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

/// The rate-limit state HighLevel reported with a response.
///
/// HighLevel limits each sub-account per day and per burst interval (documented as 100 requests
/// per 10 seconds) and reports both in `X-RateLimit-*` headers. A field is `None` when its header
/// was absent or unreadable.
///
/// ```
/// use highlevel_runtime::RateLimit;
/// use reqwest::header::{HeaderMap, HeaderValue};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
/// headers.insert("x-ratelimit-interval-milliseconds", HeaderValue::from_static("10000"));
/// let limit = RateLimit::from_headers(&headers);
/// assert_eq!(limit.remaining, Some(0));
/// assert!(limit.interval_exhausted());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-RateLimit-Limit-Daily`: requests allowed per day.
    pub daily_limit: Option<u64>,
    /// `X-RateLimit-Daily-Remaining`: requests left today.
    pub daily_remaining: Option<u64>,
    /// `X-RateLimit-Interval-Milliseconds`: length of the burst interval.
    pub interval: Option<Duration>,
    /// `X-RateLimit-Max`: requests allowed per burst interval.
    pub interval_max: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the current burst interval.
    pub remaining: Option<u64>,
    /// `Retry-After` (in seconds): how long the server asked us to wait.
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Reads the rate-limit headers; missing or malformed headers give `None` fields.
    pub fn from_headers(headers: &HeaderMap) -> RateLimit {
        let number = |name: HeaderName| -> Option<u64> {
            headers.get(name)?.to_str().ok()?.trim().parse().ok()
        };
        RateLimit {
            daily_limit: number(DAILY_LIMIT),
            daily_remaining: number(DAILY_REMAINING),
            interval: number(INTERVAL_MILLISECONDS).map(Duration::from_millis),
            interval_max: number(INTERVAL_MAX),
            remaining: number(REMAINING),
            retry_after: number(RETRY_AFTER).map(Duration::from_secs),
        }
    }

    /// Whether the daily allowance is used up (waiting a few seconds will not help).
    pub fn daily_exhausted(&self) -> bool {
        self.daily_remaining == Some(0)
    }

    /// Whether the current burst interval is used up.
    pub fn interval_exhausted(&self) -> bool {
        self.remaining == Some(0)
    }

    /// How long the server says to wait before the next request: `Retry-After` if sent, else
    /// one burst interval when that interval is used up.
    pub fn suggested_wait(&self) -> Option<Duration> {
        self.retry_after.or_else(|| {
            if self.interval_exhausted() {
                self.interval
            } else {
                None
            }
        })
    }

    /// Whether no rate-limit header was present (or none was readable).
    pub fn is_empty(&self) -> bool {
        *self == RateLimit::default()
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
        write!(
            f,
            "{}/{} left in the interval, {}/{} left today",
            show(self.remaining),
            show(self.interval_max),
            show(self.daily_remaining),
            show(self.daily_limit)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn reads_all_five_headers_and_retry_after() {
        let limit = RateLimit::from_headers(&headers(&[
            ("X-RateLimit-Limit-Daily", "200000"),
            ("X-RateLimit-Daily-Remaining", "199990"),
            ("X-RateLimit-Interval-Milliseconds", "10000"),
            ("X-RateLimit-Max", "100"),
            ("X-RateLimit-Remaining", "98"),
            ("Retry-After", "3"),
        ]));
        assert_eq!(limit.daily_limit, Some(200_000));
        assert_eq!(limit.daily_remaining, Some(199_990));
        assert_eq!(limit.interval, Some(Duration::from_secs(10)));
        assert_eq!(limit.interval_max, Some(100));
        assert_eq!(limit.remaining, Some(98));
        assert_eq!(limit.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(limit.suggested_wait(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn malformed_headers_are_ignored() {
        let limit = RateLimit::from_headers(&headers(&[
            ("X-RateLimit-Max", "lots"),
            ("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ]));
        assert!(limit.is_empty());
    }

    #[test]
    fn exhausted_interval_suggests_waiting_one_interval() {
        let limit = RateLimit::from_headers(&headers(&[
            ("X-RateLimit-Interval-Milliseconds", "1500"),
            ("X-RateLimit-Remaining", "0"),
        ]));
        assert_eq!(limit.suggested_wait(), Some(Duration::from_millis(1500)));
        assert!(!limit.daily_exhausted());
    }
}
