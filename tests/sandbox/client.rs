//! Calendars through the client against the sandbox: created, read, updated, listed and
//! deleted, and refused alike by both for what breaks a rule.

use super::*;

#[tokio::test]
async fn every_calendar_type_is_created() {
    let (sandbox, client) = sandbox_and_client().await;
    let bodies = [
        (
            "round_robin",
            calendar::round_robin("loc", "RR", [member("a"), member("b")]),
        ),
        ("event", calendar::event("loc", "Event")),
        (
            "class_booking",
            calendar::class_booking("loc", "Class", [member("a")]),
        ),
        (
            "collective",
            calendar::collective("loc", "All hands", "a", [member("b")]),
        ),
        (
            "service_booking",
            calendar::service_booking("loc", "Service", [member("a")]),
        ),
        ("personal", calendar::personal("loc", "Mine", "a")),
    ];
    let mut ids = BTreeSet::new();
    for (i, (kind, body)) in bodies.into_iter().enumerate() {
        let created = create(&client, body.slug(format!("{kind}-calendar")))
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(created.status, StatusCode::CREATED);
        let calendar = &created.calendar;
        assert!(is_calendar_id(&calendar.id), "{}", calendar.id);
        assert_eq!(calendar.calendar_type.as_ref().unwrap().as_str(), kind);
        assert_eq!(
            calendar.slug.as_deref(),
            Some(format!("{kind}-calendar").as_str())
        );
        assert_eq!(
            calendar.slot_duration.map(|n| n.get()),
            Some(30.0),
            "server default"
        );
        assert_eq!(calendar.is_active, Some(true), "server default");
        assert_all_limit_headers(&created.rate_limit);
        assert_eq!(created.rate_limit.remaining, Some(100 - 1 - i as u64));
        ids.insert(calendar.id.clone());
    }
    assert_eq!(ids.len(), 6, "ids are unique");
    let stored = sandbox.calendars_in("loc");
    assert_eq!(stored.len(), 6);
    assert_eq!(
        stored[0]["teamMembers"][1]["priority"],
        json!(0.5),
        "member default"
    );
    assert_eq!(sandbox.requests_received(), 6);
}

#[tokio::test]
async fn the_seed_is_echoed_with_an_id() {
    let (sandbox, client) = sandbox_and_client().await;
    let seed = seed_request();
    let body: CalendarCreateDto = serde_json::from_value(seed.clone()).unwrap();
    let created = create(&client, body).await.unwrap();
    let stored = &sandbox.calendars()[0];
    assert_eq!(stored["id"], created.calendar.id.as_str());
    for (field, sent) in seed.as_object().unwrap() {
        assert!(
            json_eq(sent, &stored[field]),
            "{field}: sent {sent}, stored {}",
            stored[field]
        );
    }
}

#[tokio::test]
async fn conference_locations_get_a_meeting_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({
        "locationId": "loc",
        "name": "Zoom calls",
        "calendarType": "personal",
        "teamMembers": [{"userId": "a", "locationConfigurations": [{"kind": "zoom_conference"}]}]
    });
    let (status, _, body) = post(&sandbox, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let config = &body["calendar"]["teamMembers"][0]["locationConfigurations"][0];
    assert_eq!(config["kind"], "zoom_conference");
    assert!(config["meetingId"].is_string(), "{config}");
}

/// Bodies the client's stated rules refuse, each with a different rule broken.
fn invalid_bodies() -> Vec<Value> {
    vec![
        json!({
            "locationId": "loc", "name": "Mine", "calendarType": "personal",
            "teamMembers": [
                {"userId": "a", "locationConfigurations": [{"kind": "custom"}, {"kind": "physical"}]},
                {"userId": "b", "locationConfigurations": [{"kind": "custom"}, {"kind": "booker"}]}
            ]
        }),
        json!({
            "locationId": "loc", "name": "All", "calendarType": "collective",
            "teamMembers": [{"userId": "a"}, {"userId": "b", "priority": 0.7}]
        }),
        json!({
            "locationId": "loc", "name": "Webinar", "calendarType": "event",
            "locationConfigurations": [{"kind": "zoom_conference", "location": "https://zoom.us/j/1"}],
            "availabilities": [{"date": "2023-09-24", "hours": []}]
        }),
        json!({
            "locationId": "loc", "name": "Weekly", "calendarType": "weekly",
            "openHours": [{"daysOfTheWeek": [9], "hours": [{"openHour": 25, "openMinute": 0, "closeHour": 1, "closeMinute": 0}]}],
            "enableRecurring": true
        }),
        json!({"calendarType": "round_robin", "teamMembers": [{"priority": 1}]}),
    ]
}

