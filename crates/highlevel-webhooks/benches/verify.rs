//! What checking one typical delivery costs (an `AppointmentCreate` of about 600 bytes):
//! signature, JSON envelope, replay window and typed event, with each scheme; and the typed
//! decoding alone, for scale. Signed with the tests' keys: Ed25519, and the RSA-2048 test key
//! (HighLevel's RSA key has 4,096 bits: its public-key operation costs about four times as
//! much).

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use highlevel_webhooks::Event;
use std::hint::black_box;
use std::time::Duration;

fn typical_body() -> Vec<u8> {
    let mut value: serde_json::Value =
        serde_json::from_slice(&support::body("bench-delivery")).unwrap();
    value["appointment"] = serde_json::json!({
        "id": "0007BWpSzSwfiuSl0tR2",
        "address": "https://example.com/meeting",
        "title": "Appointment with the team",
        "calendarId": "BqTwX8QFwXzpegMve9EQ",
        "contactId": "9NkT25Vor1v4aQatFsv2",
        "groupId": "9NkT25Vor1v4aQatFsv2",
        "appointmentStatus": "confirmed",
        "assignedUserId": "YlWd2wuCAZQzh2cH1fVZ",
        "users": ["YlWd2wuCAZQzh2cH1fVZ"],
        "notes": "A note",
        "source": "booking_widget",
        "startTime": "2023-09-25T16:00:00+05:30",
        "endTime": "2023-09-25T16:30:00+05:30",
        "dateAdded": "2023-09-25T16:00:00+05:30",
        "dateUpdated": "2023-09-25T16:00:00+05:30"
    });
    serde_json::to_vec(&value).unwrap()
}

fn verify(c: &mut Criterion) {
    let signer = support::Signer::new();
    // A window longer than the run, so the body stamped at the start stays fresh.
    let verifier = signer
        .builder()
        .replay_window(Duration::from_secs(3600))
        .build()
        .unwrap();
    let body = typical_body();
    let ed25519 = signer.ed25519_only(&body);
    let rsa = signer.rsa_only(&body);
    let mut group = c.benchmark_group("webhook");
    group.bench_function("authenticate Ed25519", |b| {
        b.iter(|| {
            verifier
                .authenticate(black_box(&ed25519), black_box(&body))
                .unwrap()
        })
    });
    group.bench_function("authenticate RSA-2048", |b| {
        b.iter(|| {
            verifier
                .authenticate(black_box(&rsa), black_box(&body))
                .unwrap()
        })
    });
    group.bench_function("typed event alone", |b| {
        b.iter(|| Event::from_json(black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
