//! The sandbox against raw requests: tokens, the `Version` header, bodies, unknown paths and
//! methods, and the record of what reached it.

use super::*;

#[tokio::test]
async fn a_missing_or_wrong_token_is_401() {
    let sandbox = accepting_only("pit-right").await;
    let url = format!("{}/calendars/", sandbox.base_url());
    let body = json!({"locationId": "loc", "name": "n"});
    let attempts = [
        raw().post(&url),
        raw().post(&url).header("Authorization", "Bearer "),
        raw().post(&url).header("Authorization", "pit-right"),
        raw().post(&url).bearer_auth("pit-wrong"),
    ];
    for request in attempts {
        let (status, limit, error) =
            answer(request.header("Version", API_VERSION).json(&body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error_shape(&error, 401, "Unauthorized");
        assert_eq!(error["message"], "Invalid token: access token is invalid");
        assert_all_limit_headers(&limit);
        assert_eq!(
            limit.remaining,
            Some(100),
            "refused requests are not counted"
        );
    }

    let wrong = Client::builder()
        .base_url(sandbox.base_url())
        .token("pit-wrong")
        .build()
        .unwrap();
    let error = create(&wrong, event("n")).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    assert!(error.trace_id().is_some());

    let right = sandbox.client_builder().build().unwrap();
    create(&right, event("n"))
        .await
        .expect("the configured token is accepted");
    assert_eq!(sandbox.requests_received(), 6);
}

#[tokio::test]
async fn the_version_header_is_required_and_checked() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({"locationId": "loc", "name": "n"});
    for version in [None, Some("2020-01-01")] {
        let mut attempt = request(&sandbox, Method::POST, "/calendars").json(&body);
        if let Some(version) = version {
            attempt = attempt.header("Version", version);
        }
        let (status, limit, error) = answer(attempt).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_shape(&error, 400, "Bad Request");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with("Version header"), "{message}");
        assert!(message.contains(API_VERSION), "{message}");
        assert_all_limit_headers(&limit);
    }

    let outdated = sandbox
        .client_builder()
        .api_version("2020-01-01")
        .build()
        .unwrap();
    let error = create(&outdated, event("n")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST), "{error}");
    assert!(error.to_string().contains("Version header"), "{error}");
    assert!(sandbox.calendars().is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let sandbox = Sandbox::start().await.unwrap();
    let (status, _, error) = answer(
        request(&sandbox, Method::POST, "/calendars/")
            .header("Version", API_VERSION)
            .header("Content-Type", "application/json")
            .body(r#"{"locationId": "loc", "name": "#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&error, 400, "Bad Request");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_paths_are_404_and_other_methods_405_with_allow() {
    let sandbox = Sandbox::start().await.unwrap();
    let (status, limit, error) = answer(request(&sandbox, Method::GET, "/contacts/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&error, 404, "Not Found");
    assert_eq!(error["message"], "Cannot GET /contacts/");
    assert_all_limit_headers(&limit);

    // `/calendars/abc` is Get, Update and Delete Calendar; PATCH is none of them.
    let response = request(&sandbox, Method::PATCH, "/calendars/abc")
        .header("Version", API_VERSION)
        .json(&json!({"name": "n"}))
        .send()
        .await
        .unwrap();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    let (status, limit, error) = read(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allow.as_deref(), Some("GET, PUT, DELETE"));
    assert_error_shape(&error, 405, "Method Not Allowed");
    assert_all_limit_headers(&limit);

    // A literal segment wins over a parameter: this is Get Calendar Events, not calendar
    // `events`, and it needs its query parameters.
    let events = request(&sandbox, Method::GET, "/calendars/events?locationId=loc")
        .header("Version", API_VERSION);
    let (status, _, error) = answer(events).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(named_paths(&error), paths(["startTime", "endTime"]));
    assert_eq!(sandbox.requests_received(), 3);
}

#[tokio::test]
async fn other_operations_check_their_version_and_query_too() {
    let sandbox = Sandbox::start().await.unwrap();
    let groups = |version: &str, location: &str| {
        request(&sandbox, Method::GET, "/calendars/groups")
            .header("Version", version)
            .query(&[("locationId", location)])
    };
    let (status, _, error) = answer(groups("2021-07-28", "loc")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("Version header must be 2021-04-15"),
        "{message}"
    );

    let (status, _, error) = answer(groups(API_VERSION, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(named_paths(&error), paths(["locationId"]));

    let groups = client(&sandbox)
        .get_groups("loc")
        .send()
        .await
        .expect("an answer made from the document");
    assert_eq!(groups.status, StatusCode::OK);
    assert_all_limit_headers(&groups.rate_limit);
}

#[tokio::test]
async fn the_sandbox_records_what_reached_it() {
    let sandbox = accepting_only("pit-recorded").await;
    let client = client(&sandbox);
    create(&client, event("Recorded")).await.unwrap();
    client
        .get_calendars("loc")
        .group_id("g 1")
        .send()
        .await
        .unwrap();
    // A GET is sent again after a dropped connection: both attempts reached the server.
    sandbox.inject(Fault::DropConnection);
    let listed = list(&client).await;
    assert!(listed.is_ok(), "{listed:?}");

    let requests = sandbox.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert_eq!(requests.len(), sandbox.requests_received());
    let create = &requests[0];
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/calendars/");
    assert_eq!(create.header("authorization"), Some("Bearer pit-recorded"));
    assert_eq!(create.header("Version"), Some(API_VERSION));
    assert_eq!(
        create.json(),
        Some(json!({"locationId": "loc", "name": "Recorded", "calendarType": "event"}))
    );
    let list = &requests[1];
    assert_eq!(
        (list.method.as_str(), list.path_only()),
        ("GET", "/calendars/")
    );
    let mut query = list.query();
    query.sort();
    assert_eq!(
        query,
        [
            ("groupId".to_string(), "g 1".to_string()),
            ("locationId".into(), "loc".into())
        ]
    );
    assert!(list.body.is_empty());
    assert_eq!(
        requests[2].path_only(),
        "/calendars/",
        "a dropped request is recorded"
    );
    let printed = format!("{requests:?}");
    assert!(!printed.contains("pit-recorded"), "{printed}");
}
