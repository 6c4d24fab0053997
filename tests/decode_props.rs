//! Nothing a server sends can make decoding panic: arbitrary JSON, mutations of HighLevel's
//! example response, and arbitrary bytes all give a calendar or a typed `DecodeError`.
//! Case counts are bounded for CI; raise them with `PROPTEST_CASES`.

mod common;

use highlevel_calendars::{DecodeError, decode_created_calendar};
use proptest::prelude::*;
use serde_json::{Value, json};

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

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every path to a value in `v`, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        _ => {}
    }
}

fn seed_pointers() -> Vec<String> {
    let mut out = Vec::new();
    pointers(&common::seed_response(), String::new(), &mut out);
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove,
    Replace(Value),
    Null,
    UnknownEnum(String),
    HugeNumber,
    DeepNesting(usize),
    LongString(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        any_json().prop_map(Mutation::Replace),
        Just(Mutation::Null),
        "[a-z_]{1,20}".prop_map(Mutation::UnknownEnum),
        Just(Mutation::HugeNumber),
        (100usize..5000).prop_map(Mutation::DeepNesting),
        (10_000usize..200_000).prop_map(Mutation::LongString),
    ]
}

/// Applies `m` at `pointer` and returns the body as text (deep nesting and huge numbers cannot
/// be built as `Value`s, so they are spliced into the text).
fn mutate(pointer: &str, m: &Mutation) -> String {
    let mut doc = common::seed_response();
    const MARK: &str = "\"__splice__\"";
    let (parent, key) = pointer.rsplit_once('/').expect("pointers start with /");
    let set = |doc: &mut Value, v: Value| {
        if let Some(target) = doc.pointer_mut(pointer) {
            *target = v;
        }
    };
    let splice = match m {
        Mutation::Remove => {
            match doc.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(key);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < items.len()
                    {
                        items.remove(i);
                    }
                }
                _ => {}
            }
            None
        }
        Mutation::Replace(v) => {
            set(&mut doc, v.clone());
            None
        }
        Mutation::Null => {
            set(&mut doc, Value::Null);
            None
        }
        Mutation::UnknownEnum(s) => {
            set(&mut doc, Value::String(s.clone()));
            None
        }
        Mutation::HugeNumber => Some("1e400".to_string()),
        Mutation::DeepNesting(depth) => {
            Some(format!("{}{}", "[".repeat(*depth), "]".repeat(*depth)))
        }
        Mutation::LongString(len) => {
            set(&mut doc, Value::String("x".repeat(*len)));
            None
        }
    };
    match splice {
        Some(raw) => {
            set(&mut doc, Value::String("__splice__".into()));
            doc.to_string().replacen(MARK, &raw, 1)
        }
        None => doc.to_string(),
    }
}

fn check(body: &[u8]) {
    match decode_created_calendar(body) {
        Ok(calendar) => assert!(
            serde_json::to_value(&calendar).is_ok(),
            "a decoded calendar serializes back"
        ),
        Err(DecodeError { body_snippet, .. }) => {
            assert!(
                body_snippet.len() <= highlevel_calendars::SNIPPET_LIMIT + 4,
                "snippets stay bounded"
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_json_never_panics(calendar in any_json(), root in any_json()) {
        check(json!({"calendar": calendar}).to_string().as_bytes());
        check(root.to_string().as_bytes());
    }

    #[test]
    fn mutated_seed_responses_never_panic(
        index in any::<prop::sample::Index>(),
        m in mutation(),
    ) {
        let all = seed_pointers();
        let pointer = index.get(&all);
        check(mutate(pointer, &m).as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes);
    }
}

#[test]
fn a_mutation_that_breaks_a_required_field_names_its_path() {
    let body = mutate(
        "/calendar/teamMembers/0/userId",
        &Mutation::Replace(json!(17)),
    );
    let err = decode_created_calendar(body.as_bytes()).unwrap_err();
    assert_eq!(err.path, "calendar.teamMembers[0].userId");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let body = mutate("/calendar/notes", &Mutation::DeepNesting(100_000));
    assert!(decode_created_calendar(body.as_bytes()).is_err());
}

#[test]
fn unknown_enum_values_in_the_seed_still_decode() {
    let body = mutate(
        "/calendar/widgetType",
        &Mutation::UnknownEnum("neo_v2".into()),
    );
    let calendar = decode_created_calendar(body.as_bytes()).unwrap();
    assert_eq!(calendar.widget_type.unwrap().as_str(), "neo_v2");
}
