//! Both signature schemes, over the bytes received: valid, invalid, missing, bad base64,
//! unknown key, a flipped bit, the same JSON with other spacing, and the policies.

mod support;

use highlevel_webhooks::{
    ErrorKind, PublicKey, Scheme, SignatureHeaders, SignaturePolicy, WebhookVerifier,
    highlevel_keys,
};
use support::{Signer, body};

fn kind(
    result: Result<highlevel_webhooks::Delivery, highlevel_webhooks::WebhookError>,
) -> ErrorKind {
    result.expect_err("refused").kind()
}

#[test]
fn a_valid_signature_of_each_scheme_is_accepted_and_says_which_key() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("w1");
    let ed = verifier
        .authenticate(&signer.ed25519_only(&body), &body)
        .unwrap();
    assert_eq!(
        (ed.scheme(), ed.key_id()),
        (Scheme::Ed25519, "test-ed25519")
    );
    assert_eq!(ed.body(), &body[..]);
    assert_eq!(ed.webhook_id(), "w1");
    let rsa = verifier
        .authenticate(&signer.rsa_only(&body), &body)
        .unwrap();
    assert_eq!((rsa.scheme(), rsa.key_id()), (Scheme::Rsa, "test-rsa"));
}

#[test]
fn a_signature_over_other_bytes_is_invalid_for_each_scheme() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("w1");
    let other = support::body("w2");
    for headers in [signer.ed25519_only(&other), signer.rsa_only(&other)] {
        let error = verifier.authenticate(&headers, &body).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::SignatureInvalid, "{error}");
        assert_eq!(error.status(), 401);
    }
}

#[test]
fn one_flipped_bit_anywhere_in_the_body_is_refused() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("w1");
    let ed = signer.ed25519_only(&body);
    let rsa = signer.rsa_only(&body);
    for at in [0, body.len() / 2, body.len() - 1] {
        let mut flipped = body.clone();
        flipped[at] ^= 0x01;
        assert_eq!(
            kind(verifier.authenticate(&ed, &flipped)),
            ErrorKind::SignatureInvalid
        );
        assert_eq!(
            kind(verifier.authenticate(&rsa, &flipped)),
            ErrorKind::SignatureInvalid
        );
    }
}

#[test]
fn the_same_json_with_other_spacing_is_refused() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("w1");
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert_eq!(
        value,
        serde_json::from_slice::<serde_json::Value>(&pretty).unwrap()
    );
    for headers in [signer.ed25519_only(&body), signer.rsa_only(&body)] {
        assert_eq!(
            kind(verifier.authenticate(&headers, &pretty)),
            ErrorKind::SignatureInvalid
        );
        assert!(verifier.authenticate(&headers, &body).is_ok());
    }
}

#[test]
fn no_signature_header_is_missing() {
    let verifier = Signer::new().verifier();
    let body = body("w1");
    let error = verifier
        .authenticate(&http::HeaderMap::new(), &body)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::SignatureMissing);
    // A policy that wants one scheme says which header is missing.
    let verifier = Signer::new()
        .builder()
        .policy(SignaturePolicy::RsaOnly)
        .build()
        .unwrap();
    let signer = Signer::new();
    let error = verifier
        .authenticate(&signer.ed25519_only(&body), &body)
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.scheme()),
        (ErrorKind::SignatureMissing, Some(Scheme::Rsa))
    );
}

#[test]
fn a_header_that_is_not_base64_is_an_encoding_error_for_each_scheme() {
    let verifier = Signer::new().verifier();
    let body = body("w1");
    for name in ["x-ghl-signature", "x-wh-signature"] {
        let headers = SignatureHeaders::from_pairs([(name, "not*base64!")]);
        let error = verifier.authenticate(headers, &body).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::SignatureEncoding, "{name}");
    }
}

#[test]
fn a_signature_made_with_another_key() {
    let verifier = Signer::new().verifier();
    let stranger = Signer::with_seed(2);
    let body = body("w1");
    // Ed25519: a valid signature by an untrusted key cannot be told from a forged one.
    let error = verifier
        .authenticate(&stranger.ed25519_only(&body), &body)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::SignatureInvalid);
    // RSA: the test key's 2048-bit signature fits no key of HighLevel's (4096 bits).
    let highlevel_only = WebhookVerifier::builder().build().unwrap();
    let error = highlevel_only
        .authenticate(&stranger.rsa_only(&body), &body)
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.scheme()),
        (ErrorKind::UnknownKey, Some(Scheme::Rsa))
    );
    // And HighLevel's own Ed25519 key refuses the test key's signature.
    let error = highlevel_only
        .authenticate(&stranger.ed25519_only(&body), &body)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::SignatureInvalid);
}

#[test]
fn during_a_rotation_each_trusted_key_is_accepted() {
    let old = Signer::with_seed(1);
    let new = Signer::with_seed(2);
    let verifier = old
        .builder()
        .trust(PublicKey::ed25519_raw("next", new.ed25519_public_bytes()))
        .build()
        .unwrap();
    let body = body("w1");
    assert_eq!(
        verifier
            .authenticate(&old.ed25519_only(&body), &body)
            .unwrap()
            .key_id(),
        "test-ed25519"
    );
    assert_eq!(
        verifier
            .authenticate(&new.ed25519_only(&body), &body)
            .unwrap()
            .key_id(),
        "next"
    );
}

