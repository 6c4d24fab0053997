//! Every kind of answer HighLevel (or something in front of it) can give, mapped to a typed
//! error, and how many requests it took.

mod common;

use common::*;
use highlevel_calendars::Error;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answer(
    template: ResponseTemplate,
) -> (MockServer, Result<highlevel_calendars::Created, Error>) {
    let server = answering_posts(template).await;
    let result = create_minimal(&client_for(&server)).await;
    (server, result)
}

fn highlevel_error(status: u16, message: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "statusCode": status,
        "message": message,
        "error": "Some Error",
        "traceId": "trace-abc-123"
    }))
}

#[tokio::test]
async fn should_map_400_to_api_error_with_message_and_trace_id() {
    let (server, result) = answer(highlevel_error(400, json!("Bad Request"))).await;
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.trace_id(), Some("trace-abc-123"));
    let text = err.to_string();
    assert!(
        text.contains("400") && text.contains("Bad Request") && text.contains("trace-abc-123"),
        "{text}"
    );
    assert!(
        text.contains(&format!("the server at {} answered 400", server.uri())),
        "names the server called, which is not HighLevel: {text}"
    );
    assert!(!err.is_retryable());
    assert_eq!(received_count(&server).await, 1);
}

#[tokio::test]
async fn should_map_422_with_a_list_of_messages() {
    let (_server, result) = answer(highlevel_error(
        422,
        json!(["name must be a string", "slug already exists"]),
    ))
    .await;
    let err = result.unwrap_err();
    let api = err.api_error().expect("carries HighLevel's error");
    assert_eq!(
        api.messages,
        vec!["name must be a string", "slug already exists"]
    );
    assert_eq!(api.error.as_deref(), Some("Some Error"));
    assert!(
        err.to_string()
            .contains("name must be a string; slug already exists")
    );
}

#[tokio::test]
async fn should_map_401_to_unauthorized_without_retrying() {
    let (server, result) = answer(highlevel_error(
        401,
        json!("Invalid token: access token is invalid"),
    ))
    .await;
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(
        err.to_string().contains("calendars.write"),
        "the message says what to check"
    );
    assert_eq!(received_count(&server).await, 1);
}

#[tokio::test]
async fn should_map_a_non_json_401_to_unauthorized_with_a_snippet() {
    let (_server, result) =
        answer(ResponseTemplate::new(401).set_body_string("<html>denied</html>")).await;
    let err = result.unwrap_err();
    let Error::Unauthorized(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.body_snippet.as_deref(), Some("<html>denied</html>"));
}

#[tokio::test]
async fn should_not_retry_5xx_with_html_bodies() {
    for status in [500u16, 502, 503] {
        let (server, result) = answer(
            ResponseTemplate::new(status)
                .set_body_raw("<html><body>Bad gateway</body></html>", "text/html"),
        )
        .await;
        let err = result.unwrap_err();
        let Error::Api(api) = &err else {
            panic!("{status}: {err:?}")
        };
        assert_eq!(api.status.as_u16(), status);
        assert!(api.body_snippet.as_deref().unwrap().contains("Bad gateway"));
        let text = err.to_string();
        assert!(
            text.contains("with an HTML page rather than a JSON error") && !text.contains('<'),
            "{text}"
        );
        assert!(!err.is_retryable());
        assert_eq!(
            received_count(&server).await,
            1,
            "{status} must not be retried"
        );
    }
}

#[tokio::test]
async fn should_map_an_undocumented_404_to_api_error() {
    let (_server, result) = answer(highlevel_error(404, json!("Cannot POST /calendars/"))).await;
    let err = result.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        err.api_error().unwrap().messages,
        vec!["Cannot POST /calendars/"]
    );
}

#[tokio::test]
async fn should_report_the_json_path_of_a_field_that_does_not_decode() {
    let mut body = seed_response();
    body["calendar"]["teamMembers"][0]["userId"] = json!(42);
    let (_server, result) = answer(ResponseTemplate::new(201).set_body_json(body)).await;
    let err = result.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.status.as_u16(), 201);
    assert_eq!(decode.path, "calendar.teamMembers[0].userId");
    assert!(decode.body_snippet.len() <= highlevel_calendars::SNIPPET_LIMIT + 4);
}

#[tokio::test]
async fn should_report_invalid_and_truncated_json_as_decode_errors() {
    for body in ["not json", "{\"calendar\": {\"id\": \"abc\", \"name\""] {
        let (server, result) =
            answer(ResponseTemplate::new(201).set_body_raw(body, "application/json")).await;
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{body}: {err:?}");
        assert_eq!(received_count(&server).await, 1);
    }
}

#[tokio::test]
async fn should_report_an_empty_2xx_as_a_decode_error() {
    for status in [201u16, 204] {
        let (_server, result) = answer(ResponseTemplate::new(status)).await;
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{status}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn should_refuse_a_body_larger_than_the_limit() {
    let server = MockServer::start().await;
    let huge = format!(
        "{{\"calendar\": {{\"notes\": \"{}\"}}}}",
        "x".repeat(200_000)
    );
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    let client = builder_for(&server)
        .max_response_bytes(10_000)
        .build()
        .unwrap();
    let err = create_minimal(&client).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 10_000, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("10000 bytes"));
}

#[tokio::test]
async fn should_not_follow_a_redirect_to_another_host() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(seed_response()))
        .mount(&elsewhere)
        .await;
    let (server, result) = answer(
        ResponseTemplate::new(307)
            .insert_header("location", format!("{}/calendars/", elsewhere.uri())),
    )
    .await;
    let err = result.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307));
    assert_eq!(received_count(&server).await, 1);
    assert_eq!(
        received_count(&elsewhere).await,
        0,
        "neither the body nor the token goes to the other host"
    );
}

/// An answer the document does not describe is a `serde_json::Value` (normalizer step
/// `undescribed_answers_are_json`); when the server sends no body at all, it reads as `null`
/// rather than failing to decode. The request is what progenitor's code does for such an
/// operation: send, then decode the answer as JSON.
#[tokio::test]
async fn should_read_an_empty_answer_as_null_where_the_type_accepts_it() {
    use highlevel_calendars::{ApiErrorBody, Operation};
    use highlevel_runtime::__private::progenitor_client::{Error as GenError, ResponseValue};

    const SEARCH: Operation =
        Operation::new("search-things", "POST", "/things/search", "2021-07-28", &[]);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let runtime = client.runtime();
    let http = runtime.http().clone();
    let url = format!("{}/things/search", server.uri());
    let search = async move {
        let response = http
            .post(url)
            .send()
            .await
            .map_err(GenError::<ApiErrorBody>::CommunicationError)?;
        ResponseValue::<serde_json::Value>::from_response::<ApiErrorBody>(response).await
    };
    let call = highlevel_runtime::__private::Call::start(runtime, &SEARCH);
    let answer = highlevel_runtime::__private::run(&call, search)
        .await
        .expect("an empty answer is no error");
    assert_eq!(answer.body, serde_json::Value::Null);
    assert_eq!(answer.status, 200);
}
