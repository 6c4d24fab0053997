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

#[cfg(feature = "redis")]
mod fleet;
mod local;

#[cfg(feature = "redis")]
pub use fleet::{FleetBudget, OnUnavailable};

use crate::rate_limit::RateLimit;
use std::time::Duration;

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
/// The fewest budgets (or reports) a client keeps before it sweeps out those with nothing left
/// to remember; after a sweep, the next comes when the table has doubled.
const SWEEP_FROM: usize = 1024;

/// How long after a window's oldest attempt leaves it the next one may go. A server starts
/// counting when a request arrives, a little after we took its slot: the margin (2 % of the
/// interval, 50 ms to 250 ms) keeps our window from ending before the server's. The floor is
/// for the delay between a slot and its arrival, which on a busy machine does not shrink with
/// the interval. The fleet budget's script computes the same.
fn margin(interval: Duration) -> Duration {
    (interval / 50).clamp(Duration::from_millis(50), Duration::from_millis(250))
}

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

/// Why no slot could be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A slot frees up after this wait, longer than the call may wait.
    Busy(Duration),
    /// The day's allowance is used up.
    DailyExhausted,
    /// The fleet budget did not answer in time, and the client is set to fail then.
    #[cfg(feature = "redis")]
    FleetUnavailable,
}

/// What every call of a client paces with: the mode, the in-process budgets and, with the
/// `redis` feature, the fleet budget.
#[derive(Default)]
pub(crate) struct Pacer {
    pub(crate) pacing: Pacing,
    local: local::Budgets,
    #[cfg(feature = "redis")]
    fleet: Option<fleet::Fleet>,
}

impl std::fmt::Debug for Pacer {
    /// The configuration only: the budgets' contents are not for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut f = f.debug_struct("Pacer");
        f.field("pacing", &self.pacing);
        #[cfg(feature = "redis")]
        f.field("fleet", &self.fleet);
        f.finish_non_exhaustive()
    }
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Pacer {
        Pacer {
            pacing,
            ..Pacer::default()
        }
    }

    #[cfg(feature = "redis")]
    pub(crate) fn with_fleet(mut self, fleet: Option<FleetBudget>) -> Pacer {
        self.fleet = fleet.map(fleet::Fleet::new);
        self
    }

    pub(crate) fn is_off(&self) -> bool {
        self.pacing.is_off()
    }

    /// The budget key of `request` (see [`key_of`]).
    pub(crate) fn key_of(
        &self,
        request: &reqwest::Request,
        token: impl FnOnce() -> String,
    ) -> String {
        #[cfg(feature = "redis")]
        if self.fleet.is_some() {
            // Every process of a fleet, whatever it was built with, must name a token's budget
            // alike: a SHA-1 prefix rather than std's hasher, which may change between releases.
            return key_of(request, || {
                let digest = sha1_smol::Sha1::from(token()).digest().to_string();
                format!("token:{}", &digest[..16])
            });
        }
        key_of(request, || {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(token());
            format!("token:{hash:016x}")
        })
    }

    /// Takes a slot of `key`'s budget, waiting as the pacing allows: from the fleet budget
    /// when there is one and it answers in time, else from this process's own. Returns the
    /// fleet budget's ticket for the slot, which [`Pacer::observe`] takes back with the
    /// answer.
    pub(crate) async fn acquire(&self, key: &str) -> Result<Option<u64>, Refusal> {
        #[cfg(feature = "redis")]
        if let Some(fleet) = &self.fleet {
            match fleet.reserve(key, self.pacing.max_wait()).await {
                Ok(Ok((wait, ticket))) => {
                    // This process's budget learns of the slot, so that it paces sensibly
                    // should Redis go away.
                    self.local.note(key, wait);
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    return Ok(Some(ticket));
                }
                Ok(Err(refusal)) => return Err(refusal),
                Err(fleet::Unavailable) => {
                    if fleet.on_unavailable() == OnUnavailable::Fail {
                        return Err(Refusal::FleetUnavailable);
                    }
                }
            }
        }
        self.local.acquire(key, &self.pacing).await.map(|()| None)
    }

    /// Adopts what the server reported with an answer to the attempt that took `ticket`'s
    /// slot (see [`local::Budgets::observe`]); the fleet budget hears of it with the next
    /// reservation of `key`.
    pub(crate) fn observe(&self, key: &str, ticket: Option<u64>, reported: &RateLimit) {
        if reported.is_empty() {
            return;
        }
        self.local.observe(key, reported);
        #[cfg(feature = "redis")]
        if let (Some(fleet), Some(ticket)) = (&self.fleet, ticket) {
            fleet.heard(key, ticket, reported);
        }
        #[cfg(not(feature = "redis"))]
        let _ = ticket;
    }
}

/// The budget an attempt is charged to: the sub-account (`locationId`) the request names in
/// its query or at the top of its JSON body, else the token (a sub-account token or Private
/// Integration Token belongs to one sub-account). The token is represented by a hash, never
/// by itself.
fn key_of(request: &reqwest::Request, token_key: impl FnOnce() -> String) -> String {
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
    token_key()
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

    /// Every process of a fleet, whatever Rust it was built with, names a token's budget
    /// alike: by a SHA-1 prefix, never by the token.
    #[cfg(feature = "redis")]
    #[test]
    fn a_fleet_names_a_token_s_budget_by_a_stable_hash() {
        let pacer = Pacer::new(Pacing::default())
            .with_fleet(Some(FleetBudget::redis("redis://127.0.0.1:6379").unwrap()));
        let request = reqwest::Request::new(
            reqwest::Method::GET,
            "https://example.com/widgets/".parse().unwrap(),
        );
        let key = pacer.key_of(&request, || "pit-fleet-token".to_string());
        assert_eq!(key, "token:f529d9444bf773e9");
        let located = reqwest::Request::new(
            reqwest::Method::GET,
            "https://example.com/widgets/?locationId=loc_9"
                .parse()
                .unwrap(),
        );
        assert_eq!(pacer.key_of(&located, || unreachable!()), "loc_9");
    }
}
