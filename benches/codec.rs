//! What the generated types cost to build, serialize and decode, beside hand-written baselines
//! measured in the same run: `serde_json::Value` and a minimal hand-written struct.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use highlevel_calendars::Validation;
use highlevel_calendars::types::{CalendarByIdSuccessfulResponseDto, CalendarCreateDto};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::hint::black_box;

const REQUEST: &str = include_str!("../tests/fixtures/create-calendar-request.json");
const RESPONSE: &str = include_str!("../tests/fixtures/create-calendar-response.json");

/// What a user writing the call by hand might declare for the request.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MinimalRequest<'a> {
    location_id: &'a str,
    name: &'a str,
    calendar_type: &'a str,
    slug: &'a str,
    team_members: Vec<MinimalMember<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MinimalMember<'a> {
    user_id: &'a str,
    priority: f64,
    is_primary: bool,
}

/// ... and for the response.
#[derive(Deserialize)]
#[allow(dead_code)] // Fields are decoded, not read.
struct MinimalResponse {
    calendar: MinimalCalendar,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // Fields are decoded, not read.
struct MinimalCalendar {
    id: String,
    name: String,
    location_id: String,
    calendar_type: Option<String>,
    slug: Option<String>,
}

fn codec(c: &mut Criterion) {
    let typed: CalendarCreateDto = serde_json::from_str(REQUEST).unwrap();
    let value: Value = serde_json::from_str(REQUEST).unwrap();
    let minimal = MinimalRequest {
        location_id: "ocQHyuzHvysMo5N5VsXc",
        name: "test calendar",
        calendar_type: "round_robin",
        slug: "test1",
        team_members: vec![MinimalMember {
            user_id: "ocQHyuzHvysMo5N5VsXc",
            priority: 0.5,
            is_primary: true,
        }],
    };

    let mut group = c.benchmark_group("serialize_request");
    group.bench_function(BenchmarkId::new("sdk", "seed"), |b| {
        b.iter(|| serde_json::to_vec(black_box(&typed)).unwrap())
    });
    group.bench_function(BenchmarkId::new("value", "seed"), |b| {
        b.iter(|| serde_json::to_vec(black_box(&value)).unwrap())
    });
    group.bench_function(BenchmarkId::new("minimal", "seed"), |b| {
        b.iter(|| serde_json::to_vec(black_box(&minimal)).unwrap())
    });
    group.finish();

    let mut group = c.benchmark_group("decode_response");
    group.bench_function(BenchmarkId::new("sdk", "seed"), |b| {
        b.iter(|| {
            serde_json::from_slice::<CalendarByIdSuccessfulResponseDto>(black_box(
                RESPONSE.as_bytes(),
            ))
            .unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("value", "seed"), |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(RESPONSE.as_bytes())).unwrap())
    });
    group.bench_function(BenchmarkId::new("minimal", "seed"), |b| {
        b.iter(|| {
            serde_json::from_slice::<MinimalResponse>(black_box(RESPONSE.as_bytes())).unwrap()
        })
    });
    group.finish();

    // The figure with a goal: build the request from the seed, serialize it, decode the answer.
    let mut group = c.benchmark_group("serialize_and_decode");
    group.bench_function(BenchmarkId::new("sdk", "seed"), |b| {
        b.iter(|| {
            let body = serde_json::to_vec(black_box(&typed)).unwrap();
            let calendar =
                highlevel_calendars::decode_created_calendar(black_box(RESPONSE.as_bytes()))
                    .unwrap();
            (body, calendar)
        })
    });
    group.bench_function(BenchmarkId::new("value", "seed"), |b| {
        b.iter(|| {
            let body = serde_json::to_vec(black_box(&value)).unwrap();
            let calendar = serde_json::from_slice::<Value>(black_box(RESPONSE.as_bytes())).unwrap();
            (body, calendar)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("validate_request");
    group.bench_function(BenchmarkId::new("to_value", "seed"), |b| {
        b.iter(|| serde_json::to_value(black_box(&typed)).unwrap())
    });
    group.bench_function(BenchmarkId::new("rules_on_value", "seed"), |b| {
        b.iter(|| {
            highlevel_calendars::rules::validate(black_box(&value), &Validation::stated()).unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("sdk", "seed"), |b| {
        b.iter(|| {
            highlevel_calendars::validation::check(black_box(&typed), &Validation::stated())
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
