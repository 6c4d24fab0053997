//! Feeds arbitrary headers and bodies to the webhook verifier: it must return a delivery or a
//! `WebhookError`, never panic. The first byte picks which signature headers come and the
//! next ones fill them; the rest is the body. (The property test in
//! crates/highlevel-webhooks/tests/never_panics.rs also signs bodies, to reach the decoding
//! behind the signature.)
#![no_main]

use highlevel_webhooks::{Event, SignatureHeaders, WebhookVerifier};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static VERIFIER: LazyLock<WebhookVerifier> =
    LazyLock::new(|| WebhookVerifier::builder().build().unwrap());

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let split = rest.len().min(usize::from(selector >> 2) * 8);
    let (signature, body) = rest.split_at(split);
    let mut pairs: Vec<(&str, &[u8])> = Vec::new();
    if selector & 1 != 0 {
        pairs.push(("x-ghl-signature", signature));
    }
    if selector & 2 != 0 {
        pairs.push(("x-wh-signature", signature));
    }
    let headers = SignatureHeaders::from_pairs(pairs.iter().map(|(n, v)| (*n, *v)));
    // Nothing but HighLevel's private keys signs for HighLevel's public ones.
    assert!(VERIFIER.authenticate(headers, body).is_err());
    let _ = Event::from_json(body);
});