#[tokio::test]
async fn the_sandbox_names_the_fields_the_client_names() {
    let (sandbox, client) = sandbox_and_client().await;
    for body in invalid_bodies() {
        let client_error =
            validate(&body, &Validation::stated()).expect_err("the client refuses it");
        let client_paths = violation_paths(&client_error);

        // Where the body fits the generated types, the SDK itself refuses to send it.
        if let Ok(typed) = serde_json::from_value::<CalendarCreateDto>(body.clone()) {
            let before = sandbox.requests_received();
            match create(&client, typed).await {
                Err(Error::Validation(e)) => assert_eq!(violation_paths(&e), client_paths),
                other => panic!("expected a validation error, got {other:?}"),
            }
            assert_eq!(sandbox.requests_received(), before, "nothing sent");
        }

        let (status, limit, error) = post(&sandbox, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_error_shape(&error, 422, "Unprocessable Entity");
        assert_all_limit_headers(&limit);
        assert_eq!(
            named_paths(&error),
            client_paths,
            "sandbox: {error}\nclient: {client_error}"
        );
    }
    assert!(sandbox.calendars().is_empty());
}

#[tokio::test]
async fn with_the_rules_off_only_decoding_problems_are_refused() {
    let sandbox = Sandbox::builder()
        .validation(Validation::off())
        .start()
        .await
        .unwrap();
    // A wrong type is still refused: the body does not decode into the request type (which
    // a typed client cannot send anyway).
    let body = json!({"locationId": "loc", "name": 7, "calendarType": "weekly"});
    let client_error = validate(&body, &Validation::stated()).unwrap_err();
    assert!(client_error.has("name", Rule::TYPE), "{client_error}");
    let (status, _, error) = post(&sandbox, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(named_paths(&error), paths(["name"]));

    // A body that breaks only a rule is accepted, as the client would send it.
    let two_members = two_member_personal();
    let stated = validate(&two_members, &Validation::stated()).unwrap_err();
    assert!(
        stated.has("teamMembers", rules::PERSONAL_HAS_ONE_MEMBER),
        "{stated}"
    );
    let (status, _, created) = post(&sandbox, &two_members).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(sandbox.calendars().len(), 1);
}

#[tokio::test]
async fn a_skipped_rule_is_not_enforced_by_the_sandbox_either() {
    let sandbox = Sandbox::builder()
        .validation(Validation::stated().skip(rules::PERSONAL_HAS_ONE_MEMBER))
        .start()
        .await
        .unwrap();
    let (status, _, body) = post(&sandbox, &two_member_personal()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, error) = post(&sandbox, &json!({"locationId": "loc"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(named_paths(&error), paths(["name"]));
}

#[tokio::test]
async fn a_calendar_is_created_read_updated_listed_and_deleted() {
    let (sandbox, client) = sandbox_and_client().await;
    let webinar = event("Webinar").slug(String::from("webinar"));
    let created = create(&client, webinar).await.unwrap();
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.calendar.id.clone();
    create(&client, calendar::event("other-loc", "Elsewhere"))
        .await
        .unwrap();

    let fetched = client.get_calendar(id.as_str()).send().await.unwrap();
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.calendar.id, id);
    assert_eq!(fetched.calendar.name, "Webinar");
    assert_eq!(
        fetched.calendar.slot_duration.map(|n| n.get()),
        Some(30.0),
        "server default"
    );
    assert_all_limit_headers(&fetched.rate_limit);

    let renamed = changes(json!({"name": "Webinar (new)", "slotDuration": 45}));
    let updated = client
        .update_calendar(id.as_str(), renamed)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.calendar.id, id, "the id stays");
    assert_eq!(updated.calendar.name, "Webinar (new)");
    assert_eq!(updated.calendar.slot_duration.map(|n| n.get()), Some(45.0));
    assert_eq!(updated.calendar.slug.as_deref(), Some("webinar"), "kept");
    assert_eq!(updated.calendar.location_id, "loc", "kept");

    let listed = list(&client).await.unwrap();
    let calendars = listed.calendars.as_ref().expect("a list");
    assert_eq!(calendars.len(), 1, "only the location's calendars");
    assert_eq!(calendars[0].id, id);
    assert_eq!(calendars[0].name, "Webinar (new)");

    let deleted = client.delete_calendar(id.as_str()).send().await.unwrap();
    assert_eq!(deleted.status, StatusCode::OK);
    assert!(deleted.success, "the document's delete answer");
    assert!(sandbox.calendars_in("loc").is_empty());

    let error = client.get_calendar(id.as_str()).send().await.unwrap_err();
    let api = expect_api(&error);
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.messages[0].contains(&id), "{api:?}");
    assert!(api.trace_id.is_some());
    let error = client
        .update_calendar(id.as_str(), changes(json!({"name": "x"})))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND), "{error}");
    let error = client
        .delete_calendar(id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND), "{error}");

    // The slug was freed with the calendar.
    create(&client, event("Again").slug(String::from("webinar")))
        .await
        .expect("the slug is free again");
    assert_eq!(sandbox.requests_received(), 10);
}

