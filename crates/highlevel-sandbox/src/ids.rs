//! Identifiers the sandbox makes up: resource ids and trace ids.
//!
//! They only need to be unique within a test run and look like HighLevel's, so the standard
//! library's randomly keyed hasher over a counter is enough; no random-number crate is pulled in.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// A new 20-character alphanumeric id, the shape of HighLevel's (`0TkCdp9PfvLeWKYRRvIz`),
/// unique within the process.
///
/// ```
/// let id = highlevel_sandbox::new_id();
/// assert_eq!(id.len(), 20);
/// assert_ne!(id, highlevel_sandbox::new_id());
/// ```
pub fn new_id() -> String {
    (0..20)
        .map(|_| ALPHANUMERIC[(random_u64() % ALPHANUMERIC.len() as u64) as usize] as char)
        .collect()
}

/// A UUID-shaped (version 4 layout) trace id, like the `traceId` of HighLevel's errors.
pub(crate) fn trace_id() -> String {
    let (a, b) = (random_u64(), random_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_ids_are_twenty_alphanumerics_and_differ() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn trace_ids_look_like_uuids() {
        let id = trace_id();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}
