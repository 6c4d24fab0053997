//! What the sandbox answers a request, in HighLevel's order: route, token, rate limit,
//! `Version` header, JSON, schema and rules, slug, then the created calendar.

use super::limits::Verdict;
use super::reply::Reply;
use super::{Shared, defaults, ids, schema};
use crate::validation;
use crate::{API_VERSION, ApiErrorMessage};
use http::header::{AUTHORIZATION, HeaderMap};
use http::{Method, StatusCode, request};
use serde_json::Value;
use std::collections::HashSet;
use std::time::Instant;

/// HighLevel's answer to a missing, unknown or expired token.
pub(crate) const INVALID_TOKEN: &str = "Invalid token: access token is invalid";

const CONFERENCE_KINDS: &[&str] = &[
    "zoom_conference",
    "google_conference",
    "ms_teams_conference",
];

/// The rate-limit key of a request: its sub-account when the body names one, else its token.
pub(crate) fn limit_key(headers: &HeaderMap, body: &[u8]) -> String {
    let location = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        v["locationId"]
            .as_str()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
    });
    match location {
        Some(location) => format!("location:{location}"),
        None => format!("token:{}", bearer(headers).unwrap_or_default()),
    }
}

/// The bearer token of a request, if it has a non-empty one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The answer to one request whose body was read in full.
pub(crate) fn answer(shared: &Shared, head: &request::Parts, body: &[u8], key: &str) -> Reply {
    let now = Instant::now();
    let path = head.uri.path();
    if head.method != Method::POST || !matches!(path, "/calendars/" | "/calendars") {
        let message = format!("Cannot {} {path}", head.method);
        let report = shared.limiter().peek(key, now);
        return Reply::error_one(StatusCode::NOT_FOUND, message).with_limits(&report);
    }
    if !bearer(&head.headers).is_some_and(|token| shared.settings.accepts(token)) {
        let report = shared.limiter().peek(key, now);
        return Reply::error_one(StatusCode::UNAUTHORIZED, INVALID_TOKEN).with_limits(&report);
    }
    let (verdict, report) = shared.limiter().take(key, now);
    let limits = shared.settings.limits;
    let refusal = match verdict {
        Verdict::Allowed => None,
        Verdict::IntervalExhausted => Some(format!(
            "Too many requests: {} per {} ms allowed for this sub-account",
            limits.interval_max,
            limits.interval.as_millis()
        )),
        Verdict::DailyExhausted => Some(format!(
            "Too many requests: the daily limit of {} requests for this sub-account is used up",
            limits.daily
        )),
    };
    if let Some(message) = refusal {
        return Reply::error_one(StatusCode::TOO_MANY_REQUESTS, message).with_limits(&report);
    }
    create(shared, head, body).with_limits(&report)
}

/// The create-calendar operation proper, for an authorized request within the limits.
fn create(shared: &Shared, head: &request::Parts, body: &[u8]) -> Reply {
    let bad_request = |message: String| Reply::error_one(StatusCode::BAD_REQUEST, message);
    match head.headers.get("version").map(|v| v.to_str()) {
        None => {
            return bad_request(format!(
                "Version header is required; this API expects Version: {API_VERSION}"
            ));
        }
        Some(Ok(version)) if version.trim() == API_VERSION => {}
        Some(version) => {
            return bad_request(format!(
                "Version header must be {API_VERSION}, not {:?}",
                version.unwrap_or("(not text)")
            ));
        }
    }
    let request: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return bad_request(format!("the body is not valid JSON: {e}")),
    };
    let problems = problems(&request, &shared.settings.validation);
    if !problems.is_empty() {
        return Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorMessage::Many(problems),
        );
    }
    let Value::Object(_) = request else {
        return Reply::error_one(StatusCode::UNPROCESSABLE_ENTITY, "body must be an object");
    };
    let calendar = calendar_from(request);
    let slug = calendar["slug"].as_str().unwrap_or_default().to_string();
    let stored = shared.store().insert(calendar.clone());
    match stored {
        Ok(()) => Reply::json(
            StatusCode::CREATED,
            &serde_json::json!({ "calendar": calendar }),
        ),
        Err(existing) => Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorMessage::Many(vec![format!(
                "slug {slug:?} is already used in this location by calendar {existing}"
            )]),
        ),
    }
}

