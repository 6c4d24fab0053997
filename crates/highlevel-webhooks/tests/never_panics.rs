//! Whatever arrives, the verifier answers with a delivery or a typed error, never a panic:
//! arbitrary headers and bytes, and (to reach the JSON and event decoding behind the
//! signature) arbitrary bytes and JSON objects signed with a trusted key. Case counts are
//! bounded for CI; raise them with `PROPTEST_CASES`.

mod support;

use highlevel_webhooks::events::EVENT_TYPES;
use highlevel_webhooks::{Event, SignatureHeaders};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::LazyLock;
use support::Signer;

static SIGNER: LazyLock<Signer> = LazyLock::new(Signer::new);
static VERIFIER: LazyLock<highlevel_webhooks::WebhookVerifier> =
    LazyLock::new(|| SIGNER.verifier());

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x-ghl-signature".to_string()),
        Just("X-WH-Signature".to_string()),
        "[a-zA-Z-]{1,20}",
    ]
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        "[A-Za-z0-9+/=]{0,700}".prop_map(String::into_bytes),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with a documented `type` and arbitrary fields, some with the pages' names.
fn event_like() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        Just("appointment".to_string()),
        Just("locationId".to_string()),
        Just("trial".to_string()),
        Just("timestamp".to_string()),
        Just("webhookId".to_string()),
        "[a-zA-Z]{1,10}",
    ];
    (
        0..EVENT_TYPES.len(),
        proptest::collection::btree_map(field, any_json(), 0..8),
    )
        .prop_map(|(i, fields)| {
            let mut object: serde_json::Map<String, Value> = fields.into_iter().collect();
            object.insert("type".into(), json!(EVENT_TYPES[i].0));
            Value::Object(object)
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_headers_and_bytes(
        headers in proptest::collection::vec((header_name(), header_value()), 0..4),
        body in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let headers = SignatureHeaders::from_pairs(headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
        // A random signature never verifies.
        prop_assert!(VERIFIER.authenticate(headers, &body).is_err());
    }

    #[test]
    fn signed_arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = VERIFIER.authenticate(&SIGNER.ed25519_only(&body), &body);
        let _ = Event::from_json(&body);
    }

    #[test]
    fn signed_arbitrary_json(value in prop_oneof![any_json(), event_like()]) {
        let body = serde_json::to_vec(&value).unwrap();
        let result = VERIFIER.authenticate(&SIGNER.ed25519_only(&body), &body);
        if let Ok(delivery) = &result {
            prop_assert_eq!(delivery.body(), &body[..]);
        }
        if value.is_object() {
            // Any object decodes: to its variant or as unknown, keeping its `type`.
            let event = Event::from_json(&body).unwrap();
            prop_assert_eq!(event.event_type(), value.get("type").and_then(Value::as_str));
        }
    }
}