#[tokio::test]
async fn an_update_cannot_take_another_calendars_slug() {
    let (sandbox, client) = sandbox_and_client().await;
    let slugged = |name: &str, slug: &str| event(name).slug(slug.to_string());
    let first = create(&client, slugged("One", "one")).await.unwrap();
    let second = create(&client, slugged("Two", "two")).await.unwrap();
    let error = client
        .update_calendar(second.calendar.id.as_str(), changes(json!({"slug": "one"})))
        .send()
        .await
        .unwrap_err();
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status, StatusCode::CONFLICT);
    assert!(api.messages[0].starts_with("slug "), "{api:?}");
    assert!(api.messages[0].contains(&first.calendar.id), "{api:?}");
    assert_eq!(sandbox.calendars()[1]["slug"], "two", "unchanged");
}

#[tokio::test]
async fn an_update_body_is_checked_like_the_client_checks_it() {
    let (sandbox, client) = sandbox_and_client().await;
    let created = create(&client, event("Webinar")).await.unwrap();
    let path = format!("/calendars/{}", created.calendar.id);
    let body = json!({"slotDuration": "long", "teamMembers": [{"priority": 1}]});
    let (status, limit, error) = answer(
        request(&sandbox, Method::PUT, &path)
            .header("Version", API_VERSION)
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_error_shape(&error, 422, "Unprocessable Entity");
    assert_all_limit_headers(&limit);
    let refused = highlevel_calendars::operations::check_body(
        highlevel_calendars::operations::UPDATE_CALENDAR.id,
        body.to_string().as_bytes(),
        &Validation::stated(),
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(named_paths(&error), violation_paths(&refused));
    assert_eq!(sandbox.calendars()[0]["name"], "Webinar", "unchanged");
}

#[tokio::test]
async fn a_slug_is_unique_per_location() {
    let (sandbox, client) = sandbox_and_client().await;
    let demo = |location: &str| calendar::event(location, "Demo").slug(String::from("demo"));
    let first = create(&client, demo("loc")).await.unwrap();

    let error = create(&client, demo("loc")).await.unwrap_err();
    let api = expect_api(&error);
    assert_eq!(api.status, StatusCode::CONFLICT);
    assert!(api.messages[0].starts_with("slug "), "{api:?}");
    assert!(api.messages[0].contains(&first.calendar.id), "{api:?}");

    create(&client, demo("other-loc"))
        .await
        .expect("another location may use the slug");
    assert_eq!(sandbox.calendars_in("loc").len(), 1);
    assert_eq!(sandbox.calendars().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_take_a_slug_once() {
    let (sandbox, client) = sandbox_and_client().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let client = client.clone();
        tasks.spawn(async move {
            let body = event(format!("race {i}")).slug(String::from("race"));
            create(&client, body).await.is_ok()
        });
    }
    let successes = tasks.join_all().await.into_iter().filter(|ok| *ok).count();
    assert_eq!(successes, 1);
    assert_eq!(sandbox.calendars().len(), 1);
    assert_eq!(sandbox.requests_received(), 8);
}