/// Every problem of a body, each starting with its field path: the crate's rules first (the
/// same check the client runs), then what the JSON Schema finds at paths the rules did not name.
fn problems(request: &Value, rules: &validation::Validation) -> Vec<String> {
    let mut found: Vec<(String, String)> = match validation::validate(request, rules) {
        Ok(()) => Vec::new(),
        Err(error) => error
            .violations()
            .iter()
            .map(|v| (v.path.clone(), v.message.clone()))
            .collect(),
    };
    let mut named: HashSet<String> = found.iter().map(|(path, _)| path.clone()).collect();
    for (path, problem) in schema::check(request) {
        if named.insert(path.clone()) {
            found.push((path, problem));
        }
    }
    found
        .into_iter()
        .map(|(path, problem)| match path.as_str() {
            "" => format!("body {problem}"),
            _ => format!("{path} {problem}"),
        })
        .collect()
}

/// The stored calendar: the request, the server defaults, a new id, and a `meetingId` for each
/// conference location (HighLevel makes the meeting).
fn calendar_from(mut calendar: Value) -> Value {
    defaults::apply(&mut calendar);
    let mut lists: Vec<&mut Value> = Vec::new();
    let Value::Object(fields) = &mut calendar else {
        return calendar;
    };
    for (name, value) in fields.iter_mut() {
        match (name.as_str(), value) {
            ("locationConfigurations", list) => lists.push(list),
            ("teamMembers", Value::Array(members)) => lists.extend(
                members
                    .iter_mut()
                    .filter_map(|m| m.get_mut("locationConfigurations")),
            ),
            _ => {}
        }
    }
    for config in lists
        .into_iter()
        .filter_map(Value::as_array_mut)
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        let conference = config
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| CONFERENCE_KINDS.contains(&k));
        if conference && !config.contains_key("meetingId") {
            config.insert("meetingId".into(), Value::String(ids::calendar_id()));
        }
    }
    fields.insert("id".into(), Value::String(ids::calendar_id()));
    calendar
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_key_is_the_location_else_the_token() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(
            limit_key(&headers, br#"{"locationId":"loc"}"#),
            "location:loc"
        );
        assert_eq!(limit_key(&headers, b"not json"), "token:abc");
        assert_eq!(limit_key(&HeaderMap::new(), b"{}"), "token:");
    }

    #[test]
    fn bearer_tokens_need_the_scheme_and_a_value() {
        let read = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, value.parse().unwrap());
            bearer(&headers).map(str::to_string)
        };
        assert_eq!(read("Bearer t-1"), Some("t-1".into()));
        assert_eq!(read("bearer  t-1 "), Some("t-1".into()));
        assert_eq!(read("Bearer "), None);
        assert_eq!(read("Basic dXNlcg=="), None);
        assert_eq!(read("t-1"), None);
    }

    #[test]
    fn problems_name_each_field_once() {
        let body = json!({
            "locationId": "l",
            "name": 3,
            "calendarType": "personal",
            "teamMembers": [{"userId": "a"}, {"userId": "b", "priority": 2}]
        });
        let problems = problems(&body, &validation::Validation::stated());
        let paths: Vec<&str> = problems
            .iter()
            .map(|p| p.split(' ').next().unwrap())
            .collect();
        assert_eq!(paths, ["name", "teamMembers[1].priority", "teamMembers"]);
    }

    #[test]
    fn conference_locations_get_a_meeting_id_and_the_calendar_an_id() {
        let calendar = calendar_from(json!({
            "locationId": "l",
            "name": "n",
            "locationConfigurations": [{"kind": "zoom_conference"}, {"kind": "custom"}],
            "teamMembers": [{"userId": "a", "locationConfigurations": [{"kind": "google_conference"}]}]
        }));
        assert_eq!(calendar["id"].as_str().unwrap().len(), 20);
        assert!(calendar["locationConfigurations"][0]["meetingId"].is_string());
        assert!(
            calendar["locationConfigurations"][1]
                .get("meetingId")
                .is_none()
        );
        assert!(calendar["teamMembers"][0]["locationConfigurations"][0]["meetingId"].is_string());
        assert_eq!(calendar["teamMembers"][0]["priority"], json!(0.5));
    }
}