#[test]
fn by_default_a_bad_ed25519_signature_is_not_rescued_by_a_good_rsa_one() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("w1");
    let mut headers = signer.rsa_only(&body);
    headers.insert(
        "x-ghl-signature",
        signer.ed25519_header(b"other").parse().unwrap(),
    );
    assert_eq!(
        kind(verifier.authenticate(&headers, &body)),
        ErrorKind::SignatureInvalid
    );
    // Both valid: accepted on Ed25519.
    let both = verifier.authenticate(&signer.both(&body), &body).unwrap();
    assert_eq!(both.scheme(), Scheme::Ed25519);
}

#[test]
fn the_other_policies() {
    let signer = Signer::new();
    let body = body("w1");
    let with = |policy| signer.builder().policy(policy).build().unwrap();
    let both = with(SignaturePolicy::Both);
    assert!(both.authenticate(&signer.both(&body), &body).is_ok());
    assert_eq!(
        kind(both.authenticate(&signer.ed25519_only(&body), &body)),
        ErrorKind::SignatureMissing
    );
    let mut bad_rsa = signer.ed25519_only(&body);
    bad_rsa.insert("x-wh-signature", signer.rsa_header(b"x").parse().unwrap());
    assert_eq!(
        kind(both.authenticate(&bad_rsa, &body)),
        ErrorKind::SignatureInvalid
    );
    let ed_only = with(SignaturePolicy::Ed25519Only);
    assert_eq!(
        kind(ed_only.authenticate(&signer.rsa_only(&body), &body)),
        ErrorKind::SignatureMissing
    );
    let rsa_only = with(SignaturePolicy::RsaOnly);
    assert_eq!(
        rsa_only
            .authenticate(&signer.both(&body), &body)
            .unwrap()
            .scheme(),
        Scheme::Rsa
    );
}

#[test]
fn a_repeated_signature_header_is_refused() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = body("w1");
    let good = signer.ed25519_header(&body);
    let mut headers = http::HeaderMap::new();
    headers.append("x-ghl-signature", good.parse().unwrap());
    headers.append("x-ghl-signature", good.parse().unwrap());
    assert_eq!(
        kind(verifier.authenticate(&headers, &body)),
        ErrorKind::SignatureInvalid
    );
}

#[test]
fn headers_from_pairs_match_names_in_any_case() {
    let signer = Signer::new();
    let body = body("w1");
    let value = signer.ed25519_header(&body);
    let pairs = [
        ("Content-Type", "application/json"),
        ("X-GHL-Signature", value.as_str()),
    ];
    let delivery = signer
        .verifier()
        .authenticate(SignatureHeaders::from_pairs(pairs), &body);
    assert_eq!(delivery.unwrap().scheme(), Scheme::Ed25519);
}

#[test]
fn headers_from_a_header_maps_pairs_are_the_map_itself() {
    let signer = Signer::new();
    let body = body("w1");
    let map = signer.both(&body);
    let from_pairs = SignatureHeaders::from_pairs(map.iter());
    assert_eq!(from_pairs, SignatureHeaders::from(&map));
    assert!(from_pairs.ed25519().is_present() && from_pairs.rsa().is_present());
}

#[test]
fn highlevel_keys_are_built_in_and_parse() {
    let keys = highlevel_keys();
    let schemes: Vec<_> = keys.iter().map(|k| (k.id(), k.scheme())).collect();
    assert_eq!(
        schemes,
        [
            ("highlevel-ed25519", Scheme::Ed25519),
            ("highlevel-rsa", Scheme::Rsa)
        ]
    );
    assert_eq!(WebhookVerifier::builder().build().unwrap().keys().len(), 2);
}

#[test]
fn keys_in_every_form_and_bad_ones() {
    let pem = support::RSA_PUBLIC_PEM;
    let base64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(
        PublicKey::from_spki_base64("b", &base64).unwrap().scheme(),
        Scheme::Rsa
    );
    for bad in [
        "",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    ] {
        let error = PublicKey::from_pem("bad", bad).unwrap_err();
        assert_eq!(
            (error.kind(), error.key_id()),
            (ErrorKind::InvalidKey, Some("bad"))
        );
    }
}

#[test]
fn errors_hold_neither_the_body_nor_signatures() {
    let signer = Signer::new();
    let verifier = signer.verifier();
    let body = br#"{"type":"X","secret":"hunter2","timestamp":1,"webhookId":"w"}"#;
    let headers = signer.ed25519_only(body);
    let signature = signer.ed25519_header(body);
    for (headers, body) in [
        (&headers, &body[..]),
        (&headers, &b"{\"secret\":\"hunter2\""[..]),
    ] {
        let error = match verifier.authenticate(headers, body) {
            Err(e) => e,
            Ok(_) => panic!("refused"),
        };
        let text = format!("{error} {error:?}");
        assert!(
            !text.contains("hunter2") && !text.contains(&signature),
            "{text}"
        );
    }
}
